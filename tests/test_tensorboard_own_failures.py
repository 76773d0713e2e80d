"""What TensorBoard itself does with broken logdirs, which PhaseView (reading through it) cannot undo: the README's
Limits section describes each case, and these tests check that it still describes TensorBoard as it is.

- Under ``--load_fast=false`` the Python reader's thread dies at a folder it cannot list or a record with a valid
  checksum that is not an Event; the Rust data server skips either with a warning.
- The Rust data server serves a record whose data checksum fails; the Python reader drops it.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from logdirs import copy_run, write_records
from test_hardening_broken_files import add_bad_crc_run

P = "data/plugin/phaseview/"
READER_ROUNDS = 5  # seconds: several reloads (tests/tbserver.py reloads every second)


def graphs_listed(server) -> set[str]:
    status, body = server.get(P + "runs")
    assert status == 200
    return {r["run"] for r in body["runs"] if r["graphs"]}


def tensorboard_runs(server) -> set[str]:
    status, body = server.get("data/runs")
    assert status == 200
    return set(body)


def reader_died(server) -> bool:
    return "Traceback" in open(server.log_path, errors="replace").read()


def add_run_later(server, logdir) -> bool:
    """Log a new run while the server runs; whether its graph shows up within a few reloads."""
    copy_run(logdir, "dropout_cnn", "later")
    deadline = time.monotonic() + READER_ROUNDS * 3
    while time.monotonic() < deadline:
        if "later" in graphs_listed(server):
            return True
        time.sleep(0.5)
    return False


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_record_that_is_not_an_event(tmp_path, start_server, load_fast):
    logdir = tmp_path / "logs"
    copy_run(logdir, "dropout_cnn", "a_good")
    copy_run(logdir, "dropout_cnn", "b_broken")
    write_records(logdir / "b_broken", [b"\x0a\xff\xff\xff\xff\x0fnot an event"], name_suffix="zz")
    copy_run(logdir, "dropout_cnn", "c_good")
    server = start_server(logdir, load_fast=load_fast, wait_for_graphs=0)
    time.sleep(READER_ROUNDS)
    if load_fast == "true":
        # Skipped with a warning in the log; everything else is read, and so is what is logged later.
        assert graphs_listed(server) == {"a_good", "b_broken", "c_good"}
        assert "Read error" in open(server.log_path).read() and not reader_died(server)
        assert add_run_later(server, logdir)
    else:
        # The reader thread dies: runs stay listed, but only what it read before the record has data, and
        # nothing logged afterwards appears until TensorBoard is restarted.
        assert reader_died(server) and "DecodeError" in open(server.log_path).read()
        assert tensorboard_runs(server) == {"a_good", "b_broken", "c_good"}
        assert graphs_listed(server) < {"a_good", "b_broken", "c_good"}
        assert not add_run_later(server, logdir)
    assert server.alive()


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_folder_that_cannot_be_read(tmp_path, start_server, load_fast):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: root reads every folder, so none is unreadable")
    logdir = tmp_path / "logs"
    copy_run(logdir, "dropout_cnn", "a_good")
    copy_run(logdir, "dropout_cnn", "b_private")
    (logdir / "b_private").chmod(0)
    try:
        server = start_server(logdir, load_fast=load_fast, wait_for_graphs=0, without_root_file_access=True)
        time.sleep(READER_ROUNDS)
        if load_fast == "true":
            assert tensorboard_runs(server) == {"a_good"} and graphs_listed(server) == {"a_good"}
        else:
            # Its walk of the logdir dies there: only runs met before it (in the order the file system lists
            # folders) can show, and nothing logged afterwards appears until TensorBoard is restarted.
            assert reader_died(server) and "Permission denied" in open(server.log_path).read()
            assert tensorboard_runs(server) <= {"a_good"} and graphs_listed(server) <= {"a_good"}
            assert not add_run_later(server, logdir)
        assert server.alive()
    finally:
        (logdir / "b_private").chmod(0o755)


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_record_whose_data_checksum_fails(tmp_path, start_server, load_fast):
    copy_run(tmp_path, "dropout_cnn")
    add_bad_crc_run(tmp_path)
    server = start_server(tmp_path, load_fast=load_fast, wait_for_graphs=1)
    time.sleep(READER_ROUNDS)
    status, answer = server.get(P + "graph?run=bad_crc&kind=run_graph")
    tensorboard_status, _ = server.get("data/plugin/graphs/graph?run=bad_crc&conceptual=false")
    if load_fast == "true":
        # Served as it is: here the flipped byte breaks the graph's parse (PhaseView 422, the Graphs tab 500).
        assert "bad_crc" in graphs_listed(server)
        assert status == 422 and "corrupt" in answer["error"] and tensorboard_status == 500
    else:
        # Dropped: the run has no graph.
        assert "bad_crc" not in graphs_listed(server)
        assert status == 404 and "checksum" in answer["error"] and tensorboard_status == 404
