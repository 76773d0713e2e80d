"""Graphs written by real TensorFlow at test time, for what demo_logs does not hold.

Each builder runs in a fresh Python process (TF1 graph mode and TF2 eager state must not meet) and writes a
logdir with one run graph, through TensorFlow's own summary writers:
- ``tf1_full``: a TF1 graph with ref variables (``VariableV2``/``Assign``, TF 0.x style), a float ``keep_prob``
  placeholder read by two dropout layers, an ``is_training`` flag read by a batch norm, ``global_step``,
  a ``GradientDescentOptimizer``, scalar and histogram summaries merged, a ``Saver`` and the ``init`` op;
- ``tf2_tape``: the graph of a ``tf.function`` that takes one training step with ``tf.GradientTape`` and a
  Keras optimizer (``gradient_tape/...``, ``ResourceApply*``-free new optimizer updates).
Run as a script: ``python tests/tf_written.py NAME LOGDIR``.
"""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name: str, logdir: str) -> str:
    """Write the named graph into ``logdir/<name>``; returns the logdir."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
    subprocess.run([sys.executable, os.path.abspath(__file__), name, logdir], check=True, env=env, timeout=300)
    return logdir


def _tf1_full(run_dir: str) -> None:
    import tensorflow as tf

    v1 = tf.compat.v1
    v1.disable_eager_execution()
    v1.disable_resource_variables()  # ref variables: VariableV2, Assign, RefSwitch, ApplyGradientDescent
    v1.disable_control_flow_v2()  # Switch/Merge conds, as TF 0.x wrote them
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(1)
        images = v1.placeholder(tf.float32, [None, 8], name="images")
        labels = v1.placeholder(tf.float32, [None, 1], name="labels")
        keep_prob = v1.placeholder(tf.float32, name="keep_prob")
        is_training = v1.placeholder(tf.bool, shape=(), name="is_training")
        x = images
        for i in (1, 2):
            with v1.variable_scope(f"fc{i}"):
                w = v1.get_variable("w", [8, 8], initializer=v1.glorot_uniform_initializer())
                b = v1.get_variable("b", [8], initializer=v1.zeros_initializer())
                x = tf.nn.relu(tf.matmul(x, w) + b)
            x = tf.nn.dropout(x, rate=1 - keep_prob, name=f"drop{i}")
        x = v1.layers.batch_normalization(x, training=is_training, name="bn")
        with v1.variable_scope("out"):
            w = v1.get_variable("w", [8, 1])
            logits = tf.matmul(x, w)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), name="loss")
        global_step = v1.train.get_or_create_global_step()
        with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
            train_op = v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
        v1.summary.scalar("loss", loss)
        v1.summary.histogram("logits", logits)
        v1.summary.merge_all()
        v1.global_variables_initializer()
        v1.train.Saver()
        del train_op
    writer = v1.summary.FileWriter(run_dir, graph)
    writer.close()


def _tf2_tape(run_dir: str) -> None:
    import tensorflow as tf
    import tf_keras

    model = tf_keras.Sequential(
        [
            tf_keras.layers.Dense(4, activation="relu", input_shape=(3,), name="fc1"),
            tf_keras.layers.Dense(1, name="fc2"),
        ]
    )
    optimizer = tf_keras.optimizers.SGD(0.1)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    x, y = tf.ones([2, 3]), tf.ones([2, 1])
    train_step(x, y)  # creates the optimizer's variables
    graph_def = train_step.get_concrete_function(x, y).graph.as_graph_def()
    writer = tf.summary.create_file_writer(run_dir)
    with writer.as_default():
        tf.summary.graph(graph_def)
    writer.close()


if __name__ == "__main__":
    name, logdir = sys.argv[1], sys.argv[2]
    {"tf1_full": _tf1_full, "tf2_tape": _tf2_tape}[name](os.path.join(logdir, name))
