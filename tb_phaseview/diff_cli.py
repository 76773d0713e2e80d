"""``tb-phaseview diff A B [--run-a R] [--run-b R] [--json] [--exit-code]``: what changed between the
architectures of two graphs, for a person or a CI job (exit 1 with ``--exit-code`` when they differ)."""

from __future__ import annotations

import json
import os
import sys

from tb_phaseview import cli
from tb_phaseview.analysis import diff
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.read import model_files
from tb_phaseview.serve.wire.graph import MODEL_CONFIG_ONLY


class Refused(Exception):
    """A side that names no single readable graph; the message says what to do."""


def pick_graph(path: str, run: str | None):
    """``(ref, graph)`` of the one graph of ``path`` (a logdir, a run's folder or a model file) in ``run``.
    A run graph is preferred over trace and metadata graphs of the same run."""
    if not os.path.exists(path):
        raise Refused(f"{path!r} does not exist")
    if not model_files.is_model_path(path) and not os.path.isdir(path):
        raise Refused(f"{path!r} is neither a logdir nor a model file (.pb, .pbtxt, .meta, SavedModel directory)")
    found, errors, config_only = [], [], []
    for ref, graph, error in cli._graphs_of(path, [], config_only):
        ref = {**ref, "run": cli._run_name(ref["run"], path)}
        if run is not None and ref["run"] != run:
            continue
        (errors if error else found).append((ref, graph if error is None else error))
    runs = {ref["run"] for ref, _ in found}
    if not found:
        why = f"; {errors[0][1]}" if errors else ""
        if not errors and config_only:
            why = f"; {cli._run_name(config_only[0], path)} {MODEL_CONFIG_ONLY}"
        where = f" in run {run!r}" if run is not None else ""
        raise Refused(f"no readable graph{where} in {path!r}{why}")
    if len(runs) > 1:
        raise Refused(f"{path!r} holds several runs ({', '.join(sorted(runs))}); choose one with --run-a/--run-b")
    run_graphs = [(ref, graph) for ref, graph in found if ref["kind"] == "run_graph"]
    return (run_graphs or found)[0]


def format_text(answer: dict) -> str:
    lines = [answer["sentence"], f"A: {_title(answer['a'])}", f"B: {_title(answer['b'])}"]
    marks = {"same": " ", "changed": "~", "added": "+", "removed": "-"}
    for side in ("a", "b"):
        if answer[side]["scope"]:
            lines[-1 if side == "b" else 1] += f"; layers in {answer[side]['scope']}"
    for row in answer["rows"]:
        a, b = row["a"], row["b"]
        name = (
            (a or b)["label"] if a is None or b is None or a["label"] == b["label"] else f"{a['label']} -> {b['label']}"
        )
        what = f"  ({'; '.join(row['what'])})" if row["what"] else ""
        lines.append(f"  {marks[row['status']]} {name}  {(b or a)['type']}{what}")
    for area in answer["machinery"]:
        lines.append(f"  machinery {area['role']}: {area['a']:,} -> {area['b']:,} ops")
    for side in ("a", "b"):
        flags = answer[side]["flags"]
        said = ", ".join(f"{f['name']} ({f['op']})" for f in flags) or "none"
        scope = answer[side]["scope"]
        readers = ", ".join(name[len(scope) :] or name for name in answer[side]["flag_readers"]) or "none"
        lines.append(f"  {side.upper()} learning-phase flag: {said}; read by: {readers}")
    for lost in answer["lost"]:
        lines.append(f"  B lost: {lost}")
    return "\n".join(lines)


def _title(side: dict) -> str:
    tag = f" tag={side['tag']}" if side.get("tag") else ""
    return f"{side['run']} {side['kind']}{tag}: {side['layers']} layers, {side['total_params']:,} parameters"


def main(args) -> int:
    try:
        ref_a, graph_a = pick_graph(args.a, args.run_a)
        ref_b, graph_b = pick_graph(args.b, args.run_b)
        answer = diff.diff_json(diff.compare(analyze(graph_a), analyze(graph_b)), ref_a, ref_b)
    except (Refused, model_files.ModelFileError) as error:
        print(f"tb-phaseview: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - a last resort: one line, never a traceback
        print(f"tb-phaseview: could not compare {args.a!r} and {args.b!r}: {cli._one_line(error)}", file=sys.stderr)
        return 2
    try:
        print(json.dumps(answer, indent=2, ensure_ascii=False) if args.json else format_text(answer))
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if args.exit_code and answer["differs"] else 0
