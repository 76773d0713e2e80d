"""Regular-expression search that cannot hang the server: matching runs in a short-lived child process.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` against a long name can take longer than the
universe's age, and a thread stuck in ``re`` cannot be interrupted. The patterns come from whoever can reach
the server, so every regular-expression search runs in a separate Python process (``python -I -S``: only
``re`` and ``json``) that is killed once it has used its budget of processor time (or, on a machine too loaded
to give it that, after ``WALL_FACTOR`` times the budget). At most ``MAX_PARALLEL`` such processes run at once,
and a search waits for its slot before it copies the names it sends. Pure: no TensorBoard import.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

MAX_PATTERN_LENGTH = 200
TIME_BUDGET_SECONDS = float(os.environ.get("TB_PHASEVIEW_REGEX_SECONDS", "2"))
MAX_PARALLEL = 2
WALL_FACTOR = 5  # a search may take this many times its budget in wall time when the machine is loaded
POLL_SECONDS = 0.05

_slots = threading.BoundedSemaphore(MAX_PARALLEL)

# The child: reads {"pattern", "limit", "names", "ops"} as JSON on stdin (a temporary file) and prints the indices of matching
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


def search_indices(
    pattern: str, names: list[str], ops: list[str], limit: int, budget: float | None = None
) -> list[int]:
    """Indices of nodes whose name or op matches ``pattern`` (at most ``limit + 1``, in node order).

    Raises RegexError when the pattern is bad or matching exceeds the time budget, RegexBusy when no slot
    frees up in time or the server is too loaded to give the search its time.
    """
    budget = TIME_BUDGET_SECONDS if budget is None else budget
    compile_checked(pattern)
    # A slot first, then the payload (every name, as JSON): a burst of searches waiting for a slot must not each
    # hold a copy of the graph's names.
    if not _slots.acquire(timeout=budget):
        raise RegexBusy(
            f"the server is busy: {MAX_PARALLEL} other regular-expression searches kept every search "
            f"slot for {budget:g} s; try again in a moment"
        )
    try:
        op_names = sorted(set(ops))
        op_index = {op: i for i, op in enumerate(op_names)}
        payload = json.dumps(
            {
                "pattern": pattern,
                "limit": limit,
                "names": names,
                "op_names": op_names,
                "ops": [op_index[op] for op in ops],
            }
        ).encode("utf-8")
        del op_index
        # Handed over as a file, in one write: feeding tens of MB through a pipe goes 4 KB per step of
        # communicate(), each step waiting for the GIL behind the server's other threads (seconds, under load).
        with tempfile.TemporaryFile() as request:
            request.write(payload)
            del payload
            request.seek(0)
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _CHILD, str(int(budget * WALL_FACTOR) + 1)],  # a backstop
                stdin=request,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        out, err = _run_within_budget(process, pattern, budget, len(names))
    finally:
        _slots.release()
    if process.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise RegexError(f"regular expression search failed: {last[0][:200]}")
    return [int(i) for i in json.loads(out)]


def _run_within_budget(process, pattern: str, budget: float, names: int) -> tuple[bytes, bytes]:
    """The child's output, once it ends. It is stopped once it has used ``budget`` seconds of processor time (so a
    loaded machine does not make a quick pattern fail), or once WALL_FACTOR times the budget has passed (so the
    server never waits longer than that), whichever comes first."""
    started = time.monotonic()
    while True:
        try:
            return process.communicate(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        cpu = _cpu_seconds(process.pid)
        waited = time.monotonic() - started
        # Without /proc, the time waited stands in for the processor time.
        if (cpu if cpu is not None else waited) >= budget or waited >= budget * WALL_FACTOR:
            process.kill()
            process.communicate()
            raise timeout_error(pattern, budget, cpu, names) from None


def timeout_error(pattern: str, budget: float, cpu: float | None, names: int) -> Exception:
    """What to tell the user when a search was stopped at its budget: the server was too loaded to run it (it had
    little processor time), or the pattern is slow on these names, and whether its shape is the dangerous one."""
    if cpu is not None and cpu < budget:
        return RegexBusy(
            f"the server is too busy to finish this search: in {budget * WALL_FACTOR:g} s it got "
            f"{cpu:.1f} s of processor time and was stopped; try again in a moment"
        )
    message = f"regular expression took longer than {budget:g} s on this graph's {names:,} names and was stopped"
    if has_nested_repetition(pattern):
        return RegexError(
            message + "; it repeats a group that itself repeats (such as (a+)+), which can take "
            "exponential time: remove the inner or the outer repetition"
        )
    return RegexError(message + "; make it more specific (anchor it with ^, or name a longer part of the name)")


def _cpu_seconds(pid: int) -> float | None:
    """Processor time a running child has used (Linux /proc), or None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, ValueError, IndexError):
        return None


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def has_nested_repetition(pattern: str) -> bool:
    """True when a repeated part of the pattern itself holds an unbounded repetition (``(a+)+``, ``(a*b?)*``):
    the shape whose backtracking can take exponential time. Read from the parse ``re`` compiles from."""
    try:
        from re import _parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse as parser
    try:
        tree = parser.parse(pattern)
    except Exception:  # noqa: BLE001 - only a hint; the pattern compiled, so this hardly happens
        return False

    def repeats_inside(items, inside_repeat: bool) -> bool:
        for op, arg in items:
            name = str(op)
            if name in _REPEATS:
                low, high, sub = arg
                unbounded = high == parser.MAXREPEAT or high > 1
                if inside_repeat and unbounded:
                    return True
                if repeats_inside(sub, inside_repeat or unbounded):
                    return True
            elif name == "SUBPATTERN":
                if repeats_inside(arg[-1], inside_repeat):
                    return True
            elif name == "BRANCH":
                if any(repeats_inside(branch, inside_repeat) for branch in arg[1]):
                    return True
            elif name in ("ATOMIC_GROUP", "ASSERT", "ASSERT_NOT"):
                if repeats_inside(arg if name == "ATOMIC_GROUP" else arg[1], inside_repeat):
                    return True
        return False

    return repeats_inside(tree, False)
