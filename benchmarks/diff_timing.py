"""Time the architecture diff in-process: two real 36k-node tf_keras graphs, and two 200k-node graphs.

    python benchmarks/diff_timing.py [--repeat 3]

Prints, per pair, the medians of: analysing each side from its GraphDef (what a first compare request pays
when neither graph was opened before), the diff itself on analyses already made (the usual case: graph A is on
screen), and encoding the answer. The 36k pair is EfficientNetB7 after one fit step at input 32 and at input 48
(real tf_keras output, built once into benchmarks/.cache by keras_application.py): the same layers, other
shapes. The 200k pair is the demo ResNet tiled ``nested`` against tiled ``wide`` (make_graphs.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from tensorboard.compat.proto import graph_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from make_graphs import CACHE, seed_graph, tiled  # noqa: E402
from tb_phaseview import diff  # noqa: E402
from tb_phaseview.analysis import analyze  # noqa: E402


def application(model: str, size: int):
    path = os.path.join(CACHE, f"{model}_{size}_fit.pb")
    if not os.path.isfile(path):
        os.makedirs(CACHE, exist_ok=True)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
        script = os.path.join(HERE, "keras_application.py")
        subprocess.run(
            [sys.executable, script, path + ".tmp", "--model", model, "--size", str(size)], check=True, env=env
        )
        os.replace(path + ".tmp", path)
    graph = graph_pb2.GraphDef()
    with open(path, "rb") as f:
        graph.ParseFromString(f.read())
    return graph


def time_pair(label: str, a_def, b_def, repeat: int) -> dict:
    analyse, compare, encode = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        a, b = analyze(a_def), analyze(b_def)
        t1 = time.perf_counter()
        result = diff.compare(a, b)
        t2 = time.perf_counter()
        answer = json.dumps(diff.diff_json(result, {"run": "a"}, {"run": "b"}))
        t3 = time.perf_counter()
        analyse.append(t1 - t0)
        compare.append(t2 - t1)
        encode.append(t3 - t2)
    summary = json.loads(answer)
    return {
        "pair": label,
        "nodes": [len(a_def.node), len(b_def.node)],
        "layers": [summary["a"]["layers"], summary["b"]["layers"]],
        "analyse_both_s": round(statistics.median(analyse), 3),
        "diff_s": round(statistics.median(compare), 3),
        "encode_s": round(statistics.median(encode), 3),
        "sentence": summary["sentence"][:160],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [
        time_pair(
            "EfficientNetB7 fit, input 32 vs 48",
            application("EfficientNetB7", 32),
            application("EfficientNetB7", 48),
            args.repeat,
        )
    ]
    seed = seed_graph()
    rows.append(
        time_pair("200k nested vs 200k wide", tiled(seed, 200_000, "nested"), tiled(seed, 200_000, "wide"), args.repeat)
    )
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
