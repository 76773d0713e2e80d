"""Give every node of a graph one role, decided by what its op is and where it sits in the graph.

Roles (see README "Roles and edge kinds"):
- ``model``: the forward computation, its variables and their moving-average updates;
- ``phase``: a learning-phase flag and the ops that relay it unchanged (``phase.py``);
- ``hyperparameter``: a scalar that many ops read and nothing trains (``keep_prob``, the learning rate), and
  the ops that relay it unchanged;
- the machinery, folded out of the model's view: ``init`` (variable initialisers and their checks),
  ``gradient`` (the backward pass), ``optimizer`` (what turns gradients into variable updates, and the step
  counter), ``summary`` and ``save`` (checkpoints).

How, in order (each step only claims nodes still ``model``):
1. op types: ``VarIsInitializedOp``/``IsVariableInitialized`` are init, ``*Grad``/``*Backprop*`` gradient,
   ``Apply*``/``ResourceApply*`` optimizer, summary and checkpoint ops summary and save;
2. the scopes TensorFlow's gradient functions write into (``gradients/``, ``gradient_tape/``) support the
   gradient role (a name alone decides nothing else);
3. a variable write whose value is computed from constants alone is an initialiser (init); one whose value is
   computed from the gradients is an update (optimizer), and so is a write adding a constant (a step counter);
4. what the gradients feed, up to the variable writes, is optimizer (gradient while it only combines them);
5. a node whose every consumer is machinery belongs to that machinery (an initialiser's constants, a saver's
   file name, an optimizer's slot variables); a node fed only by one kind of machinery belongs to it too (the
   ``init`` and ``train_op`` groupings).

Pure: no TensorBoard import. Costs a few scans of the node and edge columns in C plus Python work on the
machinery's boundary, not on every node.
"""

from __future__ import annotations

import operator
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from itertools import compress, repeat

from tb_phaseview.graph_model import Graph, NodeDefUnreadable
from tb_phaseview.phase import layer_of

MODEL, PHASE, HYPERPARAMETER, INIT, GRADIENT, OPTIMIZER, SUMMARY, SAVE = range(8)
ROLE_NAMES = ("model", "phase", "hyperparameter", "init", "gradient", "optimizer", "summary", "save")
ROLE_CODES = {name: code for code, name in enumerate(ROLE_NAMES)}
MACHINERY = frozenset({INIT, GRADIENT, OPTIMIZER, SUMMARY, SAVE})
MACHINERY_ROLES = tuple(ROLE_NAMES[code] for code in sorted(MACHINERY))
# When a node's consumers are machinery of several roles, the first of these it feeds claims it.
_PEEL_PRIORITY = (OPTIMIZER, GRADIENT, SAVE, SUMMARY, INIT)

INIT_OPS = frozenset({"VarIsInitializedOp", "IsVariableInitialized"})
SAVE_OPS = frozenset(
    {
        "SaveV2",
        "RestoreV2",
        "Save",
        "SaveSlices",
        "Restore",
        "RestoreSlice",
        "MergeV2Checkpoints",
        "ShardedFilename",
        "ShardedFilespec",
    }
)
SUMMARY_OPS = frozenset(
    {
        "MergeSummary",
        "SummaryWriter",
        "CreateSummaryFileWriter",
        "CreateSummaryDbWriter",
        "FlushSummaryWriter",
        "CloseSummaryWriter",
        "ImportEvent",
        "WriteSummary",
        "WriteScalarSummary",
        "WriteHistogramSummary",
        "WriteImageSummary",
        "WriteAudioSummary",
        "WriteRawProtoSummary",
        "WriteGraphSummary",
    }
)
_SUMMARY_OP = re.compile(r"Summary(V\d)?$")
_GRADIENT_OP = re.compile(r"Grad(V\d)?$|GradGrad$|Backprop|GradientArgs$|^SymbolicGradient$")
_OPTIMIZER_OP = re.compile(r"^(Resource)?(Sparse)?Apply[A-Z]")
# Scopes TensorFlow's gradient code writes into: tf.gradients (``gradients``, ``gradients_1``), GradientTape.
_GRADIENT_SCOPE = re.compile(r"(?:^|/)(?:gradients(?:_\d+)?|gradient_tape)/")

VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable", "VariableOp", "_VarHandlesOp"})
WRITE_OPS = frozenset(
    {
        "Assign",
        "AssignAdd",
        "AssignSub",
        "AssignVariableOp",
        "AssignAddVariableOp",
        "AssignSubVariableOp",
        "ScatterUpdate",
        "ScatterAdd",
        "ScatterSub",
        "ResourceScatterUpdate",
        "ResourceScatterAdd",
        "ResourceScatterSub",
    }
)
INCREMENT_OPS = frozenset({"AssignAdd", "AssignAddVariableOp"})
READ_OPS = frozenset({"ReadVariableOp", "ResourceGather", "ResourceGatherNd"})
# Inputs that vary from one step to the next: a value computed from none of them is a constant.
_VARYING_SOURCES = VARIABLE_OPS | frozenset(
    {
        "Placeholder",
        "PlaceholderWithDefault",
        "PlaceholderV2",
        "_Arg",
        "IteratorGetNext",
        "IteratorGetNextSync",
        "RandomShuffleQueueV2",
        "FIFOQueueV2",
        "QueueDequeueV2",
        "QueueDequeueManyV2",
        "OneShotIterator",
        "IteratorV2",
        "Iterator",
    }
)
# Ops that hand a value on unchanged in meaning (a hyperparameter read through them is still that value).
HYPER_PASS_THROUGH = frozenset({"Identity", "ReadVariableOp", "Cast", "Snapshot", "StopGradient", "RefIdentity"})
HYPER_SOURCE_OPS = frozenset({"Placeholder", "PlaceholderWithDefault", "_Arg"})
FLOAT_DTYPES = frozenset({1, 2, 14, 19})  # DT_FLOAT, DT_DOUBLE, DT_BFLOAT16, DT_HALF
DT_RESOURCE = 20
HYPER_MIN_READERS = 2
_UNUSED_RELAYS = READ_OPS | frozenset({"Identity"})
_ABSORBABLE_OPS = frozenset(
    {
        "NoOp",
        "Identity",
        "IdentityN",
        "Pack",
        "ConcatV2",
        "Concat",
        "LogicalNot",
        "LogicalAnd",
        "Where",
        "Squeeze",
        "Reshape",
        "Cast",
        "BooleanMask",
        "GatherV2",
        "StridedSlice",
        "StringJoin",
        "AddN",
        "Neg",
        "Select",
        "SelectV2",
        "Const",
        "Fill",
        "ZerosLike",
        "OnesLike",
    }
)
_RELAY_OPS = frozenset({"Switch", "RefSwitch", "Identity", "Enter", "RefEnter", "_Recv", "_HostRecv"})
# Ops that compute nothing of the model's own: they may join the machinery that alone consumes them.
_PEELABLE_OPS = VARIABLE_OPS | READ_OPS | HYPER_SOURCE_OPS | frozenset({"Identity", "NoOp"})


@dataclass
class Hyperparameter:
    index: int
    name: str
    op: str
    readers: int  # ops that read its value (through relays)


@dataclass
class Roles:
    codes: bytearray  # one role code per node
    variables: set[int]  # nodes that hold a variable (handles, ref variables, resource inputs)
    writes: set[int]  # nodes that write a variable
    hyperparameters: list[Hyperparameter] = field(default_factory=list)
    hyper_carriers: dict[int, int] = field(default_factory=dict)  # relay node -> hyperparameter source
    # The role whose area each node is shown in: its own for machinery, the machinery's for a hyperparameter
    # that only machinery reads (the learning rate is drawn with the optimizer), MODEL (0) for the rest.
    area_codes: bytearray | None = None

    def name_of(self, node: int) -> str:
        return ROLE_NAMES[self.codes[node]]

    def counts(self) -> dict[str, int]:
        counted = Counter(self.codes)
        return {name: counted[code] for code, name in enumerate(ROLE_NAMES)}


def _role_of_op(op: str) -> int:
    if op in INIT_OPS:
        return INIT
    if op in SAVE_OPS:
        return SAVE
    if op in SUMMARY_OPS or _SUMMARY_OP.search(op):
        return SUMMARY
    if _OPTIMIZER_OP.match(op):
        return OPTIMIZER
    if _GRADIENT_OP.search(op):
        return GRADIENT
    return MODEL


def _flags(codes: bytearray, wanted) -> bytes:
    """One byte per node, 1 where its role is one of ``wanted`` (a translation in C)."""
    return codes.translate(bytes(code in wanted for code in range(256)))


def _inputs_at(graph: Graph, nodes, position: int) -> list:
    """The source of each node's data input ``position`` (None where it has none). Inputs are stored in
    order, data inputs before control inputs, so it is the edge ``in_start[node] + position`` when present."""
    in_start, src, edge_input, control = graph.in_start, graph.edge_src, graph.edge_input, graph.edge_control
    found = []
    for node in nodes:
        e = in_start[node] + position
        found.append(src[e] if e < in_start[node + 1] and edge_input[e] == position and not control[e] else None)
    return found


def _data_input(graph: Graph, node: int, position: int) -> int | None:
    return _inputs_at(graph, (node,), position)[0]


def _edge_flags(node_flags: bytes, column: list[int]) -> bytes:
    """A node flag carried to every edge through one end (``edge_src`` or ``edge_dst``), in C."""
    return bytes(map(node_flags.__getitem__, column))


def _and(*flags: bytes) -> bytes:
    """Byte-wise AND of 0/1 byte strings of one length, as big integers (in C, a few machine words at a time)."""
    result = int.from_bytes(flags[0], "little")
    for more in flags[1:]:
        result &= int.from_bytes(more, "little")
    return result.to_bytes(len(flags[0]), "little")


def _scan_consumers(graph: Graph, nodes: set[int]) -> dict[int, list[int]]:
    """Out-edges of a set of nodes by one scan of the source column in C (the out-edge index is built only
    after the first answer)."""
    found: dict[int, list[int]] = {node: [] for node in nodes}
    if graph._out_order is not None:
        return {node: graph.out_edges(node) for node in nodes}
    src = graph.edge_src
    for e in compress(range(len(src)), map(nodes.__contains__, src)):
        found[src[e]].append(e)
    return found


class _ConstantCheck:
    """Whether a node's value is computed from constants alone (no variable, placeholder or input), memoised."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.memo: dict[int, bool] = {}

    def __call__(self, node: int) -> bool:
        graph, memo = self.graph, self.memo
        known = memo.get(node)
        if known is not None:
            return known
        in_start, src, control, ops = graph.in_start, graph.edge_src, graph.edge_control, graph.ops
        if ops[node] == "Const" and all(control[in_start[node] : in_start[node + 1]]):
            return True  # most initialisers: a constant written as it is
        stack = [node]
        while stack:
            current = stack[-1]
            if current in memo:
                stack.pop()
                continue
            if ops[current] in _VARYING_SOURCES:
                memo[current] = False
                stack.pop()
                continue
            pending = None
            constant = True
            for e in range(in_start[current], in_start[current + 1]):
                if control[e]:
                    continue
                known = memo.get(src[e])
                if known is None:
                    if src[e] in stack:  # a cycle (a while loop): not a constant
                        constant = False
                        break
                    pending = src[e]
                    break
                if not known:
                    constant = False
                    break
            if pending is not None and constant:
                stack.append(pending)
                continue
            memo[current] = constant
            stack.pop()
        return memo[node]


class _DataCheck:
    """Whether a node's value depends on the data fed to the graph (an input that is not a variable),
    memoised. Depth first along the first inputs, so a forward op is usually settled along one path."""

    def __init__(self, graph: Graph, variables: set[int]):
        self.graph = graph
        self.variables = variables
        self.memo: dict[int, bool] = {}

    def __call__(self, node: int) -> bool:
        graph, memo = self.graph, self.memo
        known = memo.get(node)
        if known is not None:
            return known
        in_start, src, control, ops = graph.in_start, graph.edge_src, graph.edge_control, graph.ops
        if ops[node] == "Const":  # most of what is asked: an initialiser's or a gradient's constants
            return False
        stack = [node]
        on_stack = {node}
        while stack:
            current = stack[-1]
            if current in memo:
                stack.pop()
                on_stack.discard(current)
                continue
            if ops[current] in _VARYING_SOURCES:
                memo[current] = current not in self.variables
                stack.pop()
                on_stack.discard(current)
                continue
            pending = None
            found = False
            for e in range(in_start[current], in_start[current + 1]):
                if control[e]:
                    continue
                known = memo.get(src[e])
                if known:
                    found = True
                    break
                if known is None and pending is None and src[e] not in on_stack:
                    pending = src[e]
            if found:
                for waiting in stack:  # every node on the path reads the one found
                    memo[waiting] = True
                break
            if pending is not None:
                stack.append(pending)
                on_stack.add(pending)
                continue
            memo[current] = False
            stack.pop()
            on_stack.discard(current)
        return memo[node]


def _node_attr(graph: Graph, node: int):
    try:
        return graph.node_defs[node].attr
    except NodeDefUnreadable:
        return None


def _is_float_scalar(graph: Graph, node: int) -> bool:
    attr = _node_attr(graph, node)
    if attr is None:
        return False
    op = graph.ops[node]
    key = "T" if op == "_Arg" else "dtype"
    if key not in attr:
        return False
    if attr[key].type == DT_RESOURCE:
        return True  # a resource variable passed in: its value's shape is not on the handle
    if attr[key].type not in FLOAT_DTYPES:
        return False
    if op == "Const":
        return len(attr["value"].tensor.tensor_shape.dim) == 0 if "value" in attr else False
    for shape_key in ("shape", "_output_shapes"):
        if shape_key in attr:
            value = attr[shape_key]
            shape = value.shape if shape_key == "shape" else (value.list.shape[0] if value.list.shape else None)
            return shape is None or shape.unknown_rank or len(shape.dim) == 0
    return True


class _OpIndex:
    """Which nodes run ops of a few families, from one pass over the op column: a bit per family per node."""

    FAMILIES = ("write", "read", "variable", "hyper_source", "relay", "unused_relay", "no_op", "absorbable")

    def __init__(self, ops: list[str]):
        members = {
            "write": WRITE_OPS,
            "read": READ_OPS,
            "variable": VARIABLE_OPS,
            "hyper_source": HYPER_SOURCE_OPS,
            "relay": _RELAY_OPS,
            "unused_relay": _UNUSED_RELAYS,
            "no_op": {"NoOp"},
            "absorbable": _ABSORBABLE_OPS,
        }
        bits = {op: sum(1 << i for i, family in enumerate(self.FAMILIES) if op in members[family]) for op in set(ops)}
        self.bits = bytes(map(bits.__getitem__, ops))
        self._found: dict[str, list[int]] = {}

    def nodes(self, family: str) -> list[int]:
        found = self._found.get(family)
        if found is None:
            bit = 1 << self.FAMILIES.index(family)
            flags = self.bits.translate(bytes(bool(value & bit) for value in range(256)))
            found = self._found[family] = list(compress(range(len(flags)), flags))
        return found


def classify_roles(graph: Graph, phase_carriers) -> Roles:
    ops = graph.ops
    n = graph.node_count
    code_of_op = {op: _role_of_op(op) for op in set(ops)}
    index = _OpIndex(ops)
    codes = bytearray(map(code_of_op.__getitem__, ops))  # one lookup per node, in C
    machinery_nodes = list(compress(range(n), codes))

    # 2. Gradient scopes: a substring scan in C, then the pattern once per distinct scope of what it lets through.
    names = graph.names
    hits = list(compress(range(n), map(str.__contains__, names, repeat("gradient"))))
    if hits:
        hit_scopes = [names[node].rpartition("/")[0] + "/" for node in hits]
        gradient_scopes = {scope for scope in set(hit_scopes) if _GRADIENT_SCOPE.search(scope)}
        # Only model nodes change: looked up and written back in C (a training graph has tens of thousands).
        in_scope = list(compress(hits, map(gradient_scopes.__contains__, hit_scopes)))
        claimed = list(compress(in_scope, map(operator.not_, map(codes.__getitem__, in_scope))))
        deque(map(codes.__setitem__, claimed, repeat(GRADIENT)), maxlen=0)
    for carrier in phase_carriers:
        codes[carrier] = PHASE

    # Variables: variable ops, and whatever a read, a write or an update takes as its variable.
    writes = index.nodes("write")
    applies = [node for node in machinery_nodes if _OPTIMIZER_OP.match(ops[node])]
    readers = index.nodes("read")
    variables = set(index.nodes("variable"))
    variables.update(_inputs_at(graph, writes + readers + applies, 0))
    variables.discard(None)

    # 3. Writes: initialisers and step counters (a write of what the gradients computed is found in step 4).
    constant = _ConstantCheck(graph)
    reads_data = _DataCheck(graph, variables)
    increments = []
    for node, value in zip(writes, _inputs_at(graph, writes, 1)):
        if codes[node] == MODEL and value is not None and constant(value):
            if ops[node] in INCREMENT_OPS:
                increments.append(node)
            else:
                codes[node] = INIT

    # Hyperparameters, before machinery claims what only the optimizer reads.
    hyperparameters, hyper_carriers = _find_hyperparameters(graph, index, codes, variables, writes, applies, readers)
    for carrier in hyper_carriers:
        codes[carrier] = HYPERPARAMETER

    # 4. Downstream of the gradients; a write of what a checkpoint restored belongs to the checkpoint.
    write_set = set(writes)
    _claim_downstream_of_gradients(graph, index, codes, write_set)
    for node, value in zip(writes, _inputs_at(graph, writes, 1)):
        if codes[node] == MODEL and value is not None and codes[value] in (SAVE, INIT):
            codes[node] = codes[value]
    # 5. Consumers all machinery; fed by one machinery only.
    _peel(graph, index, codes, reads_data, constant.memo)
    _claim_step_counters(graph, codes, increments)
    _absorb(graph, index, codes)
    return Roles(
        codes,
        variables,
        write_set,
        hyperparameters,
        hyper_carriers,
        _areas(graph, codes, hyperparameters, hyper_carriers),
    )


def _claim_step_counters(graph: Graph, codes: bytearray, increments: list[int]) -> None:
    """A constant increment counts steps (``global_step``, an optimizer's ``iterations``) when nothing of the
    model reads its variable (a metric's count is read, to divide its total by): it, its constant and its
    variable (unless the model uses it) are the optimizer's."""
    if not increments:
        return
    targets = dict(zip(increments, _inputs_at(graph, increments, 0)))
    consumers = _scan_consumers(graph, {t for t in targets.values() if t is not None})
    reads = {
        graph.edge_dst[e]
        for edges in consumers.values()
        for e in edges
        if graph.ops[graph.edge_dst[e]] in _UNUSED_RELAYS
    }
    read_consumers = _scan_consumers(graph, reads) if reads else {}
    for node, target in targets.items():
        if target is None:
            continue
        target_reads = [graph.edge_dst[e] for e in consumers[target] if graph.edge_dst[e] in read_consumers]
        if any(codes[graph.edge_dst[f]] == MODEL for read in target_reads for f in read_consumers[read]):
            continue
        codes[node] = OPTIMIZER
        value = _data_input(graph, node, 1)
        if value is not None and codes[value] == MODEL and graph.ops[value] == "Const":
            codes[value] = OPTIMIZER
        if codes[target] == MODEL and all(
            codes[graph.edge_dst[e]] in MACHINERY or graph.edge_dst[e] in read_consumers for e in consumers[target]
        ):
            codes[target] = OPTIMIZER
            for read in target_reads:
                if codes[read] == MODEL:
                    codes[read] = OPTIMIZER


def _find_hyperparameters(
    graph: Graph,
    index: _OpIndex,
    codes: bytearray,
    variables: set[int],
    writes: list[int],
    applies: list[int],
    readers: list[int],
):
    """Scalars read in many layers that nothing trains: float placeholders (``keep_prob``), variables written
    only by their initialiser (the learning rate), and float constants that several optimizer updates read."""
    ops = graph.ops
    written = {target for node, target in zip(writes, _inputs_at(graph, writes, 0)) if codes[node] != INIT}
    written.update(_inputs_at(graph, applies, 0))
    read = set(_inputs_at(graph, readers, 0))
    candidates = [node for node in index.nodes("hyper_source") if codes[node] == MODEL and node not in written]
    candidates += [
        node
        for node in variables
        if node in read and node not in written and codes[node] == MODEL and ops[node] not in HYPER_SOURCE_OPS
    ]
    # A constant read by several optimizer updates (TF1's ``GradientDescent/learning_rate``).
    read_by: Counter = Counter()
    in_start, src, control = graph.in_start, graph.edge_src, graph.edge_control
    for node in applies:
        for e in range(in_start[node] + 1, in_start[node + 1]):
            if not control[e] and ops[src[e]] == "Const":
                read_by[src[e]] += 1
    candidates += [node for node, count in read_by.items() if count >= HYPER_MIN_READERS]
    if not candidates:
        return [], {}
    closures = _hyper_closures(graph, candidates)
    found: list[Hyperparameter] = []
    carriers: dict[int, int] = {}
    for node in candidates:
        closure, hyper_readers = closures[node]
        if _readers_apart(graph, hyper_readers) < HYPER_MIN_READERS:
            continue
        if not _is_float_scalar(graph, node):
            continue
        found.append(Hyperparameter(node, graph.names[node], ops[node], len(hyper_readers)))
        for carrier in closure:
            carriers.setdefault(carrier, node)
    return found, carriers


def _readers_apart(graph: Graph, readers: set[int]) -> int:
    """Readers in different layers (an optimizer's update of each variable counts apart): the images a model
    reads in its first layer and that layer's gradient are read in one layer; ``keep_prob`` in several."""
    apart = set()
    for reader in readers:
        name = graph.names[reader]
        if _OPTIMIZER_OP.match(graph.ops[reader]):
            apart.add(name)
            continue
        parts = layer_of(name).split("/")
        while parts and parts[-1].endswith("_grad"):  # a gradient's scope names the forward op it inverts
            parts.pop()
        if parts and parts[0] == "gradient_tape":
            parts.pop(0)
        apart.add("/".join(parts) or name)  # ops at the top level (TF1's ``sub = 1 - keep_prob``) count apart
    return len(apart)


def _hyper_closures(graph: Graph, sources: list[int]) -> dict[int, tuple[set[int], set[int]]]:
    """For each source: itself and the relays that pass its value on, and the other ops that read it through
    them (its own initialiser and initialised check left out). One scan per level for all sources at once."""
    ops, dst, edge_input, control = graph.ops, graph.edge_dst, graph.edge_input, graph.edge_control
    closures = {source: ({source}, set()) for source in sources}
    owner = {source: source for source in sources}
    frontier = set(sources)
    while frontier:
        reached = set()
        for node, edges in _scan_consumers(graph, frontier).items():
            closure, readers = closures[owner[node]]
            for e in edges:
                if control[e]:
                    continue
                consumer = dst[e]
                op = ops[consumer]
                if op in INIT_OPS or (op in WRITE_OPS and edge_input[e] == 0):
                    continue
                if op in HYPER_PASS_THROUGH and edge_input[e] == 0:
                    if consumer not in closure and consumer not in owner:
                        closure.add(consumer)
                        owner[consumer] = owner[node]
                        reached.add(consumer)
                else:
                    readers.add(consumer)
        frontier = reached
    return closures


def _claim_downstream_of_gradients(graph: Graph, index: _OpIndex, codes: bytearray, writes: set[int]) -> None:
    """What the gradients feed (data edges), up to and including the variable writes, and on from a write
    through a read ordered after it: gradient while a node combines gradients only (a sum of two paths'
    gradients), optimizer once it mixes in anything else."""
    src, dst, control, in_start = graph.edge_src, graph.edge_dst, graph.edge_control, graph.in_start
    gradient = bytearray(_flags(codes, (GRADIENT,)))
    # A gradient's scope also holds relays of forward values (a v1 cond's gradient switches the activations
    # it needs; grappler routes them as ``gradients/bn1/cond_grad/StatelessIf/conv1/BiasAdd/_229``): what such a
    # relay feeds is not downstream of any gradient.
    relays = [node for node in index.nodes("relay") if gradient[node]]
    for node, relayed in zip(relays, _inputs_at(graph, relays, 0)):
        if relayed is not None and codes[relayed] != GRADIENT:
            gradient[node] = 0
    # Data edges from a gradient to a model node, found in C: flags per edge end, combined as big integers.
    leaving = _and(
        _edge_flags(gradient, src), _edge_flags(_flags(codes, (MODEL,)), dst), bytes(map(operator.not_, control))
    )
    frontier = set(compress(dst, leaving))
    while frontier:
        reached = set()
        for node in sorted(frontier):
            if codes[node] != MODEL:
                continue
            only_gradients = all(
                codes[src[e]] == GRADIENT for e in range(in_start[node], in_start[node + 1]) if not control[e]
            )
            codes[node] = GRADIENT if only_gradients and node not in writes else OPTIMIZER
            reached.add(node)
        if not reached:
            break
        frontier = set()
        for node, edges in _scan_consumers(graph, reached).items():
            for e in edges:
                consumer = dst[e]
                if codes[consumer] != MODEL:
                    continue
                if node in writes:
                    # An update's effect goes on through a read ordered after it (a new optimizer's slot).
                    if control[e] and graph.ops[consumer] in READ_OPS:
                        frontier.add(consumer)
                elif not control[e]:
                    frontier.add(consumer)


def _peel(graph: Graph, index: _OpIndex, codes: bytearray, reads_data: _DataCheck, constant_memo: dict) -> None:
    """A model node whose every consumer is machinery joins that machinery (an optimizer's role before a
    gradient's, any before ``init``, when its consumers are of several kinds), unless it computes from the
    data fed to the model: the loss, read only by the gradients, stays; an initialiser's constants, a slot
    variable and its reads do not. Walks back from the machinery a wave at a time, each wave counted in C."""
    src, control, in_start = graph.edge_src, graph.edge_control, graph.in_start
    # Data consumers not yet known to be machinery (a control edge orders, it does not consume: a function's
    # final NoOp waits for everything). A read nothing uses (``kernel/Read/ReadVariableOp``, kept for
    # Python's sake) does not hold its variable back; it follows its variable afterwards.
    is_data = bytes(map(operator.not_, control))
    consumed = Counter(compress(src, is_data))
    pending = consumed.copy()
    unused = []  # reads and identities whose value nothing uses, consumers first
    relayed_by: dict[int, int | None] = {}
    stack = [node for node in index.nodes("unused_relay") if not consumed[node] and codes[node] == MODEL]
    while stack:
        relayed_by.update(zip(stack, _inputs_at(graph, stack, 0)))
        unused.extend(stack)
        more = []
        for node in stack:
            relayed = relayed_by[node]
            if relayed is not None:
                pending[relayed] -= 1
                if pending[relayed] == 0 and graph.ops[relayed] in _UNUSED_RELAYS and codes[relayed] == MODEL:
                    more.append(relayed)
        stack = more

    # The first wave, every model node feeding machinery, counted over whole edge columns in C.
    dst = graph.edge_dst
    to_machinery = _edge_flags(_flags(codes, MACHINERY), dst)
    from_model = _edge_flags(_flags(codes, (MODEL,)), src)
    keep = _and(to_machinery, from_model, is_data)
    sources = list(compress(src, keep))
    roles = bytes(map(codes.__getitem__, compress(dst, keep)))
    seen: Counter = Counter()  # machinery consumers found so far, per node
    while sources:
        counts = Counter(sources)
        seen.update(counts)
        claimed = {node for node in counts if seen[node] == pending[node]}
        if not claimed:
            break
        # The role a node joins: the highest in _PEEL_PRIORITY among its consumers' (later updates win), looked
        # up for the claimed nodes only.
        mine = bytes(map(claimed.__contains__, sources))
        sources, roles = list(compress(sources, mine)), bytes(compress(roles, mine))
        role_of = {}
        for code in reversed(_PEEL_PRIORITY):
            mask = roles.translate(bytes(value == code for value in range(256)))
            role_of.update(zip(compress(sources, mask), repeat(code)))
        wave = []
        for node in sorted(claimed):
            if graph.ops[node] in _PEELABLE_OPS or constant_memo.get(node) or not reads_data(node):
                codes[node] = role_of[node]
                wave.append(node)
        # The next waves are small: their in-edges are read directly.
        edges = [
            e
            for node in wave
            for e in range(in_start[node], in_start[node + 1])
            if is_data[e] and codes[src[e]] == MODEL
        ]
        sources = [src[e] for e in edges]
        roles = bytes(codes[dst[e]] for e in edges)
    for node in reversed(unused):
        relayed = relayed_by[node]
        if relayed is not None and codes[node] == MODEL and codes[relayed] in MACHINERY:
            codes[node] = codes[relayed]


def _areas(graph: Graph, codes: bytearray, hyperparameters: list[Hyperparameter], carriers: dict[int, int]):
    """The area each node is shown in (see ``Roles.area_codes``)."""
    areas = bytearray(codes.translate(bytes(code if code in MACHINERY else MODEL for code in range(256))))
    if hyperparameters:
        readers: dict[int, set[int]] = {h.index: set() for h in hyperparameters}
        for carrier, edges in _scan_consumers(graph, set(carriers)).items():
            for e in edges:
                if codes[graph.edge_dst[e]] != HYPERPARAMETER:
                    readers[carriers[carrier]].add(codes[graph.edge_dst[e]])
        for carrier, source in carriers.items():
            roles = readers[source] - {INIT}
            if len(roles) == 1 and next(iter(roles)) in MACHINERY:
                areas[carrier] = next(iter(roles))
    return areas


def _absorb(graph: Graph, index: _OpIndex, codes: bytearray) -> None:
    """A model node all of whose inputs come from one machinery role joins it (``init``, ``train_op``); a
    ``NoOp`` that waits for one machinery role's ops and the model's (a training step's ``group_deps``) too.

    Nodes are visited in graph order (nearly topological), so a chain is claimed in one pass; a second pass
    catches what the order missed. Only ops that group or relay (``_ABSORBABLE_OPS``) are looked at."""
    src, in_start = graph.edge_src, graph.in_start
    # Only ops that group or pass on what they are given can belong to their inputs' machinery this way.
    candidates = [node for node in index.nodes("absorbable") if codes[node] == MODEL]
    no_ops = set(index.nodes("no_op"))
    for _ in range(2):
        changed = False
        for node in candidates:
            if codes[node] != MODEL:
                continue
            inputs = range(in_start[node], in_start[node + 1])
            if node in no_ops:
                inputs = [e for e in inputs if codes[src[e]] != MODEL]
            if not inputs:
                continue
            first = codes[src[inputs[0]]]
            if first in MACHINERY and all(codes[src[e]] == first for e in inputs):
                codes[node] = first
                changed = True
        if not changed:
            break
