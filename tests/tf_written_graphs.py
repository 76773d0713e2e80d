"""Graphs written by real TensorFlow at test time, for the phase-resolution tests.

    python tests/tf_written_graphs.py OUTDIR NAME

writes ``OUTDIR/NAME`` in a fresh process (each graph needs its own global TensorFlow state: graph mode, v1 or
v2 control flow). ``GRAPHS`` lists the names. The logdir graphs are written as runs ``OUTDIR/NAME/logs/<run>``.
"""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUTPUT_SHAPE = 4


def _tf(control_flow_v1: bool):
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    tf.compat.v1.disable_eager_execution()
    if control_flow_v1:
        tf.compat.v1.disable_control_flow_v2()
    tf.compat.v1.set_random_seed(1234)
    return tf


def _write_logdir_graph(tf, run_dir, graph=None, graph_def=None):
    writer = tf.compat.v1.summary.FileWriter(run_dir)
    writer.add_graph(graph, graph_def=graph_def)
    writer.close()


def write_select_gated(out):
    """Dropout written with tf.where on a flag that defaults to true: both inputs are always computed."""
    tf = _tf(control_flow_v1=True)
    graph = tf.Graph()
    with graph.as_default():
        is_training = tf.compat.v1.placeholder_with_default(True, shape=(), name="is_training")
        x = tf.compat.v1.placeholder(tf.float32, [None, OUTPUT_SHAPE], name="x")
        with tf.name_scope("dropout"):
            dropped = tf.nn.dropout(x, rate=0.5)
            y = tf.compat.v1.where(is_training, dropped, x, name="Select")
        tf.identity(y * 2.0, name="out")
    _write_logdir_graph(tf, os.path.join(out, "logs", "select_gated"), graph)


def _branches(tf, x, flag, negated: bool):
    """A layer whose training branch drops units at random and whose inference branch scales its input."""
    with tf.name_scope("drop"):
        training = lambda: tf.nn.dropout(x, rate=0.5)  # noqa: E731
        inference = lambda: x * 0.5  # noqa: E731
        if negated:
            return tf.cond(tf.logical_not(flag), inference, training)
        return tf.cond(flag, training, inference)


def _write_negated(out, control_flow_v1: bool, run: str):
    tf = _tf(control_flow_v1)
    graph = tf.Graph()
    with graph.as_default():
        flag = tf.compat.v1.placeholder(tf.bool, shape=(), name="training")
        x = tf.compat.v1.placeholder(tf.float32, [None, OUTPUT_SHAPE], name="x")
        tf.identity(_branches(tf, x, flag, negated=True), name="out")
    _write_logdir_graph(tf, os.path.join(out, "logs", run), graph)


def write_negated_v1(out):
    _write_negated(out, True, "negated_v1")


def write_negated_v2(out):
    _write_negated(out, False, "negated_v2")


def write_loop_in_cond_v1(out):
    """A v1 while loop inside the training branch of a v1 cond: the loop's Merge takes its own NextIteration."""
    tf = _tf(control_flow_v1=True)
    graph = tf.Graph()
    with graph.as_default():
        flag = tf.compat.v1.placeholder_with_default(False, shape=(), name="training")
        x = tf.compat.v1.placeholder(tf.float32, [None, OUTPUT_SHAPE], name="x")

        def training():
            with tf.name_scope("noise"):
                _, y = tf.while_loop(
                    lambda i, y: i < 3, lambda i, y: (i + 1, y + tf.random.uniform(tf.shape(y))), (tf.constant(0), x)
                )
            return y

        tf.identity(tf.cond(flag, training, lambda: x), name="out")
    _write_logdir_graph(tf, os.path.join(out, "logs", "loop_in_cond_v1"), graph)


def _write_variable_flag(out, resource: bool, run: str):
    """TFLearn's way: is_training kept in a boolean variable, set by assign ops, saved with the model."""
    tf = _tf(control_flow_v1=not resource)
    graph = tf.Graph()
    with graph.as_default():
        flag = tf.compat.v1.Variable(False, trainable=False, name="is_training", use_resource=resource)
        tf.compat.v1.assign(flag, True, name="set_training")
        tf.compat.v1.assign(flag, False, name="set_inference")
        x = tf.compat.v1.placeholder(tf.float32, [None, OUTPUT_SHAPE], name="x")
        value = flag.read_value() if resource else flag
        tf.identity(_branches(tf, x, value, negated=False), name="out")
        tf.compat.v1.train.Saver()
    _write_logdir_graph(tf, os.path.join(out, "logs", run), graph)


def write_variable_flag(out):
    _write_variable_flag(out, False, "variable_flag")


def write_resource_variable_flag(out):
    _write_variable_flag(out, True, "resource_variable_flag")


def write_model_files(out):
    """The demo's Dropout CNN (tf_keras, graph mode, v1 control flow) after one fit step, written as a logdir
    run and as model files: GraphDef .pb and .pbtxt, .meta, SavedModel, and a frozen GraphDef."""
    tf = _tf(control_flow_v1=True)
    sys.path.insert(0, HERE)
    from demo import demo_script

    script = demo_script()
    script._seed_everything()
    model = script.build_dropout_cnn()
    script._fit_on_random_data(model, (16, 16, 3))
    from tf_keras.src import backend as keras_backend

    sess = keras_backend.get_session()
    graph = sess.graph
    graph_def = graph.as_graph_def()
    logs = os.path.join(out, "logs")
    files = os.path.join(out, "files")
    _write_logdir_graph(tf, os.path.join(logs, "model"), graph_def=graph_def)
    tf.io.write_graph(graph_def, files, "model.pb", as_text=False)
    tf.io.write_graph(graph_def, files, "model.pbtxt", as_text=True)
    tf.compat.v1.train.export_meta_graph(filename=os.path.join(files, "model.meta"), graph_def=graph_def)

    frozen = tf.compat.v1.graph_util.convert_variables_to_constants(sess, graph_def, [model.output.op.name])
    tf.io.write_graph(frozen, files, "frozen.pb", as_text=False)
    _write_logdir_graph(tf, os.path.join(logs, "frozen"), graph_def=frozen)

    # The SavedModel builder adds its saver's ops to the graph: the logdir run written after it holds them too.
    builder = tf.compat.v1.saved_model.Builder(os.path.join(files, "saved_model"))
    builder.add_meta_graph_and_variables(sess, ["serve"])
    builder.save()
    _write_logdir_graph(tf, os.path.join(logs, "saved"), graph_def=graph.as_graph_def())


# The other suites' graphs live in their own modules (the script's folder is on sys.path when run directly).
sys.path.insert(0, HERE)
import tf_written_answers  # noqa: E402
import tf_written_roles  # noqa: E402


def write_empty_trace(out):
    """Keras 3's TensorBoard callback tracing the second batch (``profile_batch=2``): the step was traced at the
    first, before tracing was on, so ``trace_export`` writes an empty graph (a user's common mistake)."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="head")], name="model")
    model.compile(optimizer="sgd", loss="mse")
    callback = keras.callbacks.TensorBoard(os.path.join(out, "logs", "traced_late"), profile_batch=2)
    model.fit(np.ones((16, 4), "float32"), np.ones((16, 2), "float32"), batch_size=8, verbose=0, callbacks=[callback])


def write_model_config_only(out):
    """Keras 3's ``fit`` with its TensorBoard callback as most code writes it (``write_graph=True`` by default, no
    traced batch): the run ``config_only/train`` holds Keras's model config and scalars, no op graph; beside it,
    the same fit with ``profile_batch=1`` writes a trace (``traced/train``)."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras
    import numpy as np

    for run, traced in (("config_only", 0), ("traced", 1)):
        keras.utils.set_random_seed(1)
        inputs = keras.Input((4,))
        hidden = keras.layers.Dropout(0.2, name="drop")(keras.layers.Dense(8, name="dense")(inputs))
        model = keras.Model(inputs, keras.layers.Dense(2, name="head")(hidden), name="model")
        model.compile(optimizer="adam", loss="mse")
        callback = keras.callbacks.TensorBoard(os.path.join(out, "logs", run), profile_batch=traced)
        features, targets = np.ones((16, 4), "float32"), np.ones((16, 2), "float32")
        model.fit(features, targets, batch_size=8, verbose=0, callbacks=[callback])


def write_keras3_export(out):
    """Keras 3's ``model.export()`` of a small trained model (Dense, Dropout, Dense): a TF2 SavedModel whose graph
    holds the model's variables, the serving calls, and a variable of its own for each weight that the checkpoint
    saves, each initialised from the weight's value (``Variable_3/Assign`` of ``Variable_3/Initializer/...``).
    Keras's own count beside it (``counts.json``)."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import json

    import keras
    import numpy as np

    keras.utils.set_random_seed(1)
    inputs = keras.Input((4,))
    hidden = keras.layers.Dropout(0.2, name="drop")(keras.layers.Dense(8, name="dense")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(hidden), name="model")
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((16, 4), "float32"), np.ones((16, 2), "float32"), batch_size=8, verbose=0)
    os.makedirs(out, exist_ok=True)
    model.export(os.path.join(out, "export"), verbose=False)
    with open(os.path.join(out, "counts.json"), "w") as f:
        json.dump({"total": int(model.count_params())}, f)


def write_saved_models(out):
    """TF2 SavedModels as Keras users write them, each with Keras's own summary of its model beside it
    (``<name>.json``): tf_keras's ``model.save`` of a trained CNN with BatchNormalization, a ReLU layer, pooling,
    Flatten and Dropout (``tf_keras``), and Keras 3's ``model.export`` of a functional CNN with BatchNormalization
    and global pooling (``keras3``), with the trace of its training step (``keras3_logs``), and that export loaded
    as a layer of another model (``hub_logs``). Both SavedModels keep the model's ops in the serving signature's
    functions."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import json

    import keras
    import numpy as np
    import tensorflow as tf
    import tf_keras

    from tf_written_roles import _keras3_counts, _keras_counts

    images, labels = np.ones((8, 16, 16, 3), "float32"), np.zeros((8,), "int32")
    os.makedirs(out, exist_ok=True)
    tf_keras.utils.set_random_seed(1)
    layers = tf_keras.layers
    model = tf_keras.Sequential(
        [
            layers.Input((16, 16, 3)),
            layers.Conv2D(8, 3, name="c1"),
            layers.BatchNormalization(name="bn1"),
            layers.ReLU(name="r1"),
            layers.MaxPooling2D(name="p1"),
            layers.Dropout(0.2),
            layers.Flatten(name="f"),
            layers.Dropout(0.3, name="d"),
            layers.Dense(4, name="out"),
        ],
        name="tfk",
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(images, labels, verbose=0)
    model.save(os.path.join(out, "tf_keras"), save_format="tf")
    with open(os.path.join(out, "tf_keras.json"), "w") as f:
        json.dump(_keras_counts(tf, model), f)

    keras.utils.set_random_seed(1)
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.ReLU(name="r1")(
        keras.layers.BatchNormalization(name="bn1")(keras.layers.Conv2D(8, 3, name="c1")(inputs))
    )
    x = keras.layers.Dropout(0.3, name="d")(keras.layers.GlobalAveragePooling2D(name="gap")(x))
    model = keras.Model(inputs, keras.layers.Dense(4, name="out")(x), name="k3cnn")
    model.compile("adam", "sparse_categorical_crossentropy")
    # Its training step traced as Keras's TensorBoard callback traces it (``keras3_logs``), beside the export.
    callback = keras.callbacks.TensorBoard(os.path.join(out, "keras3_logs"), profile_batch=1)
    model.fit(images, labels, verbose=0, callbacks=[callback])
    model.export(os.path.join(out, "keras3"), verbose=False)
    with open(os.path.join(out, "keras3.json"), "w") as f:
        json.dump(_keras3_counts(model), f)

    # The export used as a frozen layer of another model (Keras's TFSMLayer, as TF Hub's KerasLayer is used), its
    # first training step traced (``hub_logs``).
    inputs = keras.Input((16, 16, 3))
    loaded = keras.layers.TFSMLayer(os.path.join(out, "keras3"), call_endpoint="serve", trainable=False, name="hub")
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(loaded(inputs)), name="with_hub")
    model.compile("adam", "mse")
    callback = keras.callbacks.TensorBoard(os.path.join(out, "hub_logs"), profile_batch=1)
    model.fit(images, np.ones((8, 2), "float32"), verbose=0, callbacks=[callback])
    with open(os.path.join(out, "hub.json"), "w") as f:
        json.dump(_keras3_counts(model), f)


from tf_written_diff import write_diff_pairs  # noqa: E402
from tf_written_shapes import (  # noqa: E402
    write_augmented_keras3,
    write_augmented_tf_keras,
    write_causal_transformer_keras3,
    write_causal_transformer_tf_keras,
    write_compiled_tf_keras,
    write_convolution_variants_keras3,
    write_convolution_variants_tf_keras,
    write_keras_nested,
    write_layer_classes_keras3,
    write_layer_classes_tf_keras,
    write_masked_text_keras3,
    write_masked_text_tf_keras,
    write_mirrored_keras3,
    write_mirrored_tf_keras,
    write_mobile_blocks_keras3,
    write_mobile_blocks_tf_keras,
    write_more_classes_keras3,
    write_more_classes_tf_keras,
    write_nadam_tf_keras,
    write_preprocessing_keras3,
    write_preprocessing_tf_keras,
    write_rarer_layers_keras3,
    write_rarer_layers_tf_keras,
    write_regularized_keras3,
    write_regularized_tf_keras,
    write_shared_keras3,
    write_shared_tf_keras,
    write_slash_named_tf_keras,
    write_stateful_text_keras3,
    write_stateful_text_tf_keras,
    write_subclassed_transformer,
    write_tf1_deep_mnist,
    write_tf1_layers,
    write_tf1_rnn,
    write_tf1_rnn_v1_loop,
    write_time_distributed_keras3,
    write_time_distributed_tf_keras,
    write_unrolled_keras3,
    write_unrolled_tf_keras,
    write_zoo_keras3,
    write_zoo_tf_keras,
)

GRAPHS = {
    "select_gated": write_select_gated,
    "negated_v1": write_negated_v1,
    "negated_v2": write_negated_v2,
    "loop_in_cond_v1": write_loop_in_cond_v1,
    "variable_flag": write_variable_flag,
    "resource_variable_flag": write_resource_variable_flag,
    "model_files": write_model_files,
    "tf1_deep_mnist": write_tf1_deep_mnist,
    "tf1_layers": write_tf1_layers,
    "tf1_rnn": write_tf1_rnn,
    "tf1_rnn_v1_loop": write_tf1_rnn_v1_loop,
    "keras_nested": write_keras_nested,
    "diff_pairs": write_diff_pairs,
    "empty_trace": write_empty_trace,
    "model_config_only": write_model_config_only,
    "keras3_export": write_keras3_export,
    "saved_models": write_saved_models,
    "zoo_keras3": write_zoo_keras3,
    "zoo_tf_keras": write_zoo_tf_keras,
    "subclassed_transformer": write_subclassed_transformer,
    "layer_classes_keras3": write_layer_classes_keras3,
    "layer_classes_tf_keras": write_layer_classes_tf_keras,
    "more_classes_keras3": write_more_classes_keras3,
    "more_classes_tf_keras": write_more_classes_tf_keras,
    "regularized_keras3": write_regularized_keras3,
    "regularized_tf_keras": write_regularized_tf_keras,
    "preprocessing_keras3": write_preprocessing_keras3,
    "preprocessing_tf_keras": write_preprocessing_tf_keras,
    "augmented_keras3": write_augmented_keras3,
    "augmented_tf_keras": write_augmented_tf_keras,
    "mirrored_keras3": write_mirrored_keras3,
    "mirrored_tf_keras": write_mirrored_tf_keras,
    "time_distributed_keras3": write_time_distributed_keras3,
    "time_distributed_tf_keras": write_time_distributed_tf_keras,
    "masked_text_keras3": write_masked_text_keras3,
    "masked_text_tf_keras": write_masked_text_tf_keras,
    "compiled_tf_keras": write_compiled_tf_keras,
    "shared_keras3": write_shared_keras3,
    "shared_tf_keras": write_shared_tf_keras,
    "rarer_layers_keras3": write_rarer_layers_keras3,
    "rarer_layers_tf_keras": write_rarer_layers_tf_keras,
    "convolution_variants_keras3": write_convolution_variants_keras3,
    "mobile_blocks_keras3": write_mobile_blocks_keras3,
    "mobile_blocks_tf_keras": write_mobile_blocks_tf_keras,
    "slash_named_tf_keras": write_slash_named_tf_keras,
    "stateful_text_keras3": write_stateful_text_keras3,
    "stateful_text_tf_keras": write_stateful_text_tf_keras,
    "causal_transformer_keras3": write_causal_transformer_keras3,
    "causal_transformer_tf_keras": write_causal_transformer_tf_keras,
    "convolution_variants_tf_keras": write_convolution_variants_tf_keras,
    "nadam_tf_keras": write_nadam_tf_keras,
    "unrolled_keras3": write_unrolled_keras3,
    "unrolled_tf_keras": write_unrolled_tf_keras,
    **tf_written_answers.GRAPHS,  # the answers' graphs
    **tf_written_roles.GRAPHS,  # training graphs of every kind the roles are checked on
}


def write(outdir: str, name: str) -> str:
    """Write one graph in a child process; returns its folder."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0", "CUDA_VISIBLE_DEVICES": ""}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO, env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), outdir, name], env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"writing {name} failed:\n{result.stdout}\n{result.stderr}")
    return os.path.join(outdir, name)


if __name__ == "__main__":
    outdir, name = sys.argv[1:3]
    GRAPHS[name](os.path.join(outdir, name))
