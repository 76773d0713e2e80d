"""The layer summary of frozen graphs (weights held as constants, no shapes recorded) and of models used as layers
inside models, against real graphs: the third-party frozen Keras CNN and char-RNN, ALBERT's nested scopes, and a
tf_keras model with nested Sequential models written at test time, whose numbers Keras itself reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tb_phaseview.analysis import layers, shapes
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import summary_table, wire
from third_party_graphs import SHARED_GRAPHS as THIRD_PARTY

HERE = os.path.dirname(os.path.abspath(__file__))
# Ops that hold or pass on a value without computing: a layer made of these only may be typed by them.
HOLDING = {"Const", "Identity", "Snapshot", "NoOp", "VariableV2", "VarHandleOp", "ReadVariableOp", "Placeholder"}


def _analysis(folder):
    for _ref, graph, error in iter_graphs(folder, graph_source.load_graph):
        assert error is None
        return analyze(graph)
    pytest.fail(f"no graph in {folder}")


def _third_party(case):
    if not THIRD_PARTY:
        pytest.skip("the third-party graphs are not here")
    return _analysis(f"{THIRD_PARTY}/{case}")


def _box_params(analysis):
    root = wire.group_answer(analysis, "")
    return {c["name"]: c["shape_info"]["params"] for c in root["children"] if "params" in c.get("shape_info", {})}


def _tensorflow_shapes(tmp_path, graph_path, command="static_shapes") -> dict:
    """TensorFlow's own static shapes of a GraphDef's tensors (or, ``run_shapes``, those it computes running the
    graph), in a fresh process (tests/tf_written_shapes.py)."""
    out = tmp_path / f"{command}.json"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run(
        [sys.executable, os.path.join(HERE, "tf_written_shapes.py"), command, str(graph_path), str(out)],
        check=True,
        env=env,
        timeout=600,
    )
    return json.loads(out.read_text())


def test_a_frozen_keras_cnn_is_summarised_as_keras_summarises_it():
    """arabic-digits: a Keras Sequential (Conv2D, MaxPooling2D, Flatten, Dense) frozen to a GraphDef. The dense
    layers' weights are constants: still Dense layers, with Keras's parameter counts (kernel + bias), and the
    Flatten is Keras 2's Shape/StridedSlice/Prod/stack/Reshape."""
    analysis = _third_party("arabic-digits-frozen")
    summary = layers.summarize(analysis)
    assert [(layer.name, layer.type) for layer in summary.layers] == [
        ("conv2d_1_input", "InputLayer"),
        ("conv2d_1", "Conv2D"),
        ("max_pooling2d_1", "MaxPooling2D"),
        ("conv2d_2", "Conv2D"),
        ("max_pooling2d_2", "MaxPooling2D"),
        ("flatten_1", "Flatten"),
        ("dense_1", "Dense"),
        ("dense_2", "Dense"),
        ("dense_3", "Dense"),
    ]
    params = {layer.name: layer.params for layer in summary.layers if layer.params}
    # 7x7 kernels on 1 then 64 channels, 64 filters; 11x7x64 = 4928 flattened into 64, 32, 10 units.
    assert params == {
        "conv2d_1": 7 * 7 * 1 * 64 + 64,
        "conv2d_2": 7 * 7 * 64 * 64 + 64,
        "dense_1": 4928 * 64 + 64,
        "dense_2": 64 * 32 + 32,
        "dense_3": 32 * 10 + 10,
    }
    assert summary.total_params == summary.trainable_params == summary.frozen_params == sum(params.values())
    assert summary.frozen_weights == 10
    assert all(v.frozen for layer in summary.layers for v in layer.variables)
    # The boxes of the graph view say what the summary says.
    assert _box_params(analysis) == params


def test_a_frozen_graphs_shapes_are_inferred_only_where_tensorflow_agrees(tmp_path):
    """The frozen graphs record no shapes: what the summary infers (placeholders, constants, convolutions,
    pooling, Keras's flatten, matmuls) never contradicts TensorFlow's own inference, and equals the shapes
    TensorFlow computes running the graph (a batch of 2 for an unknown dimension) on every dimension it claims;
    a dimension it cannot be sure of is unknown, never guessed."""
    if not THIRD_PARTY:
        pytest.skip("the third-party graphs are not here")
    checked = 0
    for case, original in (("arabic-digits-frozen", "model.h5.pb"), ("char-rnn-frozen", "frozen_model.pb")):
        analysis = _analysis(f"{THIRD_PARTY}/{case}")
        graph = analysis.graph
        assert shapes.output_shape(graph, 0) is False  # no shape recorded: all that follows is inferred
        path = f"{THIRD_PARTY}/{case}/{original}"
        tensorflow = _tensorflow_shapes(tmp_path, path)
        ran = _tensorflow_shapes(tmp_path, path, "run_shapes")
        known: dict = {}
        for node in range(graph.node_count):
            ours = shapes.inferred_output_shape(graph, node, 0, known)
            if ours is False:
                continue
            name = f"{graph.names[node]}:0"
            theirs, computed = tensorflow[name], ran[name]
            assert theirs is not None and len(theirs) == len(ours) == len(computed), (name, ours, theirs)
            assert all(a is None or b is None or a == b for a, b in zip(ours, theirs)), (name, ours, theirs)
            assert all(a is None or a == c for a, c in zip(ours, computed)), (name, ours, computed)
            checked += 1
        if case == "arabic-digits-frozen":
            rows = {layer.name: layer.output_shape for layer in layers.summarize(analysis).layers}
            outputs = {
                "conv2d_1_input": "conv2d_1_input",
                "conv2d_1": "conv2d_1/Relu",
                "max_pooling2d_1": "max_pooling2d_1/MaxPool",
                "conv2d_2": "conv2d_2/Relu",
                "max_pooling2d_2": "max_pooling2d_2/MaxPool",
                "flatten_1": "flatten_1/Reshape",
                "dense_1": "dense_1/Relu",
                "dense_2": "dense_2/Relu",
                "dense_3": "dense_3/Softmax",
            }
            # TensorFlow's inference stops at the flatten (a shape computed in the graph); running it does not.
            assert {name: list(shape) for name, shape in rows.items()} == {
                name: [None, *ran[f"{op}:0"][1:]] for name, op in outputs.items()
            }
            assert rows["flatten_1"] == (None, 11 * 7 * 64)
    assert checked > 100


def test_a_frozen_char_rnn_names_what_each_scope_computes_never_const():
    """char-rnn: an embedding, a two-layer LSTM statically unrolled, a softmax, all weights frozen. The scope of
    the embedding table is an Embedding (a gather reads it), the unrolled cells (computed in ``rnnlm_1`` with the
    constants of ``rnnlm``, static_rnn's second entry into its scope: the same layer) an LSTM, the zero state Zeros,
    the scopes that only hold the cells' weights Weights; parameters as the cells declare them."""
    analysis = _third_party("char-rnn-frozen")
    summary = layers.summarize(analysis)
    types = {layer.name: layer.type for layer in summary.layers}
    assert types == {
        "input_data": "InputLayer",
        "MultiRNNCellZeroState": "Zeros",
        "rnnlm": "LSTM",
        "embedding": "Embedding",
        "split": "Split",
        "rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell": "Weights",
        "rnnlm/multi_rnn_cell/cell_1/basic_lstm_cell": "Weights",
        "concat": "Concatenate",
        "Reshape": "Reshape",
    }
    vocabulary, units = 57, 128
    cell = (2 * units) * (4 * units) + 4 * units  # [input, state] -> four gates
    params = {layer.name: layer.params for layer in summary.layers}
    assert params["embedding"] == vocabulary * units
    assert params["rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell"] == cell
    # rnnlm holds both cells' weights (inside it) and the softmax's, as Keras counts a model used as a layer.
    assert params["rnnlm"] == 2 * cell + units * vocabulary + vocabulary
    assert summary.total_params == vocabulary * units + 2 * cell + units * vocabulary + vocabulary
    assert _box_params(analysis) == {"embedding": params["embedding"], "rnnlm": params["rnnlm"]}
    assert [layer.within for layer in summary.layers if layer.within] == ["rnnlm", "rnnlm"]


def test_no_layer_that_computes_is_typed_const():
    """On every third-party graph: a layer's type comes from what it computes, never from a constant it holds."""
    if not THIRD_PARTY:
        pytest.skip("the third-party graphs are not here")
    seen = 0
    for _ref, graph, error in iter_graphs(THIRD_PARTY, graph_source.load_graph):
        assert error is None
        for layer in layers.summarize(analyze(graph)).layers:
            if set(layer.op_types) - HOLDING:
                assert layer.type != "Const", layer.name
        seen += 1
    assert seen == 19


def test_a_gradient_a_frozen_graph_computes_is_typed_as_one():
    """DeePMD's frozen potential computes its forces as its energy's gradient, in TensorFlow's ``gradients`` scope:
    a row of the model (inference runs it), typed by its last op it was ``ZeroPadding2D`` (a Pad of the backward
    pass). It is ``Gradients``, with its output."""
    rows = {layer.name: layer for layer in layers.summarize(_third_party("deepmd-frozen")).layers}
    assert (rows["gradients"].type, rows["gradients"].output_shape) == ("Gradients", (None, 2400))


def test_the_totals_of_a_frozen_graph_say_its_weights_are_constants():
    frozen = summary_table.summary_entry(_third_party("arabic-digits-frozen"), {"run": "r", "kind": "run_graph"})
    assert frozen["holds_variables"] is False
    assert (frozen["total_params"], frozen["frozen_params"], frozen["frozen_weights"]) == (521834, 521834, 10)
    assert summary_table.totals_line(frozen) == (
        "522 k params (0 non-trainable) · frozen graph: the weights are 10 constants (521,834 values)"
    )
    text = summary_table.format_text({"graphs": [frozen], "errors": []})
    assert "total params: 521,834  trainable: 521,834  non-trainable: 0" in text
    assert "frozen graph: the weights are 10 constants (521,834 values)" in text
    assert summary_table.NO_VARIABLES not in text
    dense = next(layer for layer in frozen["layers"] if layer["name"] == "dense_1")
    assert [(v["name"], v["shape"], v["frozen"]) for v in dense["variables"]] == [
        ("dense_1/kernel", [4928, 64], True),
        ("dense_1/bias", [64], True),
    ]
    assert dense["output_shape"] == [None, 64] and dense["within"] is None and dense["holds_layers"] == 0
    trained = summary_table.summary_entry(_third_party("styx-keras"), {"run": "r", "kind": "run_graph"})
    assert (trained["frozen_params"], trained["frozen_weights"]) == (0, 0)
    assert all(v["frozen"] is False for layer in trained["layers"] for v in layer["variables"])


def test_layers_of_a_model_used_as_a_layer_keep_their_types(tf_written):
    """tf_keras, graph mode: Sequential models used as layers. Each inner layer is a row with Keras's class,
    output shape and parameters; the Sequential's row counts its layers' parameters as Keras does, and the
    totals count each weight once."""
    folder = tf_written("keras_nested")
    keras = json.load(open(os.path.join(folder, "counts.json")))
    analysis = _analysis(os.path.join(folder, "logs"))
    summary = layers.summarize(analysis)
    rows = {layer.name.rpartition("/")[2]: layer for layer in summary.layers}
    assert [layer.name for layer in summary.layers] == [
        f"{k['within']}/{k['name']}" if k["within"] else k["name"] for k in keras["layers"]
    ]
    for k in keras["layers"]:
        row = rows[k["name"]]
        assert (row.type, row.params, row.within) == (k["class"], k["params"], k["within"]), k["name"]
        if k["output_shape"] is not None:
            assert list(row.output_shape) == k["output_shape"], k["name"]
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (
        keras["total"],
        keras["trainable"],
        keras["non_trainable"],
    )
    assert rows["block"].holds_layers == 3 and rows["head"].holds_layers == 3
    boxes = _box_params(analysis)
    assert boxes == {layer.name: layer.params for layer in summary.layers if layer.params and not layer.within}


def test_albert_scopes_inside_scopes_are_typed_and_counted_once():
    """ALBERT's attention projections and layer norms sit inside ``bert/encoder``: each is a typed row; the
    encoder's row counts them, the totals count each variable once (as the boxes of the graph view do)."""
    analysis = _third_party("albert-tiny-savedmodel")
    summary = layers.summarize(analysis)
    types = {layer.name: layer.type for layer in summary.layers}
    attention = "bert/encoder/layer_shared/attention"
    assert {types[f"{attention}/self/{p}"] for p in ("query", "key", "value")} == {"Dense"}
    assert types[f"{attention}/output/LayerNorm"] == "LayerNormalization"
    assert types["bert/pooler/dense"] == "Dense" and types["bert/pooler"] != "Const"
    own = sum(layer.own_params for layer in summary.layers)
    assert summary.total_params == own == sum(_box_params(analysis).values())
    encoder = next(layer for layer in summary.layers if layer.name == "bert/encoder")
    inside = [layer for layer in summary.layers if layer.name.startswith("bert/encoder/")]
    assert encoder.params == encoder.own_params + sum(layer.own_params for layer in inside) > 0


def test_weight_sizes_are_read_without_keeping_the_weights():
    """A frozen weight's size is read from its constant's bytes without its values, for all of them in one
    parse: the same shapes and dtypes as a full parse of each NodeDef, and no NodeDef (with its megabytes of
    weights) kept by the graph afterwards."""
    for case in ("arabic-digits-frozen", "char-rnn-frozen"):
        graph = _third_party(case).graph
        nodes = [n for n in range(graph.node_count) if graph.ops[n] == "Const"]
        graph.node_defs._parsed.clear()
        lazy = shapes.constants(graph, nodes)
        assert not graph.node_defs._parsed  # nothing parsed in full, nothing kept
        one_by_one = {n: shapes.constant(graph, n) for n in nodes}
        assert lazy == one_by_one
        for n in nodes:
            tensor = graph.node_defs[n].attr["value"].tensor  # the full parse
            assert lazy[n].shape == shapes.shape_of_proto(tensor.tensor_shape)
            assert lazy[n].dtype == shapes.dtype_name(tensor.dtype)
