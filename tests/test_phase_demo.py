"""The phase report of every demo graph matches the model that wrote it."""

from __future__ import annotations

from collections import Counter

import pytest

from demo import demo_analysis, demo_graphs, demo_script
from tb_phaseview.serve import wire

FLAGGED_GRAPHS = [
    # (run, kind, tag, flag name, flag op)
    ("resnet_tf_keras", "run_graph", None, "keras_learning_phase", "PlaceholderWithDefault"),
    ("resnet_old_keras", "run_graph", None, "bnl_stg-1/keras_learning_phase", "PlaceholderWithDefault"),
    ("dropout_cnn", "run_graph", None, "keras_learning_phase", "PlaceholderWithDefault"),
    ("tf1_is_training", "run_graph", None, "is_training", "Placeholder"),
    ("tf1_is_training", "tagged_run_metadata", "train_step_1", "_arg_is_training_0_1", "_Arg"),
    ("tf2_function_training", "trace", "forward", "training", None),
]


def expected_layer_counts(run: str) -> Counter:
    """BatchNormalization and Dropout layers counted on the Keras model definition itself."""
    script = demo_script()
    spec = script.DEMO_RUNS[run]
    if spec["builder"] is None:
        return Counter({k: v for k, v in spec["expected_layers"].items() if v})
    counts = script.count_layers(getattr(script, spec["builder"])())
    return Counter({kind: counts.get(kind, 0) for kind in ("BatchNormalization", "Dropout") if counts.get(kind)})


def test_every_demo_graph_is_read():
    kinds = Counter(kind for (_, kind, _) in demo_graphs())
    assert kinds == Counter({"run_graph": 6, "tagged_run_metadata": 1, "trace": 1})


@pytest.mark.parametrize("run,kind,tag,flag,op", FLAGGED_GRAPHS, ids=[f"{g[0]}-{g[1]}" for g in FLAGGED_GRAPHS])
def test_flag_found_and_every_bn_and_dropout_layer_reads_it(run, kind, tag, flag, op):
    analysis = demo_analysis(run, kind, tag)
    assert [s.name for s in analysis.phase.sources] == [flag]
    if op:
        assert analysis.phase.sources[0].op == op
    found = Counter(layer.kind for layer in analysis.phase.layers)
    assert found == expected_layer_counts(run), "one entry per BN/Dropout layer, nothing else"
    assert analysis.edge_counts["phase"] > 0


def test_seed_resnet_has_24_batchnorm_layers_by_name():
    script = demo_script()
    model = script.build_seed_resnet()
    bn_names = {layer.name for layer in model.layers if type(layer).__name__ == "BatchNormalization"}
    assert len(bn_names) == 24
    for run in ("resnet_tf_keras", "resnet_old_keras"):
        layers = demo_analysis(run).phase.layers
        assert {layer.layer for layer in layers} == bn_names
        assert {layer.kind for layer in layers} == {"BatchNormalization"}


def test_control_flow_v2_batchnorm_reads_flag_three_times():
    """With If, each BN's cond, its momentum cond_1, and the gradient cond_grad read the flag."""
    analysis = demo_analysis("resnet_tf_keras")
    g = analysis.graph
    readers = Counter(analysis.phase.consumers[g.edge_dst[e]] for e in analysis.phase.phase_edges)
    assert len(readers) == 24 and set(readers.values()) == {3}
    assert analysis.edge_counts["phase"] == 72


def test_control_flow_v1_uses_switch_and_pred_id():
    analysis = demo_analysis("resnet_old_keras")
    g = analysis.graph
    carried_ops = Counter(g.ops[n] for n in analysis.phase.carriers)
    assert carried_ops["PlaceholderWithDefault"] == 1
    assert carried_ops["Switch"] > 0 and carried_ops["Identity"] > 0  # cond/Switch, cond/pred_id, switch_t/f
    assert "bnl_stg-1/cond/pred_id" in {g.names[n] for n in analysis.phase.carriers}


def test_flag_born_in_a_layer_is_relocated_to_where_its_layers_meet():
    analysis = demo_analysis("resnet_old_keras")
    source = analysis.phase.sources[0]
    assert source.born_in == "bnl_stg-1"
    assert analysis.relocations == {"bnl_stg-1/keras_learning_phase": ""}
    # Displayed at the top level, not inside bnl_stg-1; its input const travels with it.
    assert "bnl_stg-1/keras_learning_phase" in analysis.tree.child_groups[""]
    assert "bnl_stg-1/keras_learning_phase" not in analysis.tree.child_groups["bnl_stg-1"]


def test_root_flag_is_not_relocated():
    analysis = demo_analysis("resnet_tf_keras")
    assert analysis.phase.sources[0].born_in is None and analysis.relocations == {}


def test_no_false_alarm_on_a_tf2_fit_graph():
    analysis = demo_analysis("tf2_fit_no_flag")
    assert analysis.phase.sources == [] and analysis.phase.layers == []
    assert analysis.edge_counts["phase"] == 0


def test_no_false_alarm_on_a_pytorch_add_graph():
    """PyTorch traces in eval mode: each BatchNorm and Dropout has its own constant, there is no flag."""
    analysis = demo_analysis("pytorch_add_graph")
    assert analysis.graph.node_count > 20
    assert analysis.phase.sources == [] and analysis.edge_counts["phase"] == 0


def test_every_phase_sentence_is_written_by_the_server():
    """The inspector shows these sentences as they are: a source, a group holding layers, a layer."""
    ref = {"run": "resnet_old_keras", "kind": "run_graph", "tag": None}
    analysis = demo_analysis("resnet_old_keras")
    answer = wire.graph_answer(analysis, ref)
    (source,) = answer["phase"]["sources"]
    text = source["explanation"]
    assert text.startswith("bnl_stg-1/keras_learning_phase is the learning-phase flag")
    assert "24 layers read it" in text and "created inside bnl_stg-1" in text
    children = {c["name"]: c for c in answer["root"]["children"]}
    assert children[source["name"]]["phase"]["explanation"] == text, "the drawn source says the same"
    assert wire.node_answer(analysis, source["name"])["phase"]["explanation"] == text, "and so does its node"
    assert all(l["layer"] in l["explanation"] and "because" in l["explanation"] for l in answer["phase"]["layers"])

    trace = wire.group_answer(demo_analysis("tf2_function_training", "trace", "forward"), "")
    (holder,) = [c for c in trace["children"] if (c["phase"] or {}).get("role") == "contains"]
    layers = holder["phase"]["layers"]
    assert holder["phase"]["explanation"] == (
        f"{holder['name']} holds {layers} layer{'' if layers == 1 else 's'} that read the learning-phase flag; "
        f"open it to see {'it' if layers == 1 else 'them'}."
    )


@pytest.mark.parametrize("key", sorted(demo_graphs(), key=str), ids=str)
def test_a_top_level_groups_phase_reads_are_the_same_from_labels_as_from_paths(key):
    """The first answer finds which top-level groups phase edges enter from each op's top-level label; a
    later answer from each op's path: both name the same flag, layers and gradient-only reads."""
    analysis = demo_analysis(*key)
    top_groups = [g for g, top in analysis.tree.top_level.items() if g == top]
    first = {g: analysis.phase_reach_of(g) for g in top_groups}  # before any path was walked: from labels
    reach = analysis.phase_reach  # from every edge's path
    assert any(first.values()) == bool(analysis.drawn_phase_edges and reach)
    assert {g: r for g, r in first.items() if r is not None} == {g: reach[g] for g in top_groups if g in reach}
