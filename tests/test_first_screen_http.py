"""What the first screen needs from the server, answered by a real TensorBoard on demo_logs: the graph a first
visit opens, the answer line, search that finds layers, and one layer count everywhere."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from test_cli import run_cli

P = "data/plugin/phaseview/"
SEED = "run=resnet_old_keras&kind=run_graph"


def q(**params):
    return urllib.parse.urlencode(params)


def graph_query(ref):
    return q(**{k: v for k, v in ref.items() if v is not None})


def every_graph(server):
    _, body = server.get(P + "runs")
    return [g for run in body["runs"] for g in run["graphs"]]


@pytest.fixture(scope="module")
def cli_report():
    result = run_cli("report", __import__("demo").DEMO_LOGS, "--json")
    assert result.returncode == 0, result.stderr
    return {(g["run"], g["kind"], g["tag"]): g for g in json.loads(result.stdout)["graphs"]}


def test_a_first_visit_opens_the_graph_whose_flag_most_layers_read(tensorboard_server):
    status, body = tensorboard_server.get(P + "runs?prefetch=first")
    assert status == 200
    # resnet_old_keras and resnet_tf_keras both have 24 readers; the flag born inside bnl_stg-1 misleads more.
    assert body["first"] == {"run": "resnet_old_keras", "kind": "run_graph", "tag": None}
    status, plain = tensorboard_server.get(P + "runs")
    assert "first" not in plain, "only a first visit asks for the pick"


def test_answer_line_of_the_seed_graph(tensorboard_server):
    _, body = tensorboard_server.get(P + "graph?" + SEED)
    assert body["answer"] == {
        "text": "`bnl_stg-1` looks connected to 23 other BatchNorm layers in the Graphs tab: old Keras created the "
        "learning-phase flag inside it, and 24 layers read it. PhaseView draws the flag apart.",
        "flag": "bnl_stg-1/keras_learning_phase",
        "layers": 24,
        "flags": [{"name": "bnl_stg-1/keras_learning_phase", "layers": 24}],
    }


@pytest.mark.parametrize("run", ["tf2_fit_no_flag", "pytorch_add_graph"])
def test_answer_line_without_a_flag(tensorboard_server, run):
    _, body = tensorboard_server.get(P + "graph?" + q(run=run, kind="run_graph"))
    assert body["answer"]["flag"] is None and body["answer"]["layers"] == 0
    assert body["answer"]["text"].startswith("No learning-phase flag: this graph has no training/inference switch")


def test_answer_line_names_the_flag_and_its_readers_by_kind(tensorboard_server):
    _, body = tensorboard_server.get(P + "graph?" + q(run="tf1_is_training", kind="run_graph"))
    assert body["answer"]["text"].startswith(
        "The learning-phase flag `is_training` ties 5 layers (3 BatchNorm, 2 Dropout) together in the Graphs tab"
    )


def test_one_layer_count_everywhere_and_every_group_reached_has_a_badge(tensorboard_server, cli_report):
    for ref in every_graph(tensorboard_server):
        _, body = tensorboard_server.get(P + "graph?" + graph_query(ref))
        cli = cli_report[(ref["run"], ref["kind"], ref["tag"])]
        readers = {s["name"]: len(s["consumers"]) for s in body["phase"]["sources"]}
        assert readers == {s["name"]: len(s["consumers"]) for s in cli["phase_sources"]}, ref
        assert len(body["phase"]["layers"]) == len(cli["phase_layers"]) == sum(readers.values()), ref
        assert body["answer"]["layers"] == max(readers.values(), default=0), ref
        children = {c["name"]: c for c in body["root"]["children"]}
        for source in body["phase"]["sources"]:
            drawn_as = source["path"][0] if source["path"] else source["name"]
            assert children[drawn_as]["phase"]["consumers"] == readers[source["name"]], ref
        for edge in body["phase"]["edges"]:
            end = edge["to_path"][0] if edge["to_path"] else edge["to"]
            assert children[end]["phase"] is not None, f"{ref}: phase edges enter {end}, which has no badge"
        # Every drawn phase edge stands for one of the layers the flag's box counts, or for none.
        assert {e["layer"] for e in body["phase"]["edges"]} - {""} <= {l["layer"] for l in body["phase"]["layers"]}


@pytest.mark.parametrize(
    "ref",
    [
        dict(run="tf1_is_training", kind="run_graph"),
        dict(run="tf1_is_training", kind="tagged_run_metadata", tag="train_step_1"),
        dict(run="resnet_tf_keras", kind="run_graph"),
    ],
)
def test_a_gradient_group_reading_the_flag_is_explained_as_gradients(tensorboard_server, ref):
    _, body = tensorboard_server.get(P + "graph?" + q(**ref))
    # The gradient pass is folded into its machinery area at the top level.
    area = next(c for c in body["root"]["children"] if c.get("area") == "gradient")
    top, phase = area["name"], area["phase"]
    layers = len(body["phase"]["layers"])
    assert phase["role"] == "reads" and phase["gradient"] is True and phase["layers"] == layers
    assert phase["explanation"].startswith("The gradients area holds the gradients of ")
    assert "It is not another layer reading the flag" in phase["explanation"]
    # One level down, each layer's gradient scope says whose gradient it is.
    _, group = tensorboard_server.get(P + "group?" + q(**ref, group=top))
    reached = [c for c in group["children"] if c["phase"]]
    assert reached and all(c["phase"]["role"] in ("reads", "contains") for c in reached)


def test_a_gradient_op_reading_the_flag_says_so(tensorboard_server):
    ref = dict(run="tf1_is_training", kind="run_graph")
    _, body = tensorboard_server.get(P + "graph?" + q(**ref))
    edge = next(e for e in body["phase"]["edges"] if e["to"].startswith("gradients/"))
    _, node = tensorboard_server.get(P + "node?" + q(**ref, name=edge["to"]))
    assert node["phase"]["role"] == "consumer"
    assert node["phase"]["explanation"].startswith(f"{edge['to']} is part of the gradient of {edge['layer']}:")


def test_search_ranks_layers_first_exact_and_prefix_before_substring(tensorboard_server):
    _, found = tensorboard_server.get(P + "search?" + SEED + "&" + q(q="bn3a", limit=500))
    names = [m["name"] for m in found["matches"]]
    assert names[:4] == ["bn3a_branch1", "bn3a_branch2a", "bn3a_branch2b", "bn3a_branch2c"]
    assert all(m["type"] == "group" and m["path"] == [] for m in found["matches"][:4])
    assert found["matches"][0]["phase"]["role"] == "layer"
    first_op = next(i for i, m in enumerate(found["matches"]) if m["type"] == "op")
    assert all(m["type"] == "group" for m in found["matches"][:first_op])

    _, exact = tensorboard_server.get(P + "search?" + SEED + "&" + q(q="bn2a_branch2a", limit=5))
    assert exact["matches"][0] == {
        "name": "bn2a_branch2a",
        "op": None,
        "type": "group",
        "size": exact["matches"][0]["size"],
        "phase": exact["matches"][0]["phase"],
        "path": [],
    }

    # A name that contains the query ranks after names that start with it; op-type matches come last.
    _, mixed = tensorboard_server.get(P + "search?" + SEED + "&" + q(q="moving_mean", limit=500))
    tiers = [0 if m["name"].rpartition("/")[2].startswith("moving_mean") else 1 for m in mixed["matches"]]
    assert tiers == sorted(tiers)
    _, by_op = tensorboard_server.get(P + "search?" + SEED + "&" + q(q="Merge", limit=500))
    by_name = [i for i, m in enumerate(by_op["matches"]) if "merge" in m["name"].lower()]
    by_type_only = [i for i, m in enumerate(by_op["matches"]) if "merge" not in m["name"].lower()]
    assert by_type_only and (not by_name or max(by_name) < min(by_type_only))


@pytest.mark.parametrize(
    "ref",
    [
        dict(run="tf1_is_training", kind="tagged_run_metadata", tag="train_step_1"),
        dict(run="tf1_is_training", kind="run_graph"),
    ],
)
def test_the_forward_flow_conv1_to_bn1_is_an_edge_of_the_top_level(tensorboard_server, ref):
    # In the run metadata grappler inlined the conds' bodies into `Func/<layer>/...` and merged bn1's input
    # Switch with its gradient's (named `gradients/bn1/cond_grad/...`): conv1 reached bn1 only through the
    # `Func` and `gradients` groups, and bn1 was laid out above conv1.
    _, body = tensorboard_server.get(P + "graph?" + q(**ref))
    root = body["root"]
    edges = {(e["from"], e["to"], e["kind"]) for e in root["edges"]}
    assert ("conv1", "bn1", "data") in edges
    assert not {(a, b) for a, b, kind in edges if b == "bn1" and kind == "data"} - {("conv1", "bn1")}
    names = {c["name"] for c in root["children"]}
    assert "Func" not in names, "every inlined body is shown inside the scope it was inlined from"
    if ref["kind"] == "tagged_run_metadata":
        _, bn1 = tensorboard_server.get(P + "group?" + q(**ref, group="bn1"))
        inlined = next(c for c in bn1["children"] if c["name"] == "Func/bn1")
        assert inlined["label"] == "Func/bn1" and inlined["type"] == "group"


def test_layers_at_the_top_level_open_nothing_at_first_a_model_in_one_box_opens(tensorboard_server):
    # The seed graph's layers are its top level: nothing to open (a trace's are a few groups down, below).
    _, body = tensorboard_server.get(P + "graph?" + SEED)
    assert body["opened"] == []
    # A tf.function's trace holds its model in one box beside nineteen loose ops (the function's arguments and
    # outputs): opened, its layers shown (it stayed closed while loose ops counted as boxes).
    _, body = tensorboard_server.get(P + "graph?" + q(run="tf2_function_training", kind="trace", tag="forward"))
    assert body["opened"] == ["tf2_function_model"]
