"""What the tab answers after the first view (search, why connected?) on graphs other people's code wrote
(/work/shared/graphs, SOURCES.md there), checked against the GraphDef itself."""

from __future__ import annotations

import functools
import os
from collections import Counter

import pytest

from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import wire
from third_party_graphs import SHARED_GRAPHS


@functools.lru_cache(maxsize=None)
def third_party(case: str):
    folder = os.path.join(SHARED_GRAPHS, case)
    if not SHARED_GRAPHS or not os.path.isdir(folder):
        pytest.skip(f"the third-party graph {case} is not here")
    for _ref, graph, error in iter_graphs(folder, graph_source.load_graph):
        assert error is None
        return analyze(graph)
    pytest.fail(f"no graph in {folder}")


def _ops_of_type(analysis, op_type: str) -> set[str]:
    graph = analysis.graph
    return {name for name, op in zip(graph.names, graph.ops) if op == op_type}


@pytest.mark.parametrize(
    "case, op_type",
    [
        # pix2pix's weights are TF1 variables, each beside its `read` and `Assign`: each is an op and a scope.
        ("pix2pix-illustris", "VariableV2"),
        # tf.keras' resource variables (`dense/kernel` holds `dense/kernel/Read/ReadVariableOp`) and its flag.
        ("styx-keras", "VarHandleOp"),
        ("styx-keras", "PlaceholderWithDefault"),
        # A feature column's `weighted_sum` MatMul sits beside the scope of its shape ops.
        ("census-estimator", "MatMul"),
    ],
)
def test_a_search_by_op_type_finds_the_ops_named_like_their_scope(case, op_type):
    """Searching an op type lists every op of that type, those drawn as the group of their own name included
    (as that group, with the op's type), and each result leads to where it is drawn."""
    analysis = third_party(case)
    truth = _ops_of_type(analysis, op_type)
    answer = wire.search_answer(analysis, op_type, False, 500)
    assert not answer["truncated"]
    # A group in a machinery area is named by its area (`\u2237optimizer/global_step` is drawn as `global_step`).
    found = [
        match["name"].partition("/")[2] if match["name"].startswith("\u2237") else match["name"]
        for match in answer["matches"]
    ]
    assert truth <= set(found), sorted(truth - set(found))[:5]
    assert len(found) == len(set(found)), "each op is listed once"
    assert all(match["op"] == op_type for match, name in zip(answer["matches"], found) if name in truth)
    # Each result is a child of the last group on its path: opening that path reveals it.
    for match in answer["matches"]:
        parent = match["path"][-1] if match["path"] else ""
        assert match["name"] in {c["name"] for c in wire.group_answer(analysis, parent)["children"]}, match
    if case == "styx-keras" and op_type == "PlaceholderWithDefault":
        assert answer["matches"][0]["name"] == "keras_learning_phase"


def _graph_def_inputs(analysis, name: str) -> list[str]:
    """The inputs the GraphDef gives the node ``name`` (its own record, not PhaseView's edges)."""
    return [raw.lstrip("^").split(":")[0] for raw in analysis.graph.node_defs[analysis.graph.index[name]].input]


def test_a_layer_and_the_initialisers_area_are_connected_by_its_variables_initialisers():
    """styx-keras' `dense` holds `dense/kernel` and `dense/bias`; their `Assign` and `IsInitialized` ops are named
    in its scope and drawn in the initialisers' area. The drawn edge between the two boxes stands for the four
    edges from the variables to those ops: "they are not connected" was wrong, in the view and the CLI alike."""
    analysis = third_party("styx-keras")
    init_ops = set(analysis.tree.descendant_nodes("\u2237init"))
    truth = {
        (variable, name)
        for name in (analysis.graph.names[i] for i in init_ops)
        for variable in ("dense/kernel", "dense/bias")
        if variable in _graph_def_inputs(analysis, name)
    }
    assert len(truth) == 4
    for view in (False, True):
        answer = wire.why_answer(analysis, "dense", "\u2237init", view=view)
        assert answer["total"] == 4 and [k["kind"] for k in answer["kinds"]] == ["init"]
        assert {(e["from"], e["to"]) for e in answer["kinds"][0]["edges"]} == truth
    assert answer["kinds"][0]["drawn"] == 4  # every one of them is the edge drawn between the two boxes


def test_an_op_drawn_in_the_group_of_its_own_name_answers_for_itself():
    """`dropout_3/dropout/random_uniform` is an Add op drawn inside the group of its scope, beside `.../min`. The
    edge drawn between the two is `min -> random_uniform`; the scope's `min -> sub` is no edge of the op."""
    analysis = third_party("amexpert-keras-estimator")
    op, const = "dropout_3/dropout/random_uniform", "dropout_3/dropout/random_uniform/min"
    assert _graph_def_inputs(analysis, op).count(const) == 1
    assert const in _graph_def_inputs(analysis, "dropout_3/dropout/random_uniform/sub")
    for a, b in ((op, const), (const, op)):
        answer = wire.why_answer(analysis, a, b, view=True)
        part = answer["a"] if a == op else answer["b"]
        assert part["type"] == "op" and part["op"] == "Add"
        assert answer["total"] == 1
        assert answer["kinds"][0]["edges"] == [{"from": const, "to": op, "output": 0, "input": 1}]
    # Its scope asked about with a box outside the group is still the scope.
    assert wire.why_answer(analysis, op, "dropout_3/dropout/truediv")["a"]["type"] == "scope"


@pytest.mark.parametrize("case", ["pixel-link", "portfolio-gan", "tflearn-chatbot", "ssd-export", "styx-keras"])
def test_each_kind_says_how_many_of_its_edges_the_drawn_edge_between_two_boxes_stands_for(case):
    """For every edge drawn at the top level, the view's answer counts, per kind, exactly the op-level edges the
    drawn edge stands for (``drawn``), whatever else the two scopes' ops drawn elsewhere add (``count``)."""
    analysis = third_party(case)
    drawn: dict[tuple[str, str], Counter] = {}
    for edge in wire.group_answer(analysis, "")["edges"]:
        drawn.setdefault(tuple(sorted((edge["from"], edge["to"]))), Counter())[edge["kind"]] += edge["count"]
    assert drawn
    for (a, b), counts in drawn.items():
        answer = wire.why_answer(analysis, a, b, view=True)
        said = Counter({k["kind"]: k["drawn"] for k in answer["kinds"] if k["kind"] != "phase" and k["drawn"]})
        assert said == counts, (a, b)
        assert all(k["drawn"] <= k["count"] for k in answer["kinds"])


def test_a_gradient_scope_beside_a_layer_says_its_gradient_edges_are_not_between_the_two_boxes():
    """pixel-link's `clone_0` holds the data path into `conv1` and, as TensorFlow named them, the gradients of
    `conv1` (`clone_0/gradients/conv1/...`), drawn in the gradients' area. The 12 gradient edges are counted, and
    said not to be between the two boxes: turning the gradient filter on would not draw them there."""
    analysis = third_party("pixel-link")
    answer = wire.why_answer(analysis, "clone_0", "conv1", view=True)
    kinds = {k["kind"]: k for k in answer["kinds"]}
    assert kinds["data"]["drawn"] == kinds["data"]["count"] > 0
    assert kinds["gradient"]["count"] > 0 and kinds["gradient"]["drawn"] == 0
    assert all(
        e["from"].startswith("clone_0/gradients/") or e["to"].startswith("clone_0/gradients/")
        for e in kinds["gradient"]["edges"]
    )
    assert any(entry["area"] == "gradient" for entry in answer["a"]["apart"] if "area" in entry)


def test_two_nodes_of_a_function_body_are_connected_by_the_bodys_own_edges():
    """styx-keras' Dropout is an `If` whose training branch is a library function: opened, its body draws
    `dropout/Cast -> dropout/mul_1`. Why connected? said "not connected" (the call stood for both ends)."""
    analysis = third_party("styx-keras")
    body = "dropout/cond/\u0192then_branch"
    function = analysis.graph.functions["dropout_cond_true_25"]
    mul_1 = next(node for node in function.node_def if node.name == "dropout/mul_1")
    position = [raw.split(":")[0] for raw in mul_1.input].index("dropout/Cast")
    cast, mul = f"{body}/dropout/Cast", f"{body}/dropout/mul_1"
    assert any(
        (e["from"], e["to"], e["kind"]) == (cast, mul, "data") for e in wire.group_answer(analysis, body)["edges"]
    )
    answer = wire.why_answer(analysis, cast, mul, view=True)
    assert answer["total"] == 1
    assert answer["kinds"] == [
        {
            "kind": "data",
            "count": 1,
            "drawn": 1,
            "sentence": wire.KIND_SENTENCES["data"],
            "edges": [{"from": cast, "to": mul, "output": 0, "input": position}],
            "truncated": False,
        }
    ]
    assert answer["a"]["type"] == answer["b"]["type"] == "function" and answer["a"]["body"] == body
    # The argument feeds the body's first op; nodes of the two branches share no body.
    argument = f"{body}/dropout_shape_dense_relu"
    assert wire.why_answer(analysis, argument, f"{body}/dropout/Shape")["total"] == 1
    other = wire.why_answer(analysis, cast, "dropout/cond/\u0192else_branch/Identity")
    assert other["total"] == 0


def test_every_edge_drawn_in_a_savedmodels_nested_bodies_is_answered():
    """The TF2 SavedModel saves and restores through calls of library functions (its CNN, in the serving
    signature's call, is inlined): every edge drawn in every body the view opens is the answer of why connected?
    for its two ends, kind by kind."""
    analysis = third_party("mnist-tf2-savedmodel")
    queue, bodies = [""], 0
    while queue:
        group = queue.pop()
        listed = wire.group_answer(analysis, group)
        queue.extend(c["name"] for c in listed["children"] if c["type"] == "group")
        if "\u0192" not in group:
            continue
        bodies += 1
        pairs: dict[tuple[str, str], Counter] = {}
        for edge in listed["edges"]:
            pairs.setdefault((edge["from"], edge["to"]), Counter())[edge["kind"]] += edge["count"]
        for (a, b), counts in pairs.items():
            answer = wire.why_answer(analysis, a, b, view=True)
            said = Counter()
            for kind in answer["kinds"]:
                said[kind["kind"]] += sum(1 for e in kind["edges"] if (e["from"], e["to"]) == (a, b))
            assert +said == counts, (group, a, b)
    assert bodies >= 4


def test_the_nodes_of_a_savedmodels_checkpoint_function_are_the_checkpoints():
    """mnist-tf2-savedmodel saves and restores through `StatefulPartitionedCall_1` and `_2`, which call the
    library's `__inference__traced_save_…` and `…_restore_…`; `StatefulPartitionedCall` runs the CNN (inlined,
    its NoOp stands for it). Inside their bodies the inspector and the boxes said `model` for the checkpoint's
    SaveV2 and RestoreV2."""
    analysis = third_party("mnist-tf2-savedmodel")
    graph = analysis.graph
    serving = graph.index["StatefulPartitionedCall"]
    assert graph.ops[serving] == "NoOp" and analysis.roles.name_of(serving) == "model"
    expected = {"StatefulPartitionedCall_1": "save", "StatefulPartitionedCall_2": "save"}
    for call, role in expected.items():
        assert analysis.roles.name_of(graph.index[call]) == role
        function = graph.node_defs[graph.index[call]].attr["f"].func.name
        ops = {node.op for node in graph.functions[function].node_def}
        assert ("SaveV2" in ops or "RestoreV2" in ops) == (role == "save"), (call, sorted(ops))
        body = wire.group_answer(analysis, f"{call}/\u0192f")
        assert {child["role"] for child in body["children"]} == {role}
        for child in body["children"][:5]:
            node = wire.node_answer(analysis, child["name"])
            assert node["role"] == role and f"`{call}` calls" in node["role_why"]


@pytest.mark.parametrize("case", ["styx-keras", "pix2pix-illustris", "portfolio-gan", "guesslang"])
def test_a_top_level_boxs_inspector_counts_what_crosses_it_as_drawn(case):
    """A group's inspector lists what enters and leaves its scope (the CLI's answer); where its box does not draw
    the whole scope, it adds what crosses the box as drawn: per kind, the drawn edges at the box, summed."""
    analysis = third_party(case)
    root = wire.group_answer(analysis, "")
    crossing: dict[str, tuple[Counter, Counter]] = {}
    for edge in root["edges"]:
        crossing.setdefault(edge["to"], (Counter(), Counter()))[0][edge["kind"]] += edge["count"]
        crossing.setdefault(edge["from"], (Counter(), Counter()))[1][edge["kind"]] += edge["count"]
    apart = 0
    for child in root["children"]:
        if child["type"] != "group" or child.get("area") or child.get("series"):
            continue
        answer = wire.why_answer(analysis, child["name"], view=True)
        ins, outs = ("box_inputs", "box_outputs") if "box_inputs" in answer else ("inputs", "outputs")
        apart += "box_inputs" in answer
        assert ("box_inputs" in answer) == ("apart" in answer["a"])
        said = [Counter({k["kind"]: k["count"] for k in answer[side] if k["kind"] != "phase"}) for side in (ins, outs)]
        assert tuple(said) == crossing.get(child["name"], (Counter(), Counter())), child["name"]
    assert apart > 0


def test_the_training_steps_noop_says_it_waits_for_the_models_moving_average_too():
    """pix2pix's `group_deps` (its train op) waits for the step counter's Assign, the generator's Adam and the
    ExponentialMovingAverage of the losses (a model op). Its role's sentence said "nothing of the model's but
    constants"."""
    analysis = third_party("pix2pix-illustris")
    graph = analysis.graph
    waited = _graph_def_inputs(analysis, "group_deps")
    assert "ExponentialMovingAverage" in waited
    assert analysis.roles.name_of(graph.index["ExponentialMovingAverage"]) == "model"
    node = wire.node_answer(analysis, "group_deps")
    assert node["role"] == "optimizer"
    assert "nothing of the model's" not in node["role_why"]
    assert "`ExponentialMovingAverage`" in node["role_why"] and "`generator_train/Adam`" in node["role_why"]


def test_a_scope_with_an_empty_name_holds_only_its_own_ops():
    """guesslang names its linear weight `linear//weight/part_0`: inside `linear` is a scope of an empty name, the
    group `linear/`. Its inspector said it held 27 ops, its siblings `linear/linear`, `linear/zero_fraction` and
    `linear/bias_weight` among them ("drawn apart ... 4 ops in linear/linear")."""
    analysis = third_party("guesslang")
    own = [name for name in analysis.graph.names if name.startswith("linear//")]
    assert own and analysis.tree.is_group("linear/")
    answer = wire.why_answer(analysis, "linear/", view=True)
    assert answer["a"]["ops"] == len(own)
    assert answer["a"]["drawn"] == len(analysis.tree.descendant_nodes("linear/"))
    assert all(entry["where"].startswith("\u2237") for entry in answer["a"]["apart"])
    assert "linear/linear" not in answer["a"]["apart_sentence"]
    # A name typed with a trailing slash that no group has still means its scope (the CLI's `dense/`).
    assert wire.why_answer(analysis, "dnn/")["a"]["ops"] == wire.why_answer(analysis, "dnn")["a"]["ops"] > 0


def test_a_variable_whose_read_nothing_uses_is_not_said_to_be_read_by_the_forward_computation():
    """portfolio-gan's notebook built its generator twice: `Variable` ... `Variable_3` are left over, their
    `read` read by nothing (the matmuls read `Variable_4/read` ...). TFLearn keeps `val_loss` for display. The
    inspector said "a variable the forward computation reads"."""
    for case, name in (("portfolio-gan", "Variable"), ("tflearn-chatbot", "val_loss")):
        analysis = third_party(case)
        graph = analysis.graph
        readers = [other for other in graph.names if f"{name}/read" in _graph_def_inputs(analysis, other)]
        assert readers == [], readers
        node = wire.node_answer(analysis, name)
        assert node["role"] == "model"
        assert "forward computation reads" not in node["role_why"]
        assert f"`{name}/read`" in node["role_why"] and "nothing computes with" in node["role_why"]
    used = wire.node_answer(third_party("portfolio-gan"), "Variable_4")["role_why"]
    assert used == "a variable the forward computation reads (`Variable_4/read`): model"


def test_a_search_lists_a_variable_drawn_in_an_area_once():
    """pix2pix's `global_step` is drawn in the optimizer's area as the group of its own name (with its `read`):
    the search listed that group and, beside it, the op inside it, one box counted twice."""
    analysis = third_party("pix2pix-illustris")
    answer = wire.search_answer(analysis, "global_step", False, 50)
    names = [match["name"] for match in answer["matches"]]
    assert "\u2237optimizer/global_step" in names and "global_step" not in names
    entry = answer["matches"][names.index("\u2237optimizer/global_step")]
    assert entry["op"] == "VariableV2" and entry["type"] == "group"
    # Every op named like the query is listed once: as an op, or as the group it is drawn as.
    ops = [m["name"] for m in answer["matches"] if m["type"] == "op"] + ["global_step"]
    assert sorted(ops) == sorted(name for name in analysis.graph.names if "global_step" in name)
    assert len(names) == len(set(names))
