"""``tb-phaseview report LOGDIR [--json]``: the phase report of every graph in a logdir."""

from __future__ import annotations

import argparse
import json
import os
import sys

from tb_phaseview import graph_source, wire
from tb_phaseview.analysis import analyze


def _data_provider(logdir):
    # Imported here so `tb-phaseview --help` stays fast; this is TensorBoard's own reader (load_fast=false).
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer

    multiplexer = plugin_event_multiplexer.EventMultiplexer(
        size_guidance={}, tensor_size_guidance={}, max_reload_threads=1
    )
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, logdir)


def iter_graphs(logdir: str, load=graph_source.decode_graph):
    """Yield ``(ref, graph, error)`` for every graph in a logdir; exactly one of the last two is None.

    ``graph`` is what ``load(kind, blob)`` makes of the logged bytes: a GraphDef by default, or the analysis's
    Graph with ``graph_source.load_graph`` (as the server reads it).
    """
    from tensorboard import context

    provider = _data_provider(logdir)
    ctx = context.RequestContext()
    for ref in graph_source.list_graphs(provider, ctx, ""):
        try:
            blob_key = graph_source.find_blob(provider, ctx, "", ref)
            yield ref, load(ref["kind"], graph_source.read_blob(provider, ctx, blob_key)), None
        except (graph_source.GraphNotFound, graph_source.GraphUnreadable) as error:
            yield ref, None, str(error)


def collect_report(logdir: str) -> dict:
    """One report entry per graph; a graph that cannot be read gets an ``error`` instead of counts."""
    entries = []
    for ref, graph, error in iter_graphs(logdir, graph_source.load_graph):
        if error is None:
            try:
                entries.append(wire.report_entry(analyze(graph), ref))
                continue
            except Exception as failure:  # noqa: BLE001 - one graph's failure must not hide the others
                error = f"the graph could not be analysed ({type(failure).__name__}: {failure})"
        entries.append({**ref, "error": error})
    return {"graphs": entries}


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
        if not g["phase_sources"]:
            lines.append("  no learning-phase flag")
        for source in g["phase_sources"]:
            born = f", created inside {source['born_in']}" if source["born_in"] else ""
            lines.append(f"  phase source {source['name']} ({source['op']}{born}) read by {len(source['consumers'])} layers:")
            for layer in g["phase_layers"]:
                if layer["source"] == source["name"]:
                    lines.append(f"    {layer['layer']}  {layer['kind']}")
    if not report["graphs"]:
        lines.append("no graphs found")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tb-phaseview", description="Learning-phase report of logged graphs.")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="report every graph in LOGDIR")
    report.add_argument("logdir")
    report.add_argument("--json", action="store_true", help="print one JSON object")
    why = commands.add_parser("why", help="why two nodes or groups are connected: the edges between them by kind")
    why.add_argument("logdir")
    why.add_argument("a", help="a node or group name")
    why.add_argument("b", nargs="?", help="another node or group name (without it: what enters and leaves A)")
    why.add_argument("--run", help="the run (needed when several graphs hold A)")
    why.add_argument("--tag", help="the graph's tag (a trace or run metadata graph)")
    why.add_argument("--json", action="store_true", help="print the answer as JSON (as the why route gives it)")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.logdir):
        print(f"tb-phaseview: logdir {args.logdir!r} does not exist or is not a directory", file=sys.stderr)
        return 2
    if not os.access(args.logdir, os.R_OK | os.X_OK):
        print(f"tb-phaseview: logdir {args.logdir!r} is not readable", file=sys.stderr)
        return 2
    if args.command == "why":
        return _why(args)
    result = collect_report(args.logdir)
    print(json.dumps(result, indent=2) if args.json else format_text(result))
    return 0


def _why(args) -> int:
    """Answer ``why`` from the one graph (of the chosen run and tag) that holds both names."""
    answers = []
    for ref, graph, error in iter_graphs(args.logdir, graph_source.load_graph):
        if (args.run is not None and ref["run"] != args.run) or (args.tag is not None and ref["tag"] != args.tag):
            continue
        if error is not None:
            continue
        try:
            answers.append((ref, wire.why_answer(analyze(graph), args.a, args.b)))
        except KeyError:
            continue
    if not answers:
        names = f"{args.a!r}" + (f" and {args.b!r}" if args.b else "")
        print(f"tb-phaseview: no graph holds {names}", file=sys.stderr)
        return 2
    if len(answers) > 1:
        where = ", ".join(f"{ref['run']}" + (f" (tag {ref['tag']})" if ref["tag"] else "") for ref, _ in answers)
        print(f"tb-phaseview: several graphs hold these names ({where}); choose one with --run/--tag", file=sys.stderr)
        return 2
    ref, answer = answers[0]
    answer = {"run": ref["run"], "kind": ref["kind"], "tag": ref["tag"], **answer}
    print(json.dumps(answer, indent=2) if args.json else wire.format_why(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
