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
