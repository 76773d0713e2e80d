"""Give every edge of a graph one kind, from the roles of its two ends (``roles.py``). Pure: no TensorBoard import.

Kinds, highest priority first:
- ``phase``: leaves a node that carries the learning-phase flag (see ``phase.py``); carries no activations.
- ``hyperparameter``: leaves a node that carries a hyperparameter (``keep_prob``, the learning rate), except
  to its own initialiser.
- ``init``, ``gradient``, ``optimizer``, ``summary``, ``save``: reaches (or else leaves) a node of that
  machinery role: the consumer's role decides (a gradient fed to an update is ``optimizer``).
- ``control``: a control dependency (``^name`` input); orders execution, carries no tensor.
- ``variable``: leaves a variable (a read, or the handle a write takes; in a PyTorch trace a ``prim::GetAttr``) or
  feeds a variable write (a moving-average update).
- ``constant``: a setting PyTorch's tracer made once, in the module that first used it, read by another module (a
  stride, a padding list, a batch norm's ``training``): it ties no module to another.
- ``data``: a tensor flowing from one op to another.
"""

from __future__ import annotations

from itertools import compress

import numpy as np

from tb_phaseview.analysis import roles as node_roles
from tb_phaseview.analysis.graph_model import Graph

DATA = "data"
CONTROL = "control"
PHASE = "phase"
VARIABLE = "variable"
HYPERPARAMETER = "hyperparameter"
INIT = "init"
GRADIENT = "gradient"
OPTIMIZER = "optimizer"
SUMMARY = "summary"
SAVE = "save"
CONSTANT = "constant"
EDGE_KINDS = (DATA, CONTROL, PHASE, VARIABLE, HYPERPARAMETER, INIT, GRADIENT, OPTIMIZER, SUMMARY, SAVE, CONSTANT)
MACHINERY_KINDS = (INIT, GRADIENT, OPTIMIZER, SUMMARY, SAVE)
_VARIABLE_FLAG = 8  # added to a node's role code when it holds a variable (source side) or writes one


def _kind(src_class: int, dst_class: int, control: bool) -> str:
    src_role, src_variable = src_class & 7, bool(src_class & _VARIABLE_FLAG)
    dst_role, dst_write = dst_class & 7, bool(dst_class & _VARIABLE_FLAG)
    if src_role == node_roles.PHASE:
        return PHASE
    # Its own initialiser sets it, and a checkpoint saves and restores it as it does every variable: neither reads
    # a setting (the checkpoints' area drawn as reading the learning rate said nothing).
    if src_role == node_roles.HYPERPARAMETER and dst_role not in (node_roles.INIT, node_roles.SAVE):
        return HYPERPARAMETER
    if dst_role in node_roles.MACHINERY:
        return node_roles.ROLE_NAMES[dst_role]
    if src_role in node_roles.MACHINERY:
        return node_roles.ROLE_NAMES[src_role]
    if control:
        return CONTROL
    if src_variable or dst_write:
        return VARIABLE
    return DATA


# Every (source class, destination class, control) combination, decided once, indexed by
# source class * 32 + destination class * 2 + control.
_TABLE = np.array(
    [EDGE_KINDS.index(_kind(a, b, c)) for a in range(16) for b in range(16) for c in (False, True)], dtype=np.uint8
)
_KIND_NAMES = np.array(EDGE_KINDS, dtype=object)

# What a PyTorch trace hands its ops besides tensors: constants, and lists and tuples of them (a stride, a padding).
TRACE_SETTINGS = frozenset({"prim::Constant", "prim::ListConstruct", "prim::TupleConstruct"})
_TRACE_CONSTRUCTS = frozenset({"prim::ListConstruct", "prim::TupleConstruct"})


def kind_names(codes: np.ndarray) -> list[str]:
    """The kinds of ``classify_edge_codes`` by name, indexed like ``graph.edge_src``."""
    return _KIND_NAMES[codes].tolist()


def classify_edge_codes(graph: Graph, roles: node_roles.Roles) -> np.ndarray:
    """The kind of every edge as its position in EDGE_KINDS: one table lookup per edge, over whole columns."""
    columns = graph.columns
    codes = np.frombuffer(bytes(roles.codes), dtype=np.uint8).astype(np.intp)
    src_class, dst_class = codes.copy(), codes.copy()
    src_class[list(roles.variables)] |= _VARIABLE_FLAG
    dst_class[list(roles.writes)] |= _VARIABLE_FLAG
    kinds = _TABLE[src_class[columns.src] * 32 + dst_class[columns.dst] * 2 + ~columns.data]
    data = kinds == EDGE_KINDS.index(DATA)
    shared = shared_trace_constants(graph)
    if shared is not None:
        kinds[shared & data] = EDGE_KINDS.index(CONSTANT)
    # A trace reads each parameter (and buffer) through ``prim::GetAttr``: its variable read. A ModuleList's blocks
    # read theirs through the list's scope, and the list's box looked like a layer feeding each block.
    reads = columns.op_in(("prim::GetAttr",))
    if reads.any():
        kinds[reads[columns.src] & data] = EDGE_KINDS.index(VARIABLE)
    return kinds


def shared_trace_constants(graph: Graph) -> np.ndarray | None:
    """Per edge: whether it hands a constant setting made in one scope to an op outside it; None for a graph with
    no PyTorch constant (every TensorFlow graph).

    PyTorch's tracer makes each distinct constant once, where it is first needed, and every later use reads that
    one: ``Conv2d[0]/252`` (a 1) is read by the convolutions of ``Conv2d[4]`` and ``Conv2d[7]``, ``BatchNorm2d[1]/250``
    (``training``, False) by every later batch norm. Drawn as data, the first module looked wired to all the others,
    as the first BatchNorm did in TF1 Keras graphs. A list or tuple of constants is one too; a reader inside the
    constant's own scope (its module, or a module within it) is not tied to another module by it."""
    columns = graph.columns
    constant = columns.op_in(("prim::Constant",))
    if not constant.any():
        return None
    constructs = columns.op_in(_TRACE_CONSTRUCTS)
    while True:  # a list of lists of constants is a constant too
        pending = np.flatnonzero(constructs & ~constant)
        if not pending.size:
            break
        edges, owners = columns.in_edges(pending)
        varying = np.zeros(graph.node_count, dtype=bool)
        varying[owners[~constant[columns.src[edges]]]] = True
        settled = pending[~varying[pending]]
        if not settled.size:
            break
        constant[settled] = True
    candidates = np.flatnonzero(constant[columns.src])
    shared = np.zeros(len(columns.src), dtype=bool)
    names = graph.names
    for edge, src, dst in zip(candidates.tolist(), columns.src[candidates].tolist(), columns.dst[candidates].tolist()):
        scope = names[src].rpartition("/")[0]
        reader = names[dst].rpartition("/")[0]
        shared[edge] = bool(scope) and reader != scope and not reader.startswith(scope + "/")
    return shared


def count_kinds(codes: np.ndarray) -> dict[str, int]:
    """Edges of each kind, from the codes of ``classify_edge_codes``."""
    counts = np.bincount(codes, minlength=len(EDGE_KINDS)).tolist()
    return dict(zip(EDGE_KINDS, counts))


def edges_of_kind(kinds: list[str], kind: str) -> list[int]:
    return list(compress(range(len(kinds)), map(kind.__eq__, kinds)))
