"""Writes tb_phaseview/read/output_args.json: the output arguments of every TensorFlow op that has more than one.

A function body names a tensor by its op's output argument (``bn/FusedBatchNormV3:batch_mean:0``); a GraphDef
by the position among all the op's outputs (``bn/FusedBatchNormV3:1``). Turning one into the other needs the
op's definition, which TensorFlow's op registry holds and PhaseView's runtime (no TensorFlow) does not: this
table is that part of the registry. An op with one output argument needs no entry (the index is the position).
Each argument is ``[name, number_attr, type_list_attr]``: a list argument's length is the node's attribute of
that name. Run with TensorFlow installed: ``python scripts/make_output_args.py``.
"""

from __future__ import annotations

import json
import os

OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tb_phaseview", "read", "output_args.json"
)


def registered_ops():
    import tensorflow as tf  # noqa: F401 - registers the ops
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session

    buffer = pywrap_tf_session.TF_GetAllOpList()
    return op_def_pb2.OpList.FromString(pywrap_tf_session.TF_GetBuffer(buffer)).op


def main() -> None:
    import tensorflow as tf

    table = {
        op.name: [[arg.name, arg.number_attr, arg.type_list_attr] for arg in op.output_arg]
        for op in registered_ops()
        if len(op.output_arg) > 1
    }
    lines = [f"{json.dumps(name)}: {json.dumps(args)}" for name, args in sorted(table.items())]
    with open(OUT, "w") as f:  # an op a line: a new TensorFlow's changes read as a diff of lines
        f.write('{"tensorflow": %s, "ops": {\n%s\n}}\n' % (json.dumps(tf.__version__), ",\n".join(lines)))
    print(f"{len(table)} ops written to {OUT}")


if __name__ == "__main__":
    main()
