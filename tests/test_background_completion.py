"""After the first answer is sent, the rest of the analysis is built in the background, once."""

from __future__ import annotations

import gc
import os
import shutil
import threading
import time

import pytest
from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from werkzeug.test import Client

from demo import DEMO_LOGS, demo_analysis
from tb_phaseview.plugin import PhaseViewPlugin
from tb_phaseview.serve import wire


def plugin_on_demo_logs():
    multiplexer = plugin_event_multiplexer.EventMultiplexer(max_reload_threads=1)
    multiplexer.AddRunsFromDirectory(DEMO_LOGS)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, DEMO_LOGS)
    return PhaseViewPlugin(base_plugin.TBContext(data_provider=provider, logdir=DEMO_LOGS))


def completion_threads():
    return [t for t in threading.enumerate() if t.name == "phaseview-complete"]


def test_children_lists_and_out_edge_index_are_built_after_the_first_answer_is_sent():
    plugin = plugin_on_demo_logs()
    client = Client(plugin.get_plugin_apps()["/graph"])
    query = {"run": "resnet_tf_keras", "kind": "run_graph"}
    response = client.get("/", query_string=query)
    assert response.status_code == 200
    ((analysis, _),) = plugin._cache._entries.values()
    response.close()  # the server closes the response once it is sent
    deadline = time.monotonic() + 30
    while completion_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert analysis.tree.children_built and analysis.graph._out_order is not None
    # Asked again, the answer comes from the memo and no second completion starts.
    again = client.get("/", query_string=query)
    again.close()
    assert again.get_data() == response.get_data() and not completion_threads()


def wait_for_threads(name, timeout=60):
    deadline = time.monotonic() + timeout
    while [t for t in threading.enumerate() if t.name == name] and time.monotonic() < deadline:
        time.sleep(0.05)


def test_listing_runs_for_a_first_visit_reads_the_graph_it_picks():
    plugin = plugin_on_demo_logs()
    runs = Client(plugin.get_plugin_apps()["/runs"])
    runs.get("/").close()
    wait_for_threads("phaseview-prefetch")
    assert len(plugin._cache) == 0  # a plain listing (the page's polling) reads no graph
    answer = runs.get("/", query_string={"prefetch": "first"})
    first = answer.get_json()["first"]
    assert first == {"run": "resnet_old_keras", "kind": "run_graph", "tag": None}
    cached = len(plugin._cache)
    assert cached >= 1
    graph = Client(plugin.get_plugin_apps()["/graph"]).get("/", query_string={k: v for k, v in first.items() if v})
    assert graph.status_code == 200 and graph.get_json()["run"] == first["run"]
    assert len(plugin._cache) == cached  # the graph request used the analysis read to pick it
    wait_for_threads("phaseview-prefetch")
    assert graph.get_data(as_text=True) == prepared_answer(plugin, first)


def prepared_answer(plugin, ref) -> str:
    """The graph answer's text as the prefetch left it in the analysis' memo (fails when it is not there)."""
    (analysis,) = [a for a, _ in plugin._cache._entries.values() if a.graph.node_count and _holds(a, ref)]
    return analysis.memo(("graph", ref["run"], ref["kind"], ref["tag"]), lambda: pytest.fail("not prepared"))


def _holds(analysis, ref) -> bool:
    return ("graph", ref["run"], ref["kind"], ref["tag"]) in analysis._answers


def plugin_on_one_graph(tmp_path):
    shutil.copytree(os.path.join(DEMO_LOGS, "dropout_cnn"), tmp_path / "dropout_cnn")
    multiplexer = plugin_event_multiplexer.EventMultiplexer(max_reload_threads=1)
    multiplexer.AddRunsFromDirectory(str(tmp_path))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(tmp_path))
    return PhaseViewPlugin(base_plugin.TBContext(data_provider=provider, logdir=str(tmp_path)))


def test_listing_a_single_graph_for_a_first_visit_starts_reading_it_in_the_background(tmp_path):
    plugin = plugin_on_one_graph(tmp_path)
    answer = Client(plugin.get_plugin_apps()["/runs"]).get("/", query_string={"prefetch": "first"})
    assert answer.get_json()["first"] == {"run": "dropout_cnn", "kind": "run_graph", "tag": None}
    wait_for_threads("phaseview-prefetch")
    assert len(plugin._cache) == 1
    # Read, and its answer encoded: the graph request that follows only sends it.
    first = {"run": "dropout_cnn", "kind": "run_graph", "tag": None}
    prepared = prepared_answer(plugin, first)
    graph = Client(plugin.get_plugin_apps()["/graph"]).get(
        "/", query_string={"run": "dropout_cnn", "kind": "run_graph"}
    )
    assert graph.get_data(as_text=True) == prepared
    ((analysis, _),) = plugin._cache._entries.values()
    assert [k for k in analysis._answers if k[0] == "graph"] == [("graph", "dropout_cnn", "run_graph", None)]


def test_an_answer_asked_for_by_two_threads_at_once_is_computed_once():
    analysis = demo_analysis("dropout_cnn")
    calls = []
    started = threading.Event()

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return object()

    found = []
    first = threading.Thread(target=lambda: found.append(analysis.memo(("slow",), slow)))
    first.start()
    started.wait(5)
    found.append(analysis.memo(("slow",), slow))  # arrives while the first is still computing
    first.join()
    assert len(calls) == 1 and found[0] is found[1]


def test_the_tab_opening_starts_reading_a_sole_graph_once_its_entry_module_is_sent(tmp_path):
    plugin = plugin_on_one_graph(tmp_path)
    entry = Client(plugin.get_plugin_apps()["/index.js"]).get("/")
    assert entry.status_code == 200
    wait_for_threads("phaseview-prefetch")
    assert len(plugin._cache) == 0  # nothing while the entry is being sent
    entry.close()  # the server closes the response once it is sent
    wait_for_threads("phaseview-prefetch")
    # Whatever the page restores, it opens the only graph: read, and its answer encoded.
    prepared = prepared_answer(plugin, {"run": "dropout_cnn", "kind": "run_graph", "tag": None})
    graph = Client(plugin.get_plugin_apps()["/graph"]).get("/", query_string={"run": "dropout_cnn"})
    assert graph.get_data(as_text=True) == prepared


def test_the_tab_opening_reads_no_graph_when_the_page_may_restore_one_of_several():
    plugin = plugin_on_demo_logs()
    Client(plugin.get_plugin_apps()["/index.js"]).get("/").close()
    wait_for_threads("phaseview-prefetch")
    assert len(plugin._cache) == 0


def test_the_completion_waits_for_the_browser_to_draw_and_a_request_before_it_builds_what_it_needs(monkeypatch):
    # On two cores a completion started at once takes a core from the browser while it draws the first answer.
    from tb_phaseview import plugin as plugin_module

    monkeypatch.setattr(plugin_module, "COMPLETION_DELAY_S", 30)
    plugin = plugin_on_demo_logs()
    apps = plugin.get_plugin_apps()
    query = {"run": "resnet_tf_keras", "kind": "run_graph"}
    Client(apps["/graph"]).get("/", query_string=query).close()
    ((analysis, _),) = plugin._cache._entries.values()
    (waiting,) = completion_threads()
    try:
        assert waiting.is_alive() and not analysis.tree.children_built
        opened = Client(apps["/group"]).get("/", query_string={**query, "group": "bn2a_branch1"})
        assert opened.status_code == 200 and opened.get_json()["children"]
    finally:
        waiting.cancel()


def test_the_completion_prepares_what_the_first_group_opened_reads_and_no_request_runs_the_collector(monkeypatch):
    # At 1,000,000 nodes a group opened once the completion was done still waited 1.6 s: 0.9 s for the cyclic
    # collector's first walk of the analysis (built while it was paused, so all of it still young) and 0.8 s for
    # what every group answer reads (the groups the flag's edges enter, the boxes the hyperparameters' edges
    # enter, the model variables that are no layer's parameters). The completion now does both.
    plugin = plugin_on_demo_logs()
    apps = plugin.get_plugin_apps()
    query = {"run": "resnet_tf_keras", "kind": "run_graph"}
    Client(apps["/graph"]).get("/", query_string=query).close()
    wait_for_threads("phaseview-complete")
    ((analysis, _),) = plugin._cache._entries.values()
    assert {("phase_reach",), ("hyper_read_by", False), ("no_parameters",)} <= set(analysis._answers)
    node_parent = analysis.tree.node_parent
    assert any(o is node_parent for o in gc.get_objects(generation=2)), "walked once, in the background"
    # A request runs with the collector paused, and leaves it as it found it.
    from tb_phaseview.analysis import pipeline

    seen = []
    answer = wire.group_answer
    monkeypatch.setattr(wire, "group_answer", lambda a, g: seen.append(gc.isenabled()) or answer(a, g))
    pausers = pipeline._gc_pausers
    opened = Client(apps["/group"]).get("/", query_string={**query, "group": "bn2a_branch1"})
    assert opened.status_code == 200 and opened.get_json()["children"]
    assert seen == [False] and pipeline._gc_pausers == pausers


def test_the_completions_collection_waits_until_no_request_is_being_answered():
    # A collection holds the interpreter while it walks (0.3-0.9 s at 1,000,000 nodes): a group opened right after
    # the first view would wait for it on top of the completion.
    from tb_phaseview.analysis import pipeline

    done = threading.Event()
    with pipeline.garbage_collector_paused():  # as a request being answered holds it
        collector = threading.Thread(target=lambda: (pipeline.collect_garbage_when_idle(), done.set()))
        collector.start()
        assert not done.wait(0.5), "it waits while a request is answered"
    assert done.wait(5), "and collects once none is"
    collector.join()


def test_the_collector_stays_paused_until_the_first_answer_is_sent():
    from tb_phaseview.analysis import pipeline

    # Once the pause around the handler ended, the first allocation collected everything the analysis had made
    # (all of it young): 0.17 s at 1,000,000 nodes, in the thread about to send the answer.
    plugin = plugin_on_demo_logs()
    response = Client(plugin.get_plugin_apps()["/graph"]).get("/", query_string={"run": "dropout_cnn"})
    assert response.status_code == 200
    pausers = pipeline._gc_pausers
    assert pausers >= 1 and not gc.isenabled(), "paused while the answer is sent"
    response.close()  # the server closes the response once it is sent
    assert pipeline._gc_pausers == pausers - 1
    wait_for_threads("phaseview-complete")
