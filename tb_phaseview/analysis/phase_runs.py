"""What runs in each phase: for every learning-phase flag, the ops that run only when it is true or only when
it is false, the flag's default, and the ops that write a flag kept in a variable.

How a flag decides what runs:
- v1 ``cond``: a ``Switch`` gated by the flag sends its input to output ``:1`` when the predicate is true and
  to ``:0`` when it is false; the other output is *dead*. Deadness flows forward: an op with a dead input (data
  or control) does not run, a ``Merge`` runs when any of its inputs is live. ``LogicalNot`` flips the predicate.
- ``If``/``StatelessIf``: the op itself always runs and runs one of its branch functions. Their bodies are not
  ops of the drawn graph; they are counted apart (``branch_ops``).
- ``Select``/``SelectV2``: both inputs are computed whatever the flag says; nothing is skipped (``selects``).
An op computed in both phases whose result only one branch uses is reported too (``used_only_when``): old
Keras computed its training batch statistics outside the cond, so inference pays for them.

Computed on request (it walks only the ops the gates reach). Pure: no TensorBoard import.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from tb_phaseview.analysis import phase
from tb_phaseview.analysis.graph_model import Graph, NodeDefUnreadable

# Liveness as a two-bit mask: which values of the flag the op runs under.
NEVER, FALSE, TRUE, BOTH = 0, 1, 2, 3
SWITCH_OPS = frozenset({"Switch", "RefSwitch"})
MERGE_OPS = frozenset({"Merge", "RefMerge"})
BACK_EDGE_OPS = frozenset({"NextIteration", "RefNextIteration"})  # a loop's Merge runs when it is entered
# Control-flow plumbing: a gated Switch always runs and feeds one side; not worth reporting as waste.
PLUMBING_OPS = SWITCH_OPS | MERGE_OPS
IF_OPS = frozenset({"If", "StatelessIf"})
SELECT_OPS = frozenset({"Select", "SelectV2"})
DT_BOOL = phase.DT_BOOL


def phase_mask(value: bool) -> int:
    return TRUE if value else FALSE


@dataclass
class BranchCall:
    """An ``If`` gated by the flag: which function runs when the flag is true and which when it is false."""

    node: int
    when_true: str
    when_false: str
    ops_when_true: int  # ops in that function's body and the functions it calls
    ops_when_false: int


@dataclass
class FlagRuns:
    source: phase.PhaseSource
    default: bool | None  # the value it has when nobody feeds or assigns it; None: it must be fed
    variable: bool
    writers: list[str]  # assign ops of a variable flag
    only_when: dict[bool, list[int]]  # graph ops that run only when the flag has that value
    never: list[int]  # graph ops that can run in neither phase (dead in both)
    branches: list[BranchCall]
    used_only_when: dict[bool, list[int]]  # computed in both phases, their result used only in that one
    selects: list[int]  # Select ops reading the flag: both inputs computed, nothing skipped

    @property
    def branch_ops(self) -> dict[bool, int]:
        return {True: sum(b.ops_when_true for b in self.branches), False: sum(b.ops_when_false for b in self.branches)}

    def ops_only_when(self, value: bool) -> int:
        """Ops that run only when the flag is ``value``: graph ops plus the ops of the branch that runs then."""
        return len(self.only_when[value]) + self.branch_ops[value]


@dataclass
class PhaseRuns:
    flags: list[FlagRuns] = field(default_factory=list)

    def not_running(self, value: bool) -> set[int]:
        """Graph ops that do not run when every flag is ``value`` (training: True, inference: False)."""
        out: set[int] = set()
        for flag in self.flags:
            out.update(flag.only_when[not value])
            out.update(flag.never)
        return out

    def branch_ops_not_running(self, value: bool) -> int:
        return sum(flag.branch_ops[not value] for flag in self.flags)


def polarities(graph: Graph, source: int) -> dict[int, bool]:
    """Each node carrying the flag's value: True when it carries the value, False when its negation."""
    carried = {source: True}
    frontier = [source]
    while frontier:
        reached = []
        for node, edges in graph.out_edges_of(frontier).items():
            for e in edges:
                if graph.edge_control[e] or graph.edge_input[e] != 0:
                    continue
                dst = graph.edge_dst[e]
                op = graph.ops[dst]
                if dst in carried or op not in phase.PASS_THROUGH_OPS:
                    continue
                carried[dst] = carried[node] ^ (op == "LogicalNot")
                reached.append(dst)
        frontier = reached
    return carried


def _gates(
    graph: Graph, carried: dict[int, bool]
) -> tuple[dict[int, bool], dict[int, bool], list[int], dict[int, list[tuple[object, bool]]]]:
    """Switches and Ifs whose predicate the flag decides (with the value that takes output 1 / the then
    branch), Selects reading it, and the calls that run such Ifs inside their function (``phase.wrapped_gates``),
    with the If NodeDefs and their values."""
    switches: dict[int, bool] = {}
    ifs: dict[int, bool] = {}
    selects: list[int] = []
    wrapped: dict[int, list[tuple[object, bool]]] = {}
    for node, edges in graph.out_edges_of(carried).items():
        for e in edges:
            if graph.edge_control[e]:
                continue
            dst, position, op = graph.edge_dst[e], graph.edge_input[e], graph.ops[graph.edge_dst[e]]
            if op in SWITCH_OPS and position == 1:
                switches[dst] = carried[node]
            elif op in IF_OPS and position == 0:
                ifs[dst] = carried[node]
            elif op in SELECT_OPS and position == 0:
                selects.append(dst)
            elif op in phase.WRAPPING_CALLS or op in graph.functions:
                inner = [(g, v) for g, v in phase.wrapped_gates(graph, dst, position, carried[node]) if g.op in IF_OPS]
                if inner:
                    wrapped.setdefault(dst, []).extend(inner)
    return switches, ifs, sorted(set(selects)), wrapped


def _liveness(graph: Graph, switches: dict[int, bool]) -> dict[int, int]:
    """The mask of every op that does not run in both phases (absent: it runs in both).

    Values start at BOTH and only ever lose bits, so the worklist ends; a loop's back edge is left out of its
    Merge, so the iteration works on a DAG and finds its one solution. Ops are taken in graph order (inputs
    usually come first), so most are visited once.
    """
    live: dict[int, int] = {}
    src_col, dst_col, out_col = graph.edge_src, graph.edge_dst, graph.edge_output
    control_col, ops, in_start = graph.edge_control, graph.ops, graph.in_start
    switch_side = {}  # (switch, output) -> the phase that output is live in
    for switch, polarity in switches.items():
        switch_side[switch, 0], switch_side[switch, 1] = (FALSE, TRUE) if polarity else (TRUE, FALSE)

    def edge_mask(e: int) -> int:
        src = src_col[e]
        mask = live.get(src, BOTH)
        if src in switches and not control_col[e]:
            mask &= switch_side.get((src, out_col[e]), BOTH)
        return mask

    def node_mask(node: int) -> int:
        edges = range(in_start[node], in_start[node + 1])
        if ops[node] in MERGE_OPS:
            mask = NEVER
            data_inputs = 0
            for e in edges:
                if control_col[e] or ops[src_col[e]] in BACK_EDGE_OPS:
                    continue
                data_inputs += 1
                mask |= edge_mask(e)
            if not data_inputs:
                mask = BOTH
            for e in edges:
                if control_col[e]:
                    mask &= edge_mask(e)
            return mask
        mask = BOTH
        for e in edges:
            mask &= edge_mask(e)
            if not mask:
                break
        return mask

    queue = sorted({dst_col[e] for edges in graph.out_edges_of(switches).values() for e in edges})
    queued = set(queue)
    while queue:
        node = heapq.heappop(queue)
        queued.discard(node)
        mask = node_mask(node)
        if mask != live.get(node, BOTH):
            live[node] = mask
            for e in graph.out_edges(node):
                dst = dst_col[e]
                if dst not in queued:
                    queued.add(dst)
                    heapq.heappush(queue, dst)
    return live


def function_args_used(function) -> set[int]:
    """Positions of a function's arguments that its body or its outputs use."""
    names = {arg.name: i for i, arg in enumerate(function.signature.input_arg)}
    used: set[int] = set()
    for node_def in function.node_def:
        for raw in node_def.input:
            head = raw.lstrip("^").split(":", 1)[0]
            if head in names:
                used.add(names[head])
    for value in function.ret.values():
        head = value.split(":", 1)[0]
        if head in names:
            used.add(names[head])
    return used


def function_op_count(graph: Graph, name: str, memo: dict[str, int], active: frozenset = frozenset()) -> int:
    """Ops in a function's body plus, for each call in it, the called function's (a recursive call adds none).

    Walked with a stack of its own, callees first: a chain of thousands of functions calling one another is legal
    and must not exhaust Python's recursion limit.
    """
    if name in memo:
        return memo[name]
    if graph.functions.get(name) is None or name in active:
        return 0
    on_path = set(active)  # the functions being counted, from the first down to the one on top of the stack
    stack: list[tuple[str, tuple[int, list[str]] | None]] = [(name, None)]
    while stack:
        current, body = stack[-1]
        if body is None:
            if current in memo:
                stack.pop()
                continue
            body = _function_calls(graph, current)
            stack[-1] = (current, body)
            on_path.add(current)
            waiting = [
                callee
                for callee in dict.fromkeys(body[1])
                if callee not in memo and callee not in on_path and callee in graph.functions
            ]
            if waiting:
                stack.extend((callee, None) for callee in waiting)
                continue
        own, callees = body
        memo[current] = own + sum(0 if callee in on_path else memo.get(callee, 0) for callee in callees)
        on_path.discard(current)
        stack.pop()
    return memo[name]


def _function_calls(graph: Graph, name: str) -> tuple[int, list[str]]:
    """(ops in a function's body, the function called at each call site in it, repeated per call)."""
    function = graph.functions[name]
    callees: list[str] = []
    for node_def in function.node_def:
        if node_def.op in phase.CALL_OPS or node_def.op in graph.functions:
            callees.extend(phase._functions_called(node_def) + [node_def.op])
    return len(function.node_def), callees


def _branch_calls(graph: Graph, ifs: dict[int, bool], memo: dict[str, int]) -> list[BranchCall]:
    calls = []
    for node, polarity in sorted(ifs.items()):
        try:
            attr = graph.node_defs[node].attr
        except NodeDefUnreadable:
            continue  # its branches cannot be named
        calls.append(_branch_call(graph, node, attr, polarity, memo))
    return calls


def _wrapped_branch_calls(graph: Graph, wrapped: dict, memo: dict[str, int]) -> list[BranchCall]:
    """The Ifs run inside calls, each as a BranchCall of the call op (the op of the drawn graph that runs it)."""
    return [
        _branch_call(graph, node, gate.attr, polarity, memo)
        for node, gates in sorted(wrapped.items())
        for gate, polarity in gates
    ]


def _branch_call(graph: Graph, node: int, attr, polarity: bool, memo: dict[str, int]) -> BranchCall:
    """The call of an If's branches (``attr``: the If's attributes), ``polarity`` the flag's value for its then."""
    then_name = attr["then_branch"].func.name if "then_branch" in attr else ""
    else_name = attr["else_branch"].func.name if "else_branch" in attr else ""
    when_true, when_false = (then_name, else_name) if polarity else (else_name, then_name)
    return BranchCall(
        node,
        when_true,
        when_false,
        function_op_count(graph, when_true, memo),
        function_op_count(graph, when_false, memo),
    )


def _used_only_when(
    graph: Graph, live: dict[int, int], switches: dict[int, bool], branches: list[BranchCall], ifs: dict[int, bool]
) -> dict[int, int]:
    """Ops that run in both phases but whose result only one phase uses: mask of the phases that use it.

    Use flows backwards: a value entering a gated Switch is used in the phases of the outputs that are read, a
    value entering a gated If in the phases whose branch reads that argument, any other value wherever its
    consumer runs or is used. Values only lose bits from BOTH.

    Each op's use is the union of terms (a mask and the op whose use it follows); it keeps, per phase, how many
    of its terms still allow that phase, so an op loses a phase when its last term does. Each term is counted
    once and retired at most once per phase: linear in the edges reached, however many ops read one value (a
    flag read by thousands of layers was re-examined whole each time one of them changed).
    """
    args_used: dict[int, dict[bool, set[int]]] = {}
    by_function: dict[str, set[int]] = {}  # a function is often called by several Ifs (gradients, copies)
    for call in branches:
        for name in (call.when_true, call.when_false):
            if name not in by_function:
                by_function[name] = function_args_used(graph.functions[name]) if name in graph.functions else set()
        args_used[call.node] = {True: by_function[call.when_true], False: by_function[call.when_false]}
    used: dict[int, int] = {}
    src_col, dst_col, out_col = graph.edge_src, graph.edge_dst, graph.edge_output
    control_col, input_col = graph.edge_control, graph.edge_input

    def need(node: int) -> int:
        return live[node] if node in live else used.get(node, BOTH)

    def terms(node: int):
        """(mask, op): ``node``'s value is used where ``op``'s is, within ``mask``."""
        for e in graph.out_edges(node):
            dst = dst_col[e]
            control = control_col[e]
            polarity = switches.get(dst)
            if polarity is not None and not control and input_col[e] == 0:
                for out in graph.out_edges(dst):
                    side = BOTH if control_col[out] else (TRUE if (out_col[out] == 1) == polarity else FALSE)
                    yield side, dst_col[out]
            elif dst in args_used and not control and input_col[e] >= 1:
                position = input_col[e] - 1
                mask = NEVER
                for value, positions in args_used[dst].items():
                    if position in positions:
                        mask |= phase_mask(value)
                yield mask, dst
            else:
                yield BOTH, dst

    counts: dict[int, list[int]] = {}  # op -> [terms allowing FALSE, terms allowing TRUE]
    # op -> the terms that follow its use: (op, the phases the term allowed when counted)
    readers: dict[int, list[tuple[int, int]]] = {}
    losses: list[tuple[int, int]] = []  # (op, the phases its use just lost)

    def start(node: int) -> None:
        if node in counts or node in live:
            return  # counted already, or runs in one phase only: already reported as such
        count = counts[node] = [0, 0]
        if not graph.out_edges(node):
            return  # an end of the graph: fetched, or run for its effect
        for mask, dep in terms(node):
            allowed = mask & need(dep)  # a loss of ``dep``'s still waiting below is not counted twice
            readers.setdefault(dep, []).append((node, allowed))
            count[0] += allowed & FALSE != 0
            count[1] += allowed & TRUE != 0
        value = (FALSE if count[0] else NEVER) | (TRUE if count[1] else NEVER)
        if value != BOTH:
            used[node] = value
            losses.append((node, BOTH & ~value))

    def dependents(node: int):
        """The ops with a term on ``node``: its inputs, and the values entering a gated Switch it reads."""
        for e in graph.in_edges(node):
            src = src_col[e]
            yield src
            if src in switches:
                for f in graph.in_edges(src):
                    if input_col[f] == 0 and not control_col[f]:
                        yield src_col[f]

    entries = set(switches) | set(ifs) | set(live)
    for node in sorted({src_col[e] for entry in entries for e in graph.in_edges(entry)}):
        start(node)
    while losses:
        node, lost = losses.pop()
        for reader, allowed in readers.get(node, ()):
            count = counts[reader]
            before = used.get(reader, BOTH)
            after = before
            for bit, slot in ((FALSE, 0), (TRUE, 1)):
                if lost & allowed & bit:
                    count[slot] -= 1
                    if not count[slot]:
                        after &= ~bit
            if after != before:
                used[reader] = after
                losses.append((reader, before & ~after))
        for dep in dependents(node):
            start(dep)
    return used


def _const_bool(graph: Graph, node: int, depth: int = 0) -> bool | None:
    """The value of a scalar boolean constant (through Identity), else None."""
    op = graph.ops[node]
    if op in ("Identity", "Snapshot") and depth < 8:
        for e in graph.in_edges(node):
            if graph.edge_input[e] == 0 and not graph.edge_control[e]:
                return _const_bool(graph, graph.edge_src[e], depth + 1)
        return None
    if op != "Const":
        return None
    try:
        attr = graph.node_defs[node].attr
    except NodeDefUnreadable:
        return None
    if "value" not in attr or attr["value"].tensor.dtype != DT_BOOL:
        return None
    tensor = attr["value"].tensor
    if any(d.size != 1 for d in tensor.tensor_shape.dim):
        return None
    if tensor.bool_val:
        return bool(tensor.bool_val[0])
    if tensor.tensor_content:
        return tensor.tensor_content[0] != 0
    return False  # a tensor proto with no values holds zeros


def _data_input(graph: Graph, node: int, position: int) -> int | None:
    for e in graph.in_edges(node):
        if graph.edge_input[e] == position and not graph.edge_control[e]:
            return graph.edge_src[e]
    return None


def _writers(graph: Graph, variable: int) -> list[int]:
    return sorted(
        graph.edge_dst[e]
        for e in graph.out_edges(variable)
        if graph.edge_input[e] == 0
        and not graph.edge_control[e]
        and graph.ops[graph.edge_dst[e]] in phase.VARIABLE_WRITER_OPS
    )


def flag_default(graph: Graph, source: phase.PhaseSource, writers: list[int]) -> bool | None:
    """PlaceholderWithDefault's constant default; a variable's constant initial value (its initializer is
    ``<variable>/Assign``); None for a flag that must be fed (Placeholder, function argument)."""
    if source.op == "PlaceholderWithDefault":
        value = _data_input(graph, source.index, 0)
        return None if value is None else _const_bool(graph, value)
    if source.op in phase.VARIABLE_OPS:
        initializer = source.name + "/Assign"
        for writer in writers:
            if graph.names[writer] == initializer:
                value = _data_input(graph, writer, 1)
                return None if value is None else _const_bool(graph, value)
    return None


def resolve_flag(graph: Graph, source: phase.PhaseSource, memo: dict[str, int]) -> FlagRuns:
    carried = polarities(graph, source.index)
    switches, ifs, selects, wrapped = _gates(graph, carried)
    live = _liveness(graph, switches)
    branches = _branch_calls(graph, ifs, memo)
    # What an If's branches read is the If's own inputs; a call's are not its If's: only the Ifs of the graph here.
    used = _used_only_when(graph, live, switches, branches, ifs)
    branches += _wrapped_branch_calls(graph, wrapped, memo)
    variable = source.op in phase.VARIABLE_OPS
    writers = _writers(graph, source.index) if variable else []
    return FlagRuns(
        source=source,
        default=flag_default(graph, source, writers),
        variable=variable,
        writers=[graph.names[w] for w in writers],
        only_when={
            True: sorted(n for n, m in live.items() if m == TRUE),
            False: sorted(n for n, m in live.items() if m == FALSE),
        },
        never=sorted(n for n, m in live.items() if m == NEVER),
        branches=branches,
        used_only_when={
            value: sorted(n for n, m in used.items() if m == phase_mask(value) and graph.ops[n] not in PLUMBING_OPS)
            for value in (True, False)
        },
        selects=selects,
    )


def resolve_phases(graph: Graph, analysis: phase.PhaseAnalysis) -> PhaseRuns:
    """What runs in each phase, for every flag the phase analysis found."""
    memo: dict[str, int] = {}
    return PhaseRuns([resolve_flag(graph, source, memo) for source in analysis.sources])
