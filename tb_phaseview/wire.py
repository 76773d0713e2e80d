"""The JSON wire format (see docs/wire_format.md): the one place that turns analyses into answers.

Pure: no TensorBoard import. Every answer carries ``version``; fields are only ever added.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional, TypedDict

from google.protobuf import text_format

from tb_phaseview import functions, phase, regex_search, scopes
from tb_phaseview.analysis import GraphAnalysis
from tb_phaseview.graph_model import NodeDefUnreadable

VERSION = 1
ATTR_VALUE_LIMIT = 256  # characters of an attribute value sent to the browser
# An attribute larger than this (serialised) is described, never formatted: text_format of a megabyte
# tensor costs seconds and many megabytes only to be cut to ATTR_VALUE_LIMIT characters.
ATTR_FORMAT_MAX_BYTES = 4096
# Children of one group sent at once (a layout of more is not readable anyway). Larger groups are split into
# buckets by scopes.py, so this is only a guard.
GROUP_CHILD_LIMIT = scopes.BUCKET_THRESHOLD
BUCKET_LABEL_NAME_CHARS = 40
EMPTY_NAME_LABEL = "(empty name)"
SEARCH_LIMIT_MAX = 500
EDGES_LIMIT_MAX = 100_000


class GraphRef(TypedDict):
    run: str
    kind: str
    tag: Optional[str]


class PhaseSourceEntry(TypedDict):
    name: str
    op: str
    consumers: list[str]
    born_in: Optional[str]
    path: list[str]
    explanation: str


class PhaseLayerEntry(TypedDict):
    layer: str
    kind: str
    source: str
    explanation: str


_WHY = {
    phase.BATCH_NORMALIZATION: (
        "BatchNormalization normalises with the statistics of the current batch while training and with "
        "its moving averages at inference"
    ),
    phase.DROPOUT: "Dropout drops units only while training and passes everything through at inference",
    phase.OTHER: "it computes something different in training and at inference",
}


def explain(source: str, layer: str, kind: str) -> str:
    """One plain sentence: what the flag is and why this layer reads it."""
    what = "a BatchNormalization" if kind == phase.BATCH_NORMALIZATION else (
        "a Dropout" if kind == phase.DROPOUT else "a"
    )
    return (
        f"{source} is {_FLAG}; "
        f"{layer} is {what} layer and reads it because {_WHY[kind]}. The edge carries no activations."
    )


_FLAG = "the learning-phase flag, a boolean that is true while training and false at inference"


def explain_source(source: phase.PhaseSource) -> str:
    """One plain sentence about a learning-phase source: what it is, who reads it, and where it is drawn."""
    count = len(source.layers)
    text = (
        f"{source.name} is {_FLAG}; {count} layer{'' if count == 1 else 's'} read{'s' if count == 1 else ''} it "
        "to switch between their training and inference behaviour."
    )
    if source.born_in:
        text += (
            f" It was created inside {source.born_in}, the first layer that needed it, and is shown outside that "
            "scope because it belongs to every layer that reads it."
        )
    return text


def explain_contains(group: str, layers: int) -> str:
    """One plain sentence about a group holding layers that read the flag."""
    return (
        f"{group} holds {layers} layer{'' if layers == 1 else 's'} that read the learning-phase flag; "
        f"open it to see {'it' if layers == 1 else 'them'}."
    )


def _layer_entries(analysis: GraphAnalysis) -> list[PhaseLayerEntry]:
    return [
        {"layer": l.layer, "kind": l.kind, "source": l.source, "explanation": explain(l.source, l.layer, l.kind)}
        for l in analysis.phase.layers
    ]


def _source_entries(analysis: GraphAnalysis) -> list[PhaseSourceEntry]:
    return [
        {
            "name": s.name,
            "op": s.op,
            "consumers": s.layers,
            "born_in": s.born_in,
            "path": analysis.path_of_node(s.index),
            "explanation": explain_source(s),
        }
        for s in analysis.phase.sources
    ]


def report_entry(analysis: GraphAnalysis, ref: GraphRef) -> dict:
    """One graph in ``tb-phaseview report --json`` (schema in README)."""
    graph = analysis.graph
    return {
        "run": ref["run"],
        "tag": ref["tag"],
        "kind": ref["kind"],
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "phase_sources": [
            {"name": s["name"], "op": s["op"], "consumers": s["consumers"], "born_in": s["born_in"]}
            for s in _source_entries(analysis)
        ],
        "phase_edges": analysis.edge_counts["phase"],
        "phase_layers": [{"layer": l.layer, "kind": l.kind, "source": l.source} for l in analysis.phase.layers],
        "edge_counts": analysis.edge_counts,
        "node_roles": analysis.node_roles,
    }


def runs_answer(graphs: list[GraphRef]) -> dict:
    runs: dict[str, list[GraphRef]] = {}
    for ref in graphs:
        runs.setdefault(ref["run"], []).append(ref)
    return {"version": VERSION, "runs": [{"run": run, "graphs": refs} for run, refs in runs.items()]}


def graph_answer(analysis: GraphAnalysis, ref: GraphRef) -> dict:
    graph = analysis.graph
    phase_edges = []
    carriers = analysis.phase.carriers
    consumers = analysis.phase.consumers
    for e in analysis.phase.phase_edges:
        src, dst = graph.edge_src[e], graph.edge_dst[e]
        if consumers.get(src):
            continue  # a relay inside a layer (a v1 cond's pred_id -> Switch): the layer's own business
        source = graph.names[carriers[src]]
        phase_edges.append(
            {
                "from": source,
                "to": graph.names[dst],
                "layer": consumers.get(dst, ""),
                "to_path": analysis.path_of_node(dst),
            }
        )
    return {
        "version": VERSION,
        **ref,
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "edge_counts": analysis.edge_counts,
        "node_roles": analysis.node_roles,
        "areas": _area_entries(analysis),
        "warnings": graph_warnings(analysis),
        "phase": {"sources": _source_entries(analysis), "layers": _layer_entries(analysis), "edges": phase_edges},
        "hyperparameters": _hyperparameter_answer(analysis),
        "root": group_answer(analysis, ""),
    }


AREA_TITLES = {
    "init": "initialisers",
    "gradient": "gradients",
    "optimizer": "optimizer",
    "summary": "summaries",
    "save": "checkpoints",
}


def area_label(role: str, size: int) -> str:
    """``gradients · 1,234 ops``: what a machinery area holds."""
    return f"{AREA_TITLES[role]} \u00b7 {size:,} op{'s' if size != 1 else ''}"


def _area_entries(analysis: GraphAnalysis) -> list[dict]:
    return [{"role": role, "group": area, "label": area_label(role, analysis.tree.size_of(area)),
             "size": analysis.tree.size_of(area)} for role, area in analysis.areas.items()]


def _hyperparameter_answer(analysis: GraphAnalysis) -> dict:
    """The hyperparameters and the op-level edges from them (drawn over the layout, like phase edges)."""
    graph = analysis.graph
    node_roles = analysis.roles
    sources = [{"name": h.name, "op": h.op, "readers": h.readers, "path": analysis.path_of_node(h.index)}
               for h in node_roles.hyperparameters]
    edges = []
    if node_roles.hyperparameters:
        carriers = node_roles.hyper_carriers
        for carrier, out in graph.out_edges_of(carriers).items():
            for e in out:
                if analysis.kinds[e] != "hyperparameter" or graph.edge_dst[e] in carriers:
                    continue
                dst = graph.edge_dst[e]
                edges.append({"from": graph.names[carriers[carrier]], "to": graph.names[dst],
                              "to_path": analysis.path_of_node(dst)})
    return {"sources": sources, "edges": edges}


def graph_warnings(analysis: GraphAnalysis) -> list[str]:
    graph = analysis.graph
    warnings = []
    if graph.duplicate_names:
        warnings.append(f"{len(graph.duplicate_names)} nodes repeat an earlier node's name and were left out")
    if graph.dangling_inputs:
        warnings.append(f"{len(graph.dangling_inputs)} inputs name nodes that are not in the graph")
    return warnings


def _top_ops(counts, limit=5) -> dict[str, int]:
    return dict(counts.most_common(limit)) if counts else {}


def _source_phase(source: phase.PhaseSource) -> dict:
    return {
        "role": "source",
        "consumers": len(source.layers),
        "born_in": source.born_in,
        "explanation": explain_source(source),
    }


def _group_phase(analysis: GraphAnalysis, group_id: str) -> Optional[dict]:
    source = analysis.source_by_name.get(group_id)
    if source is not None:
        return _source_phase(source)
    layer = analysis.layer_kinds.get(group_id)
    if layer is not None:
        return {"role": "layer", "kind": layer.kind, "source": layer.source}
    below = analysis.layers_below(group_id)
    if below:
        return {"role": "contains", "layers": below, "explanation": explain_contains(group_id, below)}
    return None


def _op_phase(analysis: GraphAnalysis, index: int) -> Optional[dict]:
    source = analysis.source_by_name.get(analysis.graph.names[index])
    if source is not None:
        return _source_phase(source)
    layer = analysis.phase.consumers.get(index)
    if layer is not None:
        kinds = analysis.layer_kinds
        return {"role": "consumer", "layer": layer, "source": kinds[layer].source if layer in kinds else None}
    return None


def _label(name: str, parent: str) -> str:
    if parent and name.startswith(parent + "/") and len(name) > len(parent) + 1:
        return name[len(parent) + 1 :]
    last = name.rsplit("/", 1)[-1] if "/" in name.strip("/") else name
    return last or name or EMPTY_NAME_LABEL  # never empty ("a/" under "a" is labelled "a/")


def _short(name: str) -> str:
    limit = BUCKET_LABEL_NAME_CHARS
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


def _bucket_entry(bucket: scopes.Bucket) -> dict:
    return {"parent": bucket.parent, "index": bucket.index, "of": bucket.of, "first": bucket.first,
            "last": bucket.last, "start": bucket.start, "end": bucket.start + bucket.children - 1,
            "total": bucket.total}


def _bucket_label(bucket: scopes.Bucket) -> str:
    end = bucket.start + bucket.children - 1
    return f"[{bucket.start:,}\u2013{end:,} of {bucket.total:,}] {_short(bucket.first)} \u2026 {_short(bucket.last)}"


def group_answer(analysis: GraphAnalysis, group_id: str) -> dict:
    """Children of a group and the aggregated edges among them. Raises KeyError for an unknown group."""
    tree = analysis.tree
    graph = analysis.graph
    if not tree.is_group(group_id):
        return _function_answer(analysis, group_id)
    child_groups, child_nodes = tree.children(group_id)
    children = []
    for child in child_groups:
        entry = {
            "name": child,
            "label": _label(child, tree.group_parent[child]),
            "type": "group",
            "size": tree.size_of(child),
            "ops": _top_ops(analysis.op_counts(child)),
            "phase": _group_phase(analysis, child),
        }
        area = analysis.area_of_group(child)
        if area is not None:
            entry["label"] = area_label(area, entry["size"])
            entry["area"] = area
        bucket = tree.buckets.get(child)
        if bucket is not None:
            entry["label"] = _bucket_label(bucket)
            entry["bucket"] = _bucket_entry(bucket)
        children.append(entry)
    for index in child_nodes:
        name = graph.names[index]
        children.append(
            {
                "name": name,
                "label": _label(name, group_id),
                "type": "op",
                "op": graph.ops[index],
                "role": analysis.roles.name_of(index),
                "phase": _op_phase(analysis, index),
            }
        )
        if graph.ops[index] in phase.CALL_OPS or graph.ops[index] in graph.functions:
            _add_calls(children, graph, index)
    truncated = len(children) > GROUP_CHILD_LIMIT
    omitted = None
    if truncated:
        omitted = {"count": len(children) - GROUP_CHILD_LIMIT}
        children = children[:GROUP_CHILD_LIMIT]
    shown = {c["name"] for c in children}
    edges = []
    for (a, b, kind), count in sorted(
        analysis.group_edges(group_id).items(), key=lambda item: (str(item[0][0]), str(item[0][1]), item[0][2])
    ):
        a_name = a if isinstance(a, str) else graph.names[a]
        b_name = b if isinstance(b, str) else graph.names[b]
        if a_name in shown and b_name in shown:
            edges.append({"from": a_name, "to": b_name, "kind": kind, "count": count})
    answer = {
        "version": VERSION,
        "group": group_id,
        "path": list(tree.chain(group_id)),
        "children": children,
        "edges": edges,
        "truncated": truncated,
    }
    if omitted:
        answer["omitted"] = omitted
    if group_id in tree.buckets:
        answer["bucket"] = _bucket_entry(tree.buckets[group_id])
    return answer


def _add_calls(children: list, graph, index: int) -> None:
    """An op that calls functions of the graph's library says so (``calls``), and gets a sibling group,
    ``<op>/ƒ``, that opens as the bodies of those functions."""
    try:
        called = functions.functions_of(graph, graph.node_defs[index])
    except NodeDefUnreadable:
        return
    if not called:
        return
    entry = children[-1]
    entry["calls"] = [attr for attr, _ in called]
    ops: Counter = Counter()
    for _, function_name in called:
        ops.update(node.op for node in graph.functions[function_name].node_def)
    children.append({"name": entry["name"] + functions.SEPARATOR, "label": f"{entry['label']} · functions",
                     "type": "group", "size": sum(ops.values()), "ops": _top_ops(ops), "phase": None,
                     "function_call": entry["name"]})


def _function_path(analysis: GraphAnalysis, group_id: str) -> list[str]:
    """The groups leading to a function group: the call's own path, then each call opened and each body."""
    parts = group_id.split(functions.SEPARATOR)
    path = analysis.path_of_node(analysis.graph.index[parts[0]])
    prefix = parts[0]
    for part in parts[1:]:
        path.append(prefix + functions.SEPARATOR)
        attr, _, inner = part.partition("/")
        if attr:
            prefix = f"{prefix}{functions.SEPARATOR}{attr}"
            path.append(prefix)
        if inner:
            prefix = f"{prefix}/{inner}"
    return path


def _function_answer(analysis: GraphAnalysis, group_id: str) -> dict:
    """A call op opened as a group (its functions), or one function's body. Raises KeyError otherwise."""
    graph = analysis.graph
    body = functions.resolve_body(graph, group_id)
    answer = {"version": VERSION, "group": group_id, "truncated": False}
    if body is not None:
        contents = functions.body_contents(graph, body)
        children = [{"name": f"{group_id}/{arg}", "label": arg, "type": "op", "op": "_Arg", "role": "model",
                     "phase": None, "argument": i} for i, arg in enumerate(contents["arguments"])]
        for node in contents["nodes"]:
            entry = {"name": f"{group_id}/{node.name}", "label": node.name, "type": "op", "op": node.op,
                     "role": "model", "phase": None}
            called = functions.functions_of(graph, node)
            if called:
                entry["calls"] = [attr for attr, _ in called]
            children.append(entry)
        edges = [{"from": a, "to": b, "kind": kind, "count": count}
                 for (a, b, kind), count in sorted(contents["edges"].items())]
        answer.update({
            "path": _function_path(analysis, group_id),
            "children": children[:GROUP_CHILD_LIMIT],
            "edges": edges,
            "truncated": len(children) > GROUP_CHILD_LIMIT,
            "function": {"name": contents["function"], "call": body.call.id, "attr": body.attr,
                         "ties": contents["ties"], "returns": contents["returns"]},
        })
        return answer
    call = functions.resolve_call(graph, group_id)
    if call is None:
        raise KeyError(group_id)
    called = functions.functions_of(graph, call.node_def)
    if not called:
        raise KeyError(group_id)
    children = []
    for attr, function_name in called:
        function = graph.functions[function_name]
        ops = Counter(node.op for node in function.node_def)
        children.append({"name": f"{call.id}{functions.SEPARATOR}{attr}", "label": f"{attr}: {function_name}",
                         "type": "group", "size": len(function.node_def), "ops": _top_ops(ops), "phase": None,
                         "function": function_name})
    answer.update({"path": _function_path(analysis, group_id), "children": children, "edges": [],
                   "call": {"op": call.op, "inputs": call.inputs}})
    return answer


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


def node_answer(analysis: GraphAnalysis, name: str) -> dict:
    """Everything the inspector shows about one op. Raises KeyError for an unknown node."""
    graph = analysis.graph
    index = graph.index[name]
    inputs = [
        {"node": graph.names[graph.edge_src[e]], "kind": analysis.kinds[e], "output": graph.edge_output[e]}
        for e in graph.in_edges(index)
    ]
    outputs = [
        {"node": graph.names[graph.edge_dst[e]], "kind": analysis.kinds[e], "output": graph.edge_output[e]}
        for e in graph.out_edges(index)
    ]
    node_phase = _op_phase(analysis, index)
    if node_phase and node_phase["role"] == "consumer":
        layer = analysis.layer_kinds.get(node_phase["layer"])
        if layer is not None:
            node_phase["layer_kind"] = layer.kind
            node_phase["explanation"] = explain(layer.source, layer.layer, layer.kind)
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
        "attrs": attrs,
        "inputs": inputs,
        "outputs": outputs,
        "phase": node_phase,
    }
    if attrs_error:
        answer["attrs_error"] = attrs_error
    return answer


def search_answer(analysis: GraphAnalysis, query: str, regex: bool, limit: int) -> dict:
    """Nodes whose name or op matches. Raises ValueError for a bad regular expression."""
    graph = analysis.graph
    if regex:
        # Runs in a child process with a time budget (see regex_search): a pattern cannot hang the server.
        found = regex_search.search_indices(query, graph.names, graph.ops, limit)
    else:
        needle = query.lower()
        op_matches = {op for op in set(graph.ops) if needle in op.lower()}
        found = []
        for index, (name, op) in enumerate(zip(graph.names, graph.ops)):
            if op in op_matches or needle in name.lower():
                found.append(index)
                if len(found) > limit:
                    break
    truncated = len(found) > limit
    matches = [
        {"name": graph.names[i], "op": graph.ops[i], "path": analysis.path_of_node(i)} for i in found[:limit]
    ]
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
        entry["op"] = graph.ops[part.members[0]]
    return entry


def _kind_counts(counts) -> list[dict]:
    return [{"kind": kind, "count": counts[kind], "sentence": KIND_SENTENCES[kind]}
            for kind in sorted(counts, key=lambda kind: (-counts[kind], kind))]


def why_answer(analysis: GraphAnalysis, a: str, b: Optional[str] = None, view: bool = False) -> dict:
    """Why ``a`` and ``b`` are connected: the op-level edges between them grouped by kind, each kind with its
    sentence. Without ``b``: what enters and leaves ``a``, counted per kind. Raises KeyError for an unknown
    name (the exception's argument)."""
    from tb_phaseview import connections

    graph = analysis.graph
    part_a = connections.resolve(analysis, a, view)
    answer = {"version": VERSION, "a": _part_entry(analysis, part_a)}
    if b is None:
        inputs, outputs = connections.boundary(analysis, part_a)
        answer["inputs"] = _kind_counts(inputs)
        answer["outputs"] = _kind_counts(outputs)
        return answer
    part_b = connections.resolve(analysis, b, view)
    answer["b"] = _part_entry(analysis, part_b)
    by_kind: dict[str, list[int]] = {}
    for e in connections.edges_between(analysis, part_a, part_b):
        by_kind.setdefault(analysis.kinds[e], []).append(e)
    answer["total"] = sum(len(edges) for edges in by_kind.values())
    answer["kinds"] = [
        {
            "kind": kind,
            "count": len(edges),
            "sentence": KIND_SENTENCES[kind],
            "edges": [{"from": graph.names[graph.edge_src[e]], "to": graph.names[graph.edge_dst[e]],
                       "output": graph.edge_output[e], "input": graph.edge_input[e]}
                      for e in edges[:WHY_EDGES_LIMIT]],
            "truncated": len(edges) > WHY_EDGES_LIMIT,
        }
        for kind, edges in sorted(by_kind.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return answer


def format_why(answer: dict) -> str:
    """The ``why`` answer as text (``tb-phaseview why``)."""
    lines = []
    a = answer["a"]
    if "b" not in answer:
        lines.append(f"{a['name']} ({a['type']}, {a['ops']:,} ops)")
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


def error_answer(message: str) -> dict:
    return {"version": VERSION, "error": message}
