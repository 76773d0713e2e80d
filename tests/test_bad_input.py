"""Broken event files get a clear error for their own graph; every other graph keeps being served."""

from __future__ import annotations

import pytest

from logdirs import broken_logdir

P = "data/plugin/phaseview/"


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_broken_files_beside_a_good_run(tmp_path, start_server, load_fast):
    server = start_server(broken_logdir(tmp_path), load_fast=load_fast, wait_for_graphs=2)
    status, body = server.get(P + "runs")
    listed = {(g["run"], g["kind"]) for r in body["runs"] for g in r["graphs"]}
    assert ("dropout_cnn", "run_graph") in listed and ("bad_graph", "run_graph") in listed

    status, graph = server.get(P + "graph?run=dropout_cnn&kind=run_graph")
    assert status == 200 and len(graph["phase"]["layers"]) == 5

    status, error = server.get(P + "graph?run=bad_graph&kind=run_graph")
    assert status == 422 and "corrupt" in error["error"]

    status, error = server.get(P + "graph?run=truncated&kind=run_graph")
    assert status == 404 and "no run graph in run 'truncated'" in error["error"]

    # Still alive and still answering after the failures.
    assert server.alive()
    status, graph = server.get(P + "graph?run=dropout_cnn&kind=run_graph")
    assert status == 200
