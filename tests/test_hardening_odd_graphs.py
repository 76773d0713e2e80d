"""Odd graphs on a real TensorBoard: every route gives a correct answer.

Inputs naming missing nodes, a real ``tf.while_loop`` (NextIteration back edges), duplicate names, names with
``/`` at either end, empty scopes, non-ASCII and 3,000-character names, a 4 MB constant, and 100,000 ops in
one scope (split into buckets that lead to every op).
"""

from __future__ import annotations

import time
import urllib.parse

import pytest

from oddgraphs import huge_scope_graph, odd_graph, while_loop_graph, write_run
from tb_phaseview.analysis import scopes
from tb_phaseview.serve import wire

P = "data/plugin/phaseview/"
HUGE = 100_000


@pytest.fixture(scope="module")
def odd_server(tmp_path_factory):
    from tbserver import start_tensorboard

    logdir = tmp_path_factory.mktemp("odd")
    write_run(logdir, "odd", odd_graph())
    write_run(logdir, "while_loop", while_loop_graph())
    write_run(logdir, "huge_scope", huge_scope_graph(HUGE))
    server = start_tensorboard(str(logdir), load_fast="true", wait_for_graphs=3)
    yield server
    server.stop()


def get(server, route, run, **params):
    status, body = server.get(P + route + "?" + urllib.parse.urlencode({"run": run, "kind": "run_graph", **params}))
    assert status == 200, (route, params, body)
    assert body["version"] == 1
    return body


def walk(server, run):
    """Open every group over HTTP; returns {node: path}; checks each path leads to where the node is."""
    reached = {}
    stack = [("", [])]
    while stack:
        group, path = stack.pop()
        answer = get(server, "group", run, group=group)
        assert answer["path"] == path and not answer["truncated"]
        names = [c["name"] for c in answer["children"]]
        assert len(set(names)) == len(names) and all(c["label"] for c in answer["children"])
        for edge in answer["edges"]:
            assert edge["from"] in names and edge["to"] in names
        for child in answer["children"]:
            if child["type"] == "group":
                stack.append((child["name"], path + [child["name"]]))
            else:
                reached[child["name"]] = path
    return reached


def all_edges(server, run, page=7):
    edges, offset = [], 0
    while True:
        answer = get(server, "edges", run, offset=offset, limit=page)
        edges += answer["edges"]
        offset += page
        if offset >= answer["total"]:
            assert len(edges) == answer["total"]
            return edges


@pytest.mark.parametrize("run", ["odd", "while_loop"])
def test_every_route_answers_every_node_of_an_odd_graph(odd_server, run):
    graph = get(odd_server, "graph", run)
    reached = walk(odd_server, run)
    assert len(reached) == graph["nodes"]
    for name, path in reached.items():
        node = get(odd_server, "node", run, name=name)
        assert node["name"] == name and node["path"] == path
        for edge in node["inputs"] + node["outputs"]:
            assert edge["node"] in reached
        found = get(odd_server, "search", run, q=name, limit=500)["matches"]
        # Found as itself, or, for an op named like its scope, as that group (which holds it).
        as_op = {"name": name, "op": node["op"], "type": "op", "path": path}
        assert as_op in [{k: m[k] for k in as_op} for m in found if m["type"] == "op"] or any(
            m["type"] == "group" and m["name"] == name and m["path"] + [name] == path for m in found
        ), name
    edges = all_edges(odd_server, run)
    assert len(edges) == graph["edges"]
    assert all(e["from"] in reached and e["to"] in reached for e in edges)
    assert sum(graph["edge_counts"].values()) == graph["edges"]


def test_odd_graph_warns_and_keeps_what_it_can(odd_server):
    graph = get(odd_server, "graph", "odd")
    assert "1 nodes repeat an earlier node's name and were left out" in graph["warnings"]
    assert "2 inputs name nodes that are not in the graph" in graph["warnings"]
    (source,) = graph["phase"]["sources"]
    assert source["name"] == "flag/" and source["consumers"] == ["/layer/"]
    assert get(odd_server, "node", "odd", name="a")["op"] == "Placeholder"  # the first "a" wins
    dangling = get(odd_server, "node", "odd", name="dangling")
    assert dangling["inputs"] == [{"node": "a", "kind": "data", "output": 7}]
    cycle = get(odd_server, "node", "odd", name="cycle/a")
    assert {"node": "cycle/b", "kind": "data", "output": 0} in cycle["inputs"] + cycle["outputs"]
    long_name = "long/" + "x" * 3000
    assert get(odd_server, "node", "odd", name=long_name)["path"] == ["long"]
    unicode = get(odd_server, "node", "odd", name="ünïcødé/层/ノード")
    assert unicode["path"] == ["ünïcødé", "ünïcødé/层"]
    assert get(odd_server, "search", "odd", q="ノード")["matches"][0]["name"] == "ünïcødé/层/ノード"


def test_megabyte_attribute_is_stripped_with_its_size(odd_server):
    started = time.monotonic()
    node = get(odd_server, "node", "odd", name="weights/kernel")
    (attr,) = node["attrs"]
    assert attr["key"] == "value" and attr["truncated"] is True and attr["bytes"] > 4 << 20
    assert len(attr["value"]) <= wire.ATTR_VALUE_LIMIT and "DT_FLOAT [1048576]" in attr["value"]
    assert "4,194,3" in attr["value"]  # the size, shown
    assert time.monotonic() - started < 5


def test_while_loop_back_edges(odd_server):
    edges = all_edges(odd_server, "while_loop", page=1000)
    graph = get(odd_server, "graph", "while_loop")
    ops = {}
    for name in walk(odd_server, "while_loop"):
        ops[name] = get(odd_server, "node", "while_loop", name=name)["op"] if "loop/" in name else None
    back = [e for e in edges if ops.get(e["from"]) == "NextIteration" and ops.get(e["to"]) == "Merge"]
    assert back, "the loop's NextIteration -> Merge back edges are listed"
    (source,) = graph["phase"]["sources"]
    assert source["name"] == "is_training" and source["consumers"] == ["dropout"]
    assert {l["kind"] for l in graph["phase"]["layers"]} == {"Dropout"}


def test_hundred_thousand_ops_in_one_scope_are_all_reachable(odd_server):
    run = "huge_scope"
    graph = get(odd_server, "graph", run)
    assert graph["nodes"] == HUGE + 2
    big = get(odd_server, "group", run, group="big")
    buckets = big["children"]
    assert len(buckets) == HUGE // scopes.BUCKET_SIZE and not big["truncated"]
    assert all(b["type"] == "group" and b["bucket"]["parent"] == "big" for b in buckets)
    assert sum(b["size"] for b in buckets) == HUGE
    assert buckets[0]["label"].startswith("[1\u20131,000 of 100,000] big/n000000 \u2026 big/n000999")
    # Consecutive buckets are chained by the data edge that crosses each boundary.
    assert len([e for e in big["edges"] if e["kind"] == "data"]) == len(buckets) - 1
    # Search leads through the bucket, and opening that bucket shows the op.
    (match,) = get(odd_server, "search", run, q="big/n054321")["matches"]
    bucket = match["path"][-1]
    assert match["path"] == ["big", bucket] and bucket in {b["name"] for b in buckets}
    opened = get(odd_server, "group", run, group=bucket)
    assert opened["bucket"]["first"] == "big/n054000" and opened["path"] == ["big", bucket]
    assert "big/n054321" in {c["name"] for c in opened["children"]} and len(opened["children"]) == 1000
    assert get(odd_server, "node", run, name="big/n054321")["path"] == match["path"]
    regex = get(odd_server, "search", run, q=r"n05432\d$", regex=1, limit=20)
    assert len(regex["matches"]) == 10 and all(m["path"][-1] == bucket for m in regex["matches"])
    # The top level sees the whole scope as one group, linked to its input and output.
    root = {c["name"]: c for c in graph["root"]["children"]}
    assert root["big"]["size"] == HUGE
    assert {(e["from"], e["to"]) for e in graph["root"]["edges"]} == {("input", "big"), ("big", "output")}
