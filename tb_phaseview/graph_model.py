"""A compact, read-only view of a GraphDef: node names, ops, and the edges between nodes.

Pure: works on any object shaped like a GraphDef proto (``.node`` with ``name``/``op``/``input``/``attr``/
``device``, ``.library.function``), so analysis never imports TensorBoard or TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Graph:
    names: list[str]
    ops: list[str]
    index: dict[str, int]
    # Edges as parallel lists (one entry per edge); cheaper than an object per edge at 200k nodes.
    edge_src: list[int]
    edge_dst: list[int]
    edge_output: list[int]  # which output of the source (0 for control edges)
    edge_input: list[int]  # position among the destination's inputs
    edge_control: list[bool]
    node_defs: list  # the original NodeDef protos, for attributes and devices
    functions: dict  # function name -> FunctionDef proto
    # Inputs that name no node in the graph, as (destination index, raw input string).
    dangling_inputs: list[tuple[int, str]] = field(default_factory=list)
    duplicate_names: list[str] = field(default_factory=list)
    _out_edges: list[list[int]] | None = None
    _in_edges: list[list[int]] | None = None

    @property
    def node_count(self) -> int:
        return len(self.names)

    @property
    def edge_count(self) -> int:
        return len(self.edge_src)

    def out_edges(self, node: int) -> list[int]:
        if self._out_edges is None:
            self._build_adjacency()
        return self._out_edges[node]

    def in_edges(self, node: int) -> list[int]:
        if self._in_edges is None:
            self._build_adjacency()
        return self._in_edges[node]

    def _build_adjacency(self) -> None:
        out_edges: list[list[int]] = [[] for _ in self.names]
        in_edges: list[list[int]] = [[] for _ in self.names]
        for e, (s, d) in enumerate(zip(self.edge_src, self.edge_dst)):
            out_edges[s].append(e)
            in_edges[d].append(e)
        self._out_edges, self._in_edges = out_edges, in_edges


def parse_input(raw: str) -> tuple[str, int, bool]:
    """Split a NodeDef input string into (node name, output index, is control input).

    ``^name`` is a control input; ``name:3`` is output 3; in function bodies ``name:out:2`` is output 2 of the
    named output list (we keep the node name and the trailing index).
    """
    control = raw.startswith("^")
    if control:
        raw = raw[1:]
    name, sep, rest = raw.partition(":")
    if not sep:
        return name, 0, control
    last = rest.rsplit(":", 1)[-1]
    return name, int(last) if last.isdigit() else 0, control


def build_graph(graph_def) -> Graph:
    """Index a GraphDef's nodes and resolve every input into an edge."""
    names: list[str] = []
    ops: list[str] = []
    node_defs: list = []
    index: dict[str, int] = {}
    duplicates: list[str] = []
    for node in graph_def.node:
        name = node.name
        if name in index:
            # A second node of the same name cannot be addressed; keep the first, report the rest.
            duplicates.append(name)
            continue
        index[name] = len(names)
        names.append(name)
        ops.append(node.op)
        node_defs.append(node)

    edge_src: list[int] = []
    edge_dst: list[int] = []
    edge_output: list[int] = []
    edge_input: list[int] = []
    edge_control: list[bool] = []
    dangling: list[tuple[int, str]] = []
    get = index.get
    for dst, node in enumerate(node_defs):
        for position, raw in enumerate(node.input):
            src_name, output, control = parse_input(raw)
            src = get(src_name)
            if src is None:
                dangling.append((dst, raw))
                continue
            edge_src.append(src)
            edge_dst.append(dst)
            edge_output.append(output)
            edge_input.append(position)
            edge_control.append(control)

    functions = {}
    library = getattr(graph_def, "library", None)
    if library is not None:
        for function in library.function:
            functions[function.signature.name] = function

    return Graph(
        names=names,
        ops=ops,
        index=index,
        edge_src=edge_src,
        edge_dst=edge_dst,
        edge_output=edge_output,
        edge_input=edge_input,
        edge_control=edge_control,
        node_defs=node_defs,
        functions=functions,
        dangling_inputs=dangling,
        duplicate_names=duplicates,
    )
