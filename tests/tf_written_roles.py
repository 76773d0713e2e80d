"""Training graphs written by real TensorFlow the way their kind of code writes them, for the role tests.

Registered in ``tf_written_graphs.GRAPHS`` (each runs in a fresh process); each writes one run graph into
``OUTDIR/NAME/logs/<NAME>``:
- ``roles_dcgan``: TF1 ref variables, a generator of ``conv2d_transpose`` layers (``Conv2DBackpropInput`` in the
  forward pass), a discriminator, one Adam optimizer for each, ``global_step``, a ``Saver``;
- ``roles_autoencoder3d``: resource variables, a ``conv3d_transpose`` decoder, its loss, Adam, a user's
  ``tf.assign_add(global_step, 1)`` read by a learning-rate decay and a summary, a ``Saver``;
- ``roles_estimator``: what an Estimator's ``model_fn`` and its ``Scaffold`` write: ``global_step`` incremented
  BERT's way (``assign(step + 1)``), a decayed learning rate, Adadelta, a label placeholder, an embedding (a sparse
  gradient), a streaming metric, an initialiser shared through ``initialized_value()``, ``init``/``init_1``/``init_all_tables``/
  ``group_deps``, ``report_uninitialized_variables``, a sharded ``Saver``;
- ``roles_keras2_adam``, ``roles_keras2_adadelta``, ``roles_keras2_sgd``: tf_keras in graph mode, compiled with
  that optimizer (SGD with momentum) and a metric, fitted one step with ``sample_weight``: the session's graph;
- ``roles_tf2_custom_loop``: TF2's own way, a training step in a ``tf.function`` taking ``training`` as an
  argument (a conv layer, BatchNormalization, Dropout, a dense head): ``GradientTape`` gradients, tf_keras's Adam,
  an accuracy metric, a static batch (the metric's count then adds a constant, the batch's size); the trace
  ``tf.summary.trace_export`` writes of its first call;
- ``roles_tf2_gan``: a TF2 GAN's training step the same way, ``training`` an argument: a generator (Dense,
  BatchNormalization) and a discriminator (Dense, Dropout), each a Sequential with its own Adam and its own
  GradientTape, both tapes recording the two models (TensorFlow then wraps each cond in a function of its own,
  and writes a backward function for its gradient);
- ``roles_tf2_mixed_precision``: the custom loop with tf_keras's ``LossScaleOptimizer`` around SGD with momentum:
  the updates are applied inside a ``cond`` (only when the gradients are finite), the loss scale multiplies the
  loss and divides the gradients;
- ``roles_tf2_lstm``: the custom loop around an LSTM with dropout and recurrent dropout (a v2 ``While`` whose
  gradient accumulators TensorFlow makes in the tape's scope and hands to the forward loop), BatchNormalization
  and a dense head, tf_keras's RMSprop;
- ``roles_keras3_fit``: Keras 3's ``fit`` (a conv layer, BatchNormalization, ReLU, Flatten, Dropout, a dense
  head, Adam, accuracy) traced by its TensorBoard callback: the step is a nested ``tf.function`` the trace records
  as a call (into the run ``roles_keras3_fit/train``);
- ``roles_keras3_gan``: Keras 3's GAN as its DCGAN example writes it, a ``train_step`` that updates the
  discriminator, then the generator through the discriminator's updated weights, each with its own Adam;
- ``roles_keras3_functional``: a Keras 3 functional model of two inputs, a Sequential backbone used as a layer,
  global average poolings, an Embedding, AdamW;
- ``roles_keras3_steps``: Keras 3's ``fit`` with ``steps_per_execution=4`` (the step runs in a ``While``, inside
  an ``If`` on whether a next batch came), a model led by Rescaling and an adapted Normalization;
- ``roles_keras2_steps``: tf_keras's ``fit`` with ``steps_per_execution=4``, its TensorBoard callback writing the
  run graph of ``train_function`` and a trace of its first batch: the step runs inside a ``While`` whose body
  takes its batches from the iterator itself;
- ``roles_keras2_swish``: tf_keras's ``fit`` of convolutions with swish activations, whose custom gradient
  TensorFlow writes outside the gradient scopes, at the graph's top level;
- ``roles_keras3_mirrored_lstm``: Keras 3's ``fit`` under a ``MirroredStrategy`` of an Embedding, an LSTM with
  dropout, Dropout and a dense head, Adam clipping the gradients' norms (the strategy increments the step counter
  through an ``Identity``);
- ``roles_keras3_transformer``: Keras 3's ``fit`` of a small transformer encoder: an Embedding, MultiHeadAttention,
  residual Adds, LayerNormalization, a GELU feed-forward pair, a global average pooling, AdamW;
- ``roles_tf1_towers``: TF1's multi-tower training, the weights made once and read in two towers, their gradients
  averaged, Momentum, a moving average of the weights;
- ``roles_tf1_clone``: TF-Slim's ``model_deploy`` with one clone: the weights made at the top, the layers computed
  in ``clone_0/``, the batch dequeued there;
- ``roles_tf1_canned_dnn_linear``: a canned Estimator's wide-and-deep model as TF1 writes it: an input queue,
  partitioned variables, feature columns, a zero fraction summarised beside each hidden layer, Adagrad and FTRL;
- ``roles_tf1_partitioned_embedding``: an embedding table in three parts, looked up by ``embedding_lookup``;
- ``roles_tf1_bilstm``: a bidirectional LSTM over an embedding, its cells dropping outputs at a keep probability
  with a default, Adam updating the embedding sparsely;
- ``roles_tf1_cnn_schedule``: a TF1 CNN training script fed by a ``tf.data`` iterator, of ``tf.layers`` with an
  ``is_training`` placeholder, weight decay, a piecewise-constant learning rate, clipped gradients, a moving
  average of the weights, streaming metrics and histograms of every weight;
- ``roles_tf1_data_pipeline``: a TF1 MLP fed by a ``tf.data`` pipeline of TFRecord files, its loss in the scope
  ``tf.losses`` names, RMSProp;
- ``roles_tf1_pix2pix``: pix2pix's U-Net generator and its discriminator, made once and called twice (on real and
  on generated pairs, in name scopes of their own), hand-written leaky ReLUs, an Adam optimizer for each;
- ``roles_tf1_albert``: ALBERT's encoder, one transformer layer made once and called three times, each later call
  in a scope of its own (``layer_shared_1``), reading the first call's weights;
- ``roles_tf1_box_predictor``: an SSD detector's box predictors, each reshaping its convolutions' outputs by a size
  taken from its features' shape, Momentum;
- ``roles_tf1_gpt2``: GPT-2's model as OpenAI's code writes it, trained on its own input shifted by one;
- ``roles_tf1_vae``: a VAE's encoder and decoder scopes with a ``sampling`` scope between them;
- ``roles_tf1_char_rnn_frozen``: the char-RNN frozen for inference, its weights constants.
- ``roles_tf1_slim_resnet``, ``roles_tf1_slim_inception``: TF-Slim's own ResNet-50 v1 and Inception v3
  (``tf_slim.nets``), their batch norms switched by an ``is_training`` placeholder, trained as Slim's
  ``learning.create_train_op`` trains them (Momentum, a decayed learning rate, the batch norms' updates run
  before the loss), with summaries and a ``Saver``.
"""

from __future__ import annotations

import json
import os


def _tf1(resource: bool):
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.compat.v1.layers needs Keras 2 (tf_keras)
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    v1 = tf.compat.v1
    v1.disable_eager_execution()
    if not resource:
        v1.disable_resource_variables()
        v1.disable_control_flow_v2()
    else:
        v1.enable_resource_variables()
    v1.set_random_seed(1234)
    return tf, v1


def _write(tf, run_dir, graph):
    writer = tf.compat.v1.summary.FileWriter(run_dir)
    writer.add_graph(graph)
    writer.close()


def _run_dir(out, name):
    return os.path.join(out, "logs", name)


def _tf2():
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    tf.random.set_seed(1234)
    return tf


def _keras_counts(tf, model) -> dict:
    """What Keras itself counts of a model: its parameters, the trainable ones, and each layer's."""
    return {
        "total": int(model.count_params()),
        "trainable": int(sum(tf.size(v) for v in model.trainable_variables)),
        "layers": [
            {
                "name": layer.name,
                "class": type(layer).__name__,
                "params": int(layer.count_params()),
                "output_shape": _output_shape(layer),
            }
            for layer in model.layers
        ],
    }


def _write_trace(tf, out, name, step, *args, counts=None):
    """Traces ``step``'s first call into the run ``name`` as ``tf.summary.trace_export`` writes it, with Keras's
    ``counts`` beside the logdir (``keras_summary.json``, for the summary's tests; not in the logdir)."""
    os.makedirs(out, exist_ok=True)
    if counts is not None:
        with open(os.path.join(out, "keras_summary.json"), "w") as f:
            json.dump(counts, f)
    writer = tf.summary.create_file_writer(_run_dir(out, name))
    tf.summary.trace_on(graph=True)
    step(*args)
    with writer.as_default():
        tf.summary.trace_export("train_step", step=0)
    writer.close()


def write_dcgan(out):
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        z = v1.placeholder(tf.float32, [None, 16], name="z")
        real = v1.placeholder(tf.float32, [None, 8, 8, 1], name="real")
        with v1.variable_scope("generator"):
            h = tf.reshape(v1.layers.dense(z, 2 * 2 * 8, name="project"), [-1, 2, 2, 8])
            h = tf.nn.relu(v1.layers.conv2d_transpose(h, 4, 3, strides=2, padding="same", name="deconv1"))
            fake = tf.tanh(v1.layers.conv2d_transpose(h, 1, 3, strides=2, padding="same", name="deconv2"), name="out")

        def discriminator(x, reuse):
            with v1.variable_scope("discriminator", reuse=reuse):
                h = tf.nn.leaky_relu(v1.layers.conv2d(x, 4, 3, strides=2, padding="same", name="conv1"))
                return v1.layers.dense(v1.layers.flatten(h), 1, name="logit")

        d_real, d_fake = discriminator(real, False), discriminator(fake, True)
        xent = tf.nn.sigmoid_cross_entropy_with_logits
        d_loss = tf.reduce_mean(
            xent(labels=tf.ones_like(d_real), logits=d_real) + xent(labels=tf.zeros_like(d_fake), logits=d_fake),
            name="d_loss",
        )
        g_loss = tf.reduce_mean(xent(labels=tf.ones_like(d_fake), logits=d_fake), name="g_loss")
        global_step = v1.train.get_or_create_global_step()
        d_vars = v1.trainable_variables("discriminator")
        g_vars = v1.trainable_variables("generator")
        with tf.name_scope("discriminator_train"):
            v1.train.AdamOptimizer(2e-4, beta1=0.5).minimize(d_loss, var_list=d_vars)
        with tf.name_scope("generator_train"):
            v1.train.AdamOptimizer(2e-4, beta1=0.5).minimize(g_loss, var_list=g_vars, global_step=global_step)
        v1.global_variables_initializer()
        v1.train.Saver()
    _write(tf, _run_dir(out, "roles_dcgan"), graph)


def write_autoencoder3d(out):
    tf, v1 = _tf1(resource=True)
    graph = tf.Graph()
    with graph.as_default():
        volume = v1.placeholder(tf.float32, [None, 8, 8, 8, 1], name="volume")
        with v1.variable_scope("encoder"):
            code = tf.nn.relu(v1.layers.conv3d(volume, 4, 3, strides=2, padding="same", name="conv"))
        with v1.variable_scope("decoder"):
            decoded = v1.layers.conv3d_transpose(code, 1, 3, strides=2, padding="same", name="deconv")
            decoded = tf.sigmoid(decoded, name="out")
        loss = tf.reduce_mean(tf.square(decoded - volume), name="reconstruction_loss")
        global_step = v1.Variable(0, trainable=False, name="global_step", dtype=tf.int64)
        learning_rate = v1.train.exponential_decay(1e-3, global_step, 100, 0.9, name="learning_rate")
        train = v1.train.AdamOptimizer(learning_rate).minimize(loss)
        with tf.control_dependencies([train]):
            v1.assign_add(global_step, 1, name="increment_step")
        v1.summary.scalar("step", global_step)
        v1.summary.scalar("loss", loss)
        v1.summary.merge_all()
        v1.global_variables_initializer()
        v1.train.Saver()
    _write(tf, _run_dir(out, "roles_autoencoder3d"), graph)


def write_estimator(out):
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        features = v1.placeholder(tf.float32, [None, 6], name="features")
        labels = v1.placeholder(tf.float32, name="labels")  # as slim feeds them: no static shape
        global_step = v1.train.get_or_create_global_step()
        ids = v1.placeholder(tf.int32, [None], name="ids")
        with v1.variable_scope("embedding"):
            table = v1.get_variable("table", [10, 4])  # its gradient is sparse: the update deduplicates it
            embedded = tf.nn.embedding_lookup(table, ids)
        with v1.variable_scope("dense1"):
            w1 = v1.get_variable("kernel", [6, 4])
            hidden = tf.nn.relu(tf.matmul(features, w1) + embedded)
        with v1.variable_scope("dense2"):
            w2 = v1.Variable(w1.initialized_value()[:4, :1] * 0.5, name="kernel")  # shares dense1's initialiser
            logits = tf.squeeze(tf.matmul(hidden, w2), axis=1, name="logits")
        loss = v1.losses.sigmoid_cross_entropy(labels, logits)
        v1.metrics.accuracy(labels, tf.cast(logits > 0, tf.float32), name="accuracy")
        learning_rate = v1.train.polynomial_decay(1.0, global_step, 1000, end_learning_rate=0.1)
        train_op = v1.train.AdadeltaOptimizer(learning_rate).minimize(loss)
        with tf.control_dependencies([train_op]):
            new_global_step = global_step + 1
            train_op = tf.group(train_op, global_step.assign(new_global_step), name="train_op")
        v1.summary.scalar("loss", loss)
        scaffold = v1.train.Scaffold(saver=v1.train.Saver(sharded=True))
        scaffold.finalize()
    _write(tf, _run_dir(out, "roles_estimator"), graph)


def _write_keras2(out, name, optimizer_of):
    tf, v1 = _tf1(resource=True)
    import numpy as np
    import tf_keras

    model = tf_keras.Sequential(
        [
            tf_keras.layers.Dense(8, activation="relu", input_shape=(4,), name="dense_1"),
            tf_keras.layers.Dense(2, activation="softmax", name="dense_2"),
        ]
    )
    model.compile(optimizer=optimizer_of(tf_keras), loss="categorical_crossentropy", metrics=["accuracy"])
    x = np.ones((8, 4), dtype=np.float32)
    y = np.eye(2, dtype=np.float32)[np.arange(8) % 2]
    model.fit(x, y, sample_weight=np.ones(8, dtype=np.float32), batch_size=8, epochs=1, verbose=0)
    from tf_keras.src import backend as keras_backend

    _write(tf, _run_dir(out, name), keras_backend.get_session().graph)


def write_keras2_adam(out):
    _write_keras2(out, "roles_keras2_adam", lambda k: k.optimizers.legacy.Adam(1e-3))


def write_keras2_adadelta(out):
    _write_keras2(out, "roles_keras2_adadelta", lambda k: k.optimizers.legacy.Adadelta(1.0))


def write_keras2_sgd(out):
    _write_keras2(out, "roles_keras2_sgd", lambda k: k.optimizers.legacy.SGD(0.01, momentum=0.9))


def write_tf2_custom_loop(out):
    tf = _tf2()
    import tf_keras

    inputs = tf_keras.Input((8, 8, 3))
    x = tf_keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = tf_keras.layers.BatchNormalization(name="bn")(x)
    x = tf_keras.layers.Dropout(0.3, name="drop")(x)
    x = tf_keras.layers.Flatten(name="flat")(x)
    model = tf_keras.Model(inputs, tf_keras.layers.Dense(2, name="head")(x), name="model")
    optimizer = tf_keras.optimizers.Adam(1e-3)
    loss_of = tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    accuracy = tf_keras.metrics.SparseCategoricalAccuracy()

    @tf.function
    def train_step(images, labels, training):
        with tf.GradientTape() as tape:
            logits = model(images, training=training)
            loss = loss_of(labels, logits)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        accuracy.update_state(labels, logits)
        return loss

    images, labels = tf.random.normal((4, 8, 8, 3)), tf.constant([0, 1, 0, 1])
    counts = _keras_counts(tf, model)
    _write_trace(tf, out, "roles_tf2_custom_loop", train_step, images, labels, tf.constant(True), counts=counts)


def write_tf2_gan(out):
    tf = _tf2()
    import tf_keras

    layers = tf_keras.layers
    generator = tf_keras.Sequential(
        [
            layers.Dense(16, input_shape=(8,), name="g_dense"),
            layers.BatchNormalization(name="g_bn"),
            layers.ReLU(name="g_relu"),
            layers.Dense(4, name="g_out"),
        ],
        name="generator",
    )
    discriminator = tf_keras.Sequential(
        [
            layers.Dense(16, input_shape=(4,), name="d_dense"),
            layers.Dropout(0.3, name="d_drop"),
            layers.Dense(1, name="d_out"),
        ],
        name="discriminator",
    )
    g_optimizer, d_optimizer = tf_keras.optimizers.Adam(1e-4), tf_keras.optimizers.Adam(1e-4)
    cross_entropy = tf_keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(real, training):
        noise = tf.random.normal((4, 8))
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(noise, training=training)
            real_out, fake_out = discriminator(real, training=training), discriminator(fake, training=training)
            g_loss = cross_entropy(tf.ones_like(fake_out), fake_out)
            d_loss = cross_entropy(tf.ones_like(real_out), real_out) + cross_entropy(tf.zeros_like(fake_out), fake_out)
        g_variables, d_variables = generator.trainable_variables, discriminator.trainable_variables
        g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_variables), g_variables))
        d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_variables), d_variables))
        return g_loss, d_loss

    counts = {model.name: _keras_counts(tf, model) for model in (generator, discriminator)}
    _write_trace(tf, out, "roles_tf2_gan", train_step, tf.random.normal((4, 4)), tf.constant(True), counts=counts)


def write_tf2_mixed_precision(out):
    tf = _tf2()
    import tf_keras

    inputs = tf_keras.Input((8,))
    x = tf_keras.layers.Dense(16, name="fc1")(inputs)
    x = tf_keras.layers.BatchNormalization(name="bn")(x)
    x = tf_keras.layers.Dropout(0.2, name="drop")(x)
    model = tf_keras.Model(inputs, tf_keras.layers.Dense(2, name="head")(x), name="model")
    optimizer = tf_keras.mixed_precision.LossScaleOptimizer(tf_keras.optimizers.SGD(0.01, momentum=0.9))
    loss_of = tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def train_step(features, labels, training):
        with tf.GradientTape() as tape:
            loss = loss_of(labels, model(features, training=training))
            scaled = optimizer.get_scaled_loss(loss)
        gradients = optimizer.get_unscaled_gradients(tape.gradient(scaled, model.trainable_variables))
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    features, labels = tf.random.normal((4, 8)), tf.constant([0, 1, 0, 1])
    counts = _keras_counts(tf, model)
    _write_trace(tf, out, "roles_tf2_mixed_precision", train_step, features, labels, tf.constant(True), counts=counts)


def write_tf2_lstm(out):
    tf = _tf2()
    import tf_keras

    inputs = tf_keras.Input((5, 3))
    x = tf_keras.layers.LSTM(8, dropout=0.2, recurrent_dropout=0.1, name="lstm")(inputs)
    x = tf_keras.layers.BatchNormalization(name="bn")(x)
    model = tf_keras.Model(inputs, tf_keras.layers.Dense(2, name="head")(x), name="model")
    optimizer = tf_keras.optimizers.RMSprop(1e-3)
    loss_of = tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def train_step(sequences, labels, training):
        with tf.GradientTape() as tape:
            loss = loss_of(labels, model(sequences, training=training))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    sequences, labels = tf.random.normal((4, 5, 3)), tf.constant([0, 1, 0, 1])
    counts = _keras_counts(tf, model)
    _write_trace(tf, out, "roles_tf2_lstm", train_step, sequences, labels, tf.constant(True), counts=counts)


def write_keras3_fit(out):
    """Keras 3 (``import keras``, TensorFlow's default since 2.16): ``model.fit`` with the TensorBoard callback
    tracing its first batch (``profile_batch=1``, the only way Keras 3 logs an op graph). The traced
    ``multi_step_on_iterator`` reads the iterator and calls ``one_step_on_data``, a library function holding the
    model, the loss, the gradients, Adam and the metrics; Dropout draws its mask from a seed generator's state."""
    _tf2()
    import keras
    import numpy as np

    keras.utils.set_random_seed(1234)
    layers = keras.layers
    inputs = keras.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(name="relu")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dropout(0.3, name="drop")(x)
    model = keras.Model(inputs, layers.Dense(2, name="head")(x), name="keras3_cnn")
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    os.makedirs(out, exist_ok=True)
    callback = keras.callbacks.TensorBoard(_run_dir(out, "roles_keras3_fit"), write_graph=True, profile_batch=1)
    images = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
    model.fit(images, np.arange(16) % 2, batch_size=8, epochs=1, verbose=0, callbacks=[callback])
    with open(os.path.join(out, "keras_summary.json"), "w") as f:
        json.dump(_keras3_counts(model), f)


def write_keras3_steps(out):
    """Keras 3's ``fit`` running 4 steps per call (``steps_per_execution=4``): the traced
    ``multi_step_on_iterator`` is a ``While`` whose body calls ``one_step_on_data`` in an ``If`` (is there a
    next batch?), not a call at its top level. The model scales its input (Rescaling) and standardises it with
    statistics adapted before ``fit`` (Normalization), then a conv layer, BatchNormalization, ReLU, Flatten,
    Dropout and a dense head; Adam, accuracy."""
    _tf2()
    import keras
    import numpy as np

    keras.utils.set_random_seed(1234)
    layers = keras.layers
    rng = np.random.default_rng(0)
    images = rng.random((64, 8, 8, 3), dtype=np.float32) * 255
    inputs = keras.Input((8, 8, 3))
    x = layers.Rescaling(1 / 255, name="rescale")(inputs)
    normalize = layers.Normalization(name="norm")
    normalize.adapt(images[:32] / 255)
    x = layers.Conv2D(4, 3, name="conv")(normalize(x))
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Flatten(name="flat")(layers.ReLU(name="relu")(x))
    x = layers.Dropout(0.3, name="drop")(x)
    model = keras.Model(inputs, layers.Dense(2, name="head")(x), name="keras3_loop")
    _fit_four_steps_per_call(keras, model, images, out, "roles_keras3_steps", write_graph=False)
    with open(os.path.join(out, "keras_summary.json"), "w") as f:
        json.dump(_keras3_counts(model), f)


def _fit_four_steps_per_call(keras, model, images, out, run, write_graph):
    """Adam, accuracy, 4 steps per call of the train function; the TensorBoard callback traces the first batch."""
    import numpy as np

    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        steps_per_execution=4,
    )
    os.makedirs(out, exist_ok=True)
    callback = keras.callbacks.TensorBoard(_run_dir(out, run), write_graph=write_graph, profile_batch=1)
    model.fit(images, np.arange(len(images)) % 2, batch_size=8, epochs=1, verbose=0, callbacks=[callback])


def write_keras2_steps(out):
    """tf_keras (``TF_USE_LEGACY_KERAS``) fitting 4 steps per call: ``train_function`` loops over
    ``tf.range``, each pass taking a batch and running the step in the loop's body (no call to inline). Its
    TensorBoard callback writes the run graph (``write_graph``) and traces the first batch."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    tf = _tf2()
    import numpy as np

    keras, layers = tf.keras, tf.keras.layers
    inputs = keras.Input((8, 8, 3))
    x = layers.BatchNormalization(name="bn")(layers.Conv2D(4, 3, name="conv")(inputs))
    x = layers.Dropout(0.3, name="drop")(layers.Flatten(name="flat")(layers.ReLU(name="relu")(x)))
    model = keras.Model(inputs, layers.Dense(2, name="head")(x), name="keras2_loop")
    images = np.random.default_rng(0).random((64, 8, 8, 3), dtype=np.float32)
    _fit_four_steps_per_call(keras, model, images, out, "roles_keras2_steps", write_graph=True)
    with open(os.path.join(out, "keras_summary.json"), "w") as f:
        json.dump(_keras_counts(tf, model), f)


def write_keras2_swish(out):
    """tf_keras's ``fit`` (TensorFlow 2, the TensorBoard callback writing the run graph of ``train_function``) of
    a small EfficientNet-like model: convolutions, a BatchNormalization and swish activations, whose custom gradient
    TensorFlow writes where it runs, at the graph's top level (``mul_5``, ``Sigmoid``, ``Square``); Adam."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    tf = _tf2()
    import numpy as np

    keras, layers = tf.keras, tf.keras.layers
    inputs = keras.Input((8, 8, 3))
    x = layers.BatchNormalization(name="bn1")(layers.Conv2D(4, 3, name="conv1")(inputs))
    x = layers.Activation("swish", name="act1")(x)
    x = layers.Activation("swish", name="act2")(layers.Conv2D(4, 3, name="conv2")(x))
    model = keras.Model(inputs, layers.Dense(2, name="head")(layers.GlobalAveragePooling2D(name="gap")(x)), name="net")
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    callback = keras.callbacks.TensorBoard(_run_dir(out, "roles_keras2_swish"), write_graph=True, profile_batch=1)
    images = np.random.default_rng(0).random((16, 8, 8, 3), dtype=np.float32)
    model.fit(images, np.arange(16) % 2, batch_size=8, epochs=1, verbose=0, callbacks=[callback])


def _keras3_counts(model) -> dict:
    import numpy as np

    compiled = getattr(model, "optimizer", None) is not None and model.optimizer.built
    return {
        "total": int(model.count_params()),
        "trainable": int(sum(int(np.prod(w.shape)) for w in model.trainable_weights)),
        # The state beside the model: the optimizer's (slots, step, learning rate) and the metrics' totals and counts.
        "optimizer_params": int(sum(int(np.prod(v.shape)) for v in model.optimizer.variables)) if compiled else 0,
        "metric_params": int(sum(int(np.prod(v.shape)) for m in model.metrics for v in m.variables)),
        "layers": [
            {
                "name": layer.name,
                "class": type(layer).__name__,
                "params": int(layer.count_params()),
                "output_shape": _output_shape(layer),
            }
            for layer in model.layers
        ],
    }


def _output_shape(layer):
    try:
        return list(layer.output.shape)
    except (AttributeError, ValueError):  # a layer called more than once, or never in a graph of layers
        return None


def write_tf1_towers(out, resource=False, name="roles_tf1_towers"):
    """TF1's multi-tower training (the CIFAR-10 multi-GPU example's shape, on the CPU): the weights made once at
    the top (``conv1/weights``) and read in each tower (``tower_0/conv1``, ``tower_1/conv1``), BatchNorm and
    Dropout on an ``is_training`` flag, each tower's gradients averaged, Momentum on a decayed learning rate, an
    exponential moving average of the weights after each step, a Saver. ``resource``: of resource variables, as
    ``tf.compat.v1`` makes them in TensorFlow 2 (each shadow's initial value then read through an ``If``)."""
    tf, v1 = _tf1(resource=resource)
    graph = tf.Graph()
    with graph.as_default():
        images = v1.placeholder(tf.float32, [None, 8, 8, 3], name="images")
        labels = v1.placeholder(tf.int32, [None], name="labels")
        is_training = v1.placeholder_with_default(True, (), name="is_training")
        global_step = v1.train.get_or_create_global_step()
        optimizer = v1.train.MomentumOptimizer(v1.train.exponential_decay(0.1, global_step, 100, 0.9), 0.9)

        def tower(x):
            with v1.variable_scope("conv1"):
                kernel = v1.get_variable("weights", [3, 3, 3, 4])
                bias = v1.get_variable("biases", [4], initializer=v1.zeros_initializer())
                x = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, kernel, [1, 1, 1, 1], "SAME"), bias))
            x = v1.layers.batch_normalization(x, training=is_training, name="bn1")
            x = v1.layers.dropout(x, 0.3, training=is_training, name="drop")
            with v1.variable_scope("logits"):
                kernel = v1.get_variable("weights", [8 * 8 * 4, 2])
                bias = v1.get_variable("biases", [2], initializer=v1.zeros_initializer())
                return tf.matmul(tf.reshape(x, [-1, 256]), kernel) + bias

        towers = []
        with v1.variable_scope(v1.get_variable_scope()):
            for i, (x, y) in enumerate(zip(tf.split(images, 2), tf.split(labels, 2))):
                with tf.name_scope(f"tower_{i}"):
                    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=tower(x))
                    v1.get_variable_scope().reuse_variables()
                    towers.append(optimizer.compute_gradients(tf.reduce_mean(xent, name="loss")))
        with tf.name_scope("average_gradients"):
            averaged = [(tf.reduce_mean(tf.stack([g for g, _ in pairs]), 0), pairs[0][1]) for pairs in zip(*towers)]
        with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
            step = optimizer.apply_gradients(averaged, global_step=global_step)
        with tf.control_dependencies([step]):
            v1.train.ExponentialMovingAverage(0.999, global_step).apply(v1.trainable_variables())
        v1.global_variables_initializer()
        v1.train.Saver()
    _write(tf, _run_dir(out, name), graph)


def write_tf1_clone(out):
    """TF-Slim's ``model_deploy`` with one clone, as PixelLink trains: the layers' weights made at the top
    (``conv1/kernel``, by their variable scopes) and computed with inside the clone's name scope
    (``clone_0/conv1/Conv2D``), a weight regulariser in each layer's scope, the images and the labels dequeued
    from a FIFO queue inside the clone, the loss there too, Momentum, ``global_step``, a Saver."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        global_step = v1.train.get_or_create_global_step()
        queue = v1.FIFOQueue(4, [tf.float32, tf.int32], shapes=[[8, 16, 16, 3], [8]], name="batch_queue")
        queue.enqueue([v1.random_uniform([8, 16, 16, 3]), tf.zeros([8], tf.int32)], name="fill")
        regularizer = v1.keras.regularizers.l2(1e-4)
        with tf.name_scope("clone_0"):
            images, labels = queue.dequeue()
            x = v1.layers.conv2d(images, 4, 3, padding="same", activation=tf.nn.relu, name="conv1",
                                 kernel_regularizer=regularizer)  # fmt: skip
            x = v1.layers.max_pooling2d(x, 2, 2, name="pool1")
            x = v1.layers.conv2d(x, 8, 3, padding="same", activation=tf.nn.relu, name="conv2",
                                 kernel_regularizer=regularizer)  # fmt: skip
            x = v1.layers.max_pooling2d(x, 2, 2, name="pool2")
            logits = v1.layers.dense(tf.reshape(x, [8, 4 * 4 * 8]), 3, name="logits")
            loss = v1.losses.sparse_softmax_cross_entropy(labels, logits) + v1.losses.get_regularization_loss()
        step = v1.train.MomentumOptimizer(0.1, 0.9).minimize(loss, global_step=global_step)
        v1.global_variables_initializer()
        v1.train.Saver()
        assert step is not None
    _write(tf, _run_dir(out, "roles_tf1_clone"), graph)


def write_tf1_canned_dnn_linear(out):
    """A canned Estimator's wide-and-deep model the way TF1's ``DNNLinearCombinedClassifier`` writes it, fed by
    ``numpy_input_fn``'s queue (filled in ``enqueue_input``, its batch taken by ``fifo_queue_DequeueMany``): its
    variables partitioned (``dnn/hiddenlayer_0/kernel/part_0``; the linear model's weight in two parts joined by
    ``ConcatPartitions``), the feature columns made dense in ``dnn/input_from_feature_columns``, each hidden layer's
    share of zeros computed for a summary beside it (``dnn/zero_fraction``), the linear model's sums in a second
    name scope of its variable scope (``linear/linear_model_1/linear_model``), a head of predictions, loss and
    AUC, Adagrad for the deep part and FTRL for the linear one, ``global_step``, a sharded Saver."""
    tf, v1 = _tf1(resource=False)
    fc = v1.feature_column
    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("enqueue_input"):  # numpy_input_fn's queue, which a thread fills through placeholders
            queue = v1.FIFOQueue(1000, [tf.int64, tf.float32, tf.float32], shapes=[[], [6], [1]], name="fifo_queue")
            queue.enqueue_many([v1.placeholder(tf.int64, [None]), v1.placeholder(tf.float32, [None, 6]),
                                v1.placeholder(tf.float32, [None, 1])])  # fmt: skip
            queue.close()
            full = tf.cast(tf.maximum(0, queue.size() - 0), tf.float32) * (1.0 / 1000)
            v1.summary.scalar("queue/fifo_queue/fraction_over_0_of_1000_full", full)
        _, x, labels = queue.dequeue_many(8)
        features = {"x": x}
        global_step = v1.train.get_or_create_global_step()
        columns = [fc.numeric_column("x", shape=[6])]
        partitioner = v1.min_max_variable_partitioner(max_partitions=2, min_slice_size=64 << 20)
        with v1.variable_scope("dnn", partitioner=partitioner):
            with v1.variable_scope("input_from_feature_columns"):
                net = fc.input_layer(features, columns)
            for i, units in enumerate([8, 4]):
                with v1.variable_scope(f"hiddenlayer_{i}", values=(net,)) as scope:
                    net = v1.layers.dense(net, units, activation=tf.nn.relu, name=scope)
                v1.summary.scalar(f"{scope.name}/fraction_of_zero_values", tf.nn.zero_fraction(net))
                v1.summary.histogram(f"{scope.name}/activation", net)
            with v1.variable_scope("logits", values=(net,)) as scope:
                dnn_logits = v1.layers.dense(net, 1, name=scope)
        with v1.variable_scope("linear", partitioner=v1.fixed_size_partitioner(2)):
            linear_logits = fc.linear_model(features, columns)
        logits = dnn_logits + linear_logits
        with tf.name_scope("head"):
            with tf.name_scope("predictions"):
                probabilities = tf.sigmoid(logits, name="logistic")
            loss = v1.losses.sigmoid_cross_entropy(labels, logits)
            v1.metrics.auc(labels, probabilities, name="auc")
        trained = v1.GraphKeys.TRAINABLE_VARIABLES
        steps = [
            v1.train.AdagradOptimizer(0.05).minimize(loss, var_list=v1.get_collection(trained, scope="dnn")),
            v1.train.FtrlOptimizer(0.2).minimize(loss, var_list=v1.get_collection(trained, scope="linear")),
        ]
        with tf.control_dependencies(steps):
            v1.assign_add(global_step, 1)
        v1.summary.scalar("loss", loss)
        v1.train.Saver(sharded=True)
    _write(tf, _run_dir(out, "roles_tf1_canned_dnn_linear"), graph)


def write_tf1_partitioned_embedding(out):
    """A recommender's TF1 model of the parameter-server era: an embedding table partitioned in three
    (``embedding/table/part_0``..``part_2``) looked up by ``embedding_lookup`` (the ids split by part, gathered,
    stitched back), averaged, two dense layers, Adagrad, ``global_step``, a Saver."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        ids = v1.placeholder(tf.int64, [None, 5], name="ids")
        labels = v1.placeholder(tf.float32, [None, 1], name="labels")
        global_step = v1.train.get_or_create_global_step()
        with v1.variable_scope("embedding", partitioner=v1.fixed_size_partitioner(3)):
            table = v1.get_variable("table", [100, 8])
            vectors = v1.nn.embedding_lookup(table, ids, partition_strategy="div")
        x = v1.layers.dense(tf.reduce_mean(vectors, axis=1), 4, activation=tf.nn.relu, name="hidden")
        logits = v1.layers.dense(x, 1, name="logits")
        loss = v1.losses.sigmoid_cross_entropy(labels, logits)
        v1.train.AdagradOptimizer(0.1).minimize(loss, global_step=global_step)
        v1.train.Saver()
    _write(tf, _run_dir(out, "roles_tf1_partitioned_embedding"), graph)


def write_tf1_bilstm(out):
    """A TF1 text classifier the way 2017-era NLP code writes one: an embedding table, a bidirectional LSTM
    (``bidirectional_dynamic_rnn`` over two ``LSTMCell``s, each in a ``DropoutWrapper`` whose keep probability is a
    ``placeholder_with_default``), the last steps concatenated, ``xw_plus_b``, Adam (its update of the embedding
    sparse: scatters into the slots, then the weight's step from them and the beta powers), ``global_step``, a loss
    summary, a Saver."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        ids = v1.placeholder(tf.int32, [None, 12], name="ids")
        lengths = v1.placeholder(tf.int32, [None], name="lengths")
        labels = v1.placeholder(tf.int32, [None], name="labels")
        keep_prob = v1.placeholder_with_default(1.0, (), name="keep_prob")
        global_step = v1.train.get_or_create_global_step()
        with v1.variable_scope("embedding"):
            vectors = tf.nn.embedding_lookup(v1.get_variable("word_embeddings", [500, 16]), ids)
        cells = [
            v1.nn.rnn_cell.DropoutWrapper(v1.nn.rnn_cell.LSTMCell(10), output_keep_prob=keep_prob) for _ in range(2)
        ]
        (forward, backward), _ = v1.nn.bidirectional_dynamic_rnn(
            *cells, vectors, sequence_length=lengths, dtype=tf.float32
        )
        last = tf.concat([forward[:, -1], backward[:, -1]], axis=-1)
        with v1.variable_scope("output"):
            weights = v1.get_variable("W", [20, 3])
            bias = v1.get_variable("b", [3], initializer=v1.zeros_initializer())
            logits = v1.nn.xw_plus_b(last, weights, bias, name="logits")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        v1.train.AdamOptimizer(1e-3).minimize(loss, global_step=global_step)
        v1.summary.scalar("loss", loss)
        v1.train.Saver()
    _write(tf, _run_dir(out, "roles_tf1_bilstm"), graph)


def _tfrecord_batches(tf, v1, image_shape):
    """Images and labels as TF1 input code reads them: TFRecord files (their names fed to ``filenames``) parsed,
    shuffled, batched by 32 and repeated through ``tf.data``, from an initializable iterator."""
    files = v1.placeholder(tf.string, [None], name="filenames")
    features = {"image": v1.FixedLenFeature(image_shape, tf.float32), "label": v1.FixedLenFeature([], tf.int64)}

    def parse(record):
        example = v1.parse_single_example(record, features)
        return example["image"], example["label"]

    dataset = tf.data.TFRecordDataset(files).map(parse).shuffle(1000).batch(32).repeat()
    return v1.data.make_initializable_iterator(dataset).get_next()


def write_tf1_cnn_schedule(out):
    """The classic TF1 CNN training script: batches of images and labels from a ``tf.data`` pipeline's
    initializable iterator, ``tf.layers`` convolutions with L2 weight decay, batch normalization
    and dropout switched by an ``is_training`` placeholder, the regularization losses added to the loss, a
    ``piecewise_constant`` learning rate on ``global_step`` (its ``case`` makes an Assert whose message nothing
    reads), Momentum on gradients clipped by their global norm after the UPDATE_OPS, an ExponentialMovingAverage of
    the weights after the step, ``tf.metrics`` accuracy and mean (local variables), a histogram of every weight, a
    Saver restoring the averages."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        images, labels = _tfrecord_batches(tf, v1, [28, 28, 1])
        is_training = v1.placeholder(tf.bool, name="is_training")
        x = images
        for n, filters in ((1, 16), (2, 32)):
            x = v1.layers.conv2d(x, filters, 3, padding="same", kernel_regularizer=tf.nn.l2_loss, name=f"conv{n}")
            x = tf.nn.relu(v1.layers.batch_normalization(x, training=is_training, name=f"bn{n}"))
            if n == 1:
                x = v1.layers.max_pooling2d(x, 2, 2, name="pool1")
        x = v1.layers.dropout(v1.layers.flatten(x, name="flatten"), 0.5, training=is_training, name="dropout")
        logits = v1.layers.dense(x, 10, name="logits")
        with v1.name_scope("loss"):
            loss = v1.losses.sparse_softmax_cross_entropy(labels, logits) + 1e-4 * v1.losses.get_regularization_loss()
        global_step = v1.train.get_or_create_global_step()
        rate = v1.train.piecewise_constant(global_step, [1000, 2000], [0.1, 0.01, 0.001])
        v1.summary.scalar("learning_rate", rate)
        optimizer = v1.train.MomentumOptimizer(rate, 0.9)
        with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
            gradients, variables = zip(*optimizer.compute_gradients(loss))
            clipped, norm = tf.clip_by_global_norm(gradients, 5.0)
            v1.summary.scalar("grad_norm", norm)
            step = optimizer.apply_gradients(zip(clipped, variables), global_step=global_step)
        average = v1.train.ExponentialMovingAverage(0.999, global_step)
        with tf.control_dependencies([step]):
            average.apply(v1.trainable_variables())
        with v1.name_scope("metrics"):
            accuracy, _ = v1.metrics.accuracy(labels, tf.argmax(logits, 1))
            v1.metrics.mean(loss)
        v1.summary.scalar("accuracy", accuracy)
        for variable in v1.trainable_variables():
            v1.summary.histogram(variable.op.name, variable)
        v1.summary.merge_all()
        v1.train.Saver(average.variables_to_restore())
    _write(tf, _run_dir(out, "roles_tf1_cnn_schedule"), graph)


def write_tf1_data_pipeline(out):
    """A TF1 MLP trained from TFRecord files through ``tf.data`` (parsed, shuffled, batched, repeated; an
    initializable iterator fed the file names), its loss from ``tf.losses`` in that function's own scope,
    dropout switched by a ``placeholder_with_default``, RMSProp."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        images, labels = _tfrecord_batches(tf, v1, [784])
        training = v1.placeholder_with_default(False, (), name="training")
        hidden = v1.layers.dense(images, 128, activation=tf.nn.relu, name="fc1")
        logits = v1.layers.dense(v1.layers.dropout(hidden, 0.3, training=training, name="drop"), 10, name="fc2")
        loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
        v1.train.RMSPropOptimizer(1e-3).minimize(loss, global_step=v1.train.get_or_create_global_step())
        v1.summary.scalar("loss", loss)
        v1.train.Saver()
    _write(tf, _run_dir(out, "roles_tf1_data_pipeline"), graph)


def write_tf1_text_cnn(out):
    """A sentence classifier the way the most copied TF1 text CNN writes one (Kim's model): token ids and one-hot
    labels fed, an embedding table made on the CPU in ``embedding``, a convolution and a max-pool per filter size
    in ``conv-maxpool-3``..``-5``, their features concatenated and flattened, dropout at a ``dropout_keep_prob``
    placeholder read in one place (the ``dropout`` scope), the output layer's weights L2-penalised, the loss and
    the accuracy in their scopes, Adam on a global step, histograms of the gradients, a Saver."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        length, vocabulary, size, sizes, filters = 20, 500, 16, (3, 4, 5), 8
        input_x = v1.placeholder(tf.int32, [None, length], name="input_x")
        input_y = v1.placeholder(tf.float32, [None, 2], name="input_y")
        keep_prob = v1.placeholder(tf.float32, name="dropout_keep_prob")
        l2_loss = tf.constant(0.0)
        with tf.device("/cpu:0"), v1.name_scope("embedding"):
            table = v1.Variable(v1.random_uniform([vocabulary, size], -1.0, 1.0), name="W")
            embedded = tf.expand_dims(tf.nn.embedding_lookup(table, input_x), -1)
        pooled = []
        for width in sizes:
            with v1.name_scope(f"conv-maxpool-{width}"):
                kernel = v1.Variable(v1.truncated_normal([width, size, 1, filters], stddev=0.1), name="W")
                bias = v1.Variable(tf.constant(0.1, shape=[filters]), name="b")
                conv = tf.nn.conv2d(embedded, kernel, strides=[1, 1, 1, 1], padding="VALID", name="conv")
                hidden = tf.nn.relu(tf.nn.bias_add(conv, bias), name="relu")
                pooled.append(v1.nn.max_pool(hidden, [1, length - width + 1, 1, 1], [1, 1, 1, 1], "VALID", name="pool"))
        features = tf.reshape(tf.concat(pooled, 3), [-1, filters * len(sizes)])
        with v1.name_scope("dropout"):
            dropped = v1.nn.dropout(features, keep_prob)
        with v1.name_scope("output"):
            weights = v1.get_variable("W", [filters * len(sizes), 2], initializer=v1.glorot_uniform_initializer())
            bias = v1.Variable(tf.constant(0.1, shape=[2]), name="b")
            l2_loss += tf.nn.l2_loss(weights) + tf.nn.l2_loss(bias)
            scores = v1.nn.xw_plus_b(dropped, weights, bias, name="scores")
            predictions = tf.argmax(scores, 1, name="predictions")
        with v1.name_scope("loss"):
            losses = tf.nn.softmax_cross_entropy_with_logits(labels=input_y, logits=scores)
            loss = tf.reduce_mean(losses) + 0.1 * l2_loss
        with v1.name_scope("accuracy"):
            correct = tf.equal(predictions, tf.argmax(input_y, 1))
            accuracy = tf.reduce_mean(tf.cast(correct, "float"), name="accuracy")
        global_step = tf.Variable(0, name="global_step", trainable=False)
        optimizer = v1.train.AdamOptimizer(1e-3)
        gradients = optimizer.compute_gradients(loss)
        optimizer.apply_gradients(gradients, global_step=global_step)
        for gradient, variable in gradients:
            v1.summary.histogram(f"{variable.name.replace(':', '_')}/grad/hist", gradient)
        v1.summary.scalar("loss", loss)
        v1.summary.scalar("accuracy", accuracy)
        v1.summary.merge_all()
        v1.train.Saver(v1.global_variables(), max_to_keep=5)
    _write(tf, _run_dir(out, "roles_tf1_text_cnn"), graph)


def write_tf1_char_rnn(out):
    """A character-level language model the way TF1's char-RNN projects write one: two LSTM cells, each wrapped
    in a ``DropoutWrapper`` at an ``output_keep_prob`` placeholder, stacked in a ``MultiRNNCell`` and unrolled by
    ``static_rnn`` over the sequence split into steps, in ``rnnlm`` beside its softmax weights; an embedding
    table, the inputs dropped at the same placeholder; the learning rate a variable nothing trains (the training
    loop assigns it each epoch from a fed value), gradients clipped by their global norm, Adam, histograms of the
    logits and the loss, a Saver."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        batch, steps, vocabulary, size = 4, 6, 30, 16
        input_data = v1.placeholder(tf.int32, [batch, steps], name="input_data")
        targets = v1.placeholder(tf.int32, [batch, steps], name="targets")
        keep_prob = v1.placeholder(tf.float32, name="output_keep_prob")
        cells = [
            v1.nn.rnn_cell.DropoutWrapper(v1.nn.rnn_cell.BasicLSTMCell(size), output_keep_prob=keep_prob)
            for _ in range(2)
        ]
        cell = v1.nn.rnn_cell.MultiRNNCell(cells)
        initial_state = cell.zero_state(batch, tf.float32)
        with v1.variable_scope("rnnlm"):
            softmax_w = v1.get_variable("softmax_w", [size, vocabulary])
            softmax_b = v1.get_variable("softmax_b", [vocabulary])
        embedding = v1.get_variable("embedding", [vocabulary, size])
        inputs = v1.nn.dropout(tf.nn.embedding_lookup(embedding, input_data), keep_prob)
        inputs = [tf.squeeze(step, [1]) for step in tf.split(inputs, steps, 1)]
        outputs, _ = v1.nn.static_rnn(cell, inputs, initial_state=initial_state, scope="rnnlm")
        output = tf.reshape(tf.concat(outputs, 1), [-1, size])
        logits = tf.matmul(output, softmax_w) + softmax_b
        tf.nn.softmax(logits)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(targets, [-1]), logits=logits)
        with v1.name_scope("cost"):
            cost = tf.reduce_sum(loss) / batch / steps
        lr = v1.Variable(0.0, trainable=False)
        new_lr = v1.placeholder(tf.float32, [], name="new_lr")
        v1.assign(lr, new_lr)
        trained = v1.trainable_variables()
        gradients, _ = tf.clip_by_global_norm(tf.gradients(cost, trained), 5.0)
        with v1.name_scope("optimizer"):
            v1.train.AdamOptimizer(lr).apply_gradients(zip(gradients, trained))
        v1.summary.histogram("logits", logits)
        v1.summary.histogram("loss", loss)
        v1.summary.scalar("train_loss", cost)
        v1.train.Saver(v1.global_variables())
    _write(tf, _run_dir(out, "roles_tf1_char_rnn"), graph)


def write_tf1_dqn(out):
    """A deep Q-network the way TF1 reinforcement learning tutorials write one: states, actions, rewards and next
    states fed; an ``eval_net`` and a ``target_net`` of the same two dense layers made with ``tf.get_variable`` in
    their variable scopes; the Q-target computed from the target network's values of the next states, stopped from
    the gradient; the TD error in ``loss``, RMSProp on the evaluation network's weights only (``var_list``); the
    target network's weights set from the evaluation network's by ``tf.assign`` in ``hard_replacement``, run every
    few hundred steps."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        features, actions, hidden = 4, 2, 20
        s = v1.placeholder(tf.float32, [None, features], name="s")
        s_ = v1.placeholder(tf.float32, [None, features], name="s_")
        r = v1.placeholder(tf.float32, [None], name="r")
        a = v1.placeholder(tf.int32, [None], name="a")
        w_init, b_init = v1.random_normal_initializer(0.0, 0.3), v1.constant_initializer(0.1)

        def network(x, scope):
            with v1.variable_scope(scope):
                e1 = v1.layers.dense(
                    x, hidden, tf.nn.relu, kernel_initializer=w_init, bias_initializer=b_init, name="e1"
                )
                return v1.layers.dense(e1, actions, kernel_initializer=w_init, bias_initializer=b_init, name="q")

        q_eval = network(s, "eval_net")
        q_next = network(s_, "target_net")
        with v1.variable_scope("q_target"):
            q_target = tf.stop_gradient(r + 0.9 * tf.reduce_max(q_next, axis=1, name="Qmax_s_"))
        with v1.variable_scope("q_eval"):
            indices = tf.stack([tf.range(tf.shape(a)[0], dtype=tf.int32), a], axis=1)
            q_eval_wrt_a = tf.gather_nd(params=q_eval, indices=indices)
        with v1.variable_scope("loss"):
            loss = tf.reduce_mean(tf.math.squared_difference(q_target, q_eval_wrt_a, name="TD_error"))
        eval_params = v1.get_collection(v1.GraphKeys.GLOBAL_VARIABLES, scope="eval_net")
        target_params = v1.get_collection(v1.GraphKeys.GLOBAL_VARIABLES, scope="target_net")
        with v1.variable_scope("train"):
            v1.train.RMSPropOptimizer(0.01).minimize(loss, var_list=eval_params)
        with v1.variable_scope("hard_replacement"):
            [v1.assign(t, e) for t, e in zip(target_params, eval_params)]
        v1.summary.scalar("loss", loss)
    _write(tf, _run_dir(out, "roles_tf1_dqn"), graph)


def write_tf1_ddpg(out):
    """DDPG the way TF1 reinforcement learning tutorials write it: an actor and a critic, each an ``eval`` and a
    ``target`` network of dense layers (the targets made ``trainable=False``); the critic's TD error and the actor's
    policy gradient (``-mean(Q)``) minimised by Adam on the evaluation networks' weights only; each target weight
    moved towards its evaluation weight by ``tf.assign(t, (1 - tau) * t + tau * e)`` after every step (a soft
    replacement)."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        s_dim, a_dim, tau, gamma = 3, 1, 0.01, 0.9
        s = v1.placeholder(tf.float32, [None, s_dim], "s")
        s_ = v1.placeholder(tf.float32, [None, s_dim], "s_")
        r = v1.placeholder(tf.float32, [None, 1], "r")

        def actor(x, scope, trainable):
            with v1.variable_scope(scope):
                net = v1.layers.dense(x, 30, tf.nn.relu, name="l1", trainable=trainable)
                a = v1.layers.dense(net, a_dim, tf.nn.tanh, name="a", trainable=trainable)
                return tf.multiply(a, 2.0, name="scaled_a")

        def critic(x, a, scope, trainable):
            with v1.variable_scope(scope):
                w1_s = v1.get_variable("w1_s", [s_dim, 30], trainable=trainable)
                w1_a = v1.get_variable("w1_a", [a_dim, 30], trainable=trainable)
                b1 = v1.get_variable("b1", [1, 30], trainable=trainable)
                net = tf.nn.relu(tf.matmul(x, w1_s) + tf.matmul(a, w1_a) + b1)
                return v1.layers.dense(net, 1, trainable=trainable)

        with v1.variable_scope("Actor"):
            a = actor(s, "eval", trainable=True)
            a_ = actor(s_, "target", trainable=False)
        with v1.variable_scope("Critic"):
            q = critic(s, a, "eval", trainable=True)
            q_ = critic(s_, a_, "target", trainable=False)
        ae_params = v1.get_collection(v1.GraphKeys.GLOBAL_VARIABLES, scope="Actor/eval")
        at_params = v1.get_collection(v1.GraphKeys.GLOBAL_VARIABLES, scope="Actor/target")
        ce_params = v1.get_collection(v1.GraphKeys.GLOBAL_VARIABLES, scope="Critic/eval")
        ct_params = v1.get_collection(v1.GraphKeys.GLOBAL_VARIABLES, scope="Critic/target")
        with v1.variable_scope("soft_replacement"):
            [v1.assign(t, (1 - tau) * t + tau * e) for t, e in zip(at_params + ct_params, ae_params + ce_params)]
        q_target = r + gamma * q_
        td_error = v1.losses.mean_squared_error(labels=q_target, predictions=q)
        v1.train.AdamOptimizer(0.002).minimize(td_error, var_list=ce_params)
        a_loss = -tf.reduce_mean(q)
        v1.train.AdamOptimizer(0.001).minimize(a_loss, var_list=ae_params)
    _write(tf, _run_dir(out, "roles_tf1_ddpg"), graph)


def write_tf1_pix2pix(out):
    """pix2pix the way affinelayer's ``pix2pix-tensorflow`` writes it, made small: a U-Net generator (strided
    convolutions, hand-written leaky ReLUs ``lrelu``, BatchNorm, transposed convolutions fed the encoder's skips,
    dropout) and a discriminator made in ``tf.variable_scope("discriminator")`` and called twice, on real pairs
    inside ``tf.name_scope("real_discriminator")`` and on generated ones inside ``fake_discriminator`` (reusing
    the weights); an Adam optimizer for each model, the generator's run after the discriminator's, the losses'
    moving averages and ``global_step``."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        size, channels, ngf, ndf = 32, 3, 8, 8

        def lrelu(x, a):
            with tf.name_scope("lrelu"):
                x = tf.identity(x)
                return (0.5 * (1 + a)) * x + (0.5 * (1 - a)) * tf.abs(x)

        def conv(x, filters, stride):
            padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="CONSTANT")
            init = v1.random_normal_initializer(0, 0.02)
            return v1.layers.conv2d(padded, filters, 4, (stride, stride), "valid", kernel_initializer=init)

        def deconv(x, filters):
            init = v1.random_normal_initializer(0, 0.02)
            return v1.layers.conv2d_transpose(x, filters, 4, (2, 2), "same", kernel_initializer=init)

        def batchnorm(x):
            init = v1.random_normal_initializer(1.0, 0.02)
            return v1.layers.batch_normalization(
                x, axis=3, epsilon=1e-5, momentum=0.1, training=True, gamma_initializer=init
            )

        inputs = v1.placeholder(tf.float32, [1, size, size, channels], "inputs")
        targets = v1.placeholder(tf.float32, [1, size, size, channels], "targets")
        with v1.variable_scope("generator"):
            skips = []
            with v1.variable_scope("encoder_1"):
                skips.append(v1.layers.conv2d(inputs, ngf, 4, (2, 2), "same"))
            for k, filters in ((2, ngf * 2), (3, ngf * 4)):
                with v1.variable_scope(f"encoder_{k}"):
                    skips.append(batchnorm(v1.layers.conv2d(lrelu(skips[-1], 0.2), filters, 4, (2, 2), "same")))
            x = skips[-1]
            for k, filters in ((3, ngf * 2), (2, ngf)):
                with v1.variable_scope(f"decoder_{k}"):
                    if k != 3:
                        x = tf.concat([x, skips[k - 1]], axis=3)
                    x = batchnorm(deconv(tf.nn.relu(x), filters))
                    if k == 3:
                        x = tf.nn.dropout(x, rate=0.5)
            with v1.variable_scope("decoder_1"):
                outputs = tf.tanh(deconv(tf.nn.relu(tf.concat([x, skips[0]], axis=3)), channels))

        def discriminator(discrim_inputs, discrim_targets):
            x = tf.concat([discrim_inputs, discrim_targets], axis=3)
            with v1.variable_scope("layer_1"):
                x = lrelu(conv(x, ndf, 2), 0.2)
            for k, filters, stride in ((2, ndf * 2, 2), (3, ndf * 4, 1)):
                with v1.variable_scope(f"layer_{k}"):
                    x = lrelu(batchnorm(conv(x, filters, stride)), 0.2)
            with v1.variable_scope("layer_4"):
                return tf.sigmoid(conv(x, 1, 1))

        with tf.name_scope("real_discriminator"):
            with v1.variable_scope("discriminator"):
                predict_real = discriminator(inputs, targets)
        with tf.name_scope("fake_discriminator"):
            with v1.variable_scope("discriminator", reuse=True):
                predict_fake = discriminator(inputs, outputs)
        with tf.name_scope("discriminator_loss"):
            discrim_loss = tf.reduce_mean(-(tf.math.log(predict_real + 1e-12) + tf.math.log(1 - predict_fake + 1e-12)))
        with tf.name_scope("generator_loss"):
            gen_loss = -tf.reduce_mean(tf.math.log(predict_fake + 1e-12)) + 100 * tf.reduce_mean(
                tf.abs(targets - outputs)
            )
        with tf.name_scope("discriminator_train"):
            discrim_vars = [v for v in v1.trainable_variables() if v.name.startswith("discriminator")]
            discrim_optim = v1.train.AdamOptimizer(0.0002, 0.5)
            discrim_train = discrim_optim.apply_gradients(
                discrim_optim.compute_gradients(discrim_loss, var_list=discrim_vars)
            )
        with tf.name_scope("generator_train"):
            with tf.control_dependencies([discrim_train]):
                gen_vars = [v for v in v1.trainable_variables() if v.name.startswith("generator")]
                gen_optim = v1.train.AdamOptimizer(0.0002, 0.5)
                gen_train = gen_optim.apply_gradients(gen_optim.compute_gradients(gen_loss, var_list=gen_vars))
        ema = v1.train.ExponentialMovingAverage(decay=0.99)
        update_losses = ema.apply([discrim_loss, gen_loss])
        global_step = v1.train.get_or_create_global_step()
        tf.group(update_losses, v1.assign(global_step, global_step + 1), gen_train, name="train")
    _write(tf, _run_dir(out, "roles_tf1_pix2pix"), graph)


def write_tf1_bert_classifier(out):
    """A BERT classifier the way Google's ``run_classifier.py`` writes one, made small: ``bert/embeddings`` gathers
    word rows from its table, multiplies a one-hot of the token types by their table (``tf.matmul``, as on TPUs),
    adds the positions' rows and normalises; one encoder layer (``bert/encoder/layer_0``: a dense projection and a
    LayerNorm); ``bert/pooler`` takes the first token through a tanh dense layer; ``output_weights`` and
    ``output_bias`` are made at the top level and the logits computed in ``loss/``; Adam trains it all."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        batch, length, vocab, width, types, positions = 8, 16, 500, 32, 2, 64
        input_ids = v1.placeholder(tf.int32, [batch, length], "input_ids")
        segment_ids = v1.placeholder(tf.int32, [batch, length], "segment_ids")
        labels = v1.placeholder(tf.int32, [batch], "label_ids")
        with v1.variable_scope("bert"):
            with v1.variable_scope("embeddings"):
                table = v1.get_variable("word_embeddings", [vocab, width])
                x = tf.gather(table, input_ids)
                type_table = v1.get_variable("token_type_embeddings", [types, width])
                one_hot = tf.one_hot(tf.reshape(segment_ids, [-1]), depth=types)
                x += tf.reshape(tf.matmul(one_hot, type_table), [batch, length, width])
                position_table = v1.get_variable("position_embeddings", [positions, width])
                x += tf.reshape(tf.slice(position_table, [0, 0], [length, -1]), [1, length, width])
                x = _layer_norm(tf, v1, x)
            with v1.variable_scope("encoder/layer_0"):
                h = v1.layers.dense(tf.reshape(x, [-1, width]), width, name="dense")
                h = _layer_norm(tf, v1, tf.reshape(h, [batch, length, width]) + x)
            with v1.variable_scope("pooler"):
                pooled = v1.layers.dense(tf.squeeze(h[:, 0:1, :], axis=1), width, tf.tanh, name="dense")
        output_weights = v1.get_variable("output_weights", [2, width])
        output_bias = v1.get_variable("output_bias", [2], initializer=v1.zeros_initializer())
        with v1.variable_scope("loss"):
            logits = tf.nn.bias_add(tf.matmul(pooled, output_weights, transpose_b=True), output_bias)
            log_probs = tf.nn.log_softmax(logits, axis=-1)
            loss = tf.reduce_mean(-tf.reduce_sum(tf.one_hot(labels, depth=2) * log_probs, axis=-1))
        v1.train.AdamOptimizer(2e-5).minimize(loss, global_step=v1.train.get_or_create_global_step())
    _write(tf, _run_dir(out, "roles_tf1_bert_classifier"), graph)


def write_tf1_albert(out):
    """ALBERT's encoder as its ``modeling.py`` writes it, made small: one transformer layer made in
    ``bert/encoder/layer_shared`` and called three times (``tf.variable_scope("layer_shared", reuse=i > 0)``, so
    the later calls compute in ``layer_shared_1``, ``layer_shared_2``), on the batch's tokens flattened to one
    matrix: the query, key and value dense layers, the attention's output dense layer and LayerNorm, the
    intermediate and output dense layers and LayerNorm; a mean of the last layer's output as the loss, Adam."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        batch, length, width, inner = 4, 8, 16, 32
        x = v1.placeholder(tf.float32, [batch, length, width], "embeddings")
        with v1.variable_scope("bert"), v1.variable_scope("encoder"):
            hidden = tf.reshape(x, [batch * length, width])
            for layer in range(3):
                with v1.variable_scope("layer_shared", reuse=layer > 0):
                    with v1.variable_scope("attention"):
                        with v1.variable_scope("self"):
                            query = v1.layers.dense(hidden, width, name="query")
                            key = v1.layers.dense(hidden, width, name="key")
                            value = v1.layers.dense(hidden, width, name="value")
                            scores = tf.nn.softmax(tf.matmul(query, key, transpose_b=True) / 4.0)
                            context = tf.matmul(scores, value)
                        with v1.variable_scope("output"):
                            attended = _layer_norm(tf, v1, v1.layers.dense(context, width, name="dense") + hidden)
                    with v1.variable_scope("intermediate"):
                        widened = v1.layers.dense(attended, inner, tf.nn.relu, name="dense")
                    with v1.variable_scope("output"):
                        hidden = _layer_norm(tf, v1, v1.layers.dense(widened, width, name="dense") + attended)
        loss = tf.reduce_mean(tf.square(hidden))
        v1.train.AdamOptimizer(1e-3).minimize(loss)
    _write(tf, _run_dir(out, "roles_tf1_albert"), graph)


def write_tf1_box_predictor(out):
    """An SSD detector's heads as the Object Detection API writes them, made small: two feature maps (each a
    convolution and a batch norm fixed in inference mode, as an export builds them), each with a
    ``BoxPredictor_N`` scope of two convolutions (``BoxEncodingPredictor``, ``ClassPredictor``) whose outputs are
    reshaped by a size taken from the features' shape (``tf.shape(features)[0]``, loose in the scope: ``Shape``,
    ``strided_slice``, ``stack``), the boxes and the classes concatenated, a loss, Momentum."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        images = v1.placeholder(tf.float32, [None, 16, 16, 3], "image_tensor")
        with v1.variable_scope("FeatureExtractor"):
            # Exported for inference: each batch norm uses its moving averages (the first fused, the second not).
            first = v1.layers.conv2d(images, 8, 3, (2, 2), "same", name="Conv")
            first = tf.nn.relu6(v1.layers.batch_normalization(first, training=False, name="BatchNorm"))
            second = v1.layers.conv2d(first, 8, 3, (2, 2), "same", name="Conv_1")
            second = v1.layers.batch_normalization(second, training=False, fused=False, name="BatchNorm_1")
            second = tf.nn.relu6(second)
        boxes, classes = [], []
        for k, features in enumerate((first, second)):
            with v1.variable_scope(f"BoxPredictor_{k}"):
                encoded = v1.layers.conv2d(features, 3 * 4, 1, name="BoxEncodingPredictor")
                batch = tf.shape(features)[0]
                boxes.append(tf.reshape(encoded, tf.stack([batch, -1, 1, 4])))
                scored = v1.layers.conv2d(features, 3 * 2, 1, name="ClassPredictor")
                classes.append(tf.reshape(scored, tf.stack([batch, -1, 2])))
        box_encodings = tf.squeeze(tf.concat(boxes, axis=1), axis=2)
        class_predictions = tf.concat(classes, axis=1)
        loss = tf.reduce_mean(tf.square(box_encodings)) + tf.reduce_mean(tf.square(class_predictions))
        v1.train.MomentumOptimizer(0.01, 0.9).minimize(loss, global_step=v1.train.get_or_create_global_step())
    _write(tf, _run_dir(out, "roles_tf1_box_predictor"), graph)


def write_tf1_gpt2(out):
    """GPT-2 as OpenAI's ``model.py`` writes it, made small: ``model/wte`` and ``model/wpe`` gathered from, blocks
    ``model/h0``, ``model/h1`` (a hand-written layer norm ``ln_1``, attention ``attn`` of ``conv1d`` projections
    ``c_attn`` and ``c_proj`` with a causal mask, ``ln_2``, ``mlp`` of ``c_fc``, GELU and ``c_proj``, residual
    adds), ``ln_f``, the logits multiplied by ``wte`` transposed; trained on its own input shifted by one
    (``X[:, 1:]`` against ``logits[:, :-1]``, a sparse softmax cross entropy), Adam."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        n_vocab, n_ctx, n_embd, n_head = 50, 16, 16, 2

        def shape_list(x):
            static, dynamic = x.shape.as_list(), tf.shape(x)
            return [dynamic[i] if size is None else size for i, size in enumerate(static)]

        def norm(x, scope):
            with v1.variable_scope(scope):
                g = v1.get_variable("g", [x.shape[-1]], initializer=v1.constant_initializer(1))
                b = v1.get_variable("b", [x.shape[-1]], initializer=v1.constant_initializer(0))
                u = tf.reduce_mean(x, axis=-1, keepdims=True)
                s = tf.reduce_mean(tf.square(x - u), axis=-1, keepdims=True)
                return (x - u) * tf.math.rsqrt(s + 1e-5) * g + b

        def conv1d(x, scope, nf):
            with v1.variable_scope(scope):
                *start, nx = shape_list(x)
                w = v1.get_variable("w", [1, nx, nf], initializer=v1.random_normal_initializer(stddev=0.02))
                b = v1.get_variable("b", [nf], initializer=v1.constant_initializer(0))
                return tf.reshape(tf.matmul(tf.reshape(x, [-1, nx]), tf.reshape(w, [-1, nf])) + b, start + [nf])

        def attn(x, scope, n_state):
            def split_heads(t):
                *start, m = shape_list(t)
                return tf.transpose(tf.reshape(t, start + [n_head, m // n_head]), [0, 2, 1, 3])

            with v1.variable_scope(scope):
                q, k, v = map(split_heads, tf.split(conv1d(x, "c_attn", n_state * 3), 3, axis=2))
                w = tf.matmul(q, k, transpose_b=True) * tf.math.rsqrt(tf.cast(n_state // n_head, tf.float32))
                _, _, nd, ns = shape_list(w)
                mask = tf.reshape(tf.cast(tf.range(nd)[:, None] >= tf.range(ns) - ns + nd, tf.float32), [1, 1, nd, ns])
                w = tf.nn.softmax(w * mask - 1e10 * (1 - mask), axis=-1)
                a = tf.transpose(tf.matmul(w, v), [0, 2, 1, 3])
                *start, heads, size = shape_list(a)
                return conv1d(tf.reshape(a, start + [heads * size]), "c_proj", n_state)

        def block(x, scope):
            with v1.variable_scope(scope):
                x = x + attn(norm(x, "ln_1"), "attn", n_embd)
                normed = norm(x, "ln_2")
                with v1.variable_scope("mlp"):
                    m = conv1d(tf.nn.gelu(conv1d(normed, "c_fc", n_embd * 4), approximate=True), "c_proj", n_embd)
                return x + m

        tokens = v1.placeholder(tf.int32, [4, None], name="context")
        with v1.variable_scope("model"):
            batch, sequence = shape_list(tokens)
            wpe = v1.get_variable("wpe", [n_ctx, n_embd], initializer=v1.random_normal_initializer(stddev=0.01))
            wte = v1.get_variable("wte", [n_vocab, n_embd], initializer=v1.random_normal_initializer(stddev=0.02))
            h = tf.gather(wte, tokens) + tf.gather(wpe, tf.tile(tf.range(sequence)[None], [batch, 1]))
            for layer in range(2):
                h = block(h, f"h{layer}")
            h = norm(h, "ln_f")
            logits = tf.matmul(tf.reshape(h, [batch * sequence, n_embd]), wte, transpose_b=True)
            logits = tf.reshape(logits, [batch, sequence, n_vocab])
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tokens[:, 1:], logits=logits[:, :-1])
        )
        v1.train.AdamOptimizer(1e-4).minimize(loss)
    _write(tf, _run_dir(out, "roles_tf1_gpt2"), graph)


def write_tf1_vae(out):
    """A variational autoencoder as TF1 tutorials write it: dense layers in ``encoder`` putting out ``mu`` and
    ``log_var``, a ``sampling`` scope between the models drawing ``z = mu + exp(log_var / 2) * eps``, dense layers
    in ``decoder``, the reconstruction's sigmoid cross entropy and the KL term in ``loss``, Adam."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 64], name="x")
        with v1.variable_scope("encoder"):
            h = v1.layers.dense(x, 16, tf.nn.relu, name="hidden")
            mu = v1.layers.dense(h, 4, name="mu")
            log_var = v1.layers.dense(h, 4, name="log_var")
        with v1.variable_scope("sampling"):
            z = mu + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mu))
        with v1.variable_scope("decoder"):
            logits = v1.layers.dense(v1.layers.dense(z, 16, tf.nn.relu, name="hidden"), 64, name="logits")
        with v1.variable_scope("loss"):
            reconstruction = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits), 1)
            kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mu) - tf.exp(log_var), 1)
            loss = tf.reduce_mean(reconstruction + kl)
        v1.train.AdamOptimizer(1e-3).minimize(loss)
    _write(tf, _run_dir(out, "roles_tf1_vae"), graph)


def write_tf1_char_rnn_frozen(out):
    """The char-RNN above frozen for inference, as such projects ship it: the same two stacked LSTM cells unrolled
    by ``static_rnn`` (its second entry into the ``rnnlm`` variable scope computes in ``rnnlm_1``), the softmax;
    every variable turned into a constant (``convert_variables_to_constants``) read by its ``/read`` identity."""
    tf, v1 = _tf1(resource=False)
    graph = tf.Graph()
    with graph.as_default():
        batch, steps, vocabulary, size = 4, 6, 30, 16
        input_data = v1.placeholder(tf.int32, [batch, steps], name="input_data")
        cell = v1.nn.rnn_cell.MultiRNNCell([v1.nn.rnn_cell.BasicLSTMCell(size) for _ in range(2)])
        initial_state = cell.zero_state(batch, tf.float32)
        with v1.variable_scope("rnnlm"):
            softmax_w = v1.get_variable("softmax_w", [size, vocabulary])
            softmax_b = v1.get_variable("softmax_b", [vocabulary])
        embedding = v1.get_variable("embedding", [vocabulary, size])
        inputs = tf.nn.embedding_lookup(embedding, input_data)
        inputs = [tf.squeeze(step, [1]) for step in tf.split(inputs, steps, 1)]
        outputs, _ = v1.nn.static_rnn(cell, inputs, initial_state=initial_state, scope="rnnlm")
        output = tf.reshape(tf.concat(outputs, 1), [-1, size])
        tf.nn.softmax(tf.matmul(output, softmax_w) + softmax_b, name="probs")
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            frozen = v1.graph_util.convert_variables_to_constants(session, graph.as_graph_def(), ["probs"])
    writer = v1.summary.FileWriter(_run_dir(out, "roles_tf1_char_rnn_frozen"))
    writer.add_graph(None, graph_def=frozen)
    writer.close()


def _slim():
    """tf_slim, importable with Keras 2: TensorFlow's ``tf.layers`` shim looks for ``tf_keras.legacy_tf_layers``,
    which tf_keras 2.21 keeps in ``tf_keras.src``."""
    import importlib
    import sys

    import tf_keras.src.legacy_tf_layers as legacy

    sys.modules.setdefault("tf_keras.legacy_tf_layers", legacy)
    for module in ("base", "convolutional", "core", "normalization", "pooling"):
        found = importlib.import_module(f"{legacy.__name__}.{module}")
        sys.modules.setdefault(f"tf_keras.legacy_tf_layers.{module}", found)
    import tf_slim

    return tf_slim


def _write_slim(out, name, net):
    """A Slim network trained as Slim's ``train_image_classifier.py`` trains it: ``net`` gives its logits and its
    auxiliary head's (or None)."""
    tf, v1 = _tf1(resource=False)
    slim = _slim()
    graph = tf.Graph()
    with graph.as_default():
        images = v1.placeholder(tf.float32, [None, 224, 224, 3], "images")
        labels = v1.placeholder(tf.int64, [None], "labels")
        is_training = v1.placeholder_with_default(True, [], "is_training")
        logits, aux_logits = net(slim, images, is_training)
        if aux_logits is not None:  # Inception's auxiliary head, weighted as Slim's training script weights it
            slim.losses.sparse_softmax_cross_entropy(aux_logits, labels, weights=0.4, scope="aux_loss")
        slim.losses.sparse_softmax_cross_entropy(logits, labels)
        total = slim.losses.get_total_loss()
        step = v1.train.get_or_create_global_step()
        rate = v1.train.exponential_decay(0.01, step, 1000, 0.9, staircase=True)
        slim.learning.create_train_op(total, v1.train.MomentumOptimizer(rate, 0.9), global_step=step)
        v1.summary.scalar("total_loss", total)
        v1.summary.scalar("learning_rate", rate)
        v1.summary.merge_all()
        v1.train.Saver()
        # What Slim itself counts (its model variables: the weights and the batch norms' statistics), for the
        # summary's tests, beside the logdir.
        sizes = {v.op.name: int(v.shape.num_elements()) for v in slim.get_model_variables()}
        trainable = {v.op.name for v in v1.trainable_variables()}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "slim_counts.json"), "w") as f:
        json.dump({"total": sum(sizes.values()), "trainable": sum(sizes[n] for n in trainable), "sizes": sizes}, f)
    _write(tf, _run_dir(out, name), graph)


def write_tf1_slim_resnet(out):
    def resnet(slim, images, is_training):
        from tf_slim.nets import resnet_v1

        with slim.arg_scope(resnet_v1.resnet_arg_scope()):
            logits, _ = resnet_v1.resnet_v1_50(images, num_classes=10, is_training=is_training)
        return slim.flatten(logits), None

    _write_slim(out, "roles_tf1_slim_resnet", resnet)


def write_tf1_slim_inception(out):
    def inception(slim, images, is_training):
        from tf_slim.nets import inception_v3

        with slim.arg_scope(inception_v3.inception_v3_arg_scope()):
            logits, end_points = inception_v3.inception_v3(images, num_classes=10, is_training=is_training)
        return logits, end_points["AuxLogits"]

    _write_slim(out, "roles_tf1_slim_inception", inception)


def _layer_norm(tf, v1, x):
    """BERT's ``layer_norm``: tf.contrib's, in a ``LayerNorm`` scope (moments, then a learned scale and shift)."""
    with v1.variable_scope("LayerNorm"):
        gamma = v1.get_variable("gamma", [x.shape[-1]], initializer=v1.ones_initializer())
        beta = v1.get_variable("beta", [x.shape[-1]], initializer=v1.zeros_initializer())
        mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
        return tf.nn.batch_normalization(x, mean, variance, beta, gamma, 1e-12)


def write_tf1_towers_resource(out):
    write_tf1_towers(out, resource=True, name="roles_tf1_towers_resource")


def write_keras3_functional(out):
    """Keras 3's functional model with two inputs: an image through a Sequential backbone used as a layer (a
    convolution without a bias, which convolves in its op's own scope, and a swish, with its custom gradient) and a
    global average pooling, tokens through an Embedding and a 1D pooling, concatenated, Dropout, a head; AdamW;
    ``fit`` traced by the TensorBoard callback. Keras's own list of layers is written with the nested ones."""
    _tf2()
    import keras
    import numpy as np

    keras.utils.set_random_seed(1234)
    layers = keras.layers
    backbone = keras.Sequential(
        [keras.Input((8, 8, 3)), layers.Conv2D(4, 3, use_bias=False, name="c0"), layers.Conv2D(4, 3, name="c1"),
         layers.BatchNormalization(name="b1"), layers.ReLU(name="r1"), layers.Activation("swish", name="sw")],
        name="backbone",
    )  # fmt: skip
    image, tokens = keras.Input((8, 8, 3), name="image"), keras.Input((6,), dtype="int32", name="tokens")
    seen = layers.GlobalAveragePooling2D(name="gap")(backbone(image))
    read = layers.GlobalAveragePooling1D(name="pool")(layers.Embedding(50, 8, name="emb")(tokens))
    x = layers.Dropout(0.5, name="drop")(layers.Concatenate(name="concat")([seen, read]))
    model = keras.Model([image, tokens], layers.Dense(2, name="head")(x), name="functional")
    model.compile(
        optimizer=keras.optimizers.AdamW(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    os.makedirs(out, exist_ok=True)
    callback = keras.callbacks.TensorBoard(_run_dir(out, "roles_keras3_functional"), profile_batch=1)
    rng = np.random.default_rng(0)
    inputs = [rng.random((16, 8, 8, 3), dtype=np.float32), rng.integers(0, 50, (16, 6)).astype("int32")]
    model.fit(inputs, np.arange(16) % 2, batch_size=8, epochs=1, verbose=0, callbacks=[callback])
    counts = _keras3_counts(model)
    counts["nested"] = {"backbone": _keras3_counts(backbone)}
    with open(os.path.join(out, "keras_summary.json"), "w") as f:
        json.dump(counts, f)


def write_keras3_gan(out):
    """Keras 3's GAN the way its DCGAN example writes one: a ``keras.Model`` whose ``train_step`` draws noise with
    ``keras.random.normal`` (a seed generator's state), updates the discriminator with its Adam, then draws again
    and updates the generator through the discriminator with a second Adam, and tracks both losses in metrics;
    ``fit`` traced by the TensorBoard callback."""
    tf = _tf2()
    import keras
    import numpy as np

    keras.utils.set_random_seed(1234)
    layers, ops = keras.layers, keras.ops
    generator = keras.Sequential(
        [keras.Input((8,)), layers.Dense(16, name="g_dense"), layers.BatchNormalization(name="g_bn"),
         layers.ReLU(name="g_relu"), layers.Dense(4, name="g_out")],
        name="generator",
    )  # fmt: skip
    discriminator = keras.Sequential(
        [keras.Input((4,)), layers.Dense(16, name="d_dense"), layers.Dropout(0.3, name="d_drop"),
         layers.Dense(1, name="d_out")],
        name="discriminator",
    )  # fmt: skip

    class GAN(keras.Model):
        def __init__(self):
            super().__init__()
            self.generator, self.discriminator = generator, discriminator
            self.g_loss_tracker, self.d_loss_tracker = (
                keras.metrics.Mean(name="g_loss"),
                keras.metrics.Mean(name="d_loss"),
            )

        def compile(self, g_optimizer, d_optimizer, loss_fn):
            super().compile()
            self.g_optimizer, self.d_optimizer, self.loss_fn = g_optimizer, d_optimizer, loss_fn

        @property
        def metrics(self):
            return [self.g_loss_tracker, self.d_loss_tracker]

        def train_step(self, real):
            batch = ops.shape(real)[0]
            fake = self.generator(keras.random.normal((batch, 8)))
            images = ops.concatenate([fake, real], axis=0)
            labels = ops.concatenate([ops.ones((batch, 1)), ops.zeros((batch, 1))], axis=0)
            with tf.GradientTape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(images))
            weights = self.discriminator.trainable_weights
            self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))
            with tf.GradientTape() as tape:
                fooled = self.discriminator(self.generator(keras.random.normal((batch, 8))))
                g_loss = self.loss_fn(ops.zeros((batch, 1)), fooled)
            weights = self.generator.trainable_weights
            self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
            self.g_loss_tracker.update_state(g_loss)
            self.d_loss_tracker.update_state(d_loss)
            return {"g_loss": self.g_loss_tracker.result(), "d_loss": self.d_loss_tracker.result()}

    gan = GAN()
    gan.compile(
        keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4), keras.losses.BinaryCrossentropy(from_logits=True)
    )
    os.makedirs(out, exist_ok=True)
    callback = keras.callbacks.TensorBoard(_run_dir(out, "roles_keras3_gan"), profile_batch=1)
    real = np.random.default_rng(0).random((16, 4), dtype=np.float32)
    gan.fit(real, batch_size=8, epochs=1, verbose=0, callbacks=[callback])
    with open(os.path.join(out, "keras_summary.json"), "w") as f:
        json.dump({model.name: _keras3_counts(model) for model in (generator, discriminator)}, f)


def write_keras3_mirrored_lstm(out):
    """Keras 3's ``fit`` under a ``MirroredStrategy`` (one replica, on the CPU) of a text model: an Embedding, an
    LSTM with dropout and recurrent dropout (a ``While`` over the steps, stacked from a tensor list, its last step
    sliced out), Dropout and a dense head; Adam clipping each gradient's norm. The strategy applies the updates
    in its cross-replica context: Adam's step counter is incremented at the step's level (``update_0``), its sum
    passed through an ``Identity`` to the write."""
    tf = _tf2()
    import keras
    import numpy as np

    keras.utils.set_random_seed(1234)
    layers = keras.layers
    with tf.distribute.MirroredStrategy(["/cpu:0"]).scope():
        inputs = keras.Input((10,), dtype="int32")
        x = layers.Embedding(50, 8, name="embed")(inputs)
        x = layers.LSTM(16, dropout=0.2, recurrent_dropout=0.2, name="lstm")(x)
        x = layers.Dropout(0.3, name="drop")(x)
        model = keras.Model(inputs, layers.Dense(2, name="head")(x), name="keras3_text")
        _compile_classifier(keras, model, keras.optimizers.Adam(1e-3, clipnorm=1.0))
    tokens = np.random.default_rng(0).integers(0, 50, (16, 10))
    _fit_one_traced_batch(keras, model, tokens, np.arange(16) % 2, out, "roles_keras3_mirrored_lstm")


def _compile_classifier(keras, model, optimizer):
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])


def _fit_one_traced_batch(keras, model, features, labels, out, run):
    """``fit`` in batches of 8, the TensorBoard callback tracing the first; Keras's counts beside the logdir."""
    os.makedirs(out, exist_ok=True)
    callback = keras.callbacks.TensorBoard(_run_dir(out, run), profile_batch=1)
    model.fit(features, labels, batch_size=8, epochs=1, verbose=0, callbacks=[callback])
    with open(os.path.join(out, "keras_summary.json"), "w") as f:
        json.dump(_keras3_counts(model), f)


def write_keras3_transformer(out):
    """Keras 3's ``fit`` of a small transformer encoder (traced by its TensorBoard callback): token embeddings, a
    MultiHeadAttention (EinsumDense projections, which TensorFlow lowers to batch matrix products; an einsum for the
    scores), Dropout, residual Adds, LayerNormalization, a feed-forward pair of Dense layers (GELU), a global
    average pooling and a dense head; AdamW."""
    _tf2()
    import keras
    import numpy as np

    keras.utils.set_random_seed(1234)
    layers = keras.layers
    tokens = keras.Input((12,), dtype="int32")
    x = layers.Embedding(100, 16, name="tokens")(tokens)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=8, name="attention")(x, x)
    x = layers.LayerNormalization(name="norm_1")(layers.Add(name="residual_1")([x, layers.Dropout(0.1)(attended)]))
    forward = layers.Dense(16, name="ff_2")(layers.Dense(32, activation="gelu", name="ff_1")(x))
    x = layers.LayerNormalization(name="norm_2")(layers.Add(name="residual_2")([x, forward]))
    logits = layers.Dense(3, name="head")(layers.GlobalAveragePooling1D(name="pool")(x))
    model = keras.Model(tokens, logits, name="encoder")
    _compile_classifier(keras, model, keras.optimizers.AdamW(1e-3))
    ids = np.random.default_rng(0).integers(0, 100, (16, 12))
    _fit_one_traced_batch(keras, model, ids, np.arange(16) % 3, out, "roles_keras3_transformer")


GRAPHS = {
    "roles_dcgan": write_dcgan,
    "roles_autoencoder3d": write_autoencoder3d,
    "roles_estimator": write_estimator,
    "roles_keras2_adam": write_keras2_adam,
    "roles_keras2_adadelta": write_keras2_adadelta,
    "roles_keras2_sgd": write_keras2_sgd,
    "roles_tf2_custom_loop": write_tf2_custom_loop,
    "roles_tf2_gan": write_tf2_gan,
    "roles_tf2_mixed_precision": write_tf2_mixed_precision,
    "roles_tf2_lstm": write_tf2_lstm,
    "roles_keras3_fit": write_keras3_fit,
    "roles_keras3_gan": write_keras3_gan,
    "roles_keras3_functional": write_keras3_functional,
    "roles_keras3_steps": write_keras3_steps,
    "roles_keras2_steps": write_keras2_steps,
    "roles_keras2_swish": write_keras2_swish,
    "roles_keras3_mirrored_lstm": write_keras3_mirrored_lstm,
    "roles_keras3_transformer": write_keras3_transformer,
    "roles_tf1_towers": write_tf1_towers,
    "roles_tf1_towers_resource": write_tf1_towers_resource,
    "roles_tf1_clone": write_tf1_clone,
    "roles_tf1_canned_dnn_linear": write_tf1_canned_dnn_linear,
    "roles_tf1_partitioned_embedding": write_tf1_partitioned_embedding,
    "roles_tf1_bilstm": write_tf1_bilstm,
    "roles_tf1_cnn_schedule": write_tf1_cnn_schedule,
    "roles_tf1_data_pipeline": write_tf1_data_pipeline,
    "roles_tf1_text_cnn": write_tf1_text_cnn,
    "roles_tf1_char_rnn": write_tf1_char_rnn,
    "roles_tf1_dqn": write_tf1_dqn,
    "roles_tf1_ddpg": write_tf1_ddpg,
    "roles_tf1_bert_classifier": write_tf1_bert_classifier,
    "roles_tf1_pix2pix": write_tf1_pix2pix,
    "roles_tf1_albert": write_tf1_albert,
    "roles_tf1_box_predictor": write_tf1_box_predictor,
    "roles_tf1_gpt2": write_tf1_gpt2,
    "roles_tf1_vae": write_tf1_vae,
    "roles_tf1_char_rnn_frozen": write_tf1_char_rnn_frozen,
    "roles_tf1_slim_resnet": write_tf1_slim_resnet,
    "roles_tf1_slim_inception": write_tf1_slim_inception,
}
