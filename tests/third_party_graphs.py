"""Where the graphs written by other people's code live (GANs, Estimators, Slim, TFLearn, ...; SOURCES.md there
says where each came from): ``PHASEVIEW_SHARED_GRAPHS``, else ``../shared/graphs`` beside the repository (or one
folder further up, for a checkout inside a folder of checkouts). Empty when absent: tests that need them skip."""

from __future__ import annotations

import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _find() -> str:
    if os.environ.get("PHASEVIEW_SHARED_GRAPHS"):
        return os.environ["PHASEVIEW_SHARED_GRAPHS"]
    for candidate in (os.path.join(REPO, "..", "shared", "graphs"), os.path.join(REPO, "..", "..", "shared", "graphs")):
        if os.path.isdir(candidate):
            return os.path.normpath(candidate)
    return ""


SHARED_GRAPHS = _find()
