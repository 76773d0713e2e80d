"""The first view and a group's answer: runs, the graph, a group's children and the edges among them."""

from __future__ import annotations

from collections import Counter
from typing import Optional

from tb_phaseview.analysis import answers, functions, phase, scopes
from tb_phaseview.analysis.graph_model import NodeDefUnreadable
from tb_phaseview.analysis.pipeline import GraphAnalysis
from tb_phaseview.serve import shape_marks
from tb_phaseview.serve.first_open import first_opened
from tb_phaseview.serve.wire.common import (
    AREA_TITLES,
    BUCKET_LABEL_NAME_CHARS,
    EMPTY_NAME_LABEL,
    GROUP_CHILD_LIMIT,
    VERSION,
    GraphRef,
    body_role,
    function_path,
)
from tb_phaseview.serve.wire.phase_text import group_phase, layer_entries, op_phase, source_entries

MODEL_CONFIG_ONLY = (
    "logged only Keras's model config (the conceptual graph TensorBoard's Graphs tab draws: layers, no ops), so there"
    " is no op graph to read. Keras 3's TensorBoard callback writes an op graph only of a batch it traces"
    " (profile_batch=1); tf_keras's writes the train function's graph with write_graph=True (not under a"
    " distribution strategy); any TF2 code can trace a step with tf.summary.trace_on and tf.summary.trace_export"
)


def runs_answer(
    graphs: list[GraphRef], first: Optional[GraphRef] = None, model_config_only: Optional[list[str]] = None
) -> dict:
    """Every graph by run; with ``first``, the graph a first visit opens (see ``first_visit_rank``); the runs
    that logged only Keras's model config (no op graph)."""
    runs: dict[str, list[GraphRef]] = {}
    for ref in graphs:
        runs.setdefault(ref["run"], []).append(ref)
    answer = {
        "version": VERSION,
        "runs": [{"run": run, "graphs": refs} for run, refs in runs.items()],
        "model_config_only": list(model_config_only or []),
    }
    if model_config_only:
        answer["model_config_note"] = MODEL_CONFIG_ONLY
    if first is not None:
        answer["first"] = first
    return answer


def closing_lines(report: dict) -> list[str]:
    """The CLI's last lines of a report or a summary: runs with only Keras's model config, nothing found, what
    could not be read."""
    lines = [f"{run}  {MODEL_CONFIG_ONLY}" for run in report.get("model_config_only", ())]
    if not report["graphs"]:
        lines.append("no op graphs found" if lines else "no graphs found")
    lines += [f"not read: {problem['path']}: {problem['error']}" for problem in report.get("errors", ())]
    return lines


def first_visit_rank(analysis: GraphAnalysis) -> tuple[int, int]:
    """Where the Graphs tab misleads most ranks highest: the most layers reading one flag, then a flag born
    inside a layer (that layer looks tied to all the others)."""
    sources = analysis.phase.sources
    if not sources:
        return (0, 0)
    main = max(sources, key=lambda source: len(source.layers))
    return (len(main.layers), 1 if main.born_in else 0)


def graph_answer(analysis: GraphAnalysis, ref: GraphRef) -> dict:
    graph = analysis.graph
    consumers = analysis.phase.consumers
    phase_edges = [
        {
            "from": graph.names[source],
            "to": graph.names[dst],
            "layer": consumers.get(dst, ""),
            "to_path": analysis.path_of_node(dst),
        }
        for source, dst in analysis.drawn_phase_edges
    ]
    return {
        "version": VERSION,
        **ref,
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "edge_counts": analysis.edge_counts,
        "node_roles": analysis.node_roles,
        "areas": _area_entries(analysis),
        "warnings": graph_warnings(analysis),
        "answer": answer_line(analysis),
        "phase": {
            "sources": source_entries(analysis),
            "layers": layer_entries(analysis),
            "edges": phase_edges,
            **({"to_path_partial": True} if analysis.readers_held else {}),
        },
        "hyperparameters": _hyperparameter_answer(analysis),
        **({"moved": moved_answer(analysis)} if analysis.moved else {}),
        "root": group_answer(analysis, ""),
        "opened": first_opened(analysis),
    }


def moved_answer(analysis: GraphAnalysis) -> dict:
    """What the user moved to the model: each name with the ops it moved, by the classifier's role."""
    counts = analysis.moved.entry_roles(analysis.classified)
    return {
        "entries": [
            {"name": name, "ops": sum(by_role.values()), "roles": dict(sorted(by_role.items()))}
            for name, by_role in counts.items()
        ],
        "ops": len(analysis.moved.nodes),
    }


def area_label(role: str, size: int) -> str:
    """``gradients · 1,234 ops``: what a machinery area holds."""
    return f"{AREA_TITLES[role]} \u00b7 {size:,} op{'s' if size != 1 else ''}"


def _area_entries(analysis: GraphAnalysis) -> list[dict]:
    return [
        {"role": role, "group": area, "label": area_label(role, size), "size": size, "title": AREA_TITLES[role]}
        for role, area, size in ((role, area, analysis.area_size(role)) for role, area in analysis.areas.items())
    ]


def _hyperparameter_answer(analysis: GraphAnalysis) -> dict:
    """The hyperparameters and how many op-level edges leave them. The edges are not listed: the frontend draws
    them from the group answers (aggregated like any kind, boxes marked ``hyper``/``hyper_reads``), the ``edges``
    route lists every one, and with a path each they were most of this answer (200 of 330 KB on 10k nested)."""
    sources = [
        {"name": h.name, "op": h.op, "readers": h.readers, "path": analysis.path_of_node(h.index)}
        for h in analysis.roles.hyperparameters
    ]
    return {"sources": sources, "edges_total": len(analysis.hyper_edges)}


def _mark_hyperparameters(analysis: GraphAnalysis, group_id: str, children: list[dict]) -> None:
    """``hyper`` on a hyperparameter's own box; ``hyper_reads`` on each box its edges enter (a box holding
    the hyperparameter reads it from inside: not marked)."""
    boxes = analysis.hyper_boxes
    if not boxes:
        return
    by_box = {}
    for box in boxes.values():
        by_box.setdefault(box.name, box)
        by_box.setdefault(box.box, box)
    read_by = analysis.hyper_read_by(top_level_only=group_id == scopes.ROOT)
    for child in children:
        name = child["name"]
        own = by_box.get(name)
        if own is not None:
            child["hyper"] = {"name": own.name, "readers": own.readers}
        reads = read_by.get(name)
        if reads:
            marked = sorted(r for r in reads if name not in boxes[r].holders and (own is None or r != own.name))
            if marked:
                child["hyper_reads"] = marked


NO_FLAG_ANSWER = answers.NO_FLAG_ANSWER


def answer_line(analysis: GraphAnalysis) -> dict:
    """The sentence above the graph (``answers.answer_line``)."""
    return answers.answer_line(analysis)


def graph_warnings(analysis: GraphAnalysis) -> list[str]:
    graph = analysis.graph
    warnings = []
    if graph.duplicate_names:
        warnings.append(f"{len(graph.duplicate_names)} nodes repeat an earlier node's name and were left out")
    # PyTorch's add_graph writes each prim::GetAttr with an input naming the module it reads a weight from, which
    # is no node: that is its normal export, nothing the user lost, so it is not warned about.
    missing = [d for d, _ in graph.dangling_inputs if graph.ops[d] != "prim::GetAttr"]
    if missing:
        warnings.append(f"{len(missing)} inputs name nodes that are not in the graph")
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


def _label(name: str, parent: str) -> str:
    if parent and name.startswith(parent + "/") and len(name) > len(parent) + 1:
        return name[len(parent) + 1 :]
    if scopes.is_inlined_body(name):
        return name  # "Func/bn1" drawn inside bn1: its last part alone would repeat the layer's name
    last = name.rsplit("/", 1)[-1] if "/" in name.strip("/") else name
    return last or name or EMPTY_NAME_LABEL  # never empty ("a/" under "a" is labelled "a/")


def _short(name: str) -> str:
    limit = BUCKET_LABEL_NAME_CHARS
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


def _bucket_entry(bucket: scopes.Bucket) -> dict:
    return {
        "parent": bucket.parent,
        "index": bucket.index,
        "of": bucket.of,
        "first": bucket.first,
        "last": bucket.last,
        "start": bucket.start,
        "end": bucket.start + bucket.children - 1,
        "total": bucket.total,
    }


def _bucket_label(bucket: scopes.Bucket) -> str:
    end = bucket.start + bucket.children - 1
    return f"[{bucket.start:,}\u2013{end:,} of {bucket.total:,}] {_short(bucket.first)} \u2026 {_short(bucket.last)}"


def _series_entry(series: scopes.Series, size: int) -> dict:
    return {"op": series.op, "prefix": series.prefix, "first": series.first, "last": series.last, "count": size}


def group_answer(analysis: GraphAnalysis, group_id: str) -> dict:
    """Children of a group and the aggregated edges among them. Raises KeyError for an unknown group."""
    tree = analysis.tree
    graph = analysis.graph
    if not tree.is_group(group_id):
        return _function_answer(analysis, group_id)
    child_groups, child_nodes = tree.children(group_id)
    analysis.count_children_ops(group_id)
    children = []
    # What the user moved to the model: a scope's group (drawn under its own name) and each moved op say so.
    moved_nodes = analysis.moved.nodes if analysis.moved else None
    for child in child_groups:
        entry = {
            "name": child,
            "label": _label(child, tree.group_parent[child]),
            "type": "group",
            "size": tree.size_of(child),
            "ops": _top_ops(analysis.op_counts(child)),
            "phase": group_phase(analysis, child),
        }
        index = graph.index.get(child)
        if index is not None:  # the group is an op too (`keras_learning_phase` holds the op of that name)
            entry["op"] = graph.ops[index]
        elif child.startswith(scopes.AREA_MARK):
            # In a machinery area the group of an op's own name is `∷optimizer/global_step`: name the op.
            op_name = child.partition("/")[2]
            index = graph.index.get(op_name)
            if index is not None and tree.node_parent[index] == child:
                entry["op"], entry["op_name"] = graph.ops[index], op_name
        area = analysis.area_of_group(child)
        if area is not None:
            entry["label"] = area_label(area, entry["size"])
            entry["area"] = area
        bucket = tree.buckets.get(child)
        if bucket is not None:
            entry["label"] = _bucket_label(bucket)
            entry["bucket"] = _bucket_entry(bucket)
        series = tree.series.get(child)
        if series is not None:
            entry["series"] = _series_entry(series, entry["size"])
        moved_by = analysis.moved_group(child) if moved_nodes else None
        if moved_by:
            entry["moved"] = moved_by
        children.append(entry)
    for index in child_nodes:
        name = graph.names[index]
        child = {
            "name": name,
            "label": _label(name, group_id),
            "type": "op",
            "op": graph.ops[index],
            "role": analysis.roles.name_of(index),
            "phase": op_phase(analysis, index),
        }
        if moved_nodes and index in moved_nodes:
            child["moved"] = moved_nodes[index]
        children.append(child)
        if graph.ops[index] in phase.CALL_OPS or graph.ops[index] in graph.functions:
            _add_calls(children, graph, index)
    truncated = len(children) > GROUP_CHILD_LIMIT
    omitted = None
    if truncated:
        omitted = {"count": len(children) - GROUP_CHILD_LIMIT}
        children = children[:GROUP_CHILD_LIMIT]
    _mark_hyperparameters(analysis, group_id, children)
    shown = {c["name"] for c in children}
    edges = []
    for (a, b, kind), count in sorted(
        analysis.group_edges(group_id).items(), key=lambda item: (str(item[0][0]), str(item[0][1]), item[0][2])
    ):
        a_name = a if isinstance(a, str) else graph.names[a]
        b_name = b if isinstance(b, str) else graph.names[b]
        if a_name in shown and b_name in shown:
            edges.append({"from": a_name, "to": b_name, "kind": kind, "count": count})
    shape_marks.mark(analysis, group_id, children, edges)
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
    if group_id in tree.series:
        answer["series"] = _series_entry(tree.series[group_id], tree.size_of(group_id))
    if group_id != scopes.ROOT and analysis.readers_wait_with_groups:  # every path leads through a top-level group
        paths = analysis.phase_paths_below(group_id)
        if paths:
            answer["phase_paths"] = paths
    return answer


def prepare_group_answers(analysis: GraphAnalysis) -> None:
    """What every group answer below the top level reads, computed once per analysis: the groups the flag's
    edges enter, the boxes the hyperparameters' edges enter, and the model variables that are no layer's
    parameters (together 0.8 s at 1,000,000 nodes). The background completion runs it after the whole tree, so
    that the first group the user opens does not wait for it."""
    analysis.phase_reach  # noqa: B018 - computed and kept
    if analysis.readers_wait_with_groups:
        analysis.phase_paths_below(scopes.ROOT)  # indexes the readers' paths by group, once
    if analysis.hyper_boxes:
        analysis.hyper_read_by(top_level_only=False)
    shape_marks.prepare(analysis)


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
        ops.update(functions.function_ops(graph, function_name))
    children.append(
        {
            "name": entry["name"] + functions.SEPARATOR,
            "label": f"{entry['label']} · functions",
            "type": "group",
            "size": sum(ops.values()),
            "ops": _top_ops(ops),
            "phase": None,
            "function_call": entry["name"],
        }
    )


def _function_answer(analysis: GraphAnalysis, group_id: str) -> dict:
    """A call op opened as a group (its functions), or one function's body. Raises KeyError otherwise."""
    graph = analysis.graph
    body = functions.resolve_body(graph, group_id)
    answer = {"version": VERSION, "group": group_id, "truncated": False}
    if body is not None:
        contents = functions.body_contents(graph, body, GROUP_CHILD_LIMIT)
        role = body_role(analysis, group_id)[0]
        children = [
            {
                "name": f"{group_id}/{arg}",
                "label": arg,
                "type": "op",
                "op": "_Arg",
                "role": role,
                "phase": None,
                "argument": i,
            }
            for i, arg in enumerate(contents["arguments"])
        ]
        for node in contents["nodes"]:
            entry = {
                "name": f"{group_id}/{node.name}",
                "label": node.name,
                "type": "op",
                "op": node.op,
                "role": role,
                "phase": None,
            }
            called = functions.functions_of(graph, node)
            if called:
                entry["calls"] = [attr for attr, _ in called]
            children.append(entry)
        edges = [
            {"from": a, "to": b, "kind": kind, "count": count}
            for (a, b, kind), count in sorted(contents["edges"].items())
        ]
        answer.update(
            {
                "path": function_path(analysis, group_id),
                "children": children[:GROUP_CHILD_LIMIT],
                "edges": edges,
                "truncated": len(contents["arguments"]) + contents["node_count"] > GROUP_CHILD_LIMIT,
                "function": {
                    "name": contents["function"],
                    "call": body.call.id,
                    "attr": body.attr,
                    "ties": contents["ties"],
                    "returns": contents["returns"],
                },
            }
        )
        return answer
    call = functions.resolve_call(graph, group_id)
    if call is None:
        raise KeyError(group_id)
    called = functions.functions_of(graph, call.node_def)
    if not called:
        raise KeyError(group_id)
    children = []
    for attr, function_name in called:
        ops = functions.function_ops(graph, function_name)
        children.append(
            {
                "name": f"{call.id}{functions.SEPARATOR}{attr}",
                "label": f"{attr}: {function_name}",
                "type": "group",
                "size": sum(ops.values()),
                "ops": _top_ops(ops),
                "phase": None,
                "function": function_name,
            }
        )
    answer.update(
        {
            "path": function_path(analysis, group_id),
            "children": children,
            "edges": [],
            "call": {"op": call.op, "inputs": call.inputs},
        }
    )
    return answer
