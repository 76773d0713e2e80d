"""A graph that changes is shown as it is now, on a real TensorBoard: training re-run into the same logdir adds an
event file with a new graph at the same step, and PhaseView shows the new one without a restart, as TensorBoard's
own Graphs tab does; a graph first corrupt and then replaced by a good one is served good.

TensorBoard's two data servers differ here: the Rust one (``--load_fast=true``, and ``auto`` where it runs) serves
the graph logged last at a step, the Python reader (``--load_fast=false``) the first. PhaseView shows what
TensorBoard's own Graphs tab shows under each; the tests check both.
"""

from __future__ import annotations

import time

import pytest
from tensorboard.compat.proto import event_pb2, graph_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from oddgraphs import node

P = "data/plugin/phaseview/"
SEEN_WITHIN = 45  # seconds; the servers reload every second (tests/tbserver.py)


def graph_named(*names):
    g = graph_pb2.GraphDef()
    for name in names:
        node(g, name, "NoOp")
    return g


def log_graph(run_dir, blob: bytes, step: int = 0) -> None:
    """One more event file in ``run_dir`` holding a run graph at ``step``, stamped with the current time (as every
    writer does); a second later than the last, so that it sorts after it."""
    time.sleep(1.1)
    writer = EventFileWriter(str(run_dir))
    writer.add_event(event_pb2.Event(wall_time=time.time(), step=step, graph_def=blob))
    writer.close()


def wait_for(get, predicate, timeout=SEEN_WITHIN):
    deadline = time.monotonic() + timeout
    while True:
        answer = get()
        if predicate(*answer):
            return answer
        assert time.monotonic() < deadline, answer
        time.sleep(0.5)


def tensorboard_graph(server, run):
    """TensorBoard's own Graphs tab's answer (the GraphDef as text)."""
    status, body = server.get(f"data/plugin/graphs/graph?run={run}&conceptual=false")
    return status, body.decode("utf-8", "replace") if isinstance(body, bytes) else body


# Which of two graphs logged at step 0 each data server serves (checked on TensorBoard's own Graphs tab).
SERVED_AT_A_STEP = {"true": "last", "false": "first"}


def settled(server, run, expected_name):
    """Wait until TensorBoard's Graphs tab shows the graph holding ``expected_name``; when it is to keep the first
    graph, give its reader time to see the new file first."""
    if expected_name.startswith("first"):
        time.sleep(5)
    wait_for(lambda: tensorboard_graph(server, run), lambda status, text: expected_name in text)


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_graph_logged_again_at_the_same_step_is_shown_as_it_is_now(tmp_path, start_server, load_fast):
    run_dir = tmp_path / "run"
    log_graph(run_dir, graph_named("first_a", "first_b").SerializeToString())
    server = start_server(tmp_path, load_fast=load_fast)
    status, graph = server.get(P + "graph?run=run&kind=run_graph")
    assert status == 200 and {c["name"] for c in graph["root"]["children"]} == {"first_a", "first_b"}

    log_graph(run_dir, graph_named("second_a", "second_b", "second_c").SerializeToString())
    if SERVED_AT_A_STEP[load_fast] == "first":
        settled(server, "run", "first_a")
        status, graph = server.get(P + "graph?run=run&kind=run_graph")
        assert status == 200 and graph["nodes"] == 2
        return
    settled(server, "run", "second_a")
    status, graph = wait_for(
        lambda: server.get(P + "graph?run=run&kind=run_graph"),
        lambda status, body: status == 200 and body["nodes"] == 3,
    )
    assert {c["name"] for c in graph["root"]["children"]} == {"second_a", "second_b", "second_c"}
    status, node_answer = server.get(P + "node?run=run&kind=run_graph&name=second_c")
    assert status == 200 and node_answer["op"] == "NoOp"


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_corrupt_graph_replaced_by_a_good_one_is_served_good(tmp_path, start_server, load_fast):
    run_dir = tmp_path / "run"
    log_graph(run_dir, b"\xff\xff\xff\x07junk")
    server = start_server(tmp_path, load_fast=load_fast)
    status, error = server.get(P + "graph?run=run&kind=run_graph")
    assert status == 422 and "corrupt" in error["error"]

    # At the next step, so that both data servers serve it; and, for the Rust one, at the same step.
    log_graph(run_dir, graph_named("good_later").SerializeToString(), step=1)
    status, graph = wait_for(lambda: server.get(P + "graph?run=run&kind=run_graph"), lambda status, body: status == 200)
    assert [c["name"] for c in graph["root"]["children"]] == ["good_later"]
    if SERVED_AT_A_STEP[load_fast] == "last":
        log_graph(run_dir, b"\xff\xff\xff\x07junk", step=2)
        wait_for(lambda: server.get(P + "graph?run=run&kind=run_graph"), lambda status, body: status == 422)
        log_graph(run_dir, graph_named("good_same_step").SerializeToString(), step=2)
        status, graph = wait_for(
            lambda: server.get(P + "graph?run=run&kind=run_graph"), lambda status, body: status == 200
        )
        assert [c["name"] for c in graph["root"]["children"]] == ["good_same_step"]
