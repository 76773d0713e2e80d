"""Tensor shapes read from a graph: each op's ``_output_shapes``, each variable's ``shape`` and ``dtype``, and the
shape of the tensor an edge carries.

A shape is a tuple of dimensions with ``None`` for an unknown one, or ``None`` for an unknown rank. Attributes
are parsed one NodeDef at a time (graph_model.Graph.node_defs parses on access), so callers ask only for the
nodes they draw or count. Pure: no TensorBoard import.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from tb_phaseview.analysis import functions
from tb_phaseview.analysis.graph_model import Graph, NodeDefUnreadable, build_graph_from_nodes

Shape = tuple | None  # tuple[int | None, ...], or None for an unknown rank

# DataType enum numbers (tensorflow/core/framework/types.proto) -> (name, bytes per element).
_DTYPES = {
    1: ("float32", 4),
    2: ("float64", 8),
    3: ("int32", 4),
    4: ("uint8", 1),
    5: ("int16", 2),
    6: ("int8", 1),
    7: ("string", 0),
    8: ("complex64", 8),
    9: ("int64", 8),
    10: ("bool", 1),
    14: ("bfloat16", 2),
    17: ("uint16", 2),
    18: ("complex128", 16),
    19: ("float16", 2),
    20: ("resource", 0),
    21: ("variant", 0),
    22: ("uint32", 4),
    23: ("uint64", 8),
}


def dtype_name(code: int) -> str:
    # A reference dtype (``float32_ref``, a VariableV2's output) is the plain code plus 100.
    name = _DTYPES.get(code % 100, (f"dtype {code}", 0))[0]
    return name


def shape_of_proto(proto) -> Shape:
    """A TensorShapeProto as a tuple (``-1`` dimensions as None), or None when its rank is unknown."""
    if proto.unknown_rank:
        return None
    return tuple(d.size if d.size >= 0 else None for d in proto.dim)


def format_shape(shape: Shape) -> str:
    """``?×28×28×32`` (``?`` for an unknown dimension), ``scalar`` for rank 0, ``?`` for an unknown rank."""
    if shape is None:
        return "?"
    if not shape:
        return "scalar"
    return "×".join("?" if d is None else str(d) for d in shape)


def elements(shape: Shape) -> int:
    """Elements of a tensor of this shape, counting an unknown dimension (a batch) as 1."""
    if shape is None:
        return 1
    return prod(1 if d is None else d for d in shape)


def _node_def(graph: Graph, node: int):
    try:
        return graph.node_defs[node]
    except (NodeDefUnreadable, IndexError):
        return None


def _is_handle(node_def) -> bool:
    """A resource handle's shape is a scalar that says nothing of the variable behind it."""
    return node_def.op in _HANDLE_OPS or ("dtype" in node_def.attr and node_def.attr["dtype"].type == _RESOURCE)


_HANDLE_OPS = frozenset({"VarHandleOp", "_VarHandlesOp"})
_RESOURCE, _VARIANT = 20, 21
# Ops whose first output is a TensorList (a variant): its recorded shape is a scalar that says nothing of the
# tensors listed (TF2's loops keep each step's output in one, ``rnn/TensorArrayV2``).
_LIST_OPS = frozenset(
    {
        "EmptyTensorList",
        "TensorListReserve",
        "TensorListFromTensor",
        "TensorListSetItem",
        "TensorListPushBack",
        "TensorListPushBackBatch",
        "TensorListPopBack",
        "TensorListScatter",
        "TensorListScatterV2",
        "TensorListScatterIntoExistingList",
        "TensorListSplit",
        "TensorListConcatLists",
        "TensorListResize",
    }
)


def _variant_output(graph: Graph, node: int, output: int) -> bool:
    node_def = _node_def(graph, node)
    return node_def is not None and _is_variant(node_def, output)


def _is_variant(node_def, output: int) -> bool:
    """Whether a node's output is a variant (a TensorList, an optional, a dataset): no tensor of its shape."""
    if output == 0 and node_def.op in _LIST_OPS:
        return True
    for key in ("T", "Tout", "output_types"):  # a loop's, a call's, an IdentityN's types, output by output
        if key in node_def.attr:
            types = node_def.attr[key].list.type
            if types:
                return output < len(types) and types[output] == _VARIANT
    if node_def.op in _RELAYS and "T" in node_def.attr:  # a loop's relays of a list (``rnn/while/Identity_3``)
        return node_def.attr["T"].type == _VARIANT
    return "dtype" in node_def.attr and node_def.attr["dtype"].type == _VARIANT  # a variant placeholder


_RELAYS = frozenset(
    {"Identity", "Snapshot", "StopGradient", "Enter", "Exit", "Merge", "Switch", "NextIteration", "_Retval", "_Arg"}
)


def output_shapes(graph: Graph, node: int) -> list[Shape] | None:
    """The shapes of a node's outputs from its ``_output_shapes`` attribute, or None when it has none."""
    node_def = _node_def(graph, node)
    if node_def is None or _is_handle(node_def):
        return None
    if "_output_shapes" not in node_def.attr:
        # A run-metadata graph's partition graphs record none; its traced step measured them.
        stats = getattr(graph, "step_stats", None)
        return stats.shapes.get(node) if stats is not None else None
    return [shape_of_proto(p) for p in node_def.attr["_output_shapes"].list.shape]


def output_shape(graph: Graph, node: int, output: int = 0, known: dict | None = None) -> Shape | bool:
    """The shape of one output of a node; False when the graph does not say. ``known`` memoises per output.
    Only that output's shape is read (a FusedBatchNorm lists six: reading them all was most of the summary's
    cost of shapes at 200k nodes)."""
    key = (node, output)
    if known is not None and key in known:
        return known[key]
    node_def = _node_def(graph, node)
    if node_def is None or _is_handle(node_def):
        found = False
    elif "_output_shapes" in node_def.attr:
        listed = node_def.attr["_output_shapes"].list.shape
        found = shape_of_proto(listed[output]) if output < len(listed) else False
    else:
        every = output_shapes(graph, node)
        found = every[output] if every is not None and output < len(every) else False
    if found is not False and _is_variant(node_def, output):  # asked only of a shape found (a trace records none)
        found = False
    if known is not None:
        known[key] = found
    return found


@dataclass(frozen=True)
class Variable:
    node: int
    name: str
    shape: Shape
    dtype: str
    size: int  # elements; 0 when the shape is not fully known

    @property
    def bytes(self) -> int:
        per = next((b for n, b in _DTYPES.values() if n == self.dtype), 0)
        return per * self.size


def variable(graph: Graph, node: int) -> Variable | None:
    """A variable op's declared shape and dtype (``VarHandleOp``: ``shape``/``dtype``; ``VariableV2``: the same),
    or None when its definition cannot be read or declares no shape. A resource passed in (a ``tf.function``'s
    captured variable: a resource ``Placeholder`` or ``_Arg``) is resolved by ``resource_variable``."""
    node_def = _node_def(graph, node)
    if node_def is not None and node_def.op in RESOURCE_INPUTS:
        return resource_variable(graph, node, node_def)
    if node_def is None or "shape" not in node_def.attr:
        return None
    shape = shape_of_proto(node_def.attr["shape"].shape)
    known = shape is not None and all(d is not None for d in shape)
    dtype = dtype_name(node_def.attr["dtype"].type) if "dtype" in node_def.attr else "?"
    return Variable(node, graph.names[node], shape, dtype, prod(shape) if known else 0)


def constant(graph: Graph, node: int) -> Variable | None:
    """A ``Const``'s tensor as a Variable (its ``value``'s shape and dtype): a frozen graph's weight. None when
    its definition cannot be read or holds no tensor. Read without the tensor's values where the graph's
    definitions are parsed lazily (graphdef_reader.LazyNodeDefs.constant_shape)."""
    slim = getattr(graph.node_defs, "constant_shape", None)
    if slim is not None:
        try:
            found = slim(node)
        except (NodeDefUnreadable, IndexError):
            return None
        if found is None:
            return None
        dtype, proto = found
    else:
        node_def = _node_def(graph, node)
        if node_def is None or "value" not in node_def.attr:
            return None
        dtype, proto = node_def.attr["value"].tensor.dtype, node_def.attr["value"].tensor.tensor_shape
    shape = shape_of_proto(proto)
    known = shape is not None and all(d is not None for d in shape)
    return Variable(node, graph.names[node], shape, dtype_name(dtype), prod(shape) if known else 0)


def constants(graph: Graph, nodes: list[int]) -> dict[int, Variable]:
    """``constant`` of many Consts, read in one parse where the graph's definitions are lazy."""
    batch = getattr(graph.node_defs, "constant_shapes", None)
    found = batch(nodes) if batch is not None and nodes else None
    if found is None:
        return {n: v for n in nodes if (v := constant(graph, n)) is not None}
    result = {}
    for n, (dtype, proto) in zip(nodes, found):
        shape = shape_of_proto(proto)
        known = shape is not None and all(d is not None for d in shape)
        result[n] = Variable(n, graph.names[n], shape, dtype_name(dtype), prod(shape) if known else 0)
    return result


def constant_is_zero(graph: Graph, node: int) -> bool:
    """Whether a node is a scalar ``Const`` holding 0."""
    node_def = _node_def(graph, node)
    if node_def is None or node_def.op != "Const" or "value" not in node_def.attr:
        return False
    tensor = node_def.attr["value"].tensor
    if tensor.tensor_shape.dim:
        return False
    for values in (tensor.float_val, tensor.double_val, tensor.int_val, tensor.int64_val, tensor.half_val):
        if len(values):
            return all(v == 0 for v in values)
    if tensor.tensor_content:
        return not any(tensor.tensor_content)
    return True  # no value listed: the dtype's default, zero


@dataclass(frozen=True)
class EdgeShape:
    """What one drawn edge carries: its largest tensor (by elements) and how many distinct tensors it stands for."""

    shape: Shape
    tensors: int
    elements: int

    @property
    def text(self) -> str:
        text = format_shape(self.shape)
        return text if self.tensors == 1 else f"{text} +{self.tensors - 1}"

    def entry(self) -> dict:
        return {
            "text": self.text,
            "dims": None if self.shape is None else list(self.shape),
            "tensors": self.tensors,
            "elements": self.elements,
        }


def edge_shapes(
    graph: Graph,
    child_of: np.ndarray,
    budget: int | None = None,
    among: np.ndarray | None = None,
    inferred: dict | None = None,
) -> dict[tuple[int, int], EdgeShape] | None:
    """The tensors carried between sibling boxes, per (from box, to box), for the boxes ``child_of`` numbers.

    ``child_of[node]`` is the box (a small integer) holding each node, or -1 outside the group drawn. Only data
    edges crossing from one box to another count; each distinct tensor (source op and output) is counted once
    per pair, and only the sources of such edges have their attributes parsed. Pairs none of whose tensors have
    a known shape are left out. None when more than ``budget`` source ops would have to be read. ``inferred``: the
    memo of ``inferred_output_shape``, to infer what the graph does not record (a trace records no shape).
    """
    columns = graph.columns
    src, dst, data = columns.src, columns.dst, columns.data
    if len(src) == 0:
        return {}
    a, b = child_of[src], child_of[dst]
    crossing = data & (a >= 0) & (b >= 0) & (a != b)
    if among is not None:
        crossing &= among
    crossing = np.flatnonzero(crossing)
    if not len(crossing):
        return {}
    # The cost is one attribute parse per source op: counted without sorting.
    if budget is not None and np.count_nonzero(np.bincount(src[crossing], minlength=graph.node_count)) > budget:
        return None
    boxes = int(child_of.max()) + 1
    nodes = np.int64(graph.node_count)
    outputs = graph.output_column[crossing].astype(np.int64)
    # One int64 key per (pair, tensor): np.unique of a column sorts far faster than of rows.
    pair = a[crossing].astype(np.int64) * boxes + b[crossing]
    tensor = outputs * nodes + src[crossing]
    tensors = int(tensor.max()) + 1
    keys = np.unique(pair * tensors + tensor)
    pairs, tensor = np.divmod(keys, tensors)
    known: dict = {}
    counts: dict[tuple[int, int], int] = {}
    largest: dict[tuple[int, int], tuple[int, Shape]] = {}
    for p, t in zip(pairs.tolist(), tensor.tolist()):
        key = divmod(p, boxes)
        counts[key] = counts.get(key, 0) + 1
        output, node = divmod(t, graph.node_count)
        if inferred is not None:
            shape = inferred_output_shape(graph, node, output, inferred)
        else:
            shape = output_shape(graph, node, output, known)
        if shape is not False:
            size = elements(shape)
            if key not in largest or size > largest[key][0]:
                largest[key] = (size, shape)
    return {key: EdgeShape(shape, counts[key], size) for key, (size, shape) in largest.items()}


RESOURCE_INPUTS = frozenset({"Placeholder", "_Arg"})
_READS = frozenset({"ReadVariableOp"})
_WRITES = frozenset({"AssignVariableOp", "AssignSubVariableOp", "AssignAddVariableOp"})


def _variable_of(graph: Graph, node: int, shape: Shape, dtype: str) -> Variable:
    known = shape is not None and all(d is not None for d in shape)
    return Variable(node, graph.names[node], shape, dtype, prod(shape) if known else 0)


def resource_variable(graph: Graph, node: int, node_def=None) -> Variable | None:
    """The variable behind a resource handle passed into a traced function, where the graph says it: the handle's
    ``_handle_shapes``/``_handle_dtypes`` (a function's arguments after optimisation; graph_source copies them
    onto the drawn graph), else the ``_output_shapes`` of a ``ReadVariableOp`` of it (a Keras ``fit`` graph's
    captured variables), else the value an assign writes into it. None when nothing does."""
    node_def = node_def if node_def is not None else _node_def(graph, node)
    if node_def is None:
        return None
    attr = node_def.attr
    if "_handle_shapes" in attr and attr["_handle_shapes"].list.shape:
        shape = shape_of_proto(attr["_handle_shapes"].list.shape[0])
        types = attr["_handle_dtypes"].list.type if "_handle_dtypes" in attr else ()
        return _variable_of(graph, node, shape, dtype_name(types[0]) if types else "?")
    written = None
    for edge in graph.out_edges_of([node])[node]:
        reader = int(graph.columns.dst[edge])
        op = graph.ops[reader]
        if op in _READS:
            found = output_shapes(graph, reader)
            if found:
                reader_def = _node_def(graph, reader)
                dtype = dtype_name(reader_def.attr["dtype"].type) if "dtype" in reader_def.attr else "?"
                return _variable_of(graph, node, found[0], dtype)
        elif op in _WRITES and written is None and graph.columns.position[edge] == 0:
            written = reader
    if written is not None:  # the value an assign writes (its input 1) has the variable's shape
        value_edges = [e for e in graph.in_edges(written) if graph.columns.position[e] == 1]
        if value_edges:
            value = int(graph.columns.src[value_edges[0]])
            shape = output_shape(graph, value, graph.edge_output[value_edges[0]])
            if shape is not False:
                value_def = _node_def(graph, value)
                dtype = "?"
                if value_def is not None and "T" in value_def.attr:
                    dtype = dtype_name(value_def.attr["T"].type)
                return _variable_of(graph, node, shape, dtype)
    if graph.functions:
        return _variable_in_calls(graph, node)
    return None


def _variable_in_calls(graph: Graph, node: int) -> Variable | None:
    """A handle that only calls take (a LossScaleOptimizer applies the gradients in a ``cond``, Adam's slots
    passed into it): the shape a body reads it as, or writes into it, where the body records it."""
    columns = graph.columns
    for edge in graph.out_edges_of([node])[node]:
        if graph.edge_control[edge]:
            continue
        call_def = _node_def(graph, int(columns.dst[edge]))
        if call_def is None:
            continue
        position = int(columns.position[edge]) - functions.LEADING_NON_ARGUMENTS.get(call_def.op, 0)
        found = _argument_variable(graph, call_def, position, functions.MAX_CALL_DEPTH)
        if found is not None:
            return _variable_of(graph, node, *found)
    return None


def _argument_variable(graph: Graph, call_def, position: int, depth: int) -> tuple[Shape, str] | None:
    """(shape, dtype) of the variable a call's argument at ``position`` is, from the bodies it calls."""
    for index, body_def, raw, inputs in functions.argument_uses(graph, call_def, position, depth):
        attr = body_def.attr
        if body_def.op in _READS and "_output_shapes" in attr and len(attr["_output_shapes"].list.shape) == 1:
            dtype = dtype_name(attr["dtype"].type) if "dtype" in attr else "?"
            return shape_of_proto(attr["_output_shapes"].list.shape[0]), dtype
        if body_def.op in _WRITES and inputs[:1] == [raw] and len(inputs) > 1:
            value = index.nodes.get(inputs[1].split(":", 1)[0])
            if value is not None and "_output_shapes" in value.attr:
                shapes_of_value = value.attr["_output_shapes"].list.shape
                if len(shapes_of_value) == 1:  # one output: no doubt which tensor is written
                    dtype = dtype_name(value.attr["T"].type) if "T" in value.attr else "?"
                    return shape_of_proto(shapes_of_value[0]), dtype
    return None


# Shape inference where the graph records no shapes (a frozen graph often has no ``_output_shapes``): only rules
# whose answer is certain from the inputs' shapes and the op's attributes. Anything else stays unknown (False).
_SAME_AS_INPUT = frozenset(
    {
        "Identity",
        "Snapshot",
        "StopGradient",
        "BiasAdd",
        "Relu",
        "Relu6",
        "Elu",
        "Selu",
        "Sigmoid",
        "Tanh",
        "Softmax",
        "LogSoftmax",
        "Softplus",
        "LeakyRelu",
        "FusedBatchNorm",
        "FusedBatchNormV2",
        "FusedBatchNormV3",
        # Images adjusted pixel by pixel (tf_keras's RandomContrast).
        "AdjustContrastv2",
        "AdjustContrast",
        # An attention's causal mask: a band of a matrix kept, the rest zeroed (tf_keras's MultiHeadAttention), or
        # running sums compared (Keras 3's).
        "MatrixBandPart",
        "Cumsum",
        "Cumprod",
        # Keras's preprocessing: each element hashed, bucketed or turned into a string or another string.
        "StringToHashBucketFast",
        "StringToHashBucketStrong",
        "StringToHashBucket",
        "Bucketize",
        "AsString",
        "StringLower",
        "StringUpper",
        "StaticRegexReplace",
        "RegexReplace",
    }
)
_LOOKUPS = frozenset({"LookupTableFindV2", "LookupTableFind"})  # (table, keys, default): one value per key
_BINCOUNTS = frozenset({"DenseBincount", "Bincount"})  # (values, size, weights): a count per value below size
_WINDOWED = frozenset({"Conv2D", "DepthwiseConv2dNative", "MaxPool", "AvgPool"})
_WINDOWED_3D = frozenset({"Conv3D", "MaxPool3D", "AvgPool3D"})
_UNARY = frozenset(
    {
        "Cast",
        "Neg",
        "Square",
        "Sqrt",
        "Rsqrt",
        "Exp",
        "Log",
        "Abs",
        "Floor",
        "Reciprocal",
        "Erf",
        "Erfc",
        "Log1p",
        "Expm1",
        "Sign",
        "Round",
        "Ceil",
        "ZerosLike",
        "OnesLike",
    }
)
# Elementwise ops of two inputs (three for a select), whose output has the inputs' broadcast shape.
_ELEMENTWISE = frozenset(
    {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "Maximum", "Minimum", "SquaredDifference", "Pow", "FloorMod",
     "Select", "SelectV2", "Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual", "LogicalAnd",
     "LogicalOr"}
)  # fmt: skip
_REDUCTIONS = frozenset({"Mean", "Sum", "Max", "Min", "Prod", "Any", "All"})
_PADS = frozenset({"Pad", "PadV2", "MirrorPad"})
_GATHERS = frozenset({"Gather", "GatherV2", "ResourceGather"})
# Random draws of the shape their first input holds.
_DRAWS = frozenset(
    {"RandomUniform", "RandomStandardNormal", "TruncatedNormal", "StatelessRandomUniformV2", "StatelessRandomNormalV2",
     "StatelessTruncatedNormalV2", "StatelessRandomUniform", "StatelessRandomNormal"}
)  # fmt: skip
_BATCH_SOURCES = frozenset({"IteratorGetNext", "IteratorGetNextSync", "OptionalGetValue"})
_RESIZES = frozenset({"ResizeNearestNeighbor", "ResizeBilinear", "ResizeBicubic", "ResizeArea"})
_BATCH_MATMULS = frozenset({"BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"})
_DECLARING_OUTPUTS = frozenset({"If", "StatelessIf", "While", "StatelessWhile"})
_PLACEHOLDERS = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"})
# Up to this GraphDef producer version a Placeholder's empty ``shape`` meant "any shape" (its default then);
# later producers write an unknown shape as ``unknown_rank`` and an empty one is a scalar.
_OLD_PLACEHOLDER_PRODUCER = 21
INFER_BUDGET = 20_000  # nodes one summary may visit to infer shapes: a few ms a thousand


def _input_of(graph: Graph, node: int, position: int) -> tuple[int, int] | None:
    """(source node, its output) of a node's data input ``position``, or None."""
    columns = graph.columns
    for edge in graph.in_edges(node):
        if columns.data[edge] and columns.position[edge] == position and columns.src[edge] >= 0:
            return int(columns.src[edge]), int(graph.output_column[edge])
    return None


def const_ints(graph: Graph, node: int) -> list[int] | None:
    """The values of an integer ``Const`` (a shape, a slice's bounds), or None."""
    node_def = _node_def(graph, node)
    if node_def is None or node_def.op != "Const" or "value" not in node_def.attr:
        return None
    tensor = node_def.attr["value"].tensor
    count = prod(d.size for d in tensor.tensor_shape.dim)
    if tensor.dtype == 3 and tensor.tensor_content:  # int32
        values = np.frombuffer(tensor.tensor_content, dtype="<i4").tolist()
    elif tensor.dtype == 9 and tensor.tensor_content:  # int64
        values = np.frombuffer(tensor.tensor_content, dtype="<i8").tolist()
    elif tensor.dtype == 3:
        values = list(tensor.int_val)
    elif tensor.dtype == 9:
        values = list(tensor.int64_val)
    else:
        return None
    if len(values) == 1 and count > 1:  # one value repeated fills the tensor
        values = values * count
    return values if len(values) == count else None


def _takes_one_element(attr) -> bool:
    """A StridedSlice that drops its one sliced axis (``x[i]`` of a vector)."""
    return "shrink_axis_mask" in attr and attr["shrink_axis_mask"].i == 1


def _keras_flatten_source(graph: Graph, shape_input: int, data_input: tuple[int, int]) -> bool:
    """Whether a Reshape's shape is Keras 2's Flatten: ``stack([-1, prod(shape(x)[1:])])`` of its own input x."""
    if graph.ops[shape_input] != "Pack":
        return False
    first, second = _input_of(graph, shape_input, 0), _input_of(graph, shape_input, 1)
    if first is None or second is None or _input_of(graph, shape_input, 2) is not None:
        return False
    if const_ints(graph, first[0]) != [-1] or graph.ops[second[0]] != "Prod":
        return False
    sliced = _input_of(graph, second[0], 0)
    if sliced is None or graph.ops[sliced[0]] != "StridedSlice":
        return False
    shape_of = _input_of(graph, sliced[0], 0)
    begin, end = _input_of(graph, sliced[0], 1), _input_of(graph, sliced[0], 2)
    if shape_of is None or graph.ops[shape_of[0]] != "Shape" or _input_of(graph, shape_of[0], 0) != data_input:
        return False
    node_def = _node_def(graph, sliced[0])
    end_mask = node_def.attr["end_mask"].i if node_def is not None and "end_mask" in node_def.attr else 0
    return begin is not None and const_ints(graph, begin[0]) == [1] and end is not None and end_mask & 1 == 1


def _window(size, kernel: int, stride: int, dilation: int, padding: str):
    if size is None:
        return None
    if padding == "SAME":
        return -(-size // stride)
    span = (kernel - 1) * dilation + 1
    return -(-(size - span + 1) // stride) if size >= span else None


class _Need(Exception):
    def __init__(self, key):
        self.key = key


def _rule(graph: Graph, node: int, output: int, shape_of) -> Shape | bool:
    """One node's output shape from its inputs' (``shape_of((node, output))``, which raises _Need when not yet
    known), or False."""
    op = graph.ops[node]
    node_def = _node_def(graph, node)
    if node_def is None:
        return False
    attr = node_def.attr
    if op == "Const":
        return shape_of_proto(attr["value"].tensor.tensor_shape) if output == 0 and "value" in attr else False
    if op in _PLACEHOLDERS:
        if "shape" not in attr or attr["shape"].shape.unknown_rank:
            return False
        declared = attr["shape"].shape
        if (
            op == "Placeholder"
            and not declared.dim
            and graph.producer is not None
            and graph.producer <= _OLD_PLACEHOLDER_PRODUCER
        ):
            return False  # an old graph cannot say "scalar": TensorFlow reads its empty shape as unknown, so do we
        return shape_of_proto(declared)

    def of(position: int):
        source = _input_of(graph, node, position)
        return False if source is None else shape_of(source)

    if op in ("Switch", "RefSwitch") and output in (0, 1):
        return of(0)  # a cond passes its input on, unchanged, to one branch
    if op in _BATCH_SOURCES:
        # A batch taken from an iterator (or from the optional a loop's body holds) has the shapes its dataset
        # declares: Keras 3's traced steps record no other shape, and every layer's follows from these.
        listed = attr["output_shapes"].list.shape if "output_shapes" in attr else ()
        return shape_of_proto(listed[output]) if output < len(listed) and not listed[output].unknown_rank else False
    if op in _DECLARING_OUTPUTS:
        # A TF2 cond or loop records the shapes its outputs were traced with (a distributed iterator's batch comes
        # out of a cond that raises when none is left).
        listed = attr["output_shapes"].list.shape if "output_shapes" in attr else ()
        return shape_of_proto(listed[output]) if output < len(listed) and not listed[output].unknown_rank else False
    if op == "IdentityN":
        return of(output)  # each output is its input (a custom gradient's wrapper: Keras 3's swish)
    if op in _FUNCTION_CALLS and "f" in attr and attr["f"].func.name in graph.functions:
        # What a function returns, inferred in its body from what the call passes it (Keras compiles a grouped
        # convolution into a function of its own, which a trace does not shape).
        arguments = graph.functions[attr["f"].func.name].signature.input_arg
        shapes_in = [of(k) if a.type != _RESOURCE else _handle_shape(graph, node, k) for k, a in enumerate(arguments)]
        return _returned_shape(graph, attr["f"].func.name, output, shapes_in)
    if op == "Split" and "num_split" in attr and 0 <= output < attr["num_split"].i:
        # Equal pieces along an axis (tf_keras's UpSampling1D splits each step off, then repeats it).
        axis_input = _input_of(graph, node, 0)
        axis, x, pieces = (
            const_ints(graph, axis_input[0]) if axis_input is not None else None,
            of(1),
            attr["num_split"].i,
        )
        if not x or axis is None or len(axis) != 1 or not -len(x) <= axis[0] < len(x):
            return False
        at = axis[0] % len(x)
        size = None if x[at] is None else x[at] // pieces
        return (*x[:at], size, *x[at + 1 :])
    if op == "SplitV":
        # Pieces of the sizes listed along an axis, one of them maybe -1 for the rest (a GRU's recurrent gates).
        sizes_input, axis_input, x = _input_of(graph, node, 1), _input_of(graph, node, 2), of(0)
        sizes = const_ints(graph, sizes_input[0]) if sizes_input is not None else None
        axis = const_ints(graph, axis_input[0]) if axis_input is not None else None
        if not x or sizes is None or axis is None or len(axis) != 1 or not -len(x) <= axis[0] < len(x):
            return False
        if not 0 <= output < len(sizes) or sizes.count(-1) > 1:
            return False
        at = axis[0] % len(x)
        size = sizes[output]
        if size == -1:
            size = None if x[at] is None else x[at] - sum(s for s in sizes if s != -1)
        return (*x[:at], size, *x[at + 1 :])
    if op == "Unpack" and "num" in attr and 0 <= output < attr["num"].i:
        # One slice along an axis, the axis gone (an unrolled RNN unstacks its steps: tf_keras's ``unroll=True``).
        x = of(0)
        axis = attr["axis"].i if "axis" in attr else 0
        if not isinstance(x, tuple) or not -len(x) <= axis < len(x):
            return False
        at = axis % len(x)
        if x[at] is not None and x[at] != attr["num"].i:
            return False
        return (*x[:at], *x[at + 1 :])
    if output != 0:
        return False
    if op == "StridedSlice" and _takes_one_element(attr):
        # One element along the first axis: of a vector (a size read out of a shape), a scalar; of a sequence
        # (an RNN's last step, ``outputs[-1]``), the rest of its shape when the slice names that axis alone.
        x = of(0)
        if not x:
            return False
        if len(x) == 1:
            return ()
        begin = _input_of(graph, node, 1)
        spec = const_ints(graph, begin[0]) if begin is not None else None
        masked = any(name in attr and attr[name].i for name in ("ellipsis_mask", "new_axis_mask"))
        return tuple(x[1:]) if spec is not None and len(spec) == 1 and not masked else False
    if op == "StridedSlice":
        return _sliced(of(0), [_input_of(graph, node, k) for k in (1, 2, 3)], attr, graph)
    if op == "TensorListStack":
        # The steps an RNN's loop wrote, stacked: their count (when declared), then the element shape given.
        given = _input_of(graph, node, 1)
        element = const_ints(graph, given[0]) if given is not None else None
        # A scalar -1 says the elements' rank is unknown; a vector gives their dimensions (-1 for one unknown).
        if element is None or of(1) != (len(element),) or any(d < -1 for d in element):
            return False
        count = attr["num_elements"].i if "num_elements" in attr and attr["num_elements"].i >= 0 else None
        if count is None:
            count = _reserved_length(graph, _input_of(graph, node, 0), shape_of)
        return (count, *(None if d == -1 else d for d in element))
    if op == "ReadVariableOp":
        handle = _input_of(graph, node, 0)
        if handle is None:
            return False
        # A handle op declares its variable's shape (a graph-mode tf_keras layer's ``VarHandleOp`` read by its
        # ``MatMul/ReadVariableOp``, where no ``_output_shapes`` were recorded); a handle passed in says it elsewhere.
        read = variable(graph, handle[0]) if graph.ops[handle[0]] in _HANDLE_OPS else None
        if read is None or read.shape is None:
            read = resource_variable(graph, handle[0])
        return read.shape if read is not None and read.shape is not None else False
    if op in _ELEMENTWISE:
        return _broadcast([of(k) for k in range(3 if op in ("Select", "SelectV2") else 2)])
    if op in _REDUCTIONS:
        x, axes_input = of(0), _input_of(graph, node, 1)
        axes = const_ints(graph, axes_input[0]) if axes_input is not None else None
        if not x or axes is None or any(not -len(x) <= a < len(x) for a in axes):
            return False
        reduced = {a % len(x) for a in axes}
        keep = "keep_dims" in attr and attr["keep_dims"].b
        return tuple(1 if k in reduced else d for k, d in enumerate(x) if keep or k not in reduced)
    if op == "Squeeze":
        x = of(0)
        listed = list(attr["squeeze_dims"].list.i) if "squeeze_dims" in attr else []
        if not x or (not listed and None in x) or any(not -len(x) <= a < len(x) for a in listed):
            return False
        dropped = {a % len(x) for a in listed} if listed else {k for k, d in enumerate(x) if d == 1}
        return tuple(d for k, d in enumerate(x) if k not in dropped)
    if op in _PADS:
        x, pads_input = of(0), _input_of(graph, node, 1)
        pads = const_ints(graph, pads_input[0]) if pads_input is not None else None
        if not x or pads is None or len(pads) != 2 * len(x):
            return False
        return tuple(None if d is None else d + pads[2 * k] + pads[2 * k + 1] for k, d in enumerate(x))
    if op in _GATHERS:
        # Rows of a table (an embedding's) at the indices: the indices' shape, then a row's.
        if op == "ResourceGather":
            handle = _input_of(graph, node, 0)
            read = resource_variable(graph, handle[0]) if handle is not None else None
            table = read.shape if read is not None else False
        else:
            table = of(0)
            axis_input = _input_of(graph, node, 2)
            if op == "GatherV2" and (axis_input is None or const_ints(graph, axis_input[0]) != [0]):
                return False
        indices = of(1)
        if not table or indices is False or indices is None or ("batch_dims" in attr and attr["batch_dims"].i):
            return False
        return (*indices, *table[1:])
    if op == "Shape":
        x = of(0)
        return (len(x),) if x is not False and x is not None else False
    if op in _DRAWS:
        # The shape asked for, known sizes or not: constants, a dropout's noise shape packed from the batch read
        # out of a shape (Keras 3), or another tensor's whole shape (tf_keras).
        dims_input = _input_of(graph, node, 0)
        dims = _shape_values(graph, dims_input, shape_of) if dims_input is not None else None
        return tuple(dims) if dims is not None and all(d is None or d >= 0 for d in dims) else False
    if op in ("Merge", "RefMerge"):
        # The branch that ran: certain only when every branch agrees (a loop's back edge is a cycle: unknown).
        count = attr["N"].i if "N" in attr else 0
        found = {of(k) for k in range(count)}
        return found.pop() if len(found) == 1 else False

    if op in _SAME_AS_INPUT or op in _UNARY:
        return of(0)
    if op in _LOOKUPS:
        return of(1)
    if op in ("ImageProjectiveTransformV3", "ImageProjectiveTransformV2"):
        # (images, transforms, output_shape[, fill_value]): each image resampled to the height and width given.
        x, size_input = of(0), _input_of(graph, node, 2)
        size = _shape_values(graph, size_input, shape_of) if size_input is not None else None
        if not isinstance(x, tuple) or len(x) != 4 or size is None or len(size) != 2:
            return False
        return (x[0], *size, x[3])
    if op == "EnsureShape" and "shape" in attr and not attr["shape"].shape.unknown_rank:
        # Its input, checked against the shape it names (Keras 3's image layers): each dimension either says.
        named, x = shape_of_proto(attr["shape"].shape), of(0)
        if isinstance(x, tuple) and len(x) == len(named):
            return tuple(n if n is not None else d for n, d in zip(named, x))
        return named
    if op == "RaggedTensorToTensor":
        # The shape it is asked for (input 0: -1 where the rows decide; a scalar -1 leaves even the rank open):
        # TextVectorization's tokens padded to its sequence length.
        shape_input = _input_of(graph, node, 0)
        asked = _shape_values(graph, shape_input, shape_of) if shape_input is not None else None
        if asked is None or shape_of(shape_input) == ():
            return False
        return tuple(None if d is None or d < 0 else d for d in asked)
    if op == "OneHot" and not ("axis" in attr and attr["axis"].i != -1):
        # Each index as a vector of depth (input 1), on a new last axis.
        x, depth_input = of(0), _input_of(graph, node, 1)
        depth = _shape_values(graph, depth_input, shape_of) if depth_input is not None else None
        if not isinstance(x, tuple) or depth is None or len(depth) != 1:
            return False
        return (*x, depth[0])
    if op in _BINCOUNTS:
        # Counts of each value below the size (input 1) in each row of a matrix, or over a vector.
        x, size_input = of(0), _input_of(graph, node, 1)
        size = _shape_values(graph, size_input, shape_of) if size_input is not None else None
        if not x or size is None or len(size) != 1:
            return False
        if op == "Bincount":
            return (size[0],)  # over every value, whatever its shape
        return (*x[:-1], size[0]) if len(x) in (1, 2) else False
    if op == "MatMul":
        a, b = of(0), of(1)
        if not a or not b or len(a) != 2 or len(b) != 2:
            return False
        ta = "transpose_a" in attr and attr["transpose_a"].b
        tb = "transpose_b" in attr and attr["transpose_b"].b
        return (a[1] if ta else a[0], b[0] if tb else b[1])
    if op == "Pack" and "N" in attr:
        # N tensors of one shape stacked on a new axis (Keras 3's TimeDistributed stacks its steps' outputs).
        parts = [of(k) for k in range(attr["N"].i)]
        axis = attr["axis"].i if "axis" in attr else 0
        if not parts or not isinstance(parts[0], tuple) or any(p != parts[0] for p in parts):
            return False
        if not -len(parts[0]) - 1 <= axis <= len(parts[0]):
            return False
        at = axis % (len(parts[0]) + 1)
        return (*parts[0][:at], len(parts), *parts[0][at:])
    if op in ("SpaceToBatchND", "BatchToSpaceND"):
        # A dilated convolution runs as an undilated one on the input's blocks moved into the batch and back:
        # each spatial axis padded and divided by its block (the batch times every block), or the reverse, cropped.
        x, block_input, pads_input = of(0), _input_of(graph, node, 1), _input_of(graph, node, 2)
        block = const_ints(graph, block_input[0]) if block_input is not None else None
        pads = const_ints(graph, pads_input[0]) if pads_input is not None else None
        if not isinstance(x, tuple) or not block or pads is None or len(pads) != 2 * len(block):
            return False
        if len(x) < len(block) + 1 or min(block) < 1:
            return False
        spatial = []
        for at, size in enumerate(block):
            d, before, after = x[1 + at], pads[2 * at], pads[2 * at + 1]
            if d is None:
                spatial.append(None)
            elif op == "SpaceToBatchND":
                spatial.append((d + before + after) // size)
            else:
                spatial.append(d * size - before - after)
        blocks = prod(block)
        if x[0] is None:
            batch = None
        else:
            batch = x[0] * blocks if op == "SpaceToBatchND" else x[0] // blocks
        return (batch, *spatial, *x[1 + len(block) :])
    if op == "ExpandDims":
        x, axis_input = of(0), _input_of(graph, node, 1)
        axis = const_ints(graph, axis_input[0]) if axis_input is not None else None
        if not isinstance(x, tuple) or axis is None or len(axis) != 1 or not -len(x) - 1 <= axis[0] <= len(x):
            return False
        at = axis[0] % (len(x) + 1)
        return (*x[:at], 1, *x[at:])
    if op in ("Transpose", "ConjugateTranspose"):
        x, perm_input = of(0), _input_of(graph, node, 1)
        perm = const_ints(graph, perm_input[0]) if perm_input is not None else None
        if not isinstance(x, tuple) or perm is None or sorted(perm) != list(range(len(x))):
            return False
        return tuple(x[p] for p in perm)
    if op in _RESIZES:
        x, size_input = of(0), _input_of(graph, node, 1)
        size = _shape_values(graph, size_input, shape_of) if size_input is not None else None
        if not isinstance(x, tuple) or len(x) != 4 or size is None or len(size) != 2:
            return False
        return (x[0], *size, x[3])  # images resized to the size given (tf_keras's UpSampling2D computes it)
    if op in ("ReverseV2", "Reverse"):
        return of(0)  # the same elements in another order along some axes
    if op == "Tile":
        x, multiples_input = of(0), _input_of(graph, node, 1)
        multiples = _shape_values(graph, multiples_input, shape_of) if multiples_input is not None else None
        if not x or multiples is None or len(multiples) != len(x):
            return False
        return tuple(None if d is None or m is None or m < 0 else d * m for d, m in zip(x, multiples))
    if op in _WINDOWED_3D:
        # Over a video's depth, height and width (NDHWC): Keras's Conv3D and 3-D poolings.
        padding = attr["padding"].s.decode() if "padding" in attr else ""
        strides = list(attr["strides"].list.i) if "strides" in attr else []
        data_format = attr["data_format"].s.decode() if "data_format" in attr else "NDHWC"
        x = of(0)
        if data_format != "NDHWC" or padding not in ("SAME", "VALID") or len(strides) != 5 or not x or len(x) != 5:
            return False
        if op == "Conv3D":
            f = of(1)
            if not f or len(f) != 5 or None in f:
                return False
            kernel, channels = [1, *f[:3], 1], f[4]
            dilations = list(attr["dilations"].list.i) if "dilations" in attr else [1] * 5
        else:
            kernel, channels, dilations = list(attr["ksize"].list.i) if "ksize" in attr else [], x[4], [1] * 5
        if len(kernel) != 5 or len(dilations) != 5:
            return False
        spatial = [_window(x[k], kernel[k], strides[k], dilations[k], padding) for k in (1, 2, 3)]
        return (x[0], *spatial, channels)
    if op == "Conv3DBackpropInputV2":
        # A 3-D transposed convolution: the output's size is given (input_sizes).
        sizes_input = _input_of(graph, node, 0)
        sizes = _shape_values(graph, sizes_input, shape_of) if sizes_input is not None else None
        if sizes is None or len(sizes) != 5 or any(d is not None and d < 0 for d in sizes):
            return False
        return tuple(sizes)
    if op == "Conv2DBackpropInput":
        # A transposed convolution: the output's size is given (input_sizes), its batch maybe computed.
        sizes_input, filters, gradient = _input_of(graph, node, 0), of(1), of(2)
        sizes = _shape_values(graph, sizes_input, shape_of) if sizes_input is not None else None
        if sizes is not None and len(sizes) == 4 and all(d is not None and d >= 0 for d in sizes):
            return tuple(sizes)
        strides = list(attr["strides"].list.i) if "strides" in attr else []
        padding = attr["padding"].s.decode() if "padding" in attr else ""
        data_format = attr["data_format"].s.decode() if "data_format" in attr else "NHWC"
        if not gradient or len(gradient) != 4 or not filters or len(filters) != 4 or len(strides) != 4:
            return False
        if data_format != "NHWC" or padding not in ("SAME", "VALID"):
            return False
        spatial = []
        for k in (1, 2):
            size, kernel = gradient[k], filters[k - 1]
            if size is None or kernel is None:
                spatial.append(None)
            else:
                spatial.append(size * strides[k] if padding == "SAME" else (size - 1) * strides[k] + kernel)
        return (gradient[0], *spatial, filters[2])
    if op in _BATCH_MATMULS:
        # A matrix product over the last two axes, the axes before them broadcast (TensorFlow lowers Keras's
        # EinsumDense and attention products to these).
        a, b = of(0), of(1)
        if not a or not b or len(a) < 2 or len(b) < 2:
            return False
        ta = any(key in attr and attr[key].b for key in ("adj_x", "transpose_a"))
        tb = any(key in attr and attr[key].b for key in ("adj_y", "transpose_b"))
        batch = _broadcast([a[:-2], b[:-2]])
        return False if batch is False else (*batch, a[-1] if ta else a[-2], b[-2] if tb else b[-1])
    if op == "Einsum":
        equation = attr["equation"].s.decode("utf-8", "replace") if "equation" in attr else ""
        count = attr["N"].i if "N" in attr else 0
        return _einsum(equation, [of(k) for k in range(count)])
    if op in _WINDOWED:
        data_format = attr["data_format"].s.decode() if "data_format" in attr else "NHWC"
        padding = attr["padding"].s.decode() if "padding" in attr else ""
        strides = list(attr["strides"].list.i) if "strides" in attr else []
        if data_format != "NHWC" or padding not in ("SAME", "VALID") or len(strides) != 4:
            return False
        x = of(0)
        if not x or len(x) != 4:
            return False
        if op in ("MaxPool", "AvgPool"):
            kernel = list(attr["ksize"].list.i) if "ksize" in attr else []
            if len(kernel) != 4:
                return False
            dilations, channels = [1, 1, 1, 1], x[3]
        else:
            f = of(1)
            if not f or len(f) != 4 or None in f:
                return False
            kernel = [1, f[0], f[1], 1]
            dilations = list(attr["dilations"].list.i) if "dilations" in attr else [1, 1, 1, 1]
            if len(dilations) != 4:
                return False
            channels = f[3] if op == "Conv2D" else f[2] * f[3]
        height = _window(x[1], kernel[1], strides[1], dilations[1], padding)
        width = _window(x[2], kernel[2], strides[2], dilations[2], padding)
        return (x[0], height, width, channels)
    if op == "Fill":
        # The dims may be computed (Hugging Face fills token types of the input's shape, ``tf.fill(shape, 0)``).
        dims = _input_of(graph, node, 0)
        values = _shape_values(graph, dims, shape_of) if dims is not None else None
        if values is None or any(v is not None and v < 0 for v in values):
            return False
        return tuple(values)
    if op == "Range":
        # Positions 0 .. n - 1 of a sequence whose length is its shape's (``tf.range(tf.shape(ids)[1])``).
        start, limit, delta = (_scalar_value(graph, _input_of(graph, node, k), shape_of) for k in range(3))
        if start is None or delta is None or delta == 0:
            return False
        if limit is None:
            return (None,)
        return (max(0, -((start - limit) // delta)),)
    if op == "ConcatV2" and "N" in attr:
        count = attr["N"].i
        axis_input = _input_of(graph, node, count)
        axis = const_ints(graph, axis_input[0]) if axis_input is not None else None
        parts = [of(k) for k in range(count)]
        if axis is None or len(axis) != 1 or not parts or any(not p for p in parts):
            return False
        rank = len(parts[0])
        if any(len(p) != rank for p in parts) or not -rank <= axis[0] < rank:
            return False
        at = axis[0] % rank
        dims = []
        for k in range(rank):
            column = [p[k] for p in parts]
            if k == at:
                dims.append(None if None in column else sum(column))
            else:
                sizes = {d for d in column if d is not None}
                if len(sizes) > 1:
                    return False
                dims.append(sizes.pop() if sizes else None)
        return tuple(dims)
    if op == "Reshape":
        source, target = _input_of(graph, node, 0), _input_of(graph, node, 1)
        if source is None or target is None:
            return False
        if _keras_flatten_source(graph, target[0], source):
            x = shape_of(source)
            if not x or None in x[1:]:
                return False
            return (x[0], prod(x[1:]))
        dims = _shape_values(graph, target, shape_of)
        if dims is None or dims.count(-1) > 1 or any(d is not None and d < -1 for d in dims):
            return False
        if -1 not in dims:
            return tuple(dims)
        x = shape_of(source)
        rest = prod(d for d in dims if d != -1) if None not in dims else 0
        known_size = x is not False and x is not None and None not in x and rest > 0
        return tuple((prod(x) // rest if known_size else None) if d == -1 else d for d in dims)
    return False


_VALUE_RELAYS = frozenset({"Identity", "Cast", "Reshape"})


_LOOPS_PASSING_ON = frozenset({"While", "StatelessWhile"})  # output k is what input k became, step after step


def _reserved_length(graph: Graph, source: tuple[int, int] | None, shape_of) -> int | None:
    """How many elements the tensor list ``source`` was reserved with, followed back through the loop that wrote
    them (a TF2 RNN reserves one per step, then fills them in a ``while``), or None."""
    for _ in range(8):
        if source is None:
            return None
        node, output = source
        op = graph.ops[node]
        if op == "TensorListReserve":
            return _scalar_value(graph, _input_of(graph, node, 1), shape_of)
        if op in _LOOPS_PASSING_ON:
            source = _input_of(graph, node, output)
        elif op == "Identity":
            source = _input_of(graph, node, 0)
        else:
            return None
    return None


def _scalar_value(graph: Graph, source: tuple[int, int] | None, shape_of) -> int | None:
    """The value of a scalar integer tensor computed as ``_shape_values`` computes shapes, or None."""
    values = _shape_values(graph, source, shape_of) if source is not None else None
    return values[0] if values is not None and len(values) == 1 and isinstance(values[0], int) else None


def _shape_values(graph: Graph, source: tuple[int, int], shape_of, depth: int = 0) -> list | None:
    """The values of a small integer tensor that says a shape, computed in the graph from constants and other
    tensors' shapes (``Shape``, slices of it, ``Pack``, ``ConcatV2``, products), each None where not known; or
    None when its length is not known either. Keras 3 computes the target of a reshape so (a repeat's)."""
    node = source[0]
    op = graph.ops[node]
    if op == "Const":
        return const_ints(graph, node)
    if depth > 6:
        return None
    if op == "Shape":
        measured = _input_of(graph, node, 0)
        x = shape_of(measured) if measured is not None else False
        return list(x) if isinstance(x, tuple) else None
    node_def = _node_def(graph, node)
    if node_def is None:
        return None
    attr = node_def.attr

    def part(position: int) -> list | None:
        found = _input_of(graph, node, position)
        return _shape_values(graph, found, shape_of, depth + 1) if found is not None else None

    if op in _VALUE_RELAYS:
        return part(0)
    if op == "Pack" and "N" in attr and not ("axis" in attr and attr["axis"].i):
        values = []
        for k in range(attr["N"].i):
            found = _input_of(graph, node, k)
            if found is None or shape_of(found) != ():
                return None  # packs scalars only: a shape's dimensions
            value = _shape_values(graph, found, shape_of, depth + 1)
            values.append(value[0] if value is not None and len(value) == 1 else None)
        return values
    if op == "ConcatV2" and "N" in attr:
        axis = _input_of(graph, node, attr["N"].i)
        if axis is None or const_ints(graph, axis[0]) not in ([0], [-1]):
            return None
        parts = [part(k) for k in range(attr["N"].i)]
        return None if any(p is None for p in parts) else [v for p in parts for v in p]
    if op == "Mul":
        a, b = part(0), part(1)
        if a is None or b is None or (len(a) != len(b) and 1 not in (len(a), len(b))):
            return None
        a, b = (a * len(b), b) if len(a) == 1 else (a, b * len(a)) if len(b) == 1 else (a, b)
        return [None if None in (x, y) else x * y for x, y in zip(a, b)]
    if op in ("Minimum", "Maximum"):
        a, b = part(0), part(1)
        pick = min if op == "Minimum" else max
        if a is not None and b is not None and len(a) == len(b) == 1 and None not in (a[0], b[0]):
            return [pick(a[0], b[0])]
        # tf.math.bincount's length, minimum(maxlength, maximum(minlength, n)): bounds that meet (a one-hot's
        # token count, both) are the length whatever n is.
        opposite = "Maximum" if op == "Minimum" else "Minimum"
        for known, other in ((a, 1), (b, 0)):
            inner = _input_of(graph, node, other)
            if known is None or len(known) != 1 or known[0] is None or inner is None or graph.ops[inner[0]] != opposite:
                continue
            for k in (0, 1):
                bound = _input_of(graph, inner[0], k)
                if bound is not None and _shape_values(graph, bound, shape_of, depth + 2) == known:
                    return known
        return None
    if op == "StridedSlice":
        values, bounds = part(0), [_input_of(graph, node, k) for k in (1, 2, 3)]
        spec = [const_ints(graph, b[0]) if b is not None else None for b in bounds]
        if values is None or any(v is None or len(v) != 1 for v in spec):
            return None
        masks = {key: attr[key].i if key in attr else 0 for key in _SLICE_MASKS}
        if masks["ellipsis_mask"] or masks["new_axis_mask"]:
            return None
        (begin,), (end,), (step,) = spec
        if step == 0:
            return None  # no slice (TensorFlow refuses it)
        if masks["shrink_axis_mask"] & 1:
            return [values[begin]] if -len(values) <= begin < len(values) else None
        return values[None if masks["begin_mask"] & 1 else begin : None if masks["end_mask"] & 1 else end : step]
    return None


def _sliced(x, bounds, attr, graph: Graph) -> Shape | bool:
    """The shape of ``x[begin:end:step, ...]`` for constant bounds (a Cropping layer's slice of each spatial axis):
    each sliced axis's length where its size is known, or where both bounds are from its start; axes past the
    bounds kept; an axis taken whole where its mask says so; a new axis of 1 where its mask says so (``x[None]``);
    ellipses not followed."""
    spec = [const_ints(graph, b[0]) if b is not None else None for b in bounds]
    if not isinstance(x, tuple) or any(v is None for v in spec) or len({len(v) for v in spec}) != 1:
        return False
    masks = {key: attr[key].i if key in attr else 0 for key in _SLICE_MASKS}
    begins, ends, steps = spec
    new_axes = [masks["new_axis_mask"] >> k & 1 for k in range(len(begins))]
    if masks["ellipsis_mask"] or len(begins) - sum(new_axes) > len(x) or 0 in steps:
        return False
    dims = []
    axis = 0  # the axis of x the next bound slices (a new axis slices none)
    for k in range(len(begins)):
        if new_axes[k]:
            dims.append(1)
            continue
        size = x[axis]
        axis += 1
        begin = None if masks["begin_mask"] >> k & 1 else begins[k]
        end = None if masks["end_mask"] >> k & 1 else ends[k]
        if masks["shrink_axis_mask"] >> k & 1:
            continue  # one element taken: the axis goes
        if size is not None:
            dims.append(len(range(*slice(begin, end, steps[k]).indices(size))))
        elif begin is not None and end is not None and begin >= 0 and end >= 0 and steps[k] > 0:
            dims.append(max(0, -(-(end - begin) // steps[k])))
        else:
            dims.append(None)
    return (*dims, *x[axis:])


_SLICE_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _einsum(equation: str, operands: list) -> Shape | bool:
    """The output shape of ``tf.einsum(equation, *operands)`` from each letter's size (an unknown size takes
    another operand's), or False: an ellipsis, an operand of unknown shape, a letter's sizes that disagree."""
    inputs, arrow, output = equation.replace(" ", "").partition("->")
    terms = inputs.split(",")
    if not arrow or "." in equation or len(terms) != len(operands) or not operands:
        return False
    sizes: dict[str, int | None] = {}
    for term, shape in zip(terms, operands):
        if shape is False or shape is None or len(term) != len(shape):
            return False
        for letter, size in zip(term, shape):
            seen = sizes.get(letter)
            if seen is not None and size is not None and seen != size:
                return False  # a letter names one size wherever it appears
            sizes[letter] = size if seen is None else seen
    if any(letter not in sizes for letter in output):
        return False
    return tuple(sizes[letter] for letter in output)


def _broadcast(shapes: list) -> Shape | bool:
    """NumPy's broadcast of known shapes (an unknown size against a size above 1 can only be that size), or
    False when one is unknown or they do not broadcast."""
    if any(shape is False or shape is None for shape in shapes):
        return False
    rank = max(map(len, shapes))
    dims = []
    for k in range(rank):
        column = [shape[len(shape) - rank + k] for shape in shapes if len(shape) - rank + k >= 0]
        sizes = {d for d in column if d is not None and d != 1}
        if len(sizes) > 1:
            return False
        if sizes:
            dims.append(sizes.pop())
        else:
            dims.append(None if None in column else 1)
    return tuple(dims)


_FUNCTION_CALLS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})


def _handle_shape(graph: Graph, node: int, position: int) -> Shape | bool:
    """The shape of the variable whose handle a call takes at ``position``, or False."""
    source = _input_of(graph, node, position)
    found = resource_variable(graph, source[0]) if source is not None else None
    return found.shape if found is not None and found.shape is not None else False


_CALLS_INFERRED = 64  # bodies built for one graph at most (a small graph each, once per argument shapes)
_CALL_DEPTH = 8  # calls followed one within another (a function may call itself)
_BODIES = ("returned shapes",)  # where a graph keeps its bodies (no function's name: a tuple)
_DEPTH = ("call depth",)  # how deep in calls a body is


def _returned_shape(graph: Graph, name: str, output: int, arguments: list) -> Shape | bool:
    """The shape of a function's output ``output`` when called with arguments of these shapes (False for one not
    known; a variable's handle stands for the variable's shape): its body built as a graph, each argument a
    placeholder of its shape, and the returned tensor inferred there. Only an argument, or the first of a node's
    ``output`` list, is followed; calls are followed ``_CALL_DEPTH`` deep, and bodies of one graph (those inside
    them too) built ``_CALLS_INFERRED`` times at most."""
    function = graph.functions[name]
    if output >= len(function.signature.output_arg):
        return False
    raw = function.ret.get(function.signature.output_arg[output].name, "")
    node_name, _, rest = raw.partition(":")
    argument_names = [a.name for a in function.signature.input_arg]
    if node_name in argument_names and not rest:
        return arguments[argument_names.index(node_name)]
    if rest != "output:0":
        # Which output another name means depends on the op's definition; a traced function returns an Identity's.
        return False
    depth = graph.function_indexes.get(_DEPTH, 0) + 1
    key = (name, tuple(arguments), depth)
    cache = graph.function_indexes.setdefault(_BODIES, {})
    if key not in cache:
        if len(cache) >= _CALLS_INFERRED or depth > _CALL_DEPTH or not function.node_def:
            return False
        node_def = type(function.node_def[0])
        placeholders = []
        for argument, shape in zip(function.signature.input_arg, arguments):
            placeholder = node_def(name=argument.name, op="Placeholder")
            placeholder.attr["dtype"].type = argument.type
            if argument.type == _RESOURCE:  # a handle is a scalar; its variable's shape is the handle's
                target = placeholder.attr["_handle_shapes"].list.shape.add()
            else:
                target = placeholder.attr["shape"].shape
            if isinstance(shape, tuple):
                for d in shape:
                    target.dim.add(size=-1 if d is None else d)
            else:
                target.unknown_rank = True
            placeholders.append(placeholder)
        nodes = [*placeholders, *function.node_def]
        body = build_graph_from_nodes(nodes, nodes, graph.functions)
        body.function_indexes[_BODIES], body.function_indexes[_DEPTH] = cache, depth  # one bound for all of them
        cache[key] = body
    body = cache[key]
    at = body.index.get(node_name)
    if at is None:
        return False
    return inferred_output_shape(body, at, 0, {})


class ShapeMemo(dict):
    """``inferred_output_shape``'s memo for one answer, whose visits count against ``INFER_BUDGET``, that reads and
    adds to ``certain``: the shapes any answer on the same graph derived with no loop's back edge cut and no
    budget spent on the way, which do not depend on where an inference started. Each group of a Keras 3 trace
    infers its edges' shapes back to the iterator's batch, through every layer before it: without it, each answer
    walked the same 9,000 nodes again (a quarter of a second each on EfficientNetB7's trace)."""

    def __init__(self, certain: dict):
        super().__init__()
        self.certain = certain
        self.uncertain: set = set()  # entries set by a cut back edge or the spent budget, or derived from one


def inferred_output_shape(graph: Graph, node: int, output: int, known: dict) -> Shape | bool:
    """``output_shape``, else the shape the inference rules above derive; False when neither says. ``known``
    memoises both, and holds the budget's count under the key ``"visits"``; a ``ShapeMemo`` also shares what is
    certain."""
    key = (node, output)
    if key in known:
        return known[key]
    certain = getattr(known, "certain", None)
    uncertain = known.uncertain if certain is not None else set()
    if certain is not None and key in certain:
        known[key] = certain[key]
        return known[key]
    recorded = output_shape(graph, node, output)
    if recorded is not False or known.get("visits", 0) >= INFER_BUDGET:
        known[key] = recorded
        if recorded is False:
            uncertain.add(key)
        return recorded
    stack = [key]
    pending = set()
    cut = [False]  # whether the attempt under way read an uncertain shape
    while stack:
        current = stack[-1]
        if current in known:
            stack.pop()
            continue
        pending.add(current)

        def shape_of(source):
            if source in known:
                if source in uncertain:
                    cut[0] = True
                return known[source]
            if certain is not None and source in certain:
                known[source] = certain[source]
                return known[source]
            if source in pending:  # a cycle (a loop's back edge): no certain answer
                cut[0] = True
                return False
            found = output_shape(graph, source[0], source[1])
            if found is not False:
                known[source] = found
                return found
            raise _Need(source)

        known["visits"] = known.get("visits", 0) + 1
        cut[0] = False
        try:
            if known["visits"] > INFER_BUDGET:
                raise _Need(None)
            try:
                shape = _rule(graph, current[0], current[1], shape_of)
                if shape is not False and _variant_output(graph, *current):  # asked once the rule has its inputs
                    shape = False
            except (ArithmeticError, IndexError, TypeError, ValueError):
                shape = False  # values no TensorFlow run would accept (a hostile graph's): no shape, no failure
        except _Need as need:
            if need.key is None:
                for waiting in stack:
                    if waiting not in known:
                        known[waiting] = False
                        uncertain.add(waiting)
                break
            stack.append(need.key)
            continue
        if shape is not False and shape is not None and not isinstance(shape, tuple):
            shape = False
        known[current] = shape
        if cut[0]:
            uncertain.add(current)
        elif certain is not None:
            certain[current] = shape
        pending.discard(current)
        stack.pop()
    return known.get(key, False)
