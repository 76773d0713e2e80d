"""Pairs of graphs for the architecture diff, written by real tf_keras and TensorFlow, each in a fresh process.

    python tests/tf_written_diff.py RUN RUN_DIR

``write_diff_pairs`` (registered in tf_written_graphs.GRAPHS) writes every run of ``RUNS`` as
``OUT/logs/<run>``. Each is a small CNN trained for one step in graph mode, as a TF1-era Keras script logs it:
``base`` and ``base_again`` are the same model written twice; the others change one thing against ``base``:
- ``inserted``: a Conv2D inserted after the BatchNorm, so every later Keras number shifts (``conv2d_1`` of
  ``base`` is ``conv2d_2`` here);
- ``dropout_rate``: Dropout rate 0.5 -> 0.3;
- ``filters``: the first Conv2D's filters doubled (8 -> 16);
- ``no_bn``: the BatchNormalization removed;
- ``frozen``: ``base``'s inference graph frozen (variables to constants, only what the output needs);
- ``frozen_inference``: ``base`` built with the learning phase set to inference (no flag: the training branches
  are never built), then frozen, as export scripts did with ``K.set_learning_phase(0)``;
- ``tf1_layers``: the same model written with ``tf.compat.v1.layers`` and a TF1 optimizer.
"""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = (
    "base",
    "base_again",
    "inserted",
    "dropout_rate",
    "filters",
    "no_bn",
    "frozen",
    "frozen_inference",
    "tf1_layers",
)
INPUT = (16, 16, 3)


def write_diff_pairs(out: str) -> None:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_USE_LEGACY_KERAS": "1", "CUDA_VISIBLE_DEVICES": ""}
    for run in RUNS:
        subprocess.run(
            [sys.executable, os.path.abspath(__file__), run, os.path.join(out, "logs", run)],
            check=True,
            env=env,
            timeout=600,
        )


def _keras_model(run: str):
    import tf_keras as keras

    layers = keras.layers
    first_filters = 16 if run == "filters" else 8
    stack = [
        layers.Conv2D(first_filters, 3, activation="relu", input_shape=INPUT),
        layers.BatchNormalization(),
    ]
    if run == "no_bn":
        stack.pop()
    if run == "inserted":
        stack.append(layers.Conv2D(8, 3, padding="same", activation="relu"))
    stack += [
        layers.MaxPooling2D(),
        layers.Conv2D(16, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(32, activation="relu"),
        layers.Dropout(0.3 if run == "dropout_rate" else 0.5),
        layers.Dense(1, activation="sigmoid"),
    ]
    return keras.Sequential(stack)


def _write(tf, run_dir: str, graph=None, graph_def=None) -> None:
    writer = tf.compat.v1.summary.FileWriter(run_dir)
    writer.add_graph(graph, graph_def=graph_def)
    writer.close()


def _keras_run(run: str, run_dir: str) -> None:
    import numpy as np
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras.src import backend as keras_backend

    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.disable_control_flow_v2()
    tf.compat.v1.set_random_seed(1)
    np.random.seed(1)
    if run == "frozen_inference":
        keras_backend.set_learning_phase(0)
        model = _keras_model(run)
        sess = keras_backend.get_session()
        output = model.outputs[0].op.name
        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), [output])
        _write(tf, run_dir, graph_def=frozen)
        return
    model = _keras_model(run)
    model.compile(optimizer=keras.optimizers.legacy.SGD(learning_rate=0.01), loss="binary_crossentropy")
    x = np.random.rand(4, *INPUT).astype("float32")
    y = np.random.randint(0, 2, size=(4, 1)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    sess = keras_backend.get_session()
    if run != "frozen":
        _write(tf, run_dir, graph=sess.graph)
        return
    # As a TF1 export script freezes a Keras model: the output's subgraph, variables folded into constants.
    output = model.outputs[0].op.name
    frozen = tf.compat.v1.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), [output])
    _write(tf, run_dir, graph_def=frozen)


def _tf1_layers_run(run_dir: str) -> None:
    import tensorflow as tf

    v1 = tf.compat.v1
    v1.disable_eager_execution()
    v1.disable_control_flow_v2()
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(1)
        images = v1.placeholder(tf.float32, [None, *INPUT], name="images")
        labels = v1.placeholder(tf.float32, [None, 1], name="labels")
        training = v1.placeholder_with_default(False, shape=(), name="training")
        x = v1.layers.conv2d(images, 8, 3, activation=tf.nn.relu, name="conv1")
        x = v1.layers.batch_normalization(x, training=training, name="bn1")
        x = v1.layers.max_pooling2d(x, 2, 2, name="pool1")
        x = v1.layers.conv2d(x, 16, 3, activation=tf.nn.relu, name="conv2")
        x = v1.layers.flatten(x, name="flatten")
        x = v1.layers.dense(x, 32, activation=tf.nn.relu, name="fc1")
        x = v1.layers.dropout(x, rate=0.5, training=training, name="drop")
        logits = v1.layers.dense(x, 1, name="fc2")
        tf.nn.sigmoid(logits, name="prediction")
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), name="loss")
        step = v1.train.get_or_create_global_step()
        with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
            v1.train.GradientDescentOptimizer(0.01).minimize(loss, global_step=step, name="train")
        v1.global_variables_initializer()
    _write(tf, run_dir, graph=graph)


if __name__ == "__main__":
    run, run_dir = sys.argv[1:3]
    if run == "tf1_layers":
        _tf1_layers_run(run_dir)
    else:
        _keras_run(run, run_dir)
