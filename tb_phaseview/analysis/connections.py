"""Why two parts of a graph are connected: the op-level edges between two nodes or groups, and what crosses a
group's boundary. Pure: no TensorBoard import.

A part is named by an op's name, by a name scope as TensorFlow wrote it (every op named ``A`` or ``A/...``:
``bnl_stg-1`` holds the old-Keras flag ``bnl_stg-1/keras_learning_phase`` though the view draws the flag apart),
or by a group only the view has (a machinery area ``\u2237gradient``, a bucket). With ``view=True`` a group id
means the group as the view draws it (what a drawn edge between two boxes stands for).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import compress, repeat

from tb_phaseview.analysis import functions
from tb_phaseview.analysis.pipeline import GraphAnalysis


@dataclass
class Part:
    name: str
    type: str  # "group", "op", "scope" or "function" (a group or node of a call's functions: the call's edges)
    members: list[int]  # node indices
    drawn_in: int = 0  # of them, ops named outside the scope that the view draws in its box (relocated)


def resolve(analysis: GraphAnalysis, name: str, view: bool = False) -> Part:
    """The ops a name stands for. Raises KeyError when it names nothing in the graph."""
    tree, graph = analysis.tree, analysis.graph
    if view and name and tree.is_group(name):
        return Part(name, "group", tree.descendant_nodes(name))
    if name:
        # A group's id is its scope exactly: `linear/` is the scope of an empty name inside `linear` (guesslang's
        # `linear//weight`). A name typed with a trailing `/` that no group has means the scope without it.
        prefix = name + "/" if tree.is_group(name) else name.rstrip("/") + "/"
        members = list(compress(range(graph.node_count), map(str.startswith, graph.names, repeat(prefix))))
        if members:
            if name in graph.index:
                members.insert(0, graph.index[name])
            # The view draws some ops named elsewhere in a scope's box (an optimised graph's `Func/bn1/...` inlined
            # from `bn1`, a gradient Switch grappler merged with its layer's): they are the scope's too, or an edge
            # drawn into the box would be answered "not connected".
            drawn_in = sorted(set(tree.descendant_nodes(name)) - set(members)) if tree.is_group(name) else []
            return Part(name, "scope", members + drawn_in, len(drawn_in))
    if name in graph.index:
        return Part(name, "op", [graph.index[name]])
    if name and tree.is_group(name):
        return Part(name, "group", tree.descendant_nodes(name))
    if functions.SEPARATOR in name and _names_function_part(graph, name):
        # A function's body is not made of the graph's ops: what reaches it or leaves it is the call's edges.
        return Part(name, "function", [graph.index[name.split(functions.SEPARATOR, 1)[0]]])
    raise KeyError(name)


def _names_function_part(graph, name: str) -> bool:
    """A call opened, a body, or a body's node, as the group and node routes serve them."""
    return (
        functions.resolve_call(graph, name) is not None
        or functions.resolve_body(graph, name) is not None
        or functions.resolve_body_node(graph, name) is not None
    )


def the_op_within(analysis: GraphAnalysis, part: Part, other: Part) -> Part:
    """``part`` as the op of its name when ``other`` is drawn inside the group that op is drawn in.

    An op named like its scope (``random_uniform`` beside ``random_uniform/min``) is drawn inside the group of its
    own name: an edge between it and a sibling there is an edge of the op, and a scope asked about its own
    members would answer with the edges among them (``min -> sub`` as an edge of ``random_uniform``)."""
    graph, tree = analysis.graph, analysis.tree
    index = graph.index.get(part.name)
    if part.type != "scope" or index is None or not other.members:
        return part
    drawn_in = tree.node_parent[index]
    if drawn_in == "" or any(drawn_in not in tree.chain(tree.node_parent[node]) for node in other.members):
        return part
    return Part(part.name, "op", [index])


def edges_between(analysis: GraphAnalysis, a: Part, b: Part) -> list[int]:
    """Op-level edges from either part to the other, in edge order. Walks the smaller part's edges.

    When one part holds the other, the edges between the smaller one and the rest of the larger. A scope as
    TensorFlow named it and a group as the view draws it can share ops without either holding the other (the
    initialisers of ``dense`` are named ``dense/kernel/Assign`` and drawn in the initialisers' area): the shared
    ops are the group's, where they are drawn, so the edges from ``dense/kernel`` to its ``Assign`` join the two."""
    graph = analysis.graph
    a_members, b_members = set(a.members), set(b.members)
    shared = a_members & b_members
    if shared and not (a_members <= b_members or b_members <= a_members):
        if a.type == "group" and b.type != "group":
            b = Part(b.name, b.type, [node for node in b.members if node not in shared])
        elif b.type == "group" and a.type != "group":
            a = Part(a.name, a.type, [node for node in a.members if node not in shared])
    small, large = (a, b) if len(a.members) <= len(b.members) else (b, a)
    inside_large = set(large.members)
    inside_small = set(small.members)
    found = set()
    for node in small.members:
        for e in graph.out_edges(node):
            if graph.edge_dst[e] in inside_large and graph.edge_dst[e] not in inside_small:
                found.add(e)
        for e in graph.in_edges(node):
            if graph.edge_src[e] in inside_large and graph.edge_src[e] not in inside_small:
                found.add(e)
    return sorted(found)


@dataclass
class BodyEdge:
    source: str  # body node ids, as the group route serves them (``<call>/ƒ<attr>/<name>``)
    target: str
    kind: str  # "data" or "control", as the group route draws them
    output: int
    input: int


def body_edges_between(analysis: GraphAnalysis, a: str, b: str) -> tuple[str, list[BodyEdge]] | None:
    """(the body's id, the edges between two nodes or arguments of that function body, read from the body's own
    inputs); None unless both name nodes of one body. The call stands for a body towards the graph; inside the body its
    nodes are joined by their own edges, which the view draws when the body is open."""
    graph = analysis.graph
    node_a, node_b = functions.resolve_body_node(graph, a), functions.resolve_body_node(graph, b)
    if node_a is None or node_b is None or node_a.body.id != node_b.body.id:
        return None
    found = []
    for target, source in ((node_a, node_b), (node_b, node_a)):
        if target.node_def is None:  # an argument: fed from outside the body
            continue
        local = source.id[len(source.body.id) + 1 :]
        for position, raw in enumerate(target.node_def.input):
            if raw.lstrip("^").split(":")[0] == local:
                control = raw.startswith("^")
                found.append(
                    BodyEdge(
                        source.id,
                        target.id,
                        "control" if control else "data",
                        0 if control else functions.output_index(raw),
                        position,
                    )
                )
    return node_a.body.id, found


def boundary(analysis: GraphAnalysis, part: Part) -> tuple[Counter, Counter]:
    """(inputs, outputs): the edges entering and leaving a part, counted per kind."""
    graph, kinds = analysis.graph, analysis.kinds
    inside = set(part.members)
    inputs: Counter = Counter()
    outputs: Counter = Counter()
    for node in part.members:
        for e in graph.in_edges(node):
            if graph.edge_src[e] not in inside:
                inputs[kinds[e]] += 1
        for e in graph.out_edges(node):
            if graph.edge_dst[e] not in inside:
                outputs[kinds[e]] += 1
    return inputs, outputs


def drawn_apart(analysis: GraphAnalysis, part: Part, box: str) -> tuple[int, list[tuple[str, int]]]:
    """A scope as TensorFlow wrote it against its box as the view draws it: how many of its ops the box holds,
    and where the others are drawn (``[(the outermost group or op holding them outside the box, ops)]``, most
    first): old Keras' flag is drawn where its readers meet, the machinery in its areas."""
    tree = analysis.tree
    if not tree.is_group(box):
        return len(part.members), []
    drawn = set(tree.descendant_nodes(box))
    around = set(tree.chain(box))  # the box and the groups holding it: not "elsewhere"
    where: Counter = Counter()
    for node in part.members:
        if node in drawn:
            continue
        path = analysis.path_of_node(node)
        outside = next((group for group in path if group not in around), None)
        where[outside if outside is not None else analysis.graph.names[node]] += 1
    return len(part.members) - sum(where.values()), sorted(where.items(), key=lambda item: (-item[1], item[0]))
