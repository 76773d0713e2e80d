"""The first answer does not wait for the initialisers' area's inner groups (about a third of a training graph,
none of it on the first screen): it is written on a tree that holds that area's ops directly, and is the answer
the whole tree gives. The whole tree is built after it (the background completion) or when first asked."""

from __future__ import annotations

import json
import os
import sys

import pytest

from demo import DEMO_LOGS
from tb_phaseview.analysis import pipeline, scopes
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import wire
from third_party_graphs import SHARED_GRAPHS

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))

REF = {"run": "r", "kind": "run_graph", "tag": None}
INIT = "\u2237init"


def first_answer(analysis) -> str:
    return json.dumps(wire.graph_answer(analysis.first_view(), REF), sort_keys=True)


def whole_tree_answers(graph, groups) -> tuple[str, dict]:
    whole = pipeline.analyze(graph)
    whole.tree  # noqa: B018 - the whole tree, before any answer
    return json.dumps(wire.graph_answer(whole, REF), sort_keys=True), {g: wire.group_answer(whole, g) for g in groups}


def inner_groups(analysis, area: str) -> list[str]:
    groups, _ = analysis.tree.children(area)
    return [area, *groups[:3]]


def test_a_large_initialisers_area_waits_and_the_first_answer_is_the_whole_trees():
    from make_graphs import tiled

    ((_, seed, _),) = list(iter_graphs(os.path.join(DEMO_LOGS, "resnet_tf_keras")))
    graph = graph_source.load_graph("run_graph", tiled(seed, 70_000, "wide").SerializeToString())
    analysis = pipeline.analyze(graph)
    assert analysis.area_size("init") >= pipeline.DEFERRED_MIN_OPS
    assert not analysis.tree_built, "the initialisers' groups wait"
    first = first_answer(analysis)
    assert not analysis.tree_built, "the first answer did not build them"
    whole_first, _ = whole_tree_answers(graph, [])
    assert first == whole_first
    # After the first answer, every answer is the whole tree's: the area opened, and groups inside it.
    analysis.complete()
    assert analysis.tree_built
    groups = inner_groups(analysis, INIT)
    assert len(groups) > 1
    _, whole_groups = whole_tree_answers(graph, groups)
    assert {g: wire.group_answer(analysis, g) for g in groups} == whole_groups
    # The whole tree is the area's groups added to the first one: the same as one build over every name.
    assert tree_parts(analysis.tree) == tree_parts(build_whole(analysis))


def corpus_graphs():
    for name in sorted(os.listdir(SHARED_GRAPHS)) if SHARED_GRAPHS else []:
        folder = os.path.join(SHARED_GRAPHS, name)
        if os.path.isdir(folder):
            for _, graph, error in iter_graphs(folder, graph_source.load_graph):
                if error is None:
                    yield name, graph


@pytest.mark.skipif(not SHARED_GRAPHS, reason="the third-party graphs are not beside the repository")
def test_on_other_peoples_graphs_the_first_answer_without_the_initialisers_groups_is_the_whole_trees(monkeypatch):
    # Their initialisers' areas are small (the wait is for large ones): every one waits here, to check the answers.
    monkeypatch.setattr(pipeline, "DEFERRED_MIN_OPS", 1)
    waited = 0
    for name, graph in corpus_graphs():
        analysis = pipeline.analyze(graph)
        if analysis.tree_built:
            assert "init" not in analysis.areas, name
            continue
        waited += 1
        first = first_answer(analysis)
        analysis.complete()
        groups = inner_groups(analysis, analysis.areas["init"])
        whole_first, whole_groups = whole_tree_answers(graph, groups)
        assert first == whole_first, name
        assert {g: wire.group_answer(analysis, g) for g in groups} == whole_groups, name
        assert tree_parts(analysis.tree) == tree_parts(build_whole(analysis)), name
    assert waited >= 15


def tree_parts(tree) -> tuple:
    return tree.group_parent, tree.node_parent, tree._fixed, tree.buckets, tree.series, tree.folded_nodes


def build_whole(analysis):
    """``build_scopes`` over every op's name at once, as the tree was built before the area waited."""
    graph = analysis.graph
    names, areas = scopes.fold_into_areas(graph.names, analysis.roles.area_codes)
    pinned = frozenset(areas.values()) | {s.name for s in analysis.phase.sources}
    return scopes.build_scopes(names, analysis.relocations, pinned, graph.ops)


def test_a_first_answer_that_reaches_inside_the_initialisers_area_is_written_on_the_whole_tree(monkeypatch, tf_written):
    # TFLearn's variable flag: its initialiser and its assign ops read it, so the flag's drawn edges enter the
    # initialisers' area and the first answer gives their paths inside it.
    monkeypatch.setattr(pipeline, "DEFERRED_MIN_OPS", 1)
    ((_, graph, _),) = list(iter_graphs(tf_written("variable_flag"), graph_source.load_graph))
    analysis = pipeline.analyze(graph)
    assert "init" in analysis.areas
    assert any(path[0] == INIT for path in (analysis.path_of_node(d) for _, d in analysis.drawn_phase_edges))
    assert analysis.tree_built and analysis.first_view() is analysis
