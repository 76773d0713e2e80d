"""A PyTorch trace's constants are made once and shared: the edges that hand one to another module are of their own
kind, ``constant``, hidden by default, never data tying the first module to every later one.

The graphs were written by PyTorch's own ``add_graph`` (``scripts/make_pytorch_demo.py --fixture``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from demo import demo_analysis
from tb_phaseview.analysis import edge_kinds
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import wire

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
FEATURES = "NestedNet/Sequential[features]"
# The modules of ``features``, in the order the data flows through them.
CHAIN = [
    "Conv2d[0]",
    "BatchNorm2d[1]",
    "ReLU[2]",
    "MaxPool2d[3]",
    "Conv2d[4]",
    "BatchNorm2d[5]",
    "ReLU[6]",
    "Conv2d[7]",
]


def fixture_analysis(name: str):
    ((_, graph, error),) = list(iter_graphs(os.path.join(FIXTURES, name), graph_source.load_graph))
    assert error is None, error
    return analyze(graph)


@pytest.fixture(scope="module")
def nested():
    return fixture_analysis("pytorch_nested")


def edge_kind(analysis, src: str, dst: str) -> str:
    graph = analysis.graph
    a, b = graph.index[src], graph.index[dst]
    (edge,) = [e for e in range(graph.edge_count) if graph.edge_src[e] == a and graph.edge_dst[e] == b][:1]
    return analysis.kinds[edge]


def drawn_edges(answer: dict, kind: str) -> set[tuple[str, str]]:
    short = lambda name: name.rpartition("/")[2]  # noqa: E731
    return {(short(e["from"]), short(e["to"])) for e in answer["edges"] if e["kind"] == kind}


def test_a_sequentials_modules_are_tied_by_the_data_that_flows_through_them_only(nested):
    """Opening ``features`` drew ``Conv2d[0] → Conv2d[4]`` (14 edges), ``Conv2d[0] → Conv2d[7]`` and
    ``BatchNorm2d[1] → BatchNorm2d[5]`` as data: strides, paddings and ``training`` made in the first modules."""
    answer = wire.group_answer(nested, FEATURES)
    assert drawn_edges(answer, "data") == set(zip(CHAIN, CHAIN[1:]))
    shared = drawn_edges(answer, "constant")
    assert {("Conv2d[0]", "Conv2d[4]"), ("Conv2d[0]", "Conv2d[7]"), ("BatchNorm2d[1]", "BatchNorm2d[5]")} <= shared
    assert all(src in ("Conv2d[0]", "BatchNorm2d[1]", "MaxPool2d[3]") for src, _ in shared)
    # A setting is no tensor: no shape label, though the same two boxes also hand each other an activation.
    constant = [e for e in answer["edges"] if e["kind"] == "constant"]
    assert constant and not any("shape" in e for e in constant)
    data = [e for e in answer["edges"] if e["kind"] == "data" and e["from"].endswith("Conv2d[0]")]
    assert data[0]["shape"]["text"] == "2×16×16×16"


def test_a_constant_read_inside_its_own_module_is_the_modules_data(nested):
    """Only a constant crossing into another module is shared: a convolution's own padding list, built from the
    constants beside it, is its data, and a list of constants read elsewhere is a constant too."""
    own = f"{FEATURES}/Conv2d[0]"
    assert edge_kind(nested, f"{own}/252", f"{own}/266") == "data"
    assert edge_kind(nested, f"{own}/266", f"{own}/input.1") == "data"
    assert edge_kind(nested, f"{own}/252", f"{FEATURES}/Conv2d[4]/283") == "constant"
    assert edge_kind(nested, f"{own}/253", f"{FEATURES}/Conv2d[4]/input.9") == "constant"
    assert edge_kind(nested, f"{FEATURES}/BatchNorm2d[1]/250", f"{FEATURES}/BatchNorm2d[5]/input.11") == "constant"
    # The activation itself stays data.
    assert edge_kind(nested, f"{own}/input.1", f"{FEATURES}/BatchNorm2d[1]/input.3") == "data"


def test_why_connected_says_the_first_convolution_only_shares_settings_with_a_later_one(nested):
    answer = wire.why_answer(nested, f"{FEATURES}/Conv2d[0]", f"{FEATURES}/Conv2d[4]", view=True)
    assert [k["kind"] for k in answer["kinds"]] == ["constant"]
    (kind,) = answer["kinds"]
    assert kind["count"] == answer["total"] == 14
    assert kind["sentence"] == wire.KIND_SENTENCES["constant"]
    assert "ties no module to another" in kind["sentence"]
    assert {e["from"].rpartition("/")[0] for e in kind["edges"]} == {f"{FEATURES}/Conv2d[0]"}


def test_residual_blocks_are_tied_by_their_activations_only():
    """In a ModuleList of residual blocks the first block's first convolution made the constants every later
    convolution and batch norm reads."""
    analysis = fixture_analysis("pytorch_blocks")
    assert analysis.edge_counts["constant"] == 44
    answer = wire.group_answer(analysis, "BlocksNet/Block[0]")
    shared = drawn_edges(answer, "constant")
    assert ("Conv2d[conv1]", "Conv2d[conv2]") in shared
    assert ("Conv2d[conv1]", "Conv2d[conv2]") not in drawn_edges(answer, "data")


def test_the_report_counts_the_kind_and_tensorflow_graphs_have_none():
    """``tb-phaseview report --json`` has the kind in every graph's ``edge_counts`` (fields are only ever added):
    PyTorch's shared settings there, 0 in a TensorFlow graph, whose constants are its ops' own."""
    cli = os.path.join(os.path.dirname(sys.executable), "tb-phaseview")
    result = subprocess.run(
        [cli, "report", os.path.join(FIXTURES, "pytorch_nested"), "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)["graphs"]
    assert entry["edge_counts"]["constant"] == 39
    assert sum(entry["edge_counts"].values()) == entry["edges"]
    assert list(entry["edge_counts"]) == list(edge_kinds.EDGE_KINDS)
    for run in ("resnet_tf_keras", "resnet_old_keras", "tf1_is_training"):
        assert demo_analysis(run).edge_counts["constant"] == 0
    assert edge_kinds.shared_trace_constants(demo_analysis("resnet_tf_keras").graph) is None


def test_a_module_lists_parameter_reads_are_variable_reads_not_a_layer_feeding_each_block():
    """A ModuleList's blocks read their weights through ``prim::GetAttr`` ops in the list's own scope: its box was
    drawn feeding each block "10 edges" of data, as if it were a layer before them."""
    analysis = fixture_analysis("pytorch_blocks")
    answer = wire.group_answer(analysis, "BlocksNet")
    lists = {(e["kind"], e["to"]) for e in answer["edges"] if e["from"] == "BlocksNet/ModuleList[blocks]"}
    assert lists == {("variable", "BlocksNet/Block[0]"), ("variable", "BlocksNet/Block[1]")}
    assert ("BlocksNet/Conv2d[stem]", "BlocksNet/Block[0]") in {
        (e["from"], e["to"]) for e in answer["edges"] if e["kind"] == "data"
    }
    # Inside a module its own reads are variable reads too (as a TF layer's reads of its kernel).
    conv = "BlocksNet/Conv2d[stem]"
    assert edge_kind(analysis, f"{conv}/weight/weight.21", f"{conv}/input.1") == "variable"
