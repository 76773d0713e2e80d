"""`tb-phaseview report`: the installed console script, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from demo import DEMO_GRAPH_COUNT, DEMO_LOGS
from logdirs import broken_logdir, copy_run, write_records

CLI = os.path.join(os.path.dirname(sys.executable), "tb-phaseview")
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def run_cli(*args, as_user_without_root_access=False):
    """Run the console script; ``as_user_without_root_access`` drops root's power to read any file (its DAC
    override capabilities, with setpriv), so that permissions apply as they do to any user."""
    prefix = []
    if as_user_without_root_access and os.geteuid() == 0:
        prefix = [
            "setpriv",
            "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search",
        ]
    return subprocess.run([*prefix, CLI, *args], capture_output=True, text=True, env=ENV, timeout=300)


def test_json_report_schema_and_seed_resnet():
    result = run_cli("report", DEMO_LOGS, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # exactly one JSON object
    assert set(report) == {"graphs", "errors", "model_config_only"} and len(report["graphs"]) == DEMO_GRAPH_COUNT
    assert report["errors"] == [] and report["model_config_only"] == []  # (added) runs with Keras's config only
    for graph in report["graphs"]:
        assert {"run", "tag", "kind", "nodes", "edges", "phase_sources", "phase_edges", "phase_layers"} <= set(graph)
        assert isinstance(graph["warnings"], list)
        for source in graph["phase_sources"]:
            assert {"name", "op", "consumers", "default", "ops_only_when", "writers"} <= set(source)
            assert set(source["ops_only_when"]) == {"true", "false"} and source["writers"] == []
        for layer in graph["phase_layers"]:
            assert set(layer) == {"layer", "kind", "source"}
    seed = next(g for g in report["graphs"] if g["run"] == "resnet_tf_keras")
    assert seed["tag"] is None and seed["kind"] == "run_graph"
    assert [s["name"] for s in seed["phase_sources"]] == ["keras_learning_phase"]
    assert len(seed["phase_layers"]) == 24 and seed["phase_edges"] == 72
    (flag,) = seed["phase_sources"]
    assert flag["default"] is False and seed["warnings"] == []
    # If version: every op that runs in one phase only is inside a branch function.
    assert flag["ops_only_when"] == flag["branch_ops_only_when"] and flag["ops_only_when"]["true"] > 0
    tf1 = next(g for g in report["graphs"] if g["run"] == "tf1_is_training" and g["kind"] == "run_graph")
    assert tf1["phase_sources"][0]["default"] is None
    assert tf1["warnings"] == [
        "is_training has no default: this graph does not run unless fed is_training "
        "(True for training, False for inference)"
    ]
    for graph in report["graphs"]:
        # Every edge has one kind and every node one role.
        assert set(graph["edge_counts"]) == {
            "data",
            "control",
            "phase",
            "variable",
            "hyperparameter",
            "init",
            "gradient",
            "optimizer",
            "summary",
            "save",
            "constant",  # added: a PyTorch trace's shared settings (tests/test_trace_constants.py)
        }
        assert sum(graph["edge_counts"].values()) == graph["edges"]
        assert set(graph["node_roles"]) == {
            "model",
            "phase",
            "hyperparameter",
            "init",
            "gradient",
            "optimizer",
            "summary",
            "save",
        }
        assert sum(graph["node_roles"].values()) == graph["nodes"]
        assert graph["edge_counts"]["phase"] == graph["phase_edges"]
    assert seed["node_roles"]["init"] > 300 and seed["node_roles"]["gradient"] > 0
    no_flag = next(g for g in report["graphs"] if g["run"] == "tf2_fit_no_flag")
    assert no_flag["phase_sources"] == [] and no_flag["phase_layers"] == [] and no_flag["phase_edges"] == 0


def test_text_report_names_flag_and_layers():
    result = run_cli("report", DEMO_LOGS)
    assert result.returncode == 0
    assert (
        "phase source bnl_stg-1/keras_learning_phase (PlaceholderWithDefault, created inside bnl_stg-1) "
        "read by 24 layers" in result.stdout
    )
    assert "tf2_fit_no_flag  run_graph\n" in result.stdout and "no learning-phase flag" in result.stdout
    assert "  default: none (must be fed)\n" in result.stdout
    assert "  warning: is_training has no default: this graph does not run unless fed is_training" in result.stdout


def test_missing_logdir_exits_2_with_one_line():
    result = run_cli("report", "/no/such/logdir", "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr


def test_unreadable_logdir_exits_2(tmp_path):
    if os.geteuid() == 0:
        # root reads everything; a file in place of a directory is the unreadable case left to root.
        path = tmp_path / "file"
        path.write_text("x")
        result = run_cli("report", str(path))
    else:
        tmp_path.chmod(0)
        result = run_cli("report", str(tmp_path))
    assert result.returncode == 2 and "tb-phaseview:" in result.stderr


def test_broken_files_are_reported_and_others_still_analysed(tmp_path):
    result = run_cli("report", broken_logdir(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    graphs = {g["run"]: g for g in json.loads(result.stdout)["graphs"]}
    assert len(graphs["dropout_cnn"]["phase_layers"]) == 5
    assert "corrupt" in graphs["bad_graph"]["error"]
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_an_unreadable_folder_is_reported_and_the_rest_still_analysed(tmp_path):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: root reads every folder, so none is unreadable")
    logdir = tmp_path / "logs"
    copy_run(logdir, "dropout_cnn")
    copy_run(logdir, "dropout_cnn", "team/private")
    (logdir / "team" / "private").chmod(0)
    try:
        for args in (["--json"], []):
            result = run_cli("report", str(logdir), *args, as_user_without_root_access=True)
            assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
            if args:
                report = json.loads(result.stdout)
                assert [g["run"] for g in report["graphs"]] == ["dropout_cnn"]
                assert len(report["graphs"][0]["phase_layers"]) == 5
                assert report["errors"] == [
                    {"path": "team/private", "error": "folder not readable (Permission denied)"}
                ]
            else:
                assert "dropout_cnn  run_graph\n" in result.stdout
                assert "not read: team/private: folder not readable (Permission denied)" in result.stdout
    finally:
        (logdir / "team" / "private").chmod(0o755)


def test_a_valid_record_that_is_not_an_event_is_reported_and_the_rest_still_analysed(tmp_path):
    logdir = tmp_path / "logs"
    copy_run(logdir, "dropout_cnn")
    copy_run(logdir, "dropout_cnn", "broken_later")
    # A record with a correct checksum whose bytes are not an Event, after the run's graph.
    write_records(logdir / "broken_later", [b"\x0a\xff\xff\xff\xff\x0fnot an event"], name_suffix="zz")
    result = run_cli("report", str(logdir), "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    graphs = {g["run"]: g for g in report["graphs"]}
    assert len(graphs["dropout_cnn"]["phase_layers"]) == 5
    assert len(graphs["broken_later"]["phase_layers"]) == 5  # read before the bad record
    (problem,) = report["errors"]
    assert problem["path"] == "broken_later"
    assert problem["error"].startswith("reading this run's event files stopped: DecodeError")


def test_a_reader_that_stops_early_ends_the_report_quietly():
    # A real pipe whose reading end is closed before the report is written: what `| head -1` does to a long
    # report. The write fails with EPIPE; the command must neither print a traceback nor fail.
    process = subprocess.Popen(
        [CLI, "report", DEMO_LOGS, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV
    )
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=300) == 0
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_a_single_run_folder_is_named_after_the_folder():
    run_dir = os.path.join(DEMO_LOGS, "tf1_is_training")
    for given in (run_dir, run_dir + os.sep):
        result = run_cli("report", given, "--json")
        assert result.returncode == 0, result.stderr
        runs = {g["run"] for g in json.loads(result.stdout)["graphs"]}
        assert runs == {"tf1_is_training"}
    text = run_cli("report", run_dir).stdout
    assert text.startswith("tf1_is_training  run_graph\n") and "\n.  " not in text
