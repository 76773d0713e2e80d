"""The JSON wire format (see docs/wire_format.md): the one place that turns analyses into answers.

Pure: no TensorBoard import. Every answer carries ``version``; fields are only ever added. One module per answer
family: ``graph`` (runs, the first view, a group), ``node`` (the inspector, search, the edge list), ``why``
(why connected?), ``report`` (the report and Run as); ``phase_text`` holds the sentences several of them say about
the learning-phase flag, ``common`` the version, limits and entry types. Callers use the names below.
"""

from tb_phaseview.serve.wire.common import (
    ATTR_VALUE_LIMIT,
    EDGES_LIMIT_MAX,
    GROUP_CHILD_LIMIT,
    SEARCH_LIMIT_MAX,
    VERSION,
    GraphRef,
    error_answer,
)
from tb_phaseview.serve.wire.graph import (
    NO_FLAG_ANSWER,
    answer_line,
    closing_lines,
    first_visit_rank,
    graph_answer,
    graph_warnings,
    group_answer,
    moved_answer,
    prepare_group_answers,
    runs_answer,
)
from tb_phaseview.serve.wire.node import MAX_NODE_EDGES, edges_answer, node_answer, search_answer
from tb_phaseview.serve.wire.phase_text import group_phase
from tb_phaseview.serve.wire.report import layer_does, node_list, phase_runs_answer, phase_warnings, report_entry
from tb_phaseview.serve.wire.why import KIND_SENTENCES, format_why, why_answer

__all__ = [
    "closing_lines",
    "ATTR_VALUE_LIMIT",
    "EDGES_LIMIT_MAX",
    "GROUP_CHILD_LIMIT",
    "KIND_SENTENCES",
    "MAX_NODE_EDGES",
    "NO_FLAG_ANSWER",
    "SEARCH_LIMIT_MAX",
    "VERSION",
    "GraphRef",
    "answer_line",
    "edges_answer",
    "error_answer",
    "first_visit_rank",
    "format_why",
    "graph_answer",
    "graph_warnings",
    "group_answer",
    "group_phase",
    "layer_does",
    "moved_answer",
    "node_answer",
    "node_list",
    "phase_runs_answer",
    "phase_warnings",
    "prepare_group_answers",
    "report_entry",
    "runs_answer",
    "search_answer",
    "why_answer",
]
