"""The name-scope hierarchy of a graph and the edges between sibling groups. Pure: no TensorBoard import.

Groups are name scopes, identified by their scope path; the root is ``""``. Every prefix of a node name at
a ``/`` is a group. An op whose name is also a scope (``keras_learning_phase`` with
``keras_learning_phase/input``) sits inside the group of that name. A subtree can be *relocated*: shown under
another group than its name says (a learning-phase flag born in a layer's scope is drawn apart from it).

Only what every answer needs is computed up front (parents, children, sizes); op histograms and the edges
between a group's children are computed when that group is first asked for, and kept.

A group with more than ``BUCKET_THRESHOLD`` children (100,000 ops in one scope) is more than a layout can
take, so its children, sorted by name, are split into *buckets* of ``BUCKET_SIZE``: synthetic groups with
ids ``<group>/…<k>`` (``…`` is U+2026, which TensorFlow never puts in a name; a clash with a real name gets
another ``…``). A bucket is a group like any other: it can be opened, it is in every ``path`` that leads
through it, and its edges are aggregated with the others. More than ``BUCKET_THRESHOLD`` buckets are
bucketed again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ROOT = ""
BUCKET_THRESHOLD = 5000  # a group with more children than this has them split into buckets
BUCKET_SIZE = 1000  # children per bucket
BUCKET_MARK = "\u2026"


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
class ScopeTree:
    group_parent: dict[str, str]  # group id -> display parent group id
    node_parent: list[str]  # node index -> display parent group id
    child_groups: dict[str, list[str]]
    child_nodes: dict[str, list[int]]
    size: dict[str, int]  # ops below the group, all depths
    buckets: dict[str, Bucket] = field(default_factory=dict)  # synthetic bucket groups, by id
    top_level: dict[str, str] = field(default_factory=dict)  # group id -> its ancestor at the top level
    _chains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _op_counts: dict[str, Counter] = field(default_factory=dict)

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
        """Every op below a group, all depths."""
        found: list[int] = []
        stack = [group_id]
        while stack:
            group = stack.pop()
            found.extend(self.child_nodes.get(group, ()))
            stack.extend(self.child_groups.get(group, ()))
        return found

    def op_counts(self, group_id: str, ops: list[str]) -> Counter:
        counts = self._op_counts.get(group_id)
        if counts is None:
            counts = self._op_counts[group_id] = Counter(ops[i] for i in self.descendant_nodes(group_id))
        return counts


def _scope_of(name: str) -> str:
    cut = name.rfind("/")
    return name[:cut] if cut > 0 else ROOT


def build_scopes(names: list[str], relocations: dict[str, str] | None = None) -> ScopeTree:
    relocations = relocations or {}
    groups: set[str] = set()
    scopes = [name[:cut] if (cut := name.rfind("/")) > 0 else ROOT for name in names]
    for name, scope in zip(names, scopes):
        if scope in groups or not scope:
            continue  # its own prefixes are in already
        cut = len(scope)
        while cut > 0:
            prefix = name[:cut]
            if prefix in groups:
                break
            groups.add(prefix)
            cut = name.rfind("/", 0, cut)

    def enclosing_group(name: str) -> str:
        parent = _scope_of(name)
        while parent and parent not in groups:  # "a//b": skip the empty component
            parent = _scope_of(parent)
        return parent

    group_parent = {group: group[:cut] if (cut := group.rfind("/")) > 0 else ROOT for group in groups}
    for group in [g for g, parent in group_parent.items() if parent and parent not in groups]:
        group_parent[group] = enclosing_group(group)
    for group, target in relocations.items():
        if group in group_parent:
            group_parent[group] = target

    # Nearly every node's parent is its scope; the rest (namesake groups, relocations, "a//b") are fixed up.
    node_parent = [name if name in groups else scope for name, scope in zip(names, scopes)]
    for index in [i for i, parent in enumerate(node_parent) if parent and parent not in groups]:
        node_parent[index] = enclosing_group(names[index])
    if relocations:
        for index, name in enumerate(names):
            if name in relocations and name not in groups:
                node_parent[index] = relocations[name]

    ordered = sorted(groups)
    child_groups: dict[str, list[str]] = {group: [] for group in ordered}
    child_groups[ROOT] = []
    for group in ordered:
        child_groups[group_parent[group]].append(group)
    child_nodes: dict[str, list[int]] = {group: [] for group in child_groups}
    for index, parent in enumerate(node_parent):
        child_nodes[parent].append(index)

    tree = ScopeTree(group_parent, node_parent, child_groups, child_nodes, {})
    oversized = [g for g in child_groups if len(child_groups[g]) + len(child_nodes.get(g, ())) > BUCKET_THRESHOLD]
    oversized += [g for g in child_nodes if g not in child_groups and len(child_nodes[g]) > BUCKET_THRESHOLD]
    if oversized:
        taken = set(group_parent) | set(names)
        for group in oversized:
            _split_into_buckets(tree, group, names, taken)
    tree.size = _roll_up_sizes(tree)
    return tree


def _roll_up_sizes(tree: ScopeTree) -> dict[str, int]:
    """Ops below every group: each group's own ops plus its child groups' totals, deepest first."""
    order = [ROOT]
    for group in order:  # breadth-first; grows while it is walked
        order.extend(tree.child_groups.get(group, ()))
    tree.top_level = top = {}  # every group's top-level ancestor (itself at the top level)
    for group in order[1:]:
        parent = tree.group_parent[group]
        top[group] = group if parent == ROOT else top[parent]
    size = {group: len(tree.child_nodes.get(group, ())) for group in order}
    parent_of = tree.group_parent
    for group in reversed(order):
        if group != ROOT:
            size[parent_of[group]] += size[group]
    for group in tree.group_parent:  # unreachable only if relocations were inconsistent; still answer
        size.setdefault(group, len(tree.child_nodes.get(group, ())))
    return size


def _split_into_buckets(tree: ScopeTree, group: str, names: list[str], taken: set[str]) -> None:
    # Children as (name, group id or node index), sorted by name so each bucket covers a range of names.
    items = [(g, g) for g in tree.child_groups.get(group, ())]
    items += [(names[i], i) for i in tree.child_nodes.get(group, ())]
    items.sort(key=lambda item: item[0])
    level = 0
    while len(items) > BUCKET_THRESHOLD:
        level += 1
        chunks = [items[i : i + BUCKET_SIZE] for i in range(0, len(items), BUCKET_SIZE)]
        buckets = []
        start = 1
        for k, chunk in enumerate(chunks, 1):
            base = f"{group}/{BUCKET_MARK * level}{k}" if group else f"{BUCKET_MARK * level}{k}"
            bucket_id = base
            while bucket_id in taken:
                bucket_id += BUCKET_MARK
            taken.add(bucket_id)
            first = chunk[0][0] if level == 1 else tree.buckets[chunk[0][1]].first
            last = chunk[-1][0] if level == 1 else tree.buckets[chunk[-1][1]].last
            tree.buckets[bucket_id] = Bucket(group, k, len(chunks), first, last, len(chunk), start, len(items))
            start += len(chunk)
            tree.group_parent[bucket_id] = group
            tree.child_groups[bucket_id] = [ref for _, ref in chunk if isinstance(ref, str)]
            tree.child_nodes[bucket_id] = [ref for _, ref in chunk if not isinstance(ref, str)]
            for _, ref in chunk:
                if isinstance(ref, str):
                    tree.group_parent[ref] = bucket_id
                else:
                    tree.node_parent[ref] = bucket_id
            buckets.append((first, bucket_id))
        items = buckets
    tree.child_groups[group] = [bucket_id for _, bucket_id in items]
    tree.child_nodes[group] = []


def top_level_labels(tree: ScopeTree) -> list:
    """For every node, the top-level element holding it: its top-level group id, or its own index."""
    top = tree.top_level
    return [top[parent] if parent else node for node, parent in enumerate(tree.node_parent)]


def aggregate_group_edges(tree: ScopeTree, group_id: str, out_edges, edge_src, edge_dst, kinds,
                          skip_kinds=()) -> Counter:
    """The edges between a group's children, counted per (from child, to child, kind).

    An op-level edge belongs to the pair of sibling children under the lowest common group of its two ends;
    a child is named by its group id or, for an op, its node index. Costs the size of the group's subtree.
    """
    counts: Counter = Counter()
    chain = tree.chain
    if group_id == ROOT:
        # Every node is below the root: label each by its top-level group, then count in C (Counter over
        # an iterable) rather than with a Python statement per edge.
        label = top_level_labels(tree)
        return Counter(
            key for key in zip(map(label.__getitem__, edge_src), map(label.__getitem__, edge_dst), kinds)
            if key[0] != key[1] and key[2] not in skip_kinds
        )
    depth = len(chain(group_id))
    labels: dict[int, object] = {}
    for node in tree.descendant_nodes(group_id):
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
