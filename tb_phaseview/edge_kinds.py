"""Give every edge of a graph one kind. Pure: no TensorBoard import.

Kinds, highest priority first:
- ``phase``: leaves a node that carries the learning-phase flag (see ``phase.py``); carries no activations.
- ``control``: a control dependency (``^name`` input); orders execution, carries no tensor.
- ``data``: a tensor flowing from one op to another.
"""

from __future__ import annotations

from collections import Counter
from itertools import compress

from tb_phaseview.graph_model import Graph

DATA = "data"
CONTROL = "control"
PHASE = "phase"
EDGE_KINDS = (DATA, CONTROL, PHASE)


def classify_edges(graph: Graph, phase_carriers) -> list[str]:
    """The kind of every edge, indexed like ``graph.edge_src``."""
    kinds = [CONTROL if control else DATA for control in graph.edge_control]
    if phase_carriers:
        # The carriers are a handful of nodes: find their edges with a scan in C.
        for e in compress(range(len(kinds)), map(phase_carriers.__contains__, graph.edge_src)):
            kinds[e] = PHASE
    return kinds


def count_kinds(kinds: list[str]) -> dict[str, int]:
    counts = Counter(kinds)
    return {kind: counts[kind] for kind in EDGE_KINDS}
