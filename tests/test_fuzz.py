"""Property-based tests: random and mutated GraphDefs and event-file bytes through the analysis and the routes.

The only outcomes allowed are an answer or a clean error (GraphUnreadable in process, a 4xx JSON answer over
HTTP). ``FUZZ_EXAMPLES`` sets the number of examples (default 100, as in ``make test``; ``make fuzz``: 2000).
"""

from __future__ import annotations

import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oddgraphs import assert_first_answer_needs_no_children_lists, hostile_graph, walk_every_route, write_run
from tb_phaseview import graph_source, metadata, wire
from tb_phaseview.analysis import analyze

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
                suppress_health_check=list(HealthCheck))
SLOW_FUZZ = settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
RUN_GRAPH = {"run": "r", "kind": metadata.RUN_GRAPH, "tag": None}

NAME_PART = st.text(alphabet="ab_</>é\"' ", min_size=0, max_size=5)
OPS = st.sampled_from(["Placeholder", "PlaceholderWithDefault", "Switch", "If", "StatelessIf", "Merge",
                       "Identity", "LogicalNot", "Const", "NextIteration", "Enter", "Select", "FusedBatchNormV3",
                       "RandomUniform", "<script>", "_Arg", "PartitionedCall", "VariableV2", "VarHandleOp",
                       "ReadVariableOp", "Assign", "RefSwitch", "RefMerge"])


@st.composite
def graph_defs(draw):
    from tensorboard.compat.proto import attr_value_pb2, graph_pb2, tensor_shape_pb2

    g = graph_pb2.GraphDef()
    count = draw(st.integers(0, 25))
    names = [draw(st.lists(NAME_PART, min_size=1, max_size=4).map("/".join)) for _ in range(count)]
    for name in names:
        n = g.node.add(name=name, op=draw(OPS))
        for _ in range(draw(st.integers(0, 3))):
            target = draw(st.sampled_from(names + ["missing"]))
            n.input.append(draw(st.sampled_from(["", "^"])) + target + draw(st.sampled_from(["", ":1", ":x:2"])))
        if draw(st.booleans()):
            n.attr["dtype"].type = 10  # DT_BOOL: a learning-phase candidate
            n.attr["T"].type = 10
            if draw(st.booleans()):
                n.attr["shape"].CopyFrom(attr_value_pb2.AttrValue(shape=tensor_shape_pb2.TensorShapeProto()))
        if draw(st.booleans()):
            n.attr["then_branch"].func.name = draw(st.sampled_from(["f", "g"]))
    if draw(st.booleans()):
        f = g.library.function.add()
        f.signature.name = "f"
        f.node_def.add(name="inner", op=draw(OPS))
        f.node_def.add(name="call", op="f")  # a function that calls itself
    return g


def answer_everything(analysis):
    """Every route's answer for one analysis, as JSON (so the answers are also serialisable)."""
    json.dumps(wire.graph_answer(analysis, RUN_GRAPH))
    walk_every_route(analysis)
    for query in ("a", "/", "<"):
        json.dumps(wire.search_answer(analysis, query, False, 50))
    json.dumps(wire.edges_answer(analysis, 0, 1000))
    json.dumps(wire.report_entry(analysis, RUN_GRAPH))
    json.dumps(wire.phase_runs_answer(analysis))


@FUZZ
@given(graph_defs())
def test_random_graphs_get_an_answer_on_every_route(graph_def):
    analysis = analyze(graph_def)
    answer_everything(analysis)
    assert analysis.graph.node_count + len(analysis.graph.duplicate_names) == len(graph_def.node)
    assert_first_answer_needs_no_children_lists(graph_def)


SEED_BYTES = hostile_graph().SerializeToString()


@st.composite
def mutated(draw, seed: bytes):
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif action == "set" and data:
            data[pos] = draw(st.integers(0, 255))
        elif action == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[pos : pos + draw(st.integers(1, 8))]
        elif action == "truncate":
            del data[pos:]
    return bytes(data)


@FUZZ
@given(mutated(SEED_BYTES), st.sampled_from([metadata.RUN_GRAPH, metadata.TAGGED_RUN_METADATA]),
       st.sampled_from(["full parse", "as the server reads it"]))
def test_mutated_graph_bytes_give_an_answer_or_a_clean_error(blob, kind, reader):
    try:
        if reader == "full parse":
            graph = graph_source.decode_graph(kind, blob, max_nodes=1000)
        else:
            graph = graph_source.load_graph(kind, blob, max_nodes=1000)
    except graph_source.GraphUnreadable as error:
        assert str(error)
        return
    answer_everything(analyze(graph))


def _event_file_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = write_run(tmp, "seed", hostile_graph())
        (name,) = os.listdir(run_dir)
        return open(os.path.join(run_dir, name), "rb").read()


EVENT_BYTES = _event_file_bytes()


def _routes_client(logdir):
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.plugins import base_plugin
    from werkzeug.test import Client

    from tb_phaseview.plugin import PhaseViewPlugin

    multiplexer = plugin_event_multiplexer.EventMultiplexer(max_reload_threads=1)
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    apps = PhaseViewPlugin(base_plugin.TBContext(data_provider=provider, logdir=logdir)).get_plugin_apps()
    return lambda route, query: Client(apps[route]).get("/", query_string=query)


@SLOW_FUZZ
@given(mutated(EVENT_BYTES))
def test_mutated_event_files_through_the_routes(data):
    with tempfile.TemporaryDirectory() as logdir:
        os.makedirs(os.path.join(logdir, "run"))
        with open(os.path.join(logdir, "run", "events.out.tfevents.1.fuzz"), "wb") as f:
            f.write(data)
        get = _routes_client(logdir)
        runs = json.loads(get("/runs", {}).get_data())
        assert runs["version"] == 1
        for route, extra in [("/graph", {}), ("/group", {"group": ""}), ("/search", {"q": "a"}),
                             ("/search", {"q": "(a+)+$", "regex": "1"}), ("/edges", {}),
                             ("/node", {"name": "bn_plain/x"})]:
            response = get(route, {"run": "run", "kind": "run_graph", **extra})
            body = json.loads(response.get_data())
            assert body["version"] == 1
            assert response.status_code in (200, 400, 404, 422), (route, body)
            assert (response.status_code == 200) != ("error" in body), (route, body)
