"""The column graph: inputs parsed column by column; edges and inputs read alike from the lists and the numpy columns."""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef

from demo import demo_graphs
from tb_phaseview.analysis.graph_model import build_graph, parse_inputs


def test_inputs_parse_into_name_output_and_control():
    assert parse_inputs(["a", "^a", "a:3", "^c:1", "f:out:2", "x:y", "b:", "^", ""]) == (
        ["a", "a", "a", "c", "f", "x", "b", "", ""],
        [0, 0, 3, 1, 2, 0, 0, 0, 0],
        [False, True, False, True, False, False, False, True, False],
    )


def _naive_out_edges(graph) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {n: [] for n in range(graph.node_count)}
    for e, src in enumerate(graph.edge_src):
        found[src].append(e)
    return found


def test_out_edges_from_the_columns_equal_the_lists_and_a_plain_walk():
    graph = build_graph(demo_graphs()[("resnet_tf_keras", "run_graph", None)])
    expected = _naive_out_edges(graph)
    sample = set(range(0, graph.node_count, 97))
    assert graph.out_edges_of(sample) == {n: expected[n] for n in sample}
    assert graph._out_order is None  # answered from the columns: the lists wait for the first answer to be out
    assert all(graph.out_edges(n) == expected[n] for n in range(graph.node_count))
    assert graph.out_edges_of(sample) == {n: expected[n] for n in sample}


def test_columns_give_each_nodes_inputs_and_edges_as_the_lists_do():
    graph = build_graph(demo_graphs()[("resnet_old_keras", "run_graph", None)])
    columns = graph.columns
    nodes = np.arange(0, graph.node_count, 7)
    edges, owners = columns.in_edges(nodes)
    assert list(zip(edges.tolist(), owners.tolist())) == [(e, n) for n in nodes.tolist() for e in graph.in_edges(n)]
    edges, owners = columns.out_edges(nodes)
    expected = _naive_out_edges(graph)
    assert list(zip(edges.tolist(), owners.tolist())) == [(e, n) for n in nodes.tolist() for e in expected[n]]
    for position in (0, 1, 2):
        found = columns.inputs_at(nodes, position).tolist()
        for node, source in zip(nodes.tolist(), found):
            data_inputs = [
                graph.edge_src[e]
                for e in graph.in_edges(node)
                if not graph.edge_control[e] and graph.edge_input[e] == position
            ]
            assert source == (data_inputs[0] if data_inputs else -1)
    assert columns.op_in({"Switch"}).tolist() == [op == "Switch" for op in graph.ops]


def test_columns_of_a_graph_without_edges():
    graph = build_graph(GraphDef(node=[NodeDef(name="a", op="Const")]))
    assert graph.columns.inputs_at(np.array([0]), 0).tolist() == [-1]
    assert graph.out_edges_of({0}) == {0: []}


def test_edge_rows_of_a_few_nodes_read_from_the_columns_equal_the_lists():
    graph = build_graph(demo_graphs()[("resnet_old_keras", "run_graph", None)])
    nodes = list(range(3, graph.node_count, 41))
    rows = graph.out_edge_rows(nodes), graph.in_edge_rows(nodes)
    assert not {"edge_src", "edge_dst", "edge_input", "edge_control", "in_start"} & set(vars(graph))
    out_edges = [e for n in nodes for e in graph.out_edges(n)]
    in_edges = [e for n in nodes for e in graph.in_edges(n)]
    for (edges, srcs, dsts, positions, controls), expected in zip(rows, (out_edges, in_edges)):
        assert edges == expected
        assert srcs == [graph.edge_src[e] for e in expected]
        assert dsts == [graph.edge_dst[e] for e in expected]
        assert positions == [graph.edge_input[e] for e in expected]
        assert controls == [graph.edge_control[e] for e in expected]
    assert graph.out_edge_rows([]) == ([], [], [], [], [])
