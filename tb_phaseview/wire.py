"""The JSON wire format (see docs/wire_format.md): the one place that turns analyses into answers.

Pure: no TensorBoard import. Every answer carries ``version``; fields are only ever added.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional, TypedDict

from google.protobuf import text_format

from tb_phaseview import phase, phase_runs, regex_search, scopes
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


# What a layer does in one phase (true: training, false: inference), shown on its badge in the view.
_DOES = {
    phase.BATCH_NORMALIZATION: {
        True: "normalises with the batch's own mean and variance and updates its moving averages",
        False: "uses the moving mean and variance",
    },
    phase.DROPOUT: {True: "drops units at random", False: "passes its input through"},
    phase.OTHER: {True: "runs its training branch", False: "runs its inference branch"},
}
_DOES_BOTH_WAYS = "computes both its training and its inference result and keeps the {} one (a Select skips nothing)"
PHASE_NAMES = {True: "training", False: "inference"}


def _key(value: bool) -> str:
    return "true" if value else "false"


def _pair(counts: dict[bool, int]) -> dict[str, int]:
    return {"true": counts[True], "false": counts[False]}


def layer_does(kind: str, value: bool, selects_only: bool = False) -> str:
    """What a layer of this kind does when the flag is ``value``."""
    if selects_only:
        return _DOES_BOTH_WAYS.format(PHASE_NAMES[value])
    return _DOES.get(kind, _DOES[phase.OTHER])[value]


def _flag_entry(analysis: GraphAnalysis, flag: phase_runs.FlagRuns) -> dict:
    """The phase-resolution fields of one flag (CLI ``phase_sources[]`` and the ``phase_runs`` answer)."""
    graph = analysis.graph
    return {
        "default": flag.default,
        "ops_only_when": _pair({v: flag.ops_only_when(v) for v in (True, False)}),
        "writers": flag.writers,
        "variable": flag.variable,
        "branch_ops_only_when": _pair(flag.branch_ops),
        "used_only_when": _pair({v: len(flag.used_only_when[v]) for v in (True, False)}),
        "never_run": len(flag.never),
        "selects": [graph.names[n] for n in flag.selects],
    }


def phase_warnings(analysis: GraphAnalysis) -> list[str]:
    """A flag that defaults to true, or has no default, decides how an exported graph runs: say so."""
    warnings = []
    for flag in analysis.phase_runs.flags:
        name = flag.source.name
        if flag.variable and flag.default is not False:
            start = "true" if flag.default else "unknown"
            warnings.append(f"{name} is a variable flag (initial value {start}): this graph runs in whichever mode "
                            f"it was last assigned by {', '.join(flag.writers) or 'an assign op'}")
        elif flag.default is True:
            warnings.append(f"this graph runs in training mode unless fed {name}=False")
        elif flag.default is None and not flag.variable:
            warnings.append(f"{name} has no default: this graph does not run unless fed {name} "
                            f"(True for training, False for inference)")
        if flag.selects:
            warnings.append(f"{len(flag.selects)} Select ops read {name}: they compute both inputs, so they skip "
                            f"nothing in either phase")
    return warnings


def report_entry(analysis: GraphAnalysis, ref: GraphRef) -> dict:
    """One graph in ``tb-phaseview report --json`` (schema in README)."""
    graph = analysis.graph
    flags = {flag.source.name: flag for flag in analysis.phase_runs.flags}
    return {
        "run": ref["run"],
        "tag": ref["tag"],
        "kind": ref["kind"],
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "phase_sources": [
            {"name": s["name"], "op": s["op"], "consumers": s["consumers"], "born_in": s["born_in"],
             **_flag_entry(analysis, flags[s["name"]])}
            for s in _source_entries(analysis)
        ],
        "phase_edges": analysis.edge_counts["phase"],
        "phase_layers": [{"layer": l.layer, "kind": l.kind, "source": l.source} for l in analysis.phase.layers],
        "edge_counts": analysis.edge_counts,
        "warnings": phase_warnings(analysis) + graph_warnings(analysis),
    }


def _groups_not_running(analysis: GraphAnalysis, nodes: set[int]) -> list[str]:
    """Groups none of whose ops runs: every op below them is in ``nodes``."""
    tree = analysis.tree
    below = Counter(map(tree.node_parent.__getitem__, nodes))  # per direct parent, then rolled up the tree
    for group, count in list(below.items()):
        parent = tree.group_parent.get(group, "")
        while parent:
            below[parent] += count
            parent = tree.group_parent[parent]
    return sorted(group for group, count in below.items() if group and count == tree.size_of(group))


def _selects_only_layers(analysis: GraphAnalysis) -> set[str]:
    """Layers that read the flag only through Select ops."""
    ops_by_layer: dict[str, set[str]] = {}
    for node, layer in analysis.phase.consumers.items():
        ops_by_layer.setdefault(layer, set()).add(analysis.graph.ops[node])
    return {layer for layer, ops in ops_by_layer.items() if ops <= phase_runs.SELECT_OPS}


def phase_runs_answer(analysis: GraphAnalysis) -> dict:
    """What runs when every flag is true (training) and when every flag is false (inference)."""
    graph = analysis.graph
    runs = analysis.phase_runs
    selects_only = _selects_only_layers(analysis)
    sources = []
    for flag in runs.flags:
        entry = {"name": flag.source.name, "op": flag.source.op, **_flag_entry(analysis, flag)}
        entry["branches"] = [
            {"node": graph.names[b.node], "when_true": b.when_true, "when_false": b.when_false,
             "ops_when_true": b.ops_when_true, "ops_when_false": b.ops_when_false}
            for b in flag.branches
        ]
        sources.append(entry)
    phases = {}
    for value in (True, False):
        not_running = runs.not_running(value)
        branch_ops = runs.branch_ops_not_running(value)
        total = len(not_running) + branch_ops
        summary = f"{total:,} ops don't run in {PHASE_NAMES[value]}"
        if branch_ops:
            summary += f" ({branch_ops:,} of them inside If branches, not drawn)"
        phases[_key(value)] = {
            "ops_not_run": total,
            "graph_ops_not_run": len(not_running),
            "branch_ops_not_run": branch_ops,
            "summary": summary,
            "nodes": sorted(graph.names[n] for n in not_running),
            "groups": _groups_not_running(analysis, not_running),
            "layers": {l.layer: layer_does(l.kind, value, l.layer in selects_only) for l in analysis.phase.layers},
        }
    return {"version": VERSION, "sources": sources, "warnings": phase_warnings(analysis), "phases": phases}


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
        "warnings": graph_warnings(analysis),
        "phase": {"sources": _source_entries(analysis), "layers": _layer_entries(analysis), "edges": phase_edges},
        "root": group_answer(analysis, ""),
    }


def graph_warnings(analysis: GraphAnalysis) -> list[str]:
    graph = analysis.graph
    warnings = []
    if graph.duplicate_names:
        warnings.append(f"{len(graph.duplicate_names)} nodes repeat an earlier node's name and were left out")
    if graph.dangling_inputs:
        warnings.append(f"{len(graph.dangling_inputs)} inputs name nodes that are not in the graph")
    folded = analysis.tree.folded_nodes
    if folded:
        warnings.append(
            f"{folded:,} {'ops are' if folded > 1 else 'op is'} nested deeper than PhaseView draws name scopes "
            f"({scopes.MAX_SCOPE_DEPTH} levels, or {scopes.MAX_CHAIN_CHARS:,} characters of scope names on one "
            f"chain): the deeper scopes are not drawn as groups, and each such op sits in the deepest group kept, "
            f"labelled with the rest of its name"
        )
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
        raise KeyError(group_id)
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
                "phase": _op_phase(analysis, index),
            }
        )
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


def error_answer(message: str) -> dict:
    return {"version": VERSION, "error": message}
