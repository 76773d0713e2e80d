"""The answers the tab and the CLI give, on graphs written by real TensorFlow in the shapes users meet: one layer
reading the flag, two flags sharing readers, Dropout switched by a fed keep_prob, an is_training nothing reads, a
flag kept in a variable with its writers (tests/tf_written_answers.py, tests/tf_written_graphs.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse

import numpy as np
import pytest
from tensorboard.compat.proto.graph_pb2 import GraphDef

from demo import DEMO_LOGS, cli_report_json, demo_analysis
from oddgraphs import node
from roles_written import corpus
from tb_phaseview.analysis import answers, fixed_modes, graph_model, layers, phase, roles
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import summary_table, wire
from tb_phaseview.serve.wire import phase_text
from third_party_graphs import SHARED_GRAPHS

CLI = os.path.join(os.path.dirname(sys.executable), "tb-phaseview")
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
P = "data/plugin/phaseview/"


def analysis_of(folder: str):
    ((ref, graph, error),) = list(iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph))
    assert error is None, error
    return analyze(graph)


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=ENV, timeout=300)


# -- 2. the answer line on small cases ---------------------------------------------------------------------------


def test_one_reader_says_what_the_flag_does_to_that_layer(tf_written):
    answer = wire.answer_line(analysis_of(tf_written("one_reader_born_inside")))
    assert answer["layers"] == 1 and answer["flag"] == "dropout_1/keras_learning_phase"
    text = answer["text"]
    assert text.startswith(
        "Only `dropout_1` reads the learning-phase flag `dropout_1/keras_learning_phase` (old Keras created it "
        "inside that layer): it drops units at random while training and passes its input through at inference."
    )
    for wrong in ("0 other", "()", "ties 1", "1 layers", "looks connected"):
        assert wrong not in text


def test_cli_says_read_by_1_layer(tf_written):
    result = cli("report", os.path.join(tf_written("one_reader_born_inside"), "logs"))
    assert result.returncode == 0, result.stderr
    assert "read by 1 layer:" in result.stdout and "1 layers" not in result.stdout


# -- 3. two flags: distinct layers, each flag named with its readers, said once ------------------------------------


def test_two_flags_are_counted_as_distinct_layers_and_said_once(tf_written):
    analysis = analysis_of(tf_written("two_flags"))
    assert [len(s.layers) for s in analysis.phase.sources] == [11, 2]
    answer = wire.answer_line(analysis)
    assert answer["layers"] == 11
    assert answer["flags"] == [
        {"name": "keras_learning_phase", "layers": 11},
        {"name": "keras_learning_phase_1", "layers": 2},
    ]
    text = answer["text"]
    assert text.count("ties") + text.count("tie ") == 1 and "13 " not in text
    assert "`keras_learning_phase` (11 layers) and `keras_learning_phase_1` (2 layers)" in text
    assert "tie 11 Dropout layers together" in text


def test_cli_reports_the_distinct_count_of_two_flags(tf_written):
    logs = os.path.join(tf_written("two_flags"), "logs")
    (entry,) = cli_report_json(logs)["graphs"]
    assert entry["phase_layer_count"] == 11 and len(entry["phase_layers"]) == 13
    text = cli("report", logs).stdout
    assert "  11 distinct layers read these flags" in text
    # Layers in the order a person counts them, not in text order (dropout_1, dropout_10, dropout_11, dropout_2).
    listed = [line.split()[0] for line in text.splitlines() if line.startswith("    dropout_")][:11]
    assert listed == [f"dropout_{i}" for i in range(1, 12)]


# -- 6. without a flag, say what the graph has instead ---------------------------------------------------------------


def test_keep_prob_dropout_is_said_to_be_switched_by_the_fed_value(tf_written):
    text = wire.answer_line(analysis_of(tf_written("keep_prob_only")))["text"]
    assert "Dropout here is switched by the `keep_prob` value fed at run time" in text
    assert "TF2" not in text and "PyTorch" not in text


def test_an_unnamed_keep_prob_read_by_one_dropout_is_said_to_switch_it(tf_written):
    """The Deep MNIST tutorial feeds its dropout ``Placeholder_2`` and makes the rate at the top level (``sub``):
    no name said keep, and the answer was that the graph has no training switch at all."""
    folder = os.path.join(tf_written("tf1_deep_mnist"), "logs")
    for _ref, graph, _error in iter_graphs(folder, graph_source.load_graph):
        text = wire.answer_line(analyze(graph))["text"]
        assert "Dropout here is switched by the `Placeholder_2` value fed at run time" in text, text
        assert "TF2" not in text, text


def test_an_unused_is_training_is_said_to_be_declared_and_unread(tf_written):
    text = wire.answer_line(analysis_of(tf_written("unused_is_training")))["text"]
    assert "`is_training` is declared but no layer reads it" in text
    assert "TF2" not in text and "PyTorch" not in text


def test_a_pytorch_graph_says_the_mode_it_was_traced_in():
    """PyTorch's ``add_graph`` traces each BatchNorm and Dropout call with its mode as a constant argument
    (``aten::batch_norm``'s ``training``, ``aten::dropout``'s ``train``): the demo's model was traced in eval mode.
    The answer said only "TF2 `fit` graphs and PyTorch graphs have none", though the graph has 2 BatchNorm layers
    and a Dropout layer, each fixed in inference mode."""
    assert wire.answer_line(demo_analysis("pytorch_add_graph"))["text"] == (
        "No learning-phase flag: this graph has no training/inference switch: its mode was fixed when it was built."
        " Its 2 BatchNorm layers normalise with their moving averages and its Dropout layer passes its input"
        " through, as at inference."
    )


def test_a_pytorch_module_called_twice_is_one_layer_and_each_functional_dropout_another():
    """``add_graph`` traces in eval mode, but ``F.dropout(x, training=True)`` (Monte Carlo dropout) drops whatever
    the mode: written by PyTorch itself (``scripts/make_pytorch_demo.py --fixture``), a BatchNorm module applied
    twice (one layer, its scope ``MonteCarloNet/BatchNorm2d[bn]``) and two functional dropouts in the model's own
    scope (two layers)."""
    folder = os.path.join(os.path.dirname(__file__), "fixtures", "pytorch_mc_dropout")
    ((_, graph, error),) = list(iter_graphs(folder, graph_source.load_graph))
    assert error is None, error
    assert wire.answer_line(analyze(graph))["text"] == (
        "No learning-phase flag: this graph has no training/inference switch: its mode was fixed when it was built."
        " Its 2 Dropout layers drop units at random, as while training; its BatchNorm layer normalises with its"
        " moving averages, as at inference."
    )


@pytest.mark.skipif(not SHARED_GRAPHS, reason="the third-party graphs are not beside the repository")
def test_a_graph_without_batch_norm_or_dropout_is_said_to_have_none():
    """A TF1 Estimator's DNN and a frozen char-RNN have neither a flag nor a layer one would switch: the answer says
    so, where it said "(TF2 `fit` graphs and PyTorch graphs have none)", a guess at what the graph was."""
    for name in ("census-estimator", "char-rnn-frozen"):
        text = wire.answer_line(corpus(name).analysis)["text"]
        assert text == (
            "No learning-phase flag: this graph has no training/inference switch, and no BatchNorm or Dropout layer"
            " was found that one would switch."
        ), (name, text)
        assert "TF2" not in text and "PyTorch" not in text


def test_without_a_flag_the_answer_says_the_mode_the_layers_were_fixed_in(roles_graphs):
    """A graph without a flag still has BatchNorm and Dropout layers, fixed in one mode when it was built: TF2's
    ``fit`` traces its step with ``training=True`` (its dropouts drop), pix2pix passes ``training=True`` to every
    batch norm, an SSD export builds its batch norms for inference (one fused, one not). The answer said only
    that TF2 ``fit`` graphs and PyTorch graphs have no flag, for every one of them."""
    fit = wire.answer_line(demo_analysis("tf2_fit_no_flag"))
    assert fit["flag"] is None and fit["layers"] == 0
    assert fit["text"] == (
        "No learning-phase flag: this graph has no training/inference switch: its mode was fixed when it was built."
        " Its 2 BatchNorm layers normalise with each batch's own statistics and its 2 Dropout layers drop units at"
        " random, as while training."
    )
    pix2pix = wire.answer_line(roles_graphs["roles_tf1_pix2pix"].analysis)["text"]
    # The generator's 4 batch norms and the discriminator's 2 (called twice, on real and on generated pairs: the
    # same 2 layers), as the summary counts them; the decoder's dropout.
    assert pix2pix.endswith(
        "Its 6 BatchNorm layers normalise with each batch's own statistics and its Dropout layer drops units at"
        " random, as while training."
    ), pix2pix
    summarised = layers.summarize(roles_graphs["roles_tf1_pix2pix"].analysis).layers
    assert len([layer for layer in summarised if layer.type == "BatchNormalization"]) == 6
    ssd = wire.answer_line(roles_graphs["roles_tf1_box_predictor"].analysis)["text"]
    assert ssd.endswith("Its 2 BatchNorm layers normalise with their moving averages, as at inference."), ssd
    # Keras 3's GAN example calls its generator without ``training`` in its train step, twice: its one BatchNorm
    # runs for inference in both calls (no moments, no moving-average writes), counted once.
    gan = wire.answer_line(roles_graphs["roles_keras3_gan"].analysis)["text"]
    assert gan.endswith("Its BatchNorm layer normalises with its moving averages, as at inference."), gan
    # A LayerNorm normalises through tf.nn.batch_normalization too (its ops in ``LayerNorm/batchnorm``): no BatchNorm.
    albert = wire.answer_line(roles_graphs["roles_tf1_albert"].analysis)["text"]
    assert albert == wire.NO_FLAG_ANSWER, albert


def test_the_graph_route_gives_the_new_answers(start_server, tf_written):
    root = os.path.join(tf_written("two_flags"), "logs")
    server = start_server(root)
    status, graph = server.get(P + "graph?run=two_flags&kind=run_graph")
    assert status == 200
    assert graph["answer"]["layers"] == 11 and len(graph["answer"]["flags"]) == 2


# -- 4. a variable flag's writers are not readers that pick a computation ---------------------------------------------


def test_writers_of_a_variable_flag_are_explained_as_writers(tf_written):
    analysis = analysis_of(tf_written("variable_flag"))
    reads = {g: wire.group_phase(analysis, g) for g in analysis.phase_reach}
    keepers = {g: p for g, p in reads.items() if p and p["role"] == "reads" and p["layers"] == 0}
    assert {"\u2237init", "\u2237save"} <= set(keepers)
    for group, entry in keepers.items():
        text = entry["explanation"]
        assert "set, initialise or save the learning-phase flag is_training" in text, group
        assert "pick between a training and an inference computation" not in text
        assert "\u2237" not in text  # never the synthetic id of an area
    layer_reads = reads["drop/cond"]["explanation"]
    assert "pick the training or the inference computation" in layer_reads


def test_the_run_metadata_graph_files_no_forward_dropout_op_in_the_optimizer_area():
    """tf1_is_training's tagged run metadata (the step as it ran, functions inlined): drop2's forward ops are drawn in
    drop2, the optimizer area holds none of them, and no area's badge says it holds the ops of a layer, but the
    gradients area, whose badge says it holds their gradients."""
    analysis = demo_analysis("tf1_is_training", "tagged_run_metadata", "train_step_1")
    names = analysis.graph.names
    forward = [i for i, n in enumerate(names) if n.startswith(("drop1/", "drop2/"))]
    assert forward
    for i in forward:
        assert analysis.roles.name_of(i) not in ("optimizer", "gradient"), names[i]
        assert not analysis.path_of_node(i)[0].startswith("\u2237"), names[i]
    root = wire.group_answer(analysis, "")
    areas = {c["area"]: c for c in root["children"] if c.get("area")}
    assert areas["optimizer"]["phase"] is None
    for role, child in areas.items():
        text = (child["phase"] or {}).get("explanation", "")
        assert "holds the ops of" not in text, (role, text)
        if text:
            assert role == "gradient" and "holds the gradients of" in text, (role, text)


# -- 7. numbered series are one box each, as in the Graphs tab -----------------------------------------------------


def test_set_weights_plumbing_is_the_initialisers_in_numbered_series(tf_written):
    """tf_keras' set_weights on a 12-Dense model feeds each weight once: 23 Placeholder_N -> AssignVariableOp_N,
    each followed by a ReadVariableOp_N nothing uses. Weights set from outside are the initialisers', so the
    model's top level holds the layers alone; in the initialisers' area each run is one series box, and search, why
    and the summary reach through them."""
    analysis = analysis_of(tf_written("keras_set_weights"))
    root = wire.group_answer(analysis, "")
    tops = [c["name"] for c in root["children"]]
    assert not any(name.startswith(("Placeholder", "AssignVariableOp", "ReadVariableOp")) for name in tops), tops
    assert len(tops) < 20  # 12 Dense, 2 Dropout, the input, the flag, the initialisers
    assert sum(c.get("size", 1) for c in root["children"]) == analysis.graph.node_count
    init = wire.group_answer(analysis, "\u2237init")
    series = {c["name"]: c["series"] for c in init["children"] if "series" in c}
    for op in ("Placeholder", "AssignVariableOp", "ReadVariableOp"):
        assert series[f"\u2237init/{op}_[1-23]"] == {"op": op, "prefix": op, "first": 1, "last": 23, "count": 23}
    placeholder = analysis.graph.index["Placeholder_7"]
    assert analysis.roles.name_of(placeholder) == "init"
    assert analysis.role_why(placeholder).startswith("fed only to be written into a variable (`AssignVariableOp_7`")
    assign = analysis.graph.index["AssignVariableOp_7"]
    assert "the value fed to `Placeholder_7` (Keras's `set_weights`" in analysis.role_why(assign)
    inside = wire.group_answer(analysis, "\u2237init/Placeholder_[1-23]")
    assert [c["name"] for c in inside["children"]] == [f"Placeholder_{i}" for i in range(1, 24)]
    (hit,) = wire.search_answer(analysis, "Placeholder_7", False, 5)["matches"][:1]
    assert hit["name"] == "Placeholder_7" and hit["path"] == ["\u2237init", "\u2237init/Placeholder_[1-23]"]
    why = wire.why_answer(analysis, "\u2237init/Placeholder_[1-23]", "\u2237init/AssignVariableOp_[1-23]", view=True)
    assert why["total"] == 23 and why["a"]["ops"] == 23
    layers = [layer["name"] for layer in summary_table.summary_entry(analysis, {})["layers"]]
    assert layers[:2] == ["x", "dense_1"] and not any("[" in name for name in layers)
    # Every Dense layer's weights, 12 x (4 x 4 + 4), and trainable: set_weights is no update of the model's own.
    entry = summary_table.summary_entry(analysis, {})
    assert entry["total_params"] == entry["trainable_params"] == 240 and entry["non_trainable_params"] == 0


# -- 1. why connected: the view gets the CLI's answer ----------------------------------------------------------------


def test_the_why_route_for_two_boxes_gives_the_cli_answer(tensorboard_server):
    query = urllib.parse.urlencode(
        {"run": "resnet_old_keras", "kind": "run_graph", "a": "bnl_stg-1", "b": "bn2a_branch2a", "view": "1"}
    )
    status, answer = tensorboard_server.get(P + "why?" + query)
    assert status == 200
    result = cli("why", DEMO_LOGS, "bnl_stg-1", "bn2a_branch2a", "--run", "resnet_old_keras", "--json")
    expected = json.loads(result.stdout)
    assert answer["total"] == expected["total"] == 6
    # The view's answer adds, per kind, how many of its edges join the two boxes as drawn: none of the flag's, which
    # is drawn apart from bnl_stg-1's box.
    assert [{k: v for k, v in kind.items() if k != "drawn"} for kind in answer["kinds"]] == expected["kinds"]
    assert [kind["drawn"] for kind in answer["kinds"]] == [0]
    assert answer["a"]["apart"][0]["where"] == "bnl_stg-1/keras_learning_phase"


# -- 10. the CLI --------------------------------------------------------------------------------------------------


def test_cli_why_into_a_closed_pipe_ends_quietly():
    shell = f"'{CLI}' why '{DEMO_LOGS}' bnl_stg-1 bn2a_branch2a --run resnet_old_keras | head -1"
    result = subprocess.run(["bash", "-c", "set -o pipefail; " + shell], capture_output=True, text=True, env=ENV)
    assert result.stdout == "bnl_stg-1 <-> bn2a_branch2a: 6 op-level edges\n"
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr


def test_pytorch_module_inputs_of_getattr_are_not_warned_about_but_other_missing_inputs_are():
    analysis = demo_analysis("pytorch_add_graph")
    graph = analysis.graph
    assert graph.dangling_inputs and all(graph.ops[d] == "prim::GetAttr" for d, _ in graph.dangling_inputs)
    assert wire.graph_warnings(analysis) == []
    entry = wire.report_entry(analysis, {"run": "pytorch_add_graph", "kind": "run_graph", "tag": None})
    assert not any("not in the graph" in w for w in entry["warnings"])


def test_counts_of_thousands_of_layers_read_with_separators():
    """The sentences about a flag read by 17,280 layers (the 2M benchmark graph) write `17,280`, as every other
    count does; the browser test at 2M checks the answer line, the flag's box and the status bar."""
    layers = [f"bn_{k}" for k in range(17280)]
    assert answers.layers_phrase([phase.BATCH_NORMALIZATION] * 17280) == "17,280 BatchNorm layers"
    assert answers.layers_phrase([phase.BATCH_NORMALIZATION] * 1500 + [phase.DROPOUT] * 1200) == (
        "2,700 layers (1,500 BatchNorm, 1,200 Dropout)"
    )
    source = phase.PhaseSource(0, "bn_0/keras_learning_phase", "PlaceholderWithDefault", layers, "bn_0")
    assert "; 17,280 layers read it to switch" in phase_text.explain_source(source)
    assert "inside this layer; 17,280 layers read it;" in phase_text.explain_birthplace(source)
    assert phase_text.explain_contains("model", 17280).startswith("model holds 17,280 layers that read")


def test_a_parameter_count_reads_the_same_in_the_cli_as_in_the_tab():
    """One table (tests/fixtures/count_words.json), which the frontend's unit tests check its countWords against:
    rounded half up in integers on both sides (rounding floats, 12,500 was `12 k` here and `13 k` in the tab),
    `1,052.7 M` past a thousand millions, and what rounds to a thousand k as millions (`1.0 M`, not `1000 k`)."""
    with open(os.path.join(os.path.dirname(__file__), "fixtures", "count_words.json")) as f:
        cases = json.load(f)["cases"]
    assert [summary_table.count_words(n) for n, _ in cases] == [words for _, words in cases]
    entry = {"total_params": 1_052_744_400, "non_trainable_params": 7_257_600, "machinery_params": 2_880}
    assert summary_table.totals_line(entry) == (
        "1,052.7 M params (7.3 M non-trainable) · 2.9 k more in the machinery (optimizer slots, step counters)"
    )
    # A variable whose size the graph does not say is left out of the totals, and the line says so (no zero).
    assert summary_table.totals_line({**entry, "unknown_variables": 2}).endswith(
        " · 2 variables of unknown size not counted"
    )


def test_an_unfused_batch_norm_trains_when_it_writes_its_moving_averages():
    """A batch norm TensorFlow does not fuse (a dense layer's, ``fused=False``) normalises through
    tf.nn.batch_normalization's ops (``…/batchnorm/Rsqrt``), as a LayerNorm does. It trains when it writes its moving
    averages in its scope, whatever its name (the demo's ``bn1``: its BatchNorms were missed), or computes its batch's
    ``moments`` under a batch norm's name; without moments it uses its moving averages. A LayerNorm computes moments
    and writes nothing: no BatchNorm. The op scope ``batchnorm`` itself is no layer."""
    graph_def = GraphDef()
    for scope, moments, writes in (
        ("dense_bn/batch_normalization", True, False),
        ("fit_mlp/bn1", True, True),
        ("head/BatchNorm", False, False),
        ("bert/LayerNorm", True, False),
    ):
        if moments:
            node(graph_def, f"{scope}/moments/mean", "Mean")
        if writes:
            node(graph_def, f"{scope}/AssignMovingAvg", "AssignSubVariableOp")
        node(graph_def, f"{scope}/batchnorm/Rsqrt", "Rsqrt")
    graph = graph_model.build_graph(graph_def)
    codes = np.full(graph.node_count, roles.MODEL, dtype=np.uint8)
    assert fixed_modes.fixed_modes(graph, codes) == fixed_modes.FixedModes(
        batch_norm_training=2, batch_norm_inference=1
    )
