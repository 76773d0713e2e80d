"""Everything tb_phaseview derives from one GraphDef, computed once and cached per graph blob.

Pure: takes a GraphDef-shaped object, imports no TensorBoard.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections import Counter
from dataclasses import dataclass, field

from tb_phaseview import edge_kinds, phase, phase_runs, scopes
from tb_phaseview.graph_model import Graph, build_graph


@dataclass
class GraphAnalysis:
    graph: Graph
    phase: phase.PhaseAnalysis
    kinds: list[str]
    tree: scopes.ScopeTree
    relocations: dict[str, str]
    blob_bytes: int = 0  # size of the logged bytes it came from (for the cache's memory estimate)
    # Filled on demand: group id -> Counter((from child, to child, kind) -> op-level edge count).
    _group_edges: dict[str, Counter] = field(default_factory=dict)
    _layers_below: Counter | None = None
    _layer_kinds: dict[str, phase.PhaseLayer] | None = None
    _answers: dict = field(default_factory=dict)
    _completion_claimed: bool = False

    def claim_completion(self) -> bool:
        """True once, for the caller that is to run ``complete``."""
        with _completion_lock:
            if self._completion_claimed:
                return False
            self._completion_claimed = True
            return True

    def complete(self) -> None:
        """Build what the first answer did without (the groups' children lists below the top level and the
        out-edge index), so that opening a group or inspecting a node does not wait for it."""
        with garbage_collector_paused():
            self.tree.build_children()
            if self.graph.node_count:
                self.graph.out_edges(0)

    def memo(self, key, compute):
        """An answer derived from this analysis alone, computed once (the analysis never changes)."""
        if key not in self._answers:
            with garbage_collector_paused():
                self._answers[key] = compute()
        return self._answers[key]

    @property
    def phase_runs(self) -> phase_runs.PhaseRuns:
        """What runs in each phase; resolved on first use, not for the first view."""
        return self.memo(("phase_runs",), lambda: phase_runs.resolve_phases(self.graph, self.phase))

    @property
    def edge_counts(self) -> dict[str, int]:
        return edge_kinds.count_kinds(self.kinds)

    def group_edges(self, group_id: str) -> Counter:
        counts = self._group_edges.get(group_id)
        if counts is None:
            # Phase edges never shape a layout; they travel separately (see wire.graph_answer).
            counts = self._group_edges[group_id] = scopes.aggregate_group_edges(
                self.tree, group_id, self.graph.out_edges, self.graph.edge_src, self.graph.edge_dst, self.kinds,
                skip_kinds=(edge_kinds.PHASE,),
            )
        return counts

    @property
    def source_by_name(self) -> dict[str, phase.PhaseSource]:
        return {source.name: source for source in self.phase.sources}

    def op_counts(self, group_id: str) -> Counter:
        return self.tree.op_counts(group_id, self.graph.ops)

    @property
    def layer_kinds(self) -> dict[str, phase.PhaseLayer]:
        if self._layer_kinds is None:
            self._layer_kinds = {layer.layer: layer for layer in self.phase.layers}
        return self._layer_kinds

    def layers_below(self, group_id: str) -> int:
        """How many flag-reading layers sit strictly below a group."""
        if self._layers_below is None:
            below: Counter = Counter()
            for layer in self.layer_kinds:
                if self.tree.is_group(layer):
                    for ancestor in self.tree.chain(layer)[:-1]:
                        below[ancestor] += 1
                elif layer in self.graph.index:
                    for ancestor in self.tree.chain(self.tree.node_parent[self.graph.index[layer]]):
                        below[ancestor] += 1
            self._layers_below = below
        return self._layers_below.get(group_id, 0)

    def path_of_node(self, index: int) -> list[str]:
        return list(self.tree.chain(self.tree.node_parent[index]))


def relocation_target(source: phase.PhaseSource) -> str:
    """Where a flag born inside a layer is shown: the lowest common scope of the layers reading it."""
    scopes_of_layers = [layer.split("/")[:-1] for layer in source.layers]
    common = scopes_of_layers[0] if scopes_of_layers else []
    for parts in scopes_of_layers[1:]:
        depth = 0
        for x, y in zip(common, parts):
            if x != y:
                break
            depth += 1
        common = common[:depth]
    target = "/".join(common)
    born_in = source.born_in or ""
    if born_in and (target == born_in or target.startswith(born_in + "/")):
        target = born_in.rpartition("/")[0]
    return target


def analyze_graph(graph: Graph) -> GraphAnalysis:
    phase_analysis = phase.analyze_phase(graph)
    kinds = edge_kinds.classify_edges(graph, phase_analysis.carriers)
    relocations = {s.name: relocation_target(s) for s in phase_analysis.sources if s.born_in}
    tree = scopes.build_scopes(graph.names, relocations)
    return GraphAnalysis(graph, phase_analysis, kinds, tree, relocations)


_completion_lock = threading.Lock()
_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = True


@contextlib.contextmanager
def garbage_collector_paused():
    """Analysis builds hundreds of thousands of lists and tuples that never form cycles; the cyclic
    collector would walk them again and again (about a quarter of the time at 200k nodes). Paused while
    any analysis runs, resumed after the last one."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def analyze(graph_def) -> GraphAnalysis:
    """The analysis of a GraphDef, or of a Graph already read from one (graph_source.load_graph)."""
    with garbage_collector_paused():
        return analyze_graph(graph_def if isinstance(graph_def, Graph) else build_graph(graph_def))
