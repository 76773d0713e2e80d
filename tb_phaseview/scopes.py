"""The name-scope hierarchy of a graph and the edges between sibling groups. Pure: no TensorBoard import.

Groups are name scopes, identified by their scope path; the root is ``""``. Every prefix of a node name at
a ``/`` is a group. An op whose name is also a scope (``keras_learning_phase`` with
``keras_learning_phase/input``) sits inside the group of that name. A subtree can be *relocated*: shown under
another group than its name says (a learning-phase flag born in a layer's scope is drawn apart from it).

Only what every answer needs is computed up front (parents, children, sizes); op histograms and the edges
between a group's children are computed when that group is first asked for, and kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ROOT = ""


@dataclass
class ScopeTree:
    group_parent: dict[str, str]  # group id -> display parent group id
    node_parent: list[str]  # node index -> display parent group id
    child_groups: dict[str, list[str]]
    child_nodes: dict[str, list[int]]
    size: dict[str, int]  # ops below the group, all depths
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
    for name in names:
        cut = name.rfind("/")
        while cut > 0:
            prefix = name[:cut]
            if prefix in groups:
                break  # its own prefixes are in already
            groups.add(prefix)
            cut = name.rfind("/", 0, cut)

    def enclosing_group(name: str) -> str:
        parent = _scope_of(name)
        while parent and parent not in groups:  # "a//b": skip the empty component
            parent = _scope_of(parent)
        return parent

    group_parent: dict[str, str] = {}
    for group in groups:
        parent = relocations.get(group)
        if parent is None:
            cut = group.rfind("/")
            parent = group[:cut] if cut > 0 else ROOT
            if parent and parent not in groups:
                parent = enclosing_group(group)
        group_parent[group] = parent

    node_parent: list[str] = []
    for name in names:
        if name in groups:
            parent = name
        elif name in relocations:
            parent = relocations[name]
        else:
            cut = name.rfind("/")
            parent = name[:cut] if cut > 0 else ROOT
            if parent and parent not in groups:
                parent = enclosing_group(name)
        node_parent.append(parent)

    child_groups: dict[str, list[str]] = {ROOT: []}
    for group in sorted(groups):
        child_groups.setdefault(group, [])
        child_groups.setdefault(group_parent[group], []).append(group)
    child_nodes: dict[str, list[int]] = {}
    for index, parent in enumerate(node_parent):
        child_nodes.setdefault(parent, []).append(index)

    tree = ScopeTree(group_parent, node_parent, child_groups, child_nodes, {})
    # Sizes roll up from the deepest groups: each group adds its total to its parent once.
    size: dict[str, int] = {group: len(child_nodes.get(group, ())) for group in groups}
    size[ROOT] = len(names)
    # Relocation only ever moves a subtree up to an ancestor scope, so fewer "/" means nearer the root.
    for group in sorted(groups, key=lambda g: g.count("/"), reverse=True):
        parent = group_parent[group]
        if parent != ROOT:
            size[parent] += size[group]
    tree.size = size
    return tree


def aggregate_group_edges(tree: ScopeTree, group_id: str, out_edges, edge_src, edge_dst, kinds,
                          skip_kinds=()) -> Counter:
    """The edges between a group's children, counted per (from child, to child, kind).

    An op-level edge belongs to the pair of sibling children under the lowest common group of its two ends;
    a child is named by its group id or, for an op, its node index. Costs the size of the group's subtree.
    """
    counts: Counter = Counter()
    chain = tree.chain
    if group_id == ROOT:
        # Every node is below the root: label each by its top-level group in one pass, scan every edge.
        label = [
            chain(parent)[0] if parent else node for node, parent in enumerate(tree.node_parent)
        ]
        for src, dst, kind in zip(edge_src, edge_dst, kinds):
            own, other = label[src], label[dst]
            if own != other and kind not in skip_kinds:
                counts[(own, other, kind)] += 1
        return counts
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
