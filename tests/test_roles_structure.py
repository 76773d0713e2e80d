"""Roles decided by structure alone, whatever order the nodes are listed in: small graphs built by hand, each
holding one pattern the passes over whole columns must get right."""

from __future__ import annotations

from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef

from tb_phaseview.analysis.pipeline import analyze


def graph_of(*nodes: tuple[str, str, list[str]]) -> GraphDef:
    return GraphDef(node=[NodeDef(name=name, op=op, input=inputs) for name, op, inputs in nodes])


def roles_of(graph_def: GraphDef) -> dict[str, str]:
    analysis = analyze(graph_def)
    return {name: analysis.roles.name_of(i) for i, name in enumerate(analysis.graph.names)}


def test_a_chain_of_groupings_joins_its_machinery_when_listed_last_node_first():
    # init/2 waits for init/1, which waits for the initialiser: all three are init, though each is listed
    # before what it waits for (a single pass in graph order would stop after the first link).
    roles = roles_of(
        graph_of(
            ("init/3", "NoOp", ["^init/2"]),
            ("init/2", "NoOp", ["^init/1"]),
            ("init/1", "NoOp", ["^kernel/Assign"]),
            ("kernel", "VarHandleOp", []),
            ("kernel/value", "Const", []),
            ("kernel/Assign", "AssignVariableOp", ["kernel", "kernel/value"]),
        )
    )
    assert roles["kernel/Assign"] == "init"
    assert [roles[f"init/{k}"] for k in (1, 2, 3)] == ["init"] * 3


def test_a_sum_of_gradients_is_gradient_whichever_of_its_terms_comes_first():
    # total adds a gradient to partial, itself a sum of two gradients: only gradients meet in it. The gradients
    # start from the loss's seed in the scope TensorFlow writes them into; the sums are outside it.
    roles = roles_of(
        graph_of(
            ("x", "Placeholder", []),
            ("w", "VariableV2", []),
            ("w/read", "Identity", ["w"]),
            ("h", "MatMul", ["x", "w/read"]),
            ("gradients/Fill", "Fill", ["x", "x"]),
            ("grad/a", "ReluGrad", ["gradients/Fill", "h"]),
            ("grad/b", "ReluGrad", ["gradients/Fill", "x"]),
            ("grad/total", "AddN", ["grad/partial", "grad/a"]),
            ("grad/partial", "AddN", ["grad/a", "grad/b"]),
            ("lr", "Const", []),
            ("step", "Mul", ["lr", "grad/total"]),
            ("update", "AssignSub", ["w", "step"]),
        )
    )
    assert roles["grad/a"] == roles["grad/b"] == "gradient"  # gradient ops downstream of the seed
    assert roles["grad/partial"] == "gradient"
    assert roles["grad/total"] == "gradient"
    assert roles["step"] == "optimizer"  # it mixes in the learning rate, towards an update


def test_arithmetic_on_gradients_that_leads_to_no_update_is_the_backward_pass():
    # A custom gradient's function runs outside the scopes: it multiplies the gradient it is handed by forward
    # values and hands the product back to the scope (or to nothing: the gradient of a constant). Only arithmetic
    # that leads to an update is the optimizer's.
    roles = roles_of(
        graph_of(
            ("x", "Placeholder", []),
            ("w", "VariableV2", []),
            ("w/read", "Identity", ["w"]),
            ("h", "MatMul", ["x", "w/read"]),
            ("act", "IdentityN", ["h"]),
            ("loss", "Sum", ["act"]),
            ("gradients/Fill", "Fill", ["loss", "loss"]),
            ("gradients/loss_grad", "Tile", ["gradients/Fill", "loss"]),
            ("sig", "Sigmoid", ["h"]),
            ("dx", "Mul", ["gradients/loss_grad", "sig"]),
            ("square", "Square", ["h"]),
            ("dbeta", "Mul", ["gradients/loss_grad", "square"]),
            ("dbeta/sum", "Sum", ["dbeta"]),
            ("gradients/h_grad", "MatMul", ["dx", "x"]),
            ("lr", "Const", []),
            ("step", "Mul", ["lr", "gradients/h_grad"]),
            ("update", "AssignSub", ["w", "step"]),
        )
    )
    assert [roles[n] for n in ("dx", "dbeta", "dbeta/sum")] == ["gradient"] * 3
    assert roles["sig"] == roles["square"] == "gradient"  # read by the backward pass alone
    assert roles["h"] == roles["act"] == roles["loss"] == "model"
    assert roles["step"] == roles["update"] == "optimizer"


def test_a_zero_made_for_an_unused_output_and_read_by_nothing_is_the_backward_pass():
    # TensorFlow's backward pass makes a zero for each output no gradient flows back to (a FusedBatchNorm's reserve
    # space) in the scope the gradient is asked for in: when the op's gradient needs none, nothing reads it.
    roles = roles_of(
        graph_of(
            ("x", "Placeholder", []),
            ("w", "VariableV2", []),
            ("w/read", "Identity", ["w"]),
            ("bn", "FusedBatchNormV3", ["x", "w/read"]),
            ("loss", "Sum", ["bn"]),
            ("gradient_tape/loss_grad", "Tile", ["loss", "loss"]),
            ("gradient_tape/bn_grad", "FusedBatchNormGradV3", ["gradient_tape/loss_grad", "x", "w/read", "bn:3"]),
            ("update", "AssignSub", ["w", "gradient_tape/bn_grad:1"]),
            ("zeros_like", "ZerosLike", ["bn:5"]),
            ("zeros_1/shape_as_tensor", "Const", []),
            ("zeros_1/Const", "Const", []),
            ("zeros_1", "Fill", ["zeros_1/shape_as_tensor", "zeros_1/Const"]),
            ("zeros_2", "Const", []),
            # A zero the model reads (an RNN's initial state), and one read by nothing in a layer's own scope (a
            # TF1 RNN's unused zero state), where no gradient is asked for: the model's.
            ("zeros_3", "Const", []),
            ("shifted", "AddV2", ["bn", "zeros_3"]),
            ("rnn/zeros", "Fill", ["zeros_1/shape_as_tensor", "zeros_1/Const"]),
        )
    )
    assert [roles[n] for n in ("zeros_like", "zeros_1", "zeros_2")] == ["gradient"] * 3
    assert roles["zeros_1/Const"] == "model"  # read by the layer's unused zero too
    assert roles["bn"] == roles["loss"] == roles["zeros_3"] == roles["shifted"] == roles["rnn/zeros"] == "model"


def test_a_gradient_op_type_alone_makes_no_gradient():
    # conv2d_transpose runs Conv2DBackpropInput in the forward pass: reached from no gradient seed, it and what
    # it feeds are the model's.
    roles = roles_of(
        graph_of(
            ("z", "Placeholder", []),
            ("kernel", "VariableV2", []),
            ("kernel/read", "Identity", ["kernel"]),
            ("shape", "Const", []),
            ("deconv", "Conv2DBackpropInput", ["shape", "kernel/read", "z"]),
            ("out", "Tanh", ["deconv"]),
        )
    )
    assert roles["deconv"] == roles["out"] == "model"


def test_a_value_computed_in_a_loop_is_no_initialiser():
    # A write of what a while loop computes from constants changes with each iteration's value: not an
    # initialiser. A write of the constant alone is one.
    roles = roles_of(
        graph_of(
            ("start", "Const", []),
            ("one", "Const", []),
            ("loop/Enter", "Enter", ["start"]),
            ("loop/Merge", "Merge", ["loop/Enter", "loop/NextIteration"]),
            ("loop/add", "Add", ["loop/Merge", "one"]),
            ("loop/NextIteration", "NextIteration", ["loop/add"]),
            ("loop/Exit", "Exit", ["loop/Merge"]),
            ("total", "VarHandleOp", []),
            ("total/Assign", "AssignVariableOp", ["total", "loop/Exit"]),
            ("count", "VarHandleOp", []),
            ("count/Assign", "AssignVariableOp", ["count", "one"]),
        )
    )
    assert roles["total/Assign"] == "model"
    assert roles["count/Assign"] == "init"
