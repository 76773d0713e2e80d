"""Access to demo_logs and to the model definitions that wrote them (scripts/make_demo_logs.py)."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys

from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_LOGS = os.path.join(REPO, "demo_logs")
DEMO_GRAPH_COUNT = 8  # 7 graphs from scripts/make_demo_logs.py, 1 from scripts/make_pytorch_demo.py


@functools.lru_cache(maxsize=None)
def demo_script():
    spec = importlib.util.spec_from_file_location("make_demo_logs", os.path.join(REPO, "scripts", "make_demo_logs.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=None)
def demo_graphs() -> dict:
    """(run, kind, tag) -> GraphDef for every graph in demo_logs."""
    graphs = {}
    for ref, graph_def, error in iter_graphs(DEMO_LOGS):
        assert error is None, (ref, error)
        graphs[(ref["run"], ref["kind"], ref["tag"])] = graph_def
    return graphs


@functools.lru_cache(maxsize=None)
def demo_analysis(run: str, kind: str = "run_graph", tag: str | None = None):
    return analyze(demo_graphs()[(run, kind, tag)])


CLI = os.path.join(os.path.dirname(sys.executable), "tb-phaseview")


def cli_report_json(path: str = DEMO_LOGS) -> dict:
    """What `tb-phaseview report PATH --json` prints, run as a user runs it (a subprocess)."""
    result = subprocess.run(
        [CLI, "report", path, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
