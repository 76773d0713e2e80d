"""Regular-expression search (tb_phaseview.regex_search, pure): a search waits for a slot before it builds the copy
of every name it sends to its child process, and each way a search can fail says what happened: the server was
busy, the pattern was too slow on these names, or the pattern has the shape that backtracks exponentially."""

from __future__ import annotations

import tracemalloc

import pytest

from tb_phaseview.serve import regex_search
from tb_phaseview.serve.regex_search import RegexBusy, RegexError, has_nested_repetition, search_indices, timeout_error

MB = 1 << 20


def test_a_search_waiting_for_a_slot_holds_no_copy_of_the_names():
    names = [f"model/block_{i}/" + "x" * 200 for i in range(100_000)]  # about 21 MB of names
    ops = ["Conv2D"] * len(names)
    for _ in range(regex_search.MAX_PARALLEL):  # every slot taken by other searches
        regex_search._slots.acquire()
    try:
        tracemalloc.start()
        with pytest.raises(RegexBusy) as busy:
            search_indices("block_7", names, ops, 10, budget=0.3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        for _ in range(regex_search.MAX_PARALLEL):
            regex_search._slots.release()
    assert str(busy.value) == (
        "the server is busy: 2 other regular-expression searches kept every search slot for "
        "0.3 s; try again in a moment"
    )
    assert peak < MB, f"{peak / MB:.1f} MB allocated while waiting for a slot"
    # Once a slot is free, the same search runs.
    assert search_indices("block_7/", [n[:14] for n in names[:10]], ops[:10], 10) == [7]


@pytest.fixture
def patient(monkeypatch):
    """Searches that wait long enough for their processor time however loaded the machine is (the budget is
    processor time; only the wall-time cap depends on load)."""
    monkeypatch.setattr(regex_search, "WALL_FACTOR", 60)


def test_a_slow_pattern_without_nested_repetition_is_called_slow_not_dangerous(patient):
    names = ["a" * 3000] * 3
    with pytest.raises(RegexError) as slow:
        search_indices("a.*a.*a.*a.*x", names, ["NoOp"] * 3, 10, budget=1)
    assert str(slow.value).startswith("regular expression took longer than 1 s on this graph's 3 names and was stopped")
    assert "make it more specific" in str(slow.value) and "repeat" not in str(slow.value)


def test_a_pattern_with_nested_repetition_is_called_dangerous(patient):
    with pytest.raises(RegexError) as slow:
        search_indices("(a+)+$", ["a" * 40 + "!"], ["NoOp"], 10, budget=1)
    assert "it repeats a group that itself repeats (such as (a+)+)" in str(slow.value)


def test_a_search_starved_of_processor_time_is_called_busy():
    error = timeout_error("moving_mean", 2, 0.2, 1000)
    assert isinstance(error, RegexBusy)
    assert str(error) == (
        "the server is too busy to finish this search: in 10 s it got 0.2 s of processor time and "
        "was stopped; try again in a moment"
    )
    assert isinstance(timeout_error("moving_mean", 2, 2.0, 1000), RegexError)


@pytest.mark.parametrize(
    "pattern, nested",
    [
        ("(a+)+$", True),
        ("(a*b?)*", True),
        ("(?:x|y+)*z", True),
        ("((a+))+", True),
        ("moving_mean", False),
        ("^model/.*/conv", False),
        ("(ab)+", False),
        ("[a-z]+/conv", False),
        ("(a|b)*", False),
        ("a.*a.*a", False),
        ("bn(_\\d+)?/cond", False),
    ],
)
def test_nested_repetition_is_recognised_by_the_patterns_shape(pattern, nested):
    assert has_nested_repetition(pattern) is nested
