"""The layer summary as JSON (``tb-phaseview summary --json`` and the ``summary`` route), CSV, Markdown and
text, like Keras's ``model.summary()``."""

from __future__ import annotations

import csv
import io

from tb_phaseview.analysis import layers, shapes
from tb_phaseview.serve import wire


def _phase_words(kind: str | None) -> str | None:
    if kind is None:
        return None
    return f"training: {wire.layer_does(kind, True)}; inference: {wire.layer_does(kind, False)}"


def _shape_list(shape) -> list | None:
    if shape is False or shape is None:
        return None
    return list(shape)


def _path(analysis, name: str) -> list[str]:
    """The display path that leads to a layer (the groups above it), as every answer pointing at a node has."""
    tree = analysis.tree
    if tree.is_group(name):
        return list(tree.chain(name))[:-1]
    return analysis.path_of_node(analysis.graph.index[name])


def row_labels(names_within: list[tuple[str, str | None]], inputs: frozenset = frozenset()) -> tuple[str, list[str]]:
    """(the scope every layer shares, what each row shows of its layer's name), the rows in order: a traced step's
    layers all sit in ``graph_22/StatefulPartitionedCall/model_1/``, said once; a layer inside a layer, in the rows
    right after the one holding it, is named within it, as Keras's ``expand_nested`` prints it (a holder that
    computes comes in data-flow order, apart from its layers: they keep their path). The scope is "" when they
    share none; a name is never cut to nothing. ``inputs``: the input layers, which need not share it (fed from
    above the model), named whole when outside it."""
    scope = layers.model_scope([(name, "InputLayer" if name in inputs else "") for name, _ in names_within])
    labels = []
    open_holders: list[str] = []  # the holders whose rows the current row follows without a break
    for name, within in names_within:
        while open_holders and open_holders[-1] != within:
            open_holders.pop()
        under = bool(within) and name.startswith(within + "/") and bool(open_holders)
        labels.append(name[len(within) + 1 :] if under else layers.within_scope(name, scope))
        if not under:
            open_holders = []
        open_holders.append(name)
    return scope, labels


def summary_entry(analysis, ref: dict) -> dict:
    """One graph's summary: totals and layers (docs/wire_format.md, *Summary*)."""
    summary = analysis.memo(("summary",), lambda: layers.summarize(analysis))
    inputs = frozenset(layer.name for layer in summary.layers if layer.type == "InputLayer")
    scope, labels = row_labels([(layer.name, layer.within) for layer in summary.layers], inputs)
    unknown = layers.unknown_params(summary.layers)
    return {
        **ref,
        "total_params": summary.total_params,
        "trainable_params": summary.trainable_params,
        "non_trainable_params": summary.non_trainable_params,
        "machinery_params": summary.machinery_params,
        "unknown_variables": summary.unknown_variables,
        "replicas": summary.replicas,
        # A frozen graph's weights are constants: its counts are those of the constants its layers compute with.
        "holds_variables": bool(analysis.roles.variables) or summary.parameters_read,
        "frozen_weights": summary.frozen_weights,
        "frozen_params": summary.frozen_params,
        "scope": scope,
        "layers": [
            {
                "name": layer.name,
                "label": label,
                "type": layer.type,
                "output_shape": _shape_list(layer.output_shape),
                "output_shape_text": shapes.format_shape(layer.output_shape) if layer.output_shape is not False else "",
                "params": layer.params,
                "trainable_params": layer.trainable_params,
                "unknown_params": unknown[layer.name],
                "learning_phase": _phase_words(layer.phase_kind),
                "within": layer.within,
                "holds_layers": layer.holds_layers,
                "path": _path(analysis, layer.name),
                "variables": [
                    {
                        "name": v.variable.name,
                        "shape": _shape_list(v.variable.shape),
                        "dtype": v.variable.dtype,
                        "size": v.variable.size,
                        "trainable": v.trainable,
                        "frozen": v.frozen,
                    }
                    for v in layer.variables
                ],
            }
            for layer, label in zip(summary.layers, labels)
        ],
    }


def count_words(n: int) -> str:
    """``1.2 M``, ``23 k``, ``512``: a parameter count at a glance (``1,052.7 M`` past a thousand millions, as
    the counts of layers and ops are written). Rounded half up in integers, as the frontend's ``countWords``
    does, so the CLI and the tab say the same of one count: rounding floats, 12,500 was ``12 k`` here and
    ``13 k`` in the tab, and 1,450 was ``1.4 k`` in both; now ``13 k`` and ``1.5 k``."""
    if n >= 999_500:  # what rounds to a thousand k reads as millions
        tenths = (n + 50_000) // 100_000
        return f"{tenths // 10:,}.{tenths % 10} M"
    if n >= 9_950:
        return f"{(n + 500) // 1000} k"
    if n >= 1_000:
        tenths = (n + 50) // 100
        return f"{tenths // 10}.{tenths % 10} k"
    return str(n)


NO_VARIABLES = "no variables: weights held as constants or fed as inputs are not counted"


def frozen_words(entry: dict) -> str:
    """What a frozen graph's counts are: ``frozen graph: the weights are 10 constants (521,834 values)``."""
    n = entry.get("frozen_weights", 0)
    return f"frozen graph: the weights are {n:,} constant{'s' if n != 1 else ''} ({entry['frozen_params']:,} values)"


def totals_line(entry: dict) -> str:
    """``1.5 M params (10 k non-trainable) · 4 in the machinery``."""
    if entry.get("holds_variables") is False:
        if not entry.get("frozen_weights"):
            return NO_VARIABLES
        words = f"{count_words(entry['total_params'])} params ({count_words(entry['non_trainable_params'])} "
        return words + f"non-trainable) · {frozen_words(entry)}"
    line = f"{count_words(entry['total_params'])} params ({count_words(entry['non_trainable_params'])} non-trainable)"
    if entry.get("machinery_params"):
        line += f" · {count_words(entry['machinery_params'])} more in the machinery (optimizer slots, step counters)"
    if entry.get("unknown_variables"):
        line += f" · {unknown_words(entry)}"
    if entry.get("replicas", 1) > 1:
        line += f" · {replica_words(entry)}"
    return line


def replica_words(entry: dict) -> str:
    """A model run on several replicas (MirroredStrategy): each holds a copy of every weight, counted once."""
    return f"run on {entry['replicas']} replicas: each weight counted once (the machinery counts every copy)"


def unknown_words(entry: dict) -> str:
    """The model variables whose size the graph does not say, which the totals leave out (they are no zero)."""
    n = entry["unknown_variables"]
    return f"{n:,} variable{'s' if n != 1 else ''} of unknown size not counted"


_COLUMNS = ("layer", "type", "output shape", "params", "trainable params", "learning phase")


def _rows(entry: dict) -> list[tuple]:
    return [
        (
            layer["name"],
            layer["type"],
            layer["output_shape_text"],
            layer["params"],
            layer["trainable_params"],
            layer["learning_phase"] or "",
        )
        for layer in entry["layers"]
    ]


def params_words(layer: dict) -> str:
    """A row's parameters as the table shows them: ``9,408``, ``32 + ?`` when some are of unknown size, ``?`` when
    all are (an embedding's table: the graph holds no row count)."""
    if layer.get("unknown_params"):
        return f"{layer['params']:,} + ?" if layer["params"] else "?"
    return f"{layer['params']:,}"


def _title(entry: dict) -> str:
    return f"{entry['run']}  {entry['kind']}" + (f"  tag={entry['tag']}" if entry.get("tag") is not None else "")


def format_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("run", "kind", "tag", *_COLUMNS))
    for entry in report["graphs"]:
        if "error" in entry:
            continue
        for row in _rows(entry):
            writer.writerow((entry["run"], entry["kind"], entry["tag"] or "", *row))
    return out.getvalue().rstrip("\n")


def _markdown_cell(value) -> str:
    return str(value).replace("|", "\\|")


def format_markdown(report: dict) -> str:
    lines = []
    for entry in report["graphs"]:
        lines.append(f"### {_title(entry)}")
        lines.append("")
        if "error" in entry:
            lines.append(f"error: {entry['error']}")
            lines.append("")
            continue
        lines.append("| " + " | ".join(_COLUMNS) + " |")
        lines.append("|" + "---|" * len(_COLUMNS))
        for layer, row in zip(entry["layers"], _rows(entry)):
            cells = [f"{v:,}" if isinstance(v, int) else v for v in row]
            cells[3] = params_words(layer)
            lines.append("| " + " | ".join(_markdown_cell(v) for v in cells) + " |")
        lines.append("")
        lines.append(totals_line(entry))
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def format_text(report: dict) -> str:
    lines = []
    for entry in report["graphs"]:
        lines.append(_title(entry))
        if "error" in entry:
            lines.append(f"  error: {entry['error']}")
            continue
        labels = [layer.get("label", layer["name"]) for layer in entry["layers"]]
        if entry.get("scope"):
            lines.append(f"  layers in {entry['scope']}")
        depth: dict[str, int] = {}
        for layer, label in zip(entry["layers"], labels):  # a layer named within its holder is indented under it
            under = layer.get("within") and layer["name"] == f"{layer['within']}/{label}"
            depth[layer["name"]] = depth.get(layer["within"], 0) + 1 if under else 0
        rows = [
            ("  " * depth[layer["name"]] + label, r[1], r[2], params_words(layer))
            for layer, label, r in zip(entry["layers"], labels, _rows(entry))
        ]
        header = ("layer", "type", "output shape", "params")
        widths = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(4)]
        lines.append(("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths))).rstrip())
        for row in rows:
            lines.append(
                "  " + "  ".join(v.ljust(w) if i < 3 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths)))
            )
        if entry.get("holds_variables") is False and not entry.get("frozen_weights"):
            lines.append(f"  {NO_VARIABLES}")
            continue
        lines.append(
            f"  total params: {entry['total_params']:,}  trainable: {entry['trainable_params']:,}  "
            f"non-trainable: {entry['non_trainable_params']:,}"
        )
        if entry["machinery_params"]:
            lines.append(f"  not counted (the machinery's variables): {entry['machinery_params']:,}")
        if entry.get("unknown_variables"):
            lines.append(f"  {unknown_words(entry)}")
        if entry.get("replicas", 1) > 1:
            lines.append(f"  {replica_words(entry)}")
        if entry.get("frozen_weights"):
            lines.append(f"  {frozen_words(entry)}")
    lines.extend(wire.closing_lines(report))
    return "\n".join(lines)
