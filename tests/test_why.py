""" "Why connected?": the op-level edges between two nodes or groups by kind, from the analysis, the route on a real
TensorBoard, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse

import pytest

from demo import DEMO_LOGS, demo_analysis
from tb_phaseview.analysis import edge_kinds
from tb_phaseview.serve import wire

CLI = os.path.join(os.path.dirname(sys.executable), "tb-phaseview")
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
P = "data/plugin/phaseview/"


def run_cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=ENV, timeout=300)


def test_old_keras_first_batch_norm_and_bn3a_are_tied_by_the_phase_flag_only():
    """TensorBoard draws bnl_stg-1 tied to every BatchNorm: the flag born in its scope is all there is."""
    answer = wire.why_answer(demo_analysis("resnet_old_keras"), "bnl_stg-1", "bn3a_branch2a")
    assert [entry["kind"] for entry in answer["kinds"]] == ["phase"]
    phase = answer["kinds"][0]
    assert phase["count"] == answer["total"] == len(phase["edges"]) > 0
    assert {edge["from"] for edge in phase["edges"]} == {"bnl_stg-1/keras_learning_phase"}
    assert all(edge["to"].startswith("bn3a_branch2a/") for edge in phase["edges"])
    assert "training and inference differ for BatchNormalization and Dropout" in phase["sentence"]
    assert "no activations" in phase["sentence"]


def test_the_view_gets_the_cli_answer_and_is_told_the_flag_is_drawn_apart():
    """Two boxes of the view are answered as the CLI answers their scopes: the flag old Keras created in
    bnl_stg-1 is drawn apart from that box, but its edges are still bnl_stg-1's, and the answer says where it is."""
    analysis = demo_analysis("resnet_old_keras")
    cli = wire.why_answer(analysis, "bnl_stg-1", "bn3a_branch2a")
    view = wire.why_answer(analysis, "bnl_stg-1", "bn3a_branch2a", view=True)
    assert view["total"] == cli["total"] == 6
    assert [{k: v for k, v in kind.items() if k != "drawn"} for kind in view["kinds"]] == cli["kinds"]
    # The flag is drawn apart from bnl_stg-1's box: no phase edge is drawn between the two boxes, in any mode.
    assert [kind["drawn"] for kind in view["kinds"]] == [0]
    a = view["a"]
    assert a["ops"] == cli["a"]["ops"] == 70
    assert a["drawn"] + sum(entry["ops"] for entry in a["apart"]) == a["ops"]
    assert a["drawn"] == len(analysis.tree.descendant_nodes("bnl_stg-1"))
    assert a["apart"][0]["where"] == "bnl_stg-1/keras_learning_phase"
    assert a["apart_sentence"].startswith("bnl_stg-1 holds 70 ops as TensorFlow named them; its box holds 56.")
    assert "the learning-phase flag bnl_stg-1/keras_learning_phase" in a["apart_sentence"]
    assert "old Keras created inside bnl_stg-1" in a["apart_sentence"]
    assert "apart" not in cli["a"]


def test_adjacent_layers_are_tied_by_data_and_their_machinery():
    answer = wire.why_answer(demo_analysis("resnet_tf_keras"), "res2a_branch2a", "bn2a_branch2a")
    kinds = {entry["kind"]: entry["count"] for entry in answer["kinds"]}
    assert kinds["data"] >= 1
    assert set(kinds) <= set(edge_kinds.EDGE_KINDS)
    for entry in answer["kinds"]:
        assert entry["sentence"] == wire.KIND_SENTENCES[entry["kind"]]


def test_a_group_alone_lists_its_inputs_and_outputs_by_kind():
    analysis = demo_analysis("resnet_old_keras")
    answer = wire.why_answer(analysis, "\u2237gradient")
    assert answer["a"] == {
        "name": "\u2237gradient",
        "type": "group",
        "ops": analysis.node_roles["gradient"],
        "path": ["\u2237gradient"],
        "area": "gradient",
    }
    inputs = {entry["kind"]: entry["count"] for entry in answer["inputs"]}
    outputs = {entry["kind"]: entry["count"] for entry in answer["outputs"]}
    # The gradients read the forward values (gradient edges) and the flag; they feed the optimizer.
    assert inputs["gradient"] > 0 and inputs["phase"] > 0
    assert set(outputs) == {"optimizer"}
    graph = analysis.graph
    crossing = sum(
        1
        for e in range(graph.edge_count)
        if (analysis.roles.name_of(graph.edge_src[e]) == "gradient")
        != (analysis.roles.name_of(graph.edge_dst[e]) == "gradient")
    )
    assert sum(inputs.values()) + sum(outputs.values()) == crossing


def test_unknown_name_is_a_key_error():
    with pytest.raises(KeyError):
        wire.why_answer(demo_analysis("resnet_old_keras"), "bnl_stg-1", "no/such/thing")


def test_cli_why_gives_the_same_answer_as_the_analysis():
    result = run_cli("why", DEMO_LOGS, "bnl_stg-1", "bn3a_branch2a", "--run", "resnet_old_keras", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    expected = wire.why_answer(demo_analysis("resnet_old_keras"), "bnl_stg-1", "bn3a_branch2a")
    assert answer == {"run": "resnet_old_keras", "kind": "run_graph", "tag": None, **expected}

    text = run_cli("why", DEMO_LOGS, "bnl_stg-1", "bn3a_branch2a", "--run", "resnet_old_keras")
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert lines[0] == f"bnl_stg-1 <-> bn3a_branch2a: {expected['total']} op-level edges"
    assert lines[1].startswith(f"  phase ({expected['total']}): The learning-phase flag")
    assert not [line for line in lines if line.startswith("  ") and not line.startswith(("  phase", "    "))]


def test_cli_why_asks_for_a_run_when_several_graphs_hold_the_names_and_refuses_unknown_names():
    several = run_cli("why", DEMO_LOGS, "bn2a_branch2a", "res2a_branch2a")
    assert several.returncode == 2 and "--run" in several.stderr and "resnet_old_keras" in several.stderr
    unknown = run_cli("why", DEMO_LOGS, "ghost", "--run", "resnet_old_keras")
    assert unknown.returncode == 2 and "no graph holds 'ghost'" in unknown.stderr


def test_why_route(tensorboard_server):
    seed = "run=resnet_old_keras&kind=run_graph&"
    status, answer = tensorboard_server.get(
        P + "why?" + seed + urllib.parse.urlencode({"a": "bnl_stg-1", "b": "bn3a_branch2a"})
    )
    assert status == 200 and [entry["kind"] for entry in answer["kinds"]] == ["phase"]
    status, answer = tensorboard_server.get(P + "why?" + seed + urllib.parse.urlencode({"a": "bn3a_branch2a"}))
    assert status == 200 and {"inputs", "outputs"} <= set(answer)
    status, error = tensorboard_server.get(P + "why?" + seed + "a=ghost")
    assert status == 404 and "no node or group 'ghost'" in error["error"]
    status, error = tensorboard_server.get(P + "why?" + seed)
    assert status == 400 and "'a' is required" in error["error"]


def test_an_op_drawn_in_a_layers_box_from_elsewhere_is_the_layers_in_the_answer():
    """The traced step of tf1_is_training is an optimised graph: grappler named a copy of conv1's output
    `gradients/bn1/cond_grad/StatelessIf/conv1/BiasAdd/_229`, and the view draws it in bn1's box, so an edge is
    drawn from conv1 to bn1. Why connected? said "not connected"; it is that edge, the CLI's answer too."""
    analysis = demo_analysis("tf1_is_training", "tagged_run_metadata", "train_step_1")
    drawn = [e for e in wire.group_answer(analysis, "")["edges"] if {e["from"], e["to"]} == {"conv1", "bn1"}]
    assert [(e["kind"], e["count"]) for e in drawn] == [("data", 1)]
    relocated = "gradients/bn1/cond_grad/StatelessIf/conv1/BiasAdd/_229"
    assert analysis.path_of_node(analysis.graph.index[relocated])[0] == "bn1"
    for view in (False, True):
        answer = wire.why_answer(analysis, "bn1", "conv1", view=view)
        assert answer["total"] == 1
        assert answer["kinds"][0]["edges"] == [{"from": "conv1/BiasAdd", "to": relocated, "output": 0, "input": 0}]
    assert answer["kinds"][0]["drawn"] == 1
    assert "named elsewhere that PhaseView draws in it" in answer["a"]["apart_sentence"]
