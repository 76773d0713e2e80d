"""The first view opens the groups down to the scope a graph's layers share: a trace's model sits a few groups down
(``graph_22/StatefulPartitionedCall/keras3_cnn_1``), and its top level showed five boxes and nothing of it; so
does a SavedModel's, inside its serving call."""

from __future__ import annotations

import os

from tensorboard.compat.proto.graph_pb2 import GraphDef

from demo import demo_analysis
from oddgraphs import node
from tb_phaseview.analysis import layers, pipeline
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.read.model_files import iter_model_graphs
from tb_phaseview.serve import first_open
from tb_phaseview.serve.wire import graph_answer


def test_a_keras3_trace_opens_down_to_its_models_layers(roles_graphs):
    fit = roles_graphs["roles_keras3_fit"]
    analysis = analyze(fit.analysis.graph)
    answer = graph_answer(analysis, {"run": "r", "kind": "trace", "tag": "batch_1"})
    step = fit.traced_step
    assert answer["opened"] == [step.partition("/")[0], step, f"{step}/keras3_cnn_1"]
    # Each one a child of the one before it: the page opens them level by level from the top.
    tree = analysis.tree
    assert [tree.group_parent[g] for g in answer["opened"]] == ["", *answer["opened"][:-1]]
    # Found from which scopes are layers, not from the summary's description of each (its shapes, types and
    # sizes, five times the cost), which the first view does not show.
    assert ("summary",) not in analysis._answers
    summary_names = [layer.name for layer in layers.summarize(analysis).layers]
    assert layers.layer_names(analysis) == summary_names


def test_a_gans_trace_opens_the_step_that_holds_both_models_and_no_further(roles_graphs):
    gan = roles_graphs["roles_tf2_gan"]
    (step,) = first_open.first_opened(gan.analysis)
    children, _ = gan.analysis.tree.children(step)
    assert {f"{step}/generator", f"{step}/discriminator"} <= set(children)


def test_one_layer_holding_all_the_others_is_opened(roles_graphs):
    """GPT-2's ``model`` holds its blocks (``model/h0``, ``model/h1``, ``model/ln_f``) and is the one layer at the top
    level beside its input: the first view showed it closed, beside the loss, and nothing of the blocks."""
    gpt2 = roles_graphs["roles_tf1_gpt2"].analysis
    assert first_open.first_opened(gpt2) == ["model"]
    children, _ = gpt2.tree.children("model")
    assert {"model/h0", "model/h1", "model/ln_f"} <= set(children)


def test_a_wide_top_level_or_a_large_graph_opens_nothing():
    # Layers at the top level (more than a dozen boxes) are what the first view shows already.
    assert first_open.first_opened(demo_analysis("resnet_tf_keras")) == []

    # A model in one scope, its layers a level down: opened while small; above the size whose groups can be
    # listed for free, the top level alone, as before.
    def one_scope(layers):
        graph_def = GraphDef()
        node(graph_def, "graph_1/x", "Placeholder")
        previous = "graph_1/x"
        for k in range(layers):
            node(graph_def, f"graph_1/model/dense_{k}/kernel", "VariableV2")
            node(graph_def, f"graph_1/model/dense_{k}/MatMul", "MatMul", [previous, f"graph_1/model/dense_{k}/kernel"])
            previous = f"graph_1/model/dense_{k}/MatMul"
        return analyze(graph_def)

    assert first_open.first_opened(one_scope(10)) == ["graph_1", "graph_1/model"]
    # A Keras 3 trace of a large model (NASNetMobile's is 58k nodes, EfficientNetB7's 65k) opens as a small one.
    big = one_scope(30_000)
    assert big.graph.node_count > 50_000 and first_open.first_opened(big) == ["graph_1", "graph_1/model"]
    large = one_scope(pipeline.TOP_LEVEL_AS_IS_NODES // 2 + 1)
    assert large.graph.node_count > pipeline.TOP_LEVEL_AS_IS_NODES and first_open.first_opened(large) == []


def test_a_trace_of_the_step_that_built_its_model_opens_it_past_the_functions_that_made_the_weights(tf_written):
    """A first step traced as it builds the model (Hugging Face's scripts do so): the trace holds, beside the step,
    a function for each weight's initial value (a draw, zeros, the value set) and for the input's iterator, each
    of a few ops in a ``graph_<n>`` box of its own. The draws, zeros and sets are the initialisers' (in their
    area, not the model's boxes), and the boxes left, small, no longer keep the model closed: the first view
    opens the step down to the scope its layers share."""
    folder = tf_written("subclassed_transformer")
    ((ref, graph, error),) = list(iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph))
    assert error is None
    analysis = analyze(graph)
    made = [n for n, op in enumerate(graph.ops) if op in ("StatelessRandomUniformV2", "Fill", "AssignVariableOp")]
    made = [n for n in made if "/" not in graph.names[n].partition("/")[2]]  # a function's own op, not the step's
    assert len(made) >= 10 and {analysis.roles.name_of(n) for n in made} == {"init"}
    whys = {graph.ops[n]: analysis.role_why(n) for n in made}
    assert (
        "makes a weight's initial value (`StatelessRandomUniformV2` of its arguments"
        in whys["StatelessRandomUniformV2"]
    )
    assert "sets a weight to the value it is passed" in whys["AssignVariableOp"]
    step_ops = [n for n, name in enumerate(graph.names) if "/tf_bert_for_sequence_classification/bert/" in name]
    assert {analysis.roles.name_of(n) for n in step_ops} >= {"model"}
    opened = graph_answer(analysis, ref)["opened"]
    assert opened and opened[-1].endswith("/tf_bert_for_sequence_classification")


def test_small_boxes_beside_the_model_do_not_keep_it_closed(tf_written):
    """Thirty boxes of two to six ops beside a traced step (the functions TensorFlow ran eagerly meanwhile: the
    input pipeline's datasets, a loaded SavedModel's weights read out, the checkpoint's file names), or a Keras 3
    export's variables, each in a box of its own beside the serving call: the first view opened nothing, for a
    top level of more than a dozen boxes. Boxes of fewer than SMALL_BOX_OPS ops do not count."""
    folder = tf_written("saved_models")
    ((_ref, trace, error),) = list(iter_graphs(os.path.join(folder, "hub_logs"), graph_source.load_graph))
    ((_ref, export, error_export),) = list(iter_model_graphs(os.path.join(folder, "keras3")))
    assert error is None and error_export is None
    for graph, model in ((trace, "with_hub_1"), (export, "k3cnn_1")):
        analysis = analyze(graph)
        top, _ = analysis.tree.children("")
        shown = [g for g in top if analysis.area_of_group(g) is None]
        assert len(shown) > first_open.MAX_TOP_LEVEL_BOXES, len(shown)
        opened = first_open.first_opened(analysis)
        assert opened and opened[-1].endswith("/" + model), opened


def test_a_tf_keras_fit_graph_opens_its_models_box_past_the_loss_and_metrics_beside_it(tf_written):
    """tf_keras's ``fit`` run graph (what the TensorBoard callback logs, the graph the tab shows first) holds the
    model in one box, ``masked · 60 ops``, among twenty-odd ops of the loss and the metrics at the top level (`Sum`,
    `div_no_nan`, `AssignAddVariableOp_1`): the first view showed that box closed, the layers out of sight. Loose ops
    do not keep the model closed; the trace of the same step opens down to it as before."""
    folder = tf_written("masked_text_tf_keras")
    graphs = {
        ref["kind"]: graph for ref, graph, _ in iter_graphs(os.path.join(folder, "logs"), graph_source.load_graph)
    }
    run_graph = analyze(graphs["run_graph"])
    groups, nodes = run_graph.tree.children("")
    shown = [g for g in groups if run_graph.area_of_group(g) is None and run_graph.tree.size_of(g) >= 16]
    assert len(shown) + len(nodes) > first_open.MAX_TOP_LEVEL_BOXES, "loose ops beside the model's box"
    assert first_open.first_opened(run_graph) == ["masked"]
    opened = first_open.first_opened(analyze(graphs["trace"]))
    assert opened and opened[-1].endswith("/masked")


def test_a_top_level_in_buckets_opens_nothing_without_looking_for_the_layers(monkeypatch):
    """A wide Keras model (layers at the top level, past ``BUCKET_THRESHOLD`` of them: shown in buckets) opens
    nothing, its layers in sight already; a group inside a bucket is on no path to open. Finding which scopes are
    layers cost its first view 0.26 s at 200k nodes, for that answer: it is no longer looked for."""
    from tb_phaseview.analysis import scopes

    graph_def = GraphDef()
    node(graph_def, "x", "Placeholder")
    previous = "x"
    for k in range(scopes.BUCKET_THRESHOLD + 1):
        node(graph_def, f"dense_{k}/kernel", "VariableV2")
        node(graph_def, f"dense_{k}/MatMul", "MatMul", [previous, f"dense_{k}/kernel"])
        previous = f"dense_{k}/MatMul"
    analysis = analyze(graph_def)
    top, _ = analysis.tree.children("")
    assert any(group in analysis.tree.buckets for group in top) and len(top) <= first_open.MAX_TOP_LEVEL_BOXES

    def not_looked_for(_analysis):
        raise AssertionError("the layers were looked for")

    monkeypatch.setattr(layers, "layer_names", not_looked_for)
    assert first_open.first_opened(analysis) == []
