"""Broken files on a real TensorBoard: a record with a bad CRC, a file still being written (appended to while
the server runs), an empty blob, one node's corrupt attributes, and the older cases (tests/logdirs.py). Each gives a clear message for its
own graph, in the route's JSON error and in the CLI, while every other graph keeps working."""

from __future__ import annotations

import json
import os
import struct
import time

import pytest

from demo import DEMO_LOGS
from logdirs import broken_logdir, corrupt_attribute_blob, event_file
from oddgraphs import write_run

P = "data/plugin/phaseview/"


def good_graph():
    """dropout_cnn's run graph (real tf_keras, five layers reading the flag)."""
    from tb_phaseview.cli import iter_graphs

    ((_, graph_def, _),) = [
        g for g in iter_graphs(os.path.join(DEMO_LOGS, "dropout_cnn")) if g[0]["kind"] == "run_graph"
    ]
    return graph_def


def records(path):
    """(offset, length) of every TFRecord in an event file."""
    data = open(path, "rb").read()
    found, pos = [], 0
    while pos + 12 <= len(data):
        (length,) = struct.unpack("<Q", data[pos : pos + 8])
        found.append((pos, length))
        pos += 12 + length + 4
    return found


def add_bad_crc_run(logdir):
    """A well-formed graph event whose record fails its data checksum (one byte of the GraphDef flipped)."""
    path = event_file(write_run(logdir, "bad_crc", good_graph()))
    offset, length = records(path)[-1]
    with open(path, "r+b") as f:
        f.seek(offset + 12 + length // 2)
        byte = f.read(1)
        f.seek(offset + 12 + length // 2)
        f.write(bytes([byte[0] ^ 0xFF]))


def add_corrupt_attribute_run(logdir) -> str:
    """dropout_cnn's graph with one Conv2D's attributes corrupt (a full parse rejects the graph); returns its name."""
    graph_def = good_graph()
    victim = next(n.name for n in graph_def.node if n.op == "Conv2D")
    write_run(logdir, "bad_attrs", blob=corrupt_attribute_blob(graph_def, victim))
    return victim


def add_empty_blob_run(logdir):
    write_run(logdir, "empty_blob", blob=b"")


def split_growing_run(logdir):
    """A run whose graph record is only half written; returns a function that writes the rest."""
    path = event_file(write_run(logdir, "growing", good_graph()))
    data = open(path, "rb").read()
    offset, length = records(path)[-1]
    cut = offset + 12 + length // 2
    with open(path, "wb") as f:
        f.write(data[:cut])

    def finish():
        with open(path, "ab") as f:
            f.write(data[cut:])

    return finish


def wait_for(server, path, predicate, timeout=45):
    deadline = time.monotonic() + timeout
    while True:
        status, body = server.get(path)
        if predicate(status, body):
            return status, body
        assert time.monotonic() < deadline, (status, body)
        time.sleep(0.5)


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_every_broken_graph_has_its_own_clear_error(tmp_path, start_server, load_fast):
    logdir = broken_logdir(tmp_path)
    add_bad_crc_run(logdir)
    add_empty_blob_run(logdir)
    victim = add_corrupt_attribute_run(logdir)
    finish = split_growing_run(logdir)
    server = start_server(logdir, load_fast=load_fast, wait_for_graphs=3)

    status, graph = server.get(P + "graph?run=dropout_cnn&kind=run_graph")
    assert status == 200 and len(graph["phase"]["layers"]) == 5

    status, error = server.get(P + "graph?run=bad_graph&kind=run_graph")
    assert status == 422 and "corrupt and cannot be parsed" in error["error"]
    # The checksum failure drops the record in both readers: the run has no graph, and the message says why
    # that may be.
    status, error = server.get(P + "graph?run=bad_crc&kind=run_graph")
    assert status in (404, 422), (status, error)
    if status == 404:
        assert "no run graph in run 'bad_crc'" in error["error"] and "checksum" in error["error"]
    status, error = server.get(P + "graph?run=empty_blob&kind=run_graph")
    assert status in (404, 422) and error["error"], (status, error)
    if status == 422:
        assert "empty" in error["error"]
    status, error = server.get(P + "graph?run=growing&kind=run_graph")
    assert status == 404 and "still being written" in error["error"]
    # Corrupt attributes on one node lose only that node's attributes: the graph and its phase report load.
    status, graph = server.get(P + "graph?run=bad_attrs&kind=run_graph")
    assert status == 200 and len(graph["phase"]["layers"]) == 5
    status, node = server.get(P + "node?run=bad_attrs&kind=run_graph&name=" + victim)
    assert status == 200 and node["op"] == "Conv2D" and node["attrs"] == [] and "corrupt" in node["attrs_error"]
    for route in ("group?group=", "node?name=x", "search?q=x", "edges?", "phase_runs?"):
        status, error = server.get(P + route + "&run=bad_graph&kind=run_graph")
        assert status == 422 and error["version"] == 1 and "corrupt" in error["error"], route

    # The rest of the record arrives while the server runs: the graph appears once complete.
    finish()
    status, graph = wait_for(server, P + "graph?run=growing&kind=run_graph", lambda s, b: s == 200)
    assert graph["nodes"] == len(good_graph().node) and len(graph["phase"]["layers"]) == 5
    status, body = server.get(P + "runs")
    assert ("growing", "run_graph") in {(g["run"], g["kind"]) for r in body["runs"] for g in r["graphs"]}

    # Still alive, and the good graph still answers every route.
    assert server.alive()
    for route in ("graph?", "group?group=&", "search?q=dropout&", "edges?limit=5&", "phase_runs?"):
        status, _ = server.get(P + route + "run=dropout_cnn&kind=run_graph")
        assert status == 200, route


def test_cli_reports_each_broken_graph_and_the_good_ones(tmp_path, capsys):
    from tb_phaseview import cli

    logdir = broken_logdir(tmp_path)
    add_bad_crc_run(logdir)
    add_empty_blob_run(logdir)
    split_growing_run(logdir)
    assert cli.main(["report", logdir, "--json"]) == 0
    graphs = {g["run"]: g for g in json.loads(capsys.readouterr().out)["graphs"]}
    assert graphs["dropout_cnn"]["edge_counts"]["phase"] > 0 and "error" not in graphs["dropout_cnn"]
    assert "corrupt and cannot be parsed" in graphs["bad_graph"]["error"]
    assert "bad_crc" not in graphs or "error" in graphs["bad_crc"]
    assert "growing" not in graphs or "error" in graphs["growing"]
    if "empty_blob" in graphs:
        assert "empty" in graphs["empty_blob"]["error"]
    assert cli.main(["report", logdir]) == 0
    text = capsys.readouterr().out
    assert "bad_graph  run_graph\n  error: the logged graph is corrupt" in text
    assert "dropout_cnn  run_graph\n  " in text
