"""The layer summary and tensor shapes, against what TensorFlow and tf_keras themselves say.

Keras's numbers come from building the demos' models with tf_keras in a fresh process (the same builders that
wrote demo_logs); shapes from TensorFlow's own shape inference on the logged GraphDef with its
``_output_shapes`` removed, so neither side reads the other's answer.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from tensorboard.compat.proto.graph_pb2 import GraphDef

from demo import CLI, DEMO_LOGS, demo_analysis, demo_graphs, demo_script
from oddgraphs import node
from roles_written import corpus
from tb_phaseview.analysis import layers, roles, shapes
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import summary_table, wire

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "benchmarks"))  # make_graphs: graphs of any size
TF_KERAS_DEMOS = ("resnet_tf_keras", "resnet_old_keras", "dropout_cnn")
# Graphs traced from tf.function: the variables are resource inputs (a fit graph's captured placeholders, a trace's
# function arguments), whose shapes only their reads or the arguments' handle shapes carry.
TF2_DEMOS = {
    "tf2_fit_no_flag": ("run_graph", None),
    "tf2_function_training": ("trace", "forward"),
}


_CALLED = re.compile(r"_\d+$")  # Keras 3 names the scope of each call of a layer ``<name>_<n>``


def _tf(tmp_path, *args) -> dict:
    out = tmp_path / "out.json"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run(
        [sys.executable, os.path.join(HERE, "tf_written_shapes.py"), *args, str(out)], check=True, env=env, timeout=600
    )
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def keras_facts(tmp_path_factory):
    return _tf(tmp_path_factory.mktemp("keras"), "keras_layers")


@pytest.mark.parametrize("run", TF_KERAS_DEMOS)
def test_parameter_counts_equal_keras_model_summary(run, keras_facts):
    summary = layers.summarize(demo_analysis(run))
    keras = keras_facts[run]
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (
        keras["total"],
        keras["trainable"],
        keras["non_trainable"],
    )
    # The numbers written beside the demo are the ones Keras prints.
    documented = demo_script().DEMO_RUNS[run]["summary_params"]
    assert documented == {k: keras[k] for k in ("total", "trainable", "non_trainable")}


@pytest.mark.parametrize("run", sorted(TF2_DEMOS))
def test_traced_tf2_graphs_count_the_variables_passed_in(run, keras_facts):
    """A tf.function's graph holds no variable op: its variables are resource inputs. Their counts still equal
    what ``model.summary()`` printed, each Keras layer a row under the model's scope with its own parameters and
    type (the fit graph, traced in training mode, has no flag to name BatchNorm and Dropout by), and the metric's
    running total and count (written only by AssignAdd) are not parameters."""
    kind, tag = TF2_DEMOS[run]
    summary = layers.summarize(demo_analysis(run, kind, tag))
    keras = keras_facts[run]
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (
        keras["total"],
        keras["trainable"],
        keras["non_trainable"],
    )
    assert demo_script().DEMO_RUNS[run]["summary_params"] == {
        k: keras[k] for k in ("total", "trainable", "non_trainable")
    }
    rows = {layer.name.rpartition("/")[2]: layer for layer in summary.layers}
    for k in keras["layers"]:
        if k["params"] or k["class"] in ("BatchNormalization", "Dropout"):
            assert k["name"] in rows, (k["name"], list(rows))
            assert rows[k["name"]].params == k["params"], k["name"]
            assert rows[k["name"]].type == k["class"], k["name"]
    assert all(v.variable.size for layer in summary.layers for v in layer.variables)  # every shape found


def keras_counts_beside(written) -> dict:
    """What Keras counted of the model a TF-written roles graph was traced from (tests/tf_written_roles.py)."""
    with open(os.path.join(os.path.dirname(written.logdir), "keras_summary.json")) as f:
        return json.load(f)


def test_a_traced_training_step_counts_each_weight_once_as_keras_does(roles_graphs):
    """TF2's custom training loop, traced at its first call: the trace records each variable that call creates
    (Adam's slots) as a function of its own returning the handle, beside the step that takes every variable as a
    resource argument. The parameters are the model's, counted once: what Keras counts."""
    loop = roles_graphs["roles_tf2_custom_loop"]
    keras = keras_counts_beside(loop)
    summary = layers.summarize(loop.analysis)
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
    rows = {layer.name.rpartition("/")[2]: layer.params for layer in summary.layers}
    assert {k["name"]: k["params"] for k in keras["layers"] if k["params"]} == {n: p for n, p in rows.items() if p}
    # Adam's two slots per trained weight are its state, with its step and its learning rate.
    assert summary.machinery_params == 2 * keras["trainable"] + 2


def test_weights_the_optimizer_updates_inside_a_cond_are_trainable(roles_graphs):
    """A LossScaleOptimizer applies the gradients inside a ``cond`` (only when they are finite): the weights it
    writes there are trained; BatchNorm's moving statistics, written inside the model's own cond, are not."""
    loop = roles_graphs["roles_tf2_mixed_precision"]
    keras = keras_counts_beside(loop)
    summary = layers.summarize(loop.analysis)
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
    rows = {layer.name.rpartition("/")[2]: layer.params for layer in summary.layers}
    assert {k["name"]: k["params"] for k in keras["layers"] if k["params"]} == {n: p for n, p in rows.items() if p}


def test_a_traced_lstm_step_lists_its_layers_as_keras_does(roles_graphs):
    """An LSTM runs its cell in a v2 loop, whose body is a function: the LSTM is one row, typed from its body's
    ops (not Dropout, though it drops units), and the layers after it are the model's, with Keras's counts."""
    loop = roles_graphs["roles_tf2_lstm"]
    keras = keras_counts_beside(loop)
    summary = layers.summarize(loop.analysis)
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
    rows = [(layer.name.rpartition("/")[2], layer.type, layer.params) for layer in summary.layers]
    assert rows == [(k["name"], k["class"], k["params"]) for k in keras["layers"] if k["class"] != "InputLayer"]


@pytest.mark.parametrize("name", ["roles_tf2_custom_loop", "roles_tf2_lstm", "roles_tf2_mixed_precision"])
def test_a_traced_tf2_step_shapes_every_layer_as_keras_does_with_its_batch(roles_graphs, name):
    """A trace records few shapes: a BatchNormalization's output comes out of its v2 ``cond`` (an ``If``, which
    declares the shapes of its outputs), a Dropout's mask is drawn in the shape of its input (``Shape``, then a
    random draw of it), an LSTM's last step is sliced out of its stacked steps. Every row had no shape from the
    first of those on; each is now Keras's, with the traced batch of 4."""
    loop = roles_graphs[name]
    keras = keras_counts_beside(loop)
    rows = {layer.name.rpartition("/")[2]: layer for layer in layers.summarize(loop.analysis).layers}
    expected = [k for k in keras["layers"] if k["class"] != "InputLayer"]
    assert [k["name"] for k in expected] == list(rows)
    for k in expected:
        assert rows[k["name"]].output_shape == tuple(4 if d is None else d for d in k["output_shape"]), k
    if name == "roles_tf2_custom_loop":
        assert rows["flat"].type == "Flatten"  # its input's rank known: a Keras Flatten, not a Reshape


def test_a_traced_gan_step_lists_each_model_with_its_layers_as_keras_does(roles_graphs):
    """A GAN's step holds two models side by side: each is a row (a Sequential) with its layers' rows in it, as
    Keras's ``summary(expand_nested=True)`` prints a model used as a layer, with Keras's own counts. What else the
    step computes beside them (the noise, the losses) is no row."""
    gan = roles_graphs["roles_tf2_gan"]
    keras = keras_counts_beside(gan)
    summary = layers.summarize(gan.analysis)
    rows = {layer.name.rpartition("/")[2]: layer for layer in summary.layers}
    assert set(rows) == set(keras) | {k["name"] for counts in keras.values() for k in counts["layers"]}
    for model, counts in keras.items():
        row = rows[model]
        assert (row.type, row.params, row.trainable_params) == ("Sequential", counts["total"], counts["trainable"])
        for k in counts["layers"]:
            assert rows[k["name"]].within == row.name and rows[k["name"]].params == k["params"], k
    assert summary.total_params == sum(counts["total"] for counts in keras.values())
    assert summary.trainable_params == sum(counts["trainable"] for counts in keras.values())


@pytest.mark.parametrize("run", ("dropout_cnn", "resnet_tf_keras"))
def test_layers_in_data_flow_order_with_keras_output_shapes_and_params(run, keras_facts):
    """Every Keras layer is a row, in an order where each layer comes after the layers it reads, with
    Keras's output shape and parameters; dropout_cnn (a Sequential model) in exactly Keras's order."""
    rows = {layer.name: layer for layer in layers.summarize(demo_analysis(run)).layers}
    names = [layer.name for layer in layers.summarize(demo_analysis(run)).layers]
    keras = keras_facts[run]["layers"]
    assert [k["name"] for k in keras if k["name"] not in rows] == []
    for k in keras:
        row = rows[k["name"]]
        assert list(row.output_shape) == k["output_shape"], k["name"]
        assert row.params == k["params"], k["name"]
    if run == "dropout_cnn":
        assert names == [k["name"] for k in keras]
    kinds = {k["name"]: k["class"] for k in keras}
    assert {name: rows[name].type for name in kinds if kinds[name] in ("Conv2D", "Dense", "BatchNormalization")} == {
        name: kind for name, kind in kinds.items() if kind in ("Conv2D", "Dense", "BatchNormalization")
    }


def test_tf1_layers_graph_counts_equal_tensorflow_and_leave_out_the_optimizer(tf_written):
    folder = tf_written("tf1_layers")
    counts = json.load(open(os.path.join(folder, "counts.json")))
    [(ref, graph, error)] = list(iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph))
    assert error is None

    summary = layers.summarize(analyze(graph))
    assert summary.total_params == counts["total"]
    assert summary.trainable_params == counts["trainable"]
    assert summary.non_trainable_params == counts["non_trainable"] > 0  # bn's moving mean and variance
    # Momentum's slots and the step counter are TensorFlow variables, but not the model's parameters.
    assert summary.machinery_params == counts["all_variables"] - counts["total"] > 0
    assert [layer.name for layer in summary.layers if layer.params] == ["conv", "bn", "hidden", "logits"]
    assert {layer.name: layer.type for layer in summary.layers}["bn"] == "BatchNormalization"


def test_edge_shapes_of_the_seed_demo_match_tensorflows_static_shapes(tmp_path):
    """Each edge between two top-level boxes of the seed demo is labelled with the shape TensorFlow infers for
    the tensor it carries."""
    graph_def = demo_graphs()[("resnet_tf_keras", "run_graph", None)]
    path = tmp_path / "graph.pb"
    path.write_bytes(graph_def.SerializeToString())
    inferred = _tf(tmp_path, "static_shapes", str(path))

    analysis = demo_analysis("resnet_tf_keras")
    graph, labels = analysis.graph, analysis.tree.labels()
    boxes = {label: i for i, label in enumerate(dict.fromkeys(labels))}
    child_of = np.fromiter((boxes[label] for label in labels), dtype=np.intp, count=len(labels))
    found = shapes.edge_shapes(graph, child_of)
    names = {i: label if isinstance(label, str) else graph.names[label] for label, i in boxes.items()}
    layer_edges = {(names[a], names[b]): shape for (a, b), shape in found.items()}
    checked = 0
    for (a, b), edge in layer_edges.items():
        if edge.tensors != 1:
            continue
        # The one tensor between a and b: find it among the op-level edges.
        [tensor] = {
            f"{graph.names[graph.edge_src[e]]}:{graph.edge_output[e]}"
            for e in range(graph.edge_count)
            if not graph.edge_control[e]
            and names[child_of[graph.edge_src[e]]] == a
            and names[child_of[graph.edge_dst[e]]] == b
        }
        expected = inferred[tensor]
        assert (None if edge.shape is None else list(edge.shape)) == expected, (a, b, tensor)
        checked += 1
    assert checked > 50
    assert layer_edges[("cnl_stg-1", "bnl_stg-1")].text == "?×16×16×64"


def test_shape_text():
    assert shapes.format_shape((None, 28, 28, 32)) == "?×28×28×32"
    assert shapes.format_shape(()) == "scalar"
    assert shapes.format_shape(None) == "?"
    assert shapes.EdgeShape((None, 128), 3, 128).text == "?×128 +2"


def test_shapes_follow_through_broadcasts_reductions_and_squeezes_where_a_trace_records_none():
    """A traced step's ops record no shape (Keras 3's): from a placeholder's, each follows where certain."""
    from tensorboard.compat.proto import attr_value_pb2, tensor_pb2, tensor_shape_pb2

    def const_ints_node(graph_def, name, values):
        shape = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=len(values))])
        tensor = tensor_pb2.TensorProto(dtype=3, tensor_shape=shape, int_val=values)
        node(graph_def, name, "Const", value=attr_value_pb2.AttrValue(tensor=tensor))

    def attr(**value):
        if "ints" in value:
            return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=value["ints"]))
        return attr_value_pb2.AttrValue(**value)

    graph_def = GraphDef()
    node(graph_def, "x", "Placeholder", shape=shape_attr([None, 6, 6, 4]))
    const_ints_node(graph_def, "axes", [1, 2])
    node(graph_def, "mean", "Mean", ["x", "axes"], keep_dims=attr(b=True))
    node(graph_def, "centred", "Sub", ["x", "mean"])  # ?×6×6×4 against ?×1×1×4
    node(graph_def, "flat_mean", "Squeeze", ["mean"], squeeze_dims=attr(ints=[1, 2]))
    node(graph_def, "scale", "Placeholder", shape=shape_attr([4]))
    node(graph_def, "scaled", "Mul", ["flat_mean", "scale"])
    node(graph_def, "mean_2", "Mean", ["x", "axes"])
    const_ints_node(graph_def, "dims", [3, 5])
    node(graph_def, "draw", "RandomUniform", ["dims"])
    node(graph_def, "mismatch", "AddV2", ["draw", "scale"])  # 3×5 against 4: no broadcast, no shape
    # An RNN's steps stacked from a tensor list, then its last step: x[-1] of 7×?×16 is ?×16.
    node(graph_def, "steps_list", "Placeholder", dtype=attr(type=21))  # a variant: the loop's tensor list
    const_ints_node(graph_def, "element", [-1, 16])
    node(graph_def, "stacked", "TensorListStack", ["steps_list", "element"], num_elements=attr(i=7))
    node(graph_def, "stacked_any", "TensorListStack", ["steps_list", "element"])  # no count declared
    const_ints_node(graph_def, "last", [-1])
    const_ints_node(graph_def, "end", [0])
    node(graph_def, "last_step", "StridedSlice", ["stacked", "last", "end", "end"], shrink_axis_mask=attr(i=1))
    # A slice naming two axes, or an ellipsis, says more than the first axis: no rule, no shape.
    const_ints_node(graph_def, "two", [-1, 0])
    node(graph_def, "two_axes", "StridedSlice", ["stacked", "two", "two", "two"], shrink_axis_mask=attr(i=1))
    node(
        graph_def, "ellipsis", "StridedSlice", ["stacked", "last", "end", "end"],
        shrink_axis_mask=attr(i=1), ellipsis_mask=attr(i=1),
    )  # fmt: skip
    unknown_rank = tensor_pb2.TensorProto(dtype=3, int_val=[-1])  # a scalar -1: the elements' rank unknown
    node(graph_def, "any_element", "Const", value=attr_value_pb2.AttrValue(tensor=unknown_rank))
    node(graph_def, "stacked_unknown", "TensorListStack", ["steps_list", "any_element"])
    graph = analyze(graph_def).graph
    known = {}
    found = {name: shapes.inferred_output_shape(graph, graph.index[name], 0, known) for name in graph.index}
    assert found["centred"] == (None, 6, 6, 4) and found["mean"] == (None, 1, 1, 4)
    assert found["flat_mean"] == (None, 4) and found["scaled"] == (None, 4) and found["mean_2"] == (None, 4)
    assert found["draw"] == (3, 5) and found["mismatch"] is False
    assert found["stacked"] == (7, None, 16) and found["stacked_any"] == (None, None, 16)
    assert found["last_step"] == (None, 16)
    assert found["two_axes"] is False and found["ellipsis"] is False and found["stacked_unknown"] is False


def test_shapes_follow_ranges_fills_and_new_axes_of_computed_lengths():
    """Hugging Face's embeddings take positions ``tf.range(tf.shape(ids)[1])``, fill token types of the input's
    shape and add a batch axis (``x[None]``): the shapes followed none of them, and every layer after the
    embeddings had none."""
    from tensorboard.compat.proto import attr_value_pb2, tensor_pb2, tensor_shape_pb2

    def ints(name, values, scalar=False):
        dims = [] if scalar else [tensor_shape_pb2.TensorShapeProto.Dim(size=len(values))]
        tensor = tensor_pb2.TensorProto(dtype=3, tensor_shape=tensor_shape_pb2.TensorShapeProto(dim=dims))
        tensor.int_val.extend(values)
        node(graph_def, name, "Const", value=attr_value_pb2.AttrValue(tensor=tensor))

    graph_def = GraphDef()
    node(graph_def, "ids", "Placeholder", shape=shape_attr([8, 12]))
    node(graph_def, "shape", "Shape", ["ids"])
    ints("one", [1])
    ints("two", [2])
    node(graph_def, "length", "StridedSlice", ["shape", "one", "two", "one"], shrink_axis_mask=_int_attr(1))
    ints("zero", [0], scalar=True)
    ints("step", [1], scalar=True)
    ints("three", [3], scalar=True)
    node(graph_def, "positions", "Range", ["zero", "length", "step"])
    node(graph_def, "odd", "Range", ["one_scalar", "length", "three"])
    ints("one_scalar", [1], scalar=True)
    node(graph_def, "unknown", "Placeholder", shape=shape_attr([None]))
    node(graph_def, "till_unknown", "Range", ["zero", "unknown_length", "step"])
    node(graph_def, "unknown_shape", "Shape", ["unknown"])
    node(
        graph_def,
        "unknown_length",
        "StridedSlice",
        ["unknown_shape", "zero_1", "one", "one"],
        shrink_axis_mask=_int_attr(1),
    )
    ints("zero_1", [0])
    node(graph_def, "types", "Fill", ["shape", "zero"])
    node(graph_def, "table", "Placeholder", shape=shape_attr([12, 16]))
    ints("begin", [0, 0])
    node(
        graph_def,
        "batched",
        "StridedSlice",
        ["table", "begin", "begin", "two_ones"],
        new_axis_mask=_int_attr(1),
        end_mask=_int_attr(2),
    )
    ints("two_ones", [1, 1])
    graph = analyze(graph_def).graph
    known = {}
    found = {name: shapes.inferred_output_shape(graph, graph.index[name], 0, known) for name in graph.index}
    assert (found["positions"], found["odd"], found["till_unknown"]) == ((12,), (4,), (None,))
    assert found["types"] == (8, 12)
    assert found["batched"] == (1, 12, 16)


def test_shapes_follow_tensors_stacked_on_a_new_axis():
    """Keras 3's TimeDistributed runs its layer on each step and stacks the steps' outputs: the stack had no shape,
    nor anything after it (a pooling over the steps)."""
    graph_def = GraphDef()
    for name, dims in (("a", [8, 3]), ("b", [8, 3]), ("c", [8, 3]), ("d", [8, 4]), ("e", [None, 3])):
        node(graph_def, name, "Placeholder", shape=shape_attr(dims))
    node(graph_def, "steps", "Pack", ["a", "b", "c"], N=_int_attr(3))
    node(graph_def, "steps_second", "Pack", ["a", "b", "c"], N=_int_attr(3), axis=_int_attr(1))
    node(graph_def, "steps_last", "Pack", ["a", "b"], N=_int_attr(2), axis=_int_attr(-1))
    node(graph_def, "unknown_batch", "Pack", ["e", "e"], N=_int_attr(2))
    node(graph_def, "mismatched", "Pack", ["a", "d"], N=_int_attr(2))
    node(graph_def, "too_far", "Pack", ["a", "b"], N=_int_attr(2), axis=_int_attr(3))
    graph = analyze(graph_def).graph
    known = {}
    found = {name: shapes.inferred_output_shape(graph, graph.index[name], 0, known) for name in graph.index}
    assert (found["steps"], found["steps_second"], found["steps_last"]) == ((3, 8, 3), (8, 3, 3), (8, 3, 2))
    assert found["unknown_batch"] == (2, None, 3)
    assert found["mismatched"] is False and found["too_far"] is False


def _int_attr(value):
    from tensorboard.compat.proto import attr_value_pb2

    return attr_value_pb2.AttrValue(i=value)


def shape_attr(dims):
    """A ``shape`` attribute (a placeholder's), ``None`` for an unknown dimension."""
    from tensorboard.compat.proto import attr_value_pb2, tensor_shape_pb2

    dims = [tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else d) for d in dims]
    return attr_value_pb2.AttrValue(shape=tensor_shape_pb2.TensorShapeProto(dim=dims))


def _cli(*args) -> str:
    result = subprocess.run(
        [CLI, "summary", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cli_summary_json_csv_markdown(keras_facts):
    report = json.loads(_cli(DEMO_LOGS, "--json"))
    by_run = {(g["run"], g["kind"]): g for g in report["graphs"]}
    seed = by_run[("resnet_tf_keras", "run_graph")]
    assert {k: seed[k] for k in ("run", "kind", "tag")} == {"run": "resnet_tf_keras", "kind": "run_graph", "tag": None}
    keras = keras_facts["resnet_tf_keras"]
    assert (seed["total_params"], seed["trainable_params"], seed["non_trainable_params"]) == (
        keras["total"],
        keras["trainable"],
        keras["non_trainable"],
    )
    first = seed["layers"][0]
    assert {k: first[k] for k in ("name", "type", "output_shape", "params", "trainable_params")} == {
        "name": "input_image",
        "type": "InputLayer",
        "output_shape": [None, 32, 32, 3],
        "params": 0,
        "trainable_params": 0,
    }
    assert all(isinstance(layer["params"], int) for g in report["graphs"] for layer in g.get("layers", ()))

    rows = list(csv.DictReader(io.StringIO(_cli(DEMO_LOGS, "--csv"))))
    seed_rows = [r for r in rows if r["run"] == "resnet_tf_keras"]
    assert [r["layer"] for r in seed_rows] == [layer["name"] for layer in seed["layers"]]
    assert sum(int(r["params"]) for r in seed_rows) == keras["total"]

    markdown = _cli(DEMO_LOGS, "--markdown")
    assert "| bn_conv1 |" not in markdown  # the seed's first BatchNorm is bnl_stg-1
    assert "| bnl_stg-1 | BatchNormalization | ?×16×16×64 | 256 | 128 |" in markdown

    text = _cli(DEMO_LOGS)
    assert "total params: 1,462,145  trainable: 1,452,033  non-trainable: 10,112" in text


def test_summary_of_a_graph_never_drawn_reads_one_level_not_every_groups_children():
    """Comparing with a graph never opened summarises it: the layers one level down (a model of sub-models) are
    found by one pass over the parents, not by building every group's children lists (seconds at 200k nodes),
    and the answer is the one the children lists give."""
    from make_graphs import seed_graph, tiled

    analysis = analyze(tiled(seed_graph(), 12_000, "nested"))
    cold = layers.summarize(analysis)
    assert not analysis.tree.children_built
    assert len({layer.name.partition("/")[0] for layer in cold.layers if layer.params}) > 1  # below the top level
    analysis.tree.build_children()
    warm = layers.summarize(analysis)
    assert [(x.name, x.type, x.output_shape, x.params, x.trainable_params) for x in cold.layers] == [
        (x.name, x.type, x.output_shape, x.params, x.trainable_params) for x in warm.layers
    ]
    assert (cold.node_layer == warm.node_layer).all()


def test_a_top_level_split_into_buckets_lists_the_layers_of_every_bucket(tmp_path):
    """6,200 top-level layers are drawn in buckets of 1,000 sorted by name: the first bucket holds the 1,200
    activations alone, which own no variable. They are layers all the same, and the summary lists them (it
    read the layers of the buckets that own variables only, and left out the input layers, paddings and
    poolings of a million-node graph, which the diff then called added in its smaller twin)."""

    from tb_phaseview.analysis.pipeline import analyze

    graph_def = GraphDef()
    node(graph_def, "x", "Placeholder")
    previous = "x"
    for k in range(5000):
        node(graph_def, f"dense_{k:04d}/kernel", "VariableV2")
        node(graph_def, f"dense_{k:04d}/MatMul", "MatMul", [previous, f"dense_{k:04d}/kernel"])
        previous = f"dense_{k:04d}/MatMul"
        if k < 1200:
            node(graph_def, f"act_{k:04d}/Relu", "Relu", [previous])
            previous = f"act_{k:04d}/Relu"
    analysis = analyze(graph_def)
    first_bucket = analysis.tree.children("")[0][0]
    assert first_bucket in analysis.tree.buckets and analysis.tree.buckets[first_bucket].last == "act_0999"
    names = {layer.name for layer in layers.summarize(analysis).layers}
    assert {f"act_{k:04d}" for k in range(1200)} <= names
    assert {f"dense_{k:04d}" for k in range(5000)} <= names


def test_keras3s_fit_traced_by_its_callback_lists_the_models_layers_as_keras_does(roles_graphs):
    """Keras 3's ``fit``, traced by its TensorBoard callback: the model, its loss, the gradients, Adam and the
    metrics run in a nested ``tf.function`` the trace records as one call, inlined when read. The summary is the
    model's layers with Keras's counts: no row of the loss or the metrics (their labels come from the iterator
    the features come from), no parameter for the metrics' totals and counts or Dropout's seed generator."""
    fit = roles_graphs["roles_keras3_fit"]
    keras = keras_counts_beside(fit)
    summary = layers.summarize(fit.analysis)
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
    expected = [(k["class"], k["params"]) for k in keras["layers"] if k["class"] != "InputLayer"]
    rows = [(layer.type, layer.params) for layer in summary.layers]
    assert len(rows) == len(expected), rows
    assert [r for r in rows if r[1]] == [e for e in expected if e[1]]  # Conv2D, BatchNormalization, Dense
    assert ("Dropout", 0) in rows
    assert all(layer.name.startswith(f"{fit.traced_step}/keras3_cnn") for layer in summary.layers)
    # Beside the model, what it does not count: Adam's state, the metrics' totals and counts, and the Dropout's seed
    # generator (a state of two integers). Each once: the functions initialising them take them too.
    assert summary.machinery_params == keras["optimizer_params"] + keras["metric_params"] + 2


def test_keras3s_fit_running_steps_in_a_loop_lists_the_same_layers_with_rescaling_and_normalization(roles_graphs):
    """With ``steps_per_execution=4`` the traced step is a loop whose body calls the step inside an ``If``: the
    summary was one row, ``while``, holding every variable with the optimizer's. The step is inlined beside the
    loop; the rows are Keras's, each typed and shaped as Keras does. Keras 3 turns an adapted Normalization's
    statistics into constants of the graph (no variable holds them: its row had none); they are counted as Keras
    counts them, non-trainable."""
    looped = roles_graphs["roles_keras3_steps"]
    keras = keras_counts_beside(looped)
    summary = layers.summarize(looped.analysis)
    rows = {_CALLED.sub("", layer.name.rpartition("/")[2]): layer for layer in summary.layers}
    expected = [k for k in keras["layers"] if k["class"] != "InputLayer"]
    assert list(rows) == [k["name"] for k in expected]
    statistics = sum(k["params"] for k in expected if k["class"] == "Normalization")
    assert statistics == 7  # mean, variance (3 each) and count: constants in the graph, not variables
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
    for k in expected:
        assert rows[k["name"]].params == k["params"], k
    assert [rows[k["name"]].type for k in expected] == [
        "Rescaling", "Normalization", "Conv2D", "BatchNormalization", "Activation", "Flatten", "Dropout", "Dense"
    ]  # fmt: skip
    # The trace records no shape but the batch's: each layer's follows from it, Keras's with the batch of 8.
    for k in expected:
        assert rows[k["name"]].output_shape == tuple(8 if d is None else d for d in k["output_shape"]), k
    assert all(layer.name.startswith(f"{looped.traced_step}/keras3_loop") for layer in summary.layers)


def test_keras3s_lstm_has_its_last_steps_shape_and_so_do_the_layers_after_it(roles_graphs):
    """An LSTM's output is its loop's steps stacked from a tensor list (``TensorListStack``, the element's shape
    given), then the last one sliced out (``outputs[-1]``): the LSTM's row and every row after it had no shape.
    Under a distribution strategy, with Keras's counts."""
    text = roles_graphs["roles_keras3_mirrored_lstm"]
    keras = keras_counts_beside(text)
    summary = layers.summarize(text.analysis)
    expected = [k for k in keras["layers"] if k["class"] != "InputLayer"]
    rows = {_CALLED.sub("", layer.name.rpartition("/")[2]): layer for layer in summary.layers}
    assert list(rows) == [k["name"] for k in expected]
    assert [rows[k["name"]].type for k in expected] == ["Embedding", "LSTM", "Dropout", "Dense"]
    for k in expected:
        assert rows[k["name"]].params == k["params"], k
        assert rows[k["name"]].output_shape == tuple(8 if d is None else d for d in k["output_shape"]), k
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])


def test_keras3s_transformer_lists_its_attention_norms_and_feed_forward_as_keras_does(roles_graphs):
    """A transformer encoder's trace: TensorFlow lowers the attention's EinsumDense projections to batch matrix
    products, and takes the scores with an einsum, so from the attention on no row had a shape, and the attention
    was typed ``Einsum``, its projections ``Dense``. Each row is now Keras's class, count and shape (batch 8); the
    attention holds its four projections, as Keras builds it."""
    encoder = roles_graphs["roles_keras3_transformer"]
    keras = keras_counts_beside(encoder)
    summary = layers.summarize(encoder.analysis)
    top = [layer for layer in summary.layers if layer.within is None]
    expected = [k for k in keras["layers"] if k["class"] != "InputLayer"]
    assert [_CALLED.sub("", layer.name.rpartition("/")[2]) for layer in top] == [k["name"] for k in expected]
    for layer, k in zip(top, expected):
        assert (layer.type, layer.params) == (k["class"], k["params"]), k
        assert layer.output_shape == tuple(8 if d is None else d for d in k["output_shape"]), k
    (attention,) = [layer for layer in top if layer.type == "MultiHeadAttention"]
    projections = [layer for layer in summary.layers if layer.within == attention.name]
    assert [_CALLED.sub("", p.name.rpartition("/")[2]) for p in projections] == [
        "query", "key", "value", "attention_output"
    ]  # fmt: skip
    assert {p.type for p in projections} == {"EinsumDense"}
    assert sum(p.params for p in projections) == attention.params
    assert [p.output_shape for p in projections] == [(8, 12, 2, 8)] * 3 + [(8, 12, 16)]
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])


@pytest.mark.parametrize("name", ["zoo_keras3", "zoo_tf_keras"])
def test_the_common_layers_are_typed_and_shaped_as_keras_does(tf_written, name):
    """SeparableConv2D was typed DepthwiseConv2D, Conv1D Conv2D, MaxPooling1D MaxPooling2D (Keras runs them in 2-D
    on an added axis), UpSampling2D Concatenate or ResizeNearestNeighbor, Cropping2D StridedSlice, Bidirectional
    Concatenate, its GRUs LSTM (or PartitionedCall, where the cell runs in a called function), GlobalMaxPooling1D
    Max; from the transposed convolution on, a Keras 3 trace had no shape, and tf_keras's from the Bidirectional
    on (its GRUs run in called functions). Each row is now Keras's class, count and shape (batch 8): in Keras 3's
    trace, and in tf_keras's run graph and trace."""
    folder = tf_written(name)
    with open(os.path.join(folder, "keras_layers.json")) as f:
        keras = [k for k in json.load(f) if k["class"] != "InputLayer"]
    kinds = []
    for ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
        assert error is None
        summary = layers.summarize(analyze(graph))
        top = [layer for layer in summary.layers if layer.within is None]
        assert [_CALLED.sub("", layer.name.rpartition("/")[2]) for layer in top] == [k["name"] for k in keras], ref
        # tf_keras's trace runs each GRU in a function it calls, whose outputs a trace gives no shape: they are
        # inferred in the called body, the number of steps from the list its loop fills.
        for layer, k in zip(top, keras):
            assert (layer.type, layer.params) == (k["class"], k["params"]), (ref, k)
            expected = tuple(8 if d is None else d for d in k["output_shape"])
            assert layer.output_shape == expected, (ref, k)
        inner = [layer for layer in summary.layers if layer.within is not None]
        assert [(layer.type, layer.params) for layer in inner] == [("GRU", 195)] * 2, ref
        kinds.append(ref["kind"])
    assert sorted(kinds) == (["run_graph", "trace"] if name == "zoo_tf_keras" else ["trace"])


@pytest.mark.parametrize("name", ["layer_classes_keras3", "layer_classes_tf_keras"])
def test_keras_layers_the_ops_alone_do_not_name_are_typed_as_keras_does(tf_written, name):
    """ReLU, ReLU(6.), LeakyReLU, ELU and Softmax layers were all typed ``Activation`` (each runs the op Keras's
    Activation layer runs), PReLU ``AddV2``: MobileNetV2's 35 ReLU(6.) layers, a GAN's LeakyReLUs. A layer is
    now of the class whose name Keras gave it (``re_lu_1``), else of the class of an op only such a layer runs
    (Relu6, LeakyRelu), else an Activation, as the ones of this model are, named by Keras and by their author.
    The weightless layers were typed by an op: Subtract ``Sub``, Average ``Add``, Permute ``Transpose``, Dot
    ``Squeeze``, Attention ``Activation`` or ``BatchMatMulV2``, RepeatVector ``Tile`` or ``Concatenate``; and
    GroupNormalization ``Reshape`` or ``LayerNormalization``. Each row is now Keras's class, count and shape."""
    folder = tf_written(name)
    with open(os.path.join(folder, "keras_layers.json")) as f:
        keras = {k["name"]: k for k in json.load(f) if k["class"] != "InputLayer"}
    assert {k["class"] for k in keras.values()} >= {
        "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax", "Activation", "GroupNormalization", "Permute", "Subtract",
        "Average", "Maximum", "Dot", "RepeatVector", "Attention",
    }  # fmt: skip
    kinds = []
    for ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
        assert error is None
        summary = layers.summarize(analyze(graph))
        assert all(layer.within is None for layer in summary.layers), ref
        rows = {layer.name.rpartition("/")[2]: layer for layer in summary.layers}
        if name == "layer_classes_keras3":  # its trace names each layer's call ``<name>_1``
            rows = {_CALLED.sub("", n): layer for n, layer in rows.items()}
        assert sorted(rows) == sorted(keras), ref
        for layer_name, k in keras.items():
            row = rows[layer_name]
            expected = tuple(8 if d is None else d for d in k["output_shape"])
            assert (row.type, row.params, row.output_shape) == (k["class"], k["params"], expected), (ref, k)
        kinds.append(ref["kind"])
    assert sorted(kinds) == (["run_graph", "trace"] if name == "layer_classes_tf_keras" else ["trace"])


@pytest.mark.parametrize("name", ["more_classes_keras3", "more_classes_tf_keras"])
def test_one_and_three_dimensional_recurrent_and_normalising_layers_are_typed_as_keras_does(tf_written, name):
    """Typed by an op or by the wrong rank: MaxPooling3D ``MaxPool3D``, Conv3DTranspose ``BiasAdd``,
    Conv1DTranspose ``Conv2DTranspose``, ZeroPadding1D and 3D ``ZeroPadding2D``, tf_keras's UpSampling1D and 3D
    ``Concatenate`` (Keras 3's UpSampling1D ``RepeatVector``), Masking ``Squeeze``, SimpleRNN ``Dense``,
    ConvLSTM2D ``Conv2D``, tf_keras's LayerNormalization ``BatchNormalization`` (it runs a fused batch norm),
    UnitNormalization ``Mul``, RandomFlip ``Add``, Resizing ``UpSampling2D`` (6 x 6 from 4 x 4 is no whole
    factor); a trace gave no 3-D convolution or pooling a shape, nor
    anything after them. Each row is now Keras's class, count and shape (a trace's loop over the steps is as long
    as the list it fills; a Masking's output is not the mask it computes, but its input masked: its shape was
    unknown where Keras 3 reduces the mask with ``Any``, or tf_keras's run graph hands the mask on beside it)."""
    folder = tf_written(name)
    with open(os.path.join(folder, "keras_layers.json")) as f:
        keras = {k["name"]: k for k in json.load(f) if k["class"] != "InputLayer"}
    kinds = []
    for ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
        assert error is None
        summary = layers.summarize(analyze(graph))
        rows = {layer.name.rpartition("/")[2]: layer for layer in summary.layers if layer.within is None}
        if name == "more_classes_keras3":  # its trace names each layer's call ``<name>_1``
            rows = {_CALLED.sub("", n): layer for n, layer in rows.items()}
        assert set(keras) <= set(rows), (ref, sorted(set(keras) - set(rows)))
        for layer_name, k in keras.items():
            row = rows[layer_name]
            expected = tuple(8 if d is None else d for d in k["output_shape"])
            assert (row.type, row.params) == (k["class"], k["params"]), (ref, k)
            # (tf_keras's trace's after its SimpleRNN's loop too: the steps were unknown.)
            assert row.output_shape == expected, (ref, k)
        assert summary.total_params == sum(k["params"] for k in keras.values())
        kinds.append(ref["kind"])
    assert sorted(kinds) == (["run_graph", "trace"] if name == "more_classes_tf_keras" else ["trace"])


@pytest.mark.parametrize("name", ["regularized_keras3", "regularized_tf_keras"])
def test_a_model_with_regularizers_lists_keras_layers_with_their_weights(tf_written, name):
    """A weight regularizer reads its weight where the step computes the loss (Keras 3 at the step's own scope,
    tf_keras at ``conv/kernel/Regularizer``): the layer owning the weight was taken to be what the two reads share.
    Keras 3's trace was one row holding the model (the convolution 4 params, its kernel counted in the step);
    tf_keras's run graph listed each penalised kernel as an input layer of its own (108 and 1,728 params) and its
    trace one row, the step. An activity regularizer's penalty was the dense layer's output (a scalar). A read
    that feeds only a penalty now says nothing of where the layer computes, and the rows are Keras's; tf_keras's
    LSTM reading its weights in ``lstm/Read_<n>`` of its own run graph is one layer, not a model of three."""
    folder = tf_written(name)
    with open(os.path.join(folder, "keras_layers.json")) as f:
        keras = json.load(f)
    kinds = []
    for ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
        assert error is None
        summary = layers.summarize(analyze(graph))
        assert all(layer.within is None for layer in summary.layers), ref
        names = [layer.name.rpartition("/")[2] for layer in summary.layers]
        if name == "regularized_keras3":  # its trace names each layer's call ``<name>_1``
            names = [_CALLED.sub("", n) for n in names]
        assert names == [k["name"] for k in keras], ref
        assert [(layer.type, layer.params) for layer in summary.layers] == [(k["class"], k["params"]) for k in keras]
        # tf_keras's trace runs the LSTM in a function it calls, whose outputs a trace gives no shape: inferred in
        # the called body.
        for layer, k in zip(summary.layers, keras):
            expected = tuple(8 if d is None else d for d in k["output_shape"])
            assert layer.output_shape == expected, (ref, k)
        assert (summary.total_params, summary.trainable_params) == (sum(k["params"] for k in keras),) * 2
        kinds.append(ref["kind"])
    assert sorted(kinds) == (["run_graph", "trace"] if name == "regularized_tf_keras" else ["trace"])


@pytest.mark.parametrize("name", ["preprocessing_keras3", "preprocessing_tf_keras"])
def test_a_model_of_preprocessing_layers_lists_them_as_keras_does(tf_written, name):
    """A tabular model (lookups, hashing, buckets, encodings, an AUC metric, RMSprop) was one row in each graph:
    Keras 3's step holding 993 parameters (the AUC's four vectors of 200 counts among them, a running total kept
    by assigning ``total + x``), tf_keras's ``tabular`` a custom layer (RMSprop decays the embedding's slot by
    assigning ``velocity * rho`` before adding the gradient's rows: the slot was the model's, a layer at the top
    level of its own), every preprocessing layer typed by an op (``Add``, ``StringToHashBucketFast``,
    ``Bucketize``), no shape after a lookup, an encoding or a vectorised text in a trace. Each row is now Keras's class and shape;
    its count Keras's too (the Normalization's statistics, constants in the graph, counted as Keras counts its
    weights: they were 0) but where the graph does not say it: tf_keras's run graph captures each embedding for
    gathers alone (no read says its size: each is counted as a variable of unknown size)."""
    folder = tf_written(name)
    with open(os.path.join(folder, "keras_layers.json")) as f:
        keras = {k["name"]: k for k in json.load(f) if k["class"] != "InputLayer"}
    assert {k["class"] for k in keras.values()} >= {
        "StringLookup", "IntegerLookup", "Hashing", "Discretization", "CategoryEncoding", "Normalization",
        "TextVectorization",
    }  # fmt: skip
    kinds = []
    for ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
        assert error is None
        analysis = analyze(graph)
        summary = layers.summarize(analysis)
        assert all(layer.within is None for layer in summary.layers), ref
        rows = {layer.name.rpartition("/")[2]: layer for layer in summary.layers}
        if name == "preprocessing_keras3":  # its trace names each layer's call ``<name>_1``
            rows = {_CALLED.sub("", n): layer for n, layer in rows.items()}
            # Keras 3 slices the input with an op of the model's own, no layer (Keras lists none).
            assert set(rows) - set(keras) == {"strided_slice"}
        else:
            assert set(rows) == set(keras), ref
        captured = ref["kind"] == "run_graph"
        for layer_name, k in keras.items():
            row = rows[layer_name]
            assert (row.type, row.output_shape) == (k["class"], tuple(k["output_shape"])), (ref, k)
            unseen = k["class"] == "Embedding" and captured
            assert row.params == (0 if unseen else k["params"]), (ref, k)
        assert summary.unknown_variables == (2 if captured else 0), ref
        text = summary_table.format_text({"graphs": [summary_table.summary_entry(analysis, ref)]})
        assert ("2 variables of unknown size not counted" in text) == captured  # never a silent zero
        assert summary.total_params == sum(k["params"] for k in keras.values()) - (16 + 80 if captured else 0)
        assert summary.non_trainable_params == 9  # the Normalization's mean, variance and count
        # RMSprop's slot of each trained weight, the AUC's four vectors of 200 counts and the step counters.
        trained = sum(k["params"] for k in keras.values()) - 9
        assert summary.machinery_params >= trained + 4 * 200, ref
        slots = [n for n in analysis.roles.variables if analysis.roles.name_of(n) == "optimizer"]
        assert sum(v.size for v in (shapes.variable(graph, n) for n in slots) if v is not None) >= trained, ref
        kinds.append(ref["kind"])
    assert sorted(kinds) == (["run_graph", "trace"] if name == "preprocessing_tf_keras" else ["trace"])


def _summaries_keras_checked(folder: str, batch: int = 8) -> dict[str, tuple]:
    """Each graph of ``folder``'s logdir summarised, its top-level rows checked against Keras's own layers
    (``keras_layers.json``): the same names (a Keras 3 call's ``_<n>`` aside), in order, classes and counts, and Keras's
    shapes with ``batch`` for its unknown batch. Returns kind -> (analysis, summary)."""
    with open(os.path.join(folder, "keras_layers.json")) as f:
        keras = [k for k in json.load(f) if k["class"] != "InputLayer"]
    found = {}
    for ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
        assert error is None
        analysis = analyze(graph)
        summary = layers.summarize(analysis)
        top = [layer for layer in summary.layers if layer.within is None]
        assert len(top) == len(keras), ref
        for layer, k in zip(top, keras):
            # As many trailing scopes as Keras's name has parts (tf_keras allows slashes in a layer's name).
            own = "/".join(layer.name.split("/")[-(k["name"].count("/") + 1) :])
            assert k["name"] in (own, _CALLED.sub("", own)), (ref, k)
            expected = tuple(batch if d is None else d for d in k["output_shape"])
            assert (layer.type, layer.params) == (k["class"], k["params"]), (ref, k)
            assert layer.output_shape == expected, (ref, k)
        found[ref["kind"]] = (analysis, summary)
    return found


@pytest.mark.parametrize("name", ["augmented_keras3", "augmented_tf_keras"])
def test_transfer_learning_under_mixed_precision_lists_keras_layers(tf_written, name):
    """Keras's transfer-learning guide under ``mixed_float16``: a LossScaleOptimizer applies the gradients inside a
    ``cond``, into which tf_keras's run graph passes each weight's handle (no shape recorded): the weights were
    taken for its loss scale (a float scalar it updates there), the model had 16 parameters of 4,186, Adam's
    slots (passed only into the ``cond``) were not counted at all. Keras 3's backbone casting its input to float16
    at its own level was a custom layer of two layers (its activation and pooling folded into it); the augmenting
    Sequential was typed ``RandomFlip``; a trace's shapes stopped at the augmentation (EnsureShape, the image
    transforms, the contrast adjustment); CenterCrop and SpatialDropout2D were Cropping2D and Dropout (they run
    those classes' ops; Keras's name for them tells them apart). Each row is now Keras's class, count and shape,
    and the machinery holds Adam's two slots of each trained weight."""
    found = _summaries_keras_checked(tf_written(name))
    machinery = {}
    for kind, (_, summary) in found.items():
        inner = [
            (_CALLED.sub("", layer.name.rpartition("/")[2]), layer.type, layer.params)
            for layer in summary.layers
            if layer.within
        ]
        assert inner == [("conv", "Conv2D", 224), ("bn", "BatchNormalization", 32), ("act", "Activation", 0), ("pool", "GlobalAveragePooling2D", 0)]  # fmt: skip
        assert (summary.total_params, summary.trainable_params) == (283, 27), kind
        assert summary.machinery_params >= 2 * 27, kind
        machinery[kind] = summary.machinery_params
    assert sorted(machinery) == (["run_graph", "trace"] if name == "augmented_tf_keras" else ["trace"])
    assert len(set(machinery.values())) == 1  # the run graph's machinery is the trace's


@pytest.mark.parametrize("name", ["mirrored_keras3", "mirrored_tf_keras"])
def test_a_model_run_on_replicas_is_listed_once_with_each_weight_counted_once(tf_written, name):
    """Under a MirroredStrategy each replica reads a copy of every weight of its own, the second replica's in
    ``replica_1/``: tf_keras's run graph and trace listed the model twice (``mirrored`` and a ``replica_1`` custom
    layer holding the same layers again, 1,126 parameters of Keras's 563), and Keras 3's trace failed to summarise
    (a copy's owner was never found). The model is now listed once, each weight counted once, its shapes those
    of one replica (half the batch), and the totals say how many replicas run. (Its Lambda layer, which runs a
    ``Mul`` alone, was typed ``Multiply``: a layer Keras names ``lambda`` is a Lambda.)"""
    folder = tf_written(name)
    found = _summaries_keras_checked(folder, batch=4)  # one replica's half of the batch
    with open(os.path.join(folder, "keras_layers.json")) as f:
        keras_total = sum(k["params"] for k in json.load(f))
    for kind, (analysis, summary) in found.items():
        assert (summary.total_params, summary.replicas) == (keras_total, 2), kind
        entry = summary_table.summary_entry(analysis, {"run": "mirrored", "kind": kind, "tag": None})
        assert "run on 2 replicas: each weight counted once" in summary_table.format_text({"graphs": [entry]})
    assert sorted(found) == (["run_graph", "trace"] if name == "mirrored_tf_keras" else ["trace"])


@pytest.mark.parametrize("name", ["time_distributed_keras3", "time_distributed_tf_keras"])
def test_time_distributed_layers_are_typed_as_keras_does(tf_written, name):
    """A layer wrapped in TimeDistributed was typed as what it wraps (``Conv2D``, ``Dense``) or by an op
    (``Transpose``, ``Reshape``): Keras 3 runs the wrapped layer once per step between a transpose and a stack,
    tf_keras in a scope of its own between reshapes folding the steps into the batch. Each is now a
    TimeDistributed with the wrapped layer's parameters and its shape Keras's (after a trace's LSTM, whose call a
    trace does not shape, as inferred in the body it calls). The Lambda its author named ``halve`` (one ``Mul`` of
    one tensor by a constant) was a ``Multiply``, which multiplies two layers' outputs or more."""
    folder = tf_written(name)
    with open(os.path.join(folder, "keras_layers.json")) as f:
        assert [k["class"] for k in json.load(f)][:3] == ["TimeDistributed"] * 3
    found = _summaries_keras_checked(folder)
    assert sorted(found) == (["run_graph", "trace"] if name == "time_distributed_tf_keras" else ["trace"])


@pytest.mark.parametrize("name", ["masked_text_keras3", "masked_text_tf_keras"])
def test_a_masked_text_models_embedding_and_recurrent_layers_are_keras(tf_written, name):
    """An Embedding with ``mask_zero`` hands on a mask beside its vectors: tf_keras's had the mask's shape
    (``8×12`` for ``8×12×8``). The Bidirectional's LSTMs were GRUs: in a function graph no weight is named
    ``recurrent_kernel``, and the input kernel (8 x 24) looks like a GRU's recurrent kernel of 8 units as much as
    the recurrent one (6 x 24) like an LSTM's of 6; the LSTM's output says 6 units, and where no shape says
    (tf_keras's trace), a GRU would keep two biases. Each row is Keras's, its shape too (a trace's recurrent
    calls shaped in the bodies they call, the number of steps from the list their loop fills)."""
    found = _summaries_keras_checked(tf_written(name))
    for kind, (_, summary) in found.items():
        assert summary.layers[0].output_shape == (8, 12, 8), kind
        inner = [(layer.type, layer.params) for layer in summary.layers if layer.within is not None]
        assert inner == [("LSTM", 360)] * 2, kind
    kinds = list(found)
    assert sorted(kinds) == (["run_graph", "trace"] if name == "masked_text_tf_keras" else ["trace"])


def test_a_run_graph_of_a_step_compiled_whole_is_its_steps_graph(tf_written):
    """tf_keras compiling its train function with XLA (``jit_compile=True``) writes a run graph of one call: the
    step, model to optimizer, is the function it calls. Left a call, every answer was about that op: the summary
    listed each captured variable as an input layer named by a number (1,674 parameters, 1 trainable, of Keras's
    283), the roles found no gradient and no optimizer. The call is inlined, as a trace's step is: the rows are
    Keras's and the machinery has its areas, as in the trace of the same step."""
    folder = tf_written("compiled_tf_keras")
    with open(os.path.join(folder, "keras_layers.json")) as f:
        keras = json.load(f)
    graphs = {
        ref["kind"]: graph for ref, graph, _ in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph)
    }
    run_graph = graphs["run_graph"]
    assert "StatefulPartitionedCall" not in [run_graph.ops[i] for i in range(run_graph.node_count)]
    for kind, graph in graphs.items():
        analysis = analyze(graph)
        summary = layers.summarize(analysis)
        rows = [
            (layer.name.rpartition("/")[2], layer.type, layer.params, layer.output_shape) for layer in summary.layers
        ]
        assert rows == [
            (k["name"], k["class"], k["params"], tuple(8 if d is None else d for d in k["output_shape"])) for k in keras
        ], kind
        roles_found = Counter(analysis.roles.name_of(i) for i in range(graph.node_count))
        assert roles_found["gradient"] > 0 and roles_found["optimizer"] > 0, kind
    summaries = {kind: layers.summarize(analyze(graph)) for kind, graph in graphs.items()}
    machinery = {kind: summary.machinery_params for kind, summary in summaries.items()}
    # Adam's two slots of each trained weight, and its step counter: the same in both graphs.
    assert machinery["run_graph"] == machinery["trace"] > 2 * summaries["trace"].trainable_params


def test_a_layer_called_twice_is_one_row_holding_both_calls(tf_written):
    """Keras 3 names each call of a layer a scope of its own: a siamese network's shared Dense was two rows, the
    second (``shared_3``) typed ``Relu`` with no weights, and its shared encoder a second row typed ``Add``. The
    second call reads the first's weights: it is the same layer, its ops the first's row's (an encoder's each of
    the layer of its name inside it), and the rows are Keras's."""
    ((_, summary),) = _summaries_keras_checked(tf_written("shared_keras3")).values()
    assert [layer.name.rpartition("/")[2] for layer in summary.layers] == [
        "shared_1", "encoder_1", "enc_dense_1", "enc_bn_1", "cat_1", "out_1"
    ]  # fmt: skip
    ops = {layer.name.rpartition("/")[2]: layer.ops for layer in summary.layers}
    assert ops["enc_dense_1"] == 2 * 4 and ops["encoder_1"] == 0  # two calls' reads, matmuls and adds, each inside


def test_a_dropout_in_an_encoder_called_twice_is_one_dropout(tf_written):
    """tf_keras names a shared encoder's second call's ops in the scopes of its first: its Dropout holds the
    dropout of each call side by side, ``enc_drop/dropout`` and ``enc_drop/dropout_1``. Two groups named as
    Keras names weightless layers, and nothing of its own: it was typed ``Sequential`` (a model of weightless
    layers, as the augmenting model of the transfer-learning guide is). A model's layers run in a chain; these
    calls read nothing of each other: the row is the ``Dropout`` Keras lists."""
    found = _summaries_keras_checked(tf_written("shared_tf_keras"))
    assert sorted(found) == ["run_graph", "trace"]
    for _, summary in found.values():
        inner = [(layer.name.rpartition("/")[2], layer.type, layer.params) for layer in summary.layers if layer.within]
        assert inner == [("enc_d1", "Dense", 16 * 12 + 12), ("enc_drop", "Dropout", 0), ("enc_d2", "Dense", 12 * 8 + 8)]


def test_the_deep_mnist_tutorials_unscoped_weights_are_owned_by_what_computes_with_them(tf_written):
    """TensorFlow's Deep MNIST tutorial makes every weight a ``tf.Variable`` at the top level and computes at the
    top level too: each variable was a row of its own (``Variable · Conv2D``, ``Variable_1 · Weights``, no output),
    the first convolution and the input had none, and the later convolutions' ops were rows of no parameters. A
    weight is owned by the op computing with it (the group of ``Conv2D``, holding its read), and a vector added to
    what that layer computed is its bias: the rows are the tutorial's convolutions and dense layers, each with
    Keras's count and output, whether its variables are TF1's references or resources."""
    folder = os.path.join(tf_written("tf1_deep_mnist"), "logs")
    graphs = {ref["run"]: graph for ref, graph, _ in iter_graphs(folder, graph_source.load_graph)}
    assert sorted(graphs) == ["deep_mnist", "deep_mnist_resource"]
    assert graphs["deep_mnist"].ops[graphs["deep_mnist"].index["Variable"]] == "VariableV2"
    assert graphs["deep_mnist_resource"].ops[graphs["deep_mnist_resource"].index["Variable"]] == "VarHandleOp"
    for graph in graphs.values():
        _check_deep_mnist(layers.summarize(analyze(graph)))
    # An autoencoder of the same era (the corpus's vocal-autoencoder): its decoder reads the encoder's weights
    # transposed (tied), and those are the encoder's products'.
    rows = [
        (layer.name, layer.type, layer.params)
        for layer in layers.summarize(corpus("vocal-autoencoder").analysis).layers
    ]
    assert [row for row in rows if row[1] == "Dense"] == [
        ("MatMul", "Dense", 256 * 64 + 256),
        ("MatMul_1", "Dense", 256 * 64 + 64),
        ("MatMul_2", "Dense", 64 * 64 + 64),
    ], rows
    assert not [row for row in rows if row[0].startswith("Variable")], rows


def _check_deep_mnist(summary) -> None:
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers]
    assert rows[:3] == [
        ("Placeholder", "InputLayer", (None, 784), 0),
        ("Reshape", "Reshape", (None, 28, 28, 1), 0),
        ("Conv2D", "Conv2D", (None, 28, 28, 32), 5 * 5 * 32 + 32),
    ], rows
    weighted = [row for row in rows if row[3]]
    assert weighted == [
        ("Conv2D", "Conv2D", (None, 28, 28, 32), 5 * 5 * 32 + 32),
        ("Conv2D_1", "Conv2D", (None, 14, 14, 64), 5 * 5 * 32 * 64 + 64),
        ("MatMul", "Dense", (None, 1024), 7 * 7 * 64 * 1024 + 1024),
        ("MatMul_1", "Dense", (None, 10), 1024 * 10 + 10),
    ], rows
    assert not [row for row in rows if row[0].startswith("Variable")], rows
    assert summary.total_params == summary.trainable_params == 3_274_634
    # ``keep_prob`` (``Placeholder_2``) and the rate made of it at the top level (``sub = 1 - keep_prob``) set the
    # dropout, and the accuracy's ``ArgMax`` of the logits is the metric's: no rows (``Placeholder_2 ·
    # InputLayer``, ``sub · Subtract``, ``ArgMax · ArgMax`` before). The poolings loose at the top level between
    # the convolutions (``max_pool_2x2`` names them ``MaxPool2d``) are layers, as Keras's MaxPooling2D.
    assert [row[:3] for row in rows] == [
        ("Placeholder", "InputLayer", (None, 784)),
        ("Reshape", "Reshape", (None, 28, 28, 1)),
        ("Conv2D", "Conv2D", (None, 28, 28, 32)),
        ("MaxPool2d", "MaxPooling2D", (None, 14, 14, 32)),
        ("Conv2D_1", "Conv2D", (None, 14, 14, 64)),
        ("MaxPool2d_1", "MaxPooling2D", (None, 7, 7, 64)),
        ("Reshape_1", "Flatten", (None, 7 * 7 * 64)),
        ("MatMul", "Dense", (None, 1024)),
        ("dropout", "Dropout", (None, 1024)),
        ("MatMul_1", "Dense", (None, 10)),
    ], rows


def test_a_tf1_char_rnn_is_listed_with_its_stacked_cells_zero_state_and_softmax_layer(roles_graphs):
    """A char-RNN the way TF1 projects write it: ``MultiRNNCell`` of two LSTM cells unrolled by ``static_rnn`` in
    ``rnnlm``, the softmax's weights made in that variable scope and multiplied at the top level. The stacked
    cells were typed ``Bidirectional`` (two recurrent layers under one), the zero state ``Concatenate`` (it joins
    its fills' shapes), and the softmax a row ``rnnlm · Dense`` of no output, its product and bias addition no
    rows at all: the cells are an ``RNN`` of ``LSTM``s, the state ``Zeros``, and the weights are the top-level
    product's, with its output."""
    rows = [
        (layer.name, layer.type, layer.output_shape, layer.params, layer.within)
        for layer in layers.summarize(roles_graphs["roles_tf1_char_rnn"].analysis).layers
    ]
    lstm = (16 + 16) * 4 * 16 + 4 * 16
    assert [row[:4] for row in rows] == [
        ("input_data", "InputLayer", (4, 6), 0),
        ("MultiRNNCellZeroState", "Zeros", (4, 16), 0),
        ("embedding_lookup", "Embedding", (4, 6, 16), 30 * 16),
        ("dropout", "Dropout", (4, 6, 16), 0),
        ("split", "Split", (4, 1, 16), 0),
        ("rnnlm_1", "RNN", (4, 16), 2 * lstm),
        ("rnnlm_1/rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell", "LSTM", (4, 16), lstm),
        ("rnnlm_1/rnnlm/multi_rnn_cell/cell_1/basic_lstm_cell", "LSTM", (4, 16), lstm),
        ("concat", "Concatenate", (4, 96), 0),
        ("Reshape", "Reshape", (24, 16), 0),
        ("MatMul", "Dense", (24, 30), 16 * 30 + 30),
    ], rows
    assert [row[4] for row in rows if row[1] == "LSTM"] == ["rnnlm_1", "rnnlm_1"], rows


def test_a_target_network_moved_towards_its_evaluation_network_is_not_trained(roles_graphs):
    """DDPG's target networks follow their evaluation networks by a soft update after each step,
    ``t := (1 - tau) * t + tau * e``: made ``trainable=False``, never minimised, their weights were counted trainable
    (the update, like a copy, is the optimizer's machinery; a blend of another variable trains no more than a copy
    of it)."""
    ddpg = roles_graphs["roles_tf1_ddpg"]
    summary = layers.summarize(ddpg.analysis)
    rows = {layer.name: (layer.type, layer.output_shape, layer.params) for layer in summary.layers}
    assert rows["Actor/eval/l1"] == rows["Actor/target/l1"] == ("Dense", (None, 30), 3 * 30 + 30)
    assert rows["Critic/target"][2] == rows["Critic/eval"][2] == 3 * 30 + 30 + 30 + 30 + 1
    actor, critic = 3 * 30 + 30 + 30 + 1, rows["Critic/eval"][2]
    assert (summary.trainable_params, summary.non_trainable_params) == (actor + critic, actor + critic)
    assert ddpg.of(ddpg.named(r"^soft_replacement/Assign")) == {"optimizer"}


def test_a_bert_classifiers_embeddings_and_head_read_as_keras_would_list_them(roles_graphs):
    """Google's BERT looks up its word rows with a gather but multiplies a one-hot of the token types by their
    table (a ``MatMul``, faster on TPUs): the ``embeddings`` scope was typed Dense. Its largest weight, the word
    table, is read by the gather alone. Its ``LayerNorm``, inside the scope, is the row beside it with its own
    parameters (as Keras lists a BERT's embeddings and their layer normalization), not counted in the embeddings'."""
    summary = layers.summarize(roles_graphs["roles_tf1_bert_classifier"].analysis)
    rows = {layer.name: (layer.type, layer.output_shape, layer.params) for layer in summary.layers}
    words, types, positions, norm = 500 * 32, 2 * 32, 64 * 32, 2 * 32
    assert rows["bert/embeddings"] == ("Embedding", (8, 16, 32), words + types + positions)
    assert rows["bert/embeddings/LayerNorm"] == ("LayerNormalization", (8, 16, 32), norm)
    # A layer whose largest weight a product reads stays a Dense: the pooler, and the encoder's projection.
    assert rows["bert/pooler/dense"][0] == rows["bert/encoder/layer_0/dense"][0] == "Dense"
    # The classifier's weights are made at the top level and computed with in ``loss/``: they were two rows of
    # weights, ``output_weights · Dense`` with no output and ``output_bias · Weights``. One Dense layer, the logits.
    assert rows["output_weights"] == ("Dense", (8, 2), 2 * 32 + 2)
    assert "output_bias" not in rows
    assert summary.total_params == sum(layer.params for layer in summary.layers if not layer.within)


def test_a_blend_is_arithmetic_on_variables_alone():
    # The soft update's value, and a hand-written step of gradient descent, which trains its weight.
    graph_def = GraphDef()
    for name in ("t", "e", "w"):
        node(graph_def, name, "VariableV2")
        node(graph_def, f"{name}/read", "Identity", [name])
    node(graph_def, "keep", "Const")
    node(graph_def, "tau", "Const")
    node(graph_def, "mul", "Mul", ["keep", "t/read"])
    node(graph_def, "mul_1", "Mul", ["tau", "e/read"])
    node(graph_def, "add", "AddV2", ["mul", "mul_1"])
    node(graph_def, "soft", "Assign", ["t", "add"])
    node(graph_def, "x", "Placeholder")
    node(graph_def, "gradients/grad", "MatMul", ["x", "e/read"])
    node(graph_def, "step", "Mul", ["tau", "gradients/grad"])
    node(graph_def, "sub", "Sub", ["w/read", "step"])
    node(graph_def, "sgd", "Assign", ["w", "sub"])
    node(graph_def, "own", "Mul", ["keep", "t/read"])
    graph = analyze(graph_def).graph
    at = graph.index.__getitem__
    assert roles.blends_other_variables(graph, at("add"), at("t"))
    assert not roles.blends_other_variables(graph, at("sub"), at("w")), "a gradient on the way: a step that trains"
    assert not roles.blends_other_variables(graph, at("own"), at("t")), "its own value alone blends nothing in"


def test_models_fed_from_the_top_level_list_their_inputs(roles_graphs):
    """TF1 code makes its networks in scopes and feeds them placeholders made at the top level: a DQN's states
    ``s`` and ``s_`` read by ``eval_net`` and ``target_net``, a GAN's noise ``z`` and images ``real``, an
    autoencoder's ``volume``. The summary listed the networks' layers and no input; the inputs a network reads are
    listed first, what only the loss reads (the rewards, the actions taken) is not. A DQN's target network, set by
    copying the evaluation network's weights, is not trained."""
    summary = layers.summarize(roles_graphs["roles_tf1_dqn"].analysis)
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers]
    assert rows == [
        ("s", "InputLayer", (None, 4), 0),
        ("s_", "InputLayer", (None, 4), 0),
        ("eval_net/e1", "Dense", (None, 20), 4 * 20 + 20),
        ("eval_net/q", "Dense", (None, 2), 20 * 2 + 2),
        ("target_net/e1", "Dense", (None, 20), 4 * 20 + 20),
        ("target_net/q", "Dense", (None, 2), 20 * 2 + 2),
    ], rows
    dqn = roles_graphs["roles_tf1_dqn"]
    assert dqn.of(dqn.named(r"^hard_replacement/Assign")) == {"optimizer"}  # a target network's copy
    # The target network is set from the evaluation network's weights, never trained: its weights were counted
    # trainable, as the copy is the optimizer's machinery.
    assert (summary.trainable_params, summary.non_trainable_params) == (142, 142)
    for name, inputs in (("roles_dcgan", ["z", "real"]), ("roles_autoencoder3d", ["volume"])):
        listed = layers.summarize(roles_graphs[name].analysis).layers
        assert [(layer.name, layer.type) for layer in listed[: len(inputs)]] == [(i, "InputLayer") for i in inputs]


def test_kims_text_cnn_is_listed_as_its_layers_with_the_output_weight_made_outside_its_scope(roles_graphs):
    """The most copied TF1 text classifier (Kim's CNN for sentences) makes its output layer's weight with
    ``tf.get_variable("W")`` inside ``name_scope("output")``, which ``get_variable`` ignores: ``W`` sits at the top
    level, its bias ``output/b`` in the scope, the product in ``output/scores``. The summary had a row ``W · Dense``
    of 48 parameters and no output beside ``output · Dense`` of 2, and ``dropout_keep_prob`` as a second input. A
    weight made at the top level and computed with in one scope holding weights of its own is that layer's."""
    rows = [
        (layer.name, layer.type, layer.output_shape, layer.params)
        for layer in layers.summarize(roles_graphs["roles_tf1_text_cnn"].analysis).layers
    ]
    assert rows == [
        ("input_x", "InputLayer", (None, 20), 0),
        ("embedding", "Embedding", (None, 20, 16, 1), 500 * 16),
        ("conv-maxpool-3", "Conv2D", (None, 1, 1, 8), 3 * 16 * 8 + 8),
        ("conv-maxpool-4", "Conv2D", (None, 1, 1, 8), 4 * 16 * 8 + 8),
        ("conv-maxpool-5", "Conv2D", (None, 1, 1, 8), 5 * 16 * 8 + 8),
        ("concat", "Concatenate", (None, 1, 1, 24), 0),
        ("Reshape", "Flatten", (None, 24), 0),
        ("dropout", "Dropout", (None, 24), 0),
        ("output", "Dense", (None, 2), 24 * 2 + 2),
    ], rows


def test_nadams_state_updated_in_a_cond_is_the_optimizers(tf_written):
    """tf_keras's Nadam updates its running product ``u_product`` inside a ``cond``; the run graph captures that
    variable as a placeholder only the ``cond`` takes, and it was taken for data fed with each batch: the updates
    reading it, then Nadam's first moments, were the model's (a ``Nadam`` row of 700 parameters, the model 1,408
    of Keras's 708, the loss's ops rows of their own). A handle a called body reads or writes as a variable is a
    variable: the rows are Keras's, and Nadam's state is the machinery's."""
    found = _summaries_keras_checked(tf_written("nadam_tf_keras"))
    assert sorted(found) == ["run_graph", "trace"]
    for _, summary in found.values():
        assert summary.machinery_params > 2 * summary.trainable_params  # both moments of every trained weight


@pytest.mark.parametrize("name", ["convolution_variants_keras3", "convolution_variants_tf_keras"])
def test_grouped_dilated_constrained_and_spectrally_normalised_layers_are_listed_as_keras_lists_them(tf_written, name):
    """A grouped convolution runs as a call of a function Keras compiles: it was typed ``BiasAdd`` (tf_keras) or
    ``Reshape`` (Keras 3), and no trace shaped anything after it up to the reshape (a call's output had no rule: it
    is now inferred in the called body, the variable's handle standing for its shape). Keras 3 applies a kernel's
    MaxNorm constraint after the update, in the optimizer's scope: the weight written there was taken for the
    model's, its owner for the whole step, and the summary was two rows (the batch and the step holding every
    layer) with the constrained kernel uncounted. SpectralNormalization divides its kernel by its largest singular
    value in its forward pass, in a ``cond``, and keeps the power iteration's vector: those writes were taken for
    an average of the weights (the optimizer's), the vector left out of the count, the row a ``Dense``. Every row
    is Keras's class, count and shape now."""
    found = _summaries_keras_checked(tf_written(name))
    assert {kind for kind in found} == ({"trace", "run_graph"} if name.endswith("tf_keras") else {"trace"})


@pytest.mark.parametrize("name", ["mobile_blocks_keras3", "mobile_blocks_tf_keras"])
def test_mobilenet_v3_blocks_are_listed_as_keras_lists_them(tf_written, name):
    """MobileNetV3's blocks, as its authors write them. Batch renormalization keeps a moving standard deviation of
    the batch and sets its moving variance from it: that write (variables alone, no data) was taken for an average
    of the weights, the optimizer's, and the moving variance, which the training graph writes but never reads, was
    counted nowhere (the layer 48 of Keras's 56 parameters). An activation composed of several ops (``hard_swish``,
    ``gelu``, by Keras's name or, as ConvNeXt names them, by its block's) was typed by one of them (``Add``,
    ``Mul``). Squeeze-and-excite multiplies a layer's output by a gate
    computed outside any layer (``relu6(x + 3) / 6``): one layer feeds the Multiply, and it was called a Lambda
    scaling one tensor. ConvNeXt's LayerScale (its input times a learned vector) was typed by its one op, ``Mul``.
    Every row is Keras's class, count and shape now, and the moving variance is the model's."""
    found = _summaries_keras_checked(tf_written(name))
    assert {kind for kind in found} == ({"trace", "run_graph"} if name.endswith("tf_keras") else {"trace"})
    for analysis, summary in found.values():
        (renorm,) = [layer for layer in summary.layers if _CALLED.sub("", layer.name.rpartition("/")[2]) == "renorm"]
        assert len(renorm.variables) == 7 and all(v.variable.size == 8 for v in renorm.variables)
        assert summary.machinery_params > 0  # Adam's slots, none of them the layer's
        codes = analysis.roles.codes
        for variable in renorm.variables:
            assert codes[variable.variable.node] == roles.MODEL


def test_layers_named_with_slashes_are_the_models_layers_not_nested_ones(tf_written):
    """tf_keras's MobileNetV3 names its layers with slashes (``Conv`` and ``Conv/BatchNorm``,
    ``expanded_conv/depthwise/pad``, ``expanded_conv/squeeze_excite/Conv``), so their scopes nest though each is a
    layer of the model. ``expanded_conv`` was a ``Model`` of layers, each convolution and its normalization one
    row (typed ``BatchNormalization``, both layers' parameters), the padding folded in: 8 rows of Keras's 18 (128
    of 238 for MobileNetV3Small). A scope computing nothing, which the data leaves for a layer outside and comes
    back to (the block's activation at the model's level), is only a prefix of names: every row is now Keras's
    name, class, count and shape. A block called twice with a layer between (its data leaves it and comes back
    too, tf_keras running both calls in one scope) reads its weights twice: it stays a model holding its layers."""
    found = _summaries_keras_checked(tf_written("slash_named_tf_keras"))
    assert sorted(found) == ["run_graph", "trace"]
    for _, summary in found.values():
        inner = [layer.name.rpartition("/")[2] for layer in summary.layers if layer.within is not None]
        assert inner == ["b1", "b2"]


@pytest.mark.parametrize("name", ["stateful_text_keras3", "stateful_text_tf_keras"])
def test_a_stateful_recurrent_layers_state_is_no_parameter(tf_written, name):
    """A stateful GRU keeps its state from one batch to the next in a variable of the batch's size, which its loop
    starts from and is set to what the loop puts out: it was counted as the layer's (371 parameters of Keras's
    315; tf_keras's GRU, with a weight more than a GRU holds, was a ``Layer``). Keras counts it nowhere; neither
    does the summary, nor the machinery's figure."""
    found = _summaries_keras_checked(tf_written(name))
    assert {kind for kind in found} == ({"trace", "run_graph"} if name.endswith("tf_keras") else {"trace"})
    for _, summary in found.values():
        assert summary.total_params == 30 * 6 + 3 * (6 * 7 + 7 * 7 + 2 * 7) + 7 * 4 + 4
        assert 8 * 7 not in [v.size for v in summary.machinery_variables]


@pytest.mark.parametrize("name", ["causal_transformer_keras3", "causal_transformer_tf_keras"])
def test_attention_with_a_causal_mask_has_its_shape_and_so_does_what_follows(tf_written, name):
    """MultiHeadAttention with ``use_causal_mask``: tf_keras keeps the lower band of a matrix of ones
    (``MatrixBandPart``), Keras 3 compares running sums (``Cumsum``); neither op had a rule, and in a trace the
    attention, and every layer after it, had no shape (Keras 3's a batch of ``None``). Every row is Keras's."""
    found = _summaries_keras_checked(tf_written(name))
    assert {kind for kind in found} == ({"trace", "run_graph"} if name.endswith("tf_keras") else {"trace"})


@pytest.mark.parametrize("name", ["rarer_layers_keras3", "rarer_layers_tf_keras"])
def test_rarer_layers_named_by_their_authors_are_keras_classes(tf_written, name):
    """Layers fewer models use, each named by its author, were typed by an op: GaussianNoise and GaussianDropout
    ``Add`` (a normal draw added to the input, or multiplying it), AlphaDropout ``Dropout`` (its kept inputs then
    scaled and shifted: its result is a sum), ActivityRegularization ``Add`` with a scalar's shape (its penalty is
    all it computes; its input goes on unchanged), AdditiveAttention ``Dense`` (its scale and one product), a
    SeparableConv1D ``SeparableConv2D`` (and, dilated, without a shape in a trace: the blocks moved into the batch
    had no rule), tf_keras's EinsumDense of a 2-D kernel ``AddV2``, Keras 3's ``Dense``. Each row is now Keras's
    class, count and shape in every graph, and a Dense on sequences stays a Dense."""
    found = _summaries_keras_checked(tf_written(name))
    assert {kind for kind in found} == ({"trace", "run_graph"} if name.endswith("tf_keras") else {"trace"})
    for _, summary in found.values():
        types = {_CALLED.sub("", layer.name.rpartition("/")[2]): layer.type for layer in summary.layers}
        assert (types["noise"], types["gdrop"], types["alpha"]) == ("GaussianNoise", "GaussianDropout", "AlphaDropout")
        assert (types["einsum"], types["dense_seq"]) == ("EinsumDense", "Dense")


@pytest.mark.parametrize("name", ["unrolled_keras3", "unrolled_tf_keras"])
def test_an_unrolled_recurrent_layer_has_its_sequences_shape(tf_written, name):
    """An RNN with ``unroll=True`` unstacks its input into steps and stacks its cell's outputs again; a trace
    records no shape for them, and none of those ops had a rule: the LSTM's row took its last op's shape (a scalar
    of its cell, ``()`` for ``8x5x4``) in tf_keras's trace, Keras 3's rows had none, and nothing after them had
    any. An unstack's pieces lose the axis, a GRU's recurrent gates split by sizes (``SplitV``): every row is
    Keras's shape in every graph."""
    found = _summaries_keras_checked(tf_written(name))
    assert {kind for kind in found} == ({"trace", "run_graph"} if name.endswith("tf_keras") else {"trace"})
    for _, summary in found.values():
        assert [layer.output_shape for layer in summary.layers] == [(8, 5, 4), (8, 3), (8, 4)]


def test_a_recurrent_layers_cell_is_told_by_its_units_where_its_weights_shapes_are_ambiguous():
    """In a function graph no weight says which is the recurrent kernel. A SimpleRNN of 8 units on 2 features
    holds a kernel of 2 x 8 (what an LSTM of 2 units would hold as its recurrent kernel) and a recurrent kernel of
    8 x 8: the 8 units its output has decide; without them the shapes alone say only that it is recurrent."""

    def weights(*shapes_of):
        return [
            layers.LayerVariable(shapes.Variable(k, f"arg_{k}", shape, "float32", int(np.prod(shape))), True)
            for k, shape in enumerate(shapes_of)
        ]

    loop = Counter({"While": 1, "MatMul": 1})
    simple = weights((2, 8), (8, 8), (8,))
    assert layers.layer_type(loop, None, simple, 3, units=8) == "SimpleRNN"
    assert layers.layer_type(loop, None, simple, 3) == "RNN"
    lstm = weights((8, 24), (6, 24), (24,))  # an LSTM of 6 units on 8 features: the kernel looks like a GRU's
    assert layers.layer_type(loop, None, lstm, 3, units=6) == "LSTM"
    assert layers.layer_type(loop, None, lstm, 3) == "LSTM"  # a GRU keeps two biases
    gru = weights((6, 24), (8, 24), (2, 24))  # a GRU of 8 units on 6 features: its kernel looks like an LSTM's
    assert layers.layer_type(loop, None, gru, 3) == "GRU"


def test_an_activation_layers_class_follows_its_default_name_then_its_op():
    relu = Counter({"Relu": 1})
    assert layers.activation_layer_type("model/re_lu_3", relu) == "ReLU"
    assert layers.activation_layer_type("graph_1/m_1/re_lu_3_1", relu) == "ReLU"
    assert layers.activation_layer_type("model/conv1_relu", relu) == "Activation"  # ResNet's Activation("relu")
    assert layers.activation_layer_type("model/activation_2", relu) == "Activation"
    assert layers.activation_layer_type("model/Conv1_relu", Counter({"Relu6": 1})) == "ReLU"
    assert layers.activation_layer_type("model/leaky", Counter({"_MklLeakyRelu": 1})) == "LeakyReLU"
    assert layers.activation_layer_type("model/softmax", Counter({"Softmax": 1})) == "Softmax"
    assert layers.activation_layer_type("model/probabilities", Counter({"Softmax": 1})) == "Activation"
    # A default name of another class than the op's: the op's.
    assert layers.activation_layer_type("model/softmax", Counter({"Relu": 1})) == "Activation"


def test_einsum_shapes_follow_each_letters_size():
    assert shapes._einsum("abc,cde->abde", [(8, 12, 16), (16, 2, 8)]) == (8, 12, 2, 8)
    assert shapes._einsum("aecd,abcd->acbe", [(None, 12, 2, 8), (8, 12, 2, 8)]) == (8, 2, 12, 12)
    assert shapes._einsum("ij,jk->ik", [(3, 4), (5, 6)]) is False  # j is 4 and 5: no product
    assert shapes._einsum("...ij,jk->...ik", [(2, 3, 4), (4, 5)]) is False  # an ellipsis: not followed
    assert shapes._einsum("ij,jk->il", [(3, 4), (4, 5)]) is False  # l names no input's axis
    assert shapes._einsum("ij->ji", [False]) is False


def test_a_shape_sliced_with_a_step_of_zero_has_no_shape_and_raises_nothing():
    """A hostile graph: a reshape to ``shape(x)[::0]`` (TensorFlow refuses a zero step; Python's slice raises)."""
    from tensorboard.compat.proto import attr_value_pb2, tensor_pb2, tensor_shape_pb2

    def ints(graph_def, name, values):
        shape = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=len(values))])
        tensor = tensor_pb2.TensorProto(dtype=3, tensor_shape=shape, int_val=values)
        node(graph_def, name, "Const", value=attr_value_pb2.AttrValue(tensor=tensor))

    graph_def = GraphDef()
    dims = [tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in (2, 3)]
    node(
        graph_def, "x", "Placeholder", shape=attr_value_pb2.AttrValue(shape=tensor_shape_pb2.TensorShapeProto(dim=dims))
    )
    node(graph_def, "dims", "Shape", ["x"])
    ints(graph_def, "zero", [0])
    ints(graph_def, "one", [1])
    node(graph_def, "sliced", "StridedSlice", ["dims", "zero", "one", "zero"])
    node(graph_def, "reshaped", "Reshape", ["x", "sliced"])
    node(graph_def, "cut", "StridedSlice", ["x", "zero", "one", "zero"])
    ints(graph_def, "backwards", [-2, 1])
    node(graph_def, "tiled", "Tile", ["x", "backwards"])  # a negative multiple: that axis unknown
    ints(graph_def, "far", [5])
    node(
        graph_def, "pick", "StridedSlice", ["dims", "far", "one", "one"], shrink_axis_mask=attr_value_pb2.AttrValue(i=1)
    )
    node(graph_def, "picked", "Reshape", ["x", "pick"])  # element 5 of a shape of two: no value, no failure
    graph = analyze(graph_def).graph
    known = {}
    found = {name: shapes.inferred_output_shape(graph, graph.index[name], 0, known) for name in graph.index}
    assert found["reshaped"] is False and found["cut"] is False and found["picked"] is False
    assert found["tiled"] == (None, 3)


def test_tf_keras_fit_running_steps_in_a_loop_lists_keras_layers_in_its_run_graph_and_its_trace(tf_written):
    """tf_keras's ``train_function`` with ``steps_per_execution=4`` runs the step in a loop's body (which takes
    its batches itself): the run graph's summary was four rows (``iterator`` an InputLayer, ``while`` a While, no
    parameter) and the trace's one row (``graph_13``, 1,240 params); the loop's body is now inlined beside it."""
    folder = tf_written("roles_keras2_steps")
    with open(os.path.join(folder, "keras_summary.json")) as f:
        keras = json.load(f)
    expected = [(k["name"], k["params"]) for k in keras["layers"] if k["class"] != "InputLayer"]
    kinds = set()
    for ref, graph, error in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph):
        assert error is None
        summary = layers.summarize(analyze(graph))
        rows = [(layer.name.rpartition("/")[2], layer.params) for layer in summary.layers]
        assert rows == expected, (ref, rows)
        types = [layer.type for layer in summary.layers]
        assert types == ["Conv2D", "BatchNormalization", "Activation", "Flatten", "Dropout", "Dense"], (ref, types)
        assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"]), ref
        kinds.add(ref["kind"])
    assert kinds == {"run_graph", "trace"}


def test_keras3s_gan_lists_each_model_once_though_it_is_called_twice(roles_graphs):
    """Keras 3's GAN calls each model twice in its step, each call in a scope of its own (``discriminator_1``,
    ``discriminator_3``): each model is one row holding its layers, from its first call, with Keras's counts.
    (Called without ``training``, the discriminator's Dropout drops nothing and puts no op in the graph.)"""
    gan = roles_graphs["roles_keras3_gan"]
    keras = keras_counts_beside(gan)
    summary = layers.summarize(gan.analysis)
    rows = {layer.name.rpartition("/")[2]: layer for layer in summary.layers}
    for model, counts in keras.items():
        row = rows[f"{model}_1"]
        assert (row.type, row.params, row.trainable_params) == ("Sequential", counts["total"], counts["trainable"])
        inside = {name: layer.params for name, layer in rows.items() if layer.within == row.name}
        assert {f"{k['name']}_1": k["params"] for k in counts["layers"] if k["params"]} == {
            name: params for name, params in inside.items() if params
        }
    assert set(rows) <= {f"{m}_1" for m in keras} | {f"{k['name']}_1" for c in keras.values() for k in c["layers"]}
    assert (summary.total_params, summary.trainable_params) == (
        sum(c["total"] for c in keras.values()),
        sum(c["trainable"] for c in keras.values()),
    )


def test_keras3s_functional_model_lists_its_nested_backbone_and_poolings_as_keras_does(roles_graphs):
    """A Keras 3 functional model of two inputs around a Sequential backbone used as a layer: the backbone is a
    row holding its layers' rows (Keras's ``expand_nested``), each global average pooling is one (typed by the
    axes its mean averages), and every count is Keras's."""
    written = roles_graphs["roles_keras3_functional"]
    keras = keras_counts_beside(written)
    summary = layers.summarize(written.analysis)
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
    rows = {_CALLED.sub("", layer.name.rpartition("/")[2]): layer for layer in summary.layers}
    expected = [k for k in keras["layers"] if k["class"] != "InputLayer"]
    expected += keras["nested"]["backbone"]["layers"]
    assert set(rows) == {k["name"] for k in expected}, sorted(rows)
    for k in expected:
        assert rows[k["name"]].params == k["params"], k
    assert [rows[n].type for n in ("backbone", "gap", "pool", "emb", "concat")] == [
        "Sequential",
        "GlobalAveragePooling2D",
        "GlobalAveragePooling1D",
        "Embedding",
        "Concatenate",
    ]
    backbone = rows["backbone"].name
    assert {rows[n].within for n in ("c0", "c1", "b1", "r1", "sw")} == {backbone}
    # A convolution without a bias is one layer (its op's scope, ``c0/convolution``, is no layer of it); a swish
    # is an activation whose output is the next layer's input, not its custom gradient's constant.
    assert (rows["c0"].type, rows["c0"].params, rows["c0"].holds_layers) == ("Conv2D", 108, 0)
    assert rows["sw"].type == "Activation" and rows["sw"].output_shape != ()
    # The trace records the batch's shapes alone: every layer's (a swish's custom gradient, an embedding's
    # gather, a concatenation, a pooling) follows from them, as Keras's with the batch of 8.
    for k in expected:
        assert rows[k["name"]].output_shape == tuple(8 if d is None else d for d in k["output_shape"]), k


def test_the_scope_every_layer_shares_is_said_once_and_a_nested_layer_is_named_within_its_holder(roles_graphs):
    """A traced step's layers all sit in its scope (``graph_22/StatefulPartitionedCall/functional_1/``): the text
    table and the tab say it once and show each layer's name in it; a layer inside a layer is named within it and
    indented. JSON, CSV and Markdown keep whole names."""
    written = roles_graphs["roles_keras3_functional"]
    entry = summary_table.summary_entry(written.analysis, {"run": "r", "kind": "trace", "tag": "batch_1"})
    scope = entry["scope"]
    assert scope == f"{written.traced_step}/functional_1/"
    labels = {layer["name"]: layer["label"] for layer in entry["layers"]}
    assert labels[f"{scope}backbone_1"] == "backbone_1" and labels[f"{scope}backbone_1/c1_1"] == "c1_1"
    assert all(name.endswith(label) and label for name, label in labels.items())
    text = summary_table.format_text({"graphs": [entry], "errors": []}).splitlines()
    assert text[1] == f"  layers in {scope}"
    assert any(line.startswith("  backbone_1  ") for line in text) and any(
        line.startswith("    c1_1  ") for line in text
    )
    assert f"| {scope}head_1 |" in summary_table.format_markdown({"graphs": [entry], "errors": []})
    # Layers at the top level share no scope: named whole, as before.
    top = summary_table.row_labels([("conv1", None), ("dense", None), ("x/conv", None), ("y/conv", None)])
    assert top == ("", ["conv1", "dense", "x/conv", "y/conv"])
    assert summary_table.row_labels([("a/b/c", None)]) == ("a/b/", ["c"])
    # A holder that computes is a row in data-flow order; its layers, rows apart from it, keep their path.
    apart = [("rnnlm", None), ("split", None), ("rnnlm/cell_0", "rnnlm"), ("rnnlm/cell_1", "rnnlm")]
    assert summary_table.row_labels(apart) == ("", ["rnnlm", "split", "rnnlm/cell_0", "rnnlm/cell_1"])
    # An input fed from above the model need not share its scope: named whole, the others within it.
    fed = [("images", None), ("net/conv", None), ("net/dense", None)]
    assert summary_table.row_labels(fed, frozenset({"images"})) == ("net/", ["images", "conv", "dense"])
    assert summary_table.row_labels(fed) == ("", ["images", "net/conv", "net/dense"])


def test_weights_read_in_towers_or_by_modules_elsewhere_are_typed_by_what_reads_them(roles_graphs):
    """TF1's multi-tower training makes ``conv1/weights`` once at the top and convolves in each tower; Sonnet and
    TF-Slim keep a module's weights in its scope and compute beside it: the layer is what its weights' readers in
    the model are (a Conv2D, a Dense), not "Weights" (its gradient, a Conv2DBackpropInput, reads them too)."""
    towers = roles_graphs["roles_tf1_towers"]
    summary = layers.summarize(towers.analysis)
    # The layers are the first tower's, which computes with the weights (its outputs, its dropout); the second
    # tower runs them again and has no rows.
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers]
    assert rows == [
        ("tower_0/conv1", "Conv2D", (None, 8, 8, 4), 112),
        ("tower_0/bn1", "BatchNormalization", (None, 8, 8, 4), 16),
        ("tower_0/drop", "Dropout", (None, 8, 8, 4), 0),
        ("tower_0/logits", "Dense", (None, 2), 514),
    ], rows
    assert (summary.total_params, summary.trainable_params) == (642, 634)
    # Each tower's BatchNorm and Dropout read the flag.
    assert sorted(layer.layer for layer in towers.analysis.phase.layers) == [
        "tower_0/bn1",
        "tower_0/drop",
        "tower_1/bn1",
        "tower_1/drop",
    ]
    for case, expected in (
        (
            "pixel-link",
            {"clone_0/conv1/conv1_1": "Conv2D", "clone_0/fc6": "Conv2D", "clone_0/pixel_link/score_from_fc7": "Conv2D"},
        ),
        (
            "impala-agent",
            {"agent/unroll/batch_apply/convnet/conv_2d": "Conv2D", "agent/unroll/batch_apply/linear": "Dense"},
        ),
    ):
        found = {layer.name: layer.type for layer in layers.summarize(corpus(case).analysis).layers}
        assert {name: found.get(name) for name in expected} == expected, case


def test_a_scope_of_weights_computed_with_elsewhere_claims_no_output(roles_graphs):
    """What leaves a scope that only holds weights is a weight (or its regulariser's loss), never the layer's
    output, also once the scope is typed by what reads its weights: a notebook GAN's ``Variable_4`` (read by a
    MatMul at the top level) claimed its kernel's 128×256, the multi-tower example's ``conv1`` (convolved in both
    towers, before the towers' layers were listed) its bias's 4."""
    bilstm = {layer.name: layer for layer in layers.summarize(roles_graphs["roles_tf1_bilstm"].analysis).layers}
    weights_only = [layer for layer in bilstm.values() if layer.weights_elsewhere]
    assert weights_only and all(layer.output_shape is False for layer in weights_only)
    # The summary's wire row says so: no shape, an empty text.
    rows = summary_table.summary_entry(roles_graphs["roles_tf1_bilstm"].analysis, {})["layers"]
    row = next(r for r in rows if r["name"] == weights_only[0].name)
    assert (row["output_shape"], row["output_shape_text"]) == (None, "")
    # A matrix that products alone read and a vector that additions to those products alone read are one Dense
    # layer, which puts out their sums: the notebook GAN's ``Variable_4`` and ``Variable_5`` (its cells, run
    # again, multiply and add them 15 times) were two rows, neither with an output.
    gan = {layer.name: layer for layer in layers.summarize(corpus("portfolio-gan").analysis).layers}
    assert {name: (layer.type, layer.output_shape, layer.params) for name, layer in gan.items()} == {
        "Variable_4": ("Dense", (None, 256), 128 * 256 + 256),
        "Variable_6": ("Dense", (None, 500), 256 * 500 + 500),
    }


def test_a_model_called_twice_is_listed_once_where_it_first_computes(roles_graphs):
    """pix2pix makes its discriminator's weights in ``discriminator/`` and calls it twice, on real pairs in
    ``real_discriminator/discriminator/`` and on generated ones in ``fake_discriminator/discriminator/``. Its rows
    were the weights' scopes: no output shapes, a BatchNorm putting out its moving mean's ``128``, no padding nor
    leaky ReLU between them. They are now the first call's layers, in order and with their shapes, as Keras lists a
    model called twice; the second call has no rows, and each weight is counted once. A leaky ReLU written by hand
    (``lrelu``: ``0.5(1+a)x + 0.5(1-a)|x|``) is a LeakyReLU, not an ``Add``. The discriminator first concatenates
    the pair it judges (as Keras's pix2pix discriminator does); the ``inputs`` fed from the top level are listed,
    and so are the ``targets`` that this concatenation reads (beside the discriminator's layers, not inside one: no
    input row, where Keras's discriminator has its ``target_image``); the generator's loss reads them too."""
    summary = layers.summarize(roles_graphs["roles_tf1_pix2pix"].analysis)
    call = "real_discriminator/discriminator/"
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers]
    assert rows[:2] == [("inputs", "InputLayer", (1, 32, 32, 3), 0), ("targets", "InputLayer", (1, 32, 32, 3), 0)]
    assert [row for row in rows if row[0].startswith(call)] == [
        (call + "concat", "Concatenate", (1, 32, 32, 6), 0),
        (call + "layer_1/Pad", "ZeroPadding2D", (1, 34, 34, 6), 0),
        (call + "layer_1/conv2d", "Conv2D", (1, 16, 16, 8), 4 * 4 * 6 * 8 + 8),
        (call + "layer_1/lrelu", "LeakyReLU", (1, 16, 16, 8), 0),
        (call + "layer_2/Pad", "ZeroPadding2D", (1, 18, 18, 8), 0),
        (call + "layer_2/conv2d", "Conv2D", (1, 8, 8, 16), 4 * 4 * 8 * 16 + 16),
        (call + "layer_2/batch_normalization", "BatchNormalization", (1, 8, 8, 16), 4 * 16),
        (call + "layer_2/lrelu", "LeakyReLU", (1, 8, 8, 16), 0),
        (call + "layer_3/Pad", "ZeroPadding2D", (1, 10, 10, 16), 0),
        (call + "layer_3/conv2d", "Conv2D", (1, 7, 7, 32), 4 * 4 * 16 * 32 + 32),
        (call + "layer_3/batch_normalization", "BatchNormalization", (1, 7, 7, 32), 4 * 32),
        (call + "layer_3/lrelu", "LeakyReLU", (1, 7, 7, 32), 0),
        (call + "layer_4/Pad", "ZeroPadding2D", (1, 9, 9, 32), 0),
        (call + "layer_4/conv2d", "Conv2D", (1, 6, 6, 1), 4 * 4 * 32 + 1),
    ]
    assert not [row for row in rows if not row[0].startswith((call, "generator/", "inputs", "targets"))], rows
    assert ("generator/encoder_2/lrelu", "LeakyReLU", (1, 16, 16, 8), 0) in rows
    discriminator = 776 + 2064 + 64 + 8224 + 128 + 513
    generator = 392 + 2064 + 64 + 8224 + 128 + 8208 + 64 + 4104 + 32 + 771
    assert summary.total_params == sum(row[3] for row in rows) == discriminator + generator
    # The same code's graph in the corpus (a 256×256 pix2pix of 57 M parameters).
    found = {layer.name: layer for layer in layers.summarize(corpus("pix2pix-illustris").analysis).layers}
    assert not [name for name in found if name.startswith(("discriminator/", "fake_discriminator/"))]
    assert (found[call + "layer_2/batch_normalization"].output_shape, found[call + "layer_5/conv2d"].output_shape) == (
        (1, 64, 64, 128),
        (1, 30, 30, 1),
    )


@pytest.mark.parametrize(
    "named, ops, typed, leaky",
    [
        ("lrelu", {"Identity": 1, "Mul": 2, "Abs": 1, "AddV2": 1, "Const": 2}, "AddV2", True),  # pix2pix's
        ("lrelu", {"Mul": 1, "Maximum": 1, "Const": 1}, "Maximum", True),  # DCGAN's maximum(x, leak * x)
        ("leaky_relu", {"Mul": 1, "Maximum": 1}, "Maximum", True),
        ("lrelu", {"Mul": 1, "Add": 1}, "Add", False),  # no |x| nor maximum: some other arithmetic
        ("lrelu", {"Conv2D": 1, "Maximum": 1}, "Conv2D", False),  # a layer that computes more than an activation
        ("scale", {"Mul": 1, "Maximum": 1}, "Maximum", False),  # not named as one
    ],
)
def test_a_leaky_relu_written_by_hand_is_told_by_its_name_and_ops(named, ops, typed, leaky):
    layer = layers.Layer(f"d/{named}", typed, False, 0, 0, op_types=Counter(ops), ops=sum(ops.values()))
    assert layers._composes_a_leaky_relu(layer, named) is leaky


def test_a_layer_whose_weights_its_later_calls_read_puts_out_what_it_computes(roles_graphs):
    """ALBERT makes one transformer layer in ``layer_shared`` and calls it again in ``layer_shared_1``, ... with
    the same weights: each later call reads the first call's kernel and bias, more often than the next layer reads
    its product. A layer's output is what it computes, never a weight another layer reads (each dense row said its
    bias's shape, ``16``; the corpus's ALBERT ``312`` for ``4096×312``)."""
    summary = layers.summarize(roles_graphs["roles_tf1_albert"].analysis)
    scope = "bert/encoder/layer_shared/"
    dense = {
        layer.name.removeprefix(scope): (layer.output_shape, layer.params)
        for layer in summary.layers
        if layer.type == "Dense"
    }
    assert dense == {
        "attention/self/query": ((32, 16), 16 * 16 + 16),
        "attention/self/key": ((32, 16), 16 * 16 + 16),
        "attention/self/value": ((32, 16), 16 * 16 + 16),
        "attention/output/dense": ((32, 16), 16 * 16 + 16),
        "intermediate/dense": ((32, 32), 16 * 32 + 32),
        "output/dense": ((32, 16), 32 * 16 + 16),
    }
    albert = {layer.name: layer for layer in layers.summarize(corpus("albert-finetune").analysis).layers}
    assert albert[scope + "attention/self/query"].output_shape == (4096, 312)
    assert albert[scope + "intermediate/dense"].output_shape == (4096, 1248)


def test_arithmetic_on_sizes_is_no_layer(roles_graphs):
    """The Object Detection API's box predictors reshape their convolutions' outputs by ``tf.shape(features)[0]``,
    computed in their scopes: rows ``BoxPredictor_0/strided_slice · StridedSlice · scalar`` and ``stack · Pack ·
    4`` sat between the predictors (11 of the corpus's SSD's 174 rows). What computes only with sizes (a
    ``Shape``, constants, arithmetic on them) sets how a layer reshapes; no data passes through it."""
    rows = [
        (layer.name, layer.type) for layer in layers.summarize(roles_graphs["roles_tf1_box_predictor"].analysis).layers
    ]
    assert rows == [
        ("image_tensor", "InputLayer"),
        ("FeatureExtractor/Conv", "Conv2D"),
        ("FeatureExtractor/BatchNorm", "BatchNormalization"),
        ("FeatureExtractor/Conv_1", "Conv2D"),
        ("FeatureExtractor/BatchNorm_1", "BatchNormalization"),
        ("BoxPredictor_0/BoxEncodingPredictor", "Conv2D"),
        ("BoxPredictor_0/ClassPredictor", "Conv2D"),
        ("BoxPredictor_1/BoxEncodingPredictor", "Conv2D"),
        ("BoxPredictor_1/ClassPredictor", "Conv2D"),
    ]
    # Arithmetic on constants alone is no size: guesslang's export feeds its DenseFeatures a constant (its row stays).
    guesslang = [layer.name for layer in layers.summarize(corpus("guesslang").analysis).layers]
    assert "dnn/input_from_feature_columns" in guesslang
    ssd = layers.summarize(corpus("ssd-export").analysis).layers
    assert not [layer.name for layer in ssd if layer.type in ("StridedSlice", "Pack")]
    assert [layer.type for layer in ssd if layer.name.startswith("BoxPredictor_2/")] == [
        "Conv2D", "Reshape", "Conv2D", "Reshape"
    ]  # fmt: skip


def test_gpt2_is_listed_as_its_blocks_without_its_loss(roles_graphs):
    """GPT-2's ``model`` holds its embedding tables and its blocks and multiplies by ``wte`` transposed: it was a
    ``Dense`` of every parameter. A layer holding models is a layer of layers (``Layer``). Its loss read the input
    shifted by one (``X[:, 1:]``) and the logits cut (``logits[:, :-1]``) through a sparse softmax cross entropy:
    three rows after the model (``StridedSlice``, ``Cropping1D``, the cross entropy typed ``Add``), none of them
    Keras's. A block's MLP, a chain read by its block's own residual add, put out nothing: it puts out its last
    layer's output. Its attention (one projection split in three) was a ``Layer``."""
    summary = layers.summarize(roles_graphs["roles_tf1_gpt2"].analysis)
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers]
    assert rows[:2] == [("context", "InputLayer", (4, None), 0), ("model", "Layer", (4, None, 50), 7648)], rows
    assert rows[-1] == ("model/ln_f", "LayerNormalization", (4, None, 16), 32), rows
    assert [row[0] for row in rows if not row[0].startswith(("model", "context"))] == [], rows
    block = {
        name.removeprefix("model/h1/"): (kind, shape) for name, kind, shape, _ in rows if name.startswith("model/h1/")
    }
    assert block["mlp"] == ("Sequential", (4, None, 16))
    # Its attention projects once and splits the result in three (query, key, value): still an attention layer.
    assert block["attn"] == ("MultiHeadAttention", (4, None, 16))
    # GPT-2's ``conv1d``: a kernel (1, in, out) reshaped to a matrix for a product, as Keras's Conv1D(kernel_size=1)
    # holds it (they were ``EinsumDense``: a kernel of three axes).
    assert [block[name] for name in ("attn/c_attn", "attn/c_proj", "mlp/c_fc", "mlp/c_proj")] == [
        ("Conv1D", (4, None, 48)), ("Conv1D", (4, None, 16)), ("Conv1D", (4, None, 64)), ("Conv1D", (4, None, 16))
    ]  # fmt: skip
    assert block["ln_1"] == block["ln_2"] == ("LayerNormalization", (4, None, 16))
    assert (
        summary.total_params
        == 50 * 16 + 16 * 16 + 2 * (2 * 32 + 16 * 48 + 48 + 16 * 16 + 16 + 16 * 64 + 64 + 64 * 16 + 16) + 32
    )


def test_a_scope_between_two_models_is_a_layer(roles_graphs):
    """A TF1 VAE samples ``z`` in a ``sampling`` scope between its ``encoder`` and ``decoder`` scopes, at the level
    above their layers: the summary went from ``encoder/log_var`` to ``decoder/hidden`` (Keras's VAE lists its
    ``Sampling`` layer there). The loss beside it reads the models and feeds none: no row."""
    summary = layers.summarize(roles_graphs["roles_tf1_vae"].analysis)
    rows = [(layer.name, layer.output_shape) for layer in summary.layers]
    assert rows == [
        ("x", (None, 64)),
        ("encoder/hidden", (None, 16)),
        ("encoder/mu", (None, 4)),
        ("encoder/log_var", (None, 4)),
        ("sampling", (None, 4)),
        ("decoder/hidden", (None, 16)),
        ("decoder/logits", (None, 64)),
    ], rows


def test_a_frozen_rnns_later_call_reads_its_weights_constants(roles_graphs):
    """Frozen, TF1's char-RNN keeps its LSTM cells' weights as constants in ``rnnlm`` and computes them in
    ``rnnlm_1`` (static_rnn's second entry into the variable scope), taking their ``/read`` identities as they are:
    the rows were ``rnnlm · Weights`` (no output) and ``rnnlm_1 · LSTM`` of 0 parameters. The later call is the
    first's: one ``rnnlm · LSTM`` row with its output and its parameters. (The corpus's frozen char-RNN too.)"""
    rows = {layer.name: layer for layer in layers.summarize(roles_graphs["roles_tf1_char_rnn_frozen"].analysis).layers}
    assert "rnnlm_1" not in rows
    assert (rows["rnnlm"].type, rows["rnnlm"].output_shape) == ("LSTM", (4, 16))
    assert rows["rnnlm"].params == 2 * 4 * 16 * (16 + 16 + 1) + 16 * 30 + 30  # its cells and the softmax made there
    found = {layer.name: layer for layer in layers.summarize(corpus("char-rnn-frozen").analysis).layers}
    assert "rnnlm_1" not in found and (found["rnnlm"].type, found["rnnlm"].output_shape) == ("LSTM", (10, 128))


def test_layers_computed_apart_from_their_weights_are_listed_where_they_compute(roles_graphs):
    """TF-Slim's model_deploy makes each layer's weights at the top (``conv1/kernel``) and computes in the clone's
    scope (``clone_0/conv1/Conv2D``), the batch dequeued and the loss computed there too. The summary was the
    weights' scopes typed by their readers, each claiming its kernel's shape for output, and the clone one row
    typed by its first op (``clone_0 · Conv2D``, no parameters, the loss's scalar). The layers are now the scopes
    that compute, each with its weights, output and place in the flow, the poolings between them included, and
    nothing of the loss."""
    summary = layers.summarize(roles_graphs["roles_tf1_clone"].analysis)
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers]
    assert rows == [
        ("clone_0/conv1", "Conv2D", (8, 16, 16, 4), 3 * 3 * 3 * 4 + 4),
        ("clone_0/pool1", "MaxPooling2D", (8, 8, 8, 4), 0),
        ("clone_0/conv2", "Conv2D", (8, 8, 8, 8), 3 * 3 * 4 * 8 + 8),
        ("clone_0/pool2", "MaxPooling2D", (8, 4, 4, 8), 0),
        ("clone_0/Reshape", "Flatten", (8, 128), 0),
        ("clone_0/logits", "Dense", (8, 3), 128 * 3 + 3),
    ], rows
    assert (summary.total_params, summary.trainable_params) == (795, 795)
    # Opened, the clone's boxes carry what the rows say: each layer's box counts the weights it computes with,
    # read out of their scope at the top (their reads followed).
    analysis = roles_graphs["roles_tf1_clone"].analysis
    boxes = {c["name"]: c.get("shape_info", {}) for c in wire.group_answer(analysis, "clone_0")["children"]}
    assert {name: info.get("params") for name, info in boxes.items() if "params" in info} == {
        "clone_0/conv1": 112,
        "clone_0/conv2": 296,
        "clone_0/logits": 387,
    }
    assert boxes["clone_0/conv1"]["output_shape"] == "8×16×16×4"
    # The same on the graphs of such code: PixelLink's VGG (its model_deploy clone) and IMPALA's Sonnet agent
    # (weights in ``agent/batch_apply``, computed in ``agent/unroll/batch_apply``).
    slim = {layer.name: layer for layer in layers.summarize(corpus("pixel-link").analysis).layers}
    assert "clone_0" not in slim and "conv1/conv1_1" not in slim
    assert [name for name, layer in slim.items() if layer.within is None] == [
        "clone_0/conv1", "clone_0/pool1", "clone_0/conv2", "clone_0/pool2", "clone_0/conv3", "clone_0/pool3",
        "clone_0/conv4", "clone_0/pool4", "clone_0/conv5", "clone_0/pool5", "clone_0/fc6", "clone_0/fc7",
        "clone_0/pixel_cls", "clone_0/pixel_link",
    ]  # fmt: skip
    assert (slim["clone_0/conv1/conv1_1"].type, slim["clone_0/conv1/conv1_1"].output_shape) == (
        "Conv2D",
        (8, 512, 512, 64),
    )
    assert slim["clone_0/conv1/conv1_1"].params == 3 * 3 * 3 * 64 + 64
    # Its opened clone's boxes count what the rows count (its kernels' L2 penalties, beside the weights at the
    # top, compute nothing with them).
    clone = wire.group_answer(corpus("pixel-link").analysis, "clone_0")["children"]
    counted = {c["name"]: c["shape_info"]["params"] for c in clone if "params" in c.get("shape_info", {})}
    assert counted == {name: slim[name].params for name in counted} and len(counted) == 9, counted
    agent = {layer.name: layer for layer in layers.summarize(corpus("impala-agent").analysis).layers}
    assert (agent["agent/unroll/lstm_cell"].type, agent["agent/unroll/lstm_cell"].params) == ("LSTMBlockCell", 544768)
    assert agent["agent/unroll/batch_apply/convnet/conv_2d"].output_shape == (168, 84, 84, 16)
    assert "agent/unroll" not in agent
    # A loop's step (TF1's ``rnn/while/basic_lstm_cell``) is its layer's, not a twin of its weights' scope; a
    # queue's labels lead to the loss, which is no layer.
    funds = [layer.name for layer in layers.summarize(corpus("funds-lstm").analysis).layers]
    assert "rnn/basic_lstm_cell" in funds and "sparse_softmax_cross_entropy_loss" not in funds


@pytest.mark.parametrize(
    "weights, computes, twin",
    [
        ("conv1/conv1_1", "clone_0/conv1/conv1_1", True),  # TF-Slim's clone
        ("agent/batch_apply/linear", "agent/unroll/batch_apply/linear", True),  # Sonnet's unroll
        ("linear/linear_model/age", "linear/linear_model/linear/linear_model/linear/linear_model/age", True),
        ("rnn/basic_lstm_cell", "rnn/while/basic_lstm_cell", False),  # the RNN's own loop runs its cell
        ("dense", "gradients/dense", False),  # its gradient
        ("a/dense", "a/dense_1", False),  # another layer
        ("a/dense", "a/x/dense/y", False),  # not a mirror of it
    ],
)
def test_a_twin_mirrors_the_weights_scope_inside_other_scopes(weights, computes, twin):
    assert layers._twin_of(weights, computes) is twin


def test_a_canned_estimators_partitioned_layers_are_its_hidden_layers(roles_graphs):
    """A canned Estimator (TF1's DNNLinearCombinedClassifier) partitions its variables: a hidden layer's kernel is
    ``dnn/hiddenlayer_0/kernel/part_0``, a variable in the scope of the partitioned variable's own name. Taken for
    a layer's weights beside each other, they were the rows (``dnn/hiddenlayer_0/kernel · Dense`` without output,
    ``…/bias · Weights``); the partitioned variable is now the weight, and the hidden layer its row, with its
    output and its count. The statistic each hidden layer's summary computes beside it (``dnn/zero_fraction``, a
    scalar only summaries read) is no layer; the feature columns made dense are a DenseFeatures layer; the linear
    model's weight in two parts, joined in its own scope, is owned where its sums are, a LinearModel. (Its
    input queue is above the layers' level, as a placeholder would be.)"""
    summary = layers.summarize(roles_graphs["roles_tf1_canned_dnn_linear"].analysis)
    rows = [(layer.name, layer.type, layer.output_shape, layer.params, layer.within) for layer in summary.layers]
    assert rows == [
        ("dnn/input_from_feature_columns", "DenseFeatures", (8, 6), 0, None),
        ("dnn/hiddenlayer_0", "Dense", (8, 8), 6 * 8 + 8, None),
        ("dnn/hiddenlayer_1", "Dense", (8, 4), 8 * 4 + 4, None),
        ("dnn/logits", "Dense", (8, 1), 4 + 1, None),
        ("linear/linear_model_1/linear_model", "LinearModel", (8, 1), 6 + 1, None),
        ("linear/linear_model_1/linear_model/x", "Dense", (8, 1), 6, "linear/linear_model_1/linear_model"),
    ], rows
    assert (summary.total_params, summary.trainable_params) == (104, 104)
    # The boxes say what the rows say: the deep part's layers, and the linear model's sums counting the weight
    # read out of its parts' scope.
    analysis = roles_graphs["roles_tf1_canned_dnn_linear"].analysis
    deep = {c["name"]: c.get("shape_info", {}).get("params") for c in wire.group_answer(analysis, "dnn")["children"]}
    assert {name: params for name, params in deep.items() if params} == {
        "dnn/hiddenlayer_0": 56,
        "dnn/hiddenlayer_1": 36,
        "dnn/logits": 5,
    }
    sums = wire.group_answer(analysis, "linear/linear_model_1/linear_model")["children"]
    assert {c["name"]: c["shape_info"].get("params") for c in sums if "shape_info" in c}[
        "linear/linear_model_1/linear_model/x"
    ] == 6
    # The same on guesslang's canned DNN-and-linear classifier (tf.contrib.learn): its DNN was rows of
    # ``weights`` (typed Dense, no output) and ``biases`` scopes, with ``Activation`` rows beside them.
    guesslang = {layer.name: layer for layer in layers.summarize(corpus("guesslang").analysis).layers}
    deep_rows = [(name, row.type, row.output_shape, row.params) for name, row in guesslang.items() if row.within]
    assert deep_rows == [
        ("dnn/input_from_feature_columns", "DenseFeatures", (2, 1024), 0),
        ("dnn/hiddenlayer_0", "Dense", (2, 256), 1024 * 256 + 256),
        ("dnn/hiddenlayer_1", "Dense", (2, 64), 256 * 64 + 64),
        ("dnn/hiddenlayer_2", "Dense", (2, 16), 64 * 16 + 16),
        ("dnn/logits", "Dense", (2, 1), 16 + 1),
    ], deep_rows
    assert guesslang["linear"].params == 1024 + 1
    # Its linear part multiplies ``linear//weight`` by the features at the top level, then adds its bias and
    # reshapes in ``linear``: typed by its product (it was a Reshape), its output the logit.
    assert (guesslang["linear"].type, guesslang["linear"].output_shape) == ("Dense", (2, 1))
    # census's canned linear classifier (TF 2's feature columns) makes each column's weight in
    # ``linear/linear_model/age`` and weighs the column in ``linear/linear_model/linear/linear_model/linear/
    # linear_model/age``, a mirror of the weight's scope inside more than one scope: that scope is the layer, with
    # its output (the rows of the weights' scopes had none). Each categorical column is weighed by a sparse lookup
    # of its resource variable (a ``ResourceGather``, its read too, and a ``SparseSegmentSum``): an Embedding (it was
    # ``Weights``, then a ``Concatenate`` by the shape its lookup computes); a numeric one a Dense.
    census = {layer.name: layer for layer in layers.summarize(corpus("census-estimator").analysis).layers}
    at = "linear/linear_model/linear/linear_model/linear/linear_model/"
    assert census["linear/linear_model"].type == "LinearModel"
    assert census[at + "education"].type == census[at + "workclass"].type == "Embedding"
    assert (census[at + "age"].type, census[at + "age"].output_shape) == ("Dense", (128, 1))
    assert census[at + "education"].output_shape == (None, 1)
    assert not [name for name in census if name.startswith("linear/linear_model/") and not name.startswith(at)]
    # funds-lstm's Estimator reads its batches from numpy_input_fn's queue at its layers' level: the queue's
    # filler was a row typed by the queue (``enqueue_input · FIFOQueueV2``), the batch taken one typed by its op;
    # the batch is the input, the filler no layer.
    funds = [(layer.name, layer.type) for layer in layers.summarize(corpus("funds-lstm").analysis).layers]
    assert funds[0] == ("fifo_queue_DequeueMany", "InputLayer") and "enqueue_input" not in dict(funds), funds


def test_a_tf1_bidirectional_lstm_reads_as_keras_lists_one(roles_graphs):
    """TF1's ``bidirectional_dynamic_rnn`` makes each direction's cell weights in ``bidirectional_rnn/fw/lstm_cell``
    and runs each loop beside them (``fw/fw/while``), the cells' outputs dropped by a ``DropoutWrapper``. The
    summary listed the cells' weights as rows of a ``Layer`` and the forward loop as a ``Dropout`` (the backward
    one was in the ``Layer``, no row); ``DropoutWrapperInit`` scopes of constants nothing reads were rows typed
    ``Const``. Now: a Bidirectional of two LSTMs, each holding its cell's weights."""
    summary = layers.summarize(roles_graphs["roles_tf1_bilstm"].analysis)
    rows = [(layer.name, layer.type, layer.output_shape, layer.params, layer.within) for layer in summary.layers]
    cell = (16 + 10 + 1) * 4 * 10
    assert rows == [
        ("ids", "InputLayer", (None, 12), 0, None),
        ("lengths", "InputLayer", (None,), 0, None),
        ("embedding", "Embedding", (None, 12, 16), 500 * 16, None),
        ("bidirectional_rnn", "Bidirectional", (None, 12, 10), 2 * cell, None),
        ("bidirectional_rnn/fw", "LSTM", (None, 12, 10), cell, "bidirectional_rnn"),
        ("bidirectional_rnn/fw/lstm_cell", "Weights", False, cell, "bidirectional_rnn/fw"),
        ("bidirectional_rnn/bw", "LSTM", (None, 12, 10), cell, "bidirectional_rnn"),
        ("bidirectional_rnn/bw/lstm_cell", "Weights", False, cell, "bidirectional_rnn/bw"),
        ("strided_slice", "StridedSlice", (None, 10), 0, None),
        ("strided_slice_1", "StridedSlice", (None, 10), 0, None),
        ("concat", "Concatenate", (None, 20), 0, None),
        ("output", "Dense", (None, 3), 20 * 3 + 3, None),
    ], rows


def test_a_tf1_iterators_batch_is_the_input_and_the_loss_it_feeds_is_no_layer(roles_graphs):
    """TF1 code reads its batches from a ``tf.data`` iterator: ``IteratorGetNext`` hands out the images (output 0,
    read once, by the first convolution) and the labels (output 1, read by the loss's and the metrics' ops). The
    input row's output was the labels' ``?`` (the tensor most ops read), and where the loss sits in a scope of its
    own (``sparse_softmax_cross_entropy_loss · DivNoNan``) it was a row: the iterator's outputs that reach no
    parameters are the targets, as a queue's are, and a layer's output is what the listed layers read."""
    summary = layers.summarize(roles_graphs["roles_tf1_cnn_schedule"].analysis)
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers]
    assert rows == [
        ("IteratorGetNext", "InputLayer", (None, 28, 28, 1), 0),
        ("conv1", "Conv2D", (None, 28, 28, 16), 3 * 3 * 16 + 16),
        ("bn1", "BatchNormalization", (None, 28, 28, 16), 4 * 16),
        ("pool1", "MaxPooling2D", (None, 14, 14, 16), 0),
        ("conv2", "Conv2D", (None, 14, 14, 32), 3 * 3 * 16 * 32 + 32),
        ("bn2", "BatchNormalization", (None, 14, 14, 32), 4 * 32),
        ("flatten", "Flatten", (None, 6272), 0),
        ("dropout", "Dropout", (None, 6272), 0),
        ("logits", "Dense", (None, 10), 6272 * 10 + 10),
    ], rows
    # The same pipeline with the loss in the scope TF1's ``tf.losses`` names (no ``loss`` scope around it).
    pipeline = layers.summarize(roles_graphs["roles_tf1_data_pipeline"].analysis)
    rows = [(layer.name, layer.type, layer.output_shape) for layer in pipeline.layers]
    assert rows == [
        ("IteratorGetNext", "InputLayer", (None, 784)),
        ("fc1", "Dense", (None, 128)),
        ("drop", "Dropout", (None, 128)),
        ("fc2", "Dense", (None, 10)),
    ], rows


def test_a_partitioned_embedding_table_is_one_embedding_layer(roles_graphs):
    """A table partitioned across parameter servers (``embedding/table/part_0``..``part_2``), looked up by TF1's
    ``embedding_lookup``: the ids split by part, each part gathered from, the rows stitched back, the result's
    shape concatenated. The table's scope was a ``Layer`` holding a row ``embedding/table · Embedding`` of no
    output; it is one Embedding layer, with the lookup's output and the three parts' rows counted."""
    analysis = roles_graphs["roles_tf1_partitioned_embedding"].analysis
    summary = layers.summarize(analysis)
    rows = [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers]
    assert rows == [
        ("ids", "InputLayer", (None, 5), 0),
        ("embedding", "Embedding", (None, 5, 8), 100 * 8),
        ("Mean", "GlobalAveragePooling1D", (None, 8), 0),
        ("hidden", "Dense", (None, 4), 8 * 4 + 4),
        ("logits", "Dense", (None, 1), 4 + 1),
    ], rows
    boxes = {c["name"]: c.get("shape_info", {}) for c in wire.group_answer(analysis, "")["children"]}
    assert boxes["embedding"] == {"params": 800, "trainable_params": 800, "output_shape": "?×5×8"}


def test_custom_layers_of_layers_are_typed_layer_not_by_one_op_inside_them(tf_written):
    """A model written the way Hugging Face's TensorFlow models are (subclassed tf_keras layers nested: a main
    layer preparing the attention mask itself and holding the embeddings, an encoder of blocks and a pooler).
    Typed by one op inside them, the main layer was a ``Reshape`` (its mask's), the encoder a
    ``BatchNormalization`` (its blocks' norms) and the embeddings a ``LayerNormalization``. A layer holding
    layers and computing beside them, or holding two blocks that each compute with weights of their own, is now
    a ``Layer`` (its class, a subclass of it, is not in the graph); the embeddings' table is gathered from. The
    counts are Keras's, and the main layer no longer claims its mask's shape for its output."""
    folder = tf_written("subclassed_transformer")
    with open(os.path.join(folder, "keras_summary.json")) as f:
        keras = json.load(f)
    ((_ref, graph, error),) = list(iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph))
    assert error is None
    summary = layers.summarize(analyze(graph))
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
    rows = {layer.name.rpartition("/")[2]: layer for layer in summary.layers}
    top = [(layer.name.rpartition("/")[2], layer.params) for layer in summary.layers if layer.within is None]
    assert top == [(k["name"], k["params"]) for k in keras["layers"]]
    types = {name: row.type for name, row in rows.items()}
    assert types == {
        "bert": "Layer",
        "embeddings": "Embedding",
        "encoder": "Layer",
        "pooler": "Dense",
        "dropout": "Dropout",
        "classifier": "Dense",
    }
    assert {rows[name].within for name in ("embeddings", "encoder", "pooler")} == {rows["bert"].name}
    # What leaves the main layer follows a top-k, which no shape rule follows: it has no shape, and the mask it
    # hands its encoder, (batch, 1, 1, tokens), is no output of it (it said so).
    assert all(row.output_shape != (8, 1, 1, 12) for row in summary.layers)
    assert (rows["encoder"].output_shape, rows["bert"].output_shape) == ((8, 12, 16), False)
    # Its positions are ``tf.range`` of the tokens' count, their embeddings ``[None]``-ed and added to the words'.
    assert rows["embeddings"].output_shape == (8, 12, 16)
    # Keras's legacy Adam (Hugging Face's AdamWeightDecay is one) updates each weight with one fused op that takes
    # the slots as inputs: m and v of every weight are the optimizer's state, counted beside the model (1,992 of
    # Keras's 11,591 were, those of the embeddings' sparse updates alone).
    slots = sum(v.size for v in summary.machinery_variables if v.shape)
    assert slots == 2 * keras["total"]
    assert summary.machinery_params >= keras["optimizer_params"] + keras["metric_params"]


@pytest.mark.parametrize("name", ["causal_transformer_keras3", "causal_transformer_tf_keras"])
def test_the_boxes_of_a_trace_carry_the_shapes_and_parameters_the_summary_lists(tf_written, name):
    """A trace records no tensor's shape, and passes every weight into the step as an argument outside the layers:
    the graph's boxes showed no shape and no parameter count where the summary listed them all (so did tf_keras's
    run graph, whose weights are captured placeholders). The boxes now say what the summary says: each edge's
    shape inferred as the summary infers it, each weight counted in the one box whose ops read it."""
    found = _summaries_keras_checked(tf_written(name))
    for kind, (analysis, summary) in found.items():
        top = [layer for layer in summary.layers if layer.within is None]
        group = analysis.tree.group_parent[top[0].name]
        boxes = {child["name"]: child.get("shape_info", {}) for child in wire.group_answer(analysis, group)["children"]}
        for layer in top:
            info = boxes[layer.name]
            assert info.get("params", 0) == layer.params, (kind, layer.name, info)
            # The last layer's too, though what it puts out leaves the group (for the loss, outside the model).
            assert info.get("output_shape") == "×".join(map(str, layer.output_shape)), (kind, layer.name, info)
        # Every group from the top down to the model's: its parameters in the box that holds the model, not in the
        # box of the step's arguments beside it (a trace's ``unknown_[0-23]``: each weight's handle passed in).
        chain = analysis.tree.chain(group)
        for outer, inner in zip(["", *chain], chain):
            children = wire.group_answer(analysis, outer)["children"]
            counted = {c["name"]: c["shape_info"]["params"] for c in children if "params" in c.get("shape_info", {})}
            assert counted == {inner: summary.total_params}, (kind, outer, counted)


def _slim_counts(written) -> dict:
    with open(os.path.join(os.path.dirname(written.logdir), "slim_counts.json")) as f:
        return json.load(f)


def test_a_slim_convolution_and_its_batch_norm_are_two_rows_each_counting_its_own(roles_graphs):
    """TF-Slim's ResNet-50 normalises each convolution inside its scope (``conv1/BatchNorm``, the ``normalizer_fn``
    of ``slim.conv2d``): the row ``conv1 · Conv2D`` counted its BatchNorm's 256 parameters with its kernel's 9,408,
    as a model counts the layers it holds. A convolution's row counts its kernel, its BatchNorm is the row beside
    it, as Keras lists a Conv2D and its BatchNormalization; the totals are Slim's own. Slim's softmax (the logits
    flattened to rows for the op and shaped back) is an ``Activation``, not a ``Reshape``."""
    written = roles_graphs["roles_tf1_slim_resnet"]
    counts = _slim_counts(written)
    summary = layers.summarize(written.analysis)
    rows = {layer.name: layer for layer in summary.layers}
    assert (summary.total_params, summary.trainable_params) == (counts["total"], counts["trainable"])
    conv1, norm = rows["resnet_v1_50/conv1"], rows["resnet_v1_50/conv1/BatchNorm"]
    kernel = counts["sizes"]["resnet_v1_50/conv1/weights"]
    assert (conv1.type, conv1.params, conv1.holds_layers) == ("Conv2D", kernel, 0)
    assert (norm.type, norm.params, norm.within) == ("BatchNormalization", 4 * 64, None)
    unit = "resnet_v1_50/block1/unit_1/bottleneck_v1/"
    for conv in ("shortcut", "conv1", "conv2", "conv3"):
        assert rows[unit + conv].params == counts["sizes"][f"{unit}{conv}/weights"]
        assert rows[unit + conv + "/BatchNorm"].within == rows[unit + conv].within == "resnet_v1_50/block1"
    # Every convolution's row is its kernel alone, every batch norm's its four vectors.
    for name, layer in rows.items():
        if layer.type == "Conv2D" and name + "/weights" in counts["sizes"]:
            biases = counts["sizes"].get(name + "/biases", 0)
            assert layer.params == counts["sizes"][name + "/weights"] + biases, name
    assert sum(layer.type == "BatchNormalization" for layer in summary.layers) == 53
    # A block still counts what it holds (Keras's row for a model used as a layer).
    assert rows["resnet_v1_50/block1"].params == sum(
        size for name, size in counts["sizes"].items() if name.startswith("resnet_v1_50/block1/")
    )
    assert (rows["resnet_v1_50/predictions"].type, rows["resnet_v1_50/predictions"].output_shape) == (
        "Activation",
        (None, 1, 1, 10),
    )
    entry = summary_table.summary_entry(written.analysis, {"run": "slim", "kind": "run_graph", "tag": None})
    assert entry["layers"][0]["name"] == "images" and entry["layers"][0]["type"] == "InputLayer"


def test_inputs_fed_from_two_scopes_above_the_layers_are_listed(roles_graphs):
    """Slim's Inception v3 computes in ``InceptionV3/InceptionV3/`` (its variable scope entered again), its heads in
    ``InceptionV3/Logits`` and ``InceptionV3/AuxLogits``, and is fed ``images`` from the top level, two scopes
    above: the summary listed no input. The rows share ``InceptionV3/``, said once above them; the input, above
    the model, is named whole."""
    written = roles_graphs["roles_tf1_slim_inception"]
    counts = _slim_counts(written)
    summary = layers.summarize(written.analysis)
    first = summary.layers[0]
    assert (first.name, first.type, first.output_shape) == ("images", "InputLayer", (None, 224, 224, 3))
    assert [layer.name for layer in summary.layers if layer.type == "InputLayer"] == ["images"]
    assert (summary.total_params, summary.trainable_params) == (counts["total"], counts["trainable"])
    rows = {layer.name: layer for layer in summary.layers}
    stem = rows["InceptionV3/InceptionV3/Conv2d_1a_3x3"]
    assert (stem.type, stem.output_shape, stem.params) == ("Conv2D", (None, 111, 111, 32), 3 * 3 * 3 * 32)
    assert rows["InceptionV3/InceptionV3/Conv2d_1a_3x3/BatchNorm"].params == 3 * 32  # no scale: beta, mean, variance
    entry = summary_table.summary_entry(written.analysis, {"run": "slim", "kind": "run_graph", "tag": None})
    assert entry["scope"] == "InceptionV3/"
    labels = {row["name"]: row["label"] for row in entry["layers"]}
    assert labels["images"] == "images"
    assert labels["InceptionV3/Logits/Conv2d_1c_1x1"] == "Logits/Conv2d_1c_1x1"
    text = summary_table.format_text({"graphs": [entry], "errors": []}).splitlines()
    assert text[1] == "  layers in InceptionV3/"
    # (A traced step's captured variables, resource placeholders at its top level, are weights, not inputs:
    # test_a_run_graph_of_a_step_compiled_whole_is_its_steps_graph.)


# -- PyTorch's add_graph graphs ----------------------------------------------------------------------------------
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def fixture_analysis(name: str):
    ((_, graph, error),) = list(iter_graphs(os.path.join(FIXTURES, name), graph_source.load_graph))
    assert error is None, error
    return analyze(graph)


def test_a_pytorch_graphs_rows_are_its_modules_counted_as_pytorch_counts_them():
    """PyTorch's ``add_graph`` writes each module's ops in its scope (``SmallNet/Conv2d[conv]``) and reads its
    parameters through ``prim::GetAttr``, with no shape. The summary was one row, ``SmallNet · aten::batch_norm``,
    and 0 parameters. Its rows are now the modules, typed by their class, with what leaves each and the parameters
    that the shapes around them say exactly: ``sum(p.numel() for p in model.parameters())`` is 15,950 for the demo's
    SmallNet (a 3→8 convolution of 3×3, 224; two affine batch norms of 8 and 10 channels, 16 and 20, their running
    statistics buffers; a linear layer of 1,568→10, 15,690)."""
    entry = summary_table.summary_entry(demo_analysis("pytorch_add_graph"), {"run": "pytorch_add_graph"})
    rows = [(r["label"], r["type"], r["output_shape_text"], r["params"]) for r in entry["layers"]]
    assert entry["scope"] == "SmallNet/"
    assert rows == [
        ("Conv2d[conv]", "Conv2d", "2×8×14×14", 224),
        ("BatchNorm2d[bn]", "BatchNorm2d", "2×8×14×14", 16),
        ("Dropout[drop]", "Dropout", "2×8×14×14", 0),
        ("Linear[fc]", "Linear", "2×10", 15_690),
        ("BatchNorm1d[bn_fc]", "BatchNorm1d", "2×10", 20),
    ]
    assert (entry["total_params"], entry["trainable_params"], entry["unknown_variables"]) == (15_950, 15_950, 0)
    assert entry["holds_variables"] is True  # counted: the status bar no longer says "no variables"
    assert "no variables" not in summary_table.totals_line(entry)


def qualified(name: str) -> str:
    """A module's qualified name as PyTorch gives it (``features.0``) from its scope
    (``NestedNet/Sequential[features]/Conv2d[0]``); a ModuleList's block computes in ``Res/Block[0]``, without the
    list's ``ModuleList[blocks]``."""
    return ".".join(part[part.index("[") + 1 : -1] for part in name.split("/")[1:])


@pytest.mark.parametrize(
    "fixture, unknown",
    [
        # A convolution striding by 2: 3 or 4 as its kernel give the same output; its container with it.
        ("pytorch_nested", {"features", "features.7"}),
        # Residual blocks in an nn.ModuleList, a transposed convolution, a group norm: every size told.
        ("pytorch_blocks", set()),
        # An embedding's rows are nowhere in the graph; a 2-layer bidirectional LSTM's 8 weights are told.
        ("pytorch_text", {"embed"}),
    ],
)
def test_a_pytorch_models_rows_count_as_pytorch_counts_and_say_what_they_cannot(fixture, unknown):
    """Written by PyTorch with its own counts beside them (``scripts/make_pytorch_demo.py --fixture``): every
    module that computes is a row, containers (``nn.Sequential``, a block) holding theirs and counting them; every
    row's count is PyTorch's, but where a parameter's size is not in the graph: then its row (and its container's)
    says so, counting the others, and the totals say how many they leave out, never a guess."""
    counts = json.load(open(os.path.join(FIXTURES, fixture, "counts.json")))
    ref = {"run": fixture, "kind": "run_graph", "tag": None}
    entry = summary_table.summary_entry(fixture_analysis(fixture), ref)
    rows = {qualified(r["name"]): r for r in entry["layers"]}
    # An nn.ModuleList runs nothing itself: its blocks compute in the model's scope (``BlocksNet/Block[0]``).
    modules = {name.removeprefix("blocks."): n for name, n in counts["modules"].items() if name != "blocks"}
    assert rows.keys() == modules.keys()
    assert {name for name, r in rows.items() if r["unknown_params"]} == unknown
    assert all(rows[name]["params"] == modules[name] for name in rows.keys() - unknown)
    leaves = [name for name in unknown if not rows[name]["holds_layers"]]
    assert all(rows[name]["params"] < modules[name] for name in unknown)
    assert entry["total_params"] + sum(modules[n] - rows[n]["params"] for n in leaves) == counts["total"]
    assert entry["unknown_variables"] == len(leaves)


def test_a_strided_convolutions_row_counts_its_bias_and_says_its_kernel_is_unknown():
    """``features.7``, a convolution striding by 2 over 16×16 into 8×8 with a padding of 1: its bias (32) is
    counted, its weight said to be of unknown size, in the table as ``32 + ?``."""
    ref = {"run": "pytorch_nested", "kind": "run_graph", "tag": None}
    entry = summary_table.summary_entry(fixture_analysis("pytorch_nested"), ref)
    rows = {qualified(r["name"]): r for r in entry["layers"]}
    assert [r["label"] for r in entry["layers"]][:2] == ["Sequential[features]", "Conv2d[0]"]
    assert rows["features.0"]["within"] == entry["layers"][0]["name"]
    assert (rows["features.7"]["type"], rows["features.7"]["output_shape_text"]) == ("Conv2d", "2×32×4×4")
    assert rows["features.7"]["params"] == 32
    text = summary_table.format_text({"graphs": [entry]})
    assert re.search(r"Conv2d\[7\]\s+Conv2d\s+2×32×4×4\s+32 \+ \?", text), text
    assert "1 variable of unknown size not counted" in text


def test_an_embedding_whose_table_size_the_graph_does_not_say_reads_unknown_not_zero_plus_unknown():
    """An ``Embedding``'s only parameter is its table, whose row count no op's shape tells: the row said ``0 + ?``
    (and its box ``0 + ? params``), as if it held none and something more; it says ``?``."""
    ref = {"run": "pytorch_text", "kind": "run_graph", "tag": None}
    analysis = fixture_analysis("pytorch_text")
    entry = summary_table.summary_entry(analysis, ref)
    (embed,) = [r for r in entry["layers"] if r["label"] == "Embedding[embed]"]
    assert (embed["params"], embed["unknown_params"]) == (0, 1)
    assert summary_table.params_words(embed) == "?"
    text = summary_table.format_text({"graphs": [entry]})
    assert re.search(r"Embedding\[embed\]\s+Embedding\s+2×7×16\s+\?\n", text), text
    assert re.search(r"LayerNorm\[norm\]\s+LayerNorm\s+2×7×16\s+32\n", text), text
    box = {c["name"]: c.get("shape_info") for c in wire.group_answer(analysis, "TextNet")["children"]}
    assert box["TextNet/Embedding[embed]"]["unknown_params"] == 1 and box["TextNet/Embedding[embed]"]["params"] == 0


def test_a_pytorch_models_boxes_count_what_its_summary_counts():
    """A PyTorch graph holds no variable op: its boxes showed no parameters, and a convolution's box said
    ``2×16×16×16 +2`` (two constants a trace shares with later modules, a stride and a padding list, counted as
    tensors it puts out). A module's box now counts its row's parameters, the model's box every row's, each saying
    when some are of unknown size; what a box puts out is a tensor."""
    analysis = fixture_analysis("pytorch_nested")
    top = {c["name"]: c.get("shape_info") for c in wire.group_answer(analysis, "")["children"]}
    assert top["NestedNet"] == {
        "params": 7_946,
        "trainable_params": 7_946,
        "unknown_params": 1,
        "output_shape": "2×10",
    }
    inner = wire.group_answer(analysis, "NestedNet/Sequential[features]")["children"]
    info = {c["name"].rpartition("/")[2]: c.get("shape_info") for c in inner}
    assert info["Conv2d[0]"] == {"params": 448, "trainable_params": 448, "output_shape": "2×16×16×16"}
    assert info["Conv2d[7]"]["unknown_params"] == 1 and info["Conv2d[7]"]["params"] == 32
    assert info["ReLU[2]"] == {"output_shape": "2×16×16×16"}  # no parameters: none said
