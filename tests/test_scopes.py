"""The name-scope hierarchy and the edges aggregated between sibling groups."""

from __future__ import annotations

from collections import Counter

import numpy as np
from tensorboard.compat.proto import graph_pb2

from demo import demo_analysis, demo_graphs
from oddgraphs import assert_first_answer_needs_no_children_lists
from tb_phaseview.analysis import edge_kinds, scopes
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.serve import wire


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
        "name": "b/deep",
        "label": "deep",
        "type": "group",
        "size": 1,
        "ops": {"Identity": 1},
        "phase": None,
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


def test_first_answer_equals_the_full_tree_on_every_demo_graph():
    from demo import demo_graphs

    for graph_def in demo_graphs().values():
        assert_first_answer_needs_no_children_lists(graph_def)


def test_first_answer_equals_the_full_tree_on_odd_graphs():
    from oddgraphs import hostile_graph, huge_scope_graph, odd_graph, while_loop_graph

    for graph_def in (hostile_graph(), odd_graph(), while_loop_graph(), GRAPH):
        assert_first_answer_needs_no_children_lists(graph_def)
    # Oversized groups (at the top level and below it) are bucketed up front, still without the full lists.
    assert_first_answer_needs_no_children_lists(huge_scope_graph(12_000, scope="big"))
    root_heavy = make_graph([(f"g{i:05d}/op", "Relu", []) for i in range(6_000)] + [("solo", "Const", [])])
    assert_first_answer_needs_no_children_lists(root_heavy)
    tree = analyze(root_heavy).tree
    assert [tree.size_of(b) for b in tree.children("")[0]] == [1000] * 6 + [1]


def test_a_bucket_never_takes_the_name_of_a_real_node_or_group():
    names = [f"big/n{i:05d}" for i in range(5_001)] + ["big/\u20261", "big/\u20262/x"]
    tree = scopes.build_scopes(names)
    buckets = tree.children("big")[0]
    assert buckets[:2] == ["big/\u20261\u2026", "big/\u20262\u2026"] and len(buckets) == 6
    assert not set(buckets) & (set(names) | {"big/\u20262"})


def test_a_top_level_split_into_buckets_keeps_the_flag_and_the_machinery_areas_beside_the_buckets():
    from demo import demo_graphs

    graph_def = graph_pb2.GraphDef()
    graph_def.CopyFrom(demo_graphs()[("resnet_old_keras", "run_graph", None)])
    for i in range(scopes.BUCKET_THRESHOLD):  # a huge flat top level around the seed model (not a numbered series)
        graph_def.node.add(name=f"extra_{i:05d}_c", op="Const")
    analysis = analyze(graph_def)
    root = wire.group_answer(analysis, "")
    kinds = {
        child["name"]: "bucket" if "bucket" in child else child.get("area") or child["type"]
        for child in root["children"]
    }
    flag = analysis.phase.sources[0].name
    # The flag and the areas first, in sight; everything else in name ranges.
    assert list(kinds)[: len(analysis.areas) + 1] == [flag, *sorted(analysis.areas.values())]
    assert set(list(kinds)[len(analysis.areas) + 1 :]) and all(
        k == "bucket" for k in list(kinds.values())[len(analysis.areas) + 1 :]
    )
    assert {kinds[a] for a in analysis.areas.values()} == set(analysis.areas)
    # Every op is still counted once: in a bucket, an area or the flag's group.
    assert sum(child["size"] for child in root["children"]) == analysis.graph.node_count


def test_numbered_series_of_one_op_are_grouped_as_the_graphs_tab_does():
    """Five or more ops of one type, numbered one after another in one group, are one box; a gap, another op
    type, a group or a pinned flag stays out."""
    names = [f"Placeholder_{i}" for i in range(1, 8)] + ["Placeholder", "Placeholder_9", "Placeholder_10"]
    names += [f"a/Assign_{i}" for i in range(3, 9)] + ["a/Assign_9/x", "a/Assign_9"]
    names += [f"flag_{i}" for i in range(1, 6)] + ["add_1", "add_2"]
    ops = ["Placeholder"] * 10 + ["Assign"] * 6 + ["Identity", "Assign"] + ["Const"] * 5 + ["Add", "Add"]
    tree = scopes.build_scopes(names, pinned=frozenset({"flag_3"}), ops=ops)
    assert sorted(tree.series) == ["Placeholder_[1-7]", "a/Assign_[3-8]"]
    s = tree.series["Placeholder_[1-7]"]
    assert (s.parent, s.prefix, s.op, s.first, s.last) == ("", "Placeholder", "Placeholder", 1, 7)
    assert tree.child_groups[""] == ["Placeholder_[1-7]", "a"]
    assert [names[i] for i in tree.child_nodes["Placeholder_[1-7]"]] == [f"Placeholder_{i}" for i in range(1, 8)]
    # outside: the bare name, the numbers after the gap, the op named like its group, the pinned flag's series
    top = {names[i] for i in tree.child_nodes[""]}
    assert {"Placeholder", "Placeholder_9", "Placeholder_10", "flag_1", "flag_5", "add_1"} <= top
    assert tree.child_groups["a"] == ["a/Assign_9", "a/Assign_[3-8]"]
    assert tree.chain(tree.node_parent[names.index("a/Assign_5")]) == ("a", "a/Assign_[3-8]")
    assert tree.size["a/Assign_[3-8]"] == 6 and tree.size[""] == len(names)
    assert not scopes.build_scopes(names).series  # without op types nothing is grouped


def test_a_series_id_never_takes_a_hand_made_name():
    names = [f"n_{i}" for i in range(1, 6)] + ["n_[1-5]"]
    tree = scopes.build_scopes(names, ops=["Relu"] * 5 + ["Const"])
    (series_id,) = tree.series
    assert series_id == "n_[1-5]" + scopes.BUCKET_MARK
    assert names.index("n_[1-5]") in tree.child_nodes[""]


def test_hand_made_names_that_only_look_numbered_never_break_the_series():
    """A leaf ending in a digit that is not a decimal digit (``x_²``), or a name holding a newline, is simply no
    member: the scope tree is still built, and the real series beside them grouped."""
    names = [f"x_{i}" for i in range(1, 6)] + ["x_\u00b2", "x_\u0663", "y_1\nx_6", "z\n_1"]
    tree = scopes.build_scopes(names, ops=["Relu"] * 9)
    assert sorted(tree.series) == ["x_[1-5]"]
    top = {names[i] for i in tree.child_nodes[""]}
    assert {"x_\u00b2", "x_\u0663", "y_1\nx_6", "z\n_1"} <= top  # TensorBoard reads ASCII digits only


child_codes = scopes.child_codes


def edges_both_ways(analysis, group_id):
    """A group's aggregated edges counted op by op in Python, and in numpy over every edge as a large group's are."""
    graph, tree = analysis.graph, analysis.tree
    args = (tree, group_id, graph.out_edges, graph.edge_src, graph.edge_dst, analysis.kinds, ("phase",))
    by_op = scopes.aggregate_group_edges(*args)
    in_numpy = scopes._aggregate_large_group_edges(
        tree,
        group_id,
        tree.descendant_nodes(group_id),
        graph.columns.src,
        graph.columns.dst,
        analysis.kind_codes,
        list(edge_kinds.EDGE_KINDS),
        ("phase",),
    )
    return by_op, in_numpy


def test_a_large_groups_edges_counted_in_numpy_are_those_counted_op_by_op(monkeypatch):
    # Opening the gradients' area of a 1,000,000-node graph counted its 264,000 ops' edges in Python (0.4 s).
    # Every group of graphs with relocated flags, buckets, series, areas and inlined bodies, counted both ways.
    checked = 0
    analyses = [demo_analysis(run) for run in ("resnet_old_keras", "resnet_tf_keras", "dropout_cnn")]
    with monkeypatch.context() as patched:  # a top level in buckets, and buckets of buckets
        patched.setattr(scopes, "BUCKET_THRESHOLD", 40)
        patched.setattr(scopes, "BUCKET_SIZE", 8)
        bucketed = analyze(demo_graphs()[("resnet_tf_keras", "run_graph", None)])
        bucketed.tree.build_children()
    assert len(bucketed.tree.buckets) > 10
    for analysis in [*analyses, bucketed, analyze(GRAPH)]:
        for group_id in analysis.tree.group_parent:
            by_op, in_numpy = edges_both_ways(analysis, group_id)
            assert in_numpy == by_op, group_id
            checked += bool(by_op)
    assert checked > 500
    # And a group answer counts them so past the threshold, with the same answer.
    analysis = demo_analysis("resnet_tf_keras")
    tree = analysis.tree
    group = max((g for g in tree.group_parent if edges_both_ways(analysis, g)[0]), key=tree.size_of)
    assert tree.size_of(group) > 500
    op_by_op = wire.group_answer(analysis, group)
    analysis._group_edges.clear()
    monkeypatch.setattr(scopes, "LARGE_GROUP_NODES", 100)
    counted = []
    monkeypatch.setattr(scopes, "child_codes", lambda *a: counted.append(1) or child_codes(*a))
    assert wire.group_answer(analysis, group) == op_by_op and counted


def test_a_large_groups_children_op_counts_and_sizes_are_those_counted_one_by_one(monkeypatch):
    # Counted at once in numpy past the threshold: the same counts, each child's ops in the same order (the order
    # breaks ties of the top ops a box lists), and the same child box for every op below.
    from tb_phaseview.serve import shape_marks

    analysis = analyze(demo_graphs()[("resnet_tf_keras", "run_graph", None)])
    tree, graph = analysis.tree, analysis.graph
    columns = graph.columns
    large = [g for g in tree.group_parent if tree.size_of(g) > 20 and tree.children(g)[0]]
    assert len(large) > 10
    one_by_one = {}
    for group in large:
        for child in tree.children(group)[0]:
            one_by_one[child] = list(Counter(graph.ops[i] for i in tree.descendant_nodes(child)).items())
    numbers = {}
    for group in large:
        names = [*tree.children(group)[0], *(graph.names[i] for i in tree.children(group)[1])][::2]  # some left out
        numbers[group] = (names, shape_marks._child_numbers(analysis, group, names))
    monkeypatch.setattr(scopes, "LARGE_GROUP_NODES", 20)
    tree._op_counts.clear()
    for group in large:
        tree.count_children_ops(group, (columns.op_names, columns.op_ids))
        for child in tree.children(group)[0]:
            assert list(tree._op_counts[child].items()) == one_by_one[child], child
        names, expected = numbers[group]
        assert np.array_equal(shape_marks._child_numbers(analysis, group, names), expected), group


def test_every_groups_children_are_its_child_groups_by_id_and_its_ops_in_graph_order(monkeypatch):
    # The lists are cut on demand from columns grouped by parent; each is what the parents alone say, sorted as the
    # graph is read (bucketed groups keep the name order of their buckets).
    with monkeypatch.context() as patched:  # a top level in buckets, and buckets of buckets
        patched.setattr(scopes, "BUCKET_THRESHOLD", 40)
        patched.setattr(scopes, "BUCKET_SIZE", 8)
        bucketed = analyze(demo_graphs()[("resnet_tf_keras", "run_graph", None)])
        bucketed.tree.build_children()
    analyses = [demo_analysis(run) for run in ("resnet_old_keras", "resnet_tf_keras", "dropout_cnn")]
    checked = 0
    for analysis in [*analyses, bucketed, analyze(GRAPH)]:
        tree = analysis.tree
        groups: dict[str, list[str]] = {}
        for group, parent in tree.group_parent.items():
            groups.setdefault(parent, []).append(group)
        nodes: dict[str, list[int]] = {}
        for index, parent in enumerate(tree.node_parent):
            nodes.setdefault(parent, []).append(index)
        for group in [scopes.ROOT, *tree.group_parent]:
            child_groups, child_nodes = tree.children(group)
            if group in tree._fixed:
                assert sorted(child_groups) == sorted(groups.get(group, [])), group
                continue
            assert child_groups == sorted(groups.get(group, [])), group
            assert child_nodes == nodes.get(group, []), group
            assert tree.child_groups[group] == child_groups
            checked += 1
    assert checked > 1000
