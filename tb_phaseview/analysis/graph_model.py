"""A compact, read-only view of a GraphDef: node names, ops, and the edges between nodes.

Pure: works on any object shaped like a GraphDef proto (``.node`` with ``name``/``op``/``input``/``attr``/
``device``, ``.library.function``), so analysis never imports TensorBoard or TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter

import numpy as np

_ALL = slice(None)


class _ListOfColumn:
    """A Graph list field built from a numpy column on first access: the first view's passes read the columns,
    and a list of a million ints costs tens of milliseconds to make. Kept in the instance under the field's own
    name, which then hides this (non-data) descriptor: later reads are plain attribute reads, as for a field."""

    def __init__(self, column: str):
        self.column = column

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, graph, owner=None):
        if graph is None:
            return self
        # Built in a local and published whole: a reader in another thread sees the list or builds its own.
        value = getattr(graph, self.column).tolist()
        graph.__dict__[self.name] = value
        return value


@dataclass
class Graph:
    names: list[str]
    ops: list[str]
    index: dict[str, int]
    node_defs: list  # the NodeDef of each node, for attributes and devices (may parse on access)
    functions: dict  # function name -> FunctionDef proto
    # The edge and op columns (Columns), one entry per edge, stored in destination order, so a node's in-edges
    # are the range in_start[n]:in_start[n + 1].
    _columns: Columns
    _output: np.ndarray  # per edge: which output of the source (0 for control edges)
    # Inputs that name no node in the graph, as (destination index, raw input string).
    dangling_inputs: list[tuple[int, str]] = field(default_factory=list)
    duplicate_names: list[str] = field(default_factory=list)
    # function name -> functions.FunctionIndex (and ("ops", name) -> its op counts), built on first use, kept
    function_indexes: dict = field(default_factory=dict)
    step_stats: object = None  # step_stats.StepStats of a traced step's run metadata, or None
    # A TF2 SavedModel's serving call the reader inlined (its nodes are under ``<serving_call>/``), or "".
    serving_call: str = ""
    # The GraphDef's ``versions.producer`` (0 when it records none), or None for nodes that came without a
    # GraphDef (a function's body): some ops' attributes read differently in graphs of old producers.
    producer: int | None = None
    _out_order: list[int] | None = None
    _out_start: list[int] | None = None

    # The edges as parallel Python lists, for per-element reads (cheaper than numpy scalars); made on first use.
    edge_src = _ListOfColumn("_src")  # list[int]
    edge_dst = _ListOfColumn("_dst")  # list[int]
    edge_output = _ListOfColumn("_output")  # list[int]: which output of the source (0 for control edges)
    edge_input = _ListOfColumn("_position")  # list[int]: position among the destination's inputs
    edge_control = _ListOfColumn("_control")  # list[bool]
    in_start = _ListOfColumn("_in_start")  # list[int], one more than the nodes

    @property
    def output_column(self) -> np.ndarray:
        """``edge_output`` as the numpy column it is stored in (read in numpy without making the list)."""
        return self._output

    @property
    def _src(self):
        return self._columns.src

    @property
    def _dst(self):
        return self._columns.dst

    @property
    def _position(self):
        return self._columns.position

    @property
    def _control(self):
        return ~self._columns.data

    @property
    def _in_start(self):
        return self._columns.in_start

    @property
    def columns(self) -> Columns:
        """The edge and op columns as numpy arrays, for passes over the whole graph."""
        return self._columns

    @property
    def node_count(self) -> int:
        return len(self.names)

    @property
    def edge_count(self) -> int:
        return len(self._columns.src)

    def in_edges(self, node: int) -> range:
        return range(self.in_start[node], self.in_start[node + 1])

    def out_edges(self, node: int) -> list[int]:
        if self._out_order is None:
            self._index_out_edges()
        return self._out_order[self._out_start[node] : self._out_start[node + 1]]

    def out_edges_of(self, nodes) -> dict[int, list[int]]:
        """Out-edges of a few nodes: ``{node: [edge id, ...]}``, from the columns' out-edge index (sorted in C
        on first use; the lists of ``out_edges`` are made only once the first answer is out)."""
        found: dict[int, list[int]] = {node: [] for node in nodes}
        if self._out_order is not None:
            return {node: self.out_edges(node) for node in found}
        edges, owners = self.columns.out_edges(np.fromiter(found, dtype=np.intp, count=len(found)))
        for e, owner in zip(edges.tolist(), owners.tolist()):
            found[owner].append(e)
        return found

    def out_edge_rows(self, nodes) -> tuple[list[int], list[int], list[int], list[int], list[bool]]:
        """(edge ids, their sources, destinations, input positions, whether each is a control edge) of the
        out-edges of ``nodes`` (in that order), node by node, read from the columns: a pass over a few nodes'
        edges (the flags' readers) then builds none of the per-edge lists (``edge_dst`` and the others: 2.6 million
        entries each at 1,000,000 nodes, made once a later answer wants them)."""
        return self._edge_rows(*self.columns.out_edges(np.fromiter(nodes, dtype=np.intp, count=len(nodes))))

    def in_edge_rows(self, nodes) -> tuple[list[int], list[int], list[int], list[int], list[bool]]:
        """As ``out_edge_rows``, for the in-edges of ``nodes``, each node's in input order."""
        return self._edge_rows(*self.columns.in_edges(np.fromiter(nodes, dtype=np.intp, count=len(nodes))))

    def _edge_rows(self, edges: np.ndarray, _owners: np.ndarray):
        columns = self.columns
        return (
            edges.tolist(),
            columns.src[edges].tolist(),
            columns.dst[edges].tolist(),
            columns.position[edges].tolist(),
            (~columns.data[edges]).tolist(),
        )

    def _index_out_edges(self) -> None:
        columns = self.columns
        # Starts first: a reader in another thread takes the index as built once _out_order is set.
        self._out_start = columns.out_start.tolist()
        self._out_order = columns.out_order.tolist()


class Columns:
    """A Graph's columns as numpy arrays: whole-graph passes (roles, edge kinds) run in C, not per element.

    ``src``, ``dst``, ``position`` (input position at the destination) and ``data`` (not a control edge) are
    indexed by edge; ``in_start`` by node, as in Graph; ``op_ids`` numbers each node's op among ``op_names``.
    The out-edge index (``out_order``, ``out_start``) is sorted on first use. Missing inputs are ``-1``.
    """

    @classmethod
    def from_arrays(cls, ops, src, dst, position, data, in_start) -> Columns:
        columns = cls.__new__(cls)
        columns._set(ops, src, dst, position, data, in_start)
        return columns

    def _set(self, ops, src, dst, position, data, in_start) -> None:
        self.node_count = len(ops)
        self.src, self.dst, self.position, self.data, self.in_start = src, dst, position, data, in_start
        self.op_names = list(dict.fromkeys(ops))
        number = {op: i for i, op in enumerate(self.op_names)}
        self.op_ids = np.fromiter(map(number.__getitem__, ops), dtype=np.intp, count=len(ops))
        self._out_order: np.ndarray | None = None
        self._out_start: np.ndarray | None = None

    def per_op(self, value_of, dtype) -> np.ndarray:
        """``value_of(op)`` for every node, computed once per distinct op."""
        return np.array([value_of(op) for op in self.op_names], dtype=dtype)[self.op_ids]

    def op_in(self, ops) -> np.ndarray:
        """Per node: whether its op is one of ``ops``."""
        return self.per_op(ops.__contains__, bool)

    @property
    def out_order(self) -> np.ndarray:
        if self._out_order is None:
            # Built in locals and published start first: a reader in another thread sees both or neither.
            start = np.zeros(self.node_count + 1, dtype=np.intp)
            np.cumsum(np.bincount(self.src, minlength=self.node_count), out=start[1:])
            order = np.argsort(self.src, kind="stable")
            self._out_start = start
            self._out_order = order
        return self._out_order

    @property
    def out_start(self) -> np.ndarray:
        self.out_order  # noqa: B018 - builds both
        return self._out_start

    def in_edges(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(edge ids, the node each enters) of the in-edges of ``nodes``, node by node."""
        return _ranges(self.in_start[nodes], self.in_start[nodes + 1], nodes)

    def out_edges(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(edge ids, the node each leaves) of the out-edges of ``nodes``, node by node."""
        order = self.out_order
        positions, owners = _ranges(self.out_start[nodes], self.out_start[nodes + 1], nodes)
        return order[positions], owners

    def inputs_at(self, nodes: np.ndarray, position: int) -> np.ndarray:
        """The source of each node's data input ``position``, or -1. Inputs are stored in order, data inputs
        before control inputs, so it is the edge ``in_start[node] + position`` when present."""
        nodes = np.asarray(nodes, dtype=np.intp)
        edges = self.in_start[nodes] + position
        present = edges < self.in_start[nodes + 1]
        edges = np.where(present, edges, 0)
        if len(self.src) == 0:
            return np.full(len(nodes), -1, dtype=np.intp)
        present &= (self.position[edges] == position) & self.data[edges]
        return np.where(present, self.src[edges], -1)


def _ranges(starts: np.ndarray, ends: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index in ``[starts[i], ends[i])``, concatenated, and the owner of each."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    before = np.cumsum(lengths) - lengths
    indices = np.repeat(starts - before, lengths) + np.arange(total, dtype=np.intp)
    return indices, np.repeat(owners, lengths)


def parse_inputs(raws: list[str]) -> tuple[list[str], list[int], list[bool]]:
    """Split NodeDef input strings into (node names, output indices, is control input), column by column.

    ``^name`` is a control input; ``name:3`` is output 3; in function bodies ``name:out:2`` is output 2 of the
    named output list (we keep the node name and the trailing index). A comprehension per column, and a loop over
    the numbered inputs alone: at 1,000,000 nodes (420,000 inputs here) 0.15 s, where a ``map`` of a str method per
    step, each step building a list of its own, took 0.17 s.
    """
    control = [raw[:1] == "^" for raw in raws]
    heads = [(raw[1:] if is_control else raw).partition(":") for raw, is_control in zip(raws, control)]
    names = [head[0] for head in heads]
    outputs = [0] * len(raws)
    for i in [i for i, head in enumerate(heads) if head[1]]:
        last = heads[i][2].rpartition(":")[2]
        if last.isdigit():
            outputs[i] = int(last)
    return names, outputs, control


class NodeDefUnreadable(Exception):
    """One node's full definition (its attributes) cannot be parsed, though its name, op and inputs could."""


def build_graph(graph_def) -> Graph:
    """Index a GraphDef's nodes and resolve every input into an edge."""
    nodes = list(graph_def.node)
    functions = {}
    library = getattr(graph_def, "library", None)
    if library is not None:
        for function in library.function:
            functions[function.signature.name] = function
    graph = build_graph_from_nodes(nodes, nodes, functions)
    graph.producer = producer_of(graph_def)
    return graph


def producer_of(graph_def) -> int | None:
    """A GraphDef's producer version (0 when it records none, as TensorFlow reads it); None for an object
    shaped like a GraphDef without versions (a test's hand-made graph)."""
    versions = getattr(graph_def, "versions", None)
    return None if versions is None else versions.producer


class TooManyEdges(ValueError):
    """More inputs than the limit, counted before any edge is built."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count
        self.nodes = self.in_functions = 0  # the graph's nodes, when the reader counted them (graphdef_reader)


def build_graph_from_nodes(nodes, node_defs, functions: dict, max_edges: int | None = None) -> Graph:
    """Index nodes and resolve every input into an edge.

    ``nodes``: objects with ``name``, ``op`` and ``input`` (NodeDefs, or lighter messages holding only those);
    ``node_defs``: the full NodeDef of each node by position, a list or a sequence that parses on access (with
    a ``subset(positions)`` method). Written as comprehensions over whole columns: at 200k nodes a per-input
    Python loop costs seconds.
    """
    names = [node.name for node in nodes]
    index = dict(zip(names, range(len(names))))
    duplicates: list[str] = []
    if len(index) != len(names):
        # A second node of the same name cannot be addressed; keep the first, report the rest.
        index = {}
        for i, name in enumerate(names):
            index.setdefault(name, i)
        keep = [i for i, name in enumerate(names) if index[name] == i]
        duplicates = [name for i, name in enumerate(names) if index[name] != i]
        nodes = [nodes[i] for i in keep]
        node_defs = node_defs.subset(keep) if hasattr(node_defs, "subset") else [node_defs[i] for i in keep]
        names = [names[i] for i in keep]
        index = {name: i for i, name in enumerate(names)}
    ops = [node.op for node in nodes]

    input_lists = [node.input for node in nodes]
    counts = np.fromiter(map(len, input_lists), dtype=np.intp, count=len(input_lists))
    if max_edges is not None and int(counts.sum()) > max_edges:
        raise TooManyEdges(int(counts.sum()))
    # Sliced before chaining: a protobuf repeated field copies out as a list at once, where iterating it
    # makes a Python call per element (about four times slower on upb).
    raw_inputs = list(chain.from_iterable(map(itemgetter(_ALL), input_lists)))
    # Plain names (output 0) resolve here; control inputs (``^name``) and outputs past the first (``name:1``)
    # are parsed in _resolve_edges.
    src = np.fromiter(map(index.get, raw_inputs, repeat(-1)), dtype=np.intp, count=len(raw_inputs))
    dst = np.repeat(np.arange(len(names), dtype=np.intp), counts)
    return _resolve_edges(names, ops, index, src, dst, counts, _picker(raw_inputs), node_defs, functions, duplicates)


def build_graph_from_chunks(chunks, markers: tuple[str, ...], node_defs, functions: dict) -> Graph | None:
    """The Graph of nodes read as columns a chunk at a time (graphdef_reader.node_chunks): each chunk is the
    names and ops of its nodes, and their inputs in node order, each node's led by one marker string (one of
    ``markers``) that tells where they start; a chunk of None says the nodes cannot be read so.

    Each chunk's inputs are resolved as it comes, against the names read so far: only one chunk's input strings
    are alive at a time, not all the graph's. The few that name a node of a later chunk (a loop's back edge), an
    output past the first or a control input keep their strings, parsed at the end (``_resolve_edges``). The
    nodes of one op type share its string (a string per node was 70 MB at 1,000,000 nodes).

    None when a chunk is None, or a name is repeated or equal to a marker, or an input is spelled like a marker:
    the caller then reads the nodes one by one, through build_graph_from_nodes.
    """
    index = dict.fromkeys(markers, -2)
    names: list[str] = []
    ops: list[str] = []
    distinct_ops: dict[str, str] = {}
    found_parts, later_parts = [], []
    later_raw: list[str] = []
    inputs_read = 0
    for chunk in chunks:
        if chunk is None:
            return None
        chunk_names, chunk_ops, chunk_inputs = chunk
        first = len(names)
        names += chunk_names
        ops += map(distinct_ops.setdefault, chunk_ops, chunk_ops)
        index.update(zip(chunk_names, range(first, len(names))))
        found = np.fromiter(map(index.get, chunk_inputs, repeat(-1)), dtype=np.intp, count=len(chunk_inputs))
        later = np.flatnonzero(found == -1)
        later_raw += map(chunk_inputs.__getitem__, later.tolist())
        found_parts.append(found)
        later_parts.append(later + inputs_read)
        inputs_read += len(chunk_inputs)
    count = len(names)
    # A repeated name, or one equal to a marker, took another's entry.
    if len(index) != count + len(markers) or len(ops) != count or any(index[m] != -2 for m in markers):
        return None
    for marker in markers:
        del index[marker]
    resolved = np.concatenate(found_parts) if found_parts else np.zeros(0, dtype=np.intp)
    is_marker = resolved == -2
    if int(np.count_nonzero(is_marker)) != count or (count and not is_marker[0]):
        return None  # an input spelled like a marker
    kept = np.flatnonzero(~is_marker)
    dst = np.cumsum(is_marker)[kept] - 1
    counts = np.bincount(dst, minlength=count)
    later_at = np.concatenate(later_parts) if later_parts else np.zeros(0, dtype=np.intp)

    def raw_inputs(edges: np.ndarray) -> list[str]:
        # Asked only of edges left unresolved here, each of which kept its string.
        return list(map(later_raw.__getitem__, np.searchsorted(later_at, kept[edges]).tolist()))

    return _resolve_edges(names, ops, index, resolved[kept], dst, counts, raw_inputs, node_defs, functions, [])


def _picker(items: list):
    return lambda positions: list(map(items.__getitem__, positions.tolist()))


def _resolve_edges(names, ops, index, src, dst, counts, raw_inputs, node_defs, functions, duplicates) -> Graph:
    """The Graph, given each input's source where its raw string is a node's name (-1 elsewhere), its
    destination, the inputs per node and ``raw_inputs(edges)``, the raw strings of inputs by edge.

    Control inputs (``^name``) and outputs past the first (``name:1``) are parsed here, the few thousand of them
    as whole columns."""
    edges = len(src)
    in_start = np.zeros(len(names) + 1, dtype=np.intp)
    np.cumsum(counts, out=in_start[1:])
    position = np.arange(edges, dtype=np.intp) - in_start[dst]
    output = np.zeros(edges, dtype=np.intp)
    control = np.zeros(edges, dtype=bool)
    dangling: list[tuple[int, str]] = []
    unresolved = np.flatnonzero(src < 0)
    if unresolved.size:
        unresolved_raw = raw_inputs(unresolved)
        src_names, outputs, controls = parse_inputs(unresolved_raw)
        src[unresolved] = np.fromiter(map(index.get, src_names, repeat(-1)), dtype=np.intp, count=len(src_names))
        output[unresolved] = outputs
        control[unresolved] = controls
        missing = np.flatnonzero(src < 0)
        if missing.size:
            dangling = list(zip(dst[missing].tolist(), raw_inputs(missing)))
            keep = src >= 0
            src, dst, position, output, control = (column[keep] for column in (src, dst, position, output, control))
            in_start[1:] = np.cumsum(np.bincount(dst, minlength=len(names)))
    return Graph(
        names=names,
        ops=ops,
        index=index,
        node_defs=node_defs,
        functions=functions,
        _columns=Columns.from_arrays(ops, src, dst, position, ~control, in_start),
        _output=output,
        dangling_inputs=dangling,
        duplicate_names=duplicates,
    )
