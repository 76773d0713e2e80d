"""Time the compare view in a real TensorBoard and headless Chromium, opened from a compare link.

    python benchmarks/compare_browser.py [--reps 3]

For each pair and repetition: a fresh TensorBoard (``--load_fast=false``; it has analysed neither graph) and a
fresh page opened on a compare link. Measured in the page, on its own clock: from the start of the comparison's
request to its response's end, and to the first animation frame in which the comparison is drawn
(``data-compare-ready``, polled every frame). The pairs are diff_timing.py's: EfficientNetB7 after one fit step
at input 32 and at input 48 (36k nodes each), and the demo ResNet tiled nested against tiled wide (200k nodes
each). ``make bench`` runs it after the diff's in-process timing (run_benchmark.py).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from make_graphs import comparison_pairs, write_blob  # noqa: E402
from tbserver import CHROMIUM_ARGS, start_tensorboard  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
READY = "[data-testid=compare][data-compare-ready=true]"


def compare_link(url: str, run_a: str, run_b: str) -> str:
    refs = [[run_a, "run_graph", None], [run_b, "run_graph", None]]
    token = base64.urlsafe_b64encode(json.dumps(refs).encode()).decode().rstrip("=")
    return url + "#phaseview&pvc=" + token


def time_pair(label: str, blobs: tuple[bytes, bytes], reps: int) -> dict:
    from playwright.sync_api import sync_playwright

    samples = []
    with tempfile.TemporaryDirectory(prefix="phaseview-compare-") as logdir:
        write_blob(logdir, "a", blobs[0])
        write_blob(logdir, "b", blobs[1])
        for _ in range(reps):
            server = start_tensorboard(logdir, load_fast="false", wait_for_graphs=2)
            try:
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    page.goto(compare_link(server.url, "a", "b"), wait_until="commit")
                    frame = None
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('iframe')].some(f => f.contentDocument"
                        " && f.contentDocument.querySelector('[data-testid=compare]'))",
                        timeout=180_000,
                    )
                    frame = next(f for f in page.frames if "plugin_entry" in f.url)
                    drawn_at = frame.wait_for_function(
                        f"() => document.querySelector('{READY}') ? performance.now() : false",
                        polling="raf",
                        timeout=180_000,
                    ).json_value()
                    request = frame.evaluate(
                        "() => { const e = performance.getEntriesByType('resource')"
                        ".find(r => r.name.includes('/compare?')); return e && [e.startTime, e.responseEnd] }"
                    )
                    rows = frame.locator("[data-testid=compare] [data-compare-status]").count()
                    browser.close()
            finally:
                server.stop()
            samples.append(
                {
                    "answered_s": (request[1] - request[0]) / 1000,
                    "drawn_s": (drawn_at - request[0]) / 1000,
                    "rows": rows,
                }
            )
    return {
        "pair": label,
        "samples": samples,
        "answered_s": round(statistics.median(s["answered_s"] for s in samples), 2),
        "drawn_s": round(statistics.median(s["drawn_s"] for s in samples), 2),
        "rows": samples[-1]["rows"],
    }


def compare_rows(reps: int) -> list[dict]:
    return [time_pair(label, (a, b), reps) for label, a, b in comparison_pairs()]


def compare_table(rows: list[dict]) -> str:
    lines = [
        "| pair (compare link, cold TensorBoard) | rows drawn | request to answer (s) | request to drawn (s) | samples "
        "drawn (s) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        samples = " / ".join(f"{s['drawn_s']:.2f}" for s in r["samples"])
        lines.append(f"| {r['pair']} | {r['rows']:,} | {r['answered_s']:.2f} | {r['drawn_s']:.2f} | {samples} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    rows = compare_rows(args.reps)
    for row in rows:
        print(json.dumps(row))
    print(compare_table(rows))


if __name__ == "__main__":
    main()
