"""Every node of a training graph where a TensorFlow user would put it: the roles of whole classes of nodes that
training code writes, on graphs real TensorFlow writes at test time the way that code writes them
(tests/tf_written_roles.py) and on graphs other people's code wrote (../shared/graphs, when present)."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from roles_written import GRADIENT_SCOPE, Roles, corpus
from tb_phaseview.analysis import layers, role_why, roles, shapes
from tb_phaseview.analysis.pipeline import analyze
from tb_phaseview.cli import iter_graphs
from tb_phaseview.read import graph_source
from tb_phaseview.serve import wire

# 1. A gradient op type alone never makes a forward op machinery.


def test_a_gan_generator_of_transposed_convolutions_is_the_model(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    forward = [n for n in dcgan.with_op("Conv2DBackpropInput") if not GRADIENT_SCOPE.search(n)]
    assert sorted(forward) == ["generator/deconv1/conv2d_transpose", "generator/deconv2/conv2d_transpose"]
    assert dcgan.of(forward) == {"model"}
    # What the generator computes on, the discriminator fed by it and both losses stay the model's.
    for name in ("generator/deconv2/BiasAdd", "generator/out", "discriminator_1/logit/BiasAdd", "g_loss", "d_loss"):
        assert dcgan[name] == "model", name
    layers = [n for n in dcgan.role if re.match(r"(generator|discriminator(_1)?)/\w+/(Conv2D|BiasAdd|MatMul)", n)]
    assert len(layers) == 12 and dcgan.of(layers) == {"model"}
    # The gradients of the convolutions (in their scope) are gradients, each optimizer's updates its own.
    backward = [n for n in dcgan.with_op("Conv2DBackpropInput", "Conv2DBackpropFilter") if GRADIENT_SCOPE.search(n)]
    assert len(backward) >= 6 and dcgan.of(backward) == {"gradient"}
    assert dcgan.of(dcgan.with_op("ApplyAdam")) == {"optimizer"}


def test_a_conv3d_transpose_decoder_and_its_loss_are_the_model(roles_graphs):
    autoencoder = roles_graphs["roles_autoencoder3d"]
    assert autoencoder.ops["decoder/deconv/conv3d_transpose"] == "Conv3DBackpropInputV2"
    for name in ("decoder/deconv/conv3d_transpose", "decoder/deconv/BiasAdd", "decoder/out", "reconstruction_loss"):
        assert autoencoder[name] == "model", name


def test_corpus_gan_generators_are_the_model():
    pix2pix = corpus("pix2pix-illustris")
    transposed = [n for n in pix2pix.with_op("Conv2DBackpropInput") if not GRADIENT_SCOPE.search(n)]
    assert len(transposed) == 8 and pix2pix.of(transposed) == {"model"}
    forward = [n for n in pix2pix.role if re.match(r"generator/decoder_\d/(conv2d_transpose/BiasAdd|Relu|Tanh)", n)]
    assert len(forward) >= 16 and pix2pix.of(forward) == {"model"}
    assert pix2pix.of(pix2pix.named(r"^(real|fake)_discriminator/discriminator/layer_\d/conv2d/Conv2D$")) == {"model"}


def test_corpus_convolution_gradients_stay_gradients_and_inference_gradients_are_the_model():
    pixel_link = corpus("pixel-link")
    assert pixel_link.of(pixel_link.with_op("Conv2DBackpropInput")) == {"gradient"}
    # A frozen potential computes its forces as its energy's gradient: nothing there is trained.
    deepmd = corpus("deepmd-frozen")
    assert set(deepmd.role.values()) == {"model"}
    assert deepmd["o_force"] == "model" and len(deepmd.named(r"^gradients/")) == 233


# 2. Checkpoint restores are the checkpoint's.


def test_saver_restores_of_ref_and_resource_variables_are_checkpoint_ops(roles_graphs):
    ref = roles_graphs["roles_dcgan"]
    restores = ref.named(r"^save/Assign(_\d+)?$")
    assert len(restores) == len(ref.with_op("VariableV2")) and ref.of(restores) == {"save"}
    resource = roles_graphs["roles_autoencoder3d"]
    restores = resource.named(r"^save/AssignVariableOp(_\d+)?$")
    assert len(restores) == len(resource.with_op("VarHandleOp")) and resource.of(restores) == {"save"}
    for graph in (ref, resource, roles_graphs["roles_estimator"]):
        assert graph.of(graph.named(r"^save/")) == {"save"}
    assert roles_graphs["roles_estimator"]["save/StringJoin"] == "save"  # the sharded saver's file name


@pytest.mark.parametrize(
    "case", ["funds-lstm", "guesslang", "pixel-link", "portfolio-gan", "tflearn-chatbot", "vocal-autoencoder"]
)
def test_corpus_ref_variable_restores_are_no_initialisers(case):
    graph = corpus(case)
    assert graph.of(graph.named(r"^save(_\d+)?/(Assign(_\d+)?|restore_all)$")) == {"save"}


@pytest.mark.parametrize("case", ["amexpert-keras-estimator", "asl-keras-estimator", "census-estimator"])
def test_corpus_resource_restores_and_file_names_are_the_checkpoint(case):
    graph = corpus(case)
    assert graph.of(graph.named(r"^save/(AssignVariableOp(_\d+)?|restore_all)$")) == {"save"}
    assert graph.of(graph.named(r"^save/")) == {"save"}


def test_corpus_saved_model_traced_save_and_restore_are_the_checkpoint():
    mnist = corpus("mnist-tf2-savedmodel")
    assert mnist.of(["saver_filename", "StatefulPartitionedCall_1", "StatefulPartitionedCall_2"]) == {"save"}
    assert mnist["StatefulPartitionedCall"] == "model"  # the serving call


# 3. Optimizer state is the optimizer's.


def test_adam_beta_powers_and_their_updates_are_the_optimizer(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    for scope in ("discriminator_train", "generator_train"):
        names = [f"{scope}/beta1_power", f"{scope}/beta2_power", f"{scope}/Adam/mul", f"{scope}/Adam/Assign"]
        assert dcgan.of(names) == {"optimizer"}
    autoencoder = roles_graphs["roles_autoencoder3d"]
    assert autoencoder.of(["beta1_power", "beta2_power", "Adam/AssignVariableOp", "Adam/mul"]) == {"optimizer"}


@pytest.mark.parametrize(
    "name, state",
    [
        (
            "roles_keras2_adam",
            ["training/Adam/decay", "training/Adam/dense_1/kernel/m", "training/Adam/dense_2/bias/v"],
        ),
        ("roles_keras2_adadelta", ["training/Adadelta/decay", "training/Adadelta/dense_1/kernel/accum_grad"]),
        ("roles_keras2_sgd", ["training/SGD/decay", "training/SGD/dense_1/kernel/momentum"]),
    ],
)
def test_keras_optimizer_variables_are_the_optimizer(roles_graphs, name, state):
    graph = roles_graphs[name]
    assert graph.of(state) == {"optimizer"}
    scope = name.rsplit("_", 1)[1]
    hyper = graph.named(rf"^training/{scope[:1].upper()}\w*/(learning_rate|momentum|rho|beta_1)$")
    assert graph.of(hyper) <= {"hyperparameter", "optimizer"}  # drawn with the optimizer either way
    areas = {graph.analysis.roles.area_codes[graph.analysis.graph.index[n]] for n in hyper}
    assert areas == {5}  # the optimizer's area


def test_corpus_optimizer_state_is_the_optimizer():
    mnist = corpus("mnist-tf2-savedmodel")
    assert mnist.of(mnist.named(r"^Adam/[^/]+(/[^/]+)?/[mv]$")) == {"optimizer"}
    assert mnist.of(["Adam/iter", "Adam/learning_rate", "Adam/decay", "Adam/beta_1"]) == {"optimizer"}
    assert corpus("asl-keras-estimator")["training/RMSprop/decay"] == "optimizer"
    vocal = corpus("vocal-autoencoder")
    assert vocal.of(["beta1_power", "beta2_power", "Adam/mul", "Adam/Assign", "Adam_1/Assign_1"]) == {"optimizer"}
    # TF 1.8's Adam casts each beta power to its variable's dtype before the update reads it.
    funds = corpus("funds-lstm")
    assert funds.of(["beta1_power", "beta1_power/read", "beta2_power", "Adam/mul", "Adam/Assign"]) == {"optimizer"}


def test_corpus_moving_averages_of_the_weights_are_the_optimizer_and_of_the_batch_the_model():
    """Slim keeps a moving average of every weight for evaluation: computed from variables alone, it is
    training machinery; its shadows' initialisers (a copy of each weight's initial value) stay initialisers."""
    slim = corpus("pixel-link")
    average = slim.named(r"^ExponentialMovingAverage(/|$)")
    assert slim.of(average) - {"hyperparameter"} == {"optimizer"}
    assert slim.of(slim.named(r"^conv1/conv1_1/weights/ExponentialMovingAverage(/read)?$")) == {"optimizer"}
    assert slim["conv1/conv1_1/weights/ExponentialMovingAverage/Assign"] == "init"
    assert slim.of(["cond/Merge", "cond/read"]) == {"init"}
    assert slim["conv1/conv1_1/weights"] == "model"
    # The moving averages of a GAN's losses (for display) are computed from the data: the model's metrics.
    pix2pix = corpus("pix2pix-illustris")
    assert pix2pix.of(pix2pix.with_op("AssignSub")) <= {"model"}


def test_moving_averages_of_resource_weights_start_from_their_initial_values_by_initialisers(roles_graphs):
    """``tf.compat.v1`` in TensorFlow 2 makes resource variables, whose ``initialized_value()`` is an ``If`` on the
    variable's initialised check: ExponentialMovingAverage sets each shadow's initial value through it. The ``If``
    and the shadow's ``Assign`` were the optimizer's, and so was each weight's own initialiser (read by its
    ``Assign`` and by that ``If``): they are initialisers, as with ref variables, where the cond is a ``Merge``."""
    for name in ("roles_tf1_towers", "roles_tf1_towers_resource"):
        towers = roles_graphs[name]
        shadows = towers.named(r"^conv1/weights/ExponentialMovingAverage$")
        assert towers.of(shadows) == {"optimizer"}, name
        assert towers["conv1/weights/ExponentialMovingAverage/Assign"] == "init", name
        assert towers.of(towers.named(r"^conv1/weights/Initializer/")) == {"init"}, name
        assert towers["conv1/weights"] == "model", name
    resource = roles_graphs["roles_tf1_towers_resource"]
    graph = resource.analysis.graph
    checked = [graph.index[name] for name in resource.with_op("If")]
    checks = [
        graph.names[n] for n in checked if graph.ops[graph.edge_src[graph.in_edges(n)[0]]] == "VarIsInitializedOp"
    ]
    assert len(checks) == 6 and resource.of(checks) == {"init"}  # one per trained weight: two a layer


# 4. Step counters are the optimizer's, whatever else reads the step.


def test_step_counters_are_the_optimizer_whatever_reads_them(roles_graphs):
    dcgan = roles_graphs["roles_dcgan"]
    assert dcgan.of(["global_step", "global_step/read", "generator_train/Adam"]) == {"optimizer"}
    autoencoder = roles_graphs["roles_autoencoder3d"]
    increments = [
        n
        for n in autoencoder.with_op("AssignAddVariableOp")
        if "global_step"
        in autoencoder.analysis.graph.names[
            autoencoder.analysis.graph.edge_src[
                autoencoder.analysis.graph.in_start[autoencoder.analysis.graph.index[n]]
            ]
        ]
    ]
    assert len(increments) == 1
    # Read by a decayed learning rate and a summary: still the step.
    assert autoencoder.of(["global_step", *increments, "learning_rate"]) == {"optimizer"}
    estimator = roles_graphs["roles_estimator"]  # BERT's assign(step + 1)
    assert estimator.of(["global_step", "add", "Assign", "PolynomialDecay"]) == {"optimizer"}
    for name, scope in (("roles_keras2_adam", "Adam"), ("roles_keras2_sgd", "SGD")):
        graph = roles_graphs[name]
        assert graph.of([f"training/{scope}/iter", f"training/{scope}/{scope}/AssignAddVariableOp"]) == {"optimizer"}
        assert graph.of(["count", "total"]) == {"model"}  # a metric's count is divided by: no step


def test_a_metrics_count_of_a_static_batch_is_no_step_counter(roles_graphs):
    # TF2's custom training loop: Adam's step and the accuracy's count both add a constant (1, and the batch's
    # size, 4, known when the function was traced); the count is ordered after the total's update.
    loop = roles_graphs["roles_tf2_custom_loop"]
    graph = loop.analysis.graph
    increments = {}
    for name in loop.with_op("AssignAddVariableOp"):
        value = graph.columns.inputs_at([graph.index[name]], 1)[0]
        while graph.ops[value] == "Cast":
            value = graph.columns.inputs_at([value], 0)[0]
        if graph.ops[value] == "Const":
            increments[name] = graph.node_defs[value].attr["value"].tensor
    step = [name for name in increments if "/Adam/" in name]
    count = [name for name in increments if "/Adam/" not in name]
    assert len(step) == 1 and len(count) == 1, increments
    assert increments[step[0]].int64_val == [1] and increments[count[0]].int_val == [4]
    assert loop.of(step) == {"optimizer"}
    total = [graph.names[graph.edge_src[e]] for e in graph.in_edges(graph.index[count[0]]) if graph.edge_control[e]]
    assert loop.of(count + total) == {"model"}, (count, total)


def test_a_tf2_gans_second_optimizer_and_its_backward_functions_are_no_model(roles_graphs):
    # Two tapes, two Adams: the discriminator's Adam (``Adam_1``) updates its slots after a sum of the two tapes'
    # gradients outside their scope; the gradients through each cond are calls of backward functions.
    gan = roles_graphs["roles_tf2_gan"]
    graph = gan.analysis.graph
    traced = gan.analysis.phase.sources[0].name.rpartition("/")[0]
    for optimizer in ("Adam", "Adam_1"):
        updates = gan.named(rf"^{traced}/{optimizer}/Assign(Add|Sub)?VariableOp(_\d+)?$")
        assert len(updates) > 8 and gan.of(updates) == {"optimizer"}, optimizer
    backward = [n for n in gan.with_op("PartitionedCall") if roles.backward_function(graph, graph.index[n])]
    assert len(backward) >= 4 and gan.of(backward) == {"gradient"}, backward
    assert "backward" in gan.analysis.role_why(graph.index[backward[0]])
    forward = gan.named(rf"^{traced}/(generator|discriminator)/")
    assert gan.of(forward) == {"model"}


def test_a_weight_passed_into_a_traced_step_is_no_scalar_hyperparameter(roles_graphs):
    # BatchNorm's gamma (16 values) reaches the model and the optimizer's cond as a resource argument: its
    # handle records its shape, so it is no "float scalar that nothing trains" (it was called a hyperparameter).
    loop = roles_graphs["roles_tf2_mixed_precision"]
    graph = loop.analysis.graph
    hyper = [n for n, role in loop.role.items() if role == "hyperparameter"]
    for name in hyper:
        variable = shapes.variable(graph, graph.index[name]) if graph.ops[graph.index[name]] == "_Arg" else None
        assert variable is None or variable.shape == (), (name, variable)
    gamma = loop.named(r"model_bn_batchnorm_mul_readvariableop_resource$")
    assert loop.of(gamma) == {"model"}


def test_a_loops_gradient_accumulators_do_not_make_the_forward_pass_the_optimizers(roles_graphs):
    # TF2 makes an LSTM loop's gradient accumulators in the tape's scope (constants) and hands them to the forward
    # loop: what follows the LSTM (BatchNorm, the head) stayed the model's, and its weights no step counters.
    loop = roles_graphs["roles_tf2_lstm"]
    traced = loop.analysis.phase.sources[0].name.rpartition("/")[0]
    forward = loop.named(rf"^{traced}/model/(lstm|bn|head)/")
    assert loop.of(forward) == {"model"}
    weights = loop.named(rf"^{traced}/model_(lstm|bn|head)_.*_resource$")
    assert len(weights) >= 7 and loop.of(weights) == {"model"}
    graph = loop.analysis.graph
    accumulators = [
        n for n in loop.named(r"/gradient_tape/.*/accumulator$") if graph.ops[graph.index[n]] == "EmptyTensorList"
    ]
    assert accumulators and loop.of(accumulators) == {"gradient"}


def test_corpus_step_counters_are_the_optimizer():
    tflearn = corpus("tflearn-chatbot")
    assert tflearn.of(["Global_Step", "Training_step", "Assign_2", "Adam/apply_grad_op_0"]) == {"optimizer"}
    # The loss's and accuracy's moving averages decay on a schedule of the step: still the model's metrics.
    averages = ["moving_avg/truediv", "moving_avg/AssignMovingAvg", "Adam/moving_avg/Minimum"]
    assert tflearn.of(averages) == {"model"}
    for case in ("albert-finetune", "census-estimator", "funds-lstm", "pix2pix-illustris"):
        assert corpus(case)["global_step"] == "optimizer", case
    # Exported graphs keep the step only for their checkpoint: an integer scalar variable is no layer's weight.
    for case in ("ssd-export", "albert-tiny-savedmodel"):
        graph = corpus(case)
        assert graph.of(graph.named(r"^global_step(/read|/Read/ReadVariableOp)?$")) == {"optimizer"}, case
    # The step read through a cond on whether it is initialised (the Estimator's global step read) is the step.
    assert corpus("albert-finetune").of(["global_step/cond/Merge", "global_step/add"]) == {"optimizer"}
    assert corpus("census-estimator").of(["global_step/cond", "global_step/add"]) == {"optimizer"}


# 5. Data fed per batch and metric state are no hyperparameters.


def test_data_placeholders_and_metric_state_are_no_hyperparameters(roles_graphs):
    assert roles_graphs["roles_estimator"]["labels"] == "model"
    for name in ("roles_keras2_adam", "roles_keras2_adadelta", "roles_keras2_sgd"):
        graph = roles_graphs[name]
        assert graph.of(["dense_2_target", "dense_2_sample_weights", "count", "total"]) == {"model"}
    mnist = corpus("mnist-tf2-savedmodel")
    assert mnist.of(["count", "total", "count_1", "total_1"]) == {"model"}


def test_corpus_a_loss_computed_from_a_staging_area_batch_is_the_model():
    """IMPALA feeds its learner from a queue through a StagingArea (``Unstage``): the batch it hands on is data,
    so the losses computed from it are the model's, not the gradients' nor the summary's that read them."""
    impala = corpus("impala-agent")
    assert impala.ops["StagingArea_get"] == "Unstage"
    losses = impala.named(r"^(SparseSoftmaxCrossEntropyWithLogits/|Softmax$|LogSoftmax$|Square$|Sum_\d$|Neg)")
    assert len(losses) >= 20 and impala.of(losses) == {"model"}
    assert impala.of(["add_1", "mul_1", "mul_3", "mul_5", "StopGradient"]) == {"model"}  # the total loss
    assert impala["total_loss"] == "summary" and impala.of(impala.named(r"^gradients/")) == {"gradient"}


def test_corpus_the_loss_and_metrics_of_constant_inputs_are_the_model():
    """guesslang's Estimator feeds constants (``const_features``, ``const_labels``): no placeholder or queue, yet
    its loss, predictions and metrics are the forward pass's, not the optimizer's that trains from them."""
    guesslang = corpus("guesslang")
    assert guesslang.ops["const_labels"] == "Const"
    loss = guesslang.named(r"^binary_logistic_head/log_loss_with_two_classes(/|$)")
    assert len(loss) >= 15 and guesslang.of(loss) == {"model"}
    assert guesslang.of(["const_labels", "binary_logistic_head/predictions/classes"]) == {"model"}
    auc = [
        n for n in guesslang.named(r"^binary_logistic_head/metrics/auc/") if not re.search(r"/(Initializer|Assign$)", n)
    ]
    assert len(auc) > 50 and guesslang.of(auc) == {"model"}  # its totals' initialisers stay initialisers
    assert guesslang.of(guesslang.named(r"^binary_logistic_head/metrics/auc/\w+/Initializer/")) == {"init"}
    # The mean of the constant labels adds a constant to its total each step, yet that total is divided by its
    # count (a variable): a metric, no step counter.
    mean = ["binary_logistic_head/metrics/mean_2/total", "binary_logistic_head/metrics/mean_2/AssignAdd"]
    assert guesslang.of(mean) == {"model"} and guesslang["global_step"] == "optimizer"
    # The machinery around them keeps its roles.
    assert guesslang.of(guesslang.with_op("ApplyRMSProp")) == {"optimizer"}
    assert guesslang.of(guesslang.named(r"/gradients/")) == {"gradient"}
    assert guesslang.of(guesslang.with_op("ScalarSummary", "HistogramSummary")) == {"summary"}


def test_corpus_an_input_declared_without_a_shape_is_no_hyperparameter():
    """The 2016 autoencoder feeds its audio through ``tf.placeholder(tf.float32)`` (no shape): a matrix product
    takes it, so it is the model's input, not a scalar that configures the model."""
    vocal = corpus("vocal-autoencoder")
    assert vocal.ops["Placeholder"] == "Placeholder" and vocal["MatMul"] == "model"
    assert vocal["Placeholder"] == "model"
    assert "Placeholder" not in {h.name for h in vocal.analysis.roles.hyperparameters}


# 6. Init plumbing is init; arithmetic on gradients outside their scopes is the optimizer's.


def test_estimator_init_plumbing_is_init(roles_graphs):
    estimator = roles_graphs["roles_estimator"]
    assert estimator.of(["init", "init_1", "init_all_tables", "group_deps"]) == {"init"}
    assert estimator.of(estimator.named(r"^report_uninitialized_(variables|resources)(_1)?/")) == {"init"}
    # An initialiser shared through initialized_value(): dense2's kernel starts from dense1's initial value.
    assert estimator.of(["dense2/kernel/Assign", "dense2/cond/Merge", "dense2/mul"]) == {"init"}
    assert estimator.of(["dense2/MatMul", "dense2/kernel"]) == {"model"}
    # The init op of a fine-tuning graph also runs the initialisers that restore a checkpoint.
    assert corpus("albert-finetune")["init"] == "init"


def test_optimizer_arithmetic_on_gradients_is_the_optimizer(roles_graphs):
    estimator = roles_graphs["roles_estimator"]
    sparse = ["Adadelta/update_embedding/table/Unique", "Adadelta/update_embedding/table/UnsortedSegmentSum"]
    assert estimator.of(sparse) == {"optimizer"}
    asl = corpus("asl-keras-estimator")
    squares = asl.named(r"^training/RMSprop/RMSprop/update_[^/]+/(kernel|bias)/Square$")
    assert len(squares) == 10 and asl.of(squares) == {"optimizer"}


def test_a_sparse_adam_update_and_its_beta_powers_are_the_optimizer(roles_graphs):
    """TF1's Adam updates an embedding sparsely: it scatters into its slots (``ScatterAdd``), then computes the
    weight's step from what the scatter returns and a learning rate corrected by the beta powers, and subtracts
    it (``AssignSub``). The walk down from the gradients stopped at the scatter: the step, its learning rate and
    the beta powers were the model's (the summary listed ``beta1_power`` and ``beta2_power`` as layers and an
    ``Adam`` row, the embedding's 8,000 weights not trained). What a write's value feeds in the update's own scope
    is the update's. A keep probability's default (``keep_prob/input``) is the hyperparameter's, not a layer."""
    bilstm = roles_graphs["roles_tf1_bilstm"]
    update = "Adam/update_embedding/word_embeddings/"
    assert bilstm.of([update + "ScatterAdd", update + "mul_6", update + "truediv", update + "AssignSub"]) == {
        "optimizer"
    }
    assert bilstm.of(["beta1_power", "beta2_power", "beta1_power/read"]) == {"optimizer"}
    assert bilstm["embedding/word_embeddings"] == "model" and bilstm["keep_prob/input"] == "hyperparameter"
    graph = bilstm.analysis.graph
    why = role_why.explain(graph, bilstm.analysis.roles, graph.index["keep_prob/input"])
    assert why == "a constant only the hyperparameter `keep_prob` reads (its default value): hyperparameter", why
    summary = layers.summarize(bilstm.analysis)
    assert (summary.total_params, summary.trainable_params) == (10223, 10223)
    assert not {"beta1_power", "beta2_power", "Adam", "keep_prob"} & {layer.name for layer in summary.layers}


def test_an_optimizers_settings_its_update_does_not_take_are_the_optimizers(roles_graphs):
    """TensorFlow 2's v1 FTRL makes ``Ftrl/beta`` and ``Ftrl/l2_shrinkage_regularization_strength`` beside its
    learning rate whether or not its update reads them: two constants nothing reads, which sat in the model's
    first view as a group ``Ftrl`` of two ops. They are the optimizer's, drawn in its area; a constant nothing
    reads beside no hyperparameter stays where it is."""
    canned = roles_graphs["roles_tf1_canned_dnn_linear"]
    unused = ["Ftrl/beta", "Ftrl/l2_shrinkage_regularization_strength"]
    assert canned.of(unused) == {"optimizer"} and canned["Ftrl/learning_rate"] == "hyperparameter"
    graph = canned.analysis.graph
    why = role_why.explain(graph, canned.analysis.roles, graph.index["Ftrl/beta"])
    assert why.startswith("a constant nothing reads, beside the optimizer's hyperparameters (`Ftrl/"), why
    top = {child["name"] for child in wire.group_answer(canned.analysis, "")["children"]}
    assert "Ftrl" not in top and {"dnn", "linear", "head"} <= top, top
    # The model's own unused constants (a loss's static checks, nothing reads them) stay the model's.
    assert canned["head/sigmoid_cross_entropy_loss/assert_broadcastable/weights/rank"] == "model"
    assert canned["dnn/input_from_feature_columns/input_layer/concat/concat_dim"] == "model"


def test_a_learning_rate_schedules_unread_assert_message_is_the_optimizers(roles_graphs):
    """``tf.train.piecewise_constant`` runs a ``case`` whose Assert makes its message, a constant nothing reads,
    ``PiecewiseConstant/case/Assert/Const``. As the model's, the learning rate's schedule was a group
    ``PiecewiseConstant`` of one op in the model's first view. A constant nothing reads among one machinery's ops
    in its scope is that machinery's; the model's own (a loss's static checks) stay the model's."""
    script = roles_graphs["roles_tf1_cnn_schedule"]
    message = "PiecewiseConstant/case/Assert/Const"
    assert script.of(script.named(r"^PiecewiseConstant/")) == {"optimizer"}
    graph = script.analysis.graph
    why = role_why.explain(graph, script.analysis.roles, graph.index[message])
    assert why.startswith(
        "a constant nothing reads, in the scope `PiecewiseConstant/case/Assert` of the optimizer's ops (`"
    ), why
    assert why.endswith(": optimizer"), why
    top = {child["name"] for child in wire.group_answer(script.analysis, "")["children"]}
    assert "PiecewiseConstant" not in top and {"conv1", "bn2", "logits", "loss", "metrics"} <= top, top
    canned = roles_graphs["roles_tf1_canned_dnn_linear"]
    assert canned["head/sigmoid_cross_entropy_loss/assert_broadcastable/weights/rank"] == "model"


def test_a_keep_probability_fed_to_one_dropout_is_a_hyperparameter(roles_graphs, tf_written):
    """TF1 code feeds ``keep_prob`` to its dropout (a text CNN's ``dropout_keep_prob``, read in the ``dropout``
    scope; the Deep MNIST tutorial's ``Placeholder_2``, turned into a rate by ``sub`` at the top level). Read in one
    layer, it was the model's (a hyperparameter is read in several), a second input of the model. It meets the
    dropout's random draw, as a rate does, where data fed meets a draw only as what the draw masks: a hyperparameter,
    and its why says so. The data fed to the same graphs stays the model's."""
    cnn = roles_graphs["roles_tf1_text_cnn"]
    assert cnn["dropout_keep_prob"] == "hyperparameter"
    assert cnn.of(["input_x", "input_y", "dropout/dropout/GreaterEqual", "dropout/sub"]) == {"model"}
    graph = cnn.analysis.graph
    why = role_why.explain(graph, cnn.analysis.roles, graph.index["dropout_keep_prob"])
    assert why == (
        "a float scalar fed to one dropout (`dropout/sub` reads it, and it meets the dropout's random draw: its keep"
        " probability or rate), and nothing trains it: a hyperparameter"
    ), why
    folder = os.path.join(tf_written("tf1_deep_mnist"), "logs")
    for _ref, graph, _ in iter_graphs(folder, graph_source.load_graph):
        mnist = Roles(analyze(graph))
        assert mnist["Placeholder_2"] == "hyperparameter"
        assert mnist.of(["Placeholder", "Placeholder_1"]) == {"model"}


def test_a_learning_rate_kept_in_a_reference_variable_and_set_from_outside_is_a_hyperparameter(roles_graphs):
    """TF1's language models keep the learning rate in a variable nothing trains (``lr = tf.Variable(0.0,
    trainable=False)``) and set it each epoch from a fed value (``new_lr`` -> ``Assign``, the PTB tutorial's
    ``lr_update``). A reference variable is read through its ``/read`` identity, which the search for
    hyperparameters did not count as a read, and the Saver's restore counted as a write: the rate was the
    optimizer's, and its setter weights loaded from outside (``init``, Keras's ``set_weights``). The rate is a
    hyperparameter drawn with the optimizer, which alone reads it, and so is its setter."""
    rnn = roles_graphs["roles_tf1_char_rnn"]
    assert rnn.of(["Variable", "Variable/read", "new_lr", "Assign"]) == {"hyperparameter"}
    analysis = rnn.analysis
    graph = analysis.graph
    (rate,) = [h for h in analysis.roles.hyperparameters if h.name == "Variable"]
    assert rate.readers == 7  # the ApplyAdam of each dense weight, and the embedding's sparse update
    assert {analysis.roles.area_codes[graph.index[n]] for n in ("Variable", "new_lr", "Assign")} == {roles.OPTIMIZER}
    assert role_why.explain(graph, analysis.roles, graph.index["Assign"]) == (
        "writes the hyperparameter `Variable` the value fed to `new_lr`: it is set from outside, as TF1 code sets its"
        " learning rate each epoch: hyperparameter"
    )
    assert role_why.explain(graph, analysis.roles, graph.index["new_lr"]) == (
        "fed only to be written into the hyperparameter `Variable` (`Assign`): hyperparameter"
    )
    # A checkpoint saves and restores it as it does every variable: no read of a setting (the checkpoints' area was
    # drawn as reading the rate).
    edges = [e for e in graph.in_edges(graph.index["save/SaveV2"]) if graph.edge_src[e] == graph.index["Variable"]]
    assert edges and {analysis.kinds[e] for e in edges} == {"save"}
    top = {child["name"]: child for child in wire.group_answer(analysis, "")["children"]}
    assert not [name for name, child in top.items() if "hyper_reads" in child and child.get("area") == "save"]


def test_a_scalar_only_checkpoints_read_is_no_hyperparameter_and_a_restored_rate_is_one():
    """A value fed only for display (TFLearn's ``val_loss``, which only its three Savers read) configures nothing:
    no hyperparameter, however many Savers read it. A Saver's restore of tf_keras's RMSprop rates inside an
    Estimator is no write: the rates are hyperparameters (they were the optimizer's)."""
    chatbot = corpus("tflearn-chatbot")
    assert chatbot.of(["val_loss", "val_acc"]) == {"model"}
    assert chatbot.of(["placeholder/val_loss", "assign/val_loss"]) == {"init"}
    estimator = corpus("asl-keras-estimator")
    assert estimator.of(["training/RMSprop/learning_rate", "training/RMSprop/rho"]) == {"hyperparameter"}


def test_a_gradient_made_dense_for_a_histogram_is_the_summarys(roles_graphs):
    """A histogram of an embedding's gradient (its rows, an ``IndexedSlices``) first sums them into a dense tensor:
    ``embedding/W_0/grad/hist/values`` (``UnsortedSegmentSum``) and the slice of the shape it takes. Arithmetic on
    the gradients outside their scopes, they were the optimizer's and the gradient's, though only the summary reads
    them: what only summaries read is the summary's. The update's own arithmetic on the same rows stays the
    optimizer's."""
    cnn = roles_graphs["roles_tf1_text_cnn"]
    assert cnn.of(cnn.named(r"^embedding/W_0/grad/hist")) == {"summary"}
    assert cnn.of(cnn.named(r"^Adam/update_embedding/W/")) == {"optimizer"}


def test_a_streaming_mean_of_a_scalar_counts_for_its_metric_not_the_steps(roles_graphs):
    """TF1's ``tf.metrics.mean(loss)`` adds the size of its values to its count, a constant 1 for a scalar loss, as
    a step counter adds 1 to the step; its value divides the total by ``maximum(count, 0)``. The count, its read and
    its increment were the optimizer's state (a step counter); they are the metric's, as the accuracy's count
    (added a computed size) is, and the summary counts neither as the model's parameters."""
    script = roles_graphs["roles_tf1_cnn_schedule"]
    count = ["metrics/mean/count", "metrics/mean/count/read", "metrics/mean/AssignAdd_1", "metrics/mean/Size"]
    assert script.of(count) == {"model"}
    assert script.of(["metrics/accuracy/count", "metrics/mean/total", "metrics/mean/value"]) == {"model"}
    assert script.of(["global_step", "global_step/read"]) == {"optimizer"}
    summary = layers.summarize(script.analysis)
    # What Keras would count of these layers: the kernels and biases, BatchNorm's four vectors.
    assert (summary.total_params, summary.non_trainable_params) == (67_722, 96)
    assert [(layer.name, layer.type) for layer in summary.layers][1:4] == [
        ("conv1", "Conv2D"),
        ("bn1", "BatchNormalization"),
        ("pool1", "MaxPooling2D"),
    ]


def test_a_custom_gradients_arithmetic_outside_the_scopes_is_the_gradient(tf_written):
    """tf_keras's swish has a custom gradient, and TensorFlow writes its ops where it runs, at the top level of
    ``fit``'s run graph, outside ``gradient_tape/``: fifteen ops per activation (EfficientNetB0's 49: 735), which
    were the model's (``Sigmoid``, ``Square``: loose ops around the model's box on the first view) or the
    optimizer's (``mul_5``: arithmetic on a gradient). They compute the gradient of the activation's input,
    handed back to the backward pass, and of its constant ``beta``, handed to nothing: no update reads them."""
    folder = os.path.join(tf_written("roles_keras2_swish"), "logs")
    (run,) = [
        Roles(analyze(g)) for ref, g, _ in iter_graphs(folder, graph_source.load_graph) if ref["kind"] == "run_graph"
    ]
    backward = [n for n in run.role if "/" not in n and re.fullmatch(r"(mul|sub|add|Sigmoid|Square|Sum)(_\d+)?", n)]
    backward = [n for n in backward if n not in ("Sum", "Sum_1", "Sum_4", "Mul")]  # the loss's and metrics' sums
    assert len(backward) == 2 * 14 and run.of(backward) == {"gradient"}, {n: run[n] for n in backward}
    # The activations themselves, the loss and the metrics stay the model's; Adam's updates the optimizer's.
    assert run.of(run.named(r"^net/act[12]/")) == {"model"}
    assert run.of(["Sum", "Sum_1", "Sum_4", "div_no_nan", "AssignAddVariableOp_2"]) == {"model"}
    assert run.of(run.with_op("AssignSubVariableOp", "ResourceApplyAdam")) == {"optimizer"}
    # Why, in the words the inspector shows.
    why = run.analysis.role_why
    index = run.analysis.graph.index
    assert why(index["mul_8"]).startswith("computes on a gradient (`gradient_tape/") and "custom gradient" in why(
        index["mul_8"]
    )
    assert why(index["Sum_2"]).endswith("hands it to nothing, not to a variable's update: a custom gradient's function"
                                        " (`tf.custom_gradient`, Keras's swish), written outside the gradient scopes:"
                                        " gradient")  # fmt: skip
    assert why(index["Square"]) == (
        "read only by the backward pass (`mul_5`), computed from no gradient: part of the backward pass"
    )
    # The first view draws the model's box among the loss's and metrics' ops, not among 30 backward ones.
    top = {c["name"] for c in wire.group_answer(run.analysis, "")["children"]}
    assert not top & set(backward)


def test_the_zeros_the_backward_pass_makes_and_nothing_reads_are_the_gradient(tf_written, roles_graphs):
    """TensorFlow's backward pass makes a zero for each output no gradient flows back to (a FusedBatchNorm's reserve
    spaces), where the gradient is asked for, not under ``gradient_tape/``; when the op's gradient needs none,
    nothing reads it. tf_keras's ``fit`` graphs hold hundreds (960 at NASNetMobile's top level), Keras 3's steps a
    few beside their tape: they were the model's ops, counted and drawn with it."""
    folder = os.path.join(tf_written("roles_keras2_steps"), "logs")
    for ref, graph, _ in iter_graphs(folder, graph_source.load_graph):
        roles = Roles(analyze(graph))
        zeros = roles.named(r"(^|/)while/zeros(_like)?(_\d+)?$")
        assert len(zeros) == 5 and roles.of(zeros) == {"gradient"}, ref
        why = roles.analysis.role_why(roles.analysis.graph.index[next(z for z in zeros if "zeros_like" in z)])
        assert why.startswith("a zero (of `") and "nothing reads it, so it never runs: gradient" in why
    keras3 = roles_graphs["roles_keras3_functional"]
    assert keras3.of(keras3.named(r"/StatefulPartitionedCall/zeros(_\d+)?$")) == {"gradient"}
    assert keras3.of(keras3.named(r"/StatefulPartitionedCall/functional_\d+/")) >= {"model"}


def test_forward_dropout_of_a_run_metadata_graph_is_the_model():
    """Grappler shares a constant of a dropout's gradient with the forward dropout (the run metadata's graph
    names it ``gradients/drop1/cond_grad/...``): a constant carries no gradient, so the forward pass it feeds,
    the layers after it and the loss stay the model's."""
    from demo import demo_analysis

    graph = Roles(demo_analysis("tf1_is_training", "tagged_run_metadata", "train_step_1"))
    forward = [
        n for n in graph.named(r"^(drop[12]/cond/(then|output)/|fc2/|logits/|logistic_loss)") if "Momentum" not in n
    ]
    assert len(forward) > 20 and graph.of(forward) == {"model"}
    assert graph["drop1/cond/then/_100/dropout/Mul"] == "model"


def test_corpus_a_summarys_left_over_reads_of_the_weights_are_the_summarys():
    """The census Estimator summarises its weights with ``tf.nn.zero_fraction``: inside ``total_size/Size`` it reads
    each weight, then builds the size as a constant (the shape is known), leaving 15 reads nothing uses. Counted as
    the model's, they drew the summary's ``zero_fraction`` scope as a layer on the top level."""
    census = corpus("census-estimator")
    leftover = census.named(r"^zero_fraction/total_size/Size(_\d+)?/ReadVariableOp$")
    assert len(leftover) == 15 and census.of(leftover) == {"summary"}
    assert census.of(census.named(r"^zero_fraction/")) == {"summary"}
    # A read the model uses stays the model's.
    used = census.named(
        r"^linear/linear_model/linear/linear_model/linear/linear_model/\w+/weighted_sum/ReadVariableOp$"
    )
    assert len(used) == 7 and census.of(used) == {"model"}


def test_keras3s_fit_step_its_metrics_and_its_dropouts_seeds_are_where_keras_puts_them(roles_graphs):
    # Keras 3's fit, traced by its TensorBoard callback: the step is a nested tf.function, inlined when read.
    fit = roles_graphs["roles_keras3_fit"]
    graph, step = fit.analysis.graph, fit.traced_step
    assert graph.ops[graph.index[step]] == "NoOp"  # the call, inlined: its body's nodes are the graph's
    forward = fit.named(rf"^{step}/keras3_cnn_1/(conv|bn|head)_1/")
    assert len(forward) > 20 and fit.of(forward) == {"model"}
    assert fit.of(fit.named(rf"^{step}/gradient_tape/")) == {"gradient"}
    assert fit.of(fit.named(rf"^{step}/adam/Assign(Add|Sub)VariableOp")) == {"optimizer"}
    # Outside the layers, a write each: Adam's step (an int64 set to itself plus 1) is the optimizer's; the
    # loss's and the accuracy's totals and counts (a count set to itself plus the static batch's size) the model's.
    writes = {}
    for name in fit.named(rf"^{step}/AssignVariableOp(_\d+)?$"):
        target = graph.columns.inputs_at([graph.index[name]], 0)[0]
        writes[name] = (shapes.variable(graph, target).dtype, fit[name])
    assert sorted(writes.values()) == [("float32", "model")] * 4 + [("int64", "optimizer")], writes
    (counter,) = [name for name, (dtype, _) in writes.items() if dtype == "int64"]
    assert fit.analysis.role_why(graph.index[counter]).endswith("each training step: a step counter, the optimizer's")
    # The trace records each variable the first step creates (Adam's slots) as a function that creates it and
    # returns its handle: setting a variable up, the initialisers' (the step takes it as an argument).
    created = fit.named(r"^graph_\d+/(VarHandleOp|resource_RetVal)$")
    assert len(created) >= 24 and fit.of(created) == {"init"}
    assert "creates a variable and returns its handle" in fit.analysis.role_why(graph.index[created[0]])
    # TensorFlow initialises what the first call created in two functions of their own, recorded too: one assigns
    # each variable (passed in) its initial value, one stacks whether each is initialised. Both were the model's:
    # two boxes beside the step on the first view. The model's function graphs are now the step's and the two
    # that take the next batch from the iterator's optional.
    tops = {name.partition("/")[0] for name in graph.names}
    model_tops = {name.partition("/")[0] for name, role in fit.role.items() if role == "model"}
    batches = model_tops - {step.partition("/")[0]}
    batch_ops = {op for name, op in fit.ops.items() if name.partition("/")[0] in batches}
    assert len(batches) == 2 and batch_ops == {"_Arg", "_Retval", "OptionalHasValue", "OptionalGetValue"}, batches
    (assigning,) = {n.partition("/")[0] for n in fit.named(r"^graph_\d+/assignvariableop(_\d+)?_resource$")}
    (stacking,) = {n.partition("/")[0] for n in fit.with_op("Pack") if not n.startswith(step.partition("/")[0])}
    for top in (assigning, stacking):
        assert fit.of(fit.named(rf"^{top}/")) == {"init"}, top
    assert "initial value" in fit.analysis.role_why(graph.index[f"{assigning}/assignvariableop_resource"])
    assert "whether each variable is initialised" in fit.analysis.role_why(graph.index[f"{stacking}/Pack"])
    assert len(tops) > 20  # the variables' own functions (created, checked) besides those
    # Dropout's seed generator adds a constant to its state at each call: a random state, no step counter.
    seeds = [n for n in fit.named(rf"^{step}/keras3_cnn_1/drop_1/") if "/gradient_tape/" not in n]
    assert fit.with_op("AssignVariableOp") and fit.of(seeds) == {"model"}, seeds


def test_keras3s_fit_running_steps_in_a_loop_has_the_roles_of_a_step_run_alone(roles_graphs):
    # steps_per_execution=4: the step is called inside the loop's body (in an If on whether a batch came), hoisted
    # beside the loop and inlined; the loop is a NoOp that keeps its body. The loop read every variable (the
    # optimizer's slots too) as the model's op; now the step's ops read them, as with one step per call.
    looped = roles_graphs["roles_keras3_steps"]
    graph, step = looped.analysis.graph, looped.traced_step
    assert step.endswith("/while/cond/StatefulPartitionedCall")
    loop = graph.node_defs[graph.index[step.removesuffix("/cond/StatefulPartitionedCall")]]
    assert (loop.op, loop.attr["_inlined_loop"].s) == ("NoOp", b"While")
    call = graph.node_defs[graph.index[step]]
    assert call.attr["_inlined_function"].s.startswith(b"__inference_one_step_on_data")
    assert b"> while/cond (while_cond_true" in call.attr["_inlined_within"].s
    forward = looped.named(rf"^{step}/keras3_loop_1/(rescale|norm|conv|bn|head)_1/")
    assert len(forward) > 20 and looped.of(forward) == {"model"}
    assert looped.of(looped.named(rf"^{step}/gradient_tape/")) == {"gradient"}
    assert looped.of(looped.named(rf"^{step}/adam/Assign(Add|Sub)VariableOp")) == {"optimizer"}
    # The batch is taken from the iterator's optional inside the loop: the model's input, as IteratorGetNext is.
    assert looped[f"{step.removesuffix('/StatefulPartitionedCall')}/OptionalGetValue"] == "model"
    # The variables the step takes: Adam's two slots for each of the six weights, its step and its learning rate
    # are the optimizer's; the weights, BatchNorm's statistics, the metrics' and the seed's state are the model's.
    arguments = [name for name, op in looped.ops.items() if op == "_Arg" and name.startswith("graph_")]
    optimizers = [name for name in arguments if looped[name] == "optimizer"]
    assert len(optimizers) == 2 * 6 + 2, optimizers


def test_keras3s_gan_step_after_the_discriminators_update_is_still_the_model(roles_graphs):
    # Keras 3's GAN example: the generator's step runs both models again after the discriminator's Adam updated
    # its weights (its reads are ordered after those writes), from noise drawn with keras.random (seeded from a
    # seed generator's state, a variable): a forward pass, its loss and its metric, not the optimizer's.
    gan = roles_graphs["roles_keras3_gan"]
    step = gan.traced_step
    forward = gan.named(rf"^{step}/(generator|discriminator)_\d+/")
    again = [n for n in forward if re.match(rf"^{step}/(generator|discriminator)_3/", n)]
    assert len(again) > 20 and gan.of(forward) == {"model"}, sorted(n for n in forward if gan[n] != "model")[:5]
    assert gan.of(gan.named(rf"^{step}/binary_crossentropy(_1)?/")) == {"model"}  # both losses
    assert gan.of(gan.named(rf"^{step}/stateless_random_normal(_1)?/StatelessRandomNormalV2$")) == {"model"}
    assert gan.of(gan.named(rf"^{step}/adam(_1)?/Assign(Add|Sub)VariableOp")) == {"optimizer"}
    # The two losses' trackers (a total and a count each) are the model's; each Adam's step the optimizer's.
    graph = gan.analysis.graph
    writes = {}
    for name in gan.named(rf"^{step}/AssignVariableOp(_\d+)?$"):
        target = graph.columns.inputs_at([graph.index[name]], 0)[0]
        variable = shapes.variable(graph, target)
        writes[name] = (variable.dtype, variable.shape, gan[name])
    trackers = [w for w in writes.values() if w[0] == "float32"]
    steps = [w for w in writes.values() if w[:2] == ("int64", ())]
    assert trackers == [("float32", (), "model")] * 4 and steps == [("int64", (), "optimizer")] * 2, writes


def test_keras3s_step_counter_under_a_distribution_strategy_is_the_optimizers(roles_graphs):
    # A MirroredStrategy applies the updates in its cross-replica context: Adam's step counter is set at the step's
    # level (``update_0/AssignVariableOp``) to its read plus a cast 1, passed through an Identity. Read as a set of
    # anything but a sum, the counter, its reads and its increment were the model's.
    mirrored = roles_graphs["roles_keras3_mirrored_lstm"]
    graph, step = mirrored.analysis.graph, mirrored.traced_step
    writes = {}
    for name in mirrored.named(rf"^{step}/(update_\d+/)?AssignVariableOp(_\d+)?$"):
        target = graph.columns.inputs_at([graph.index[name]], 0)[0]
        variable = shapes.variable(graph, target)
        writes[name] = (variable.dtype, variable.shape, mirrored[name], mirrored[graph.names[target]])
    steps = [w for w in writes.values() if w[:2] == ("int64", ())]
    trackers = [w for w in writes.values() if w[0] == "float32"]
    assert steps == [("int64", (), "optimizer", "optimizer")], writes
    assert trackers == [("float32", (), "model", "model")] * 4, writes  # the loss's and the accuracy's
    (counter,) = [name for name, w in writes.items() if w[0] == "int64"]
    relay = graph.names[graph.columns.inputs_at([graph.index[counter]], 1)[0]]
    total = graph.names[graph.columns.inputs_at([graph.index[relay]], 0)[0]]
    assert (graph.ops[graph.index[relay]], graph.ops[graph.index[total]]) == ("Identity", "AddV2")
    assert mirrored.of([relay, total]) == {"optimizer"}
    # The rest is as without a strategy: the layers, their gradients, Adam's clipped updates.
    assert mirrored.of(mirrored.named(rf"^{step}/keras3_text_1/(embed|lstm|head)_1/")) == {"model"}
    assert mirrored.of(mirrored.named(rf"^{step}/gradient_tape/")) == {"gradient"}
    assert mirrored.of(mirrored.named(rf"^{step}/adam/clip_by_norm")) == {"optimizer"}
    updates = mirrored.named(rf"^{step}/adam/update_0(_\d+)?/Assign(Add|Sub)?VariableOp")
    assert len(updates) >= 6 * 3 and mirrored.of(updates) == {"optimizer"}


def test_a_loss_scale_updated_in_the_optimizers_cond_is_the_optimizers_state(roles_graphs):
    # tf_keras's LossScaleOptimizer multiplies the loss by its scale at the top level and updates the scale
    # inside its cond, with the weights: a float scalar read in two places that nothing at the top level writes
    # looked like a hyperparameter; the weights it updates there have dimensions.
    loop = roles_graphs["roles_tf2_mixed_precision"]
    graph, codes = loop.analysis.graph, np.frombuffer(loop.analysis.roles.codes, dtype=np.uint8)
    arguments = [graph.index[name] for name in loop.with_op("_Arg")]
    updated = roles.written_in_functions(graph, arguments, codes)
    scale = [graph.names[n] for n in updated if roles._is_float_scalar(graph, n)]
    assert len(scale) == 1 and loop.of(scale) == {"optimizer"}, scale
    assert not loop.analysis.roles.hyperparameters or all(
        h.name not in scale for h in loop.analysis.roles.hyperparameters
    )
    assert "loss scale" in loop.analysis.role_why(graph.index[scale[0]])
