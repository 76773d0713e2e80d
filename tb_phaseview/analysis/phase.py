"""Learning-phase analysis: which scalar booleans gate control flow, and which layers read them.

A learning-phase flag is found by what it does, not by its name: a scalar boolean Placeholder,
PlaceholderWithDefault, function argument or variable that, directly or through trivial derivations (Identity,
LogicalNot, a v1 ``cond``'s ``Switch``/``pred_id``/``switch_t``, a resource variable's ``ReadVariableOp``), is
the predicate of a ``Switch``, the condition of an ``If``/``StatelessIf``, or the condition of a ``Select``.
Pure: no TensorBoard import.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from itertools import compress

import numpy as np

from tb_phaseview.analysis.graph_model import Graph, NodeDefUnreadable

DT_BOOL = 10  # tensorflow.DataType.DT_BOOL

SOURCE_OPS = frozenset({"Placeholder", "PlaceholderWithDefault", "_Arg"})
# A flag kept in a variable (TFLearn's is_training) is set by assignment rather than fed. Variables are many
# in a model, so they are not scanned like placeholders: only those a gate's predicate leads back to are read.
VARIABLE_OPS = frozenset({"VariableV2", "Variable", "VarHandleOp"})
# Ops that take a variable as input to write, initialise or check it: they do not read the flag's value.
VARIABLE_WRITER_OPS = frozenset({"Assign", "AssignVariableOp"})
VARIABLE_BOOKKEEPING_OPS = VARIABLE_WRITER_OPS | {
    "VarIsInitializedOp",
    "IsVariableInitialized",
    "DestroyResourceOp",
    "SaveV2",
    "Save",
    "SaveSlices",
}
VARIABLE_READ_OPS = frozenset({"Identity", "ReadVariableOp", "RefIdentity", "Snapshot"})
# Ops whose output is the (possibly negated) flag itself: the flag flows through them unchanged in meaning.
# (tf.cond squeezes a predicate of unknown shape before its If; a resource variable is read by ReadVariableOp.)
PASS_THROUGH_OPS = frozenset(
    {
        "Identity",
        "LogicalNot",
        "Snapshot",
        "StopGradient",
        "Switch",
        "RefSwitch",
        "Squeeze",
        "Reshape",
        "ReadVariableOp",
        "RefIdentity",
    }
)
# (op, input position) pairs where a boolean decides which computation runs.
GATE_INPUTS = {
    "Switch": 1,
    "RefSwitch": 1,
    "If": 0,
    "StatelessIf": 0,
    "Select": 0,
    "SelectV2": 0,
}

# Name components that belong to a control-flow construct rather than to the layer that owns it.
CONTROL_FLOW_COMPONENT = re.compile(
    r"^(cond|smart_cond|switch_t|switch_f|pred_id|Switch|Merge|If|StatelessIf|Select|SelectV2)"
    r"(_\d+)?(_grad)?$"
)
# The scopes the gradient code writes into: tf.gradients' (``gradients``, ``gradients_1``) and GradientTape's.
GRADIENT_COMPONENT = re.compile(r"^(gradients(_\d+)?|gradient_tape)$")

BATCH_NORM_OPS = frozenset(
    {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "BatchNormWithGlobalNormalization"}
)
RANDOM_OPS = frozenset(
    {
        "RandomUniform",
        "StatelessRandomUniform",
        "StatelessRandomUniformV2",
        "StatelessRandomUniformFullIntV2",
        "RandomUniformInt",
        "StatelessRandomBinomial",
    }
)
# Ops that run functions of the graph's library, named in their attributes.
CALL_OPS = frozenset(
    {
        "If",
        "StatelessIf",
        "While",
        "StatelessWhile",
        "Case",
        "StatelessCase",
        "PartitionedCall",
        "StatefulPartitionedCall",
    }
)
BATCH_NORMALIZATION = "BatchNormalization"
DROPOUT = "Dropout"
OTHER = "other"


@dataclass
class PhaseSource:
    index: int
    name: str
    op: str
    layers: list[str] = field(default_factory=list)  # sorted layer scopes that read the flag
    born_in: str | None = None  # the layer scope it was created in, when that layer reads it


@dataclass
class PhaseLayer:
    layer: str
    kind: str
    source: str


@dataclass
class PhaseAnalysis:
    sources: list[PhaseSource]
    layers: list[PhaseLayer]
    carriers: dict[int, int]  # node index -> index of the source whose value it carries
    phase_edges: list[int]  # edge ids whose source node is a carrier
    consumers: dict[int, str]  # node index of a non-carrier reading a carrier -> its layer scope


def _attr_type(node_def, key: str):
    attr = node_def.attr
    return attr[key].type if key in attr else None


def _is_scalar_or_unknown(node_def) -> bool:
    attr = node_def.attr
    for key in ("shape", "_output_shapes"):
        if key not in attr:
            continue
        value = attr[key]
        shape = value.shape if key == "shape" else (value.list.shape[0] if value.list.shape else None)
        if shape is None or shape.unknown_rank:
            return True
        return len(shape.dim) == 0
    return True


def is_bool_scalar_input(graph: Graph, node: int) -> bool:
    op = graph.ops[node]
    if op not in SOURCE_OPS and op not in VARIABLE_OPS:
        return False
    try:
        node_def = graph.node_defs[node]
    except NodeDefUnreadable:
        return False  # its dtype cannot be read: not taken for a flag
    dtype = _attr_type(node_def, "T" if op == "_Arg" else "dtype")
    return dtype == DT_BOOL and _is_scalar_or_unknown(node_def)


def _strip_prefixes(parts: list[str]) -> tuple[list[str], bool]:
    """Drop what the gradient pass and function inlining put in front of a layer's scope.

    ``training/SGD/gradients/gradients/bn2a/cond_grad`` -> ``bn2a/cond_grad`` (a gradient: True);
    ``gradient_tape/model/bn/cond/StatelessIf`` -> ``model/bn/cond/StatelessIf`` (TF2's GradientTape: True);
    ``Func/bn1/cond_1/then/_21/output/_277`` -> ``bn1/cond_1/...`` (grappler's inlined function bodies).
    """
    gradient = False
    for i, part in enumerate(parts[:-1]):
        if GRADIENT_COMPONENT.match(part):
            parts, gradient = parts[i + 1 :], True
            break
    while len(parts) > 1 and (GRADIENT_COMPONENT.match(parts[0]) or parts[0] == "Func"):
        parts = parts[1:]
    return parts, gradient


def layer_of(name: str) -> str:
    """The layer scope an op belongs to: gradient prefixes and control-flow scopes stripped.

    ``training/SGD/gradients/gradients/bn2a/cond_grad`` and ``bn2a/cond/Switch_1`` both belong to ``bn2a``.
    An op at the top level belongs to no layer (``""``).
    """
    parts, _ = _strip_prefixes(name.split("/"))
    kept = []
    for part in parts[:-1]:
        if CONTROL_FLOW_COMPONENT.match(part):
            break
        kept.append(part)
    return "/".join(kept)


def _gradient_layer(name: str, forward_layers: set[str]) -> str:
    """The forward layer a gradient op belongs to: the longest forward layer its stripped name starts with,
    read first under the scope the gradient code ran in (a traced function's ``graph_1/gradient_tape/model/bn``
    is ``graph_1/model/bn``'s), then alone (TF1's ``training/SGD/gradients/bn2a`` is ``bn2a``'s)."""
    all_parts = name.split("/")
    parts, _ = _strip_prefixes(all_parts)
    outer = next((all_parts[:i] for i, part in enumerate(all_parts[:-1]) if GRADIENT_COMPONENT.match(part)), [])
    for depth in range(len(parts) - 1, 0, -1):
        for candidate in ("/".join(outer + parts[:depth]), "/".join(parts[:depth])):
            if candidate in forward_layers:
                return candidate
    return ""


def is_gradient(name: str) -> bool:
    """True for an op of the gradient pass (``gradients/...``, ``training/SGD/gradients/...``,
    ``gradient_tape/...``)."""
    if "gradient" not in name:  # one scan in C settles most names (asked once per drawn phase edge)
        return False
    return _strip_prefixes(name.split("/"))[1]


def _carrier_closure(graph: Graph, source: int) -> set[int]:
    """The source plus every node that passes its value on unchanged (data input 0 from a carrier)."""
    carriers = {source}
    frontier = {source}
    while frontier:
        reached = set()
        _, _, dsts, positions, controls = graph.out_edge_rows(frontier)
        for dst, position, control in zip(dsts, positions, controls):
            if not control and position == 0 and dst not in carriers and graph.ops[dst] in PASS_THROUGH_OPS:
                carriers.add(dst)
                reached.add(dst)
        frontier = reached
    return carriers


def _gates_control_flow(graph: Graph, carriers: set[int]) -> bool:
    wrapping: dict[tuple[str, int], bool] = {}  # (function, argument) -> whether it gates: one scan per function
    _, _, dsts, positions, controls = graph.out_edge_rows(carriers)
    for dst, position, control in zip(dsts, positions, controls):
        if control:
            continue
        gate_input = GATE_INPUTS.get(graph.ops[dst])
        if gate_input is not None and position == gate_input:
            return True
        callee = callee_of(graph, dst)
        if callee is not None:
            key = (callee, position)
            if key not in wrapping:
                wrapping[key] = bool(_gates_in_function(graph, callee, position, True, 0, set()))
            if wrapping[key]:
                return True
    return False


# Calls whose function takes the caller's inputs as its arguments, in order. TF2 wraps a cond in one
# (``bn/cond/StatefulPartitionedCall`` calling ``__forward_cflow_gradient_wrapper_N``, its ``If`` inside) when
# more than one GradientTape records it: a GAN's two tapes, a gradient of a gradient.
WRAPPING_CALLS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})
_MAX_CALL_DEPTH = 8  # wrappers inside wrappers, looked into


def wrapped_gates(graph: Graph, call: int, position: int, polarity: bool = True) -> list[tuple[object, bool]]:
    """The gates inside the function a call op runs whose predicate is the call's input ``position``: each gate's
    NodeDef with the value of that input that takes its then branch (``polarity`` for the input itself)."""
    callee = callee_of(graph, call)
    return _gates_in_function(graph, callee, position, polarity, 0, set()) if callee is not None else []


def callee_of(graph: Graph, call: int) -> str | None:
    """The function a call op runs with its inputs as arguments, or None (not such a call, or unreadable)."""
    if graph.ops[call] in graph.functions:
        return graph.ops[call]
    if graph.ops[call] not in WRAPPING_CALLS:
        return None
    try:
        attr = graph.node_defs[call].attr
    except NodeDefUnreadable:
        return None
    return (attr["f"].func.name or None) if "f" in attr else None  # (indexing a missing key would add it)


def _gates_in_function(graph: Graph, function: str, position: int, polarity: bool, depth: int, seen: set):
    body = graph.functions.get(function)
    if body is None or position >= len(body.signature.input_arg) or (function, position) in seen:
        return []
    seen.add((function, position))  # a function calling itself adds nothing
    # The argument, then what passes it on (a function body is small: rescanned until nothing more does).
    carried = {body.signature.input_arg[position].name: polarity}
    grown = True
    while grown:
        grown = False
        for node in body.node_def:
            if node.op in PASS_THROUGH_OPS and node.name not in carried and node.input:
                source = node.input[0].partition(":")[0]
                if source in carried and not node.input[0].startswith("^"):
                    carried[node.name] = carried[source] ^ (node.op == "LogicalNot")
                    grown = True
    found = []
    for node in body.node_def:
        for k, raw in enumerate(node.input):
            source = raw.partition(":")[0]
            if raw.startswith("^") or source not in carried:
                continue
            if GATE_INPUTS.get(node.op) == k:
                found.append((node, carried[source]))
            elif depth < _MAX_CALL_DEPTH and (node.op in WRAPPING_CALLS or node.op in graph.functions):
                callee = (
                    node.op if node.op in graph.functions else (node.attr["f"].func.name if "f" in node.attr else "")
                )
                found += _gates_in_function(graph, callee, k, carried[source], depth + 1, seen)
    return found


def _functions_called(node_def) -> list[str]:
    """Names of functions a node calls through its attributes (If branches, PartitionedCall's f, ...)."""
    names = []
    for value in node_def.attr.values():
        kind = value.WhichOneof("value")
        if kind == "func":
            names.append(value.func.name)
        elif kind == "list":
            names.extend(f.name for f in value.list.func)
    return names


def _ops_in_functions(graph: Graph, roots: list[str], memo: dict[str, frozenset]) -> set[str]:
    """Op types inside the named functions and every function they call, memoised per function."""
    ops: set[str] = set()
    for root in roots:
        ops |= _function_ops(graph, root, memo)
    return ops


def _function_ops(graph: Graph, name: str, memo: dict[str, frozenset]) -> frozenset:
    """Op types inside one function and every function it calls, all depths.

    Walked with a stack of its own, children first: a chain of thousands of functions calling one another is
    legal and must not exhaust Python's recursion limit. A function met again while it is being walked (one that
    calls itself) counts as calling nothing there.
    """
    stack: list[tuple[str, tuple[set[str], list[str]] | None]] = [(name, None)]
    while stack:
        current, body = stack[-1]
        if body is None:
            if current in memo:
                stack.pop()
                continue
            memo[current] = frozenset()  # guard: a call back to a function on the stack adds nothing
            body = _function_body(graph, current)
            stack[-1] = (current, body)
            waiting = [callee for callee in body[1] if callee not in memo]
            if waiting:
                stack.extend((callee, None) for callee in waiting)
                continue
        ops, callees = body
        for callee in callees:
            ops |= memo[callee]
        memo[current] = frozenset(ops)
        stack.pop()
    return memo[name]


def _function_body(graph: Graph, name: str) -> tuple[set[str], list[str]]:
    """(op types of a function's own nodes, the functions those nodes call)."""
    ops: set[str] = set()
    callees: list[str] = []
    function = graph.functions.get(name)
    if function is not None:
        for node_def in function.node_def:
            ops.add(node_def.op)
            if node_def.op in CALL_OPS or node_def.op in graph.functions:
                callees.extend(_functions_called(node_def) + [node_def.op])
    return ops, callees


def _has_batch_norm_op(ops: set[str]) -> bool:
    # Optimised graphs rename fused kernels (_FusedBatchNormEx, _MklFusedBatchNormV3): match the stem too.
    return bool(ops & BATCH_NORM_OPS) or any("FusedBatchNorm" in op for op in ops)


def classify_layer(layer: str, ops: set[str]) -> str:
    """BatchNormalization, Dropout or other, from the op types found in the layer's scope."""
    if _has_batch_norm_op(ops):
        return BATCH_NORMALIZATION
    if ops & RANDOM_OPS or any(op.startswith(("RandomUniform", "StatelessRandomUniform")) for op in ops):
        return DROPOUT
    label = layer.rsplit("/", 1)[-1].lower()
    if "dropout" in label:
        return DROPOUT
    if "batch_norm" in label or "batchnorm" in label:
        return BATCH_NORMALIZATION
    # Unfused batch norm (moments, then a reciprocal square root of the variance).
    if {"Rsqrt", "Mean"} <= ops:
        return BATCH_NORMALIZATION
    return OTHER


def _layer_kinds(graph: Graph, layers: set[str], readers: dict[str, list[int]] | None = None) -> dict[str, str]:
    """The kind of each layer scope, from the op types below it and in the functions its nodes call.

    A batch norm op decides the kind outright, so a layer whose own reader of the flag calls one (a TF2 layer's
    ``If``, its branches holding the batch norm) is decided by that reader alone (``readers``: each layer's
    readers, by node). The other layers read every op of their scope: names sorted once make every scope a
    contiguous range ("a/" <= name < "a0", as "0" follows "/"), and the functions of a layer's further callers
    are not read once a batch norm is found (each caller's NodeDef is parsed to name its functions).
    """
    # Read from the node's bytes where the graph keeps them (graphdef_reader): no full NodeDef is built.
    names_called = getattr(graph.node_defs, "functions_called", None)
    memo: dict[str, frozenset] = {}

    def ops_called(i: int) -> frozenset:
        called = [graph.ops[i]]
        try:
            called.extend(names_called(i) if names_called else _functions_called(graph.node_defs[i]))
        except NodeDefUnreadable:
            pass  # the functions it calls cannot be read; its own op still counts
        return _ops_in_functions(graph, called, memo)

    def is_call(i: int) -> bool:
        return graph.ops[i] in CALL_OPS or graph.ops[i] in graph.functions

    kinds: dict[str, str] = {}
    undecided = []
    for layer in layers:
        own = [i for i in (readers or {}).get(layer, ()) if graph.names[i].startswith(layer + "/") and is_call(i)]
        found = next((ops for ops in map(ops_called, own) if _has_batch_norm_op(ops)), None)
        if found is None:
            undecided.append(layer)
        else:
            kinds[layer] = classify_layer(layer, found)  # a batch norm's: the scope's other ops cannot change it
    if not undecided:
        return kinds
    sorted_names = sorted(graph.names)  # names are unique: graph.index leads back to the nodes
    for layer in undecided:
        low = bisect.bisect_left(sorted_names, layer + "/")
        high = bisect.bisect_left(sorted_names, layer + "0", low)
        members = list(map(graph.index.__getitem__, sorted_names[low:high]))
        ops = {graph.ops[i] for i in members}
        decided = _has_batch_norm_op(ops)
        for i in members:
            if decided:
                break
            if is_call(i):
                found = ops_called(i)
                ops |= found
                decided = _has_batch_norm_op(found)
        kinds[layer] = classify_layer(layer, ops)
    return kinds


def _predicate_sources(graph: Graph, gates: np.ndarray, positions: np.ndarray) -> list[int]:
    """The nodes feeding the gates' predicate inputs (one each, when it has one), in the gates' order. Inputs are
    stored in order, so a predicate is usually the gate's input edge at its position: checked for every gate at
    once, the others' in-edges scanned. ``positions``: each gate's predicate input."""
    columns = graph.columns
    edges = np.minimum(columns.in_start[gates] + positions, len(columns.src) - 1)
    direct = (columns.dst[edges] == gates) & (columns.position[edges] == positions) & columns.data[edges]
    sources = np.where(direct, columns.src[edges], -1).tolist()
    for at in np.flatnonzero(~direct).tolist():
        _, srcs, _, inputs, controls = graph.in_edge_rows([int(gates[at])])
        position = int(positions[at])
        sources[at] = next((src for src, i, c in zip(srcs, inputs, controls) if i == position and not c), -1)
    return [source for source in sources if source >= 0]


def _variables_behind_gates(graph: Graph, known: dict[int, int]) -> list[int]:
    """Variables that a gate's predicate leads back to through pass-through ops (in-edges only: cheap).
    Gates whose predicate already carries a flag found (``known``) are skipped."""
    found: set[int] = set()
    seen: set[int] = set(known)
    columns = graph.columns
    gates = np.flatnonzero(columns.op_in(GATE_INPUTS))
    if not gates.size or not len(columns.src):
        return []
    # Column-wise first: the edge where each gate's predicate should be, and whether a known flag feeds it.
    positions = columns.per_op(lambda op: GATE_INPUTS.get(op, 0), np.intp)[gates]
    edges = np.minimum(columns.in_start[gates] + positions, len(columns.src) - 1)
    is_known = np.zeros(graph.node_count, dtype=bool)
    is_known[list(known)] = True
    sources = columns.src[edges]
    explained = (columns.dst[edges] == gates) & (columns.position[edges] == positions)
    explained &= (sources >= 0) & is_known[np.maximum(sources, 0)]
    frontier = _predicate_sources(graph, gates[~explained], positions[~explained])
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        op = graph.ops[node]
        if op in VARIABLE_OPS:
            found.add(node)
        elif op in PASS_THROUGH_OPS:
            _, srcs, _, inputs, controls = graph.in_edge_rows([node])
            frontier.extend(src for src, i, c in zip(srcs, inputs, controls) if i == 0 and not c)
    return sorted(found)


def _variable_reads(graph: Graph, variables: list[int], carriers: dict[int, int]) -> set[int]:
    """The ops that merely read a variable flag (``is_training/read``, ``ReadVariableOp``): part of the flag.
    A read inside a cond (its ``pred_id``) is the layer's relay, as for any flag."""
    reads: set[int] = set()
    frontier = variables
    while frontier:
        reached = []
        for dst in graph.out_edge_rows(frontier)[2]:
            if (
                dst in carriers
                and dst not in reads
                and graph.ops[dst] in VARIABLE_READ_OPS
                and not any(map(CONTROL_FLOW_COMPONENT.match, graph.names[dst].split("/")[:-1]))
            ):
                reads.add(dst)
                reached.append(dst)
        frontier = reached
    return reads


def analyze_phase(graph: Graph) -> PhaseAnalysis:
    sources: list[PhaseSource] = []
    carriers: dict[int, int] = {}
    candidates = list(compress(range(graph.node_count), map(SOURCE_OPS.__contains__, graph.ops)))
    for variables in (False, True):
        if variables:  # looked for only behind the gates the placeholders found do not explain
            candidates = _variables_behind_gates(graph, carriers)
        for node in candidates:
            if not is_bool_scalar_input(graph, node):
                continue
            closure = _carrier_closure(graph, node)
            if not _gates_control_flow(graph, closure):
                continue
            sources.append(PhaseSource(index=node, name=graph.names[node], op=graph.ops[node]))
            for carrier in closure:
                carriers.setdefault(carrier, node)

    phase_edges: list[int] = []
    source_nodes = {s.index for s in sources}
    readers: dict[int, int] = {}  # consuming node -> source
    relayed_by: dict[int, int] = {}  # consuming node -> the carrier it reads
    variable_reads = _variable_reads(graph, [s.index for s in sources if s.op in VARIABLE_OPS], carriers)
    edges, carrier_of_edge, dsts, _, _ = graph.out_edge_rows(carriers)
    for e, carrier, dst in zip(edges, carrier_of_edge, dsts):
        source = carriers[carrier]
        phase_edges.append(e)
        if dst in variable_reads or (graph.ops[source] in VARIABLE_OPS and graph.ops[dst] in VARIABLE_BOOKKEEPING_OPS):
            continue  # a variable flag's reads are the flag itself; assigning or saving it does not read it
        if dst not in source_nodes:  # relays (pred_id, switch_t) read it too, inside their layer
            readers[dst] = source
            relayed_by[dst] = carrier
    phase_edges.sort()

    # Forward ops define the layers; gradient ops (which also read the flag) are folded onto them.
    consumers: dict[int, str] = {}
    layers_by_source: dict[int, set[str]] = {s.index: set() for s in sources}
    gradient_readers = []
    for dst, source in readers.items():
        if is_gradient(graph.names[dst]):
            gradient_readers.append(dst)
            continue
        layer = layer_of(graph.names[dst])
        consumers[dst] = layer
        if layer:
            layers_by_source[source].add(layer)
    # A reader inside another reader's scope is part of that layer (an LSTM's dropout mask and its cell's
    # recurrent one, ``lstm/cond`` and ``lstm/lstm_cell/cond``): one layer, as Keras and the drawing have it.
    outer = _outermost(set().union(*layers_by_source.values()) if layers_by_source else set())
    if any(layer != top for layer, top in outer.items()):
        consumers = {dst: outer.get(layer, layer) for dst, layer in consumers.items()}
        layers_by_source = {source: {outer[layer] for layer in found} for source, found in layers_by_source.items()}
    forward_layers = set().union(*layers_by_source.values()) if layers_by_source else set()
    for dst in gradient_readers:
        layer = _gradient_layer(graph.names[dst], forward_layers)
        if not layer:
            # v1 gradients put their Switches at the gradients scope's top; they read a layer's pred_id.
            relay = layer_of(graph.names[relayed_by[dst]])
            layer = relay if relay in forward_layers else ""
        consumers[dst] = layer

    all_layers = set().union(*layers_by_source.values()) if layers_by_source else set()
    readers_of_layer: dict[str, list[int]] = {}
    for dst, layer in consumers.items():
        if layer:
            readers_of_layer.setdefault(layer, []).append(dst)
    kind_of_layer = _layer_kinds(graph, all_layers, readers_of_layer)
    layers: list[PhaseLayer] = []
    for source in sources:
        source.layers = sorted(layers_by_source[source.index])
        scope = source.name.rpartition("/")[0]
        if scope and any(scope == layer or scope.startswith(layer + "/") for layer in source.layers):
            source.born_in = scope
        for layer in source.layers:
            layers.append(PhaseLayer(layer, kind_of_layer[layer], source.name))
    return PhaseAnalysis(sources, layers, carriers, phase_edges, consumers)


def _outermost(layers: set[str]) -> dict[str, str]:
    """Each layer -> the outermost of the layers whose scope holds it (itself when none does)."""
    found = {}
    for layer in sorted(layers):  # a scope sorts before the scopes inside it
        parts = layer.split("/")
        found[layer] = next(
            (found[prefix] for prefix in ("/".join(parts[:k]) for k in range(1, len(parts))) if prefix in found), layer
        )
    return found


def forward_reads_of_gradient_nodes(graph: Graph, analysis: PhaseAnalysis) -> dict[str, str]:
    """Gradient-pass nodes that read the flag and that the forward ops of their own layer read too -> that layer.

    Grappler merges a forward ``cond``'s Switch with the identical one of its gradient and keeps the gradient's
    name (``gradients/bn1/cond_grad/StatelessIf/conv1/BiasAdd/_229``), so the forward data flow
    ``conv1 -> bn1`` passes through the gradient scope. Shown in the layer, the flow reads top to bottom again.
    """
    candidates = [n for n, layer in analysis.consumers.items() if layer and is_gradient(graph.names[n])]
    if not candidates:
        return {}
    moved = {}
    _, nodes, dsts, _, controls = graph.out_edge_rows(candidates)
    for node, dst, control in zip(nodes, dsts, controls):
        name, layer = graph.names[node], analysis.consumers[node]
        if (
            not control
            and name not in moved
            and not is_gradient(graph.names[dst])
            and layer_of(graph.names[dst]) == layer
        ):
            moved[name] = layer
    return moved
