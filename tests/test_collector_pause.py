"""Python's cyclic garbage collector is paused while a graph is read, analysed and its first answer encoded.

In TensorBoard's process the heap holds every loaded event file, and reading a 200k-node graph made the
collector walk it again and again (about 0.39 s of full collections; docs/speed_history.md). None of what the read
makes is in a cycle, so nothing is lost by pausing it.
"""

from __future__ import annotations

import gc
import threading

from werkzeug.test import Client

from tb_phaseview.read import graph_source
from tb_phaseview.serve import wire
from test_background_completion import plugin_on_demo_logs, plugin_on_one_graph, wait_for_threads


def test_the_collector_is_paused_while_a_graph_is_read_and_its_answer_encoded_and_resumed_after(monkeypatch):
    seen = {}

    def watched(module, name):
        real = getattr(module, name)

        def call(*args, **kwargs):
            seen[name] = gc.isenabled()
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, call)

    watched(graph_source, "load_graph")
    watched(wire, "graph_answer")
    plugin = plugin_on_demo_logs()
    assert gc.isenabled()
    response = Client(plugin.get_plugin_apps()["/graph"]).get("/", query_string={"run": "resnet_old_keras"})
    assert response.status_code == 200
    response.close()
    assert seen == {"load_graph": False, "graph_answer": False}
    # Closing the response starts the background completion, which pauses the collector too: resumed once it ends.
    for thread in threading.enumerate():
        if thread.name == "phaseview-complete":
            thread.join()
    assert gc.isenabled()


def test_a_graph_refused_while_being_read_resumes_the_collector(monkeypatch):
    monkeypatch.setenv(graph_source.MEMORY_BUDGET_ENV, "10000")
    plugin = plugin_on_demo_logs()
    response = Client(plugin.get_plugin_apps()["/graph"]).get("/", query_string={"run": "resnet_old_keras"})
    assert response.status_code == 422 and "too large" in response.get_json()["error"]
    response.close()
    assert gc.isenabled()


def test_the_prefetch_keeps_the_collector_paused_from_the_read_to_the_answers_text(monkeypatch, tmp_path):
    # Between the analysis' pause and the answer's, the collector walked everything the analysis had made.
    from tb_phaseview import plugin as plugin_module

    seen = []
    encode = plugin_module._graph_answer_text
    monkeypatch.setattr(
        plugin_module, "_graph_answer_text", lambda analysis, ref: seen.append(gc.isenabled()) or encode(analysis, ref)
    )
    plugin = plugin_on_one_graph(tmp_path)
    Client(plugin.get_plugin_apps()["/runs"]).get("/", query_string={"prefetch": "first"}).close()
    wait_for_threads("phaseview-prefetch")
    assert seen == [False] and gc.isenabled()
