"""The layer summary of a graph PyTorch's ``SummaryWriter.add_graph`` wrote: its modules, as ``torchinfo`` lists them.

A traced module's ops sit in its scope, named by its class and its attribute (``SmallNet/BatchNorm2d[bn]``,
``NestedNet/Sequential[features]/Conv2d[0]``); the model itself is the outermost scope, not a row. Each module
that computes is a row, typed by its class; a container's rows follow it, named within it. Its output is what
leaves its last op that is read outside it.

The graph reads each parameter through ``prim::GetAttr`` and records no shape for it: a parameter's size is worked
out from the op that computes with it, where its input's and output's shapes say it exactly (a linear layer's
weight is out × in; a batch norm's, its channels; a convolution's kernel only when it strides by 1, or is
transposed), and is otherwise unknown, said as such, never guessed. As ``sum(p.numel() for p in
model.parameters())``, a batch norm's running statistics are buffers, not parameters.

Pure: names, op types, shapes and constants, no TensorBoard import.
"""

from __future__ import annotations

import re
from collections import Counter
from math import prod

import numpy as np

from tb_phaseview.analysis import shapes
from tb_phaseview.analysis.graph_model import Graph, NodeDefUnreadable

# A module's scope: its class, then its attribute in its parent (``Conv2d[conv]``, ``Linear[0]``).
MODULE = re.compile(r"^[A-Za-z_]\w*\[[^\]/]*\]$")
_VALUE = re.compile(r"\{\s*value\s*:\s*([^}]*?)\s*\}")
_NAME = re.compile(r"\{\s*name\s*:\s*(\w+)\s*\}")
# The ops reading a module's parameters, and at which input each parameter comes.
_PARAMETER_POSITIONS = {
    "aten::linear": (1, 2),
    "aten::_convolution": (1, 2),
    "aten::conv1d": (1, 2),
    "aten::conv2d": (1, 2),
    "aten::conv3d": (1, 2),
    "aten::conv_transpose1d": (1, 2),
    "aten::conv_transpose2d": (1, 2),
    "aten::conv_transpose3d": (1, 2),
    "aten::batch_norm": (1, 2, 3, 4),
    "aten::instance_norm": (1, 2, 3, 4),
    "aten::layer_norm": (2, 3),
    "aten::group_norm": (2, 3),
    "aten::embedding": (0,),
}
_BUFFERS = {"running_mean", "running_var", "num_batches_tracked"}


def is_torch_graph(graph: Graph) -> bool:
    """Whether PyTorch wrote the graph (its ops are ``aten::`` and ``prim::`` ones)."""
    return any(op.startswith("aten::") for op in set(graph.ops))


def wrote(analysis) -> bool:
    """``is_torch_graph`` of an analysis's graph, asked once (every group answer asks it)."""
    return analysis.memo(("torch_graph",), lambda: is_torch_graph(analysis.graph))


def module_of(name: str) -> str:
    """The innermost module scope holding ``name`` ("" for none)."""
    parts = name.split("/")[:-1]
    for depth in range(len(parts), 0, -1):
        if MODULE.match(parts[depth - 1]):
            return "/".join(parts[:depth])
    return ""


def layer_names(graph: Graph) -> list[str]:
    """The modules that compute, in the order their first op runs (a container before what it holds)."""
    first: dict[str, int] = {}
    for node, op in enumerate(graph.ops):
        if not op.startswith("aten::"):
            continue
        module = module_of(graph.names[node])
        while module and module not in first:
            first[module] = node
            module = module_of(module)
    return sorted(first, key=lambda m: (first[m], m.count("/")))


def summarize(analysis):
    """The Summary (layers.Summary) of a PyTorch graph's modules."""
    from tb_phaseview.analysis import layers  # the Summary's types; layers dispatches here

    graph: Graph = analysis.graph
    names = layer_names(graph)
    row = {name: k for k, name in enumerate(names)}
    # Every node's row by its module's scope (a constant or a list built there is the module's); only the ops
    # that compute are counted as the row's ops (``node_layer``, which the diff reads).
    scope_row = np.fromiter((row.get(module_of(name), -1) for name in graph.names), dtype=np.intp)
    computing = np.fromiter((op.startswith("aten::") for op in graph.ops), dtype=bool)
    node_layer = np.where(computing, scope_row, -1)
    op_types: dict[int, Counter] = {k: Counter() for k in range(len(names))}
    for node in np.flatnonzero(node_layer >= 0).tolist():
        op_types[int(node_layer[node])][graph.ops[node]] += 1
    within = {k: row[module_of(name)] for k, name in enumerate(names) if module_of(name) in row}
    leaving = _last_leaving(graph, scope_row, within, len(names))
    own: dict[int, list] = {}
    unknown = 0
    for (module, _), (node, shape) in _parameters(graph).items():
        k = row.get(module)
        if k is None:
            continue
        size = prod(shape) if shape else 0
        unknown += size == 0
        variable = shapes.Variable(node, graph.names[node], tuple(shape) if shape else None, "?", size)
        own.setdefault(k, []).append(layers.LayerVariable(variable, True))
    held = Counter(within.values())
    found = []
    for k, name in enumerate(names):
        variables = own.get(k, [])
        found.append(
            layers.Layer(
                name=name,
                type=name.rpartition("/")[2].partition("[")[0],
                output_shape=shapes.output_shape(graph, leaving[k], 0) if k in leaving else False,
                params=sum(v.variable.size for v in variables),
                trainable_params=sum(v.variable.size for v in variables),
                variables=variables,
                ops=int(sum(op_types[k].values())),
                op_types=op_types[k],
                within=names[within[k]] if k in within else None,
                holds_layers=held[k],
            )
        )
    total = sum(layer.params for layer in found)
    for k in sorted(within, key=lambda j: -names[j].count("/")):  # inner rows first: a container counts them
        found[within[k]].params += found[k].params
        found[within[k]].trainable_params += found[k].trainable_params
    return layers.Summary(
        layers=found,
        total_params=total,
        trainable_params=total,
        non_trainable_params=0,
        machinery_params=0,
        machinery_variables=[],
        unknown_variables=unknown,
        node_layer=node_layer,
        parameters_read=bool(own),
    )


def _last_leaving(graph: Graph, scope_row: np.ndarray, within: dict[int, int], count: int) -> dict[int, int]:
    """Each row's last op (in graph order) whose result a node outside the row and the rows it holds reads: what
    the module puts out. One pass over the data edges, each climbing the rows that hold its source."""
    chains = []
    for k in range(count):
        chain = [k]
        while chain[-1] in within:
            chain.append(within[chain[-1]])
        chains.append(chain)
    columns = graph.columns
    data = columns.data
    src, dst = columns.src[data], columns.dst[data]
    source_rows, reader_rows = scope_row[src], scope_row[dst]
    keep = (source_rows >= 0) & (source_rows != reader_rows)
    leaving: dict[int, int] = {}
    for node, a, b in zip(src[keep].tolist(), source_rows[keep].tolist(), reader_rows[keep].tolist()):
        holding_reader = set(chains[b]) if b >= 0 else ()
        for k in chains[a]:
            if k in holding_reader:
                break
            if node > leaving.get(k, -1):
                leaving[k] = node
    return leaving


def _parameters(graph: Graph) -> dict[tuple[str, str], tuple[int, list[int] | None]]:
    """Each parameter by (its module, its attribute name): the ``prim::GetAttr`` reading it first and its shape, or
    None when the op computing with it does not say it exactly. A parameter is what a ``prim::GetAttr`` hands to an
    op (a submodule's is handed to another ``prim::GetAttr``); buffers (a batch norm's running statistics) are left
    out, as ``model.parameters()`` leaves them out."""
    found: dict[tuple[str, str], tuple[int, list[int] | None]] = {}
    columns = graph.columns
    reads = np.flatnonzero(columns.op_in({"prim::GetAttr"}))
    edges, sources = columns.out_edges(reads)
    for edge, source in zip(edges.tolist(), sources.tolist()):
        reader = int(columns.dst[edge])
        if not columns.data[edge] or graph.ops[reader] == "prim::GetAttr":
            continue
        attribute = _attribute(graph, source)
        if attribute is None or attribute in _BUFFERS:
            continue
        computing, shape = _shape_as_read(graph, reader, int(columns.position[edge]), attribute)
        # The module whose op computes with it (a ModuleList's block reads its weights in the list's scope).
        key = (module_of(graph.names[computing]), attribute)
        if key not in found or (found[key][1] is None and shape is not None):
            found[key] = (source, shape)
    return found


def _shape_as_read(graph: Graph, reader: int, position: int, attribute: str) -> tuple[int, list[int] | None]:
    """(the op computing with a parameter, the parameter's shape or None), from the op it is handed to at
    ``position`` (a recurrent layer's, through the list of its weights)."""
    op = graph.ops[reader]
    if position in _PARAMETER_POSITIONS.get(op, ()):
        return reader, _parameter_shape(graph, reader, op, position)
    if op == "prim::ListConstruct":
        edges, _ = graph.columns.out_edges(np.array([reader]))
        for rnn in graph.columns.dst[edges].tolist():
            if graph.ops[rnn] in _GATES:
                return rnn, _recurrent_shape(graph, rnn, attribute)
    return reader, None


# A recurrent layer's gates: its weights stack one matrix a gate (``weight_ih_l0`` of an LSTM is 4·hidden × input).
_GATES = {"aten::lstm": 4, "aten::gru": 3, "aten::rnn_tanh": 1, "aten::rnn_relu": 1}
_RECURRENT_WEIGHT = re.compile(r"^(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$")


def _recurrent_shape(graph: Graph, rnn: int, attribute: str) -> list[int] | None:
    """The shape of one of a recurrent layer's weights, from its input's and output's sizes (its output stacks
    both directions' hidden states when it runs both ways), or None (a projection, ``weight_hr``, is not told)."""
    found = _RECURRENT_WEIGHT.match(attribute)
    x, out = _input_shape(graph, rnn, 0), shapes.output_shape(graph, rnn, 0)
    if not found or not _known(x) or not _known(out):
        return None
    kind, side, layer = found.group(1), found.group(2), int(found.group(3))
    directions = 2 if constant(graph, _input(graph, rnn, 7)) == 1 else 1
    if out[-1] % directions:
        return None
    hidden = out[-1] // directions
    rows = _GATES[graph.ops[rnn]] * hidden
    if kind == "bias":
        return [rows]
    if side == "hh":
        return [rows, hidden]
    return [rows, x[-1] if layer == 0 else hidden * directions]


def _parameter_shape(graph: Graph, node: int, op: str, position: int) -> list[int] | None:
    """The exact shape of the parameter at ``position`` of ``node``, or None."""
    out = shapes.output_shape(graph, node, 0)
    x = _input_shape(graph, node, 0)
    if not _known(out):
        return None
    if op == "aten::linear":
        if not _known(x):
            return None
        return [out[-1], x[-1]] if position == 1 else [out[-1]]
    if op in ("aten::batch_norm", "aten::instance_norm"):
        return [out[1]] if len(out) >= 2 else None
    if op == "aten::group_norm":
        return [out[1]] if len(out) >= 2 else None
    if op == "aten::layer_norm":
        normalized = _constant_list(graph, _input(graph, node, 1))
        return normalized if normalized and all(d > 0 for d in normalized) else None
    if op == "aten::embedding":
        return None  # its number of rows is nowhere in the graph
    return _convolution_shape(graph, node, op, position, x, out)


def _convolution_shape(graph: Graph, node: int, op: str, position: int, x, out) -> list[int] | None:
    """A convolution's weight (out × in/groups × kernel, transposed: in × out/groups × kernel) or bias (out),
    its kernel worked out from the sizes, the stride, padding and dilation, where they say it exactly."""
    if not _known(x) or len(x) != len(out) or len(x) < 3:
        return None
    spatial = len(x) - 2
    if op == "aten::_convolution":
        stride, padding, dilation, transposed, extra, groups = (
            _constant_list(graph, _input(graph, node, 3)),
            _constant_list(graph, _input(graph, node, 4)),
            _constant_list(graph, _input(graph, node, 5)),
            constant(graph, _input(graph, node, 6)),
            _constant_list(graph, _input(graph, node, 7)),
            constant(graph, _input(graph, node, 8)),
        )
    elif op.startswith("aten::conv_transpose"):
        stride, padding, extra = (_constant_list(graph, _input(graph, node, k)) for k in (3, 4, 5))
        groups, dilation = constant(graph, _input(graph, node, 6)), _constant_list(graph, _input(graph, node, 7))
        transposed = 1
    else:
        stride, padding, dilation = (_constant_list(graph, _input(graph, node, k)) for k in (3, 4, 5))
        groups, transposed, extra = constant(graph, _input(graph, node, 6)), 0, [0] * spatial
    if transposed is None or not isinstance(groups, int) or groups < 1:
        return None
    lists = [_per_dimension(v, spatial) for v in (stride, padding, dilation, extra)]
    if any(v is None for v in lists):
        return None
    stride, padding, dilation, extra = lists
    channels_out, channels_in = out[1], x[1]
    if position == 2:
        return [channels_out]
    kernel = []
    for size_in, size_out, s, p, d, e in zip(x[2:], out[2:], stride, padding, dilation, extra):
        if transposed:
            span = size_out - (size_in - 1) * s + 2 * p - e - 1
        elif s == 1:
            span = size_in + 2 * p - size_out  # out = in + 2p - d(k-1): exact only when striding by 1
        else:
            return None
        if span < 0 or span % d:
            return None
        kernel.append(span // d + 1)
    if transposed:
        return [channels_in, channels_out // groups, *kernel] if channels_out % groups == 0 else None
    return [channels_out, channels_in // groups, *kernel] if channels_in % groups == 0 else None


def _per_dimension(values, spatial: int) -> list[int] | None:
    if not values or not all(isinstance(v, int) for v in values):
        return None
    return values * spatial if len(values) == 1 else values if len(values) == spatial else None


def _known(shape) -> bool:
    return bool(shape) and shape is not False and all(isinstance(d, int) and d > 0 for d in shape)


def _input(graph: Graph, node: int, position: int) -> int:
    return int(graph.columns.inputs_at(np.array([node]), position)[0])


def _input_shape(graph: Graph, node: int, position: int):
    source = _input(graph, node, position)
    return shapes.output_shape(graph, source, 0) if source >= 0 else False


def _attr_text(graph: Graph, node: int) -> str | None:
    try:
        attr = graph.node_defs[node].attr
    except NodeDefUnreadable:
        return None
    return attr["attr"].s.decode("utf-8", "replace") if "attr" in attr else None


def _attribute(graph: Graph, node: int) -> str | None:
    """The attribute a ``prim::GetAttr`` reads (``{ name :  weight }``)."""
    text = _attr_text(graph, node)
    found = _NAME.search(text) if text else None
    return found.group(1) if found else None


def constant(graph: Graph, node: int):
    """A ``prim::Constant``'s integer value (``{ value : 1}``; a boolean, ``True``, as 1), or None: a stride, a
    group count, a batch norm's ``training``, a dropout's ``train`` (fixed_modes)."""
    if node < 0 or graph.ops[node] != "prim::Constant":
        return None
    text = _attr_text(graph, node)
    found = _VALUE.search(text) if text else None
    value = found.group(1).strip() if found else ""
    return {"true": 1, "false": 0}.get(value.lower(), int(value) if re.fullmatch(r"-?\d+", value) else None)


def _constant_list(graph: Graph, node: int) -> list[int] | None:
    """A ``prim::ListConstruct`` of integer constants, or None."""
    if node < 0 or graph.ops[node] != "prim::ListConstruct":
        return None
    count = graph.in_start[node + 1] - graph.in_start[node]
    values = [constant(graph, _input(graph, node, k)) for k in range(count)]
    return values if all(isinstance(v, int) for v in values) else None
