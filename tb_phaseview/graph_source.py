"""Reads GraphDefs through TensorBoard's data provider, so it works with and without the Rust data server.

Every kind of graph TensorBoard logs becomes one GraphDef: run graphs as they are; RunMetadata (traces,
profiles, tagged run metadata) by their function graphs before optimisation, else their partition graphs.
"""

from __future__ import annotations

from google.protobuf.message import DecodeError
from tensorboard.compat.proto import config_pb2, graph_pb2
from tensorboard.data import provider

from tb_phaseview import metadata

# A blob larger than this is refused before parsing (a 250k-node GraphDef is about 100 MB).
MAX_BLOB_BYTES = 1 << 30


class GraphNotFound(Exception):
    """No such run, or no graph of that kind and tag in it."""


class GraphUnreadable(Exception):
    """The graph is logged but its bytes cannot be turned into a GraphDef."""


def list_graphs(data_provider, ctx, experiment_id) -> list[dict]:
    """Every graph in the experiment, as wire GraphRefs, sorted by run then kind then tag."""
    refs = []
    for kind, plugin_name in metadata.GRAPH_KINDS.items():
        mapping = data_provider.list_blob_sequences(ctx, experiment_id=experiment_id, plugin_name=plugin_name)
        for run, tags in mapping.items():
            for tag in tags:
                if kind == metadata.RUN_GRAPH:
                    if tag == metadata.RUN_GRAPH_TAG:
                        refs.append({"run": run, "kind": kind, "tag": None})
                else:
                    refs.append({"run": run, "kind": kind, "tag": tag})
    kind_order = list(metadata.GRAPH_KINDS)
    refs.sort(key=lambda r: (r["run"], kind_order.index(r["kind"]), r["tag"] or ""))
    return refs


def find_blob(data_provider, ctx, experiment_id, ref) -> str:
    """The blob key of the newest graph named by ``ref``."""
    plugin_name = metadata.GRAPH_KINDS[ref["kind"]]
    tag = metadata.RUN_GRAPH_TAG if ref["kind"] == metadata.RUN_GRAPH else ref["tag"]
    sequences = data_provider.read_blob_sequences(
        ctx,
        experiment_id=experiment_id,
        plugin_name=plugin_name,
        run_tag_filter=provider.RunTagFilter(runs=[ref["run"]], tags=[tag]),
        downsample=1,
    )
    data = sequences.get(ref["run"], {}).get(tag)
    if not data or not data[-1].values:
        raise GraphNotFound(_describe(ref))
    return data[-1].values[0].blob_key


def read_blob(data_provider, ctx, blob_key) -> bytes:
    return data_provider.read_blob(ctx, blob_key=blob_key)


def _describe(ref) -> str:
    if ref["kind"] == metadata.RUN_GRAPH:
        return f"no run graph in run {ref['run']!r}"
    return f"no {ref['kind']} graph tagged {ref['tag']!r} in run {ref['run']!r}"


def decode_graph(kind: str, blob: bytes):
    """Turn a logged blob into one GraphDef, or raise GraphUnreadable saying why."""
    if len(blob) > MAX_BLOB_BYTES:
        raise GraphUnreadable(f"graph blob of {len(blob)} bytes exceeds the limit of {MAX_BLOB_BYTES} bytes")
    try:
        if kind == metadata.RUN_GRAPH:
            return graph_pb2.GraphDef.FromString(blob)
        run_metadata = config_pb2.RunMetadata.FromString(blob)
    except DecodeError as error:
        raise GraphUnreadable(f"the logged graph is corrupt and cannot be parsed ({error})") from None
    graphs = [f.pre_optimization_graph for f in run_metadata.function_graphs if f.pre_optimization_graph.node]
    if not graphs:
        graphs = [g for g in run_metadata.partition_graphs if g.node]
    if not graphs:
        raise GraphUnreadable("this run metadata holds no graph, only profiling data")
    return graphs[0] if len(graphs) == 1 else merge_graphs(graphs)


def merge_graphs(graphs):
    """Several function or partition graphs as one, each under its own top-level scope ``graph_<i>``.

    Unlike TensorBoard's own merge, control inputs keep their ``^`` in front of the new prefix.
    """
    merged = graph_pb2.GraphDef()
    seen_functions = set()
    for i, graph in enumerate(graphs):
        prefix = f"graph_{i + 1}/"
        for node in graph.node:
            copy = merged.node.add()
            copy.CopyFrom(node)
            copy.name = prefix + node.name
            del copy.input[:]
            for raw in node.input:
                control = raw.startswith("^")
                copy.input.append(("^" if control else "") + prefix + (raw[1:] if control else raw))
        for function in graph.library.function:
            if function.signature.name not in seen_functions:
                seen_functions.add(function.signature.name)
                merged.library.function.add().CopyFrom(function)
    return merged
