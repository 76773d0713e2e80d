"""Side-by-side timing of PhaseView and TensorBoard's own Graphs tab, in one run, on one machine.

For every graph (Keras-shaped graphs of about 1k, 10k, 50k and 200k nodes in two shapes, see make_graphs.py,
the seed demo graph, and a real tf_keras.applications model after one fit step, EfficientNetB7 at about 36k ops),
each of TensorBoard's ``--load_fast`` values (its Python reader, ``false``, and its Rust data server, ``true``; a
row each) and every repetition, a fresh TensorBoard is started (so the server has never seen the graph) and a fresh
headless Chromium page measures, from the start of navigation:

- PhaseView: when its iframe's document starts (the frame appears), and when its root gets data-ready="true";
  the difference is PhaseView's own time, TensorBoard's start-up excluded;
- the Graphs tab: when the first graph node is drawn (a `.node` element in its scene), or nothing by the
  time-out;
- the time a phase-filter toggle takes (click to the second animation frame after it), and a legend switch of
  the ``data`` edge kind (drawn -> dimmed -> hidden -> drawn, the same clock);
- the TensorBoard process's resident memory (with its data-server child) after the graph was served.

Then the architecture diff (*Compare with…*) of a real 36k-node pair and a 200k-node pair, in-process
(diff_timing.py), as a second table; and the same pairs' compare views opened from a link in a real TensorBoard and
Chromium, from the comparison's request to its drawing (compare_browser.py), as a third.

Before any graph, ``machine_score.py`` times a fixed workload (strings, comprehensions, numpy, fresh memory) that
does not use PhaseView's code: printed under the table, it tells this run's machine from another's.

Medians over the repetitions are printed as a Markdown table and written, with every sample, to
benchmarks/results/<timestamp>.json. Usage: `python benchmarks/run_benchmark.py [--reps 3] [--sizes 1k,10k]
[--graphs "200k nested,50k wide,EfficientNetB7 fit"]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, HERE)

import machine_score  # noqa: E402
from make_graphs import APPLICATIONS, ROUTINE_SIZES, SIZES, application_graph, seed_graph, tiled, write  # noqa: E402
from tbserver import CHROMIUM_ARGS, start_tensorboard  # noqa: E402

VIEWPORT = {"width": 1400, "height": 900}


def process_tree_mb(pid: int, field: str = "VmRSS") -> float:
    """A /proc status field (``VmRSS`` resident, ``VmHWM`` peak resident) of a process plus its children's (the
    Rust data server), in MB."""
    pids = [pid]
    try:
        pids += [int(child) for child in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        pass
    total = 0
    for p in pids:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith(field + ":"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_and_faults(pid: int) -> dict:
    """The process's CPU seconds (user, system) and page faults so far (/proc/PID/stat), to tell apart where a
    sample's seconds went: this machine's page faults are a large and varying part of them."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    tick = os.sysconf("SC_CLK_TCK")
    return {"user_s": int(fields[11]) / tick, "system_s": int(fields[12]) / tick, "page_faults": int(fields[7])}


def rss_mb(pid: int) -> float:
    return process_tree_mb(pid, "VmRSS")


def peak_rss_mb(pid: int) -> float:
    return process_tree_mb(pid, "VmHWM")


def measure_phaseview(browser, server, timeout_s: float) -> dict:
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(server.url + "#phaseview", wait_until="commit")
        frame_locator = page.frame_locator("iframe").first
        frame_locator.locator('[data-ready="true"]').wait_for(timeout=timeout_s * 1000)
        frame = next(f for f in page.frames if "plugin_entry" in f.url)
        # Both clocks are read as absolute times (timeOrigin + now) so they compare across the two documents.
        timing = frame.evaluate(
            """() => ({frameOrigin: performance.timeOrigin, readyAt: performance.timeOrigin + performance.now()})"""
        )
        nav_start = page.evaluate("() => performance.timeOrigin")
        # Ready was seen by polling; the app also stamps the exact time, when it does.
        stamped = frame.evaluate(
            "() => { const r = document.querySelector('[data-ready]'); return r && r.dataset.readyAt ? "
            "performance.timeOrigin + Number(r.dataset.readyAt) : null }"
        )
        ready_at = stamped or timing["readyAt"]
        heap_mb = _js_heap_mb(page)
        toggles = []
        for mode in ("highlight", "show", "collapse", "highlight", "collapse"):
            toggles.append(
                frame.evaluate(
                    """async (mode) => {
                    const button = document.querySelector(`[data-phase-mode="${mode}"]`);
                    const t = performance.now();
                    button.click();
                    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                    return performance.now() - t;
                }""",
                    mode,
                )
            )
        # The legend's data control: each click moves it on (drawn -> dimmed -> hidden -> drawn).
        legend = []
        if frame.locator('[data-kind-filter="data"]').count():
            for _ in range(6):
                legend.append(
                    frame.evaluate(
                        """async () => {
                        const button = document.querySelector('[data-kind-filter="data"]');
                        const t = performance.now();
                        button.click();
                        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                        return performance.now() - t;
                    }"""
                    )
                )
        return {
            "ready_s": (ready_at - nav_start) / 1000,
            "legend_ms": statistics.median(legend) if legend else None,
            "frame_s": (timing["frameOrigin"] - nav_start) / 1000,
            "after_frame_s": (ready_at - timing["frameOrigin"]) / 1000,
            "toggle_ms": statistics.median(toggles),
            "tab_heap_mb": heap_mb,
            "tab_heap_after_mb": _js_heap_mb(page),
        }
    finally:
        page.close()


def _js_heap_mb(page) -> float | None:
    """The tab's JavaScript heap in use (TensorBoard's page and PhaseView's same-origin frame share one heap), in MB,
    from the DevTools protocol (performance.memory is coarse without a flag)."""
    try:
        session = page.context.new_cdp_session(page)
        try:
            session.send("Performance.enable")
            metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
        finally:
            session.detach()
        return metrics.get("JSHeapUsedSize", 0) / 2**20
    except Exception:  # noqa: BLE001 - a browser without the protocol gives no figure, not a failed run
        return None


def measure_graphs_tab(browser, server, timeout_s: float) -> dict:
    page = browser.new_page(viewport=VIEWPORT)
    try:
        start = time.monotonic()
        page.goto(server.url + "#graphs", wait_until="commit")
        try:
            page.locator("tf-graph-scene .node").first.wait_for(state="attached", timeout=timeout_s * 1000)
            return {"first_node_s": time.monotonic() - start, "drawn": True}
        except Exception:  # noqa: BLE001 - a time-out is a result here
            return {"first_node_s": None, "drawn": False}
    finally:
        page.close()


def run(
    sizes,
    shapes,
    reps,
    graphs_tab_timeout,
    phaseview_timeout,
    load_fast,
    applications=tuple(APPLICATIONS),
    only=None,
    env=None,
):
    """``env``: variables set in each TensorBoard's environment (``--tensorboard-env``), besides this one's."""
    from playwright.sync_api import sync_playwright

    seed = seed_graph()
    results = []
    with tempfile.TemporaryDirectory(prefix="phaseview-bench-") as root, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        cases = [
            (f"{label} {shape}", lambda label=label, shape=shape: tiled(seed, SIZES[label], shape))
            for shape in shapes
            for label in sizes
        ]
        cases.append(("seed (demo)", lambda: seed))
        cases += [(label, lambda label=label: application_graph(label)) for label in applications]
        if only is not None:
            cases = [case for case in cases if case[0] in only]
        for (label, make), lf in ((case, lf) for case in cases for lf in load_fast.split(",")):
            graph = make()
            samples = []
            for rep in range(reps):
                # A new logdir each time: neither server nor browser cache has seen the graph.
                slug = "_".join(label.replace("(", "").replace(")", "").split())
                logdir = os.path.join(root, f"{slug}-{rep}")
                write(logdir, f"keras_{slug}", graph)
                # The file just written is flushed before the server starts: its writeback (a kernel flusher's
                # 0.6 s of CPU for 220 MB on this 2-core machine) otherwise ran during the sample, as it never does
                # for a logdir written before its user opens the tab.
                os.sync()
                sample = {}
                server = start_tensorboard(logdir, load_fast=lf, wait_for_graphs=1, timeout=600, extra_env=env)
                try:
                    sample["server_idle_rss_mb"] = rss_mb(server.process.pid)
                    before = cpu_and_faults(server.process.pid)
                    sample["phaseview"] = measure_phaseview(browser, server, phaseview_timeout)
                    after = cpu_and_faults(server.process.pid)
                    # TensorBoard's Python process over the page's whole visit (the first view, then the toggles).
                    sample["server_cpu"] = {key: round(after[key] - before[key], 2) for key in after}
                    sample["server_rss_mb"] = rss_mb(server.process.pid)
                    sample["server_peak_rss_mb"] = peak_rss_mb(server.process.pid)
                finally:
                    server.stop()
                # Once the Graphs tab has timed out on a graph, waiting it out again proves nothing new.
                if rep == 0 or samples[0]["graphs_tab"]["drawn"]:
                    server = start_tensorboard(logdir, load_fast=lf, wait_for_graphs=1, timeout=600, extra_env=env)
                    try:
                        sample["graphs_tab"] = measure_graphs_tab(browser, server, graphs_tab_timeout)
                    finally:
                        server.stop()
                samples.append(sample)
                print(f"{label} (--load_fast={lf}) rep {rep}: {json.dumps(sample)}", file=sys.stderr, flush=True)
            results.append({"graph": label, "load_fast": lf, "nodes": len(graph.node), "samples": samples})
        browser.close()
    return results


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(results, graphs_tab_timeout):
    rows = [
        "| graph | load_fast | nodes | PhaseView ready (s) | of which after frame (s) | after frame, samples (s) | "
        "Graphs tab first node (s) | ratio | toggle (ms) | legend switch (ms) | server RSS (MB) | "
        "server idle / peak RSS (MB) | tab JS heap (MB) | server CPU, user / system (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        pv = [s["phaseview"] for s in r["samples"]]
        ready = median([s["ready_s"] for s in pv])
        after = median([s["after_frame_s"] for s in pv])
        samples = [s["after_frame_s"] for s in pv if s.get("after_frame_s") is not None]
        toggle = median([s["toggle_ms"] for s in pv])
        legend = median([s.get("legend_ms") for s in pv])
        rss = median([s["server_rss_mb"] for s in r["samples"]])
        idle = median([s.get("server_idle_rss_mb") for s in r["samples"]])
        peak = median([s.get("server_peak_rss_mb") for s in r["samples"]])
        heap = median([s.get("tab_heap_mb") for s in pv])
        cpu = [s["server_cpu"] for s in r["samples"] if "server_cpu" in s]
        cpu_text = (
            f"{median([c['user_s'] for c in cpu]):.2f} / {median([c['system_s'] for c in cpu]):.2f}" if cpu else "-"
        )
        tab = [s["graphs_tab"] for s in r["samples"] if "graphs_tab" in s]
        drawn = [t["first_node_s"] for t in tab if t["drawn"]]
        if drawn:
            tab_s = median(drawn)
            tab_text, ratio = f"{tab_s:.2f}", f"{tab_s / ready:.1f}x"
        else:
            tab_text, ratio = f"nothing after {graphs_tab_timeout:.0f}", f">{graphs_tab_timeout / ready:.0f}x"
        rows.append(
            f"| {r['graph']} | {r.get('load_fast', '')} | {r['nodes']:,} | {ready:.2f} | {after:.2f} | "
            f"{' / '.join(f'{s:.2f}' for s in samples)} | {tab_text} | {ratio} | "
            f"{toggle:.1f} | {'-' if legend is None else f'{legend:.1f}'} | {rss:.0f} | "
            f"{'-' if idle is None else f'{idle:.0f} / {peak:.0f}'} | {'-' if heap is None else f'{heap:.0f}'} | "
            f"{cpu_text} |"
        )
    return "\n".join(rows)


def machine_words(machine: dict) -> str:
    return ", ".join(f"{part.replace('_', ' ')} {seconds:.2f}" for part, seconds in machine.items())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(ROUTINE_SIZES), help="of " + ", ".join(SIZES))
    parser.add_argument("--shapes", default="nested,wide", help="nested (few top-level scopes), wide (many)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--graphs-tab-timeout", type=float, default=120.0)
    parser.add_argument("--phaseview-timeout", type=float, default=120.0)
    parser.add_argument(
        "--load-fast",
        default="false,true",
        choices=["false,true", "false", "true"],
        help="TensorBoard's --load_fast values to time each graph under (a row each)",
    )
    parser.add_argument(
        "--applications",
        default=",".join(APPLICATIONS),
        help="real Keras application graphs to time as well (empty: none)",
    )
    parser.add_argument(
        "--graphs", default="", help="only these graphs, by their label in the table, comma-separated (empty: all)"
    )
    parser.add_argument(
        "--tensorboard-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set in each TensorBoard's environment (repeatable), e.g. GLIBC_TUNABLES=glibc.malloc.hugetlb=1",
    )
    parser.add_argument("--diff-repeat", type=int, default=3, help="repetitions of the diff's timing (0: skip it)")
    parser.add_argument(
        "--compare-reps", type=int, default=3, help="compare views timed in the browser per pair (0: none)"
    )
    args = parser.parse_args(argv)
    # Measured first, on an idle machine: the yardstick that tells this run's machine from another's.
    machine = machine_score.score()
    print(f"machine score (CPU s, machine_score.py): {json.dumps(machine)}", file=sys.stderr, flush=True)
    only = {g.strip() for g in args.graphs.split(",") if g.strip()} or None
    env = dict(pair.split("=", 1) for pair in args.tensorboard_env)
    applications = [a for a in args.applications.split(",") if a]
    results = run(
        args.sizes.split(","),
        args.shapes.split(","),
        args.reps,
        args.graphs_tab_timeout,
        args.phaseview_timeout,
        args.load_fast,
        applications,
        only,
        env,
    )
    table = summarise(results, args.graphs_tab_timeout)
    table += f"\n\nMachine score (CPU s, `benchmarks/machine_score.py`): {machine_words(machine)}"
    if env:
        table += "\n\nTensorBoard started with " + ", ".join(f"`{name}={value}`" for name, value in env.items())
    print(table)
    diffs = []
    if args.diff_repeat > 0:
        from diff_timing import diff_rows, diff_table

        diffs = diff_rows(args.diff_repeat)
        table += "\n\n" + diff_table(diffs)
        print("\n" + diff_table(diffs))
    compares = []
    if args.compare_reps > 0:
        from compare_browser import compare_rows, compare_table

        compares = compare_rows(args.compare_reps)
        table += "\n\n" + compare_table(compares)
        print("\n" + compare_table(compares))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    out = os.path.join(HERE, "results", time.strftime("%Y%m%d-%H%M%S") + ".json")
    with open(out, "w") as f:
        json.dump(
            {
                "args": vars(args),
                "results": results,
                "diffs": diffs,
                "compares": compares,
                "table": table,
                "cpus": os.cpu_count(),
                "machine": machine,
            },
            f,
            indent=1,
        )
    print(f"\nsamples: {out}")


if __name__ == "__main__":
    main()
