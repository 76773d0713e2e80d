"""The name-scope hierarchy of a graph and the edges between sibling groups. Pure: no TensorBoard import.

Groups are name scopes, identified by their scope path; the root is ``""``. Every prefix of a node name at
a ``/`` is a group. An op whose name is also a scope (``keras_learning_phase`` with
``keras_learning_phase/input``) sits inside the group of that name. A subtree can be *relocated*: shown under
another group than its name says (a learning-phase flag born in a layer's scope is drawn apart from it; a
function body grappler inlined, ``Func/bn1``, is drawn inside the scope it was inlined from, ``bn1``).

Only what the first answer needs is computed up front (every group's and op's parent, and each op's top-level
element); the children lists and sizes of the groups below the top level, op histograms and the edges
between a group's children are computed when first asked for, and kept. A top-level group whose inside the first
answer barely shows (the initialisers' area, a third of a training graph; the gradients', where it gives only the
paths of the flag's readers) can wait too: ``build_scopes_without`` leaves its ops held by it directly but for
those ``ops_deciding_paths`` names, and ``with_areas`` rebuilds its groups afterwards, giving the tree
``build_scopes`` gives.

A group with more than ``BUCKET_THRESHOLD`` children (100,000 ops in one scope) is more than a layout can
take, so its children, sorted by name, are split into *buckets* of ``BUCKET_SIZE``: synthetic groups with
ids ``<group>/…<k>`` (``…`` is U+2026, which TensorFlow never puts in a name; a clash with a real name gets
another ``…``). A bucket is a group like any other: it can be opened, it is in every ``path`` that leads
through it, and its edges are aggregated with the others. More than ``BUCKET_THRESHOLD`` buckets are
bucketed again. *Pinned* children (the machinery's areas, the learning-phase flags) are never put in a bucket:
they stay children of the group beside its buckets, where the user looks for them.

Depth is bounded: every group costs its id, and a node's ``path`` lists every group above it, so a name nested
16,000 scopes deep would cost the square of its length in memory and in every answer that points at it. The
scopes of a name are groups only while they number at most ``MAX_SCOPE_DEPTH`` and their ids hold at most
``MAX_CHAIN_CHARS`` characters together; past that a chain is *folded*: the op sits in the deepest group kept,
labelled with the rest of its name.

Numbered series are grouped as TensorBoard's Graphs tab groups them: five or more ops of one type in one group,
named ``<prefix>_<N>`` (no digit in the prefix) with consecutive numbers, become a synthetic group
``<group>/<prefix>_[<first>-<last>]`` (Keras' ``set_weights`` leaves ``Placeholder_1`` ... ``Placeholder_100``
and ``Assign_1`` ... ``Assign_100`` at the top level; they are two boxes, ``Placeholder_[1-100]`` and
``Assign_[1-100]``). A series is a group like any other: it opens, it is in the ``path`` of its ops, its edges
are aggregated. Only ops are grouped (never a group, a pinned flag, or an op whose name is also a group).
"""

from __future__ import annotations

import itertools
import operator
import re
import threading
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import compress, repeat

import numpy as np

ROOT = ""
BUCKET_THRESHOLD = 5000  # a group with more children than this has them split into buckets
BUCKET_SIZE = 1000  # children per bucket
BUCKET_MARK = "\u2026"
MAX_SCOPE_DEPTH = 64  # groups on one chain from the root
MAX_CHAIN_CHARS = 16384  # characters of the group ids on one chain, together
# Machinery (initialisers, gradients, optimizer, summaries, checkpoints) is shown in one top-level *area* per
# role, a synthetic group ``\u2237<role>`` (U+2237, never in a TensorFlow name) holding those ops under their
# own scopes: ``training/SGD/gradients/x`` is shown as ``\u2237gradient/training/SGD/gradients/x``.
AREA_MARK = "\u2237"
_SPAN = 1 << 48  # numbers of series members are below this (see _group_series)
SERIES_MIN = 5  # members of a numbered series before it is grouped (the Graphs tab's default)
# A line per name: the leaf's prefix and number when it is ``<prefix>_<N>`` with no digit in the prefix (TensorBoard's
# own pattern is ``^(\D*)_(\d+)$``), else two empty strings (the second branch matches any other line).
_SERIES_LEAF = re.compile(r"^(?:[^\n]*/)?(?:([^\d/\n]*)_(\d+)|[^\n]*)$", re.MULTILINE | re.ASCII)


@dataclass
class Bucket:
    parent: str  # the group whose children it holds a slice of
    index: int  # 1-based position among the parent's buckets
    of: int  # how many buckets the parent has
    first: str  # name of its first child (children are sorted by name)
    last: str  # name of its last child
    children: int  # its direct children
    start: int  # 1-based position of its first child among the parent's children (all buckets together)
    total: int  # the parent's children, all buckets together


@dataclass
class Series:
    parent: str  # the group whose ops it holds
    prefix: str  # ``Placeholder`` of ``Placeholder_[1-100]``
    op: str  # the op type of every member
    first: int  # the first member's number
    last: int  # the last member's number (members are consecutive)


class _ByGroup(Mapping):
    """Group id -> a list or a count, cut on demand from columns sorted by parent group (a dict of every group's
    list cost 1.3 s and about 100 MB at 1,000,000 nodes, for the few groups a user opens)."""

    def __init__(self, groups: list[str], position: dict[str, int], cut, fixed: dict):
        self._groups, self._position, self._cut, self._fixed = groups, position, cut, fixed

    def __getitem__(self, group_id: str):
        found = self._fixed.get(group_id)
        if found is not None:
            return found
        return self._cut(len(self._groups) if group_id == ROOT else self._position[group_id])

    def __iter__(self):
        return itertools.chain(self._groups, (ROOT,))

    def __len__(self) -> int:
        return len(self._groups) + 1

    def __contains__(self, group_id) -> bool:
        return group_id == ROOT or group_id in self._position


@dataclass
class _Children:
    groups: Mapping  # group id -> its child groups, sorted
    nodes: Mapping  # group id -> its child ops, in graph order
    size: Mapping  # ops below the group, all depths


class ScopeTree:
    """Parents of every group and op, built eagerly; children lists and subtree sizes, built on first use.

    The top level (the first view of every graph) is answered without the children lists: each op is labelled
    with its top-level element and the sizes and op histograms of the top-level groups are counted from those
    labels (``top_sizes``, ``op_counts``), which costs a fraction of building every group's lists.
    """

    def __init__(
        self,
        group_parent: dict[str, str],
        node_parent: list[str],
        fixed: dict[str, tuple[list[str], list[int]]] | None = None,
        buckets: dict[str, Bucket] | None = None,
        series: dict[str, Series] | None = None,
    ):
        self.group_parent = group_parent  # group id -> display parent group id
        self.node_parent = node_parent  # node index -> display parent group id
        self.buckets = buckets or {}  # synthetic bucket groups, by id
        self.series = series or {}  # synthetic groups of numbered series, by id
        # Children lists made when bucketing (a bucketed group and its buckets list theirs in name order).
        self._fixed = fixed or {}
        # The tree as numpy columns (groups by position, each one's parent and top-level ancestor as positions),
        # made once: the labels of the first answer and the children lists built after it both read them.
        self._groups, self._position, self._parents = _parent_columns(group_parent)
        self._top = _top_positions(self._parents, self._groups)
        self._top_level: dict[str, str] | None = None
        self._node_owners: np.ndarray | None = None
        self._children: _Children | None = None
        self._root_children: tuple[list[str], list[int]] | None = None
        self._children_lock = threading.Lock()
        self._labels: list | None = None
        self._top_codes: np.ndarray | None = None
        self._top_sizes: Counter | None = None
        self._chains: dict[str, tuple[str, ...]] = {}
        self._op_counts: dict[str, Counter] = {}
        self._last_descendants: tuple[str, list[int]] | None = None
        self.folded_nodes = 0  # ops whose name is deeper than a chain may go (see the module's docstring)
        # A first answer's tree that holds the flag's readers in their top-level group (pipeline._deferral).
        self.readers_held = False

    # -- children, built on first use ------------------------------------------------------------------

    def _built(self) -> _Children:
        if self._children is None:
            with self._children_lock:
                if self._children is None:
                    self._children = _build_children(
                        self._groups, self._position, self._parents, self.node_owners(), self._fixed
                    )
        return self._children

    @property
    def children_built(self) -> bool:
        return self._children is not None

    def build_children(self) -> None:
        self._built()

    @property
    def child_groups(self) -> dict[str, list[str]]:
        return self._built().groups

    @property
    def child_nodes(self) -> dict[str, list[int]]:
        return self._built().nodes

    @property
    def size(self) -> dict[str, int]:
        return self._built().size

    def children(self, group_id: str) -> tuple[list[str], list[int]]:
        """(child groups sorted by id, child ops in graph order) of a group."""
        if group_id in self._fixed:
            return self._fixed[group_id]
        if group_id == ROOT and self._children is None:
            if self._root_children is None:  # asked once per top-level group while the first answer is written
                groups = sorted(self.top_level_groups())
                nodes = list(compress(range(len(self.node_parent)), map(operator.not_, self.node_parent)))
                self._root_children = (groups, nodes)
            return self._root_children
        built = self._built()
        return built.groups.get(group_id, []), built.nodes.get(group_id, [])

    def children_of(self, group_ids: set[str]) -> dict[str, tuple[list[str], list[int]]]:
        """``children`` of a few groups. Before the children lists exist, one pass over the parents answers them
        (the summary of a graph never opened asks for one level; building every group's lists cost seconds at
        200k nodes)."""
        if self._children is not None:
            return {g: self.children(g) for g in group_ids}
        # The root's and a bucketed group's lists are kept apart; the others, one pass over the parents.
        found = {g: self.children(g) for g in group_ids if g in self._fixed or g == ROOT}
        group_ids = set(group_ids).difference(found)
        if not group_ids:
            return found
        groups: dict[str, list[str]] = {g: [] for g in group_ids}
        for group, parent in self.group_parent.items():
            if parent in groups:
                groups[parent].append(group)
        nodes: dict[str, list[int]] = {g: [] for g in group_ids}
        for index in compress(range(len(self.node_parent)), map(group_ids.__contains__, self.node_parent)):
            nodes[self.node_parent[index]].append(index)
        return {**found, **{g: (sorted(groups[g]), nodes[g]) for g in group_ids}}

    def size_of(self, group_id: str) -> int:
        """Ops below a group, all depths."""
        if group_id == ROOT:
            return len(self.node_parent)
        if self._children is None and self.is_top_level(group_id):
            return self.top_sizes()[group_id]
        return self.size.get(group_id, 0)

    # -- the top level, from labels ----------------------------------------------------------------------

    @property
    def top_level(self) -> dict[str, str]:
        """Every group's ancestor at the top level (itself when it is at the top level), made on first use."""
        if self._top_level is None:
            groups = self._groups
            self._top_level = dict(zip(groups, map(groups.__getitem__, self._top.tolist())))
        return self._top_level

    def is_top_level(self, group_id: str) -> bool:
        return group_id != ROOT and self.group_parent.get(group_id) == ROOT

    def top_level_groups(self) -> set[str]:
        """The groups at the top level: those whose parent is the root (a scan of the parents' column)."""
        return set(map(self._groups.__getitem__, np.flatnonzero(self._parents == len(self._groups)).tolist()))

    def node_owners(self) -> np.ndarray:
        """Each node's parent group as a position among the groups (the root's is ``len(groups)``)."""
        if self._node_owners is None:
            parents = self.node_parent
            self._node_owners = np.fromiter(map(self._position.__getitem__, parents), dtype=np.intp, count=len(parents))
        return self._node_owners

    def top_codes(self) -> np.ndarray:
        """For every node, its top-level element as a number: the position of its top-level group, or
        ``len(groups)`` plus its own index for an op at the top level (``label_of`` turns one into a label)."""
        if self._top_codes is None:
            owners = self.node_owners()
            root = len(self._groups)
            codes = np.append(self._top, root)[owners]
            at_top = owners == root
            codes[at_top] = root + np.flatnonzero(at_top)
            self._top_codes = codes
        return self._top_codes

    def label_of(self, code: int):
        """The label of a top-level code: a group id, or a node index."""
        groups = len(self._groups)
        return self._groups[code] if code < groups else code - groups

    def outermost_marks(self, marks: dict[str, int], innermost: bool = False) -> np.ndarray:
        """For every node, the mark (``marks``: group id -> a number >= 0) of the outermost (or ``innermost``)
        marked group on its display chain, or -1: top down, one level of all groups per numpy pass, no walk per
        group."""
        root = len(self._groups)
        parents = self._parents
        own = np.full(root + 1, -1, dtype=np.intp)
        for group, mark in marks.items():
            at = self._position.get(group)
            if at is not None and at < root:
                own[at] = mark
        depth = np.zeros(root, dtype=np.intp)
        above = parents.copy()
        climbing = np.flatnonzero(above != root)
        while climbing.size:
            depth[climbing] += 1
            above[climbing] = parents[above[climbing]]
            climbing = climbing[above[climbing] != root]
        value = own.copy()  # the root's stays -1
        order = np.argsort(depth, kind="stable")
        starts = np.searchsorted(depth[order], np.arange(int(depth.max(initial=0)) + 2))
        for d in range(len(starts) - 1):
            level = order[starts[d] : starts[d + 1]]
            inherited = value[parents[level]]
            if innermost:
                value[level] = np.where(own[level] >= 0, own[level], inherited)
            else:
                value[level] = np.where(inherited >= 0, inherited, own[level])
        return value[self.node_owners()]

    def label_at(self, index: int):
        """``labels()[index]``, without making every node's label (the first answer asks for a few thousand)."""
        return self.label_of(int(self.top_codes()[index]))

    def top_numbers(self, number: dict) -> np.ndarray:
        """For every node, ``number[label]`` of its top-level element (a group id, or an op's own index), or -1
        when that label is not in ``number``: one lookup per entry of ``number``, then one gather in numpy."""
        groups = len(self._groups)
        table = np.full(groups + len(self.node_parent), -1, dtype=np.intp)
        for label, value in number.items():
            if isinstance(label, int):
                table[groups + label] = value
            else:
                at = self._position.get(label, groups)
                if at < groups:
                    table[at] = value
        return table[self.top_codes()]

    def labels(self) -> list:
        """For every node, the top-level element holding it: its top-level group id, or its own index."""
        if self._labels is None:
            self._labels = list(map(self.label_of, self.top_codes().tolist()))
        return self._labels

    def top_sizes(self) -> Counter:
        """Ops below each top-level group (counted in C from the nodes' top-level codes)."""
        if self._top_sizes is None:
            sizes = np.bincount(self.top_codes(), minlength=len(self._groups))[: len(self._groups)]
            tops = np.flatnonzero(sizes)
            self._top_sizes = Counter(dict(zip(map(self._groups.__getitem__, tops.tolist()), sizes[tops].tolist())))
        return self._top_sizes

    # -- paths and histograms ----------------------------------------------------------------------------

    def group_id_chars(self) -> int:
        """Characters held by the group ids (each a string of its own), for memory estimates."""
        return sum(map(len, self.group_parent))

    def is_group(self, group_id: str) -> bool:
        return group_id == ROOT or group_id in self.group_parent

    def chain(self, group_id: str) -> tuple[str, ...]:
        """Groups from the top level down to ``group_id`` (root excluded, ``group_id`` included)."""
        chain = self._chains.get(group_id)
        if chain is None:
            missing = []
            while group_id != ROOT and group_id not in self._chains:
                missing.append(group_id)
                group_id = self.group_parent[group_id]
            chain = self._chains.get(group_id, ())
            for group in reversed(missing):
                chain = chain + (group,)
                self._chains[group] = chain
        return chain

    def descendant_nodes(self, group_id: str) -> list[int]:
        """Every op below a group, all depths (a new list, in the same order every time)."""
        last = self._last_descendants  # an answer about a large group asks three times: its edges, sizes, ops
        if last is not None and last[0] == group_id:
            return list(last[1])
        child_groups, child_nodes = self.child_groups, self.child_nodes
        found: list[int] = []
        stack = [group_id]
        while stack:
            group = stack.pop()
            found.extend(child_nodes.get(group, ()))
            stack.extend(child_groups.get(group, ()))
        if len(found) > LARGE_GROUP_NODES:
            self._last_descendants = (group_id, found)
            return list(found)
        return found

    def count_children_ops(self, group_id: str, numbered: tuple[list[str], np.ndarray]) -> None:
        """``op_counts`` of every child group of a large group at once, in numpy (opening the gradients' area at
        1,000,000 nodes counted its 360 children's 264,000 ops one by one, 0.4 s). Each child's ops are in the
        order they first appear below it, as one child's own count lists them (ties of top ops)."""
        if group_id == ROOT or self.size_of(group_id) <= LARGE_GROUP_NODES:
            return
        child_groups, _ = self.children(group_id)
        if all(child in self._op_counts for child in child_groups):
            return
        nodes = np.asarray(self.descendant_nodes(group_id), dtype=np.intp)
        codes = child_codes(self, group_id, nodes)
        op_names, op_ids = numbered[0], numbered[1].astype(np.int64)
        in_group = codes < len(self._groups)
        keys = codes[in_group] * len(op_names) + op_ids[nodes[in_group]]
        pairs, first, counts = np.unique(keys, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        pairs, counts = pairs[order], counts[order]
        per_group: dict = {}
        for code, op, count in zip(
            (pairs // len(op_names)).tolist(), (pairs % len(op_names)).tolist(), counts.tolist()
        ):
            per_group.setdefault(self._groups[code], Counter())[op_names[op]] = count
        for child in child_groups:
            self._op_counts.setdefault(child, per_group.get(child, Counter()))

    def op_counts(self, group_id: str, ops: list[str], numbered: tuple[list[str], np.ndarray] | None = None) -> Counter:
        """The op types below a group, counted. ``numbered``: the ops as (distinct names, each node's number among
        them), when the caller holds them already (the graph's columns); else they are numbered here."""
        counts = self._op_counts.get(group_id)
        if counts is None:
            if self.is_top_level(group_id):
                self._count_top_level_ops(numbered or _numbered(ops))
                return self._op_counts[group_id]
            counts = self._op_counts[group_id] = Counter(ops[i] for i in self.descendant_nodes(group_id))
        return counts

    def _count_top_level_ops(self, numbered: tuple[list[str], np.ndarray]) -> None:
        """Op histograms of every top-level group at once: one count of (top-level code, op) pairs, in numpy."""
        per_group: dict = {group: Counter() for group in self.top_level_groups()}
        op_names, op_ids = numbered[0], numbered[1].astype(np.int64)
        codes = self.top_codes().astype(np.int64)
        in_group = codes < len(self._groups)
        pairs, first, counts = np.unique(
            codes[in_group] * len(op_names) + op_ids[in_group], return_index=True, return_counts=True
        )
        order = np.argsort(first, kind="stable")  # each group's ops in the order they first appear (ties of top ops)
        pairs, counts = pairs[order], counts[order]
        for code, op, count in zip(
            (pairs // len(op_names)).tolist(), (pairs % len(op_names)).tolist(), counts.tolist()
        ):
            per_group[self._groups[code]][op_names[op]] = count
        self._op_counts.update(per_group)


def _numbered(ops: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct ops in order of first appearance, and each node's number among them."""
    names = list(dict.fromkeys(ops))
    number = {op: i for i, op in enumerate(names)}
    return names, np.fromiter(map(number.__getitem__, ops), dtype=np.intp, count=len(ops))


def _parent_columns(group_parent: dict[str, str]) -> tuple[list[str], dict[str, int], np.ndarray]:
    """The groups in the map's order, each group's position (the root's is ``len(groups)``), and each group's
    parent as a position: the tree as a numpy column, for passes over every group in C."""
    groups = list(group_parent)
    position = dict(zip(groups, range(len(groups))))
    position[ROOT] = len(groups)
    parents = np.fromiter(map(position.__getitem__, group_parent.values()), dtype=np.intp, count=len(groups))
    return groups, position, parents


def _top_positions(parents: np.ndarray, groups: list[str]) -> np.ndarray:
    """Each group's ancestor at the top level (itself when it is at the top level), as a position.

    Every group climbs one level per pass, all at once in numpy, until its parent is the root: as many passes as
    the tree is deep (at most MAX_SCOPE_DEPTH and the buckets' levels), not a Python step per group."""
    root = len(parents)
    top = np.arange(root, dtype=np.intp)
    climbing = np.flatnonzero(parents != root)
    passes = 0
    while climbing.size:
        top[climbing] = parents[top[climbing]]
        climbing = climbing[parents[top[climbing]] != root]
        passes += 1
        if passes > root:  # a cycle cannot come from names; guard against it anyway
            raise ValueError(f"scope parents form a cycle through {groups[int(climbing[0])]!r}")
    return top


def folded_scope(scope: str) -> str:
    """The deepest prefix of ``scope`` (at a ``/``, or all of it) that may be a group: at most MAX_SCOPE_DEPTH
    groups on its chain, their ids at most MAX_CHAIN_CHARS characters together. The first level is always kept.
    Costs at most MAX_SCOPE_DEPTH steps, whatever the scope's length."""
    depth = total = 0
    kept = 0  # end of the deepest prefix kept so far
    start = 0
    while True:
        cut = scope.find("/", start)
        end = len(scope) if cut < 0 else cut
        if end > 0:  # a leading "/" names no group (the root)
            depth += 1
            total += end
            if depth > 1 and (depth > MAX_SCOPE_DEPTH or total > MAX_CHAIN_CHARS):
                return scope[:kept]
            kept = end
        if cut < 0:
            return scope
        start = cut + 1


def _scopes_to_fold(distinct_scopes) -> list[str]:
    """The scopes whose chain may pass the limits (folded_scope decides): a chain's ids hold at most (depth x the
    longest id) characters, so a scope shorter than MAX_SCOPE_DEPTH characters never does. Filtered in C first:
    this runs on every graph, and at 200k nodes nearly every scope is short and shallow."""
    if not distinct_scopes:
        return []
    long_enough = MAX_SCOPE_DEPTH - 1
    candidates = list(compress(distinct_scopes, map(long_enough.__lt__, map(len, distinct_scopes))))
    if not candidates:
        return []  # the common case, settled by one scan in C
    return [
        scope
        for scope, length, slashes in zip(candidates, map(len, candidates), map(str.count, candidates, repeat("/")))
        if slashes >= MAX_SCOPE_DEPTH or length * (slashes + 1) > MAX_CHAIN_CHARS
    ]


def fold_into_areas(names: list[str], codes: bytearray) -> tuple[list[str], dict[str, str]]:
    """Display names with every machinery op moved into its role's area; and role -> area id.

    ``codes`` are role codes (``roles.py``); a name holding the mark already makes the area id longer."""
    from tb_phaseview.analysis import roles

    machinery = bytes(code in roles.MACHINERY for code in range(len(roles.ROLE_NAMES)))
    present = {code for code in set(codes) if machinery[code]}  # set() of a bytearray is made in C
    if not present:
        return names, {}
    taken = set()
    if AREA_MARK in "\n".join(names):  # one scan in C: a name holding the mark is rare
        taken = {name.partition("/")[0] for name in compress(names, map(_has_mark, names, repeat(AREA_MARK)))}
    areas: dict[str, str] = {}
    for code in sorted(present):
        area = AREA_MARK + roles.ROLE_NAMES[code]
        while area in taken:
            area += AREA_MARK
        areas[roles.ROLE_NAMES[code]] = area
    # Each name behind its role's prefix, in C: the model's prefix is "" (which gives back the name itself).
    prefix = [areas[roles.ROLE_NAMES[code]] + "/" if code in present else "" for code in range(len(machinery))]
    display = list(map(operator.add, map(prefix.__getitem__, codes), names))
    return display, areas


def build_scopes(
    names: list[str],
    relocations: dict[str, str] | None = None,
    pinned: frozenset[str] = frozenset(),
    ops: list[str] | None = None,
) -> ScopeTree:
    """``pinned``: ids of groups and names of nodes that stay direct children of their group when it is split
    into buckets (and are never put in a series). ``ops``: each node's op type; without them no series is
    grouped."""
    return _tree(*_scope_parts(names, relocations, pinned, ops))


def build_scopes_without(
    names: list[str],
    relocations: dict[str, str] | None,
    pinned: frozenset[str],
    ops: list[str] | None,
    held: np.ndarray,
    holders: list[str],
) -> ScopeTree:
    """The tree of ``build_scopes`` with the ops at positions ``held`` held directly by the top-level group (an
    area) ``holders`` names for each, their inner groups not built. Everything the other ops decide is as
    ``build_scopes`` makes it (no decision about one subtree looks inside another): an answer that asks for no
    group the held ops would have made is the same from either tree, for a fraction of the work when the areas
    hold much of the graph. ``ops_deciding_paths`` says which ops of an area can be held so."""
    keep = np.ones(len(names), dtype=bool)
    keep[held] = False
    kept = np.flatnonzero(keep).tolist()
    group_parent, kept_parent, fixed, buckets, series, folded_nodes = _parts_of(
        kept, names, relocations, pinned, ops, dict.fromkeys(holders, ROOT)
    )
    node_parent = [ROOT] * len(names)
    deque(map(node_parent.__setitem__, held.tolist(), holders), maxlen=0)
    deque(map(node_parent.__setitem__, kept, kept_parent), maxlen=0)
    return _tree(group_parent, node_parent, fixed, buckets, series, folded_nodes)


def with_areas(
    first: ScopeTree,
    names: list[str],
    relocations: dict[str, str] | None,
    pinned: frozenset[str],
    ops: list[str] | None,
    inner: np.ndarray,
    areas: list[str],
) -> ScopeTree:
    """The whole tree of ``build_scopes``, from ``first`` (``build_scopes_without``, holding ops of the top-level
    groups ``areas``: the machinery's, or the model's) and those groups built again from their names alone
    (``inner``: the positions of every op in them): every name in such a group starts with the group's id, so no
    decision inside it looks outside, nor one outside it inside (the caller leaves out the groups a relocation
    enters or leaves, and the inlined bodies' group). What ``first`` built inside them is replaced."""
    positions = inner.tolist()
    groups, inner_parent, fixed, buckets, series, folded_nodes = _parts_of(
        positions, names, relocations, pinned, ops, bucket_root=False
    )
    rebuilt = set(areas)
    # The top level is ``first``'s: the groups rebuilt keep the parent they have there (a bucket of a wide one).
    for area in areas:
        groups.pop(area, None)

    def outside(parts: dict) -> dict:
        """``parts`` but for the entries of groups inside those groups (a copy, in the same order). Scans in C:
        the model's groups are thousands, too many to test each key against each."""
        kept = dict(parts)
        tops = [group.partition("/")[0] for group in parts]
        inside = [len(top) < len(group) and top in rebuilt for top, group in zip(tops, parts)]
        deque(map(kept.__delitem__, compress(parts, inside)), maxlen=0)
        return kept

    node_parent = list(first.node_parent)
    deque(map(node_parent.__setitem__, positions, inner_parent), maxlen=0)
    return _tree(
        {**outside(first.group_parent), **groups},
        node_parent,
        {**outside(first._fixed), **fixed},
        {**outside(first.buckets), **buckets},
        {**outside(first.series), **series},
        first.folded_nodes + folded_nodes,
    )


def ops_deciding_paths(
    names: list[str], positions: list[int], targets: list[int], area: str | None
) -> list[int] | None:
    """Of the ops at ``positions`` (every op of the top-level group ``area``, in graph order), the ones a tree needs
    to give each op in ``targets`` (among them) the path the whole tree gives it: the ops beside a target in its
    scope (they decide whether it joins a numbered series, and the series' id), and one op inside a group named
    like one of those (it sits inside that group). The groups on a target's chain come from its own name. None
    when a group on a chain may hold more than ``BUCKET_THRESHOLD`` children (its buckets need all of them), or a
    name holds a "[" (a series' id could clash with it): the caller builds the area whole then.

    ``area`` None: the ops of several top-level groups at once, each of which holds a target (the root, which is
    no group of an area, is then on no chain: its children are for the caller to keep).

    Passes in C over the area's names and distinct scopes, split as ``_scope_parts`` splits them (the caller
    refuses names deep enough to be folded)."""
    area_names = list(map(names.__getitem__, positions))
    if "[" in "".join(area_names):
        return None
    chain = {area: ROOT} if area is not None else {}  # each group on a target's chain -> its parent
    beside = set()  # the targets' scopes
    for target in targets:
        scope = names[target].rpartition("/")[0]
        beside.add(scope)
        while scope and scope not in chain:
            parent = scope.rpartition("/")[0]
            chain[scope] = parent
            scope = parent
    area_scopes = [name.rpartition("/")[0] for name in area_names]
    # Each scope off the chains, by the group it is in just below a chain: climbed a level of all at a time.
    below: dict[str, str] = {}
    pending = list(set(area_scopes).difference(chain))
    climbed = pending
    while pending:
        parents = [scope.rpartition("/")[0] for scope in climbed]
        reached = list(map(chain.__contains__, parents))
        below.update(zip(compress(pending, reached), compress(climbed, reached)))
        unreached = list(map(operator.not_, reached))
        pending = list(compress(pending, unreached))
        climbed = list(compress(parents, unreached))
        if pending and not any(climbed):
            return None  # a name outside the area: never so, but not worth a wrong tree
    # The children of each group on a chain, counted high (a series, or an op named like a group, counts twice):
    # within the threshold, none of them is bucketed in the whole tree.
    children = Counter(area_scopes)
    children.update(group.rpartition("/")[0] for group in set(below.values()))
    children.update(chain.values())
    if max(map(children.__getitem__, chain)) > BUCKET_THRESHOLD:
        return None
    kept = list(compress(positions, map(beside.__contains__, area_scopes)))
    groups_named = set(map(names.__getitem__, kept)).intersection(below.values())
    if groups_named:
        inside: dict[str, int] = {}
        groups = list(map(below.get, area_scopes))
        wanted = list(map(groups_named.__contains__, groups))
        deque(map(inside.setdefault, compress(groups, wanted), compress(positions, wanted)), maxlen=0)
        kept = sorted([*kept, *inside.values()])
    return kept


def _parts_of(positions: list[int], names, relocations, pinned, ops, extra_groups=None, bucket_root=True):
    """``_scope_parts`` of the nodes at ``positions`` alone, its bucketed children lists (which hold positions
    among those nodes) turned back into the graph's positions."""
    group_parent, node_parent, fixed, buckets, series, folded_nodes = _scope_parts(
        list(map(names.__getitem__, positions)),
        relocations,
        pinned,
        list(map(ops.__getitem__, positions)) if ops is not None else None,
        extra_groups,
        bucket_root,
    )
    fixed = {group: (ids, list(map(positions.__getitem__, nodes))) for group, (ids, nodes) in fixed.items()}
    return group_parent, node_parent, fixed, buckets, series, folded_nodes


def _tree(group_parent, node_parent, fixed, buckets, series, folded_nodes) -> ScopeTree:
    tree = ScopeTree(group_parent, node_parent, fixed, buckets, series)
    tree.folded_nodes = folded_nodes
    return tree


def _scope_parts(
    names: list[str],
    relocations: dict[str, str] | None,
    pinned: frozenset[str],
    ops: list[str] | None,
    extra_groups: dict[str, str] | None = None,
    bucket_root: bool = True,
):
    """(group_parent, node_parent, fixed, buckets, series, folded_nodes) of ``build_scopes``; ``extra_groups``
    (id -> parent) are groups whose ops are not among ``names``; ``bucket_root`` False leaves the top level
    unbucketed (``with_areas``: the names of a few of its groups cannot decide its buckets)."""
    relocations = relocations or {}
    scopes = [name.rpartition("/")[0] for name in names]  # "" (the root) for a name without "/" inside
    # Chains too deep or too long are folded (see the module's docstring); only the rare deep scope is walked.
    distinct = set(scopes)
    folds = {scope: folded_scope(scope) for scope in _scopes_to_fold(list(distinct))}
    folded_nodes = 0
    if folds:
        folded_nodes = sum(map(folds.__contains__, scopes))
        scopes = [folds.get(scope, scope) for scope in scopes]
    # Every op's scope is a group, and so is every prefix of one at a "/": walk up from each distinct scope,
    # recording each group's parent, until a group already known. Every parent is thus a group (or the root).
    # Level by level, each a comprehension and a dict update in C.
    group_parent: dict[str, str] = {}
    level = set(scopes) if folds else distinct
    level.discard(ROOT)
    while level:
        parents = [scope.rpartition("/")[0] for scope in level]
        group_parent.update(zip(level, parents))
        level = set(parents).difference(group_parent)
        level.discard(ROOT)
    if extra_groups:
        group_parent.update(extra_groups)
    groups = group_parent.keys()
    # A relocation target is a common prefix of layer scopes: fold it like them (it is then a group, or the root).
    relocations = {name: _existing_group(folded_scope(target), group_parent) for name, target in relocations.items()}
    for group, target in relocations.items():
        if group in group_parent:
            group_parent[group] = target
    _fold_inlined_bodies(group_parent, scopes)

    # Nearly every node's parent is its scope; an op named like a group sits inside it (found by a scan in C).
    node_parent = scopes
    for index in compress(range(len(names)), map(groups.__contains__, names)):
        node_parent[index] = names[index]
    if relocations:
        for index, name in enumerate(names):
            if name in relocations and name not in groups:
                node_parent[index] = relocations[name]

    marked = _MarkedNames(names)
    series = _group_series(names, ops, node_parent, group_parent, pinned, marked) if ops is not None else {}

    # Children per group, counted in C: only a group with too many children needs its lists now (to bucket).
    child_counts = Counter(group_parent.values())
    child_counts.update(node_parent)
    oversized = sorted(
        group for group, count in child_counts.items() if count > BUCKET_THRESHOLD and (bucket_root or group != ROOT)
    )
    fixed: dict[str, tuple[list[str], list[int]]] = {}
    buckets: dict[str, Bucket] = {}
    if oversized:
        # Each oversized group's children, by scans in C (bucketing one group does not change another's).
        wanted = {group: ([], []) for group in oversized}
        for g in compress(group_parent, map(wanted.__contains__, group_parent.values())):
            wanted[group_parent[g]][0].append(g)
        for group in oversized:
            wanted[group][0].sort()
        for index in compress(range(len(node_parent)), map(wanted.__contains__, node_parent)):
            wanted[node_parent[index]][1].append(index)
        # A bucket id must not be a group's or a node's name; only names holding the mark can clash.
        taken = set(marked.holding(BUCKET_MARK))
        if taken:  # a group id holding the mark is a prefix of such a name
            taken.update(compress(group_parent, map(_has_mark, group_parent, repeat(BUCKET_MARK))))
        for group in oversized:
            child_groups, child_nodes = wanted[group]
            kept_groups = [g for g in child_groups if g in pinned]
            kept_nodes = [i for i in child_nodes if names[i] in pinned] if pinned else []
            if kept_groups or kept_nodes:
                child_groups = [g for g in child_groups if g not in pinned]
                child_nodes = [i for i in child_nodes if names[i] not in pinned]
            _split_into_buckets(
                child_groups, child_nodes, fixed, buckets, group_parent, node_parent, group, names, taken
            )
            bucket_ids, _ = fixed[group]
            fixed[group] = (kept_groups + bucket_ids, kept_nodes)
    return group_parent, node_parent, fixed, buckets, series, folded_nodes


def _group_series(
    names: list[str], ops: list[str], node_parent: list[str], group_parent: dict[str, str], pinned, marked: _MarkedNames
) -> dict[str, Series]:
    """Group the numbered series (see the module's docstring): adds each series to ``group_parent`` and moves its
    ops into it in ``node_parent``. Returns the series by id."""
    # Each step below is a scan in C over the names (at 200k nodes a statement per name would cost ~1 s): only a
    # name ending in a digit can be a member; one regular expression over those names, a line each, then gives
    # each one's prefix and number (TensorBoard's pattern ``^(\D*)_(\d+)$`` on the leaf), or two empty strings.
    last_chars = map(operator.getitem, names, repeat(slice(-1, None)))
    candidates = list(compress(range(len(names)), map(str.isdigit, last_chars)))
    lines = "\n".join(map(names.__getitem__, candidates))
    if lines.count("\n") != len(candidates) - 1:  # a hand-made name holding a newline is never a member
        candidates = [i for i in candidates if "\n" not in names[i]]
        lines = "\n".join(map(names.__getitem__, candidates))
    found = _SERIES_LEAF.findall(lines) if candidates else []
    numbered = list(map(bool, map(operator.itemgetter(1), found)))
    candidates = list(compress(candidates, numbered))
    found = list(compress(found, numbered))
    prefixes = list(map(operator.itemgetter(0), found))
    cnames = list(map(names.__getitem__, candidates))
    parents = list(map(node_parent.__getitem__, candidates))
    # An op named like its group sits in it, and a pinned flag stays in sight: neither joins a series.
    free = [
        not (same or kept) for same, kept in zip(map(operator.eq, parents, cnames), map(pinned.__contains__, cnames))
    ]
    candidates = list(compress(candidates, free))
    keys = list(zip(compress(parents, free), map(ops.__getitem__, candidates), compress(prefixes, free)))
    numbers = list(map(int, map(operator.itemgetter(1), compress(found, free))))
    # Each (key, number) as one int, key_id * _SPAN + number (an int hashes in no time, a tuple of strings does not);
    # a number past _SPAN is no member.
    key_ids: dict = {}
    ids = list(map(key_ids.setdefault, keys, itertools.count()))
    codes = list(map(operator.add, map(operator.mul, ids, repeat(_SPAN)), numbers))
    small = list(map((_SPAN - 1).__gt__, numbers))
    # The members by code (of two members with one code, as "x_1" and "x_01", the later is kept).
    member = dict(zip(compress(codes, small), compress(candidates, small)))
    # Runs are intervals of codes (a key's codes are _SPAN apart from the next key's): a run starts at a member with
    # a successor and no predecessor and ends at one with a predecessor and no successor; the starts and the ends,
    # each sorted, pair up in order. Only the runs long enough are handled one by one.
    unique = list(member)
    followed = list(map(member.__contains__, map(operator.add, unique, repeat(1))))
    preceded = list(map(member.__contains__, map(operator.sub, unique, repeat(1))))
    run_starts = sorted(compress(unique, map(operator.gt, followed, preceded)))
    run_ends = sorted(compress(unique, map(operator.gt, preceded, followed)))
    key_of = dict(zip(key_ids.values(), key_ids))
    series: dict[str, Series] = {}
    taken = None
    for code, end in zip(run_starts, run_ends):
        if end - code + 1 < SERIES_MIN:
            continue
        key_id, first = divmod(code, _SPAN)
        last = first + end - code
        parent, op, prefix = key_of[key_id]
        label = f"{prefix}_[{first}-{last}]"
        series_id = f"{parent}/{label}" if parent else label
        if taken is None:  # "[" is not in a TensorFlow name: only a hand-made graph can clash with a node
            taken = set(marked.holding("["))
        while series_id in taken or series_id in group_parent:
            series_id += BUCKET_MARK
        group_parent[series_id] = parent
        moved = map(member.__getitem__, range(code, end + 1))
        deque(map(node_parent.__setitem__, moved, repeat(series_id)), maxlen=0)
        series[series_id] = Series(parent, prefix, op, first, last)
    return series


class _MarkedNames:
    """The names holding a character TensorFlow never writes in one (only a hand-made graph's names can clash with
    a synthetic group's id), from one join of every name made on first use: nearly always settled by a scan in C."""

    def __init__(self, names: list[str]):
        self._names = names
        self._text: str | None = None

    def holding(self, mark: str) -> list[str]:
        if self._text is None:
            self._text = "\n".join(self._names)
        if mark not in self._text:
            return []
        return list(compress(self._names, map(_has_mark, self._names, repeat(mark))))


def _existing_group(scope: str, group_parent: dict[str, str]) -> str:
    while scope and scope not in group_parent:
        scope = scope.rpartition("/")[0]
    return scope


_has_mark = str.__contains__

# Grappler names the nodes of a function it inlined ``Func/<call>/input/_N`` and ``Func/<call>/output/_N``.
INLINED_SCOPE = "Func"


def is_inlined_body(group: str) -> bool:
    """``Func/bn1``: the nodes grappler inlined from the calls made in ``bn1``."""
    head, _, rest = group.partition("/")
    return head == INLINED_SCOPE and bool(rest) and "/" not in rest


def _fold_inlined_bodies(group_parent: dict[str, str], scopes: list[str]) -> None:
    """Show ``Func/bn1`` inside ``bn1``, where the call it was inlined from is. In one top-level ``Func`` group
    the inlined bodies of every layer tie the layers to each other (``conv1 -> Func -> bn1``), and the flow of
    the graph no longer reads top to bottom. ``Func`` itself goes when nothing is left in it."""
    if INLINED_SCOPE not in group_parent or group_parent[INLINED_SCOPE] != ROOT:
        return
    moved = [
        g
        for g, parent in group_parent.items()
        if parent == INLINED_SCOPE and is_inlined_body(g) and g.partition("/")[2] in group_parent
    ]
    for group in moved:
        group_parent[group] = group.partition("/")[2]
    if moved and INLINED_SCOPE not in group_parent.values() and INLINED_SCOPE not in scopes:
        del group_parent[INLINED_SCOPE]


def _build_children(
    groups: list[str], position: dict[str, int], parents: np.ndarray, node_owners: np.ndarray, fixed
) -> _Children:
    """Every group's children lists and size, grouped by sorting numpy columns of parent positions (a stable sort
    keeps child ops in graph order); no Python step per op or per group. Each group's lists are cut from those
    columns when asked for, and its child groups sorted by id then: sorting every group's id at once took 0.7 s
    at 1,000,000 nodes, for the few groups a user opens."""
    root = len(groups)
    group_order, group_starts = _sorted_by_owner(parents, root + 1)
    ordered_groups = list(map(groups.__getitem__, group_order.tolist()))
    node_order, node_starts = _sorted_by_owner(node_owners, root + 1)
    group_starts, node_starts = group_starts.tolist(), node_starts.tolist()
    size = _roll_up_sizes(np.bincount(node_owners, minlength=root + 1), parents)
    fixed_groups = {group: kept_groups for group, (kept_groups, _) in fixed.items()}
    fixed_nodes = {group: kept_nodes for group, (_, kept_nodes) in fixed.items()}
    # Bucketed groups and buckets keep the lists made when bucketing (name order); every other group's are cut.
    return _Children(
        _ByGroup(
            groups, position, lambda p: sorted(ordered_groups[group_starts[p] : group_starts[p + 1]]), fixed_groups
        ),
        _ByGroup(groups, position, lambda p: node_order[node_starts[p] : node_starts[p + 1]].tolist(), fixed_nodes),
        _ByGroup(groups, position, lambda p: int(size[p]), {}),
    )


def _sorted_by_owner(owners: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The positions of ``owners`` sorted by owner (stable: in their order within one), and where each owner
    ``0 .. count - 1`` starts among them (``count + 1`` offsets)."""
    order = np.argsort(owners, kind="stable")
    starts = np.zeros(count + 1, dtype=np.intp)
    np.cumsum(np.bincount(owners, minlength=count), out=starts[1:])
    return order, starts


def _roll_up_sizes(own: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Ops below every group (the root's last): each group's own ops added to every ancestor, one level of all
    groups per pass."""
    root = len(parents)
    size = own.astype(np.int64)
    carriers = np.flatnonzero(own[:root])
    above, weight = parents[carriers], own[carriers]
    passes = 0
    while above.size:
        size += np.bincount(above, weights=weight, minlength=root + 1).astype(np.int64)
        keep = above != root
        above, weight = parents[above[keep]], weight[keep]
        passes += 1
        if passes > root:  # a cycle cannot come from names (see _top_positions)
            break
    return size


def _split_into_buckets(
    child_groups: list[str],
    child_nodes: list[int],
    fixed: dict,
    buckets: dict[str, Bucket],
    group_parent: dict[str, str],
    node_parent: list[str],
    group: str,
    names: list[str],
    taken: set[str],
) -> None:
    # Children as (name, group id or node index), sorted by name so each bucket covers a range of names.
    items = [(g, g) for g in child_groups]
    items += [(names[i], i) for i in child_nodes]
    items.sort(key=lambda item: item[0])
    level = 0
    while len(items) > BUCKET_THRESHOLD:
        level += 1
        chunks = [items[i : i + BUCKET_SIZE] for i in range(0, len(items), BUCKET_SIZE)]
        made = []
        start = 1
        for k, chunk in enumerate(chunks, 1):
            base = f"{group}/{BUCKET_MARK * level}{k}" if group else f"{BUCKET_MARK * level}{k}"
            bucket_id = base
            while bucket_id in taken:
                bucket_id += BUCKET_MARK
            taken.add(bucket_id)
            first = chunk[0][0] if level == 1 else buckets[chunk[0][1]].first
            last = chunk[-1][0] if level == 1 else buckets[chunk[-1][1]].last
            buckets[bucket_id] = Bucket(group, k, len(chunks), first, last, len(chunk), start, len(items))
            start += len(chunk)
            group_parent[bucket_id] = group
            fixed[bucket_id] = (
                [ref for _, ref in chunk if isinstance(ref, str)],
                [ref for _, ref in chunk if not isinstance(ref, str)],
            )
            for _, ref in chunk:
                if isinstance(ref, str):
                    group_parent[ref] = bucket_id
                else:
                    node_parent[ref] = bucket_id
            made.append((first, bucket_id))
        items = made
    fixed[group] = ([bucket_id for _, bucket_id in items], [])


def _aggregate_top_level_edges(tree: ScopeTree, src, dst, kind_codes, kind_names, skip_kinds) -> Counter:
    """The root's edges, counted in numpy: each end by its top-level code, one key per (from, to, kind)."""
    codes = tree.top_codes().astype(np.int64)
    a, b = codes[src], codes[dst]
    kinds = np.asarray(kind_codes, dtype=np.int64)
    keep = a != b  # most edges stay inside one group
    if skip_kinds:
        keep &= ~np.isin(kinds, [kind_names.index(k) for k in skip_kinds if k in kind_names])
    span, kind_span = len(codes) + len(tree._groups), len(kind_names)
    keys, counts = np.unique((a[keep] * span + b[keep]) * kind_span + kinds[keep], return_counts=True)
    pairs, kind = np.divmod(keys, kind_span)
    label = tree.label_of
    return Counter(
        {
            (label(x), label(y), kind_names[k]): n
            for x, y, k, n in zip((pairs // span).tolist(), (pairs % span).tolist(), kind.tolist(), counts.tolist())
        }
    )


# Past this many ops below a group, its edges are counted in numpy over every edge of the graph (a few passes in C,
# 0.03 s at 1,000,000 nodes) instead of a Python step per op and edge below it (the gradients' area at 1M: 264,000
# ops, 0.4 s).
LARGE_GROUP_NODES = 20_000


def child_codes(tree: ScopeTree, group_id: str, nodes) -> np.ndarray:
    """For each of ``nodes`` (ops below ``group_id``, a list or an array), the child of the group it is drawn in,
    as a number: the child group's position among the tree's groups, or ``len(groups)`` plus the op's own index
    for an op that is itself a child. Every group below climbs a level per pass, all at once in numpy."""
    parents, root = tree._parents, len(tree._groups)
    group = tree._position[group_id] if group_id != ROOT else root
    index = np.asarray(nodes, dtype=np.intp)
    owners, inverse = np.unique(tree.node_owners()[index], return_inverse=True)
    parent_of = np.append(parents, root)  # the root's own parent: itself, so a climb past it stops there
    child = owners.copy()
    climbing = np.flatnonzero((child != group) & (parent_of[child] != group))
    while climbing.size:
        child[climbing] = parent_of[child[climbing]]
        climbing = climbing[(parent_of[child[climbing]] != group) & (child[climbing] != root)]
    codes = child[inverse].astype(np.int64)
    direct = codes == group
    codes[direct] = root + index[direct]
    return codes


def _aggregate_large_group_edges(tree, group_id, nodes, src, dst, kind_codes, kind_names, skip_kinds) -> Counter:
    """``aggregate_group_edges`` of a large group, counted in numpy: each op below it labelled by ``child_codes``,
    one key per (from, to, kind) of the edges whose two ends are below it under different children."""
    root = len(tree._groups)
    nodes = np.asarray(nodes, dtype=np.intp)
    label = np.full(len(tree.node_parent), -1, dtype=np.int64)
    label[nodes] = child_codes(tree, group_id, nodes)
    a, b = label[src], label[dst]
    kinds = np.asarray(kind_codes, dtype=np.int64)
    keep = (a >= 0) & (b >= 0) & (a != b)
    if skip_kinds:
        keep &= ~np.isin(kinds, [kind_names.index(k) for k in skip_kinds if k in kind_names])
    span, kind_span = root + len(label), len(kind_names)
    keys, counts = np.unique((a[keep] * span + b[keep]) * kind_span + kinds[keep], return_counts=True)
    pairs, kind = np.divmod(keys, kind_span)
    groups = tree._groups

    def name(code: int):
        return groups[code] if code < root else code - root

    return Counter(
        {
            (name(x), name(y), kind_names[k]): n
            for x, y, k, n in zip((pairs // span).tolist(), (pairs % span).tolist(), kind.tolist(), counts.tolist())
        }
    )


def aggregate_group_edges(
    tree: ScopeTree,
    group_id: str,
    out_edges,
    edge_src,
    edge_dst,
    kinds,
    skip_kinds=(),
    columns_src=None,
    columns_dst=None,
    kind_codes=None,
    kind_names=(),
) -> Counter:
    """The edges between a group's children, counted per (from child, to child, kind).

    An op-level edge belongs to the pair of sibling children under the lowest common group of its two ends;
    a child is named by its group id or, for an op, its node index. Costs the size of the group's subtree. For
    the root, given the edges' numpy columns (``columns_src``, ``columns_dst``) and ``kind_codes`` (positions in
    ``kind_names``), it is counted in numpy.
    """
    counts: Counter = Counter()
    chain = tree.chain
    if group_id == ROOT and kind_codes is not None:
        return _aggregate_top_level_edges(tree, columns_src, columns_dst, kind_codes, kind_names, skip_kinds)
    if group_id == ROOT:
        # Every node is below the root: label each by its top-level group, then count in C (Counter over
        # an iterable) rather than with a Python statement per edge.
        label = tree.labels()
        src_labels = list(map(label.__getitem__, edge_src))
        dst_labels = list(map(label.__getitem__, edge_dst))
        crossing = list(map(operator.ne, src_labels, dst_labels))  # most edges stay inside one group
        counts = Counter(zip(compress(src_labels, crossing), compress(dst_labels, crossing), compress(kinds, crossing)))
        for key in [key for key in counts if key[2] in skip_kinds]:
            del counts[key]
        return counts
    descendants = tree.descendant_nodes(group_id)
    if kind_codes is not None and len(descendants) > LARGE_GROUP_NODES:
        return _aggregate_large_group_edges(
            tree, group_id, descendants, columns_src, columns_dst, kind_codes, kind_names, skip_kinds
        )
    depth = len(chain(group_id))
    labels: dict[int, object] = {}
    for node in descendants:
        below = chain(tree.node_parent[node])
        labels[node] = below[depth] if len(below) > depth else node
    get = labels.get
    for node, own in labels.items():
        for e in out_edges(node):
            other = get(edge_dst[e])
            if other is None or other == own:
                continue
            kind = kinds[e]
            if kind not in skip_kinds:
                counts[(own, other, kind)] += 1
    return counts
