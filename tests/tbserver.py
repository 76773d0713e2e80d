"""Start and stop a real TensorBoard server (a subprocess, as users run it) for tests and benchmarks."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

# Headless Chromium as the tests and the benchmark start it: no sandbox (root), no GPU, and none of the
# background connections this machine's closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


URL_PATTERN = re.compile(r"(http://127\.0\.0\.1:\d+/)")


@dataclass
class TensorBoardServer:
    url: str
    process: subprocess.Popen
    load_fast: str
    log_path: str

    def get(self, path: str, timeout: float = 120):
        """(status, parsed JSON or bytes) of a GET to ``path`` (relative to the server root)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                status, body, ctype = response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, body, ctype = error.code, error.read(), error.headers.get("Content-Type", "")
        if "json" in ctype:
            return status, json.loads(body)
        return status, body

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_tensorboard(
    logdir: str,
    load_fast: str = "false",
    wait_for_graphs: int = 1,
    timeout: float = 120,
    extra_env: dict | None = None,
    without_root_file_access: bool = False,
) -> TensorBoardServer:
    """Launch ``tensorboard`` on a free port and wait until the plugin lists ``wait_for_graphs`` graphs.

    ``without_root_file_access``: when running as root, drop root's power to read any file (its DAC override
    capabilities, with setpriv), so that file permissions apply to the server as to any user."""
    log = tempfile.NamedTemporaryFile(prefix="tensorboard-", suffix=".log", delete=False)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(extra_env or {})}
    command = [
        sys.executable,
        "-m",
        "tensorboard.main",
        "--logdir",
        logdir,
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--load_fast",
        load_fast,
        "--reload_interval",
        "1",
    ]
    if without_root_file_access and os.geteuid() == 0:
        command = [
            "setpriv",
            "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search",
            *command,
        ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + timeout
    url = None
    while url is None:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"TensorBoard did not start: {open(log.name).read()[-3000:]}")
        match = URL_PATTERN.search(open(log.name, errors="replace").read())
        url = match.group(1) if match else None
        time.sleep(0.2)
    server = TensorBoardServer(url, process, load_fast, log.name)
    while True:
        try:
            status, body = server.get("data/plugin/phaseview/runs", timeout=10)
            if status == 200 and sum(len(r["graphs"]) for r in body["runs"]) >= wait_for_graphs:
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"TensorBoard never listed the graphs: {open(log.name).read()[-3000:]}")
        time.sleep(0.5)
