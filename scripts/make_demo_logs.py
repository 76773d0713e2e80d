#!/usr/bin/env python
"""Write small TensorBoard demo logs that contain "learning phase" edges.

Usage (from the repository root):

    .venv/bin/python scripts/make_demo_logs.py [OUTDIR] [--only RUN ...] [--report]

OUTDIR defaults to ``demo_logs`` in the repository root.  Every run is written
into its own sub-folder ``OUTDIR/<run name>`` (any old contents of that folder
are removed first).  Each run is produced in a fresh Python subprocess so that
global TensorFlow / Keras state (eager mode, control flow v1/v2, the Keras
learning-phase registry, ``TF_USE_LEGACY_KERAS``) never leaks between runs.

Only graphs are written: no checkpoints, no profiler traces, no weights.

The module is importable without side effects.  What ``model.summary()`` printed for each tf_keras model (``summary_params`` in ``DEMO_RUNS``; ``tb-phaseview
summary`` gives the same counts from the logged graphs: the first three's variables carry their shapes, the other
two hold theirs as resource inputs of a traced function, whose shapes their reads or the trace's handle shapes give):

    run                    total params  trainable  non-trainable
    resnet_tf_keras           1,462,145  1,452,033         10,112
    resnet_old_keras          1,462,145  1,452,033         10,112
    dropout_cnn                  17,905     17,857             48
    tf2_function_training           313        265             48
    tf2_fit_no_flag                 561        497             64

Tests can use ``DEMO_RUNS``
and the ``build_*`` functions to construct each Keras model (without training)
and count its layers by class, e.g.::

    import make_demo_logs as m
    for name, spec in m.DEMO_RUNS.items():
        if spec["builder"]:
            model = getattr(m, spec["builder"])()
            ...  # compare with spec["expected_layers"]
"""

import argparse
import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUTDIR = os.path.join(REPO_ROOT, "demo_logs")
SEED = 1234

# Event files are renamed to a fixed name after writing so that regenerating
# the logs gives the same file names (no time stamp / host name in the repo).
EVENT_FILE_NAME = "events.out.tfevents.1700000000.demo"

# Description of every run.  ``builder`` names a module-level function that
# returns an (untrained, uncompiled) tf_keras model, or None for the run that
# uses no Keras model.  ``expected_layers`` counts layers by class name.
DEMO_RUNS = {
    "resnet_tf_keras": {
        "builder": "build_seed_resnet",
        "expected_layers": {"BatchNormalization": 24, "Dropout": 0},
        "summary_params": {"total": 1462145, "trainable": 1452033, "non_trainable": 10112},
        "mode": "tf_keras graph mode (disable_eager_execution), one fit step",
        "control_flow": "v2",  # BN uses If / StatelessIf
        "flag": "keras_learning_phase",
        "flag_op": "PlaceholderWithDefault",
        "graphs": ["run_graph"],
        "description": "Seed ResNet (stage 1 + ResNet50 stages 2 and 3); "
        "learning-phase flag at the graph root; v2 control flow.",
    },
    "resnet_old_keras": {
        "builder": "build_seed_resnet",
        "expected_layers": {"BatchNormalization": 24, "Dropout": 0},
        "summary_params": {"total": 1462145, "trainable": 1452033, "non_trainable": 10112},
        "mode": "tf_keras graph mode, control flow v1, one fit step",
        "control_flow": "v1",  # BN uses cond/Switch, cond/pred_id, cond/Merge
        "flag": "bnl_stg-1/keras_learning_phase",
        "flag_op": "PlaceholderWithDefault",
        "graphs": ["run_graph"],
        "description": "Same ResNet, but the flag lives inside the first "
        "BatchNorm's name scope as in old Keras; v1 control flow.",
    },
    "dropout_cnn": {
        "builder": "build_dropout_cnn",
        "expected_layers": {"BatchNormalization": 2, "Dropout": 3},
        "summary_params": {"total": 17905, "trainable": 17857, "non_trainable": 48},
        "mode": "tf_keras graph mode, control flow v1, one fit step",
        "control_flow": "v1",
        "flag": "keras_learning_phase",
        "flag_op": "PlaceholderWithDefault",
        "graphs": ["run_graph"],
        "description": "Small CNN with BatchNorm and Dropout; root flag; v1 control flow.",
    },
    "tf1_is_training": {
        "builder": None,
        "expected_layers": {"BatchNormalization": 3, "Dropout": 2},
        "mode": "TF1 graph built with tf.compat.v1.layers (TF_USE_LEGACY_KERAS=1), one session step",
        "control_flow": "v2",
        "flag": "is_training",
        "flag_op": "Placeholder",
        "graphs": ["run_graph", "tagged_run_metadata:train_step_1"],
        "description": "TF1-style model with an is_training placeholder, "
        "UPDATE_OPS, plus tagged run metadata of one traced step.",
    },
    "tf2_function_training": {
        "builder": "build_tf2_function_model",
        "expected_layers": {"BatchNormalization": 2, "Dropout": 1},
        "summary_params": {"total": 313, "trainable": 265, "non_trainable": 48},
        "mode": "eager TF2, tf.function with a bool tensor `training` argument, tf.summary.trace_export",
        "control_flow": "v2",
        "flag": "training",
        "flag_op": "_Arg",  # in the function graphs of the RunMetadata
        "graphs": ["graph_run_metadata_graph:forward"],
        "description": "tf.function whose `training` argument is a tensor; "
        "graph exported with trace_export (function graphs only).",
    },
    "tf2_fit_no_flag": {
        "builder": "build_fit_mlp",
        "expected_layers": {"BatchNormalization": 2, "Dropout": 2},
        "summary_params": {"total": 561, "trainable": 497, "non_trainable": 64},
        "mode": "eager TF2 model.fit with the TensorBoard callback (write_graph=True)",
        "control_flow": "v2",
        "flag": None,
        "flag_op": None,
        "graphs": ["run_graph", "keras (model config)"],
        "description": "Train-function graph of an eager fit: training is a "
        "Python bool, so there is NO learning-phase flag.",
    },
}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _quiet_tf():
    """Import TensorFlow with its logging turned down; returns the module."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import warnings

    warnings.filterwarnings("ignore")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # pragma: no cover
        pass
    return tf


def _keras():
    _quiet_tf()
    import tf_keras

    return tf_keras


def _seed_everything():
    import random

    import numpy as np

    tf = _quiet_tf()
    random.seed(SEED)
    np.random.seed(SEED)
    tf.random.set_seed(SEED)
    if not tf.executing_eagerly():
        tf.compat.v1.set_random_seed(SEED)


def _reset_dir(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)


def _collect_events(src_dir, dst_dir):
    """Move the single event file written in src_dir to dst_dir/EVENT_FILE_NAME."""
    files = sorted(glob.glob(os.path.join(src_dir, "events.out.tfevents.*")))
    if len(files) != 1:
        raise RuntimeError("expected one event file in %s, got %r" % (src_dir, files))
    os.makedirs(dst_dir, exist_ok=True)
    shutil.move(files[0], os.path.join(dst_dir, EVENT_FILE_NAME))


@contextlib.contextmanager
def _events_written_into(run_dir, subdir=""):
    """A scratch log directory; the one event file written in it (or its ``subdir``) becomes the run's."""
    tmp = tempfile.mkdtemp(prefix="demo_logs_")
    try:
        yield tmp
        _collect_events(os.path.join(tmp, subdir), run_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def count_layers(model):
    """Count layers of a Keras model by class name (recursing into sub-models)."""
    counts = {}
    stack = list(model.layers)
    while stack:
        layer = stack.pop()
        name = type(layer).__name__
        counts[name] = counts.get(name, 0) + 1
        if hasattr(layer, "layers"):
            stack.extend(layer.layers)
    return counts


# --------------------------------------------------------------------------
# Model builders (importable; they do not train anything)
# --------------------------------------------------------------------------


def _identity_block(x, kernel_size, filters, stage, block):
    """Classic Keras ResNet50 identity block (3 convs, 3 BNs)."""
    L = _keras().layers
    f1, f2, f3 = filters
    conv = "res%d%s_branch" % (stage, block)
    bn = "bn%d%s_branch" % (stage, block)
    shortcut = x
    x = L.Conv2D(f1, (1, 1), name=conv + "2a")(x)
    x = L.BatchNormalization(axis=3, name=bn + "2a")(x)
    x = L.Activation("relu", name=conv + "2a_relu")(x)
    x = L.Conv2D(f2, kernel_size, padding="same", name=conv + "2b")(x)
    x = L.BatchNormalization(axis=3, name=bn + "2b")(x)
    x = L.Activation("relu", name=conv + "2b_relu")(x)
    x = L.Conv2D(f3, (1, 1), name=conv + "2c")(x)
    x = L.BatchNormalization(axis=3, name=bn + "2c")(x)
    x = L.Add(name="res%d%s_add" % (stage, block))([x, shortcut])
    return L.Activation("relu", name="res%d%s_out" % (stage, block))(x)


def _conv_block(x, kernel_size, filters, stage, block, strides=(2, 2)):
    """Classic Keras ResNet50 convolutional block (4 convs, 4 BNs)."""
    L = _keras().layers
    f1, f2, f3 = filters
    conv = "res%d%s_branch" % (stage, block)
    bn = "bn%d%s_branch" % (stage, block)
    shortcut = x
    x = L.Conv2D(f1, (1, 1), strides=strides, name=conv + "2a")(x)
    x = L.BatchNormalization(axis=3, name=bn + "2a")(x)
    x = L.Activation("relu", name=conv + "2a_relu")(x)
    x = L.Conv2D(f2, kernel_size, padding="same", name=conv + "2b")(x)
    x = L.BatchNormalization(axis=3, name=bn + "2b")(x)
    x = L.Activation("relu", name=conv + "2b_relu")(x)
    x = L.Conv2D(f3, (1, 1), name=conv + "2c")(x)
    x = L.BatchNormalization(axis=3, name=bn + "2c")(x)
    shortcut = L.Conv2D(f3, (1, 1), strides=strides, name=conv + "1")(shortcut)
    shortcut = L.BatchNormalization(axis=3, name=bn + "1")(shortcut)
    x = L.Add(name="res%d%s_add" % (stage, block))([x, shortcut])
    return L.Activation("relu", name="res%d%s_out" % (stage, block))(x)


def build_seed_resnet(input_shape=(32, 32, 3)):
    """The seed ResNet: stage 1 + ResNet50 stages 2 (1+2 blocks) and 3 (1+3).

    24 BatchNormalization layers: bnl_stg-1, 10 in stage 2, 13 in stage 3.
    """
    keras = _keras()
    L = keras.layers
    inputs = L.Input(shape=input_shape, name="input_image")
    x = L.ZeroPadding2D((3, 3), name="pad_stg-1")(inputs)
    x = L.Conv2D(64, (7, 7), strides=(2, 2), name="cnl_stg-1")(x)
    x = L.BatchNormalization(axis=3, name="bnl_stg-1")(x)
    x = L.Activation("relu", name="relu_stg-1")(x)
    x = L.MaxPooling2D((3, 3), strides=(2, 2), name="mpl_stg-1")(x)

    x = _conv_block(x, 3, [64, 64, 256], stage=2, block="a", strides=(1, 1))
    x = _identity_block(x, 3, [64, 64, 256], stage=2, block="b")
    x = _identity_block(x, 3, [64, 64, 256], stage=2, block="c")

    x = _conv_block(x, 3, [128, 128, 512], stage=3, block="a")
    x = _identity_block(x, 3, [128, 128, 512], stage=3, block="b")
    x = _identity_block(x, 3, [128, 128, 512], stage=3, block="c")
    x = _identity_block(x, 3, [128, 128, 512], stage=3, block="d")

    x = L.AveragePooling2D((2, 2), name="avg_pool")(x)
    x = L.Flatten(name="flatten")(x)
    outputs = L.Dense(1, activation="sigmoid", name="fc_out")(x)
    return keras.Model(inputs, outputs, name="seed_resnet")


def build_dropout_cnn(input_shape=(16, 16, 3)):
    """Small CNN: 2 Conv2D, 2 BatchNormalization, 3 Dropout, 2 Dense."""
    keras = _keras()
    L = keras.layers
    inputs = L.Input(shape=input_shape, name="input_image")
    x = L.Conv2D(8, (3, 3), padding="same", name="conv1")(inputs)
    x = L.BatchNormalization(name="bn1")(x)
    x = L.Activation("relu", name="relu1")(x)
    x = L.Dropout(0.25, name="drop1")(x)
    x = L.Conv2D(16, (3, 3), padding="same", name="conv2")(x)
    x = L.BatchNormalization(name="bn2")(x)
    x = L.Activation("relu", name="relu2")(x)
    x = L.MaxPooling2D((2, 2), name="pool2")(x)
    x = L.Dropout(0.25, name="drop2")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(16, activation="relu", name="fc1")(x)
    x = L.Dropout(0.5, name="drop3")(x)
    outputs = L.Dense(1, activation="sigmoid", name="fc_out")(x)
    return keras.Model(inputs, outputs, name="dropout_cnn")


def build_tf2_function_model(input_dim=8):
    """Small model called from a tf.function: 2 BatchNormalization, 1 Dropout.

    bn1 follows a Dense layer (2-D input, non-fused batch norm: moments plus
    four tf.cond calls); bn2 follows a Conv2D (4-D input, fused batch norm
    inside the tf.cond branches), so both BN code paths appear in the graph.
    """
    keras = _keras()
    L = keras.layers
    inputs = L.Input(shape=(input_dim,), name="features")
    x = L.Dense(16, name="fc1")(inputs)
    x = L.BatchNormalization(name="bn1")(x)
    x = L.Activation("relu", name="relu1")(x)
    x = L.Reshape((2, 2, 4), name="to_image")(x)
    x = L.Conv2D(8, (1, 1), name="conv1")(x)
    x = L.BatchNormalization(name="bn2")(x)
    x = L.Activation("relu", name="relu2")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dropout(0.5, name="drop1")(x)
    outputs = L.Dense(1, name="fc_out")(x)
    return keras.Model(inputs, outputs, name="tf2_function_model")


def build_fit_mlp(input_dim=8):
    """Small MLP (2 BatchNormalization, 2 Dropout) trained with eager fit."""
    keras = _keras()
    L = keras.layers
    inputs = L.Input(shape=(input_dim,), name="features")
    x = L.Dense(16, name="fc1")(inputs)
    x = L.BatchNormalization(name="bn1")(x)
    x = L.Activation("relu", name="relu1")(x)
    x = L.Dropout(0.5, name="drop1")(x)
    x = L.Dense(16, name="fc2")(x)
    x = L.BatchNormalization(name="bn2")(x)
    x = L.Activation("relu", name="relu2")(x)
    x = L.Dropout(0.5, name="drop2")(x)
    outputs = L.Dense(1, activation="sigmoid", name="fc_out")(x)
    return keras.Model(inputs, outputs, name="fit_mlp")


def build_tf1_is_training_graph():
    """Build the TF1-style graph of run ``tf1_is_training`` in a new tf.Graph.

    Needs ``TF_USE_LEGACY_KERAS=1`` in the environment before TensorFlow is
    imported (tf.compat.v1.layers is backed by tf_keras).  Layers: 2 conv2d,
    3 batch_normalization, 3 dense, 2 dropout.  Returns (graph, handles).
    """
    if os.environ.get("TF_USE_LEGACY_KERAS") != "1":
        raise RuntimeError(
            "build_tf1_is_training_graph needs TF_USE_LEGACY_KERAS=1 set "
            "before tensorflow is imported (tf.compat.v1.layers is not "
            "available with Keras 3)"
        )
    tf = _quiet_tf()
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(SEED)
        images = v1.placeholder(tf.float32, [None, 8, 8, 3], name="images")
        labels = v1.placeholder(tf.float32, [None, 1], name="labels")
        is_training = v1.placeholder(tf.bool, shape=(), name="is_training")

        x = v1.layers.conv2d(images, 8, 3, padding="same", name="conv1")
        x = v1.layers.batch_normalization(x, training=is_training, name="bn1")
        x = tf.nn.relu(x, name="relu1")
        x = v1.layers.conv2d(x, 16, 3, strides=2, padding="same", name="conv2")
        x = v1.layers.batch_normalization(x, training=is_training, name="bn2")
        x = tf.nn.relu(x, name="relu2")
        x = v1.layers.flatten(x, name="flatten")
        x = v1.layers.dense(x, 32, name="fc1")
        x = v1.layers.batch_normalization(x, training=is_training, name="bn3")
        x = tf.nn.relu(x, name="relu3")
        x = v1.layers.dropout(x, rate=0.5, training=is_training, name="drop1")
        x = v1.layers.dense(x, 16, activation=tf.nn.relu, name="fc2")
        x = v1.layers.dropout(x, rate=0.5, training=is_training, name="drop2")
        logits = v1.layers.dense(x, 1, name="logits")

        loss = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits),
            name="loss",
        )
        global_step = v1.train.get_or_create_global_step()
        update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_op = v1.train.MomentumOptimizer(0.01, 0.9).minimize(loss, global_step=global_step, name="train_op")
        init_op = v1.global_variables_initializer()
    handles = {
        "images": images,
        "labels": labels,
        "is_training": is_training,
        "loss": loss,
        "train_op": train_op,
        "init_op": init_op,
    }
    return graph, handles


# --------------------------------------------------------------------------
# Run writers (each one runs in its own subprocess, see main())
# --------------------------------------------------------------------------

# Keeps the custom learning-phase tensor alive: tf_keras only stores a weak
# reference to it in its per-graph registry.
_KEEP_ALIVE = []


def _sorted_keras_variable_init():
    """Make tf_keras's lazy variable initialisation create its ops in name order.

    In graph mode tf_keras checks and initialises variables while iterating
    over an identity set, so the numbering of the VarIsInitializedOp_N ops
    would change from one regeneration to the next.
    """
    _keras()
    from tf_keras.src import backend as keras_backend

    original = keras_backend._get_variables
    if getattr(original, "_demo_sorted", False):
        return

    def sorted_variables(graph=None):
        return sorted(original(graph), key=lambda v: v.name)

    sorted_variables._demo_sorted = True
    keras_backend._get_variables = sorted_variables


def _fit_one_step_graph_mode(model, x, y):
    keras = _keras()
    _sorted_keras_variable_init()
    model.compile(
        optimizer=keras.optimizers.legacy.SGD(learning_rate=0.01),
        loss="binary_crossentropy",
    )
    model.fit(x, y, batch_size=len(x), epochs=1, verbose=0, shuffle=False)


def _write_session_graph(run_dir):
    tf = _quiet_tf()
    _keras()
    from tf_keras.src import backend as keras_backend

    sess = keras_backend.get_session()
    with _events_written_into(run_dir) as tmp:
        # add_graph() writes the GraphDef only; passing graph= to the
        # FileWriter constructor would also write a MetaGraphDef copy of it
        # (run tf1_is_training keeps that TF1 pattern).
        writer = tf.compat.v1.summary.FileWriter(tmp)
        writer.add_graph(sess.graph)
        writer.close()


def _fit_on_random_data(model, input_shape):
    """One fit step on a batch of 4 random examples (the graph, not the numbers, is what is logged)."""
    import numpy as np

    x = np.random.rand(4, *input_shape).astype("float32")
    y = np.random.randint(0, 2, size=(4, 1)).astype("float32")
    _fit_one_step_graph_mode(model, x, y)


def _graph_mode(control_flow_v1=False):
    tf = _quiet_tf()
    tf.compat.v1.disable_eager_execution()
    if control_flow_v1:
        tf.compat.v1.disable_control_flow_v2()
    return tf


def write_resnet_tf_keras(run_dir):
    _graph_mode()
    _seed_everything()
    _fit_on_random_data(build_seed_resnet(), (32, 32, 3))
    _write_session_graph(run_dir)


def write_resnet_old_keras(run_dir):
    tf = _graph_mode(control_flow_v1=True)
    from tf_keras.src import backend as keras_backend

    _seed_everything()
    graph = keras_backend.get_graph()
    # Old Keras created the flag lazily while building the first layer that
    # needed it, i.e. inside the first BatchNorm's name scope.  tf_keras
    # always creates it at the root (name_scope("")), so create it ourselves
    # and register it as this graph's learning phase.  The trailing "/" makes
    # the scope absolute without reserving the scope name, so the BN layer
    # "bnl_stg-1" still gets the scope "bnl_stg-1/" (checked below).
    with graph.as_default(), tf.name_scope("bnl_stg-1/"):
        phase = tf.compat.v1.placeholder_with_default(False, shape=(), name="keras_learning_phase")
    _KEEP_ALIVE.append(phase)
    keras_backend._internal_set_learning_phase(graph, phase)
    assert keras_backend.learning_phase() is phase

    model = build_seed_resnet()
    _fit_on_random_data(model, (32, 32, 3))

    # Every BN layer must read the flag through its v1 cond.
    gdef = graph.as_graph_def()
    readers = set()
    for node in gdef.node:
        if any(i.split(":")[0] == phase.op.name for i in node.input):
            readers.add(node.name.split("/")[0])
    bn_names = [l.name for l in model.layers if type(l).__name__ == "BatchNormalization"]
    missing = [n for n in bn_names if n not in readers]
    if phase.op.name != "bnl_stg-1/keras_learning_phase" or missing:
        raise RuntimeError("flag %s not read by %r" % (phase.op.name, missing))
    if not any(n.name == "bnl_stg-1/cond/Switch" for n in gdef.node):
        raise RuntimeError("BN bnl_stg-1 did not get the name scope bnl_stg-1/")
    _write_session_graph(run_dir)


def write_dropout_cnn(run_dir):
    _graph_mode(control_flow_v1=True)
    _seed_everything()
    _fit_on_random_data(build_dropout_cnn(), (16, 16, 3))
    _write_session_graph(run_dir)


def write_tf1_is_training(run_dir):
    import numpy as np

    tf = _quiet_tf()
    tf.compat.v1.disable_eager_execution()
    np.random.seed(SEED)
    graph, h = build_tf1_is_training_graph()
    feed = {
        h["images"]: np.random.rand(4, 8, 8, 3).astype("float32"),
        h["labels"]: np.random.randint(0, 2, size=(4, 1)).astype("float32"),
        h["is_training"]: True,
    }
    with _events_written_into(run_dir) as tmp:
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(h["init_op"])
            # As TF1 scripts did: the constructor writes the GraphDef and a
            # MetaGraphDef holding the same graph.
            writer = tf.compat.v1.summary.FileWriter(tmp, graph=sess.graph)
            options = tf.compat.v1.RunOptions(
                trace_level=tf.compat.v1.RunOptions.FULL_TRACE,
                output_partition_graphs=True,
            )
            run_metadata = tf.compat.v1.RunMetadata()
            sess.run(h["train_op"], feed_dict=feed, options=options, run_metadata=run_metadata)
            writer.add_run_metadata(run_metadata, "train_step_1", global_step=1)
            writer.close()


def write_tf2_function_training(run_dir):
    import numpy as np

    tf = _quiet_tf()
    _seed_everything()
    model = build_tf2_function_model()

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, 8], tf.float32, name="x"),
            tf.TensorSpec([], tf.bool, name="training"),
        ]
    )
    def forward(x, training):
        return model(x, training=training)

    # Create the inputs before tracing starts: an eager tf.constant made while
    # tracing is on shows up as an extra "_EagerConst" function graph.
    x = tf.constant(np.random.rand(4, 8).astype("float32"))
    training = tf.constant(True)
    with _events_written_into(run_dir) as tmp:
        writer = tf.summary.create_file_writer(tmp)
        tf.summary.trace_on(graph=True, profiler=False)
        forward(x, training)
        with writer.as_default():
            tf.summary.trace_export(name="forward", step=0)
        writer.close()


def write_tf2_fit_no_flag(run_dir):
    import numpy as np

    keras = _keras()
    _seed_everything()
    model = build_fit_mlp()
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.01),
        loss="binary_crossentropy",
    )
    x = np.random.rand(4, 8).astype("float32")
    y = np.random.randint(0, 2, size=(4, 1)).astype("float32")
    with _events_written_into(run_dir, subdir="train") as tmp:
        # The callback writes the train-function graph from
        # on_train_batch_end, which is only called when some callback wants
        # batch hooks: with verbose=0 and profile_batch=0 that is only the
        # case with write_steps_per_second=True.
        tensorboard = keras.callbacks.TensorBoard(
            log_dir=tmp,
            write_graph=True,
            write_steps_per_second=True,
            profile_batch=0,
            histogram_freq=0,
            update_freq="epoch",
        )
        model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False, callbacks=[tensorboard])


WRITERS = {
    "resnet_tf_keras": write_resnet_tf_keras,
    "resnet_old_keras": write_resnet_old_keras,
    "dropout_cnn": write_dropout_cnn,
    "tf1_is_training": write_tf1_is_training,
    "tf2_function_training": write_tf2_function_training,
    "tf2_fit_no_flag": write_tf2_fit_no_flag,
}


# --------------------------------------------------------------------------
# Reading the logs back (used for the report and as a self-check)
# --------------------------------------------------------------------------


def read_graphs(run_dir):
    """Return [(kind, tag, GraphDef)] for every graph stored in run_dir.

    kind is "run_graph", "meta_graph_def" (tf.compat.v1 FileWriter writes the
    graph a second time inside a MetaGraphDef), "tagged_run_metadata/partition_graph",
    "tagged_run_metadata/function_graph/<stage>" or
    "graph_run_metadata_graph/<stage>" (trace_export); stage is one of
    pre_optimization_graph / post_optimization_graph / partition_graph.
    """
    tf = _quiet_tf()
    from tensorflow.core.framework import graph_pb2
    from tensorflow.core.protobuf import config_pb2, meta_graph_pb2

    def from_run_metadata(prefix, tag, rm):
        out = []
        for g in rm.partition_graphs:
            out.append((prefix + "/partition_graph", tag, g))
        for i, fg in enumerate(rm.function_graphs):
            sub = "%s#%d" % (tag, i)
            out.append((prefix + "/function_graph/pre_optimization_graph", sub, fg.pre_optimization_graph))
            out.append((prefix + "/function_graph/post_optimization_graph", sub, fg.post_optimization_graph))
            for g in fg.partition_graphs:
                out.append((prefix + "/function_graph/partition_graph", sub, g))
        return out

    graphs = []
    for path in sorted(glob.glob(os.path.join(run_dir, "*tfevents*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            if event.HasField("graph_def"):
                g = graph_pb2.GraphDef()
                g.ParseFromString(event.graph_def)
                graphs.append(("run_graph", None, g))
            if event.HasField("meta_graph_def"):
                mg = meta_graph_pb2.MetaGraphDef()
                mg.ParseFromString(event.meta_graph_def)
                graphs.append(("meta_graph_def", None, mg.graph_def))
            if event.HasField("tagged_run_metadata"):
                rm = config_pb2.RunMetadata()
                rm.ParseFromString(event.tagged_run_metadata.run_metadata)
                graphs.extend(from_run_metadata("tagged_run_metadata", event.tagged_run_metadata.tag, rm))
            for value in event.summary.value:
                plugin = value.metadata.plugin_data.plugin_name
                if plugin == "graph_run_metadata_graph":
                    rm = config_pb2.RunMetadata()
                    rm.ParseFromString(value.tensor.string_val[0])
                    graphs.extend(from_run_metadata("graph_run_metadata_graph", value.tag, rm))
    return graphs


def _all_nodes(graph_def):
    """Yield (scope, NodeDef) for top-level nodes and library function nodes."""
    for node in graph_def.node:
        yield "", node
    for fn in graph_def.library.function:
        for node in fn.node_def:
            yield fn.signature.name, node


def find_bool_flags(graph_def):
    """Bool Placeholder / PlaceholderWithDefault / _Arg nodes of rank 0.

    A shape of unknown rank (or a missing shape attr) also counts.
    Returns [(scope, NodeDef)]; scope is "" or the library function name.
    """
    flags = []
    for scope, node in _all_nodes(graph_def):
        if node.op not in ("Placeholder", "PlaceholderWithDefault", "_Arg"):
            continue
        dtype_attr = "T" if node.op == "_Arg" else "dtype"
        if node.attr[dtype_attr].type != 10:  # DT_BOOL
            continue
        if "shape" in node.attr:
            shape = node.attr["shape"].shape
        elif len(node.attr["_output_shapes"].list.shape) == 1:
            shape = node.attr["_output_shapes"].list.shape[0]
        else:
            shape = None
        if shape is not None and not shape.unknown_rank and len(shape.dim):
            continue
        flags.append((scope, node))
    return flags


def consumers(graph_def, scope, name):
    """Direct consumers [(node name, op, input index)] of name's output 0."""
    out = []
    for s, node in _all_nodes(graph_def):
        if s != scope:
            continue
        for idx, inp in enumerate(node.input):
            if inp in (name, name + ":0", "^" + name):
                out.append((node.name, node.op, idx if not inp.startswith("^") else "ctrl"))
    return out


def check_run(outdir, run):
    """Raise if run's logs do not hold exactly the expected learning-phase flag.

    Looks at the first stored graph (the run graph, or the pre-optimization
    function graph for trace_export) and returns the flag's consumer list.
    """
    spec = DEMO_RUNS[run]
    graphs = [
        g
        for g in read_graphs(os.path.join(outdir, run))
        if g[0] in ("run_graph",) or g[0].endswith("pre_optimization_graph")
    ]
    if not graphs:
        raise RuntimeError("%s: no graph found" % run)
    kind, _, graph_def = graphs[0]
    flags = [node for _, node in find_bool_flags(graph_def)]
    names = [node.name for node in flags]
    if spec["flag"] is None:
        if names:
            raise RuntimeError("%s: unexpected bool flags %r" % (run, names))
        return []
    if names != [spec["flag"]]:
        raise RuntimeError("%s: expected flag %r in %s, found %r" % (run, spec["flag"], kind, names))
    found = consumers(graph_def, "", spec["flag"])
    if not found:
        raise RuntimeError("%s: flag %r has no consumers" % (run, spec["flag"]))
    return found


def report(outdir, verbose=True, max_consumers=8):
    """Print what each run's event files contain; return a summary dict."""
    summary = {}
    for run in DEMO_RUNS:
        run_dir = os.path.join(outdir, run)
        graphs = read_graphs(run_dir)
        summary[run] = graphs
        if not verbose:
            continue
        print("=== %s" % run)
        for kind, tag, g in graphs:
            print("  %-58s tag=%-16s nodes=%d functions=%d" % (kind, tag, len(g.node), len(g.library.function)))
            for scope, node in find_bool_flags(g):
                attrs = {}
                if "shape" in node.attr:
                    attrs["shape"] = [d.size for d in node.attr["shape"].shape.dim]
                if "index" in node.attr:
                    attrs["index"] = node.attr["index"].i
                print("    flag %s%s op=%s %s" % ((scope + "::") if scope else "", node.name, node.op, attrs))
                found = consumers(g, scope, node.name)
                shown = found if max_consumers is None else found[:max_consumers]
                for cname, cop, idx in shown:
                    print("      <- %s (%s) input %s" % (cname, cop, idx))
                if len(shown) < len(found):
                    groups = {}
                    for _, cop, idx in found:
                        groups[(cop, idx)] = groups.get((cop, idx), 0) + 1
                    print(
                        "      ... %d consumers in all: %s"
                        % (
                            len(found),
                            ", ".join(
                                "%d x %s input %s" % (n, op, i) for (op, i), n in sorted(groups.items(), key=str)
                            ),
                        )
                    )
    return summary


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _run_in_subprocess(run, outdir):
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONHASHSEED"] = "0"
    env["CUDA_VISIBLE_DEVICES"] = ""
    if run == "tf1_is_training":
        env["TF_USE_LEGACY_KERAS"] = "1"
    cmd = [sys.executable, os.path.abspath(__file__), outdir, "--_child", run]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit("run %s failed (exit %d)" % (run, proc.returncode))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir", nargs="?", default=DEFAULT_OUTDIR)
    parser.add_argument("--only", nargs="+", choices=sorted(DEMO_RUNS), help="write only these runs")
    parser.add_argument("--report", action="store_true", help="print graphs, flags and flag consumers per run")
    parser.add_argument("--report-only", action="store_true", help="do not write anything, only print the report")
    parser.add_argument("--all-consumers", action="store_true", help="with --report: list every consumer of each flag")
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    outdir = os.path.abspath(args.outdir)

    if args._child:
        run_dir = os.path.join(outdir, args._child)
        _reset_dir(run_dir)
        WRITERS[args._child](run_dir)
        return 0

    if not args.report_only:
        for run in args.only or list(DEMO_RUNS):
            _run_in_subprocess(run, outdir)
            found = check_run(outdir, run)
            print(
                "wrote %s (flag: %s, %d direct consumers)"
                % (os.path.join(outdir, run), DEMO_RUNS[run]["flag"], len(found))
            )
    if args.report or args.report_only:
        report(outdir, verbose=True, max_consumers=None if args.all_consumers else 8)
    return 0


if __name__ == "__main__":
    sys.exit(main())
