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
as they were written.

A step run in a loop is inlined too, once: with ``steps_per_execution`` above 1, Keras 3's traced
``multi_step_on_iterator`` is a ``While`` whose body calls ``one_step_on_data`` inside an ``If`` (is there a next
batch?). Left there, the model is out of reach of every answer (the summary was one row, ``while``, holding every
variable). The call is hoisted to the graph's level beside the loop, with what it reads inside the loop's bodies
(the batch taken from the iterator's optional) and the loop's own inputs for its arguments (the iterator, the
variables), named as in the bodies under the loop's scope (``graph_22/while/cond/StatefulPartitionedCall``); it
is then inlined like any call. Its ``NoOp`` names the ops it was found within (``_inlined_within``). The loop's
functions are left as they were: opened, they still show the call. tf_keras's multi-step loop calls nothing: its
body takes each batch from the iterator and runs the step itself, and is copied out whole, once. A loop that
takes no batch of its own (a recurrent layer's) stays a loop. Pure: protobuf only.
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
# ... and, for a call hoisted out of a loop or a branch, the control-flow ops it was found within.
WITHIN_ATTR = "_inlined_within"
# The attribute of a loop turned NoOp (its step hoisted out and inlined) that names its op.
LOOP_ATTR = "_inlined_loop"
_LOOP_OPS = frozenset({"While", "StatelessWhile"})
# Control-flow ops: the attributes naming their bodies, and how many of their inputs precede the bodies'
# arguments (an If's and a Case's first input is the condition or the branch index).
_BODIES = {
    "While": (("body",), 0),
    "StatelessWhile": (("body",), 0),
    "If": (("then_branch", "else_branch"), 1),
    "StatelessIf": (("then_branch", "else_branch"), 1),
    "Case": (("branches",), 1),
    "StatelessCase": (("branches",), 1),
}
# A TF2 SavedModel's wrapper of each signature's function, and the prefix of the inputs TensorFlow makes for the
# ``serving_default`` signature (``serving_default_<input>``).
SIGNATURE_WRAPPER = "__inference_signature_wrapper_"
SERVING_DEFAULT = "serving_default_"
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
    if not any(map(inlinable, functions)) and not any(node.op in _LOOP_OPS for node in graph.node):
        return graph
    names = {node.name for node in graph.node}
    nodes = list(graph.node)
    hoisted, loops = _hoist_looped_calls(nodes, functions, names)
    if hoisted:
        nodes = _loops_as_noops(nodes, loops) + hoisted
        names.update(node.name for node in hoisted)
    nodes, inlined = _inline_nested(nodes, functions, names)
    if not inlined and not hoisted:
        return graph
    return _rebuilt(graph, nodes, inlined)


def serves_signatures(graph) -> bool:
    """Whether a read graph (graph_model.Graph) is a TF2 SavedModel's: its library holds signature wrappers."""
    return any(name.startswith(SIGNATURE_WRAPPER) for name in graph.functions)


def inline_serving_call(graph: graph_pb2.GraphDef) -> tuple[graph_pb2.GraphDef, str]:
    """A TF2 SavedModel's graph with one serving signature's call inlined, and the calls inside it (MAX_DEPTH
    deep), and that call's name; ``(graph, "")`` when it calls no signature wrapper.

    A TF2 SavedModel's graph holds the model's variables and a call of each signature's wrapper (``serve``,
    ``serving_default``), beside the traced save and restore; the model's ops are in the wrapped function. Left a
    call, the summary had only the variables to go by: rows typed ``Weights``, no shapes, in no data-flow order.
    One signature is inlined (``serving_default``'s where its inputs say so, else the first): the others run the
    same model on the same variables, and a second copy would list every layer twice. The save and restore calls
    stay calls (the checkpoint's machinery)."""
    functions = {f.signature.name: f for f in graph.library.function}
    wrappers = [
        node for node in graph.node if _callee(node) in functions and _callee(node).startswith(SIGNATURE_WRAPPER)
    ]
    if not wrappers:
        return graph, ""
    call = next((node for node in wrappers if any(raw.startswith(SERVING_DEFAULT) for raw in node.input)), wrappers[0])
    names = {node.name for node in graph.node}
    under = call.name + "/"
    # Only the chosen call and the calls its body makes are inlined.
    nodes, inlined = _inline_nested(
        list(graph.node), functions, names, lambda name: name == call.name or name.startswith(under)
    )
    return (_rebuilt(graph, nodes, inlined), call.name) if inlined else (graph, "")


def _inline_nested(nodes, functions, names, chosen=None) -> tuple[list, set[str]]:
    """``nodes`` with the calls ``_calls_to_inline`` picks inlined, and those their bodies make, MAX_DEPTH deep
    (of the calls ``chosen(name)`` accepts, when given); and every function inlined."""
    inlined: set[str] = set()
    for _ in range(MAX_DEPTH):
        calls = _calls_to_inline(nodes, functions, names, inlined)
        if chosen is not None:
            calls = {name: function for name, function in calls.items() if chosen(name)}
        if not calls:
            break
        nodes = _inline(nodes, calls, functions)
        names = {node.name for node in nodes}
        inlined.update(calls.values())
    return nodes, inlined


def _rebuilt(graph: graph_pb2.GraphDef, nodes, inlined: set[str]) -> graph_pb2.GraphDef:
    """The GraphDef of ``nodes``, its library without the functions inlined that nothing names any more."""
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


def _hoist_looped_calls(nodes, functions, names: set[str]) -> tuple[list, set[str]]:
    """Copies at the graph's level of the calls of inlinable functions called once in all, each found in the
    body of a loop of the graph's level (or in a branch within it), with the bodies' nodes they read (see the
    module's docstring), and the names of the loops that held them. A call whose copies would clash with a name,
    or that reads what cannot be followed out of the bodies, is left alone."""
    everywhere = Counter(callee for node in nodes if (callee := _callee(node)))
    for function in functions.values():
        everywhere.update(callee for node in function.node_def if (callee := _callee(node)))
    once = {f for f, count in everywhere.items() if count == 1 and f in functions and inlinable(f)}
    once.difference_update(_callee(node) for node in nodes)  # called at the graph's level: inlined as it is
    hoisted: list = []
    loops: set[str] = set()
    taken = set(names)
    for node in nodes:
        if node.op in _LOOP_OPS:
            leaf = node.name.rpartition("/")[2]
            scope = node.name[: len(node.name) - len(leaf)]
            before = len(hoisted)
            top = _Frame(None, {}, None, {})
            body = _steps_body(node, functions)
            if body is not None:
                # The loop takes its batches itself (tf_keras's steps_per_execution): each pass is a whole step.
                frame = _frame_of(node, body, top)
                copies = _copied_out(list(body.node_def), frame, scope, leaf, taken, hoisted, follow_control=True)
                if copies:
                    copies[-1].attr[WITHIN_ATTR].s = f"{node.name} ({body.signature.name})".encode()
            elif once:
                _hoist_within(node, [top], functions, once, scope, leaf, hoisted, taken, [])
            if len(hoisted) > before:
                loops.add(node.name)
    return hoisted, loops


# Ops that take a batch from an input pipeline: a loop whose body runs one reads its batches itself.
_BATCH_READS = frozenset({"IteratorGetNext", "IteratorGetNextSync"})


def _steps_body(loop, functions):
    """The body of a loop that runs whole steps (it takes a batch from an iterator and writes variables), else
    None. A recurrent layer's loop reads no iterator."""
    if "body" not in loop.attr:
        return None
    body = functions.get(loop.attr["body"].func.name)
    if body is None:
        return None
    ops = {node.op for node in body.node_def}
    writes = any(op.startswith(("Assign", "ResourceApply")) for op in ops)
    return body if writes and ops & _BATCH_READS else None


def runs_steps_in_a_loop(graph) -> bool:
    """Whether a read graph (graph_model.Graph) has a loop at its level that runs whole steps (see _steps_body):
    a run graph is then read whole and inlined. Asked of the ops column first: free for a graph without loops."""
    if not graph.functions:
        return False
    for index in graph.columns.op_in(_LOOP_OPS).nonzero()[0].tolist():
        try:
            loop = graph.node_defs[index]
        except Exception:  # noqa: BLE001 - a node whose attributes cannot be read is no loop to inline
            continue
        if _steps_body(loop, graph.functions) is not None:
            return True
    return False


# What a run graph holds beside the call of its step when the step is compiled whole (tf_keras's
# ``jit_compile=True``): the iterator and its batch, the variables' handles, the step's result and its NoOp.
_AROUND_A_CALLED_STEP = frozenset({"Placeholder", "IteratorGetNext", "Identity", "NoOp", "Const"})


def runs_its_step_in_a_call(graph) -> bool:
    """Whether a read graph (graph_model.Graph) is a run graph whose step runs in one call of a traced function
    and nothing else computes (tf_keras's train function compiled with XLA: the model, its loss, the gradients and
    the optimizer are all in ``__inference_run_step_<n>``): a run graph is then read whole and the call inlined.
    Asked of the ops column first: free for a graph that computes at its own level."""
    if not graph.functions:
        return False
    columns = graph.columns
    if any(op not in _AROUND_A_CALLED_STEP and op not in CALL_OPS for op in columns.op_names):
        return False
    calls = columns.op_in(CALL_OPS).nonzero()[0].tolist()
    if len(calls) != 1:
        return False
    try:
        call = graph.node_defs[calls[0]]
    except Exception:  # noqa: BLE001 - a call whose attributes cannot be read is not inlined
        return False
    callee = _callee(call)
    return callee is not None and callee in graph.functions and inlinable(callee)


def _frame_of(op, body, parent: "_Frame") -> "_Frame":
    _, skipped = _BODIES.get(op.op, ((), 0))
    data_inputs = [raw for raw in op.input if not raw.startswith("^")][skipped:]
    arguments = {arg.name: data_inputs[i] for i, arg in enumerate(body.signature.input_arg) if i < len(data_inputs)}
    return _Frame(body, arguments, parent, {n.name: n for n in body.node_def})


def _loops_as_noops(nodes, loops: set[str]) -> list:
    """The loops whose step was hoisted, each now a ``NoOp`` of its name that waits on what it read (keeping its
    attributes: its body still opens), as a call inlined is one; a read of a loop's output waits on it instead.
    Left a loop, it read every variable the step reads, the optimizer's slots among them, as the model's op."""
    out = []
    for node in nodes:
        if node.name in loops:
            loop = node_def_pb2.NodeDef(name=node.name, op="NoOp", device=node.device)
            for key, value in node.attr.items():
                loop.attr[key].CopyFrom(value)
            loop.attr[LOOP_ATTR].s = node.op.encode()
            loop.input.extend(dict.fromkeys("^" + raw.lstrip("^").partition(":")[0] for raw in node.input))
            node = loop
        elif any(raw.partition(":")[0] in loops for raw in node.input):
            inputs = [("^" + raw.partition(":")[0]) if raw.partition(":")[0] in loops else raw for raw in node.input]
            node = node_def_pb2.NodeDef.FromString(node.SerializeToString())
            del node.input[:]
            node.input.extend(dict.fromkeys(inputs))
        out.append(node)
    return out


class _Frame:
    """One level of bodies: the function's nodes by name, its arguments mapped to the raw inputs (in the level
    above) that feed them, and the copies made of its nodes (body name -> copied name)."""

    def __init__(self, function, arguments: dict, parent, ops: dict):
        self.function, self.arguments, self.parent, self.ops = function, arguments, parent, ops
        self.copies: dict[str, str] = {}


def _hoist_within(op, frames, functions, once, scope, leaf, hoisted, taken, path) -> None:
    if len(frames) > MAX_DEPTH:
        return
    attrs, _ = _BODIES.get(op.op, ((), 0))
    bodies = []
    for attr in attrs:
        if attr in op.attr:
            value = op.attr[attr]
            bodies += [value.func.name] if value.HasField("func") else [f.name for f in value.list.func]
    for name in bodies:
        body = functions.get(name)
        if body is None:
            continue
        frame = _frame_of(op, body, frames[-1])
        inner_path = [*path, f"{op.name} ({name})"]
        for inner in body.node_def:
            callee = _callee(inner)
            if callee in once:
                once.discard(callee)
                copies = _copied_out([inner], frame, scope, leaf, taken, hoisted)
                if copies:
                    copies[-1].attr[WITHIN_ATTR].s = " > ".join(inner_path).encode()
            elif inner.op in _BODIES:
                _hoist_within(inner, [*frames, frame], functions, once, scope, leaf, hoisted, taken, inner_path)


def _copied_out(targets, frame: _Frame, scope: str, leaf: str, taken: set[str], hoisted: list, follow_control=False):
    """Copies at the graph's level of ``targets`` (nodes of ``frame``'s body; a call copied last is the last
    copy) with what they read in the bodies, added to ``hoisted`` and returned; None (and nothing added) when a
    copy's name is taken or an input cannot be followed out of the bodies. ``follow_control``: what a copy waits on
    in its own body is copied too (a whole body's order); else it is left out."""
    made: list = []
    added: list[tuple[_Frame, str]] = []  # the copies made here, undone if they cannot all be made

    def renamed(body_name: str) -> str:
        # Body nodes are named in the scope the loop was made in (``while/cond/...`` for ``graph_22/while``).
        return scope + body_name if body_name.startswith(leaf + "/") else f"{scope}{leaf}/{body_name}"

    def resolve(raw: str, level: _Frame) -> str | None:
        if level.function is None:
            return raw  # a tensor of the graph's level
        name, _, rest = raw.partition(":")
        if name in level.arguments and not rest:
            return resolve(level.arguments[name], level.parent)
        node = level.ops.get(name)
        if node is None:
            return None
        copied = copy_of(node, level)
        if copied is None:
            return None
        position = _output_position(node, rest)
        return copied + (f":{position}" if position else "")

    def copy_of(node, level: _Frame) -> str | None:
        if node.name in level.copies:
            return level.copies[node.name]
        name = renamed(node.name)
        if name in taken:
            return None
        level.copies[node.name] = name
        taken.add(name)
        added.append((level, node.name))
        copy = node_def_pb2.NodeDef()
        copy.CopyFrom(node)
        copy.name = name
        del copy.input[:]
        for raw in node.input:
            if raw.startswith("^"):
                # What a copy waits on inside the loop: kept within a body copied whole, else not copied.
                waited = level.ops.get(raw[1:]) if follow_control else None
                copied = copy_of(waited, level) if waited is not None else None
                if copied is not None:
                    copy.input.append("^" + copied)
                continue
            resolved = resolve(raw, level)
            if resolved is None:
                return None
            copy.input.append(resolved)
        made.append(copy)
        return name

    if not all(copy_of(target, frame) is not None for target in targets):
        for level, body_name in added:  # nothing of what cannot be followed out is kept
            taken.discard(level.copies.pop(body_name))
        return None
    hoisted.extend(made)
    return made


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
    if WITHIN_ATTR in call.attr:
        done.attr[WITHIN_ATTR].CopyFrom(call.attr[WITHIN_ATTR])
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
