"""Graphs nobody should write but somebody will: odd structure, hostile names, huge scopes and attributes.

Builders return GraphDef protos; ``write_run`` logs one as a run graph with TensorBoard's event writer.
``walk_every_route`` checks, in process, that every node of an analysis is reachable through group answers.
"""

from __future__ import annotations

import os
import socket
import time

from tensorboard.compat.proto import attr_value_pb2, event_pb2, graph_pb2, node_def_pb2, tensor_pb2, tensor_shape_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.serve import wire

DT_FLOAT, DT_BOOL = 1, 10

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    '"><script>alert(2)</script>',
    "x/<svg onload=alert(3)>/y",
    "javascript:alert(4)",
    "{{constructor.constructor('alert(5)')()}}",
    "' onmouseover='alert(6)",
]
HOSTILE_FLAG = "<img src=x onerror=alert(7)>/is_training"
HOSTILE_LAYER = '"><script>alert(8)</script>'


def node(graph, name, op, inputs=(), **attrs):
    n = graph.node.add(name=name, op=op)
    n.input.extend(inputs)
    for key, value in attrs.items():
        n.attr[key].CopyFrom(value)
    return n


def bool_placeholder(graph, name):
    node(
        graph,
        name,
        "Placeholder",
        dtype=attr_value_pb2.AttrValue(type=DT_BOOL),
        shape=attr_value_pb2.AttrValue(shape=tensor_shape_pb2.TensorShapeProto()),
    )


def layer_reading_flag(graph, layer, flag):
    """A v1 cond in ``layer`` whose Switch reads ``flag``: a BatchNorm-looking layer that reads the phase."""
    node(graph, f"{layer}/x", "Const")
    node(graph, f"{layer}/cond/Switch", "Switch", [f"{layer}/x", flag])
    node(graph, f"{layer}/FusedBatchNormV3", "FusedBatchNormV3", [f"{layer}/cond/Switch:1"])
    node(graph, f"{layer}/cond/Merge", "Merge", [f"{layer}/FusedBatchNormV3", f"{layer}/cond/Switch"])


def hostile_graph():
    """Every hostile string as a node name, an op type, an attribute and a device; a flag and a layer too."""
    g = graph_pb2.GraphDef()
    bool_placeholder(g, HOSTILE_FLAG)
    layer_reading_flag(g, HOSTILE_LAYER, HOSTILE_FLAG)
    layer_reading_flag(g, "bn_plain", HOSTILE_FLAG)
    previous = HOSTILE_LAYER + "/cond/Merge"
    for i, name in enumerate(HOSTILE):
        n = node(
            g,
            name,
            "Identity" if i % 2 else HOSTILE[0],
            [previous],
            note=attr_value_pb2.AttrValue(s=HOSTILE[1].encode()),
        )
        n.device = HOSTILE[2]
        previous = name
    return g


def huge_scope_graph(count=100_000, scope="big"):
    """``count`` ops directly in one scope, chained, reading one op outside it."""
    g = graph_pb2.GraphDef()
    node(g, "input", "Placeholder")
    g.node.extend(
        node_def_pb2.NodeDef(
            name=f"{scope}/n{i:06d}", op="Relu", input=["input" if i == 0 else f"{scope}/n{i - 1:06d}"]
        )
        for i in range(count)
    )
    node(g, "output", "Identity", [f"{scope}/n{count - 1:06d}"])
    return g


def big_tensor_const(name, megabytes):
    size = megabytes << 20
    tensor = tensor_pb2.TensorProto(dtype=DT_FLOAT, tensor_content=b"\0" * size)
    tensor.tensor_shape.dim.add(size=size // 4)
    return node_def_pb2.NodeDef(name=name, op="Const", attr={"value": attr_value_pb2.AttrValue(tensor=tensor)})


def odd_graph():
    """Dangling inputs, duplicate names, ``/`` at either end, empty scopes, non-ASCII and very long names,
    a 4 MB constant, a cycle, and a phase flag whose consumers sit in odd scopes."""
    g = graph_pb2.GraphDef()
    node(g, "a", "Placeholder")
    node(g, "dangling", "Identity", ["does_not_exist", "^also/missing", "a:7"])
    node(g, "a", "Const")  # duplicate of the first "a"
    node(g, "/lead", "Identity", ["a"])
    node(g, "trail/", "Identity", ["/lead"])
    node(g, "trail//", "Identity", ["trail/"])
    node(g, "empty//scope///op", "Identity", ["trail/"])
    node(g, "//", "NoOp")
    node(g, "ünïcødé/层/ノード", "Identity", ["a"])
    node(g, "emoji/\U0001f525/op", "Identity", ["ünïcødé/层/ノード"])
    node(g, "long/" + "x" * 3000, "Identity", ["a"])
    node(g, "/".join(["deep"] * 200), "Identity", ["a"])
    g.node.append(big_tensor_const("weights/kernel", 4))
    node(g, "cycle/a", "Add", ["cycle/b", "a"])
    node(g, "cycle/b", "Mul", ["cycle/a"])
    node(g, "self", "Add", ["self", "self:1", "^self"])
    bool_placeholder(g, "flag/")
    layer_reading_flag(g, "/layer/", "flag/")
    return g


def while_loop_graph():
    """A real v1 ``tf.while_loop`` (Enter/Merge/Switch/NextIteration/Exit: a back edge) under a phase flag."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        v2 = tf.compat.v1.control_flow_v2_enabled()
        tf.compat.v1.disable_control_flow_v2()
        try:
            training = tf.compat.v1.placeholder_with_default(False, [], name="is_training")
            x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
            with tf.compat.v1.variable_scope("dropout"):
                y = tf.compat.v1.cond(training, lambda: tf.nn.dropout(x, rate=0.5), lambda: tf.identity(x))
            i0 = tf.constant(0)
            _, out = tf.compat.v1.while_loop(
                lambda i, acc: i < 10, lambda i, acc: (i + 1, acc * 2.0), [i0, y], name="loop"
            )
            tf.identity(out, name="result")
        finally:
            if v2:
                tf.compat.v1.enable_control_flow_v2()
    return graph.as_graph_def()


def write_run(logdir, run, graph_def=None, blob=None):
    """Log a run graph (or raw ``blob`` bytes as one) in ``logdir/run``; returns the run directory.

    Written with TensorFlow's record writer (C++ checksums) when TensorFlow is installed: TensorBoard's own
    EventFileWriter computes CRC32C in Python, about 3 s per 10 MB.
    """
    run_dir = os.path.join(str(logdir), run)
    os.makedirs(run_dir, exist_ok=True)
    graph_event = event_pb2.Event(wall_time=1.0, graph_def=blob if blob is not None else graph_def.SerializeToString())
    try:
        import tensorflow as tf
    except ImportError:
        writer = EventFileWriter(run_dir)
        writer.add_event(graph_event)
        writer.close()
        return run_dir
    path = os.path.join(run_dir, f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}.0")
    with tf.io.TFRecordWriter(path) as writer:
        writer.write(event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString())
        writer.write(graph_event.SerializeToString())
    return run_dir


def walk_every_route(analysis, node_sample=None):
    """Open every group from the root down; check each node is reached exactly where its ``path`` says.

    Returns {node name: path}. ``node_sample`` limits how many nodes also get a node answer.
    """
    graph = analysis.graph
    reached = {}
    stack = [("", [])]
    groups = 0
    while stack:
        group, path = stack.pop()
        answer = wire.group_answer(analysis, group)
        groups += 1
        assert answer["path"] == path, (group, answer["path"], path)
        assert not answer["truncated"] and len(answer["children"]) <= wire.GROUP_CHILD_LIMIT
        assert all(child["label"] for child in answer["children"]), group
        names = {child["name"] for child in answer["children"]}
        assert len(names) == len(answer["children"]), f"children of {group!r} repeat a name"
        for edge in answer["edges"]:
            assert edge["from"] in names and edge["to"] in names and edge["from"] != edge["to"]
        for child in answer["children"]:
            if child["type"] == "group" and "function_call" in child:
                continue  # a call op's function bodies: not nodes of the graph (tests/test_functions.py)
            if child["type"] == "group":
                stack.append((child["name"], path + [child["name"]]))
            else:
                assert child["name"] not in reached, child["name"]
                reached[child["name"]] = path
    assert set(reached) == set(graph.names), "every node is reachable by opening groups"
    for i, name in enumerate(graph.names[: node_sample or len(graph.names)]):
        answer = wire.node_answer(analysis, name)
        assert answer["path"] == reached[name] == analysis.path_of_node(i)
    return reached


FIRST_ANSWER_REF = {"run": "r", "kind": "run_graph", "tag": None}


def assert_first_answer_needs_no_children_lists(graph_def):
    """The top level is answered from per-op labels; it must equal the answer from the full children lists."""
    lazy = analyze(graph_def)
    first = wire.graph_answer(lazy, FIRST_ANSWER_REF)
    assert not lazy.tree.children_built
    full = analyze(graph_def)
    full.tree.build_children()
    assert wire.graph_answer(full, FIRST_ANSWER_REF) == first
    # And once built, the lazy tree answers every group as the full one does.
    for group in list(full.tree.child_groups)[:200]:
        assert wire.group_answer(lazy, group) == wire.group_answer(full, group)


def deep_call_chain_graph(depth: int = 3000):
    """A layer reading a flag through an ``If`` whose branch starts a chain of ``depth`` functions, each calling the
    next (alternately by op name and through a ``PartitionedCall``); the last holds a FusedBatchNormV3."""
    g = graph_pb2.GraphDef()
    bool_placeholder(g, "is_training")
    node(g, "bn/x", "Const")
    node(
        g,
        "bn/cond",
        "If",
        ["is_training", "bn/x"],
        then_branch=attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name="chain_0")),
        else_branch=attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name="chain_0")),
    )
    for i in range(depth):
        f = g.library.function.add()
        f.signature.name = f"chain_{i}"
        if i == depth - 1:
            f.node_def.add(name="norm", op="FusedBatchNormV3")
        elif i % 2:
            f.node_def.add(name="call", op=f"chain_{i + 1}")
        else:
            call = f.node_def.add(name="call", op="PartitionedCall")
            call.attr["f"].func.name = f"chain_{i + 1}"
    return g
