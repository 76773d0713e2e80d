"""What the tab answers after the first view (search, why connected?) on graphs other people's code wrote
(/work/shared/graphs, SOURCES.md there), checked against the GraphDef itself."""

from __future__ import annotations

import functools
import os

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
    found = {match["name"] for match in answer["matches"]}
    assert truth <= found, sorted(truth - found)[:5]
    assert all(match["op"] == op_type for match in answer["matches"] if match["name"] in truth)
    # Each result is a child of the last group on its path: opening that path reveals it.
    for match in answer["matches"]:
        parent = match["path"][-1] if match["path"] else ""
        assert match["name"] in {c["name"] for c in wire.group_answer(analysis, parent)["children"]}, match
    if case == "styx-keras" and op_type == "PlaceholderWithDefault":
        assert answer["matches"][0]["name"] == "keras_learning_phase"
