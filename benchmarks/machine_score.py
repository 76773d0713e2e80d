"""How fast this machine runs the kinds of work PhaseView's server does, on a fixed workload: a yardstick printed
beside every `make bench` table, so that two runs on different machines can be told apart from two versions of the
code (the same code ran 1.3-1.5 times slower on one 2-core machine than on another, a day apart).

The workload does not use PhaseView's code, so it does not change when the code does. Each part is timed as CPU
seconds, the best of three:

- ``strings``: a dict of 1,000,000 new strings shaped as a Keras graph's names, and 2,600,000 lookups of new
  strings in it (resolving a graph's inputs);
- ``comprehensions``: per-name comprehensions of ``partition``, ``in`` and a set (the analysis passes);
- ``numpy``: a stable argsort, a bincount and a gather over 2,600,000 edges (the passes over columns);
- ``fresh_memory``: writing 256 MB the process has not touched before, once, first (this virtual machine's host
  backs a page on its first write, which cost 2.6 ms a MB here; memory the process reuses cost a tenth of that).

The collector is paused throughout, as it is while the server analyses a graph.

Usage: ``python benchmarks/machine_score.py`` prints the parts as JSON.
"""

from __future__ import annotations

import gc
import json
import time

import numpy as np

NAMES = 1_000_000
LOOKUPS = 2_600_000
FRESH_MB = 256


def _best(work, prepare=lambda: (), reps: int = 3) -> float:
    """The least CPU time of ``work(*prepare())`` over ``reps`` runs, ``prepare`` untimed."""
    best = float("inf")
    for _ in range(reps):
        args = prepare()
        started = time.process_time()
        work(*args)
        best = min(best, time.process_time() - started)
    return best


def _name(i: int) -> str:
    return f"model/block{i // 40}_conv{i % 7}/BatchNorm_{i % 13}/Switch_{i}"


def _names() -> list[str]:
    return [_name(i) for i in range(NAMES)]


def _fresh_strings() -> tuple[list[str], list[str]]:
    # Made anew for each run: a string's hash is computed on its first lookup, as for names just parsed.
    return _names(), [_name(i % NAMES) for i in range(LOOKUPS)]


def _strings(names: list[str], inputs: list[str]) -> None:
    index = dict(zip(names, range(len(names))))
    np.fromiter(map(index.get, inputs), dtype=np.intp, count=len(inputs))


def _comprehensions(names: list[str]) -> int:
    tops = [name.partition("/")[0] for name in names]
    scopes = {name.rpartition("/")[0] for name in names}
    hits = [i for i, name in enumerate(names) if "Switch_1" in name]
    return len(tops) + len(scopes) + len(hits)


def _numpy(src: np.ndarray) -> int:
    order = np.argsort(src, kind="stable")
    counts = np.bincount(src, minlength=NAMES)
    return int(counts[src[order]].sum())


def _fresh_memory() -> None:
    np.ones(FRESH_MB << 20, dtype=np.uint8)


def score() -> dict:
    """Each part's CPU seconds, and the sum of the CPU parts (``cpu_total``: the score to compare)."""
    gc.disable()
    try:
        return _score()
    finally:
        gc.enable()


def _score() -> dict:
    started = time.process_time()
    _fresh_memory()  # first: once freed, the same pages come back cheaply
    fresh = time.process_time() - started
    names = _names()
    src = np.random.default_rng(0).integers(0, NAMES, size=LOOKUPS)
    parts = {
        "strings": _best(_strings, _fresh_strings),
        "comprehensions": _best(lambda: _comprehensions(names)),
        "numpy": _best(lambda: _numpy(src)),
        "fresh_memory": fresh,
    }
    parts = {name: round(seconds, 3) for name, seconds in parts.items()}
    # Fresh memory apart: what the kernel hands a process depends on what other processes freed a moment before
    # (0.04-0.78 s for the same 256 MB in one session), the CPU parts do not.
    parts["cpu_total"] = round(parts["strings"] + parts["comprehensions"] + parts["numpy"], 3)
    return parts


if __name__ == "__main__":
    print(json.dumps(score()))
