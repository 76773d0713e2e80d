"""A flag is found by what it does, not by its name; booleans that gate nothing are not flags.

Each graph here is built by real TensorFlow in graph mode.
"""

from __future__ import annotations

import contextlib

import pytest

tf = pytest.importorskip("tensorflow")

from tb_phaseview.analysis.pipeline import analyze  # noqa: E402


@contextlib.contextmanager
def control_flow_v1():
    tf.compat.v1.disable_control_flow_v2()
    try:
        yield
    finally:
        tf.compat.v1.enable_control_flow_v2()


def graph_def(build):
    graph = tf.Graph()
    with graph.as_default():
        build()
    return graph.as_graph_def()


def sources(build):
    return [(s.name, s.op) for s in analyze(graph_def(build)).phase.sources]


def _two_branch(flag, scope="layer"):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    with tf.compat.v1.name_scope(scope):
        return tf.cond(flag, lambda: x * 2.0, lambda: x)


@pytest.mark.parametrize("v1", [False, True], ids=["If", "Switch"])
def test_any_name_is_found_when_it_gates_a_cond(v1):
    def build():
        _two_branch(tf.compat.v1.placeholder(tf.bool, [], name="mode_switch"))

    with control_flow_v1() if v1 else contextlib.nullcontext():
        assert sources(build) == [("mode_switch", "Placeholder")]


def test_placeholder_with_default_through_logical_not():
    def build():
        flag = tf.compat.v1.placeholder_with_default(False, [], name="phase")
        _two_branch(tf.logical_not(flag, name="inference"))

    assert sources(build) == [("phase", "PlaceholderWithDefault")]


def test_scalar_flag_as_select_condition():
    def build():
        flag = tf.compat.v1.placeholder(tf.bool, [], name="flag")
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        with tf.compat.v1.name_scope("noise"):
            tf.where(flag, x + 1.0, x)

    analysis = analyze(graph_def(build))
    assert [s.name for s in analysis.phase.sources] == ["flag"]
    assert [layer.layer for layer in analysis.phase.layers] == ["noise"]


def test_unknown_shape_bool_placeholder_counts_as_scalar():
    def build():
        _two_branch(tf.compat.v1.placeholder(tf.bool, None, name="is_training"))

    assert sources(build) == [("is_training", "Placeholder")]


def test_vector_boolean_mask_is_not_a_flag():
    def build():
        mask = tf.compat.v1.placeholder(tf.bool, [4], name="mask")
        x = tf.compat.v1.placeholder(tf.float32, [4], name="x")
        tf.where(mask, x, -x)

    assert sources(build) == []


def test_boolean_that_gates_no_control_flow_is_not_a_flag():
    def build():
        a = tf.compat.v1.placeholder(tf.bool, [], name="a")
        b = tf.compat.v1.placeholder(tf.bool, [], name="b")
        tf.cast(tf.logical_and(a, b), tf.float32)

    assert sources(build) == []


def test_computed_predicate_is_not_a_flag():
    def build():
        step = tf.compat.v1.placeholder(tf.int64, [], name="step")
        _two_branch(step > 10)

    assert sources(build) == []


def test_layer_kind_comes_from_ops_not_names():
    """A Dropout-like layer named 'mystery' is classified by its random ops."""

    def build():
        flag = tf.compat.v1.placeholder(tf.bool, [], name="training")
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        with tf.compat.v1.name_scope("mystery"):
            tf.cond(flag, lambda: tf.nn.dropout(x, rate=0.5), lambda: x)
        with tf.compat.v1.name_scope("plain"):
            tf.cond(flag, lambda: x * 3.0, lambda: x)

    layers = {layer.layer: layer.kind for layer in analyze(graph_def(build)).phase.layers}
    assert layers == {"mystery": "Dropout", "plain": "other"}


def test_a_traced_training_steps_gradient_tape_reads_the_flag_in_the_layers_it_differentiates(roles_graphs):
    # TF2's custom loop: the gradients of a BatchNormalization's and a Dropout's conds are conds on the same
    # ``training`` argument, under ``gradient_tape/``; they are those layers' gradients, not layers of their own.
    analysis = roles_graphs["roles_tf2_custom_loop"].analysis
    (source,) = analysis.phase.sources
    traced = source.name.rpartition("/")[0]  # the step's function graph: graph_<i>
    assert source.name == f"{traced}/training"
    bn, drop = f"{traced}/model/bn", f"{traced}/model/drop"
    assert [(layer.layer, layer.kind) for layer in analysis.phase.layers] == [
        (bn, "BatchNormalization"),
        (drop, "Dropout"),
    ]
    names = analysis.graph.names
    taped = {names[n]: layer for n, layer in analysis.phase.consumers.items() if "/gradient_tape/" in names[n]}
    assert taped == {
        f"{traced}/gradient_tape/model/bn/cond/StatelessIf": bn,
        f"{traced}/gradient_tape/model/drop/cond/StatelessIf": drop,
    }


def test_a_tf2_gans_flag_is_found_through_the_functions_its_conds_are_wrapped_in(roles_graphs):
    # Two GradientTapes record each cond, so TensorFlow wraps it in a function of its own
    # (``g_bn/cond/StatefulPartitionedCall`` calling ``__forward_cflow_gradient_wrapper_N``, the If inside): the
    # flag reaches its If through the call. It used to be no flag at all.
    analysis = roles_graphs["roles_tf2_gan"].analysis
    graph = analysis.graph
    (source,) = analysis.phase.sources
    traced = source.name.rpartition("/")[0]
    assert source.name == f"{traced}/training"
    g_bn, d_drop = f"{traced}/generator/g_bn", f"{traced}/discriminator/d_drop"
    assert [(layer.layer, layer.kind) for layer in analysis.phase.layers] == [
        (d_drop, "Dropout"),
        (g_bn, "BatchNormalization"),
    ]
    readers = {graph.names[n]: layer for n, layer in analysis.phase.consumers.items()}
    assert set(readers.values()) == {g_bn, d_drop}
    assert all(graph.ops[graph.index[n]] == "StatefulPartitionedCall" for n in readers), readers


def test_a_reader_inside_another_readers_scope_is_that_layer(roles_graphs):
    # A TF2 LSTM with dropout and recurrent dropout reads the flag for its input mask (``lstm/cond``) and its
    # cell's recurrent one (``lstm/lstm_cell/cond``): one layer, as Keras's summary and the drawing have it.
    analysis = roles_graphs["roles_tf2_lstm"].analysis
    traced = analysis.phase.sources[0].name.rpartition("/")[0]
    assert [(layer.layer, layer.kind) for layer in analysis.phase.layers] == [
        (f"{traced}/model/bn", "BatchNormalization"),
        (f"{traced}/model/lstm", "Dropout"),
    ]
    names = analysis.graph.names
    cell = [n for n in analysis.phase.consumers if "/lstm/lstm_cell/" in names[n]]
    assert cell and {analysis.phase.consumers[n] for n in cell} == {f"{traced}/model/lstm"}
