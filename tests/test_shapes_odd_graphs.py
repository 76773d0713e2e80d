"""Shapes, the summary and colour by on graphs that are odd (broken names, cycles, dangling inputs, hostile
names) or written by other people's code: they answer, and what they say is consistent with the group answers."""

from __future__ import annotations

import pytest

from oddgraphs import hostile_graph, odd_graph, while_loop_graph
from tb_phaseview.analysis import colours, layers
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import summary_table, wire
from third_party_graphs import SHARED_GRAPHS as THIRD_PARTY


def _check(analysis):
    summary = layers.summarize(analysis)
    assert summary.total_params == summary.trainable_params + summary.non_trainable_params >= 0
    entry = summary_table.summary_entry(analysis, {"run": "r", "kind": "run_graph", "tag": None})
    assert [layer["name"] for layer in entry["layers"]] == [layer.name for layer in summary.layers]
    root = wire.group_answer(analysis, "")
    # A call op's "· functions" group opens function bodies, not ops of the graph: it keeps its own colours.
    names = {child["name"] for child in root["children"] if "function_call" not in child}
    for by in colours.BY:
        assert set(colours.colour_answer(analysis, "", by)["values"]) == names
    for edge in root["edges"]:
        if "shape" in edge:
            assert edge["kind"] != "control" and edge["shape"]["tensors"] >= 1 and edge["shape"]["text"]
    return summary


@pytest.mark.parametrize("make", [odd_graph, hostile_graph, while_loop_graph])
def test_odd_graphs_answer(make):
    _check(analyze(make()))


def test_third_party_graphs_answer_and_count_the_optimizer_apart():
    if not THIRD_PARTY:
        pytest.skip("the third-party graphs are not here")
    seen = 0
    for ref, graph, error in iter_graphs(THIRD_PARTY, graph_source.load_graph):
        assert error is None, (ref, error)
        summary = _check(analyze(graph))
        seen += 1
        if ref["run"] == "tflearn-chatbot":
            # TFLearn's Adam keeps two slots per weight: as many as the weights, twice, plus its counters.
            assert summary.machinery_params >= 2 * summary.trainable_params
            dense = [layer for layer in summary.layers if layer.type == "Dense"]
            assert [layer.name for layer in dense] == ["FullyConnected", "FullyConnected_1", "FullyConnected_2"]
            assert sum(layer.trainable_params for layer in dense) == summary.trainable_params == 2992 + 72 + 90
    assert seen == 19
