"""Deep graphs on a real TensorBoard (both data servers): a name nested 16,000 scopes deep costs memory and answers
in proportion to its length, not its square; a chain of 3,000 functions calling one another is analysed like any
other graph, and an analysis that fails is remembered, not recomputed for each request."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from tensorboard.compat.proto import graph_pb2

from oddgraphs import deep_call_chain_graph, node, write_run
from tb_phaseview.analysis import scopes
from test_hardening_load import rss_mb

P = "data/plugin/phaseview/"
DEEP_NAME = "a/" * 16000 + "x"  # a 32 KB event file
MB = 1 << 20


def deep_scope_graph():
    g = graph_pb2.GraphDef()
    node(g, DEEP_NAME, "NoOp", ["top"])
    node(g, "top", "NoOp")
    node(g, "a/a/shallow", "NoOp", ["top"])
    return g


@pytest.fixture(scope="module", params=["true", "false"], ids=["load_fast", "python_reader"])
def deep_server(request, tmp_path_factory):
    from tbserver import start_tensorboard

    logdir = tmp_path_factory.mktemp("deep")
    write_run(logdir, "deep_scopes", deep_scope_graph())
    write_run(logdir, "deep_calls", deep_call_chain_graph(3000))
    server = start_tensorboard(str(logdir), load_fast=request.param, wait_for_graphs=2)
    yield server
    server.stop()


def raw(server, route, **params):
    """(status, body bytes as sent, decoded JSON) of one route."""
    url = server.url + P + route + "?" + urllib.parse.urlencode({"kind": "run_graph", **params})
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body, json.loads(body)


def test_a_name_16000_scopes_deep_costs_memory_and_answers_in_proportion_to_its_length(deep_server):
    pid = deep_server.process.pid
    before = rss_mb(pid)
    status, body, graph = raw(deep_server, "graph", run="deep_scopes")
    assert status == 200 and graph["nodes"] == 3
    # Folded: the warning says so, in words a user can act on.
    (warning,) = graph["warnings"]
    assert "1 op is nested deeper than PhaseView draws name scopes (64 levels" in warning
    answers = {"graph": body}
    status, body, found = raw(deep_server, "search", run="deep_scopes", q="x")
    assert status == 200
    answers["search"] = body
    (match,) = [m for m in found["matches"] if m["name"] == DEEP_NAME]
    path = match["path"]
    assert len(path) == scopes.MAX_SCOPE_DEPTH and path[0] == "a" and path[-1] == "a/" * 63 + "a"
    assert sum(map(len, path)) <= scopes.MAX_CHAIN_CHARS
    status, body, detail = raw(deep_server, "node", run="deep_scopes", name=DEEP_NAME)
    assert (
        status == 200 and detail["path"] == path and detail["inputs"] == [{"node": "top", "kind": "data", "output": 0}]
    )
    answers["node"] = body
    # Every group on the way opens, and the deepest holds the op, labelled with the rest of its name.
    for group in ["a", "a/a"] + path[-2:]:
        status, body, answer = raw(deep_server, "group", run="deep_scopes", group=group)
        assert status == 200, answer
        answers["group " + group[:20]] = body
    (child,) = [c for c in answer["children"] if c["type"] == "op"]
    assert child["name"] == DEEP_NAME and child["label"] == "a/" * (16000 - 64) + "x"
    status, _, answer = raw(deep_server, "group", run="deep_scopes", group=path[-1] + "/a")
    assert status == 404 and "no group" in answer["error"]
    status, body, _ = raw(deep_server, "edges", run="deep_scopes")
    answers["edges"] = body
    after = rss_mb(pid)
    sizes = {route: len(body) for route, body in answers.items()}
    print(f"\ndepth 16,000: RSS {before:.0f} -> {after:.0f} MB; answers (bytes): {sizes}")
    assert max(sizes.values()) < MB, sizes
    assert after - before < 100, (before, after)


def test_three_thousand_functions_calling_one_another(deep_server):
    status, _, graph = raw(deep_server, "graph", run="deep_calls")
    assert status == 200, graph
    # The batch norm at the end of the chain decides the layer's kind.
    assert graph["phase"]["layers"][0]["layer"] == "bn"
    assert graph["phase"]["layers"][0]["kind"] == "BatchNormalization"
    for route, params in [
        ("group", {"group": "bn"}),
        ("node", {"name": "bn/cond"}),
        ("search", {"q": "cond"}),
        ("edges", {}),
    ]:
        status, _, answer = raw(deep_server, route, run="deep_calls", **params)
        assert status == 200, (route, answer)
    assert deep_server.alive()


def test_a_failed_analysis_is_remembered_like_an_unreadable_graph(tmp_path, monkeypatch):
    """A graph the analysis cannot take answers 422 with the reason, and is not analysed again for each request."""
    from tb_phaseview import plugin
    from test_fuzz import _routes_client

    calls = []

    def failing_analysis(graph):
        calls.append(graph)
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(plugin, "analyze", failing_analysis)
    write_run(tmp_path, "r", deep_scope_graph())
    get = _routes_client(str(tmp_path))
    for route in ("/graph", "/graph", "/search", "/node"):
        response = get(route, {"run": "r", "kind": "run_graph", "q": "x", "name": "top"})
        body = json.loads(response.get_data())
        assert response.status_code == 422, body
        assert body["error"] == (
            "the graph was read but could not be analysed (RecursionError: maximum recursion depth exceeded)"
        )
    assert len(calls) == 1


def test_the_cache_weighs_the_group_ids_a_deep_graph_holds():
    """Each group id is a string of its own (a prefix of the name): the cache's estimate counts their characters."""
    from tb_phaseview.analysis.pipeline import analyze
    from tb_phaseview.plugin import BYTES_PER_ELEMENT, _weigh
    from tb_phaseview.read import graph_source

    g = graph_pb2.GraphDef()
    name = "/".join(f"scope_{i:03d}_" + "s" * 19 for i in range(30)) + "/op"  # 30 groups of 30 characters
    node(g, name, "NoOp")
    blob = g.SerializeToString()
    analysis = analyze(graph_source.load_graph("run_graph", blob))
    analysis.blob_bytes = len(blob)
    ids = analysis.tree.group_id_chars()
    assert ids == sum(range(29, 30 * 30, 30)) > 10 * len(name)  # 30 prefixes of the name: far more than the name
    assert _weigh(analysis) == BYTES_PER_ELEMENT * 1 + len(blob) + ids
