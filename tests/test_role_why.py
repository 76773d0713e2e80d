"""Why a node has its role: one sentence naming the structure that decided, in the inspector's answer (the node
route), in ``tb-phaseview why``, and every node's role and area in ``tb-phaseview report --json --nodes``."""

from __future__ import annotations

import json
import urllib.parse

from roles_written import corpus
from tb_phaseview.analysis import role_why
from test_cli import run_cli


def sentence(graph, name):
    analysis = graph.analysis
    return role_why.explain(analysis.graph, analysis.roles, analysis.graph.index[name])


def restore_target(graph, name):
    analysis = graph.analysis
    first = analysis.graph.in_start[analysis.graph.index[name]]
    return analysis.graph.names[analysis.graph.edge_src[first]]


def test_each_role_says_what_decided_it(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    target = restore_target(dcgan, "save/Assign_3")
    assert sentence(dcgan, "save/Assign_3") == (
        f"writes `{target}` from the checkpoint read by `save/RestoreV2`: checkpoint restore"
    )
    assert sentence(dcgan, "generator/deconv1/conv2d_transpose") == (
        "`Conv2DBackpropInput` in the forward pass: no loss's gradient reaches it (a transposed convolution runs"
        " it): model"
    )
    assert sentence(dcgan, "global_step") == (
        "a step counter: `generator_train/Adam` adds a constant to it each training step: optimizer"
    )
    assert sentence(dcgan, "generator/deconv1/kernel/Assign") == (
        "writes `generator/deconv1/kernel` a value computed from constants alone: its initialiser"
    )
    assert sentence(dcgan, "discriminator_train/gradients/AddN").startswith(
        "in `discriminator_train/gradients`, the scope TensorFlow writes a loss's gradients into"
    )
    estimator = roles_graphs["roles_estimator"]
    assert sentence(estimator, "group_deps") == (
        "waits for the initialisers' ops (`init`, `init_1`) and nothing of the model's but constants: init"
    )
    assert sentence(estimator, "labels") == "an input of the model, fed with each batch: model"
    for graph in roles_graphs.values():  # every node of every graph has one
        analysis = graph.analysis
        for i in range(analysis.graph.node_count):
            assert role_why.explain(analysis.graph, analysis.roles, i)


def test_third_party_machinery_says_what_it_is():
    slim = corpus("pixel-link")
    assert sentence(slim, "ExponentialMovingAverage/AssignMovingAvg") == (
        "writes `conv1/conv1_1/weights/ExponentialMovingAverage` a value computed from variables alone, no data"
        " (a moving average of the weights, a copy): training machinery, the optimizer's"
    )
    adam = corpus("funds-lstm")
    assert sentence(adam, "Adam/Assign") == (
        "writes `beta1_power` a value computed from gradients or the optimizer's state: optimizer update"
    )
    exported = corpus("ssd-export")
    assert sentence(exported, "global_step") == (
        "an integer scalar variable that nothing in the model reads, kept for the checkpoint: a step counter,"
        " the optimizer's"
    )


def test_the_cli_says_a_node_role_and_why(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    target = restore_target(dcgan, "save/Assign_3")
    result = run_cli("why", dcgan.logdir, "save/Assign_3")
    assert result.returncode == 0, result.stderr
    assert f"  role save: writes `{target}` from the checkpoint read by `save/RestoreV2`: checkpoint restore" in (
        result.stdout.splitlines()
    )
    answer = json.loads(run_cli("why", dcgan.logdir, "save/Assign_3", "--json").stdout)
    assert answer["a"]["role"] == "save" and answer["a"]["role_why"].endswith(": checkpoint restore")


def test_the_node_route_gives_the_role_and_why(roles_graphs, start_server):
    dcgan = roles_graphs["roles_dcgan"]
    for load_fast in ("true", "false"):
        server = start_server(dcgan.logdir, load_fast=load_fast)
        query = urllib.parse.urlencode({"run": "roles_dcgan", "kind": "run_graph", "name": "global_step"})
        status, node = server.get("/data/plugin/phaseview/node?" + query)
        assert status == 200
        assert node["role"] == "optimizer"
        assert node["role_why"] == sentence(dcgan, "global_step")


def test_report_json_nodes_lists_every_node_with_role_and_area(roles_graphs):
    estimator = roles_graphs["roles_estimator"]
    result = run_cli("report", estimator.logdir, "--json", "--nodes")
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)["graphs"]
    nodes = entry["node_list"]
    assert entry["nodes"] == len(nodes) == estimator.analysis.graph.node_count  # the count is kept as it was
    by_name = {node["name"]: node for node in nodes}
    assert by_name["labels"] == {"name": "labels", "op": "Placeholder", "role": "model", "area": None}
    assert by_name["global_step"] == {
        "name": "global_step",
        "op": "VariableV2",
        "role": "optimizer",
        "area": "\u2237optimizer",
    }
    assert by_name["Adadelta/rho"]["role"] == "hyperparameter" and by_name["Adadelta/rho"]["area"] == "\u2237optimizer"
    assert {node["role"] for node in nodes} == {role for role, n in entry["node_roles"].items() if n}
    for role, count in entry["node_roles"].items():
        assert sum(node["role"] == role for node in nodes) == count
    # Without --nodes the entry is as it always was.
    (plain,) = json.loads(run_cli("report", estimator.logdir, "--json").stdout)["graphs"]
    assert "node_list" not in plain and plain == {key: value for key, value in entry.items() if key != "node_list"}
