"""What a traced step measured of each op (RunMetadata ``step_stats``): its compute time, the memory its outputs
took, and the shapes of those outputs, which a run-metadata graph's partition graphs do not record.

Pure: works on any RunMetadata-shaped object; no TensorBoard import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tb_phaseview.analysis.graph_model import Graph


@dataclass
class StepStats:
    compute_us: dict[int, float] = field(default_factory=dict)  # node index -> microseconds, summed over devices
    bytes: dict[int, int] = field(default_factory=dict)  # node index -> bytes its outputs requested
    shapes: dict[int, list] = field(default_factory=dict)  # node index -> [shape of output 0, 1, ...]
    devices: dict[int, str] = field(default_factory=dict)  # node index -> the device it ran on


def _shape(proto):
    if proto.unknown_rank:
        return None
    return tuple(d.size if d.size >= 0 else None for d in proto.dim)


def read(run_metadata, graph: Graph) -> StepStats | None:
    """The step stats of ``run_metadata`` by node of ``graph`` (a merged graph's ``graph_<i>/`` prefixes are
    looked through), or None when it holds none."""
    if not run_metadata.step_stats.dev_stats:
        return None
    index = graph.index
    unprefixed = {}
    if any(name.startswith("graph_") for name in graph.names[:1]):
        for name, i in index.items():
            unprefixed.setdefault(name.partition("/")[2], i)
    stats = StepStats()
    for device in run_metadata.step_stats.dev_stats:
        for node in device.node_stats:
            i = index.get(node.node_name)
            if i is None:
                i = unprefixed.get(node.node_name)
            if i is None:
                continue
            elapsed = (node.op_end_rel_nanos - node.op_start_rel_nanos) / 1000 or float(node.op_end_rel_micros)
            stats.compute_us[i] = stats.compute_us.get(i, 0.0) + max(elapsed, 0.0)
            stats.devices.setdefault(i, device.device)
            outputs = sorted(node.output, key=lambda o: o.slot)
            if outputs:
                requested = sum(o.tensor_description.allocation_description.requested_bytes for o in outputs)
                stats.bytes[i] = stats.bytes.get(i, 0) + requested
                shapes = [None] * (outputs[-1].slot + 1)
                for o in outputs:
                    shapes[o.slot] = _shape(o.tensor_description.shape)
                stats.shapes.setdefault(i, shapes)
    return stats
