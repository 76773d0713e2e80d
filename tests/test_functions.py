"""Call ops open as the bodies of the functions they call, arguments tied to the call's inputs."""

from __future__ import annotations

import urllib.parse

import pytest

from demo import demo_analysis
from tb_phaseview.serve import wire

F = "\u0192"


def test_an_if_opens_as_its_two_branches():
    analysis = demo_analysis("resnet_tf_keras")
    cond = "bn2a_branch2a/cond"
    assert analysis.graph.ops[analysis.graph.index[cond]] == "If"
    listing = wire.group_answer(analysis, cond)
    op = next(c for c in listing["children"] if c["name"] == cond)
    assert op["calls"] == ["else_branch", "then_branch"]
    # Beside the op, the group that opens it (what the view draws and opens like any group).
    opener = next(c for c in listing["children"] if c["name"] == f"{cond}/{F}")
    assert opener["type"] == "group" and opener["function_call"] == cond and opener["size"] > 0

    opened = wire.group_answer(analysis, f"{cond}/{F}")
    assert [c["name"] for c in opened["children"]] == [f"{cond}/{F}else_branch", f"{cond}/{F}then_branch"]
    assert opened["path"][-1] == f"{cond}/{F}" and opened["call"]["op"] == "If"
    assert all(c["type"] == "group" and c["size"] > 0 for c in opened["children"])

    bodies = {}
    for child in opened["children"]:
        body = wire.group_answer(analysis, child["name"])
        assert body["path"] == opened["path"] + [child["name"]]
        bodies[child["name"].rsplit(F, 1)[1]] = body
    # Training normalises with the batch's statistics, inference with the moving averages: both are batch norms.
    for body in bodies.values():
        assert any(c["op"].startswith("FusedBatchNorm") for c in body["children"])
        arguments = [c for c in body["children"] if c["op"] == "_Arg"]
        ties = body["function"]["ties"]
        assert [t["arg"] for t in ties] == [a["name"] for a in arguments]
        # The If's input 0 is its condition (the flag); the arguments are fed by inputs 1, 2, ...
        call_inputs = opened["call"]["inputs"]
        assert [t["input"] for t in ties] == call_inputs[1:]
        assert call_inputs[0] == "keras_learning_phase"
        assert body["edges"] and all(e["from"].startswith(body["group"] + "/") for e in body["edges"])
        assert [r["from"] for r in body["function"]["returns"]] and all(
            r["from"].startswith(body["group"] + "/") for r in body["function"]["returns"]
        )


def test_a_trace_call_opens_and_unknown_function_ids_are_refused():
    analysis = demo_analysis("tf2_function_training", "trace", "forward")
    opened = wire.group_answer(analysis, f"tf2_function_model/bn1/cond/{F}")
    assert {c["function"] for c in opened["children"]} <= set(analysis.graph.functions)
    for bad in (f"tf2_function_model/bn1/cond/{F}nope", f"tf2_function_model/bn1/moments/mean/{F}", f"ghost/{F}"):
        with pytest.raises(KeyError):
            wire.group_answer(analysis, bad)


def test_group_route_opens_function_bodies(tensorboard_server):
    seed = "run=resnet_tf_keras&kind=run_graph&"
    status, body = tensorboard_server.get(
        "data/plugin/phaseview/group?" + seed + urllib.parse.urlencode({"group": f"bn2a_branch2a/cond/{F}then_branch"})
    )
    assert status == 200 and body["function"]["attr"] == "then_branch"
    status, error = tensorboard_server.get(
        "data/plugin/phaseview/group?" + seed + urllib.parse.urlencode({"group": f"bn2a_branch2a/cond/{F}nope"})
    )
    assert status == 404


def test_a_function_that_calls_itself_opens_one_level_at_a_time():
    from tensorboard.compat.proto import graph_pb2

    from tb_phaseview.analysis.pipeline import analyze

    graph_def = graph_pb2.GraphDef()
    call = graph_def.node.add(name="c", op="If")
    call.attr["then_branch"].func.name = "f"
    function = graph_def.library.function.add()
    function.signature.name = "f"
    function.node_def.add(name="inner", op="Placeholder")
    function.node_def.add(name="call", op="f")
    analysis = analyze(graph_def)
    body = wire.group_answer(analysis, f"c/{F}then_branch")
    inner_call = next(child for child in body["children"] if child["name"] == f"c/{F}then_branch/call")
    assert inner_call["calls"] == ["op"]
    deeper = wire.group_answer(analysis, f"c/{F}then_branch/call/{F}op")
    assert deeper["path"] == [
        f"c/{F}",
        f"c/{F}then_branch",
        f"c/{F}then_branch/call/{F}",
        f"c/{F}then_branch/call/{F}op",
    ]
    assert {child["label"] for child in deeper["children"]} == {"inner", "call"}


def _first_body_node(analysis, op_prefix):
    body = wire.group_answer(analysis, f"bn2a_branch2a/cond/{F}then_branch")
    return body, next(c for c in body["children"] if c["op"].startswith(op_prefix))


def test_a_body_node_answers_like_an_op_with_its_edges_inside_the_body():
    analysis = demo_analysis("resnet_tf_keras")
    body, norm = _first_body_node(analysis, "FusedBatchNorm")
    node = wire.node_answer(analysis, norm["name"])
    assert node["name"] == norm["name"] and node["op"] == norm["op"]
    assert node["path"] == body["path"] and node["phase"] is None and node["role"] == "model"
    assert node["function"] == {"name": body["function"]["name"], "call": "bn2a_branch2a/cond", "attr": "then_branch"}
    assert any(a["key"] == "epsilon" for a in node["attrs"])
    # its inputs are the body's edges into it: the same pairs the group answer lists
    listed = {e["from"] for e in body["edges"] if e["to"] == norm["name"]}
    assert {i["node"] for i in node["inputs"]} == listed and listed
    # an argument is fed by the call's input tied to it
    argument = body["function"]["ties"][0]
    arg_node = wire.node_answer(analysis, argument["arg"])
    assert arg_node["op"] == "_Arg" and [i["node"] for i in arg_node["inputs"]] == [argument["input"]]
    # what the body returns feeds the call
    returned = body["function"]["returns"][0]["from"]
    assert "bn2a_branch2a/cond" in {o["node"] for o in wire.node_answer(analysis, returned)["outputs"]}
    for bad in (f"bn2a_branch2a/cond/{F}then_branch/nope", f"bn2a_branch2a/cond/{F}nope/x", f"ghost/{F}then_branch/x"):
        with pytest.raises(KeyError):
            wire.node_answer(analysis, bad)


def test_node_route_answers_for_a_function_body_node(tensorboard_server):
    seed = "run=resnet_tf_keras&kind=run_graph&"
    _, norm = _first_body_node(demo_analysis("resnet_tf_keras"), "FusedBatchNorm")
    status, body = tensorboard_server.get(
        "data/plugin/phaseview/node?" + seed + urllib.parse.urlencode({"name": norm["name"]})
    )
    assert status == 200, body
    assert body["name"] == norm["name"] and body["function"]["attr"] == "then_branch"
    status, _ = tensorboard_server.get(
        "data/plugin/phaseview/node?"
        + seed
        + urllib.parse.urlencode({"name": f"bn2a_branch2a/cond/{F}then_branch/nope"})
    )
    assert status == 404
