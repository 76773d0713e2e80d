"""Broken event files get a clear error for their own graph; every other graph keeps being served."""

from __future__ import annotations

import os

import pytest

from logdirs import broken_logdir
from tb_phaseview.read.graph_source import EMPTY_TRACE

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


def test_a_trace_turned_on_after_the_functions_first_call_says_so_and_how_to_record_one(tf_written, start_server):
    # Keras 3's callback with profile_batch=2: TensorFlow writes an empty trace (the step was traced before tracing
    # was on); the answer says why there is no graph and what records one, where a bare "empty" left the user
    # guessing.
    logdir = os.path.join(tf_written("empty_trace"), "logs")
    server = start_server(logdir, load_fast="false")
    status, error = server.get(P + "graph?run=traced_late/train&kind=trace&tag=batch_2")
    assert status == 422 and error["error"] == EMPTY_TRACE
    assert "before the first call" in EMPTY_TRACE and "profile_batch=1" in EMPTY_TRACE
    assert server.alive()
