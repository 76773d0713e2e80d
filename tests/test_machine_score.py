"""The benchmark's machine score: a fixed workload timed part by part, printed under every `make bench` table."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))

import machine_score  # noqa: E402


def test_the_score_times_each_part_and_sums_the_cpu_parts_without_fresh_memory(monkeypatch):
    # Smaller than the real workload: the parts and their sum are the contract, not the seconds.
    monkeypatch.setattr(machine_score, "NAMES", 20_000)
    monkeypatch.setattr(machine_score, "LOOKUPS", 52_000)
    monkeypatch.setattr(machine_score, "FRESH_MB", 8)
    score = machine_score.score()
    assert list(score) == ["strings", "comprehensions", "numpy", "fresh_memory", "cpu_total"]
    assert all(seconds >= 0 for seconds in score.values())
    assert score["cpu_total"] == round(score["strings"] + score["comprehensions"] + score["numpy"], 3)


def test_every_lookup_of_the_strings_part_finds_its_name():
    # The yardstick times lookups that hit, as resolving a graph's inputs mostly does.
    names, inputs = machine_score._fresh_strings()
    index = dict(zip(names, range(len(names))))
    assert len(inputs) == machine_score.LOOKUPS
    assert all(name in index for name in inputs[:: len(inputs) // 1000])
