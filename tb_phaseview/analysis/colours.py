"""What the boxes of one group are coloured by, besides their role: each child's layer type, the device its ops
were placed on, and, for a graph with step stats (a traced step's run metadata), the compute time and memory of
its ops (docs/wire_format.md, ``colours``).

Pure: no TensorBoard import. Asked for on demand (never for the first view); the device costs parsing the
NodeDef of every op below the group.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from tb_phaseview.analysis import layers, roles, shapes

BY = ("type", "device", "compute", "memory")
UNITS = {"compute": "µs", "memory": "bytes"}
NO_DEVICE = "no device set"


def _members(analysis, group_id: str) -> list[tuple[str, list[int]]]:
    """(child name, the ops it stands for) of each child of a group."""
    tree, graph = analysis.tree, analysis.graph
    groups, nodes = tree.children(group_id)
    found = [(g, tree.descendant_nodes(g)) for g in groups]
    found.extend((graph.names[n], [n]) for n in nodes)
    return found


def _type(analysis, ops: list[int], phase_kinds: dict, name: str) -> str | None:
    graph = analysis.graph
    codes = analysis.roles.codes
    model = [n for n in ops if codes[n] == roles.MODEL]
    if not model:
        return None
    if len(ops) == 1:
        return graph.ops[ops[0]]
    histogram = Counter(graph.ops[n] for n in model)
    variables = [
        layers.LayerVariable(shapes.Variable(n, graph.names[n], None, "?", 0), True)
        for n in model
        if graph.ops[n] in roles.VARIABLE_OPS
    ]
    return layers.layer_type(histogram, phase_kinds.get(name), variables) or None


def _device(graph, ops: list[int]) -> str:
    devices = Counter()
    stats = graph.step_stats
    for n in ops:
        device = stats.devices.get(n) if stats is not None else None
        if device is None:
            try:
                device = graph.node_defs[n].device
            except Exception:  # noqa: BLE001 - an op whose attributes cannot be read has no device to show
                device = ""
        devices[device or NO_DEVICE] += 1
    return devices.most_common(1)[0][0] if devices else NO_DEVICE


def colour_answer(analysis, group_id: str, by: str) -> dict:
    """Each child's value (``null``: no value, e.g. no step stats for its ops). Raises KeyError for an unknown
    group, ValueError for an unknown ``by``."""
    if by not in BY:
        raise ValueError(f"colour by one of {', '.join(BY)}, not {by!r}")
    if not analysis.tree.is_group(group_id):
        raise KeyError(group_id)
    graph = analysis.graph
    stats = graph.step_stats
    values: dict[str, object] = {}
    phase_kinds = {layer.layer: layer.kind for layer in analysis.phase.layers}
    for name, ops in _members(analysis, group_id):
        if by == "type":
            values[name] = _type(analysis, ops, phase_kinds, name)
        elif by == "device":
            values[name] = _device(graph, ops)
        else:
            table = (stats.compute_us if by == "compute" else stats.bytes) if stats is not None else {}
            measured = [table[n] for n in ops if n in table]
            values[name] = (
                (round(float(np.sum(measured)), 3) if by == "compute" else int(sum(measured))) if measured else None
            )
    return {
        "version": 1,
        "group": group_id,
        "by": by,
        "unit": UNITS.get(by),
        "measured": stats is not None,
        "values": values,
    }
