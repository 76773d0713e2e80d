"""Hostile names on a real TensorBoard: every route answers them as JSON text, escaped by construction, and
no route parameter reaches a file outside the package's static folder."""

from __future__ import annotations

import http.client
import json
import urllib.parse
import urllib.request

import pytest

from oddgraphs import HOSTILE, HOSTILE_FLAG, HOSTILE_LAYER, hostile_graph, write_run

P = "data/plugin/phaseview/"
RUN = "<b>run</b><img src=x onerror=alert(9)>"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from tbserver import start_tensorboard

    logdir = tmp_path_factory.mktemp("hostile")
    write_run(logdir, RUN, hostile_graph())
    server = start_tensorboard(str(logdir), load_fast="false", wait_for_graphs=1)
    yield server
    server.stop()


def raw_get(server, path):
    """(status, content type, raw body) without decoding or gzip."""
    with urllib.request.urlopen(urllib.request.Request(server.url + path), timeout=60) as r:
        return r.status, r.headers.get("Content-Type"), r.headers.get("X-Content-Type-Options"), r.read()


def route(which, **params):
    return P + which + "?" + urllib.parse.urlencode({"run": RUN, "kind": "run_graph", **params})


def every_route():
    yield P + "runs"
    yield route("graph")
    for group in ["", HOSTILE_LAYER, "x", "x/<svg onload=alert(3)>"]:
        yield route("group", group=group)
    for name in HOSTILE + [HOSTILE_FLAG, HOSTILE_LAYER + "/cond/Switch"]:
        yield route("node", name=name)
    for q in ["<", "script", "onerror", '"', "'"]:
        yield route("search", q=q)
    yield route("search", q="<img.*>", regex=1)
    yield route("edges")
    yield route("phase_runs")
    # Errors name what was asked for: still JSON, still escaped.
    yield route("node", name="<script>alert(10)</script>")
    yield route("group", group="<img src=y onerror=alert(11)>")
    yield route("search", q="<(", regex=1)


def test_every_route_answers_hostile_names_as_escaped_json(hostile_server):
    seen = set()
    for path in every_route():
        try:
            status, ctype, nosniff, body = raw_get(hostile_server, path)
        except urllib.error.HTTPError as error:
            status, ctype, nosniff, body = (
                error.code,
                error.headers.get("Content-Type"),
                error.headers.get("X-Content-Type-Options"),
                error.read(),
            )
        assert ctype.startswith("application/json") and nosniff == "nosniff", path
        assert not {b"<", b">", b"&"} & {bytes([c]) for c in body}, f"raw HTML characters in {path}: {body[:200]}"
        assert body.isascii()
        answer = json.loads(body)
        assert answer["version"] == 1
        text = json.dumps(answer, ensure_ascii=False)
        seen.update(h for h in HOSTILE + [HOSTILE_FLAG, HOSTILE_LAYER, RUN] if h in text)
        if status != 200:
            assert status in (400, 404) and answer["error"], path
    assert seen == set(HOSTILE + [HOSTILE_FLAG, HOSTILE_LAYER, RUN]), "each hostile name came back intact"


def test_hostile_names_come_back_exactly(hostile_server):
    status, graph = hostile_server.get(route("graph"))
    assert status == 200
    (source,) = graph["phase"]["sources"]
    assert source["name"] == HOSTILE_FLAG and HOSTILE_LAYER in source["consumers"]
    layer = next(l for l in graph["phase"]["layers"] if l["layer"] == HOSTILE_LAYER)
    assert HOSTILE_FLAG in layer["explanation"]
    status, node = hostile_server.get(route("node", name=HOSTILE[2]))
    assert status == 200 and node["device"] == HOSTILE[2] and node["path"] == ["x", "x/<svg onload=alert(3)>"]
    assert node["attrs"] == [
        {"key": "note", "value": 's: "\\"><script>alert(2)</script>"', "bytes": 29, "truncated": False}
    ]
    status, found = hostile_server.get(route("search", q="onerror=alert(1)"))
    # By name first, then by op type (shallower names first).
    assert [m["name"] for m in found["matches"]] == [HOSTILE[0], HOSTILE[4], HOSTILE[2]]
    status, error = hostile_server.get(route("node", name="<script>alert(10)</script>"))
    assert status == 404 and error["error"] == "no node '<script>alert(10)</script>' in this graph"


@pytest.mark.parametrize(
    "path",
    [
        "../../../../../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "..%2f..%2f..%2fplugin.py",
        "index.js/../../plugin.py",
        "index.js%2f..%2f..%2fplugin.py",
        "static/index.js",
        "plugin.py",
        "__init__.py",
        "%2fetc%2fpasswd",
        "....//....//etc/passwd",
        "index.js%00.py",
    ],
)
def test_route_parameters_cannot_reach_files_outside_static(hostile_server, path):
    url = urllib.parse.urlsplit(hostile_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("GET", "/" + P + path)  # sent as is: no client-side normalisation of ".."
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert b"root:" not in body and b"import " not in body and b"PhaseViewPlugin" not in body
    assert response.status in (400, 404), (path, response.status)


def test_static_files_are_served_only_from_the_static_folder(hostile_server):
    status, ctype, nosniff, body = raw_get(hostile_server, P + "index.js")
    assert status == 200 and "javascript" in ctype and b"render" in body


RUNS_WITH_QUOTES = ['a"quote', "b\\backslash"]


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_run_names_with_a_quote_or_a_backslash_answer_with_a_message(tmp_path, start_server, load_fast):
    """The Rust data server cannot read back such a run's blob key (TensorBoard's own Graphs tab answers 400): every
    route answers 400 saying so and what to do, never 500; the Python reader serves them."""
    for run in RUNS_WITH_QUOTES + ["c_good"]:
        write_run(tmp_path, run, hostile_graph())
    server = start_server(tmp_path, load_fast=load_fast, wait_for_graphs=3)
    for run in RUNS_WITH_QUOTES:
        for which, params in [
            ("graph", {}),
            ("group", {"group": ""}),
            ("node", {"name": HOSTILE[0]}),
            ("search", {"q": "a"}),
            ("search", {"q": "a", "regex": 1}),
            ("edges", {}),
        ]:
            status, answer = server.get(P + which + "?" + urllib.parse.urlencode({"run": run, **params}))
            if load_fast == "false":
                assert status == 200, (run, which, answer)
                continue
            assert status == 400, (run, which, answer)
            assert answer["error"].startswith(
                f"TensorBoard's data server cannot read the graphs of run {run!r}: it "
                f"cannot read back a run name holding a double quote or a backslash"
            )
            assert answer["error"].endswith("Rename the run's folder, or start TensorBoard with --load_fast=false")
    status, graph = server.get(P + "graph?run=c_good")
    assert status == 200 and graph["nodes"] == len(hostile_graph().node)
    assert server.alive()
