"""The model's layers as Keras's ``model.summary()`` lists them, derived from the graph alone: each layer's type,
output shape and parameter count, in data-flow order, and the model's totals.

A layer is a name scope beside the scopes that own the model's variables (``conv1`` owns ``conv1/kernel``), so
TF1 ``tf.layers``, Estimator, Slim and TFLearn graphs get a summary as Keras graphs do; an input placeholder at
that level is a layer too (Keras's ``InputLayer``). Model parameters are the variables of role ``model``
(roles.py); the machinery's (optimizer slots, step counters, hyperparameters) are counted apart. A variable is
trainable when the optimizer writes it; with no optimizer in the graph, when nothing in the model writes it
(BatchNorm's moving statistics are written by their moving-average updates) and its name is not a moving
statistic's.

Pure: no TensorBoard import. Attributes are parsed for the variables and for the few ops whose output leaves
a layer, never for the whole graph.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from math import prod

import numpy as np

from tb_phaseview.analysis import functions, phase, roles, shapes, torch_layers
from tb_phaseview.analysis.graph_model import Graph, NodeDefUnreadable

_MOVING_STATISTIC = re.compile(r"(?:^|/)moving_(?:mean|variance|avg)[^/]*$")
INPUT_OPS = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault", "IteratorGetNext"})

# A layer's type from the ops inside it, first match wins (Keras's class names where the ops say which).
_TYPE_BY_OP = (
    ({"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "BatchNormEx"}, "BatchNormalization"),
    ({"Conv2DBackpropInput"}, "Conv2DTranspose"),
    ({"Conv3DBackpropInputV2", "Conv3DBackpropInput"}, "Conv3DTranspose"),
    ({"DepthwiseConv2dNative"}, "DepthwiseConv2D"),
    ({"Conv2D"}, "Conv2D"),
    ({"Conv3D"}, "Conv3D"),
    ({"Conv1D"}, "Conv1D"),
    ({"MatMul", "BatchMatMulV2"}, "Dense"),
    ({"Einsum"}, "EinsumDense"),
    ({"MaxPool", "MaxPoolV2"}, "MaxPooling2D"),
    ({"AvgPool"}, "AveragePooling2D"),
    ({"MaxPool3D"}, "MaxPooling3D"),
    ({"AvgPool3D"}, "AveragePooling3D"),
    ({"Pad", "PadV2", "MirrorPad"}, "ZeroPadding2D"),
    ({"ConcatV2", "Concat"}, "Concatenate"),
    ({"GatherV2", "ResourceGather"}, "Embedding"),
)
_ACTIVATIONS = frozenset({"Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Softplus"})
# Keras's activation layers run the op its Activation layer runs for the same function: the graph tells them
# apart by the name Keras gives a layer its author did not name (``re_lu_3``, ``leaky_re_lu``, ``softmax_1``)...
_ACTIVATION_LAYER_NAMES = {
    "re_lu": ("ReLU", frozenset({"Relu", "Relu6"})),
    "leaky_re_lu": ("LeakyReLU", frozenset({"LeakyRelu"})),
    "elu": ("ELU", frozenset({"Elu"})),
    "softmax": ("Softmax", frozenset({"Softmax"})),
    "activation": ("Activation", _ACTIVATIONS),
}
_NUMBERED = re.compile(r"(?:_\d+)+$")  # Keras numbers a second layer of a name, and a trace each call of one
# ...and by an op no activation function of tf_keras runs alone: MobileNet's ReLU(6.), a GAN's LeakyReLU(0.2).
_ACTIVATION_LAYER_OPS = {"Relu6": "ReLU", "LeakyRelu": "LeakyReLU"}
# The layers that pass their input on unchanged at inference (tf_keras's Dropout is an Identity there): told apart
# from any identity by the name Keras gives them alone.
_INFERENCE_IDENTITY_NAMES = {
    "dropout": "Dropout",
    "spatial_dropout1d": "SpatialDropout1D",
    "spatial_dropout2d": "SpatialDropout2D",
    "spatial_dropout3d": "SpatialDropout3D",
    "alpha_dropout": "AlphaDropout",
    "gaussian_dropout": "GaussianDropout",
    "gaussian_noise": "GaussianNoise",
}
# The ops an activation function is composed of (hard_swish: ``x * relu6(x + 3) / 6``; gelu, swish, mish):
# element by element, so that a layer of Keras's name ``activation`` running only these is one.
_ELEMENTWISE = _ACTIVATIONS | {
    "Const", "Identity", "Cast", "Add", "AddV2", "Sub", "Mul", "RealDiv", "Neg", "Maximum", "Minimum", "Erf", "Erfc",
    "Exp", "Log", "Log1p", "Pow", "Square", "Sqrt", "Rsqrt", "Softsign", "Abs", "Sign", "SelectV2", "Select",
    "Greater", "GreaterEqual", "Less", "LessEqual", "ClipByValue", "Reciprocal",
}  # fmt: skip
_ARITHMETIC = frozenset({"Add", "AddV2", "Sub", "Mul", "RealDiv", "Neg", "Maximum", "Minimum"})
_ACTIVATION_OPS = _ACTIVATIONS | {"Erf", "Erfc", "Softsign"}  # ops of activation functions, not of arithmetic
# Classes that run the ops of another class (a center crop is a crop's slice; a spatial dropout drops as a dropout
# does, whole channels at a time), told apart by the name Keras gives them: (the ops' class, the name) -> class.
_SAME_OPS_BY_NAME = {
    ("Cropping2D", "center_crop"): "CenterCrop",
    **{("Dropout", name): kind for name, kind in _INFERENCE_IDENTITY_NAMES.items()},
}
# PReLU: relu(x) - alpha * relu(-x), alpha a weight.
_PRELU = frozenset({"Relu", "Neg", "Mul"})
_REWRITTEN = re.compile(r"^_(?:MklNative|Mkl|Fused)+(?=[A-Z])")
_ADDS = frozenset({"Add", "AddV2", "AddN"})
_RANDOM_UNIFORM = roles.RANDOM_UNIFORM_OPS
_RANDOM_DRAWS = _RANDOM_UNIFORM | {"StatelessRandomUniformFullIntV2", "RandomUniformInt", "StatelessRandomUniformInt"}
_RANDOM_NORMAL = frozenset({"RandomStandardNormal", "StatelessRandomNormalV2", "StatelessRandomNormal"})
# What GaussianNoise and GaussianDropout compute besides their draw: its scale and offset, the input's sum or product
# with it (and Keras 3's seed generator's next seed).
_NOISING = _RANDOM_NORMAL | {
    "Mul",
    "Add",
    "AddV2",
    "Cast",
    "FloorMod",
    "StatelessRandomGetKeyCounter",
    "AssignVariableOp",
}


@dataclass
class LayerVariable:
    variable: shapes.Variable
    trainable: bool
    frozen: bool = False  # a frozen graph's constant, not a variable
    read_by: frozenset = frozenset()  # a frozen weight's readers' op types (an embedding's is a gather)


@dataclass
class Layer:
    name: str  # the group id (or, for an op standing alone, its name)
    type: str
    output_shape: shapes.Shape | bool  # False: the graph does not say
    params: int
    trainable_params: int
    variables: list[LayerVariable] = field(default_factory=list)
    phase_kind: str | None = None  # the layer's kind when it reads the learning-phase flag (phase.py)
    ops: int = 0
    op_types: Counter = field(default_factory=Counter)  # op type -> count of the layer's model ops
    within: str | None = None  # the layer that holds this one (a model used as a layer), if any
    holds_layers: int = 0  # the layers directly inside this one; its params count theirs too, as Keras's do
    # A scope of weights computed with elsewhere (typed by their readers, or ``Weights``): what leaves it is no
    # output of the layer, nor of a scope holding only such scopes.
    weights_elsewhere: bool = False

    @property
    def own_params(self) -> int:
        return sum(v.variable.size for v in self.variables)

    @property
    def own_trainable_params(self) -> int:
        return sum(v.variable.size for v in self.variables if v.trainable)


@dataclass
class Summary:
    layers: list[Layer]
    total_params: int
    trainable_params: int
    non_trainable_params: int
    machinery_params: int  # optimizer slots, step counters, hyperparameters: not the model's parameters
    machinery_variables: list[shapes.Variable]
    unknown_variables: int  # model variables whose shape the graph does not declare fully
    frozen_weights: int = 0  # a frozen graph's weights: the constants counted as parameters
    frozen_params: int = 0  # their elements (all of total_params)
    node_layer: np.ndarray | None = None  # each node's position in ``layers``, or -1 (the diff reads a layer's ops)
    replicas: int = 1  # the model's copies run side by side (MirroredStrategy), each one's weights counted once
    parameters_read: bool = False  # a PyTorch graph's parameters, read through ``prim::GetAttr`` (no variable op)


def unknown_params(rows: list[Layer]) -> dict[str, int]:
    """Each row's parameters of a size the graph does not say (counted as 0 in its ``params``), its inner rows' too,
    as a holder counts what it holds: by row name."""
    holder = {row.name: row.within for row in rows}
    unknown = dict.fromkeys(holder, 0)
    for row in rows:
        count = sum(1 for v in row.variables if v.variable.size == 0)
        name = row.name
        while count and name in unknown:
            unknown[name] += count
            name = holder[name]
    return unknown


def shared_scope(names: list[str]) -> str:
    """The scope every one of ``names`` sits in, with its trailing "/" (``graph_22/StatefulPartitionedCall/model_1/``
    for a traced step's layers); "" when they share none."""
    parts = [name.split("/")[:-1] for name in names]
    shared = len(parts[0]) if parts else 0
    for p in parts:
        i = 0
        while i < shared and i < len(p) and p[i] == parts[0][i]:
            i += 1
        shared = i
    return "/".join(parts[0][:shared]) + "/" if shared else ""


def model_scope(rows: list[tuple[str, str]]) -> str:
    """The scope every layer of ``rows`` (name, type) shares, its inputs left out: an ``InputLayer`` is often fed
    from above the model (TF1's placeholders at the top level, a SavedModel's signature, Slim's Inception computing
    in ``InceptionV3/InceptionV3``), and a traced step's layers still share ``graph_22/.../model_1/``."""
    names = [name for name, kind in rows if kind != "InputLayer"]
    return shared_scope(names or [name for name, _ in rows])


def within_scope(name: str, scope: str) -> str:
    """A layer's name within ``scope`` (whole when outside it, as an input above the model is)."""
    return name[len(scope) :] if scope and name.startswith(scope) and len(name) > len(scope) else name


@dataclass
class FoundLayers:
    """Which scopes are the model's layers and which ops and weights each holds, before any is described (shapes,
    types): what the first view needs to open the model (``layer_names``), at a fraction of the summary's cost."""

    layer_ids: list[str]  # by layer number; ``kept`` says which are the summary's rows
    layer_index: dict[str, int]
    node_layer: np.ndarray  # each node's layer number, or -1
    weights: dict[int, list[int]]  # layer number -> its weights' nodes
    pairs: list[tuple[int, int]]  # (from, to) layer numbers a tensor passes between
    within: dict[int, int]  # layer number -> the layer holding it
    kept: list[int]  # the summary's rows' layer numbers, in data-flow order
    counts: np.ndarray  # each layer number's model ops
    model_nodes: list[int]  # the model's weights
    frozen: dict  # a frozen graph's weights (constants), by node
    machinery_nodes: list[int]
    replicas: int


def layer_names(analysis) -> list[str]:
    """The names of the summary's layers (``summarize(analysis).layers``'s, in data-flow order, a layer holding
    layers not yet moved before them), found without describing them."""
    if torch_layers.wrote(analysis):
        return torch_layers.layer_names(analysis.graph)
    found = analysis.memo(("found_layers",), lambda: find_layers(analysis))
    return [found.layer_ids[i] for i in found.kept]


def summarize(analysis) -> Summary:
    """The layer summary of one graph analysis (analysis.GraphAnalysis)."""
    graph: Graph = analysis.graph
    if torch_layers.wrote(analysis):
        return torch_layers.summarize(analysis)  # modules, not TensorFlow's scopes and variables
    codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)
    found = analysis.memo(("found_layers",), lambda: find_layers(analysis))
    layer_ids, node_layer, pairs, within, frozen = (
        found.layer_ids,
        found.node_layer,
        found.pairs,
        found.within,
        found.frozen,
    )
    if frozen:
        trainable = {n for n, weight in frozen.items() if weight.trainable}
    else:
        trainable = trainable_variables(graph, analysis.roles, found.model_nodes, codes)
    described: dict[int, LayerVariable] = {}
    unknown = 0
    for n in found.model_nodes:
        var = frozen[n].variable if frozen else shapes.variable(graph, n)
        if var is None:
            var = shapes.Variable(n, graph.names[n], None, "?", 0)
        if var.size == 0:
            unknown += 1
        described[n] = frozen[n] if frozen else LayerVariable(var, n in trainable)
    variables = {layer: [described[n] for n in nodes] for layer, nodes in found.weights.items()}
    holding = set(within.values())
    # Inferred as the group answers infer (shape_marks.mark): what they derived for certain is not derived again.
    known_shapes = shapes.ShapeMemo(analysis.memo(("certain_shapes",), dict))
    result_ops: dict[int, str] = {}
    outputs = _output_shapes(graph, node_layer, len(layer_ids), codes, known_shapes, result_ops, found.kept)
    if holding:  # a layer holding layers puts out what leaves it and all of them
        # Each node's outermost layer, from its own (a later call's ops merged into the first call are the first
        # call's, though its scope does not hold them: TF1's static_rnn computing in ``rnnlm_1``).
        outermost = np.arange(len(layer_ids) + 1, dtype=np.intp)
        outermost[-1] = -1  # no layer stays none
        for i in range(len(layer_ids)):
            while outermost[i] in within:
                outermost[i] = within[int(outermost[i])]
        whole = outermost[node_layer]
        outer = _output_shapes(graph, whole, len(layer_ids), codes, known_shapes, listed=found.kept)
        for i in holding:
            if i in outer:
                outputs[i] = outer[i]
            elif i not in within:
                # What leaves its own ops alone may be a mask its inner layers read, not its output. (The marks
                # are the outermost layers': a holder inside another keeps what leaves its own ops.)
                outputs.pop(i, None)
    counts = found.counts
    phase_kinds = {layer.layer: layer.kind for layer in analysis.phase.layers}
    layers = []
    for i in found.kept:
        own = variables.get(i, [])
        layer = Layer(
            name=layer_ids[i],
            type="",
            output_shape=outputs.get(i, False),
            params=sum(v.variable.size for v in own),
            trainable_params=sum(v.variable.size for v in own if v.trainable),
            variables=own,
            phase_kind=phase_kinds.get(layer_ids[i]),
            ops=int(counts[i]),
        )
        layers.append((i, layer))
    layers = _nest(layers, within)
    _type_layers(graph, node_layer, layers, known_shapes, result_ops, codes, pairs)
    node_layer = _join_products_and_biases(graph, layers, node_layer, codes, known_shapes)
    within = _normalisers_beside(layers, within)
    _type_containers(layers, within, pairs)
    _type_models_of_weightless_layers(graph, analysis.tree, layers, holding, node_layer)
    _type_wrappers(graph, analysis.tree, layers, holding, node_layer)
    _type_linear_models(layers, within)
    _name_zeros(graph, node_layer, layers)
    _count_folded_statistics(graph, node_layer, layers, known_shapes)
    position = np.full(len(layer_ids) + 1, -1, dtype=np.intp)  # the last slot maps -1 (no layer) to -1
    for k, (i, _) in enumerate(layers):
        position[i] = k
    total = sum(layer.params for _, layer in layers)
    trainable_total = sum(layer.trainable_params for _, layer in layers)
    _add_inner_params(layers)
    machinery = [v for v in (shapes.variable(graph, n) for n in found.machinery_nodes) if v is not None]
    return Summary(
        layers=[layer for _, layer in layers],
        total_params=total,
        trainable_params=trainable_total,
        non_trainable_params=total - trainable_total,
        machinery_params=sum(v.size for v in machinery),
        machinery_variables=machinery,
        unknown_variables=unknown,
        frozen_weights=sum(1 for _, layer in layers for v in layer.variables if v.frozen),
        frozen_params=sum(v.variable.size for _, layer in layers for v in layer.variables if v.frozen),
        node_layer=position[node_layer],
        replicas=found.replicas,
    )


def _join_products_and_biases(
    graph: Graph, layers: list[tuple[int, Layer]], node_layer: np.ndarray, codes: np.ndarray, known
) -> np.ndarray:
    """BERT's ``run_classifier.py`` makes ``output_weights`` and ``output_bias`` at the top level and computes the
    logits in ``loss/`` beside the loss, where no layer is: two rows of weights computed with elsewhere
    (``output_weights · Dense`` with no output, ``output_bias · Weights``). A matrix that only products compute
    with, and a vector that only additions to those products compute with, are one Dense layer: the matrix's row
    holds both, and puts out their sum (the logits). A notebook that builds its network again in each cell it
    re-runs multiplies and adds the same pair many times (portfolio-gan's ``Variable_4``, ``Variable_5``): still
    one layer. Returns ``node_layer`` with the vector's row's ops in the matrix's."""
    elsewhere = {
        layer.variables[0].variable.node: (i, layer)
        for i, layer in layers
        if layer.weights_elsewhere and len(layer.variables) == 1 and not layer.within
    }
    if len(elsewhere) < 2:
        return node_layer
    readers = _computing_readers(graph, list(elsewhere), codes, relay_ops(graph))
    product_of = {
        product: n
        for n, (_, layer) in elsewhere.items()
        if layer.type == "Dense" and readers[n] and all(graph.ops[r] in _PRODUCTS for r in readers[n])
        for product in readers[n]
    }
    joined = {}
    for n, (i, layer) in elsewhere.items():
        shape = layer.variables[0].variable.shape
        adds = sorted(readers[n])
        if layer.type != "Weights" or not adds or shape is None or len(shape) != 1:
            continue
        if not all(graph.ops[add] in _BIAS_ADDS for add in adds):
            continue
        kernels = {
            product_of[source]
            for add in adds
            for source in (graph.edge_src[e] for e in graph.in_edges(add) if not graph.edge_control[e])
            if source in product_of
        }
        if len(kernels) != 1 or next(iter(kernels)) in joined.values():
            continue
        (kernel,) = kernels
        target_number, target = elsewhere[kernel]
        target.variables = [*target.variables, *layer.variables]
        target.params += layer.params
        target.trainable_params += layer.trainable_params
        target.ops += layer.ops
        outputs = {shapes.inferred_output_shape(graph, add, 0, known) for add in adds}
        target.output_shape = outputs.pop() if len(outputs) == 1 else False
        target.weights_elsewhere = False
        joined[i] = kernel
        node_layer = np.where(node_layer == i, target_number, node_layer)
    if joined:
        layers[:] = [(i, layer) for i, layer in layers if i not in joined]
    return node_layer


def find_layers(analysis) -> FoundLayers:
    """The layers of one graph analysis and what each holds (``FoundLayers``)."""
    graph: Graph = analysis.graph
    tree = analysis.tree
    codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)
    columns = graph.columns
    is_variable = columns.op_in(roles.VARIABLE_OPS)
    # A tf.function's captured variables are resource inputs (a ``Placeholder`` or ``_Arg``) that reads take.
    passed_in = [n for n in analysis.roles.variables if graph.ops[n] in shapes.RESOURCE_INPUTS and not is_variable[n]]
    passed_in += _passed_into_calls(graph, analysis.roles.variables)
    is_variable[passed_in] = True
    variable_nodes = np.flatnonzero(is_variable).tolist()
    model_nodes = [n for n in variable_nodes if codes[n] == roles.MODEL]
    frozen = frozen_weights(analysis)
    if frozen:  # the weights are constants: each is owned and counted as a variable would be
        model_nodes = list(frozen)
        running = unused = set()
    else:
        running, unused = state_variables(graph, analysis.roles, model_nodes, codes)
    model_nodes = [n for n in model_nodes if n not in running and n not in unused and not _only_read_out(graph, n)]
    copies, replicas = _replica_copies(graph, model_nodes, codes) if not frozen else (set(), 1)
    model_nodes = [n for n in model_nodes if n not in copies]
    # A trace's function that creates a variable and returns its handle, or takes it only to assign its initial
    # value (init's): the step's argument is counted.
    machinery_nodes = [
        n
        for n in variable_nodes
        if (codes[n] != roles.MODEL or n in running)
        and not _only_returned(graph, n)
        and not _passed_only_to_initialise(graph, n, codes)
    ]

    # The scope that owns each model variable: its display parent, or the one above when the variable's own
    # name is a group (a VarHandleOp ``conv1/kernel`` sits in the group ``conv1/kernel`` with its reads).
    owner = {}
    passed = set(passed_in)
    for n in model_nodes:
        if n in passed:
            continue
        parent = tree.node_parent[n]
        if parent == graph.names[n] or parent in tree.series:
            parent = tree.group_parent.get(parent, "")
        if _PARTITION.search(graph.names[n]) and parent == graph.names[n].rpartition("/")[0]:
            parent = tree.group_parent.get(parent, "")  # the partitioned variable's own scope holds its parts
            while parent.endswith("/"):  # a scope of no name (a feature column named ``""``: ``linear//weight``)
                parent = tree.group_parent.get(parent, "")
        owner[n] = parent
    hosts, called_again = _own_where_computed(graph, tree, owner, codes) if not frozen else (set(), set())
    bias_adds = _own_unscoped_weights(graph, tree, owner, codes) if not frozen else {}
    # A TF2 SavedModel's variables sit in scopes of their own at the graph's level, and its model reads them
    # inside the serving call the reader inlined: owned, as a trace's captured variables are, by where the reads
    # are.
    if graph.serving_call:
        for n in [n for n in owner if _read_in_call(graph, n, graph.serving_call, codes)]:
            del owner[n]
            passed.add(n)
    passed_owners, holding_models = _passed_in_owners(graph, tree, [n for n in model_nodes if n in passed], codes)
    owner.update(passed_owners)
    levels = {tree.group_parent.get(g, "") for g in owner.values() if g} or {""}
    levels |= _between_levels(graph, tree, levels)
    levels = _whole_levels(tree, levels | holding_models)

    layer_ids, layer_index = _candidates(analysis, levels, codes, {g for g in owner.values() if g}, holding_models)
    # An op at the top level owning a weight, in name order (a set's order would change the rows' from run to run).
    for group in sorted(bias_adds.keys() | set(owner.values())):
        if group and group not in layer_index and group in graph.index and not tree.is_group(group):
            layer_index[group] = len(layer_ids)
            layer_ids.append(group)
    if copies:  # the other replicas' scopes run the same layers again: no rows of their own
        layer_ids = [i for i in layer_ids if not _REPLICA_SCOPE.search(i + "/")]
        layer_index = {name: i for i, name in enumerate(layer_ids)}
    if called_again:  # so do the scopes of a model's further calls
        layer_ids = [i for i in layer_ids if not any(i == h or i.startswith(h + "/") for h in called_again)]
        layer_index = {name: i for i, name in enumerate(layer_ids)}
    flat = _flatten_slash_names(graph, tree, layer_ids, owner, passed, codes, is_variable)
    if flat:
        layer_index = {name: i for i, name in enumerate(layer_ids)}
    node_layer = _node_layers(graph, tree, layer_index, codes)
    between = _between_models(analysis, levels, layer_index, node_layer, codes)
    if between:
        layer_ids.extend(between)
        layer_index = {name: i for i, name in enumerate(layer_ids)}
        node_layer = _node_layers(graph, tree, layer_index, codes)
    if bias_adds:  # a bias's addition is its layer's (Keras's Dense adds its own bias): one pass for all
        joins = np.arange(len(layer_ids) + 1, dtype=node_layer.dtype)
        joins[-1] = -1  # no layer stays none
        for add, layer in bias_adds.items():
            if add in layer_index and layer in layer_index:
                joins[layer_index[add]] = layer_index[layer]
        node_layer = joins[node_layer]
    for n, parent in owner.items():
        if not parent:  # a variable at the top level is a layer of its own
            layer_index.setdefault(graph.names[n], len(layer_ids))
            if layer_index[graph.names[n]] == len(layer_ids):
                layer_ids.append(graph.names[n])
            node_layer[n] = layer_index[graph.names[n]]

    weights: dict[int, list[int]] = {}
    for n in model_nodes:
        layer = layer_index.get(owner[n]) if owner.get(n) else node_layer[n]
        if layer is None:
            layer = node_layer[n]
        if layer >= 0:
            weights.setdefault(int(layer), []).append(n)

    _merge_calls_again(graph, node_layer, layer_ids, weights)
    pairs = _layer_pairs(graph, node_layer)
    within = _within(tree, layer_ids, layer_index, flat)
    holding = set(within.values())
    # A layer and the layers inside it hand tensors both ways (its input to the first, the last's output back):
    # no order between them, or every nested model would be a cycle (the nested ones follow their holder).
    order = _data_flow_order(graph, node_layer, len(layer_ids), _across(pairs, within) if within else pairs)
    # A frozen graph is for inference: its inputs are no targets, whatever op between layers reads them.
    dropped = set() if frozen else _loss_side(pairs, layer_ids, weights, graph, node_layer)
    if hosts:
        dropped |= _after_the_model(pairs, layer_ids, weights, holding, hosts, tree)
    dropped |= _only_summarised(graph, node_layer, codes, weights, holding)
    dropped |= _settings_only(graph, node_layer, codes, weights, holding)
    dropped |= _shape_arithmetic(graph, node_layer, weights, holding)
    if not frozen:
        dropped |= _metrics_predictions(graph, node_layer, codes, pairs, dropped, set(weights) | holding)
    dropped |= _queue_fillers(graph, node_layer, codes, weights)
    dropped |= _unread_constants(graph, node_layer, len(layer_ids), weights, holding)
    counts = np.bincount(node_layer[node_layer >= 0], minlength=len(layer_ids))
    kept = [i for i in order if (counts[i] > 0 or i in weights or i in holding) and i not in dropped]
    return FoundLayers(
        layer_ids=layer_ids,
        layer_index=layer_index,
        node_layer=node_layer,
        weights=weights,
        pairs=pairs,
        within=within,
        kept=kept,
        counts=counts,
        model_nodes=model_nodes,
        frozen=frozen,
        machinery_nodes=machinery_nodes,
        replicas=replicas,
    )


def _twin_of(scope: str, group: str) -> bool:
    """Whether ``group`` mirrors ``scope`` inside other scopes: past the scopes they share, one scope more or
    several, then the rest of ``scope``'s name (``clone_0/conv1/conv1_1`` for ``conv1/conv1_1``;
    ``agent/unroll/batch_apply/convnet/conv_2d`` for ``agent/batch_apply/convnet/conv_2d``; TF 2's feature columns
    weigh ``linear/linear_model/age`` in ``linear/linear_model/linear/linear_model/linear/linear_model/age``). Not a
    loop's or a cond's frame (TF1's ``rnn/while/basic_lstm_cell`` is the ``rnn`` layer's step), nor a gradient."""
    mine, other = scope.split("/"), group.split("/")
    if len(other) <= len(mine):
        return False
    shared = _shared_depth(scope, group)
    inserted = len(other) - len(mine)
    return other[shared + inserted :] == mine[shared:] and not any(
        map(_runs_the_layers_own_ops, other[shared : shared + inserted])
    )


def _runs_the_layers_own_ops(scope: str) -> bool:
    """A scope a layer's own ops run in (as the phase analysis names them): a TF1 loop's frame (``while_1``), a
    cond's (``cond_2``), a gradient's."""
    return bool(
        _LOOP_FRAME.fullmatch(scope)
        or phase.CONTROL_FLOW_COMPONENT.match(scope)
        or phase.GRADIENT_COMPONENT.match(scope)
    )


_LOOP_FRAME = re.compile(r"while(?:_\d+)?")
# A partitioned variable (TF1's ``partitioner=``, as canned Estimators make them) is its parts, each a variable
# named ``part_N`` inside the scope of the variable's own name (``dnn/hiddenlayer_0/weights/part_0``).
_PARTITION = re.compile(r"/part_\d+$")


def partitioned_variable(name: str) -> str:
    """The variable a part belongs to (``dnn/hiddenlayer_0/weights`` for ``dnn/hiddenlayer_0/weights/part_0``);
    the name itself when it is no part."""
    return _PARTITION.sub("", name)


def _shared_depth(scope: str, group: str) -> int:
    """How many leading scopes ``group`` shares with ``scope``, short of all of ``scope``'s."""
    mine, other = scope.split("/"), group.split("/")
    shared = 0
    while shared < min(len(mine) - 1, len(other)) and mine[shared] == other[shared]:
        shared += 1
    return shared


def _own_where_computed(graph: Graph, tree, owner: dict[int, str], codes: np.ndarray) -> tuple[set[str], set[str]]:
    """TF1 code that makes its weights in one scope and computes with them in another: TF-Slim's model_deploy
    keeps ``conv1/conv1_1/weights`` and convolves in ``clone_0/conv1/conv1_1``, Sonnet's IMPALA agent keeps
    ``agent/batch_apply/linear/w`` and multiplies in ``agent/unroll/batch_apply/linear``. Such a weight is owned
    where it is computed with, the scope mirroring its own: the layers are then the scopes that compute (their
    ops, output and order), and the clone's poolings and heads beside them are layers too. (The clone was one row
    typed by its first op, ``clone_0 · Conv2D``, no parameters, the loss's scalar for output.) Only when every
    model op reading the weight outside its scope (through its reads) is in such twins, and none inside but its
    regulariser.

    Twins in several scopes are calls of one model: pix2pix's discriminator judges real pairs in
    ``real_discriminator/discriminator/layer_1`` and generated ones in ``fake_discriminator/discriminator/layer_1``
    with the weights of ``discriminator/layer_1``; TF1's multi-GPU example convolves in ``tower_0/conv1`` and
    ``tower_1/conv1`` with those of ``conv1``. The weight is owned by the call that reads it first in the graph,
    whose scopes are the layers (their outputs, the leaky ReLUs between them), as Keras lists a model called twice
    once. Returns the scopes holding such twins (``clone_0``, ``real_discriminator``) and those holding the
    other calls (``fake_discriminator``), whose layers are the first call's run again: no rows of their own."""
    columns, names = graph.columns, graph.names
    weights = [n for n, scope in owner.items() if scope]
    prefixes = [owner[n] + "/" for n in weights]
    # A partitioned variable's parts are joined in the variable's own scope (``…/weights/ConcatPartitions/concat``,
    # then ``…/weights``): its reads, as an identity is.
    own = [partitioned_variable(names[n]) + "/" if _PARTITION.search(names[n]) else "\0" for n in weights]
    relay, regularizing = relay_ops(graph), columns.op_in(_REGULARIZING)
    readers: dict[int, set[int]] = {}  # by weight (its position in ``weights``)
    at_home: set[int] = set()  # the weights computed with in their own scope: layers as they are
    # Hop by hop for all weights at once: the variable, its read, maybe an identity, then the ops computing with it.
    nodes, of = np.asarray(weights, dtype=np.intp), np.arange(len(weights), dtype=np.intp)
    for _ in range(4):
        if not nodes.size:
            break
        edges, _ = columns.out_edges(nodes)
        of = np.repeat(of, columns.out_start[nodes + 1] - columns.out_start[nodes])
        consumers = columns.dst[edges]
        keep = columns.data[edges] & (codes[consumers] == roles.MODEL)
        consumers, of = consumers[keep], of[keep]
        consumer_names = list(map(names.__getitem__, consumers.tolist()))
        inside = np.fromiter(
            map(str.startswith, consumer_names, map(prefixes.__getitem__, of.tolist())),
            dtype=bool,
            count=len(consumers),
        )
        joining = np.fromiter(
            map(str.startswith, map("{}/".format, consumer_names), map(own.__getitem__, of.tolist())),
            dtype=bool,
            count=len(consumers),
        )
        relays = relay[consumers] | joining
        at_home.update(of[inside & ~relays & ~regularizing[consumers]].tolist())
        for weight, reader in zip(of[~inside].tolist(), consumers[~inside].tolist()):
            readers.setdefault(weight, set()).add(reader)
        follow = inside & relays
        nodes, of = consumers[follow], of[follow]
    hosts: set[str] = set()
    again: set[str] = set()
    for weight, found in readers.items():
        if weight in at_home:
            continue
        n, scope = weights[weight], owner[weights[weight]]
        first_read: dict = {}  # each twin, by the first of its readers in the graph
        for r in sorted(found):
            first_read.setdefault(next((g for g in tree.chain(tree.node_parent[r]) if _twin_of(scope, g)), None), r)
        if None in first_read or not first_read:
            continue
        # The scope each twin is inside: its name up to what mirrors the weight's scope (``clone_0``).
        depth = scope.count("/")
        host_of = {
            twin: "/".join(twin.split("/")[: _shared_depth(scope, twin) + twin.count("/") - depth])
            for twin in first_read
        }
        if len({host.count("/") for host in host_of.values()}) != 1:
            continue  # twins inserted at different depths: no one model called again
        owner[n] = twin = next(iter(first_read))
        hosts.add(host_of.pop(twin))
        again.update(host_of.values())
    return hosts, again - hosts


# The ops adding a bias to what a layer computed.
_BIAS_ADDS = frozenset({"Add", "AddV2", "BiasAdd"})


def _own_unscoped_weights(graph: Graph, tree, owner: dict[int, str], codes: np.ndarray) -> dict[str, str]:
    """TF1 code of the tutorials' kind makes each weight at the top level (``W_conv1 = tf.Variable(...)`` is
    ``Variable``, the next ``Variable_1``) and computes with it at the top level too (``Conv2D``, ``add``,
    ``MatMul_1``). Each such weight is owned by the op that computes with it (or the top-level group named as that
    op), so the layers are what computes (the convolution, the product), not the variables (``Variable ·
    Conv2D``, no output). A vector added to what a layer with weights computed (``conv2d(x, W) + b``) is that
    layer's bias, and the addition its op; a weight a decoder reads transposed (tied) is the encoder's. So is a
    weight made in a scope that computes with none of its weights, used only by ops loose at the top level: a
    char-RNN's ``rnnlm/softmax_w``, made in the RNN's variable scope, multiplied by the top-level ``MatMul``. Returns
    the additions, each with the layer it joins."""
    columns, names = graph.columns, graph.names
    if not owner:
        return {}
    relay = relay_ops(graph)
    readers = _computing_readers(graph, list(owner), codes, relay)
    unscoped = {n for n, scope in owner.items() if not scope and "/" not in names[n]}
    node_parent = tree.node_parent
    used_at_the_top = {
        n
        for n, scope in owner.items()
        if scope
        and readers[n]
        and all(not node_parent[r] or node_parent[r] == names[r] and "/" not in names[r] for r in readers[n])
    }
    # Only when none of its scope's weights is computed with in it: a layer's weight multiplied outside it beside a
    # bias added inside (guesslang's linear model: ``linear//weight`` times a top-level ``matmul``) stays its own.
    kept_in_scope = {owner[n] for n in owner if owner[n] and n not in used_at_the_top}
    used_at_the_top = {n for n in used_at_the_top if owner[n] not in kept_in_scope}
    if not unscoped and not used_at_the_top:
        return {}

    def top_of(node: int) -> str:  # its top-level group, or the op itself when it is loose at the top level
        chain = tree.chain(tree.node_parent[node])
        return chain[0] if chain else names[node]

    scoped_owners = {scope for scope in owner.values() if scope}
    top = {}
    for n in sorted(unscoped | used_at_the_top):
        found = readers[n]
        # A weight tied to a decoder (an autoencoder's ``transpose(W)``) is the encoder's, which computes with it.
        # (``transpose(W)`` reads its rank too, in the transpose's own group.)
        direct = {r for r in found if graph.ops[graph.index.get(top_of(r), r)] != "Transpose"}
        groups = {top_of(r) for r in direct}
        if len(groups) == 1 and direct:
            (group,) = groups
            # One computing op, loose at the top level (a ref variable's read feeds ``Conv2D``) or a group named as
            # it (``Conv2D`` holding its read of a resource variable), not a scope of its own: BERT's classifier
            # makes ``output_weights`` at the top and computes in ``loss/``, a layer's scope whose rows its
            # variables keep. A scope that owns weights of its own is a layer the weight is part of: Kim's text
            # CNN makes ``W`` with ``tf.get_variable`` inside ``name_scope("output")`` (which it ignores) beside
            # ``output/b``, and multiplies in ``output/scores``.
            if group != names[n] and (group in graph.index or (n in unscoped and group in scoped_owners)):
                top[n] = group
    owner.update(top)
    # A vector added to what another layer holding a weight computed: that layer's bias.
    holders = Counter(top.values())
    weighted = set(top.values())
    bias_adds: dict[str, str] = {}
    for n, group in top.items():
        declared = shapes.variable(graph, n)
        if holders[group] != 1 or declared is None or declared.shape is None or len(declared.shape) != 1:
            continue
        (add,) = readers[n] if len(readers[n]) == 1 else (None,)
        if add is None or graph.ops[add] not in _BIAS_ADDS:
            continue
        sources = columns.src[columns.in_edges(np.array([add], dtype=np.intp))[0]]
        layers = {top_of(s) for s in sources.tolist()} - {group}
        layers &= weighted
        if len(layers) == 1:
            owner[n] = bias_adds[group] = layers.pop()
    return bias_adds


def _computing_readers(graph: Graph, weights: list[int], codes: np.ndarray, relay: np.ndarray) -> dict[int, set[int]]:
    """Each weight's model ops that compute with it: past its reads and identities (up to two), for all at once."""
    columns = graph.columns
    found: dict[int, set[int]] = {n: set() for n in weights}
    frontier = np.unique(np.asarray(weights, dtype=np.intp))
    weight_of = np.full(graph.node_count, -1, dtype=np.intp)  # each node on the way, the weight it hands on
    weight_of[frontier] = frontier
    for _ in range(3):  # the variable, its read, maybe an identity, then what computes with it
        edges, owners = columns.out_edges(frontier)
        keep = columns.data[edges]
        consumers, of = columns.dst[edges[keep]], weight_of[owners[keep]]
        keep = codes[consumers] == roles.MODEL
        consumers, of = consumers[keep], of[keep]
        passing = relay[consumers]
        for weight, reader in zip(of[~passing].tolist(), consumers[~passing].tolist()):
            found[weight].add(reader)
        frontier = consumers[passing]
        weight_of[frontier] = of[passing]
        if not frontier.size:
            break
    return found


# MirroredStrategy runs the model once per device, each replica after the first in a scope of its own
# (``replica_1/`` ahead of the first replica's scopes).
_REPLICA_SCOPE = re.compile(r"(^|/)replica_([1-9]\d*)/")


def _count_folded_statistics(graph: Graph, node_layer: np.ndarray, layers: list[tuple[int, Layer]], known) -> None:
    """Keras's Normalization keeps its statistics in weights (the mean, the variance, the count of samples it adapted
    to) and computes with them as constants (``x - mean``): a graph holds no variable for them. They are counted as
    Keras counts them, non-trainable: the mean's size twice (the variance's is the same), and the count."""
    wanted = {i: layer for i, layer in layers if layer.type == "Normalization" and not layer.variables}
    if not wanted:
        return
    subs = np.flatnonzero(graph.columns.op_in(frozenset({"Sub"})) & np.isin(node_layer, list(wanted))).tolist()
    counted: set[int] = set()
    for sub in subs:
        number = int(node_layer[sub])
        mean = shapes._input_of(graph, sub, 1)
        if number in counted or mean is None or node_layer[mean[0]] >= 0 and graph.ops[mean[0]] != "Const":
            continue  # the mean is computed in the layer (not folded in): no statistics to count
        shape = shapes.inferred_output_shape(graph, mean[0], mean[1], known)
        if shape is False or shape is None or None in shape:
            continue
        size = prod(shape)
        layer = wanted[number]
        layer.params += 2 * size + 1
        counted.add(number)


def _replica_copies(graph: Graph, model_nodes: list[int], codes: np.ndarray) -> tuple[set[int], int]:
    """The model variables that are another replica's copy of a weight, and how many replicas run: each replica
    reads a copy of every weight of its own (kept equal by summing the gradients), where the first replica reads
    the weight (its read named the same but for ``replica_<n>/``). Keras counts each weight once."""
    names, ops = graph.names, graph.ops
    copies: set[int] = set()
    replicas = 1
    for n in model_nodes:
        readers = [r for r in _layer_readers(graph, n, codes) if ops[r] in roles.READ_OPS]
        found = _REPLICA_SCOPE.search(names[readers[0]]) if readers else None
        if found is None:
            continue
        twin = graph.index.get(_REPLICA_SCOPE.sub(r"\1", names[readers[0]], count=1))
        source = shapes._input_of(graph, twin, 0) if twin is not None and ops[twin] == ops[readers[0]] else None
        if source is None or source[0] == n:
            continue
        mine, theirs = shapes.variable(graph, n), shapes.variable(graph, source[0])
        if mine is not None and theirs is not None and mine.shape == theirs.shape:
            copies.add(n)
            replicas = max(replicas, int(found.group(2)) + 1)
    return copies, replicas


def _within(tree, layer_ids: list[str], layer_index: dict[str, int], flat: set[str] = frozenset()) -> dict[int, int]:
    """Each layer's number -> the number of the nearest layer above it on its scope chain (a Sequential's dense
    layer -> the Sequential), for the layers inside another. ``flat``: layers whose scopes nest only because
    their names have slashes (_flatten_slash_names): none is inside another of them."""
    found = {}
    for i, name in enumerate(layer_ids):
        above = tree.group_parent.get(name, "")
        while above:
            if above in layer_index and not (name in flat and above in flat):
                found[i] = layer_index[above]
                break
            above = tree.group_parent.get(above, "")
    return found


def _flatten_slash_names(
    graph: Graph,
    tree,
    layer_ids: list[str],
    owner: dict[int, str],
    passed: set[int],
    codes: np.ndarray,
    is_variable: np.ndarray,
) -> set[str]:
    """The layers of a model that names them with slashes, made siblings again; returns their names (else an
    empty set, and nothing changes).

    tf_keras's MobileNetV3 names its layers ``expanded_conv/depthwise``, ``expanded_conv/depthwise/BatchNorm``,
    ``expanded_conv/squeeze_excite/Conv``: each is a layer of the model, but their scopes nest, and the scope
    ``expanded_conv`` looked like a model of layers (its convolution and normalization one row). A scope is told to
    be only a prefix of names when it computes nothing itself and the data leaves it for a layer outside and comes
    back (``expanded_conv/depthwise/BatchNorm`` -> ``re_lu_1`` -> ``expanded_conv/squeeze_excite/AvgPool``): a
    model used as a layer hands its output on once, unless it is called again on it (its weights then read twice:
    a block shared by two stages of a model). In a model where one is found, every scope below its level
    that computes is a layer of that level (``Conv`` and ``Conv/BatchNorm`` both), and a scope that computes
    nothing is none."""
    ids = sorted(layer_ids)
    # A layer holding another: the next name in order with its name and a slash as prefix (bisect: no pair test).
    holding = {
        name for name in ids if (at := bisect_left(ids, name + "/")) < len(ids) and ids[at].startswith(name + "/")
    }
    if not holding:
        return set()
    holders = [name for name in holding if tree.is_group(name) and not set(tree.chain(name)[:-1]) & holding]
    outermost = [name for name in layer_ids if not (tree.is_group(name) and set(tree.chain(name)[:-1]) & holding)]
    index = {name: i for i, name in enumerate(outermost)}
    marks = tree.outermost_marks(index)
    marks[codes != roles.MODEL] = -1
    computing = ~graph.columns.op_in(_NOT_COMPUTING | {"Cast"})
    # Each outermost layer's model ops, from one sort (not a pass over the graph per layer).
    marked = np.flatnonzero(marks >= 0)
    marked = marked[np.argsort(marks[marked], kind="stable")]
    bounds = np.searchsorted(marks[marked], np.arange(len(outermost) + 1))
    ops_of = {name: marked[bounds[i] : bounds[i + 1]] for i, name in enumerate(outermost)}
    direct = tree.children_of(set(holders))
    prefixes = [name for name in holders if not any(computing[n] for n in direct[name][1])]
    prefixes = [
        name
        for name in prefixes
        if _leaves_and_returns(graph, marks, ops_of[name], index[name], codes)
        and not _weights_used_twice(graph, ops_of[name][computing[ops_of[name]]], is_variable)
    ]
    levels = {tree.group_parent.get(name, "") for name in prefixes}
    if not levels:
        return set()
    replaced: dict[str, set[str]] = {}
    for name in outermost:
        if not tree.is_group(name) or tree.group_parent.get(name, "") not in levels:
            continue
        if name in holders and name not in prefixes:
            continue  # a model of layers beside them (a block called twice)
        nodes = ops_of[name][computing[ops_of[name]]].tolist()
        scope_of = {n: _layer_scope(graph, tree, tree.node_parent[n], name) for n in nodes}
        found = _named_layers(graph, tree, name, scope_of, codes)
        if found and found != {name}:
            replaced[name] = found
    if not replaced:
        return set()
    ids = []
    for name in layer_ids:
        if name in replaced:
            ids.extend(sorted(replaced[name]))
        elif not (tree.is_group(name) and set(tree.chain(name)[:-1]) & replaced.keys()):
            ids.append(name)
    layer_ids[:] = ids
    for n, held_by in owner.items():
        chain = tree.chain(held_by) if tree.is_group(held_by) else ()
        top = next((group for group in chain if group in replaced), None)
        if top is None:
            continue
        readers = _layer_readers(graph, n, codes) if n in passed else []
        anchor = tree.node_parent[min(readers)] if readers else held_by
        while anchor and anchor not in replaced[top]:
            anchor = tree.group_parent.get(anchor, "")
        owner[n] = anchor or held_by
    return set().union(*replaced.values())


def _weights_used_twice(graph: Graph, ops: np.ndarray, is_variable: np.ndarray) -> bool:
    """Whether two of ``ops`` of one type read the same variable: layers called twice (tf_keras calls a shared
    model in the scope of its first call, its ops numbered again, ``MatMul_1``; TF1 reuses a cell's scope per step)."""
    columns = graph.columns
    edges, consumers = columns.in_edges(ops)
    keep = columns.data[edges]
    edges, consumers = edges[keep], consumers[keep]
    reads = columns.op_in(roles.READ_OPS | {"Identity"})[columns.src[edges]]
    edges, consumers = edges[reads], consumers[reads]
    variables = columns.inputs_at(columns.src[edges], 0)
    held = (variables >= 0) & is_variable[np.maximum(variables, 0)]
    pairs = np.stack([variables[held], columns.op_ids[consumers[held]]], axis=1)
    return len(np.unique(pairs, axis=0)) < len(pairs)


def _named_layers(graph: Graph, tree, top: str, scope_of: dict[int, str], codes: np.ndarray) -> set[str]:
    """The layers inside the scope ``top`` of a model that names its layers with slashes, given the layer scope of
    each op computing there. A scope computing nothing itself is a prefix of its layers' names (but one holding a
    single scope is a layer whose ops run in a function's scope: tf_keras's ``dropout/dropout``). A scope computing
    is a layer, and so is each scope inside it that takes data from outside it or hands data out of it
    (``depthwise/pad`` pads what ``depthwise`` convolves, ``Conv/BatchNorm`` normalises what leaves ``Conv``); the
    scopes of functions it calls are its own (``dropout/random_uniform``: fed by its ops, read by them)."""
    children: dict[str, set[str]] = {}
    own: dict[str, list[int]] = {}
    scope_of = dict(scope_of)  # grows as ``inside`` meets ops that compute nothing
    for n, scope in list(scope_of.items()):
        own.setdefault(scope, []).append(n)
        while scope != top:
            parent = scope.rpartition("/")[0]
            children.setdefault(parent, set()).add(scope)
            scope = parent
    is_variable = graph.columns.op_in(roles.VARIABLE_OPS | shapes.RESOURCE_INPUTS)

    def inside(node: int, scope: str) -> bool:
        held = scope_of.get(node)
        if held is None:  # an op that computes nothing (a read, an identity), or one outside ``top``
            held = scope_of[node] = _layer_scope(graph, tree, tree.node_parent[node], top)
        return held == scope or held.startswith(scope + "/")

    def nodes_under(scope: str) -> list[int]:
        found = list(own.get(scope, ()))
        for child in children.get(scope, ()):
            found += nodes_under(child)
        return found

    def separate(scope: str, parent: str) -> bool:
        for n in nodes_under(scope):
            for e in graph.in_edges(n):
                src = graph.edge_src[e]
                if graph.edge_control[e] or inside(src, scope) or codes[src] != roles.MODEL or is_variable[src]:
                    continue
                if graph.ops[src] not in roles.CONSTANT_OPS and not inside(src, parent):
                    return True
            for e in graph.out_edges_of([n])[n]:
                dst = graph.edge_dst[e]
                if not graph.edge_control[e] and codes[dst] == roles.MODEL and not inside(dst, parent):
                    return True
        return False

    def layers_in(scope: str) -> set[str]:
        inner = children.get(scope, set())
        if scope not in own:
            if len(inner) == 1:
                return {scope}
            return set().union(*(layers_in(child) for child in inner)) if inner else set()
        found = {scope}
        for child in inner:
            if separate(child, scope):
                found |= layers_in(child)
        return found

    return layers_in(top)


def _layer_scope(graph: Graph, tree, group: str, top: str) -> str:
    """The scope of the layer an op of ``group`` belongs to, at most ``top``: not an op's own scope (``Conv2D`` with
    its ``Conv2D/ReadVariableOp``), nor a numbered series."""
    while group != top and (group in graph.index or group in tree.series):
        group = tree.group_parent.get(group, top)
    return group


def _leaves_and_returns(
    graph: Graph, marks: np.ndarray, inside: np.ndarray, number: int, codes: np.ndarray, limit: int = 512
) -> bool:
    """Whether the data leaves the model ops ``inside`` (marked ``number``) for ops outside them that hand it back
    in, within ``limit`` ops."""
    columns = graph.columns
    if not inside.size:
        return False
    edges, _ = columns.out_edges(inside)
    edges = edges[columns.data[edges]]
    frontier = {d for d in columns.dst[edges].tolist() if marks[d] != number and codes[d] == roles.MODEL}
    seen = set(frontier)
    while frontier and len(seen) < limit:
        edges, _ = columns.out_edges(np.fromiter(frontier, dtype=np.intp, count=len(frontier)))
        edges = edges[columns.data[edges]]
        frontier = set()
        for d in columns.dst[edges].tolist():
            if codes[d] != roles.MODEL or d in seen:
                continue
            if marks[d] == number:
                return True
            seen.add(d)
            frontier.add(d)
    return False


def _across(pairs, within: dict[int, int]) -> list[tuple[int, int]]:
    """The pairs of layers neither of which holds the other."""

    def above(i: int) -> set[int]:
        found = set()
        while i in within:
            i = within[i]
            found.add(i)
        return found

    chains: dict[int, set[int]] = {}
    kept = []
    for a, b in pairs:
        if a not in chains:
            chains[a] = above(a)
        if b not in chains:
            chains[b] = above(b)
        if a not in chains[b] and b not in chains[a]:
            kept.append((a, b))
    return kept


def _nest(layers: list[tuple[int, Layer]], within: dict[int, int]) -> list[tuple[int, Layer]]:
    """Each layer that holds layers just before the first of them (as Keras's ``expand_nested`` prints a model
    used as a layer), the others in data-flow order."""
    if not within:
        return layers
    by_number = dict(layers)
    names = {i: layer.name for i, layer in layers}
    for i, layer in layers:
        if i in within and within[i] in names:
            layer.within = names[within[i]]
            by_number[within[i]].holds_layers += 1
    placed: set[int] = set()
    ordered: list[tuple[int, Layer]] = []

    def place(i: int) -> None:
        if i in placed:
            return
        if i in within and within[i] in by_number:
            place(within[i])
        placed.add(i)
        ordered.append((i, by_number[i]))

    for i, layer in layers:
        if layer.holds_layers and layer.ops == 0 and not layer.variables:
            continue  # a pure container: placed with its first layer
        place(i)
    for i, _ in layers:
        place(i)
    return ordered


def _name_zeros(graph: Graph, node_layer: np.ndarray, layers: list[tuple[int, Layer]]) -> None:
    """A layer that only fills tensors with a constant zero (a TF1 RNN's zero state) is ``Zeros``: the values
    of its fills are read (a few scalars). The shapes it fills may be computed (a ``MultiRNNCell``'s state joins
    its cells' batch and units, ``concat``, and was typed ``Concatenate``)."""
    fills = [
        (i, layer)
        for i, layer in layers
        if "Fill" in layer.op_types and set(_computing(layer.op_types)) <= _ZERO_STATE_OPS
    ]
    if not fills:
        return
    is_fill = graph.columns.op_in({"Fill"})
    for i, layer in fills:
        nodes = np.flatnonzero((node_layer == i) & is_fill)
        values = graph.columns.inputs_at(nodes, 1)
        if len(values) and all(v >= 0 and shapes.constant_is_zero(graph, int(v)) for v in values.tolist()):
            layer.type = "Zeros"


# What a TF1 RNN's zero state runs: fills of zeros, of shapes joined from constants or from the batch's size.
_ZERO_STATE_OPS = frozenset({"Fill", "ConcatV2", "Concat", "Pack", "Shape", "StridedSlice", "ExpandDims"})


def _type_containers(layers: list[tuple[int, Layer]], within: dict[int, int], pairs) -> None:
    """A layer that holds layers and computes nothing of its own is a model used as a layer: ``Sequential`` when
    its layers form one chain, each reading only the one before, else ``Model``."""
    children: dict[int, list[tuple[int, Layer]]] = {}  # each holder's layers, in order: one pass, not one a layer
    for j, other in layers:
        if j in within:
            children.setdefault(within[j], []).append((j, other))
    for i, layer in reversed(layers):  # inner layers first: a scope of scopes of weights is weights too
        if i not in children:
            continue
        held = [other for _, other in children[i]]
        if layer.holds_layers and _attends(layer, held):
            layer.type = "MultiHeadAttention"
            continue
        if len(held) >= 2 and {other.type for other in held} <= _RECURRENT_TYPES and not layer.variables:
            if all(_STACKED_CELL.search(other.name) for other in held):
                layer.type = "RNN"  # TF1's ``MultiRNNCell``: cells stacked, as Keras's RNN of StackedRNNCells
                continue
            if len(held) == 2:
                layer.type = "Bidirectional"  # a recurrent layer run forwards and backwards, their outputs merged
                continue
        cell = _tf1_cell_type(held, layer)
        if cell:
            layer.type = cell
            continue
        if not layer.holds_layers:
            continue
        if _computing(layer.op_types).keys() - {"Cast"} or layer.variables:  # (its input's cast: mixed precision)
            if layer.type not in _TYPES_OF_HOLDERS or any(other.holds_layers for other in held):
                # What it computes beside its layers names an op, not it (a mask for them, a residual's add, the
                # first token's slice): a layer of layers, its class not in the graph. So is a layer holding
                # models, whatever weights it computes with itself: GPT-2's ``model`` holds its blocks and
                # multiplies by its embedding table (a Dense of 124 M parameters, it said).
                layer.type = CUSTOM_LAYER
            continue
        inner = [j for j, _ in children[i]]
        if all(other.weights_elsewhere for other in held):
            # Scopes of weights computed with elsewhere (Slim's ``conv1`` of ``conv1/conv1_1`` and ``conv1_2``):
            # what leaves it is their weights, no output.
            layer.output_shape, layer.weights_elsewhere = False, True
        if all(other.type == "Weights" for other in held):
            layer.type = "Weights"  # a scope of weights (scopes of weights in it), computed with elsewhere
            continue
        inside = set(inner)
        links = {(a, b) for a, b in pairs if a in inside and b in inside}
        chain = all((a, b) in links for a, b in zip(inner, inner[1:])) and len(links) == len(inner) - 1
        layer.type = "Sequential" if chain else "Model"
        if chain and layer.output_shape is False and not layer.weights_elsewhere:
            # A chain puts out what its last layer does (a block's MLP inside a block: what leaves it is read by
            # its holder's own residual add, no layer's, so nothing was found leaving it).
            layer.output_shape = held[-1].output_shape


# Keras's layers that hold no weights, by the name Keras gives one (its class in snake case): a layer holding
# two of them or more and computing nothing of its own is a model of them (the data augmentation ``Sequential``
# of Keras's transfer-learning guide), whose layers, holding no weights, are not listed apart.
_WEIGHTLESS_DEFAULT_NAMES = frozenset(
    re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    for name in (
        "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation", "RandomCrop",
        "RandomBrightness", "RandomHeight", "RandomWidth", "Rescaling", "Resizing", "CenterCrop", "Dropout",
        "GaussianNoise", "GaussianDropout", "Activation", "Flatten", "Reshape",
    )
)  # fmt: skip


def _type_linear_models(layers: list[tuple[int, Layer]], within: dict[int, int]) -> None:
    """A linear model of feature columns (TF1's ``tf.feature_column.linear_model``, as canned Estimators call it;
    Keras's ``LinearModel``) is named ``linear_model``: a weight per feature column, each summed in a scope of
    its own, and a bias. Its ops alone said ``Layer`` or ``Dense``."""
    weighted = {i for i, layer in layers if layer.variables}
    weighted |= {within[i] for i in weighted if i in within}
    for i, layer in layers:
        if i in weighted and _NUMBERED.sub("", layer.name.rpartition("/")[2]) == "linear_model":
            layer.type = "LinearModel"


def _type_models_of_weightless_layers(
    graph: Graph, tree, layers: list[tuple[int, Layer]], holding: set, node_layer: np.ndarray
) -> None:
    weightless = {layer.name: layer for i, layer in layers if i not in holding and not layer.variables}
    # One pass over the groups finds the few layers holding two such names (no group's children lists built).
    named = Counter(
        parent
        for group, parent in tree.group_parent.items()
        if parent in weightless and _NUMBERED.sub("", group.rpartition("/")[2]) in _WEIGHTLESS_DEFAULT_NAMES
    )
    suspects = {name for name, count in named.items() if count >= 2}
    models = []
    for name, (groups, nodes) in tree.children_of(suspects).items() if suspects else ():
        own = [n for n in nodes if graph.ops[n] not in _NOT_COMPUTING and graph.ops[n] != "Cast"]
        if len(groups) == named[name] and not own:
            models.append(name)
    if models:
        index = {layer.name: i for i, layer in layers}
        for name in _chained(graph, node_layer, {index[name]: name for name in models}):
            weightless[name].type = "Sequential"


def _chained(graph: Graph, node_layer: np.ndarray, candidates: dict[int, str]) -> list[str]:
    """Of layers holding groups (``candidates``: layer number -> name), those where one group's result feeds
    another's: a model's layers run in a chain. A Dropout called on two inputs (a siamese network's shared
    encoder) holds ``dropout`` and ``dropout_1`` side by side, neither reading the other."""
    columns = graph.columns
    nodes = np.flatnonzero(np.isin(node_layer, list(candidates)))
    edges, owners = columns.out_edges(nodes)
    keep = columns.data[edges] & (node_layer[columns.dst[edges]] == node_layer[owners])
    names = graph.names
    chained = set()
    for src, dst in zip(owners[keep].tolist(), columns.dst[edges[keep]].tolist()):
        layer = int(node_layer[src])
        if layer in chained:
            continue
        start = len(candidates[layer]) + 1
        if names[src][start:].partition("/")[0] != names[dst][start:].partition("/")[0]:
            chained.add(layer)
    return [candidates[layer] for layer in chained]


_RECURRENT_TYPES = frozenset({"LSTM", "GRU", "SimpleRNN", "RNN"})
# The cells a ``MultiRNNCell`` stacks: each in ``multi_rnn_cell/cell_<i>`` (one reads the one before).
_STACKED_CELL = re.compile(r"(^|/)multi_rnn_cell/cell_\d+(/|$)")
# TF1's cells, by the gates of each kernel, (inputs + units) x (gates x units): LSTMCell's one of four, GRUCell's
# gates' of two and candidate's of one, BasicRNNCell's one of one.
_TF1_CELLS = {(4,): "LSTM", (1, 2): "GRU", (1,): "SimpleRNN"}


def _tf1_cell_type(held: list[Layer], layer: Layer) -> str | None:
    """TF1's ``dynamic_rnn`` over a cell: the cell's weights scopes of their own (``Weights`` rows: an LSTMCell's
    one, a GRUCell's gates and candidate), run in a functional loop beside them, whose body's ops are a function's
    (TensorFlow 2 writes TF1 code's loops so): the type the cell's kernels say, by the units the layer puts out.
    None for anything else."""
    shape = layer.output_shape
    if not held or any(other.type != "Weights" for other in held) or not layer.op_types.keys() & _LOOPS:
        return None
    units = shape[-1] if isinstance(shape, tuple) and shape and shape[-1] else 0
    kernels = [v.variable.shape for other in held for v in other.variables if v.variable.shape]
    kernels = [kernel for kernel in kernels if len(kernel) == 2]
    if not units or not kernels or any(not rows or rows <= units or not columns for rows, columns in kernels):
        return None
    gates = sorted(columns // units for _, columns in kernels if columns % units == 0)
    return _TF1_CELLS.get(tuple(gates)) if len(gates) == len(kernels) else None


# The type of a layer made of layers that computes beside them, or whose weights are theirs: Keras's base class
# (its own class, a subclass of it, is not in the graph).
CUSTOM_LAYER = "Layer"
# The types a layer holding layers keeps from what it computes beside them: its own weights' layer (a TF1 RNN's
# loop holding its cell; Slim's convolution holding its BatchNorm, which ``_normalisers_beside`` then lists beside
# it), or weights computed with elsewhere.
_TYPES_OF_HOLDERS = frozenset(
    {
        name
        for _, name in _TYPE_BY_OP
        if name not in ("Concatenate", "ZeroPadding2D", "MaxPooling2D", "AveragePooling2D")
    }
    | {"BatchNormalization", "LayerNormalization", "EinsumDense", "SeparableConv2D", "Weights", "Embedding"}
    | _RECURRENT_TYPES
)
# The products of two tensors (an attention's scores and weighted sum; a kernel's product with the data).
_PRODUCTS = frozenset({"Einsum", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "MatMul"})


# The layers a convolution or a dense layer normalises its result with inside its own scope (Slim's ``conv1`` with
# ``conv1/BatchNorm``, its ``normalizer_fn``; BERT's ``embeddings`` with its ``LayerNorm``).
_NORMALISERS = frozenset({"BatchNormalization", "LayerNormalization", "GroupNormalization"})
# The holders whose rows count what they hold: models, wrappers, recurrent layers of cells, attentions of projections.
_COUNTING_HOLDERS = _RECURRENT_TYPES | {"Weights", "MultiHeadAttention", "Bidirectional", "TimeDistributed"}


def _normalisers_beside(layers: list[tuple[int, Layer]], within: dict[int, int]) -> dict[int, int]:
    """``within`` with each normalisation a weight layer holds (and nothing else) placed beside it, as Keras
    lists a convolution and its BatchNormalization: Slim's ``conv1 · Conv2D`` counted its BatchNorm's parameters
    with its kernel's (992 for MobileNet's first 864), since a holder counts what it holds."""
    by_number = dict(layers)
    held: dict[int, list[int]] = {}
    for j, i in within.items():
        if j in by_number and i in by_number:
            held.setdefault(i, []).append(j)
    moved = {}
    for i, inner in held.items():
        holder = by_number[i]
        if not holder.variables or holder.type not in _TYPES_OF_HOLDERS or holder.type in _COUNTING_HOLDERS:
            continue
        if all(by_number[j].type in _NORMALISERS and not by_number[j].holds_layers for j in inner):
            for j in inner:
                moved[j] = within.get(i)
            holder.holds_layers -= len(inner)
    if not moved:
        return within
    within = dict(within)
    for j, above in moved.items():
        if above is None:
            del within[j]
            by_number[j].within = None
        else:
            within[j] = above
            by_number[j].within = by_number[above].name if above in by_number else None
    return within


def _attends(layer: Layer, inner: list[Layer]) -> bool:
    """Attention: a layer holding only its projections (the query's, the key's, the value's, maybe the output's;
    or one projection split in three and the output's, as GPT-2's ``c_attn`` and ``c_proj``) that itself takes a
    softmax between two products of its own (the scores, then their weighted sum). A layer holding more (a
    transformer's block: its norms, its feed-forward layers) is no attention layer."""
    products = sum(layer.op_types[op] for op in _PRODUCTS)
    projections = [other for other in inner if other.type in ("Dense", "EinsumDense", "Conv1D")]
    fused = len(inner) == 2 and bool(layer.op_types.keys() & {"Split", "SplitV"})
    only_projections = len(projections) == len(inner) and (3 <= len(inner) <= 4 or fused)
    return not layer.variables and "Softmax" in layer.op_types and products >= 2 and only_projections


def _add_inner_params(layers: list[tuple[int, Layer]]) -> None:
    """A layer holding layers counts their parameters with its own (Keras's row for a nested model); the totals
    were summed before, once per variable."""
    by_name = {layer.name: layer for _, layer in layers}
    for _, layer in layers:
        above = by_name.get(layer.within) if layer.within else None
        while above is not None:
            above.params += layer.own_params
            above.trainable_params += layer.own_trainable_params
            above = by_name.get(above.within) if above.within else None


def state_variables(graph: Graph, node_roles, model_nodes: list[int], codes: np.ndarray) -> tuple[set[int], set[int]]:
    """The model variables that are no layer's parameters: (running state, counted with the machinery; unused
    variables, counted nowhere). Running state: a metric's running total or count (only added to), and a scalar
    that nothing trains (a running average of the loss kept for display: a layer's weight has a dimension).
    Unused: a variable whose value no op uses but its initialiser, the checkpoint and its own writes (TFLearn's
    ``is_training`` and ``val_loss`` in a model that reads neither, a SavedModel's metric totals that only its
    checkpoint call takes, the weights of an earlier copy of the model left in the graph, a traced function that
    only creates a variable and returns its handle), and a stateful recurrent layer's state, which Keras keeps
    between batches but counts nowhere."""
    unused = _unused(graph, model_nodes, codes)
    if unused:
        is_variable = np.zeros(graph.node_count, dtype=bool)
        is_variable[list(node_roles.variables)] = True
        unused = {n for n in unused if not _derived_by_the_model(graph, n, codes, is_variable)}
    unused |= _recurrent_states(graph, [n for n in model_nodes if n not in unused], codes)
    used = [n for n in model_nodes if n not in unused]
    running = _accumulators(graph, node_roles, used, codes)
    trainable = trainable_variables(graph, node_roles, used, codes)
    seeding = _seed_states(graph)
    running |= {n for n in used if n not in trainable and (_is_scalar(graph, n) or seeding[n])}
    return running, unused


def _seed_states(graph: Graph) -> np.ndarray:
    """Per node, whether its value seeds a random op a few ops on: a random generator's state (Keras 3's
    ``SeedGenerator`` in each Dropout layer), which ``model.summary()`` does not count as parameters."""
    _, seeds = roles.seed_inputs(graph)
    return roles.ancestors_within(graph, seeds, roles.SEED_HOPS)


_STATE_ROLES = (roles.INIT, roles.SAVE)
_RETURNS = frozenset({"_Retval", "_DeviceRetval"})  # a function graph's results
_RELAYS = roles.READ_OPS | frozenset({"Identity", "Snapshot"})


def relay_ops(graph: Graph) -> np.ndarray:
    """Per node: whether it hands a weight on as it is (a read, an identity)."""
    return graph.columns.op_in(_RELAYS)


def _unused(graph: Graph, model_nodes: list[int], codes: np.ndarray) -> set[int]:
    """Model variables whose value nothing but initialisers, the checkpoint and their own writes uses, through
    reads and identities. In numpy over every edge at once (a walk per variable cost 0.2 s at 200k nodes): an op
    uses a value when a data edge leaves it for an op that is neither init's nor the checkpoint's, nor a write
    into it, nor a relay; a relay uses it when what it passes it on to does.

    A variable's handle returned by its function is no use either: a trace (``tf.summary.trace_export``) records
    each variable a traced call creates as a function of its own that returns the handle, and the traced step
    takes the same variable as a resource argument, counted there (Adam's slots, created at the first step, were
    counted twice, once as the model's)."""
    if not model_nodes:
        return set()
    columns = graph.columns
    src, dst = columns.src, columns.dst
    state = np.isin(codes, _STATE_ROLES)
    returned = columns.op_in(_RETURNS)[dst] & columns.op_in(roles.VARIABLE_OPS)[src]
    passes = columns.data & ~state[dst] & ~(columns.op_in(roles.WRITE_OPS)[dst] & (columns.position == 0)) & ~returned
    relay = columns.op_in(_RELAYS)[dst]
    used = np.zeros(graph.node_count, dtype=bool)
    used[src[passes & ~relay]] = True
    onward_src, onward_dst = src[passes & relay], dst[passes & relay]
    while True:  # back along the relays, as many passes as their chains are long
        more = onward_src[used[onward_dst] & ~used[onward_src]]
        if not more.size:
            break
        used[more] = True
    return {n for n in model_nodes if not used[n]}


_SETS = frozenset({"Assign", "AssignVariableOp"})  # writes that set a variable's value (not add to it)


def _recurrent_states(graph: Graph, model_nodes: list[int], codes: np.ndarray) -> set[int]:
    """The states of stateful recurrent layers (``stateful=True``): a variable whose value a loop over the steps
    starts from (or a call running one: tf_keras's recurrent layers run their loop in a function) and that is set
    to what that loop puts out, for the next batch. Keras counts no parameter of it (a GRU of 7 units on a batch
    of 8 was 56 parameters over Keras's count)."""
    columns = graph.columns
    writes = np.flatnonzero(columns.op_in(_SETS) & (codes == roles.MODEL))
    candidates = set(model_nodes)
    found = set()
    for n, value in zip(columns.inputs_at(writes, 0).tolist(), columns.inputs_at(writes, 1).tolist()):
        if n not in candidates or n in found:
            continue
        while value >= 0 and graph.ops[value] in _RELAYS:
            value = int(columns.inputs_at(np.array([value]), 0)[0])
        if value < 0 or not _runs_a_loop(graph, value):
            continue
        relayed = _relays_of(graph, n)  # the variable, its reads, their identities
        if any(graph.edge_src[e] in relayed for e in graph.in_edges(value) if not graph.edge_control[e]):
            found.add(n)
    return found


def _relays_of(graph: Graph, node: int, hops: int = 3) -> set[int]:
    """``node`` and what passes its value on unchanged (reads, identities), ``hops`` deep."""
    found, frontier = {node}, [node]
    for _ in range(hops):
        frontier = [
            graph.edge_dst[e]
            for current in frontier
            for e in graph.out_edges_of([current])[current]
            if not graph.edge_control[e] and graph.ops[graph.edge_dst[e]] in _RELAYS
        ]
        found.update(frontier)
    return found


def _runs_a_loop(graph: Graph, node: int) -> bool:
    """Whether ``node`` is a loop, or a call of a function that runs one."""
    if graph.ops[node] in _LOOPS:
        return True
    if graph.ops[node] not in phase.CALL_OPS and graph.ops[node] not in graph.functions:
        return False
    try:
        called = [name for _, name in functions.functions_of(graph, graph.node_defs[node])]
    except NodeDefUnreadable:
        return False
    return any(functions.function_ops(graph, name).keys() & _LOOPS for name in called)


def _derived_by_the_model(graph: Graph, variable: int, codes: np.ndarray, is_variable: np.ndarray) -> bool:
    """A variable the training graph only writes, from another variable: state the layer keeps for inference
    (batch renormalization's moving variance, set from its moving standard deviation), which Keras counts. An
    assignment of a constant or a fed value (TFLearn's ``is_training``, ``val_loss``) reads no variable, and a count
    only added to (a custom loop's own step counter) is no state of a layer's."""
    for e in graph.out_edges_of([variable])[variable]:
        write = graph.edge_dst[e]
        if graph.edge_input[e] != 0 or graph.ops[write] not in _SETS or codes[write] != roles.MODEL:
            continue
        value = int(graph.columns.inputs_at(np.array([write]), 1)[0])
        if value >= 0 and roles.reads_a_variable(graph, value, is_variable, besides=variable):
            return True
    return False


def _only_returned(graph: Graph, node: int) -> bool:
    consumers = [graph.edge_dst[e] for e in graph.out_edges(node)]
    return bool(consumers) and all(graph.ops[c] in _RETURNS for c in consumers)


def _only_read_out(graph: Graph, node: int) -> bool:
    """A variable passed into a function of a trace that only reads its value out and returns it (the functions
    TensorFlow runs as a SavedModel loaded as a layer restores its weights, ``DisableCopyOnRead`` then a read
    returned): the same variable as the step's argument, no layer's weight of its own there."""
    if graph.ops[node] != "_Arg":
        return False
    consumers = [graph.edge_dst[e] for e in graph.out_edges(node)]
    reads = [c for c in consumers if graph.ops[c] in roles.READ_OPS]
    if not reads or any(graph.ops[c] not in roles.READ_OPS and graph.ops[c] not in _COPY_ON_READ for c in consumers):
        return False
    return all(_only_returned(graph, read) for read in reads)


_COPY_ON_READ = frozenset({"DisableCopyOnRead"})  # a variable's copy made before it is read out


def _passed_only_to_initialise(graph: Graph, node: int, codes: np.ndarray) -> bool:
    """A variable passed into the function TensorFlow initialises a traced call's new variables in, only to be
    assigned its initial value (``roles._claim_lifted_initialisation``): the same variable as the step's argument."""
    if graph.ops[node] != "_Arg" or codes[node] != roles.INIT:
        return False
    consumers = [graph.edge_dst[e] for e in graph.out_edges(node)]
    return bool(consumers) and all(graph.ops[c] in roles.WRITE_OPS and codes[c] == roles.INIT for c in consumers)


def _is_scalar(graph: Graph, node: int) -> bool:
    variable = shapes.variable(graph, node)
    return variable is not None and variable.shape == ()


def _accumulators(graph: Graph, node_roles, model_nodes: list[int], codes: np.ndarray) -> set[int]:
    """Model variables that the model only adds to (``AssignAdd``): a metric's running total or count, which
    ``model.summary()`` does not count as parameters (a layer's weights are set or trained, never summed into)."""
    if not model_nodes:
        return set()
    columns = graph.columns
    edges, owners = columns.out_edges(np.asarray(model_nodes, dtype=np.intp))
    dst = columns.dst[edges]
    keep = (columns.position[edges] == 0) & _mask(graph, node_roles.writes)[dst] & (codes[dst] == roles.MODEL)
    writes: dict[int, set[str]] = {}
    for node, writer in zip(owners[keep].tolist(), dst[keep].tolist()):
        op = graph.ops[writer]
        writes.setdefault(node, set()).add("AssignAddVariableOp" if _adds_to_itself(graph, node, writer) else op)
    return {n for n, ops in writes.items() if ops <= roles.INCREMENT_OPS}


def _adds_to_itself(graph: Graph, variable: int, write: int) -> bool:
    """Whether ``write`` sets ``variable`` to its own value plus another (Keras 3's ``assign_add``, an assign of
    ``read + x``: its metrics' totals)."""
    if graph.ops[write] != "AssignVariableOp":
        return False
    value = shapes._input_of(graph, write, 1)
    if value is None or graph.ops[value[0]] not in _ADDS:
        return False
    for position in (0, 1):
        read = shapes._input_of(graph, value[0], position)
        if read is not None and graph.ops[read[0]] in roles.READ_OPS:
            handle = shapes._input_of(graph, read[0], 0)
            if handle is not None and handle[0] == variable:
                return True
    return False


def _mask(graph: Graph, nodes: set[int]) -> np.ndarray:
    mask = np.zeros(graph.node_count, dtype=bool)
    if nodes:
        mask[np.fromiter(nodes, dtype=np.intp, count=len(nodes))] = True
    return mask


def _passed_into_calls(graph: Graph, known: set[int]) -> list[int]:
    """Resource inputs that only function calls take (a v2 ``cond`` reading BatchNorm's moving statistics in its
    branches; a LossScaleOptimizer's ``cond`` updating Adam's slots), which no read outside shows to be variables:
    those whose handle shape the graph records, or whose bodies read or write them with a recorded shape."""
    if not graph.functions:
        return []
    columns = graph.columns
    candidates = np.flatnonzero(columns.op_in(shapes.RESOURCE_INPUTS))
    found = []
    for n in candidates.tolist():
        if n in known:
            continue
        try:
            attr = graph.node_defs[n].attr
        except Exception:  # noqa: BLE001 - an unreadable input is not counted
            continue
        readers = columns.dst[columns.out_edges(np.asarray([n], dtype=np.intp))[0]].tolist()
        if not readers or not all(
            graph.ops[r] in roles.ARGUMENT_CALL_OPS or graph.ops[r] in graph.functions for r in readers
        ):
            continue
        if "_handle_shapes" in attr or shapes.variable(graph, n) is not None:
            found.append(n)
    return found


def _read_in_call(graph: Graph, node: int, call: str, codes: np.ndarray) -> bool:
    """Whether the model reads the variable ``node`` (``_layer_readers``) inside the inlined ``call`` only, and the
    variable is outside it."""
    prefix = call + "/"
    readers = _layer_readers(graph, node, codes)
    inside = [graph.names[r].startswith(prefix) for r in readers]
    return bool(readers) and all(inside) and not graph.names[node].startswith(prefix)


def _layer_readers(graph: Graph, node: int, codes: np.ndarray) -> list[int]:
    """The model ops that read the variable ``node`` where its layer computes: not its own ops
    (``v/Read/ReadVariableOp``, ``v/read``), which say nothing of where that is, nor a function call when
    anything else reads it (a SavedModel's signature not inlined runs the same layers again, in its function)."""
    own = graph.names[node] + "/"
    readers = [
        r
        for r in (graph.edge_dst[e] for e in graph.out_edges(node))
        if codes[r] == roles.MODEL and not graph.names[r].startswith(own)
    ]
    plain = [r for r in readers if graph.ops[r] not in phase.CALL_OPS and not _penalty_read(graph, r, codes)]
    return plain or readers


_ACTIVITY_PENALTY = "/ActivityRegularizer/"
# A weight regularizer's first op: sum(square(w)), l2_loss(w), sum(abs(w)).
_PENALTIES = frozenset({"Square", "L2Loss", "Abs"})


def _penalty_read(graph: Graph, read: int, codes: np.ndarray) -> bool:
    """Whether a read of a weight feeds only a penalty on it (a kernel regularizer's, added to the loss where the
    step computes the loss: Keras 3 at the step's own scope, tf_keras at ``conv/kernel/Regularizer``), its
    gradient aside. It says nothing of where the layer computes."""
    consumers = [
        graph.edge_dst[e]
        for e in graph.out_edges(read)
        if not graph.edge_control[e] and codes[graph.edge_dst[e]] == roles.MODEL
    ]
    return bool(consumers) and all(graph.ops[c] in _PENALTIES for c in consumers)


def _passed_in_owners(graph: Graph, tree, nodes: list[int], codes: np.ndarray) -> tuple[dict[int, str], set[str]]:
    """The layer that owns each variable passed into a traced function, and the scopes that hold models side by
    side (their rows then hold their layers' rows). Its name says nothing (Keras names the capture after its
    first read, ``fc1/MatMul/ReadVariableOp/resource``, or flattens it into an argument,
    ``model_fc1_matmul_readvariableop_resource``): its model readers' common scope does. The layers are the scopes
    one level below what all those scopes share (``fit_mlp/fc1`` below ``fit_mlp``), unless that level holds ops'
    own groups (``dense/MatMul``: the model is one layer, the shared scope itself), or unless each scope there is a
    model of layers itself (a GAN's step: ``generator/g_dense`` and ``discriminator/d_dense`` below ``generator``
    and ``discriminator``, not those two)."""
    if not nodes:
        return {}, set()
    scope: dict[int, tuple] = {}
    first: dict[int, tuple] = {}  # each variable's first model reader's chain
    readers = [(node, dst) for node in nodes for dst in _layer_readers(graph, node, codes)]
    for node, dst in sorted(readers, key=lambda pair: pair[1]):
        chain = tree.chain(tree.node_parent[dst]) if tree.node_parent[dst] else ()
        first.setdefault(node, chain)
        scope[node] = chain if node not in scope else _common(scope[node], chain)
    for node, chain in first.items():
        # A model called twice reads its weights in two scopes of one name (Keras 3 names each call's scope
        # anew: a GAN's ``discriminator_1`` and ``discriminator_3``): its first call's scope is the model's.
        shared = scope[node]
        if len(chain) > len(shared) and _same_layer_called_again(chain[len(shared)], graph, tree, shared, node, codes):
            scope[node] = chain
    found: dict[int, str] = {}
    if not scope:
        return found, set()
    depth, groups = _layer_depth(graph, scope)
    models = {g: members for g, members in groups.items() if _holds_layers(graph, tree, members, depth)}
    if len(groups) > 1 and len(models) == len(groups):
        for members in models.values():
            inner, _ = _layer_depth(graph, members)
            found.update((node, chain[inner] if inner < len(chain) else chain[-1]) for node, chain in members.items())
        shared = next(iter(scope.values()))[:depth]
        return found, {shared[-1] if shared else ""}
    # A model used as a layer beside plain layers (Keras's functional model around a Sequential backbone): its
    # variables are its own layers', and it is a row holding theirs.
    inner_of = {node: _layer_depth(graph, members)[0] for members in models.values() for node in members}
    for node, chain in scope.items():
        at = inner_of.get(node, depth)
        found[node] = chain[at] if 0 <= at < len(chain) else (chain[-1] if chain else "")
    return found, set()


def _holds_layers(graph: Graph, tree, members: dict[int, tuple], depth: int) -> bool:
    """Whether the group at ``depth`` of these variables' reader chains is a model of layers: its variables are
    read in two groups or more below it that compute (a Sequential's ``c1``, ``b1``), not in their reads' own
    scopes only (Keras 3's BatchNormalization reads its moving statistics in ``bn/Cast_2/ReadVariableOp``), nor
    in the one scope of its op (Keras 3's Conv2D without a bias convolves in ``stem_conv/convolution``)."""
    inner, groups = _layer_depth(graph, members)
    if inner <= depth or len(groups) < 2:
        return False  # one group below is the layer's own op scope (Keras 3's ``stem_conv/convolution``)
    ops = graph.ops
    # (A run graph's captured weight is a Placeholder in its first read's scope: tf_keras's LSTM reads its three
    # weights in ``lstm/Read``, ``lstm/Read_1``, ``lstm/Read_2``, then runs its cell on them. Those compute nothing.)
    return all(
        any(
            ops[n] not in _NOT_COMPUTING and ops[n] != "Cast" and ops[n] not in _HANDLES
            for n in tree.descendant_nodes(group)
        )
        for group in groups
    )


_CALL_SUFFIX = re.compile(r"_\d+$")
_HANDLES = INPUT_OPS | shapes.RESOURCE_INPUTS


def _merge_calls_again(graph: Graph, node_layer: np.ndarray, layer_ids: list[str], weights: dict) -> None:
    """Keras 3 names each call of a layer a scope of its own (``shared_1``, ``shared_3``: a layer shared by two
    inputs, a siamese network's encoder): a scope of no weights of its own that reads the weights of the layer
    whose scope is named as it but for the ``_<n>`` suffix (or of a layer inside that one) is another call of it,
    and its ops are that layer's, not a row of their own."""
    owner_of = {node: number for number, held in weights.items() for node in held}
    if not owner_of:
        return
    by_base: dict[tuple[str, str], list[int]] = {}
    for number, name in enumerate(layer_ids):
        scope, _, leaf = name.rpartition("/")
        by_base.setdefault((scope, _CALL_SUFFIX.sub("", leaf)), []).append(number)
    repeated = {number: others for others in by_base.values() if len(others) > 1 for number in others}
    callers = [number for number in repeated if number not in weights]
    if not callers:
        return
    reads = np.flatnonzero(graph.columns.op_in(roles.READ_OPS) & np.isin(node_layer, callers)).tolist()
    read_layers: dict[int, set[int]] = {}
    for read in reads:
        source = shapes._input_of(graph, read, 0)
        if source is not None and source[0] in owner_of:
            read_layers.setdefault(int(node_layer[read]), set()).add(owner_of[source[0]])
    # A frozen graph's weights are constants read by identities in their own scope (``…/weights/read``), which
    # the later call's ops take as they are: TF1's static_rnn computes in ``rnnlm_1`` with ``rnnlm``'s weights.
    columns = graph.columns
    into = columns.data & np.isin(node_layer[columns.dst], callers)
    relayed = into & relay_ops(graph)[columns.src]
    origins = columns.inputs_at(columns.src[relayed], 0)
    for dst, origin in zip(columns.dst[relayed].tolist(), origins.tolist()):
        if origin in owner_of:
            read_layers.setdefault(int(node_layer[dst]), set()).add(owner_of[origin])
    for number, owners in read_layers.items():
        for first in repeated[number]:
            if first == number:
                continue
            inside = layer_ids[first] + "/"
            if any(o == first or layer_ids[o].startswith(inside) for o in owners):
                _merge_call(graph, node_layer, layer_ids, number, first)
                break


def _merge_call(graph: Graph, node_layer: np.ndarray, layer_ids: list[str], call: int, first: int) -> None:
    """The ops of the layer ``call`` made ``first``'s, each of a layer inside it (a model called again) made the
    one of the same name inside ``first`` (``encoder_3/enc_dense_2`` -> ``encoder_1/enc_dense_1``)."""
    inside = layer_ids[first] + "/"
    depth = inside.count("/")
    inner = {
        _CALL_SUFFIX.sub("", name.rpartition("/")[2]): number
        for number, name in enumerate(layer_ids)
        if name.startswith(inside) and name.count("/") == depth
    }
    prefix = layer_ids[call] + "/"
    for n in np.flatnonzero(node_layer == call).tolist():
        name = graph.names[n]
        head = name[len(prefix) :].partition("/")[0] if name.startswith(prefix) else ""
        node_layer[n] = inner.get(_CALL_SUFFIX.sub("", head), first) if "/" in name[len(prefix) :] else first


def _same_layer_called_again(group: str, graph: Graph, tree, shared: tuple, variable: int, codes: np.ndarray) -> bool:
    """Whether every model reader of ``variable`` sits below ``shared`` in a group named as ``group`` but for a
    ``_<n>`` suffix (the scopes of one layer's calls)."""
    base = _CALL_SUFFIX.sub("", group.rpartition("/")[2])
    depth = len(shared)
    for e in graph.out_edges(variable):
        dst = graph.edge_dst[e]
        if codes[dst] != roles.MODEL:
            continue
        chain = tree.chain(tree.node_parent[dst]) if tree.node_parent[dst] else ()
        if len(chain) <= depth or _CALL_SUFFIX.sub("", chain[depth].rpartition("/")[2]) != base:
            return False
    return True


def _layer_depth(graph: Graph, scope: dict[int, tuple]) -> tuple[int, dict[str, dict[int, tuple]]]:
    """Where the layers of variables read in these scope chains sit: the depth one below what the chains share
    (one less when that level holds ops' own groups), and the variables grouped by their scope at that depth."""
    shared = None
    for chain in scope.values():
        shared = chain if shared is None else _common(shared, chain)
    depth = len(shared)
    below = {chain[depth] for chain in scope.values() if len(chain) > depth}
    if below and any(group in graph.index for group in below):
        depth -= 1  # op groups: the shared scope is the one layer
    groups: dict[str, dict[int, tuple]] = {}
    for node, chain in scope.items():
        if 0 <= depth < len(chain):
            groups.setdefault(chain[depth], {})[node] = chain
    return depth, groups


def _common(a: tuple, b: tuple) -> tuple:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]


def _between_levels(graph: Graph, tree, levels: set[str]) -> set[str]:
    """The groups between a TF1 RNN's level and the nearest level above it: ``bidirectional_dynamic_rnn`` makes its
    cells' weights in ``bidirectional_rnn/fw/lstm_cell`` and ``…/bw/lstm_cell`` and loops in ``fw/fw/while``; with
    the model's other layers at the top, ``bidirectional_rnn`` is a layer there, and ``fw`` and ``bw``, each a
    recurrent layer holding its cell, are layers inside it (they were no rows: the cells' weights and one loop's
    dropout were, in the bidirectional layer). Only a level running a loop: other scopes between levels (ALBERT's
    ``layer_shared/attention``) hold their layers' rows as before."""
    found = set()
    for level in levels:
        if not level or not (_loop_scope(graph, level) or _loop_scope(graph, f"{level}/{level.rpartition('/')[2]}")):
            continue
        chain = []
        group = tree.group_parent.get(level, "") if level else None
        while group is not None and group not in levels:
            chain.append(group)
            group = tree.group_parent.get(group, "") if group else None
        if group is not None:
            found.update(chain)
    return found


def _whole_levels(tree, levels: set[str]) -> set[str]:
    """``levels`` with every bucket of a group split into buckets when one of them is a level: the layers beside
    the variables' owners are the split group's children whichever bucket their names sort into (a top level of
    tens of thousands of layers puts its input layers, paddings and poolings in buckets that own no variable)."""
    if not any(level in tree.buckets for level in levels):
        return levels

    def split(group: str) -> str:  # the group a bucket (or a bucket of buckets) holds a slice of
        while group in tree.buckets:
            group = tree.buckets[group].parent
        return group

    groups = {split(level) for level in levels if level in tree.buckets}
    return levels | {bucket for bucket in tree.buckets if split(bucket) in groups}


def _candidates(
    analysis, levels: set[str], codes: np.ndarray, owners: set[str], holding_models: set[str] = frozenset()
) -> tuple[list[str], dict[str, int]]:
    """The layers: the groups at each level that owns variables, and the input placeholders beside them.
    Machinery areas and the flags' own groups are not layers. A level inside a layer (a model used as a layer, a
    block of convolutions) gives the layers inside it: all its groups when the level holds layers only (Keras's
    nested Sequential: no op of its own, no op's own group such as ``Reshape`` with its ``Reshape/shape``), else
    only the groups that own variables (TF1's ``rnn/basic_lstm_cell`` beside the ``rnn`` loop's own ops). A level
    holding models side by side (a GAN's step) gives only them: what else the step computes there (the noise,
    the labels, the losses) is no model's layer."""
    tree, graph = analysis.tree, analysis.graph
    areas = set(analysis.areas.values())
    flags = {s.name for s in analysis.phase.sources}
    ids: list[str] = []
    children = tree.children_of(levels)
    for level in sorted(levels):  # a level after the levels above it
        groups, nodes = children[level]
        nested = any(level == i or level.startswith(i + "/") for i in ids) or level in holding_models
        # (A model's own casts of its inputs compute nothing: Keras 3 under a mixed precision policy.)
        own = [n for n in nodes if graph.ops[n] != "Cast"]
        pure = nested and not own and not any(group in graph.index for group in groups)
        for group in groups:
            if group in tree.series:  # a numbered series is not a layer: its ops are listed as if beside it
                nodes = nodes + tree.children_of({group})[group][1]
                continue
            if group in areas or group in flags or group in tree.buckets:
                continue
            if nested and not pure and not any(o == group or o.startswith(group + "/") for o in owners):
                continue
            if (
                nested
                and _loop_scope(graph, group)
                and not any(o == group or o.startswith(group + "/") for o in owners)
            ):
                continue  # a TF1 RNN's loop over its cell beside it (``fw/fw/while``): the RNN's own ops
            ids.append(group)
        ids.extend(
            graph.names[n]
            for n in nodes
            if graph.ops[n] in INPUT_OPS and codes[n] == roles.MODEL and graph.names[n] not in flags
        )
        if not nested:
            # TF1 code of the tutorials' kind pools with a loose op between its layers (Deep MNIST's ``MaxPool2d``,
            # after the convolution ``Conv2D`` that owns its weights): a layer of its own, as Keras's pooling is.
            ids.extend(graph.names[n] for n in nodes if graph.ops[n] in _POOLING_OPS and codes[n] == roles.MODEL)
    ids.extend(_inputs_from_above(analysis, levels, codes, flags, set(ids)))
    return ids, {name: i for i, name in enumerate(ids)}


def _between_models(analysis, levels: set[str], layer_index: dict[str, int], node_layer, codes) -> list[str]:
    """The scopes one level above the layers' levels that data passes through from a layer to a layer: a TF1
    VAE's ``sampling`` between its ``encoder`` and ``decoder`` scopes (Keras's VAE has a ``Sampling`` layer there;
    the summary went from the encoder's last layer to the decoder's first). Not the loss's nor the metrics' (no
    layer reads them), nor the machinery's areas, the flags' groups or a level of layers itself."""
    tree, graph = analysis.tree, analysis.graph
    # (A level inside a layer is that layer's: a TF1 RNN's loop beside its cell, its steps' scopes, are the RNN's.)
    above = {tree.group_parent.get(level, "") for level in levels if level} - levels
    above = {level for level in above if not ({level, *holding_scopes(level)} & layer_index.keys())}
    if not above:
        return []
    skip = set(analysis.areas.values()) | {s.name for s in analysis.phase.sources} | levels | set(layer_index)
    holders = {prefix for name in layer_index for prefix in holding_scopes(name)}  # groups holding layers
    candidates = [
        group
        for groups, _ in tree.children_of(above).values()
        for group in groups
        if group not in skip and group not in holders and group not in tree.series and group not in tree.buckets
    ]
    if not candidates:
        return []
    mark = tree.outermost_marks({group: k for k, group in enumerate(candidates)})
    mark[codes != roles.MODEL] = -1
    columns = graph.columns
    src_mark, dst_mark = mark[columns.src], mark[columns.dst]
    src_layer, dst_layer = node_layer[columns.src], node_layer[columns.dst]
    data = columns.data
    fed = set(dst_mark[data & (dst_mark >= 0) & (src_layer >= 0) & (src_mark != dst_mark)].tolist())
    feeding = set(src_mark[data & (src_mark >= 0) & (dst_layer >= 0) & (src_mark != dst_mark)].tolist())
    return [candidates[k] for k in sorted(fed & feeding)]


def holding_scopes(name: str) -> list[str]:
    """The scopes holding ``name``: ``a``, ``a/b`` for ``a/b/c``."""
    parts = name.split("/")
    return ["/".join(parts[:depth]) for depth in range(1, len(parts))]


_FED = frozenset({"Placeholder", "PlaceholderWithDefault"})
_POOLING_OPS = frozenset({"MaxPool", "MaxPoolV2", "AvgPool", "MaxPool3D", "AvgPool3D"})


def _inputs_from_above(analysis, levels: set[str], codes: np.ndarray, flags: set[str], taken: set[str]) -> list[str]:
    """The input placeholders in the scopes above the layers' levels that feed a layer there: TF1 code feeds its
    models from the top level (a DQN's states ``s`` and ``s_`` read by ``eval_net`` and ``target_net``, a VAE's
    images by ``encoder``; Slim's Inception computes two scopes down, in ``InceptionV3/InceptionV3``). The
    summary listed no input at all. Placeholders only: a Keras ``fit`` graph's model reads its batch from the
    iterator above it, which Keras's summary does not list either."""
    tree, graph = analysis.tree, analysis.graph
    above = {scope for level in levels if level for scope in ("", *holding_scopes(level))} - levels
    if not above:
        return []
    columns = graph.columns
    prefixes = tuple(level + "/" for level in levels if level)
    # A reader beside the layers, in a scope holding them, is the model's too: pix2pix's discriminator concatenates
    # the pair it judges (``targets`` and ``inputs``) in ``real_discriminator/discriminator``, above its layers.
    holders = {scope for level in levels for scope in holding_scopes(level)}
    found = []
    for groups_and_nodes in tree.children_of(above).values():
        for n in groups_and_nodes[1]:
            name = graph.names[n]
            if graph.ops[n] not in _FED or codes[n] != roles.MODEL or name in flags or name in taken:
                continue
            if n in analysis.roles.variables:
                continue  # a traced step's captured variable: a weight's handle, not an input
            edges, _ = columns.out_edges(np.array([n], dtype=np.intp))
            readers = columns.dst[edges[columns.data[edges]]].tolist()
            if any(
                graph.names[r].startswith(prefixes) or graph.names[r].rpartition("/")[0] in holders for r in readers
            ):
                found.append(name)
    return found


def _loop_scope(graph: Graph, group: str) -> bool:
    """Whether a scope holds a TF1 ``while_loop`` of its own (``dynamic_rnn``'s ``…/while``: its ``LoopCond``, or
    the functional ``While`` TensorFlow 2 writes for it)."""
    loop = graph.index.get(group + "/while")
    return group + "/while/LoopCond" in graph.index or (loop is not None and graph.ops[loop] in _LOOPS)


def _node_layers(graph: Graph, tree, layer_index: dict[str, int], codes: np.ndarray) -> np.ndarray:
    """Each node's layer number, or -1: the first layer on its display chain. Model ops only (a layer's
    gradient or initialiser is not the layer)."""
    # Top down, in numpy over the scope tree's columns (a walk up per group cost 0.2 s at 200k nodes). A layer
    # inside a layer (a Sequential used as a layer, a block of convolutions) keeps its own ops: the innermost.
    node_layer = tree.outermost_marks(layer_index, innermost=True)
    for name, i in layer_index.items():
        n = graph.index.get(name)
        if n is not None and not tree.is_group(name):
            node_layer[n] = i
    node_layer[codes != roles.MODEL] = -1
    return node_layer


def trainable_variables(graph: Graph, node_roles, model_nodes: list[int], codes: np.ndarray) -> set[int]:
    """The model variables an optimizer trains (see the module's docstring)."""
    columns = graph.columns
    written_by: dict[int, set[int]] = {}
    if model_nodes:
        edges, owners = columns.out_edges(np.asarray(model_nodes, dtype=np.intp))
        dst = columns.dst[edges]
        optimizer = columns.per_op(lambda op: bool(roles._OPTIMIZER_OP.match(op)), bool)
        keep = _mask(graph, node_roles.writes)[dst] | optimizer[dst]
        # A copy of another variable's value trains nothing: a DQN's target network is set from the evaluation
        # network's weights (``hard_replacement/Assign``, the optimizer's machinery) and never trained.
        copies = keep & ~optimizer[dst]
        if copies.any():
            values = columns.inputs_at(dst[copies], 1)
            origins = roles.relayed_from(graph, values)
            copied = (origins >= 0) & columns.op_in(roles.VARIABLE_OPS)[np.maximum(origins, 0)]
            # A soft update (DDPG's target networks: ``t := (1 - tau) * t + tau * e``) blends ``e`` in: no more
            # training than a copy. A write of the model's own (BatchNorm's moving statistics) is no copy.
            written = owners[copies]
            for k in np.flatnonzero(~copied & (values >= 0) & (codes[dst[copies]] != roles.MODEL)).tolist():
                copied[k] = roles.blends_other_variables(graph, int(values[k]), int(written[k]))
            keep[np.flatnonzero(copies)[copied]] = False
        for node, code in zip(owners[keep].tolist(), codes[dst[keep]].tolist()):
            written_by.setdefault(node, set()).add(code)
    # A variable passed into a traced function may be written inside a call's function only: counted with the
    # call's role (the optimizer's, or the model's for BatchNorm's moving statistics).
    passed = [n for n in model_nodes if graph.ops[n] in shapes.RESOURCE_INPUTS]
    for node, by in roles.written_in_functions(graph, passed, codes).items():
        written_by.setdefault(node, set()).update(by)
    optimized = {n for n, by in written_by.items() if roles.OPTIMIZER in by or roles.GRADIENT in by}
    if optimized:
        return optimized
    return {
        n
        for n in model_nodes
        if roles.MODEL not in written_by.get(n, ()) and not _MOVING_STATISTIC.search(graph.names[n])
    }


def _scales_by_a_vector(layer: Layer) -> bool:
    """ConvNeXt's LayerScale (``…_block_0_layer_scale``): its input times a learned vector, one factor per channel.
    The graph does not name the class: one multiplication by the layer's one weight, a vector, in a layer named
    so (a run graph passes the weight in as a placeholder, counted with the layer's ops)."""
    weights = layer.variables
    return (
        len(weights) == 1
        and weights[0].variable.shape is not None
        and len(weights[0].variable.shape) == 1
        and _computing(layer.op_types) - Counter({op: 1 for op in shapes.RESOURCE_INPUTS}) == Counter({"Mul": 1})
        and _LAYER_SCALE.search(layer.name.rpartition("/")[2]) is not None
    )


_LAYER_SCALE = re.compile(r"layer_?scale(?:_\d+)?$", re.IGNORECASE)


def _composes_an_activation(layer: Layer, named: str) -> bool:
    """Whether a layer without weights is an Activation of a function composed of several ops, all element by
    element: named as Keras names an Activation layer, or typed by its arithmetic though it runs an activation's
    own op (ConvNeXt's ``..._gelu``: an ``Erf`` in products and sums; MobileNetV3's ``hard_swish``: a ``Relu6``)."""
    computing = _computing(layer.op_types)
    if not computing or not set(computing) <= _ELEMENTWISE:
        return False
    return named == "activation" or (layer.type in _ARITHMETIC and bool(set(computing) & _ACTIVATION_OPS))


def _composes_a_leaky_relu(layer: Layer, named: str) -> bool:
    """TF1 GANs write their leaky ReLU by hand, named as such: pix2pix's ``lrelu`` computes
    ``0.5 * (1 + a) * x + 0.5 * (1 - a) * |x|``, DCGAN's ``tf.maximum(x, leak * x)`` (it was an ``Add`` row)."""
    computing = set(_computing(layer.op_types))
    return (
        named.lower().replace("_", "") in _LEAKY_RELU_NAMES
        and layer.type in _ARITHMETIC
        and computing <= _ELEMENTWISE
        and bool(computing & {"Abs", "Maximum"})
    )


_LEAKY_RELU_NAMES = frozenset({"lrelu", "leakyrelu", "leaky"})


def _tensors_taken(graph: Graph, node_layer: np.ndarray, number: int) -> int:
    """How many tensors computed outside a layer (not constants) its ops take."""
    columns = graph.columns
    own = np.flatnonzero(node_layer == number)
    edges, _ = columns.in_edges(own)
    edges = edges[columns.data[edges]]
    sources = columns.src[edges]
    outside = (node_layer[sources] != number) & ~columns.op_in(roles.CONSTANT_OPS)[sources]
    return len(set(zip(sources[outside].tolist(), graph.output_column[edges[outside]].tolist())))


def _layer_pairs(graph: Graph, node_layer: np.ndarray) -> list[tuple[int, int]]:
    """(from layer, to layer) of every data edge between two layers, once each."""
    columns = graph.columns
    a, b = node_layer[columns.src], node_layer[columns.dst]
    crossing = columns.data & (a >= 0) & (b >= 0) & (a != b)
    if not crossing.any():
        return []
    return [tuple(p) for p in np.unique(np.stack([a[crossing], b[crossing]], axis=1), axis=0).tolist()]


def _loss_side(pairs, layer_ids, weights, graph: Graph, node_layer: np.ndarray) -> set[int]:
    """The layers of the loss and metrics, which ``model.summary()`` does not list: the inputs that lead to no
    layer with parameters (the targets) and what they lead to, unless that leads to parameters itself. An input
    is a layer of input placeholders only, standing alone or in a scope of its own (TFLearn's ``TargetsData/Y``).
    A layer that holds no parameters and computes nothing (the reads of a variable counted apart) goes too."""
    if not weights:
        return set()
    present = node_layer >= 0
    is_input = graph.columns.op_in(INPUT_OPS)
    holds = graph.columns.op_in(roles.VARIABLE_OPS | _RELAYS | {"Const", "NoOp"})
    count = len(layer_ids)
    has_input = np.bincount(node_layer[present & is_input], minlength=count) > 0
    has_other = np.bincount(node_layer[present & ~is_input], minlength=count) > 0
    computes = np.bincount(node_layer[present & ~holds], minlength=count) > 0
    stateful = np.bincount(node_layer[present & graph.columns.op_in(roles.VARIABLE_OPS)], minlength=count) > 0
    idle = {i for i in np.flatnonzero(stateful & ~computes & ~has_input).tolist() if i not in weights}
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    for x, y in pairs:
        before.setdefault(y, []).append(x)
        after.setdefault(x, []).append(y)
    feeds_params = _reach(set(weights), before)
    inputs = set(np.flatnonzero(has_input & ~has_other).tolist())
    fed = (is_input & ~present) | graph.columns.op_in(_DEQUEUES)
    targets = (inputs - feeds_params) | _fed_targets(graph, node_layer, fed, feeds_params)
    # A language model's input is its target too (GPT-2 trains on ``X[:, 1:]``): what is computed from the inputs
    # alone and reaches no parameters is a target.
    targets |= {y for x, y in pairs if x in inputs and y not in feeds_params and set(before[y]) <= inputs}
    # A cross entropy is the loss's, whatever it reads, and so is what only hands it the logits or the labels, cut
    # to its needs (GPT-2's ``logits[:, :-1]``).
    in_losses = present & graph.columns.op_in(_CROSS_ENTROPIES)
    losses = set(np.flatnonzero(np.bincount(node_layer[in_losses], minlength=count)).tolist()) - set(weights)
    targets |= losses | {x for x, ys in after.items() if x not in weights and set(ys) <= losses}
    return (_reach(targets - set(weights), after) - feeds_params) | idle


# The ops computing a loss from logits, never a layer's.
_CROSS_ENTROPIES = frozenset({"SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits"})


# A TF1 input queue hands out a batch's tensors as one op's outputs (TF-Slim's clone reads its images and labels
# from ``clone_0/fifo_queue_Dequeue``, an Estimator's ``numpy_input_fn`` from ``fifo_queue_DequeueMany``): the
# outputs reaching no parameters are the targets, whether the queue's op is a layer or not.
_DEQUEUES = frozenset(
    {
        "IteratorGetNext",  # tf.data's iterator in TF1 (``make_initializable_iterator().get_next()``)
        "IteratorGetNextSync",
        "QueueDequeue",
        "QueueDequeueV2",
        "QueueDequeueMany",
        "QueueDequeueManyV2",
        "QueueDequeueUpTo",
        "QueueDequeueUpToV2",
    }
)


def _fed_targets(graph: Graph, node_layer: np.ndarray, outside_inputs: np.ndarray, feeds_params: set[int]) -> set[int]:
    """The layers that an input op outside every layer feeds from an output that reaches no parameters: Keras 3's
    step reads the features and the labels from one iterator (``IteratorGetNext:0`` and ``:1``) above the
    model's level; the labels' readers (the loss, the metrics) are targets' layers like a label placeholder's."""
    columns = graph.columns
    layer_of_src, layer_of_dst = node_layer[columns.src], node_layer[columns.dst]
    edges = np.flatnonzero(
        columns.data & outside_inputs[columns.src] & (layer_of_dst >= 0) & (layer_of_dst != layer_of_src)
    )
    if not edges.size:
        return set()
    fed: dict[tuple[int, int], set[int]] = {}
    outputs = graph.output_column[edges].tolist()
    for src, output, layer in zip(columns.src[edges].tolist(), outputs, node_layer[columns.dst[edges]].tolist()):
        fed.setdefault((src, output), set()).add(layer)
    return set().union(*(layers for layers in fed.values() if not layers & feeds_params))


def _after_the_model(pairs, layer_ids: list[str], weights: dict, holding: set[int], hosts: set[str], tree) -> set[int]:
    """In the scope TF1 code computes its layers in apart from their weights (``_own_where_computed``: TF-Slim's
    ``clone_0``), the loose ops and scopes that lead to no layer with parameters: the loss's (its logits
    reshaped, the shapes it computes), which the clone holds beside the model's layers."""
    before: dict[int, list[int]] = {}
    for x, y in pairs:
        before.setdefault(y, []).append(x)
    feeds_params = _reach(set(weights), before)
    return {
        i
        for i, name in enumerate(layer_ids)
        if i not in feeds_params and i not in holding and tree.group_parent.get(name, name.rpartition("/")[0]) in hosts
    }


def _unread_constants(graph: Graph, node_layer: np.ndarray, count: int, weights: dict, holding) -> set[int]:
    """The scopes of constants only, none of which anything reads: TF1's ``DropoutWrapper`` makes
    ``DropoutWrapperInit/Const`` of each keep probability given as a number, then uses the number. Rows typed
    ``Const`` before."""
    columns = graph.columns
    present = node_layer >= 0
    read = columns.out_start[1:] > columns.out_start[:-1]
    constant = columns.op_in({"Const"})
    busy = np.bincount(node_layer[present & (read | ~constant)], minlength=count) > 0
    has = np.bincount(node_layer[present], minlength=count) > 0
    return set(np.flatnonzero(has & ~busy).tolist()) - set(weights) - set(holding)


def _queue_fillers(graph: Graph, node_layer: np.ndarray, codes: np.ndarray, weights: dict) -> set[int]:
    """The scopes that fill a TF1 input queue (an Estimator's ``numpy_input_fn`` makes ``enqueue_input``: the
    queue, the placeholders its thread feeds, the enqueue and the queue's fullness for a summary): nothing of
    theirs reaches a layer but the queue's handle, which the batch's dequeue takes. The dequeue is the input."""
    columns = graph.columns
    queues = columns.op_in(_QUEUES)
    mine, theirs = node_layer[columns.src], node_layer[columns.dst]
    leaving = columns.data & (mine >= 0) & (theirs != mine) & (codes[columns.dst] == roles.MODEL)
    holding_queues = set(node_layer[queues & (node_layer >= 0)].tolist())
    if not holding_queues:
        return set()
    handing_more = set(mine[leaving & ~queues[columns.src]].tolist())
    return holding_queues - handing_more - set(weights)


_QUEUES = frozenset(
    {
        "FIFOQueue",
        "FIFOQueueV2",
        "PaddingFIFOQueue",
        "PaddingFIFOQueueV2",
        "RandomShuffleQueue",
        "RandomShuffleQueueV2",
        "PriorityQueue",
        "PriorityQueueV2",
    }
)


def _only_summarised(graph: Graph, node_layer: np.ndarray, codes: np.ndarray, weights: dict, holding) -> set[int]:
    """The scopes that compute a statistic of a layer's output for a summary alone: a canned Estimator's
    ``dnn/zero_fraction`` beside each hidden layer (the share of zeros its ReLU gives, for a scalar summary). A
    side branch: what it reads, something else reads too, and what it computes only summaries read. (The last
    layer of a model whose output only a histogram reads is no side branch: its input feeds it alone.)"""
    columns = graph.columns
    mine, theirs = node_layer[columns.src], node_layer[columns.dst]
    leaving = np.flatnonzero(columns.data & (mine >= 0) & (theirs != mine))
    summarised = codes[columns.dst[leaving]] == roles.SUMMARY
    candidates = set(mine[leaving[summarised]].tolist()) - set(mine[leaving[~summarised]].tolist())
    candidates -= set(weights) | set(holding)
    if not candidates:
        return set()
    # Each candidate's inputs (a layer's, or a loose op's) and whether anything but it and summaries reads them.
    entering = np.flatnonzero(columns.data & np.isin(theirs, list(candidates)) & (mine != theirs))
    found = set()
    for i in candidates:
        sources = np.unique(columns.src[entering[theirs[entering] == i]])
        if not sources.size:
            continue
        edges, _ = columns.out_edges(sources)
        edges = edges[columns.data[edges]]
        readers = columns.dst[edges]
        elsewhere = (node_layer[readers] != i) & (codes[readers] != roles.SUMMARY)
        if np.all(np.bincount(np.searchsorted(sources, columns.src[edges][elsewhere]), minlength=sources.size) > 0):
            found.add(i)
    return found


def _settings_only(graph: Graph, node_layer: np.ndarray, codes: np.ndarray, weights: dict, holding) -> set[int]:
    """The scopes and loose ops that compute from hyperparameters and constants alone: TF1's Deep MNIST tutorial
    turns its ``keep_prob`` into the dropout's rate at the top level (``sub = 1 - keep_prob``), a row typed
    ``Subtract`` before the dropout. They set how a layer computes; no data passes through them."""
    columns = graph.columns
    mine, theirs = node_layer[columns.src], node_layer[columns.dst]
    entering = columns.data & (theirs >= 0) & (mine != theirs)
    setting = (codes[columns.src] == roles.HYPERPARAMETER) | columns.op_in({"Const"})[columns.src]
    count = int(node_layer.max()) + 1 if node_layer.size else 0
    fed = np.bincount(theirs[entering], minlength=count)
    set_only = np.bincount(theirs[entering & setting], minlength=count)
    hyper = np.bincount(theirs[entering & (codes[columns.src] == roles.HYPERPARAMETER)], minlength=count)
    found = np.flatnonzero((fed > 0) & (set_only == fed) & (hyper > 0))
    return set(found.tolist()) - set(weights) - set(holding)


def _shape_arithmetic(graph: Graph, node_layer: np.ndarray, weights: dict, holding) -> set[int]:
    """The scopes and loose ops that compute only with tensors' sizes: the Object Detection API's box predictors
    take ``tf.shape(features)[0]`` (``BoxPredictor_2/strided_slice``, a scalar) to reshape their boxes by, rows typed
    ``StridedSlice · scalar`` between the predictions. Each of their ops reads a ``Shape`` (``Size``, ``Rank``), a
    constant, or such arithmetic on them: they say how a layer reshapes; no data passes through them."""
    columns = graph.columns
    constant = columns.op_in({"Const"})
    sizes = columns.op_in(_SIZE_OPS)  # a size, or arithmetic on sizes and constants that reads a size
    arithmetic = columns.op_in(_SIZE_ARITHMETIC)
    into = columns.data & arithmetic[columns.dst]
    sources, targets = columns.src[into], columns.dst[into]
    for _ in range(_SIZE_DEPTH):
        other = np.bincount(targets[~(sizes | constant)[sources]], minlength=graph.node_count)
        sized = np.bincount(targets[sizes[sources]], minlength=graph.node_count)
        grown = sizes | (arithmetic & (other == 0) & (sized > 0))
        if (grown == sizes).all():
            break
        sizes = grown
    present = node_layer >= 0
    count = int(node_layer.max()) + 1 if node_layer.size else 0
    others = np.bincount(node_layer[present & ~sizes & ~constant], minlength=count)
    sizing = np.bincount(node_layer[present & sizes], minlength=count)
    return set(np.flatnonzero((others == 0) & (sizing > 0)).tolist()) - set(weights) - set(holding)


_SIZE_OPS = frozenset({"Shape", "ShapeN", "Size", "Rank"})
# What code computes a size with: picks an entry, packs entries into a shape, multiplies, divides, casts.
_SIZE_ARITHMETIC = frozenset({
    "StridedSlice", "Slice", "Pack", "Unpack", "ConcatV2", "GatherV2", "Squeeze", "ExpandDims", "Reshape",
    "Identity", "Cast", "Add", "AddV2", "Sub", "Mul", "FloorDiv", "FloorMod", "RealDiv", "Maximum", "Minimum",
    "Prod",
})  # fmt: skip
_SIZE_DEPTH = 16  # steps of arithmetic followed from a size: more is no graph's shape code


def _metrics_predictions(graph: Graph, node_layer: np.ndarray, codes: np.ndarray, pairs, dropped, kept) -> set[int]:
    """The accuracy's prediction in a training graph: ``tf.argmax(logits, 1)`` at a TF1 graph's top level (the Deep
    MNIST tutorial's ``ArgMax``, compared with the labels' in ``Equal``), a row typed ``ArgMax`` after the model's
    last layer. An index of the largest passes no gradient: no layer computes with it, only a metric does. The
    scopes and loose ops whose ops are such indices (and their constant axes) that no listed layer reads."""
    if not (codes == roles.GRADIENT).any():
        return set()  # an inference graph's ArgMax is its answer
    columns = graph.columns
    present = node_layer >= 0
    count = int(node_layer.max()) + 1 if node_layer.size else 0
    others = present & ~columns.op_in(_PREDICTION_OPS | {"Const"})
    has_index = np.bincount(node_layer[present & columns.op_in(_PREDICTION_OPS)], minlength=count) > 0
    has_other = np.bincount(node_layer[others], minlength=count) > 0
    candidates = set(np.flatnonzero(has_index & ~has_other).tolist()) - dropped - kept
    for x, y in pairs:
        if x in candidates and y not in dropped:
            candidates.discard(x)  # a layer computes with it
    return candidates


_PREDICTION_OPS = frozenset({"ArgMax", "ArgMin"})


def _reach(start: set[int], step: dict[int, list[int]]) -> set[int]:
    seen = set(start)
    stack = list(start)
    while stack:
        for j in step.get(stack.pop(), ()):
            if j not in seen:
                seen.add(j)
                stack.append(j)
    return seen


def _data_flow_order(graph: Graph, node_layer: np.ndarray, count: int, pairs) -> list[int]:
    """Layers in topological order of the data edges between them; ties (and cycles) broken by the graph's
    own order of their first ops."""
    first = np.full(count, graph.node_count, dtype=np.intp)
    present = node_layer >= 0
    np.minimum.at(first, node_layer[present], np.flatnonzero(present))
    successors: dict[int, list[int]] = {}
    indegree = [0] * count
    for x, y in pairs:
        successors.setdefault(x, []).append(y)
        indegree[y] += 1
    ready = [(int(first[i]), i) for i in range(count) if indegree[i] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    placed = [False] * count
    while len(order) < count:
        if not ready:  # a cycle: take the earliest layer still waiting
            i = min((i for i in range(count) if not placed[i]), key=lambda i: first[i])
            indegree[i] = 0
            ready.append((int(first[i]), i))
        _, i = heapq.heappop(ready)
        if placed[i]:
            continue
        placed[i] = True
        order.append(i)
        for j in successors.get(i, ()):
            indegree[j] -= 1
            if indegree[j] == 0 and not placed[j]:
                heapq.heappush(ready, (int(first[j]), j))
    return order


def _output_shapes(
    graph: Graph,
    node_layer: np.ndarray,
    count: int,
    codes: np.ndarray,
    known: dict,
    result_ops: dict | None = None,
    listed: list[int] | None = None,
) -> dict[int, shapes.Shape]:
    """Each layer's output: the tensor leaving it that the most ops of other layers read (the layer's result,
    not a statistic a sibling reads once); a layer nothing reads gives its last op's first output. ``result_ops``
    gets the op type that puts out each layer's result. ``listed``: the layers the summary lists; the loss's and
    the metrics' reads count only where no listed layer reads."""
    columns = graph.columns
    a, b = node_layer[columns.src], node_layer[columns.dst]
    # Read by another layer, or by a model op between layers (a TF1 graph's ``Relu`` at the top level).
    leaving = columns.data & (a >= 0) & (a != b) & (codes[columns.dst] == roles.MODEL)
    outputs = graph.output_column.astype(np.intp)
    readers: Counter = Counter(zip(a[leaving].tolist(), columns.src[leaving].tolist(), outputs[leaving].tolist()))
    # A tensor another layer reads comes first: Keras 3's swish hands its constant beta to its custom gradient's
    # ops, outside every layer, twice; its result goes to the next layer once. A listed layer's read comes before
    # the loss's: a TF1 iterator hands out the images, read once by the first layer, and the labels, read by
    # several of the loss's ops.
    by_layer = leaving & (b >= 0)
    if listed is not None:
        is_listed = np.zeros(count + 1, dtype=bool)  # the last slot stands for -1, no layer
        is_listed[listed] = True
        by_layer &= is_listed[b]
    by_layers: Counter = Counter(
        zip(
            a[by_layer].tolist(),
            columns.src[by_layer].tolist(),
            outputs[by_layer].tolist(),
        )
    )
    weight = _weight_carriers(graph)
    best: dict[int, tuple[bool, bool, int, int, int, int]] = {}
    for (layer, node, output), n in readers.items():
        # tf_keras's activity regularizer hands the loss a penalty on the layer's output: never the output. Nor is
        # a weight another layer reads, where the layer computes anything: ALBERT's calls of its one shared layer
        # read its weights three times each, and its product once (its output was its bias's 312).
        rank = (_ACTIVITY_PENALTY not in graph.names[node], not weight[node], by_layers[(layer, node, output)], n, node)
        if layer not in best or rank > best[layer][:5]:
            best[layer] = (*rank, output)
    found: dict[int, shapes.Shape] = {}
    for layer, (_, _, _, _, node, output) in best.items():
        if result_ops is not None:
            result_ops[layer] = graph.ops[node]
        shape = shapes.inferred_output_shape(graph, node, output, known)
        if shape is not False:
            found[layer] = shape
    missing = [i for i in range(count) if i not in found]
    if missing:
        last = np.full(count, -1, dtype=np.intp)
        present = node_layer >= 0
        np.maximum.at(last, node_layer[present], np.flatnonzero(present))
        for i in missing:
            if last[i] >= 0 and result_ops is not None and i not in best:
                result_ops[i] = graph.ops[int(last[i])]
            if last[i] >= 0:
                shape = shapes.inferred_output_shape(graph, int(last[i]), 0, known)
                if shape is not False:
                    found[i] = shape
    return found


def _weight_carriers(graph: Graph) -> np.ndarray:
    """Per node: whether it puts out a variable's value (or a constant's: a frozen graph's weights), the variable
    itself or a read of it (through up to three reads and identities)."""
    columns = graph.columns
    carrier = columns.op_in(roles.VARIABLE_OPS | {"Const"})
    relay = relay_ops(graph)
    nodes = np.flatnonzero(relay)
    sources = columns.inputs_at(nodes, 0)
    for _ in range(3):
        carrier[nodes] |= (sources >= 0) & carrier[np.maximum(sources, 0)]
    return carrier


def _type_layers(
    graph: Graph,
    node_layer: np.ndarray,
    layers: list[tuple[int, Layer]],
    known: dict,
    result_ops: dict[int, str],
    codes: np.ndarray,
    layer_pairs: list[tuple[int, int]],
) -> None:
    """Name each layer's type from its ops (and from what the phase analysis found it to be)."""
    columns = graph.columns
    present = node_layer >= 0
    histogram: dict[int, Counter] = {}
    # One count per (layer, op type) pair in numpy, not one Python step per node; then one Counter per layer.
    kinds = len(columns.op_names)
    pairs, counts = np.unique(
        node_layer[present].astype(np.int64) * kinds + columns.op_ids[present], return_counts=True
    )
    numbers, ops = np.divmod(pairs, kinds)
    cuts = (np.flatnonzero(numbers[1:] != numbers[:-1]) + 1).tolist()
    op_names = columns.op_names
    for start, end in zip([0, *cuts], [*cuts, len(pairs)]):
        if start < end:
            names = [op_names[op] for op in ops[start:end].tolist()]
            histogram[int(numbers[start])] = Counter(dict(zip(names, counts[start:end].tolist())))
    # A model repeats its blocks: the type is named once per distinct signature of what ``layer_type`` reads (the
    # op histogram, the flag's kind, each variable's being a moving statistic and trainable, the output's rank).
    typed: dict[tuple, str] = {}
    for number, layer in layers:
        layer.op_types = histogram.get(number, Counter())
    called_ops = _ops_called_for_layers(graph, node_layer, layers)
    blocks = _blocks(graph, layers, codes)
    fed = _fed_shapes(layers, layer_pairs)
    feeders = Counter(b for a, b in set(layer_pairs))
    resizes = None  # the resize ops, found when a layer resizes
    reshaped = _reshape_input_ranks(graph, node_layer, known)
    pooled = _spatial_means(graph, node_layer)
    maxed = _spatial_means(graph, node_layer, frozenset({"Max"}))
    for number, layer in layers:
        rank = len(layer.output_shape) if isinstance(layer.output_shape, tuple) else -1
        key = (
            tuple(layer.op_types.items()),
            layer.phase_kind,
            tuple(
                (bool(_MOVING_STATISTIC.search(v.variable.name)), v.trainable, v.read_by, v.variable.shape)
                for v in layer.variables
            ),
            rank,
            reshaped.get(number, -1),
            result_ops.get(number),
            pooled.get(number, 0),
            maxed.get(number, 0),
            number in blocks,
            len(fed[number]) if number in fed else -1,
            layer.output_shape[-1] if rank > 0 and layer.output_shape[-1] is not None else -1,
        )
        if number in called_ops:
            key = (*key, tuple(sorted(called_ops[number].items())))
        if key not in typed:
            ops = layer.op_types
            if number in called_ops:  # typed as if the function it calls ran in its own scope
                ops = layer.op_types + called_ops[number]
            typed[key] = layer_type(ops, layer.phase_kind, layer.variables, rank, *key[4:11])
        layer.type = typed[key]
        handed_on = _HANDED_ON.get(layer.type)
        if handed_on and handed_on[1](result_ops.get(number)):
            # What it hands on is its input masked (a Masking's product or selection) or its vectors gathered (an
            # Embedding's), not the mask it computes (which more ops read, ``mask_zero``): else what it is fed.
            found = np.flatnonzero(graph.columns.op_in(handed_on[0]) & (node_layer == number)).tolist()
            shape = shapes.inferred_output_shape(graph, found[-1], 0, known) if found else False
            layer.output_shape = shape if shape is not False else fed.get(number, False)
        if layer.type == "ActivityRegularization":
            layer.output_shape = fed.get(number, False)  # its input, handed on (the layer after it reads that)
        if layer.type == "UpSampling2D":
            if resizes is None:
                resizes = np.flatnonzero(graph.columns.op_in(_RESIZES))
            own = resizes[node_layer[resizes] == number].tolist()
            if len(own) == 1 and _resized_freely(graph, own[0], known, layer.output_shape):
                layer.type = "Resizing"
        if (
            layer.type == "Multiply"
            and feeders.get(number, 0) == 1
            and layer.name not in graph.index
            and _tensors_taken(graph, node_layer, number) == 1
        ):
            # A layer's scope scaling one tensor (``lambda t: t * 2.0``): a Multiply multiplies two or more, which
            # may come from one layer (MobileNetV3's squeeze-and-excite multiplies a layer's output by its gate, a
            # product computed outside any layer). (A lone op, a row of its own, is what it runs.)
            layer.type = "Lambda"
        if layer.type == "StringLookup" and _lookup_keys_are_integers(graph, node_layer, number):
            layer.type = "IntegerLookup"
        if not layer.variables and phase.GRADIENT_COMPONENT.match(layer.name.rpartition("/")[2]):
            # A gradient the model computes (a frozen potential's forces, its energy's gradient): no Keras layer,
            # whatever op its backward pass ends in (DeePMD's ended in a Pad: ``ZeroPadding2D``).
            layer.type = "Gradients"
        if not layer.variables:
            layer.type = lambda_type(layer.name) or layer.type
            if (
                _NUMBERED.sub("", layer.name.rpartition("/")[2]) in _FEATURE_LAYER_NAMES
                and layer.op_types.keys() & {"ConcatV2", "Concat", "Reshape", "Identity"}
                and not layer.op_types.keys() & INPUT_OPS
            ):
                # Each feature column reshaped (and cast, looked up), then concatenated (one column: an identity
                # named ``concat``). (Keras 3 names its input layers ``input_layer``: a placeholder, or its cast.)
                layer.type = "DenseFeatures"
        if not layer.variables:
            named = _NUMBERED.sub("", layer.name.rpartition("/")[2])
            layer.type = _SAME_OPS_BY_NAME.get((layer.type, named), layer.type)
            if _composes_an_activation(layer, named):
                layer.type = "Activation"  # a function of several ops (hard_swish, gelu, swish), typed by one
            elif _composes_a_leaky_relu(layer, named):
                layer.type = "LeakyReLU"
        if layer.type == "Activation":
            layer.type = activation_layer_type(layer.name, layer.op_types)
        elif layer.type == "Identity" and not layer.variables:
            layer.type = _INFERENCE_IDENTITY_NAMES.get(_NUMBERED.sub("", layer.name.rpartition("/")[2]), "Identity")
        elif layer.type == "Mul" and _scales_by_a_vector(layer):
            layer.type = "LayerScale"
        elif layer.type == "Dense" and _looks_up_its_largest_weight(graph, layer, codes):
            layer.type = "Embedding"
        if layer.type == "Weights" and not layer.variables[0].frozen:
            # What leaves a scope of weights computed with elsewhere is a weight or its regulariser's loss, not an
            # output of the layer (TF1 dynamic_rnn's cell, read in its loop; Slim's ``conv1/conv1_1``, whose
            # ``64`` was its bias), and still once it is typed by its readers (a notebook's ``Variable_4``
            # read by a MatMul: its 128×256 is the kernel).
            layer.output_shape, layer.weights_elsewhere = False, True
            layer.type = _type_of_readers(graph, layer.variables, codes) or layer.type
        elif layer.type in ("Weights", "Embedding") and not _computing(layer.op_types) and layer.variables[0].frozen:
            layer.output_shape = False  # what leaves it is a weight, not an output of the layer
        elif layer.type in _AROUND_A_PRODUCT and layer.variables and not layer.variables[0].frozen:
            # Its product computed outside it, the bias and the reshapes inside: a canned Estimator's ``linear``
            # model (guesslang: ``linear//weight`` times a top-level ``matmul``, then ``linear``'s bias and
            # reshape) was a Reshape. Typed by what computes with its weights, its output its own.
            layer.type = _type_of_readers(graph, layer.variables, codes) or layer.type


# A layer typed by one of these ops holding weights computes with none of them itself (what does is elsewhere).
_AROUND_A_PRODUCT = frozenset({"Reshape", "BiasAdd", "Add", "AddV2", "Identity", "Squeeze", "ExpandDims"})


# What a layer computes besides a call that does its work: its bias, and reshapes around it (Keras's grouped
# convolution is a compiled function it calls).
_AROUND_A_CALL = frozenset({"BiasAdd", "Add", "AddV2", "Reshape", "Squeeze", "ExpandDims", "Cast"})


def _ops_called_for_layers(graph: Graph, node_layer: np.ndarray, layers: list[tuple[int, Layer]]) -> dict[int, Counter]:
    """The ops inside the functions a layer calls, for each layer whose work is one call of one op: a call and
    around it at most ``_AROUND_A_CALL`` (a recurrent layer's call among ops of its own is no such layer), the
    functions it names computing one op and calling none (a model wrapped in a layer, called whole, is none)."""
    found: dict[int, Counter] = {}
    for number, layer in layers:
        computing = _computing(layer.op_types)
        calls = computing.keys() & phase.CALL_OPS
        # (A run graph captures the layer's weights as Placeholders in its scope.)
        if sum(computing[op] for op in calls) != 1 or computing.keys() - calls - _AROUND_A_CALL - INPUT_OPS:
            continue
        (call,) = np.flatnonzero(graph.columns.op_in(calls) & (node_layer == number)).tolist()
        try:
            called = [name for _, name in functions.functions_of(graph, graph.node_defs[call])]
        except NodeDefUnreadable:
            continue
        ops = sum((functions.function_ops(graph, name) for name in called), Counter())
        if sum(_computing(ops).values()) == 1 and not ops.keys() & (phase.CALL_OPS | graph.functions.keys()):
            found[number] = ops  # one op compiled alone
    return found


def _resized_freely(graph: Graph, resize: int, known: dict, output) -> bool:
    """Whether a layer resizing images (NHWC) to ``output`` with the op ``resize`` does not upsample them by a whole
    factor on each axis: Keras's Resizing, not its UpSampling2D."""
    source = shapes._input_of(graph, resize, 0)
    fed = shapes.inferred_output_shape(graph, *source, known) if source is not None else False
    if not isinstance(fed, tuple) or not isinstance(output, tuple) or len(fed) != 4 or len(output) != 4:
        return False
    sizes = [(f, o) for f, o in zip(fed[1:3], output[1:3]) if f and o]
    return len(sizes) == 2 and any(o % f or o < f for f, o in sizes)


def _fed_shapes(layers: list[tuple[int, Layer]], pairs) -> dict[int, tuple]:
    """Per layer, the shape of what the layers feeding it put out, where they agree."""
    shapes_of = {i: layer.output_shape for i, layer in layers if isinstance(layer.output_shape, tuple)}
    found: dict[int, set[tuple]] = {}
    for a, b in pairs:
        if a in shapes_of:
            found.setdefault(b, set()).add(shapes_of[a])
    return {b: next(iter(fed)) for b, fed in found.items() if len(fed) == 1}


def _blocks(graph: Graph, layers: list[tuple[int, Layer]], codes: np.ndarray) -> set[int]:
    """The layers (of no layers listed inside them) that are blocks of layers: two scopes inside them or more each
    compute with weights of their own, no other scope's (Hugging Face's ``encoder`` holds ``layer_._0`` and
    ``layer_._1``, each multiplying by its projections). Computing is a product, a convolution or a gather: a
    norm's scale, BatchNorm's moving averages, an embedding's norm make no block; nor do a layer's own ops
    (``dense/MatMul``), nor a weight computed with in several scopes."""
    found = set()
    for number, layer in layers:
        if layer.holds_layers or len(layer.variables) < 2:
            continue
        if sum(n for op, n in layer.op_types.items() if _REWRITTEN.sub("", op) in _COMPUTING_WITH_WEIGHTS) < 2:
            continue  # one product or convolution at most (its ``op_types``): a layer, no block of them
        prefix = layer.name + "/"
        read_in: dict[str, set[int]] = {}  # inner scope -> the weights read there
        computing: set[str] = set()  # the inner scopes that compute with a weight
        for v in layer.variables:
            for scope, op in _weight_uses(graph, v.variable.node, prefix, codes):
                if prefix + scope in graph.index:
                    continue  # an op's own group is the layer's own op
                read_in.setdefault(scope, set()).add(v.variable.node)
                if op in _COMPUTING_WITH_WEIGHTS:
                    computing.add(scope)
        exclusive = 0
        for scope in computing:
            others = set().union(*(w for s, w in read_in.items() if s != scope))
            exclusive += bool(read_in[scope] - others)
        if exclusive >= 2:
            found.add(number)
    return found


def _weight_uses(graph: Graph, node: int, prefix: str, codes: np.ndarray):
    """(inner scope, op type) of each model op inside ``prefix`` that reads the weight ``node``, through its reads
    (``ReadVariableOp``, ``read``, an ``Identity``)."""
    frontier, seen = [node], {node}
    for _ in range(3):
        following = []
        for n in frontier:
            for e in graph.out_edges(n):
                dst = graph.edge_dst[e]
                if dst in seen or graph.edge_control[e] or codes[dst] != roles.MODEL:
                    continue
                seen.add(dst)
                name = graph.names[dst]
                if name.startswith(prefix):
                    yield name[len(prefix) :].partition("/")[0], _REWRITTEN.sub("", graph.ops[dst])
                if graph.ops[dst] in _RELAYS:
                    following.append(dst)
        frontier = following


# Ops that compute with a layer's weight (not a norm's scale or a moving average's update).
_COMPUTING_WITH_WEIGHTS = frozenset(
    {
        "MatMul",
        "BatchMatMulV2",
        "BatchMatMulV3",
        "Einsum",
        "Conv2D",
        "Conv3D",
        "DepthwiseConv2dNative",
        "Conv2DBackpropInput",
        "ResourceGather",
        "GatherV2",
        "Gather",
    }
)


def _looks_up_its_largest_weight(graph: Graph, layer: Layer, codes: np.ndarray) -> bool:
    """BERT's ``embeddings`` gathers rows of its word table and multiplies a one-hot of the token types by their
    2-row table (a ``MatMul``, on TPUs the faster lookup), then adds the positions' rows: an Embedding, not a
    Dense. Its largest weight, by far, is read by a gather alone."""
    if not _GATHERS & layer.op_types.keys() or len(layer.variables) < 2:
        return False
    largest = max(layer.variables, key=lambda v: v.variable.size)
    if largest.frozen or 2 * largest.variable.size <= sum(v.variable.size for v in layer.variables):
        return False
    return _readers_are_gathers(graph, largest, codes)


def _readers_are_gathers(graph: Graph, weight: LayerVariable, codes: np.ndarray) -> bool:
    """Whether every model op computing with ``weight`` (past its reads) gathers from it."""
    relay = relay_ops(graph)
    found = _computing_readers(graph, [weight.variable.node], codes, relay)[weight.variable.node]
    return bool(found) and all(_REWRITTEN.sub("", graph.ops[r]) in _GATHERS for r in found)


def _type_of_readers(graph: Graph, variables: list[LayerVariable], codes: np.ndarray) -> str | None:
    """The type of a layer whose weights are computed with elsewhere, from the ops that read them (through their
    reads): TF1's multi-tower code keeps ``conv1/weights`` at the top and convolves in ``tower_0/conv1`` and
    ``tower_1/conv1``; the layer ``conv1`` is a Conv2D (its gradient's readers aside). None when no reader of the
    model's names a type."""
    readers: set[str] = set()
    frontier = [v.variable.node for v in variables]
    for _ in range(3):  # a variable, its read (``read``, ``ReadVariableOp``), maybe an identity, then the op
        following = []
        for node in frontier:
            for e in graph.out_edges(node):
                consumer = graph.edge_dst[e]
                if graph.edge_control[e] or codes[consumer] != roles.MODEL:
                    continue
                if graph.ops[consumer] in _RELAYS:
                    following.append(consumer)
                    if graph.ops[consumer] in _GATHERS:
                        # A resource variable's gather is its read too (a linear model's categorical column looks
                        # up its weights so: ``education`` in census's canned classifier was ``Weights``).
                        readers.add(graph.ops[consumer])
                else:
                    readers.add(_REWRITTEN.sub("", graph.ops[consumer]))
        frontier = following
    for op_names, name in _TYPE_BY_OP:
        if op_names & readers:
            return name
    return None


def _spatial_means(graph: Graph, node_layer: np.ndarray, ops=frozenset({"Mean"})) -> dict[int, int]:
    """Per layer, the number of spatial axes its ``Mean`` (or another reduction of ``ops``) reduces when they are
    all of them after the batch's (1, or 1 and 2, ...; after the channels' too, for channels first): a global
    average (or max) pooling's."""
    found = {}
    for node in np.flatnonzero(graph.columns.op_in(ops) & (node_layer >= 0)).tolist():
        axes = graph.columns.inputs_at([node], 1)[0]
        values = shapes.const_ints(graph, int(axes)) if axes >= 0 and graph.ops[axes] == "Const" else None
        if values and (values == list(range(1, len(values) + 1)) or values == list(range(2, len(values) + 2))):
            found[int(node_layer[node])] = len(values)
    return found


def _reshape_input_ranks(graph: Graph, node_layer: np.ndarray, known: dict) -> dict[int, int]:
    """Per layer, the rank of what its last Reshape reads, where known (a Flatten reads rank 3 or more)."""
    found = {}
    nodes = np.flatnonzero(graph.columns.op_in({"Reshape"}) & (node_layer >= 0))
    for node in nodes.tolist():
        source = shapes._input_of(graph, node, 0)
        shape = shapes.inferred_output_shape(graph, *source, known) if source is not None else False
        if isinstance(shape, tuple):
            found[int(node_layer[node])] = len(shape)
    return found


def activation_layer_type(name: str, ops: Counter) -> str:
    """The Keras class of a layer typed ``Activation`` (one activation op): the class whose default name the
    layer has (``re_lu_2`` is a ReLU), else the class of an op only such a layer runs, else ``Activation``."""
    activation = next((_REWRITTEN.sub("", op) for op in ops if _REWRITTEN.sub("", op) in _ACTIVATIONS), None)
    default = _ACTIVATION_LAYER_NAMES.get(_NUMBERED.sub("", name.rpartition("/")[2]))
    if default is not None and activation in default[1]:
        return default[0]
    return _ACTIVATION_LAYER_OPS.get(activation, "Activation")


def layer_type(
    ops: Counter,
    phase_kind: str | None,
    variables: list[LayerVariable],
    output_rank: int = -1,
    input_rank: int = -1,
    result_op: str | None = None,
    spatial_mean: int = 0,
    spatial_max: int = 0,
    block: bool = False,
    fed_rank: int = -1,
    units: int = -1,
) -> str:
    """A layer's type from its op histogram (op name -> count); with no known type, the op that puts out its
    result (else its most frequent op) that computes. Never ``Const`` when the layer computes: a frozen weight
    is what a layer computes with, not what it is. ``block``: its weights are those of layers inside it
    (``_blocks``). ``fed_rank``: the rank of what the layers feeding it put out, -1 if not known. ``units``: the
    last dimension of what it puts out, -1 if not known."""
    # Grappler's and oneDNN's rewrites of an optimised graph (``_FusedConv2D``, ``_MklMatMul``) name the same ops.
    ops = Counter({_REWRITTEN.sub("", op): n for op, n in ops.items()})
    if phase_kind == phase.BATCH_NORMALIZATION or (phase_kind == phase.DROPOUT and not variables):
        return phase_kind  # a layer with weights that drops units (an LSTM's dropout) is no Dropout layer
    if block and not _recurrent_by_kernel(variables, bool(ops.keys() & phase.CALL_OPS), units=units):
        # A custom layer of layers (a transformer's encoder of blocks): the graph does not name its class, and
        # the type of one of the layers inside it is not its type.
        return CUSTOM_LAYER
    if any(_MOVING_STATISTIC.search(v.variable.name) for v in variables):
        return "BatchNormalization"
    if _fused_norm(ops) and "Fill" in ops and variables and all(v.trainable for v in variables):
        # tf_keras's LayerNormalization runs a fused batch norm over its input reshaped, of scale ones and offset
        # zeros it fills, then applies its own: no statistics kept.
        return "LayerNormalization"
    # A graph traced in one phase has no flag to say so; a tf.function's variables are named after their reads.
    if "Rsqrt" in ops and any(not v.trainable for v in variables):
        return "BatchNormalization"  # normalises with statistics the layer updates itself (moving mean, variance)
    if variables and {"Rsqrt", "SquaredDifference"} <= ops.keys() and ops["Reshape"] >= 4 and not _fused_norm(ops):
        # The channels reshaped into groups, each group normalised, reshaped back (and the scale and offset
        # reshaped to broadcast, as a LayerNormalization's are: two reshapes of its own).
        return "GroupNormalization"
    if "Rsqrt" in ops and "Mean" in ops and variables and not ops.keys() & _NOT_NORMALISING:
        return "LayerNormalization"  # normalises with the statistics of each input, no statistics kept
    # (A recurrent cell's loop that drops its outputs, TF1's DropoutWrapper, is the recurrent layer, not a dropout.)
    unrolled_cell = _RECURRENT <= ops.keys() and ops.keys() & _GATE_SPLITS and ops.keys() & {"MatMul", "BiasAdd"}
    if (
        ("GreaterEqual" in ops or "Floor" in ops)
        and ops.keys() & _RANDOM_UNIFORM
        and not variables
        and not unrolled_cell
    ):
        # Keeps each input where a uniform draw passes the rate (TF 1.x: floor(keep_prob + uniform) is the mask).
        # AlphaDropout sets the others to a value and scales and shifts the whole: its result is a sum.
        return "AlphaDropout" if result_op in _ADDS else "Dropout"
    if ops.keys() & _RANDOM_NORMAL and not variables and _computing(ops).keys() <= _NOISING:
        # A normal draw added to the input (GaussianNoise), or multiplying it (GaussianDropout, a draw around 1).
        if result_op in _ADDS or result_op == "Mul":
            return "GaussianNoise" if result_op in _ADDS else "GaussianDropout"
    recurrent = _recurrent_by_kernel(
        variables, bool(ops.keys() & phase.CALL_OPS), bool(ops.keys() & _LOOPS), units=units
    )
    if recurrent:
        return recurrent
    if _RECURRENT <= ops.keys() and ops.keys() & _GATE_SPLITS and ops.keys() & {"MatMul", "BiasAdd"}:
        # A recurrent cell, unrolled: gates split from one matmul. An LSTM's are three sigmoids to two tanhs per
        # step (input, forget, output gates; the candidate and the cell's output).
        # A GRU's are two sigmoids to one tanh (update and reset gates; the candidate).
        if ops["Sigmoid"] >= 2 * ops["Tanh"]:
            return "GRU"
        return "LSTM" if 2 * ops["Sigmoid"] >= 3 * ops["Tanh"] else "RNN"
    tiles = ops.get("Tile", 0)
    if not variables and tiles > 1 and output_rank == tiles + 2 and _computing(ops).keys() <= _REPEATING:
        # Keras 3 repeats each spatial axis (a tile each, the shape computed); one axis is ambiguous (RepeatVector).
        return f"UpSampling{tiles}D"
    if "DepthwiseConv2dNative" in ops and "Conv2D" in ops:
        # A depthwise convolution, then a pointwise one; a 1-D one on an axis it adds and squeezes away.
        one_dimensional = {"ExpandDims", "Squeeze"} <= ops.keys() and output_rank in (-1, 3)
        return "SeparableConv1D" if one_dimensional else "SeparableConv2D"
    if len(variables) <= 1 and _is_additive_attention(_computing(ops), variables):
        return "AdditiveAttention"
    if _normalises_its_spectrum(ops, variables):
        return "SpectralNormalization"
    if {"ExpandDims", "Squeeze"} <= ops.keys() and output_rank in (-1, 3):
        # Keras runs a 1-D convolution or pooling as a 2-D one on an axis it adds, then squeezes it away: one of
        # them, putting out (batch, steps, channels).
        for op_names, name in _ONE_DIMENSIONAL:
            if sum(ops[op] for op in op_names) == 1:
                return name
    if _unrolled_over_steps(_computing(ops)):
        return "TimeDistributed"
    preprocessing = _preprocessing_type(_computing(ops)) if not any(v.trainable for v in variables) else None
    if preprocessing:
        return preprocessing
    weightless = _weightless_layer_type(_computing(ops), output_rank, fed_rank) if not variables else None
    if weightless:
        return weightless
    if variables and ops.keys() & _GATHERS and ops.keys() & (_STITCHES | _SPARSE_SEGMENTS):
        # A lookup in a partitioned table (TF1's embedding_lookup of parts): the ids split by part, each part
        # gathered from, the rows stitched back in order; its one concat computes the result's shape. Or a sparse
        # lookup (``embedding_lookup_sparse``: a linear model's categorical column), its rows summed by id.
        return "Embedding"
    for op_names, name in _TYPE_BY_OP:
        if op_names & ops.keys():
            if name in ("Dense", "EinsumDense") and not variables:
                continue
            if name == "Dense" and "MatMul" in ops and any(_pointwise_kernel(v.variable.shape) for v in variables):
                # A width-1 convolution's kernel (1, in, out) reshaped to a matrix for a product: GPT-2's ``conv1d``,
                # which Keras writes Conv1D(kernel_size=1).
                return "Conv1D"
            if name == "Dense" and any(len(v.variable.shape or ()) > 2 for v in variables):
                return "EinsumDense"  # a kernel of three axes or more (multi-head attention's projections)
            if name == "Dense" and "MatMul" not in ops and not any(v.frozen for v in variables):
                # Keras's Dense multiplies by its kernel with MatMul (a batch of sequences reshaped to rows); Keras
                # 3 runs an EinsumDense's equation as a batched product.
                return "EinsumDense"
            if name == "ZeroPadding2D":
                return _PADDINGS.get(output_rank, name)  # pads each spatial axis: 1, 2 or 3 of them
            return name
    if not ops:
        return ""
    if ops.keys() <= INPUT_OPS or (ops.keys() & _DEQUEUES and ops.keys() <= _DEQUEUES | {"Const"}):
        return "InputLayer"  # a placeholder, or a TF1 input queue's batch taken (numpy_input_fn's DequeueMany)
    computing = _computing(ops)
    if variables and computing.keys() - _REGULARIZING == set() and (not computing or "L2Loss" in computing):
        # Weights only, computed with elsewhere (a TF1 variable scope): a frozen embedding's table is gathered from.
        read = set().union(*(v.read_by for v in variables))
        return "Embedding" if read and read <= _GATHERS else "Weights"
    if spatial_mean and not variables and computing.keys() <= {"Mean", "Cast"}:
        return f"GlobalAveragePooling{spatial_mean}D"  # averages every spatial position of each channel
    if spatial_max and not variables and computing.keys() <= {"Max", "Cast"}:
        return f"GlobalMaxPooling{spatial_max}D"  # the largest value of each channel over every position
    if not variables and computing.keys() == {"StridedSlice"} and output_rank in _CROPPINGS:
        return _CROPPINGS[output_rank]  # a slice of every spatial axis, the batch and the channels kept
    if not variables and computing.keys() & _RESIZES:
        return "UpSampling2D"  # tf_keras resizes (nearest or bilinear); Keras 3 repeats (above)
    if not any(v.trainable for v in variables) and {"Sub", "RealDiv"} <= computing.keys() <= _STANDARDIZING:
        # (x - mean) / sqrt(variance): Keras's Normalization, its statistics adapted before training (Keras 3
        # makes them constants; tf_keras keeps them in variables no step writes).
        return "Normalization"
    if not variables and "Mul" in computing and computing.keys() & _ADDS and computing.keys() <= _RESCALING:
        return "Rescaling"  # x * scale + offset: Keras's Rescaling (its inputs cast first), offset 0 or not
    if len(variables) == 1 and _PRELU <= computing.keys() - INPUT_OPS <= _PRELU | _ADDS | {"Sub"}:
        return "PReLU"  # (a function's run graph captures the weight's handle as a Placeholder)
    if ops.keys() & _ADDS and not variables:
        return "Add"
    if not variables and computing.keys() == {"Mul"}:
        return "Multiply"  # Keras's Multiply (a squeeze-and-excitation block's excite), or a lone product
    if ops.keys() & _ACTIVATIONS and len(ops) <= 2:
        return "Activation"
    if (
        not variables
        and len(computing.keys() & _ACTIVATIONS) == 1
        and computing.keys() - _ACTIVATIONS <= {"Reshape", "Shape"}
        and computing["Reshape"] == 2
        and fed_rank in (-1, output_rank)
    ):
        return "Activation"  # Slim's softmax: the input's rows taken for the op, its result shaped back as the input
    if not variables and "Sigmoid" in ops and computing.keys() <= {"Sigmoid", "Mul", "IdentityN"}:
        return "Activation"  # swish, x * sigmoid(beta * x), Keras 3's with its custom gradient's IdentityN
    if "Reshape" in ops:
        # Keras 2's Flatten reshapes to [-1, prod(shape(x)[1:])], computed in the graph; else a reshape to rank 2
        # of a tensor of higher rank (a reshape that keeps rank 2, as of an RNN's outputs, is no flatten).
        flatten = _KERAS_FLATTEN <= ops.keys() or (output_rank == 2 and input_rank > 2)
        return "Flatten" if flatten else "Reshape"
    if result_op is not None and _REWRITTEN.sub("", result_op) in computing:
        fallback = _REWRITTEN.sub("", result_op)
    else:
        fallback = (computing or ops).most_common(1)[0][0]
    # A layer whose result a function call puts out runs a function of the library (a loaded SavedModel: Keras's
    # TFSMLayer, TF Hub's KerasLayer): a layer whose class the graph does not name, not the call op.
    return CUSTOM_LAYER if fallback in phase.CALL_OPS else fallback


# Ops a normalisation does not run: a layer running them normalises on the way (an embedding's norm) at most.
_NOT_NORMALISING = frozenset(
    {"MatMul", "BatchMatMulV2", "BatchMatMulV3", "Einsum", "Conv2D", "ResourceGather", "GatherV2", "Softmax"}
)
_ONE_DIMENSIONAL = (
    ({"Conv2D"}, "Conv1D"),
    ({"MaxPool", "MaxPoolV2"}, "MaxPooling1D"),
    ({"AvgPool"}, "AveragePooling1D"),
    ({"Conv2DBackpropInput"}, "Conv1DTranspose"),
    ({"DepthwiseConv2dNative"}, "DepthwiseConv1D"),
)
_CROPPINGS = {3: "Cropping1D", 4: "Cropping2D", 5: "Cropping3D"}
_MASKED = frozenset({"Mul", "SelectV2", "Select"})  # a Masking layer's output: its input, masked
_PADDINGS = {3: "ZeroPadding1D", 4: "ZeroPadding2D", 5: "ZeroPadding3D"}
_UPSAMPLINGS = {3: "UpSampling1D", 4: "UpSampling2D", 5: "UpSampling3D"}
_RESIZES = frozenset({"ResizeNearestNeighbor", "ResizeBilinear", "ResizeBicubic"})
_REPEATING = frozenset({"Tile", "ExpandDims", "Reshape", "Pack", "ConcatV2", "StridedSlice", "Mul", "Cast", "Shape"})
_NOT_COMPUTING = frozenset({"Const", "Identity", "Snapshot", "NoOp"}) | roles.VARIABLE_OPS | roles.READ_OPS
# A weight's L2 penalty (``scale * l2_loss(w)``, TF-Slim's and tf.layers' regularizers): computed from weights only.
_REGULARIZING = frozenset({"L2Loss", "Mul"})
_GATHERS = frozenset({"Gather", "GatherV2", "ResourceGather"})
_SPARSE_SEGMENTS = frozenset({"SparseSegmentSum", "SparseSegmentMean", "SparseSegmentSqrtN"})
_STITCHES = frozenset({"DynamicStitch", "ParallelDynamicStitch"})
# The layers that also hand on a mask: (the ops putting out what they hand on, whether the op found to put out
# their result is not it). An Embedding's mask (``mask_zero``) compares its input with 0.
_HANDED_ON = {
    "Masking": (_MASKED, lambda op: op not in _MASKED),
    "Embedding": (_GATHERS, lambda op: op == "NotEqual"),
}
_RECURRENT = frozenset({"Sigmoid", "Tanh", "Mul"})
_GATE_SPLITS = frozenset({"Split", "SplitV"})
_KERAS_FLATTEN = frozenset({"Shape", "StridedSlice", "Prod", "Pack", "Reshape"})
_STANDARDIZING = frozenset({"Sub", "RealDiv", "Sqrt", "Maximum", "Cast", "Reshape"})
_RESCALING = frozenset({"Mul", "AddV2", "Add", "Cast"})


_GATES = {4: "LSTM", 3: "GRU", 1: "SimpleRNN"}
_LOOPS = frozenset({"While", "StatelessWhile"})
_MATMULS = frozenset({"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"})
_AVERAGING = frozenset({"Add", "AddV2", "AddN", "RealDiv"})
# An activity penalty: l1 * sum(|x|) + l2 * sum(x^2), over the batch's size (Keras 3 divides by it).
_PENALISING = frozenset({"Abs", "Square", "Sum", "Mul", "Add", "AddV2", "AddN", "DivNoNan", "RealDiv", "Cast"}) | {
    "StridedSlice",
    "Shape",
    "Size",
}


def _pointwise_kernel(shape) -> bool:
    return shape is not None and len(shape) == 3 and shape[0] == 1 and all(isinstance(d, int) for d in shape)


def _normalises_its_spectrum(ops: Counter, variables: list[LayerVariable]) -> bool:
    """SpectralNormalization: while training, a call (a ``cond``) runs a power iteration on the wrapped layer's
    kernel and the layer writes both back, the kernel divided by its largest singular value and the iteration's
    vector (1 x units, no weight trained) kept for the next step."""
    vector = any(not v.trainable and len(v.variable.shape or ()) == 2 and v.variable.shape[0] == 1 for v in variables)
    kernel = any(v.trainable and len(v.variable.shape or ()) >= 2 for v in variables)
    return vector and kernel and ops["AssignVariableOp"] >= 2 and bool(ops.keys() & phase.CALL_OPS)


def _is_additive_attention(computing: Counter, variables: list[LayerVariable]) -> bool:
    """Bahdanau's attention: the scores the sum of tanh(query + key) (times a scale, its one weight unless
    ``use_scale=False``), their softmax, one product with the values."""
    products = sum(computing[op] for op in computing.keys() & _MATMULS)
    scale = all(len(v.variable.shape or ()) <= 1 for v in variables)
    ops = computing.keys() - INPUT_OPS  # (a function's run graph captures the scale's handle as a Placeholder)
    return products == 1 and scale and {"Tanh", "Softmax", "Sum"} <= ops <= _ADDITIVE_ATTENDING


_ADDITIVE_ATTENDING = _MATMULS | {"Tanh", "Softmax", "Sum", "Mul", "Add", "AddV2", "ExpandDims", "Cast"}


def _fused_norm(ops: Counter) -> bool:
    return any(op.startswith("FusedBatchNorm") for op in ops)


_LOOKUPS = frozenset({"LookupTableFindV2", "LookupTableFind"})
_TEXT_SPLITTING = frozenset(
    {"StringSplitV2", "StringSplit", "StaticRegexReplace", "RegexReplace", "StringLower", "StringNGrams"}
)
# Keras 3's CategoryEncoding: its input reshaped, cast, one-hot encoded (summed or maxed for multi-hot or counts).
_ONE_HOT_ENCODING = frozenset({"OneHot", "Reshape", "Cast", "Shape", "StridedSlice", "Pack", "Max", "Sum", "Squeeze"})
_HASHES = frozenset({"StringToHashBucketFast", "StringToHashBucketStrong", "StringToHashBucket"})
_BINCOUNTS = frozenset({"DenseBincount", "Bincount", "SparseBincount", "RaggedBincount"})


_STEPPING = frozenset({"Pack", "Transpose", "StridedSlice"})


def _unrolled_over_steps(computing: Counter) -> bool:
    """Keras 3's TimeDistributed: the time axis brought first, a slice per step, the wrapped layer's ops run on
    each (as often as there are slices), the results stacked and the axis put back."""
    steps = computing["StridedSlice"]
    inner = [n for op, n in computing.items() if op not in _STEPPING]
    return (
        "Pack" in computing
        and computing["Transpose"] >= 2
        and steps >= 2
        and bool(inner)
        and all(n % steps == 0 for n in inner)
    )


def _type_wrappers(graph: Graph, tree, layers: list[tuple[int, Layer]], holding: set, node_layer) -> None:
    """tf_keras's TimeDistributed: the wrapped layer is a scope of its own inside it (``td/conv2d``), and all the
    wrapper itself runs is the reshapes folding the time axis into the batch and out again."""
    single = {layer.name: i for i, layer in layers if i not in holding and tree.is_group(layer.name)}
    inner: dict[str, list[str]] = {}
    for group, parent in tree.group_parent.items():  # one pass over the groups: each layer's scopes not an op's
        if parent in single and group not in graph.index:
            inner.setdefault(parent, []).append(group)
    wrapped = {single[name]: groups[0] + "/" for name, groups in inner.items() if len(groups) == 1}
    if not wrapped:
        return
    # What each of those layers runs outside its one inner scope, read off its own ops (no children lists built).
    own: dict[int, Counter] = {number: Counter() for number in wrapped}
    for n in np.flatnonzero(np.isin(node_layer, list(wrapped))).tolist():
        number = int(node_layer[n])
        if not graph.names[n].startswith(wrapped[number]):
            own[number][graph.ops[n]] += 1
    by_number = dict(layers)
    for number, ops in own.items():
        computing = _computing(ops)
        if (
            computing["Reshape"] >= 2
            and computing.keys() <= _FOLDING_TIME
            and sum(ops.values()) < by_number[number].ops
        ):
            by_number[number].type = "TimeDistributed"


_FOLDING_TIME = frozenset({"Reshape", "Shape", "StridedSlice", "Pack", "Prod", "ConcatV2", "Cast"})


def _preprocessing_type(computing: Counter) -> str | None:
    """Keras's preprocessing layers, each by the op only it runs: a lookup in a table of the vocabulary it adapted
    (``StringLookup``, made ``IntegerLookup`` by the keys' type later; ``TextVectorization`` when it splits and
    standardises text first), a hash, buckets of boundaries, counts of each token or its one-hot encoding
    (which a lookup layer may do itself)."""
    if computing.keys() & (_COMPUTING_WITH_WEIGHTS | _ACTIVATIONS):
        return None  # a layer of a network that encodes on the way (IMPALA's unroll, one-hot actions inside)
    if computing.keys() & _LOOKUPS:
        return "TextVectorization" if computing.keys() & _TEXT_SPLITTING else "StringLookup"
    if computing.keys() & _HASHES:
        return "Hashing"
    if "Bucketize" in computing:
        return "Discretization"
    if computing.keys() & _BINCOUNTS or ("OneHot" in computing and computing.keys() <= _ONE_HOT_ENCODING):
        return "CategoryEncoding"
    return None


def _lookup_keys_are_integers(graph: Graph, node_layer: np.ndarray, number: int) -> bool:
    """Whether the table lookups of the layer ``number`` take integer keys (Keras's IntegerLookup)."""
    lookups = np.flatnonzero(graph.columns.op_in(_LOOKUPS) & (node_layer == number)).tolist()
    for node in lookups:
        try:
            attr = graph.node_defs[node].attr
        except Exception:  # noqa: BLE001 - an unreadable definition says nothing of the keys
            continue
        if "Tin" in attr and shapes.dtype_name(attr["Tin"].type).startswith("int"):
            return True
    return False


# The layer turning feature columns into one dense tensor: Keras's DenseFeatures (``dense_features``), TF1's
# ``tf.feature_column.input_layer`` (``input_layer``), as a canned Estimator calls it (``input_from_feature_columns``).
_FEATURE_LAYER_NAMES = frozenset({"dense_features", "input_layer", "input_from_feature_columns"})
# tf_keras wraps a TensorFlow function called on a Keras tensor in a layer named after it (``tf.math.add``,
# ``tf.__operators__.getitem`` for a slice): its class is TFOpLambda, a slice's SlicingOpLambda.
_OP_LAMBDA = re.compile(r"^tf\.[\w.]+$")


def lambda_type(name: str) -> str | None:
    """A layer running a Python function, by the name Keras gives it: a Lambda layer is ``lambda`` (``lambda_2``),
    whatever its ops (a ``Mul`` alone would make it a Multiply); tf_keras's wrapped TensorFlow functions above."""
    leaf = _NUMBERED.sub("", name.rpartition("/")[2])
    if leaf == "lambda":
        return "Lambda"
    if not _OP_LAMBDA.match(leaf):
        return None
    return "SlicingOpLambda" if leaf == "tf.__operators__.getitem" else "TFOpLambda"


def _weightless_layer_type(computing: Counter, output_rank: int, fed_rank: int = -1) -> str | None:
    """Keras's merging and reshaping layers without weights, by the ops they run alone: ``Subtract`` (a
    subtraction), ``Average`` (a sum divided), ``Permute`` (a transpose), ``Dot`` of two vectors (each given an
    axis, multiplied, the axis squeezed away), ``Attention`` (the scores' softmax between two products),
    ``RepeatVector`` (an axis added to a rank-2 input, tiled; Keras 3's UpSampling1D of a rank-3 input runs the
    same), ``Masking`` (the steps whose features all equal the mask value), ``UnitNormalization`` (x over its L2
    norm), tf_keras's ``UpSampling1D``/``3D`` (each axis split and each slice repeated), ``RandomFlip`` (a draw
    deciding each image's reversal), tf_keras's ``CenterCrop``."""
    ops = computing.keys()
    if {"NotEqual", "Any"} <= ops:
        return "Masking"
    if {"Square", "Sum", "Rsqrt"} <= ops <= {"Square", "Sum", "Maximum", "Minimum", "Rsqrt", "Mul"}:
        return "UnitNormalization"
    if {"GreaterEqual", "All", "StridedSlice"} <= ops and ops & phase.CALL_OPS:
        return "CenterCrop"  # tf_keras's: cropped when the image is large enough, else resized (in a cond)
    if ops == {"Split", "ConcatV2"} and output_rank in _UPSAMPLINGS:
        return _UPSAMPLINGS[output_rank]
    if "ReverseV2" in ops and ops & _RANDOM_DRAWS:
        return "RandomFlip"
    if ops == {"Sub"}:
        return "Subtract"
    if ops & {"Abs", "Square"} and "Sum" in ops and ops <= _PENALISING:
        return "ActivityRegularization"  # a penalty on its input for the loss; its input goes on unchanged
    if "RealDiv" in ops and ops & _ADDS and ops <= _AVERAGING:
        return "Average"
    if ops == {"Transpose"}:
        return "Permute"
    products = sum(computing[op] for op in ops & _MATMULS)
    if products == 1 and {"ExpandDims", "Squeeze"} <= ops <= _MATMULS | {"ExpandDims", "Squeeze"}:
        return "Dot"
    if products == 2 and "Softmax" in ops and ops <= _MATMULS | {"Softmax", "Transpose"}:
        return "Attention"
    if computing["Tile"] == 1 and "ExpandDims" in ops and output_rank == 3 and ops <= _REPEATING:
        return "UpSampling1D" if fed_rank == 3 else "RepeatVector"
    return None


def _recurrent_by_kernel(
    variables: list[LayerVariable], calls: bool, loops: bool = False, units: int = -1
) -> str | None:
    """A recurrent layer named by its recurrent kernel, units x (gates x units): four gates an LSTM, three a GRU,
    one a SimpleRNN. The kernel is Keras's ``recurrent_kernel``; where the layer ``calls`` a function that runs
    its cell (tf_keras's run graph picks the cuDNN or the standard kernel in a call: the scope shows neither's
    ops, and a function graph names its variables after their reads), or ``loops`` over the steps, it is the
    square-by-gates one of the three weights a recurrent layer holds (kernel, recurrent kernel, bias of gates x
    units). A convolutional one (ConvLSTM2D) has a recurrent kernel of filters x (4 x filters) channels. The input
    kernel, inputs x (gates x units), may look square-by-gates too (8 inputs to an LSTM of 6 units: 8 x 24, three
    "gates" of 8): where the layer's output says how many units, the recurrent kernel is the one of that many rows."""
    shapes_of = [v.variable.shape for v in variables if v.variable.shape]
    found: set[str] = set()
    for v in variables:
        shape = v.variable.shape
        named = v.variable.name.endswith("recurrent_kernel")
        if not (named or calls or loops) or not shape or not all(shape):
            continue
        if len(shape) >= 3 and loops and len(shapes_of) == 3 and shape[-1] == 4 * shape[-2]:
            if all(other[-1] == shape[-1] for other in shapes_of) and len(shape) - 2 in (1, 2, 3):
                return f"ConvLSTM{len(shape) - 2}D"
        if len(shape) != 2:
            continue
        gates, rest = divmod(shape[1], shape[0])
        if rest or gates not in _GATES or (not named and ((gates == 1 and not loops) or len(shapes_of) != 3)):
            continue
        if not named and units > 0 and shape[0] != units:
            continue
        if named:
            return _GATES[gates]
        if all(other[-1] == shape[1] for other in shapes_of):
            found.add(_GATES[gates])
    if len(found) > 1 and "GRU" in found:
        # Keras's GRU keeps two biases (a bias of 2 x (3 x units)); with one, the three "gates" are the input
        # kernel's look.
        if any(len(other) == 2 and other[0] == 2 for other in shapes_of):
            return "GRU"
        found.discard("GRU")
    if len(found) > 1:
        return "RNN"  # recurrent, its cell not told by the shapes alone (Keras's base class)
    return found.pop() if found else None


def _computing(ops: Counter) -> Counter:
    """The ops of a histogram that compute: not constants, variables, their reads and identities."""
    return Counter({op: n for op, n in ops.items() if op not in _NOT_COMPUTING})


# A frozen graph's weights are constants that the ops computing with weights read (through ``/read`` identities):
# op -> the input positions that take a weight, and whether each is trained (BatchNorm's moving mean and variance
# are not). Any other constant (a shape, an axis, an epsilon) is no parameter.
_WEIGHT_INPUTS = {
    "MatMul": {0: True, 1: True},
    "BatchMatMul": {0: True, 1: True},
    "BatchMatMulV2": {0: True, 1: True},
    "Conv2D": {1: True},
    "Conv3D": {1: True},
    "Conv1D": {1: True},
    "DepthwiseConv2dNative": {1: True},
    "Conv2DBackpropInput": {1: True},
    "BiasAdd": {1: True},
    "Gather": {0: True},
    "GatherV2": {0: True},
    "ResourceGather": {0: True},
    "FusedBatchNorm": {1: True, 2: True, 3: False, 4: False},
    "FusedBatchNormV2": {1: True, 2: True, 3: False, 4: False},
    "FusedBatchNormV3": {1: True, 2: True, 3: False, 4: False},
}
# A bias added by a plain Add after a weighted op (``tf.matmul(x, w) + b``): counted when the other input is one.
_WEIGHTED = frozenset(_WEIGHT_INPUTS) - {"BiasAdd", "Gather", "GatherV2", "ResourceGather"}
# What passes a constant on unchanged: a read's identity, a cond's switch, a loop's enter.
_CONST_RELAYS = frozenset({"Identity", "Snapshot", "Switch", "RefSwitch", "Enter", "RefEnter"})


def is_frozen(analysis) -> bool:
    """A graph whose weights were frozen into constants: it holds no variable at all."""
    return not analysis.roles.variables


def frozen_weights(analysis) -> dict[int, LayerVariable]:
    """A frozen graph's weights: each model ``Const`` that an op computing with weights reads at a weight's
    input (directly or through identities), with its tensor's shape read from its ``value`` attribute (parsed
    for those constants only). Empty for a graph that holds variables: there a constant is no parameter (a fixed
    filter, an anchor table). Memoised per analysis; the summary and the boxes both count these."""

    def parse() -> dict[int, LayerVariable]:
        weights = {}
        found = frozen_weight_nodes(analysis)
        sizes = shapes.constants(analysis.graph, list(found))
        for node, (trained, read_by) in found.items():
            variable = sizes.get(node)
            if variable is None or (variable.shape is not None and len(variable.shape) == 0):
                continue  # a scalar (a scale, an epsilon) is no layer's weight
            weights[node] = LayerVariable(variable, trained, True, frozenset(read_by))
        return weights

    return analysis.memo(("frozen_weights",), parse)


def frozen_weight_nodes(analysis) -> dict[int, tuple[bool, set]]:
    """The constants ``frozen_weights`` reads, found over the edges in numpy, no attribute parsed: node ->
    (trained, its readers' op types)."""
    return analysis.memo(("frozen_weight_nodes",), lambda: _frozen_weight_nodes(analysis))


def _frozen_weight_nodes(analysis) -> dict[int, tuple[bool, set]]:
    if not is_frozen(analysis):
        return {}
    graph: Graph = analysis.graph
    columns = graph.columns
    if len(columns.src) == 0:
        return {}
    codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)
    src, dst, position = columns.src, columns.dst, columns.position
    data = columns.data & (src >= 0)
    is_const = columns.op_in({"Const"}) & (codes == roles.MODEL)
    if not is_const.any():
        return {}
    # Each identity's constant, if it passes one on: as many passes as the chains of identities are long.
    origin = np.where(is_const, np.arange(graph.node_count), -1)
    relay = data & columns.op_in(_CONST_RELAYS)[dst] & (position == 0)
    relay_src, relay_dst = src[relay], dst[relay]
    while True:
        more = (origin[relay_src] >= 0) & (origin[relay_dst] < 0)
        if not more.any():
            break
        origin[relay_dst[more]] = origin[relay_src[more]]
    from_const = data & (origin[np.maximum(src, 0)] >= 0)
    readers = from_const & columns.op_in(frozenset(_WEIGHT_INPUTS) | _ADDS)[dst]
    # Per node, counted over all edges at once: its data inputs, those from constants, those from a weighted op.
    weighted = columns.op_in(_WEIGHTED)
    count = graph.node_count
    inputs = np.bincount(dst[data], minlength=count)
    constant_inputs = np.bincount(dst[from_const], minlength=count)
    after_weighted = np.bincount(dst[data & ~from_const & weighted[np.maximum(src, 0)]], minlength=count) > 0
    found: dict[int, bool] = {}
    read_by: dict[int, set] = {}
    edges = np.flatnonzero(readers)
    ops = graph.ops
    for reader, at, const in zip(dst[edges].tolist(), position[edges].tolist(), origin[src[edges]].tolist()):
        op = ops[reader]
        if op in _ADDS:
            if not after_weighted[reader]:  # a bias is added to what a weighted op computed
                continue
            trained = True
        else:
            trained = _WEIGHT_INPUTS[op].get(at)
            if trained is None:
                continue
            if op in _MATMULS and constant_inputs[reader] >= inputs[reader]:
                continue  # both inputs constant: a computation folded into constants, not a layer's weight
        found[const] = found.get(const, False) or trained
        read_by.setdefault(const, set()).add(op)
    # A variable that freezing turned into a constant keeps its ``<name>/read`` identity: a weight whatever op
    # computes with it (a LayerNorm's gamma read by a Mul, a residual scale), trained unless read as a statistic.
    names = graph.names
    direct = relay & is_const[np.maximum(src, 0)]
    for edge in np.flatnonzero(direct).tolist():
        const, reader = int(src[edge]), int(dst[edge])
        if const not in found and names[reader] == names[const] + "/read":
            found[const] = True
            read_by.setdefault(const, set())
    return {node: (trained, read_by[node]) for node, trained in found.items()}
