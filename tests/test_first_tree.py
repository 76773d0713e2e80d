"""The first answer does not wait for the machinery's large areas' inner groups (the initialisers' area is about a
third of a training graph, the gradients' about a quarter, none of it on the first screen): it is written on a tree
that holds those areas' ops directly, but for the chains to the ops it gives a path for (the readers of the
flag's edges in the gradients' area), and is the answer the whole tree gives. The whole tree is built after it
(the background completion) or when first asked. Past the size whose first view opens no group, the readers wait
too: their paths end at their top-level group, and each group answer gives the next step of them."""

from __future__ import annotations

import json
import os
import sys

import numpy as np
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
GRADIENT = "\u2237gradient"


def first_answer(analysis) -> str:
    return json.dumps(wire.graph_answer(analysis.first_view(), REF), sort_keys=True)


def whole_tree_answers(graph, groups) -> tuple[str, dict]:
    whole = pipeline.analyze(graph)
    whole.tree  # noqa: B018 - the whole tree, before any answer
    return json.dumps(wire.graph_answer(whole, REF), sort_keys=True), {g: wire.group_answer(whole, g) for g in groups}


def answers_of_one_build(graph, groups, monkeypatch) -> tuple[str, dict]:
    """The answers of an analysis whose tree is built in one go, nothing waiting (answered under the caller's
    sizes: the first view opens what it would)."""
    with monkeypatch.context() as m:
        m.setattr(pipeline, "DEFERRED_MIN_OPS", 10**12)
        m.setattr(pipeline, "TOP_LEVEL_AS_IS_NODES", 10**12)
        whole = pipeline.analyze(graph)
    assert whole.tree_built
    answers = {g: wire.group_answer(whole, g) for g in groups}
    return json.dumps(wire.graph_answer(whole, REF), sort_keys=True), answers


def held_readers_completed(first: str, whole: str) -> tuple[str, str]:
    """A first answer past TOP_LEVEL_AS_IS_NODES (the first view opens nothing) gives each reader of a flag's edge
    its path down to the top-level group holding it, and says so (``to_path_partial``): checked here, then both
    answers as they must be equal, each reader's path the whole one."""
    a, b = json.loads(first), json.loads(whole)
    if a["phase"].pop("to_path_partial", False):
        for edge, full in zip(a["phase"]["edges"], b["phase"]["edges"]):
            assert edge["to"] == full["to"]
            held = edge["to_path"]
            assert held == full["to_path"][: len(held)], (held, full["to_path"])
            # Whole, or down to the top-level group (in its bucket when the top level is bucketed).
            assert held == full["to_path"] or top_level_group(held) == held[-1], (held, full["to_path"])
            edge["to_path"] = full["to_path"]
    return json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True)


def group_answers_completing_paths(analysis, groups, whole_first: str, whole_groups: dict) -> tuple[dict, dict]:
    """The group answers of ``analysis`` and ``whole_groups``, each checked to give every reader of a flag's edge
    below it its path down to the group's child holding it (``phase_paths``) when the first answer held them, then
    without that field."""
    whole_paths = {e["to"]: e["to_path"] for e in json.loads(whole_first)["phase"]["edges"]}
    answers, wholes = {}, {}
    for group in groups:
        answer, whole = wire.group_answer(analysis, group), dict(whole_groups[group])
        given = answer.pop("phase_paths", {})
        depth = len(analysis.tree.chain(group)) + 1  # down to the group's child on the way
        assert given == {to: path[:depth] for to, path in whole_paths.items() if group in path}, group
        assert whole.pop("phase_paths", given) == given
        answers[group], wholes[group] = answer, whole
    return answers, wholes


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


def held_by_area(first, whole, area: str) -> tuple[int, int]:
    """(ops the first answer's tree holds directly in ``area``, ops the whole tree has in ``area``)."""
    inside = whole.descendant_nodes(area)
    return sum(first.node_parent[i] == area for i in inside), len(inside)


def test_the_gradients_area_waits_but_for_the_chains_to_the_flags_readers_inside_it(monkeypatch):
    # The demo's tf_keras ResNet: the gradient of each BatchNormalization layer's switch reads the flag, so the
    # first answer gives paths inside the gradients' area; the rest of that area waits.
    monkeypatch.setattr(pipeline, "DEFERRED_MIN_OPS", 1)
    ((_, graph, _),) = list(iter_graphs(os.path.join(DEMO_LOGS, "resnet_tf_keras"), graph_source.load_graph))
    analysis = pipeline.analyze(graph)
    assert not analysis.tree_built
    first_view = analysis.first_view()
    readers = [dst for _, dst in analysis.drawn_phase_edges if first_view.path_of_node(dst)[0] == GRADIENT]
    assert len(readers) >= 10
    first = first_answer(analysis)
    whole_first, _ = whole_tree_answers(graph, [])
    assert first == whole_first
    held, total = held_by_area(first_view.tree, analysis.tree, GRADIENT)
    assert total * 3 // 4 < held < total, "most of the area waits, the chains to the readers do not"
    assert tree_parts(analysis.tree) == tree_parts(build_whole(analysis))


AREA = "\u2237gradient"


def paths_first_and_whole(names: list[str], targets: list[str]):
    """Each target's path in the tree that holds the area's other ops directly, and in the whole tree."""
    ops = ["Identity"] * len(names)
    positions = list(range(len(names)))
    index = {name: i for i, name in enumerate(names)}
    decide = scopes.ops_deciding_paths(names, positions, [index[t] for t in targets], AREA)
    if decide is None:
        return None
    held = np.setdiff1d(np.array(positions), np.array(decide, dtype=np.intp))
    first = scopes.build_scopes_without(names, None, frozenset({AREA}), ops, held, [AREA] * held.size)
    whole = scopes.build_scopes(names, None, frozenset({AREA}), ops)
    return (
        [first.chain(first.node_parent[index[t]]) for t in targets],
        [whole.chain(whole.node_parent[index[t]]) for t in targets],
        len(decide),
    )


def test_a_reader_in_a_numbered_series_keeps_its_series_with_the_rest_of_the_area_waiting():
    names = [f"{AREA}/g/x_{k}" for k in range(1, 7)] + [f"{AREA}/g/other/op_{k}" for k in range(50)]
    names += [f"{AREA}/h/op_{k}" for k in range(50)]
    first, whole, decided = paths_first_and_whole(names, [f"{AREA}/g/x_3"])
    assert whole == [(AREA, f"{AREA}/g", f"{AREA}/g/x_[1-6]")]
    assert first == whole
    assert decided < 10, "the ops of g/other and of h wait"


def test_a_reader_named_like_a_group_sits_inside_it_with_the_group_waiting():
    names = [f"{AREA}/g/t", *(f"{AREA}/g/t/inner_{k}" for k in range(20)), *(f"{AREA}/g/t_{k}" for k in range(1, 6))]
    first, whole, decided = paths_first_and_whole(names, [f"{AREA}/g/t"])
    assert whole == [(AREA, f"{AREA}/g", f"{AREA}/g/t")]
    assert first == whole
    assert decided < 10


def test_an_area_whose_chain_holds_a_group_too_large_for_one_box_is_built_whole():
    names = [f"{AREA}/g/op_{k}/x" for k in range(scopes.BUCKET_THRESHOLD + 1)] + [f"{AREA}/g/reader"]
    assert paths_first_and_whole(names, [f"{AREA}/g/reader"]) is None
    assert paths_first_and_whole(names[-100:], [f"{AREA}/g/reader"]) is not None


def test_an_area_with_a_name_like_a_series_id_is_built_whole():
    names = [f"{AREA}/g/x_[1-6]", *(f"{AREA}/g/x_{k}" for k in range(1, 7))]
    assert paths_first_and_whole(names, [f"{AREA}/g/x_3"]) is None


def corpus_graphs():
    for name in sorted(os.listdir(SHARED_GRAPHS)) if SHARED_GRAPHS else []:
        folder = os.path.join(SHARED_GRAPHS, name)
        if os.path.isdir(folder):
            for _, graph, error in iter_graphs(folder, graph_source.load_graph):
                if error is None:
                    yield name, graph


@pytest.mark.skipif(not SHARED_GRAPHS, reason="the third-party graphs are not beside the repository")
def test_on_other_peoples_graphs_the_first_answer_without_the_areas_groups_is_the_whole_trees(monkeypatch):
    # Their initialisers' areas are small (the wait is for large ones): every one waits here, to check the answers.
    monkeypatch.setattr(pipeline, "DEFERRED_MIN_OPS", 1)
    waited = partly = 0
    for name, graph in corpus_graphs():
        analysis = pipeline.analyze(graph)
        if analysis.tree_built:
            assert "init" not in analysis.areas, name
            continue
        waited += 1
        first = first_answer(analysis)
        first_tree = analysis._first_tree
        analysis.complete()
        partly += any(
            first_tree.node_parent[i] != area and analysis.tree.node_parent[i] != area
            for area in analysis.areas.values()
            for i in analysis.tree.descendant_nodes(area)
        )
        groups = [g for area in analysis.areas.values() for g in inner_groups(analysis, area)]
        whole_first, whole_groups = whole_tree_answers(graph, groups)
        assert first == whole_first, name
        assert {g: wire.group_answer(analysis, g) for g in groups} == whole_groups, name
        assert tree_parts(analysis.tree) == tree_parts(build_whole(analysis)), name
    assert waited >= 15
    assert partly >= 6, "areas that hold ops the first answer gives a path for wait but for their chains"


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


def test_past_the_size_whose_first_view_opens_nothing_the_models_groups_wait_too(monkeypatch):
    # A Keras functional model puts its layers at the top level: in a wide graph past TOP_LEVEL_AS_IS_NODES, the
    # first view shows them in buckets and opens none; their inner groups wait, but for the chains to the flag's
    # readers (each BatchNormalization layer's switches), and the first answer is the whole tree's.
    from make_graphs import tiled

    monkeypatch.setattr(pipeline, "TOP_LEVEL_AS_IS_NODES", 50_000)
    monkeypatch.setattr(scopes, "BUCKET_THRESHOLD", 300)  # the top level in buckets, as a wide graph's is
    monkeypatch.setattr(scopes, "BUCKET_SIZE", 100)
    ((_, seed, _),) = list(iter_graphs(os.path.join(DEMO_LOGS, "resnet_tf_keras")))
    graph = graph_source.load_graph("run_graph", tiled(seed, 70_000, "wide").SerializeToString())
    analysis = pipeline.analyze(graph)
    first_tree = analysis._first_tree
    assert any(bucket.parent == scopes.ROOT for bucket in first_tree.buckets.values())
    model = [i for i, name in enumerate(graph.names) if analysis.roles.area_codes[i] not in pipeline.roles.MACHINERY]
    layer_held = [
        i for i in model if "/" in graph.names[i] and first_tree.node_parent[i] == graph.names[i].split("/")[0]
    ]
    inner = [i for i in model if graph.names[i].count("/") >= 2]
    assert len(layer_held) > len(inner) // 2, "most ops inside the model's layers wait"
    first = first_answer(analysis)
    readers = [dst for _, dst in analysis.drawn_phase_edges if "/" in graph.names[dst]]
    whole_first, _ = answers_of_one_build(graph, [], monkeypatch)
    # The readers (each BatchNormalization layer's switches) wait with their layers: their paths end there, the
    # rest of the first answer is the whole tree's.
    assert json.loads(first)["phase"]["to_path_partial"] is True
    paths = [e["to_path"] for e in json.loads(first)["phase"]["edges"] if "/" in e["to"]]
    held = [path for path in paths if not path[0].startswith(scopes.AREA_MARK)]  # the gradients' area is built
    assert len(held) > len(readers) // 2 and all(path[-1] == top_level_group(path) for path in held)
    first, whole_first = held_readers_completed(first, whole_first)
    assert first == whole_first
    assert json.loads(first)["opened"] == []
    analysis.complete()
    assert tree_parts(analysis.tree) == tree_parts(build_whole(analysis))
    # Each group the user opens gives the readers below it their paths down to its child: a bucket, a layer, its cond.
    layers = sorted({graph.names[r].split("/")[0] for r in readers[:20]})
    buckets = [analysis.tree.chain(layer)[0] for layer in layers[:1]]
    groups = buckets + [g for layer in layers[:3] for g in (layer, *analysis.tree.children(layer)[0][:2])]
    _, whole_groups = answers_of_one_build(graph, groups, monkeypatch)
    answers, whole_groups = group_answers_completing_paths(analysis, groups, whole_first, whole_groups)
    assert answers == whole_groups
    assert "phase_paths" in wire.group_answer(analysis, buckets[0])


def test_past_the_size_the_first_answer_builds_no_per_edge_list(monkeypatch):
    # The flags' pass, the roles and the first answer read the edges' numpy columns: the per-edge Python lists
    # (2.6 million entries each, about 280 MB together at 1,000,000 nodes) are made only for an answer that
    # walks a small group's edges, after the first view.
    from make_graphs import tiled

    monkeypatch.setattr(pipeline, "TOP_LEVEL_AS_IS_NODES", 20_000)
    ((_, seed, _),) = list(iter_graphs(os.path.join(DEMO_LOGS, "resnet_tf_keras")))
    graph = graph_source.load_graph("run_graph", tiled(seed, 30_000, "wide").SerializeToString())
    analysis = pipeline.analyze(graph)
    answer = json.loads(first_answer(analysis))
    assert answer["phase"]["edges"] and answer["opened"] == []
    lists = {"edge_src", "edge_dst", "edge_output", "edge_input", "edge_control", "in_start"}
    assert not lists & set(vars(graph))
    layer = answer["phase"]["edges"][0]["layer"]
    wire.group_answer(analysis, layer)  # a layer's edges are walked op by op: now they are made
    assert {"edge_src", "edge_dst"} <= set(vars(graph))


def top_level_group(path: list[str]) -> str:
    """The top-level group on a display path (past a bucket, whose id holds its range's mark)."""
    return [g for g in path if scopes.BUCKET_MARK not in g][0]


@pytest.mark.skipif(not SHARED_GRAPHS, reason="the third-party graphs are not beside the repository")
def test_on_other_peoples_graphs_the_models_groups_waiting_leave_the_first_answer_the_whole_trees(monkeypatch):
    # Every graph as if past the size: its model's top-level groups wait, with its large and small areas.
    monkeypatch.setattr(pipeline, "DEFERRED_MIN_OPS", 1)
    monkeypatch.setattr(pipeline, "TOP_LEVEL_AS_IS_NODES", 0)
    waited = 0
    for name, graph in corpus_graphs():
        analysis = pipeline.analyze(graph)
        if analysis.tree_built:
            continue
        first_tree = analysis._first_tree
        first = first_answer(analysis)
        analysis.complete()
        fetched = groups_of(analysis)
        whole_first, whole_groups = answers_of_one_build(graph, fetched, monkeypatch)
        first, whole_first = held_readers_completed(first, whole_first)
        waited += any(
            first_tree.node_parent[i] != analysis.tree.node_parent[i] and "/" not in first_tree.node_parent[i]
            for i in range(graph.node_count)
            if analysis.roles.area_codes[i] not in pipeline.roles.MACHINERY
        )
        assert tree_parts(analysis.tree) == tree_parts(build_whole(analysis)), name
        assert first == whole_first, name
        answers, whole_groups = group_answers_completing_paths(analysis, fetched, whole_first, whole_groups)
        assert answers == whole_groups, name
    assert waited >= 15


def groups_of(analysis) -> list[str]:
    """A few of the model's top-level groups and two groups inside each."""
    tops = [g for g in analysis.tree.children("")[0] if analysis.area_of_group(g) is None][:3]
    return [g for top in tops for g in (top, *analysis.tree.children(top)[0][:2])]
