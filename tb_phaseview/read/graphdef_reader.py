"""Reads a serialised GraphDef straight into the analysis's column Graph, parsing a full NodeDef only when asked.

A full parse builds every node's attributes (shapes, dtypes, constant tensors): most of a Keras graph's bytes,
and nothing the first view needs. The bytes are read twice instead, through two message types declared here
with GraphDef's own field numbers:

- ``RawGraph`` keeps each node as its serialised bytes: it counts the nodes before anything is built (a graph
  over the memory budget is refused there), and one node's NodeDef is parsed from its bytes when its attributes are
  needed (the learning-phase flag's dtype, an ``If``'s branch functions, the inspector);
- ``NodeColumns`` reads the names, ops and inputs of a chunk of nodes as three columns, in one parse of their
  bytes laid end to end (node_chunks; each chunk's inputs are resolved before the next is read);
  ``SlimGraph`` reads the same one message per node, for the graphs whose nodes are not laid out as TensorFlow
  writes them (node_chunks then declines).

At 200k nodes the two take about a third of a full parse; read and made into the Graph, the columns take about
two thirds of the time of the per-node messages (no accessor call per node and field).
"""

from __future__ import annotations

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError
from tensorboard.compat.proto import function_pb2, node_def_pb2

from tb_phaseview.analysis.graph_model import (
    Graph,
    NodeDefUnreadable,
    TooManyEdges,
    build_graph_from_chunks,
    build_graph_from_nodes,
)

_PACKAGE = "tb_phaseview.wire_graphdef"
_STRING, _BYTES, _MESSAGE, _INT64, _INT32, _BOOL = (
    descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
    descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
    descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
    descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
    descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
    descriptor_pb2.FieldDescriptorProto.TYPE_BOOL,
)
_ONE, _MANY = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL, descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED


def _message_types():
    # Field numbers as in tensorflow/core/framework/graph.proto and node_def.proto (proto3: strings are UTF-8
    # checked, as in a full parse).
    file = descriptor_pb2.FileDescriptorProto(
        name="tb_phaseview/wire_graphdef.proto", package=_PACKAGE, syntax="proto3"
    )
    slim_node = file.message_type.add(name="SlimNode")
    slim_node.field.add(name="name", number=1, type=_STRING, label=_ONE)
    slim_node.field.add(name="op", number=2, type=_STRING, label=_ONE)
    slim_node.field.add(name="input", number=3, type=_STRING, label=_MANY)
    # The same fields as columns: NodeDefs' bytes laid end to end parse as one message holding every node's name,
    # op and inputs in order (a string field and a repeated one are alike on the wire).
    node_columns = file.message_type.add(name="NodeColumns")
    node_columns.field.add(name="name", number=1, type=_STRING, label=_MANY)
    node_columns.field.add(name="op", number=2, type=_STRING, label=_MANY)
    node_columns.field.add(name="input", number=3, type=_STRING, label=_MANY)
    slim_graph = file.message_type.add(name="SlimGraph")
    slim_graph.field.add(name="node", number=1, type=_MESSAGE, label=_MANY, type_name=f".{_PACKAGE}.SlimNode")
    raw_graph = file.message_type.add(name="RawGraph")
    raw_graph.field.add(name="node", number=1, type=_BYTES, label=_MANY)
    raw_graph.field.add(name="library", number=2, type=_BYTES, label=_ONE)
    # GraphDef.versions (4), a VersionDef: its producer (1) says how some ops' attributes read.
    raw_versions = file.message_type.add(name="RawVersions")
    raw_versions.field.add(name="producer", number=1, type=_INT32, label=_ONE)
    raw_graph.field.add(name="versions", number=4, type=_MESSAGE, label=_ONE, type_name=f".{_PACKAGE}.RawVersions")
    # FunctionDefLibrary.function (1) and FunctionDef.node_def (3): a library's nodes counted before any is built.
    raw_function = file.message_type.add(name="RawFunction")
    raw_function.field.add(name="node_def", number=3, type=_BYTES, label=_MANY)
    raw_library = file.message_type.add(name="RawLibrary")
    raw_library.field.add(name="function", number=1, type=_MESSAGE, label=_MANY, type_name=f".{_PACKAGE}.RawFunction")
    # A NodeDef's attributes with only the functions they name: NodeDef.attr (5) is a map, on the wire a repeated
    # entry of key (1) and value (2); AttrValue.list (1) holds ListValue.func (9), AttrValue.func (10) a
    # NameAttrList, whose name is field 1. Every other attribute (shapes, tensors) is skipped unparsed.
    slim_func = file.message_type.add(name="SlimFunc")
    slim_func.field.add(name="name", number=1, type=_STRING, label=_ONE)
    slim_list = file.message_type.add(name="SlimList")
    slim_list.field.add(name="func", number=9, type=_MESSAGE, label=_MANY, type_name=f".{_PACKAGE}.SlimFunc")
    slim_attr = file.message_type.add(name="SlimAttr")
    slim_attr.field.add(name="list", number=1, type=_MESSAGE, label=_ONE, type_name=f".{_PACKAGE}.SlimList")
    slim_attr.field.add(name="func", number=10, type=_MESSAGE, label=_ONE, type_name=f".{_PACKAGE}.SlimFunc")
    slim_entry = file.message_type.add(name="SlimAttrEntry")
    slim_entry.field.add(name="value", number=2, type=_MESSAGE, label=_ONE, type_name=f".{_PACKAGE}.SlimAttr")
    call_node = file.message_type.add(name="CallNode")
    call_node.field.add(name="attr", number=5, type=_MESSAGE, label=_MANY, type_name=f".{_PACKAGE}.SlimAttrEntry")
    # A Const's tensor without its values: AttrValue.tensor (8) is a TensorProto, whose dtype (1) and
    # tensor_shape (2: TensorShapeProto.dim (2) of size (1), unknown_rank (3)) say a frozen weight's size; its
    # values (a frozen weight's megabytes) stay unknown fields, never built into Python objects nor kept.
    slim_dim = file.message_type.add(name="SlimDim")
    slim_dim.field.add(name="size", number=1, type=_INT64, label=_ONE)
    slim_shape = file.message_type.add(name="SlimShape")
    slim_shape.field.add(name="dim", number=2, type=_MESSAGE, label=_MANY, type_name=f".{_PACKAGE}.SlimDim")
    slim_shape.field.add(name="unknown_rank", number=3, type=_BOOL, label=_ONE)
    slim_tensor = file.message_type.add(name="SlimTensor")
    slim_tensor.field.add(name="dtype", number=1, type=_INT32, label=_ONE)
    slim_tensor.field.add(name="tensor_shape", number=2, type=_MESSAGE, label=_ONE, type_name=f".{_PACKAGE}.SlimShape")
    tensor_attr = file.message_type.add(name="SlimTensorAttr")
    tensor_attr.field.add(name="tensor", number=8, type=_MESSAGE, label=_ONE, type_name=f".{_PACKAGE}.SlimTensor")
    _node_of_attributes(file, "ConstNode", "SlimTensorAttr")
    # A NodeDef's boolean attributes: AttrValue.b (5) of each entry, its other values skipped unparsed.
    slim_bool = file.message_type.add(name="SlimBool")
    slim_bool.field.add(name="b", number=5, type=_BOOL, label=_ONE)
    _node_of_attributes(file, "BoolNode", "SlimBool")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return tuple(
        message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.{name}"))
        for name in ("SlimGraph", "RawGraph", "RawLibrary", "CallNode", "NodeColumns", "ConstNode", "BoolNode")
    )


def _node_of_attributes(file, name: str, value_type: str) -> None:
    """A message reading a NodeDef's attributes alone: NodeDef.attr (5) is a map, on the wire a repeated entry of
    key (1) and value (2), the value read as ``value_type`` (the AttrValue fields wanted, the rest skipped)."""
    entry = file.message_type.add(name=f"{name}Entry")
    entry.field.add(name="key", number=1, type=_STRING, label=_ONE)
    entry.field.add(name="value", number=2, type=_MESSAGE, label=_ONE, type_name=f".{_PACKAGE}.{value_type}")
    node = file.message_type.add(name=name)
    node.field.add(name="attr", number=5, type=_MESSAGE, label=_MANY, type_name=f".{_PACKAGE}.{name}Entry")


SlimGraph, RawGraph, RawLibrary, CallNode, NodeColumns, ConstNode, BoolNode = _message_types()


class LazyNodeDefs:
    """The NodeDef of each node by position, parsed from its bytes on first access and kept."""

    def __init__(self, payloads, positions: list[int] | None = None):
        self._payloads = payloads  # the RawGraph's repeated bytes (it keeps the message alive)
        self._positions = positions
        self._parsed: dict[int, object] = {}

    def __len__(self) -> int:
        return len(self._positions) if self._positions is not None else len(self._payloads)

    def _parse(self, message_type, index: int):
        """``message_type`` (NodeDef, or a light view of its attributes) parsed from one node's bytes."""
        position = self._positions[index] if self._positions is not None else index
        try:
            return message_type.FromString(self._payloads[position])
        except (DecodeError, RuntimeError, ValueError) as error:
            raise NodeDefUnreadable(
                f"this node's attributes are corrupt in the logged graph and cannot be "
                f"parsed ({error}); its name, op and edges were read"
            ) from None

    def __getitem__(self, index: int):
        node_def = self._parsed.get(index)
        if node_def is None:
            node_def = self._parse(node_def_pb2.NodeDef, index)
            self._parsed[index] = node_def
        return node_def

    def functions_called(self, index: int) -> list[str]:
        """The functions a node names in its attributes (an ``If``'s branches, a call's ``f``), read from its bytes
        without building its other attributes: a tenth of a full parse, for the thousands of call ops of a large
        graph whose layers are told apart by the functions they call."""
        node_def = self._parsed.get(index)
        if node_def is not None:
            return [name for value in node_def.attr.values() for name in _function_names(value)]
        attrs = self._parse(CallNode, index).attr
        return [name for entry in attrs for name in _function_names(entry.value)]

    def bool_attr(self, index: int, key: str, default: bool) -> bool:
        """A boolean attribute of a node (a batch norm's ``is_training``), or ``default`` when it has none, read
        from its bytes without building its other attributes."""
        node_def = self._parsed.get(index)
        if node_def is not None:
            return node_def.attr[key].b if key in node_def.attr else default
        for entry in self._parse(BoolNode, index).attr:
            if entry.key == key:
                return entry.value.b
        return default

    def constant_shape(self, index: int):
        """A Const's ``value`` tensor as (dtype number, TensorShapeProto-like shape), read from its bytes without
        its values (a frozen weight's megabytes), or None when it holds none. Not kept: a parsed NodeDef would
        keep a copy of the weights for the life of the graph."""
        node_def = self._parsed.get(index)
        if node_def is not None:
            if "value" not in node_def.attr:
                return None
            tensor = node_def.attr["value"].tensor
            return tensor.dtype, tensor.tensor_shape
        for entry in self._parse(ConstNode, index).attr:
            if entry.key == "value" and entry.value.HasField("tensor"):
                return entry.value.tensor.dtype, entry.value.tensor.tensor_shape
        return None

    def constant_shapes(self, indices: list[int]) -> list | None:
        """``constant_shape`` of many Consts at once: their bytes laid end to end parse as one message whose
        attribute entries follow node by node (a parse per node was most of the cost of a frozen graph's weights).
        None when that cannot be told apart node by node (one holds no single ``value``): ask one at a time."""
        positions = [self._positions[i] if self._positions is not None else i for i in indices]
        try:
            attrs = ConstNode.FromString(b"".join(self._payloads[p] for p in positions)).attr
        except (DecodeError, RuntimeError, ValueError):
            return None
        found = [(e.value.tensor.dtype, e.value.tensor.tensor_shape) for e in attrs if e.key == "value"]
        return found if len(found) == len(indices) else None

    def subset(self, positions: list[int]) -> "LazyNodeDefs":
        if self._positions is not None:
            positions = [self._positions[p] for p in positions]
        return LazyNodeDefs(self._payloads, positions)


def _function_names(value) -> list[str]:
    """The functions one attribute value names (an AttrValue, or its slim twin): its ``func``, or its list's."""
    if value.HasField("func"):
        return [value.func.name]
    return [f.name for f in value.list.func] if value.HasField("list") else []


class TooManyNodes(ValueError):
    def __init__(self, count: int, in_functions: int = 0):
        super().__init__(count)
        self.count = count
        self.in_functions = in_functions  # of ``count``, the nodes of the function library's bodies


def count_nodes(blob: bytes) -> int:
    """How many nodes a serialised GraphDef holds, without building any; raises DecodeError for corrupt bytes."""
    return len(RawGraph.FromString(blob).node)


def library_node_count(library: bytes) -> int:
    """How many nodes the bodies of a serialised FunctionDefLibrary hold, without building any."""
    return sum(len(function.node_def) for function in RawLibrary.FromString(library).function) if library else 0


def read_graph(blob: bytes, edges_allowed=None) -> Graph:
    """A serialised GraphDef as a Graph; raises DecodeError for corrupt bytes.

    ``edges_allowed(nodes)``: how many inputs the nodes may have in all, given how many nodes there are (the graph's
    and its functions' together), or None for no limit. Asked once the nodes are counted, before any is built:
    TooManyNodes when it is negative (the nodes alone are too many), graph_model.TooManyEdges (with ``nodes`` and
    ``in_functions`` set) past it, counted before any edge is built."""
    raw = RawGraph.FromString(blob)
    in_functions = library_node_count(raw.library)
    nodes = len(raw.node) + in_functions
    max_edges = edges_allowed(nodes) if edges_allowed is not None else None
    if max_edges is not None and max_edges < 0:
        raise TooManyNodes(nodes, in_functions)
    functions = {}
    if raw.library:
        for function in function_pb2.FunctionDefLibrary.FromString(raw.library).function:
            functions[function.signature.name] = function
    try:
        chunks = node_chunks(blob, raw.node, max_edges)
        graph = None
        if chunks is not None:
            graph = build_graph_from_chunks(chunks, _MARKERS, LazyNodeDefs(raw.node), functions)
        if graph is None:
            slim_nodes = SlimGraph.FromString(blob).node[:]  # a slice is a list, built faster than by iterating
            graph = build_graph_from_nodes(slim_nodes, LazyNodeDefs(raw.node), functions, max_edges)
        graph.producer = raw.versions.producer
        return graph
    except TooManyEdges as error:
        error.nodes, error.in_functions = nodes, in_functions
        raise


# A node's field header on the wire: tag 0x0a (GraphDef.node, length-delimited), then its length as a varint of
# 1 to 5 bytes. node_chunks writes over each header an input of the same size (tag 0x1a, length, NULs): one of
# these strings, by the header's size.
_MARKERS = tuple("\0" * size for size in range(5))
_CHUNK_BYTES = 1 << 24  # the nodes' bytes parsed at a time (a bigger node is parsed alone)


def node_chunks(blob: bytes, payloads, max_edges: int | None = None):
    """The nodes' names, ops and inputs, a chunk of nodes at a time: an iterator of (names, ops, inputs) lists,
    the inputs of each node led by a marker (one of ``_MARKERS``), each chunk read by one parse of its nodes' bytes:
    no message per node, nor an accessor call per field (graph_model.build_graph_from_chunks takes them).

    ``payloads``: the RawGraph's nodes. None when the nodes are not laid out as TensorFlow writes them (all of them
    first, each with its name first and its op next, once each): the caller then reads them through SlimGraph; a
    chunk that does not parse so is None (and the last). ``max_edges``: TooManyEdges past that many inputs, counted
    in each parsed chunk before its inputs become Python strings.
    """
    count = len(payloads)
    if count == 0:
        return None
    lengths = np.fromiter(map(len, payloads), dtype=np.int64, count=count)
    sizes = 1 + sum((lengths >= 1 << (7 * k)).astype(np.int64) for k in range(1, 5))  # the varint's bytes
    ends = np.cumsum(1 + sizes + lengths)
    end = int(ends[-1])
    if end > len(blob) or int(lengths.min()) < 4:
        return None
    starts = ends - (1 + sizes + lengths)
    data = np.frombuffer(blob, dtype=np.uint8, count=end)
    # Each header where the lengths put it, written in the shortest form: then the first ``end`` bytes parse as
    # exactly these nodes, in this order.
    ok = data[starts] == 0x0A
    for k in range(int(sizes.max())):
        has = sizes > k
        byte = (lengths[has] >> (7 * k)) & 0x7F | np.where(sizes[has] > k + 1, 0x80, 0)
        ok[has] &= data[starts[has] + 1 + k] == byte
    # Each node's name first (tag 0x0a, its length in one or two bytes), its op (tag 0x12) next: with as many
    # names and ops as nodes, each node has one of each, and the columns line up with the nodes.
    body = starts + 1 + sizes
    ok &= data[body] == 0x0A
    first, second = data[body + 1].astype(np.int64), data[body + 2].astype(np.int64)
    two = first >= 0x80
    ok &= ~two | (second < 0x80)
    op_at = body + 2 + two + np.where(two, (first & 0x7F) | (second << 7), first)
    ok &= op_at < body + lengths
    ok[ok] &= data[op_at[ok]] == 0x12
    if not ok.all():
        return None
    return _parsed_chunks(data, starts, ends, sizes, max_edges)


def _parsed_chunks(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, sizes: np.ndarray, max_edges):
    """node_chunks' chunks, parsed through one buffer (a copy of all the bytes at once costs the kernel fresh pages
    for each of them, and held every node's attributes as unknown fields until the end)."""
    count, end = len(starts), int(ends[-1])
    inputs_read = 0
    largest = int((ends - starts).max())
    buffer = np.empty(max(min(end, _CHUNK_BYTES), largest), dtype=np.uint8)
    at = 0
    while at < count:
        begin = int(starts[at])
        last = max(at + 1, int(np.searchsorted(ends, begin + buffer.size, side="right")))
        stop = int(ends[last - 1])
        view = buffer[: stop - begin]
        view[:] = data[begin:stop]
        heads, head_sizes = starts[at:last] - begin, sizes[at:last]
        view[heads] = 0x1A
        view[heads + 1] = head_sizes - 1
        for k in range(1, int(head_sizes.max())):
            view[heads[head_sizes > k] + 1 + k] = 0
        try:
            columns = NodeColumns.FromString(memoryview(view))
        except DecodeError:
            yield None  # SlimGraph's parse then says why, as it always has
            return
        if len(columns.name) != last - at or len(columns.op) != last - at:
            yield None
            return
        # Counted in the parsed message, before a Python string is made for its inputs (a node of millions of
        # inputs is refused at the size of its bytes).
        inputs_read += len(columns.input)
        if max_edges is not None and inputs_read - last > max_edges:
            raise TooManyEdges(inputs_read - last)
        yield columns.name[:], columns.op[:], columns.input[:]
        at = last
