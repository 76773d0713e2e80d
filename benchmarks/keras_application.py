"""Write the graph of a real Keras application after one fit step, as TensorFlow logs it.

    python benchmarks/keras_application.py OUT.pb [--model EfficientNetB7] [--size 32] [--keras3-trace]

The model is built with ``weights=None`` (nothing downloaded) on a small input and fitted on one batch of random
data. By default by tf_keras in graph mode, compiled with the legacy Adam optimizer: the session's graph holds
the forward pass, the gradients, the optimizer's updates and Keras' initialisers (about 36,000 ops for
EfficientNetB7). With ``--keras3-trace``, by Keras 3 with Adam, traced by its TensorBoard callback: the trace's
graph as PhaseView reads it (its function graphs merged, the step's calls inlined), the model three groups down
(``graph_<n>/StatefulPartitionedCall/efficientnetb7_1``), about 60,000 ops. Runs in its own process
(make_graphs.py calls it) because graph mode and the Keras version are global settings.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build(model_name: str, size: int) -> bytes:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np
    import tensorflow as tf
    import tf_keras

    tf.compat.v1.disable_eager_execution()
    tf.random.set_seed(1234)
    np.random.seed(1234)
    model = getattr(tf_keras.applications, model_name)(weights=None, input_shape=(size, size, 3), classes=10)
    model.compile(
        optimizer=tf_keras.optimizers.legacy.Adam(learning_rate=0.001), loss="sparse_categorical_crossentropy"
    )
    x = np.random.rand(2, size, size, 3).astype("float32")
    y = np.random.randint(0, 10, size=(2, 1))
    model.fit(x, y, batch_size=2, epochs=1, verbose=0, shuffle=False)
    from tf_keras.src import backend

    return backend.get_session().graph.as_graph_def().SerializeToString()


def build_keras3_trace(model_name: str, size: int) -> bytes:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import glob
    import tempfile

    import keras
    import numpy as np
    from tensorboard.backend.event_processing import event_file_loader

    from tb_phaseview.read import graph_source, metadata

    keras.utils.set_random_seed(1234)
    model = getattr(keras.applications, model_name)(weights=None, input_shape=(size, size, 3), classes=10)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="sparse_categorical_crossentropy")
    x = np.random.rand(2, size, size, 3).astype("float32")
    y = np.random.randint(0, 10, size=(2, 1))
    with tempfile.TemporaryDirectory() as logs:
        callback = keras.callbacks.TensorBoard(logs, profile_batch=1)
        model.fit(x, y, batch_size=2, epochs=1, verbose=0, shuffle=False, callbacks=[callback])
        for path in sorted(glob.glob(os.path.join(logs, "train", "events.out.tfevents.*"))):
            for event in event_file_loader.EventFileLoader(path).Load():
                for value in event.summary.value:
                    if value.metadata.plugin_data.plugin_name == metadata.GRAPH_KINDS[metadata.TRACE]:
                        trace = graph_source.decode_graph(metadata.TRACE, value.tensor.string_val[0])
                        return trace.SerializeToString()
    raise RuntimeError("Keras's TensorBoard callback logged no trace")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--model", default="EfficientNetB7")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--keras3-trace", action="store_true", help="Keras 3's fit traced by its callback")
    args = parser.parse_args(argv)
    data = (build_keras3_trace if args.keras3_trace else build)(args.model, args.size)
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
