"""Write benchmark logdirs: graphs of about 1k, 10k, 50k and 200k nodes shaped like Keras graphs.

Each graph tiles the demo ResNet (real tf_keras output, with its training ops), all copies reading one root
``keras_learning_phase``, so the name depth, op mix and phase-edge density are those of a real Keras graph.
Two shapes: ``nested`` puts each copy under a ``replica_<i>/`` scope (a small top level, like a model made
of sub-models); ``wide`` suffixes each copy's layer names as Keras does for repeated layers, so the top level
grows with the graph. Written as a run graph event with TensorBoard's event writer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from tensorboard.compat.proto import event_pb2, graph_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from tb_phaseview.cli import iter_graphs  # noqa: E402

SIZES = {"1k": 1_000, "10k": 10_000, "50k": 50_000, "200k": 200_000, "1M": 1_000_000, "2M": 2_000_000}
# What `make bench` times unless told otherwise: the 1M and 2M graphs take minutes a sample (opt-in).
ROUTINE_SIZES = ("1k", "10k", "50k", "200k")
# Real Keras applications after one fit step (keras_application.py), written once and kept here: (model, input
# size, flavour): tf_keras's graph-mode session graph, or Keras 3's fit traced by its TensorBoard callback.
APPLICATIONS = {
    "EfficientNetB7 fit": ("EfficientNetB7", 32, "tf_keras"),
    "EfficientNetB7 Keras 3 trace": ("EfficientNetB7", 32, "keras3_trace"),
}
CACHE = os.path.join(HERE, ".cache")
FLAG = "keras_learning_phase"


def seed_graph():
    for ref, graph_def, _error in iter_graphs(os.path.join(os.path.dirname(HERE), "demo_logs")):
        if ref["run"] == "resnet_tf_keras":
            return graph_def
    raise SystemExit("demo_logs/resnet_tf_keras is missing: run `make demo-logs`")


def _nested(name: str, i: int) -> str:
    return f"replica_{i}/{name}"


def _wide(name: str, i: int) -> str:
    # Keras uniquifies repeated layer names with a suffix: every copy's layers stay at the top level.
    head, sep, rest = name.partition("/")
    return f"{head}_r{i}{sep}{rest}"


SHAPES = {"nested": _nested, "wide": _wide}


def tiled(seed, target_nodes: int, shape: str = "nested"):
    """Copies of ``seed`` until about ``target_nodes`` nodes; the flag stays shared.

    ``nested`` puts each copy under its own top-level scope (a model of sub-models: a small top level);
    ``wide`` renames each copy's layers with a suffix, as Keras does for repeated layers, so the top level
    grows with the graph (about 110 top-level scopes per copy of the ResNet).
    """
    rename = SHAPES[shape]
    out = graph_pb2.GraphDef()
    out.versions.CopyFrom(seed.versions)
    out.library.CopyFrom(seed.library)
    shared = {FLAG, FLAG + "/input"}
    for node in seed.node:
        if node.name in shared:
            out.node.add().CopyFrom(node)
    per_copy = len(seed.node) - len(shared)
    copies = max(1, round((target_nodes - len(shared)) / per_copy))
    if target_nodes < per_copy:
        # Smaller than one ResNet: keep a prefix of the nodes in graph order (inputs come first in Keras
        # graphs), dropping inputs that point past the cut.
        keep = [n for n in seed.node if n.name not in shared][: target_nodes - len(shared)]
        names = {n.name for n in keep} | shared
        for node in keep:
            copy = out.node.add()
            copy.CopyFrom(node)
            del copy.input[:]
            copy.input.extend(i for i in node.input if i.lstrip("^").split(":")[0] in names)
        return out
    for i in range(copies):
        for node in seed.node:
            if node.name in shared:
                continue
            copy = out.node.add()
            copy.CopyFrom(node)
            copy.name = rename(node.name, i)
            del copy.input[:]
            for raw in node.input:
                control = raw.startswith("^")
                bare = raw[1:] if control else raw
                name = bare.split(":")[0]
                renamed = bare if name in shared else rename(bare, i)
                copy.input.append(("^" if control else "") + renamed)
    return out


def application_blob(model: str, size: int, flavour: str = "tf_keras") -> bytes:
    """The serialised GraphDef of a real Keras application at input ``size`` after one fit step, as ``flavour``
    logs it (APPLICATIONS) (TensorFlow runs in a child process; the bytes are kept in benchmarks/.cache, so the graph
    is built once per machine)."""
    keras3 = flavour == "keras3_trace"
    path = os.path.join(CACHE, f"{model}_{size}_{'keras3_trace' if keras3 else 'fit'}.pb")
    if not os.path.isfile(path):
        os.makedirs(CACHE, exist_ok=True)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="0" if keras3 else "1")
        script = os.path.join(HERE, "keras_application.py")
        command = [sys.executable, script, path + ".tmp", "--model", model, "--size", str(size)]
        subprocess.run(command + (["--keras3-trace"] if keras3 else []), check=True, env=env)
        os.replace(path + ".tmp", path)
    with open(path, "rb") as f:
        return f.read()


def application_graph(label: str):
    """The GraphDef of one of APPLICATIONS (``application_blob``)."""
    graph = graph_pb2.GraphDef()
    graph.ParseFromString(application_blob(*APPLICATIONS[label]))
    return graph


def comparison_pairs() -> list[tuple[str, bytes, bytes]]:
    """The pairs the architecture diff is timed on, in-process (diff_timing.py) and in the browser
    (compare_browser.py): EfficientNetB7 after one fit step at inputs 32 and 48 (the same layers, other shapes),
    and the 200k tiled graphs, nested against wide. Each as (label, serialised graph a, serialised graph b)."""
    return [
        (
            "EfficientNetB7 fit, input 32 vs 48",
            application_blob("EfficientNetB7", 32),
            application_blob("EfficientNetB7", 48),
        ),
        ("200k nested vs 200k wide", cached_blob(200_000, "nested"), cached_blob(200_000, "wide")),
    ]


def write(logdir: str, name: str, graph) -> str:
    return write_blob(logdir, name, graph if isinstance(graph, bytes) else graph.SerializeToString())


def write_blob(logdir: str, name: str, blob: bytes) -> str:
    run_dir = os.path.join(logdir, name)
    os.makedirs(run_dir, exist_ok=True)
    writer = EventFileWriter(run_dir)
    writer.add_event(event_pb2.Event(wall_time=1.0, graph_def=blob))
    writer.close()
    return run_dir


def cached_blob(nodes: int, shape: str) -> bytes:
    """The serialised tiled graph of about ``nodes`` nodes, kept in benchmarks/.cache (a 1M-node graph takes
    about a minute to tile with protobuf's Python API)."""
    path = os.path.join(CACHE, f"tiled_{shape}_{nodes}.pb")
    if not os.path.isfile(path):
        os.makedirs(CACHE, exist_ok=True)
        with open(path + ".tmp", "wb") as f:
            f.write(tiled(seed_graph(), nodes, shape).SerializeToString())
        os.replace(path + ".tmp", path)
    with open(path, "rb") as f:
        return f.read()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("outdir")
    parser.add_argument("--sizes", default=",".join(ROUTINE_SIZES), help="of " + ", ".join(SIZES))
    parser.add_argument("--shape", default="nested", choices=list(SHAPES))
    parser.add_argument("--applications", action="store_true", help="also write " + ", ".join(APPLICATIONS))
    args = parser.parse_args(argv)
    seed = seed_graph()
    if args.applications:
        for label in APPLICATIONS:
            graph = application_graph(label)
            write(os.path.join(args.outdir, label.replace(" ", "_")), label.replace(" ", "_"), graph)
            print(f"{label}: {len(graph.node)} nodes, {graph.ByteSize() / 1e6:.1f} MB")
    for label in args.sizes.split(","):
        graph = tiled(seed, SIZES[label], args.shape)
        write(os.path.join(args.outdir, label), f"keras_{label}", graph)
        print(f"{label}: {len(graph.node)} nodes, {graph.ByteSize() / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
