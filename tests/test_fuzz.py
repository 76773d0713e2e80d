"""Property-based tests: random and mutated GraphDefs and event-file bytes through the analysis and the routes.

The only outcomes allowed are an answer or a clean error (GraphUnreadable in process, a 4xx JSON answer over
HTTP). Generators include names nested 20,000 scopes deep, chains of 5,000 functions calling one another, control
characters in names, nodes of up to 300,000 inputs, function bodies of up to 30,000 ops, functions that call
themselves opened 200 deep, and flags read by many layers of mixed kinds. ``FUZZ_EXAMPLES`` sets the number of examples (default 100, as in ``make test``; ``make fuzz``: 2000).
"""

from __future__ import annotations

import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oddgraphs import (
    assert_first_answer_needs_no_children_lists,
    bool_placeholder,
    deep_call_chain_graph,
    hostile_graph,
    layer_reading_flag,
    node,
    walk_every_route,
    write_run,
)
from tb_phaseview.analysis import scopes
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.read import graph_source, metadata
from tb_phaseview.serve import wire

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100, suppress_health_check=list(HealthCheck)
)
SLOW_FUZZ = settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
RUN_GRAPH = {"run": "r", "kind": metadata.RUN_GRAPH, "tag": None}

NAME_PART = st.text(alphabet="ab_</>é\"' ", min_size=0, max_size=5)
OPS = st.sampled_from(
    [
        "Placeholder",
        "PlaceholderWithDefault",
        "Switch",
        "If",
        "StatelessIf",
        "Merge",
        "Identity",
        "LogicalNot",
        "Const",
        "NextIteration",
        "Enter",
        "Select",
        "FusedBatchNormV3",
        "RandomUniform",
        "<script>",
        "_Arg",
        "PartitionedCall",
        "VariableV2",
        "VarHandleOp",
        "ReadVariableOp",
        "Assign",
        "RefSwitch",
        "RefMerge",
    ]
)


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
@given(
    mutated(SEED_BYTES),
    st.sampled_from([metadata.RUN_GRAPH, metadata.TAGGED_RUN_METADATA]),
    st.sampled_from(["full parse", "as the server reads it"]),
)
def test_mutated_graph_bytes_give_an_answer_or_a_clean_error(blob, kind, reader):
    try:
        if reader == "full parse":
            graph = graph_source.decode_graph(kind, blob, budget=graph_source.estimated_bytes(1000, 0, len(blob)))
        else:
            graph = graph_source.load_graph(kind, blob, budget=graph_source.estimated_bytes(1000, 0, len(blob)))
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
        for route, extra in [
            ("/graph", {}),
            ("/group", {"group": ""}),
            ("/search", {"q": "a"}),
            ("/search", {"q": "(a+)+$", "regex": "1"}),
            ("/edges", {}),
            ("/node", {"name": "bn_plain/x"}),
        ]:
            response = get(route, {"run": "run", "kind": "run_graph", **extra})
            body = json.loads(response.get_data())
            assert body["version"] == 1
            assert response.status_code in (200, 400, 404, 422), (route, body)
            assert (response.status_code == 200) != ("error" in body), (route, body)


# -- deep scopes, deep call chains, control characters ------------------------------------------------------

SCOPE_PART = st.text(alphabet="ab/_", min_size=1, max_size=3)


@st.composite
def deep_scope_graphs(draw):
    """A few names nested up to 20,000 scopes deep (some sharing their prefixes, some with long parts), a flag born
    deep inside one and read by layers deeper still, and edges between them."""
    from tensorboard.compat.proto import graph_pb2

    g = graph_pb2.GraphDef()
    prefix = "/".join(draw(st.lists(SCOPE_PART, min_size=1, max_size=3)))
    names = []
    for _ in range(draw(st.integers(1, 4))):
        depth = draw(st.integers(1, 20_000))
        part = draw(st.sampled_from(["a", "bb", "c" * draw(st.integers(1, 600))]))
        names.append(f"{prefix}/" + f"{part}/" * depth + draw(SCOPE_PART).strip("/") + "x")
    for i, name in enumerate(dict.fromkeys(names)):
        node(g, name, "NoOp", [g.node[0].name] if i else [])
    if draw(st.booleans()):
        flag = names[0].rpartition("/")[0] + "/is_training"
        bool_placeholder(g, flag)
        layer_reading_flag(g, names[0].rpartition("/")[0] + "/bn", flag)
        layer_reading_flag(g, names[-1].rpartition("/")[0] + "/bn2", flag)
    return g


@FUZZ
@given(deep_scope_graphs())
def test_deep_scopes_cost_what_their_names_cost(graph_def):
    analysis = analyze(graph_def)
    name_chars = sum(len(n.name) for n in graph_def.node)
    # Group ids: at most MAX_CHAIN_CHARS characters on each op's chain, never the square of a name.
    assert analysis.tree.group_id_chars() <= scopes.MAX_CHAIN_CHARS * len(graph_def.node) + name_chars
    reached = walk_every_route(analysis, node_sample=20)
    for name, path in reached.items():
        assert len(path) <= scopes.MAX_SCOPE_DEPTH and sum(map(len, path)) <= scopes.MAX_CHAIN_CHARS, name
    answer = json.dumps(wire.search_answer(analysis, "x", False, 50))
    assert len(answer) < 2 * name_chars + scopes.MAX_CHAIN_CHARS * 2 * len(graph_def.node) + 1000
    answer_everything(analysis)


@SLOW_FUZZ
@given(st.integers(1, 5000), st.booleans())
def test_deep_call_chains_are_walked_without_recursion(depth, loop_back):
    graph_def = deep_call_chain_graph(depth)
    if loop_back:  # the last function calls the first: a cycle as long as the chain
        graph_def.library.function[-1].node_def.add(name="again", op="chain_0")
    analysis = analyze(graph_def)
    (layer,) = analysis.phase.layers
    assert layer.layer == "bn" and layer.kind == "BatchNormalization"
    answer_everything(analysis)


CONTROL_CHARACTERS = "".join(map(chr, [*range(0x20), 0x7F, 0x85, 0xFFFE, 0xFFFF, 0x2028]))
CONTROL_NAME = st.text(alphabet=CONTROL_CHARACTERS + "a/<&", min_size=0, max_size=8)


@st.composite
def control_character_graphs(draw):
    from tensorboard.compat.proto import graph_pb2

    g = graph_pb2.GraphDef()
    names = list(dict.fromkeys(draw(st.lists(CONTROL_NAME, min_size=1, max_size=12))))
    for i, name in enumerate(names):
        node(g, name, draw(st.sampled_from(["NoOp", "Identity", "\x00op"])), [names[i - 1]] if i else [])
    if draw(st.booleans()):
        bool_placeholder(g, draw(CONTROL_NAME) + "\x01flag")
        layer_reading_flag(g, draw(CONTROL_NAME) + "\x02bn", g.node[-1].name)
    return g


@FUZZ
@given(control_character_graphs())
def test_control_characters_in_names_come_back_exactly(graph_def):
    analysis = analyze(graph_def)
    answer_everything(analysis)
    reached = walk_every_route(analysis)
    assert set(reached) == set(analysis.graph.names)
    text = json.dumps(wire.graph_answer(analysis, RUN_GRAPH), ensure_ascii=True)
    assert text.isascii()
    for name in analysis.graph.names[:5]:
        assert json.loads(json.dumps(wire.node_answer(analysis, name), ensure_ascii=True))["name"] == name


# -- costly shapes: many inputs on one node, large and self-calling function libraries, many readers of one flag


@SLOW_FUZZ
@given(st.integers(1, 300_000), st.integers(1, 2000), st.integers(1_000, 400_000))
def test_many_input_nodes_are_refused_or_answered_a_page_at_a_time(inputs, sources, max_edges):
    from hostile_graphs import hub_blob

    blob = hub_blob(inputs, min(sources, inputs))
    nodes = min(sources, inputs) + 1
    # A budget that leaves room for max_edges inputs once the nodes and the bytes are counted.
    budget = graph_source.estimated_bytes(nodes, max_edges, len(blob))
    if inputs > max_edges:
        try:
            graph_source.load_graph(metadata.RUN_GRAPH, blob, budget=budget)
        except graph_source.GraphTooLarge as error:
            assert str(error).startswith("graph too large: it needs about ")
            assert f"({nodes:,} nodes, {inputs:,} inputs, " in str(error)
        else:
            raise AssertionError("a graph over the budget was read")
        return
    analysis = analyze(graph_source.load_graph(metadata.RUN_GRAPH, blob, budget=budget))
    hub = wire.node_answer(analysis, "hub")
    assert hub["inputs_total"] == inputs and len(hub["inputs"]) == min(inputs, wire.MAX_NODE_EDGES)
    source = wire.node_answer(analysis, "s0")
    assert len(source["outputs"]) == min(source["outputs_total"], wire.MAX_NODE_EDGES)


@SLOW_FUZZ
@given(st.integers(0, 30_000), st.data())
def test_large_function_bodies_answer_a_page_and_are_indexed_once(body_nodes, data):
    from hostile_graphs import big_function_graph

    analysis = analyze(big_function_graph(body_nodes))
    body_id = "bn/cond/\u0192then_branch"
    answer = wire.group_answer(analysis, body_id)
    listed = 1 + body_nodes  # the argument and the body's ops
    assert len(answer["children"]) == min(listed, wire.GROUP_CHILD_LIMIT)
    assert answer["truncated"] is (listed > wire.GROUP_CHILD_LIMIT)
    shown = {c["name"] for c in answer["children"]}
    assert all(e["from"] in shown and e["to"] in shown for e in answer["edges"])
    assert len(answer["edges"]) == len(shown) - 1  # a chain: each listed op reads the one listed before it
    index = analysis.graph.function_indexes["big_branch"]
    assert wire.group_answer(analysis, body_id) == answer and analysis.graph.function_indexes["big_branch"] is index
    if body_nodes:
        i = data.draw(st.integers(0, body_nodes - 1))
        node = wire.node_answer(analysis, f"{body_id}/op_{i}")
        assert [n["node"] for n in node["inputs"]] == [f"{body_id}/" + (f"op_{i - 1}" if i else "x")]
        after = [f"{body_id}/op_{i + 1}"] if i + 1 < body_nodes else ["bn/cond"]
        assert [n["node"] for n in node["outputs"]] == after


@FUZZ
@given(st.integers(1, 200), st.integers(0, 300))
def test_self_calling_functions_open_to_a_bounded_depth(levels, body_nodes):
    from hostile_graphs import self_calling_graph
    from tb_phaseview.analysis import functions

    analysis = analyze(self_calling_graph(body_nodes))
    group = "start/\u0192" + "f/call/\u0192" * (levels - 1) + "f"
    if levels > functions.MAX_CALL_DEPTH:
        for ask in (
            lambda: wire.group_answer(analysis, group),
            lambda: wire.node_answer(analysis, group + "/op_0"),
            lambda: wire.why_answer(analysis, group),
        ):
            try:
                ask()
            except functions.CallsTooDeep as error:
                assert str(error).startswith(f"this id opens {levels:,} function calls one within another")
            else:
                raise AssertionError("an id deeper than the limit was opened")
        return
    answer = wire.group_answer(analysis, group)
    assert len(answer["children"]) == body_nodes + 1 and answer["function"]["name"] == "again"
    assert len(answer["path"]) == 2 * levels + analysis.path_of_node(analysis.graph.index["start"]).__len__()
    assert wire.why_answer(analysis, group)["a"]["call"] == "start"


def _used_by_plain_iteration(graph, live, switches, branches):
    """What ``phase_runs._used_only_when`` computes, by the plainest fixpoint: every op's use recomputed from
    all of its consumers until nothing changes (quadratic, for small graphs)."""
    from tb_phaseview.analysis import phase_runs as pr

    args_used = {}
    for call in branches:
        args_used[call.node] = {
            value: pr.function_args_used(graph.functions[name]) if name in graph.functions else set()
            for value, name in ((True, call.when_true), (False, call.when_false))
        }
    used = {}

    def need(n):
        return live[n] if n in live else used.get(n, pr.BOTH)

    def usage(e):
        dst, control, position = graph.edge_dst[e], graph.edge_control[e], graph.edge_input[e]
        if dst in switches and not control and position == 0:
            mask = pr.NEVER
            for out in graph.out_edges(dst):
                side = (
                    pr.BOTH
                    if graph.edge_control[out]
                    else (pr.TRUE if (graph.edge_output[out] == 1) == switches[dst] else pr.FALSE)
                )
                mask |= side & need(graph.edge_dst[out])
            return mask
        if dst in args_used and not control and position >= 1:
            mask = pr.NEVER
            for value, positions in args_used[dst].items():
                if position - 1 in positions:
                    mask |= pr.phase_mask(value)
            return mask & need(dst)
        return need(dst)

    changed = True
    while changed:
        changed = False
        for n in range(graph.node_count):
            if n in live or not graph.out_edges(n):
                continue
            mask = pr.NEVER
            for e in graph.out_edges(n):
                mask |= usage(e)
            if mask != used.get(n, pr.BOTH):
                used[n], changed = mask, True
    return {n: m for n, m in used.items() if m != pr.BOTH}


@st.composite
def flag_reader_graphs(draw):
    """One flag read by many layers of random kinds (If with or without branch functions, a v1 cond, a Select,
    through LogicalNot), each reading earlier layers' outputs."""
    from tensorboard.compat.proto import attr_value_pb2, graph_pb2

    from hostile_graphs import many_flag_readers_graph

    g = graph_pb2.GraphDef()
    g.library.CopyFrom(many_flag_readers_graph(0).library)
    bool_placeholder(g, "flag")
    node(g, "not_flag", "LogicalNot", ["flag"])
    values = ["input"]
    node(g, "input", "Placeholder")
    for i in range(draw(st.integers(1, 60))):
        pred = draw(st.sampled_from(["flag", "not_flag"]))
        x, y = draw(st.sampled_from(values)), draw(st.sampled_from(values))
        kind = draw(st.sampled_from(["if", "if_unknown", "cond", "select", "plain"]))
        name = f"layer_{i}"
        if kind in ("if", "if_unknown"):
            then, other = ("dropout_train", "dropout_infer") if kind == "if" else ("nowhere", "nowhere")
            branch = {
                "then_branch": attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name=then)),
                "else_branch": attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name=other)),
            }
            node(g, name, "If", [pred, x], **branch)
        elif kind == "cond":
            node(g, f"{name}/Switch", "Switch", [x, pred])
            node(g, f"{name}/train", "Mul", [f"{name}/Switch:1", y])
            node(g, name, "Merge", [f"{name}/Switch", f"{name}/train"])
        elif kind == "select":
            node(g, name, "Select", [pred, x, y])
        else:
            node(g, name, "AddV2", [x, y])
        values.append(name)
    for name in draw(st.lists(st.sampled_from(values), max_size=3)):
        node(g, f"fetch_{len(g.node)}", "Identity", [name])
    return g


@FUZZ
@given(flag_reader_graphs())
def test_what_one_phase_uses_matches_the_plain_fixpoint(graph_def):
    from tb_phaseview.analysis import phase_runs as pr

    analysis = analyze(graph_def)
    graph = analysis.graph
    for source in analysis.phase.sources:
        switches, ifs, _, _ = pr._gates(graph, pr.polarities(graph, source.index))
        live = pr._liveness(graph, switches)
        branches = pr._branch_calls(graph, ifs, {})
        found = {n: m for n, m in pr._used_only_when(graph, live, switches, branches, ifs).items() if m != pr.BOTH}
        assert found == _used_by_plain_iteration(graph, live, switches, branches)
    answer_everything(analysis)
