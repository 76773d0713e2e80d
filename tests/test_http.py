"""The plugin's routes, answered by a real TensorBoard (Rust data server and Python reader) on demo_logs."""

from __future__ import annotations

import gzip
import os
import urllib.parse
import urllib.request

import pytest

from demo import DEMO_GRAPH_COUNT
from tb_phaseview.plugin import STATIC_DIR

P = "data/plugin/phaseview/"
SEED = "run=resnet_old_keras&kind=run_graph"


def q(**params):
    return urllib.parse.urlencode(params)


def test_plugin_is_listed_as_an_enabled_dynamic_plugin(tensorboard_server):
    status, listing = tensorboard_server.get("data/plugins_listing")
    assert status == 200
    entry = listing["phaseview"]
    assert entry["enabled"] is True and entry["tab_name"] == "PhaseView"
    assert entry["loading_mechanism"] == {"type": "IFRAME", "module_path": "/data/plugin/phaseview/index.js"}


def test_runs_lists_every_graph_of_every_run(tensorboard_server):
    status, body = tensorboard_server.get(P + "runs")
    assert status == 200 and body["version"] == 1
    graphs = [g for run in body["runs"] for g in run["graphs"]]
    assert len(graphs) == DEMO_GRAPH_COUNT
    assert {"run": "resnet_tf_keras", "kind": "run_graph", "tag": None} in graphs
    assert {"run": "tf1_is_training", "kind": "tagged_run_metadata", "tag": "train_step_1"} in graphs
    assert {"run": "tf2_function_training", "kind": "trace", "tag": "forward"} in graphs
    tf1 = next(r for r in body["runs"] if r["run"] == "tf1_is_training")
    assert len(tf1["graphs"]) == 2, "a run with two graphs lists both"
    # PyTorch also logs a tagged run metadata holding only profiling data: that is not a graph.
    pytorch = next(r for r in body["runs"] if r["run"] == "pytorch_add_graph")
    assert pytorch["graphs"] == [{"run": "pytorch_add_graph", "kind": "run_graph", "tag": None}]


def test_graph_answer_has_phase_report_and_top_level(tensorboard_server):
    status, body = tensorboard_server.get(P + "graph?" + SEED)
    assert status == 200
    assert body["run"] == "resnet_old_keras" and body["tag"] is None
    assert body["nodes"] > 1000 and body["edge_counts"]["phase"] > 0
    (source,) = body["phase"]["sources"]
    assert source["name"] == "bnl_stg-1/keras_learning_phase" and source["born_in"] == "bnl_stg-1"
    assert len(source["consumers"]) == 24 and source["path"] == ["bnl_stg-1/keras_learning_phase"]
    assert {l["kind"] for l in body["phase"]["layers"]} == {"BatchNormalization"}
    assert all("because" in l["explanation"] for l in body["phase"]["layers"])
    layers_reached = {e["layer"] for e in body["phase"]["edges"]}
    assert len(layers_reached) == 24
    assert all(e["from"] == source["name"] for e in body["phase"]["edges"])
    root = body["root"]
    children = {c["name"]: c for c in root["children"]}
    assert children["bnl_stg-1/keras_learning_phase"]["phase"]["role"] == "source"
    born_here = children["bnl_stg-1"]["phase"].pop("born_here")
    assert children["bnl_stg-1"]["phase"] == {
        "role": "layer",
        "kind": "BatchNormalization",
        "source": "bnl_stg-1/keras_learning_phase",
    }
    assert born_here["flag"] == "bnl_stg-1/keras_learning_phase" and born_here["layers"] == 24
    assert born_here["explanation"].startswith(
        "Old Keras created the flag keras_learning_phase inside this layer; 24 layers read it; PhaseView draws it apart."
    )
    assert "born_here" not in children["bn2a_branch2a"]["phase"]
    # The top level carries no phase edge at all: bnl_stg-1 is not tied to the other BatchNorm layers.
    # (The machinery areas' edges are listed with their kinds; phase edges travel apart.)
    assert "phase" not in {e["kind"] for e in root["edges"]}
    assert {e["kind"] for e in root["edges"]} <= {"data", "control", "variable", "init", "gradient", "optimizer"}
    bn_groups = {n for n, c in children.items() if (c["phase"] or {}).get("role") == "layer"}
    assert not [e for e in root["edges"] if e["from"] == "bnl_stg-1" and e["to"] in bn_groups]
    # Each machinery area: its group, what the page calls it, and its size (in its box's label too).
    areas = {a["role"]: a for a in body["areas"]}
    assert {r: (a["group"], a["title"]) for r, a in areas.items()} == {
        "init": ("\u2237init", "initialisers"),
        "gradient": ("\u2237gradient", "gradients"),
        "optimizer": ("\u2237optimizer", "optimizer"),
    }
    assert all(a["label"] == f"{a['title']} \u00b7 {a['size']:,} ops" for a in areas.values())


def test_group_node_search_and_edges_routes(tensorboard_server):
    status, group = tensorboard_server.get(P + "group?" + SEED + "&" + q(group="bn2a_branch2a/cond"))
    assert status == 200 and group["path"] == ["bn2a_branch2a", "bn2a_branch2a/cond"]
    consumers = [c for c in group["children"] if (c["phase"] or {}).get("role") == "consumer"]
    assert consumers, "the ops reading the flag are marked"

    status, node = tensorboard_server.get(P + "node?" + SEED + "&" + q(name=consumers[0]["name"]))
    assert status == 200
    assert any(i["kind"] == "phase" for i in node["inputs"])
    assert node["phase"]["layer_kind"] == "BatchNormalization"
    assert "moving averages" in node["phase"]["explanation"]

    status, found = tensorboard_server.get(P + "search?" + SEED + "&" + q(q="bn3d_branch2c/moving_mean"))
    assert status == 200 and found["matches"]
    assert all("bn3d_branch2c/moving_mean" in m["name"] for m in found["matches"])
    exact = next(m for m in found["matches"] if m["name"] == "bn3d_branch2c/moving_mean")
    assert exact["path"][0] == "bn3d_branch2c"
    # Its initialiser is shown in the initialisers' area, under its own scope.
    initialiser = next(m for m in found["matches"] if m["name"].startswith("bn3d_branch2c/moving_mean/Initializer"))
    assert initialiser["path"][:2] == ["\u2237init", "\u2237init/bn3d_branch2c"]

    status, found = tensorboard_server.get(P + "search?" + SEED + "&" + q(q="^bn3[a-d]_branch1/cond/pred_id$", regex=1))
    assert [m["name"] for m in found["matches"]] == ["bn3a_branch1/cond/pred_id"]

    status, page = tensorboard_server.get(P + "edges?" + SEED + "&offset=10&limit=5")
    assert status == 200 and page["offset"] == 10 and len(page["edges"]) == 5
    assert page["total"] > 5000
    assert {"from", "to", "kind", "output", "input"} <= set(page["edges"][0])


@pytest.mark.parametrize(
    "path,status,message",
    [
        ("graph?run=nope", 404, "unknown run 'nope'"),
        ("graph?run=resnet_tf_keras&kind=trace&tag=missing", 404, "no trace graph tagged 'missing'"),
        ("graph?run=tf2_function_training&kind=run_graph", 404, "no run graph in run"),
        ("graph?kind=run_graph", 400, "'run' is required"),
        ("graph?run=resnet_tf_keras&kind=bogus", 400, "'kind' must be one of"),
        ("graph?run=resnet_tf_keras&kind=trace", 400, "'tag' is required"),
        ("group?" + SEED + "&group=no/such/scope", 404, "no group"),
        ("node?" + SEED + "&name=ghost", 404, "no node 'ghost'"),
        ("node?" + SEED, 400, "'name' is required"),
        ("search?" + SEED, 400, "'q' is required"),
        ("search?" + SEED + "&q=%28&regex=1", 400, "bad regular expression"),
        ("search?" + SEED + "&q=a&limit=x", 400, "must be an integer"),
        ("edges?" + SEED + "&limit=0", 400, "between 1 and"),
    ],
)
def test_bad_requests_get_a_clear_json_error(tensorboard_server, path, status, message):
    got_status, body = tensorboard_server.get(P + path)
    assert got_status == status
    assert body["version"] == 1 and message in body["error"]
    assert tensorboard_server.alive()


def test_static_frontend_is_served_as_javascript(tensorboard_server):
    status, body = tensorboard_server.get(P + "index.js")
    assert status == 200 and b"render" in body
    status, _ = tensorboard_server.get(P + "..%2Fplugin.py")
    assert status == 404


@pytest.mark.parametrize("name", ["index.js", "app.js", "layout.worker.js"])
def test_static_files_go_compressed_to_a_browser_and_plain_to_a_client_that_cannot_read_gzip(tensorboard_server, name):
    with open(os.path.join(STATIC_DIR, name), "rb") as f:
        built = f.read()
    url = tensorboard_server.url + P + name
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})) as got:
        assert got.headers["Content-Encoding"] == "gzip" and "javascript" in got.headers["Content-Type"]
        assert gzip.decompress(got.read()) == built
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "identity"})) as got:
        assert got.headers.get("Content-Encoding") is None and got.read() == built


def test_phase_runs_answers_what_runs_in_each_phase(tensorboard_server):
    status, body = tensorboard_server.get(P + "phase_runs?" + q(run="dropout_cnn", kind="run_graph"))
    assert status == 200 and body["version"] == 1
    (source,) = body["sources"]
    assert source["name"] == "keras_learning_phase" and source["default"] is False and source["writers"] == []
    inference = body["phases"]["false"]
    assert inference["ops_not_run"] == len(inference["nodes"]) == source["ops_only_when"]["true"] > 0
    assert "drop1/cond/dropout/random_uniform/RandomUniform" in inference["nodes"]
    assert inference["layers"]["bn1"] == "uses the moving mean and variance"
    unused = len(inference["unused"])
    assert unused == source["used_only_when"]["true"] > 0
    assert inference["summary"] == (
        f"{inference['ops_not_run']:,} ops don't run in inference; {unused} more run though only training uses "
        f"their result (outlined)"
    )
    assert body["warnings"] == []


def test_phase_runs_of_an_unknown_run_is_404(tensorboard_server):
    status, body = tensorboard_server.get(P + "phase_runs?" + q(run="nope", kind="run_graph"))
    assert status == 404 and "unknown run" in body["error"]
