"""Shapes, the summary and colour by on graphs that are odd (broken names, cycles, dangling inputs, hostile
names) or written by other people's code: they answer, and what they say is consistent with the group answers."""

from __future__ import annotations

import os

import pytest
from google.protobuf import text_format
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, tensor_shape_pb2

from demo import demo_analysis
from oddgraphs import DT_FLOAT, hostile_graph, node, odd_graph, while_loop_graph
from tb_phaseview.analysis import colours, layers, shapes
from tb_phaseview.analysis.graph_model import build_graph_from_nodes
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import summary_table, wire
from third_party_graphs import SHARED_GRAPHS as THIRD_PARTY


def _check(analysis):
    summary = layers.summarize(analysis)
    assert summary.total_params == summary.trainable_params + summary.non_trainable_params >= 0
    entry = summary_table.summary_entry(analysis, {"run": "r", "kind": "run_graph", "tag": None})
    assert [layer["name"] for layer in entry["layers"]] == [layer.name for layer in summary.layers]
    root = wire.group_answer(analysis, "")
    # A call op's "· functions" group opens function bodies, not ops of the graph: it keeps its own colours.
    names = {child["name"] for child in root["children"] if "function_call" not in child}
    for by in colours.BY:
        assert set(colours.colour_answer(analysis, "", by)["values"]) == names
    for edge in root["edges"]:
        if "shape" in edge:
            assert edge["kind"] != "control" and edge["shape"]["tensors"] >= 1 and edge["shape"]["text"]
    return summary


@pytest.mark.parametrize("make", [odd_graph, hostile_graph, while_loop_graph])
def test_odd_graphs_answer(make):
    _check(analyze(make()))


def test_third_party_graphs_answer_and_count_the_optimizer_apart():
    if not THIRD_PARTY:
        pytest.skip("the third-party graphs are not here")
    seen = 0
    for ref, graph, error in iter_graphs(THIRD_PARTY, graph_source.load_graph):
        assert error is None, (ref, error)
        summary = _check(analyze(graph))
        seen += 1
        if ref["run"] == "tflearn-chatbot":
            # TFLearn's Adam keeps two slots per weight: as many as the weights, twice, plus its counters.
            assert summary.machinery_params >= 2 * summary.trainable_params
            dense = [layer for layer in summary.layers if layer.type == "Dense"]
            assert [layer.name for layer in dense] == ["FullyConnected", "FullyConnected_1", "FullyConnected_2"]
            assert sum(layer.trainable_params for layer in dense) == summary.trainable_params == 2992 + 72 + 90
    assert seen == 19


def _third_party(case):
    folder = f"{THIRD_PARTY}/{case}"
    if not THIRD_PARTY:
        pytest.skip("the third-party graphs are not here")
    for _ref, graph, error in iter_graphs(folder, graph_source.load_graph):
        assert error is None
        return analyze(graph)
    pytest.fail(f"no graph in {folder}")


def _box_params(analysis):
    root = wire.group_answer(analysis, "")
    return {c["name"]: c["shape_info"]["params"] for c in root["children"] if "params" in c.get("shape_info", {})}


def test_flags_unused_variables_and_running_averages_are_no_parameters():
    """TFLearn keeps a boolean ``is_training``, ``val_loss``/``val_acc`` fed for display and moving averages of the
    loss and accuracy: none is a layer's weight. Its targets sit in a scope (``TargetsData/Y``): the loss and the
    accuracy are no layers either. The model is 373 -> 8 -> 8 -> 10 dense layers."""
    tflearn = layers.summarize(_third_party("tflearn-chatbot"))
    assert [(layer.name, layer.type) for layer in tflearn.layers] == [
        ("InputData", "InputLayer"),
        ("FullyConnected", "Dense"),
        ("FullyConnected_1", "Dense"),
        ("FullyConnected_2", "Dense"),
    ]
    assert (tflearn.total_params, tflearn.non_trainable_params) == (373 * 8 + 8 + 8 * 8 + 8 + 8 * 10 + 10, 0)
    # A TF2 SavedModel's metric totals reach only its checkpoint call: Keras's summary of the CNN says 15,325. Its
    # layers are those its serving function runs (inlined), in order, with their shapes, after the signature's
    # 28x28x1 input.
    mnist = _third_party("mnist-tf2-savedmodel")
    summary = layers.summarize(mnist)
    assert summary.total_params == summary.trainable_params == 15325
    scope = "StatefulPartitionedCall/StatefulPartitionedCall/sequential_1/"
    assert [(layer.name, layer.type, layer.output_shape, layer.params) for layer in summary.layers] == [
        ("serving_default_input_layer", "InputLayer", (None, 28, 28, 1), 0),
        (scope + "conv2d_2", "Conv2D", (None, 26, 26, 50), 3 * 3 * 1 * 50 + 50),
        (scope + "max_pooling2d_1", "MaxPooling2D", (None, 13, 13, 50), 0),
        (scope + "conv2d_3", "Conv2D", (None, 11, 11, 25), 3 * 3 * 50 * 25 + 25),
        (scope + "max_pooling2d_2", "MaxPooling2D", (None, 5, 5, 25), 0),
        (scope + "conv2d_4", "Conv2D", (None, 3, 3, 15), 3 * 3 * 25 * 15 + 15),
        (scope + "global_average_pooling2d_1", "GlobalAveragePooling2D", (None, 15), 0),
        (scope + "output_layer", "Dense", (None, 10), 15 * 10 + 10),
    ]
    assert sum(_box_params(mnist).values()) == 15325
    # pix2pix's moving averages of its losses (scalars) are counted apart; BatchNorm's moving statistics stay.
    pix2pix = layers.summarize(_third_party("pix2pix-illustris"))
    names = {v.variable.name for layer in pix2pix.layers for v in layer.variables}
    assert not [name for name in names if name.endswith("/ExponentialMovingAverage")]
    assert any(name.endswith("batch_normalization/moving_mean") for name in names)
    assert pix2pix.non_trainable_params > 0


def test_box_parameters_agree_with_the_summary():
    """A Keras metric's ``total`` and ``count`` are no parameters: their boxes say none, as the summary does."""
    styx = _third_party("styx-keras")
    summary = layers.summarize(styx)
    boxes = _box_params(styx)
    assert (
        boxes
        == {"dense": 784 * 32 + 32, "dense_1": 32 * 10 + 10}
        == {layer.name: layer.params for layer in summary.layers if layer.params}
    )
    assert summary.total_params == sum(boxes.values())


def test_a_tf1_dropout_is_a_dropout_layer():
    """TF 1.x's ``tf.nn.dropout`` masks with ``floor(keep_prob + uniform)`` (no GreaterEqual): still a Dropout."""
    funds = layers.summarize(_third_party("funds-lstm"))
    dropout = [layer for layer in funds.layers if layer.name == "dropout"]
    assert len(dropout) == 1 and "Floor" in dropout[0].op_types and dropout[0].type == "Dropout"


def test_a_graph_without_variables_does_not_claim_zero_parameters():
    """A frozen Keras CNN's weights are constants: its summary counts them and says they are constants, instead
    of ``0 params`` or of saying nothing is counted."""
    frozen = summary_table.summary_entry(_third_party("arabic-digits-frozen"), {"run": "r", "kind": "run_graph"})
    assert frozen["holds_variables"] is False and frozen["total_params"] == frozen["frozen_params"] > 0
    assert "frozen graph: the weights are" in summary_table.totals_line(frozen)
    text = summary_table.format_text({"graphs": [frozen], "errors": []})
    assert "total params: 0" not in text and summary_table.NO_VARIABLES not in text
    trained = summary_table.summary_entry(_third_party("styx-keras"), {"run": "r", "kind": "run_graph"})
    assert trained["holds_variables"] is True
    assert summary_table.totals_line(trained).startswith("25 k params (0 non-trainable)")


def test_a_read_of_a_handle_has_the_shape_the_handle_declares():
    """A graph-mode tf_keras layer reads its kernel through ``dense/MatMul/ReadVariableOp`` of the ``VarHandleOp``
    ``dense/kernel``, whose ``shape`` attribute declares it; a graph written without ``_output_shapes``
    (``tf.io.write_graph``) records nothing else. Every layer after such a read had no output shape (styx's
    ``dense``); the read now has the handle's shape, and the layer its output."""
    graph = graph_pb2.GraphDef()
    node(graph, "x", "Placeholder", dtype=attr_value_pb2.AttrValue(type=DT_FLOAT), shape=_shape_attr(-1, 784))
    node(
        graph, "dense/kernel", "VarHandleOp", dtype=attr_value_pb2.AttrValue(type=DT_FLOAT), shape=_shape_attr(784, 32)
    )
    node(graph, "dense/MatMul/ReadVariableOp", "ReadVariableOp", ["dense/kernel"])
    node(graph, "dense/MatMul", "MatMul", ["x", "dense/MatMul/ReadVariableOp"])
    analysis = analyze(graph)
    read = analysis.graph.index["dense/MatMul/ReadVariableOp"]
    assert shapes.inferred_output_shape(analysis.graph, read, 0, {}) == (784, 32)
    assert shapes.inferred_output_shape(analysis.graph, analysis.graph.index["dense/MatMul"], 0, {}) == (None, 32)
    styx = {layer.name: layer.output_shape for layer in layers.summarize(_third_party("styx-keras")).layers}
    assert (styx["dense"], styx["dense_1"]) == ((None, 32), (None, 10)), styx


def _shape_attr(*dims):
    return attr_value_pb2.AttrValue(
        shape=tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in dims])
    )


def _function(library, name: str, body) -> None:
    """A function of one float argument ``a`` returning ``Identity``'s output, its body ``body(function)``."""
    function = library.function.add()
    function.signature.name = name
    function.signature.input_arg.add(name="a", type=1)
    function.signature.output_arg.add(name="out", type=1)
    body(function)
    function.ret["out"] = "Identity:output:0"


def test_a_calls_result_is_shaped_in_its_body_and_a_function_calling_itself_is_followed_a_few_calls_deep():
    """A call's output is inferred in the body it calls (Keras's grouped convolution is such a call), from the
    shapes it passes in; a function that calls itself is followed a few calls deep, then left unknown (it would
    recurse until Python's stack gave out), and the graph still answers."""
    from tensorboard.compat.proto import graph_pb2

    from tb_phaseview.analysis import shapes
    from tb_phaseview.analysis.graph_model import build_graph

    graph_def = graph_pb2.GraphDef()
    x = graph_def.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = 1
    for size in (2, 3):
        x.attr["shape"].shape.dim.add(size=size)
    for name, called in (("negated", "negate"), ("looped", "again")):
        call = graph_def.node.add(name=name, op="PartitionedCall", input=["x"])
        call.attr["f"].func.name = called

    def negate(function):
        function.node_def.add(name="neg", op="Neg", input=["a"]).attr["T"].type = 1
        function.node_def.add(name="Identity", op="Identity", input=["neg:y:0"])

    def again(function):
        function.node_def.add(name="inner", op="PartitionedCall", input=["a"]).attr["f"].func.name = "again"
        function.node_def.add(name="Identity", op="Identity", input=["inner:output:0"])

    _function(graph_def.library, "negate", negate)
    _function(graph_def.library, "again", again)
    graph = build_graph(graph_def)
    assert shapes.inferred_output_shape(graph, graph.index["negated"], 0, {}) == (2, 3)
    assert shapes.inferred_output_shape(graph, graph.index["looped"], 0, {}) is False
    _check(analyze(graph))


def test_a_scope_of_weights_read_elsewhere_puts_out_no_shape_and_types_the_loop_beside_it(tf_written):
    """TF1's ``dynamic_rnn`` keeps its cell's weights in ``rnn/lstm_cell/`` and reads them in the loop's body: the
    box ``lstm_cell`` showed ``9×24 +1``, its kernel's shape, as if it were what the cell puts out (so did
    IMPALA's ``agent/lstm_cell``, ``531×1024 +1``). A box's output shape is of what it computes; its weights
    are its parameters, and the edge that reads them still carries their shape."""
    folder = os.path.join(tf_written("tf1_rnn"), "logs")
    ((_ref, graph, error),) = list(iter_graphs(folder, graph_source.load_graph))
    assert error is None
    analysis = analyze(graph)
    answer = wire.group_answer(analysis, "rnn")
    boxes = {c["name"]: c.get("shape_info", {}) for c in answer["children"]}
    assert boxes["rnn/lstm_cell"] == {"params": (3 + 6) * 24 + 24, "trainable_params": 240}
    read = [e for e in answer["edges"] if e["from"] == "rnn/lstm_cell" and e["to"] == "rnn/while"]
    assert read and read[0]["shape"]["text"] == "9×24 +1"
    # The top level: the RNN's box puts out its outputs, all steps.
    top = {c["name"]: c.get("shape_info", {}) for c in wire.group_answer(analysis, "")["children"]}
    assert top["rnn"]["output_shape"] == "4×5×6"
    # The summary says the same: the cell's row is its weights, of no output shape.
    rows = {layer.name: layer for layer in layers.summarize(analysis).layers}
    assert (rows["rnn/lstm_cell"].type, rows["rnn/lstm_cell"].output_shape) == ("Weights", False)
    # And the loop beside it, TensorFlow 2's functional loop (its body a function), is the LSTM the cell's kernel
    # says, (3 inputs + 6 units) x (4 gates x 6 units); it was a `Layer`.
    assert (rows["rnn"].type, rows["rnn"].output_shape, rows["rnn"].params) == ("LSTM", (4, 5, 6), 240)
    # A GRUCell's weights are two scopes, its gates' kernel (3 + 5) x (2 x 5) and its candidate's (3 + 5) x 5.
    assert (rows["gru"].type, rows["gru"].output_shape, rows["gru"].params) == ("GRU", (4, 5, 5), 135)
    cell = {c["name"]: c.get("shape_info", {}) for c in wire.group_answer(analysis, "gru")["children"]}["gru/gru_cell"]
    assert cell == {"params": 135, "trainable_params": 135}
    if THIRD_PARTY:
        impala = wire.group_answer(_third_party("impala-agent"), "agent")
        cell = next(c for c in impala["children"] if c["name"] == "agent/lstm_cell")
        assert "output_shape" not in cell["shape_info"] and cell["shape_info"]["params"] == 544768


def _boxes(analysis, group: str) -> dict:
    return {c["name"]: c.get("shape_info", {}) for c in wire.group_answer(analysis, group)["children"]}


def _tf_written_analysis(tf_written, name: str):
    ((_ref, graph, error),) = list(iter_graphs(os.path.join(tf_written(name), "logs"), graph_source.load_graph))
    assert error is None
    return analyze(graph)


def test_a_tf1_loop_puts_out_its_final_state_not_the_flow_of_its_tensor_array(tf_written):
    """TF1's ``dynamic_rnn`` (control flow v1) hands its sibling ``TensorArrayStack`` the scalar flow of the
    TensorArray its steps were written to, and the head outside the RNN's scope its final state: the loop's box
    said ``scalar``, the one tensor it handed a sibling, as if the LSTM computed a number (so did funds-lstm's
    ``rnn/while``). A box's output is the largest tensor it hands on, out of the group drawn too."""
    analysis = _tf_written_analysis(tf_written, "tf1_rnn_v1_loop")
    rnn = _boxes(analysis, "rnn")
    assert rnn["rnn/while"]["output_shape"] == "4×6"
    assert rnn["rnn/TensorArrayStack"]["output_shape"] == "5×4×6"  # every step's output, gathered
    assert _boxes(analysis, "")["rnn"]["output_shape"] == "4×6"
    rows = {layer.name: layer for layer in layers.summarize(analysis).layers}
    assert (rows["rnn"].type, rows["rnn"].output_shape, rows["rnn"].params) == ("LSTM", (4, 6), (3 + 6) * 24 + 24)
    if THIRD_PARTY:
        assert _boxes(_third_party("funds-lstm"), "rnn")["rnn/while"]["output_shape"] == "50×256"


def test_a_tf2_loops_tensor_list_is_no_scalar(tf_written):
    """TensorFlow 2's ``dynamic_rnn`` keeps each step's output in a TensorList, a variant whose recorded shape is
    ``[]``: the loop's box and the edges that hand the list on said ``scalar``, as if the LSTM computed a number.
    A list is no tensor of a shape: it gets no label, and what stacks it says its shape."""
    analysis = _tf_written_analysis(tf_written, "tf1_rnn")
    answer = wire.group_answer(analysis, "rnn")
    boxes = {c["name"]: c.get("shape_info") or {} for c in answer["children"]}
    assert "output_shape" not in boxes["rnn/while"]
    assert boxes["rnn/TensorArrayV2Stack"]["output_shape"] == "5×4×6"
    lists = [e for e in answer["edges"] if (e["from"], e["to"]) in {
        ("rnn/while", "rnn/TensorArrayV2Stack"), ("rnn/TensorArrayV2", "rnn/while")}]  # fmt: skip
    assert len(lists) == 2 and not any("shape" in e for e in lists)
    state = [e for e in answer["edges"] if (e["from"], e["to"]) == ("rnn/LSTMCellZeroState", "rnn/while")]
    assert state[0]["shape"]["text"] == "4×6 +1"  # the tensors beside it keep theirs


def test_a_batch_norms_cond_puts_out_the_activations_not_its_moving_statistics():
    """Keras in graph mode wraps a BatchNorm's computation in ``bn1/cond``: the moving mean and variance go to its
    siblings (``AssignMovingAvg``), the normalised activations leave the layer for the next one. The cond's box
    said ``8``, the size of a statistic."""
    analysis = demo_analysis("dropout_cnn", "run_graph", None)
    bn = _boxes(analysis, "bn1")
    assert bn["bn1/cond"]["output_shape"] == "?×16×16×8"
    assert _boxes(analysis, "")["bn1"]["output_shape"] == "?×16×16×8"


def test_a_frozen_graphs_weights_are_no_output_of_their_layer():
    """A frozen graph keeps its weights as constants, read through ``read`` identities as variables are: a
    scope of weights put out its weight's shape (char-rnn's ``rnnlm/softmax_w``, ``128×57``) and a layer its
    weight's (deepmd's ``layer_0_type_0``, ``1200×240 +3``, the matrix, beside its activations)."""
    if not THIRD_PARTY:
        pytest.skip("the third-party graphs are not here")
    layer = _boxes(_third_party("deepmd-frozen"), "")["layer_0_type_0"]
    assert (layer["params"], layer["output_shape"].split(" ")[0]) == (288240, "?×240")  # not its 1200×240 matrix
    char_rnn = _boxes(_third_party("char-rnn-frozen"), "rnnlm")
    assert "output_shape" not in char_rnn["rnnlm/softmax_w"] and char_rnn["rnnlm/softmax_w"]["params"] == 128 * 57


_OLD_STYLE_INPUT = """
node { name: "Placeholder" op: "Placeholder"
       attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "shape" value { shape { } } } }
node { name: "add/y" op: "Const"
       attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { } float_val: 1.0 } } } }
node { name: "add" op: "Add" input: "Placeholder" input: "add/y" attr { key: "T" value { type: DT_FLOAT } } }
"""


@pytest.mark.parametrize(
    "producer, shape",
    [(8, False), (21, False), (None, False), (22, ()), (1645, ())],
    ids=["producer 8", "producer 21", "no versions", "producer 22", "producer 1645"],
)
def test_an_empty_placeholder_shape_is_unknown_in_an_old_graph(producer, shape):
    """``tf.placeholder(tf.float32)`` wrote ``shape {}`` until GraphDef producer 21 (its default then), and
    TensorFlow still reads that as any shape (its placeholder's shape function); later producers write an unknown
    shape as ``unknown_rank`` and ``shape {}`` is a scalar. vocal-autoencoder (producer 8) feeds audio frames
    through such a placeholder: its input row said ``scalar``. Every reader of a graph keeps its producer."""
    graph_def = text_format.Parse(_OLD_STYLE_INPUT, graph_pb2.GraphDef())
    if producer is not None:
        graph_def.versions.producer = producer
    for graph in (
        graph_source.load_graph("run_graph", graph_def.SerializeToString()),  # read by columns
        graph_source.build_checked(graph_def),  # parsed whole (run metadata, inlined calls)
    ):
        assert graph.producer == (producer or 0)
        assert shapes.inferred_output_shape(graph, graph.index["Placeholder"], 0, {}) == shape
        assert (
            shapes.inferred_output_shape(graph, graph.index["add"], 0, {}) == shape
        )  # what follows from it, as TensorFlow infers
        entry = summary_table.summary_entry(analyze(graph), {"run": "r", "kind": "run_graph", "tag": None})
        row = next(layer for layer in entry["layers"] if layer["name"] == "Placeholder")
        assert row["type"] == "InputLayer" and row["output_shape_text"] == ("scalar" if shape == () else "")
    # A function's body (no GraphDef of its own) reads its scalar arguments as scalars.
    assert build_graph_from_nodes(list(graph_def.node), list(graph_def.node), {}).producer is None


def test_the_corpus_old_autoencoder_takes_no_scalar_input():
    vocal = summary_table.summary_entry(_third_party("vocal-autoencoder"), {"run": "r", "kind": "run_graph"})
    assert vocal["layers"][0]["name"] == "Placeholder" and vocal["layers"][0]["output_shape"] is None
