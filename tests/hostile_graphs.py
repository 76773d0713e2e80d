"""Crafted graphs that cost much for their size: many readers of one flag, a node with millions of inputs, large
and self-calling function libraries. Builders return GraphDef protos (or, past what a proto builds quickly,
its serialised bytes); ``oddgraphs.write_run`` logs either."""

from __future__ import annotations

from tensorboard.compat.proto import attr_value_pb2, graph_pb2

from logdirs import varint
from oddgraphs import bool_placeholder, node


def _func(name):
    return attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name=name))


def branch_functions(g, *names):
    """Functions of the graph's library, one per name, each taking ``x`` and giving ``y`` (an ``If``'s branches)."""
    functions = []
    for name in names:
        f = g.library.function.add()
        f.signature.name = name
        f.signature.input_arg.add(name="x")
        f.signature.output_arg.add(name="y")
        functions.append(f)
    return functions


def many_flag_readers_graph(layers: int):
    """``layers`` layers in a chain, each an ``If`` on one flag whose training branch reads the layer's input
    and whose inference branch does not (a Dropout written with ``tf.cond``)."""
    g = graph_pb2.GraphDef()
    bool_placeholder(g, "is_training")
    node(g, "input", "Placeholder")
    train, infer = branch_functions(g, "dropout_train", "dropout_infer")
    train.node_def.add(name="mask", op="RandomUniform", input=["x"])
    train.node_def.add(name="drop", op="Mul", input=["x", "mask:z:0"])
    train.ret["y"] = "drop:z:0"
    infer.node_def.add(name="zero", op="Const")
    infer.ret["y"] = "zero:output:0"
    previous = "input"
    for i in range(layers):
        name = f"dropout_{i}/cond"
        node(
            g,
            name,
            "If",
            ["is_training", previous],
            then_branch=_func(train.signature.name),
            else_branch=_func(infer.signature.name),
        )
        previous = name
    node(g, "output", "Identity", [previous])
    return g


def hub_blob(inputs: int, sources: int = 1000) -> bytes:
    """A serialised GraphDef of ``sources`` NoOps and one ``hub`` reading them ``inputs`` times in all (serialised
    by hand: a proto of millions of inputs takes long to build)."""

    def node_bytes(name: bytes, inputs: list[bytes]) -> bytes:
        body = (
            b"\x0a"
            + varint(len(name))
            + name
            + b"\x12\x04NoOp"
            + b"".join(b"\x1a" + varint(len(i)) + i for i in inputs)
        )
        return b"\x0a" + varint(len(body)) + body

    names = [b"s%d" % i for i in range(sources)]
    repeated = (names * (inputs // sources + 1))[:inputs]
    return b"".join(node_bytes(n, []) for n in names) + node_bytes(b"hub", repeated)


def big_function_graph(body_nodes: int):
    """A layer's ``If`` on a flag whose training branch is a chain of ``body_nodes`` ops (one function body as
    large as a whole model)."""
    g = graph_pb2.GraphDef()
    bool_placeholder(g, "is_training")
    node(g, "x", "Placeholder")
    big, small = branch_functions(g, "big_branch", "small_branch")
    previous = "x"
    for i in range(body_nodes):
        big.node_def.add(name=f"op_{i}", op="Relu", input=[previous])
        previous = f"op_{i}:features:0"
    big.ret["y"] = previous
    small.ret["y"] = "x"
    node(g, "bn/cond", "If", ["is_training", "x"], then_branch=_func("big_branch"), else_branch=_func("small_branch"))
    node(g, "out", "Identity", ["bn/cond"])
    return g


def self_calling_graph(body_nodes: int = 2000):
    """``start`` calls ``again``, whose body holds ``body_nodes`` ops and a call to itself: opened without end."""
    g = graph_pb2.GraphDef()
    again = g.library.function.add()
    again.signature.name = "again"
    for i in range(body_nodes):
        again.node_def.add(name=f"op_{i}", op="NoOp")
    call = again.node_def.add(name="call", op="PartitionedCall")
    call.attr["f"].CopyFrom(_func("again"))
    node(g, "start", "PartitionedCall", f=_func("again"))
    return g


def huge_library_blob(body_nodes: int) -> bytes:
    """A serialised GraphDef of one NoOp and a function library whose one body holds ``body_nodes`` NoOps."""

    def field(number: int, payload: bytes) -> bytes:
        return bytes([number << 3 | 2]) + varint(len(payload)) + payload

    body = b"".join(field(3, field(1, b"n%d" % i) + field(2, b"NoOp")) for i in range(body_nodes))
    function = field(1, field(1, b"huge")) + body
    return field(1, field(1, b"top") + field(2, b"NoOp")) + field(2, field(1, function))
