"""One op's answer (inspector), search and the edge list."""

from __future__ import annotations

from google.protobuf import text_format

from tb_phaseview.analysis import functions, phase, scopes
from tb_phaseview.analysis.graph_model import NodeDefUnreadable
from tb_phaseview.analysis.pipeline import GraphAnalysis
from tb_phaseview.serve import regex_search
from tb_phaseview.serve.wire.common import ATTR_FORMAT_MAX_BYTES, ATTR_VALUE_LIMIT, VERSION, body_role, function_path
from tb_phaseview.serve.wire.phase_text import explain, gradient_why, group_phase, op_phase


def _moved_fields(analysis: GraphAnalysis, index: int) -> dict:
    found = analysis.moved_from(index)
    return {} if found is None else {"moved_from": found[0], "moved_by": found[1]}


def _describe_large_attr(value, size: int) -> str:
    """A short description of an attribute too large to format, from its small fields only."""
    kind = value.WhichOneof("value") or "value"
    what = kind
    if kind == "tensor":
        tensor = value.tensor
        dtype = tensor.DESCRIPTOR.fields_by_name["dtype"].enum_type.values_by_number.get(tensor.dtype)
        dims = ", ".join(str(d.size) for d in tensor.tensor_shape.dim[:8])
        more = ", ..." if len(tensor.tensor_shape.dim) > 8 else ""
        what = f"tensor {dtype.name if dtype else tensor.dtype} [{dims}{more}]"
    elif kind == "list":
        lst = value.list
        counts = {f: len(getattr(lst, f)) for f in ("s", "i", "f", "b", "type", "shape", "tensor", "func")}
        what = "list of " + ", ".join(f"{n} {f}" for f, n in counts.items() if n) if any(counts.values()) else "list"
    elif kind == "s":
        what = "string"
    return f"{what}: {size:,} bytes, too large to show"


def _attr_entries(node_def) -> list[dict]:
    entries = []
    for key in sorted(node_def.attr):
        value = node_def.attr[key]
        size = value.ByteSize()
        if size > ATTR_FORMAT_MAX_BYTES:
            text, truncated = _describe_large_attr(value, size), True
        else:
            text = text_format.MessageToString(value, as_one_line=True)
            truncated = len(text) > ATTR_VALUE_LIMIT
        entries.append({"key": key, "value": text[:ATTR_VALUE_LIMIT], "bytes": size, "truncated": truncated})
    return entries


def _function_node_answer(analysis: GraphAnalysis, name: str) -> dict:
    """A node (or argument) of a function body, ``<call>/ƒ<attr>/<node>``. Raises KeyError if there is none."""
    node = functions.resolve_body_node(analysis.graph, name)
    if node is None:
        raise KeyError(name)
    inputs, outputs = functions.body_node_edges(analysis.graph, node)
    node_def = node.node_def
    answer = {
        "version": VERSION,
        "name": name,
        "op": node_def.op if node_def is not None else "_Arg",
        "device": node_def.device if node_def is not None else "",
        "path": function_path(analysis, node.body.id),
        **dict(zip(("role", "role_why"), body_role(analysis, node.body.id))),
        "attrs": _attr_entries(node_def) if node_def is not None else [],
        "inputs": inputs,
        "outputs": outputs,
        "phase": None,
        "function": {"name": node.body.function.signature.name, "call": node.body.call.id, "attr": node.body.attr},
    }
    return _cap_node_edges(answer, len(inputs), len(outputs))


# Inputs and outputs a node answer lists: one node may read millions of inputs (a 12 MB file), and the inspector
# shows the first 200. ``inputs_total``/``outputs_total`` say how many there are.
MAX_NODE_EDGES = 1000


def _cap_node_edges(answer: dict, inputs_total: int, outputs_total: int) -> dict:
    answer["inputs"] = answer["inputs"][:MAX_NODE_EDGES]
    answer["outputs"] = answer["outputs"][:MAX_NODE_EDGES]
    answer["inputs_total"], answer["outputs_total"] = inputs_total, outputs_total
    return answer


def node_answer(analysis: GraphAnalysis, name: str) -> dict:
    """Everything the inspector shows about one op, or about a node of a function body (its id holds
    ``/ƒ``). Raises KeyError for an unknown node."""
    graph = analysis.graph
    if name not in graph.index and functions.SEPARATOR in name:
        return _function_node_answer(analysis, name)
    index = graph.index[name]
    in_edges, out_edges = graph.in_edges(index), graph.out_edges(index)
    inputs = [
        {"node": graph.names[graph.edge_src[e]], "kind": analysis.kinds[e], "output": graph.edge_output[e]}
        for e in in_edges[:MAX_NODE_EDGES]
    ]
    outputs = [
        {"node": graph.names[graph.edge_dst[e]], "kind": analysis.kinds[e], "output": graph.edge_output[e]}
        for e in out_edges[:MAX_NODE_EDGES]
    ]
    node_phase = op_phase(analysis, index)
    if node_phase and node_phase["role"] == "consumer":
        layer = analysis.layer_kinds.get(node_phase["layer"])
        if layer is not None:
            node_phase["layer_kind"] = layer.kind
            node_phase["explanation"] = (
                f"{name} is part of the gradient of {layer.layer}: {gradient_why(layer.source)}"
                if phase.is_gradient(name)
                else explain(layer.source, layer.layer, layer.kind)
            )
    try:
        node_def = graph.node_defs[index]
        device, attrs, attrs_error = node_def.device, _attr_entries(node_def), None
    except NodeDefUnreadable as error:  # name, op and edges were read; its attributes cannot be
        device, attrs, attrs_error = "", [], str(error)
    answer = {
        "version": VERSION,
        "name": name,
        "op": graph.ops[index],
        "device": device,
        "path": analysis.path_of_node(index),
        "role": analysis.roles.name_of(index),
        "role_why": analysis.role_why(index),
        **_moved_fields(analysis, index),
        "attrs": attrs,
        "inputs": inputs,
        "outputs": outputs,
        "phase": node_phase,
    }
    if attrs_error:
        answer["attrs_error"] = attrs_error
    return _cap_node_edges(answer, len(in_edges), len(out_edges))


# Search tiers, best first: the query is the name or its last part; a name or its last part starts with it;
# the name contains it; only the op type matches.
_EXACT, _PREFIX, _SUBSTRING, _OP_TYPE = range(4)


def _name_tier(name: str, needle: str) -> int | None:
    lowered = name.lower()
    if needle not in lowered:
        return None
    last = lowered.rpartition("/")[2]
    if lowered == needle or last == needle:
        return _EXACT
    if lowered.startswith(needle) or last.startswith(needle):
        return _PREFIX
    return _SUBSTRING


def _own_group(analysis: GraphAnalysis, index: int) -> str | None:
    """The group an op is drawn as, when it is drawn inside the group of its own name (``dense/kernel`` beside its
    ``read``; in a machinery area, ``∷optimizer/global_step``), else None."""
    name, group = analysis.graph.names[index], analysis.tree.node_parent[index]
    if group == name or (group.startswith(scopes.AREA_MARK) and group.partition("/")[2] == name):
        return group
    return None


def _group_op(analysis: GraphAnalysis, group: str) -> int | None:
    """The op a group is drawn as (see _own_group), or None."""
    graph = analysis.graph
    index = graph.index.get(group)
    if index is None and group.startswith(scopes.AREA_MARK):
        index = graph.index.get(group.partition("/")[2])
    return index if index is not None and _own_group(analysis, index) == group else None


def _ranked_matches(analysis: GraphAnalysis, query: str, limit: int) -> tuple[list[tuple[str, int]], bool]:
    """Groups and ops whose name (or op type) contains ``query``, best first: by tier, groups (layers,
    scopes) before ops in a tier, then shallower, then by name. At most ``limit + 1`` of each tier and type
    are kept while scanning, so a query matching every node costs one pass and a small sort."""
    graph, tree = analysis.graph, analysis.tree
    needle = query.lower()
    kept: dict[tuple[int, int], list] = {}  # (tier, 0 group / 1 op) -> [(depth, name, index or -1)]

    def keep(tier: int, is_op: int, depth: int, name: str, index: int) -> None:
        bucket = kept.setdefault((tier, is_op), [])
        bucket.append((depth, name, index))
        if len(bucket) > 4 * (limit + 1):  # trimmed now and then, never below the best limit + 1
            bucket.sort()
            del bucket[limit + 1 :]

    for group in tree.group_parent:
        if group not in tree.buckets:
            tier = _name_tier(group, needle)
            if tier is not None:
                keep(tier, 0, group.count("/"), group, -1)
    op_matches = {op for op in set(graph.ops) if needle in op.lower()}
    for index, (name, op) in enumerate(zip(graph.names, graph.ops)):
        tier = _name_tier(name, needle)
        if tier is None and op in op_matches:
            tier = _OP_TYPE
        if tier is None:
            continue
        group = _own_group(analysis, index) if tree.is_group(name) or name in tree.node_parent[index] else None
        if group is None:
            keep(tier, 1, name.count("/"), name, index)
        elif tier == _OP_TYPE:
            # An op named like its scope (a TF1 variable beside its `read`, a `VarHandleOp`, old Keras' flag) is
            # drawn as that group: found by its type, it is listed as the group (the group loop matched names only,
            # and lists the group once, not its op beside it).
            keep(tier, 0, group.count("/"), group, -1)
    ranked = [(name, index) for key in sorted(kept) for _, name, index in sorted(kept[key])]
    return ranked[:limit], len(ranked) > limit


def search_answer(analysis: GraphAnalysis, query: str, regex: bool, limit: int) -> dict:
    """Groups and ops whose name or op type matches. Raises ValueError for a bad regular expression.

    A substring query ranks exact and prefix matches first and groups before ops (see ``_ranked_matches``);
    a regular expression lists the ops it matches in graph order.
    """
    graph = analysis.graph
    if regex:
        # Runs in a child process with a time budget (see regex_search): a pattern cannot hang the server.
        found = regex_search.search_indices(query, graph.names, graph.ops, limit)
        truncated = len(found) > limit
        matches = [
            {"name": graph.names[i], "op": graph.ops[i], "type": "op", "path": analysis.path_of_node(i)}
            for i in found[:limit]
        ]
        return {"version": VERSION, "matches": matches, "truncated": truncated}
    ranked, truncated = _ranked_matches(analysis, query, limit)
    matches = []
    for name, index in ranked:
        if index < 0:
            path = list(analysis.tree.chain(name)[:-1])
            op_index = _group_op(analysis, name)  # a group that is an op too carries the op's type
            matches.append(
                {
                    "name": name,
                    "op": graph.ops[op_index] if op_index is not None else None,
                    "type": "group",
                    "size": analysis.tree.size_of(name),
                    "phase": group_phase(analysis, name),
                    "path": path,
                }
            )
        else:
            matches.append({"name": name, "op": graph.ops[index], "type": "op", "path": analysis.path_of_node(index)})
    return {"version": VERSION, "matches": matches, "truncated": truncated}


def edges_answer(analysis: GraphAnalysis, offset: int, limit: int) -> dict:
    graph = analysis.graph
    names = graph.names
    end = min(graph.edge_count, offset + limit)
    edges = [
        {
            "from": names[graph.edge_src[e]],
            "to": names[graph.edge_dst[e]],
            "kind": analysis.kinds[e],
            "output": graph.edge_output[e],
            "input": graph.edge_input[e],
        }
        for e in range(offset, end)
    ]
    return {"version": VERSION, "total": graph.edge_count, "offset": offset, "edges": edges}
