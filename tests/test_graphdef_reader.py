"""Reading a logged GraphDef without parsing its nodes' attributes gives the same graph as a full parse."""

from __future__ import annotations

import pytest
from google.protobuf.message import DecodeError
from tensorboard.compat.proto import graph_pb2, node_def_pb2

from demo import demo_graphs
from logdirs import corrupt_attribute_blob
from oddgraphs import hostile_graph, odd_graph, while_loop_graph
from tb_phaseview import graph_source, wire
from tb_phaseview.analysis import analyze
from tb_phaseview.graph_model import NodeDefUnreadable, build_graph
from tb_phaseview.graphdef_reader import read_graph

COLUMNS = (
    "names",
    "ops",
    "edge_src",
    "edge_dst",
    "edge_output",
    "edge_input",
    "edge_control",
    "in_start",
    "dangling_inputs",
    "duplicate_names",
)
REF = {"run": "r", "kind": "run_graph", "tag": None}


def _same(a, b) -> bool:
    # Compared as bytes: a graph built with TensorFlow's own proto classes is not == to TensorBoard's copy.
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def _serialised(functions: dict) -> dict:
    return {name: f.SerializeToString(deterministic=True) for name, f in functions.items()}


def assert_same_as_full_parse(graph_def):
    fast = read_graph(graph_def.SerializeToString(), 1_000_000)
    full = build_graph(graph_def)
    for column in COLUMNS:
        assert getattr(fast, column) == getattr(full, column), column
    assert _serialised(fast.functions) == _serialised(full.functions)
    assert all(_same(fast.node_defs[i], full.node_defs[i]) for i in range(full.node_count))
    fast_analysis, full_analysis = analyze(fast), analyze(full)
    assert wire.graph_answer(fast_analysis, REF) == wire.graph_answer(full_analysis, REF)
    for name in full.names[:50]:
        assert wire.node_answer(fast_analysis, name) == wire.node_answer(full_analysis, name)


def test_every_demo_run_graph_reads_as_a_full_parse_does():
    run_graphs = [g for (run, kind, tag), g in demo_graphs().items() if kind == "run_graph"]
    assert len(run_graphs) >= 6
    for graph_def in run_graphs:
        assert_same_as_full_parse(graph_def)


def test_odd_graphs_read_as_a_full_parse_does():
    for graph_def in (hostile_graph(), odd_graph(), while_loop_graph()):
        assert_same_as_full_parse(graph_def)


def test_a_repeated_name_keeps_the_first_nodes_definition():
    g = graph_pb2.GraphDef()
    g.node.add(name="a", op="Const", device="/cpu:0")
    g.node.add(name="a", op="Placeholder", device="/gpu:0")
    g.node.add(name="b", op="Identity", input=["a"], device="/gpu:1")
    fast = read_graph(g.SerializeToString(), 10)
    assert fast.names == ["a", "b"] and fast.duplicate_names == ["a"]
    assert [fast.node_defs[i].device for i in range(2)] == ["/cpu:0", "/gpu:1"]


def test_a_node_with_corrupt_attributes_loses_only_its_attributes():
    graph_def = demo_graphs()[("dropout_cnn", "run_graph", None)]
    victim = next(n.name for n in graph_def.node if n.op == "Conv2D")
    blob = corrupt_attribute_blob(graph_def, victim)
    with pytest.raises(DecodeError):
        graph_pb2.GraphDef.FromString(blob)
    graph = graph_source.load_graph("run_graph", blob)
    analysis = analyze(graph)
    assert len(analysis.phase.layers) == 5  # the flag and its readers are still found
    with pytest.raises(NodeDefUnreadable):
        graph.node_defs[graph.index[victim]]
    answer = wire.node_answer(analysis, victim)
    assert answer["op"] == "Conv2D" and answer["inputs"] and answer["attrs"] == []
    assert "attributes are corrupt" in answer["attrs_error"]
    neighbour = answer["inputs"][0]["node"]
    assert "attrs_error" not in wire.node_answer(analysis, neighbour)


def test_the_node_count_is_checked_before_any_node_is_built():
    g = graph_pb2.GraphDef()
    for i in range(11):
        g.node.add(name=f"n{i}", op="NoOp")
    with pytest.raises(graph_source.GraphTooLarge, match="it has 11 nodes .* up to 10 nodes"):
        graph_source.load_graph("run_graph", g.SerializeToString(), max_nodes=10)
    assert graph_source.load_graph("run_graph", g.SerializeToString(), max_nodes=11).node_count == 11


def test_bytes_that_are_no_graph_are_a_clear_error():
    for blob in (b"\xff\xff\xff\x07junk", node_def_pb2.NodeDef(name="a").SerializeToString()[:-1] + b"\xff"):
        with pytest.raises(graph_source.GraphUnreadable, match="corrupt and cannot be parsed"):
            graph_source.load_graph("run_graph", b"\x0a\x05" + blob)
