"""A traced step's nested ``tf.function`` calls, inlined into the graph the way TensorFlow's own inliner does.

``tf.summary.trace_export`` records the functions traced while tracing was on, each one flat. A ``tf.function``
called from inside another is no graph of its own: it is a library function the outer one runs through a
``StatefulPartitionedCall``. Keras 3's ``fit`` works so: the traced ``multi_step_on_iterator`` is an iterator read
and one call of ``one_step_on_data``, whose body holds the model, its loss, the gradients, the optimizer and the
metrics. Left as a call, all of that is one op, and every answer about the step (the roles, the summary, the
parameters) is an answer about that op. Inlined, its body's nodes are nodes of the graph under the call's name as
their scope (``graph_22/StatefulPartitionedCall/model/conv/Conv2D``), their arguments the call's inputs, the
call's outputs their return values; a ``NoOp`` of the call's own name stands for the call having run (its
control consumers wait on it) and names the function in its ``_inlined_function`` attribute.

Only the calls of a trace's own ``tf.function`` bodies (``__inference_<name>_<n>``, called once) are inlined: the
forward and backward functions TensorFlow writes for gradients and the functions of control flow stay calls,
as they were written. Pure: protobuf only.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from tensorboard.compat.proto import graph_pb2, node_def_pb2

CALL_OPS = frozenset({"StatefulPartitionedCall", "PartitionedCall"})
# TensorFlow's names of the functions it writes for a tf.function's gradient: calls of those stay calls.
_GRADIENT_FUNCTIONS = ("__inference___backward_", "__inference___forward_")
# The attribute of the NoOp standing for an inlined call that names the function inlined.
INLINED_ATTR = "_inlined_function"
# Nested tf.functions inlined one within another, at most (a function that calls itself is never inlined).
MAX_DEPTH = 8

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "output_args.json")) as _table:
    # The output arguments of each TensorFlow op with more than one (scripts/make_output_args.py).
    OUTPUT_ARGS: dict[str, list[list[str]]] = json.load(_table)["ops"]


def inlinable(function_name: str) -> bool:
    return function_name.startswith("__inference_") and not function_name.startswith(_GRADIENT_FUNCTIONS)


def inline_traced_calls(graph: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    """``graph`` with each call of an inlinable library function that it calls once inlined (and the calls
    inside those bodies, MAX_DEPTH deep); ``graph`` itself when it has none. A function inlined is dropped from
    the library unless something else still names it."""
    functions = {f.signature.name: f for f in graph.library.function}
    if not any(map(inlinable, functions)):
        return graph
    names = {node.name for node in graph.node}
    nodes, inlined = list(graph.node), set()
    for _ in range(MAX_DEPTH):
        calls = _calls_to_inline(nodes, functions, names, inlined)
        if not calls:
            break
        nodes = _inline(nodes, calls, functions)
        names = {node.name for node in nodes}
        inlined.update(calls.values())
    if not inlined:
        return graph
    out = graph_pb2.GraphDef()
    out.versions.CopyFrom(graph.versions)
    out.node.extend(nodes)
    named = _functions_named(nodes, graph.library.function, inlined)
    for function in graph.library.function:
        if function.signature.name not in inlined or function.signature.name in named:
            out.library.function.add().CopyFrom(function)
    out.library.gradient.extend(graph.library.gradient)
    return out


def _callee(node) -> str | None:
    if node.op not in CALL_OPS or "f" not in node.attr:  # (indexing a missing key would add it)
        return None
    return node.attr["f"].func.name or None


def _calls_to_inline(nodes, functions, names, inlined) -> dict[str, str]:
    """Call name -> function, for the calls to inline now: of a library function called once in ``nodes``, not
    inlined before (one calling itself stops), whose scope ``<call>/`` holds no node yet (its nodes could clash)."""
    callees = {node.name: _callee(node) for node in nodes if node.op in CALL_OPS}
    counts = Counter(callees.values())
    calls = {
        call: function
        for call, function in callees.items()
        if function in functions and inlinable(function) and counts[function] == 1 and function not in inlined
    }
    if calls:
        taken = _scopes(names)
        calls = {call: function for call, function in calls.items() if call not in taken}
    return calls


def _scopes(names) -> set[str]:
    """Every scope that holds a node."""
    found: set[str] = set()
    for name in names:
        scope = name.rpartition("/")[0]
        while scope and scope not in found:
            found.add(scope)
            scope = scope.rpartition("/")[0]
    return found


def _inline(nodes, calls: dict[str, str], functions) -> list:
    out, returned = [], {}
    for node in nodes:
        function = calls.get(node.name)
        if function is None:
            out.append(node)
        else:
            out.extend(_body_nodes(node, functions[function], returned))
    if returned:
        # The calls' outputs, read by name elsewhere, are now their bodies' return values.
        for node in out:
            if any(_tensor_key(raw) in returned for raw in node.input):
                renamed = [returned.get(_tensor_key(raw), raw) for raw in node.input]
                del node.input[:]
                node.input.extend(renamed)
    return out


def _tensor_key(raw: str) -> str:
    return raw if raw.startswith("^") or ":" in raw else raw + ":0"


def _body_nodes(call, body, returned: dict) -> list:
    """The body's nodes renamed under the call, reading the call's inputs, and the call's NoOp; adds to
    ``returned`` what each of the call's outputs now is."""
    prefix = call.name + "/"
    data_inputs = [raw for raw in call.input if not raw.startswith("^")]
    arguments = {arg.name: data_inputs[i] for i, arg in enumerate(body.signature.input_arg) if i < len(data_inputs)}
    ops = {node.name: node for node in body.node_def}
    made = []
    for node in body.node_def:
        copy = node_def_pb2.NodeDef()
        copy.CopyFrom(node)
        copy.name = prefix + node.name
        del copy.input[:]
        copy.input.extend(_graph_tensor(raw, prefix, arguments, ops) for raw in node.input)
        made.append(copy)
    for position, arg in enumerate(body.signature.output_arg):
        if arg.name in body.ret:
            returned[f"{call.name}:{position}"] = _graph_tensor(body.ret[arg.name], prefix, arguments, ops)
    done = node_def_pb2.NodeDef(name=call.name, op="NoOp", device=call.device)
    done.attr[INLINED_ATTR].s = body.signature.name.encode()  # what the inspector shows of the call
    finished = [raw.split(":")[0] for raw in body.ret.values()] + list(body.control_ret.values())
    done.input.extend(dict.fromkeys("^" + prefix + name for name in finished if name in ops))
    done.input.extend(raw for raw in call.input if raw.startswith("^"))
    made.append(done)
    return made


def _graph_tensor(raw: str, prefix: str, arguments: dict, ops: dict) -> str:
    """A body's tensor name as the inlined graph's: an argument is the call's input; ``node:arg:i`` is
    ``<call>/node:k``, k the output's position among all the node's outputs."""
    control = raw.startswith("^")
    name, _, rest = (raw[1:] if control else raw).partition(":")
    if name in arguments and not rest:
        target = arguments[name]
        return "^" + target.partition(":")[0].lstrip("^") if control else target
    if control:
        return "^" + prefix + name
    position = _output_position(ops.get(name), rest)
    return prefix + name + (f":{position}" if position else "")


def _output_position(node, rest: str) -> int:
    """``arg:i`` of a body node -> its position among all the node's outputs (``y:0`` of FusedBatchNormV3 is 0,
    ``batch_mean:0`` is 1). An op with one output argument numbers its outputs as they come."""
    arg, _, index = rest.partition(":")
    index_value = int(index) if index.isdigit() else 0
    if not arg:
        return 0
    if arg.isdigit():  # already a position
        return int(arg)
    arguments = OUTPUT_ARGS.get(node.op) if node is not None else None
    if not arguments:
        return index_value
    position = 0
    for name, number_attr, type_list_attr in arguments:
        if name == arg:
            return position + index_value
        position += _length(node, number_attr, type_list_attr)
    return index_value


def _length(node, number_attr: str, type_list_attr: str) -> int:
    if number_attr:
        return node.attr[number_attr].i if number_attr in node.attr else 1
    if type_list_attr:
        return len(node.attr[type_list_attr].list.type) if type_list_attr in node.attr else 1
    return 1


def _functions_named(nodes, library, inlined) -> set[str]:
    """Of the inlined functions, those some node or library function still names in an attribute."""
    named: set[str] = set()

    def visit(attrs):
        for value in attrs.values():
            kind = value.WhichOneof("value")
            if kind == "func" and value.func.name in inlined:
                named.add(value.func.name)
            elif kind == "list":
                named.update(f.name for f in value.list.func if f.name in inlined)

    for node in nodes:
        if node.op in inlined:
            named.add(node.op)
        visit(node.attr)
    for function in library:
        if function.signature.name in inlined:
            continue
        for node in function.node_def:
            if node.op in inlined:
                named.add(node.op)
            visit(node.attr)
    return named
