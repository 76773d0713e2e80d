"""The memory budget on a real TensorBoard: a 1,000,000-node graph is read, analysed and answered under the default
budget; the same graph under a small budget (TB_PHASEVIEW_MEMORY_BUDGET) is refused with the message saying what it
needs, before the server grows."""

from __future__ import annotations

import time
import urllib.parse

from logdirs import varint
from oddgraphs import write_run
from test_hardening_load import RssSampler, rss_mb

P = "data/plugin/phaseview/"
STAGES, BLOCKS = 1000, 100  # 1,000 stages of 100 blocks of 10 ops: 1,000,000 ops, 1,099,999 inputs
BLOCK_OPS = (  # (name, op, inputs within the block: indices of earlier ops, -1 for the previous block's output)
    ("kernel", "VariableV2", ()),
    ("kernel/read", "Identity", (0,)),
    ("Conv2D", "Conv2D", (-1, 1)),
    ("bias", "VariableV2", ()),
    ("bias/read", "Identity", (3,)),
    ("BiasAdd", "BiasAdd", (2, 4)),
    ("Relu", "Relu", (5,)),
    ("pool/MaxPool", "MaxPool", (6,)),
    ("norm/mul", "Mul", (7, 7)),
    ("output", "Identity", (8,)),
)


def _field(number: int, payload: bytes) -> bytes:
    return bytes([number << 3 | 2]) + varint(len(payload)) + payload


def _block(scope: bytes, previous: bytes) -> bytes:
    parts = []
    names = [scope + name.encode() for name, _, _ in BLOCK_OPS]
    for (_, op, inputs), name in zip(BLOCK_OPS, names):
        sources = [previous if i < 0 else names[i] for i in inputs]
        body = _field(1, name) + _field(2, op.encode()) + b"".join(_field(3, s) for s in sources if s)
        parts.append(_field(1, body))
    return b"".join(parts)


def keras_shaped_blob() -> bytes:
    """A serialised GraphDef of 1,000,000 ops in name scopes three deep (``stage_0003/block_007/Conv2D``), chained
    block to block, written by hand: building it as a proto takes minutes. Scopes have one length, so every block
    but the first is one template filled in (``%`` in C): about a second."""
    scope = b"stage_%04d/block_%03d/"
    first = _block(scope % (0, 0), b"")
    # The template's lengths must be those of a real scope: build it from a placeholder of the same length.
    placeholder, previous = b"S" * len(scope % (0, 0)), b"P" * len(scope % (0, 0))
    template = _block(placeholder, previous + b"output").replace(b"%", b"%%")
    template = template.replace(placeholder, b"%(s)s").replace(previous, b"%(p)s")
    scopes = [scope % (stage, block) for stage in range(STAGES) for block in range(BLOCKS)]
    return first + b"".join(template % {b"s": s, b"p": p} for p, s in zip(scopes, scopes[1:]))


def get(server, route, **params):
    url = P + route + "?" + urllib.parse.urlencode({"run": "million", "kind": "run_graph", **params})
    started = time.monotonic()
    status, body = server.get(url, timeout=300)
    return status, body, time.monotonic() - started


def test_a_million_nodes_are_answered_under_the_default_budget_and_refused_over_a_small_one(tmp_path):
    from tbserver import start_tensorboard

    write_run(tmp_path, "million", blob=keras_shaped_blob())
    server = start_tensorboard(str(tmp_path), load_fast="false", wait_for_graphs=1, timeout=300)
    try:
        idle = rss_mb(server.process.pid)
        sampler = RssSampler(server.process.pid)
        sampler.start()
        status, graph, seconds = get(server, "graph")
        assert status == 200, graph
        assert graph["nodes"] == STAGES * BLOCKS * len(BLOCK_OPS) and graph["edges"] == 1_099_999
        assert graph["root"]["children"], "the first view draws the top level"
        # Kept once analysed (the cache holds what the budget lets in): asking again reads nothing.
        status, _, again = get(server, "graph")
        assert status == 200 and again < max(2.0, seconds / 4), (seconds, again)
        status, group, _ = get(server, "group", group="stage_0999/block_099")
        assert status == 200 and {c["name"] for c in group["children"]} >= {"stage_0999/block_099/output"}
        peak = sampler.stop()  # a group opened: the analysis is complete (every group's children built)
        print(f"\n1,000,000 nodes answered in {seconds:.1f} s; RSS idle {idle:.0f} MB, peak {peak:.0f} MB")
        assert peak - idle < 2048, "a million-node graph must fit in 2 GB above the idle server"
    finally:
        server.stop()

    server = start_tensorboard(
        str(tmp_path), load_fast="true", wait_for_graphs=1, extra_env={"TB_PHASEVIEW_MEMORY_BUDGET": "500M"}
    )
    try:
        before = rss_mb(server.process.pid)
        sampler = RssSampler(server.process.pid)
        sampler.start()
        status, answer, seconds = get(server, "graph")
        grown = sampler.stop() - before
        assert status == 422, answer
        assert answer["error"].startswith("graph too large: it needs at least about 1.2 GB of memory (1,000,000 nodes")
        assert "over the budget of 500 MB set by TB_PHASEVIEW_MEMORY_BUDGET" in answer["error"]
        # The bytes come from the data server and are counted unparsed: the server never builds the graph.
        assert grown < 300, f"refusing the graph grew the server by {grown:.0f} MB"
        assert seconds < 10
        status, again, _ = get(server, "node", name="stage_0000/block_000/output")
        assert status == 422 and again["error"] == answer["error"]
    finally:
        server.stop()
