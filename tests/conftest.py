"""Shared fixtures: real TensorBoard servers with the plugin, on demo_logs and on logdirs a test builds."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import tf_written_graphs  # noqa: E402
from demo import DEMO_GRAPH_COUNT, DEMO_LOGS  # noqa: E402
from roles_written import roles_graphs  # noqa: E402, F401 - the role tests' training graphs (a fixture)
from tbserver import start_tensorboard  # noqa: E402


@pytest.fixture(scope="session", params=["true", "false"], ids=["load_fast", "python_reader"])
def tensorboard_server(request):
    """A real TensorBoard on demo_logs, once with the Rust data server and once with the Python reader."""
    server = start_tensorboard(DEMO_LOGS, load_fast=request.param, wait_for_graphs=DEMO_GRAPH_COUNT)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tensorboard_url(tensorboard_server):
    return tensorboard_server.url


@pytest.fixture
def start_server():
    """Start TensorBoard servers on custom logdirs; all are stopped after the test."""
    servers = []

    def start(logdir, load_fast="false", wait_for_graphs=1, **kwargs):
        server = start_tensorboard(str(logdir), load_fast=load_fast, wait_for_graphs=wait_for_graphs, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def tf_written():
    """Folders of graphs written by real TensorFlow at test time (tests/tf_written_graphs.py), each written
    once per session on first use."""
    root = tempfile.mkdtemp(prefix="tf_written_")
    written: dict[str, str] = {}

    def folder(name: str) -> str:
        if name not in written:
            written[name] = tf_written_graphs.write(root, name)
        return written[name]

    yield folder
    shutil.rmtree(root, ignore_errors=True)
