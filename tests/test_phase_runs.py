"""What runs in each phase, resolved on real graphs written by TensorFlow and tf_keras."""

from __future__ import annotations

import os

import pytest

from demo import demo_analysis, demo_graphs, demo_script
from tb_phaseview.analysis import phase, phase_runs
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import wire


def logdir_analysis(folder: str, run: str):
    for ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
        if ref["run"] == run and ref["kind"] == "run_graph":
            assert error is None, error
            return analyze(graph)
    raise AssertionError(f"no run graph {run} in {folder}")


def layer_names(builder: str, kind: str) -> list[str]:
    model = getattr(demo_script(), builder)()
    return sorted(layer.name for layer in model.layers if type(layer).__name__ == kind)


def forward_ops(graph, layer: str, op_test) -> list[int]:
    return [
        i
        for i, name in enumerate(graph.names)
        if name.startswith(layer + "/") and op_test(graph.ops[i]) and not phase.is_gradient(name)
    ]


def is_batch_norm_kernel(op: str) -> bool:
    return op.startswith("FusedBatchNorm") and "Grad" not in op


def function_ops(graph, name: str) -> list:
    return list(graph.functions[name].node_def)


# -- v1 cond: deadness flows from a Switch's outputs to the Merge ---------------------------------------------


@pytest.mark.parametrize(
    "run,builder", [("resnet_old_keras", "build_seed_resnet"), ("dropout_cnn", "build_dropout_cnn")]
)
def test_v1_cond_every_batchnorm_runs_its_training_kernel_only_when_true(run, builder):
    analysis = demo_analysis(run)
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    only_true, only_false = set(flag.only_when[True]), set(flag.only_when[False])
    for layer in layer_names(builder, "BatchNormalization"):
        kernels = forward_ops(graph, layer, is_batch_norm_kernel)
        training = [k for k in kernels if graph.node_defs[k].attr["is_training"].b]
        inference = [k for k in kernels if not graph.node_defs[k].attr["is_training"].b]
        assert len(training) == 1 and len(inference) == 1, layer
        assert training[0] in only_true and training[0] not in only_false, layer
        assert inference[0] in only_false and inference[0] not in only_true, layer
    assert flag.branches == [] and flag.never == []


def test_v1_cond_dropout_random_ops_run_only_in_training():
    analysis = demo_analysis("dropout_cnn")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    for layer in layer_names("build_dropout_cnn", "Dropout"):
        random_ops = forward_ops(graph, layer, lambda op: op in phase.RANDOM_OPS)
        assert random_ops and set(random_ops) <= set(flag.only_when[True]), layer
        assert not set(forward_ops(graph, layer, lambda op: True)) & set(flag.only_when[False]) - {
            i for i in range(graph.node_count) if "/cond/" in graph.names[i]
        }, "outside its cond it runs always"


def test_ops_outside_the_cond_and_after_the_merge_run_in_both_phases():
    analysis = demo_analysis("dropout_cnn")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    gated = set(flag.only_when[True]) | set(flag.only_when[False])
    for name in ("bn1/cond/Merge", "conv2/Conv2D", "fc_out/Sigmoid", "keras_learning_phase", "bn1/cond/pred_id"):
        assert graph.index[name] not in gated, name


# -- If / StatelessIf: the branch functions ----------------------------------------------------------------------


def test_if_every_batchnorm_runs_its_training_kernel_in_the_true_branch():
    analysis = demo_analysis("resnet_tf_keras")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    calls = {graph.names[call.node]: call for call in flag.branches}
    for layer in layer_names("build_seed_resnet", "BatchNormalization"):
        call = calls[layer + "/cond"]
        for function, training in ((call.when_true, True), (call.when_false, False)):
            kernels = [n for n in function_ops(graph, function) if is_batch_norm_kernel(n.op)]
            assert [n.attr["is_training"].b for n in kernels] == [training], (layer, function)
    # The If itself runs in both phases: no drawn op is skipped, the branch bodies are counted apart.
    assert flag.only_when == {True: [], False: []}
    assert flag.ops_only_when(True) == sum(call.ops_when_true for call in flag.branches) > 0
    assert flag.ops_only_when(False) == sum(call.ops_when_false for call in flag.branches) > 0


def test_ifs_wrapped_in_functions_run_their_branches_by_the_flag_as_ifs_do(roles_graphs):
    # A TF2 GAN's step (two tapes): each cond's If runs inside a function the drawn call runs. Run as counts the
    # ops of the branch that runs, by the call: the Dropout's random ops only in training.
    analysis = roles_graphs["roles_tf2_gan"].analysis
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    calls = {}
    for call in flag.branches:
        calls.setdefault(graph.names[call.node], []).append(call)
    assert set(calls) == {graph.names[n] for n in analysis.phase.consumers}  # every cond the flag decides
    assert all(graph.ops[graph.index[name]] == "StatefulPartitionedCall" for name in calls)
    dropout = [call for name, found in calls.items() if "/d_drop/" in name for call in found]
    assert len(dropout) == 2  # the discriminator reads the real and the generated batch
    for call in dropout:
        assert any(n.op in phase.RANDOM_OPS for n in function_ops(graph, call.when_true))
        assert not any(n.op in phase.RANDOM_OPS for n in function_ops(graph, call.when_false))
    assert flag.only_when == {True: [], False: []}
    assert flag.ops_only_when(True) == sum(call.ops_when_true for call in flag.branches) > 0
    assert flag.ops_only_when(False) == sum(call.ops_when_false for call in flag.branches) > 0


def test_if_dropout_random_ops_run_only_in_the_true_branch():
    analysis = demo_analysis("tf1_is_training")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    calls = {graph.names[call.node]: call for call in flag.branches}
    for layer in ("drop1", "drop2"):
        call = calls[layer + "/cond"]
        assert any(n.op in phase.RANDOM_OPS for n in function_ops(graph, call.when_true))
        assert not any(n.op in phase.RANDOM_OPS for n in function_ops(graph, call.when_false))


# -- LogicalNot flips the predicate -----------------------------------------------------------------------------


def test_negated_v1_cond_still_drops_only_in_training(tf_written):
    analysis = logdir_analysis(tf_written("negated_v1"), "negated_v1")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    random_ops = [i for i, op in enumerate(graph.ops) if op in phase.RANDOM_OPS]
    assert random_ops and set(random_ops) <= set(flag.only_when[True])
    scaled = graph.index["drop/cond/mul"]  # the inference branch (the cond's then branch: its predicate is negated)
    assert scaled in flag.only_when[False]


def test_negated_if_runs_its_else_branch_in_training(tf_written):
    analysis = logdir_analysis(tf_written("negated_v2"), "negated_v2")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    (call,) = flag.branches
    attr = graph.node_defs[call.node].attr
    assert call.when_true == attr["else_branch"].func.name and call.when_false == attr["then_branch"].func.name
    assert any(n.op in phase.RANDOM_OPS for n in function_ops(graph, call.when_true))


# -- Select computes both inputs ---------------------------------------------------------------------------------


def test_select_skips_nothing_and_says_so(tf_written):
    analysis = logdir_analysis(tf_written("select_gated"), "select_gated")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    assert [graph.names[n] for n in flag.selects] == ["dropout/Select"]
    assert flag.only_when == {True: [], False: []} and flag.branches == []
    warnings = wire.phase_warnings(analysis)
    assert "1 Select ops read is_training: they compute both inputs, so they skip nothing in either phase" in warnings
    answer = wire.phase_runs_answer(analysis)
    assert answer["phases"]["false"]["layers"]["dropout"].startswith("computes both its training and its inference")
    assert answer["phases"]["false"]["ops_not_run"] == 0 and answer["phases"]["false"]["nodes"] == []


# -- An op computed in both phases but used in one ----------------------------------------------------------------


def test_batch_statistics_computed_outside_the_cond_are_reported():
    """tf_keras's unfused BatchNormalization (2-D input) computes the batch moments before its cond, as old Keras
    did: they run at inference too, though only training uses them."""
    analysis = demo_analysis("tf2_function_training", "trace", "forward")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    used_in_training = {graph.names[n] for n in flag.used_only_when[True]}
    moments = {name for name in graph.names if name.startswith("tf2_function_model/bn1/moments/")}
    assert moments and moments <= used_in_training
    assert flag.used_only_when[False] == []
    assert not any("/bn2/" in name for name in used_in_training), "fused BN computes them in its branch"


# -- The flag's default ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run,kind,tag,default",
    [
        ("resnet_tf_keras", "run_graph", None, False),
        ("resnet_old_keras", "run_graph", None, False),
        ("dropout_cnn", "run_graph", None, False),
        ("tf1_is_training", "run_graph", None, None),  # a plain Placeholder must be fed
        ("tf2_function_training", "trace", "forward", None),  # a function argument too
    ],
)
def test_flag_default(run, kind, tag, default):
    analysis = demo_analysis(run, kind, tag)
    (flag,) = analysis.phase_runs.flags
    assert flag.default is default
    warnings = wire.phase_warnings(analysis)
    if default is None:
        assert any("has no default: this graph does not run unless fed" in w for w in warnings)
    else:
        assert warnings == []


def test_a_flag_defaulting_to_true_is_a_warning(tf_written):
    analysis = logdir_analysis(tf_written("select_gated"), "select_gated")
    assert analysis.phase_runs.flags[0].default is True
    assert "this graph runs in training mode unless fed is_training=False" in wire.phase_warnings(analysis)


# -- Flags kept in variables -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run,op,writers",
    [
        ("variable_flag", "VariableV2", ["is_training/Assign", "set_training", "set_inference", "save/Assign"]),
        (
            "resource_variable_flag",
            "VarHandleOp",
            ["is_training/Assign", "set_training", "set_inference", "save/AssignVariableOp"],
        ),
    ],
)
def test_a_boolean_variable_gating_a_cond_is_a_flag_and_its_assign_ops_are_its_writers(tf_written, run, op, writers):
    analysis = logdir_analysis(tf_written(run), run)
    graph = analysis.graph
    (source,) = analysis.phase.sources
    assert (source.name, source.op) == ("is_training", op)
    assert source.layers == ["drop"], "reading, assigning or saving the variable is not a layer reading it"
    (flag,) = analysis.phase_runs.flags
    assert flag.variable and flag.default is False  # its initial value
    assert sorted(flag.writers) == sorted(writers)
    if op == "VariableV2":  # v1 cond
        random_ops = [i for i, o in enumerate(graph.ops) if o in phase.RANDOM_OPS]
        assert random_ops and set(random_ops) <= set(flag.only_when[True])
    else:  # If, read by ReadVariableOp
        (call,) = flag.branches
        assert any(n.op in phase.RANDOM_OPS for n in function_ops(graph, call.when_true))
    assert wire.phase_warnings(analysis) == []


# -- The answer the view reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("run", ["dropout_cnn", "resnet_old_keras", "resnet_tf_keras"])
def test_phase_answer_lists_what_does_not_run_and_the_groups_none_of_whose_ops_run(run):
    analysis = demo_analysis(run)
    answer = wire.phase_runs_answer(analysis)
    (source,) = answer["sources"]
    tree = analysis.tree
    for value, other in (("true", "false"), ("false", "true")):
        view = answer["phases"][value]
        assert (
            view["graph_ops_not_run"]
            == len(view["nodes"])
            == source["ops_only_when"][other] - source["branch_ops_only_when"][other]
        )
        assert view["ops_not_run"] == source["ops_only_when"][other]
        not_running = {analysis.graph.index[name] for name in view["nodes"]}
        expected = {
            group
            for group in tree.child_groups
            if group and not tree.buckets.get(group) and set(tree.descendant_nodes(group)) <= not_running
        }
        # And the function groups of the If branches not taken (ghosted inside the call's functions group).
        idle = {
            f"{b['node']}/\u0192{attr}"
            for b in source["branches"]
            for attr in ("then_branch", "else_branch")
            if analysis.graph.node_defs[analysis.graph.index[b["node"]]].attr[attr].func.name
            == (b["when_false"] if value == "true" else b["when_true"])
        }
        assert set(view["groups"]) == expected | idle
        assert bool(idle) == bool(source["branches"])
    bn = next(layer.layer for layer in analysis.phase.layers if layer.kind == phase.BATCH_NORMALIZATION)
    assert answer["phases"]["false"]["layers"][bn] == "uses the moving mean and variance"


def test_dropout_passes_its_input_through_at_inference():
    answer = wire.phase_runs_answer(demo_analysis("dropout_cnn"))
    assert answer["phases"]["false"]["layers"]["drop1"] == "passes its input through"
    assert answer["phases"]["true"]["layers"]["drop1"] == "drops units at random"
    groups = answer["phases"]["false"]["groups"]
    assert "drop1/cond/dropout/random_uniform" in groups
    assert "drop1/cond/dropout" not in groups, "its input Switch runs in both phases"


def test_a_loop_inside_the_training_branch_runs_only_in_training(tf_written):
    """The loop's Merge also takes its NextIteration (a cycle): a loop runs when it is entered."""
    analysis = logdir_analysis(tf_written("loop_in_cond_v1"), "loop_in_cond_v1")
    graph = analysis.graph
    (flag,) = analysis.phase_runs.flags
    (cond_switch,) = [g for g in phase_runs_gates(analysis) if "/while/" in graph.names[g]]  # the cond's own
    loop = {i for i, name in enumerate(graph.names) if "/while/" in name} - {cond_switch}
    assert {"Enter", "Merge", "NextIteration", "Exit", "LoopCond", "RandomUniform"} <= {graph.ops[i] for i in loop}
    assert loop <= set(flag.only_when[True])
    assert flag.never == []


def phase_runs_gates(analysis):
    """Switches whose predicate is the flag."""
    carried = phase_runs.polarities(analysis.graph, analysis.phase.sources[0].index)
    return set(phase_runs._gates(analysis.graph, carried)[0])


def test_the_first_view_does_not_resolve_the_phases():
    analysis = analyze(demo_graphs()[("dropout_cnn", "run_graph", None)])
    wire.graph_answer(analysis, {"run": "dropout_cnn", "kind": "run_graph", "tag": None})
    assert ("phase_runs",) not in analysis._answers
    wire.phase_runs_answer(analysis)
    assert ("phase_runs",) in analysis._answers
