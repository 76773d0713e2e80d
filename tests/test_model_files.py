"""`tb-phaseview report` on model files: a GraphDef (.pb, .pbtxt, frozen or not), a .meta MetaGraphDef and a
SavedModel directory, written by real TensorFlow from the same tf_keras model as a logdir run."""

from __future__ import annotations

import json
import os
import re

import pytest

from tb_phaseview.analysis import layers
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.read.model_files import iter_model_graphs
from test_cli import run_cli

IDENTITY = ("run", "kind", "tag")
_CALLED = re.compile(r"_\d+$")  # Keras 3 names the scope of each call of a layer ``<name>_<n>``


def report(path: str) -> dict:
    result = run_cli("report", path, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def without_identity(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key not in IDENTITY}


@pytest.fixture(scope="module")
def model_files(tf_written):
    folder = tf_written("model_files")
    logdir = {g["run"]: without_identity(g) for g in report(os.path.join(folder, "logs"))["graphs"]}
    return os.path.join(folder, "files"), logdir


@pytest.mark.parametrize(
    "file,run,kind,tag",
    [
        ("model.pb", "model", "graph_def", None),
        ("model.pbtxt", "model", "graph_def", None),
        ("model.meta", "model", "meta_graph", None),
        ("frozen.pb", "frozen", "graph_def", None),  # variables turned into constants, pruned to the output
        ("saved_model", "saved", "saved_model", "serve"),  # its graph holds the SavedModel saver's ops
    ],
)
def test_a_model_file_gives_the_same_report_as_the_logdir_it_came_from(model_files, file, run, kind, tag):
    files, logdir = model_files
    path = os.path.join(files, file)
    (entry,) = report(path)["graphs"]
    assert (entry["run"], entry["kind"], entry["tag"]) == (path, kind, tag)
    assert without_identity(entry) == logdir[run]
    (source,) = entry["phase_sources"]
    assert source["name"] == "keras_learning_phase" and source["default"] is False
    assert source["ops_only_when"]["true"] > 0 and source["ops_only_when"]["false"] > 0


def test_a_frozen_graph_still_holds_the_flag_and_its_layers(model_files):
    _, logdir = model_files
    frozen, model = logdir["frozen"], logdir["model"]
    assert frozen["nodes"] < model["nodes"]
    assert frozen["phase_layers"] == model["phase_layers"]


def test_text_report_of_a_saved_model(model_files):
    files, _ = model_files
    result = run_cli("report", os.path.join(files, "saved_model"))
    assert result.returncode == 0, result.stderr
    assert "saved_model  tag=serve" in result.stdout
    assert "default: false" in result.stdout and "ops that run only when it is true (training): " in result.stdout


def test_a_file_that_is_no_model_exits_2_with_one_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = run_cli("report", str(path), "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert "is not a model file" in result.stderr and result.stderr.strip().count("\n") == 0


def test_a_corrupt_graph_file_is_reported_as_that_graph_s_error(tmp_path):
    path = tmp_path / "broken.pb"
    path.write_bytes(b"\x0a\xff\xff\xff\xff\x0f garbage")
    (entry,) = report(str(path))["graphs"]
    assert "corrupt" in entry["error"]


def test_a_text_graph_that_does_not_parse_exits_2(tmp_path):
    path = tmp_path / "broken.pbtxt"
    path.write_text("node { name: ")
    result = run_cli("report", str(path))
    assert result.returncode == 2 and "is not a text GraphDef" in result.stderr


def test_keras3s_export_has_no_optimizer_and_counts_the_models_weights_once(tf_written):
    """Keras 3's ``model.export()`` saves each weight through a variable of its own, initialised from the weight's
    value in its own ``Initializer`` scope: read as a copy of weights made from variables alone, those were the
    optimizer's (an exported model has none) and were counted beside the model's as its state."""
    folder = tf_written("keras3_export")
    with open(os.path.join(folder, "counts.json")) as f:
        keras = json.load(f)
    path = os.path.join(folder, "export")
    (entry,) = report(path)["graphs"]
    assert entry["kind"] == "saved_model" and entry["node_roles"]["optimizer"] == 0, entry["node_roles"]
    assert entry["edge_counts"]["optimizer"] == 0
    result = run_cli("summary", path, "--json")
    assert result.returncode == 0, result.stderr
    (summary,) = json.loads(result.stdout)["graphs"]
    assert (summary["total_params"], summary["machinery_params"]) == (keras["total"], 0)
    result = run_cli("report", path, "--json", "--nodes")
    (listed,) = json.loads(result.stdout)["graphs"]
    roles = {node["name"]: node["role"] for node in listed["node_list"]}
    own = [name for name in roles if name.startswith("Variable") and name.endswith("/Assign")]
    assert len(own) == 5 and {roles[name] for name in own} == {"init"}  # two kernels, two biases, the seed state
    ((_ref, graph, error),) = list(iter_model_graphs(path))
    analysis = analyze(graph)
    why = analysis.role_why(analysis.graph.index[own[0]])
    assert "its initial value, read from `" in why and "/Initializer/` scope" in why, why


# Keras's class of a layer its author named where the graph of an inference cannot tell it: a ReLU layer is a Relu
# op (as an Activation layer is), and tf_keras's Dropout at inference an Identity. Named by Keras (``dropout``),
# a Dropout is one.
_INFERENCE_TYPES = {("r1", "ReLU"): "Activation", ("d", "Dropout"): "Identity"}


@pytest.mark.parametrize("name", ["tf_keras", "keras3"])
def test_a_tf2_savedmodels_summary_lists_keras_layers_from_its_serving_function(tf_written, name):
    """A TF2 SavedModel keeps its model's ops in the serving signature's functions; its graph holds the variables
    and the calls. The summary had only the variables to go by (rows named after them, typed ``Weights``, no
    shapes, in no data-flow order, no pooling or flattening). The serving call is now inlined, and the summary is
    Keras's: each layer in order with its class, output shape and parameters (tf_keras's Dropout, an Identity at
    inference, is one when Keras named it), after the signature's input (``serving_default_…``, an
    ``InputLayer`` above the model's scope, as Keras's functional summary lists its input first). The checkpoint's
    save and restore stay calls, the machinery's."""
    folder = tf_written("saved_models")
    with open(os.path.join(folder, f"{name}.json")) as f:
        keras = json.load(f)
    # Keras 3 runs an InputLayer and, at inference, Dropout as no op at all: no row for them.
    expected = [
        k for k in keras["layers"] if k["class"] != "InputLayer" and not (name == "keras3" and k["class"] == "Dropout")
    ]
    ((_ref, graph, error),) = list(iter_model_graphs(os.path.join(folder, name)))
    assert error is None
    analysis = analyze(graph)
    summary = layers.summarize(analysis)
    scope = layers.model_scope([(layer.name, layer.type) for layer in summary.layers])
    assert scope.endswith(("/tfk/", "/k3cnn_1/")), scope
    fed = summary.layers[0]
    assert fed.name.startswith("serving_default_") and "/" not in fed.name
    assert (fed.type, fed.output_shape, fed.params) == ("InputLayer", (None, 16, 16, 3), 0)
    rows = [
        (_CALLED.sub("", layer.name.rpartition("/")[2]), layer.type, layer.output_shape, layer.params)
        for layer in summary.layers[1:]
    ]
    assert rows == [
        (k["name"], _INFERENCE_TYPES.get((k["name"], k["class"]), k["class"]), tuple(k["output_shape"]), k["params"])
        for k in expected
    ]
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
    checkpoint = [n for n, op in enumerate(graph.ops) if op == "StatefulPartitionedCall"]
    assert checkpoint and {analysis.roles.name_of(n) for n in checkpoint} <= {"save", "model"}
    assert {
        analysis.roles.name_of(n) for n in checkpoint if "traced_save" in graph.node_defs[n].attr["f"].func.name
    } == {"save"}


def test_a_savedmodel_loaded_as_a_layer_is_a_layer_not_its_call_op(tf_written):
    """A model exported, then loaded as a frozen layer of another (Keras's TFSMLayer; TF Hub's KerasLayer is used
    so): the layer's one computing op calls the loaded function. Its row was typed ``StatefulPartitionedCall``; it
    is a ``Layer`` (its class is not in the graph), its weights counted as Keras counts them, none trainable. The
    trace of the first step also records the functions that restore the loaded weights, each reading one out and
    returning it: thirty rows (``graph_8 _Retval 216``) and 262 parameters too many, the same weights again."""
    folder = tf_written("saved_models")
    with open(os.path.join(folder, "hub.json")) as f:
        keras = json.load(f)
    ((_ref, graph, error),) = list(iter_graphs(os.path.join(folder, "hub_logs"), graph_source.load_graph))
    assert error is None
    summary = layers.summarize(analyze(graph))
    rows = [(_CALLED.sub("", layer.name.rpartition("/")[2]), layer.type, layer.params) for layer in summary.layers]
    assert rows == [("hub", "Layer", 292), ("head", "Dense", keras["layers"][-1]["params"])]
    assert (summary.total_params, summary.trainable_params) == (keras["total"], keras["trainable"])
