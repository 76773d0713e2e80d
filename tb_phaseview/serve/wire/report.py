"""The report (``tb-phaseview report``) and the Run-as answer: what runs in training and at inference."""

from __future__ import annotations

from collections import Counter

from tb_phaseview.analysis import answers, functions, phase, phase_runs, roles
from tb_phaseview.analysis.graph_model import NodeDefUnreadable
from tb_phaseview.analysis.pipeline import GraphAnalysis
from tb_phaseview.serve.wire.common import VERSION, GraphRef
from tb_phaseview.serve.wire.graph import graph_warnings, moved_answer
from tb_phaseview.serve.wire.phase_text import source_entries

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
            for s in source_entries(analysis)
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
