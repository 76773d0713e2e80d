"""What every answer shares: the format's version, its limits, the types of its entries, the error answer."""

from __future__ import annotations

from typing import Optional, TypedDict

from tb_phaseview.analysis import functions, scopes
from tb_phaseview.analysis.pipeline import GraphAnalysis

VERSION = 1


ATTR_VALUE_LIMIT = 256  # characters of an attribute value sent to the browser


# An attribute larger than this (serialised) is described, never formatted: text_format of a megabyte
# tensor costs seconds and many megabytes only to be cut to ATTR_VALUE_LIMIT characters.
ATTR_FORMAT_MAX_BYTES = 4096


# Children of one group sent at once (a layout of more is not readable anyway). Larger groups are split into
# buckets by scopes.py, so this is only a guard.
GROUP_CHILD_LIMIT = scopes.BUCKET_THRESHOLD


BUCKET_LABEL_NAME_CHARS = 40


EMPTY_NAME_LABEL = "(empty name)"


SEARCH_LIMIT_MAX = 500


EDGES_LIMIT_MAX = 100_000


class GraphRef(TypedDict):
    run: str
    kind: str
    tag: Optional[str]


class PhaseSourceEntry(TypedDict):
    name: str
    op: str
    consumers: list[str]
    born_in: Optional[str]
    path: list[str]
    explanation: str


class PhaseLayerEntry(TypedDict):
    layer: str
    kind: str
    source: str
    explanation: str


AREA_TITLES = {
    "init": "initialisers",
    "gradient": "gradients",
    "optimizer": "optimizer",
    "summary": "summaries",
    "save": "checkpoints",
}


def function_path(analysis: GraphAnalysis, group_id: str) -> list[str]:
    """The groups leading to a function group: the call's own path, then each call opened and each body."""
    parts = group_id.split(functions.SEPARATOR)
    path = analysis.path_of_node(analysis.graph.index[parts[0]])
    prefix = parts[0]
    for part in parts[1:]:
        path.append(prefix + functions.SEPARATOR)
        attr, _, inner = part.partition("/")
        if attr:
            prefix = f"{prefix}{functions.SEPARATOR}{attr}"
            path.append(prefix)
        if inner:
            prefix = f"{prefix}/{inner}"
    return path


def error_answer(message: str) -> dict:
    return {"version": VERSION, "error": message}


def body_role(analysis: GraphAnalysis, group_id: str) -> tuple[str, str]:
    """(role, why) of the nodes of a function body: the role of the graph's op that calls it (a SavedModel's
    `__inference__traced_save` body is the checkpoint's, a Dropout's branch the model's)."""
    call = group_id.split(functions.SEPARATOR)[0]
    index = analysis.graph.index[call]
    role = analysis.roles.name_of(index)
    return role, f"inside a function that `{call}` calls, which has the role {role}: a body has its caller's role"
