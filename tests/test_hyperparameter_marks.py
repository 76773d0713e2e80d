"""Hyperparameters on the boxes: the server marks a hyperparameter's own box (``hyper``) and every box its
edges enter from outside (``hyper_reads``), at any expansion, and aggregates its edges into each group's edges
like any other kind, so the legend can draw them."""

from __future__ import annotations

import pytest

import tf_written
from demo import demo_analysis
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import wire

AREA = "\u2237optimizer"


def children(analysis, group: str) -> dict[str, dict]:
    return {c["name"]: c for c in wire.group_answer(analysis, group)["children"]}


@pytest.fixture(scope="module")
def tf1_full(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("tf1_full"))
    tf_written.write("tf1_full", logdir)
    ((_, graph, _),) = list(iter_graphs(logdir, graph_source.load_graph))
    return analyze(graph)


def test_keep_prob_read_by_two_dropout_layers_marks_its_readers_at_the_top_level(tf1_full):
    top = children(tf1_full, "")
    assert top["keep_prob"]["hyper"]["name"] == "keep_prob"
    # Each dropout layer's rate, ``1 - keep_prob``, is computed at the top level (``sub``, ``sub_1``).
    readers = sorted(name for name, c in top.items() if "keep_prob" in c.get("hyper_reads", []))
    assert readers == ["sub", "sub_1"]
    assert "hyper_reads" not in top["keep_prob"], "the hyperparameter does not read itself"


def test_a_learning_rate_inside_the_optimizer_area_marks_only_what_reads_it_there():
    analysis = demo_analysis("dropout_cnn")
    top = children(analysis, "")
    assert not any("hyper_reads" in c for c in top.values()), "it is read from inside its own area"
    sgd = children(analysis, f"{AREA}/training/SGD")
    assert sgd[f"{AREA}/training/SGD/learning_rate"]["hyper"] == {"name": "training/SGD/learning_rate", "readers": 12}
    assert sgd[f"{AREA}/training/SGD/SGD"]["hyper_reads"] == ["training/SGD/learning_rate"]
    assert "hyper_reads" not in sgd[f"{AREA}/training/SGD/learning_rate"]


def test_the_marks_at_the_top_level_equal_those_found_from_every_edge_and_path():
    # The first answer marks from top-level labels; a deeper answer from each edge's path: they agree.
    analysis = demo_analysis("dropout_cnn")
    fast = analysis.hyper_read_by(top_level_only=True)
    full = analysis.hyper_read_by(top_level_only=False)
    top = {c["name"] for c in wire.group_answer(analysis, "")["children"]}
    assert {k: v for k, v in full.items() if k in top} == fast


def test_hyperparameter_edges_come_with_group_edges_the_graph_answer_counts_them_and_the_edges_route_lists_them():
    analysis = demo_analysis("dropout_cnn")
    edges = wire.group_answer(analysis, f"{AREA}/training/SGD")["edges"]
    assert any(e["kind"] == "hyperparameter" and e["from"].endswith("learning_rate") for e in edges)
    answer = wire.graph_answer(analysis, {"run": "dropout_cnn", "kind": "run_graph", "tag": None})
    hyper = answer["hyperparameters"]
    carried = [d for d in analysis.graph.edge_dst if d in analysis.roles.hyper_carriers]
    assert hyper["edges_total"] == analysis.edge_counts["hyperparameter"] - len(carried) > 0
    # Not listed in the first answer (a path each made them most of its bytes): the edges route has every one.
    assert "edges" not in hyper
    listed = wire.edges_answer(analysis, 0, analysis.graph.edge_count)["edges"]
    assert sum(e["kind"] == "hyperparameter" for e in listed) == analysis.edge_counts["hyperparameter"]
