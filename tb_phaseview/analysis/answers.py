"""The answer line above the graph and the count of layers reading the flags, in the user's terms.

Pure: no TensorBoard import. Every number of layers reading a flag that the tab or the CLI shows comes from
``reading_layers`` (distinct layers: a layer that reads two flags is one layer), so they agree.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from tb_phaseview.analysis import fixed_modes, phase
from tb_phaseview.analysis.pipeline import GraphAnalysis

_KIND_WORDS = {phase.BATCH_NORMALIZATION: "BatchNorm", phase.DROPOUT: "Dropout", phase.OTHER: ""}

# What the flag does to one layer of each kind (said when a single layer reads it).
_DOES_TO = {
    phase.BATCH_NORMALIZATION: (
        "it normalises with the batch's own statistics while training and with its moving averages at inference"
    ),
    phase.DROPOUT: "it drops units at random while training and passes its input through at inference",
    phase.OTHER: "it runs one computation while training and another at inference",
}

NO_FLAG = "No learning-phase flag: this graph has no training/inference switch"
# Said when no BatchNorm or Dropout layer was found either (a TF1 Estimator's plain DNN, a frozen RNN): it said "TF2
# `fit` graphs and PyTorch graphs have none" before, which read as a guess at what such a graph was.
NO_FLAG_ANSWER = NO_FLAG + ", and no BatchNorm or Dropout layer was found that one would switch."
_INPUT_OPS = frozenset({"Placeholder", "PlaceholderWithDefault"})


def plural(count: int, noun: str) -> str:
    """``1 layer``, ``2 layers``, ``1,024 ops``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def reading_layers(analysis: GraphAnalysis) -> list[str]:
    """The distinct layers that read any flag, sorted."""
    return sorted({layer.layer for layer in analysis.phase.layers})


def layers_phrase(kinds: list[str], other: bool = False) -> str:
    """``23 other BatchNorm layers``, ``5 layers (3 BatchNorm, 2 Dropout)``: layers counted by kind."""
    count = len(kinds)
    noun = "layer" if count == 1 else "layers"
    lead = f"{count:,} other" if other else f"{count:,}"
    by_kind = Counter(kinds)
    if len(by_kind) == 1:
        word = _KIND_WORDS[kinds[0]]
        return f"{lead} {word} {noun}" if word else f"{lead} {noun}"
    parts = ", ".join(f"{n:,} {_KIND_WORDS[k] or 'other'}" for k, n in by_kind.most_common())
    return f"{lead} {noun} ({parts})"


def _one_source(analysis: GraphAnalysis, source: phase.PhaseSource) -> str:
    kinds = analysis.layer_kinds
    n = len(source.layers)
    if n == 1:
        (layer,) = source.layers
        kind = kinds[layer].kind if layer in kinds else phase.OTHER
        where = " (old Keras created it inside that layer)" if source.born_in == layer else ""
        return (
            f"Only `{layer}` reads the learning-phase flag `{source.name}`{where}: {_DOES_TO[kind]}. Nothing else "
            f"reads the flag, so it ties no layers together; PhaseView draws it apart and marks `{layer}` \u03c6."
        )
    if source.born_in:
        others = [kinds[l].kind for l in source.layers if l != source.born_in and l in kinds]
        return (
            f"`{source.born_in}` looks connected to {layers_phrase(others, other=True)} in the Graphs tab: old "
            f"Keras created the learning-phase flag inside it, and {n} layers read it. PhaseView draws the flag "
            f"apart."
        )
    readers = [kinds[l].kind for l in source.layers if l in kinds]
    return (
        f"The learning-phase flag `{source.name}` ties {layers_phrase(readers)} together in the Graphs tab: each "
        f"reads it to switch between training and inference. PhaseView draws the flag apart and marks its "
        f"readers \u03c6."
    )


def _several_sources(analysis: GraphAnalysis, sources: list[phase.PhaseSource], layers: list[str]) -> str:
    kinds = analysis.layer_kinds
    named = [f"`{s.name}` ({plural(len(s.layers), 'layer')})" for s in sources]
    listed = ", ".join(named[:-1]) + f" and {named[-1]}"
    text = (
        f"{len(sources)} learning-phase flags tie {layers_phrase([kinds[l].kind for l in layers if l in kinds])} "
        f"together in the Graphs tab: {listed}; each layer reads its flag to switch between training and "
        f"inference."
    )
    for source in sources:
        if source.born_in:
            text += (
                f" Old Keras created `{source.name}` inside `{source.born_in}`, so that layer looks tied to the others."
            )
    return text + " PhaseView draws the flags apart and marks their readers \u03c6."


def answer_line(analysis: GraphAnalysis) -> dict:
    """The one sentence the tab shows above the graph: what was found, in the user's terms.

    Names are between backticks (the page sets them in code type). ``flag`` is the flag the sentence is about
    (the one most layers read; null without one), ``layers`` the number of distinct layers reading any flag
    (the status bar's and the CLI's number; with one flag, also its box's and its Highlight knot's), ``flags``
    each flag with the number of layers reading it.
    """
    sources = analysis.phase.sources
    if not sources:
        return {"text": no_flag_text(analysis), "flag": None, "layers": 0, "flags": []}
    layers = reading_layers(analysis)
    text = _one_source(analysis, sources[0]) if len(sources) == 1 else _several_sources(analysis, sources, layers)
    main = max(sources, key=lambda source: len(source.layers))
    return {
        "text": text,
        "flag": main.name,
        "layers": len(layers),
        "flags": [{"name": s.name, "layers": len(s.layers)} for s in sources],
    }


def _drops_at_random(graph, name: str) -> bool:
    """Whether an op sits in a dropout's scope: one of its enclosing scopes draws the random mask
    (``<scope>/random_uniform``, as tf.nn.dropout names it). Names only: no tree walk before the first answer."""
    parts = name.split("/")[:-1]
    return any("/".join(parts[:depth]) + "/random_uniform" in graph.index for depth in range(len(parts), 0, -1))


def _keep_prob_switches(analysis: GraphAnalysis) -> list[str]:
    """Hyperparameters fed at run time that a Dropout reads: they switch Dropout off (keep_prob = 1.0)."""
    graph = analysis.graph
    fed = {h.index for h in analysis.roles.hyperparameters if h.op in _INPUT_OPS}
    # Found as a dropout's rate (it meets the dropout's draw), however named: the Deep MNIST tutorial's
    # ``Placeholder_2``, turned into a rate by ``sub`` at the top level.
    found = {h.index for h in analysis.roles.hyperparameters if h.index in fed and h.dropout_reader}
    for source, dst in analysis.hyper_edges:
        if source not in fed or source in found:
            continue
        name = graph.names[source].rpartition("/")[2].lower()
        reader = graph.names[dst]
        if "keep" in name or "dropout" in reader.lower() or _drops_at_random(graph, reader):
            found.add(source)
    return sorted(graph.names[i] for i in found)


def _unswitching_bool_inputs(analysis: GraphAnalysis) -> list[str]:
    """Boolean scalars fed or kept in a variable that no layer branches on (an ``is_training`` declared and never
    used, TFLearn's ``is_training`` variable in a model without Dropout). Called only when no flag was found, so
    none of them gates anything. Variables are many: only those named like a training switch are looked at."""
    graph = analysis.graph
    if not graph.node_count:
        return []
    candidates = np.flatnonzero(graph.columns.op_in(_INPUT_OPS | phase.VARIABLE_OPS)).tolist()
    named = [
        i
        for i in candidates
        if graph.ops[i] in _INPUT_OPS or any(w in graph.names[i].rpartition("/")[2].lower() for w in ("train", "phase"))
    ]
    return sorted(graph.names[i] for i in named if phase.is_bool_scalar_input(graph, i))


def no_flag_text(analysis: GraphAnalysis) -> str:
    """Without a flag: what the graph has instead, when it has something a user would take for one, and the mode
    its BatchNorm and Dropout layers were fixed in when it was built."""
    parts = []
    keep = _keep_prob_switches(analysis)
    codes = np.frombuffer(analysis.roles.codes, dtype=np.uint8)
    fixed = fixed_modes.fixed_modes(analysis.graph, codes, dropout_switched=bool(keep))
    if keep:
        names = " and ".join(f"`{n}`" for n in keep)
        parts.append(
            f"Dropout here is switched by the {names} value fed at run time (1.0 turns it off for inference), "
            f"not by a boolean flag, so nothing ties the layers together in the Graphs tab."
        )
    unused = _unswitching_bool_inputs(analysis)
    if unused:
        names = " and ".join(f"`{n}`" for n in unused)
        one = len(unused) == 1
        parts.append(
            f"{names} {'is' if one else 'are'} declared but no layer reads {'it' if one else 'them'} to switch "
            f"between training and inference: both run the same ops."
        )
    if not parts:
        return f"{NO_FLAG}: its mode was fixed when it was built. {_fixed_text(fixed)}" if fixed else NO_FLAG_ANSWER
    if fixed:
        parts.append(_fixed_text(fixed))
    return "No learning-phase flag. " + " ".join(parts)


def _fixed_text(fixed: fixed_modes.FixedModes) -> str:
    """``Its 2 BatchNorm layers normalise with each batch's own statistics, as while training.``"""
    said = []
    for batch_norms, dropouts, does_bn, does_dropout, when in (
        (
            fixed.batch_norm_training,
            fixed.dropout_training,
            "normalise with each batch's own statistics",
            "drop units at random",
            "as while training",
        ),
        (
            fixed.batch_norm_inference,
            fixed.dropout_inference,
            "normalise with their moving averages",
            "pass their input through",
            "as at inference",
        ),
    ):
        doing = [
            f"{plural(count, f'{kind} layer')} {does}" if count != 1 else f"{kind} layer {_singular(does)}"
            for count, kind, does in ((batch_norms, "BatchNorm", does_bn), (dropouts, "Dropout", does_dropout))
            if count
        ]
        if doing:
            said.append("its " + " and its ".join(doing) + f", {when}")
    text = "; ".join(said) + "."
    return text[0].upper() + text[1:]


def _singular(does: str) -> str:
    """``normalises with its moving averages`` for one layer."""
    verb, _, rest = does.partition(" ")
    return f"{verb}{'es' if verb.endswith(('s', 'sh', 'ch', 'x')) else 's'} {rest.replace('their', 'its')}"
