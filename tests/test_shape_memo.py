"""A trace records no shape: each group answer infers its edges' shapes back to the batch the iterator gives, through
every layer before them. A shape one answer derived for certain is not derived again by the next; one derived
across a cycle (where the inference was cut, and which may depend on where it started) is never shared."""

from __future__ import annotations

from tensorboard.compat.proto import attr_value_pb2, tensor_shape_pb2
from tensorboard.compat.proto.graph_pb2 import GraphDef

from oddgraphs import node
from tb_phaseview.analysis import shapes
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.serve import wire

_DIM = tensor_shape_pb2.TensorShapeProto.Dim


def test_a_shape_inferred_for_one_answer_is_not_inferred_again_for_the_next(roles_graphs):
    graph = roles_graphs["roles_keras3_fit"].analysis.graph
    model = roles_graphs["roles_keras3_fit"].traced_step + "/keras3_cnn_1/"
    # The model's last op with a shape only inference gives: found after walking back through every layer.
    last = max(n for n, name in enumerate(graph.names) if name.startswith(model) and shapes.output_shape(graph, n, 0) is False
               and isinstance(shapes.inferred_output_shape(graph, n, 0, {}), tuple))  # fmt: skip
    alone: dict = {}
    expected = shapes.inferred_output_shape(graph, last, 0, alone)
    assert alone["visits"] > 20

    certain: dict = {}
    first, second = shapes.ShapeMemo(certain), shapes.ShapeMemo(certain)
    assert shapes.inferred_output_shape(graph, last, 0, first) == expected
    assert first["visits"] == alone["visits"]
    assert shapes.inferred_output_shape(graph, last, 0, second) == expected
    assert second.get("visits", 0) == 0  # read, not derived again


def test_group_answers_are_the_same_in_any_order(roles_graphs):
    """Every group's edges and boxes carry the shapes they carry when the group is the first one answered."""
    graph = roles_graphs["roles_keras3_fit"].analysis.graph
    groups = sorted(analyze(graph).tree.group_parent)[:60]
    forward, backward = analyze(graph), analyze(graph)
    answers = {g: wire.group_answer(forward, g) for g in groups}
    for g in reversed(groups):
        assert wire.group_answer(backward, g) == answers[g], g
    fresh = wire.group_answer(analyze(graph), groups[-1])
    assert fresh == answers[groups[-1]]


def test_a_shape_read_across_a_cycle_is_never_shared():
    """A hand-made graph whose ops read each other (``add`` reads ``again``, ``again`` reads ``add``): the inference
    cuts the cycle where it meets an op it is still deriving, so what it finds there depends on where it started.
    Those shapes stay in the answer that derived them; the placeholder's, derived from nothing, is shared."""
    graph_def = GraphDef()
    shape = tensor_shape_pb2.TensorShapeProto(dim=[_DIM(size=2), _DIM(size=4)])
    node(graph_def, "x", "Placeholder", shape=attr_value_pb2.AttrValue(shape=shape))
    node(graph_def, "add", "AddV2", ["x", "again"])
    node(graph_def, "again", "Identity", ["add"])
    node(graph_def, "out", "Relu", ["again"])
    graph = analyze(graph_def).graph
    index = graph.index
    fresh = {name: shapes.inferred_output_shape(graph, index[name], 0, {}) for name in ("add", "again", "out")}

    certain: dict = {}
    memo = shapes.ShapeMemo(certain)
    assert shapes.inferred_output_shape(graph, index["out"], 0, memo) == fresh["out"]
    assert {(index[name], 0) for name in ("add", "again", "out")} <= memo.uncertain
    assert set(certain) == {(index["x"], 0)} and certain[(index["x"], 0)] == (2, 4)
    # Entered elsewhere, with what the first answer shared: what a fresh inference finds.
    for name in ("add", "again"):
        assert shapes.inferred_output_shape(graph, index[name], 0, shapes.ShapeMemo(certain)) == fresh[name]
