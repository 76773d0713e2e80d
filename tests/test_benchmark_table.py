"""`make bench`'s table: TensorBoard's CPU per row (user / system), read from /proc for each sample."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))

import run_benchmark  # noqa: E402


def test_a_process_cpu_and_page_faults_are_read_as_they_grow():
    before = run_benchmark.cpu_and_faults(os.getpid())
    touched = bytearray(64 << 20)  # 64 MB written page by page: new pages, each a fault
    for at in range(0, len(touched), 4096):
        touched[at] = 1
    sum(range(3_000_000))
    after = run_benchmark.cpu_and_faults(os.getpid())
    assert after["page_faults"] - before["page_faults"] >= 10_000
    assert after["user_s"] + after["system_s"] > before["user_s"] + before["system_s"]


def _sample(after_frame: float, cpu: dict | None) -> dict:
    sample = {
        "phaseview": {"ready_s": after_frame + 1, "after_frame_s": after_frame, "toggle_ms": 30.0, "legend_ms": 30.0},
        "server_rss_mb": 900.0,
        "server_idle_rss_mb": 600.0,
        "server_peak_rss_mb": 950.0,
        "graphs_tab": {"first_node_s": 10.0, "drawn": True},
    }
    if cpu is not None:
        sample["server_cpu"] = cpu
    return sample


def test_the_table_gives_the_median_user_and_system_seconds_of_the_server():
    timed = [_sample(1.0 + i, {"user_s": 2.0 + i, "system_s": 0.5 * i, "page_faults": 1000}) for i in range(3)]
    untimed = [_sample(1.0, None)]  # a sample of a run from before the column
    table = run_benchmark.summarise(
        [
            {"graph": "g", "load_fast": "false", "nodes": 10, "samples": timed},
            {"graph": "old", "load_fast": "true", "nodes": 10, "samples": untimed},
        ],
        60,
    )
    header, _, timed_row, untimed_row = table.splitlines()
    assert header.endswith("| server CPU, user / system (s) |")
    assert timed_row.endswith("| 3.00 / 0.50 |")
    assert untimed_row.endswith("| - |")
