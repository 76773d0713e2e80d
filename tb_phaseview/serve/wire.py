"""The JSON wire format (see docs/wire_format.md): the one place that turns analyses into answers.

Pure: no TensorBoard import. Every answer carries ``version``; fields are only ever added.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional, TypedDict

from google.protobuf import text_format

from tb_phaseview.analysis import answers, functions, phase, phase_runs, roles, scopes
from tb_phaseview.analysis.graph_model import NodeDefUnreadable
from tb_phaseview.analysis.pipeline import GraphAnalysis
from tb_phaseview.serve import regex_search, shape_marks

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
    what = (
        "a BatchNormalization" if kind == phase.BATCH_NORMALIZATION else ("a Dropout" if kind == phase.DROPOUT else "a")
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
        f"to switch between {'its' if count == 1 else 'their'} training and inference behaviour."
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
# The same, in the few words a closed layer's box has room for (its subtitle; the badge's tooltip says it all).
_DOES_SHORT = {
    phase.BATCH_NORMALIZATION: {True: "batch stats", False: "moving avg"},
    phase.DROPOUT: {True: "drops units", False: "no dropout"},
    phase.OTHER: {True: "training", False: "inference"},
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
            warnings.append(
                f"{name} is a variable flag (initial value {start}): this graph runs in whichever mode "
                f"it was last assigned by {', '.join(flag.writers) or 'an assign op'}"
            )
        elif flag.default is True:
            warnings.append(f"this graph runs in training mode unless fed {name}=False")
        elif flag.default is None and not flag.variable:
            warnings.append(
                f"{name} has no default: this graph does not run unless fed {name} "
                f"(True for training, False for inference)"
            )
        if flag.selects:
            warnings.append(
                f"{len(flag.selects)} Select ops read {name}: they compute both inputs, so they skip "
                f"nothing in either phase"
            )
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
            {
                "name": s["name"],
                "op": s["op"],
                "consumers": s["consumers"],
                "born_in": s["born_in"],
                **_flag_entry(analysis, flags[s["name"]]),
            }
            for s in _source_entries(analysis)
        ],
        "phase_edges": analysis.edge_counts["phase"],
        "phase_layers": [{"layer": l.layer, "kind": l.kind, "source": l.source} for l in analysis.phase.layers],
        "phase_layer_count": len(answers.reading_layers(analysis)),
        "edge_counts": analysis.edge_counts,
        "warnings": phase_warnings(analysis) + graph_warnings(analysis),
        "node_roles": analysis.node_roles,
        **({"moved_to_model": moved_answer(analysis)} if analysis.moved else {}),
    }


def node_list(analysis: GraphAnalysis) -> list[dict]:
    """Every node of a graph with its role and the machinery area it is folded into (``None``: drawn in the
    model), for ``tb-phaseview report --json --nodes``."""
    graph, node_roles = analysis.graph, analysis.roles
    area_ids = [analysis.areas.get(name) for name in roles.ROLE_NAMES]
    role_names = [roles.ROLE_NAMES[code] for code in node_roles.codes]
    areas = [area_ids[code] for code in node_roles.area_codes]
    return [
        {"name": name, "op": op, "role": role, "area": area}
        for name, op, role, area in zip(graph.names, graph.ops, role_names, areas)
    ]


def _not_running_below(analysis: GraphAnalysis, nodes: set[int]) -> Counter:
    """Per group: how many of the ops below it (all depths) are in ``nodes``."""
    tree = analysis.tree
    below = Counter(map(tree.node_parent.__getitem__, nodes))  # per direct parent, then rolled up the tree
    for group, count in list(below.items()):
        parent = tree.group_parent.get(group, "")
        while parent:
            below[parent] += count
            parent = tree.group_parent[parent]
    below.pop("", None)
    return below


def _groups_not_running(analysis: GraphAnalysis, nodes: set[int]) -> list[str]:
    """Groups none of whose ops runs: every op below them is in ``nodes``."""
    below = _not_running_below(analysis, nodes)
    return sorted(group for group, count in below.items() if count == analysis.tree.size_of(group))


def _groups_partly_running(analysis: GraphAnalysis, nodes: set[int]) -> dict[str, int]:
    """Groups some but not all of whose ops do not run, with how many do not: what a closed box shows (a
    BatchNorm's cond always runs its Switch, so the layer's box is never wholly ghosted)."""
    tree = analysis.tree
    return {
        group: count
        for group, count in sorted(_not_running_below(analysis, nodes).items())
        if count < tree.size_of(group)
    }


def _branches_not_taken(analysis: GraphAnalysis, value: bool) -> list[str]:
    """The function groups (``<If>/\u0192then_branch``) of the If branches that do not run when every flag is
    ``value``: the view ghosts them inside the call's functions group."""
    graph = analysis.graph
    found = []
    for flag in analysis.phase_runs.flags:
        for branch in flag.branches:
            idle = branch.when_false if value else branch.when_true
            if branch.when_true == branch.when_false:
                continue
            try:
                attrs = graph.node_defs[branch.node].attr
            except NodeDefUnreadable:
                continue
            for attr in ("then_branch", "else_branch"):
                if attr in attrs and attrs[attr].func.name == idle:
                    found.append(f"{graph.names[branch.node]}{functions.SEPARATOR}{attr}")
    return found


def _unused_in(analysis: GraphAnalysis, value: bool) -> list[str]:
    """Ops that run when every flag is ``value`` though only the other phase uses their result (old Keras'
    batch statistics at inference)."""
    graph = analysis.graph
    unused = set()
    for flag in analysis.phase_runs.flags:
        unused.update(flag.used_only_when[not value])
    return sorted(graph.names[n] for n in unused)


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
            {
                "node": graph.names[b.node],
                "when_true": b.when_true,
                "when_false": b.when_false,
                "ops_when_true": b.ops_when_true,
                "ops_when_false": b.ops_when_false,
            }
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
            summary += f" ({branch_ops:,} of them inside If branches: open an If's functions to see them ghosted)"
        unused = _unused_in(analysis, value)
        if unused:
            summary += f"; {len(unused):,} more run though only {PHASE_NAMES[not value]} uses their result (outlined)"
        phases[_key(value)] = {
            "ops_not_run": total,
            "graph_ops_not_run": len(not_running),
            "branch_ops_not_run": branch_ops,
            "summary": summary,
            "nodes": sorted(graph.names[n] for n in not_running),
            "groups": sorted(_groups_not_running(analysis, not_running) + _branches_not_taken(analysis, value)),
            "partial": _groups_partly_running(analysis, not_running),
            "unused": unused,
            # A Dropout at inference only hands its input on: the view draws it as a pass-through.
            "pass_through": sorted(
                l.layer
                for l in analysis.phase.layers
                if not value and l.kind == phase.DROPOUT and l.layer not in selects_only
            ),
            "layers": {l.layer: layer_does(l.kind, value, l.layer in selects_only) for l in analysis.phase.layers},
            "layers_short": {
                l.layer: "computes both"
                if l.layer in selects_only
                else _DOES_SHORT.get(l.kind, _DOES_SHORT[phase.OTHER])[value]
                for l in analysis.phase.layers
            },
        }
    return {"version": VERSION, "sources": sources, "warnings": phase_warnings(analysis), "phases": phases}


def runs_answer(graphs: list[GraphRef], first: Optional[GraphRef] = None) -> dict:
    """Every graph by run; with ``first``, the graph a first visit opens (see ``first_visit_rank``)."""
    runs: dict[str, list[GraphRef]] = {}
    for ref in graphs:
        runs.setdefault(ref["run"], []).append(ref)
    answer = {"version": VERSION, "runs": [{"run": run, "graphs": refs} for run, refs in runs.items()]}
    if first is not None:
        answer["first"] = first
    return answer


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
        "phase": {"sources": _source_entries(analysis), "layers": _layer_entries(analysis), "edges": phase_edges},
        "hyperparameters": _hyperparameter_answer(analysis),
        **({"moved": moved_answer(analysis)} if analysis.moved else {}),
        "root": group_answer(analysis, ""),
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


def _moved_fields(analysis: GraphAnalysis, index: int) -> dict:
    found = analysis.moved_from(index)
    return {} if found is None else {"moved_from": found[0], "moved_by": found[1]}


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
        entry = {"role": "layer", "kind": layer.kind, "source": layer.source}
        born = next((s for s in analysis.phase.sources if s.born_in == group_id), None)
        if born is not None:
            entry["born_here"] = {
                "flag": born.name,
                "layers": len(born.layers),
                "explanation": explain_birthplace(born),
            }
        return entry
    below = analysis.layers_below(group_id)
    if below:
        return {"role": "contains", "layers": below, "explanation": explain_contains(group_id, below)}
    reach = analysis.phase_reach_of(group_id)
    if reach is not None:
        layers = sorted(reach.layers)
        area = analysis.area_of_group(group_id)
        # A machinery area is named by what it holds ("The gradients area"), not by its synthetic id.
        name = f"The {AREA_TITLES[area]} area" if area in AREA_TITLES else display_name(analysis, group_id)
        explanation = (
            explain_keeps(name, reach.source)
            if reach.keeps and not layers
            else explain_reads(name, reach.source, layers, reach.gradient)
        )
        return {
            "role": "reads",
            "source": reach.source,
            "layers": len(layers),
            "gradient": reach.gradient,
            "explanation": explanation,
        }
    return None


def explain_birthplace(source: phase.PhaseSource) -> str:
    """Said by the layer a flag was created in (old Keras' ``bnl_stg-1``), which users click first."""
    flag = source.name.rpartition("/")[2]
    n = len(source.layers)
    return (
        f"Old Keras created the flag {flag} inside this layer; {n} layer{'s' if n != 1 else ''} read it; "
        f"PhaseView draws it apart. That is why this layer looks connected to every other layer that reads the "
        f"flag in the Graphs tab: those edges carry the learning phase, not activations."
    )


def _listed(names: list[str], limit: int = 5) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    shown = ", ".join(names[: limit - 1])
    return f"{shown} and {len(names) - limit + 1} more"


def _gradient_why(source: str) -> str:
    return (
        f"the gradient of a layer's training/inference switch reads the learning-phase flag {source} too, to send "
        f"the gradient back through the branch that ran. It is not another layer reading the flag, and the edge "
        f"carries no activations."
    )


def display_name(analysis: GraphAnalysis, group_id: str) -> str:
    """A group as the page names it: a group inside a machinery area by its scope, with the area's title
    (``bn3a_branch2a (in the initialisers area)``), never by its synthetic id (``\u2237init/bn3a_branch2a``)."""
    for role, area in analysis.areas.items():
        if group_id.startswith(area + "/"):
            return f"{group_id[len(area) + 1 :]} (in the {AREA_TITLES[role]} area)"
    return group_id


def explain_keeps(group: str, source: str) -> str:
    """A group whose ops set, initialise or save a variable flag: they keep the flag, they pick nothing."""
    return (
        f"{group} holds ops that set, initialise or save the learning-phase flag {source} (it is kept in a "
        f"variable): they write or store its value and pick no computation, and they are not layers reading it. "
        f"The edges carry no activations."
    )


def explain_reads(group: str, source: str, layers: list[str], gradient: bool) -> str:
    """Why a group that is not a layer has phase edges going into it."""
    if gradient:
        of = f" of {_listed(layers)}" if layers else ""
        return f"{group} holds the gradients{of}: {_gradient_why(source)}"
    if layers:
        return (
            f"{group} holds the ops of {_listed(layers)} that read the learning-phase flag {source}, to pick "
            f"the training or the inference computation. The edges carry no activations."
        )
    return (
        f"{group} holds ops that read the learning-phase flag {source} outside any layer, to pick between a "
        f"training and an inference computation. The edges carry no activations."
    )


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
            "phase": _group_phase(analysis, child),
        }
        index = graph.index.get(child)
        if index is not None:  # the group is an op too (`keras_learning_phase` holds the op of that name)
            entry["op"] = graph.ops[index]
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
            "phase": _op_phase(analysis, index),
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
        contents = functions.body_contents(graph, body, GROUP_CHILD_LIMIT)
        children = [
            {
                "name": f"{group_id}/{arg}",
                "label": arg,
                "type": "op",
                "op": "_Arg",
                "role": "model",
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
                "role": "model",
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
                "path": _function_path(analysis, group_id),
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
            "path": _function_path(analysis, group_id),
            "children": children,
            "edges": [],
            "call": {"op": call.op, "inputs": call.inputs},
        }
    )
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
        "path": _function_path(analysis, node.body.id),
        "role": "model",
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
    node_phase = _op_phase(analysis, index)
    if node_phase and node_phase["role"] == "consumer":
        layer = analysis.layer_kinds.get(node_phase["layer"])
        if layer is not None:
            node_phase["layer_kind"] = layer.kind
            node_phase["explanation"] = (
                f"{name} is part of the gradient of {layer.layer}: {_gradient_why(layer.source)}"
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
        if tier is not None and not tree.is_group(name):  # an op named like its scope is found as that group
            keep(tier, 1, name.count("/"), name, index)
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
            op_index = graph.index.get(name)  # a group that is an op too carries the op's type
            matches.append(
                {
                    "name": name,
                    "op": graph.ops[op_index] if op_index is not None else None,
                    "type": "group",
                    "size": analysis.tree.size_of(name),
                    "phase": _group_phase(analysis, name),
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


def _apart_sentence(analysis: GraphAnalysis, name: str, ops: int, drawn: int, apart: list[tuple[str, int]]) -> str:
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
    return (
        f"{name} holds {answers.plural(ops, 'op')} as TensorFlow named them; its box holds {drawn:,}. Drawn apart: "
        f"{'; '.join(pieces)}."
    )


def _view_part(analysis: GraphAnalysis, name: str, view: bool):
    """The part a name stands for as TensorFlow wrote it (what the CLI answers), and its entry. In the view
    (``view``), a box whose ops are not all drawn in it says where the others are."""
    from tb_phaseview.analysis import connections

    part = connections.resolve(analysis, name)
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
            entry["apart_sentence"] = _apart_sentence(analysis, name, len(part.members), drawn, apart)
    return part, entry


def why_answer(analysis: GraphAnalysis, a: str, b: Optional[str] = None, view: bool = False) -> dict:
    """Why ``a`` and ``b`` are connected: the op-level edges between them grouped by kind, each kind with its
    sentence. Without ``b``: what enters and leaves ``a``, counted per kind. Raises KeyError for an unknown
    name (the exception's argument).

    The view asks about its boxes (``view``) and gets the CLI's answer: the parts as TensorFlow wrote them (a
    box's scope includes what is drawn apart from it, such as old Keras' flag), with ``drawn``/``apart`` saying
    which of their ops the box does not hold."""
    from tb_phaseview.analysis import connections

    graph = analysis.graph
    part_a, entry_a = _view_part(analysis, a, view)
    answer = {"version": VERSION, "a": entry_a}
    if b is None:
        inputs, outputs = connections.boundary(analysis, part_a)
        answer["inputs"] = _kind_counts(inputs)
        answer["outputs"] = _kind_counts(outputs)
        return answer
    part_b, answer["b"] = _view_part(analysis, b, view)
    by_kind: dict[str, list[int]] = {}
    for e in connections.edges_between(analysis, part_a, part_b):
        by_kind.setdefault(analysis.kinds[e], []).append(e)
    answer["total"] = sum(len(edges) for edges in by_kind.values())
    answer["kinds"] = [
        {
            "kind": kind,
            "count": len(edges),
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


def error_answer(message: str) -> dict:
    return {"version": VERSION, "error": message}
