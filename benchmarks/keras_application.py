"""Write the graph of a real tf_keras.applications model after one fit step (graph mode), as TensorFlow logs it.

    python benchmarks/keras_application.py OUT.pb [--model EfficientNetB7] [--size 32]

The model is built with ``weights=None`` (nothing downloaded) on a small input, compiled with the legacy Adam
optimizer and fitted on one batch of random data in graph mode, so the graph holds the forward pass, the
gradients, the optimizer's updates and Keras' initialisers: about 36,000 ops for EfficientNetB7. Runs in its
own process (make_graphs.py calls it) because graph mode is a global TensorFlow setting.
"""

from __future__ import annotations

import argparse
import os


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--model", default="EfficientNetB7")
    parser.add_argument("--size", type=int, default=32)
    args = parser.parse_args(argv)
    data = build(args.model, args.size)
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
