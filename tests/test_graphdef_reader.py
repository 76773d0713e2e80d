"""Reading a logged GraphDef without parsing its nodes' attributes gives the same graph as a full parse."""

from __future__ import annotations

import pytest
from google.protobuf.message import DecodeError
from tensorboard.compat.proto import graph_pb2, node_def_pb2

from demo import demo_graphs
from logdirs import NOT_UTF8_FUNCTION, corrupt_attribute_blob
from oddgraphs import hostile_graph, odd_graph, while_loop_graph
from tb_phaseview.analysis import phase
from tb_phaseview.analysis.graph_model import NodeDefUnreadable, TooManyEdges, build_graph, build_graph_from_chunks
from tb_phaseview.analysis.phase import CALL_OPS
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.read import graph_source
from tb_phaseview.read.graphdef_reader import _MARKERS, LazyNodeDefs, RawGraph, node_chunks, read_graph
from tb_phaseview.serve import wire

COLUMNS = (
    "names",
    "ops",
    "edge_src",
    "edge_dst",
    "edge_output",
    "edge_input",
    "edge_control",
    "in_start",
    "dangling_inputs",
    "duplicate_names",
)
REF = {"run": "r", "kind": "run_graph", "tag": None}


def _same(a, b) -> bool:
    # Compared as bytes: a graph built with TensorFlow's own proto classes is not == to TensorBoard's copy.
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def _serialised(functions: dict) -> dict:
    return {name: f.SerializeToString(deterministic=True) for name, f in functions.items()}


def assert_same_as_full_parse(graph_def, blob: bytes | None = None):
    """``blob``: the bytes read (the graph's serialisation by default)."""
    fast = read_graph(graph_def.SerializeToString() if blob is None else blob)
    full = build_graph(graph_def)
    for column in COLUMNS:
        assert getattr(fast, column) == getattr(full, column), column
    assert _serialised(fast.functions) == _serialised(full.functions)
    assert all(_same(fast.node_defs[i], full.node_defs[i]) for i in range(full.node_count))
    fast_analysis, full_analysis = analyze(fast), analyze(full)
    assert wire.graph_answer(fast_analysis, REF) == wire.graph_answer(full_analysis, REF)
    for name in full.names[:50]:
        assert wire.node_answer(fast_analysis, name) == wire.node_answer(full_analysis, name)


def test_every_demo_run_graph_reads_as_a_full_parse_does():
    run_graphs = [g for (run, kind, tag), g in demo_graphs().items() if kind == "run_graph"]
    assert len(run_graphs) >= 6
    for graph_def in run_graphs:
        assert_same_as_full_parse(graph_def)


def test_odd_graphs_read_as_a_full_parse_does():
    for graph_def in (hostile_graph(), odd_graph(), while_loop_graph()):
        assert_same_as_full_parse(graph_def)


def _varint(value: int) -> bytes:
    out = b""
    while value >= 0x80:
        out, value = out + bytes([value & 0x7F | 0x80]), value >> 7
    return out + bytes([value])


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def node_columns(blob: bytes):
    """The chunks of node_chunks joined: (names, ops, inputs), or None where the nodes cannot be read so."""
    chunks = node_chunks(blob, RawGraph.FromString(blob).node)
    if chunks is None:
        return None
    joined = ([], [], [])
    for chunk in chunks:
        if chunk is None:
            return None
        for column, part in zip(joined, chunk):
            column += part
    return joined


def _read_by_columns(blob: bytes) -> bool:
    return node_columns(blob) is not None


def test_graphs_as_tensorflow_writes_them_are_read_as_columns():
    for graph_def in (*demo_graphs().values(), odd_graph(), while_loop_graph()):
        if graph_def.node:
            assert _read_by_columns(graph_def.SerializeToString())
    long_name = graph_pb2.GraphDef()
    long_name.node.add(name="n" * 300, op="C" * 200)
    long_name.node.add(name="b", op="Identity", input=["n" * 300 + ":1", "^" + "n" * 300])
    assert _read_by_columns(long_name.SerializeToString())
    assert_same_as_full_parse(long_name)


def test_inputs_naming_a_node_of_a_later_chunk_resolve_as_a_full_parse_does(monkeypatch):
    """Each chunk's inputs are resolved against the names read so far: an input naming a node of a later chunk
    (written before it, as a loop's back edge is), a control input or an output past the first, across chunks,
    and one naming no node, read as a full parse reads them; so does a name repeated in a later chunk."""
    from tb_phaseview.read import graphdef_reader

    monkeypatch.setattr(graphdef_reader, "_CHUNK_BYTES", 200)
    g = graph_pb2.GraphDef()
    count = 40
    for i in range(count):
        later = f"layer_{count - 1}/op" if i == 0 else f"layer_{min(i + 7, count - 1)}/op"
        g.node.add(name=f"layer_{i}/op", op="Identity", input=[later, f"{later}:1", f"^{later}", "missing:2"])
    blob = g.SerializeToString()
    assert len(list(node_chunks(blob, RawGraph.FromString(blob).node))) > 5
    assert_same_as_full_parse(g)
    assert read_graph(blob).edge_count == 3 * count
    g.node.add(name="layer_3/op", op="Const")  # repeated in the last chunk: read node by node, first one kept
    blob = g.SerializeToString()
    payloads = RawGraph.FromString(blob).node
    assert build_graph_from_chunks(node_chunks(blob, payloads), _MARKERS, LazyNodeDefs(payloads), {}) is None
    assert_same_as_full_parse(g)


def test_the_input_strings_of_one_chunk_at_a_time_are_alive(monkeypatch):
    """Read a chunk at a time, a graph's input strings are never all in memory at once (at 1,000,000 nodes, 2.6
    million strings): the memory traced while reading stays under half of theirs."""
    import tracemalloc

    from tb_phaseview.read import graphdef_reader

    monkeypatch.setattr(graphdef_reader, "_CHUNK_BYTES", 1 << 16)
    g = graph_pb2.GraphDef()
    long = "a_rather_long_scope_name/" * 12
    for i in range(2000):
        g.node.add(name=f"{long}node_{i}", op="AddN", input=[f"{long}node_{max(i - k, 0)}" for k in range(1, 9)])
    blob = g.SerializeToString()
    input_bytes = sum(len(name) + 49 for node in g.node for name in node.input)
    tracemalloc.start()
    try:
        graph = read_graph(blob)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert graph.edge_count == 8 * 2000
    assert peak < input_bytes / 2, (peak, input_bytes)


def test_nodes_of_one_op_type_share_its_string():
    """A million nodes hold a hundred op types: one string each, not one per node (memory the server keeps)."""
    graph_def = max((g for (_, kind, _), g in demo_graphs().items() if kind == "run_graph"), key=lambda g: len(g.node))
    graph = read_graph(graph_def.SerializeToString())
    assert graph.ops == [node.op for node in graph_def.node]
    assert len({id(op) for op in graph.ops}) == len(set(graph.ops)) < len(graph.ops) / 10


def test_nodes_laid_out_otherwise_or_named_like_a_marker_read_as_a_full_parse_does():
    """Each layout the column read does not take (or takes, then finds a marker-like name or input in) is read
    node by node, as before: the graph equals a full parse's."""
    b = _field(1, b"b") + _field(2, b"Identity") + _field(3, b"a") + _field(3, b"^a") + _field(3, b"a:2")
    layouts = {
        "op before name": _field(1, _field(2, b"Const") + _field(1, b"a")) + _field(1, b),
        "library before the nodes": _field(2, b"") + _field(1, _field(1, b"a") + _field(2, b"Const")) + _field(1, b),
        "a name given twice": _field(1, _field(1, b"a") + _field(2, b"C") + _field(1, b"z"))
        + _field(1, _field(2, b"C"))
        + _field(1, b),
        "a name too long for two bytes": _field(1, _field(1, b"a" * 20000) + _field(2, b"C"))
        + _field(1, _field(1, b"b") + _field(2, b"I") + _field(3, b"a" * 20000)),
        "a header longer than needed": b"\x0a\x8d\x00" + _field(1, b"abcdefgh") + _field(2, b"C") + _field(1, b),
    }
    for label, blob in layouts.items():
        assert not _read_by_columns(blob), label
        assert_same_as_full_parse(graph_pb2.GraphDef.FromString(blob), blob)
    g = graph_pb2.GraphDef()
    g.node.add(name="\0", op="Const")  # named as a marker
    g.node.add(name="b", op="Identity", input=["\0", "", "^\0\0"])
    g.node.add(name="c", op="Identity", input=["\0\0", "b"])  # inputs spelled as markers
    assert _read_by_columns(g.SerializeToString())
    assert_same_as_full_parse(g)
    del g.node[0]
    assert_same_as_full_parse(g)


def test_a_repeated_name_keeps_the_first_nodes_definition():
    g = graph_pb2.GraphDef()
    g.node.add(name="a", op="Const", device="/cpu:0")
    g.node.add(name="a", op="Placeholder", device="/gpu:0")
    g.node.add(name="b", op="Identity", input=["a"], device="/gpu:1")
    fast = read_graph(g.SerializeToString())
    assert fast.names == ["a", "b"] and fast.duplicate_names == ["a"]
    assert [fast.node_defs[i].device for i in range(2)] == ["/cpu:0", "/gpu:1"]


def test_a_node_with_corrupt_attributes_loses_only_its_attributes():
    graph_def = demo_graphs()[("dropout_cnn", "run_graph", None)]
    victim = next(n.name for n in graph_def.node if n.op == "Conv2D")
    blob = corrupt_attribute_blob(graph_def, victim)
    with pytest.raises(DecodeError):
        graph_pb2.GraphDef.FromString(blob)
    graph = graph_source.load_graph("run_graph", blob)
    analysis = analyze(graph)
    assert len(analysis.phase.layers) == 5  # the flag and its readers are still found
    with pytest.raises(NodeDefUnreadable):
        graph.node_defs[graph.index[victim]]
    answer = wire.node_answer(analysis, victim)
    assert answer["op"] == "Conv2D" and answer["inputs"] and answer["attrs"] == []
    assert "attributes are corrupt" in answer["attrs_error"]
    neighbour = answer["inputs"][0]["node"]
    assert "attrs_error" not in wire.node_answer(analysis, neighbour)


def _callers(graph) -> list[int]:
    return [i for i, op in enumerate(graph.ops) if op in CALL_OPS or op in graph.functions]


def test_a_call_op_whose_functions_are_unreadable_loses_only_its_functions():
    graph_def = demo_graphs()[("resnet_tf_keras", "run_graph", None)]
    callers = _callers(read_graph(graph_def.SerializeToString()))
    victim = graph_def.node[callers[0]].name
    graph = read_graph(corrupt_attribute_blob(graph_def, victim, NOT_UTF8_FUNCTION))
    with pytest.raises(NodeDefUnreadable):
        graph.node_defs.functions_called(graph.index[victim])
    assert all(graph.node_defs.functions_called(i) for i in callers if i != graph.index[victim])
    # The flag's layers are found as before, and every other layer's kind is told as before.
    clean = {layer.layer: layer.kind for layer in analyze(read_graph(graph_def.SerializeToString())).phase.layers}
    kinds = {layer.layer: layer.kind for layer in analyze(graph).phase.layers}
    assert kinds.keys() == clean.keys() and len(kinds) == 24
    assert {layer for layer in kinds if kinds[layer] != clean[layer]} <= {phase.layer_of(victim)}


def test_the_memory_budget_is_checked_once_the_nodes_and_then_the_inputs_are_counted():
    g = graph_pb2.GraphDef()
    for i in range(11):
        g.node.add(name=f"n{i}", op="NoOp", input=[f"n{i - 1}"] if i else [])
    blob = g.SerializeToString()
    nodes_only = graph_source.estimated_bytes(11, 0, len(blob))
    with pytest.raises(graph_source.GraphTooLarge, match=r"needs at least about .* \(11 nodes, 0.0 MB logged\), over"):
        graph_source.load_graph("run_graph", blob, budget=nodes_only - 1)
    with pytest.raises(
        graph_source.GraphTooLarge, match=r"needs about .* \(11 nodes, 10 inputs, 0.0 MB logged\), over"
    ):
        graph_source.load_graph("run_graph", blob, budget=nodes_only)
    assert (
        graph_source.load_graph("run_graph", blob, budget=graph_source.estimated_bytes(11, 10, len(blob))).edge_count
        == 10
    )


def test_the_memory_budget_reads_sizes_with_units(monkeypatch):
    assert graph_source.parse_bytes("4G") == 4 << 30 and graph_source.parse_bytes("512MiB") == 512 << 20
    assert graph_source.parse_bytes("1.5GB") == 3 << 29 and graph_source.parse_bytes("1000") == 1000
    with pytest.raises(ValueError):
        graph_source.parse_bytes("lots")
    monkeypatch.setenv(graph_source.MEMORY_BUDGET_ENV, "300M")
    assert graph_source.memory_budget() == 300 << 20
    monkeypatch.delenv(graph_source.MEMORY_BUDGET_ENV)
    assert graph_source.memory_budget() == graph_source.DEFAULT_MEMORY_BUDGET


def test_bytes_that_are_no_graph_are_a_clear_error():
    for blob in (b"\xff\xff\xff\x07junk", node_def_pb2.NodeDef(name="a").SerializeToString()[:-1] + b"\xff"):
        with pytest.raises(graph_source.GraphUnreadable, match="corrupt and cannot be parsed"):
            graph_source.load_graph("run_graph", b"\x0a\x05" + blob)


def test_nodes_read_a_chunk_at_a_time_are_the_columns_of_one_read(monkeypatch):
    """The nodes' bytes are parsed a chunk at a time through one buffer (the memory of one copy of the graph, and
    its pages, are saved); a node larger than a chunk is parsed alone. The columns do not depend on the chunks."""
    from tb_phaseview.read import graphdef_reader

    graph_def = graph_pb2.GraphDef()  # a copy: the demo's graphs are shared with other tests
    graph_def.CopyFrom(
        max((g for (_, kind, _), g in demo_graphs().items() if kind == "run_graph"), key=lambda g: len(g.node))
    )
    big = graph_def.node.add(name="big", op="Const", input=[graph_def.node[0].name])
    big.attr["value"].s = b"x" * 5000
    blob = graph_def.SerializeToString()
    whole = node_columns(blob)
    for chunk in (64, 1000, 4096):
        monkeypatch.setattr(graphdef_reader, "_CHUNK_BYTES", chunk)
        assert node_columns(blob) == whole, chunk
    monkeypatch.setattr(graphdef_reader, "_CHUNK_BYTES", 1000)
    assert_same_as_full_parse(graph_def, blob)
    edges = len(whole[2]) - len(whole[0])
    assert read_graph(blob, lambda nodes: edges).edge_count == edges
    with pytest.raises(TooManyEdges) as refused:
        read_graph(blob, lambda nodes: edges - 1)
    assert refused.value.count >= edges
