"""Where the server's time and memory go on one large Keras-shaped graph, stage by stage, in this process.

Stages, each timed (wall and CPU), with the process's resident memory after it and tracemalloc's peak in it
(``--tracemalloc``: slows Python's allocations, so the times of a run with it are not the times to quote):

- ``tb read (python)``: TensorBoard's Python reader (``--load_fast=false``): its event multiplexer loads the
  logdir, then its data provider hands over the graph's bytes;
- ``raw count``, ``parse and build``: graphdef_reader (protobuf parsing) and graph_model;
- each analysis pass of ``analysis.analyze_graph``;
- ``first answer``: wire.graph_answer and its JSON text, as the graph route sends it.

``--tensorboard`` also starts a real TensorBoard for each ``--load_fast`` value and times, from its start, the
listing of the graph (TensorBoard's own read of the event file: the Rust data server's or the Python reader's)
and PhaseView's graph route (the whole server part of the first view), with the process's peak RSS.
``--profile FILE`` writes cProfile's statistics of the read, analysis and first answer to FILE, and those of the
background completion to FILE.completion. Usage:

    python benchmarks/profile_server.py --nodes 1000000 --shape wide [--tensorboard] [--profile /tmp/p.out]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))

from make_graphs import cached_blob, write_blob  # noqa: E402
from run_benchmark import process_tree_mb  # noqa: E402


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Stages:
    def __init__(self, trace: bool):
        self.rows = []
        self.trace = trace

    def run(self, label, fn, *args):
        if self.trace:
            tracemalloc.reset_peak()
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn(*args)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        row = {"stage": label, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "rss_mb": round(rss_mb())}
        if self.trace:
            row["traced_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20)
        self.rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        return value


def tensorboard_read(logdir: str):
    """TensorBoard's Python reader: the multiplexer loads the run, the data provider reads the graph blob."""
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.context import RequestContext

    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    ctx = RequestContext()
    sequences = provider.read_blob_sequences(ctx, experiment_id="", plugin_name="graphs", downsample=1)
    (run,) = sequences
    blob_key = sequences[run]["__run_graph__"][-1].values[0].blob_key
    return provider.read_blob(ctx, blob_key=blob_key)


def build_graph(blob: bytes, raw):
    from tensorboard.compat.proto import function_pb2

    from tb_phaseview.analysis.graph_model import build_graph_from_chunks, build_graph_from_nodes
    from tb_phaseview.read.graphdef_reader import _MARKERS, LazyNodeDefs, SlimGraph, node_chunks

    # The library's functions, as read_graph reads them: the flags' layers are told apart by the ops inside the
    # functions their conds call (without them, every call's attributes are read in vain).
    library = function_pb2.FunctionDefLibrary.FromString(raw.library).function if raw.library else []
    functions = {function.signature.name: function for function in library}
    graph = None
    chunks = node_chunks(blob, raw.node)
    if chunks is not None:
        graph = build_graph_from_chunks(chunks, _MARKERS, LazyNodeDefs(raw.node), functions)
    if graph is None:
        print("(nodes read one by one)", file=sys.stderr)
        graph = build_graph_from_nodes(SlimGraph.FromString(blob).node[:], LazyNodeDefs(raw.node), functions)
    return graph


def in_process(blob: bytes, logdir: str, trace: bool, profile_path: str | None) -> list[dict]:
    from tb_phaseview import plugin
    from tb_phaseview.analysis import phase, roles
    from tb_phaseview.analysis import pipeline as analysis_mod
    from tb_phaseview.read import graphdef_reader
    from tb_phaseview.serve import wire

    stages = Stages(trace)
    if trace:
        tracemalloc.start()
    stages.run("tb read (python, --load_fast=false)", tensorboard_read, logdir)
    gc.collect()
    profiler = cProfile.Profile() if profile_path else None
    if profiler:
        profiler.enable()
    with analysis_mod.garbage_collector_paused():
        raw = stages.run("raw count (RawGraph parse)", graphdef_reader.RawGraph.FromString, blob)
        # As graphdef_reader.read_graph: the nodes as columns a chunk at a time, each chunk's inputs resolved as it
        # comes (or one by one when not laid out as TensorFlow writes them).
        graph = stages.run("parse and build (names, ops, inputs; index, edges)", build_graph, blob, raw)
        pa = stages.run("phase.analyze_phase", phase.analyze_phase, graph)
        node_roles = stages.run("roles.classify_roles", roles.classify_roles, graph, pa.carriers)
        shared = stages.run("phase.forward_reads_of_gradient_nodes", phase.forward_reads_of_gradient_nodes, graph, pa)
        for name in shared:
            node_roles.codes[graph.index[name]] = roles.MODEL
            if node_roles.area_codes is not None:
                node_roles.area_codes[graph.index[name]] = roles.MODEL
        relocations = {s.name: analysis_mod.relocation_target(s) for s in pa.sources if s.born_in}
        relocations.update(shared)
        # As the graph route runs it: the first answer is written on the tree the machinery's large areas wait
        # for (pipeline._deferral), the whole tree is built by the background completion.
        result = stages.run(
            "edge kinds, areas, first tree (pipeline._assemble)",
            analysis_mod._assemble,
            graph,
            pa,
            node_roles,
            relocations,
        )
        ref = {"run": "keras", "kind": "run_graph", "tag": None}
        answer = stages.run("first answer (wire.graph_answer)", wire.graph_answer, result.first_view(), ref)
        text = stages.run("first answer (JSON text)", plugin._json_text, answer)
        if profiler:  # the first view's work in one file, the completion's in another
            profiler.disable()
            profiler.dump_stats(profile_path)
            profiler = cProfile.Profile()
            profiler.enable()
        stages.run("background completion (the areas' groups, children, out-edges)", result.complete)
        # The rest of plugin._complete: what every group answer reads, then one collection of all of it.
        stages.run("background completion: group answers' prerequisites", wire.prepare_group_answers, result)
    stages.run("background completion: one collection", gc.collect)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile_path + ".completion")
        pstats.Stats(profile_path).sort_stats("cumulative").print_stats(40)
    stages.rows.append({"stage": "answer bytes", "mb": round(len(text) / 1e6, 1)})
    stages.rows.append(
        {"stage": "peak RSS (VmHWM)", "mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    )
    return stages.rows


def through_tensorboard(logdir: str, load_fast: str) -> dict:
    """A real TensorBoard: seconds from its start to the graph listed, then to PhaseView's graph answer."""
    import urllib.request

    from run_benchmark import rss_mb as process_rss_mb
    from tbserver import start_tensorboard

    start = time.monotonic()
    server = start_tensorboard(logdir, load_fast=load_fast, wait_for_graphs=1, timeout=600)
    try:
        listed = time.monotonic() - start
        idle = process_rss_mb(server.process.pid)
        (run,) = [
            r["run"]
            for r in json.loads(urllib.request.urlopen(server.url + "data/plugin/phaseview/runs").read())["runs"]
        ]
        t = time.monotonic()
        body = urllib.request.urlopen(
            server.url + f"data/plugin/phaseview/graph?run={urllib.parse.quote(run)}&kind=run_graph", timeout=600
        ).read()
        answered = time.monotonic() - t
        peak = _peak_rss_mb(server.process.pid)
        return {
            "load_fast": load_fast,
            "listed_s": round(listed, 2),
            "graph_route_s": round(answered, 2),
            "answer_mb": round(len(body) / 1e6, 1),
            "rss_idle_mb": round(idle),
            "rss_after_mb": round(process_rss_mb(server.process.pid)),
            "peak_rss_mb": round(peak),
        }
    finally:
        server.stop()


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of the process and its children (the Rust data server)."""
    return process_tree_mb(pid, "VmHWM")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--shape", default="wide", choices=["nested", "wide"])
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--profile", default=None, help="write cProfile statistics here")
    parser.add_argument("--tensorboard", action="store_true", help="also time real TensorBoards (both --load_fast)")
    parser.add_argument("--no-in-process", action="store_true")
    args = parser.parse_args(argv)
    blob = cached_blob(args.nodes, args.shape)
    print(f"graph: {args.nodes:,} nodes ({args.shape}), {len(blob) / 1e6:.1f} MB", file=sys.stderr)
    results = {"nodes": args.nodes, "shape": args.shape, "mb": round(len(blob) / 1e6, 1)}
    with tempfile.TemporaryDirectory(prefix="phaseview-profile-") as root:
        write_blob(root, "keras", blob)
        if not args.no_in_process:
            results["stages"] = in_process(blob, root, args.tracemalloc, args.profile)
        if args.tensorboard:
            del blob
            results["tensorboard"] = [through_tensorboard(root, lf) for lf in ("true", "false")]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
