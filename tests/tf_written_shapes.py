"""What TensorFlow itself says about shapes and parameters, asked in a fresh process, for the shape tests.

    python tests/tf_written_shapes.py keras_layers OUT.json      # the demos' tf_keras models, layer by layer
    python tests/tf_written_shapes.py static_shapes GRAPH.pb OUT.json  # TF's own shape inference on a GraphDef
    python tests/tf_written_shapes.py run_shapes GRAPH.pb OUT.json  # the shapes TF computes running it on zeros

and the graph writer ``write_tf1_layers`` (registered in tf_written_graphs.GRAPHS): a TF1 model built with
``tf.compat.v1.layers`` (conv, batch norm, dense, dropout), trained with Momentum, its two towers placed on two
devices, with TensorFlow's own parameter counts beside it (``counts.json``).
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def keras_layers(out: str) -> None:
    """For each tf_keras demo model: ``model.count_params()``, the trainable and non-trainable counts as
    ``model.summary()`` prints them, and each layer's name, class, output shape and parameters."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import numpy as np

    sys.path.insert(0, HERE)
    from demo import demo_script

    script = demo_script()
    found = {}
    for run, spec in script.DEMO_RUNS.items():
        if not spec["builder"]:
            continue
        model = getattr(script, spec["builder"])()
        layers = []
        for layer in model.layers:
            shape = layer.output_shape
            if isinstance(shape, list):  # an InputLayer's is a list of one shape
                shape = shape[0]
            layers.append(
                {
                    "name": layer.name,
                    "class": type(layer).__name__,
                    "output_shape": list(shape),
                    "params": layer.count_params(),
                }
            )
        found[run] = {
            "total": int(model.count_params()),
            "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
            "non_trainable": int(sum(np.prod(w.shape) for w in model.non_trainable_weights)),
            "layers": layers,
        }
    with open(out, "w") as f:
        json.dump(found, f)


def static_shapes(graph_path: str, out: str) -> None:
    """TensorFlow's static shape of every tensor of a GraphDef, inferred by importing it (not read from its
    ``_output_shapes``): ``{"op:output": [dims with null] or null}``."""
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef.FromString(open(graph_path, "rb").read())
    for node in graph_def.node:
        node.attr.pop("_output_shapes", None)  # TF must infer them itself
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    found = {}
    for op in graph.get_operations():
        for i, tensor in enumerate(op.outputs):
            shape = tensor.shape
            found[f"{op.name}:{i}"] = None if shape.rank is None else shape.as_list()
    with open(out, "w") as f:
        json.dump(found, f)


def run_shapes(graph_path: str, out: str) -> None:
    """The shape of every tensor of a GraphDef when TensorFlow runs it on zeros, each unknown dimension of the
    placeholders fed as 2: ``{"op:output": [dims]}`` (tensors that cannot be fetched are left out)."""
    import numpy as np
    import tensorflow as tf

    v1 = tf.compat.v1
    graph_def = v1.GraphDef.FromString(open(graph_path, "rb").read())
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    feeds = {}
    tensors = []
    for op in graph.get_operations():
        if op.type == "Placeholder":
            shape = [2 if d is None else d for d in op.outputs[0].shape.as_list()]
            feeds[op.outputs[0]] = np.zeros(shape, dtype=op.outputs[0].dtype.as_numpy_dtype)
        tensors += [t for t in op.outputs if t.dtype.is_numpy_compatible]
    with v1.Session(graph=graph) as session:
        values = session.run(tensors, feed_dict=feeds)
    found = {t.name: list(np.shape(v)) for t, v in zip(tensors, values)}
    with open(out, "w") as f:
        json.dump(found, f)


def _tf1():
    """TensorFlow in graph mode for TF1 code (``tf.compat.v1``'s layers and cells run on tf_keras), and a graph."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    return tf, tf.compat.v1, tf.Graph()


def write_tf1_deep_mnist(out: str) -> None:
    """TensorFlow's "Deep MNIST for experts" tutorial as it was written: every weight a ``tf.Variable`` at the top
    level (``Variable``, ``Variable_1``, ...), convolutions, bias additions, ReLUs and poolings as loose ops at the
    top level too, dropout at a ``keep_prob`` placeholder, Adam, an accuracy. Twice: with TF1's reference
    variables (run ``deep_mnist``: each read is ``Variable/read``, feeding the loose ``Conv2D``) and with resource
    variables, as TensorFlow 2 runs it (``deep_mnist_resource``: each op reading one is a group holding its
    ``ReadVariableOp``)."""
    tf, v1, _ = _tf1()
    for run, resource in (("deep_mnist", False), ("deep_mnist_resource", True)):
        if resource:
            v1.enable_resource_variables()
        else:
            v1.disable_resource_variables()
        _write_deep_mnist(tf, v1, os.path.join(out, "logs", run))


def _write_deep_mnist(tf, v1, run_dir: str) -> None:
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(1)

        # ``tf.compat.v1.Variable``: TensorFlow 2's ``tf.Variable`` makes a resource variable whatever the switch says.
        def weight(shape):
            return v1.Variable(v1.truncated_normal(shape, stddev=0.1))

        def bias(shape):
            return v1.Variable(tf.constant(0.1, shape=shape))

        def conv_pool(x, w, b):
            x = tf.nn.relu(tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME") + b)
            return tf.nn.max_pool2d(x, ksize=2, strides=2, padding="SAME")

        x = v1.placeholder(tf.float32, [None, 784])
        y_ = v1.placeholder(tf.float32, [None, 10])
        h_pool1 = conv_pool(tf.reshape(x, [-1, 28, 28, 1]), weight([5, 5, 1, 32]), bias([32]))
        h_pool2 = conv_pool(h_pool1, weight([5, 5, 32, 64]), bias([64]))
        h_fc1 = tf.nn.relu(tf.matmul(tf.reshape(h_pool2, [-1, 7 * 7 * 64]), weight([7 * 7 * 64, 1024])) + bias([1024]))
        keep_prob = v1.placeholder(tf.float32)
        y_conv = tf.matmul(v1.nn.dropout(h_fc1, keep_prob), weight([1024, 10])) + bias([10])
        cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y_conv))
        v1.train.AdamOptimizer(1e-4).minimize(cross_entropy)
        tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1)), tf.float32))
    writer = v1.summary.FileWriter(run_dir)
    writer.add_graph(graph)
    writer.close()


def write_tf1_layers(out: str) -> None:
    """A TF1 tf.layers model on two devices, and what TensorFlow counts of its variables."""
    tf, v1, graph = _tf1()
    with graph.as_default():
        v1.set_random_seed(1)
        images = v1.placeholder(tf.float32, [None, 12, 12, 3], name="images")
        labels = v1.placeholder(tf.float32, [None, 1], name="labels")
        training = v1.placeholder_with_default(False, shape=(), name="training")
        with tf.device("/job:worker/task:0/device:CPU:0"):
            x = v1.layers.conv2d(images, 6, 3, padding="same", name="conv")
            x = v1.layers.batch_normalization(x, training=training, name="bn")
            x = tf.nn.relu(x)
            x = v1.layers.max_pooling2d(x, 2, 2, name="pool")
            x = v1.layers.flatten(x, name="flatten")
        with tf.device("/job:worker/task:1/device:CPU:0"):
            x = v1.layers.dense(x, 10, activation=tf.nn.relu, name="hidden")
            x = v1.layers.dropout(x, rate=0.5, training=training, name="dropout")
            logits = v1.layers.dense(x, 1, name="logits")
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), name="loss")
        step = v1.train.get_or_create_global_step()
        with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
            v1.train.MomentumOptimizer(0.1, 0.9).minimize(loss, global_step=step, name="train")
        v1.global_variables_initializer()
        model_variables = [
            v for v in v1.global_variables() if v.name.split("/")[0] in ("conv", "bn", "hidden", "logits")
        ]
        model_variables = [v for v in model_variables if "Momentum" not in v.name]

        def size(variables):
            return sum(v.shape.num_elements() for v in variables)

        counts = {
            "total": size(model_variables),
            "trainable": size(v1.trainable_variables()),
            "non_trainable": size(model_variables) - size(v1.trainable_variables()),
            "all_variables": size(v1.global_variables()),
        }
    run_dir = os.path.join(out, "logs", "tf1_layers")
    writer = v1.summary.FileWriter(run_dir, graph)
    writer.close()
    with open(os.path.join(out, "counts.json"), "w") as f:
        json.dump(counts, f)


def write_tf1_rnn(out: str) -> None:
    """A TF1 LSTM as ``tf.compat.v1.nn.dynamic_rnn`` writes it: the cell's weights in ``rnn/lstm_cell/``, read in
    the loop's body (``rnn/while/lstm_cell/``), a GRU beside it (``gru/gru_cell/gates/``, ``gru/gru_cell/candidate/``),
    a dense head on both last steps, Adam."""
    tf, v1, graph = _tf1()
    with graph.as_default():
        v1.set_random_seed(1)
        steps = v1.placeholder(tf.float32, [4, 5, 3], name="steps")
        targets = v1.placeholder(tf.float32, [4, 2], name="targets")
        outputs, _ = v1.nn.dynamic_rnn(v1.nn.rnn_cell.LSTMCell(6), steps, dtype=tf.float32)
        gru_outputs, _ = v1.nn.dynamic_rnn(v1.nn.rnn_cell.GRUCell(5), steps, dtype=tf.float32, scope="gru")
        logits = v1.layers.dense(tf.concat([outputs[:, -1], gru_outputs[:, -1]], 1), 2, name="head")
        loss = tf.reduce_mean(tf.square(logits - targets), name="loss")
        v1.train.AdamOptimizer(0.01).minimize(loss, name="train")
    writer = v1.summary.FileWriter(os.path.join(out, "logs", "tf1_rnn"), graph)
    writer.close()


def write_tf1_rnn_v1_loop(out: str) -> None:
    """A TF1 LSTM as TensorFlow 1 wrote ``dynamic_rnn``: control flow v1 (``rnn/while/Enter``, ``Exit``), its
    outputs gathered from a TensorArray (``rnn/TensorArrayStack``) beside its final state, which a dense head
    reads (as a classifier on the last state does); GradientDescent."""
    tf, v1, graph = _tf1()
    v1.disable_control_flow_v2()
    try:
        with graph.as_default():
            v1.set_random_seed(1)
            steps = v1.placeholder(tf.float32, [4, 5, 3], name="steps")
            targets = v1.placeholder(tf.float32, [4, 2], name="targets")
            _outputs, state = v1.nn.dynamic_rnn(v1.nn.rnn_cell.BasicLSTMCell(6), steps, dtype=tf.float32)
            logits = v1.layers.dense(state.h, 2, name="head")
            loss = tf.reduce_mean(tf.square(logits - targets), name="loss")
            v1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
    finally:
        v1.enable_control_flow_v2()
    writer = v1.summary.FileWriter(os.path.join(out, "logs", "tf1_rnn_v1_loop"), graph)
    writer.close()


def write_keras_nested(out: str) -> None:
    """A tf_keras model in graph mode with two Sequential models used as layers (conv block, dense head), and
    what Keras says of each layer, the nested ones included (``model.summary(expand_nested=True)``)."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import numpy as np
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    import tf_keras as keras

    keras.utils.set_random_seed(1)
    block = keras.Sequential(
        [
            keras.layers.Conv2D(8, 3, padding="same", name="block_conv"),
            keras.layers.BatchNormalization(name="block_bn"),
            keras.layers.MaxPooling2D(2, name="block_pool"),
        ],
        name="block",
    )
    head = keras.Sequential(
        [
            keras.layers.Dense(16, activation="relu", name="hidden"),
            keras.layers.Dropout(0.5, name="drop"),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ],
        name="head",
    )
    images = keras.Input((12, 12, 3), name="images")
    x = keras.layers.Conv2D(4, 3, name="stem")(images)
    x = block(x)
    x = keras.layers.Flatten(name="flatten")(x)
    model = keras.Model(images, head(x), name="nested")

    layers = []
    for layer in model.layers:
        inner = layer.layers if isinstance(layer, keras.Model) else []
        entry = {"name": layer.name, "class": type(layer).__name__, "within": None, "params": layer.count_params()}
        entry["output_shape"] = (
            None if inner else list(layer.output_shape[0] if layer.name == "images" else layer.output_shape)
        )
        layers.append(entry)
        for sub in inner:  # a nested model's layers: Keras prints their own output shapes
            output = sub.get_output_at(0).shape.as_list()
            layers.append(
                {
                    "name": sub.name,
                    "class": type(sub).__name__,
                    "within": layer.name,
                    "params": sub.count_params(),
                    "output_shape": output,
                }
            )
    facts = {
        "total": int(model.count_params()),
        "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "non_trainable": int(sum(np.prod(w.shape) for w in model.non_trainable_weights)),
        "layers": layers,
    }
    graph = tf.compat.v1.keras.backend.get_session().graph
    writer = tf.compat.v1.summary.FileWriter(os.path.join(out, "logs", "keras_nested"), graph)
    writer.close()
    with open(os.path.join(out, "counts.json"), "w") as f:
        json.dump(facts, f)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "keras_layers":
        keras_layers(sys.argv[2])
    elif command == "static_shapes":
        static_shapes(sys.argv[2], sys.argv[3])
    elif command == "run_shapes":
        run_shapes(sys.argv[2], sys.argv[3])


def _fit_one_batch(keras, model, out: str, run: str, inputs, legacy: bool, metrics=(), optimizer="adam") -> None:
    """Fit ``model`` one batch of 8 (16 samples of 4 classes) with the TensorBoard callback tracing it (and, in
    tf_keras, writing the train function's run graph), and write Keras's own class, count and output shape of each
    of its layers beside it (``keras_layers.json``)."""
    import numpy as np

    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=list(metrics))
    callback = keras.callbacks.TensorBoard(os.path.join(out, "logs", run), profile_batch=1)
    model.fit(inputs, np.arange(16) % 4, batch_size=8, verbose=0, callbacks=[callback])
    _write_keras_layers(model, out, legacy)


def _write_keras_layers(model, out: str, legacy: bool) -> None:
    """Keras's own class, count and output shape of each of ``model``'s layers, in ``keras_layers.json``."""
    counts = [
        {"name": layer.name, "class": type(layer).__name__, "params": int(layer.count_params()),
         "output_shape": list(layer.output_shape if legacy else layer.output.shape)}
        for layer in model.layers
    ]  # fmt: skip
    with open(os.path.join(out, "keras_layers.json"), "w") as f:
        json.dump(counts, f)


def _with_keras3(build):
    """A writer of ``build(keras, out, legacy)``'s graphs by Keras 3."""

    def write(out: str) -> None:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import keras

        build(keras, out, legacy=False)

    return write


def _with_tf_keras(build):
    """A writer of ``build(keras, out, legacy)``'s graphs by tf_keras (Keras 2)."""

    def write(out: str) -> None:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        import tf_keras

        build(tf_keras, out, legacy=True)

    return write


def _zoo(keras, out: str, legacy: bool) -> None:
    """A model of the layers other models are built of: a separable convolution, pooling, a transposed
    convolution, upsampling, cropping, a reshape to a sequence, a 1-D convolution and pooling, a bidirectional GRU,
    a global max pooling and a dense head; fitted one batch of 8 with the TensorBoard callback tracing it (and, in
    tf_keras, writing the train function's run graph). Keras's own classes, counts and shapes beside it."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    image = keras.Input((16, 16, 3), name="image")
    x = layers.SeparableConv2D(8, 3, padding="same", name="separable")(image)
    x = layers.MaxPooling2D(name="pool")(x)
    x = layers.Conv2DTranspose(4, 3, strides=2, padding="same", name="transposed")(x)
    x = layers.UpSampling2D(name="upsample")(x)
    x = layers.Cropping2D(8, name="crop")(x)
    x = layers.Reshape((256, 4), name="to_sequence")(x)
    x = layers.Conv1D(6, 3, name="conv_1d")(x)
    x = layers.MaxPooling1D(2, name="pool_1d")(x)
    x = layers.Bidirectional(layers.GRU(5, return_sequences=True), name="bidirectional")(x)
    x = layers.GlobalMaxPooling1D(name="global_max")(x)
    model = keras.Model(image, layers.Dense(4, activation="softmax", name="head")(x), name="zoo")
    images = np.random.default_rng(0).random((16, 16, 16, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "zoo", images, legacy)


write_zoo_keras3 = _with_keras3(_zoo)

write_zoo_tf_keras = _with_tf_keras(_zoo)


def _layer_classes(keras, out: str, legacy: bool) -> None:
    """Keras's layers whose class the ops alone do not name: its activation layers beside its Activation layer
    (ReLU, ELU and Softmax named as Keras names them, ``re_lu``, ``re_lu_1``, ``elu``, ``softmax``; an Activation
    as Keras names it and one its author named; MobileNet's ReLU(6.) and a GAN's LeakyReLU named by their
    authors; a PReLU), a GroupNormalization, and the weightless layers that merge and reshape (Permute, Subtract,
    Average, Maximum, Dot, RepeatVector, Attention, Concatenate); fitted one batch of 8 with the TensorBoard
    callback tracing it (and, in tf_keras, writing the train function's run graph). Keras's own classes, counts
    and shapes beside it."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    image = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, padding="same", name="c1")(image)
    x = layers.ReLU()(x)
    x = layers.Conv2D(4, 3, padding="same", name="c2")(x)
    x = layers.ReLU(6.0, name="Conv2_relu")(x)
    x = layers.Conv2D(4, 3, padding="same", name="c3")(x)
    x = layers.LeakyReLU(0.2, name="d_leaky")(x)
    x = layers.Conv2D(4, 3, padding="same", name="c4")(x)
    x = layers.ELU()(x)
    x = layers.PReLU(name="c4_prelu")(x)
    x = layers.Activation("relu")(x)
    x = layers.ReLU()(x)
    x = layers.Activation("elu", name="act_elu")(x)
    x = layers.GroupNormalization(2, name="gn")(x)
    x = layers.Permute((3, 1, 2), name="perm")(x)
    pooled = layers.GlobalAveragePooling2D(name="gap")(x)
    a = layers.Dense(6, name="proj_a")(pooled)
    b = layers.Dense(6, name="proj_b")(pooled)
    difference = layers.Subtract(name="sub")([a, b])
    mean = layers.Average(name="avg")([difference, b])
    largest = layers.Maximum(name="max")([a, b])
    dot = layers.Dot(axes=1, name="dot")([mean, largest])
    repeated = layers.RepeatVector(3, name="rep")(largest)
    attended = layers.Attention(name="att")([repeated, repeated])
    joined = layers.Concatenate(name="cat")([layers.Flatten(name="flat")(attended), dot])
    x = layers.Softmax()(layers.Dense(4, name="logits")(joined))
    model = keras.Model(image, x, name="classes")
    images = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "classes", images, legacy)


write_layer_classes_keras3 = _with_keras3(_layer_classes)

write_layer_classes_tf_keras = _with_tf_keras(_layer_classes)


def _regularized(keras, out: str, legacy: bool) -> None:
    """A model with weight and activity regularizers and an LSTM: a convolution penalised by L2, a dense layer by
    L1 with an L2 penalty on its output, the LSTM's three weights; fitted one batch of 8 with the TensorBoard
    callback tracing it (and, in tf_keras, writing the train function's run graph). Keras's own classes, counts
    and shapes beside it."""
    import numpy as np

    layers, regularizers = keras.layers, keras.regularizers
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3), name="image"),
            layers.Conv2D(4, 3, kernel_regularizer=regularizers.l2(1e-4), name="conv"),
            layers.Flatten(name="flat"),
            layers.Dense(
                12, kernel_regularizer=regularizers.l1(1e-5), activity_regularizer=regularizers.l2(1e-5), name="dense"
            ),
            layers.Reshape((4, 3), name="to_sequence"),
            layers.LSTM(5, name="lstm"),
            layers.Dense(4, activation="softmax", name="head"),
        ],
        name="regularized",
    )
    images = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "regularized", images, legacy, metrics=["accuracy"])


write_regularized_keras3 = _with_keras3(_regularized)

write_regularized_tf_keras = _with_tf_keras(_regularized)


def _more_classes(keras, out: str, legacy: bool) -> None:
    """Keras's 1-D and 3-D layers, recurrent layers that loop over the steps, normalisations and preprocessing
    layers: a video branch (Conv3D, MaxPooling3D, ZeroPadding3D, Cropping3D, UpSampling3D, Conv3DTranspose,
    GlobalAveragePooling3D), a sequence branch (Masking, SimpleRNN, ZeroPadding1D, Cropping1D, UpSampling1D,
    Conv1DTranspose, AveragePooling1D, LayerNormalization, UnitNormalization, GlobalMaxPooling1D), an image
    branch (RandomFlip, Resizing, ConvLSTM2D over one step), then a Minimum gate and BatchNormalization; fitted
    one batch of 8 with the TensorBoard callback tracing it (and, in tf_keras, writing the train function's run
    graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    video = keras.Input((4, 8, 8, 2), name="video")
    v = layers.Conv3D(3, 3, padding="same", name="c3d")(video)
    v = layers.MaxPooling3D(2, name="mp3d")(v)
    v = layers.ZeroPadding3D(1, name="zp3d")(v)
    v = layers.Cropping3D(1, name="crop3d")(v)
    v = layers.UpSampling3D(2, name="up3d")(v)
    v = layers.Conv3DTranspose(2, 3, padding="same", name="c3dt")(v)
    v = layers.GlobalAveragePooling3D(name="gap3d")(v)
    sequence = keras.Input((10, 3), name="sequence")
    s = layers.Masking(name="mask")(sequence)
    s = layers.SimpleRNN(4, return_sequences=True, name="srnn")(s)
    s = layers.ZeroPadding1D(1, name="zp1d")(s)
    s = layers.Cropping1D(1, name="crop1d")(s)
    s = layers.UpSampling1D(2, name="up1d")(s)
    s = layers.Conv1DTranspose(3, 3, padding="same", name="c1dt")(s)
    s = layers.AveragePooling1D(2, name="ap1d")(s)
    s = layers.LayerNormalization(name="ln")(s)
    s = layers.UnitNormalization(name="un")(s)
    s = layers.GlobalMaxPooling1D(name="gmp1d")(s)
    image = keras.Input((4, 4, 3), name="image")
    i = layers.Resizing(6, 6, name="resize")(layers.RandomFlip(name="flip")(image))
    i = layers.ConvLSTM2D(2, 3, padding="same", name="clstm")(layers.Reshape((1, 6, 6, 3), name="to_time")(i))
    i = layers.Flatten(name="flat")(i)
    x = layers.Concatenate(name="cat")([v, s, i])
    x = layers.Minimum(name="gated")([x, layers.Dense(x.shape[-1], name="gate")(x)])
    x = layers.BatchNormalization(name="bn")(x)
    model = keras.Model([video, sequence, image], layers.Dense(4, activation="softmax", name="head")(x))
    rng = np.random.default_rng(0)
    inputs = [rng.random((16, *shape), dtype=np.float32) for shape in ((4, 8, 8, 2), (10, 3), (4, 4, 3))]
    _fit_one_batch(keras, model, out, "more", inputs, legacy)


write_more_classes_keras3 = _with_keras3(_more_classes)

write_more_classes_tf_keras = _with_tf_keras(_more_classes)


def _preprocessing(keras, out: str, legacy: bool) -> None:
    """A tabular model as Keras's structured-data examples write one: numbers normalised, a string category
    looked up (one-hot) and hashed into an embedding, an integer category looked up, a number bucketed and
    encoded, a text vectorised into an embedding averaged, all concatenated into a dense head; RMSprop (its slot of the embedding updated row by row) and an AUC
    metric (four vectors of 200 thresholds' counts); fitted one batch of 8 from a dataset with the TensorBoard
    callback tracing it (and, in tf_keras, writing the train function's run graph)."""
    import numpy as np
    import tensorflow as tf

    layers = keras.layers
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    numbers = rng.random((16, 4), dtype=np.float32)
    words = tf.constant([["a", "b", "c", "d"][i % 4] for i in range(16)])[:, None]
    codes = (np.arange(16) % 5)[:, None].astype("int64")
    number_in = keras.Input((4,), name="numbers")
    word_in = keras.Input((1,), dtype="string", name="word")
    code_in = keras.Input((1,), dtype="int64", name="code")
    norm = layers.Normalization(name="norm")
    norm.adapt(numbers)
    lookup = layers.StringLookup(output_mode="one_hot", name="lookup")
    lookup.adapt(words)
    code_lookup = layers.IntegerLookup(output_mode="one_hot", name="code_lookup")
    code_lookup.adapt(codes)
    buckets = layers.Discretization(num_bins=3, name="buckets")
    buckets.adapt(numbers[:, :1])
    first = number_in[:, :1]  # tf_keras makes the slice a layer of its own (``tf.__operators__.getitem``)
    encoded = layers.CategoryEncoding(num_tokens=3, output_mode="one_hot", name="encode")(buckets(first))
    hashed = layers.Hashing(8, name="hash")(word_in)
    embedded = layers.Flatten(name="embedded")(layers.Embedding(8, 2, name="embed")(hashed))
    texts = tf.constant(["the cat sat", "a dog ran far away", "The Cat, the dog!", "birds fly"] * 4)[:, None]
    text_in = keras.Input((1,), dtype="string", name="text")
    vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=6, name="vectorize")
    vectorize.adapt(texts)
    words_seen = layers.Embedding(20, 4, name="text_embed")(vectorize(text_in))
    read = layers.GlobalAveragePooling1D(name="read")(words_seen)
    features = [norm(number_in), lookup(word_in), code_lookup(code_in), encoded, embedded, read]
    x = layers.Dense(8, activation="relu", name="hidden")(layers.Concatenate(name="joined")(features))
    outputs = layers.Dense(1, activation="sigmoid", name="score")(x)
    model = keras.Model([number_in, word_in, code_in, text_in], outputs)
    model.compile("rmsprop", "binary_crossentropy", metrics=["AUC"])
    labels = (np.arange(16) % 2).astype("float32")
    batches = tf.data.Dataset.from_tensor_slices(((numbers, words, codes, texts), labels)).batch(8)
    callback = keras.callbacks.TensorBoard(os.path.join(out, "logs", "tabular"), profile_batch=1)
    model.fit(batches, verbose=0, callbacks=[callback])
    _write_keras_layers(model, out, legacy)


write_preprocessing_keras3 = _with_keras3(_preprocessing)

write_preprocessing_tf_keras = _with_tf_keras(_preprocessing)


def _augmented(keras, out: str, legacy: bool) -> None:
    """Transfer learning as Keras's guide writes it, under the ``mixed_float16`` policy: images augmented by a
    Sequential of random layers, rescaled, cropped to the centre, channels dropped, through a frozen backbone called with ``training=False``, dropout and a new head whose
    softmax is float32; Adam clipping the gradients' norm (under a LossScaleOptimizer, which applies them inside a
    ``cond``); fitted one batch of 8 with the TensorBoard callback tracing it (and, in tf_keras, writing the train
    function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.mixed_precision.set_global_policy("mixed_float16")
    keras.utils.set_random_seed(1)
    backbone = keras.Sequential(
        [
            keras.Input((14, 14, 3)),
            layers.Conv2D(8, 3, name="conv"),
            layers.BatchNormalization(name="bn"),
            layers.Activation("relu", name="act"),
            layers.GlobalAveragePooling2D(name="pool"),
        ],
        name="backbone",
    )
    backbone.trainable = False
    contrast = layers.RandomContrast(0.1, dtype="float32")  # tf_keras's op has no float16 kernel
    augment = keras.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.1), contrast],
        name="augment",
    )
    image = keras.Input((16, 16, 3), name="image")
    x = layers.Rescaling(1 / 255.0, name="rescale")(augment(image))
    x = layers.SpatialDropout2D(0.1)(layers.CenterCrop(14, 14)(x))  # named by Keras: center_crop, spatial_dropout2d
    x = backbone(x, training=False)
    x = layers.Dense(3, name="logits")(layers.Dropout(0.2, name="drop")(x))
    model = keras.Model(image, layers.Activation("softmax", dtype="float32", name="probs")(x))
    model.compile(keras.optimizers.Adam(1e-3, clipnorm=1.0), "sparse_categorical_crossentropy", metrics=["accuracy"])
    callback = keras.callbacks.TensorBoard(os.path.join(out, "logs", "augmented"), profile_batch=1)
    images = np.random.default_rng(0).random((16, 16, 16, 3), dtype=np.float32) * 255
    model.fit(images, np.arange(16) % 3, batch_size=8, verbose=0, callbacks=[callback])
    keras.mixed_precision.set_global_policy("float32")
    _write_keras_layers(model, out, legacy)


write_augmented_keras3 = _with_keras3(_augmented)

write_augmented_tf_keras = _with_tf_keras(_augmented)


def _small_cnn(keras, name: str, *before_head):
    """A convolution, batch norm, dropout and flatten on 8 x 8 x 3 images, ``before_head``, a softmax of 4."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((8, 8, 3), name="image"),
            layers.Conv2D(4, 3, name="conv"),
            layers.BatchNormalization(name="bn"),
            layers.Dropout(0.2, name="drop"),
            layers.Flatten(name="flat"),
            *before_head,
            layers.Dense(4, activation="softmax", name="head"),
        ],
        name=name,
    )


def _mirrored(keras, out: str, legacy: bool) -> None:
    """``fit`` under a MirroredStrategy over two devices (the CPU split in two): each replica runs the model on half
    the batch of 8 and reads its own copy of every weight (the second in ``replica_1/``); a convolution, batch
    norm, dropout and a dense head, Adam and accuracy; the TensorBoard callback tracing the first batch (and, in
    tf_keras, writing the train function's run graph). A Lambda layer doubles the features."""
    import numpy as np
    import tensorflow as tf

    (cpu,) = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    layers = keras.layers
    keras.utils.set_random_seed(1)
    with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
        model = _small_cnn(keras, "mirrored", layers.Lambda(lambda t: t * 2.0))  # named ``lambda`` by Keras
        images = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
        _fit_one_batch(keras, model, out, "mirrored", images, legacy, metrics=["accuracy"])


def _time_distributed(keras, out: str, legacy: bool) -> None:
    """A video classifier: a convolution, a pooling and a dense layer each wrapped in TimeDistributed over 5 frames,
    a Lambda its author named halving the features, then an LSTM and a dense head; fitted one batch of 8 with the TensorBoard callback tracing it (and, in
    tf_keras, writing the train function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((5, 8, 8, 3), name="frames"),
            layers.TimeDistributed(layers.Conv2D(4, 3), name="frame_conv"),
            layers.TimeDistributed(layers.GlobalAveragePooling2D(), name="frame_pool"),
            layers.TimeDistributed(layers.Dense(6), name="frame_dense"),
            layers.Lambda(lambda t: t * 0.5, name="halve"),
            layers.LSTM(4, name="lstm"),
            layers.Dense(4, activation="softmax", name="head"),
        ],
        name="video",
    )
    frames = np.random.default_rng(0).random((16, 5, 8, 8, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "video", frames, legacy)


def _masked_text(keras, out: str, legacy: bool) -> None:
    """A text classifier: an Embedding with ``mask_zero`` (it hands on a mask beside its vectors), a Bidirectional
    LSTM of 6 units on the 8 features (its input kernel, 8 x 24, looks like a GRU's recurrent kernel of 8 units),
    a 1-D convolution, a global max pooling, dropout and a sigmoid; fitted one batch of 8 with the TensorBoard
    callback tracing it (and, in tf_keras, writing the train function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((12,), dtype="int32", name="tokens"),
            layers.Embedding(50, 8, mask_zero=True, name="embed"),
            layers.Bidirectional(layers.LSTM(6, return_sequences=True), name="bilstm"),
            layers.Conv1D(5, 3, padding="same", activation="relu", name="conv"),
            layers.GlobalMaxPooling1D(name="pool"),
            layers.Dropout(0.3, name="drop"),
            layers.Dense(4, activation="softmax", name="out"),
        ],
        name="masked",
    )
    tokens = np.random.default_rng(0).integers(1, 50, (16, 12)).astype("int32")
    tokens[:, 8:] = 0  # padding, masked
    _fit_one_batch(keras, model, out, "masked", tokens, legacy)


def write_compiled_tf_keras(out: str) -> None:
    """tf_keras's ``fit`` with ``jit_compile=True``: the train function's run graph, as its TensorBoard callback
    writes it, is the iterator, the variables' handles and one call of the step compiled whole
    (``__inference_run_step_<n>``); a convolution, batch norm, dropout and a dense head, Adam; the first batch
    traced too. Keras's own classes, counts and shapes beside it."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import numpy as np
    import tf_keras as keras

    keras.utils.set_random_seed(1)
    model = _small_cnn(keras, "compiled")
    model.compile("adam", "sparse_categorical_crossentropy", jit_compile=True)
    callback = keras.callbacks.TensorBoard(os.path.join(out, "logs", "compiled"), profile_batch=1)
    images = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
    model.fit(images, np.arange(16) % 4, batch_size=8, verbose=0, callbacks=[callback])
    _write_keras_layers(model, out, legacy=True)


def write_shared_keras3(out: str) -> None:
    """Keras 3's siamese network: a Dense layer and a small Sequential encoder each called on two inputs (Keras 3
    names each call a scope of its own, ``shared_1`` and ``shared_3``), their outputs concatenated into a softmax;
    fitted one batch of 8 with the TensorBoard callback tracing it."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    left, right = keras.Input((10,), name="left"), keras.Input((10,), name="right")
    shared = layers.Dense(6, activation="relu", name="shared")
    encoder = keras.Sequential(
        [keras.Input((10,)), layers.Dense(5, name="enc_dense"), layers.BatchNormalization(name="enc_bn")],
        name="encoder",
    )
    joined = layers.Concatenate(name="cat")([shared(left), shared(right), encoder(left), encoder(right)])
    model = keras.Model([left, right], layers.Dense(4, activation="softmax", name="out")(joined))
    rng = np.random.default_rng(0)
    inputs = [rng.random((16, 10), dtype=np.float32) for _ in range(2)]
    _fit_one_batch(keras, model, out, "siamese", inputs, legacy=False)


def write_shared_tf_keras(out: str) -> None:
    """tf_keras's siamese network: a Sequential encoder (Dense, Dropout, Dense) called on two inputs (tf_keras
    names the second call's ops in the same scopes, ``enc_drop/dropout_1`` beside ``enc_drop/dropout``), the
    difference of its outputs into a softmax; fitted one batch of 8 with the TensorBoard callback writing the train
    function's run graph and tracing the batch."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import numpy as np
    import tf_keras as keras

    layers = keras.layers
    keras.utils.set_random_seed(1)
    left, right = keras.Input((16,), name="left"), keras.Input((16,), name="right")
    encoder = keras.Sequential(
        [layers.Dense(12, activation="relu", name="enc_d1"), layers.Dropout(0.2, name="enc_drop"), layers.Dense(8, name="enc_d2")],
        name="encoder",
    )  # fmt: skip
    difference = layers.Subtract(name="diff")([encoder(left), encoder(right)])
    model = keras.Model([left, right], layers.Dense(4, activation="softmax", name="same")(difference), name="siamese")
    rng = np.random.default_rng(0)
    _fit_one_batch(
        keras, model, out, "siamese", [rng.random((16, 16), dtype=np.float32) for _ in range(2)], legacy=True
    )


def _unrolled(keras, out: str, legacy: bool) -> None:
    """An LSTM and a GRU unrolled over 5 steps (``unroll=True``: a cell's ops per step between an unstack and a
    stack, no loop), then a dense head; fitted one batch of 8 with the TensorBoard callback tracing it (and, in
    tf_keras, writing the train function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((5, 3), name="sequence"),
            layers.LSTM(4, unroll=True, return_sequences=True, name="lstm"),
            layers.GRU(3, unroll=True, name="gru"),
            layers.Dense(4, activation="softmax", name="head"),
        ],
        name="unrolled",
    )
    steps = np.random.default_rng(0).random((16, 5, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "unrolled", steps, legacy)


def _rarer_layers(keras, out: str, legacy: bool) -> None:
    """Layers fewer models use, each named by its author (so only its ops can tell its class): Gaussian noise and
    dropout, a depthwise convolution, average pooling, a dilated separable 1-D convolution, a depthwise 1-D one, an
    EinsumDense beside a Dense on sequences, additive (Bahdanau) attention, a gate's product, alpha dropout
    and an activity regularization; fitted one batch of 8 with the TensorBoard callback tracing it (and, in
    tf_keras, writing the train function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    image = keras.Input((12, 12, 3), name="image")
    x = layers.GaussianNoise(0.1, name="noise")(image)
    x = layers.DepthwiseConv2D(3, depth_multiplier=2, name="depthwise")(x)
    x = layers.AveragePooling2D(2, name="avgpool")(x)
    x = layers.GaussianDropout(0.1, name="gdrop")(x)
    steps = layers.Reshape((5 * 5, 6), name="to_seq")(x)
    steps = layers.SeparableConv1D(8, 3, dilation_rate=2, name="sepconv1d")(steps)
    steps = layers.DepthwiseConv1D(3, padding="same", name="depthwise1d")(steps)
    steps = layers.EinsumDense("abc,cd->abd", output_shape=(21, 8), bias_axes="d", name="einsum")(steps)
    steps = layers.Dense(8, name="dense_seq")(steps)
    attended = layers.AdditiveAttention(name="additive")([steps, steps])
    attended = layers.GlobalAveragePooling1D(name="gap1d")(attended)
    gated = layers.Multiply(name="mul")([attended, layers.Dense(8, activation="sigmoid", name="gate")(attended)])
    gated = layers.AlphaDropout(0.1, name="alpha")(gated)
    gated = layers.ActivityRegularization(l1=0.01, name="actreg")(gated)
    head = layers.Dense(4, activation="softmax", name="head")(gated)
    model = keras.Model(image, head, name="rarer")
    images = np.random.default_rng(0).random((16, 12, 12, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "rarer", images, legacy)


write_rarer_layers_keras3 = _with_keras3(_rarer_layers)

write_rarer_layers_tf_keras = _with_tf_keras(_rarer_layers)


def _convolution_variants(keras, out: str, legacy: bool) -> None:
    """Convolutions as people tune them: grouped (Keras compiles it into a function of its own that the layer
    calls), dilated, with a MaxNorm constraint on its kernel (applied by the optimizer after each update), pooling
    with ``same`` padding, then a GRU with ``reset_after=False`` and a spectrally normalised dense layer (a GAN's
    discriminator's); fitted one batch of 8 with the TensorBoard callback tracing it (and, in tf_keras, writing the
    train function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    image = keras.Input((16, 16, 4), name="image")
    x = layers.Conv2D(8, 3, groups=2, name="grouped")(image)
    x = layers.Conv2D(8, 3, dilation_rate=2, padding="same", name="dilated")(x)
    max_norm = keras.constraints.MaxNorm(2.0)
    x = layers.Conv2D(6, 3, strides=2, padding="same", kernel_constraint=max_norm, name="constrained")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool")(x)
    x = layers.Reshape((4 * 4, 6), name="to_seq")(x)
    x = layers.GRU(4, reset_after=False, name="gru_v1")(x)
    x = layers.SpectralNormalization(layers.Dense(6), name="spectral")(x)
    x = layers.Dense(4, activation="softmax", name="head")(x)
    model = keras.Model(image, x, name="convs")
    data = np.random.default_rng(0).random((16, 16, 16, 4), dtype=np.float32)
    _fit_one_batch(keras, model, out, "convs", data, legacy)


write_convolution_variants_keras3 = _with_keras3(_convolution_variants)

write_convolution_variants_tf_keras = _with_tf_keras(_convolution_variants)


def _mobile_blocks(keras, out: str, legacy: bool) -> None:
    """Blocks as MobileNetV3 writes them: a convolution, batch renormalization (a moving standard deviation of the
    batch, the moving variance set from it), an activation composed of several ops (Keras 3's ``hard_swish``,
    tf_keras's ``gelu``), and squeeze-and-excite (a pooled gate, ``relu6(x + 3) / 6`` computed outside any layer,
    multiplying the block's output), a ``gelu`` named by its block and ConvNeXt's LayerScale; fitted one batch of 8 with the TensorBoard callback tracing it (and, in
    tf_keras, writing the train function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    image = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(8, 3, padding="same", name="stem")(image)
    x = layers.BatchNormalization(renorm=True, name="renorm")(x)
    x = layers.Activation("gelu" if legacy else "hard_swish")(x)
    gate = layers.GlobalAveragePooling2D(keepdims=True, name="se_pool")(x)
    gate = layers.Conv2D(4, 1, activation="relu", name="se_reduce")(gate)
    gate = layers.Conv2D(8, 1, name="se_expand")(gate)
    gate = layers.ReLU(6.0, name="se_relu6")(gate + 3.0) * (1.0 / 6.0)
    x = layers.Multiply(name="se_mul")([x, gate])
    x = layers.Activation("gelu", name="block_gelu")(x)  # named as ConvNeXt names its blocks' activations

    class LayerScale(layers.Layer):
        """ConvNeXt's (``keras.applications.convnext``): its input times a learned vector, a factor per channel."""

        def build(self, input_shape):
            self.gamma = self.add_weight(name="gamma", shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.gamma

    x = LayerScale(name="block_layer_scale")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dense(4, activation="softmax", name="head")(x)
    model = keras.Model(image, x, name="mobile_blocks")
    data = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "mobile_blocks", data, legacy)


write_mobile_blocks_keras3 = _with_keras3(_mobile_blocks)

write_mobile_blocks_tf_keras = _with_tf_keras(_mobile_blocks)


def _slash_named(keras, out: str, legacy: bool) -> None:
    """A model naming its layers with slashes, as tf_keras's MobileNetV3 does (``Conv``, ``Conv/BatchNorm``,
    ``expanded_conv/depthwise/pad``, ``expanded_conv/squeeze_excite/Conv``), with layers of Keras's own names
    between them (the block's activations, the gate's), and a Sequential block called twice, a layer between;
    fitted one batch of 8 with the TensorBoard callback
    tracing it and writing the train function's run graph. (Keras 3 allows no slash in a layer's name.)"""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    image = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(8, 3, padding="same", use_bias=False, name="Conv")(image)
    x = layers.BatchNormalization(name="Conv/BatchNorm")(x)
    x = layers.ReLU()(x)
    x = layers.ZeroPadding2D(1, name="expanded_conv/depthwise/pad")(x)
    x = layers.DepthwiseConv2D(3, strides=2, use_bias=False, name="expanded_conv/depthwise")(x)
    x = layers.BatchNormalization(name="expanded_conv/depthwise/BatchNorm")(x)
    x = layers.ReLU()(x)
    gate = layers.GlobalAveragePooling2D(keepdims=True, name="expanded_conv/squeeze_excite/AvgPool")(x)
    gate = layers.Conv2D(4, 1, name="expanded_conv/squeeze_excite/Conv")(gate)
    gate = layers.Activation("relu", name="expanded_conv/squeeze_excite/Relu")(gate)
    gate = layers.Conv2D(8, 1, name="expanded_conv/squeeze_excite/Conv_1")(gate)
    gate = layers.Activation("hard_sigmoid")(gate)
    x = layers.Multiply(name="expanded_conv/squeeze_excite/Mul")([x, gate])
    x = layers.Conv2D(6, 1, use_bias=False, name="expanded_conv/project")(x)
    x = layers.BatchNormalization(name="expanded_conv/project/BatchNorm")(x)
    x = layers.GlobalAveragePooling2D()(x)
    # A block called twice, a layer between: tf_keras runs both calls in the first call's scope.
    shared = keras.Sequential([layers.Dense(6, activation="relu", name="b1"), layers.Dense(6, name="b2")], name="tied")
    x = shared(layers.LayerNormalization(name="between")(shared(x)))
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(4, activation="softmax", name="Logits")(x)
    model = keras.Model(image, x, name="slash_named")
    data = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "slash_named", data, legacy)


write_slash_named_tf_keras = _with_tf_keras(_slash_named)


def _stateful_text(keras, out: str, legacy: bool) -> None:
    """A character model as text generators are written: an Embedding and a stateful GRU (its state kept from one
    batch to the next, in a variable of the batch's size) on a fixed batch of 8; fitted one batch of 8 with the
    TensorBoard callback tracing it (and, in tf_keras, writing the train function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    tokens = keras.Input(batch_shape=(8, 5), dtype="int32", name="tokens")
    x = layers.Embedding(30, 6, name="chars")(tokens)
    x = layers.GRU(7, stateful=True, name="gru")(x)
    x = layers.Dense(4, activation="softmax", name="head")(x)
    model = keras.Model(tokens, x, name="stateful")
    data = np.random.default_rng(0).integers(0, 30, (16, 5))
    _fit_one_batch(keras, model, out, "stateful", data, legacy)


write_stateful_text_keras3 = _with_keras3(_stateful_text)

write_stateful_text_tf_keras = _with_tf_keras(_stateful_text)


def _causal_transformer(keras, out: str, legacy: bool) -> None:
    """A decoder block as language models are written: token and position embeddings summed, MultiHeadAttention
    with a causal mask (tf_keras keeps a band of a matrix of ones, Keras 3 compares running sums), dropout, residual
    adds, LayerNormalization, a gelu feed-forward, pooling and a head; fitted one batch of 8 with the TensorBoard
    callback tracing it (and, in tf_keras, writing the train function's run graph)."""
    import numpy as np

    layers = keras.layers
    keras.utils.set_random_seed(1)
    tokens = keras.Input((10,), dtype="int32", name="tokens")
    positions = keras.Input((10,), dtype="int32", name="positions")
    embedded = [layers.Embedding(50, 16, name="tok_emb")(tokens), layers.Embedding(10, 16, name="pos_emb")(positions)]
    x = layers.Add(name="embed_sum")(embedded)
    a = layers.MultiHeadAttention(num_heads=2, key_dim=8, dropout=0.1, name="mha")(x, x, use_causal_mask=True)
    x = layers.LayerNormalization(epsilon=1e-6, name="ln1")(layers.Add(name="res1")([x, layers.Dropout(0.1)(a)]))
    f = layers.Dense(16, name="ffn2")(layers.Dense(32, activation="gelu", name="ffn1")(x))
    x = layers.LayerNormalization(epsilon=1e-6, name="ln2")(layers.Add(name="res2")([x, f]))
    x = layers.Dense(4, activation="softmax", name="head")(layers.GlobalAveragePooling1D(name="pool")(x))
    model = keras.Model([tokens, positions], x, name="causal")
    rng = np.random.default_rng(0)
    data = [rng.integers(0, 50, (16, 10)), np.tile(np.arange(10), (16, 1))]
    _fit_one_batch(keras, model, out, "causal", data, legacy)


write_causal_transformer_keras3 = _with_keras3(_causal_transformer)

write_causal_transformer_tf_keras = _with_tf_keras(_causal_transformer)


def write_nadam_tf_keras(out: str) -> None:
    """tf_keras's ``fit`` with Nadam, which keeps a running product of its momentum schedule (``u_product``) and
    updates it inside a ``cond``: the train function's run graph passes that variable's handle only into the
    ``cond``. A small CNN, one batch of 8, the TensorBoard callback tracing it."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import numpy as np
    import tf_keras as keras

    keras.utils.set_random_seed(1)
    model = _small_cnn(keras, "nadam")
    images = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
    _fit_one_batch(keras, model, out, "nadam", images, legacy=True, metrics=["accuracy"], optimizer="nadam")


write_unrolled_keras3 = _with_keras3(_unrolled)

write_unrolled_tf_keras = _with_tf_keras(_unrolled)

write_masked_text_keras3 = _with_keras3(_masked_text)

write_masked_text_tf_keras = _with_tf_keras(_masked_text)


write_time_distributed_keras3 = _with_keras3(_time_distributed)

write_time_distributed_tf_keras = _with_tf_keras(_time_distributed)


write_mirrored_keras3 = _with_keras3(_mirrored)

write_mirrored_tf_keras = _with_tf_keras(_mirrored)


def write_subclassed_transformer(out: str) -> None:
    """A text classifier written the way Hugging Face's TensorFlow models are (``TFBertForSequenceClassification``):
    tf_keras layers subclassed and nested (a main layer holding the embeddings, an encoder of blocks and a
    pooler; each block an attention of query, key and value projections, norms and a feed-forward), weights made
    with ``add_weight`` in name scopes of their own, the attention mask prepared by the main layer itself, k-max
    pooling, and a training step traced as ``tf.summary.trace_export`` writes it. Keras's summary of the model beside it
    (``keras_summary.json``): a subclassed model lists its top-level layers, each by its class."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import numpy as np
    import tensorflow as tf
    import tf_keras

    sys.path.insert(0, HERE)
    from tf_written_roles import _keras_counts, _write_trace

    layers = tf_keras.layers
    vocab, dim, heads, positions = 50, 16, 2, 12

    class Embeddings(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.LayerNorm = layers.LayerNormalization(epsilon=1e-12, name="LayerNorm")
            self.dropout = layers.Dropout(0.1)

        def build(self, input_shape):
            with tf.name_scope("word_embeddings"):
                self.weight = self.add_weight(name="weight", shape=[vocab, dim])
            with tf.name_scope("position_embeddings"):
                self.position_embeddings = self.add_weight(name="embeddings", shape=[positions, dim])
            super().build(input_shape)

        def call(self, ids, training=False):
            x = tf.gather(self.weight, ids) + tf.gather(self.position_embeddings, tf.range(tf.shape(ids)[1]))[None]
            return self.dropout(self.LayerNorm(x), training=training)

    class SelfAttention(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.query, self.key, self.value = (layers.Dense(dim, name=n) for n in ("query", "key", "value"))

        def split(self, x):
            return tf.transpose(tf.reshape(x, (tf.shape(x)[0], -1, heads, dim // heads)), (0, 2, 1, 3))

        def call(self, x, mask):
            q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
            scores = tf.matmul(q, k, transpose_b=True) / tf.sqrt(float(dim // heads)) + mask
            context = tf.transpose(tf.matmul(tf.nn.softmax(scores), v), (0, 2, 1, 3))
            return tf.reshape(context, (tf.shape(x)[0], -1, dim))

    class Block(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.attention = SelfAttention(name="attention")
            self.attention_output = layers.Dense(dim, name="attention_output")
            self.attention_norm = layers.LayerNormalization(name="attention_norm")
            self.intermediate = layers.Dense(2 * dim, activation="gelu", name="intermediate")
            self.output_dense = layers.Dense(dim, name="output")
            self.output_norm = layers.LayerNormalization(name="output_norm")

        def call(self, x, mask):
            x = self.attention_norm(x + self.attention_output(self.attention(x, mask)))
            return self.output_norm(x + self.output_dense(self.intermediate(x)))

    class Encoder(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.layer = [Block(name=f"layer_._{i}") for i in range(2)]

        def call(self, x, mask):
            for block in self.layer:
                x = block(x, mask)
            return x

    class MainLayer(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.embeddings = Embeddings(name="embeddings")
            self.encoder = Encoder(name="encoder")
            self.pooler = layers.Dense(dim, activation="tanh", name="pooler")

        def call(self, inputs, training=False):
            ids, attention = inputs["input_ids"], inputs["attention_mask"]
            # The mask for the scores, made by the main layer itself (as Hugging Face's does).
            mask = (1.0 - tf.cast(tf.reshape(attention, (tf.shape(ids)[0], 1, 1, -1)), tf.float32)) * -10000.0
            x = self.encoder(self.embeddings(ids, training=training), mask)
            # k-max pooling over the tokens (k = 1): a top-k, whose shape the summary's rules do not follow.
            return self.pooler(tf.nn.top_k(tf.transpose(x, (0, 2, 1)), k=1).values[:, :, 0])

    class Classifier(tf_keras.Model):
        def __init__(self):
            super().__init__(name="tf_bert_for_sequence_classification")
            self.bert = MainLayer(name="bert")
            self.dropout = layers.Dropout(0.1, name="dropout")
            self.classifier = layers.Dense(3, name="classifier")

        def call(self, inputs, training=False):
            return self.classifier(self.dropout(self.bert(inputs, training=training), training=training))

    tf_keras.utils.set_random_seed(1)
    model = Classifier()
    # Hugging Face's AdamWeightDecay is Keras's legacy Adam: its fused update takes the slots as inputs.
    optimizer = tf_keras.optimizers.legacy.Adam(1e-3)
    model.compile(optimizer, tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ids = np.random.RandomState(1).randint(0, vocab, (8, positions)).astype("int32")
    batch = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    labels = np.zeros((8,), "int32")
    # The first step traced, as such scripts do: it builds the model too, so the trace also holds the functions
    # TensorFlow ran to make the weights and the input's iterator. Keras counts the built model after it.
    _write_trace(tf, out, "subclassed", model.train_on_batch, batch, labels)
    counts = _keras_counts(tf, model)
    counts["optimizer_params"] = int(sum(int(np.prod(v.shape)) for v in optimizer.variables()))
    counts["metric_params"] = int(sum(int(np.prod(v.shape)) for m in model.metrics for v in m.variables))
    with open(os.path.join(out, "keras_summary.json"), "w") as f:
        json.dump(counts, f)
