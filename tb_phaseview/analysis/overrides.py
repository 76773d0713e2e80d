"""What a user moved to the model: ops the classifier (``roles.py``) put in the machinery that the user says are
the model's. Pure: no TensorBoard import.

An entry names an op (``global_step``: that op alone) or, ending in ``/``, a name scope (``save/``: the op of
that name, which the view draws as the scope's box, and every op below it). Only what the classifier drew apart
changes: a machinery op becomes a model op, and a node drawn in a machinery area (a learning rate only the
optimizer reads) is drawn in the model. Nothing else is decided again, so a move changes exactly the ops it
names, and moving them back restores the classifier's view.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from itertools import compress, repeat
from operator import itemgetter

from tb_phaseview.analysis import roles as r

# Bounds of one request's list (each entry is a name the browser keeps per graph, and a link carries them).
MAX_ENTRIES = 200
MAX_ENTRY_CHARS = 1024


class BadEntries(ValueError):
    pass


def normalise(entries) -> tuple[str, ...]:
    """The entries as one canonical tuple (sorted, no repeats, a scope's trailing ``/`` kept once), so that two
    lists naming the same moves share one cached analysis. Raises BadEntries for anything but a short list of
    names."""
    if not isinstance(entries, (list, tuple)) or not all(isinstance(e, str) for e in entries):
        raise BadEntries("the names moved to the model must be a list of strings")
    cleaned = {e.rstrip("/") + "/" if e.endswith("/") else e for e in entries}
    cleaned -= {"", "/"}
    if len(cleaned) > MAX_ENTRIES:
        raise BadEntries(f"at most {MAX_ENTRIES} names can be moved to the model, got {len(cleaned)}")
    if any(len(e) > MAX_ENTRY_CHARS for e in cleaned):
        raise BadEntries(f"a name moved to the model is longer than {MAX_ENTRY_CHARS} characters")
    return tuple(sorted(cleaned))


def named_nodes(names: list[str], entries: tuple[str, ...]) -> dict[int, str]:
    """Node index -> the entry naming it: the op itself, or the deepest scope holding it among the entries."""
    if not entries:
        return {}
    ops = {e for e in entries if not e.endswith("/")}
    scopes = {e[:-1] for e in entries if e.endswith("/")}
    # Only names whose first part begins some entry are walked (one pass in C picks them); each is then looked up
    # as an op, then from its full name up through its scopes, so the deepest scope wins.
    firsts = {entry.partition("/")[0] for entry in entries}
    heads = map(itemgetter(0), map(str.partition, names, repeat("/")))
    found: dict[int, str] = {}
    for node in compress(range(len(names)), map(firsts.__contains__, heads)):
        name = names[node]
        if name in ops:
            found[node] = name
            continue
        while name not in scopes:
            cut = name.rfind("/")
            if cut < 0:
                break
            name = name[:cut]
        else:
            found[node] = name + "/"
    return found


@dataclasses.dataclass
class Moved:
    """The roles after the move, and what moved."""

    roles: r.Roles
    nodes: dict[int, str]  # node index -> the entry that moved it (only nodes whose role or area changed)
    entries: tuple[str, ...]

    def entry_roles(self, classified: r.Roles) -> dict[str, Counter]:
        """Per entry: how many ops it moved, by the role the classifier gave them."""
        found: dict[str, Counter] = {e: Counter() for e in self.entries}
        for node, entry in self.nodes.items():
            found[entry][r.ROLE_NAMES[classified.codes[node]]] += 1
        return found


def move_to_model(names: list[str], classified: r.Roles, entries: tuple[str, ...]) -> Moved:
    """The classifier's roles with every op ``entries`` name moved to the model (``classified`` is left as is)."""
    codes = bytearray(classified.codes)
    areas = bytearray(classified.area_codes) if classified.area_codes is not None else None
    moved: dict[int, str] = {}
    for node, entry in named_nodes(names, entries).items():
        if codes[node] in r.MACHINERY:
            codes[node] = r.MODEL
            moved[node] = entry
        if areas is not None and areas[node] != r.MODEL:
            areas[node] = r.MODEL
            moved[node] = entry
    return Moved(dataclasses.replace(classified, codes=codes, area_codes=areas), moved, entries)


def sentence(classifier_sentence: str, classified_role: str, name: str, entry: str) -> str:
    """Why a moved op is in the model: the user's move, then what the classifier had said."""
    how = "" if entry == name else f" (with `{entry}`)"
    return f"moved to the model by you{how}; PhaseView had it as {classified_role}: {classifier_sentence}"
