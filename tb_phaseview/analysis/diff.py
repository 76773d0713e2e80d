"""What changed between the architectures of two graphs: layers added, removed, changed or the same, with the
machinery (gradients, optimizer, initialisers, summaries, saving) compared by size only.

Built on the layer summary (layers.py). Layers are matched in data-flow order by a structural signature (type,
output shape, weight shapes, the attributes that define the layer, its compute ops, whether it reads the
learning-phase flag) with ``difflib.SequenceMatcher``, so a layer Keras renumbered (``conv2d_1`` in one run is
``conv2d_2`` in the next) matches its twin, not the layer that took its name. Between two runs of matched
layers, what is left is paired by name where names agree, then by type in order; a pair found there is
*changed* when ``describe`` names a difference (else the same), a layer left over is *added* or *removed*.

A frozen graph keeps its weights as constants: a side without model variables reads each layer's weights from
its float constants, and an output shape one side does not declare is not reported as changed.

Pure: no TensorBoard import. Attributes are parsed only for the few ops that define a layer.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from tb_phaseview.analysis import layers, roles, shapes
from tb_phaseview.analysis.graph_model import Graph
from tb_phaseview.analysis.pipeline import garbage_collector_paused

# Ops that carry weights, reads, and control flow rather than the layer's computation: two writings of one
# layer (resource or ref variables, frozen constants) differ in them for no architectural reason. A placeholder
# in a layer's scope is a variable a run graph captures there (a trace passes it in as an argument outside any
# layer) or old Keras's learning-phase flag, never what the layer computes.
_PLUMBING = (
    shapes.RESOURCE_INPUTS
    | roles.VARIABLE_OPS
    | roles.READ_OPS
    | roles.WRITE_OPS
    | roles.INCREMENT_OPS
    | frozenset({"Const", "Identity", "NoOp", "Switch", "Merge", "RefSwitch", "RefMerge", "Shape", "Snapshot"})
)
# The op whose attributes define a layer, and the attributes worth naming (data_format and the like are not).
_DEFINING_ATTRS = {
    "Conv2D": ("strides", "padding", "dilations"),
    "Conv3D": ("strides", "padding", "dilations"),
    "DepthwiseConv2dNative": ("strides", "padding", "dilations"),
    "Conv2DBackpropInput": ("strides", "padding", "dilations"),
    "MaxPool": ("ksize", "strides", "padding"),
    "AvgPool": ("ksize", "strides", "padding"),
    "FusedBatchNormV3": ("epsilon",),
    "FusedBatchNormV2": ("epsilon",),
    "FusedBatchNorm": ("epsilon",),
}
_ATTR_WORDS = {"ksize": "pool size", "epsilon": "epsilon"}
# TensorFlow's defaults of those attributes, as ``_attr_text`` writes them (a graph may leave them out).
_DEFAULT_ATTRS = {
    ("Conv2D", "dilations"): "1×1",
    ("DepthwiseConv2dNative", "dilations"): "1×1",
    ("Conv2DBackpropInput", "dilations"): "1×1",
    ("Conv3D", "dilations"): "1×1×1×1×1",
    ("FusedBatchNormV3", "epsilon"): "0.0001",
    ("FusedBatchNormV2", "epsilon"): "0.0001",
    ("FusedBatchNorm", "epsilon"): "0.0001",
}
_ACTIVATION_NAMES = {
    "Relu": "relu",
    "Relu6": "relu6",
    "Elu": "elu",
    "Selu": "selu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Softmax": "softmax",
    "LeakyRelu": "leaky_relu",
    "Softplus": "softplus",
}
_RESHAPES = frozenset({"Flatten", "Reshape"})
_CONVS = frozenset({"Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "DepthwiseConv2D"})


@dataclass
class LayerFacts:
    """One layer as the diff compares it."""

    name: str
    type: str
    output_shape: tuple | None  # None: the graph does not say
    params: int
    weights: list[tuple[str, tuple]]  # (weight's own name, shape), in the layer's order
    attrs: dict[str, str]  # attribute -> its value as text
    activation: str  # "" when the layer has no activation op
    ops: frozenset  # compute op types
    reads_flag: str | None  # the layer's kind when it reads the learning-phase flag
    dtype: str
    updates: int = 0  # the layer's own writes of its variables (BatchNorm's moving statistics); not compared

    def key(self) -> tuple:
        """The structural signature two matched layers share when nothing in them changed."""
        weights = tuple(_sorted_shapes(shape for _, shape in self.weights))
        return (
            "Reshape" if self.type in _RESHAPES else self.type,
            weights,
            tuple(sorted(self.attrs.items())),
            self.activation,
            self.ops,
            self.reads_flag,
            self.dtype,
        )


@dataclass
class Side:
    layers: list[LayerFacts]
    flags: list[dict]
    areas: dict[str, int]  # machinery role -> ops in its area
    frozen: bool  # no model variables: weights are constants
    total_params: int
    # Machinery role -> ops of it the user moved to the model in this graph's view (none unless moved).
    moved: dict[str, int] = field(default_factory=dict)

    @cached_property
    def scope(self) -> str:
        """The scope every layer but the inputs shares (a trace's ``graph_19/StatefulPartitionedCall/net_1/``),
        said once."""
        return layers.model_scope([(f.name, f.type) for f in self.layers])

    def label(self, facts: LayerFacts) -> str:
        """A layer's name within the scope every layer shares."""
        return layers.within_scope(facts.name, self.scope)


@dataclass
class Diff:
    a: Side
    b: Side
    added: list[LayerFacts] = field(default_factory=list)
    removed: list[LayerFacts] = field(default_factory=list)
    changed: list[tuple[LayerFacts, LayerFacts, list[str]]] = field(default_factory=list)
    same: list[tuple[LayerFacts, LayerFacts]] = field(default_factory=list)
    # The drawing's rows in data-flow order: ("same"|"changed"|"added"|"removed", a or None, b or None).
    rows: list[tuple[str, LayerFacts | None, LayerFacts | None]] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def side_of(analysis) -> Side:
    """The layers, flags and machinery areas of one graph analysis."""
    summary = analysis.memo(("summary",), lambda: layers.summarize(analysis))
    graph: Graph = analysis.graph
    # Frozen: no variable, its weights are constants (the summary counts them as frozen weights).
    frozen = not any(not v.frozen for layer in summary.layers for v in layer.variables)
    node_layer = summary.node_layer
    members = _members(node_layer, len(summary.layers))
    # Each layer's first op that has defining attributes (or -1), found for all layers at once in numpy: a walk
    # of each layer's ops in Python was a third of a 200k-node side.
    defining = np.full(len(summary.layers) + 1, graph.node_count, dtype=np.intp)
    has = graph.columns.op_in(_DEFINING_ATTRS) & (node_layer >= 0)
    np.minimum.at(defining, node_layer[has], np.flatnonzero(has))
    defining[defining == graph.node_count] = -1
    facts = [_facts(graph, layer, members[k], frozen, int(defining[k])) for k, layer in enumerate(summary.layers)]
    # What a layer writes itself: a frozen graph's BatchNorm no longer updates its moving statistics.
    writes = np.zeros(graph.node_count, dtype=bool)
    if analysis.roles.writes:
        writes[np.fromiter(analysis.roles.writes, dtype=np.intp, count=len(analysis.roles.writes))] = True
    writes &= node_layer >= 0
    for k, count in enumerate(np.bincount(node_layer[writes], minlength=len(facts)).tolist()[: len(facts)]):
        facts[k].updates = count
    flags = [
        {"name": s.name, "op": s.op, "layers": list(s.layers), "constant": graph.ops[s.index] == "Const"}
        for s in analysis.phase.sources
    ]
    areas = {role: analysis.area_size(role) for role in analysis.areas}
    moved: Counter = Counter()
    if analysis.moved:  # a view with the user's moves: the roles its moved ops had
        for by_role in analysis.moved.entry_roles(analysis.classified).values():
            moved.update(by_role)
    # A layer holding layers counts theirs too (as Keras's summary does): the total counts each weight once.
    total = sum(f.params for f, layer in zip(facts, summary.layers) if not layer.within)
    return Side(facts, flags, areas, frozen and bool(facts), total, dict(moved))


def _members(node_layer: np.ndarray, count: int) -> list[np.ndarray]:
    """Each layer's nodes, from one sort of the whole graph's layer numbers (not one scan per layer)."""
    order = np.argsort(node_layer, kind="stable")
    bounds = np.searchsorted(node_layer[order], np.arange(count + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(count)]


def _facts(graph: Graph, layer: layers.Layer, nodes: np.ndarray, frozen: bool, defining: int = -2) -> LayerFacts:
    weights = [(v.variable.name.rsplit("/", 1)[-1], _shape(v.variable.shape)) for v in layer.variables]
    params = layer.params
    layer_type = layer.type
    if frozen:
        constants = _constant_weights(graph, nodes)
        weights = [(name, shape) for name, shape, _ in constants]
        params = sum(size for _, _, size in constants)
        if constants:  # typed again now that its weights are known (Dense needs weights to be told apart)
            stand_ins = [
                layers.LayerVariable(shapes.Variable(-1, name, shape, "float32", size), True)
                for name, shape, size in constants
            ]
            layer_type = layers.layer_type(layer.op_types, layer.phase_kind, stand_ins)
    compute = frozenset(op for op in layer.op_types if op not in _PLUMBING)
    activations = sorted(_ACTIVATION_NAMES[op] for op in compute if op in _ACTIVATION_NAMES)
    # The scan starts at the first op with defining attributes when the caller found it (-1: there is none).
    attrs, dtype = _attributes(
        graph, nodes if defining == -2 else nodes[nodes >= defining] if defining >= 0 else nodes[:0]
    )
    if layer_type == "Dropout":
        rate = _dropout_rate(graph, nodes)
        if rate is not None:
            attrs["rate"] = rate
    if weights and layer_type in _CONVS:
        kernel = max((shape or () for _, shape in weights), key=len)
        if len(kernel) >= 3:
            attrs["kernel size"] = "×".join(str(d) for d in kernel[:-2])
            attrs["filters"] = str(kernel[-1])
    elif weights and layer_type == "Dense":
        kernel = max((shape or () for _, shape in weights), key=len)
        if len(kernel) == 2:
            attrs["units"] = str(kernel[-1])
    output = layer.output_shape if isinstance(layer.output_shape, tuple) else None
    return LayerFacts(
        name=layer.name,
        type=layer_type,
        output_shape=output,
        params=params,
        weights=weights,
        attrs=attrs,
        activation="/".join(activations),
        ops=compute,
        reads_flag=layer.phase_kind,
        dtype=dtype,
    )


def _shape(shape) -> tuple | None:
    """A weight's shape, ``-1`` for an unknown dimension; None when the graph does not say it (it was ``()``, said
    as "scalar": a PyTorch convolution's kernel of unknown size)."""
    return tuple(-1 if d is None else d for d in shape) if shape is not None else None


def _sorted_shapes(shapes_) -> list:
    """Weights' shapes in a fixed order, the unknown ones (None) last."""
    return sorted(shapes_, key=lambda shape: (shape is None, shape or ()))


def _constant_weights(graph: Graph, nodes: np.ndarray) -> list[tuple[str, tuple, int]]:
    """A frozen layer's weights: its float constants of rank one or more (scalars are rates and epsilons)."""
    found = []
    for n in nodes.tolist():
        if graph.ops[n] != "Const":
            continue
        node_def = shapes._node_def(graph, n)
        if node_def is None or "value" not in node_def.attr:
            continue
        tensor = node_def.attr["value"].tensor
        if tensor.dtype not in roles.FLOAT_DTYPES:
            continue
        shape = shapes.shape_of_proto(tensor.tensor_shape)
        if not shape:
            continue
        found.append((graph.names[n].rsplit("/", 1)[-1], _shape(shape), shapes.elements(shape)))
    return found


def _attributes(graph: Graph, nodes: np.ndarray) -> tuple[dict[str, str], str]:
    """The defining attributes of the layer's main op, and its dtype."""
    attrs: dict[str, str] = {}
    dtype = ""
    for n in nodes.tolist():
        names = _DEFINING_ATTRS.get(graph.ops[n])
        if names is None:
            continue
        node_def = shapes._node_def(graph, n)
        if node_def is None:
            continue
        for name in names:
            if name in node_def.attr:
                attrs[_ATTR_WORDS.get(name, name)] = _attr_text(node_def.attr[name])
            elif (graph.ops[n], name) in _DEFAULT_ATTRS:
                # A SavedModel's graph leaves out attributes at TensorFlow's default (``dilations``): the same.
                attrs[_ATTR_WORDS.get(name, name)] = _DEFAULT_ATTRS[graph.ops[n], name]
        if "T" in node_def.attr:
            dtype = shapes.dtype_name(node_def.attr["T"].type)
        break  # the first defining op (a fused BatchNorm's inference twin has the same attributes)
    return attrs, dtype


def _attr_text(value) -> str:
    kind = value.WhichOneof("value")
    if kind == "list":
        items = list(value.list.i)
        if len(items) == 4:  # NHWC strides/ksize: the spatial dimensions say it
            items = items[1:3]
        return "×".join(str(i) for i in items)
    if kind == "s":
        return value.s.decode("utf-8", "replace")
    if kind == "f":
        return f"{value.f:g}"
    return str(getattr(value, kind)) if kind else ""


def _dropout_rate(graph: Graph, nodes: np.ndarray) -> str | None:
    """The rate a dropout compares its uniform noise with (``GreaterEqual(noise, rate)``)."""
    columns = graph.columns
    for n in nodes.tolist():
        if graph.ops[n] != "GreaterEqual":
            continue
        rate = columns.inputs_at(np.asarray([n], dtype=np.intp), 1)
        if len(rate) and rate[0] >= 0 and graph.ops[int(rate[0])] == "Const":
            node_def = shapes._node_def(graph, int(rate[0]))
            if node_def is not None and node_def.attr["value"].tensor.float_val:
                return f"{node_def.attr['value'].tensor.float_val[0]:g}"
    return None


def compare(a, b) -> Diff:
    """The architecture diff of two graph analyses (A the first, B the second)."""
    # The matching makes a tuple per layer and more: with two 200k-node analyses in memory, the cyclic collector's
    # full passes over them cost a fifth of the diff. Nothing here forms a cycle.
    with garbage_collector_paused():
        return _compare(a, b)


def _compare(a, b) -> Diff:
    # Each side is kept with its analysis: comparing one graph with several others reads its layers once.
    side_a, side_b = (x.memo(("diff_side",), lambda x=x: side_of(x)) for x in (a, b))
    diff = Diff(side_a, side_b)
    la, lb = side_a.layers, side_b.layers
    keys_a, keys_b = [f.key() for f in la], [f.key() for f in lb]
    for tag, i1, i2, j1, j2 in _opcodes(keys_a, keys_b):
        if tag == "equal":
            for x, y in zip(la[i1:i2], lb[j1:j2]):
                what = describe(x, y)  # the signature leaves shapes out (a frozen side does not declare them)
                diff.rows.append(("changed" if what else "same", x, y))
        else:
            diff.rows.extend(_pair_region(la[i1:i2], lb[j1:j2]))
    for status, x, y in diff.rows:
        if status == "same":
            diff.same.append((x, y))
        elif status == "changed":
            diff.changed.append((x, y, describe(x, y)))
        elif status == "added":
            diff.added.append(y)
        else:
            diff.removed.append(x)
    return diff


def _opcodes(keys_a: list, keys_b: list) -> list[tuple]:
    """``SequenceMatcher``'s opcodes, with the common head and tail matched first: a model of repeated blocks
    repeats its keys, which makes the matcher's search slow, and two versions of a model share most of both."""
    n = min(len(keys_a), len(keys_b))
    head = 0
    while head < n and keys_a[head] == keys_b[head]:
        head += 1
    tail = 0
    while tail < n - head and keys_a[-1 - tail] == keys_b[-1 - tail]:
        tail += 1
    middle_a, middle_b = keys_a[head : len(keys_a) - tail], keys_b[head : len(keys_b) - tail]
    codes = [("equal", 0, head, 0, head)] if head else []
    if middle_a or middle_b:
        found = _opcodes_of(_matching_blocks(middle_a, middle_b))
        codes += [(t, i1 + head, i2 + head, j1 + head, j2 + head) for t, i1, i2, j1, j2 in found]
    if tail:
        codes.append(("equal", len(keys_a) - tail, len(keys_a), len(keys_b) - tail, len(keys_b)))
    return codes


# SequenceMatcher's search costs about the product of the two lengths times the repeats of a key: on the layers
# of two graphs of a million nodes (30,000 and 6,000 layers, one block repeated) it took over a minute. Past this
# product the layers are aligned in one pass instead (``_aligned_blocks``).
MATCH_LIMIT = 4_000_000
# How far ahead the one-pass alignment looks for the next match: an insertion or removal of up to this many
# layers in a row is found as such; a longer one is read as layers changed.
ALIGN_WINDOW = 256


def _matching_blocks(a: list, b: list) -> list[tuple[int, int, int]]:
    """``SequenceMatcher.get_matching_blocks`` of two sequences, ending with ``(len(a), len(b), 0)``: the
    matcher's own when the product of their lengths is at most MATCH_LIMIT, else ``_aligned_blocks``."""
    if len(a) * len(b) <= MATCH_LIMIT:
        return [tuple(m) for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()]
    return _aligned_blocks(a, b)


def _aligned_blocks(a: list, b: list, window: int = ALIGN_WINDOW) -> list[tuple[int, int, int]]:
    """Matching blocks found in one pass, in time linear in the lengths (times ``window``): equal items pair in
    order; where they differ and the next ones pair again, one item changed; else the nearer of the next ``a[i]``
    in ``b`` and the next ``b[j]`` in ``a`` (within ``window``) resumes the pairing, what it skips being inserted
    or removed; with neither, both items are changed. Not always the longest common subsequence, but the
    pairing a reader expects of two versions of a model made of repeated blocks."""
    blocks: list[tuple[int, int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
                blocks[-1] = (blocks[-1][0], blocks[-1][1], blocks[-1][2] + 1)
            else:
                blocks.append((i, j, 1))
            i, j = i + 1, j + 1
            continue
        if i + 1 < len(a) and j + 1 < len(b) and a[i + 1] == b[j + 1]:
            i, j = i + 1, j + 1  # one layer changed, the next ones pair again
            continue
        ahead_b = _find(b, a[i], j + 1, j + 1 + window)
        ahead_a = _find(a, b[j], i + 1, i + 1 + window)
        if ahead_b < 0 and ahead_a < 0:
            i, j = i + 1, j + 1
        elif ahead_a < 0 or (0 <= ahead_b and ahead_b - j <= ahead_a - i):
            j = ahead_b
        else:
            i = ahead_a
    blocks.append((len(a), len(b), 0))
    return blocks


def _find(items: list, item, start: int, stop: int) -> int:
    try:
        return items.index(item, start, stop)
    except ValueError:
        return -1


def _opcodes_of(blocks: list[tuple[int, int, int]]) -> list[tuple]:
    """The opcodes of matching blocks, as ``SequenceMatcher.get_opcodes`` derives them."""
    codes = []
    i = j = 0
    for a_start, b_start, size in blocks:
        if i < a_start and j < b_start:
            codes.append(("replace", i, a_start, j, b_start))
        elif i < a_start:
            codes.append(("delete", i, a_start, j, b_start))
        elif j < b_start:
            codes.append(("insert", i, a_start, j, b_start))
        i, j = a_start + size, b_start + size
        if size:
            codes.append(("equal", a_start, i, b_start, j))
    return codes


def _type_key(f: LayerFacts) -> str:
    return "Reshape" if f.type in _RESHAPES else f.type


def _pair_region(la: list[LayerFacts], lb: list[LayerFacts]) -> list[tuple]:
    """Rows for a stretch where the signatures disagree: pairs by name where names agree, else of one type in
    order, are changed layers; the rest were added or removed. Kept in data-flow order."""
    by_name = {f.name: f for f in lb}
    # Same name pairs even across types: an inference-only Dropout is an Identity, the same layer changed.
    named = {x.name: by_name[x.name] for x in la if x.name in by_name}
    # Pair by type in order first; a same-named pair of the same type wins over an order pairing.
    pairs: dict[int, int] = {}
    for a_start, b_start, size in _matching_blocks([_type_key(f) for f in la], [_type_key(f) for f in lb]):
        for k in range(size):
            pairs[a_start + k] = b_start + k
    if named and len(named) > len(pairs):
        index_b = {f.name: j for j, f in enumerate(lb)}
        pairs = {i: index_b[x.name] for i, x in enumerate(la) if x.name in named}
    rows: list[tuple] = []
    paired = set(pairs.values())
    j = 0
    for i, x in enumerate(la):
        if i not in pairs:
            rows.append(("removed", x, None))
            continue
        while j < pairs[i]:
            if j not in paired:
                rows.append(("added", None, lb[j]))
            j += 1
        y = lb[pairs[i]]
        # Signatures may differ where nothing worth saying does (an attribute one side leaves out): the same.
        rows.append(("changed" if describe(x, y) else "same", x, y))
        j = pairs[i] + 1
    rows.extend(("added", None, lb[k]) for k in range(j, len(lb)) if k not in paired)
    return rows


def _some_unknown(f: LayerFacts) -> bool:
    return any(shape is None for _, shape in f.weights)


def _params_text(f: LayerFacts) -> str:
    """``2,304``, ``32 + ?`` when a weight's size is not in the graph, ``?`` when no weight's is (the summary's table
    says the same)."""
    if _some_unknown(f):
        return f"{f.params:,} + ?" if f.params else "?"
    return f"{f.params:,}"


def _shape_text(shape: tuple | None) -> str:
    return "?" if shape is None else shapes.format_shape(tuple(None if d == -1 else d for d in shape))


def describe(x: LayerFacts, y: LayerFacts) -> list[str]:
    """What differs between two matched layers, one phrase per change (empty when nothing does)."""
    what = []
    if _type_key(x) != _type_key(y):
        what.append(f"type {x.type} → {y.type}")
    for name in sorted(set(x.attrs) | set(y.attrs), key=_attr_order):
        before, after = x.attrs.get(name), y.attrs.get(name)
        if before is not None and after is not None and before != after:
            what.append(f"{name} {before} → {after}")
    if x.activation != y.activation:
        what.append(f"activation {x.activation or 'linear'} → {y.activation or 'linear'}")
    if x.dtype and y.dtype and x.dtype != y.dtype:
        what.append(f"dtype {x.dtype} → {y.dtype}")
    gone, new = sorted(x.ops - y.ops - _ACTIVATION_NAMES.keys()), sorted(y.ops - x.ops - _ACTIVATION_NAMES.keys())
    if gone or new:
        parts = [f"+{op}" for op in new] + [f"−{op}" for op in gone]
        what.append("ops " + " ".join(parts))
    if x.output_shape is not None and y.output_shape is not None and x.output_shape != y.output_shape:
        what.append(f"output {shapes.format_shape(x.output_shape)} → {shapes.format_shape(y.output_shape)}")
    if _sorted_shapes(s for _, s in x.weights) != _sorted_shapes(s for _, s in y.weights):
        before = ", ".join(_shape_text(s) for _, s in x.weights) or "none"
        after = ", ".join(_shape_text(s) for _, s in y.weights) or "none"
        what.append(f"weights {before} → {after}")
    if (x.params, _some_unknown(x)) != (y.params, _some_unknown(y)):
        what.append(f"params {_params_text(x)} → {_params_text(y)}")
    if x.reads_flag != y.reads_flag:
        what.append("reads the learning-phase flag" if y.reads_flag else "no longer reads the learning-phase flag")
    return what


_ORDER = ("filters", "units", "kernel size", "strides", "padding", "dilations", "pool size", "rate", "epsilon")


def _attr_order(name: str) -> int:
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


def lost(diff: Diff) -> list[str]:
    """What B lost against A, as a frozen or exported graph loses it: the flag, the training branches, the
    machinery, the variables."""
    found = []
    flags_b = {f["name"]: f for f in diff.b.flags}
    for flag in diff.a.flags:
        other = flags_b.get(flag["name"])
        if other is None and not diff.b.flags:
            found.append(f"the learning-phase flag {flag['name']} is gone")
        elif other is not None and other["constant"] and not flag["constant"]:
            found.append(f"the learning-phase flag {flag['name']} is replaced by a constant")
    readers_a = {f.name for f in diff.a.layers if f.reads_flag}
    matched = {x.name: y for _, x, y in diff.rows if x is not None and y is not None}
    stopped = sorted(name for name in readers_a if name in matched and not matched[name].reads_flag)
    if stopped:
        layers = "1 layer no longer reads" if len(stopped) == 1 else f"{len(stopped)} layers no longer read"
        found.append(f"{layers} the flag (training branch pruned): {', '.join(stopped)}")
    frozen_stats = sorted(
        x.name
        for _, x, y in diff.rows
        if x is not None and y is not None and x.updates and not y.updates and x.type == "BatchNormalization"
    )
    if frozen_stats:
        if len(frozen_stats) == 1:
            layers = "1 BatchNorm layer no longer updates its"
        else:
            layers = f"{len(frozen_stats):,} BatchNorm layers no longer update their"
        found.append(f"{layers} moving mean and variance: {', '.join(frozen_stats)}")
    # An area B no longer has because the user moved its ops to the model is not lost: it is said apart.
    gone = [(role, size) for role, size in diff.a.areas.items() if size and not diff.b.areas.get(role)]
    lost_areas = [f"{role} ({size:,} ops)" for role, size in gone if role not in diff.b.moved]
    moved_areas = [f"{role} ({size:,} ops)" for role, size in gone if role in diff.b.moved]
    if lost_areas:
        found.append("machinery gone: " + ", ".join(lost_areas))
    if moved_areas:
        found.append("machinery moved to the model by the user in B: " + ", ".join(moved_areas))
    if diff.b.frozen and not diff.a.frozen:
        found.append("variables frozen into constants")
    return found


def sentence(diff: Diff, limit: int = 3) -> str:
    """The answer line: the counts, then the first changes by name."""
    if not diff.differs:
        return f"Same architecture: all {len(diff.same):,} layers match."
    counts = []
    for number, word in ((len(diff.added), "added"), (len(diff.removed), "removed"), (len(diff.changed), "changed")):
        if number:
            noun = "" if counts else (" layer" if number == 1 else " layers")
            counts.append(f"{number:,}{noun} {word}")
    details = []
    # Each name within the scope its side's layers share (two traces' steps sit in ``graph_19/...`` and
    # ``graph_25/...``; their layers are ``drop_1`` in both).
    a, b = diff.a.label, diff.b.label
    for x, y, what in diff.changed[:limit]:
        name = f"`{b(y)}`" if a(x) == b(y) else f"`{a(x)}` → `{b(y)}`"
        details.append(f"{name} {', '.join(what[:2])}")
    for f in diff.added[: max(0, limit - len(details))]:
        details.append(f"+`{b(f)}` ({f.type})")
    for f in diff.removed[: max(0, limit - len(details))]:
        details.append(f"−`{a(f)}` ({f.type})")
    more = len(diff.changed) + len(diff.added) + len(diff.removed) - len(details)
    tail = f"; {more:,} more" if more > 0 else ""
    return f"{', '.join(counts)}: {'; '.join(details)}{tail}."


def _layer_json(f: LayerFacts, side: Side) -> dict:
    return {
        "name": f.name,
        "label": side.label(f),
        "type": f.type,
        "output_shape": None if f.output_shape is None else list(f.output_shape),
        "params": f.params,
        "reads_flag": f.reads_flag is not None,
    }


def _side_json(side: Side, ref: dict) -> dict:
    return {
        **ref,
        "layers": len(side.layers),
        "scope": side.scope,
        "total_params": side.total_params,
        "frozen": side.frozen,
        "flags": side.flags,
        "flag_readers": [f.name for f in side.layers if f.reads_flag],
        "machinery_areas": side.areas,
    }


def diff_json(diff: Diff, ref_a: dict, ref_b: dict) -> dict:
    """The diff as ``tb-phaseview diff --json`` and the compare route give it (docs/wire_format.md, *Diff*)."""
    with garbage_collector_paused():  # a dict per layer and row: as in compare
        return _diff_json(diff, ref_a, ref_b)


def _diff_json(diff: Diff, ref_a: dict, ref_b: dict) -> dict:
    roles_seen = list(dict.fromkeys([*diff.a.areas, *diff.b.areas]))
    return {
        "differs": diff.differs,
        "sentence": sentence(diff),
        "a": _side_json(diff.a, ref_a),
        "b": _side_json(diff.b, ref_b),
        "layers_added": [{"b": f.name, "type": f.type} for f in diff.added],
        "layers_removed": [{"a": f.name, "type": f.type} for f in diff.removed],
        "layers_changed": [{"a": x.name, "b": y.name, "type": y.type, "what": what} for x, y, what in diff.changed],
        "layers_same": [{"a": x.name, "b": y.name} for x, y in diff.same],
        "machinery": [{"role": r, "a": diff.a.areas.get(r, 0), "b": diff.b.areas.get(r, 0)} for r in roles_seen],
        "lost": lost(diff),
        "rows": [
            {
                "status": status,
                "a": None if x is None else _layer_json(x, diff.a),
                "b": None if y is None else _layer_json(y, diff.b),
                "what": describe(x, y) if status == "changed" else [],
            }
            for status, x, y in diff.rows
        ],
    }
