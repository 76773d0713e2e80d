"""A traced step's nested tf.function calls are inlined into the graph the way TensorFlow's inliner names them:
the body's nodes under the call's name, the call's inputs in place of its arguments, its return values in place
of its outputs, a NoOp of the call's name for its control consumers. Built here from protobuf alone."""

from __future__ import annotations

from tensorboard.compat.proto import function_pb2, graph_pb2

from tb_phaseview.analysis.graph_model import build_graph
from tb_phaseview.read.inline_calls import inline_serving_call, inline_traced_calls

STEP = "__inference_one_step_on_data_1446"


def function(name, inputs, outputs, nodes, ret, control_ret=None):
    f = function_pb2.FunctionDef()
    f.signature.name = name
    for arg in inputs:
        f.signature.input_arg.add(name=arg)
    for arg in outputs:
        f.signature.output_arg.add(name=arg)
    for node_name, op, node_inputs, attrs in nodes:
        node = f.node_def.add(name=node_name, op=op)
        node.input.extend(node_inputs)
        for key, value in attrs.items():
            node.attr[key].i = value
    f.ret.update(ret)
    f.control_ret.update(control_ret or {})
    return f


def call(graph, name, f, inputs, op="StatefulPartitionedCall"):
    node = graph.node.add(name=name, op=op)
    node.input.extend(inputs)
    node.attr["f"].func.name = f
    return node


def step_graph():
    """A traced outer function: an iterator read, one call of the step, the step's loss read after it."""
    graph = graph_pb2.GraphDef()
    graph.node.add(name="iterator", op="_Arg")
    graph.node.add(name="weight", op="_Arg")
    graph.node.add(name="IteratorGetNext", op="IteratorGetNext").input.append("iterator")
    call(graph, "StatefulPartitionedCall", STEP, ["IteratorGetNext", "IteratorGetNext:1", "weight", "^iterator"])
    graph.node.add(name="Identity", op="Identity").input.append("StatefulPartitionedCall:1")
    graph.node.add(name="done", op="NoOp").input.append("^StatefulPartitionedCall")
    body = function(
        STEP,
        ["x", "y", "w"],
        ["logits", "loss"],
        [
            ("model/dense/ReadVariableOp", "ReadVariableOp", ["w"], {}),
            ("model/dense/MatMul", "MatMul", ["x", "model/dense/ReadVariableOp:value:0"], {}),
            ("bn/FusedBatchNormV3", "FusedBatchNormV3", ["model/dense/MatMul:product:0"], {}),
            ("bn/mean", "Identity", ["bn/FusedBatchNormV3:batch_mean:0"], {}),
            ("loss", "Sub", ["bn/FusedBatchNormV3:y:0", "y"], {}),
            ("update", "AssignVariableOp", ["w", "bn/mean:output:0", "^loss"], {}),
        ],
        {"logits": "bn/FusedBatchNormV3:y:0", "loss": "loss:z:0"},
        {"update": "update"},
    )
    graph.library.function.append(body)
    return graph


def inputs_of(graph_def, name):
    (node,) = [n for n in graph_def.node if n.name == name]
    return list(node.input)


def test_a_nested_tf_functions_body_becomes_nodes_under_its_calls_name():
    inlined = inline_traced_calls(step_graph())
    names = [n.name for n in inlined.node]
    assert "StatefulPartitionedCall/model/dense/MatMul" in names
    # The body reads the call's inputs where it read its arguments.
    assert inputs_of(inlined, "StatefulPartitionedCall/model/dense/ReadVariableOp") == ["weight"]
    assert inputs_of(inlined, "StatefulPartitionedCall/model/dense/MatMul") == [
        "IteratorGetNext",
        "StatefulPartitionedCall/model/dense/ReadVariableOp",
    ]
    assert inputs_of(inlined, "StatefulPartitionedCall/loss") == [
        "StatefulPartitionedCall/bn/FusedBatchNormV3",
        "IteratorGetNext:1",
    ]
    # A consumer of the call's second output reads the body's second return value.
    assert inputs_of(inlined, "Identity") == ["StatefulPartitionedCall/loss"]
    # The call is a NoOp waiting on what the body returns and runs for effect; its control consumers wait on it.
    (done,) = [n for n in inlined.node if n.name == "StatefulPartitionedCall"]
    assert done.op == "NoOp" and done.attr["_inlined_function"].s == STEP.encode()
    assert set(done.input) == {
        "^StatefulPartitionedCall/bn/FusedBatchNormV3",
        "^StatefulPartitionedCall/loss",
        "^StatefulPartitionedCall/update",
        "^iterator",
    }
    assert inputs_of(inlined, "done") == ["^StatefulPartitionedCall"]
    assert not inlined.library.function  # nothing names the step any more


def test_an_output_named_by_its_argument_is_numbered_among_all_the_ops_outputs():
    # FusedBatchNormV3 puts out y, batch_mean, batch_variance, ...: ``batch_mean:0`` is its output 1.
    inlined = inline_traced_calls(step_graph())
    assert inputs_of(inlined, "StatefulPartitionedCall/bn/mean") == ["StatefulPartitionedCall/bn/FusedBatchNormV3:1"]
    assert inputs_of(inlined, "StatefulPartitionedCall/update") == [
        "weight",
        "StatefulPartitionedCall/bn/mean",
        "^StatefulPartitionedCall/loss",
    ]
    # A list before the argument counts its length: SparseSplit's ``output_values:0`` follows num_split indices.
    graph = graph_pb2.GraphDef()
    graph.node.add(name="a", op="Placeholder")
    call(graph, "PartitionedCall", "__inference_split_7", ["a"], op="PartitionedCall")
    graph.node.add(name="out", op="Identity").input.append("PartitionedCall")
    graph.library.function.append(
        function(
            "__inference_split_7",
            ["t"],
            ["values"],
            [("split", "SparseSplit", ["t"], {"num_split": 3})],
            {"values": "split:output_values:1"},
        )
    )
    assert inputs_of(inline_traced_calls(graph), "out") == ["PartitionedCall/split:4"]


def test_the_inlined_graph_builds_with_every_edge_resolved():
    graph = build_graph(inline_traced_calls(step_graph()))
    assert not graph.dangling_inputs
    matmul = graph.index["StatefulPartitionedCall/model/dense/MatMul"]
    sources = {graph.names[graph.edge_src[e]] for e in graph.in_edges(matmul)}
    assert sources == {"IteratorGetNext", "StatefulPartitionedCall/model/dense/ReadVariableOp"}


def test_gradient_functions_functions_called_twice_and_taken_scopes_stay_calls():
    graph = step_graph()
    # TensorFlow's forward and backward functions of a gradient are no traced tf.function of the user's.
    backward = "__inference___backward_cond_true_9_12"
    call(graph, "gradient_tape/cond/PartitionedCall", backward, [], op="PartitionedCall")
    graph.library.function.append(function(backward, [], [], [("k", "Const", [], {})], {}))
    # A function called twice would be inlined twice: left as calls.
    for name in ("twice_a", "twice_b"):
        call(graph, name, "__inference_helper_3", [])
    graph.library.function.append(function("__inference_helper_3", [], [], [("k", "Const", [], {})], {}))
    # A call whose scope already holds a node: its body's names could clash.
    call(graph, "busy", "__inference_busy_5", [])
    graph.node.add(name="busy/k", op="Const")
    graph.library.function.append(function("__inference_busy_5", [], [], [("k", "Const", [], {})], {}))
    inlined = inline_traced_calls(graph)
    ops = {n.name: n.op for n in inlined.node}
    assert ops["StatefulPartitionedCall"] == "NoOp"
    assert ops["gradient_tape/cond/PartitionedCall"] == "PartitionedCall"
    assert ops["twice_a"] == ops["twice_b"] == ops["busy"] == "StatefulPartitionedCall"
    assert {f.signature.name for f in inlined.library.function} == {
        backward,
        "__inference_helper_3",
        "__inference_busy_5",
    }


def test_calls_inside_an_inlined_body_are_inlined_in_turn_and_a_function_calling_itself_stops():
    graph = graph_pb2.GraphDef()
    call(graph, "outer", "__inference_outer_1", [])
    inner = function("__inference_outer_1", [], [], [("inner", "PartitionedCall", [], {})], {})
    inner.node_def[0].attr["f"].func.name = "__inference_inner_2"
    again = function("__inference_inner_2", [], [], [("again", "PartitionedCall", [], {})], {})
    again.node_def[0].attr["f"].func.name = "__inference_inner_2"  # calls itself
    graph.library.function.extend([inner, again])
    inlined = inline_traced_calls(graph)
    ops = {n.name: n.op for n in inlined.node}
    assert ops == {"outer": "NoOp", "outer/inner": "NoOp", "outer/inner/again": "PartitionedCall"}
    # The function still named by the call left in the graph stays in the library.
    assert {f.signature.name for f in inlined.library.function} == {"__inference_inner_2"}


def test_a_graph_with_nothing_to_inline_is_returned_as_it_is():
    graph = graph_pb2.GraphDef()
    graph.node.add(name="a", op="Placeholder")
    assert inline_traced_calls(graph) is graph


def looped_step_graph(step_reads="x"):
    """Keras 3's ``fit`` with ``steps_per_execution`` above 1: the traced function is a loop whose body asks an
    ``If`` (is there a next batch?) to take the batch out of the iterator's optional and call the step."""
    graph = graph_pb2.GraphDef()
    for name in ("iterator", "weight"):
        graph.node.add(name=f"graph_22/{name}", op="_Arg")
    graph.node.add(name="graph_22/IteratorGetNextAsOptional", op="IteratorGetNextAsOptional").input.append(
        "graph_22/iterator"
    )
    loop = graph.node.add(name="graph_22/while", op="While")
    loop.input.extend(["graph_22/IteratorGetNextAsOptional", "graph_22/weight"])
    loop.attr["body"].func.name = "while_body_191"
    graph.node.add(name="graph_22/Identity", op="Identity").input.append("graph_22/while:0")
    body = function(
        "while_body_191",
        ["optional", "w"],
        ["optional_out", "w_out"],
        [
            ("while/has", "OptionalHasValue", ["optional"], {}),
            ("while/cond", "If", ["while/has:has_value:0", "optional", "w"], {}),
        ],
        {"optional_out": "while/cond:output:0", "w_out": "w"},
    )
    body.node_def[1].attr["then_branch"].func.name = "while_cond_true_215"
    branch = function(
        "while_cond_true_215",
        ["optional", "w"],
        ["out"],
        [
            ("while/cond/OptionalGetValue", "OptionalGetValue", ["optional"], {}),
            ("while/cond/StatefulPartitionedCall", "StatefulPartitionedCall",
             ["while/cond/OptionalGetValue:components:0" if step_reads == "x" else step_reads,
              "while/cond/OptionalGetValue:components:1", "w", "^while/cond/OptionalGetValue"], {}),
            ("while/cond/optional", "OptionalFromValue", ["while/cond/StatefulPartitionedCall:output:0"], {}),
        ],
        {"out": "while/cond/optional:optional:0"},
    )  # fmt: skip
    branch.node_def[1].attr["f"].func.name = STEP
    step = step_graph().library.function[0]
    graph.library.function.extend([body, branch, step])
    return graph


def test_a_step_run_in_a_loop_is_inlined_once_beside_it_reading_the_loops_inputs():
    inlined = inline_traced_calls(looped_step_graph())
    nodes = {n.name: n for n in inlined.node}
    # The batch taken out of the optional inside the loop, then the step, named as in the bodies under the loop's scope.
    step = "graph_22/while/cond/StatefulPartitionedCall"
    assert inputs_of(inlined, "graph_22/while/cond/OptionalGetValue") == ["graph_22/IteratorGetNextAsOptional"]
    assert inputs_of(inlined, f"{step}/model/dense/MatMul")[0] == "graph_22/while/cond/OptionalGetValue"
    assert inputs_of(inlined, f"{step}/loss")[1] == "graph_22/while/cond/OptionalGetValue:1"
    assert inputs_of(inlined, f"{step}/model/dense/ReadVariableOp") == ["graph_22/weight"]
    assert nodes[step].op == "NoOp" and nodes[step].attr["_inlined_function"].s.decode() == STEP
    assert nodes[step].attr["_inlined_within"].s.decode() == (
        "graph_22/while (while_body_191) > while/cond (while_cond_true_215)"
    )
    # The loop is a NoOp that keeps its body (it still opens) and says it was a loop; what read it waits on it.
    loop = nodes["graph_22/while"]
    assert (loop.op, loop.attr["_inlined_loop"].s, loop.attr["body"].func.name) == ("NoOp", b"While", "while_body_191")
    assert list(loop.input) == ["^graph_22/IteratorGetNextAsOptional", "^graph_22/weight"]
    assert inputs_of(inlined, "graph_22/Identity") == ["^graph_22/while"]
    # Nothing else of the bodies is copied (the branch's OptionalFromValue, the body's OptionalHasValue).
    assert not {"graph_22/while/has", "graph_22/while/cond/optional"} & set(nodes)
    assert {f.signature.name for f in inlined.library.function} >= {"while_body_191", "while_cond_true_215", STEP}
    graph = build_graph(inlined)
    assert not graph.dangling_inputs


def test_a_looped_step_reading_what_cannot_be_followed_out_of_the_loop_stays_in_it():
    # The step reads a tensor of no node the bodies hold: nothing is copied, the loop stays a loop.
    inlined = inline_traced_calls(looped_step_graph(step_reads="nowhere:output:0"))
    ops = {n.name: n.op for n in inlined.node}
    assert ops["graph_22/while"] == "While"
    assert not [name for name in ops if name.startswith("graph_22/while/")]


def loop_over_batches(reads_batches=True):
    """tf_keras's ``train_function`` with ``steps_per_execution``: a loop whose body takes a batch and runs the
    step itself (no call): a read, a matmul, an update of the weight."""
    graph = graph_pb2.GraphDef()
    for name in ("iterator", "weight"):
        graph.node.add(name=name, op="_Arg" if name == "iterator" else "VarHandleOp")
    loop = graph.node.add(name="while", op="While")
    loop.input.extend(["iterator", "weight"])
    loop.attr["body"].func.name = "while_body_704"
    first = ("while/IteratorGetNext", "IteratorGetNext", ["it"], {})
    if not reads_batches:  # a recurrent layer's loop: a slice of a tensor it was handed
        first = ("while/IteratorGetNext", "Identity", ["it"], {})
    body = function(
        "while_body_704",
        ["it", "w"],
        ["it_out", "w_out"],
        [
            first,
            ("while/model/dense/ReadVariableOp", "ReadVariableOp", ["w"], {}),
            ("while/model/dense/MatMul", "MatMul", ["while/IteratorGetNext:components:0", "while/model/dense/ReadVariableOp:value:0"], {}),
            ("while/update", "AssignAddVariableOp", ["w", "while/model/dense/MatMul:product:0", "^while/model/dense/ReadVariableOp"], {}),
        ],
        {"it_out": "it", "w_out": "w"},
    )  # fmt: skip
    graph.library.function.append(body)
    return graph


def test_a_loop_taking_its_own_batches_is_inlined_once_whole_in_its_place():
    inlined = inline_traced_calls(loop_over_batches())
    nodes = {n.name: n for n in inlined.node}
    assert inputs_of(inlined, "while/IteratorGetNext") == ["iterator"]
    assert inputs_of(inlined, "while/model/dense/MatMul") == [
        "while/IteratorGetNext",
        "while/model/dense/ReadVariableOp",
    ]
    # What the body waits on within itself is kept; the loop is a NoOp that keeps its body.
    assert inputs_of(inlined, "while/update") == [
        "weight",
        "while/model/dense/MatMul",
        "^while/model/dense/ReadVariableOp",
    ]
    assert nodes["while"].op == "NoOp" and nodes["while"].attr["_inlined_loop"].s == b"While"
    assert nodes["while/update"].attr["_inlined_within"].s == b"while (while_body_704)"
    assert not build_graph(inlined).dangling_inputs


def test_a_loop_that_takes_no_batch_of_its_own_stays_a_loop():
    # A recurrent layer's loop (or any loop reading no iterator) is no training step: left as it was written.
    graph = loop_over_batches(reads_batches=False)
    assert inline_traced_calls(graph) is graph


def saved_model_graph():
    """A TF2 SavedModel's graph as Keras 3's export writes it: the weight, two signatures (``serve`` and
    ``serving_default``) whose wrappers call one model function, the traced save and restore."""
    graph = graph_pb2.GraphDef()
    graph.node.add(name="dense/kernel", op="VarHandleOp")
    model = function(
        "__inference___call___979",
        ["x", "resource"],
        ["out"],
        [
            ("model/dense/ReadVariableOp", "ReadVariableOp", ["resource"], {}),
            ("model/dense/MatMul", "MatMul", ["x", "model/dense/ReadVariableOp:value:0"], {}),
        ],
        {"out": "model/dense/MatMul:product:0"},
    )
    graph.library.function.append(model)
    for signature, number in (("serve", 993), ("serving_default", 1006)):
        wrapper = function(
            f"__inference_signature_wrapper___call___{number}",
            ["x", "resource"],
            ["out"],
            [("StatefulPartitionedCall", "StatefulPartitionedCall", ["x", "resource"], {})],
            {"out": "StatefulPartitionedCall:output:0"},
        )
        wrapper.node_def[0].attr["f"].func.name = model.signature.name
        graph.library.function.append(wrapper)
        graph.node.add(name=f"{signature}_keras_tensor", op="Placeholder")
    call(
        graph,
        "StatefulPartitionedCall",
        "__inference_signature_wrapper___call___993",
        ["serve_keras_tensor", "dense/kernel"],
    )
    call(
        graph,
        "StatefulPartitionedCall_1",
        "__inference_signature_wrapper___call___1006",
        ["serving_default_keras_tensor", "dense/kernel"],
    )
    graph.node.add(name="saver_filename", op="Placeholder")
    for number, (name, body) in enumerate(
        (("__inference__traced_save_1104", "SaveV2"), ("__inference__traced_restore_1140", "RestoreV2"))
    ):
        graph.library.function.append(
            function(name, ["file", "resource"], ["out"], [(body, body, ["file"], {})], {"out": "file"})
        )
        call(graph, f"StatefulPartitionedCall_{number + 2}", name, ["saver_filename", "dense/kernel"])
    return graph


def test_a_savedmodels_serving_default_call_is_inlined_and_its_checkpoint_and_other_signatures_stay_calls():
    inlined, name = inline_serving_call(saved_model_graph())
    assert name == "StatefulPartitionedCall_1"  # the call reading serving_default's input
    nodes = {node.name: node for node in inlined.node}
    inner = "StatefulPartitionedCall_1/StatefulPartitionedCall/"
    assert nodes[inner + "model/dense/ReadVariableOp"].input == ["dense/kernel"]
    assert nodes[inner + "model/dense/MatMul"].input == [
        "serving_default_keras_tensor",
        inner + "model/dense/ReadVariableOp",
    ]
    assert nodes["StatefulPartitionedCall_1"].op == nodes[inner.rstrip("/")].op == "NoOp"
    for stays in ("StatefulPartitionedCall", "StatefulPartitionedCall_2", "StatefulPartitionedCall_3"):
        assert nodes[stays].op == "StatefulPartitionedCall", stays
    # The serve signature still calls the model's function: it stays in the library; the wrapper inlined goes.
    library = {f.signature.name for f in inlined.library.function}
    assert "__inference___call___979" in library and "__inference_signature_wrapper___call___1006" not in library
    build_graph(inlined)  # every input resolves


def test_a_graph_calling_no_signature_is_not_a_savedmodels():
    graph = step_graph()
    assert inline_serving_call(graph) == (graph, "")
