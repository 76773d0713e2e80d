"""Everything tb_phaseview derives from one GraphDef, computed once and cached per graph blob.

Pure: takes a GraphDef-shaped object, imports no TensorBoard.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress, repeat

import numpy as np

from tb_phaseview.analysis import edge_kinds, overrides, phase, phase_runs, role_why, roles, scopes
from tb_phaseview.analysis.graph_model import Graph, build_graph


@dataclass
class PhaseReach:
    """What reads the flag inside one group that a drawn phase edge enters."""

    source: str  # the flag (the first one seen, when several reach the group)
    layers: set[str] = field(default_factory=set)  # the layers whose reads end in this group
    gradient: bool = True  # every read in this group belongs to the gradient pass
    keeps: bool = True  # every read in this group sets, initialises or saves the flag (picks no computation)


@dataclass(frozen=True)
class HyperBox:
    """Where a hyperparameter is drawn: ``box`` (its op, or the scope of its name) inside ``holders``."""

    name: str
    readers: int
    box: str
    holders: frozenset


@dataclass
class GraphAnalysis:
    graph: Graph
    phase: phase.PhaseAnalysis
    kinds: list[str]
    _tree: scopes.ScopeTree | None  # the whole scope tree, once built (see ``tree``)
    relocations: dict[str, str]
    roles: roles.Roles | None = None
    areas: dict[str, str] = field(default_factory=dict)  # machinery role -> id of the group it is folded into
    kind_codes: np.ndarray | None = None  # each edge's kind as its position in edge_kinds.EDGE_KINDS
    blob_bytes: int = 0  # size of the logged bytes it came from (for the cache's memory estimate)
    # Set when the user moved ops to the model (``with_model``): the classifier's roles and what moved.
    classified: roles.Roles | None = None
    moved: overrides.Moved | None = None
    # Filled on demand: group id -> Counter((from child, to child, kind) -> op-level edge count).
    _group_edges: dict[str, Counter] = field(default_factory=dict)
    _layers_below: Counter | None = None
    _layer_kinds: dict[str, phase.PhaseLayer] | None = None
    _answers: dict = field(default_factory=dict)
    _answer_locks: dict = field(default_factory=dict)  # key -> the lock its one computation holds
    _completion_claimed: bool = False
    _drawn_phase_edges: list[tuple[int, int]] | None = None
    _phase_reach: dict[str, PhaseReach] | None = None
    _hyper_edges: list[tuple[int, int]] | None = None
    _hyper_boxes: dict[str, HyperBox] | None = None
    # Until the whole tree is built: the tree without most of the large machinery areas' inner groups, nor past
    # TOP_LEVEL_AS_IS_NODES the model's (the first answer's, see ``first_view``), and what builds the whole one.
    _first_tree: scopes.ScopeTree | None = None
    _tree_builder: object = None
    _tree_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def tree(self) -> scopes.ScopeTree:
        """The scope tree, built on first use when the first answer was written without it."""
        if self._tree is None:
            with self._tree_lock:
                if self._tree is None:
                    # The first answer's tree goes first (a view still answering keeps its own reference): the
                    # two are not held at once, at the peak of the server's memory.
                    self._first_tree = None
                    with garbage_collector_paused():
                        self._tree = self._tree_builder()
                    self._tree_builder = None
        return self._tree

    @property
    def tree_built(self) -> bool:
        return self._tree is not None

    @property
    def tree_so_far(self) -> scopes.ScopeTree:
        """The whole tree if built, else the first answer's (for estimates that must not build it)."""
        return self._tree or self._first_tree

    def first_view(self) -> "GraphAnalysis":
        """This analysis as the first answer reads it: while the whole tree is not built, a view of it on the tree
        without the large machinery areas' inner groups (and a large graph's model's) but for the chains to the ops
        the first answer gives a path for (``_assemble`` made one when it could, ``_deferral``), so the first answer
        does not wait for groups it never shows. The view keeps its own answers; this analysis builds everything
        else on the whole tree."""
        first = self._first_tree
        if first is None or self._tree is not None:
            return self
        return dataclasses.replace(
            self,
            _tree=first,
            _first_tree=None,
            _tree_builder=None,
            _tree_lock=threading.Lock(),
            _group_edges={},
            _layers_below=None,
            _layer_kinds=None,
            _answers={},
            _answer_locks={},
            _completion_claimed=True,
            _drawn_phase_edges=self._drawn_phase_edges,
            _phase_reach=None,
            _hyper_edges=self._hyper_edges,
            _hyper_boxes=None,
        )

    def claim_completion(self) -> bool:
        """True once, for the caller that is to run ``complete``."""
        with _claims_lock:
            if self._completion_claimed:
                return False
            self._completion_claimed = True
            return True

    def complete(self) -> None:
        """Build what the first answer did without (the large areas' groups, the groups' children lists
        below the top level and the out-edge index), so that opening a group or inspecting a node does not wait
        for it."""
        with garbage_collector_paused():
            self.tree.build_children()
            if self.graph.node_count:
                self.graph.out_edges(0)

    def memo(self, key, compute):
        """An answer derived from this analysis alone, computed once (the analysis never changes), even when
        two threads ask at once (the prefetch and the request it prepares for): the second waits for the first."""
        if key in self._answers:
            return self._answers[key]
        with _claims_lock:
            lock = self._answer_locks.setdefault(key, threading.Lock())
        with lock:
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
        counts = self._answers.get("edge_counts")
        if counts is None:
            counts = self._answers["edge_counts"] = edge_kinds.count_kinds(self.kind_codes)
        return counts

    @property
    def node_roles(self) -> dict[str, int]:
        counts = self._answers.get("node_roles")
        if counts is None:
            counts = self._answers["node_roles"] = self.roles.counts()
        return counts

    def area_size(self, role: str) -> int:
        """Ops in a machinery role's area, counted from the roles (the tree's sizes need every group's
        children, which the first answer does without)."""
        return self.roles.area_codes.count(roles.ROLE_CODES[role])

    def area_of_group(self, group_id: str) -> str | None:
        """The machinery role whose area this group is, or None."""
        for role, area in self.areas.items():
            if area == group_id:
                return role
        return None

    def group_edges(self, group_id: str) -> Counter:
        counts = self._group_edges.get(group_id)
        if counts is None:
            # Phase edges travel separately (see wire.graph_answer); the browser lays out neither them nor the
            # other kinds drawn apart (the machinery's, hyperparameters'). The root's are counted from the
            # columns: the per-edge lists (2.6 million entries each at 1M nodes) wait for a group that needs them.
            root = group_id == scopes.ROOT
            counts = self._group_edges[group_id] = scopes.aggregate_group_edges(
                self.tree,
                group_id,
                self.graph.out_edges,
                None if root else self.graph.edge_src,
                None if root else self.graph.edge_dst,
                self.kinds,
                skip_kinds=(edge_kinds.PHASE,),
                columns_src=self.graph.columns.src,
                columns_dst=self.graph.columns.dst,
                kind_codes=self.kind_codes,
                kind_names=edge_kinds.EDGE_KINDS,
            )
        return counts

    @property
    def source_by_name(self) -> dict[str, phase.PhaseSource]:
        return {source.name: source for source in self.phase.sources}

    def op_counts(self, group_id: str) -> Counter:
        columns = self.graph.columns
        return self.tree.op_counts(group_id, self.graph.ops, (columns.op_names, columns.op_ids))

    def count_children_ops(self, group_id: str) -> None:
        """Before a group's children are listed: their op counts at once, when the group is large."""
        columns = self.graph.columns
        self.tree.count_children_ops(group_id, (columns.op_names, columns.op_ids))

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

    @property
    def drawn_phase_edges(self) -> list[tuple[int, int]]:
        """(flag, consuming op) of every phase edge the browser draws. An edge leaving a relay inside a layer
        (a v1 cond's pred_id -> Switch) is that layer's own business and is left out."""
        if self._drawn_phase_edges is None:
            columns, carriers, consumers = self.graph.columns, self.phase.carriers, self.phase.consumers
            edges = np.array(self.phase.phase_edges, dtype=np.intp)
            self._drawn_phase_edges = [
                (carriers[src], dst)
                for src, dst in zip(columns.src[edges].tolist(), columns.dst[edges].tolist())
                if not consumers.get(src)
            ]
        return self._drawn_phase_edges

    @property
    def phase_reach(self) -> dict[str, PhaseReach]:
        """Every group on the display path of an op that a drawn phase edge enters: the groups the browser
        draws such an edge into, at any expansion."""
        if self._phase_reach is None:
            # Through the memo: the background completion prepares it (``wire.prepare_group_answers``), and a
            # request that asks meanwhile waits for that one computation instead of making a second.
            self._phase_reach = self.memo(("phase_reach",), lambda: self._reach(self.path_of_node))
        return self._phase_reach

    @property
    def hyper_edges(self) -> list[tuple[int, int]]:
        """(hyperparameter, reading op) of every hyperparameter edge; edges between its relays left out."""
        if self._hyper_edges is None:
            carriers = self.roles.hyper_carriers
            found: list[tuple[int, int]] = []
            if carriers:
                columns = self.graph.columns
                edges = np.flatnonzero(self.kind_codes == edge_kinds.EDGE_KINDS.index(edge_kinds.HYPERPARAMETER))
                is_carrier = np.zeros(self.graph.node_count, dtype=bool)
                is_carrier[list(carriers)] = True
                edges = edges[~is_carrier[columns.dst[edges]]]
                found = list(zip(map(carriers.__getitem__, columns.src[edges].tolist()), columns.dst[edges].tolist()))
            self._hyper_edges = found
        return self._hyper_edges

    @property
    def hyper_boxes(self) -> dict[str, HyperBox]:
        """Each hyperparameter by name: the box that stands for it and the groups holding it."""
        if self._hyper_boxes is None:
            boxes = {}
            for h in self.roles.hyperparameters:
                path = self.path_of_node(h.index)
                last = path[-1] if path else None
                leaf = h.name.rpartition("/")[2]
                # The op, or the scope of the same name holding it (``learning_rate/...``).
                named = last is not None and (last == h.name or last.endswith("/" + leaf) or last == leaf)
                boxes[h.name] = HyperBox(h.name, h.readers, last if named else h.name, frozenset(path))
            self._hyper_boxes = boxes
        return self._hyper_boxes

    def hyper_read_by(self, top_level_only: bool) -> dict[str, set[str]]:
        """The hyperparameters whose edges enter each box, by id: every reading op and every group above it,
        or only the top-level elements holding them (all the first answer needs, from the top-level labels)."""
        return self.memo(("hyper_read_by", top_level_only), lambda: self._hyper_read_by(top_level_only))

    def _hyper_read_by(self, top_level_only: bool) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        names = self.graph.names
        for source, dst in self.hyper_edges:
            name = names[source]
            if top_level_only:
                label = self.tree.label_at(dst)
                ids = (names[label] if isinstance(label, int) else label,)
            else:
                ids = (names[dst], *self.tree.chain(self.tree.node_parent[dst]))
            for box in ids:
                found.setdefault(box, set()).add(name)
        return found

    def phase_reach_of(self, group_id: str) -> PhaseReach | None:
        """``phase_reach`` of one group. A top-level group's, asked before any deeper one (the first answer),
        comes from the top-level labels: one step per edge instead of one per group on its path."""
        if self._phase_reach is None and group_id and self.tree.is_top_level(group_id):
            top = self._answers.get("top_phase_reach")
            if top is None:
                label_at = self.tree.label_at
                top = self._answers["top_phase_reach"] = self._reach(
                    lambda dst: (label,) if isinstance(label := label_at(dst), str) else ()
                )
            return top.get(group_id)
        return self.phase_reach.get(group_id)

    def _reach(self, groups_of) -> dict[str, PhaseReach]:
        reach: dict[str, PhaseReach] = {}
        names, consumers = self.graph.names, self.phase.consumers
        for source, dst in self.drawn_phase_edges:
            layer = consumers.get(dst, "")
            gradient = phase.is_gradient(names[dst])
            keeps = not layer and self._keeps_flag(dst)
            for group in groups_of(dst):
                entry = reach.get(group)
                if entry is None:
                    entry = reach[group] = PhaseReach(names[source])
                if layer:
                    entry.layers.add(layer)
                entry.gradient = entry.gradient and gradient
                entry.keeps = entry.keeps and keeps
        return reach

    def _keeps_flag(self, node: int) -> bool:
        """An op that writes, initialises or checkpoints a variable flag (TFLearn's ``is_training``), not one
        that reads it to pick a computation."""
        return self.graph.ops[node].startswith("Assign") or self.roles.name_of(node) in ("init", "save")

    def path_of_node(self, index: int) -> list[str]:
        return list(self.tree.chain(self.tree.node_parent[index]))

    @property
    def readers_wait_with_groups(self) -> bool:
        """Whether this graph's first answer gives the flag's readers paths ending at their top-level group
        (``readers_wait``, and a drawn phase edge to hold): its group answers then give each reader below them
        the next steps (``phase_paths_below``)."""
        return readers_wait(self.graph) and bool(self.drawn_phase_edges)

    @property
    def readers_held(self) -> bool:
        """Whether ``path_of_node`` of a flag's reader may stop at the top-level group holding it: the first
        view's tree of a graph past TOP_LEVEL_AS_IS_NODES holds their ops there (``_deferral``)."""
        return self._tree is not None and self._tree.readers_held

    def phase_paths_below(self, group_id: str) -> dict[str, list[str]]:
        """The path of each reader of a flag's drawn edge below ``group_id``, by its name, down to the child of
        the group holding it (the whole path when that child is the reader): what a group answer of a graph whose
        first answer held them (``readers_held``) says of them. One level at a time: the gradients' area of the
        1M graph holds 8,640 readers, whose whole paths made its answer 3.8 MB, and every group below it on their
        way said them again."""

        def by_group() -> dict[str, list[int]]:
            found: dict[str, list[int]] = {}
            for dst in dict.fromkeys(dst for _, dst in self.drawn_phase_edges):
                for group in self.tree.chain(self.tree.node_parent[dst]):
                    found.setdefault(group, []).append(dst)
            return found

        below = self.memo(("phase_readers_by_group",), by_group).get(group_id, ())
        depth = len(self.tree.chain(group_id)) + 1
        return {self.graph.names[dst]: self.path_of_node(dst)[:depth] for dst in below}

    def role_why(self, index: int) -> str:
        """Why a node has its role, in one sentence: the classifier's, or the user's move and the classifier's."""
        classified = self.classified or self.roles
        said = role_why.explain(self.graph, classified, index)
        entry = self.moved.nodes.get(index) if self.moved else None
        if entry is None:
            return said
        role = classified.name_of(index)
        if classified.codes[index] not in roles.MACHINERY:  # drawn in an area, not of it (a learning rate)
            role += f" drawn with the {roles.ROLE_NAMES[classified.area_codes[index]]}"
        return overrides.sentence(said, role, self.graph.names[index], entry)

    def moved_group(self, group_id: str) -> str | None:
        """The scope entry (``save/``) that moved the ops of a group to the model: the deepest one naming the group
        or a scope above it, when the group holds an op the user moved (a sub-scope that held only model ops, such
        as a saver's file name, is not marked). None otherwise."""
        if not self.moved:
            return None
        scopes = self.memo(("moved_scopes",), lambda: {e[:-1] for e in self.moved.entries if e.endswith("/")})
        if not scopes:
            return None
        holding = self.memo(("moved_groups",), self._groups_holding_moved)
        if group_id not in holding:
            return None
        name = group_id
        while name and name not in scopes:
            name = name.rpartition("/")[0]
        return name + "/" if name else None

    def _groups_holding_moved(self) -> set[str]:
        found: set[str] = set()
        for node in self.moved.nodes:
            for group in reversed(self.tree.chain(self.tree.node_parent[node])):  # deepest first
                if group in found:
                    break  # its ancestors are in already
                found.add(group)
        return found

    def moved_from(self, index: int) -> tuple[str, str] | None:
        """(the classifier's role, the entry that moved it) of a node the user moved to the model, else None."""
        entry = self.moved.nodes.get(index) if self.moved else None
        return None if entry is None else (self.classified.name_of(index), entry)


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
    node_roles = roles.classify_roles(graph, phase_analysis.carriers)
    # A gradient-named node that the forward ops of its layer read (grappler merged the forward cond's Switch
    # into its gradient's) is part of the model: its edges are data, and it is drawn in that layer.
    shared = phase.forward_reads_of_gradient_nodes(graph, phase_analysis)
    for name in shared:
        node_roles.codes[graph.index[name]] = roles.MODEL
        if node_roles.area_codes is not None:
            node_roles.area_codes[graph.index[name]] = roles.MODEL
    relocations = {s.name: relocation_target(s) for s in phase_analysis.sources if s.born_in}
    relocations.update(shared)
    return _assemble(graph, phase_analysis, node_roles, relocations)


def _assemble(graph: Graph, phase_analysis: phase.PhaseAnalysis, node_roles: roles.Roles, relocations) -> GraphAnalysis:
    """What follows from the roles: the edges' kinds, the machinery's areas and the scope tree."""
    kind_codes = edge_kinds.classify_edge_codes(graph, node_roles)
    display_names, areas = scopes.fold_into_areas(graph.names, node_roles.area_codes)
    # Where a huge top level is split into buckets, the areas and the flags stay beside them, in sight.
    pinned = frozenset(areas.values()) | {s.name for s in phase_analysis.sources}
    analysis = GraphAnalysis(
        graph,
        phase_analysis,
        edge_kinds.kind_names(kind_codes),
        None,
        relocations,
        node_roles,
        areas,
        kind_codes,
    )
    analysis._tree_builder = lambda: scopes.build_scopes(display_names, relocations, pinned, graph.ops)
    deferral = _deferral(analysis, display_names)
    if deferral is None:
        analysis.tree  # noqa: B018 - built now
    else:
        held, holders, inner, deferred_areas = deferral
        first = scopes.build_scopes_without(display_names, relocations, pinned, graph.ops, held, holders)
        first.readers_held = analysis.readers_wait_with_groups
        analysis._first_tree = first
        # The whole tree rebuilds those areas' groups from their names alone, and puts them in the first one (their
        # positions sorted then: the first answer does not wait for a sort of most of the graph's positions).
        analysis._tree_builder = lambda: scopes.with_areas(
            first, display_names, relocations, pinned, graph.ops, np.sort(np.concatenate(inner)), deferred_areas
        )
    return analysis


# A training graph's machinery is most of it: the initialisers' area about a third (every variable's initial
# value), the gradients' about a quarter, and the first screen shows none of their insides. A large area's groups
# wait until after the first answer, but for the chains to the ops the first answer gives a path for.
DEFERRED_MIN_OPS = 20_000


def _deferral(analysis: GraphAnalysis, display_names: list[str]):
    """How the first answer's tree can leave the machinery's large areas unbuilt: (the positions of the ops it
    holds in their area directly, the area's id for each, the positions of every op of those areas as arrays to
    concatenate, the areas' ids), or None to build the whole tree now.

    An area of at least DEFERRED_MIN_OPS ops waits whole when the first answer gives no path inside it (a flag,
    a reader of a flag's drawn edge, a hyperparameter or its reader; past TOP_LEVEL_AS_IS_NODES a flag or a
    hyperparameter only, the readers' paths ending at their top-level group); else only its ops off those paths'
    chains wait (``scopes.ops_deciding_paths``; the gradients hold readers of the flag, the optimizer the readers of its
    hyperparameters). An area with a name deep enough to be folded (the first answer warns of those), or with an
    op drawn elsewhere than its name says (a flag born in a layer, a gradient node its layer's forward ops read),
    is built whole."""
    area_codes = analysis.roles.area_codes if analysis.roles is not None else None
    if area_codes is None:
        return None
    area_codes = np.frombuffer(area_codes, dtype=np.uint8)
    index = analysis.graph.index
    reached = []
    if not readers_wait(analysis.graph):
        reached += [dst for _, dst in analysis.drawn_phase_edges]
        reached += [dst for _, dst in analysis.hyper_edges]
    reached += [h.index for h in analysis.roles.hyperparameters]
    reached += [index[s.name] for s in analysis.phase.sources if s.name in index]
    reached = np.unique(np.array(reached, dtype=np.intp))
    moved = set(analysis.relocations) | set(analysis.relocations.values())
    held, holders, inner, deferred_areas = [], [], [], []
    for code in sorted(roles.MACHINERY):
        area = analysis.areas.get(roles.ROLE_NAMES[code])
        if area is None:
            continue
        positions = np.flatnonzero(area_codes == code)
        if positions.size < DEFERRED_MIN_OPS:
            continue
        targets = reached[area_codes[reached] == code]
        if targets.size * 2 > positions.size:
            continue  # the optimizer's, where most ops read a hyperparameter: little would wait
        names = list(map(display_names.__getitem__, positions.tolist()))
        if _foldable(names) or any(name.startswith(area + "/") for name in moved):
            continue
        if targets.size == 0:
            waiting = positions
        else:
            decide = scopes.ops_deciding_paths(display_names, positions.tolist(), targets.tolist(), area)
            if decide is None or len(decide) * 2 > positions.size:
                continue
            waiting = np.setdiff1d(positions, np.array(decide, dtype=np.intp), assume_unique=True)
        held.append(waiting)
        holders += [area] * waiting.size
        inner.append(positions)
        deferred_areas.append(area)
    model = _model_deferral(analysis, display_names, area_codes, reached, moved)
    if model is not None:
        waiting, model_holders, positions, groups = model
        held.append(waiting)
        holders += model_holders
        inner.append(positions)
        deferred_areas += groups
    if not deferred_areas:
        return None
    return np.concatenate(held), holders, inner, deferred_areas


# Past this many nodes a graph's first view shows its top level as it is (``serve.first_open`` opens no group):
# the model's top-level groups then wait as the large areas do, but for the chains to the ops the first answer
# gives a path for. A Keras functional model puts its layers there: at 1,000,000 nodes, 30,601 groups of 397,802
# ops, of which the first answer gives paths into 8,641 (each BatchNormalization layer's switches).
TOP_LEVEL_AS_IS_NODES = 300_000


def readers_wait(graph: Graph) -> bool:
    """Whether the first answer holds the flag's readers in their top-level groups, its ``to_path`` ending there
    (``phase.to_path_partial``; each group answer gives the rest, ``phase_paths``): past TOP_LEVEL_AS_IS_NODES,
    where the first view opens no group. Deciding where each of them sits (tens of thousands, each a chain of the
    ops beside it) cost a second of the first view at 1,000,000 nodes."""
    return graph.node_count > TOP_LEVEL_AS_IS_NODES


def _model_deferral(analysis: GraphAnalysis, display_names: list[str], area_codes, reached, moved):
    """As ``_deferral``, for the model's ops inside top-level groups, each group its own holder: (positions held,
    their holders, every position of the groups that wait, those groups), or None. A group waits whole when the
    first answer gives no path inside it, else but for the ops deciding those paths. Groups a relocation enters
    or leaves, and the inlined bodies' group (whose groups move into the layers they were inlined from), are
    built now; so is everything when a name could be folded or holds a series' mark."""
    if analysis.graph.node_count <= TOP_LEVEL_AS_IS_NODES:
        return None
    positions = np.flatnonzero(~roles.IS_MACHINERY[area_codes]).tolist()
    names = list(map(display_names.__getitem__, positions))
    if not names or _foldable(names) or "[" in "".join(names):
        return None
    # At 1M nodes the model's names are 400k: one comprehension each (``zip(*map(str.partition, ...))`` gathered
    # every triple into one argument tuple first, three times as slow).
    tops = [name.partition("/")[0] for name in names]
    built = {name.partition("/")[0] for name in moved} | {scopes.INLINED_SCOPE}
    waits = [len(top) < len(name) and top not in built for top, name in zip(tops, names)]
    positions, tops = list(compress(positions, waits)), list(compress(tops, waits))
    if not positions:
        return None
    waiting = np.array(positions, dtype=np.intp)  # ascending, as the graph's positions
    at = np.searchsorted(waiting, reached)
    found = at < waiting.size
    found[found] = waiting[at[found]] == reached[found]
    held = np.ones(waiting.size, dtype=bool)
    if found.any():
        with_targets = set(map(tops.__getitem__, at[found].tolist()))
        chained = list(compress(positions, map(with_targets.__contains__, tops)))
        decide = scopes.ops_deciding_paths(display_names, chained, reached[found].tolist(), None)
        if decide is None:
            return None
        held[np.searchsorted(waiting, np.array(decide, dtype=np.intp))] = False
    holders = list(compress(tops, held.tolist()))
    return waiting[held], holders, waiting, sorted(set(tops))


def _foldable(names: list[str]) -> bool:
    """Whether a name's scope may be folded: a name's own length and slashes bound its scope's, so this only ever
    says yes more often than folding would; a name of at most MAX_SCOPE_DEPTH characters has too few of either."""
    longest = max(map(len, names))
    if longest <= scopes.MAX_SCOPE_DEPTH:
        return False
    slashes = max(map(str.count, names, repeat("/")))
    if slashes < scopes.MAX_SCOPE_DEPTH and longest * (slashes + 1) <= scopes.MAX_CHAIN_CHARS:
        return False
    long = [name for name in names if len(name) > scopes.MAX_SCOPE_DEPTH]
    return any(
        name.count("/") >= scopes.MAX_SCOPE_DEPTH or len(name) * (name.count("/") + 1) > scopes.MAX_CHAIN_CHARS
        for name in long
    )


_claims_lock = threading.Lock()  # guards who runs the completion, and the per-answer locks
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


def collect_garbage_when_idle(timeout: float = 30.0) -> None:
    """One full collection, once nothing holds the collector paused (no request is answered and no graph is
    analysed: a collection holds the interpreter for as long as it walks, 0.3-0.9 s at 1,000,000 nodes), or after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while _gc_pausers and time.monotonic() < deadline:
        time.sleep(0.05)
    gc.collect()


def with_model(base: GraphAnalysis, entries: tuple[str, ...]) -> GraphAnalysis:
    """``base`` with the ops ``entries`` name moved to the model by the user (``overrides.py``): the graph, the
    phase analysis and the classifier's roles are shared; the edges' kinds, the areas and the tree follow the
    moved roles. ``entries`` as ``overrides.normalise`` gives them."""
    with garbage_collector_paused():
        moved = overrides.move_to_model(base.graph.names, base.roles, entries)
        analysis = _assemble(base.graph, base.phase, moved.roles, base.relocations)
    analysis.classified, analysis.moved = base.roles, moved
    analysis.blob_bytes = base.blob_bytes
    if ("phase_runs",) in base._answers:  # what runs in each phase does not depend on the roles
        analysis._answers[("phase_runs",)] = base._answers[("phase_runs",)]
    return analysis


def analyze(graph_def) -> GraphAnalysis:
    """The analysis of a GraphDef, or of a Graph already read from one (graph_source.load_graph)."""
    with garbage_collector_paused():
        return analyze_graph(graph_def if isinstance(graph_def, Graph) else build_graph(graph_def))
