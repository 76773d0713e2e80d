"""Why connected? The paths and edges between two boxes, by kind, as the UI and the CLI say them."""

from __future__ import annotations

from typing import Optional

from tb_phaseview.analysis import answers
from tb_phaseview.analysis.pipeline import GraphAnalysis
from tb_phaseview.serve.wire.common import AREA_TITLES, VERSION

# One plain sentence per edge kind: what such an edge carries and why it is there (the "why connected?" answer).
KIND_SENTENCES = {
    "data": "A tensor computed by one op is an input of the other: the model's values flow along it.",
    "control": "A control dependency: one op waits for the other to run first; no tensor flows along it.",
    "phase": (
        "The learning-phase flag: training and inference differ for BatchNormalization and Dropout, so each "
        "reads the flag; it carries no activations."
    ),
    "variable": (
        "A variable is read or written: a layer reads its weights, or a moving average (BatchNormalization's "
        "statistics) is updated."
    ),
    "hyperparameter": (
        "A hyperparameter such as keep_prob or the learning rate: one scalar that many ops read; it carries no "
        "activations."
    ),
    "init": "Variable initialisation: an initial value is assigned, or a variable is checked to be initialised, "
    "once before training.",
    "gradient": "The backward pass: gradients are computed from the forward values and from each other.",
    "optimizer": "The optimizer turns the gradients into updates of the variables, and counts the steps.",
    "summary": "A summary reads the value to log it for TensorBoard.",
    "save": "A checkpoint saves or restores the variables.",
    "constant": (
        "A constant setting (a stride, a padding, a batch norm's training mode) that PyTorch's tracer made once, "
        "where it was first used, and that later modules read from there: it ties no module to another."
    ),
}


WHY_EDGES_LIMIT = 200  # op-level edges listed per kind (all are counted)


def _part_entry(analysis: GraphAnalysis, part) -> dict:
    graph = analysis.graph
    entry = {"name": part.name, "type": part.type, "ops": len(part.members)}
    if part.type == "group":
        entry["path"] = list(analysis.tree.chain(part.name))
        area = analysis.area_of_group(part.name)
        if area:
            entry["area"] = area
    elif part.type == "op":
        entry["path"] = analysis.path_of_node(part.members[0])
        entry["role"] = analysis.roles.name_of(part.members[0])
        entry["role_why"] = analysis.role_why(part.members[0])
        entry["op"] = graph.ops[part.members[0]]
    elif part.type == "function":
        entry["call"] = graph.names[part.members[0]]
    return entry


def _kind_counts(counts) -> list[dict]:
    return [
        {"kind": kind, "count": counts[kind], "sentence": KIND_SENTENCES[kind]}
        for kind in sorted(counts, key=lambda kind: (-counts[kind], kind))
    ]


def _apart_sentence(
    analysis: GraphAnalysis, name: str, ops: int, drawn: int, apart: list[tuple[str, int]], drawn_in: int = 0
) -> str:
    """Where the ops of a scope drawn outside its box are: what makes its box and the CLI count differently."""
    pieces = []
    for where, count in apart:
        area = analysis.area_of_group(where)
        source = analysis.source_by_name.get(where)
        if source is not None and source.born_in:
            pieces.append(
                f"the learning-phase flag {where} ({answers.plural(count, 'op')}), which old Keras created inside "
                f"{source.born_in}; PhaseView draws it where the layers reading it meet"
            )
        elif area in AREA_TITLES:
            pieces.append(f"{answers.plural(count, 'op')} in the {AREA_TITLES[area]} area")
        else:
            pieces.append(f"{answers.plural(count, 'op')} in {where}")
    relocated = f" (and {drawn_in:,} named elsewhere that PhaseView draws in it)" if drawn_in else ""
    return (
        f"{name} holds {answers.plural(ops, 'op')} as TensorFlow named them; its box holds {drawn - drawn_in:,} of "
        f"them{relocated}. Drawn apart: {'; '.join(pieces)}."
        if drawn_in
        else f"{name} holds {answers.plural(ops, 'op')} as TensorFlow named them; its box holds {drawn:,}. Drawn "
        f"apart: {'; '.join(pieces)}."
    )


def _view_entry(analysis: GraphAnalysis, name: str, part, view: bool) -> dict:
    """The entry of the part a name stands for as TensorFlow wrote it (what the CLI answers). In the view
    (``view``), a box whose ops are not all drawn in it says where the others are."""
    from tb_phaseview.analysis import connections

    entry = _part_entry(analysis, part)
    if view and part.type == "scope":
        drawn, apart = connections.drawn_apart(analysis, part, name)
        # The flag first: it is what a user who asks about old Keras' first layer is looking for.
        apart.sort(key=lambda item: item[0] not in analysis.source_by_name)
        if apart:
            entry["drawn"] = drawn
            entry["apart"] = [
                {
                    "where": where,
                    "ops": count,
                    **({"area": analysis.area_of_group(where)} if analysis.area_of_group(where) else {}),
                }
                for where, count in apart
            ]
            entry["apart_sentence"] = _apart_sentence(
                analysis, name, len(part.members) - part.drawn_in, drawn, apart, part.drawn_in
            )
    return entry


def _box_nodes(analysis: GraphAnalysis, name: str, part) -> Optional[set[int]]:
    """The ops the view draws in the box ``name`` (an op alone, or every op below a group), or None for a part
    that is no box of the view (a scope the view does not draw as one, a function's node)."""
    if part.type == "op":
        return set(part.members)
    if part.type in ("scope", "group") and analysis.tree.is_group(name):
        return set(analysis.tree.descendant_nodes(name))
    return None


def why_answer(analysis: GraphAnalysis, a: str, b: Optional[str] = None, view: bool = False) -> dict:
    """Why ``a`` and ``b`` are connected: the op-level edges between them grouped by kind, each kind with its
    sentence. Without ``b``: what enters and leaves ``a``, counted per kind. Raises KeyError for an unknown
    name (the exception's argument).

    The view asks about its boxes (``view``) and gets the CLI's answer: the parts as TensorFlow wrote them (a
    box's scope includes what is drawn apart from it, such as old Keras' flag), with ``drawn``/``apart`` saying
    which of their ops the box does not hold."""
    from tb_phaseview.analysis import connections

    graph = analysis.graph
    part_a = connections.resolve(analysis, a)
    if b is None:
        answer = {"version": VERSION, "a": _view_entry(analysis, a, part_a, view)}
        inputs, outputs = connections.boundary(analysis, part_a)
        answer["inputs"] = _kind_counts(inputs)
        answer["outputs"] = _kind_counts(outputs)
        if view and ("apart" in answer["a"] or part_a.drawn_in):
            # The box does not draw its scope as TensorFlow named it: what crosses the box as drawn differs (the
            # edges from `dense/kernel` to its initialisers, inside the scope, leave the box for their area).
            box = connections.Part(a, "group", analysis.tree.descendant_nodes(a))
            box_inputs, box_outputs = connections.boundary(analysis, box)
            answer["box_inputs"] = _kind_counts(box_inputs)
            answer["box_outputs"] = _kind_counts(box_outputs)
        return answer
    part_b = connections.resolve(analysis, b)
    in_body = connections.body_edges_between(analysis, a, b)
    if in_body is not None:
        return _body_why(analysis, part_a, part_b, *in_body, view)
    # An op drawn in the group of its own name, asked about with what is drawn beside it there, is that op.
    part_a, part_b = (
        connections.the_op_within(analysis, part_a, part_b),
        connections.the_op_within(analysis, part_b, part_a),
    )
    answer = {
        "version": VERSION,
        "a": _view_entry(analysis, a, part_a, view),
        "b": _view_entry(analysis, b, part_b, view),
    }
    by_kind: dict[str, list[int]] = {}
    for e in connections.edges_between(analysis, part_a, part_b):
        by_kind.setdefault(analysis.kinds[e], []).append(e)
    answer["total"] = sum(len(edges) for edges in by_kind.values())
    # The view asks about two boxes: how many of each kind's edges join the boxes as drawn. The others join ops
    # of a scope drawn apart from its box (its initialisers in their area): no filter draws them between these two.
    boxes = (_box_nodes(analysis, a, part_a), _box_nodes(analysis, b, part_b)) if view else (None, None)
    drawn = {}
    if boxes[0] is not None and boxes[1] is not None:
        box_a, box_b = boxes
        # Boxes are nested or apart: a box asked about with one inside it is the rest of it.
        if box_b <= box_a:
            box_a = box_a - box_b
        elif box_a <= box_b:
            box_b = box_b - box_a
        src, dst = graph.edge_src, graph.edge_dst
        for kind, edges in by_kind.items():
            drawn[kind] = sum(
                1 for e in edges if (src[e] in box_a and dst[e] in box_b) or (src[e] in box_b and dst[e] in box_a)
            )
    answer["kinds"] = [
        {
            "kind": kind,
            "count": len(edges),
            **({"drawn": drawn[kind]} if kind in drawn else {}),
            "sentence": KIND_SENTENCES[kind],
            "edges": [
                {
                    "from": graph.names[graph.edge_src[e]],
                    "to": graph.names[graph.edge_dst[e]],
                    "output": graph.edge_output[e],
                    "input": graph.edge_input[e],
                }
                for e in edges[:WHY_EDGES_LIMIT]
            ],
            "truncated": len(edges) > WHY_EDGES_LIMIT,
        }
        for kind, edges in sorted(by_kind.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return answer


def _body_why(analysis: GraphAnalysis, part_a, part_b, body: str, body_edges, view: bool) -> dict:
    """Two nodes of one function body: the edges between them inside the body (the view draws them when the
    body is open), by kind."""
    by_kind: dict[str, list] = {}
    for edge in body_edges:
        by_kind.setdefault(edge.kind, []).append(edge)
    entries = [{**_part_entry(analysis, part), "body": body} for part in (part_a, part_b)]
    return {
        "version": VERSION,
        "a": entries[0],
        "b": entries[1],
        "total": len(body_edges),
        "kinds": [
            {
                "kind": kind,
                "count": len(edges),
                **({"drawn": len(edges)} if view else {}),
                "sentence": KIND_SENTENCES[kind],
                "edges": [
                    {"from": e.source, "to": e.target, "output": e.output, "input": e.input}
                    for e in edges[:WHY_EDGES_LIMIT]
                ],
                "truncated": len(edges) > WHY_EDGES_LIMIT,
            }
            for kind, edges in sorted(by_kind.items(), key=lambda item: (-len(item[1]), item[0]))
        ],
    }


def format_why(answer: dict) -> str:
    """The ``why`` answer as text (``tb-phaseview why``)."""
    lines = []
    a = answer["a"]
    if "b" not in answer:
        lines.append(f"{a['name']} ({a['type']}, {a['ops']:,} ops)")
        if "role_why" in a:
            lines.append(f"  role {a['role']}: {a['role_why']}")
        for side in ("inputs", "outputs"):
            total = sum(entry["count"] for entry in answer[side])
            lines.append(f"  {side}: {total:,} edges")
            for entry in answer[side]:
                lines.append(f"    {entry['count']:>6,} {entry['kind']}: {entry['sentence']}")
        return "\n".join(lines)
    b = answer["b"]
    lines.append(f"{a['name']} <-> {b['name']}: {answer['total']:,} op-level edges")
    if not answer["kinds"]:
        lines.append("  they are not connected")
    for entry in answer["kinds"]:
        lines.append(f"  {entry['kind']} ({entry['count']:,}): {entry['sentence']}")
        for edge in entry["edges"][:10]:
            lines.append(f"    {edge['from']} -> {edge['to']}")
        if entry["count"] > 10:
            lines.append(f"    ... {entry['count'] - 10:,} more")
    return "\n".join(lines)
