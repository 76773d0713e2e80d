"""The compare route on a real TensorBoard (Rust data server and Python reader) over runs written by real
tf_keras: the answer ``tb-phaseview diff --json`` gives, plus the drawing's rows; bad input gets a clear 4xx."""

from __future__ import annotations

import os
import urllib.parse

import pytest

P = "data/plugin/phaseview/"


@pytest.fixture(params=["true", "false"], ids=["load_fast", "python_reader"])
def server(request, tf_written, start_server):
    logs = os.path.join(tf_written("diff_pairs"), "logs")
    return start_server(logs, load_fast=request.param, wait_for_graphs=9)


def _compare(server, **params):
    return server.get(P + "compare?" + urllib.parse.urlencode(params))


def test_compare_route_answers_the_diff_with_rows_to_draw(server):
    status, body = _compare(server, run="base", run_b="inserted")
    assert status == 200
    assert body["differs"] is True
    assert body["layers_added"] == [{"b": "conv2d_1", "type": "Conv2D"}]
    assert {"a": "conv2d_1", "b": "conv2d_2"} in body["layers_same"]
    assert body["a"]["run"] == "base" and body["b"]["run"] == "inserted"
    statuses = [row["status"] for row in body["rows"]]
    assert statuses.count("added") == 1 and statuses.count("same") == 9
    added = body["rows"][statuses.index("added")]
    assert added["a"] is None and added["b"]["name"] == "conv2d_1" and added["b"]["output_shape"] == [None, 14, 14, 8]
    assert body["sentence"] == "1 layer added: +`conv2d_1` (Conv2D)."


def test_compare_route_refuses_bad_input_clearly(server):
    status, body = _compare(server, run="base")
    assert status == 400 and "run_b" in body["error"]
    status, body = _compare(server, run="base", run_b="nosuch")
    assert status == 404 and "nosuch" in body["error"]
    status, body = _compare(server, run="base", run_b="inserted", kind_b="bogus")
    assert status == 400 and "kind_b" in body["error"]


def test_compare_route_compares_each_graph_with_the_users_moves_to_the_model(server):
    # The same model written twice: the same architecture. When the user moves the training scope of one of them
    # to the model (as the graph view would draw it), that side has no gradient area; its layers stay the same:
    # the gradients, now model ops, read batch_normalization's statistics, but a layer's output is what the
    # model's layers read (the statistics' shape was taken for its output, and the layer called changed).
    status, same = _compare(server, run="base", run_b="base_again")
    assert status == 200 and same["differs"] is False
    assert "model" not in same["a"] and "model" not in same["b"]
    status, body = _compare(server, run="base", run_b="base_again", model_b='["training/"]')
    assert status == 200 and body["differs"] is False and body["layers_changed"] == []
    assert body["b"]["model"] == ["training/"] and "model" not in body["a"]
    assert {"role": "gradient", "a": 208, "b": 0} in body["machinery"]
    assert body["a"]["machinery_areas"]["gradient"] == 208
    assert body["b"]["machinery_areas"].get("gradient", 0) == 0
    # Not lost as a frozen graph loses it: moved by the user, and said so.
    assert "machinery moved to the model by the user in B: gradient (208 ops)" in body["lost"]
    assert not any(line.startswith("machinery gone") for line in body["lost"])
    # Both sides moved alike, or side A alone: the same architecture, the machinery apart.
    status, both = _compare(server, run="base", run_b="base_again", model='["training/"]', model_b='["training/"]')
    assert status == 200 and both["differs"] is False and both["a"]["model"] == both["b"]["model"] == ["training/"]
    status, first = _compare(server, run="base", run_b="base_again", model='["training/"]')
    assert first["a"]["model"] == ["training/"] and "model" not in first["b"]
    assert {"role": "gradient", "a": 0, "b": 208} in first["machinery"]
    # A bad list is refused, naming the parameter.
    status, bad = _compare(server, run="base", run_b="base_again", model_b="[1]")
    assert status == 400 and "'model_b'" in bad["error"]
