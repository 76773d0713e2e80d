"""The name-scope hierarchy of a graph and the edges between sibling groups. Pure: no TensorBoard import.

Groups are name scopes, identified by their scope path; the root is ``""``. Every prefix of a node name at
a ``/`` is a group. An op whose name is also a scope (``keras_learning_phase`` with
``keras_learning_phase/input``) sits inside the group of that name. A subtree can be *relocated*: shown under
another group than its name says (a learning-phase flag born in a layer's scope is drawn apart from it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

ROOT = ""


@dataclass
class ScopeTree:
    group_parent: dict[str, str]  # group id -> display parent group id
    node_parent: list[str]  # node index -> display parent group id
    child_groups: dict[str, list[str]]
    child_nodes: dict[str, list[int]]
    size: dict[str, int]  # ops below the group, all depths
    op_counts: dict[str, Counter]
    _chains: dict[str, tuple[str, ...]]

    def is_group(self, group_id: str) -> bool:
        return group_id == ROOT or group_id in self.group_parent

    def chain(self, group_id: str) -> tuple[str, ...]:
        """Groups from the top level down to ``group_id`` (root excluded, ``group_id`` included)."""
        chain = self._chains.get(group_id)
        if chain is None:
            if group_id == ROOT:
                chain = ()
            else:
                chain = self.chain(self.group_parent[group_id]) + (group_id,)
            self._chains[group_id] = chain
        return chain


def _prefixes(name: str):
    """Non-empty scope prefixes of a name: ``a/b/c`` -> ``a``, ``a/b``."""
    start = name.find("/")
    while start != -1:
        if start > 0:
            yield name[:start]
        start = name.find("/", start + 1)


def _scope_of(name: str) -> str:
    cut = name.rfind("/")
    return name[:cut] if cut > 0 else ROOT


def build_scopes(names: list[str], ops: list[str], relocations: dict[str, str] | None = None) -> ScopeTree:
    relocations = relocations or {}
    groups: set[str] = set()
    for name in names:
        groups.update(_prefixes(name))

    group_parent: dict[str, str] = {}
    for group in groups:
        parent = relocations.get(group)
        if parent is None:
            parent = _scope_of(group)
            # "a//b": the empty-named prefix "a/" is a group; its parent "a" is too.
            while parent and parent not in groups:
                parent = _scope_of(parent)
        group_parent[group] = parent

    node_parent: list[str] = []
    for name in names:
        if name in groups:
            node_parent.append(name)
        elif name in relocations:
            node_parent.append(relocations[name])
        else:
            parent = _scope_of(name)
            while parent and parent not in groups:
                parent = _scope_of(parent)
            node_parent.append(parent)

    child_groups: dict[str, list[str]] = {ROOT: []}
    for group in sorted(groups):
        child_groups.setdefault(group, [])
        child_groups.setdefault(group_parent[group], []).append(group)
    child_nodes: dict[str, list[int]] = {}
    for index, parent in enumerate(node_parent):
        child_nodes.setdefault(parent, []).append(index)

    tree = ScopeTree(group_parent, node_parent, child_groups, child_nodes, {}, {}, {})
    size: dict[str, int] = Counter()
    op_counts: dict[str, Counter] = {}
    for parent, members in child_nodes.items():
        direct = Counter(ops[i] for i in members)
        for group in tree.chain(parent) if parent else ():
            size[group] += len(members)
            counts = op_counts.get(group)
            if counts is None:
                op_counts[group] = counts = Counter()
            counts.update(direct)
    size[ROOT] = len(names)
    tree.size = dict(size)
    tree.op_counts = op_counts
    return tree


def aggregate_edges(tree: ScopeTree, edge_src, edge_dst, kinds, skip_kinds=()) -> dict[str, Counter]:
    """For each group, the edges between its children, counted per (from, to, kind).

    An op-level edge belongs to the pair of sibling children under the lowest common group of its two
    ends; a child is named by its group id or, for an op, its node index.
    """
    node_parent = tree.node_parent
    chain = tree.chain
    by_group: dict[str, Counter] = {}
    for src, dst, kind in zip(edge_src, edge_dst, kinds):
        if kind in skip_kinds or src == dst:
            continue
        parent_src, parent_dst = node_parent[src], node_parent[dst]
        if parent_src == parent_dst:
            lca, a, b = parent_src, src, dst
        else:
            chain_src, chain_dst = chain(parent_src), chain(parent_dst)
            depth = 0
            for x, y in zip(chain_src, chain_dst):
                if x != y:
                    break
                depth += 1
            lca = chain_src[depth - 1] if depth else ROOT
            a = chain_src[depth] if len(chain_src) > depth else src
            b = chain_dst[depth] if len(chain_dst) > depth else dst
        counter = by_group.get(lca)
        if counter is None:
            by_group[lca] = counter = Counter()
        counter[(a, b, kind)] += 1
    return by_group
