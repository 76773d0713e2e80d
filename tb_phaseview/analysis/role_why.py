"""One sentence saying why a node has its role (``roles.py``), computed on demand for the node asked about.

Each sentence names the structure that decided: the variable a write sets and where its value comes from, the
machinery that alone reads a node, the scope TensorFlow wrote a gradient into. Pure: no TensorBoard import.
"""

from __future__ import annotations

import numpy as np

from tb_phaseview.analysis import roles as r
from tb_phaseview.analysis.graph_model import Graph

_MACHINERY_WORDS = {
    r.INIT: "initialisers",
    r.GRADIENT: "the gradients",
    r.OPTIMIZER: "the optimizer",
    r.SUMMARY: "summaries",
    r.SAVE: "the checkpoint ops",
}
_POSSESSIVE = {
    r.INIT: "the initialisers'",
    r.GRADIENT: "the gradients'",
    r.OPTIMIZER: "the optimizer's",
    r.SUMMARY: "the summaries'",
    r.SAVE: "the checkpoint's",
}
_LISTED = 2  # names quoted in a sentence before "and N more"


def _quote(names: list[str]) -> str:
    shown = ", ".join(f"`{name}`" for name in names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")


def _inputs(graph: Graph, node: int) -> list[int]:
    return [graph.edge_src[e] for e in graph.in_edges(node) if not graph.edge_control[e]]


def _consumers(graph: Graph, node: int) -> list[int]:
    return [graph.edge_dst[e] for e in graph.out_edges_of([node])[node] if not graph.edge_control[e]]


def _origin(graph: Graph, node: int) -> int:
    """Up a chain of relays (Identity, reads) to what they relay."""
    for _ in range(8):
        if graph.ops[node] not in ("Identity", "RefIdentity", "Snapshot", "ReadVariableOp"):
            break
        inputs = _inputs(graph, node)
        if not inputs:
            break
        node = inputs[0]
    return node


def _gradient_upstream(graph: Graph, node_roles: r.Roles, node: int, limit: int = 4096) -> int | None:
    """A gradient's node in a gradient scope (or a gradient op) that ``node`` computes on, up through the backward
    pass's nodes outside the scopes; None when it computes from forward values alone."""
    seen, stack = {node}, [node]
    while stack and len(seen) < limit:
        for source in _inputs(graph, stack.pop()):
            if source in seen or node_roles.codes[source] != r.GRADIENT:
                continue
            name = graph.names[source]
            if r._GRADIENT_SCOPE.search(name + "/") or r._GRADIENT_OP.search(graph.ops[source]):
                return source
            seen.add(source)
            stack.append(source)
    return None


def explain(graph: Graph, node_roles: r.Roles, node: int) -> str:
    """Why ``node`` has its role, in one sentence."""
    code = node_roles.codes[node]
    op, name = graph.ops[node], graph.names[node]
    names = graph.names
    inputs = _inputs(graph, node)
    is_write = node in node_roles.writes
    target = names[inputs[0]] if is_write and inputs else None
    value = inputs[1] if is_write and len(inputs) > 1 else None
    if code == r.PHASE:
        return "the learning-phase flag or an op that relays it unchanged (training and inference differ on it): phase"
    if code == r.HYPERPARAMETER:
        consumers = _consumers(graph, node)
        if is_write and value is not None:
            return (
                f"writes the hyperparameter `{target}` the value fed to `{names[value]}`: it is set from outside, as"
                " TF1 code sets its learning rate each epoch: hyperparameter"
            )
        if op == "Placeholder":
            written = [c for c in consumers if c in node_roles.writes]
            if written and len(written) == len(consumers):
                into = _inputs(graph, written[0])
                return (
                    f"fed only to be written into the hyperparameter `{names[into[0]] if into else '?'}` "
                    f"(`{names[written[0]]}`): hyperparameter"
                )
        if op == "Const" and node not in node_roles.hyper_carriers and consumers:
            return (
                f"a constant only the hyperparameter {_quote([names[c] for c in consumers])} reads (its default"
                " value): hyperparameter"
            )
        source = node_roles.hyper_carriers.get(node, node)
        found = next((h for h in node_roles.hyperparameters if h.index == source), None)
        relayed = f"relays `{names[source]}`, " if source != node else ""
        if found is not None and found.dropout_reader:
            return (
                f"{relayed}a float scalar fed to one dropout (`{found.dropout_reader}` reads it, and it meets the"
                " dropout's random draw: its keep probability or rate), and nothing trains it: a hyperparameter"
            )
        readers = found.readers if found is not None else 0
        return (
            f"{relayed}a float scalar that {readers} op{'s' if readers != 1 else ''} in several layers read and"
            " nothing trains: a hyperparameter"
        )
    if code == r.SAVE:
        if op in r.SAVE_OPS:
            return f"`{op}` reads or writes a checkpoint file: checkpoint"
        if op in r.CALL_OPS:
            return "calls a function that saves or restores a checkpoint: checkpoint"
        if is_write and value is not None:
            reader = _origin(graph, value)
            return f"writes `{target}` from the checkpoint read by `{names[reader]}`: checkpoint restore"
    if code == r.INIT:
        consumers = _consumers(graph, node)
        made_by = node_roles.initial_value_functions.get(name.partition("/")[0])
        if made_by is not None:
            what = (
                "sets a weight to the value it is passed"
                if made_by == "AssignVariableOp"
                else (f"makes a weight's initial value (`{made_by}` of its arguments, returned)")
            )
            return (
                f"in a function of its own the trace recorded (`{name.partition('/')[0]}`) that {what}: TensorFlow ran"
                " it as it made the model's weights, an initialiser"
            )
        if op in r.VARIABLE_OPS and consumers and all(graph.ops[c] in r.RETURN_OPS for c in consumers):
            return (
                "creates a variable and returns its handle, a function of its own a trace records for each variable"
                " a traced call creates: setting up a variable, as an initialiser does"
            )
        if op in r.RETURN_OPS and inputs and graph.ops[inputs[0]] in r.VARIABLE_OPS:
            return f"returns the handle of the variable `{names[inputs[0]]}` creates: setting up a variable"
        if op == "_Arg" and consumers and all(c in node_roles.writes for c in consumers):
            return (
                f"a variable passed in only to be assigned its initial value (`{names[consumers[0]]}`): TensorFlow"
                " initialises the variables a traced call creates in a function of its own, an initialiser"
            )
        stack = _initialised_stack(graph, node)
        if stack is not None:
            what = (
                "stacks"
                if stack == node
                else f"{'is passed to' if op == '_Arg' else 'returns'} `{names[stack]}`, which stacks"
            )
            return (
                f"{what} whether each variable is initialised (booleans passed in): TensorFlow checks the variables"
                " a traced call creates in a function of its own, initialisation"
            )
        if op in r.INIT_OPS:
            return f"checks whether `{names[inputs[0]] if inputs else name}` is initialised: initialisation"
        if is_write and value is not None and graph.ops[value] == "Placeholder":
            return (
                f"writes `{target}` the value fed to `{names[value]}` (Keras's `set_weights`, `load_weights`): "
                "weights set from outside, as an initialiser does"
            )
        if op == "Placeholder":
            written = [names[c] for c in _consumers(graph, node) if c in node_roles.writes]
            return (
                f"fed only to be written into a variable (`{written[0] if written else '?'}`; Keras's "
                "`set_weights`, `load_weights`), never read by the model: weights set from outside, an initialiser"
            )
        read = _variable_read_by_initialiser(graph, value, f"{target}/Initializer/") if is_write else None
        if read is not None:
            return (
                f"writes `{target}` its initial value, read from `{names[read]}` in its own `{target}/Initializer/`"
                " scope (a copy made when the model was saved or exported): its initialiser"
            )
        if is_write:
            return f"writes `{target}` a value computed from constants alone: its initialiser"
        if op == "NoOp" and not inputs and not list(graph.in_edges(node)):
            return "an empty group made for initialisers (local variables, tables): initialisation"
    if code == r.GRADIENT:
        scope = r._GRADIENT_SCOPE.search(name + "/" if not name.endswith("/") else name)
        if scope:
            return f"in `{name[: scope.end() - 1]}`, the scope TensorFlow writes a loss's gradients into: gradient"
        if r._GRADIENT_OP.search(op):
            return f"`{op}` downstream of a loss's gradient: gradient"
        backward = r.backward_function(graph, node)
        if backward:
            return f"runs `{backward}`, the function TensorFlow writes for a traced call's gradient: gradient"
        if r.unused_zero(graph, node):
            # roles._claim_unused_zeros
            of = f" (of `{names[inputs[0]]}`'s output)" if op == "ZerosLike" and inputs else ""
            return (
                f"a zero{of} that TensorFlow's backward pass makes for an output no gradient flows back to, in the"
                " scope the gradient was asked for in; nothing reads it, so it never runs: gradient"
            )
        gradient_inputs = [i for i in inputs if node_roles.codes[i] == r.GRADIENT]
        summing = op in r.GRADIENT_COMBINING_OPS and inputs and len(gradient_inputs) == len(inputs)
        source = None if summing else _gradient_upstream(graph, node_roles, node)
        consumers = _consumers(graph, node)
        if source is not None:
            # Step 4 made it the optimizer's but that it leads to no update (roles._claim_backward_outside_scopes).
            where = (
                f"hands it back to the backward pass ({_quote([names[c] for c in consumers])})"
                if consumers
                else "hands it to nothing"
            )
            return (
                f"computes on a gradient (`{names[source]}`) and {where}, not to a variable's update: a custom"
                " gradient's function (`tf.custom_gradient`, Keras's swish), written outside the gradient scopes:"
                " gradient"
            )
        if not summing and consumers:
            return (
                f"read only by the backward pass ({_quote([names[c] for c in consumers])}), computed from no"
                " gradient: part of the backward pass"
            )
        return "sums or relays gradients only: gradient"
    if code == r.OPTIMIZER:
        if r._OPTIMIZER_OP.match(op):
            return f"`{op}` applies the gradients to `{target or (names[inputs[0]] if inputs else name)}`: optimizer"
        if is_write and op in r.INCREMENT_OPS | r.SET_OPS and value is not None and _adds_a_constant(graph, op, value):
            return f"adds a constant to `{target}` each training step: a step counter, the optimizer's"
        if node in node_roles.variables:
            increments = [
                c
                for c in _consumers(graph, node)
                if graph.ops[c] in r.INCREMENT_OPS
                and node_roles.codes[c] == r.OPTIMIZER
                and _inputs(graph, c)[:1] == [node]
            ]
            if increments:
                return f"a step counter: `{names[increments[0]]}` adds a constant to it each training step: optimizer"
            calls = r.written_in_functions(graph, [node], np.frombuffer(node_roles.codes, dtype=np.uint8))
            if r.OPTIMIZER in calls.get(node, ()):
                return (
                    "a float scalar the optimizer updates inside a call's function (a LossScaleOptimizer's loss scale,"
                    " in its `cond`): optimizer state"
                )
            if r._is_integer_scalar(graph, node) and not any(
                node_roles.codes[c] == r.OPTIMIZER and c in node_roles.writes for c in _consumers(graph, node)
            ):
                return "an integer scalar variable that nothing in the model reads, kept for the checkpoint: a step counter, the optimizer's"
            readers = [c for c in _consumers(graph, node) if node_roles.codes[c] == r.OPTIMIZER]
            if readers:
                return f"a variable only the optimizer reads and updates (`{names[readers[0]]}`): optimizer state"
            return "a variable in the optimizer's scope that only initialisers and checkpoints read: optimizer state"
        if is_write and value is not None and _averages_weights(graph, node_roles, value):
            return (
                f"writes `{target}` a value computed from variables alone, no data (a moving average of the weights, "
                "a copy): training machinery, the optimizer's"
            )
        if is_write:
            return f"writes `{target}` a value computed from gradients or the optimizer's state: optimizer update"
    if code in r.MACHINERY:
        consumers = _consumers(graph, node)
        if consumers and all(node_roles.codes[c] == code for c in consumers):
            return (
                f"read only by {_MACHINERY_WORDS[code]} ({_quote([names[c] for c in consumers])}), and it computes"
                f" nothing from the data fed to the model: {r.ROLE_NAMES[code]}"
            )
        waited = [graph.edge_src[e] for e in graph.in_edges(node)]
        sources = [i for i in waited if node_roles.codes[i] == code]
        if sources:
            what = "waits for" if op == "NoOp" else "computes on"
            # A training step's `group_deps` also waits for model ops (a moving average of the loss), a read
            # after an initialiser reads the model's variable: say which, never "nothing of the model's".
            others = [i for i in waited if node_roles.codes[i] != code and graph.ops[i] != "Const"]
            if others:
                return (
                    f"{what} {_POSSESSIVE[code]} ops ({_quote([names[i] for i in sources])}), and"
                    f" {'for' if op == 'NoOp' else 'on'} {_quote([names[i] for i in others])} too: {r.ROLE_NAMES[code]}"
                )
            return (
                f"{what} {_POSSESSIVE[code]} ops ({_quote([names[i] for i in sources])}) and nothing of the"
                f" model's but constants: {r.ROLE_NAMES[code]}"
            )
        scope = name.rpartition("/")[0]
        settings = [names[h.index] for h in node_roles.hyperparameters if names[h.index].rpartition("/")[0] == scope]
        if op == "Const" and not consumers and not inputs and scope and settings:
            return (
                f"a constant nothing reads, beside {_POSSESSIVE[code]} hyperparameters ({_quote(settings)}): one of"
                f" its settings it does not use: {r.ROLE_NAMES[code]}"
            )
        if op == "Const" and not consumers and not inputs:
            # roles._claim_dead_constants_among_machinery
            within, company = r.dead_constant_company(graph, r.unread_constants(graph), node)
            if company:
                return (
                    f"a constant nothing reads, in the scope `{within}` of {_POSSESSIVE[code]} ops"
                    f" ({_quote([names[i] for i in company])}): {r.ROLE_NAMES[code]}"
                )
        return f"part of {_MACHINERY_WORDS[code]}: {r.ROLE_NAMES[code]}"
    # The model.
    if r._GRADIENT_SCOPE.search(name) and not node_roles.variables:
        return "in a gradient scope of a graph that trains nothing (it holds no variable): part of what it computes"
    if r._GRADIENT_OP.search(op):
        example = " (a transposed convolution runs it)" if "BackpropInput" in op else ""
        return f"`{op}` in the forward pass: no loss's gradient reaches it{example}: model"
    if node in node_roles.variables:
        readers = [c for c in _consumers(graph, node) if node_roles.codes[c] == r.MODEL]
        if readers and not _computed_with(graph, node_roles, node):
            # Its `read` is read by nothing (a variable left by a cell run again, a value kept for display).
            return (
                f"a variable of the model whose reads (`{names[readers[0]]}`) nothing computes with; only the "
                "initialisers and checkpoints use it: model"
            )
        read = f" (`{names[readers[0]]}`)" if readers else ""
        return f"a variable the forward computation reads{read}: model"
    if is_write:
        return f"updates `{target}` from the forward pass (a moving average or a metric's total): model"
    if op in r.HYPER_SOURCE_OPS:
        return "an input of the model, fed with each batch: model"
    return "part of the forward computation, its loss or its metrics: model"


def _computed_with(graph: Graph, node_roles, variable: int, limit: int = 64) -> bool:
    """Whether a model op computes with the variable's value: past the relays that only read it (`read`,
    `ReadVariableOp`), some op of the model takes it as a data input."""
    seen, frontier = {variable}, [variable]
    while frontier and len(seen) < limit:
        current = frontier.pop()
        for consumer in _consumers(graph, current):
            if consumer in seen or node_roles.codes[consumer] != r.MODEL:
                continue
            if graph.ops[consumer] not in ("Identity",) and graph.ops[consumer] not in r.READ_OPS:
                return True
            seen.add(consumer)
            frontier.append(consumer)
    return len(seen) >= limit


def _constant(graph: Graph, node: int) -> bool:
    while graph.ops[node] == "Cast" and _inputs(graph, node):  # Keras 3 casts its 1 to the step's type
        node = _inputs(graph, node)[0]
    return graph.ops[node] == "Const"


def _adds_a_constant(graph: Graph, op: str, value: int) -> bool:
    """An increment by a constant (``assign_add(step, 1)``) or a set of the step plus one (``assign(step, step +
    1)``, BERT's and Keras 3's)."""
    if op in r.INCREMENT_OPS:
        return _constant(graph, value)
    return graph.ops[value] in r.ADD_OPS and any(_constant(graph, a) for a in _inputs(graph, value))


def _averages_weights(graph: Graph, node_roles, node: int, limit: int = 64) -> bool:
    """Whether ``node`` computes from a model variable (a weight) and from no gradient or optimizer update, among
    its first ``limit`` data ancestors: a moving average of the weights, or a copy of them."""
    seen, frontier, weights = {node}, [node], False
    while frontier and len(seen) < limit:
        current = frontier.pop()
        if node_roles.codes[current] == r.GRADIENT or r._OPTIMIZER_OP.match(graph.ops[current]):
            return False
        weights = weights or (current in node_roles.variables and node_roles.codes[current] == r.MODEL)
        for e in graph.in_edges(current):
            source = graph.edge_src[e]
            if not graph.edge_control[e] and source not in seen:
                seen.add(source)
                frontier.append(source)
    return weights


def _initialised_stack(graph: Graph, node: int) -> int | None:
    """The ``Pack`` of a function graph that stacks boolean arguments into its one result (which variables are
    initialised; ``roles._claim_lifted_initialisation``), when ``node`` is that pack, one of them or its result."""
    op = graph.ops[node]
    if op == "Pack":
        pack = node
    elif op == "_Arg" or op in r.RETURN_OPS:
        nearby = _consumers(graph, node) if op == "_Arg" else _inputs(graph, node)
        pack = nearby[0] if len(nearby) == 1 and graph.ops[nearby[0]] == "Pack" else None
    else:
        pack = None
    if pack is None:
        return None
    packed = _inputs(graph, pack)
    results = _consumers(graph, pack)
    if not packed or not results or not all(graph.ops[c] in r.RETURN_OPS for c in results):
        return None
    return pack if all(graph.ops[a] == "_Arg" and r._is_bool_argument(graph, a) for a in packed) else None


def _variable_read_by_initialiser(graph: Graph, value: int | None, scope: str) -> int | None:
    """The variable a variable's own initialiser reads its value from (``v/Initializer/ReadVariableOp`` of
    another variable: ``roles._claim_own_initialisers``), or None when it computes from constants alone."""
    if value is None or not graph.names[value].startswith(scope):
        return None
    sources = r.VARIABLE_OPS | r.READ_OPS | {"_Arg"}
    for node in r._ancestors_named(graph, value, scope):
        for source in _inputs(graph, node):
            if not graph.names[source].startswith(scope) and graph.ops[source] in sources:
                return source
    return None
