"""The name-scope hierarchy and the edges aggregated between sibling groups."""

from __future__ import annotations

from tensorboard.compat.proto import graph_pb2

from tb_phaseview import scopes, wire
from tb_phaseview.analysis import analyze


def make_graph(nodes):
    """nodes: list of (name, op, [inputs])."""
    graph = graph_pb2.GraphDef()
    for name, op, inputs in nodes:
        node = graph.node.add(name=name, op=op)
        node.input.extend(inputs)
    return graph


GRAPH = make_graph(
    [
        ("c", "Const", []),
        ("a/x", "MatMul", ["c"]),
        ("a/y", "Relu", ["a/x", "^c"]),
        ("b/z", "Add", ["a/x", "a/y:0"]),
        ("b/deep/w", "Identity", ["a/y"]),
        ("k", "PlaceholderWithDefault", ["k/input"]),
        ("k/input", "Const", []),
    ]
)


def test_groups_are_name_prefixes_and_namesake_op_sits_in_its_group():
    tree = analyze(GRAPH).tree
    assert tree.child_groups[""] == ["a", "b", "k"]
    assert tree.child_groups["b"] == ["b/deep"]
    names = analyze(GRAPH).graph.names
    assert [names[i] for i in tree.child_nodes["k"]] == ["k", "k/input"]
    assert tree.size == {"": 7, "a": 2, "b": 2, "b/deep": 1, "k": 2}


def test_edges_aggregate_under_lowest_common_group_with_counts_per_kind():
    root = wire.group_answer(analyze(GRAPH), "")
    edges = {(e["from"], e["to"], e["kind"]): e["count"] for e in root["edges"]}
    assert edges == {("c", "a", "data"): 1, ("c", "a", "control"): 1, ("a", "b", "data"): 3}
    inside_a = wire.group_answer(analyze(GRAPH), "a")
    assert [(e["from"], e["to"], e["kind"], e["count"]) for e in inside_a["edges"]] == [("a/x", "a/y", "data", 1)]


def test_relocated_subtree_moves_with_its_children():
    names = ["layer/flag", "layer/flag/input", "layer/conv", "other/x"]
    tree = scopes.build_scopes(names, {"layer/flag": ""})
    assert tree.group_parent["layer/flag"] == ""
    assert tree.chain("layer/flag") == ("layer/flag",)
    assert tree.child_groups[""] == ["layer", "layer/flag", "other"]
    assert tree.child_groups["layer"] == []
    assert tree.size["layer"] == 1


def test_group_answer_lists_children_with_ops_and_sizes():
    answer = wire.group_answer(analyze(GRAPH), "b")
    by_name = {c["name"]: c for c in answer["children"]}
    assert by_name["b/deep"] == {
        "name": "b/deep", "label": "deep", "type": "group", "size": 1, "ops": {"Identity": 1}, "phase": None
    }
    assert by_name["b/z"]["op"] == "Add" and by_name["b/z"]["label"] == "z"
    assert answer["path"] == ["b"]


def test_dangling_inputs_and_duplicates_are_reported_not_fatal():
    graph = make_graph([("a", "Const", []), ("b", "Add", ["a", "ghost"]), ("a", "Const", [])])
    analysis = analyze(graph)
    assert analysis.graph.node_count == 2 and analysis.graph.edge_count == 1
    assert wire.graph_warnings(analysis) == [
        "1 nodes repeat an earlier node's name and were left out",
        "1 inputs name nodes that are not in the graph",
    ]


def test_analysis_pauses_the_garbage_collector_only_while_it_runs():
    import gc

    assert gc.isenabled()
    analyze(GRAPH)
    assert gc.isenabled()
