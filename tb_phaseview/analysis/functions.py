"""Function bodies of call ops (``If``/``StatelessIf`` branches, ``While`` cond and body, ``PartitionedCall``'s
``f``, ``Case`` branches), opened as groups. Pure: no TensorBoard import.

Ids (U+0192 ``\u0192`` never appears in a TensorFlow name): a call op opened is the group ``<call>/\u0192``, which
holds one group per function, ``<call>/\u0192<attr>`` (``then_branch``, ``branches[1]``); a node of that body
is ``<call>/\u0192<attr>/<body node>``, and a call inside a body opens the same way
(``<call>/\u0192then_branch/<inner call>/\u0192``). The body's arguments are nodes too
(``<call>/\u0192<attr>/<argument name>``), each tied to the call's input that feeds it.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from tb_phaseview.analysis.graph_model import Graph, NodeDefUnreadable

FUNCTION_MARK = "\u0192"
SEPARATOR = "/" + FUNCTION_MARK
# Calls opened inside bodies, one within another, that an id may name: a function calling itself opens without
# end, and each level is a lookup (an id 1,000 levels deep used to cost 1,000 walks of the body).
MAX_CALL_DEPTH = 64


class CallsTooDeep(ValueError):
    """A group or node id that opens more calls, one within another, than MAX_CALL_DEPTH."""


@dataclass
class FunctionIndex:
    """What requests ask of one function's body, built once per graph (a body of a million nodes took seconds
    and a gigabyte to walk, for every request). Small: a page of the body reads its own nodes' inputs."""

    nodes: dict  # body node name -> NodeDef (the first of a repeated name)
    order: list[str]  # body node names in the body's order, each once
    arguments: list[str]
    names: set[str]  # body nodes and arguments
    ops: Counter
    # body node or argument -> [(consumer body node, its raw input)]; built when a node's outputs are first asked
    consumers: dict | None = None


_INDEX_LOCK = threading.Lock()  # concurrent requests build one body's index once, not once each


def function_index(graph: Graph, name: str) -> FunctionIndex:
    index = graph.function_indexes.get(name)
    if index is not None:
        return index
    with _INDEX_LOCK:
        index = graph.function_indexes.get(name)
        if index is None:
            index = graph.function_indexes[name] = _build_index(graph.functions[name])
    return index


def function_ops(graph: Graph, name: str) -> Counter:
    """The ops of a function's body, counted once per graph (a group listing a call shows them): lighter than
    its whole index, which only opening the body needs."""
    key = ("ops", name)
    ops = graph.function_indexes.get(key)
    if ops is None:
        index = graph.function_indexes.get(name)
        ops = index.ops if index is not None else Counter(node.op for node in graph.functions[name].node_def)
        graph.function_indexes[key] = ops
    return ops


def _build_index(function) -> FunctionIndex:
    nodes: dict = {}
    for node in function.node_def:
        nodes.setdefault(node.name, node)
    arguments = [arg.name for arg in function.signature.input_arg]
    ops = Counter(node.op for node in function.node_def)
    return FunctionIndex(nodes, list(nodes), arguments, set(nodes) | set(arguments), ops)


def consumers(index: FunctionIndex) -> dict:
    """Body node or argument -> [(consumer, the consumer's raw input naming it)], built once."""
    if index.consumers is None:
        with _INDEX_LOCK:
            if index.consumers is None:
                consumers: dict = {}
                names = index.names
                for name, node in index.nodes.items():
                    for raw in node.input[:]:  # a slice copies the repeated field at once (upb)
                        source = raw.split(":", 1)[0].lstrip("^")
                        if source in names:
                            consumers.setdefault(source, []).append((name, raw))
                index.consumers = consumers
    return index.consumers


def argument_uses(graph: Graph, call_def, position: int, depth: int):
    """Each use of a call's argument ``position`` (counted among the call's arguments) in the bodies it calls, as
    (the body's index, the using node, its raw input naming the argument, its data inputs); where a body passes
    the argument on into a call of its own, that call's uses follow its own, ``depth`` calls deep."""
    if position < 0 or depth <= 0:
        return
    for _, name in functions_of(graph, call_def):
        index = function_index(graph, name)
        if position >= len(index.arguments):
            continue
        for consumer, raw in consumers(index).get(index.arguments[position], ()):
            body_def = index.nodes[consumer]
            inputs = [i for i in body_def.input if not i.startswith("^")]
            yield index, body_def, raw, inputs
            if raw in inputs and functions_of(graph, body_def):  # passed on into a call in the body
                inner = inputs.index(raw) - LEADING_NON_ARGUMENTS.get(body_def.op, 0)
                yield from argument_uses(graph, body_def, inner, depth - 1)


def argument_taken_by(graph: Graph, call_def, position: int, ops: frozenset, depth: int = 8) -> bool:
    """Whether a body the call ``call_def`` calls (or a call in it, ``depth`` deep) hands its argument ``position``
    to an op of ``ops`` as that op's first input (a variable's read or write)."""
    return any(
        body_def.op in ops and inputs[:1] == [raw]
        for _, body_def, raw, inputs in argument_uses(graph, call_def, position, depth)
    )


def _index_of(graph: Graph, function) -> FunctionIndex:
    return function_index(graph, function.signature.name)


# Call ops whose first input is not an argument of the functions (the condition, the branch index).
LEADING_NON_ARGUMENTS = {"If": 1, "StatelessIf": 1, "Case": 1, "StatelessCase": 1}


@dataclass
class Call:
    id: str  # the call op's id: a graph node name, or a body node's id
    op: str
    node_def: object
    inputs: list[str]  # ids of the nodes feeding its data inputs, in order (None where unknown)


@dataclass
class Body:
    id: str  # ``<call>/ƒ<attr>``
    call: Call
    attr: str
    function: object  # FunctionDef


def functions_of(graph: Graph, node_def) -> list[tuple[str, str]]:
    """(attr, function name) for every function of the library a call names in its attributes."""
    found = []
    for key in sorted(node_def.attr):
        value = node_def.attr[key]
        kind = value.WhichOneof("value")
        if kind == "func" and value.func.name in graph.functions:
            found.append((key, value.func.name))
        elif kind == "list":
            for i, func in enumerate(value.list.func):
                if func.name in graph.functions:
                    found.append((f"{key}[{i}]", func.name))
    if node_def.op in graph.functions:  # a function called as an op of its own name
        found.append(("op", node_def.op))
    return found


def _top_call(graph: Graph, name: str) -> Call | None:
    index = graph.index.get(name)
    if index is None:
        return None
    try:
        node_def = graph.node_defs[index]
    except NodeDefUnreadable:
        return None
    inputs = [None] * sum(1 for e in graph.in_edges(index) if not graph.edge_control[e])
    for e in graph.in_edges(index):
        if not graph.edge_control[e] and graph.edge_input[e] < len(inputs):
            inputs[graph.edge_input[e]] = graph.names[graph.edge_src[e]]
    return Call(name, graph.ops[index], node_def, inputs)


def _body_node_input(body_id: str, body_names: set[str], raw: str) -> str | None:
    name = raw.lstrip("^").split(":")[0]
    return f"{body_id}/{name}" if name in body_names else None


def _resolve(graph: Graph, group_id: str) -> tuple[Call | None, str | None]:
    """(the call, the attr of its body or "" for the call opened) a group id names; (None, None) if none."""
    parts = group_id.split(SEPARATOR)
    if len(parts) < 2:
        return None, None
    if len(parts) - 1 > MAX_CALL_DEPTH:
        raise CallsTooDeep(
            f"this id opens {len(parts) - 1:,} function calls one within another; PhaseView opens at most "
            f"{MAX_CALL_DEPTH} (a function that calls itself opens without end)"
        )
    call = _top_call(graph, parts[0])
    for part in parts[1:-1]:
        if call is None:
            return None, None
        attr, _, inner = part.partition("/")
        body = _body(graph, call, attr)
        if body is None or not inner:
            return None, None
        index = _index_of(graph, body.function)
        node_def = index.nodes.get(inner)
        if node_def is None:
            return None, None
        names = index.names
        inputs = [_body_node_input(body.id, names, raw) for raw in node_def.input if not raw.startswith("^")]
        call = Call(f"{body.id}/{inner}", node_def.op, node_def, inputs)
    if call is None or "/" in parts[-1]:
        return None, None
    return call, parts[-1]


def resolve_call(graph: Graph, group_id: str) -> Call | None:
    """The call op that the group ``<call>/\u0192`` opens (it calls at least one library function), or None."""
    call, attr = _resolve(graph, group_id)
    return call if call is not None and attr == "" and functions_of(graph, call.node_def) else None


def _body(graph: Graph, call: Call, attr: str) -> Body | None:
    for key, function_name in functions_of(graph, call.node_def):
        if key == attr:
            return Body(f"{call.id}{SEPARATOR}{attr}", call, attr, graph.functions[function_name])
    return None


def resolve_body(graph: Graph, body_id: str) -> Body | None:
    """The function body a group id names, or None."""
    call, attr = _resolve(graph, body_id)
    return _body(graph, call, attr) if call is not None and attr else None


def calls_functions(graph: Graph, node_def) -> bool:
    return bool(functions_of(graph, node_def))


def body_contents(graph: Graph, body: Body, limit: int | None = None) -> dict:
    """Arguments, nodes (the first ``limit`` with the arguments, and how many there are), the edges among those
    (counted per pair and kind), each argument's tie to the call's input, and which body node each output
    returns. Costs what it lists, not the body's size: the body is indexed once (function_index)."""
    function = body.function
    index = _index_of(graph, function)
    arguments = index.arguments
    skip = LEADING_NON_ARGUMENTS.get(body.call.op, 0)
    ties = []
    for i, argument in enumerate(arguments):
        position = skip + i
        source = body.call.inputs[position] if position < len(body.call.inputs) else None
        ties.append({"arg": f"{body.id}/{argument}", "input": source, "position": position})
    shown = index.order if limit is None else index.order[: max(0, limit - len(arguments))]
    listed = set(shown) | set(arguments)
    edges: Counter = Counter()
    for name in shown:
        to = f"{body.id}/{name}"
        for raw in index.nodes[name].input:
            source = raw.lstrip("^").split(":")[0]
            if source in listed:
                edges[(f"{body.id}/{source}", to, "control" if raw.startswith("^") else "data")] += 1
    returns = []
    for output in function.signature.output_arg:
        raw = function.ret.get(output.name, "")
        returns.append({"output": output.name, "from": _body_node_input(body.id, index.names, raw)})
    return {
        "arguments": arguments,
        "nodes": [index.nodes[name] for name in shown],
        "node_count": len(index.order),
        "edges": edges,
        "ties": ties,
        "returns": returns,
        "function": function.signature.name,
    }


@dataclass
class BodyNode:
    id: str  # ``<call>/ƒ<attr>/<body node or argument>``
    body: Body
    node_def: object | None  # None for an argument
    argument: int | None  # the argument's position among the function's arguments


def resolve_body_node(graph: Graph, node_id: str) -> BodyNode | None:
    """The node (or argument) of a function body an id names, or None. A body node's own name may hold
    ``/`` (traced functions keep their scopes), so everything after ``<attr>/`` is its name."""
    head, sep, last = node_id.rpartition(SEPARATOR)
    attr, _, inner = last.partition("/")
    if not sep or not attr or not inner:
        return None
    body = resolve_body(graph, f"{head}{SEPARATOR}{attr}")
    if body is None:
        return None
    index = _index_of(graph, body.function)
    if inner in index.nodes:
        return BodyNode(node_id, body, index.nodes[inner], None)
    arguments = index.arguments
    if inner in arguments:
        return BodyNode(node_id, body, None, arguments.index(inner))
    return None


def output_index(raw: str) -> int:
    """``MatMul:product:0`` (a body's tensor name) -> 0; a plain name is output 0."""
    tail = raw.rpartition(":")[2]
    return int(tail) if ":" in raw and tail.isdigit() else 0


def body_node_edges(graph: Graph, node: BodyNode) -> tuple[list[dict], list[dict]]:
    """(inputs, outputs) of a body node as ``{"node", "kind", "output"}``: edges inside the body; an argument's
    input is the call's input that feeds it, and a node that a function output returns feeds the call."""
    body = node.body
    function = body.function
    index = _index_of(graph, function)
    names = index.names
    inputs: list[dict] = []
    if node.node_def is not None:
        for raw in node.node_def.input:
            source = _body_node_input(body.id, names, raw)
            if source is not None:
                kind = "control" if raw.startswith("^") else "data"
                inputs.append({"node": source, "kind": kind, "output": 0 if kind == "control" else output_index(raw)})
    else:
        position = LEADING_NON_ARGUMENTS.get(body.call.op, 0) + node.argument
        source = body.call.inputs[position] if position < len(body.call.inputs) else None
        if source is not None:
            inputs.append({"node": source, "kind": "data", "output": 0})
    local = node.id[len(body.id) + 1 :]
    outputs = [
        {
            "node": f"{body.id}/{consumer}",
            "kind": "control" if raw.startswith("^") else "data",
            "output": 0 if raw.startswith("^") else output_index(raw),
        }
        for consumer, raw in consumers(index).get(local, ())
    ]
    for output in function.signature.output_arg:
        raw = function.ret.get(output.name, "")
        if raw and _body_node_input(body.id, names, raw) == node.id:
            outputs.append({"node": body.call.id, "kind": "data", "output": output_index(raw)})
    return inputs, outputs
