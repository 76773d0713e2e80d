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

Pure: no TensorBoard import. Each step is a pass over whole numpy columns (``graph_model.Columns``) or a search
whose waves are passes over the nodes they reach; Python loops only over the machinery's boundary (the
readers of a hyperparameter, step counters, the data check of a node about to be peeled).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress

import numpy as np

# np.unique (and union1d, setdiff1d) imports numpy.ma on its first call: 17 ms of a fresh server's first answer.
# Imported here, it is paid at startup.
import numpy.ma  # noqa: F401

from tb_phaseview.analysis import functions, shapes
from tb_phaseview.analysis.graph_model import Graph, NodeDefUnreadable
from tb_phaseview.analysis.phase import CALL_OPS, _functions_called, _ops_in_functions, callee_of, layer_of
from tb_phaseview.analysis.phase_runs import IF_OPS

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
# The slots each fused update takes after its variable (TensorFlow's training ops: their inputs in order).
_SLOTS_OF_UPDATE = {
    "Adam": 2,  # m, v
    "AdamWithAmsgrad": 3,  # m, v, vhat
    "AdaMax": 2,  # m, v
    "Adagrad": 1,  # accum
    "AdagradV2": 1,
    "AdagradDA": 2,  # gradient_accumulator, gradient_squared_accumulator
    "Adadelta": 2,  # accum, accum_update
    "Ftrl": 2,  # accum, linear
    "FtrlV2": 2,
    "Momentum": 1,  # accum
    "KerasMomentum": 1,
    "RMSProp": 2,  # ms, mom
    "CenteredRMSProp": 3,  # mg, ms, mom
    "AddSign": 1,  # m
    "PowerSign": 1,  # m
    "ProximalAdagrad": 1,  # accum
}
_UPDATE_SLOTS = {
    f"{resource}{sparse}Apply{name}": slots
    for name, slots in _SLOTS_OF_UPDATE.items()
    for resource in ("", "Resource")
    for sparse in ("", "Sparse")
}
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
SET_OPS = frozenset({"Assign", "AssignVariableOp"})
ADD_OPS = frozenset({"Add", "AddV2"})
# Ops that read a checkpoint: a write of what they read restores a variable, it does not initialise one.
RESTORE_OPS = frozenset({"RestoreV2", "Restore", "RestoreSlice"})
# Divisions: a counter read as a denominator is a metric's count (a mean divides its total by it), not a step.
DIVISION_OPS = frozenset({"DivNoNan", "RealDiv", "Div", "TrueDiv", "FloorDiv"})
# Outside the scopes gradients are written into, what only sums or relays gradients is still a gradient
# (tf.gradients' aggregation, Keras' IdentityN); any other arithmetic on them is the optimizer's.
GRADIENT_COMBINING_OPS = frozenset({"AddN", "Add", "AddV2", "Identity", "IdentityN"})
_FUNCTION_CALL_OPS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})
# What TensorFlow starts a loss's gradient from.
_GRADIENT_SEED_OPS = frozenset({"Fill", "OnesLike", "Ones"})
CONSTANT_OPS = frozenset({"Const", "HostConst"})
# Optimizer classes that name the scope their variables are created in (Keras: ``Adam/iter``, ``SGD/momentum``).
OPTIMIZER_SCOPES = frozenset(
    {
        "Adam",
        "AdamW",
        "Adamax",
        "Nadam",
        "Adadelta",
        "Adagrad",
        "AdagradDA",
        "RMSprop",
        "RMSProp",
        "SGD",
        "Momentum",
        "GradientDescent",
        "Ftrl",
        "Lion",
        "Adafactor",
        "ProximalAdagrad",
        "ProximalGradientDescent",
    }
)
DT_STRING = 7
# A grouping with nothing to wait for is named by what TensorFlow made it for (``init_1``, ``init_all_tables``).
_EMPTY_INIT_GROUP = re.compile(r"(?:^|/)init(?:_\d+|_all_tables)?$")
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
        "QueueDequeueUpToV2",
        # A staging area hands on a batch taken from a queue (IMPALA's input pipeline): data, not a constant.
        "Unstage",
        "MapUnstage",
        "MapUnstageNoKey",
        "OrderedMapUnstage",
        "OrderedMapUnstageNoKey",
        "OneShotIterator",
        "IteratorV2",
        "Iterator",
    }
)
# A value fed back around a loop is computed anew each iteration: never a constant.
_LOOP_OPS = frozenset({"NextIteration", "RefNextIteration"})
# Ops that hand a value on unchanged in meaning (a hyperparameter read through them is still that value).
HYPER_PASS_THROUGH = frozenset({"Identity", "ReadVariableOp", "Cast", "Snapshot", "StopGradient", "RefIdentity"})
HYPER_SOURCE_OPS = frozenset({"Placeholder", "PlaceholderWithDefault", "_Arg"})
FLOAT_DTYPES = frozenset({1, 2, 14, 19})  # DT_FLOAT, DT_DOUBLE, DT_BFLOAT16, DT_HALF
INTEGER_DTYPES = frozenset(
    {3, 9, 4, 5, 6, 17, 22, 23}
)  # DT_INT32, DT_INT64, DT_UINT8, DT_INT16, DT_INT8, DT_UINT16, DT_UINT32, DT_UINT64
DT_RESOURCE = 20
HYPER_MIN_READERS = 2
_TENSOR_OPERAND_OPS = frozenset(
    {"MatMul", "BatchMatMul", "BatchMatMulV2", "Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2dNative", "MaxPool"}
)
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
    dropout_reader: str | None = None  # read in one layer only, the dropout it sets the rate of: the op reading it


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
    # The functions of a trace found to make or set a weight's initial value (``_claim_initial_value_functions``):
    # each one's scope (``graph_7``) -> the op type that makes or sets it, for the sentence why.
    initial_value_functions: dict[str, str] = field(default_factory=dict)

    def name_of(self, node: int) -> str:
        return ROLE_NAMES[self.codes[node]]

    def counts(self) -> dict[str, int]:
        return {name: self.codes.count(code) for code, name in enumerate(ROLE_NAMES)}


# The functions TensorFlow writes for the gradient of a traced call (``__inference___backward_f_12_34``), among them
# the wrappers of a cond that several GradientTapes record (``__backward_cflow_gradient_wrapper``).
_BACKWARD_FUNCTION = re.compile(r"^(?:__inference_)?__backward_")


def backward_function(graph: Graph, node: int) -> str | None:
    """The backward function a call op runs (the gradient of a traced call), or None."""
    called = callee_of(graph, node)
    return called if called and _BACKWARD_FUNCTION.match(called) else None


def _backward_calls(graph: Graph) -> list[int]:
    """The call ops running a backward function: like a ``*Grad`` op, gradients where a gradient reaches them."""
    columns = graph.columns
    calls = np.flatnonzero(columns.op_in(_FUNCTION_CALL_OPS) | columns.op_in(graph.functions.keys())).tolist()
    return [n for n in calls if backward_function(graph, n) is not None]


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


def _varying(graph: Graph) -> np.ndarray:
    """Per node: whether its value changes from one step to the next, that is, whether it is computed (through
    data edges) from a variable, a placeholder or an input, or inside a loop. The rest is computed from
    constants alone. A wave per step away from those sources: every layer reads a variable, so few waves."""
    columns = graph.columns
    varying = columns.op_in(_VARYING_SOURCES | _LOOP_OPS | RESTORE_OPS)  # a checkpoint's values vary too
    frontier = np.flatnonzero(varying)
    slots = np.empty(graph.node_count, dtype=np.intp)
    while frontier.size:
        edges, _ = columns.out_edges(frontier)
        consumers = columns.dst[edges[columns.data[edges]]]
        frontier = _distinct(consumers[~varying[consumers]], slots)
        varying[frontier] = True
    return varying


def _distinct(nodes: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """``nodes`` without repeats, in linear time (``np.unique`` sorts): each node keeps its last position.
    ``slots`` is scratch space with one entry per node of the graph."""
    positions = np.arange(len(nodes))
    slots[nodes] = positions
    return nodes[slots[nodes] == positions]


class _DataReach:
    """Whether a node's value depends on the data fed to the graph (an input that is not a variable): computed
    for every node at once, a wave along data edges from each feed (a walk per node, memoised, went down the
    whole forward pass in Python, and around a loop answered by the order it met the nodes)."""

    def __init__(self, graph: Graph, variables: set[int]):
        self.variables = variables
        self._columns = graph.columns
        # A source's own kind decides it, not its inputs (a queue's dequeue is data whatever feeds the queue); a
        # file name fed to the saver is no data of the model's.
        self._sources = self._columns.op_in(_VARYING_SOURCES)
        feeds = [
            node
            for node in np.flatnonzero(self._sources).tolist()
            if node not in variables and not _is_string(graph, node)
        ]
        is_variable = np.zeros(graph.node_count, dtype=bool)
        is_variable[list(variables)] = True  # resource arguments too (a traced step's variables)
        feeds += _draws_of_seed_generators(graph, is_variable)
        self.reads = np.zeros(graph.node_count, dtype=bool)
        self._slots = np.empty(graph.node_count, dtype=np.intp)
        self.mark(np.array(feeds, dtype=np.intp))

    def __call__(self, node: int) -> bool:
        return bool(self.reads[node])

    def mark(self, nodes: np.ndarray) -> None:
        """``nodes`` count as data, and so does what computes from them."""
        columns, reads = self._columns, self.reads
        frontier = nodes[~reads[nodes]]
        reads[frontier] = True
        while frontier.size:
            edges, _ = columns.out_edges(frontier)
            consumers = columns.dst[edges[columns.data[edges]]]
            frontier = _distinct(consumers[~reads[consumers] & ~self._sources[consumers]], self._slots)
            reads[frontier] = True


# Random ops that take their seed (or a key and a counter) as an input, not as an attribute.
SEEDED_RANDOM_OPS = frozenset(
    {
        "StatelessRandomGetKeyCounter",
        "StatelessRandomGetKeyCounterAlg",
        "StatelessRandomUniform",
        "StatelessRandomUniformV2",
        "StatelessRandomNormal",
        "StatelessRandomNormalV2",
        "StatelessTruncatedNormal",
        "StatelessTruncatedNormalV2",
        "StatelessRandomUniformInt",
        "StatelessRandomUniformIntV2",
        "StatelessRandomUniformFullInt",
        "StatelessRandomUniformFullIntV2",
    }
)


def _draws_of_seed_generators(graph: Graph, is_variable: np.ndarray) -> list[int]:
    """The random draws seeded from a variable: a seed generator's state, advanced at each draw (Keras 3's
    ``keras.random.normal`` and its Dropout layers), so each step draws anew, as data is fed anew: a GAN's noise is
    its generator's input. An initialiser's draw has a constant seed and stays no data."""
    draws, seeds = seed_inputs(graph)
    # Every draw's seed at once first: an initialiser's draws (tens of thousands in a large graph) reach no
    # variable, and then none is followed alone.
    if not draws.size or not (ancestors_within(graph, seeds, SEED_HOPS) & is_variable).any():
        return []
    return [
        draw
        for draw, seed in zip(draws.tolist(), seeds.tolist())
        if (ancestors_within(graph, np.array([seed], dtype=np.intp), SEED_HOPS) & is_variable).any()
    ]


SEED_HOPS = 8  # ops between a seed generator's state and the draw it seeds (a read, a cast, a mix, a key)
# The input of each seeded op that carries its seed (or its key): the others are the shape and the algorithm.
_SEED_POSITION = {"StatelessRandomGetKeyCounter": 0, "StatelessRandomGetKeyCounterAlg": 0}


def seed_inputs(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """(the seeded random ops, the source of each one's seed, or its key for the ops that take a key and a
    counter)."""
    columns = graph.columns
    draws = np.flatnonzero(columns.op_in(SEEDED_RANDOM_OPS))
    positions = np.array([_SEED_POSITION.get(graph.ops[d], 1) for d in draws.tolist()], dtype=np.intp)
    sources = _inputs_at_positions(columns, draws, positions)
    return draws[sources >= 0], sources[sources >= 0]


def _inputs_at_positions(columns, nodes: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``inputs_at`` with a position per node."""
    found = np.full(len(nodes), -1, dtype=np.intp)
    for position in np.unique(positions).tolist():
        at = positions == position
        found[at] = columns.inputs_at(nodes[at], position)
    return found


def ancestors_within(graph: Graph, nodes: np.ndarray, hops: int) -> np.ndarray:
    """Per node, whether it is one of ``nodes`` or reaches one along at most ``hops`` data edges: a wave in numpy."""
    columns = graph.columns
    reached = np.zeros(graph.node_count, dtype=bool)
    reached[nodes] = True
    frontier = np.asarray(nodes, dtype=np.intp)
    for _ in range(hops):
        edges, _ = columns.in_edges(frontier)
        sources = columns.src[edges[columns.data[edges]]]
        sources = np.unique(sources[sources >= 0])
        frontier = sources[~reached[sources]]
        if not frontier.size:
            break
        reached[frontier] = True
    return reached


def _is_string(graph: Graph, node: int) -> bool:
    attr = _node_attr(graph, node)
    return attr is not None and "dtype" in attr and attr["dtype"].type == DT_STRING


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
        # A resource variable passed in: the value's dtype and shape are on the handle when TensorFlow recorded
        # them there (a traced function's arguments); else it may be one.
        dtypes = attr["_handle_dtypes"].list.type if "_handle_dtypes" in attr else ()
        shapes = attr["_handle_shapes"].list.shape if "_handle_shapes" in attr else ()
        if dtypes and dtypes[0] not in FLOAT_DTYPES:
            return False
        return not shapes or shapes[0].unknown_rank or len(shapes[0].dim) == 0
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


_HANDLE_INPUTS = frozenset({"Placeholder", "_Arg"})


def _handles_passed_into_calls(graph: Graph, is_variable: np.ndarray) -> None:
    """Marks in ``is_variable`` the captured handles (a run graph's placeholders, a trace's arguments) that only
    calls take, where a body the call runs reads or writes it as a variable: tf_keras's Nadam updates its
    ``u_product`` inside a ``cond``, and that handle was taken for data fed with each batch (the updates reading
    it, then Nadam's first moments, were the model's: twice the model's parameters)."""
    columns = graph.columns
    calls = columns.per_op(lambda op: op in CALL_OPS, bool)
    edges = np.flatnonzero(
        calls[columns.dst] & columns.data & columns.op_in(_HANDLE_INPUTS)[columns.src] & ~is_variable[columns.src]
    )
    for edge in edges.tolist():
        source, call = int(columns.src[edge]), int(columns.dst[edge])
        if is_variable[source]:
            continue
        try:
            call_def = graph.node_defs[call]
        except NodeDefUnreadable:
            continue
        position = int(columns.position[edge]) - functions.LEADING_NON_ARGUMENTS.get(graph.ops[call], 0)
        if functions.argument_taken_by(graph, call_def, position, READ_OPS | WRITE_OPS):
            is_variable[source] = True


# The ops a layer weighs its input with: a weight read for one of them, in the write's scope, is the layer's.
_WEIGHING = frozenset({"MatMul", "BatchMatMulV2", "Conv2D", "Conv3D", "DepthwiseConv2dNative", "Einsum", "BiasAdd"})


def _reads_weighing_data(graph: Graph, is_variable: np.ndarray, reads_data) -> dict[int, list[int]]:
    """Each variable's reads (``READ_OPS``) that an op weighing the data with it takes (``_WEIGHING``, reading
    data), found for every variable at once: a walk per write listed the readers of each variable it met, and a
    trace's step counter is read in hundreds of places (two seconds of a Keras 3 ResNet50 trace's roles)."""
    columns = graph.columns
    weighs = columns.op_in(_WEIGHING) & reads_data.reads
    feeding = np.zeros(graph.node_count, dtype=bool)
    feeding[columns.src[weighs[columns.dst] & columns.op_in(READ_OPS)[columns.src]]] = True
    taken = is_variable[columns.src] & feeding[columns.dst]
    found: dict[int, list[int]] = {}
    for variable, reader in zip(columns.src[taken].tolist(), columns.dst[taken].tolist()):
        found.setdefault(variable, []).append(reader)
    return found


def _rewrites_its_own_weight(graph: Graph, write: int, value: int, is_variable, weighed: dict) -> bool:
    """Whether a write of a value computed from variables alone is a layer's own forward pass: its value reads a
    variable that an op of the write's own scope weighs the data with (SpectralNormalization divides its kernel by
    its largest singular value and keeps the power iteration's vector, in the layer that multiplies its input by
    the kernel). A moving average of the weights, a target network's copy, an optimizer's step are written where
    no op weighs the data with what they read. ``weighed``: ``_reads_weighing_data``."""
    scope = graph.names[write].rpartition("/")[0]
    if not scope:
        return False
    prefix = scope + "/"
    seen, frontier = {value}, [value]
    while frontier and len(seen) < 64:
        current = frontier.pop()
        for e in graph.in_edges(current):
            source = graph.edge_src[e]
            if graph.edge_control[e] or source in seen:
                continue
            seen.add(source)
            if not is_variable[source]:
                frontier.append(source)
                continue
            if any(graph.names[reader].startswith(prefix) for reader in weighed.get(source, ())):
                return True
    return False


def reads_a_variable(graph: Graph, node: int, is_variable: np.ndarray, limit: int = 64, besides: int = -1) -> bool:
    """Whether a variable (other than ``besides``) is among the first ``limit`` data ancestors of ``node`` (a
    weight's moving average reads its weight in two steps; a loop over constants reads none)."""
    seen, frontier = {node}, [node]
    while frontier and len(seen) < limit:
        current = frontier.pop()
        for e in graph.in_edges(current):
            source = graph.edge_src[e]
            if graph.edge_control[e] or source in seen:
                continue
            if is_variable[source] and source != besides:
                return True
            seen.add(source)
            frontier.append(source)
    return False


def _is_integer_scalar(graph: Graph, node: int) -> bool:
    """A variable declared as an integer scalar (``VariableV2``/``VarHandleOp``'s ``dtype`` and ``shape``)."""
    attr = _node_attr(graph, node)
    if attr is None or "dtype" not in attr or "shape" not in attr:
        return False
    shape = attr["shape"].shape
    return attr["dtype"].type in INTEGER_DTYPES and not shape.unknown_rank and len(shape.dim) == 0


def _peel_rank() -> np.ndarray:
    """Per role code, its rank in _PEEL_PRIORITY (higher claims first); 0 for the rest."""
    rank = np.zeros(256, dtype=np.uint8)
    for position, code in enumerate(reversed(_PEEL_PRIORITY), 1):
        rank[code] = position
    return rank


_RANK = _peel_rank()
_UNRANK = np.array((0, *reversed(_PEEL_PRIORITY)), dtype=np.uint8)
IS_MACHINERY = np.array([code in MACHINERY for code in range(256)])  # by role code: the machinery's (its areas)
_INIT_OR_SAVE = np.array([code in (INIT, SAVE) for code in range(256)])


def classify_roles(graph: Graph, phase_carriers) -> Roles:
    columns = graph.columns
    n = graph.node_count
    codes = columns.per_op(_role_of_op, np.uint8)
    # 1. An op type alone never makes a forward op a gradient (``conv2d_transpose`` runs Conv2DBackpropInput):
    # where it sits decides, in a gradient scope (below) or downstream of one (step 4).
    gradient_op = codes == GRADIENT
    gradient_op[_backward_calls(graph)] = True
    codes[gradient_op] = MODEL
    _claim_checkpoint_calls(graph, codes)

    # Variables: variable ops, and whatever a read, a write or an update takes as its variable.
    writes = np.flatnonzero(columns.op_in(WRITE_OPS))
    readers = np.flatnonzero(columns.op_in(READ_OPS))
    applies = np.flatnonzero(columns.per_op(lambda op: bool(_OPTIMIZER_OP.match(op)), bool))
    is_variable = columns.op_in(VARIABLE_OPS)
    taken = columns.inputs_at(np.concatenate([writes, readers, applies]), 0)
    is_variable[taken[taken >= 0]] = True
    # An update's slots are variables too (Adam's m and v, its inputs 1 and 2): in a traced step whose optimizer
    # applies fused updates (a legacy Keras optimizer's), they are arguments nothing else reads or writes.
    updates = np.flatnonzero(columns.op_in(_UPDATE_SLOTS.keys()))
    if updates.size:
        slots = np.fromiter((_UPDATE_SLOTS[graph.ops[u]] for u in updates.tolist()), dtype=np.intp, count=updates.size)
        for position in range(1, int(slots.max()) + 1):
            taken = columns.inputs_at(updates[slots >= position], position)
            is_variable[taken[taken >= 0]] = True
    _handles_passed_into_calls(graph, is_variable)
    variables = np.flatnonzero(is_variable)

    # 2. Gradient scopes: a substring scan (a comprehension's ``in``: twice as fast as a ``map`` of
    # ``str.__contains__``), then the pattern once per distinct scope of what it lets through.
    # A graph that holds no variable (a frozen graph) trains nothing: its gradients are part of what it computes
    # (a potential's forces are its energy's gradient).
    names = graph.names
    hits = [node for node, name in enumerate(names) if "gradient" in name] if variables.size else []
    gradient_holders: set[str] = set()  # the scopes the gradient scopes are in ("" for the top level), with a "/"
    if hits:
        hit_scopes = [names[node].rpartition("/")[0] + "/" for node in hits]
        gradient_scopes = {scope for scope in set(hit_scopes) if _GRADIENT_SCOPE.search(scope)}
        in_scope = np.fromiter(compress(hits, map(gradient_scopes.__contains__, hit_scopes)), dtype=np.intp)
        codes[in_scope[codes[in_scope] == MODEL]] = GRADIENT
        for scope in gradient_scopes:
            found = _GRADIENT_SCOPE.search(scope)
            gradient_holders.add(scope[: found.start() + 1] if found.group().startswith("/") else "")
    codes[np.fromiter(phase_carriers, dtype=np.intp, count=len(phase_carriers))] = PHASE

    # 3. Writes: initialisers and step counters (a write of what the gradients computed is found in step 4).
    varying = _varying(graph)
    values = columns.inputs_at(writes, 1)
    constant = (codes[writes] == MODEL) & (values >= 0)
    constant[constant] = ~varying[values[constant]]
    is_increment = columns.op_in(INCREMENT_OPS)[writes]
    codes[writes[constant & ~is_increment]] = INIT
    _claim_step_counters(graph, codes, writes, values, constant & is_increment, varying)
    _claim_fed_weights(graph, codes, writes, values)

    # Hyperparameters, before machinery claims what only the optimizer reads.
    hyperparameters, hyper_carriers = _find_hyperparameters(graph, codes, variables, writes, applies, readers)
    codes[list(hyper_carriers)] = HYPERPARAMETER
    _claim_hyperparameter_setters(graph, codes, writes, hyperparameters, hyper_carriers)

    # 4. Downstream of the gradients; a write of what a checkpoint restored belongs to the checkpoint.
    is_write = np.zeros(n, dtype=bool)
    is_write[writes] = True
    scoped = codes == GRADIENT
    undecided = codes == MODEL
    _claim_downstream_of_gradients(graph, codes, is_write, gradient_op)
    is_update = is_write.copy()
    is_update[applies] = True
    _claim_backward_outside_scopes(graph, codes, scoped, undecided & (codes != MODEL), is_update)
    _claim_unused_zeros(graph, codes, gradient_holders)
    origins = relayed_from(graph, values)
    restored = (codes[writes] == MODEL) & (origins >= 0)
    restored[restored] = np.isin(codes[origins[restored]], (SAVE, INIT))
    codes[writes[restored]] = codes[origins[restored]]
    # A variable the optimizer's updates read besides their own (Adam's beta powers) is the optimizer's state:
    # its writes are the optimizer's.
    edges, _ = columns.in_edges(applies)
    edges = edges[columns.data[edges] & (columns.position[edges] > 0)]
    # TF 1.x's Adam casts each beta power to its variable's dtype first (``update_kernel/Cast``).
    state = relayed_from(graph, columns.src[edges], _VALUE_RELAYS | {"Cast"})
    is_state = np.zeros(n, dtype=bool)
    is_state[state[state >= 0]] = True
    targets = columns.inputs_at(writes, 0)
    codes[writes[(codes[writes] == MODEL) & (targets >= 0) & is_state[np.maximum(targets, 0)]]] = OPTIMIZER
    reads_data = _DataReach(graph, set(variables.tolist()))
    _forward_of_constant_inputs(graph, codes, reads_data, varying)
    # 5. Consumers all machinery; fed by one machinery only.
    # Grouping first (``report_uninitialized_variables`` masks with what the checks found), then what only the
    # machinery consumes, then the groupings of what that claimed.
    _absorb(graph, codes, varying)
    _peel(graph, codes, reads_data, varying)
    _state_of_machinery(graph, codes, variables)
    _claim_initialized_values(graph, codes)
    _absorb(graph, codes, varying)
    # A write of what an initialiser computed (through ``initialized_value()``) initialises too.
    origins = relayed_from(graph, values)
    late = (codes[writes] == MODEL) & (origins >= 0)
    late[late] = codes[origins[late]] == INIT
    codes[writes[late]] = INIT
    _claim_own_initialisers(graph, codes, writes)
    # A write of a value computed from variables alone, no data (Slim's moving average of the weights, a target
    # network's copy) is training machinery, unlike a moving statistic of the batch or a metric's total. Late,
    # so that an initialiser copying another variable's initial value is one already; what only it reads follows.
    pending = writes[(codes[writes] == MODEL) & (values >= 0)]
    pending = pending[varying[columns.inputs_at(pending, 1)]]
    # An average reads another variable than the one it writes: a variable set to itself plus a constant is a
    # count (Keras 3's mean's count plus a static batch's size, its seed generators' states), not an average.
    # A variable the optimizer also writes is its own whatever the value (tf_keras's RMSprop decays a sparse
    # gradient's slot, ``velocity * rho``, before adding the gradient's rows).
    optimized = writes[codes[writes] == OPTIMIZER]
    optimized = set(columns.inputs_at(optimized, 0).tolist()) if optimized.size else set()
    candidates = list(
        zip(pending.tolist(), columns.inputs_at(pending, 1).tolist(), columns.inputs_at(pending, 0).tolist())
    )
    candidates = [(w, value, target) for w, value, target in candidates if not reads_data(value)]
    if candidates:
        weighed = _reads_weighing_data(graph, is_variable, reads_data)
        candidates = [c for c in candidates if not _rewrites_its_own_weight(graph, c[0], c[1], is_variable, weighed)]
    if candidates:
        # A statistic derived from another statistic of the batch is the layer's too: batch renormalization keeps
        # a moving standard deviation of the batch and sets its moving variance from it (``AssignNewValue``).
        of_batch_writes = (codes[writes] == MODEL) & (values >= 0)
        of_batch_writes[of_batch_writes] = reads_data.reads[values[of_batch_writes]]
        targets_of_batch = columns.inputs_at(writes[of_batch_writes], 0)
        of_batch = np.zeros(n, dtype=bool)
        of_batch[targets_of_batch[targets_of_batch >= 0]] = True
        candidates = [c for c in candidates if not reads_a_variable(graph, c[1], of_batch, besides=c[2])]
    averaged = [
        w
        for w, value, target in candidates
        if target in optimized or reads_a_variable(graph, value, is_variable, besides=target)
    ]
    if averaged:
        # The updates found so, a write of a variable they update is the optimizer's too: a constraint's projection
        # of a weight after its update (Keras 3's MaxNorm, in the optimizer's scope) reads that weight alone.
        updated = set(columns.inputs_at(np.array(averaged, dtype=np.intp), 0).tolist())
        found = set(averaged)
        averaged += [w for w, _, target in candidates if w not in found and target in updated]
        codes[np.array(averaged, dtype=np.intp)] = OPTIMIZER
        _peel(graph, codes, reads_data, varying)
        _state_of_machinery(graph, codes, variables)
        _absorb(graph, codes, varying)
    _claim_summarised_gradients(graph, codes, scoped, is_update)
    _claim_created_variables(graph, codes)
    _claim_lifted_initialisation(graph, codes, variables)
    initial_value_functions = _claim_initial_value_functions(graph, codes)
    _claim_state_updated_in_calls(graph, codes, variables)
    _claim_constants(graph, codes)
    _claim_dead_reads(graph, codes, readers)
    areas = _areas(graph, codes, hyperparameters, hyper_carriers)
    _claim_unused_hyper_arithmetic(graph, codes, areas, varying)
    _claim_unused_settings(graph, codes, areas, hyperparameters)
    _claim_dead_constants_among_machinery(graph, codes, areas)
    _claim_hyperparameter_defaults(graph, codes, areas)
    return Roles(
        bytearray(codes.tobytes()),
        set(variables.tolist()),
        set(writes.tolist()),
        hyperparameters,
        hyper_carriers,
        bytearray(areas.tobytes()),
        initial_value_functions,
    )


def _claim_hyperparameter_defaults(graph: Graph, codes: np.ndarray, areas: np.ndarray) -> None:
    """A constant only hyperparameters read (a ``placeholder_with_default``'s default, ``keep_prob/input``) is
    theirs, drawn where they are: as the model's, it made the scope ``keep_prob`` a layer of one constant."""
    columns = graph.columns
    constants = np.flatnonzero(columns.op_in({"Const"}) & (codes == MODEL))
    edges, owners = columns.out_edges(constants)
    if not edges.size:
        return
    readers = columns.dst[edges]
    other = np.zeros(graph.node_count, dtype=bool)
    other[owners[codes[readers] != HYPERPARAMETER]] = True
    lowest = np.full(graph.node_count, 255, dtype=np.uint8)
    highest = np.zeros(graph.node_count, dtype=np.uint8)
    np.minimum.at(lowest, owners, areas[readers])
    np.maximum.at(highest, owners, areas[readers])
    read = np.zeros(graph.node_count, dtype=bool)
    read[owners] = True
    claimed = constants[read[constants] & ~other[constants]]
    codes[claimed] = HYPERPARAMETER
    areas[claimed] = np.where(lowest[claimed] == highest[claimed], highest[claimed], MODEL)


def _claim_unused_settings(graph: Graph, codes: np.ndarray, areas: np.ndarray, hyperparameters) -> None:
    """A constant nothing reads, beside hyperparameters drawn in one machinery area (its scope theirs), is one of
    that machinery's settings its update does not take: TensorFlow 2's v1 FTRL makes ``Ftrl/beta`` and
    ``Ftrl/l2_shrinkage_regularization_strength`` beside ``Ftrl/learning_rate`` whatever its update reads. As the
    model's, they were a group ``Ftrl`` of two constants in the model's first view."""
    if not hyperparameters:
        return
    dead = np.flatnonzero(unread_constants(graph, codes))
    if not dead.size:
        return
    names = graph.names
    beside: dict[str, set[int]] = {}
    for h in hyperparameters:
        scope = names[h.index].rpartition("/")[0]
        if scope:
            beside.setdefault(scope, set()).add(int(areas[h.index]))
    for node in dead.tolist():
        found = beside.get(names[node].rpartition("/")[0], ())
        if len(found) == 1 and IS_MACHINERY[next(iter(found))]:
            codes[node] = areas[node] = next(iter(found))


# Ops looked at on each side of a dead constant, in the graph's order, for the ops of its scope.
DEAD_CONSTANT_NEIGHBOURS = 64


def unread_constants(graph: Graph, codes: np.ndarray | None = None) -> np.ndarray:
    """The constants that read nothing and that nothing reads (of the model's only, given ``codes``), as a mask."""
    columns = graph.columns
    dead = columns.op_in({"Const"}) if codes is None else columns.op_in({"Const"}) & (codes == MODEL)
    dead &= (np.diff(columns.in_start) == 0) & (columns.out_start[1:] == columns.out_start[:-1])
    return dead


def dead_constant_company(graph: Graph, dead: np.ndarray, node: int) -> tuple[str, list[int]]:
    """The innermost scope of a dead constant that holds other ops than dead constants beside it, and those ops
    (among the DEAD_CONSTANT_NEIGHBOURS ops on each side): TensorFlow writes a scope's ops as the code makes them, one after
    another, so its neighbours in the graph's order are its scope's. ("", []) when it has none."""
    names = graph.names
    scope = names[node].rpartition("/")[0]
    while scope:
        prefix = scope + "/"
        company = []
        for step in (-1, 1):
            # Dead constants passed count too: a scope of many would make a walk from each of them quadratic.
            at, seen = node + step, 0
            while 0 <= at < len(names) and seen < DEAD_CONSTANT_NEIGHBOURS and names[at].startswith(prefix):
                if not dead[at]:
                    company.append(at)
                seen += 1
                at += step
        if company:
            return scope, company
        scope = scope.rpartition("/")[0]
    return "", []


def _claim_dead_constants_among_machinery(graph: Graph, codes: np.ndarray, areas: np.ndarray) -> None:
    """A constant nothing reads, whose scope's ops are all one machinery's, is that machinery's:
    ``tf.train.piecewise_constant`` makes an Assert's message ``PiecewiseConstant/case/Assert/Const`` that nothing
    reads. As the model's, the learning rate's schedule was a group ``PiecewiseConstant`` of one op in the model's
    first view."""
    dead = unread_constants(graph, codes)
    for node in np.flatnonzero(dead).tolist():
        _, company = dead_constant_company(graph, dead, node)
        found = set(areas[company].tolist())
        if len(found) == 1 and IS_MACHINERY[next(iter(found))]:
            codes[node] = areas[node] = next(iter(found))


def _claim_unused_hyper_arithmetic(graph: Graph, codes: np.ndarray, areas: np.ndarray, varying: np.ndarray) -> None:
    """What computes on hyperparameters drawn in one machinery area, and on constants, and that nothing uses
    (Keras' optimizers compute ``1 - beta_1`` whether or not their update reads it), joins that area."""
    columns = graph.columns
    src, dst, data = columns.src, columns.dst, columns.data
    hyper = codes == HYPERPARAMETER
    if not hyper.any():
        return
    used = np.bincount(src[data], minlength=graph.node_count) > 0
    fed = np.zeros(graph.node_count, dtype=bool)
    fed[dst[hyper[src] & data]] = True
    candidates = np.flatnonzero(fed & ~used & (codes == MODEL))
    if not candidates.size:
        return
    edges, owners = columns.in_edges(candidates)
    keep = data[edges]
    edges, owners = edges[keep], owners[keep]
    sources = src[edges]
    other = ~(hyper[sources] | ((codes[sources] == MODEL) & ~varying[sources]))
    blocked = np.zeros(graph.node_count, dtype=bool)
    blocked[owners[other]] = True
    from_hyper = hyper[sources]
    lowest = np.full(graph.node_count, 255, dtype=np.uint8)
    highest = np.zeros(graph.node_count, dtype=np.uint8)
    np.minimum.at(lowest, owners[from_hyper], areas[sources[from_hyper]])
    np.maximum.at(highest, owners[from_hyper], areas[sources[from_hyper]])
    role = highest[candidates]
    claimed = ~blocked[candidates] & (lowest[candidates] == role) & IS_MACHINERY[role]
    codes[candidates[claimed]] = role[claimed]
    areas[candidates[claimed]] = role[claimed]


def _claim_constants(graph: Graph, codes: np.ndarray) -> None:
    """A constant of the model's that only one machinery role reads, once the last passes claimed its readers,
    joins that role (a constant read by the model and by machinery stays the model's); so does a constant named
    into a gradient scope that only summaries read (a histogram's tag ``kernel/gradients``)."""
    columns = graph.columns
    constants = np.flatnonzero(columns.op_in({"Const"}) & ((codes == MODEL) | (codes == GRADIENT)))
    edges, owners = columns.out_edges(constants)
    roles = codes[columns.dst[edges]]
    lowest = np.full(graph.node_count, 255, dtype=np.uint8)
    highest = np.zeros(graph.node_count, dtype=np.uint8)
    np.minimum.at(lowest, owners, roles)
    np.maximum.at(highest, owners, roles)
    role = highest[constants]
    claimed = (lowest[constants] == role) & IS_MACHINERY[role]
    claimed &= (codes[constants] == MODEL) | (role == SUMMARY)
    codes[constants[claimed]] = role[claimed]


def _claim_dead_reads(graph: Graph, codes: np.ndarray, readers: np.ndarray) -> None:
    """A read that nothing uses, named inside a machinery op, is that op's: ``tf.nn.zero_fraction`` (an Estimator's
    summary of its weights) reads each weight inside ``total_size/Size``, then builds the size as a constant when the
    shape is known, leaving the read behind; read as the model's, it drew the summary as a layer."""
    columns = graph.columns
    dead = readers[(codes[readers] == MODEL) & (columns.out_start[readers + 1] == columns.out_start[readers])]
    names, index = graph.names, graph.index
    for node in dead.tolist():
        owner = index.get(names[node].rpartition("/")[0])
        if owner is not None and IS_MACHINERY[codes[owner]]:
            codes[node] = codes[owner]


def _claim_initialized_values(graph: Graph, codes: np.ndarray) -> None:
    """``initialized_value()`` reads a variable through a cond on its initialised check: the ``Merge`` of its
    initial value and its read, gated by that check, is the initialiser's (what computes on it joins it). A
    resource variable's is an ``If`` on the check (TF2's ``tf.compat.v1`` graphs), the initialiser's when it sets
    another variable's initial value (ExponentialMovingAverage's shadows: the ``If`` and the write were the
    optimizer's, and so was the weight's own initialiser); a step counter read so for its next value stays what it
    was."""
    columns = graph.columns
    conds = np.flatnonzero(columns.op_in(IF_OPS))
    checks = columns.inputs_at(conds, 0)
    checked = (checks >= 0) & columns.op_in(INIT_OPS)[np.maximum(checks, 0)]
    checked[checked] = codes[checks[checked]] == INIT
    for cond in conds[checked].tolist():
        if _only_written(graph, cond):
            codes[cond] = INIT
    switches = np.flatnonzero(columns.op_in({"Switch", "RefSwitch"}))
    predicates = columns.inputs_at(switches, 1)
    gated = np.zeros(graph.node_count, dtype=bool)
    gated[switches[(predicates >= 0) & (codes[np.maximum(predicates, 0)] == INIT)]] = True
    if not gated.any():
        return
    relays = np.flatnonzero(columns.op_in({"Identity"}))
    relayed = columns.inputs_at(relays, 0)
    gated[relays[(relayed >= 0) & gated[np.maximum(relayed, 0)]]] = True
    merges = np.flatnonzero(columns.op_in({"Merge", "RefMerge"}) & (codes == MODEL))
    edges, owners = columns.in_edges(merges)
    keep = columns.data[edges]
    edges, owners = edges[keep], owners[keep]
    sources = columns.src[edges]
    outside = ~(gated[sources] | (codes[sources] == INIT))
    blocked = np.zeros(graph.node_count, dtype=bool)
    blocked[owners[outside]] = True
    fed = np.zeros(graph.node_count, dtype=bool)
    fed[owners[codes[sources] == INIT]] = True
    codes[merges[~blocked[merges] & fed[merges]]] = INIT


def _only_written(graph: Graph, node: int) -> bool:
    """Whether ``node``'s value, through identities, is only the value of variable writes."""
    frontier, seen = [node], {node}
    while frontier:
        current = frontier.pop()
        for edge in graph.out_edges_of([current])[current]:
            reader = graph.edge_dst[edge]
            if graph.edge_control[edge] or reader in seen:
                continue
            seen.add(reader)
            if graph.ops[reader] in _ASSIGNED_RELAYS:
                frontier.append(reader)
            elif graph.ops[reader] not in WRITE_OPS or graph.edge_input[edge] != 1:
                return False
    return len(seen) > 1


def _claim_checkpoint_calls(graph: Graph, codes: np.ndarray) -> None:
    """A call whose functions save or restore a checkpoint (a SavedModel's traced save and restore) is a
    checkpoint op. Only call ops are parsed; each function's ops are listed once."""
    # (Only function calls: a checkpoint is never saved in a conditional's branch.)
    calls = np.flatnonzero(graph.columns.op_in(_FUNCTION_CALL_OPS))
    if not calls.size or not graph.functions:
        return
    memo: dict[str, frozenset] = {}
    for node in calls.tolist():
        try:
            called = _functions_called(graph.node_defs[node])
        except NodeDefUnreadable:
            continue
        ops = _ops_in_functions(graph, [name for name in called if name in graph.functions], memo)
        if any(op in SAVE_OPS for op in ops):
            codes[node] = SAVE


_VALUE_RELAYS = frozenset({"Identity", "RefIdentity", "Snapshot", "ReadVariableOp"})
_ASSIGNED_RELAYS = frozenset({"Identity", "RefIdentity", "Snapshot"})  # pass a value on to its write unchanged


def _claim_fed_weights(graph: Graph, codes: np.ndarray, writes: np.ndarray, values: np.ndarray) -> None:
    """A placeholder whose value only ever becomes a variable's (Keras's ``set_weights`` and graph-mode
    ``load_weights`` feed each weight once through one, ``Placeholder_7`` -> ``AssignVariableOp_7``) sets weights
    from outside, as an initialiser does: it and its writes are no data fed with each batch."""
    columns = graph.columns
    fed = (values >= 0) & (codes[writes] == MODEL)
    fed[fed] = columns.op_in({"Placeholder"})[values[fed]]
    if not fed.any():
        return
    placeholders = np.unique(values[fed])
    edges, owners = columns.out_edges(placeholders)
    data = columns.data[edges]
    is_write = np.zeros(graph.node_count, dtype=bool)
    is_write[writes] = True
    # Every data consumer takes it as the value written (input 1); a read by anything else is data.
    other = data & ~(is_write[columns.dst[edges]] & (columns.position[edges] == 1))
    at = np.full(graph.node_count, -1, dtype=np.intp)
    at[placeholders] = np.arange(len(placeholders))
    only_written = placeholders[np.bincount(at[owners[other]], minlength=len(placeholders)) == 0]
    if not only_written.size:
        return
    codes[only_written] = INIT
    loading = fed.copy()
    loading[fed] = np.isin(values[fed], only_written)
    codes[writes[loading]] = INIT
    # The read ordered after each write (``ReadVariableOp_7``, which nothing uses) belongs with it.
    edges, _ = columns.out_edges(writes[loading])
    after = columns.dst[edges[~columns.data[edges]]]
    after = after[columns.op_in(READ_OPS)[after] & (np.diff(columns.out_start)[after] == 0) & (codes[after] == MODEL)]
    codes[after] = INIT


def relayed_from(graph: Graph, nodes: np.ndarray, relays: frozenset = _VALUE_RELAYS) -> np.ndarray:
    """For each node, the first node up its chain of ``Identity`` relays that is not one (-1 stays -1)."""
    columns = graph.columns
    relay = columns.op_in(relays)
    origins = np.array(nodes, dtype=np.intp)
    for _ in range(8):  # a restored value reaches its write through one relay or two
        step = (origins >= 0) & relay[np.maximum(origins, 0)]
        if not step.any():
            break
        origins[step] = columns.inputs_at(origins[step], 0)
    return origins


# What a soft update computes its blend with: ``(1 - tau) * t + tau * e`` and its reads of the two variables.
_BLEND_OPS = _VALUE_RELAYS | frozenset({"Add", "AddV2", "Sub", "Mul", "RealDiv", "Neg", "Cast", "Const"})
_BLEND_MAX_OPS = 32


def blends_other_variables(graph: Graph, value: int, written: int) -> bool:
    """Whether ``value`` (what a write sets ``written`` to) is arithmetic on variables' values and constants alone,
    one of them another variable's: a target network's soft update (DDPG's ``t := (1 - tau) * t + tau * e``),
    which trains ``t`` no more than a copy of ``e`` does. A gradient, data, or a step of ``e``'s own optimizer
    on the way makes it no blend (a hand-written ``w := w - lr * grad`` trains ``w``)."""
    seen, stack, others = set(), [value], False
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        op = graph.ops[node]
        if op in VARIABLE_OPS:
            others |= node != written
            continue
        if op not in _BLEND_OPS or len(seen) > _BLEND_MAX_OPS:
            return False
        _, sources, _, _, controls = graph.in_edge_rows([node])
        stack.extend(source for source, control in zip(sources, controls) if not control)
    return others


def _claim_step_counters(graph: Graph, codes: np.ndarray, writes, values, increments, varying) -> None:
    """Step counters (``global_step``, an optimizer's ``iterations``, ``Training_step``): a variable that a
    write adds a constant to (``assign_add(step, 1)``, or BERT's ``assign(step, step + 1)``), unless it counts
    what a metric sums (``_counts_for_a_total``) or a read of it divides (a metric's count, which its total is
    divided by). The counter, its reads, its increments and their constants are the optimizer's, whatever else
    reads the step (a decayed learning rate, a summary)."""
    columns = graph.columns
    ops = graph.ops
    counted = dict(zip(writes[increments].tolist(), columns.inputs_at(writes[increments], 0).tolist()))
    counted = {write: target for write, target in counted.items() if not _counts_for_a_total(graph, write, varying)}
    # BERT, TFLearn: a set of the counter's own value plus a constant (Keras 3 under a distribution strategy sets
    # it through an ``Identity`` of the sum).
    sums = relayed_from(graph, values, _ASSIGNED_RELAYS)
    sets = (codes[writes] == MODEL) & columns.op_in(SET_OPS)[writes] & (sums >= 0)
    sets[sets] = columns.op_in(ADD_OPS)[sums[sets]]
    for write, value in zip(writes[sets].tolist(), sums[sets].tolist()):
        target = int(columns.inputs_at([write], 0)[0])
        addends = np.concatenate([columns.inputs_at([value], 0), columns.inputs_at([value], 1)])
        origins = relayed_from(graph, addends).tolist()
        # Keras 3 casts its 1 to the step's dtype (``Cast(Const)``).
        constants = relayed_from(graph, addends, _VALUE_RELAYS | {"Cast"}).tolist()
        kinds = sorted(
            (ops[c] == "Const", o == target) for a, o, c in zip(addends.tolist(), origins, constants) if a >= 0
        )
        if target >= 0 and kinds == [(False, True), (True, False)]:
            counted[write] = target
    if not counted:
        return
    masks = _division_masks(graph)
    for write, target in counted.items():
        if target < 0 or not _may_be_scalar(graph, target):
            continue  # a counter is a scalar: Keras 3's random seed generator adds to a state of two
        divides, reads = _divided(graph, target, masks)
        if divides:
            continue
        claimed = [write, target, *reads]
        value = int(columns.inputs_at([write], 1)[0])
        for _ in range(8):  # the relays between the sum and its write, as relayed_from climbs them
            if value < 0 or ops[value] not in _ASSIGNED_RELAYS:
                break
            claimed.append(value)
            value = int(columns.inputs_at([value], 0)[0])
        if value >= 0 and ops[value] in ADD_OPS:  # BERT's ``step + 1``: the sum and its constant
            claimed.append(value)
            addends = np.concatenate([columns.inputs_at([value], 0), columns.inputs_at([value], 1)])
            constants = relayed_from(graph, addends, _VALUE_RELAYS | {"Cast"}).tolist()
            claimed += [x for a, c in zip(addends.tolist(), constants) if a >= 0 and ops[c] == "Const" for x in (a, c)]
        elif value >= 0 and ops[value] in ("Const", "Cast"):
            claimed.append(value)
        claimed = np.array(claimed, dtype=np.intp)
        codes[claimed[codes[claimed] == MODEL]] = OPTIMIZER


def _may_be_scalar(graph: Graph, variable: int) -> bool:
    """False only for a variable whose declared shape (or a resource argument's recorded one) has a dimension."""
    declared = shapes.variable(graph, variable)
    return declared is None or declared.shape is None or len(declared.shape) == 0


def _claim_state_updated_in_calls(graph: Graph, codes: np.ndarray, variables: np.ndarray) -> None:
    """A float scalar passed into a traced step that a call of the optimizer's writes is the optimizer's state: a
    LossScaleOptimizer's loss scale, updated inside its ``cond`` (the weights it updates there have dimensions)."""
    passed = [n for n in variables.tolist() if codes[n] == MODEL and graph.ops[n] in HYPER_SOURCE_OPS]
    for node, by in written_in_functions(graph, passed, codes).items():
        # A handle records no shape of its own in a run graph: the variable's reads tell it (the weights).
        if OPTIMIZER in by and _is_float_scalar(graph, node) and _may_be_scalar(graph, node):
            codes[node] = OPTIMIZER


RETURN_OPS = frozenset({"_Retval", "_DeviceRetval"})  # a function graph's results


def _claim_created_variables(graph: Graph, codes: np.ndarray) -> None:
    """A trace records each variable a traced call creates as a function graph of its own that creates it and
    returns its handle (``graph_3/VarHandleOp`` -> ``graph_3/resource_RetVal``; Adam's slots, at the first step):
    setting up a variable, as an initialiser does. The step takes the variable as an argument of its own."""
    columns = graph.columns
    variables = np.flatnonzero(columns.op_in(VARIABLE_OPS) & (codes == MODEL))
    if not variables.size:
        return
    edges, owners = columns.out_edges(variables)
    returned = columns.op_in(RETURN_OPS)[columns.dst[edges]]
    only_returned = np.ones(graph.node_count, dtype=bool)
    only_returned[owners[~returned]] = False
    created = variables[only_returned[variables] & np.isin(variables, owners)]
    if created.size:
        codes[created] = INIT
        returns = columns.dst[edges][returned & np.isin(owners, created)]
        codes[returns[codes[returns] == MODEL]] = INIT


_BOOL = 10  # DataType DT_BOOL


def _claim_own_initialisers(graph: Graph, codes: np.ndarray, writes: np.ndarray) -> None:
    """A variable's own initialiser as TensorFlow names it: ``v/Assign`` of a value made in ``v/Initializer/``,
    even one read from another variable (Keras 3's ``export`` makes each variable it saves so, from the model's
    weight), which would otherwise be a copy of weights: the optimizer's. The value's ops in that scope join it."""
    names = graph.names
    candidates = writes[codes[writes] == MODEL].tolist()
    found = list(compress(candidates, map(_ends_in_assign, map(names.__getitem__, candidates))))
    for write in found:
        target = int(graph.columns.inputs_at([write], 0)[0])
        value = int(graph.columns.inputs_at([write], 1)[0])
        if target < 0 or value < 0 or names[write] != names[target] + "/Assign":
            continue
        scope = names[target] + "/Initializer/"
        if not names[value].startswith(scope):
            continue
        codes[write] = INIT
        codes[np.array(_ancestors_named(graph, value, scope), dtype=np.intp)] = INIT


def _ends_in_assign(name: str) -> bool:
    return name.endswith("/Assign")


def _ancestors_named(graph: Graph, node: int, scope: str) -> list[int]:
    """``node`` and the ops it reads, through data inputs, named within ``scope`` (an initialiser's own ops)."""
    found, frontier = {node}, [node]
    while frontier:
        current = frontier.pop()
        for e in graph.in_edges(current):
            source = graph.edge_src[e]
            if not graph.edge_control[e] and source not in found and graph.names[source].startswith(scope):
                found.add(source)
                frontier.append(source)
    return sorted(found)


def _claim_lifted_initialisation(graph: Graph, codes: np.ndarray, variables: np.ndarray) -> None:
    """TensorFlow's first call of a function that creates variables initialises them outside it, and a trace of
    that call (Keras 3's ``fit``) records each step as a function graph of its own: one takes every variable (a
    resource argument) and assigns it its initial value (``graph_21/assignvariableop_resource`` ->
    ``AssignVariableOp``, an initialiser's write); one stacks whether each is initialised (boolean arguments
    packed into its one result). Both set up variables, as an initialiser does; as the model's ops they were two
    boxes at the top of every such trace's first view."""
    columns = graph.columns
    arguments = columns.op_in({"_Arg"})
    passed = variables[arguments[variables] & (codes[variables] == MODEL)]
    if passed.size:
        edges, owners = columns.out_edges(passed)
        used_otherwise = np.zeros(graph.node_count, dtype=bool)
        used_otherwise[owners[codes[columns.dst[edges]] != INIT]] = True
        initialised = passed[~used_otherwise[passed] & np.isin(passed, owners)]
        codes[initialised] = INIT
    packs = np.flatnonzero(columns.op_in({"Pack"}) & (codes == MODEL))
    if not packs.size:
        return
    edges, owners = columns.out_edges(packs)
    returned_only = np.ones(graph.node_count, dtype=bool)
    returned_only[owners[~columns.op_in(RETURN_OPS)[columns.dst[edges]]]] = False
    packs = packs[returned_only[packs] & np.isin(packs, owners)]
    for pack in packs.tolist():
        in_edges, _ = columns.in_edges(np.array([pack], dtype=np.intp))
        packed = columns.src[in_edges]
        if not packed.size or not columns.data[in_edges].all() or not arguments[packed].all():
            continue
        out_edges, _ = columns.out_edges(packed)
        if (columns.dst[out_edges] != pack).any() or not all(_is_bool_argument(graph, a) for a in packed.tolist()):
            continue
        results = columns.dst[columns.out_edges(np.array([pack], dtype=np.intp))[0]]
        codes[np.concatenate([packed, [pack], results])] = INIT


# Ops that make a weight's initial value (its initializer's draw, zeros or ones), or set one.
_INITIAL_VALUE_OPS = frozenset(
    {
        "StatelessTruncatedNormalV2",
        "StatelessRandomUniformV2",
        "StatelessRandomNormalV2",
        "StatelessRandomUniformIntV2",
        "TruncatedNormal",
        "RandomUniform",
        "RandomStandardNormal",
        "Fill",
        "AssignVariableOp",
    }
)
_ARGUMENT_OPS = frozenset({"_Arg", "_DeviceArg"})
# A function of at most this many ops: a weight's initial value made or set, and its arguments and results.
_INITIAL_VALUE_FUNCTION_OPS = 8


def _claim_initial_value_functions(graph: Graph, codes: np.ndarray) -> dict[str, str]:
    """A trace of a first step that builds its model (Hugging Face's scripts, a ``train_on_batch`` traced at once)
    records what TensorFlow ran to make each weight as a function graph of its own: the initializer's draw
    (``graph_7``: ``StatelessTruncatedNormalV2`` of its arguments, returned), the zeros of a slot (``Fill``), the
    initial value set (``AssignVariableOp`` of one argument into another). They were the model's, twenty boxes
    beside the step. Such a function (of a few ops, in a trace's ``graph_<n>`` scope) is the initialisers'.
    Returns each function claimed, by scope, with the op type that made or set the value."""
    columns = graph.columns
    candidates = np.flatnonzero(columns.op_in(_INITIAL_VALUE_OPS) & (codes == MODEL))
    if not candidates.size:
        return {}
    arguments, returns = columns.op_in(_ARGUMENT_OPS), columns.op_in(RETURN_OPS)
    found: dict[str, list[int]] = {}  # function scope -> its ops
    for node in candidates.tolist():
        scope, _, _ = graph.names[node].partition("/")
        if not _TRACED_FUNCTION.match(scope):
            continue
        in_edges, _ = columns.in_edges(np.array([node], dtype=np.intp))
        sources = columns.src[in_edges]
        if not sources.size or not arguments[sources].all():
            continue  # made of what the function computes, not of its arguments alone
        out_edges, _ = columns.out_edges(np.array([node], dtype=np.intp))
        results = columns.dst[out_edges]
        if not returns[results].all():
            continue  # read by the function itself
        used, _ = columns.out_edges(sources)
        if (columns.dst[used] != node).any():
            continue  # its arguments feed something else too
        found.setdefault(scope, []).extend([node, *sources.tolist(), *results.tolist()])
    if not found:
        return {}
    prefixes = tuple(scope + "/" for scope in found)
    sizes = Counter(name.partition("/")[0] for name in graph.names if name.startswith(prefixes))
    claimed = {}
    for scope, nodes in found.items():
        if sizes[scope] == len(set(nodes)) and sizes[scope] <= _INITIAL_VALUE_FUNCTION_OPS:
            codes[np.array(nodes, dtype=np.intp)] = INIT  # the whole function, nothing else in it
            claimed[scope] = graph.ops[nodes[0]]
    return claimed


_TRACED_FUNCTION = re.compile(r"^graph_\d+$")  # a trace's function graphs, each in a scope of its own


def _is_bool_argument(graph: Graph, node: int) -> bool:
    try:
        attr = graph.node_defs[node].attr
    except NodeDefUnreadable:
        return False
    return "T" in attr and attr["T"].type == _BOOL


# Between a metric's count and the division by it: TF1's ``tf.metrics`` divide by ``maximum(count, 0)``.
_DIVISOR_CLAMPS = frozenset({"Maximum"})


def _division_masks(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(relays, divisions, variables) per node, for ``_divided``: each a pass over every node, made once."""
    columns = graph.columns
    relays = columns.op_in(HYPER_PASS_THROUGH | _DIVISOR_CLAMPS)
    return relays, columns.op_in(DIVISION_OPS), columns.op_in(VARIABLE_OPS)


def _divided(graph: Graph, variable: int, masks) -> tuple[bool, set[int]]:
    """(whether a read of the variable divides, or is a total divided by another variable: a mean's count or total,
    a metric's; the reads and relays of its value walked, and a clamp of it: TF1's ``tf.metrics.mean`` divides its
    total by ``maximum(count, 0)``, and adds a constant 1 to the count for a scalar, as a step counter does).
    ``masks``: ``_division_masks``."""
    columns = graph.columns
    relay, division, is_variable = masks
    reads, frontier, divides = set(), [variable], False
    while frontier and not divides:  # the variable's value, through reads and relays
        edges, _ = columns.out_edges(np.array(frontier, dtype=np.intp))
        edges = edges[columns.data[edges]]
        consumers, positions = columns.dst[edges], columns.position[edges]
        divides = bool((division[consumers] & (positions == 1)).any())
        over = consumers[division[consumers] & (positions == 0)]
        if not divides and over.size:  # a mean's total, divided by its count (a variable): a metric too
            divisors = relayed_from(graph, columns.inputs_at(over, 1))
            divides = bool(is_variable[divisors[divisors >= 0]].any())
        frontier = [c for c in set(consumers[relay[consumers]].tolist()) if c not in reads]
        reads.update(frontier)
    return divides, reads


def _state_of_machinery(graph: Graph, codes: np.ndarray, variables: np.ndarray) -> None:
    """A variable is state, never an initialiser or a checkpoint: one that only those read (an optimizer's
    ``decay`` that its update never uses, a SavedModel's slots read only by its traced save) is the
    optimizer's when it lives in an optimizer's scope (the scope of the optimizer's updates, or one named
    after an optimizer class), else the model's. Its reads follow it."""
    stray = variables[np.isin(codes[variables], (INIT, SAVE))]
    if not stray.size:
        return
    columns = graph.columns
    names = graph.names
    scopes = set(OPTIMIZER_SCOPES)
    is_update = columns.op_in(WRITE_OPS) | columns.per_op(lambda op: bool(_OPTIMIZER_OP.match(op)), bool)
    for scope in {names[node].rpartition("/")[0] for node in np.flatnonzero((codes == OPTIMIZER) & is_update)}:
        scopes.update(scope.split("/"))
    old = codes[stray]
    # An integer scalar is a step counter (``global_step`` kept in an exported graph only for its checkpoint):
    # no layer's weight is one.
    in_scope = [
        not scopes.isdisjoint(names[node].split("/")[:-1]) or _is_integer_scalar(graph, node) for node in stray.tolist()
    ]
    role = np.where(np.array(in_scope, dtype=bool), OPTIMIZER, MODEL).astype(np.uint8)
    codes[stray] = role
    # Reads that nothing else uses follow their variable.
    follows = np.full(graph.node_count, -1, dtype=np.intp)
    follows[stray] = np.arange(len(stray))
    edges, owners = columns.out_edges(stray)
    reads = columns.dst[edges]
    at = follows[owners]
    keep = columns.op_in(_UNUSED_RELAYS)[reads] & (codes[reads] == old[at])
    codes[reads[keep]] = role[at[keep]]


def _find_hyperparameters(
    graph: Graph,
    codes: np.ndarray,
    variables: np.ndarray,
    writes: np.ndarray,
    applies: np.ndarray,
    readers: np.ndarray,
):
    """Scalars read in many layers that nothing trains: float placeholders (``keep_prob``), variables written
    only by their initialiser (the learning rate), and float constants that several optimizer updates read."""
    columns = graph.columns
    ops = graph.ops
    written = np.zeros(graph.node_count, dtype=bool)
    # Written by something but its initialiser and the checkpoint's restore (a Saver restores every variable).
    origins = relayed_from(graph, columns.inputs_at(writes, 1))
    restores = (origins >= 0) & columns.op_in(RESTORE_OPS)[np.maximum(origins, 0)]
    written_by = columns.inputs_at(writes[(codes[writes] != INIT) & ~restores], 0)
    written[written_by[written_by >= 0]] = True
    written_by = columns.inputs_at(applies, 0)
    written[written_by[written_by >= 0]] = True
    read = np.zeros(graph.node_count, dtype=bool)
    read_by = columns.inputs_at(readers, 0)
    read[read_by[read_by >= 0]] = True
    # A reference variable is read through its ``/read`` identity (TF1's ``lr = tf.Variable(0.0, trainable=False)``).
    identities = np.flatnonzero(columns.op_in({"Identity"}))
    read_by = columns.inputs_at(identities, 0)
    read_by = read_by[read_by >= 0]
    read[read_by[columns.op_in(_REF_VARIABLE_OPS)[read_by]]] = True
    is_model = codes == MODEL
    is_source = columns.op_in(HYPER_SOURCE_OPS)
    candidates = np.flatnonzero(is_source & is_model & ~written).tolist()
    candidates += variables[
        read[variables] & ~written[variables] & is_model[variables] & ~is_source[variables]
    ].tolist()
    # A constant read by several optimizer updates (TF1's ``GradientDescent/learning_rate``): inputs past the first.
    edges, _ = columns.in_edges(applies)
    edges = edges[columns.position[edges] > 0]
    edges = edges[columns.data[edges]]
    constants = columns.src[edges]
    constants = constants[columns.op_in({"Const"})[constants]]
    counted, counts = np.unique(constants, return_counts=True)
    candidates += counted[counts >= HYPER_MIN_READERS].tolist()
    if not candidates:
        return [], {}
    # A variable a called function writes is no hyperparameter: a LossScaleOptimizer's loss scale, read to scale
    # the loss at the top level, is updated inside its ``cond``.
    updated = written_in_functions(graph, [n for n in candidates if ops[n] in HYPER_SOURCE_OPS], codes)
    candidates = [n for n in candidates if n not in updated]
    if not candidates:
        return [], {}
    closures = _hyper_closures(graph, candidates)
    found: list[Hyperparameter] = []
    carriers: dict[int, int] = {}
    calls = set(np.flatnonzero(columns.op_in(CALL_OPS)).tolist())
    weighted = None
    for node in candidates:
        closure, hyper_readers = closures[node]
        # A call passing a variable on reads it whole (a SavedModel's save and serving calls): no layer reads it.
        if calls:
            hyper_readers = hyper_readers - calls
        # A checkpoint saving it and a summary logging it use no setting: TFLearn's ``val_loss``, set from outside
        # for display, is saved by three Savers.
        hyper_readers = {reader for reader in hyper_readers if codes[reader] not in (SAVE, SUMMARY)}
        dropout_reader = None
        if _readers_apart(graph, hyper_readers) < HYPER_MIN_READERS:
            if not is_source[node] or not _sets_a_dropout_rate(graph, hyper_readers):
                continue
            dropout_reader = graph.names[min(hyper_readers)]
        if not _is_float_scalar(graph, node):
            continue
        # A placeholder declared without a shape that a matrix product or a convolution takes is a tensor (an
        # autoencoder's input), however its declaration reads.
        if is_source[node] and any(ops[reader] in _TENSOR_OPERAND_OPS for reader in hyper_readers):
            continue
        if is_source[node]:
            # A scalar that configures the model is read where layers still follow (keep_prob before the next
            # layer's weights); data fed per batch (targets, sample weights, labels) meets only the loss and
            # the metrics, after the last weight.
            model_readers = [reader for reader in hyper_readers if codes[reader] == MODEL]
            if weighted is None:
                weighted = _weighted(graph, variables)
            if model_readers and not _reaches(graph, codes, model_readers, weighted):
                continue
        found.append(Hyperparameter(node, graph.names[node], ops[node], len(hyper_readers), dropout_reader))
        for carrier in closure:
            carriers.setdefault(carrier, node)
    return found, carriers


# A dropout's rate (or keep probability) meets its random draw in a comparison (``GreaterEqual(draw, rate)``,
# TensorFlow 1.13 on) or in an addition rounded down (``Floor(keep_prob + draw)``, before).
RANDOM_UNIFORM_OPS = frozenset({"RandomUniform", "StatelessRandomUniform", "StatelessRandomUniformV2"})
_DRAW_COMPARISONS = frozenset({"GreaterEqual", "Greater", "Less", "LessEqual"})
_DRAW_SUMS = frozenset({"Add", "AddV2"})
# What a keep probability passes through on its way to the comparison (``rate = 1 - keep_prob``); never a shape.
_RATE_ARITHMETIC = frozenset({"Sub", "Identity", "Cast", "Mul", "RealDiv", "Div", "Maximum", "Minimum"})
_DRAW_SCALING = frozenset({"Mul", "Add", "AddV2", "Sub", "Identity", "Cast"})  # random_uniform(min, max)


def _sets_a_dropout_rate(graph: Graph, readers: set[int]) -> bool:
    """Whether a fed scalar read in one layer only is that layer's dropout rate: TF1 code feeds ``keep_prob`` to
    its one dropout (the Deep MNIST tutorial's ``Placeholder_2``, a text CNN's ``dropout_keep_prob``), configuring
    it as a learning rate configures the updates, where data fed meets a draw only as what it masks."""
    ops = graph.ops
    columns = graph.columns
    reached = set()
    frontier = set(readers)
    for _ in range(2):  # the reader itself, or one step of arithmetic past it
        reached |= frontier
        passing = [node for node in frontier if ops[node] in _RATE_ARITHMETIC]
        if not passing:
            break
        edges, _ = columns.out_edges(np.array(passing, dtype=np.intp))
        frontier = set(columns.dst[edges[columns.data[edges]]].tolist()) - reached
    for node in reached:
        op = ops[node]
        if op in _DRAW_COMPARISONS and _drawn(graph, node):
            return True
        if op in _DRAW_SUMS and _drawn(graph, node):
            edges, _ = columns.out_edges(np.array([node], dtype=np.intp))
            if any(ops[reader] == "Floor" for reader in columns.dst[edges].tolist()):
                return True
    return False


def _drawn(graph: Graph, node: int, hops: int = 3) -> bool:
    """Whether an input of ``node`` is a uniform random draw, maybe scaled and shifted (``random_uniform``)."""
    ops = graph.ops
    columns = graph.columns
    frontier = [node]
    for _ in range(hops):
        edges, _ = columns.in_edges(np.array(frontier, dtype=np.intp))
        inputs = columns.src[edges[columns.data[edges]]].tolist()
        if any(ops[i] in RANDOM_UNIFORM_OPS for i in inputs):
            return True
        frontier = [i for i in inputs if ops[i] in _DRAW_SCALING]
        if not frontier:
            return False
    return False


_REF_VARIABLE_OPS = frozenset({"VariableV2", "Variable"})


def _claim_hyperparameter_setters(
    graph: Graph, codes: np.ndarray, writes: np.ndarray, hyperparameters, carriers: dict[int, int]
) -> None:
    """A value fed only to be written into a hyperparameter variable sets it from outside: TF1's language models
    keep the learning rate in a variable nothing trains and set it each epoch (``new_lr`` -> ``Assign``, the PTB
    tutorial's ``lr_update``). Taken for weights loaded from outside (initialisers) by ``_claim_fed_weights``. They
    carry the hyperparameter (drawn with it, their edge to each other not one of its reads)."""
    held = {h.index for h in hyperparameters if graph.ops[h.index] in VARIABLE_OPS}
    if not held:
        return
    columns = graph.columns
    targets, values = columns.inputs_at(writes, 0), columns.inputs_at(writes, 1)
    for write, target, value in zip(writes.tolist(), targets.tolist(), values.tolist()):
        if target in held and value >= 0 and codes[write] == INIT and codes[value] == INIT:
            if graph.ops[value] == "Placeholder":
                codes[write] = codes[value] = HYPERPARAMETER
                carriers[write] = carriers[value] = target


def _weighted(graph: Graph, variables: np.ndarray) -> np.ndarray:
    """Per node: whether it takes a variable's value as an input (a layer's weights), through a read."""
    columns = graph.columns
    held = np.zeros(graph.node_count, dtype=bool)
    held[variables] = True
    edges, _ = columns.out_edges(variables)
    reads = columns.dst[edges]
    held[reads[columns.op_in(_UNUSED_RELAYS)[reads]]] = True
    weighted = np.zeros(graph.node_count, dtype=bool)
    into = held[columns.src] & columns.data
    weighted[columns.dst[into]] = True
    weighted &= ~columns.op_in(WRITE_OPS | READ_OPS | INIT_OPS | {"Identity"})
    return weighted


def _reaches(graph: Graph, codes: np.ndarray, starts: list[int], targets: np.ndarray, limit: int = 4096) -> bool:
    """Whether the model's data flow from ``starts`` meets a node of ``targets`` (looking at most ``limit``
    nodes: the loss and metrics after a target are small; a layer's weights come soon after keep_prob)."""
    columns = graph.columns
    seen = set(starts)
    frontier = np.array(starts, dtype=np.intp)
    while frontier.size and len(seen) < limit:
        if targets[frontier].any():
            return True
        edges, _ = columns.out_edges(frontier)
        consumers = columns.dst[edges[columns.data[edges]]]
        consumers = consumers[codes[consumers] == MODEL]
        fresh = [c for c in set(consumers.tolist()) if c not in seen]
        seen.update(fresh)
        frontier = np.array(fresh, dtype=np.intp)
    return len(seen) >= limit


def _counts_for_a_total(graph: Graph, increment: int, varying: np.ndarray) -> bool:
    """Whether an increment is a metric's count: Keras's Mean and Sum metrics add to their count once they have
    added what was computed to their total (``count.assign_add(n)`` under a control dependency on
    ``total.assign_add(sum)``). With a static batch in a traced function, ``n`` is a constant (the batch's size),
    as a step counter's 1 is; a step counter is ordered after the updates of the weights (through a group) or
    after reads of itself, never after a write of a computed value to another variable."""
    columns = graph.columns
    _, sources, _, _, controls = graph.in_edge_rows([increment])
    before = np.array([b for b, c in zip(sources, controls) if c and graph.ops[b] in WRITE_OPS], dtype=np.intp)
    if not before.size:
        return False
    totals, sums = columns.inputs_at(before, 0), columns.inputs_at(before, 1)
    counter = columns.inputs_at(np.array([increment], dtype=np.intp), 0)[0]
    return bool(((totals != counter) & (sums >= 0) & varying[np.maximum(sums, 0)]).any())


def written_in_functions(graph: Graph, nodes: list[int], codes: np.ndarray) -> dict[int, set[int]]:
    """Variables passed into a traced function that a function a call there runs writes, each with the roles of
    those calls: a model's v2 ``cond`` updating BatchNorm's moving statistics inside its branch, or the
    optimizer's, applying the gradients only when they are finite (a LossScaleOptimizer's ``cond``, which updates
    its loss scale there too)."""
    if not nodes or not graph.functions:
        return {}
    from tb_phaseview.analysis import functions  # the library's bodies, read only for the calls these variables feed

    columns = graph.columns
    found: dict[int, set[int]] = {}
    edges, owners = columns.out_edges(np.asarray(nodes, dtype=np.intp))
    calls = columns.op_in(ARGUMENT_CALL_OPS) | columns.op_in(graph.functions.keys())
    keep = calls[columns.dst[edges]]
    for node, edge in zip(owners[keep].tolist(), edges[keep].tolist()):
        call = int(columns.dst[edge])
        try:
            node_def = graph.node_defs[call]
        except Exception:  # noqa: BLE001 - an unreadable call says nothing
            continue
        called = functions.functions_of(graph, node_def)
        argument = int(columns.position[edge]) - functions.LEADING_NON_ARGUMENTS.get(node_def.op, 0)
        for _, name in called:
            index = functions.function_index(graph, name)
            if 0 <= argument < len(index.arguments) and _writes_argument(index, index.arguments[argument]):
                found.setdefault(node, set()).add(int(codes[call]))
                break
    return found


# The ops that run a library function with their inputs as its arguments.
ARGUMENT_CALL_OPS = frozenset(
    {
        "If",
        "StatelessIf",
        "Case",
        "StatelessCase",
        "While",
        "StatelessWhile",
        "PartitionedCall",
        "StatefulPartitionedCall",
    }
)


def _writes_argument(index, argument: str) -> bool:
    for body in index.nodes.values():
        if body.op in WRITE_OPS and body.input and body.input[0].split(":", 1)[0] == argument:
            return True
    return False


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
    them (its own initialiser and initialised check left out). One wave per level for all sources at once,
    the first source to reach a relay keeping it."""
    columns = graph.columns
    skipped = columns.op_in(INIT_OPS)
    writes = columns.op_in(WRITE_OPS)
    passes = columns.op_in(HYPER_PASS_THROUGH)
    owner = np.full(graph.node_count, -1, dtype=np.intp)
    frontier = np.array(sources, dtype=np.intp)
    owner[frontier] = frontier
    reader_edges: list[tuple[np.ndarray, np.ndarray]] = []
    while frontier.size:
        edges, _ = columns.out_edges(frontier)
        edges = edges[columns.data[edges]]
        consumers, first = columns.dst[edges], columns.position[edges] == 0
        keep = ~(skipped[consumers] | (writes[consumers] & first))
        edges, consumers, first = edges[keep], consumers[keep], first[keep]
        relayed = passes[consumers] & first
        reader_edges.append((owner[columns.src[edges[~relayed]]], consumers[~relayed]))
        new, at = np.unique(consumers[relayed], return_index=True)
        fresh = owner[new] < 0
        owner[new[fresh]] = owner[columns.src[edges[relayed][at[fresh]]]]
        frontier = new[fresh]
    closures = {source: ({source}, set()) for source in sources}
    for node, source in zip(np.flatnonzero(owner >= 0).tolist(), owner[owner >= 0].tolist()):
        closures[source][0].add(node)
    for owners, consumers in reader_edges:
        for source, consumer in zip(owners.tolist(), consumers.tolist()):
            closures[source][1].add(consumer)
    return closures


def _claim_downstream_of_gradients(
    graph: Graph, codes: np.ndarray, is_write: np.ndarray, gradient_op: np.ndarray
) -> None:
    """What the gradients feed (data edges), up to and including the variable writes, and on from a write
    through a read ordered after it: gradient while a node sums or relays gradients only (a sum of two paths'
    gradients) or is a gradient op (a gradient's gradient), optimizer once it mixes in anything else or
    computes on them (Adam's square of a gradient, a sparse update's ``Unique``). A wave at a time; a node waits for the wave in which
    none of its inputs is still undecided in the same wave."""
    columns = graph.columns
    src, dst, data = columns.src, columns.dst, columns.data
    gradient = codes == GRADIENT
    # A gradient's scope also holds relays of forward values (a v1 cond's gradient switches the activations
    # it needs; grappler routes them as ``gradients/bn1/cond_grad/StatelessIf/conv1/BiasAdd/_229``), shapes of
    # them and constants (which grappler may share with the forward pass): a node of the scope that no gradient
    # feeds carries none, unless it is the loss's seed (``gradients/Fill``, ``OnesLike``), and what it feeds is
    # not downstream of any gradient.
    # A constant of the scope carries no gradient either: TF2's loop gradient makes its accumulators there
    # (``gradient_tape/lstm/while/.../accumulator``, an EmptyTensorList of constants) and hands them to the forward
    # loop, which is not downstream of any gradient for that.
    fed = columns.op_in(_GRADIENT_SEED_OPS)
    fed[dst[(gradient & ~columns.op_in(CONSTANT_OPS))[src] & data]] = True
    gradient &= fed
    is_read = columns.op_in(READ_OPS)
    combining = columns.op_in(GRADIENT_COMBINING_OPS)
    frontier = np.unique(dst[gradient[src] & (codes[dst] == MODEL) & data])
    in_wave = np.zeros(graph.node_count, dtype=bool)
    while frontier.size:
        frontier = frontier[codes[frontier] == MODEL]
        if not frontier.size:
            break
        edges, owners = columns.in_edges(frontier)
        keep = data[edges]
        edges, owners = edges[keep], owners[keep]
        in_wave[frontier] = True
        waiting = np.unique(owners[in_wave[src[edges]] & (src[edges] != owners)])
        in_wave[frontier] = False
        ready = frontier if waiting.size in (0, frontier.size) else np.setdiff1d(frontier, waiting)
        mixed = np.zeros(graph.node_count, dtype=bool)
        mixed[owners[codes[src[edges]] != GRADIENT]] = True
        summing = combining[ready] & ~mixed[ready] & ~is_write[ready]
        codes[ready] = np.where(gradient_op[ready] | summing, GRADIENT, OPTIMIZER)
        edges, owners = columns.out_edges(ready)
        consumers = dst[edges]
        keep = codes[consumers] == MODEL
        # An update's effect goes on through a read ordered after it in the update's own scope (Keras's RMSprop
        # reads what it wrote, ``update_conv2d/kernel/ReadVariableOp_5``); a read elsewhere ordered after it is a
        # later forward pass taking the updated weights (a GAN's generator step after the discriminator's update).
        # So does a write's value read in that scope: TF1's sparse Adam scatters into its slots, then computes the
        # weight's step from what the scatter returns, the slot updated (``update_embedding/table/ScatterAdd`` ->
        # ``mul_6`` -> ``AssignSub``), and its learning rate from the beta powers beside it.
        from_write = is_write[owners]
        after = from_write & (data[edges] | is_read[consumers])
        if after.any():
            names = graph.names
            after[after] = [
                names[w].rpartition("/")[0] == names[r].rpartition("/")[0]
                for w, r in zip(owners[after].tolist(), consumers[after].tolist())
            ]
        keep &= np.where(from_write, after, data[edges])
        # A scope's node that no gradient fed at first carries one now (a sum of two tapes' gradients, outside the
        # scope, feeds a layer's gradient): what it and the scope's nodes it feeds feed is downstream too.
        late = consumers[(codes[consumers] == GRADIENT) & ~gradient[consumers] & data[edges] & ~from_write]
        joined = _fed_through_scope(columns, codes, gradient, late) if late.size else late
        frontier = np.union1d(
            np.union1d(consumers[keep], joined), waiting if waiting.size < frontier.size else waiting[:0]
        )


def _claim_summarised_gradients(graph: Graph, codes: np.ndarray, scoped: np.ndarray, is_update: np.ndarray) -> None:
    """What computes on the gradients outside their scopes for summaries alone is the summary's (what only they
    read), not the optimizer's: a histogram of an embedding's gradient first sums its rows into a dense tensor
    (``embedding/W_0/grad/hist/values``, an ``UnsortedSegmentSum``, and the slices of its shape), a norm of the
    gradients logged and not used. Step 4 made them the optimizer's and the gradient's, as arithmetic on gradients
    outside their scopes. Walked back from the summaries a wave at a time; a gradient scope's own ops and the
    updates stay."""
    columns = graph.columns
    src, dst, data = columns.src, columns.dst, columns.data
    eligible = ((codes == OPTIMIZER) | (codes == GRADIENT)) & ~scoped & ~is_update
    if not eligible.any():
        return
    readers = np.bincount(src[data], minlength=graph.node_count)
    summarised = np.zeros(graph.node_count, dtype=np.intp)
    sources = src[data & (codes[dst] == SUMMARY) & eligible[src]]
    while sources.size:
        np.add.at(summarised, sources, 1)
        touched = np.unique(sources)
        claimed = touched[(summarised[touched] == readers[touched]) & eligible[touched]]
        if not claimed.size:
            break
        codes[claimed] = SUMMARY
        eligible[claimed] = False
        edges, _ = columns.in_edges(claimed)
        edges = edges[data[edges]]
        sources = src[edges][eligible[src[edges]]]


def _claim_backward_outside_scopes(
    graph: Graph, codes: np.ndarray, scoped: np.ndarray, downstream: np.ndarray, is_update: np.ndarray
) -> None:
    """A custom gradient's function (tf_keras's swish, ``tf.custom_gradient``) writes its ops where it is called,
    outside the gradient scopes (``mul_5``, ``Sigmoid``, ``Square`` at a training graph's top level). Of what step
    4 made the optimizer's (``downstream``), what hands its values only back to a gradient scope (the gradient of
    the swish's input) or to nothing at all (that of its constant ``beta``) is the backward pass: the optimizer's
    arithmetic ends in updates, summaries, calls that update inside, which this never reaches. So is what only
    that reads (the sigmoid of the activation it differentiates); variables and their reads stay."""
    columns = graph.columns
    src, dst, data = columns.src, columns.dst, columns.data
    # Writes, reads (RMSprop's read of what it wrote), calls and updates are never a gradient's arithmetic.
    # ``is_update``: the variable writes and ``Apply*`` ops classify_roles found.
    candidates = downstream & (codes == OPTIMIZER) & ~is_update & ~columns.op_in(READ_OPS | VARIABLE_OPS | CALL_OPS)
    if not candidates.any():
        return
    # A candidate leaks when a value of it goes anywhere but another candidate or a gradient scope, or when it is
    # waited for (an ordering is a use).
    leaving = candidates[src] & ~(candidates[dst] | scoped[dst])
    leaks = np.zeros(graph.node_count, dtype=bool)
    leaks[src[leaving & data]] = True
    leaks[src[candidates[src] & ~data]] = True
    # What reaches a leak: back from the leaks, a wave at a time, through the candidates.
    updating = leaks & candidates
    frontier = np.flatnonzero(updating)
    while frontier.size:
        edges, _ = columns.in_edges(frontier)
        sources = src[edges[data[edges]]]
        frontier = np.unique(sources[candidates[sources] & ~updating[sources]])
        updating[frontier] = True
    # And what computes on the optimizer's values, though it leads nowhere (a trace's unused ``Identity`` of one,
    # of a loss scale's ``cond``).
    frontier = np.flatnonzero(updating | (downstream & (codes == OPTIMIZER) & ~candidates))
    while frontier.size:
        edges, _ = columns.out_edges(frontier)
        consumers = dst[edges[data[edges]]]
        frontier = np.unique(consumers[candidates[consumers] & ~updating[consumers]])
        updating[frontier] = True
    backward = candidates & ~updating
    if not backward.any():
        return
    codes[backward] = GRADIENT
    _claim_read_only_by_backward(graph, codes, np.flatnonzero(backward))


def _claim_read_only_by_backward(graph: Graph, codes: np.ndarray, backward: np.ndarray) -> None:
    """What only the backward pass's nodes ``backward`` (outside the gradient scopes) read, a wave at a time back
    from them: the model's but for variables and their reads."""
    columns = graph.columns
    src, data = columns.src, columns.data
    keep = ~columns.op_in(VARIABLE_OPS | READ_OPS)
    pending = np.bincount(src[data], minlength=graph.node_count)
    seen = np.zeros(graph.node_count, dtype=np.intp)
    wave = backward
    while wave.size:
        edges, _ = columns.in_edges(wave)
        sources = src[edges[data[edges]]]
        sources = sources[(codes[sources] == MODEL) & keep[sources]]
        np.add.at(seen, sources, 1)
        touched = np.unique(sources)
        wave = touched[seen[touched] == pending[touched]]
        codes[wave] = GRADIENT


_ZERO_OPS = frozenset({"ZerosLike", "Fill", "Const"})
_ZERO_NAME = re.compile(r"zeros(?:_like)?(?:_\d+)?")


def unused_zero(graph: Graph, node: int) -> bool:
    """An op named and typed as the zeros TensorFlow's backward pass makes (``zeros_like_12``, ``zeros_37``) that
    nothing reads (``_claim_unused_zeros`` says where it must sit too)."""
    return (
        graph.ops[node] in _ZERO_OPS
        and _ZERO_NAME.fullmatch(graph.names[node].rpartition("/")[2]) is not None
        and not graph.out_edges(node)
    )


def _claim_unused_zeros(graph: Graph, codes: np.ndarray, gradient_holders: set[str]) -> None:
    """TensorFlow's backward pass makes a zero for each output of an op that no gradient flows back to (a
    FusedBatchNorm's reserve spaces: ``zeros_like_12 = ZerosLike(bn/FusedBatchNormV3:5)``, ``zeros_37``, a
    ``Fill``), in the scope the gradient was asked for in, not under ``gradient_tape/``; when the op's gradient
    needs none of them, nothing reads them and they never run. tf_keras's ``fit`` graphs hold hundreds at the top
    level (960 in NASNetMobile's, 343 in EfficientNetB0's), Keras 3's traces some in the step's scope: they were
    the model's. Such an op, read by nothing, in a scope that holds a gradient scope, is the backward pass's; so is
    what only it reads (a ``Fill``'s shape and value)."""
    if not gradient_holders:
        return
    columns = graph.columns
    read = np.zeros(graph.node_count, dtype=bool)
    read[columns.src] = True
    candidates = np.flatnonzero(columns.op_in(_ZERO_OPS) & ~read & (codes == MODEL)).tolist()
    zeros = []
    for node in candidates:
        scope, _, leaf = graph.names[node].rpartition("/")
        within = scope + "/" if scope else ""  # as the holders are written: "" for the top level
        if _ZERO_NAME.fullmatch(leaf) and any(holder.startswith(within) for holder in gradient_holders):
            zeros.append(node)
    if not zeros:
        return
    zeros = np.array(zeros, dtype=np.intp)
    codes[zeros] = GRADIENT
    _claim_read_only_by_backward(graph, codes, zeros)


def _fed_through_scope(columns, codes: np.ndarray, fed: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Marks ``start`` and the gradient scopes' nodes they feed (data edges, through the scopes) as fed by a
    gradient; returns the model's nodes those feed."""
    reached = []
    frontier = np.unique(start)
    while frontier.size:
        fed[frontier] = True
        edges, _ = columns.out_edges(frontier)
        edges = edges[columns.data[edges]]
        consumers = columns.dst[edges]
        reached.append(consumers[codes[consumers] == MODEL])
        frontier = np.unique(consumers[(codes[consumers] == GRADIENT) & ~fed[consumers]])
    return np.unique(np.concatenate(reached)) if reached else frontier


def _forward_of_constant_inputs(graph: Graph, codes: np.ndarray, reads_data: _DataReach, varying: np.ndarray) -> None:
    """A graph fed no data (an Estimator whose ``input_fn`` returns constants) still has a forward pass: what the
    gradients read of the model's computation (the activations and the loss's terms their backward pass needs)
    and what that is computed from. When none of it computes from data fed, it counts as the data, so that
    neither it nor what computes from it (the loss, predictions, metrics) is peeled into the machinery. Reads of
    variables are not walked: a weight is no data."""
    columns = graph.columns
    src, dst = columns.src, columns.dst
    keep = columns.data & (codes[dst] == GRADIENT) & (codes[src] == MODEL) & varying[src]
    forward = np.unique(src[keep])
    forward = forward[~columns.op_in(_PEELABLE_OPS)[forward]].tolist()
    if not forward or reads_data.reads[forward].any():
        return
    stack, seen = list(forward), set(forward)
    while stack:
        node = stack.pop()
        for e in graph.in_edges(node):
            source = graph.edge_src[e]
            if graph.edge_control[e] or source in seen or codes[source] != MODEL or not varying[source]:
                continue
            if graph.ops[source] in _PEELABLE_OPS or source in reads_data.variables:
                continue
            seen.add(source)
            stack.append(source)
    reads_data.mark(np.fromiter(seen, dtype=np.intp, count=len(seen)))


def _peel(graph: Graph, codes: np.ndarray, reads_data: _DataReach, varying: np.ndarray) -> None:
    """A model node whose every consumer is machinery joins that machinery (an optimizer's role before a
    gradient's, any before ``init``, when its consumers are of several kinds), unless it computes from the
    data fed to the model: the loss, read only by the gradients, stays; an initialiser's constants, a slot
    variable and its reads do not. Walks back from the machinery a wave at a time."""
    columns = graph.columns
    n = graph.node_count
    src, dst, data = columns.src, columns.dst, columns.data
    # Data consumers not yet known to be machinery (a control edge orders, it does not consume: a function's
    # final NoOp waits for everything). A read nothing uses (``kernel/Read/ReadVariableOp``, kept for
    # Python's sake) does not hold its variable back; it follows its variable afterwards.
    pending = np.bincount(src[data], minlength=n)
    unused_relay = columns.op_in(_UNUSED_RELAYS)
    unused_nodes, unused_relayed = [], []  # reads and identities whose value nothing uses, consumers first
    wave = np.flatnonzero(unused_relay & (pending == 0) & (codes == MODEL))
    while wave.size:
        relayed = columns.inputs_at(wave, 0)
        unused_nodes.append(wave)
        unused_relayed.append(relayed)
        relayed = relayed[relayed >= 0]
        np.subtract.at(pending, relayed, 1)
        relayed = np.unique(relayed)
        wave = relayed[(pending[relayed] == 0) & unused_relay[relayed] & (codes[relayed] == MODEL)]

    peelable = columns.op_in(_PEELABLE_OPS)
    # The first wave, every model node feeding machinery.
    keep = IS_MACHINERY[codes[dst]] & (codes[src] == MODEL) & data
    sources, ranks = src[keep], _RANK[codes[dst[keep]]]
    seen = np.zeros(n, dtype=np.intp)  # machinery consumers found so far, per node
    best = np.zeros(n, dtype=np.uint8)  # the highest-ranked role among them
    while sources.size:
        np.add.at(seen, sources, 1)
        np.maximum.at(best, sources, ranks)
        touched = np.unique(sources)
        claimed = touched[seen[touched] == pending[touched]]
        if not claimed.size:
            break
        sure = peelable[claimed] | ~varying[claimed]
        wave = claimed[sure].tolist()
        wave += [node for node in claimed[~sure].tolist() if not reads_data(node)]
        wave = np.array(sorted(wave), dtype=np.intp)
        codes[wave] = _UNRANK[best[wave]]
        edges, owners = columns.in_edges(wave)
        edges = edges[data[edges]]
        edges = edges[codes[src[edges]] == MODEL]
        sources, ranks = src[edges], _RANK[codes[dst[edges]]]
    for nodes, relayed in zip(reversed(unused_nodes), reversed(unused_relayed)):
        for node, source in zip(reversed(nodes.tolist()), reversed(relayed.tolist())):
            if source >= 0 and codes[node] == MODEL and IS_MACHINERY[codes[source]]:
                codes[node] = codes[source]


def _areas(graph: Graph, codes: np.ndarray, hyperparameters: list[Hyperparameter], carriers: dict[int, int]):
    """The area each node is shown in (see ``Roles.area_codes``)."""
    areas = np.where(IS_MACHINERY[codes], codes, MODEL).astype(np.uint8)
    if hyperparameters:
        columns = graph.columns
        reader_roles: dict[int, set[int]] = {h.index: set() for h in hyperparameters}
        edges, owners = columns.out_edges(np.fromiter(carriers, dtype=np.intp, count=len(carriers)))
        readers = columns.dst[edges]
        roles = codes[readers]
        # A reader whose value nothing uses decides nothing (see _claim_unused_hyper_arithmetic), nor does a
        # checkpoint's save and restore of a variable's value.
        used = np.bincount(columns.src[columns.data], minlength=graph.node_count) > 0
        keep = (roles != HYPERPARAMETER) & (roles != SAVE) & ~((roles == MODEL) & ~used[readers])
        for carrier, role in zip(owners[keep].tolist(), roles[keep].tolist()):
            reader_roles[carriers[carrier]].add(role)
        for carrier, source in carriers.items():
            roles = reader_roles[source] - {INIT}
            if len(roles) == 1 and next(iter(roles)) in MACHINERY:
                areas[carrier] = next(iter(roles))
    return areas


def _absorb(graph: Graph, codes: np.ndarray, varying: np.ndarray) -> None:
    """A model node all of whose inputs come from one machinery role joins it (``init``, ``train_op``); a
    ``NoOp`` that waits for one machinery role's ops and the model's (a training step's ``group_deps``) too.
    The model's constants do not count (``report_uninitialized_variables`` masks a constant list of names).
    Looked at: ops that group or relay (``_ABSORBABLE_OPS``), and what machinery feeds. An empty grouping made
    for initialisers (``init_1``, ``init_all_tables``) is one.

    Repeated until nothing changes, so a chain is claimed whatever its order in the graph."""
    columns = graph.columns
    src = columns.src
    no_op = columns.op_in({"NoOp"})
    absorbable = columns.op_in(_ABSORBABLE_OPS)
    empty = np.flatnonzero(no_op & (np.diff(columns.in_start) == 0) & (codes == MODEL))
    if empty.size:
        names = graph.names
        codes[[node for node in empty.tolist() if _EMPTY_INIT_GROUP.search(names[node])]] = INIT
    fed_by = np.zeros(graph.node_count, dtype=bool)
    fed_by[columns.dst[IS_MACHINERY[codes[src]] & columns.data]] = True
    candidates = np.flatnonzero((absorbable | fed_by) & (codes == MODEL))
    computing = np.zeros(graph.node_count, dtype=bool)  # claimed ops that compute (not a grouping or relay)
    while candidates.size:
        edges, owners = columns.in_edges(candidates)
        roles = codes[src[edges]]
        model = roles == MODEL
        # A NoOp looks only at its inputs that are not the model's; every op past the model's constants and the
        # hyperparameters (Keras' ``lr_t`` computes on the step, the learning rate and the betas).
        counted = ~(model & (no_op[owners] | ~varying[src[edges]]) | (roles == HYPERPARAMETER))
        owners_counted, roles = owners[counted], roles[counted]
        # The init op also waits for initialisers that restore a checkpoint (``init_from_checkpoint``).
        init_fed = np.zeros(graph.node_count, dtype=bool)
        init_fed[owners_counted[roles == INIT]] = True
        roles = np.where(no_op[owners_counted] & init_fed[owners_counted] & (roles == SAVE), INIT, roles)
        # An initialised check guarding another machinery's value (the step read through a cond on whether it is
        # initialised) leaves the value's role.
        other = np.zeros(graph.node_count, dtype=bool)
        other[owners_counted[IS_MACHINERY[roles] & (roles != INIT)]] = True
        keep = ~((roles == INIT) & other[owners_counted])
        owners_counted, roles = owners_counted[keep], roles[keep]
        lowest = np.full(graph.node_count, 255, dtype=np.uint8)
        highest = np.zeros(graph.node_count, dtype=np.uint8)
        np.minimum.at(lowest, owners_counted, roles)
        np.maximum.at(highest, owners_counted, roles)
        role = highest[candidates]
        claimed = candidates[(lowest[candidates] == role) & IS_MACHINERY[role]]
        if not claimed.size:
            break
        codes[claimed] = highest[claimed]
        computing[claimed[~absorbable[claimed] & ~_INIT_OR_SAVE[highest[claimed]]]] = True
        out, _ = columns.out_edges(claimed)
        looked_at = np.zeros(graph.node_count, dtype=bool)
        looked_at[columns.dst[out]] = True
        looked_at[candidates] = True
        candidates = np.flatnonzero(looked_at & (codes == MODEL))
    # Arithmetic on the optimizer's values (the step) that the model goes on to use is the model's (a moving
    # average whose decay follows the step), back along the chain; what only machinery or nothing uses stays.
    while True:
        held = np.flatnonzero(computing)
        edges, owners = columns.out_edges(held)
        edges = edges[columns.data[edges]]
        used = np.unique(columns.src[edges][codes[columns.dst[edges]] == MODEL])
        if not used.size:
            break
        codes[used] = MODEL
        computing[used] = False
