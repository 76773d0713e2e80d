"""The column graph: inputs parsed column by column, and out-edges found by scan or by index alike."""

from __future__ import annotations

from demo import demo_graphs
from tb_phaseview import graph_model
from tb_phaseview.graph_model import build_graph, parse_inputs


def test_inputs_parse_into_name_output_and_control():
    assert parse_inputs(["a", "^a", "a:3", "^c:1", "f:out:2", "x:y", "b:", "^", ""]) == (
        ["a", "a", "a", "c", "f", "x", "b", "", ""],
        [0, 0, 3, 1, 2, 0, 0, 0, 0],
        [False, True, False, True, False, False, False, True, False],
    )


def test_out_edges_by_scan_equal_the_index_then_the_index_takes_over():
    graph = build_graph(demo_graphs()[("resnet_tf_keras", "run_graph", None)])
    indexed = build_graph(demo_graphs()[("resnet_tf_keras", "run_graph", None)])
    samples = [set(range(start, graph.node_count, 97)) for start in range(graph_model.OUT_EDGE_SCANS_BEFORE_INDEX)]
    for nodes in samples:
        assert graph.out_edges_of(nodes) == {n: indexed.out_edges(n) for n in nodes}
    assert graph._out_order is None  # every answer so far came from a scan
    graph.out_edges_of({0})
    assert graph._out_order is not None
    assert all(graph.out_edges(n) == indexed.out_edges(n) for n in range(graph.node_count))
