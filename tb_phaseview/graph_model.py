"""A compact, read-only view of a GraphDef: node names, ops, and the edges between nodes.

Pure: works on any object shaped like a GraphDef proto (``.node`` with ``name``/``op``/``input``/``attr``/
``device``, ``.library.function``), so analysis never imports TensorBoard or TensorFlow.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from itertools import chain, compress, repeat

OUT_EDGE_SCANS_BEFORE_INDEX = 8


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
    _out_order: list[int] | None = None
    _out_start: list[int] | None = None
    _out_scans: int = 0

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
        """Out-edges of a few nodes: ``{node: [edge id, ...]}``.

        Until the out-edge index exists, a scan of the source column (in C) answers for a small set at a
        tenth of the index's cost; the index is built once scans have cost about as much.
        """
        wanted = set(nodes)
        if self._out_order is None and self._out_scans < OUT_EDGE_SCANS_BEFORE_INDEX:
            self._out_scans += 1
            found: dict[int, list[int]] = {node: [] for node in wanted}
            src = self.edge_src
            for e in compress(range(len(src)), map(wanted.__contains__, src)):
                found[src[e]].append(e)
            return found
        return {node: self.out_edges(node) for node in wanted}

    def _index_out_edges(self) -> None:
        # Counting sort of edge ids by source: one pass to count, one prefix sum, one pass to place.
        starts = [0] * (len(self.names) + 1)
        for src in self.edge_src:
            starts[src + 1] += 1
        for i in range(1, len(starts)):
            starts[i] += starts[i - 1]
        order = [0] * len(self.edge_src)
        fill = starts[:-1]
        for e, src in enumerate(self.edge_src):
            order[fill[src]] = e
            fill[src] += 1
        # Starts first: a reader in another thread takes the index as built once _out_order is set.
        self._out_start = starts
        self._out_order = order


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


def build_graph_from_nodes(nodes, node_defs, functions: dict) -> Graph:
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
    counts = list(map(len, input_lists))
    raw_inputs = list(chain(*input_lists))
    edge_src = list(map(index.get, raw_inputs))  # plain names (output 0) resolve here; the rest below
    # Destination and input position of every edge, expanded from the counts without a Python loop.
    edge_dst = list(chain(*map(repeat, range(len(counts)), counts)))
    edge_input = list(chain(*map(range, counts)))
    edge_output = [0] * len(edge_src)
    edge_control = [False] * len(edge_src)
    dangling: list[tuple[int, str]] = []
    unresolved = [e for e, src in enumerate(edge_src) if src is None]
    if unresolved:
        # Control inputs (``^name``) and outputs past the first (``name:1``), parsed column by column.
        src_names, outputs, controls = parse_inputs(list(map(raw_inputs.__getitem__, unresolved)))
        for e, src, output, control in zip(unresolved, map(index.get, src_names), outputs, controls):
            if src is None:
                dangling.append((edge_dst[e], raw_inputs[e]))
            edge_src[e], edge_output[e], edge_control[e] = src, output, control
    if dangling:
        keep = [e for e, src in enumerate(edge_src) if src is not None]
        edge_src, edge_dst, edge_input, edge_output, edge_control = (
            [column[e] for e in keep] for column in (edge_src, edge_dst, edge_input, edge_output, edge_control)
        )
        counts = [0] * len(names)
        for dst in edge_dst:
            counts[dst] += 1
    in_start = list(itertools.accumulate(counts, initial=0))

    return Graph(
        names=names,
        ops=ops,
        index=index,
        edge_src=edge_src,
        edge_dst=edge_dst,
        edge_output=edge_output,
        edge_input=edge_input,
        edge_control=edge_control,
        in_start=in_start,
        node_defs=node_defs,
        functions=functions,
        dangling_inputs=dangling,
        duplicate_names=duplicates,
    )
