"""Graphs written by real TensorFlow (TF1 graph mode, as old Keras, TF-Slim and TFLearn code wrote them) for the
answers the tab gives: one flag read by one layer, two flags sharing readers, Dropout switched by a fed
``keep_prob``, an ``is_training`` nothing reads. Registered in ``tf_written_graphs.GRAPHS``; each is written in
a fresh process like the others there (``python tests/tf_written_graphs.py OUTDIR NAME``)."""

from __future__ import annotations

import os

SIZE = 4


def _setup():
    from tf_written_graphs import _tf, _write_logdir_graph

    return _tf(control_flow_v1=True), _write_logdir_graph


def _dropout_cond(tf, x, flag):
    """A Dropout layer as old Keras wrote it: a v1 cond on the flag, dropping units only while training."""
    return tf.cond(flag, lambda: tf.nn.dropout(x, rate=0.5), lambda: tf.identity(x))


def _dense(tf, x, units, name):
    with tf.compat.v1.variable_scope(name):
        w = tf.compat.v1.get_variable("kernel", [x.shape[-1], units])
        return tf.matmul(x, w)


def write_one_reader_born_inside(out):
    """Old Keras created the flag inside the first layer that needed it; here that layer is the only reader."""
    tf, write_graph = _setup()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, SIZE], name="x")
        h = _dense(tf, x, SIZE, "dense_1")
        with tf.name_scope("dropout_1"):
            flag = tf.compat.v1.placeholder_with_default(False, shape=(), name="keras_learning_phase")
            y = _dropout_cond(tf, h, flag)
        tf.identity(_dense(tf, y, 1, "dense_2"), name="out")
    write_graph(tf, os.path.join(out, "logs", "one_reader_born_inside"), graph)


def write_two_flags(out):
    """Two learning-phase flags (a second model built in the same session got ``keras_learning_phase_1``):
    eleven Dropout layers read the first, two of them the second too."""
    tf, write_graph = _setup()
    graph = tf.Graph()
    with graph.as_default():
        first = tf.compat.v1.placeholder_with_default(False, shape=(), name="keras_learning_phase")
        second = tf.compat.v1.placeholder_with_default(False, shape=(), name="keras_learning_phase_1")
        x = tf.compat.v1.placeholder(tf.float32, [None, SIZE], name="x")
        for i in range(1, 12):
            with tf.name_scope(f"dropout_{i}"):
                x = _dropout_cond(tf, x, first)
                if i <= 2:
                    x = _dropout_cond(tf, x, second)
        tf.identity(x, name="out")
    write_graph(tf, os.path.join(out, "logs", "two_flags"), graph)


def write_keep_prob_only(out):
    """TF1 tutorial code: Dropout switched by a float ``keep_prob`` placeholder fed at run time, no boolean."""
    tf, write_graph = _setup()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, SIZE], name="x")
        keep_prob = tf.compat.v1.placeholder(tf.float32, name="keep_prob")
        for i in (1, 2):
            with tf.compat.v1.variable_scope(f"fc{i}"):
                w = tf.compat.v1.get_variable("w", [SIZE, SIZE])
                x = tf.nn.relu(tf.matmul(x, w))
            x = tf.compat.v1.nn.dropout(x, keep_prob=keep_prob, name=f"drop{i}")
        tf.identity(x, name="out")
    write_graph(tf, os.path.join(out, "logs", "keep_prob_only"), graph)


def write_unused_is_training(out):
    """A TF1 graph that declares ``is_training`` but whose layers never read it (a batch norm left fixed)."""
    tf, write_graph = _setup()
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.placeholder(tf.bool, shape=(), name="is_training")
        x = tf.compat.v1.placeholder(tf.float32, [None, SIZE], name="x")
        x = tf.nn.relu(_dense(tf, x, SIZE, "fc1"))
        with tf.name_scope("bn"):
            mean, variance = tf.nn.moments(x, [0])
            x = tf.nn.batch_normalization(x, mean, variance, None, None, 1e-3)
        tf.identity(x, name="out")
    write_graph(tf, os.path.join(out, "logs", "unused_is_training"), graph)


def write_keras_set_weights(out):
    """tf_keras in graph mode (v1 control flow): a Dense/Dropout stack whose weights were set with
    ``set_weights``, which leaves one ``Placeholder_N`` and one ``AssignVariableOp_N`` per weight at the top level
    (here 24 of each), beside the model and its ``keras_learning_phase`` flag."""
    tf, write_graph = _setup()
    import tf_keras as keras
    from tf_keras.src import backend

    inputs = keras.Input((SIZE,), name="x")
    x = inputs
    for i in range(1, 13):
        x = keras.layers.Dense(SIZE, name=f"dense_{i}")(x)
        if i in (4, 8):
            x = keras.layers.Dropout(0.5, name=f"dropout_{i // 4}")(x)
    model = keras.Model(inputs, x)
    model.set_weights(model.get_weights())
    write_graph(tf, os.path.join(out, "logs", "keras_set_weights"), backend.get_session().graph)


GRAPHS = {
    "one_reader_born_inside": write_one_reader_born_inside,
    "two_flags": write_two_flags,
    "keep_prob_only": write_keep_prob_only,
    "unused_is_training": write_unused_is_training,
    "keras_set_weights": write_keras_set_weights,
}
