"""Time the architecture diff in-process: two real 36k-node tf_keras graphs, and two 200k-node graphs.

    python benchmarks/diff_timing.py [--repeat 3]

Prints, per pair, the medians of: reading and analysing each side from its logged bytes (what a compare request
pays when neither graph was opened before: ``graph_source.load_graph`` and the analysis, as the server does), the
diff itself on those analyses (both layer summaries included, unless the Summary panel asked for them before),
encoding the answer, and their sum (``cold_s``: the request from cold, the browser's drawing excluded), in wall
time and in CPU time (this machine is shared: the CPU time drifts less). The 36k pair is EfficientNetB7 after one
fit step at input 32 and at input 48 (real tf_keras output, built once into benchmarks/.cache by
keras_application.py): the same layers, other shapes. The 200k pair is the demo ResNet tiled ``nested`` against
tiled ``wide`` (make_graphs.py). ``make bench`` runs it after the browser's table (run_benchmark.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from make_graphs import comparison_pairs  # noqa: E402
from tb_phaseview.analysis import diff  # noqa: E402
from tb_phaseview.analysis.pipeline import analyze  # noqa: E402
from tb_phaseview.read import graph_source, graphdef_reader, metadata  # noqa: E402


def time_pair(label: str, blobs: tuple[bytes, bytes], repeat: int) -> dict:
    walls: dict[str, list[float]] = {"analyse": [], "diff": [], "encode": []}
    cpus: dict[str, list[float]] = {"analyse": [], "diff": [], "encode": []}
    for _ in range(repeat):
        marks = [(time.perf_counter(), time.process_time())]
        a, b = (analyze(graph_source.load_graph(metadata.RUN_GRAPH, blob)) for blob in blobs)
        marks.append((time.perf_counter(), time.process_time()))
        result = diff.compare(a, b)
        marks.append((time.perf_counter(), time.process_time()))
        answer = json.dumps(diff.diff_json(result, {"run": "a"}, {"run": "b"}))
        marks.append((time.perf_counter(), time.process_time()))
        for k, step in enumerate(("analyse", "diff", "encode")):
            walls[step].append(marks[k + 1][0] - marks[k][0])
            cpus[step].append(marks[k + 1][1] - marks[k][1])
        del a, b, result
    summary = json.loads(answer)

    def median(values):
        return round(statistics.median(values), 3)

    return {
        "pair": label,
        "nodes": [graphdef_reader.count_nodes(blob) for blob in blobs],
        "layers": [summary["a"]["layers"], summary["b"]["layers"]],
        "analyse_both_s": median(walls["analyse"]),
        "diff_s": median(walls["diff"]),
        "encode_s": median(walls["encode"]),
        "cold_s": median([sum(t) for t in zip(*walls.values())]),
        "warm_s": median([d + e for d, e in zip(walls["diff"], walls["encode"])]),
        "cold_cpu_s": median([sum(t) for t in zip(*cpus.values())]),
        "warm_cpu_s": median([d + e for d, e in zip(cpus["diff"], cpus["encode"])]),
        "sentence": summary["sentence"][:160],
    }


def diff_rows(repeat: int) -> list[dict]:
    """Both pairs timed (the 36k pair's graphs are built with TensorFlow the first time)."""
    return [time_pair(label, (a, b), repeat) for label, a, b in comparison_pairs()]


def diff_table(rows: list[dict]) -> str:
    """The rows as the README's Markdown table."""
    lines = [
        "| pair | nodes | layers | read and analyse both (s) | diff (s) | encode (s) | cold total (s) | cold CPU (s) | "
        "both open before (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['pair']} | {r['nodes'][0]:,} / {r['nodes'][1]:,} | {r['layers'][0]:,} / {r['layers'][1]:,} | "
            f"{r['analyse_both_s']:.2f} | {r['diff_s']:.2f} | {r['encode_s']:.2f} | {r['cold_s']:.2f} | "
            f"{r['cold_cpu_s']:.2f} | {r['warm_s']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = diff_rows(args.repeat)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    print(diff_table(rows))


if __name__ == "__main__":
    main()
