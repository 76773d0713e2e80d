"""Broken event files get a clear error for their own graph; every other graph keeps being served."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from demo import CLI
from logdirs import broken_logdir
from tb_phaseview.read.graph_source import EMPTY_TRACE
from tb_phaseview.serve.wire.graph import MODEL_CONFIG_ONLY

P = "data/plugin/phaseview/"


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_broken_files_beside_a_good_run(tmp_path, start_server, load_fast):
    server = start_server(broken_logdir(tmp_path), load_fast=load_fast, wait_for_graphs=2)
    status, body = server.get(P + "runs")
    listed = {(g["run"], g["kind"]) for r in body["runs"] for g in r["graphs"]}
    assert ("dropout_cnn", "run_graph") in listed and ("bad_graph", "run_graph") in listed
    assert body["model_config_only"] == [] and "model_config_note" not in body

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


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_run_with_only_keras_model_config_is_named_with_what_would_log_a_graph(tf_written, start_server, load_fast):
    # Keras 3's TensorBoard callback, left at its defaults, writes Keras's model config (the conceptual graph the
    # Graphs tab draws) and no op graph. The runs answer listed no such run, and the tab then said "None of the runs
    # holds a graph. Write one with ... Keras' TensorBoard callback (write_graph=True)": what the user had done.
    logdir = os.path.join(tf_written("model_config_only"), "logs")
    server = start_server(logdir, load_fast=load_fast)
    status, runs = server.get(P + "runs")
    assert status == 200
    assert [r["run"] for r in runs["runs"]] == ["traced/train"]
    assert runs["model_config_only"] == ["config_only/train"]
    assert "model config" in runs["model_config_note"] and "profile_batch=1" in runs["model_config_note"]
    assert server.alive()


def test_the_cli_says_a_run_logged_only_keras_model_config(tf_written):
    logdir = os.path.join(tf_written("model_config_only"), "logs", "config_only")
    for command in ("report", "summary"):
        text = _cli_text(command, logdir)
        assert text.splitlines() == [f"train  {MODEL_CONFIG_ONLY}", "no op graphs found"], text
        report = json.loads(_cli_text(command, logdir, "--json"))
        assert report["graphs"] == [] and report["model_config_only"] == ["train"]
    # A logdir with an op graph beside it reports that graph, and names the run without one.
    report = json.loads(_cli_text("report", os.path.dirname(logdir), "--json"))
    assert [g["run"] for g in report["graphs"]] == ["traced/train"]
    assert report["model_config_only"] == ["config_only/train"]
    # Comparing it with a run that has one refuses with the same reason.
    refused = subprocess.run([CLI, "diff", logdir, os.path.join(os.path.dirname(logdir), "traced")], **_QUIET)
    assert refused.returncode == 2 and f"train {MODEL_CONFIG_ONLY}" in refused.stderr


_QUIET = {"capture_output": True, "text": True, "timeout": 300}


def _cli_text(*args) -> str:
    result = subprocess.run([CLI, *args], **_QUIET)
    assert result.returncode == 0, result.stderr
    return result.stdout.rstrip("\n")
