"""Reads GraphDefs through TensorBoard's data provider, so it works with and without the Rust data server.

Every kind of graph TensorBoard logs becomes one GraphDef: run graphs as they are; RunMetadata (traces,
profiles, tagged run metadata) by their function graphs before optimisation (a traced step's nested
``tf.function`` calls inlined, ``inline_calls``), else their partition graphs.
"""

from __future__ import annotations

import os

from google.protobuf.message import DecodeError
from tensorboard import errors as tb_errors
from tensorboard.compat.proto import config_pb2, graph_pb2
from tensorboard.data import provider

from tb_phaseview.analysis.graph_model import Graph, TooManyEdges, build_graph_from_nodes, producer_of
from tb_phaseview.read import graphdef_reader, inline_calls, metadata, step_stats

# The memory PhaseView may use for graphs (TB_PHASEVIEW_MEMORY_BUDGET: bytes, or with a unit, "4G", "512M"). A
# graph whose estimated need (estimated_bytes) is over it is refused once its nodes and then its inputs are
# counted, before any node or edge is built; the cache of analyses keeps at most this much (cache.py).
MEMORY_BUDGET_ENV = "TB_PHASEVIEW_MEMORY_BUDGET"
DEFAULT_MEMORY_BUDGET = 4 << 30
# Estimated bytes an analysed graph holds per node (of the graph or of its function library) and per edge, plus
# its logged bytes (kept to parse a node's attributes when asked). Measured on Keras-shaped graphs: 1,000,000 nodes
# (1.58M edges, a 220 MB blob) grew TensorBoard by 1.42 GiB once drawn, 2,000,000 nodes by 3.2 GiB (estimated at
# 1.7 and 3.4); 210 bytes an edge on one node of 1,000,000 inputs.
BYTES_PER_NODE = 1200
BYTES_PER_EDGE = 250
# What a request may make the server read at all, whatever the budget: protobuf cannot parse a message of 2 GB.
MAX_BLOB_BYTES = int(os.environ.get("TB_PHASEVIEW_MAX_BLOB_BYTES", str(1 << 30)))

_UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "G": 1 << 30, "GB": 1 << 30}


def parse_bytes(text: str) -> int:
    """``4G``, ``512M``, ``1.5GB`` or a number of bytes (units are binary: 1G = 1024**3 bytes)."""
    value = text.strip().upper().replace("I", "")  # GiB, MiB
    number = value.rstrip("KMGB ")
    unit = value[len(number) :].strip()
    if unit not in _UNITS or not number:
        raise ValueError(f"{text!r} is not a size (say 4G, 512M, or a number of bytes)")
    return int(float(number) * _UNITS[unit])


def memory_budget() -> int:
    """The budget in bytes: TB_PHASEVIEW_MEMORY_BUDGET, read when asked (a bad value falls back to the default)."""
    text = os.environ.get(MEMORY_BUDGET_ENV)
    if not text:
        return DEFAULT_MEMORY_BUDGET
    try:
        return parse_bytes(text)
    except ValueError:
        return DEFAULT_MEMORY_BUDGET


def estimated_bytes(nodes: int, edges: int, blob_bytes: int) -> int:
    """Memory an analysed graph holds, estimated from its counts (the cache weighs its entries the same way)."""
    return BYTES_PER_NODE * nodes + BYTES_PER_EDGE * edges + blob_bytes


class GraphNotFound(Exception):
    """No such run, or no graph of that kind and tag in it."""


class GraphUnreadable(Exception):
    """The graph is logged but its bytes cannot be turned into a GraphDef."""


class GraphUnanalysable(GraphUnreadable):
    """The graph was read but its analysis failed; remembered like an unreadable graph, not retried per request."""


class GraphTooLarge(GraphUnreadable):
    """The graph is logged and readable, but larger than PhaseView draws; refused before parsing."""


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
                elif kind != metadata.TAGGED_RUN_METADATA or _holds_graph(
                    data_provider, ctx, experiment_id, {"run": run, "kind": kind, "tag": tag}
                ):
                    refs.append({"run": run, "kind": kind, "tag": tag})
    kind_order = list(metadata.GRAPH_KINDS)
    refs.sort(key=lambda r: (r["run"], kind_order.index(r["kind"]), r["tag"] or ""))
    return refs


def runs_with_model_config_only(data_provider, ctx, experiment_id, graphs: list[dict]) -> list[str]:
    """The runs that hold Keras's model config but none of ``graphs`` (``list_graphs``): no op graph to draw.
    A data provider that cannot say leaves the list empty: the note never costs the runs' listing."""
    try:
        mapping = data_provider.list_blob_sequences(
            ctx, experiment_id=experiment_id, plugin_name=metadata.KERAS_MODEL_CONFIG
        )
    except Exception:  # noqa: BLE001 - whatever the provider raises, the graphs are still listed
        return []
    with_graphs = {ref["run"] for ref in graphs}
    return sorted(run for run, tags in mapping.items() if tags and run not in with_graphs)


# Tagged run metadata is often profiling data only (PyTorch's add_graph logs one such step): it is listed as a
# graph only when it holds one. Remembered per version of a blob (key, step and wall time).
_RUN_METADATA_GRAPH_FIELDS = (3, 4)  # RunMetadata.partition_graphs, RunMetadata.function_graphs
_holds_graph_memo: dict[tuple, bool] = {}
_HOLDS_GRAPH_MEMO_LIMIT = 10_000


def _holds_graph(data_provider, ctx, experiment_id, ref) -> bool:
    try:
        version = find_logged_graph(data_provider, ctx, experiment_id, ref)
    except GraphNotFound:
        return False
    known = _holds_graph_memo.get(version)
    if known is None:
        try:
            blob = read_blob(data_provider, ctx, version[0], ref)
        except GraphRejected:
            return True  # listed: asking for it gives the reason
        known = any(field in _RUN_METADATA_GRAPH_FIELDS and length for field, length in _top_level_fields(blob))
        if len(_holds_graph_memo) >= _HOLDS_GRAPH_MEMO_LIMIT:
            _holds_graph_memo.clear()
        _holds_graph_memo[version] = known
    return known


def find_blob(data_provider, ctx, experiment_id, ref) -> str:
    """The blob key of the newest graph named by ``ref``."""
    return find_logged_graph(data_provider, ctx, experiment_id, ref)[0]


def find_logged_graph(data_provider, ctx, experiment_id, ref) -> tuple:
    """``(blob key, step, wall time)`` of the newest graph named by ``ref``: what to read, and which version it is.

    A blob key names a position (run, tag, step), not content: training re-run into the same logdir logs a new
    graph at the same step under the same key. The wall time it was logged at tells the versions apart, so
    anything derived from the bytes is kept under all three.
    """
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
    return data[-1].values[0].blob_key, data[-1].step, data[-1].wall_time


class GraphRejected(Exception):
    """TensorBoard's data provider refused to read a logged graph (a request it cannot serve, not corrupt bytes)."""


# Run names the Rust data server (--load_fast=true) writes into blob keys without escaping, then cannot parse back.
_NAMES_THE_DATA_SERVER_CANNOT_READ = ('"', "\\")


def read_blob(data_provider, ctx, blob_key, ref=None) -> bytes:
    try:
        return data_provider.read_blob(ctx, blob_key=blob_key)
    except tb_errors.InvalidArgumentError as error:
        run = (ref or {}).get("run") or ""
        if any(char in run for char in _NAMES_THE_DATA_SERVER_CANNOT_READ):
            raise GraphRejected(
                f"TensorBoard's data server cannot read the graphs of run {run!r}: it cannot read back a run name "
                f"holding a double quote or a backslash ({error}). Rename the run's folder, or start TensorBoard "
                f"with --load_fast=false"
            ) from None
        raise GraphRejected(f"TensorBoard's data server refused to read this graph ({error})") from None


def _describe(ref) -> str:
    if ref["kind"] == metadata.RUN_GRAPH:
        what = f"no run graph in run {ref['run']!r}"
    else:
        what = f"no {ref['kind']} graph tagged {ref['tag']!r} in run {ref['run']!r}"
    return (
        what + " (if one was logged, its event record is corrupt, failed its checksum, or is still being "
        "written: a graph appears once its record is complete)"
    )


def _varint(blob: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(blob) or shift > 63:
            raise GraphUnreadable("the logged graph is corrupt and cannot be parsed (truncated varint)")
        byte = blob[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _top_level_fields(blob: bytes):
    """(field number, length) of each length-delimited top-level field of a serialised message, unparsed.

    Costs one step per top-level field and no memory; stops quietly at malformed bytes (left for the parser
    to report).
    """
    pos = 0
    end = len(blob)
    try:
        while pos < end:
            key, pos = _varint(blob, pos)
            wire_type = key & 7
            if wire_type == 2:
                length, pos = _varint(blob, pos)
                pos += length
                yield key >> 3, length
            elif wire_type == 0:
                _, pos = _varint(blob, pos)
            elif wire_type == 1:
                pos += 8
            elif wire_type == 5:
                pos += 4
            else:
                return
    except GraphUnreadable:
        return


def _gb(size: int) -> str:
    return f"{size / 2**30:,.1f} GB" if size >= 10**9 else f"{size / 2**20:,.0f} MB"


def _over_budget(budget: int, blob_bytes: int, nodes: int, in_functions: int = 0, edges: int | None = None):
    """The refusal of a graph whose estimated need is over the budget; ``edges`` None when not yet counted (the
    nodes alone are over it: the need is at least that)."""
    need = estimated_bytes(nodes, edges or 0, blob_bytes)
    where = f", {in_functions:,} of them in its function library" if in_functions else ""
    counted = f"{nodes:,} nodes{where}"
    if edges is not None:
        counted += f", {edges:,} inputs"
    return GraphTooLarge(
        f"graph too large: it needs {'at least ' if edges is None else ''}about {_gb(need)} of memory ({counted}, "
        f"{blob_bytes / 1e6:,.1f} MB logged), over the budget of {_gb(budget)} set by {MEMORY_BUDGET_ENV}; it was "
        f"not loaded (start TensorBoard with {MEMORY_BUDGET_ENV} set higher, e.g. {MEMORY_BUDGET_ENV}="
        f"{max(1, -(-need // 2**30) + 1)}G, to draw it)"
    )


def edges_allowed(budget: int, blob_bytes: int):
    """``nodes -> inputs allowed`` under ``budget`` (negative when the nodes alone are over it)."""

    def allowed(nodes: int) -> int:
        left = budget - estimated_bytes(nodes, 0, blob_bytes)
        return left // BYTES_PER_EDGE if left >= 0 else -1

    return allowed


def load_graph(kind: str, blob: bytes, budget: int | None = None, max_bytes: int | None = None) -> Graph:
    """Turn a logged blob into the analysis's Graph, or raise GraphUnreadable (or GraphTooLarge) saying why.

    ``budget``: bytes of memory the graph may need (estimated_bytes), TB_PHASEVIEW_MEMORY_BUDGET by default. Run
    graphs, the common and the large case, are read without parsing any node's attributes (graphdef_reader), and
    checked against the budget once their nodes are counted and again once their inputs are, before any node or
    edge is built; run metadata goes through a full parse (decode_graph).
    """
    budget = memory_budget() if budget is None else budget
    if kind != metadata.RUN_GRAPH:
        graph = build_checked(decode_graph(kind, blob, budget, max_bytes), budget, len(blob))
        # What the traced step measured (time, memory, output shapes): read again, by field, past the graphs.
        graph.step_stats = step_stats.read(config_pb2.RunMetadata.FromString(blob), graph)
        return graph
    _check_bytes(blob, MAX_BLOB_BYTES if max_bytes is None else max_bytes)
    try:
        graph = graphdef_reader.read_graph(blob, edges_allowed(budget, len(blob)))
        if inline_calls.runs_steps_in_a_loop(graph) or inline_calls.runs_its_step_in_a_call(graph):
            # tf_keras's train_function with steps_per_execution above 1, or compiled with XLA, written by its
            # TensorBoard callback: read whole, its loop's step or its one call inlined as a trace's is
            # (inline_calls).
            graph_def = inline_calls.inline_traced_calls(graph_pb2.GraphDef.FromString(blob))
            return build_checked(graph_def, budget, len(blob))
        if inline_calls.serves_signatures(graph):
            # A TF2 SavedModel's graph: its model runs inside a signature's call, inlined (inline_calls).
            graph_def, call = inline_calls.inline_serving_call(graph_pb2.GraphDef.FromString(blob))
            graph = build_checked(graph_def, budget, len(blob))
            graph.serving_call = call
        return graph
    except graphdef_reader.TooManyNodes as error:
        raise _over_budget(budget, len(blob), error.count, error.in_functions) from None
    except TooManyEdges as error:
        raise _over_budget(budget, len(blob), error.nodes, error.in_functions, error.count) from None
    except (DecodeError, RuntimeError, ValueError) as error:
        raise GraphUnreadable(f"the logged graph is corrupt and cannot be parsed ({error})") from None


# An empty trace is what tf.summary.trace_export writes when tracing was turned on after the function's first call.
EMPTY_TRACE = (
    "this trace holds no graph: tf.summary.trace_on records a tf.function's graph only when it traces the function"
    " (its first call), so a function called before trace_on records nothing. Turn tracing on before the first"
    " call: trace_on before it, or Keras's TensorBoard callback with profile_batch=1"
)


def _check_bytes(blob: bytes, max_bytes: int) -> None:
    if len(blob) > max_bytes:
        raise GraphTooLarge(
            f"graph too large: its logged data is {len(blob) / 1e6:,.1f} MB and PhaseView reads graphs of up to "
            f"{max_bytes / 1e6:,.0f} MB; it was not loaded (set TB_PHASEVIEW_MAX_BLOB_BYTES to raise the limit)"
        )
    if not blob:
        raise GraphUnreadable("the logged graph is empty (zero bytes)")


def build_checked(graph_def, budget: int | None = None, blob_bytes: int = 0) -> Graph:
    """A parsed GraphDef as a Graph, refused (GraphTooLarge) past the memory budget before any edge is built."""
    budget = memory_budget() if budget is None else budget
    nodes = list(graph_def.node)
    library = getattr(graph_def, "library", None)
    functions = {f.signature.name: f for f in library.function} if library is not None else {}
    in_functions = sum(len(f.node_def) for f in functions.values())
    max_edges = edges_allowed(budget, blob_bytes)(len(nodes) + in_functions)
    try:
        graph = build_graph_from_nodes(nodes, nodes, functions, max(max_edges, 0))
    except TooManyEdges as error:
        raise _over_budget(budget, blob_bytes, len(nodes) + in_functions, in_functions, error.count) from None
    graph.producer = producer_of(graph_def)
    return graph


def decode_graph(kind: str, blob: bytes, budget: int | None = None, max_bytes: int | None = None):
    """Turn a logged blob into one GraphDef, or raise GraphUnreadable (or GraphTooLarge) saying why.

    Limits are checked before parsing: the bytes first, then the nodes (counted unparsed for a run graph) against
    the memory budget.
    """
    budget = memory_budget() if budget is None else budget
    if not blob and kind in (metadata.TRACE, metadata.RUN_METADATA):  # what tf.summary.trace_export wrote
        raise GraphUnreadable(EMPTY_TRACE)
    _check_bytes(blob, MAX_BLOB_BYTES if max_bytes is None else max_bytes)
    allowed = edges_allowed(budget, len(blob))
    try:
        if kind == metadata.RUN_GRAPH:
            raw = graphdef_reader.RawGraph.FromString(blob)  # counted before any NodeDef is built
            in_functions = graphdef_reader.library_node_count(raw.library)
            if allowed(len(raw.node) + in_functions) < 0:
                raise _over_budget(budget, len(blob), len(raw.node) + in_functions, in_functions)
            return graph_pb2.GraphDef.FromString(blob)
        run_metadata = config_pb2.RunMetadata.FromString(blob)
    except (DecodeError, RuntimeError, ValueError) as error:
        raise GraphUnreadable(f"the logged graph is corrupt and cannot be parsed ({error})") from None
    graphs = [
        inline_calls.inline_traced_calls(_with_handle_shapes(f))
        for f in run_metadata.function_graphs
        if f.pre_optimization_graph.node
    ]
    if not graphs:
        graphs = [g for g in run_metadata.partition_graphs if g.node]
    if not graphs:
        raise GraphUnreadable("this run metadata holds no graph, only profiling data")
    in_functions = sum(len(f.node_def) for g in graphs for f in g.library.function)
    nodes = sum(len(g.node) for g in graphs) + in_functions
    if allowed(nodes) < 0:
        raise _over_budget(budget, len(blob), nodes, in_functions)
    return graphs[0] if len(graphs) == 1 else merge_graphs(graphs)


_HANDLE_ATTRS = ("_handle_shapes", "_handle_dtypes")


def _with_handle_shapes(function_graph):
    """The function's graph before optimisation, its resource arguments given the ``_handle_shapes`` and
    ``_handle_dtypes`` that TensorFlow records only after optimisation: a captured variable is a resource
    argument, and that is the one place the graph says its shape (the summary counts the parameters from it)."""
    graph = function_graph.pre_optimization_graph
    known = {}
    for other in (function_graph.post_optimization_graph, *function_graph.partition_graphs):
        for node in other.node:
            if node.op == "_Arg" and "_handle_shapes" in node.attr:
                known.setdefault(node.name, node.attr)
    if known:
        for node in graph.node:
            attr = known.get(node.name) if node.op == "_Arg" else None
            if attr is not None:
                for key in _HANDLE_ATTRS:
                    if key in attr and key not in node.attr:
                        node.attr[key].CopyFrom(attr[key])
    return graph


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
