"""Node roles and edge kinds, decided by structure, on graphs written by TensorFlow, tf_keras and PyTorch."""

from __future__ import annotations

from collections import Counter

import pytest
from tensorboard.compat.proto.graph_pb2 import GraphDef

import tf_written
from demo import demo_analysis, demo_graphs, demo_script
from oddgraphs import node
from tb_phaseview.analysis import edge_kinds, roles
from tb_phaseview.analysis.graph_model import build_graph
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source

TRAINING_RUNS = ["resnet_tf_keras", "resnet_old_keras", "dropout_cnn", "tf1_is_training", "tf2_fit_no_flag"]
ALL_GRAPHS = sorted(demo_graphs(), key=str)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Graphs TensorFlow writes at test time: a TF1 graph with ref variables, keep_prob, global_step, summaries
    and a saver; a TF2 GradientTape training step."""
    logdir = str(tmp_path_factory.mktemp("tf_written"))
    for name in ("tf1_full", "tf2_tape"):
        tf_written.write(name, logdir)
    return {ref["run"]: analyze(graph) for ref, graph, error in iter_graphs(logdir, graph_source.load_graph)}


def role_of(analysis, name):
    return analysis.roles.name_of(analysis.graph.index[name])


def nodes_with_role(analysis, role):
    graph = analysis.graph
    return [graph.names[i] for i in range(graph.node_count) if analysis.roles.name_of(i) == role]


def batch_norm_count(run):
    script = demo_script()
    spec = script.DEMO_RUNS[run]
    if spec["builder"] is None:
        return spec["expected_layers"]["BatchNormalization"]
    return script.count_layers(getattr(script, spec["builder"])()).get("BatchNormalization", 0)


@pytest.mark.parametrize("key", ALL_GRAPHS, ids=lambda key: f"{key[0]}-{key[1]}")
def test_every_node_has_a_role_and_every_edge_a_kind(key):
    analysis = demo_analysis(*key)
    counts = analysis.edge_counts
    assert set(counts) == set(edge_kinds.EDGE_KINDS)
    assert sum(counts.values()) == analysis.graph.edge_count
    assert set(analysis.node_roles) == set(roles.ROLE_NAMES)
    assert sum(analysis.node_roles.values()) == analysis.graph.node_count


@pytest.mark.parametrize("key", ALL_GRAPHS, ids=lambda key: f"{key[0]}-{key[1]}")
def test_every_variable_initialized_check_is_init(key):
    analysis = demo_analysis(*key)
    graph = analysis.graph
    checks = [i for i, op in enumerate(graph.ops) if op in ("VarIsInitializedOp", "IsVariableInitialized")]
    assert {analysis.roles.name_of(i) for i in checks} <= {"init"}
    if key[0] in ("resnet_tf_keras", "resnet_old_keras"):
        assert len(checks) == 300  # Keras 2 checks every variable


@pytest.mark.parametrize("run", TRAINING_RUNS)
def test_one_moving_average_update_pair_per_batch_norm_layer(run):
    """A moving-average update is part of the model: a write of the model's own that takes a variable.
    (tf1_is_training's dense batch norm updates its averages inside its ``If`` branches' functions.)"""
    analysis = demo_analysis(run)
    graph = analysis.graph
    # (TensorFlow moves an average by subtracting; a model's other writes, Keras' metric totals, add.)
    updates = [
        i
        for i in analysis.roles.writes
        if analysis.roles.name_of(i) == "model" and graph.ops[i].startswith("AssignSub")
    ]
    in_functions = 1 if run == "tf1_is_training" else 0
    assert len(updates) == 2 * (batch_norm_count(run) - in_functions)
    for i in updates:
        assert {analysis.kinds[e] for e in graph.in_edges(i) if not graph.edge_control[e]} == {"variable"}


@pytest.mark.parametrize("run", TRAINING_RUNS)
def test_one_optimizer_update_per_trainable_variable(run):
    """Every variable the model reads and the optimizer updates is updated once (an optimizer's own slots,
    read by the optimizer alone, are not the model's variables)."""
    analysis = demo_analysis(run)
    graph = analysis.graph

    def read_by_model(variable):
        return any(analysis.roles.name_of(graph.edge_dst[e]) == "model" for e in graph.out_edges(variable))

    updated = Counter()
    for i in range(graph.node_count):
        is_update = i in analysis.roles.writes or graph.ops[i].startswith(("Apply", "ResourceApply"))
        if analysis.roles.name_of(i) == "optimizer" and is_update:
            target = graph.edge_src[graph.in_start[i]]
            if read_by_model(target):
                updated[target] += 1
    assert updated and set(updated.values()) == {1}, "each trained variable is updated once"
    script = demo_script()
    spec = script.DEMO_RUNS[run]
    if spec["builder"]:
        assert len(updated) == len(getattr(script, spec["builder"])().trainable_weights)


def test_forward_only_trace_has_no_gradient_or_optimizer_edge():
    analysis = demo_analysis("tf2_function_training", "trace", "forward")
    counts = analysis.edge_counts
    assert counts["gradient"] == counts["optimizer"] == 0
    assert counts["phase"] > 0


def test_pytorch_graph_has_no_phase_edge_and_no_machinery():
    analysis = demo_analysis("pytorch_add_graph")
    assert analysis.edge_counts["phase"] == 0
    assert analysis.node_roles["model"] == analysis.graph.node_count


def test_keras2_graph_machinery():
    """Keras 2 graph mode: training/<Optimizer>/gradients/..., the learning rate read by every update."""
    analysis = demo_analysis("resnet_old_keras")
    assert role_of(analysis, "training/SGD/gradients/gradients/fc_out/BiasAdd_grad/BiasAddGrad") == "gradient"
    assert role_of(analysis, "training/SGD/SGD/update_cnl_stg-1/kernel/ResourceApplyGradientDescent") == "optimizer"
    assert role_of(analysis, "res2a_branch1/kernel/Initializer/stateless_random_uniform") == "init"
    assert role_of(analysis, "res2a_branch1/kernel/Assign") == "init"
    assert role_of(analysis, "training/SGD/learning_rate") == "hyperparameter"
    assert role_of(analysis, "bnl_stg-1/keras_learning_phase") == "phase"
    # The forward pass and its weights stay the model's, the loss included.
    for name in ("res2a_branch1/Conv2D", "res2a_branch1/kernel", "bn2a_branch1/cond/FusedBatchNormV3", "loss/mul"):
        assert role_of(analysis, name) == "model"


def test_tf1_graph_machinery(written):
    """TF1 with ref variables (TF 0.x style): gradients/, save/, init, global_step, summaries, keep_prob."""
    analysis = written["tf1_full"]
    assert role_of(analysis, "keep_prob") == "hyperparameter"
    assert role_of(analysis, "GradientDescent/learning_rate") == "hyperparameter"
    assert role_of(analysis, "global_step") == "optimizer"
    assert role_of(analysis, "GradientDescent") == "optimizer"  # the global step's increment
    assert role_of(analysis, "init") == "init"
    assert role_of(analysis, "Merge/MergeSummary") == "summary"
    for name in ("save/SaveV2", "save/RestoreV2", "save/restore_all", "save/Const", "save/Assign"):
        assert role_of(analysis, name) == "save"
    graph = analysis.graph
    assert {role_of(analysis, n) for n in graph.names if n.startswith("gradients/")} <= {"gradient", "phase"}
    assert graph.ops[graph.index["bn/cond_2/AssignMovingAvg/Switch"]] == "RefSwitch"
    assert role_of(analysis, "bn/cond_2/AssignMovingAvg") == "model"
    assert [
        n
        for n in analysis.graph.names
        if analysis.roles.name_of(analysis.graph.index[n]) == "model"
        and analysis.graph.index[n] in analysis.roles.writes
    ] == ["bn/cond_2/AssignMovingAvg", "bn/cond_3/AssignMovingAvg"]
    # keep_prob is read in both dropout layers, through hyperparameter edges.
    keep_prob = graph.index["keep_prob"]
    assert {analysis.kinds[e] for e in graph.out_edges(keep_prob)} == {"hyperparameter"}
    for kind in ("init", "gradient", "optimizer", "summary", "save", "hyperparameter", "phase", "variable"):
        assert analysis.edge_counts[kind] > 0, kind


def test_tf2_tape_machinery(written):
    analysis = written["tf2_tape"]
    graph = analysis.graph
    tape = [n for n in graph.names if n.startswith("gradient_tape/")]
    assert tape and {role_of(analysis, n) for n in tape} == {"gradient"}
    assert analysis.edge_counts["optimizer"] > 0 and analysis.edge_counts["gradient"] > 0
    assert role_of(analysis, "sequential/fc1/MatMul") == "model"
    assert role_of(analysis, "sequential/fc1/MatMul/ReadVariableOp/resource") == "model"


def test_seed_top_level_shows_layers_flag_and_machinery_areas_only():
    analysis = demo_analysis("resnet_old_keras")
    groups, ops = analysis.tree.children("")
    model = demo_script().build_seed_resnet()
    layers = {layer.name for layer in model.layers}
    areas = set(analysis.areas.values())
    assert areas == {"\u2237init", "\u2237gradient", "\u2237optimizer"}
    flag_group = "bnl_stg-1/keras_learning_phase"
    # Besides the layers: the loss the model is compiled with, and its target (what the gradients start from).
    assert set(groups) - areas - {flag_group} == layers - {"input_image"} | {"loss"}
    assert {analysis.graph.names[i] for i in ops} == {"input_image", "fc_out_target"}
    assert not any(name.startswith("VarIsInitializedOp") for name in groups)


def test_a_value_computed_from_data_in_a_loop_reads_data_whatever_is_asked_first():
    """Whether an op computes from the data fed is settled for the whole graph at once, along the data edges from
    each feed: around a loop's back edge too. (A walk per op, asked first about the loop's body, went round the
    loop, met the body again on its own path and settled ``NextIteration`` as no data.)"""
    graph_def = GraphDef()
    node(graph_def, "x", "Placeholder")
    node(graph_def, "scale", "Const")
    node(graph_def, "loop/Enter", "Enter", ["x"])
    node(graph_def, "loop/Merge", "Merge", ["loop/NextIteration", "loop/Enter"])
    node(graph_def, "loop/body", "Mul", ["loop/Merge", "scale"])
    node(graph_def, "loop/NextIteration", "NextIteration", ["loop/body"])
    node(graph_def, "twice", "Mul", ["scale", "scale"])
    graph = build_graph(graph_def)
    reads_data = roles._DataReach(graph, variables=set())
    asked = ["loop/body", "loop/NextIteration", "loop/Merge", "loop/Enter", "x"]
    assert [reads_data(graph.index[name]) for name in asked] == [True] * len(asked)
    assert not reads_data(graph.index["twice"]) and not reads_data(graph.index["scale"])
