"""Colour by layer type, device, compute time and memory, on graphs written by real TensorFlow; and the summary
and colours routes answered by a real TensorBoard."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest

from demo import DEMO_LOGS
from tb_phaseview.analysis import colours
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source

P = "data/plugin/phaseview/"
TAGGED = {"run": "tf1_is_training", "kind": "tagged_run_metadata", "tag": "train_step_1"}


def _graph(logdir, kind):
    for ref, graph, error in iter_graphs(logdir, graph_source.load_graph):
        if ref["kind"] == kind:
            assert error is None
            return graph
    raise AssertionError(f"no {kind} graph in {logdir}")


def _step_stats(logdir):
    """The traced step's RunMetadata, read here with TensorBoard's protos, apart from the analysis."""
    from tensorboard.compat.proto import config_pb2

    for ref, blob, _ in iter_graphs(logdir, lambda kind, blob: blob):
        if ref["kind"] == "tagged_run_metadata":
            return config_pb2.RunMetadata.FromString(blob).step_stats
    raise AssertionError("no tagged run metadata")


def test_device_colouring_on_a_graph_placed_on_two_devices(tf_written):
    analysis = analyze(_graph(os.path.join(tf_written("tf1_layers"), "logs"), "run_graph"))
    values = colours.colour_answer(analysis, "", "device")["values"]
    first, second = "/job:worker/task:0/device:CPU:0", "/job:worker/task:1/device:CPU:0"
    assert {name: values[name] for name in ("conv", "bn", "pool", "hidden", "dropout", "logits")} == {
        "conv": first,
        "bn": first,
        "pool": first,
        "hidden": second,
        "dropout": second,
        "logits": second,
    }
    types = colours.colour_answer(analysis, "", "type")["values"]
    assert (types["conv"], types["bn"], types["hidden"], types["dropout"]) == (
        "Conv2D",
        "BatchNormalization",
        "Dense",
        "Dropout",
    )
    # A run graph has no step stats: compute time is unknown for every box, and says so.
    compute = colours.colour_answer(analysis, "", "compute")
    assert compute["measured"] is False and set(compute["values"].values()) == {None}


def test_compute_time_and_memory_colouring_on_a_tagged_run_metadata_graph():
    analysis = analyze(_graph(os.path.join(DEMO_LOGS, "tf1_is_training"), "tagged_run_metadata"))
    compute = colours.colour_answer(analysis, "", "compute")
    memory = colours.colour_answer(analysis, "", "memory")
    assert compute["measured"] and compute["unit"] == "µs" and memory["unit"] == "bytes"
    stats = _step_stats(os.path.join(DEMO_LOGS, "tf1_is_training"))
    expected_us: dict[str, float] = {}
    expected_bytes: dict[str, int] = {}
    # Summed over the ops drawn in each box (an optimizer slot such as conv1/kernel/Momentum is drawn in the
    # optimizer's area, not in conv1).
    graph, labels = analysis.graph, analysis.tree.labels()
    for device in stats.dev_stats:
        for node in device.node_stats:
            label = labels[graph.index[node.node_name]] if node.node_name in graph.index else None
            layer = label if isinstance(label, str) else None
            expected_us[layer] = expected_us.get(layer, 0.0) + (node.op_end_rel_nanos - node.op_start_rel_nanos) / 1000
            expected_bytes[layer] = expected_bytes.get(layer, 0) + sum(
                o.tensor_description.allocation_description.requested_bytes for o in node.output
            )
    for layer in ("conv1", "conv2", "bn1", "bn2", "fc1"):
        assert compute["values"][layer] == pytest.approx(expected_us[layer], rel=1e-3, abs=0.01), layer
        assert memory["values"][layer] == expected_bytes[layer], layer
    assert len({compute["values"][layer] for layer in ("conv1", "conv2", "bn1", "fc1")}) == 4


def test_tagged_run_metadata_edges_carry_the_shapes_the_traced_step_measured():
    from tb_phaseview.serve import wire

    analysis = analyze(_graph(os.path.join(DEMO_LOGS, "tf1_is_training"), "tagged_run_metadata"))
    edges = {(e["from"], e["to"], e["kind"]): e.get("shape") for e in wire.group_answer(analysis, "")["edges"]}
    # The step ran on a batch of 4 images of 8×8×3 (scripts/make_demo_logs.py): its partition graph records no
    # _output_shapes, the step stats do.
    assert edges[("relu2", "flatten", "data")]["text"] == "4×4×4×16"
    assert edges[("relu3", "drop1", "data")]["dims"] == [4, 32]


def _get(server, route, **params):
    url = server.url + P + route + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=60) as got:
        return json.loads(got.read())


def test_summary_and_colours_routes(tensorboard_server):
    summary = _get(tensorboard_server, "summary", run="resnet_tf_keras", kind="run_graph")
    assert summary["version"] == 1 and summary["total_params"] == 1_462_145
    assert summary["layers"][2]["name"] == "cnl_stg-1" and summary["layers"][2]["params"] == 9472
    answer = _get(tensorboard_server, "colours", group="", by="compute", **TAGGED)
    assert answer["measured"] and answer["values"]["conv1"] > 0
    with pytest.raises(urllib.error.HTTPError) as bad:
        _get(tensorboard_server, "colours", run="resnet_tf_keras", kind="run_graph", group="", by="colour")
    assert bad.value.code == 400 and "colour by one of type, device, compute, memory" in bad.value.read().decode()
    with pytest.raises(urllib.error.HTTPError) as missing:
        _get(tensorboard_server, "colours", run="resnet_tf_keras", kind="run_graph", group="nope", by="type")
    assert missing.value.code == 404
