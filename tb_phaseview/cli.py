"""``tb-phaseview report PATH [--json]``: the phase report of every graph in a logdir, or of a model file (a
GraphDef ``.pb``/``.pbtxt``, a ``.meta`` MetaGraphDef, a SavedModel directory)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

from tb_phaseview.analysis import answers, overrides
from tb_phaseview.analysis.pipeline import analyze, with_model
from tb_phaseview.read import graph_source, model_files
from tb_phaseview.serve import summary_table, wire


def _run_directories(logdir: str, problems: list) -> list[tuple[str, str]]:
    """(run name, folder) of every folder under ``logdir`` holding an event file, named as TensorBoard names runs.

    Walked here rather than by TensorBoard's multiplexer, whose walk stops at the first folder it cannot list:
    such a folder is noted in ``problems`` and the walk goes on.
    """
    from tensorboard.backend.event_processing import io_wrapper

    def unreadable(error: OSError) -> None:
        problems.append(
            {
                "path": os.path.relpath(error.filename or logdir, logdir),
                "error": f"folder not readable ({error.strerror or error})",
            }
        )

    runs = []
    for folder, subfolders, files in os.walk(logdir, onerror=unreadable):
        subfolders.sort()
        if any(io_wrapper.IsSummaryEventsFile(os.path.join(folder, f)) for f in files):
            runs.append((os.path.relpath(folder, logdir), folder))
    return runs


def _data_provider(logdir, problems: list):
    # Imported here so `tb-phaseview --help` stays fast; this is TensorBoard's own reader (load_fast=false).
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer

    multiplexer = plugin_event_multiplexer.EventMultiplexer(
        size_guidance={}, tensor_size_guidance={}, max_reload_threads=1
    )
    for name, folder in _run_directories(logdir, problems):
        multiplexer.AddRun(folder, name=name)
    # Each run read on its own: a record that is not an Event (or a file that cannot be read) stops that run's
    # reading, where TensorBoard's Reload would stop every run's. What was read before it is still reported.
    for name in sorted(multiplexer.Runs()):
        try:
            multiplexer.GetAccumulator(name).Reload()
        except Exception as error:  # noqa: BLE001 - one run's broken file must not lose the others
            problems.append(
                {
                    "path": name,
                    "error": f"reading this run's event files stopped: "
                    f"{_one_line(error)}; the graphs read before it are reported",
                }
            )
    return data_provider.MultiplexerDataProvider(multiplexer, logdir)


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__


def iter_graphs(
    logdir: str, load=graph_source.decode_graph, problems: list | None = None, config_only: list | None = None
):
    """Yield ``(ref, graph, error)`` for every graph in a logdir; exactly one of the last two is None.

    ``graph`` is what ``load(kind, blob)`` makes of the logged bytes: a GraphDef by default, or the analysis's
    Graph with ``graph_source.load_graph`` (as the server reads it). Folders and runs that could not be read are
    appended to ``problems`` (``{"path", "error"}``); runs that logged only Keras's model config, no op graph,
    to ``config_only``.
    """
    from tensorboard import context

    provider = _data_provider(logdir, [] if problems is None else problems)
    ctx = context.RequestContext()
    refs = graph_source.list_graphs(provider, ctx, "")
    if config_only is not None:
        config_only.extend(graph_source.runs_with_model_config_only(provider, ctx, "", refs))
    for ref in refs:
        try:
            blob_key = graph_source.find_blob(provider, ctx, "", ref)
            yield ref, load(ref["kind"], graph_source.read_blob(provider, ctx, blob_key)), None
        except (graph_source.GraphNotFound, graph_source.GraphUnreadable) as error:
            yield ref, None, str(error)


def _run_name(run: str, logdir: str) -> str:
    """TensorBoard names the run of event files lying in LOGDIR itself ``.``; the report names it after the
    folder, as a user who passed one run's folder knows it."""
    if run != ".":
        return run
    return os.path.basename(os.path.normpath(os.path.abspath(logdir))) or run


def _graphs_of(path: str, problems: list, config_only: list | None = None):
    """``(ref, graph, error)`` for every graph of a model file, or of a logdir (as the server reads them)."""
    if model_files.is_model_path(path):
        return model_files.iter_model_graphs(path)
    return iter_graphs(path, graph_source.load_graph, problems, config_only)


def _analyze(graph, model: tuple[str, ...] = ()):
    """The analysis, with the ops and scopes ``model`` names moved to the model (``--model``)."""
    analysis = analyze(graph)
    return with_model(analysis, model) if model else analysis


def collect_report(path: str, nodes: bool = False, model: tuple[str, ...] = ()) -> dict:
    """One report entry per graph of a logdir or model file; a graph that cannot be read gets an ``error``
    instead of counts. Folders and runs of a logdir that could not be read are listed in ``errors``. With
    ``nodes``, each entry lists every node with its role and area (``node_list``). ``model``: op and scope
    names moved to the model, as the tab's *Move to model* does."""

    def entry_of(graph, ref):
        analysis = _analyze(graph, model)
        entry = wire.report_entry(analysis, ref)
        if nodes:
            entry["node_list"] = wire.node_list(analysis)
        return entry

    result = _collect(path, entry_of)
    if not result["graphs"] and not result["errors"] and not model_files.is_model_path(path):
        mistake = model_files.not_a_model(path)
        if mistake:  # a folder that looks like a model and holds no graph: say so, not nothing
            result["errors"].append(mistake)
    return result


def collect_summary(path: str) -> dict:
    """The layer summary (``summary_table.summary_entry``) of every graph of a logdir or model file; a graph that
    cannot be read gets an ``error`` instead."""
    return _collect(path, lambda graph, ref: summary_table.summary_entry(analyze(graph), ref))


def _collect(path: str, entry_of) -> dict:
    """``entry_of(graph, ref)`` for every graph of a logdir or model file, in order; a graph that cannot be read
    or analysed gets an ``error`` instead, and the logdir's unreadable folders and runs are listed in ``errors``."""
    entries = []
    problems: list = []
    config_only: list = []
    for ref, graph, error in _graphs_of(path, problems, config_only):
        ref = {**ref, "run": _run_name(ref["run"], path)}
        if error is None:
            try:
                entries.append(entry_of(graph, ref))
                continue
            except Exception as failure:  # noqa: BLE001 - one graph's failure must not hide the others
                error = f"the graph could not be analysed ({type(failure).__name__}: {failure})"
        entries.append({**ref, "error": error})
    configs = [_run_name(run, path) for run in config_only]
    return {"graphs": entries, "errors": problems, "model_config_only": configs}


def format_text(report: dict) -> str:
    lines = []
    for g in report["graphs"]:
        title = f"{g['run']}  {g['kind']}" + (f"  tag={g['tag']}" if g["tag"] is not None else "")
        lines.append(title)
        if "error" in g:
            lines.append(f"  error: {g['error']}")
            continue
        counts = g["edge_counts"]
        kinds = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count or kind in ("data", "phase"))
        lines.append(f"  {g['nodes']} nodes, {g['edges']} edges ({kinds})")
        roles = ", ".join(f"{count} {role}" for role, count in g["node_roles"].items() if count)
        lines.append(f"  node roles: {roles}")
        for entry in g.get("moved_to_model", {}).get("entries", ()):
            was = ", ".join(f"{count} {role}" for role, count in entry["roles"].items()) or "nothing to move"
            lines.append(f"  moved to the model (--model): {entry['name']} ({was})")
        if not g["phase_sources"]:
            lines.append("  no learning-phase flag")
        for source in g["phase_sources"]:
            born = f", created inside {source['born_in']}" if source["born_in"] else ""
            readers = answers.plural(len(source["consumers"]), "layer")
            lines.append(f"  phase source {source['name']} ({source['op']}{born}) read by {readers}:")
            mine = [layer for layer in g["phase_layers"] if layer["source"] == source["name"]]
            for layer in sorted(mine, key=lambda layer: _natural(layer["layer"])):
                lines.append(f"    {layer['layer']}  {layer['kind']}")
            lines.extend("  " + line for line in _resolution_lines(source))
        if len(g["phase_sources"]) > 1:
            lines.append(f"  {answers.plural(g['phase_layer_count'], 'distinct layer')} read these flags")
        for warning in g.get("warnings", []):
            lines.append(f"  warning: {warning}")
    lines.extend(wire.closing_lines(report))
    return "\n".join(lines)


def _natural(name: str) -> list:
    """Sort key reading runs of digits as numbers: dropout_2 before dropout_10, as a person lists layers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name)]


def _resolution_lines(source: dict) -> list[str]:
    default = {True: "true", False: "false", None: "none (must be fed)"}[source["default"]]
    if source["variable"]:
        default = {True: "true", False: "false", None: "unknown"}[source["default"]] + " (initial value)"
    lines = [f"default: {default}"]
    only, branch, used = source["ops_only_when"], source["branch_ops_only_when"], source["used_only_when"]
    for key, phase_name in (("true", "training"), ("false", "inference")):
        inside = f" ({branch[key]} inside If branches)" if branch[key] else ""
        lines.append(f"ops that run only when it is {key} ({phase_name}): {only[key]}{inside}")
    for key in ("true", "false"):
        if used[key]:
            lines.append(f"ops computed in both phases whose result only the {key} side uses: {used[key]}")
    if source["writers"]:
        lines.append(f"writers: {', '.join(source['writers'])}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tb-phaseview", description="Learning-phase report of logged graphs.")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "report", help="report every graph in LOGDIR, or of a model file (.pb, .pbtxt, .meta, SavedModel directory)"
    )
    report.add_argument("logdir", metavar="LOGDIR_OR_MODEL")
    report.add_argument("--json", action="store_true", help="print one JSON object")
    report.add_argument(
        "--nodes", action="store_true", help="with --json: list every node with its role and area (node_list)"
    )
    why = commands.add_parser("why", help="why two nodes or groups are connected: the edges between them by kind")
    why.add_argument("logdir")
    why.add_argument("a", help="a node or group name")
    why.add_argument("b", nargs="?", help="another node or group name (without it: what enters and leaves A)")
    why.add_argument("--run", help="the run (needed when several graphs hold A)")
    why.add_argument("--tag", help="the graph's tag (a trace or run metadata graph)")
    why.add_argument("--json", action="store_true", help="print the answer as JSON (as the why route gives it)")
    for command in (report, why):
        command.add_argument(
            "--model",
            action="append",
            default=[],
            metavar="NAME",
            help="move this op (NAME) or scope (NAME/: its op and every op below it) to the model, as the tab's"
            " Move to model does; repeatable",
        )
    summary = commands.add_parser(
        "summary", help="the model's layers in data-flow order, with output shapes and parameter counts"
    )
    summary.add_argument("logdir", metavar="LOGDIR_OR_MODEL")
    formats = summary.add_mutually_exclusive_group()
    for name in ("json", "csv", "markdown"):
        formats.add_argument(f"--{name}", action="store_true", help=f"print the table as {name.upper()}")
    compare = commands.add_parser(
        "diff", help="what changed between the architectures of two graphs (logdirs, runs or model files)"
    )
    compare.add_argument("a", metavar="A")
    compare.add_argument("b", metavar="B")
    compare.add_argument("--run-a", help="the run of A (needed when A holds several graphs)")
    compare.add_argument("--run-b", help="the run of B (needed when B holds several graphs)")
    compare.add_argument("--json", action="store_true", help="print one JSON object")
    compare.add_argument("--exit-code", action="store_true", help="exit 1 when the architectures differ")
    args = parser.parse_args(argv)
    if args.command == "diff":
        from tb_phaseview import diff_cli  # it reads graphs through this module's helpers

        return diff_cli.main(args)

    if model_files.is_model_path(args.logdir):
        if not os.access(args.logdir, os.R_OK):
            print(f"tb-phaseview: {args.logdir!r} is not readable", file=sys.stderr)
            return 2
    elif not os.path.isdir(args.logdir):
        print(f"tb-phaseview: logdir {args.logdir!r} does not exist or is not a directory", file=sys.stderr)
        return 2
    elif not os.access(args.logdir, os.R_OK | os.X_OK):
        print(f"tb-phaseview: logdir {args.logdir!r} is not readable", file=sys.stderr)
        return 2
    model: tuple[str, ...] = ()
    if args.command in ("report", "why"):
        try:
            model = overrides.normalise(args.model)
        except overrides.BadEntries as error:
            print(f"tb-phaseview: --model: {error}", file=sys.stderr)
            return 2
    if args.command == "why":
        try:
            return _why(args, model)
        except model_files.ModelFileError as error:
            print(f"tb-phaseview: {error}", file=sys.stderr)
            return 2
    try:
        if args.command == "summary":
            result = collect_summary(args.logdir)
            text = _format_summary(result, args)
        else:
            result = collect_report(args.logdir, nodes=args.nodes and args.json, model=model)
            text = json.dumps(result, indent=2) if args.json else format_text(result)
    except model_files.ModelFileError as error:
        print(f"tb-phaseview: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - a last resort: one line, never a traceback
        print(f"tb-phaseview: could not report on {args.logdir!r}: {_one_line(error)}", file=sys.stderr)
        return 2
    _print_quietly(text)
    return 0


def _print_quietly(text: str) -> None:
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head -1`): that is its choice, not an error. Point stdout at devnull so
        # the interpreter's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _format_summary(result: dict, args) -> str:
    if args.json:
        return json.dumps(result, indent=2)
    if args.csv:
        return summary_table.format_csv(result)
    if args.markdown:
        return summary_table.format_markdown(result)
    return summary_table.format_text(result)


def _why(args, model: tuple[str, ...] = ()) -> int:
    """Answer ``why`` from the one graph (of the chosen run and tag) that holds both names."""
    found = []
    for ref, graph, error in _graphs_of(args.logdir, []):
        if (args.run is not None and ref["run"] != args.run) or (args.tag is not None and ref["tag"] != args.tag):
            continue
        if error is not None:
            continue
        try:
            found.append((ref, wire.why_answer(_analyze(graph, model), args.a, args.b)))
        except KeyError:
            continue
    if not found:
        names = f"{args.a!r}" + (f" and {args.b!r}" if args.b else "")
        print(f"tb-phaseview: no graph holds {names}", file=sys.stderr)
        return 2
    if len(found) > 1:
        where = ", ".join(f"{ref['run']}" + (f" (tag {ref['tag']})" if ref["tag"] else "") for ref, _ in found)
        print(f"tb-phaseview: several graphs hold these names ({where}); choose one with --run/--tag", file=sys.stderr)
        return 2
    ref, answer = found[0]
    answer = {"run": ref["run"], "kind": ref["kind"], "tag": ref["tag"], **answer}
    _print_quietly(json.dumps(answer, indent=2) if args.json else wire.format_why(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
