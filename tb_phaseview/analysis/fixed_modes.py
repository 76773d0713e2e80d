"""Which mode a graph without a learning-phase flag runs its BatchNorm and Dropout layers in.

Without a flag, the mode was fixed when the graph was built (TF1's ``training=True`` passed as a Python value,
TF2's ``model(x, training=True)`` traced into ``fit``'s step, a frozen graph for inference): every BatchNorm layer
normalises with each batch's own statistics or with its moving averages, every Dropout layer drops units or passes
its input through, and nothing switches them. That is the answer the first screen gives for such a graph.

Pure: names, op types and a boolean attribute, no TensorBoard import. Only the model's ops count (a gradient of a
batch norm is no layer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tb_phaseview.analysis import roles, torch_layers
from tb_phaseview.analysis.graph_model import Graph, NodeDefUnreadable

# ``is_training`` defaults to true in each of them (its default is not written into the NodeDef when set so).
_FUSED_BATCH_NORMS = frozenset({"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
# tf.nn.moments computes a batch's mean and variance in ``<scope>/moments``: a batch norm normalising by them trains.
_MOMENTS = "/moments/"
# A batch norm layer's scope (Keras's ``batch_normalization_3``, Slim's ``BatchNorm``), not the ``batchnorm`` scope
# tf.nn.batch_normalization makes for its own ops (a LayerNorm computes in one too).
_BATCH_NORM_SCOPE = re.compile(r"^(?!batchnorm$)(?i:batch_?norm(?:alization)?)(?:_\d+)?$")
_DROPOUT_SCOPE = re.compile(r"dropout(?:_\d+)?$", re.IGNORECASE)
# PyTorch's ``add_graph`` traces each call with its mode as a constant argument (``prim::Constant``, its value
# written ``{ value : 0}``): a batch norm's ``training``, a dropout's ``train``, by position.
_TORCH_BATCH_NORMS = {"aten::batch_norm": 5}
# A module's scope ends in its class and attribute (``SmallNet/BatchNorm2d[bn]``): its calls are one layer. A
# functional call (``F.dropout(x, training=True)``) is in its caller's scope, each call a layer of its own.
_TORCH_MODULE = {
    "aten::batch_norm": re.compile(r"BatchNorm\w*\[[^\]/]*\]$"),
    **dict.fromkeys(
        (
            "aten::dropout",
            "aten::dropout_",
            "aten::feature_dropout",
            "aten::feature_dropout_",
            "aten::alpha_dropout",
            "aten::alpha_dropout_",
            "aten::feature_alpha_dropout",
            "aten::feature_alpha_dropout_",
        ),
        re.compile(r"Dropout\w*\[[^\]/]*\]$"),
    ),
}
_TORCH_DROPOUTS = {op: 2 for op in _TORCH_MODULE if op != "aten::batch_norm"}


@dataclass(frozen=True)
class FixedModes:
    """Layers by the mode they always run in, each counted once (a batch norm by its scale, a dropout by its
    scope)."""

    batch_norm_training: int = 0  # normalise with each batch's statistics (and update their moving averages)
    batch_norm_inference: int = 0  # normalise with their moving averages
    dropout_training: int = 0  # drop units at random
    dropout_inference: int = 0  # pass their input through (Keras writes an identity)

    def __bool__(self) -> bool:
        return any((self.batch_norm_training, self.batch_norm_inference, self.dropout_training, self.dropout_inference))


def fixed_modes(graph: Graph, codes: np.ndarray, dropout_switched: bool = False) -> FixedModes:
    """The BatchNorm and Dropout layers of a graph that has no flag, by the mode each runs in. ``codes``: each
    node's role code; ``dropout_switched``: a fed keep probability switches the dropouts (none is fixed then)."""
    if not graph.node_count:
        return FixedModes()
    model = codes == roles.MODEL
    columns = graph.columns
    names = graph.names
    training: set = set()
    inference: set = set()
    fused = np.flatnonzero(columns.op_in(_FUSED_BATCH_NORMS) & model)
    # A layer called twice (pix2pix's discriminator on real and on generated pairs) is one layer: told by the
    # scale it reads (its variable, or a frozen graph's constant), else by its scope.
    scales = roles.relayed_from(graph, columns.inputs_at(fused, 1), roles.READ_OPS | {"Identity"})
    for node, scale in zip(fused.tolist(), scales.tolist()):
        layer = scale if scale >= 0 else _layer_scope(names[node], _BATCH_NORM_SCOPE)
        (training if _is_training(graph, node) else inference).add(layer)
    # Unfused batch norms (a dense layer's, Keras's ``fused=False``) normalise through tf.nn.batch_normalization (its
    # ops in ``<layer>/batchnorm``), as a LayerNorm does: a batch norm trains when it writes its moving averages in
    # its scope (tf_keras's ``AssignMovingAvg``, Keras 3's ``AssignVariableOp``; whatever its name: the demo's
    # ``bn1``), or computes its batch's moments under a batch norm's name; it runs for inference when it computes no
    # moments (a LayerNorm always does, and writes nothing).
    unfused = set()
    for node in np.flatnonzero(columns.op_in({"Rsqrt"}) & model).tolist():
        head, _, leaf = names[node].rpartition("/")[0].rpartition("/")
        unfused.add(head if leaf == "batchnorm" else _layer_scope(names[node], _BATCH_NORM_SCOPE, named_only=True))
    unfused -= {_layer_scope(names[n], _BATCH_NORM_SCOPE) for n in fused.tolist()} | {""}
    if unfused:
        moments = {name.partition(_MOMENTS)[0] for name in names if _MOMENTS in name}
        writes = np.flatnonzero(columns.op_in(roles.WRITE_OPS) & model).tolist()
        updated = {names[node].rpartition("/")[0] for node in writes}
        for layer in unfused:
            # A layer called twice (a Keras 3 trace's generator_1/g_bn_1 and generator_3/g_bn_1) is told by the
            # scale it multiplies by, as a fused one is.
            key = _unfused_scale(graph, layer)
            if layer in updated or (layer in moments and _BATCH_NORM_SCOPE.search(layer.rpartition("/")[2])):
                training.add(layer if key is None else key)
            elif layer not in moments:
                inference.add(layer if key is None else key)
    dropping: set[str] = set()
    passing: set[str] = set()
    if not dropout_switched:
        for node in np.flatnonzero(columns.op_in(roles.RANDOM_UNIFORM_OPS) & model).tolist():
            dropping.add(_layer_scope(names[node], _DROPOUT_SCOPE, named_only=True))
        dropping.discard("")
        for node in np.flatnonzero(columns.op_in({"Identity"}) & model).tolist():
            scope = names[node].rpartition("/")[0]
            if "ropout" in scope and _DROPOUT_SCOPE.search(scope.rpartition("/")[2]) and scope not in dropping:
                passing.add(scope)
    if not dropout_switched:
        dropping |= _torch_modes(graph, model, _TORCH_DROPOUTS, True)
        passing |= _torch_modes(graph, model, _TORCH_DROPOUTS, False)
    training |= _torch_modes(graph, model, _TORCH_BATCH_NORMS, True)
    inference |= _torch_modes(graph, model, _TORCH_BATCH_NORMS, False)
    return FixedModes(len(training), len(inference), len(dropping), len(passing))


def _torch_modes(graph: Graph, model: np.ndarray, ops: dict[str, int], training: bool) -> set[str]:
    """The layers (a module's scope, ``SmallNet/BatchNorm2d[bn]``, or a functional call) of a PyTorch graph whose
    ``ops`` were traced in the mode ``training`` says, read from the constant passed at each op's position: PyTorch
    traces ``model.eval()``'s BatchNorm with ``training=0`` and its Dropout with ``train=0``. A mode that cannot be
    read counts for neither."""
    found: set[str] = set()
    columns = graph.columns
    for op, position in ops.items():
        nodes = np.flatnonzero(columns.op_in({op}) & model)
        if not nodes.size:
            continue
        for node, flag in zip(nodes.tolist(), columns.inputs_at(nodes, position).tolist()):
            if flag >= 0 and torch_layers.constant(graph, flag) == int(training):
                scope = graph.names[node].rpartition("/")[0]
                found.add(scope if _TORCH_MODULE[op].search(scope) else graph.names[node])
    return found


def _layer_scope(name: str, pattern: re.Pattern, named_only: bool = False) -> str:
    """The innermost scope of ``name`` named as ``pattern`` says, else (unless ``named_only``) its own scope."""
    parts = name.split("/")[:-1]
    for depth in range(len(parts), 0, -1):
        if pattern.search(parts[depth - 1]):
            return "/".join(parts[:depth])
    return "" if named_only else "/".join(parts)


def _unfused_scale(graph: Graph, layer: str) -> int | None:
    """The variable (or constant) an unfused batch norm scales by: tf.nn.batch_normalization multiplies its
    ``Rsqrt`` by it in ``<layer>/batchnorm/mul``. None without one."""
    product = graph.index.get(layer + "/batchnorm/mul")
    if product is None:
        return None
    scale = roles.relayed_from(graph, graph.columns.inputs_at([product], 1), roles.READ_OPS | {"Identity"})[0]
    return int(scale) if scale >= 0 else None


def _is_training(graph: Graph, node: int) -> bool:
    """A fused batch norm's ``is_training`` (true when the NodeDef does not say), read from the node's bytes."""
    read = getattr(graph.node_defs, "bool_attr", None)
    try:
        if read is not None:
            return read(node, "is_training", True)
        attr = graph.node_defs[node].attr
    except NodeDefUnreadable:
        return True
    return attr["is_training"].b if "is_training" in attr else True
