"""The sentences that explain the learning-phase flag and its layers, and the phase fields of groups and ops."""

from __future__ import annotations

from typing import Optional

from tb_phaseview.analysis import phase
from tb_phaseview.analysis.pipeline import GraphAnalysis
from tb_phaseview.serve.wire.common import AREA_TITLES, PhaseLayerEntry, PhaseSourceEntry

_WHY = {
    phase.BATCH_NORMALIZATION: (
        "BatchNormalization normalises with the statistics of the current batch while training and with "
        "its moving averages at inference"
    ),
    phase.DROPOUT: "Dropout drops units only while training and passes everything through at inference",
    phase.OTHER: "it computes something different in training and at inference",
}


def explain(source: str, layer: str, kind: str) -> str:
    """One plain sentence: what the flag is and why this layer reads it."""
    what = (
        "a BatchNormalization" if kind == phase.BATCH_NORMALIZATION else ("a Dropout" if kind == phase.DROPOUT else "a")
    )
    return (
        f"{source} is {_FLAG}; "
        f"{layer} is {what} layer and reads it because {_WHY[kind]}. The edge carries no activations."
    )


_FLAG = "the learning-phase flag, a boolean that is true while training and false at inference"


def explain_source(source: phase.PhaseSource) -> str:
    """One plain sentence about a learning-phase source: what it is, who reads it, and where it is drawn."""
    count = len(source.layers)
    text = (
        f"{source.name} is {_FLAG}; {count:,} layer{'' if count == 1 else 's'} read{'s' if count == 1 else ''} it "
        f"to switch between {'its' if count == 1 else 'their'} training and inference behaviour."
    )
    if source.born_in:
        text += (
            f" It was created inside {source.born_in}, the first layer that needed it, and is shown outside that "
            "scope because it belongs to every layer that reads it."
        )
    return text


def explain_contains(group: str, layers: int) -> str:
    """One plain sentence about a group holding layers that read the flag."""
    return (
        f"{group} holds {layers:,} layer{'' if layers == 1 else 's'} that read the learning-phase flag; "
        f"open it to see {'it' if layers == 1 else 'them'}."
    )


def layer_entries(analysis: GraphAnalysis) -> list[PhaseLayerEntry]:
    return [
        {"layer": l.layer, "kind": l.kind, "source": l.source, "explanation": explain(l.source, l.layer, l.kind)}
        for l in analysis.phase.layers
    ]


def source_entries(analysis: GraphAnalysis) -> list[PhaseSourceEntry]:
    return [
        {
            "name": s.name,
            "op": s.op,
            "consumers": s.layers,
            "born_in": s.born_in,
            "path": analysis.path_of_node(s.index),
            "explanation": explain_source(s),
        }
        for s in analysis.phase.sources
    ]


def _source_phase(source: phase.PhaseSource) -> dict:
    return {
        "role": "source",
        "consumers": len(source.layers),
        "born_in": source.born_in,
        "explanation": explain_source(source),
    }


def group_phase(analysis: GraphAnalysis, group_id: str) -> Optional[dict]:
    source = analysis.source_by_name.get(group_id)
    if source is not None:
        return _source_phase(source)
    layer = analysis.layer_kinds.get(group_id)
    if layer is not None:
        entry = {"role": "layer", "kind": layer.kind, "source": layer.source}
        born = next((s for s in analysis.phase.sources if s.born_in == group_id), None)
        if born is not None:
            entry["born_here"] = {
                "flag": born.name,
                "layers": len(born.layers),
                "explanation": explain_birthplace(born),
            }
        return entry
    below = analysis.layers_below(group_id)
    if below:
        return {"role": "contains", "layers": below, "explanation": explain_contains(group_id, below)}
    reach = analysis.phase_reach_of(group_id)
    if reach is not None:
        layers = sorted(reach.layers)
        area = analysis.area_of_group(group_id)
        # A machinery area is named by what it holds ("The gradients area"), not by its synthetic id.
        name = f"The {AREA_TITLES[area]} area" if area in AREA_TITLES else display_name(analysis, group_id)
        explanation = (
            explain_keeps(name, reach.source)
            if reach.keeps and not layers
            else explain_reads(name, reach.source, layers, reach.gradient)
        )
        return {
            "role": "reads",
            "source": reach.source,
            "layers": len(layers),
            "gradient": reach.gradient,
            "explanation": explanation,
        }
    return None


def explain_birthplace(source: phase.PhaseSource) -> str:
    """Said by the layer a flag was created in (old Keras' ``bnl_stg-1``), which users click first."""
    flag = source.name.rpartition("/")[2]
    n = len(source.layers)
    return (
        f"Old Keras created the flag {flag} inside this layer; {n:,} layer{'s' if n != 1 else ''} read it; "
        f"PhaseView draws it apart. That is why this layer looks connected to every other layer that reads the "
        f"flag in the Graphs tab: those edges carry the learning phase, not activations."
    )


def _listed(names: list[str], limit: int = 5) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    shown = ", ".join(names[: limit - 1])
    return f"{shown} and {len(names) - limit + 1} more"


def gradient_why(source: str) -> str:
    return (
        f"the gradient of a layer's training/inference switch reads the learning-phase flag {source} too, to send "
        f"the gradient back through the branch that ran. It is not another layer reading the flag, and the edge "
        f"carries no activations."
    )


def display_name(analysis: GraphAnalysis, group_id: str) -> str:
    """A group as the page names it: a group inside a machinery area by its scope, with the area's title
    (``bn3a_branch2a (in the initialisers area)``), never by its synthetic id (``\u2237init/bn3a_branch2a``)."""
    for role, area in analysis.areas.items():
        if group_id.startswith(area + "/"):
            return f"{group_id[len(area) + 1 :]} (in the {AREA_TITLES[role]} area)"
    return group_id


def explain_keeps(group: str, source: str) -> str:
    """A group whose ops set, initialise or save a variable flag: they keep the flag, they pick nothing."""
    return (
        f"{group} holds ops that set, initialise or save the learning-phase flag {source} (it is kept in a "
        f"variable): they write or store its value and pick no computation, and they are not layers reading it. "
        f"The edges carry no activations."
    )


def explain_reads(group: str, source: str, layers: list[str], gradient: bool) -> str:
    """Why a group that is not a layer has phase edges going into it."""
    if gradient:
        of = f" of {_listed(layers)}" if layers else ""
        return f"{group} holds the gradients{of}: {gradient_why(source)}"
    if layers:
        return (
            f"{group} holds the ops of {_listed(layers)} that read the learning-phase flag {source}, to pick "
            f"the training or the inference computation. The edges carry no activations."
        )
    return (
        f"{group} holds ops that read the learning-phase flag {source} outside any layer, to pick between a "
        f"training and an inference computation. The edges carry no activations."
    )


def op_phase(analysis: GraphAnalysis, index: int) -> Optional[dict]:
    source = analysis.source_by_name.get(analysis.graph.names[index])
    if source is not None:
        return _source_phase(source)
    layer = analysis.phase.consumers.get(index)
    if layer is not None:
        kinds = analysis.layer_kinds
        return {"role": "consumer", "layer": layer, "source": kinds[layer].source if layer in kinds else None}
    return None
