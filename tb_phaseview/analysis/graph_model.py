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


@dataclass
class Graph:
    names: list[str]
    ops: list[str]
    index: dict[str, int]
    # Edges as parallel lists (one entry per edge); cheaper than an object per edge at 200k nodes.
    # Edges are stored in destination order, so a node's in-edges are the range in_start[n]:in_start[n + 1].
    edge_src: list[int]
    edge_dst: list[int]
    edge_output: list[int]  # which output of the source (0 for control edges)
    edge_input: list[int]  # position among the destination's inputs
    edge_control: list[bool]
    in_start: list[int]
    node_defs: list  # the NodeDef of each node, for attributes and devices (may parse on access)
    functions: dict  # function name -> FunctionDef proto
    # Inputs that name no node in the graph, as (destination index, raw input string).
    dangling_inputs: list[tuple[int, str]] = field(default_factory=list)
    duplicate_names: list[str] = field(default_factory=list)
    # function name -> functions.FunctionIndex (and ("ops", name) -> its op counts), built on first use, kept
    function_indexes: dict = field(default_factory=dict)
    step_stats: object = None  # step_stats.StepStats of a traced step's run metadata, or None
    _out_order: list[int] | None = None
    _out_start: list[int] | None = None
    _columns: Columns | None = None

    @property
    def columns(self) -> Columns:
        """The edge and op columns as numpy arrays, for passes over the whole graph (built once, in C)."""
        if self._columns is None:
            self._columns = Columns(self)
        return self._columns

    @property
    def node_count(self) -> int:
        return len(self.names)

    @property
    def edge_count(self) -> int:
        return len(self.edge_src)

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

    def __init__(self, graph: Graph):
        self._set(
            graph.ops,
            np.array(graph.edge_src, dtype=np.intp),
            np.array(graph.edge_dst, dtype=np.intp),
            np.array(graph.edge_input, dtype=np.intp),
            ~np.array(graph.edge_control, dtype=bool),
            np.array(graph.in_start, dtype=np.intp),
        )

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
    named output list (we keep the node name and the trailing index).
    """
    control = [raw[:1] == "^" for raw in raws]
    parts = [(raw[1:] if is_control else raw).partition(":") for raw, is_control in zip(raws, control)]
    names = [part[0] for part in parts]
    outputs = [int(last) if sep and (last := rest.rpartition(":")[2]).isdigit() else 0 for _, sep, rest in parts]
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
    return build_graph_from_nodes(nodes, nodes, functions)


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
    # are parsed below. Columns are numpy arrays while they are built, lists once built.
    src = np.fromiter(map(index.get, raw_inputs, repeat(-1)), dtype=np.intp, count=len(raw_inputs))
    dst = np.repeat(np.arange(len(names), dtype=np.intp), counts)
    in_start = np.zeros(len(names) + 1, dtype=np.intp)
    np.cumsum(counts, out=in_start[1:])
    position = np.arange(len(raw_inputs), dtype=np.intp) - in_start[dst]
    output = np.zeros(len(raw_inputs), dtype=np.intp)
    control = np.zeros(len(raw_inputs), dtype=bool)
    dangling: list[tuple[int, str]] = []
    unresolved = np.flatnonzero(src < 0)
    if unresolved.size:
        src_names, outputs, controls = parse_inputs(list(map(raw_inputs.__getitem__, unresolved.tolist())))
        src[unresolved] = np.fromiter(map(index.get, src_names, repeat(-1)), dtype=np.intp, count=len(src_names))
        output[unresolved] = outputs
        control[unresolved] = controls
        missing = np.flatnonzero(src < 0)
        if missing.size:
            dangling = list(zip(dst[missing].tolist(), map(raw_inputs.__getitem__, missing.tolist())))
            keep = src >= 0
            src, dst, position, output, control = (column[keep] for column in (src, dst, position, output, control))
            in_start[1:] = np.cumsum(np.bincount(dst, minlength=len(names)))
    edge_src, edge_dst = src.tolist(), dst.tolist()
    edge_control = control.tolist()
    columns = Columns.from_arrays(ops, src, dst, position, ~control, in_start)

    return Graph(
        names=names,
        ops=ops,
        index=index,
        edge_src=edge_src,
        edge_dst=edge_dst,
        edge_output=output.tolist(),
        edge_input=position.tolist(),
        edge_control=edge_control,
        in_start=in_start.tolist(),
        node_defs=node_defs,
        functions=functions,
        dangling_inputs=dangling,
        duplicate_names=duplicates,
        _columns=columns,
    )
