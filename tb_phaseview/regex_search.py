"""Regular-expression search that cannot hang the server: matching runs in a short-lived child process.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` against a long name can take longer than the
universe's age, and a thread stuck in ``re`` cannot be interrupted. The patterns come from whoever can reach
the server, so every regular-expression search runs in a separate Python process (``python -I -S``: only
``re`` and ``json``) that is killed when its time budget runs out. At most ``MAX_PARALLEL`` such processes
run at once. Pure: no TensorBoard import.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading

MAX_PATTERN_LENGTH = 200
TIME_BUDGET_SECONDS = float(os.environ.get("TB_PHASEVIEW_REGEX_SECONDS", "2"))
MAX_PARALLEL = 2

_slots = threading.BoundedSemaphore(MAX_PARALLEL)

# The child: reads {"pattern", "limit", "names", "ops"} as JSON on stdin and prints the indices of matching
# nodes (at most limit + 1). It limits its own CPU time and memory, in case its parent is gone.
_CHILD = r"""
import json, re, resource, sys
cpu = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
search = re.compile(request["pattern"], re.IGNORECASE).search
ops = request["ops"]
op_matches = [bool(search(op)) for op in request["op_names"]]
found = []
for index, name in enumerate(request["names"]):
    if op_matches[ops[index]] or search(name):
        found.append(index)
        if len(found) > request["limit"]:
            break
sys.stdout.write(json.dumps(found))
"""


class RegexError(ValueError):
    """The pattern is malformed, too long, or took too long on this graph."""


class RegexBusy(RuntimeError):
    """Every search slot stayed busy for the whole time budget."""


def compile_checked(pattern: str):
    """Compile to check the syntax (compiling is linear in the pattern; matching is what can explode)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RegexError(f"regular expression longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as error:
        raise RegexError(f"bad regular expression: {error}") from None


def search_indices(pattern: str, names: list[str], ops: list[str], limit: int,
                   budget: float | None = None) -> list[int]:
    """Indices of nodes whose name or op matches ``pattern`` (at most ``limit + 1``, in node order).

    Raises RegexError when the pattern is bad or matching exceeds the time budget, RegexBusy when no slot
    frees up in time.
    """
    budget = TIME_BUDGET_SECONDS if budget is None else budget
    compile_checked(pattern)
    op_names = sorted(set(ops))
    op_index = {op: i for i, op in enumerate(op_names)}
    payload = json.dumps(
        {"pattern": pattern, "limit": limit, "names": names, "op_names": op_names,
         "ops": [op_index[op] for op in ops]}
    ).encode("utf-8")
    if not _slots.acquire(timeout=budget):
        raise RegexBusy("the server is busy with other regular-expression searches; try again")
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _CHILD, str(int(budget) + 1)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            out, err = process.communicate(payload, timeout=budget)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise RegexError(
                f"regular expression took longer than {budget:g} s on this graph's names and was stopped "
                f"(nested repetition such as (a+)+ backtracks exponentially); simplify it"
            ) from None
    finally:
        _slots.release()
    if process.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise RegexError(f"regular expression search failed: {last[0][:200]}")
    return [int(i) for i in json.loads(out)]
