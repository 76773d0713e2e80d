"""The architecture diff on pairs of graphs written by real tf_keras and TensorFlow (tests/tf_written_diff.py):
which layers are matched, what changed in each, the machinery by size, what a frozen graph lost, and
``tb-phaseview diff`` as a CI job runs it."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess

import pytest

from demo import CLI
from tb_phaseview.analysis import diff
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.read.model_files import iter_model_graphs


@pytest.fixture(scope="module")
def pairs(tf_written):
    logs = os.path.join(tf_written("diff_pairs"), "logs")
    found = {}

    def analysis(run):
        if run not in found:
            [(ref, graph, error)] = list(iter_graphs(os.path.join(logs, run), graph_source.load_graph))
            assert error is None
            found[run] = analyze(graph)
        return found[run]

    analysis.logs = logs
    return analysis


def _compare(pairs, b, a="base"):
    return diff.diff_json(diff.compare(pairs(a), pairs(b)), {"run": a}, {"run": b})


BASE_LAYERS = [
    "conv2d_input",
    "conv2d",
    "batch_normalization",
    "max_pooling2d",
    "conv2d_1",
    "flatten",
    "dense",
    "dropout",
    "dense_1",
]


def test_identical_models_written_twice_report_no_change(pairs):
    answer = _compare(pairs, "base_again")
    assert not answer["differs"]
    assert answer["layers_same"] == [{"a": name, "b": name} for name in BASE_LAYERS]
    assert answer["layers_added"] == answer["layers_removed"] == answer["layers_changed"] == []
    assert answer["sentence"] == "Same architecture: all 9 layers match."
    assert all(area["a"] == area["b"] > 0 for area in answer["machinery"])


def test_layer_inserted_in_the_middle_matches_the_renumbered_layers_after_it(pairs):
    """A Conv2D inserted after the BatchNorm takes the name conv2d_1; base's conv2d_1 is now conv2d_2."""
    answer = _compare(pairs, "inserted")
    assert answer["layers_added"] == [{"b": "conv2d_1", "type": "Conv2D"}]
    assert answer["layers_removed"] == answer["layers_changed"] == []
    assert {"a": "conv2d_1", "b": "conv2d_2"} in answer["layers_same"]
    assert len(answer["layers_same"]) == 9
    assert [row["status"] for row in answer["rows"]].index("added") == 3  # drawn where it was inserted
    assert answer["sentence"] == "1 layer added: +`conv2d_1` (Conv2D)."
    # The machinery grows with the model; compared by size only.
    assert {a["role"] for a in answer["machinery"] if a["b"] > a["a"]} == {"init", "gradient", "optimizer"}


def test_dropout_rate_changed(pairs):
    answer = _compare(pairs, "dropout_rate")
    assert answer["layers_changed"] == [{"a": "dropout", "b": "dropout", "type": "Dropout", "what": ["rate 0.5 → 0.3"]}]
    assert answer["layers_added"] == answer["layers_removed"] == []
    assert answer["sentence"] == "1 layer changed: `dropout` rate 0.5 → 0.3."


def test_conv_filters_doubled_changes_it_and_what_its_output_reaches(pairs):
    answer = _compare(pairs, "filters")
    changed = {c["a"]: c["what"] for c in answer["layers_changed"]}
    assert changed["conv2d"] == [
        "filters 8 → 16",
        "output ?×14×14×8 → ?×14×14×16",
        "weights 3×3×3×8, 8 → 3×3×3×16, 16",
        "params 224 → 448",
    ]
    assert "params 32 → 64" in changed["batch_normalization"]
    assert changed["max_pooling2d"] == ["output ?×7×7×8 → ?×7×7×16"]
    assert changed["conv2d_1"] == ["weights 3×3×8×16, 16 → 3×3×16×16, 16", "params 1,168 → 2,320"]
    assert [s["a"] for s in answer["layers_same"]] == ["conv2d_input", "flatten", "dense", "dropout", "dense_1"]


def test_batch_norm_removed_and_who_reads_the_flag(pairs):
    answer = _compare(pairs, "no_bn")
    assert answer["layers_removed"] == [{"a": "batch_normalization", "type": "BatchNormalization"}]
    assert answer["layers_added"] == answer["layers_changed"] == []
    assert answer["a"]["flag_readers"] == ["batch_normalization", "dropout"]
    assert answer["b"]["flag_readers"] == ["dropout"]
    assert [f["name"] for f in answer["b"]["flags"]] == ["keras_learning_phase"]


def test_training_graph_against_its_frozen_inference_graph(pairs):
    """Weights frozen into constants count as the same parameters; the machinery and BatchNorm's moving-average
    update are what freezing lost."""
    answer = _compare(pairs, "frozen")
    assert answer["a"]["total_params"] == answer["b"]["total_params"] == 14289
    assert answer["b"]["frozen"] and not answer["a"]["frozen"]
    assert answer["layers_added"] == answer["layers_removed"] == []
    assert answer["layers_changed"] == [
        {
            "a": "batch_normalization",
            "b": "batch_normalization",
            "type": "BatchNormalization",
            "what": ["ops −Mul −Sub"],
        }
    ]
    assert len(answer["layers_same"]) == 8
    assert answer["machinery"] == [
        # Keras' lr_t arithmetic, which only the optimizer uses, is in the optimizer's area (roles.py), not init's.
        {"role": "init", "a": 102, "b": 0},
        {"role": "gradient", "a": 208, "b": 0},
        {"role": "optimizer", "a": 25, "b": 0},
    ]
    assert answer["lost"] == [
        "1 BatchNorm layer no longer updates its moving mean and variance: batch_normalization",
        "machinery gone: init (102 ops), gradient (208 ops), optimizer (25 ops)",
        "variables frozen into constants",
    ]


def test_graph_exported_for_inference_lost_its_flag_and_training_branches(pairs):
    """Built with the learning phase set to inference and frozen: the flag is gone, BatchNorm and Dropout no
    longer read it, the inference Dropout is a pass-through of the same name (changed, not removed), still a
    Dropout (an identity named as Keras names a Dropout; it was said to have become an ``Identity``)."""
    answer = _compare(pairs, "frozen_inference")
    assert answer["b"]["flags"] == [] and answer["b"]["flag_readers"] == []
    assert answer["layers_added"] == answer["layers_removed"] == []
    changed = {c["a"]: c["what"] for c in answer["layers_changed"]}
    assert changed == {
        "batch_normalization": ["ops −Mul −Sub", "no longer reads the learning-phase flag"],
        "dropout": [
            "ops −GreaterEqual −Mul −RandomUniform −SelectV2",
            "no longer reads the learning-phase flag",
        ],
    }
    assert answer["lost"][:2] == [
        "the learning-phase flag keras_learning_phase is gone",
        "2 layers no longer read the flag (training branch pruned): batch_normalization, dropout",
    ]
    assert answer["a"]["total_params"] == answer["b"]["total_params"] == 14289


def test_same_model_by_tf1_layers_and_by_tf_keras_matches_layer_for_layer(pairs):
    """Names differ throughout (conv1 against conv2d, fc1 against dense); structure matches them. The one change
    is real: tf.layers' last dense has no activation (the sigmoid is applied outside it)."""
    answer = _compare(pairs, "tf1_layers")
    assert answer["layers_same"] == [
        {"a": "conv2d_input", "b": "images"},
        {"a": "conv2d", "b": "conv1"},
        {"a": "batch_normalization", "b": "bn1"},
        {"a": "max_pooling2d", "b": "pool1"},
        {"a": "conv2d_1", "b": "conv2"},
        {"a": "flatten", "b": "flatten"},
        {"a": "dense", "b": "fc1"},
        {"a": "dropout", "b": "drop"},
    ]
    assert answer["layers_changed"] == [
        {"a": "dense_1", "b": "fc2", "type": "Dense", "what": ["activation sigmoid → linear"]}
    ]
    assert answer["b"]["flag_readers"] == ["bn1", "drop"]


def _cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


def test_cli_diff_json_and_exit_code_for_ci(pairs):
    logs = pairs.logs
    changed = _cli("diff", logs, logs, "--run-a", "base", "--run-b", "dropout_rate", "--json", "--exit-code")
    assert changed.returncode == 1, changed.stderr
    answer = json.loads(changed.stdout)
    assert answer["layers_changed"] == [{"a": "dropout", "b": "dropout", "type": "Dropout", "what": ["rate 0.5 → 0.3"]}]
    assert answer["a"]["run"] == "base" and answer["b"]["run"] == "dropout_rate"
    assert set(answer) >= {"layers_added", "layers_removed", "layers_changed", "layers_same", "machinery", "lost"}
    assert answer["a"]["machinery_areas"] == {"init": 102, "gradient": 208, "optimizer": 25}
    assert answer["a"]["flags"][0]["name"] == "keras_learning_phase"

    # Run folders given directly; no change exits 0 even with --exit-code.
    same = _cli("diff", os.path.join(logs, "base"), os.path.join(logs, "base_again"), "--exit-code")
    assert same.returncode == 0, same.stderr
    assert same.stdout.splitlines()[0] == "Same architecture: all 9 layers match."
    # Without --exit-code a difference is not a failure.
    assert _cli("diff", os.path.join(logs, "base"), os.path.join(logs, "no_bn")).returncode == 0


def test_cli_diff_refuses_what_names_no_single_graph(pairs, tmp_path):
    logs = pairs.logs
    several = _cli("diff", logs, os.path.join(logs, "base"))
    assert several.returncode == 2
    assert "holds several runs" in several.stderr and "--run-a" in several.stderr
    missing = _cli("diff", str(tmp_path / "nowhere"), logs)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    no_run = _cli("diff", logs, logs, "--run-a", "nosuch", "--run-b", "base")
    assert no_run.returncode == 2 and "no readable graph in run 'nosuch'" in no_run.stderr
    assert "Traceback" not in several.stderr + missing.stderr + no_run.stderr


def test_two_models_of_thousands_of_repeated_blocks_align_in_one_pass_with_each_change_found():
    """Layers of two graphs of a million nodes: one block repeated (30,000 and 6,000 layers), two layers changed in
    the smaller. SequenceMatcher's search over so many repeats took over a minute; past MATCH_LIMIT the layers
    align in one pass: every layer of the smaller pairs in order, each change is a stretch of its own, and the
    larger's extra blocks follow the last one."""
    block = ["Conv2D", "BatchNormalization", "Activation", "Add"]
    a, b = block * 7500, block * 1500
    b[10] = b[-3] = "Dense"
    assert len(a) * len(b) > diff.MATCH_LIMIT
    codes = diff._opcodes(a, b)
    assert codes == [
        ("equal", 0, 10, 0, 10),
        ("replace", 10, 11, 10, 11),
        ("equal", 11, 5997, 11, 5997),
        ("replace", 5997, 29998, 5997, 5998),  # the second change, with the larger's extra blocks after it
        ("equal", 29998, 30000, 5998, 6000),
    ]


def test_two_traces_layers_are_named_within_the_scope_each_sides_layers_share():
    """Two traces of one model hold their steps in ``graph_19/...`` and ``graph_25/...``: the sentence, the rows
    and the CLI's text name each layer within its side's shared scope (said once per side); JSON keeps whole
    names beside the labels."""
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    from oddgraphs import node
    from tb_phaseview.diff_cli import format_text

    def step(graph, layers):
        graph_def = GraphDef()
        node(graph_def, f"{graph}/x", "Placeholder")
        previous = f"{graph}/x"
        for layer in layers:
            scope = f"{graph}/StatefulPartitionedCall/net_1/{layer}"
            node(graph_def, f"{scope}/kernel", "VariableV2")
            node(graph_def, f"{scope}/MatMul", "MatMul", [previous, f"{scope}/kernel"])
            previous = f"{scope}/MatMul"
        return analyze(graph_def)

    ref = {"run": "train", "kind": "trace", "tag": "batch_1"}
    answer = diff.diff_json(
        diff.compare(step("graph_19", ["a_1", "b_1"]), step("graph_25", ["a_1", "b_1", "c_1"])), ref, ref
    )
    assert answer["sentence"] == "1 layer added: +`c_1` (Dense)."
    assert (answer["a"]["scope"], answer["b"]["scope"]) == (
        "graph_19/StatefulPartitionedCall/net_1/",
        "graph_25/StatefulPartitionedCall/net_1/",
    )
    # The input, fed from above the layers' scope, is named whole; the layers within the scope they share.
    fed, first = answer["rows"][0], answer["rows"][1]
    assert (fed["a"]["label"], fed["b"]["label"]) == ("graph_19/x", "graph_25/x")
    assert (first["a"]["label"], first["a"]["name"]) == ("a_1", "graph_19/StatefulPartitionedCall/net_1/a_1")
    text = format_text(answer)
    assert "layers in graph_25/StatefulPartitionedCall/net_1/" in text.splitlines()[2]
    assert "    a_1  Dense" in text.splitlines() and "  + c_1  Dense" in text.splitlines()


def test_a_models_training_trace_against_its_savedmodel_changes_only_what_inference_runs_otherwise(tf_written):
    """Keras 3's trace of a training step against the model's ``export()``: the layers pair by name; the
    convolution, the activation, the pooling and the dense layer are the same (the SavedModel's graph leaves out
    attributes at TensorFlow's default, the convolution's ``dilations``: that made it "changed" with nothing said),
    BatchNorm runs on its moving statistics instead of the batch's, and Dropout runs no op at inference."""
    folder = tf_written("saved_models")
    ((_ref, trace, error),) = list(iter_graphs(os.path.join(folder, "keras3_logs"), graph_source.load_graph))
    assert error is None
    ((_ref, export, error),) = list(iter_model_graphs(os.path.join(folder, "keras3")))
    assert error is None
    answer = diff.diff_json(diff.compare(analyze(trace), analyze(export)), {"run": "trace"}, {"run": "export"})
    same = [pair["a"].rpartition("/")[2] for pair in answer["layers_same"]]
    assert same == ["c1_1", "r1_1", "gap_1", "out_1"], same
    changed = {row["a"].rpartition("/")[2]: row["what"] for row in answer["layers_changed"]}
    assert list(changed) == ["bn1_1"] and changed["bn1_1"][0].startswith("ops −"), changed
    assert [(row["a"].rpartition("/")[2], row["type"]) for row in answer["layers_removed"]] == [("d_1", "Dropout")]
    assert all(row["what"] for row in answer["rows"] if row["status"] == "changed")


def test_one_models_run_graph_and_trace_are_the_same_architecture(tf_written):
    """tf_keras's ``fit`` writes the train function's run graph, in which each layer's weights are placeholders
    captured in the layer's scope, and the TensorBoard callback's trace, which passes them in as arguments outside
    any layer: the placeholders made every layer with weights "changed" (``ops +Placeholder``). They are the
    weights, not what the layer computes: every layer of the one model matches, the same."""
    graphs = {}
    for ref, graph, error in iter_graphs(
        os.path.join(tf_written("slash_named_tf_keras"), "logs"), graph_source.load_graph
    ):
        assert error is None
        graphs[ref["kind"]] = analyze(graph)
    answer = diff.diff_json(diff.compare(graphs["run_graph"], graphs["trace"]), {"run": "run"}, {"run": "trace"})
    assert answer["layers_changed"] == answer["layers_added"] == answer["layers_removed"] == []
    assert len(answer["layers_same"]) == 22  # the model's 20 layers, the input, the tied block's two
    assert not answer["differs"]


def test_a_weight_of_unknown_size_is_said_unknown_not_a_scalar():
    """A PyTorch convolution striding by 2 has a kernel the graph's sizes do not tell (the summary counts its bias,
    ``32 + ?``): compared with a convolution whose kernel is told, the diff said ``weights 32, scalar`` and
    ``params 32 → 2,304``, as if the kernel were a scalar and the layer held 32 parameters."""
    fixtures = os.path.join(os.path.dirname(__file__), "fixtures")

    def analysis(name):
        [(_, graph, error)] = list(iter_graphs(os.path.join(fixtures, name), graph_source.load_graph))
        assert error is None
        return analyze(graph)

    found = diff.compare(analysis("pytorch_nested"), analysis("pytorch_blocks"))
    (what,) = [what for x, y, what in found.changed if x.name.endswith("Sequential[features]/Conv2d[7]")]
    assert "weights 32, ? → 16×16×3×3" in what and "params 32 + ? → 2,304" in what, what
    same = diff.compare(analysis("pytorch_nested"), analysis("pytorch_nested"))
    assert not same.differs  # an unknown size matches itself
    # A layer none of whose weights' sizes is told (an embedding's table) holds "?" parameters, not "0 + ?".
    text = analysis("pytorch_text")
    (embed,) = [f for f in diff.side_of(text).layers if f.name.endswith("Embedding[embed]")]
    wider = dataclasses.replace(embed, weights=[(embed.weights[0][0], (100, 16))], params=1_600)
    assert "params ? → 1,600" in diff.describe(embed, wider)
