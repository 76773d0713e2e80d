"""What a group answer says about sizes: the shape each drawn edge carries and, for each child box, its output
shape and the parameters of the model variables inside it.

Costs the group's own edges and the model's variables: only the sources of the edges drawn between the
children and the variables have their attributes parsed (shapes.py), never the whole graph.
"""

from __future__ import annotations

import numpy as np

from tb_phaseview.analysis import edge_kinds, layers, roles, scopes, shapes, torch_layers

_NO_TENSOR = frozenset({edge_kinds.CONTROL, edge_kinds.CONSTANT})  # a constant hands a setting, not a tensor
_MODEL_KINDS = (edge_kinds.DATA, edge_kinds.VARIABLE)
# Past this many source ops (or variables) to read, an answer goes without them: the attributes of each are parsed
# on their own (about 20 us each), and a huge flat top level would wait a second for labels too small to read.
BUDGET = 5000


def _model_variables(analysis) -> np.ndarray:
    """The model's variables: declared ones, and those a traced function takes as resource arguments (a trace's
    ``_Arg``, a run graph's captured ``Placeholder``), as the summary counts them."""
    graph = analysis.graph
    codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)

    def find() -> np.ndarray:
        declared = graph.columns.op_in(roles.VARIABLE_OPS)
        passed = [n for n in analysis.roles.variables if graph.ops[n] in shapes.RESOURCE_INPUTS]
        declared[passed] = True
        return np.flatnonzero(declared & (codes == roles.MODEL))

    return analysis.memo(("model_variables",), find)


def _boxes_of_variables(analysis, variables: np.ndarray, child_of: np.ndarray) -> np.ndarray:
    """The box holding each variable: its own, else, for a variable outside the group drawn, the one box holding
    every model op that reads it (-1 when none or several do). A weight passed in (a trace's argument, a run
    graph's captured placeholder) is a handle: counted in the one box reading it wherever it sits (in its own
    when several do), so that a trace's arguments (``unknown_[0-11]``) do not show the parameters the model's
    box beside them shows too."""
    graph = analysis.graph
    boxes = child_of[variables]
    ops = graph.ops
    passed = np.array([ops[v] in shapes.RESOURCE_INPUTS for v in variables.tolist()], dtype=bool)
    outside = np.flatnonzero((boxes < 0) | passed)
    if not outside.size:
        return boxes
    codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)
    columns = graph.columns
    relays, penalties = layers.relay_ops(graph), columns.op_in(_PENALTIES)
    names = graph.names
    nodes, of = variables[outside], variables[outside]
    # A part of a partitioned variable is read through the variable's own scope (its parts joined in
    # ``…/weights/ConcatPartitions``, then ``…/weights``).
    prefixes = {int(v): layers.partitioned_variable(names[v]) + "/" for v in of.tolist()}
    joins = columns.op_in(_PARTITION_JOINS)
    owners_found, boxes_found = [], []
    # Read through reads outside the group drawn (TF-Slim's ``conv1/conv1_1/weights/read``, convolved in
    # ``clone_0/conv1/conv1_1``): the box computing with the weight holds it there.
    for _ in range(4):
        edges, _ = columns.out_edges(nodes)
        of = np.repeat(of, columns.out_start[nodes + 1] - columns.out_start[nodes])
        readers = columns.dst[edges]
        read = (codes[readers] == roles.MODEL) & columns.data[edges]
        # A penalty on the weight outside the group (TF-Slim's ``kernel/Regularizer/l2_regularizer/L2Loss``, in
        # the weights' scope) does not compute with it.
        read &= ~penalties[readers] | (child_of[readers] >= 0)
        readers, of = readers[read], of[read]
        # The weight's own read outside the group (``weights/read``) is followed to its readers when it has some
        # (a read nothing uses, as Keras leaves beside each weight, is a read outside, as before).
        own = np.fromiter(
            map(
                str.startswith,
                map("{}/".format, map(names.__getitem__, readers.tolist())),
                map(prefixes.__getitem__, of.tolist()),
            ),
            dtype=bool,
            count=len(readers),
        )
        passing = relays[readers] | joins[readers]
        onward = own & passing & (child_of[readers] < 0) & (_model_readers(analysis)[readers] > 0)
        owners_found.append(of[~onward])
        boxes_found.append(child_of[readers[~onward]])
        nodes, of = readers[onward], of[onward]
        if not nodes.size:
            break
    owners, reader_boxes = np.concatenate(owners_found), np.concatenate(boxes_found)
    position = {int(v): i for i, v in enumerate(variables[outside].tolist())}
    found: dict[int, set[int]] = {}
    for owner, box in zip(owners.tolist(), reader_boxes.tolist()):
        found.setdefault(owner, set()).add(box)
    for owner, held in found.items():
        if len(held) == 1 and -1 not in held:
            boxes[outside[position[owner]]] = held.pop()
    return boxes


_PENALTIES = frozenset({"L2Loss"})
_PARTITION_JOINS = frozenset({"ConcatV2", "Concat"})


def _model_readers(analysis) -> np.ndarray:
    """Per node: how many data edges leave it for ops of the model."""

    def count() -> np.ndarray:
        columns = analysis.graph.columns
        codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)
        to_model = columns.data & (codes[columns.dst] == roles.MODEL)
        return np.bincount(columns.src[to_model], minlength=analysis.graph.node_count)

    return analysis.memo(("model_readers",), count)


def _no_parameters(analysis) -> set[int]:
    """The model variables that are no layer's parameters, as the summary counts them (a metric's total, a flag,
    an unused variable): decided over all of them at once, once, and only when a box's sizes are asked for."""
    graph = analysis.graph
    codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)

    def find() -> set[int]:
        running, unused = layers.state_variables(graph, analysis.roles, _model_variables(analysis).tolist(), codes)
        return running | unused

    return analysis.memo(("no_parameters",), find)


def prepare(analysis) -> None:
    """What the sizes of every group answer read, computed once per analysis: which model variables are no
    layer's parameters (0.4 s at 1,000,000 nodes). The background completion runs it, so that the first group
    opened does not wait for it."""
    if len(_model_variables(analysis)):
        _no_parameters(analysis)


def _variable_sizes(analysis, nodes: list[int]) -> tuple[list[int], list[bool]]:
    """Elements of each variable and whether it is trained (layers.py's rule)."""
    graph = analysis.graph
    codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)
    trained = layers.trainable_variables(graph, analysis.roles, nodes, codes)
    return [getattr(shapes.variable(graph, n), "size", 0) for n in nodes], [n in trained for n in nodes]


def _child_numbers(analysis, group_id: str, names: list[str]) -> np.ndarray:
    """Each node's child box of ``group_id`` (its position in ``names``), or -1 outside the group."""
    tree, graph = analysis.tree, analysis.graph
    number = {name: i for i, name in enumerate(names)}
    if group_id == "":
        # Top-level labels are group ids, or the node's own index for an op at the top level: the children are
        # looked up by those, then every node's label is read from the tree's numpy codes (no label per node).
        for i, name in enumerate(names):
            index = graph.index.get(name)
            if index is not None and not tree.is_group(name):
                number[index] = i
        return tree.top_numbers(number)
    child_of = np.full(graph.node_count, -1, dtype=np.intp)
    if tree.size_of(group_id) > scopes.LARGE_GROUP_NODES:
        return _child_numbers_in_numpy(tree, graph, group_id, number, child_of)
    depth = len(tree.chain(group_id))
    by_parent: dict[str, int] = {}
    for node in tree.descendant_nodes(group_id):
        parent = tree.node_parent[node]
        found = by_parent.get(parent)
        if found is None:
            below = tree.chain(parent)
            found = by_parent[parent] = number.get(below[depth], -1) if len(below) > depth else -1
        child_of[node] = found if found >= 0 else number.get(graph.names[node], -1)
    return child_of


def _child_numbers_in_numpy(tree, graph, group_id: str, number: dict, child_of: np.ndarray) -> np.ndarray:
    """``_child_numbers`` of a large group: the ops below it by the child they are drawn in (``child_codes``),
    each distinct child looked up once; an op whose child is not listed is looked up by its own name."""
    nodes = np.asarray(tree.descendant_nodes(group_id), dtype=np.intp)
    codes = scopes.child_codes(tree, group_id, nodes)
    groups, root = tree._groups, len(tree._groups)
    distinct, inverse = np.unique(codes, return_inverse=True)
    numbers = np.array([number.get(groups[c], -1) if c < root else -1 for c in distinct.tolist()], dtype=np.intp)[
        inverse
    ]
    for i in np.flatnonzero(numbers < 0).tolist():  # ops that are children themselves, and the few left out
        numbers[i] = number.get(graph.names[int(nodes[i])], -1)
    child_of[nodes] = numbers
    return child_of


def _weight_reads(analysis) -> np.ndarray:
    """Per node: whether what it puts out is a weight as stored (a variable, its ``ReadVariableOp``, an
    ``Identity`` of either: a ref variable's ``read``, a resource variable's ``Read/Identity``), not computed from
    one."""
    graph = analysis.graph

    def find() -> np.ndarray:
        columns = graph.columns
        reads = columns.op_in(roles.VARIABLE_OPS | {"ReadVariableOp"})
        # A frozen graph's weights are constants (read through ``read`` identities as a variable is): found over
        # the edges, none of their attributes parsed.
        reads[list(layers.frozen_weight_nodes(analysis))] = True
        identities = np.flatnonzero(columns.op_in(frozenset({"Identity"})))
        sources = columns.inputs_at(identities, 0)
        identities, sources = identities[sources >= 0], sources[sources >= 0]
        for _ in range(3):  # an Identity of an Identity of a read, at most
            reads[identities] = reads[sources]
        return reads

    return analysis.memo(("weight_reads",), find)


def _shapes_leaving(analysis, child_of: np.ndarray, boxes: int, budget: int, inferred: dict, among) -> dict:
    """The largest tensor each box hands by an edge of those ``among`` to an op outside the group drawn, by box."""
    if budget <= 0 or child_of.min(initial=0) >= 0:
        return {}  # nothing outside the group (the top level)
    columns = analysis.graph.columns
    among = among & (child_of[columns.src] >= 0)
    among &= child_of[columns.dst] < 0
    if not among.any():
        return {}
    outside = np.where(child_of < 0, boxes, child_of)  # the group's outside as one more box
    found = shapes.edge_shapes(analysis.graph, outside, budget, among, inferred) or {}
    return {box: shape for (box, _), shape in found.items()}


def _box_outputs(analysis, children: list[dict], child_of: np.ndarray, budget: int, inferred: dict) -> dict:
    """Each box's output, by box: the largest tensor it hands by a data edge (the machinery's reads are other kinds
    of edge) to a sibling or out of the group drawn (a model's last layer, read by the loss outside the model's
    box; a BatchNorm's ``cond``, whose moving statistics go to a sibling and whose activations leave; a TF1 loop,
    whose TensorArray's scalar flow goes to a sibling and whose final state leaves), never a weight as stored (a
    TF1 cell's scope of weights, read in its loop elsewhere, puts out no 531×1024) but for an op drawn on its
    own."""
    graph = analysis.graph
    sources = graph.columns.src
    is_op = np.array([child["type"] == "op" for child in children] + [False], dtype=bool)  # [-1]: outside
    computed = ~_weight_reads(analysis)[sources] | is_op[child_of[sources]]
    among = computed & (analysis.kind_codes == edge_kinds.EDGE_KINDS.index(edge_kinds.DATA))
    settings = _settings(analysis)
    if settings is not None:
        among &= ~settings
    handed = shapes.edge_shapes(graph, child_of, budget, among, inferred) or {}
    leaving = _shapes_leaving(analysis, child_of, len(children), budget, inferred, among)
    outputs: dict[int, tuple[int, shapes.EdgeShape]] = {}
    for box, shape in [*((box, shape) for (box, _), shape in handed.items()), *leaving.items()]:
        if box not in outputs or shape.elements > outputs[box][0]:
            outputs[box] = (shape.elements, shape)
    return outputs


def mark(analysis, group_id: str, children: list[dict], edges: list[dict]) -> None:
    """Add ``shape`` to each edge entry that carries a tensor of known shape, and ``size`` to each child that
    holds model variables or whose output is drawn (``shape_info``) (docs/wire_format.md, *Shapes and sizes*)."""
    names = [child["name"] for child in children]
    child_of = _child_numbers(analysis, group_id, names)
    # The model's edges first (drawn by default), then the machinery's with what is left of the budget.
    codes = analysis.kind_codes
    model = np.isin(codes, [edge_kinds.EDGE_KINDS.index(k) for k in _MODEL_KINDS])
    settings = _settings(analysis)
    if settings is not None:
        model &= ~settings
    # What the graph does not record is inferred (a trace records no shape), as the summary infers it, within the
    # summary's budget of nodes visited per answer. What other answers derived for certain is not derived again:
    # an answer that spends its budget may thus label more edges after others, never other shapes.
    inferred = shapes.ShapeMemo(analysis.memo(("certain_shapes",), dict))
    found = shapes.edge_shapes(analysis.graph, child_of, BUDGET, model, inferred) or {}
    found.update(shapes.edge_shapes(analysis.graph, child_of, BUDGET - len(found), ~model) or {})
    number = {name: i for i, name in enumerate(names)}
    for edge in edges:
        if edge["kind"] in _NO_TENSOR:
            continue
        shape = found.get((number.get(edge["from"]), number.get(edge["to"])))
        if shape is not None:
            edge["shape"] = shape.entry()
    outputs = _box_outputs(analysis, children, child_of, BUDGET, inferred)
    params: dict[int, list[int]] = {}
    # A frozen graph's weights are constants: counted as the summary counts them (layers.frozen_weights).
    if layers.is_frozen(analysis) and len(layers.frozen_weight_nodes(analysis)) <= BUDGET:
        for node, weight in layers.frozen_weights(analysis).items():
            box = int(child_of[node])
            if box >= 0:
                entry = params.setdefault(box, [0, 0])
                entry[0] += weight.variable.size
                entry[1] += weight.variable.size if weight.trainable else 0
    unknown: dict[int, int] = {}
    if torch_layers.wrote(analysis):
        _torch_params(analysis, names, params, unknown)
    variables = _model_variables(analysis)
    boxes = _boxes_of_variables(analysis, variables, child_of) if len(variables) else np.zeros(0, dtype=np.intp)
    inside = np.flatnonzero(boxes >= 0)
    if len(inside) <= BUDGET:
        skip = _no_parameters(analysis)
        inside = np.array([i for i in inside.tolist() if int(variables[i]) not in skip], dtype=np.intp)
        sizes, trained = _variable_sizes(analysis, variables[inside].tolist())
        for box, size, is_trained in zip(boxes[inside].tolist(), sizes, trained):
            entry = params.setdefault(box, [0, 0])
            entry[0] += size
            entry[1] += size if is_trained else 0
    for i, child in enumerate(children):
        info = {}
        if i in params:
            info["params"], info["trainable_params"] = params[i]
        if unknown.get(i):
            info["unknown_params"] = unknown[i]
        if i in outputs:
            info["output_shape"] = outputs[i][1].text
        if info:
            child["shape_info"] = info


def _settings(analysis) -> np.ndarray | None:
    """Per edge, whether it hands a PyTorch op a setting (a stride, a padding list: no tensor an edge carries; a
    convolution's box said ``2×16×16×16 +2``); None for a TensorFlow graph (none does)."""

    def find() -> np.ndarray:
        columns = analysis.graph.columns
        return columns.op_in(edge_kinds.TRACE_SETTINGS)[columns.src]

    return analysis.memo(("torch_settings",), find) if torch_layers.wrote(analysis) else None


def _torch_params(analysis, names: list[str], params: dict, unknown: dict) -> None:
    """A PyTorch graph's boxes count what its summary counts (its parameters have no variable op): a module's box
    its row's parameters, another box the outermost rows inside it (the model's box, all of them), and how many of
    theirs are of a size the graph does not say (``32 + ? params``)."""
    summary = analysis.memo(("summary",), lambda: layers.summarize(analysis))
    rows = {layer.name: layer for layer in summary.layers}
    unknown_in = layers.unknown_params(summary.layers)
    for i, name in enumerate(names):
        inside = [rows[name]] if name in rows else []
        if not inside:
            prefix = name + "/"
            inside = [
                layer
                for layer in summary.layers
                if layer.name.startswith(prefix) and not (layer.within or "").startswith(prefix)
            ]
        total = sum(layer.params for layer in inside)
        unknown[i] = sum(unknown_in[layer.name] for layer in inside)
        if total or unknown[i]:  # a box of no parameters says none, as a TensorFlow layer's of no variable
            params[i] = [total, total]
