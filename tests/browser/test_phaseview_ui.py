"""The PhaseView tab in a real browser, against a real TensorBoard on demo_logs (both data loaders)."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
import urllib.request

from tensorboard.compat.proto import graph_pb2

from conftest import SEED_FLAG, SEED_RUN, boxes, click_path_at, edges, open_plugin, shot
from oddgraphs import bool_placeholder, node, write_run


def graph_answer(base_url, run=SEED_RUN):
    q = urllib.parse.urlencode({"run": run, "kind": "run_graph"})
    with urllib.request.urlopen(f"{base_url}data/plugin/phaseview/graph?{q}", timeout=120) as r:
        return json.load(r)


def test_tab_loads_inside_tensorboard(page, tensorboard_url):
    page.goto(tensorboard_url + "#phaseview")
    frame = page.frame_locator("iframe")
    frame.locator('#phaseview-app[data-ready="true"]').wait_for(timeout=60_000)
    assert frame.locator("[data-node]").count() > 0
    for mode in ("collapse", "highlight", "show"):
        assert frame.locator(f'[data-phase-mode="{mode}"]').count() == 1
    shot(page, "tensorboard_tab")
    assert not page.errors


def test_first_load_asks_the_server_to_start_on_the_first_graph_and_a_restore_does_not(page, tensorboard_url):
    listed = []
    page.on(
        "request", lambda r: listed.append(urllib.parse.urlsplit(r.url).query) if "/phaseview/runs" in r.url else None
    )
    open_plugin(page, tensorboard_url)
    assert listed[0] == "prefetch=first"
    listed.clear()
    page.reload()  # the session's saved view is restored: which graph comes first is not the question
    page.wait_for_selector('#phaseview-app[data-ready="true"]')
    assert listed and "prefetch" not in listed[0]


def test_seed_graph_draws_with_the_relocated_flag(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    flag = page.locator(f'[data-node="{SEED_FLAG}"]')
    assert flag.count() == 1
    assert "born in bnl_stg-1" in flag.text_content()
    assert "read by 24 layers" in flag.text_content()
    # the flag is shown at the top level, not inside the layer it was born in
    assert page.locator('[data-node="bnl_stg-1"][data-group="true"][data-expanded="false"]').count() == 1
    # the layers that read it carry a phase badge in Collapse
    assert page.locator('[data-node="bn2a_branch2a"] .phase-badge').count() == 1
    shot(page, "seed_collapse")
    assert not page.errors


def test_collapse_draws_no_phase_edge(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    assert page.get_attribute('[data-phase-mode="collapse"]', "aria-pressed") == "true"
    assert edges(page, "phase") == []
    # in particular nothing links bnl_stg-1 with another BatchNorm group
    bn = re.compile(r"^bn\w*$")
    for e in edges(page):
        ends = {e["from"], e["to"]}
        if "bnl_stg-1" in ends or SEED_FLAG in ends:
            other = (ends - {"bnl_stg-1", SEED_FLAG}) or ends
            assert not any(bn.match(o) for o in other), e
    assert len(edges(page, "data")) > 0


def test_show_and_highlight_draw_one_edge_per_reading_layer(page, tensorboard_url):
    answer = graph_answer(tensorboard_url)
    layers = {layer["layer"] for layer in answer["phase"]["layers"]}
    assert len(layers) == 24
    # At the top level every op-level phase edge ends at the closed top-level group holding its reader:
    # the 24 layers, plus `training`, whose gradient ops read the flag too.
    expected = {(e["to_path"] or [e["to"]])[0] for e in answer["phase"]["edges"]}
    assert layers <= expected
    open_plugin(page, tensorboard_url, SEED_RUN)
    for mode in ("show", "highlight"):
        page.click(f'[data-phase-mode="{mode}"]')
        drawn = edges(page, "phase")
        assert {e["from"] for e in drawn} == {SEED_FLAG}, mode
        targets = [e["to"] for e in drawn]
        assert len(targets) == len(set(targets)), "deduplicated"
        assert set(targets) == expected, mode
        for layer in layers:
            assert targets.count(layer) == 1
        shot(page, f"seed_{mode}")
    page.click('[data-phase-mode="collapse"]')
    assert edges(page, "phase") == []


def test_toggling_the_filter_moves_nothing(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    before = boxes(page)
    assert len(before) > 80  # the top level: layers, the flag and the machinery areas
    for mode in ("highlight", "show", "collapse", "show"):
        page.click(f'[data-phase-mode="{mode}"]')
        assert boxes(page) == before, mode
    # keyboard shortcuts switch it too
    page.locator("svg.canvas").focus()
    page.keyboard.press("h")
    assert page.get_attribute('[data-phase-mode="highlight"]', "aria-pressed") == "true"
    assert boxes(page) == before


def test_open_a_group_and_map_phase_edges_deeper(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.click('[data-phase-mode="show"]')
    group = page.locator('[data-node="bn2a_branch2a"][data-group="true"]')
    group.locator(".box").first.dblclick()
    page.wait_for_selector('[data-node="bn2a_branch2a"][data-expanded="true"]')
    page.wait_for_function("() => document.querySelectorAll('[data-node^=\"bn2a_branch2a/\"]').length > 0")
    drawn = edges(page, "phase")
    assert all(e["from"] == SEED_FLAG for e in drawn)
    inside = [e["to"] for e in drawn if e["to"].startswith("bn2a_branch2a/")]
    assert inside, "the edge into the opened layer now ends inside it"
    assert "bn2a_branch2a" not in [e["to"] for e in drawn]
    shot(page, "opened_group_show")
    # closing it restores the edge to the group
    page.locator('[data-node="bn2a_branch2a"] .chevron').first.click()
    page.wait_for_selector('[data-node="bn2a_branch2a"][data-expanded="false"]')
    assert "bn2a_branch2a" in [e["to"] for e in edges(page, "phase")]


def test_search_finds_a_nested_node_and_opens_its_groups(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.fill("[data-testid=search]", "bn3b_branch2a/cond/FusedBatchNormV3")  # results are listed as one types
    results = page.locator("[data-testid=search-results] button[data-result]")
    results.first.wait_for()
    name = results.first.get_attribute("data-result")
    assert name.startswith("bn3b_branch2a/")
    results.first.click()
    node = page.locator(f'[data-node="{name}"]')
    node.first.wait_for()
    for group in ("bn3b_branch2a", "bn3b_branch2a/cond"):
        assert page.locator(f'[data-node="{group}"][data-expanded="true"]').count() == 1
    # (an op whose name is also a scope is drawn inside the open group of that name: both carry the name)
    selected = page.locator(f'[data-node="{name}"].selected')
    assert selected.count() == 1
    box = selected.bounding_box()
    assert 0 <= box["x"] <= 1400 and 0 <= box["y"] <= 900, "centred on screen"
    inspector = page.locator("[data-testid=inspector]")
    inspector.wait_for()
    page.wait_for_function("n => document.querySelector('[data-testid=inspector] h2')?.textContent === n", arg=name)
    # (the top hit is the group of that name, which holds the op: the op's details follow)
    page.wait_for_function("() => document.querySelector('[data-testid=inspector]').textContent.includes('Inputs')")
    shot(page, "search_reveal")


def test_search_regex(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.click("[data-testid=search-regex]")
    page.fill("[data-testid=search]", r"^bn2a_branch1/cond/Switch$")
    page.locator("[data-testid=search-results] .hdr").wait_for()
    names = [
        b.get_attribute("data-result") for b in page.locator("[data-testid=search-results] button[data-result]").all()
    ]
    assert names == ["bn2a_branch1/cond/Switch"]


def test_inspector_explains_a_phase_edge(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.click('[data-phase-mode="highlight"]')
    page.locator("svg.canvas").focus()
    sel = '[data-edge-kind="phase"][data-to="bn2a_branch2a"]'
    # near its end, past the shared trunk of the bundle
    click_path_at(page, sel, 0.93)
    explanation = page.locator("[data-testid=phase-explanation]").first
    explanation.wait_for()
    text = explanation.text_content()
    assert SEED_FLAG in text and "bn2a_branch2a" in text
    assert "BatchNormalization" in text and "moving averages" in text
    shot(page, "inspector_phase_edge")


def test_badge_and_node_inspector(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.locator('[data-node="bn2a_branch2a"] .phase-badge').click()
    text = page.locator("[data-testid=phase-explanation]").first.text_content()
    assert "moving averages" in text
    page.keyboard.press("Escape")
    assert page.locator("[data-testid=inspector]").is_hidden()


def test_server_error_is_shown(page, start_server, tmp_path):
    """A graph whose logged bytes are not a GraphDef: the server's message, as text, and no drawing."""
    write_run(tmp_path, "good", many_scopes_graph(3))
    write_run(tmp_path, "z_corrupt <img src=x onerror=alert(1)>", blob=b"\xff\xff\xff\x07junk")
    server = start_server(tmp_path, load_fast="false", wait_for_graphs=2)
    open_plugin(page, server.url, "good")
    page.select_option("[data-testid=run-select]", "z_corrupt <img src=x onerror=alert(1)>")
    err = page.locator("[data-testid=error]")
    err.wait_for()
    assert "the logged graph is corrupt and cannot be parsed" in err.text_content()
    assert page.locator("img").count() == 0
    assert page.get_attribute("#phaseview-app", "data-ready") == "false"
    shot(page, "graph_error")


def test_keyboard_help_and_fit(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.locator("svg.canvas").focus()
    page.keyboard.press("?")
    help_box = page.locator(".pv-help")
    assert help_box.is_visible()
    assert "fit the graph" in help_box.text_content()
    shot(page, "help")
    page.keyboard.press("Escape")
    assert help_box.is_hidden()
    world = page.locator("g.world")
    page.keyboard.press("0")  # the first view is at a readable zoom; 0 fits the whole graph
    fitted = world.get_attribute("transform")
    page.keyboard.press("+")
    page.keyboard.press("ArrowLeft")
    assert world.get_attribute("transform") != fitted
    page.keyboard.press("0")
    assert world.get_attribute("transform") == fitted


def test_no_graph_message(page, start_server, tmp_path):
    """A logdir whose runs log scalars but no graph."""
    write_run(tmp_path, "with_graph", many_scopes_graph(3))
    server = start_server(tmp_path, load_fast="false")
    import shutil

    shutil.rmtree(tmp_path / "with_graph")  # the next reload finds nothing left to draw
    page.goto(server.url + "data/plugin_entry.html?name=phaseview")
    page.get_by_text("No graph data found").wait_for(timeout=60_000)
    assert page.get_attribute("#phaseview-app", "data-ready") == "false"


def test_a_run_with_only_keras_model_config_says_what_logs_an_op_graph(page, start_server, tf_written):
    """Keras 3's TensorBoard callback at its defaults logs Keras's model config, no op graph: the tab said no run
    held a graph and to write one with that very callback. It names the run and what records an op graph; beside
    a run with a graph, the run is listed in the run menu, not pickable, with the reason."""
    logdir = os.path.join(tf_written("model_config_only"), "logs")
    server = start_server(os.path.join(logdir, "config_only"), load_fast="false", wait_for_graphs=0)
    page.goto(server.url + "data/plugin_entry.html?name=phaseview")
    page.get_by_text("No op graph, only Keras’s model config").wait_for(timeout=60_000)
    body = page.locator(".pv-message").inner_text()
    assert "Run train logged only Keras's model config" in body and "profile_batch=1" in body
    assert page.get_attribute("#phaseview-app", "data-ready") == "false"
    assert page.locator("select option:checked").first.inner_text() == "train (model config only, no op graph)"
    shot(page, "model-config-only")

    server = start_server(logdir, load_fast="true")
    open_plugin(page, server.url)
    option = page.locator("select option", has_text="config_only/train (model config only, no op graph)")
    assert option.count() == 1 and option.is_disabled()
    assert "profile_batch=1" in option.get_attribute("title")
    assert page.locator("select option:checked").first.inner_text() == "traced/train"


def many_scopes_graph(scopes, links_per_scope=1.5, flag_every=7):
    """A real GraphDef: ``scopes`` top-level name scopes of two ops each, chained, with cross links, and a
    learning-phase flag read through a v1 cond by every ``flag_every``-th scope."""
    graph = graph_pb2.GraphDef()
    bool_placeholder(graph, "flag")
    for i in range(scopes):
        name = f"scope_{i}"
        inputs = [f"scope_{i - 1}/out"] if i else []
        inputs += [f"scope_{(k * 13) % i}/out" for k in range(int(links_per_scope) - 1 + (i % 2)) if i > 1]
        if i % flag_every == 0:
            node(graph, f"{name}/cond/Switch", "Switch", [inputs[0] if inputs else "flag", "flag"])
            inputs = [f"{name}/cond/Switch:1"]
        node(graph, f"{name}/in", "Identity", inputs[:1])
        node(graph, f"{name}/out", "Relu", [f"{name}/in"] + inputs[1:])
    return graph


def test_five_thousand_top_level_scopes_draw_and_switch_filters(page, start_server, tmp_path):
    """5,000 top-level children (4,999 groups and the flag: the most the server sends in one group before it
    splits them into buckets)."""
    write_run(tmp_path, "wide", many_scopes_graph(4999))
    server = start_server(tmp_path, load_fast="false")
    open_plugin(page, server.url, "wide", timeout=120_000)
    assert page.locator("[data-node]").count() == 5000
    readers = len(range(0, 4999, 7))
    for mode in ("highlight", "show"):
        page.click(f'[data-phase-mode="{mode}"]')
        drawn = edges(page, "phase")
        assert {e["from"] for e in drawn} == {"flag"} and len(drawn) == readers, mode
    page.click('[data-phase-mode="collapse"]')
    assert edges(page, "phase") == []
    shot(page, "five_thousand_scopes")


def test_a_few_hundred_cross_linked_scopes_are_laid_out_as_layers(page, start_server, tmp_path):
    """250 top-level groups with cross links: a layered layout (edges drawn between the drawn groups)."""
    write_run(tmp_path, "medium", many_scopes_graph(250, links_per_scope=2))
    server = start_server(tmp_path, load_fast="false")
    open_plugin(page, server.url, "medium", timeout=60_000)
    assert page.locator("[data-node]").count() == 251
    drawn = edges(page, "data")
    # (scope_0 and scope_13 feed nearly every scope: drawn as hubs beside the layout, their edges on demand)
    assert {"kind": "data", "from": "scope_20", "to": "scope_21"} in drawn
    assert len(drawn) >= 200
    tops = page.evaluate(
        "() => ['scope_20', 'scope_21', 'scope_22'].map(n => "
        'document.querySelector(`[data-node="${n}"]`).getBoundingClientRect().y)'
    )
    assert tops[0] < tops[1] < tops[2], "a chain runs top to bottom"


def test_a_node_with_corrupt_attributes_still_draws_and_the_inspector_says_why(page, start_server, tmp_path):
    """One Conv2D's attribute bytes are corrupt: the graph and its phase report load, and that node's
    inspector shows its edges and, as text, why its attributes are missing."""
    from demo import demo_graphs
    from logdirs import corrupt_attribute_blob

    graph_def = demo_graphs()[("dropout_cnn", "run_graph", None)]
    victim = next(n.name for n in graph_def.node if n.op == "Conv2D")
    write_run(tmp_path, "bad_attrs", blob=corrupt_attribute_blob(graph_def, victim))
    server = start_server(tmp_path, load_fast="false")
    open_plugin(page, server.url, "bad_attrs")
    assert page.locator(".phase-badge").count() > 0
    page.fill("[data-testid=search]", victim)
    page.locator(f'[data-testid=search-results] button[data-result="{victim}"]').click()
    error = page.locator("[data-testid=attrs-error]")
    error.wait_for()
    assert "attributes are corrupt" in error.text_content()
    assert "Inputs" in page.locator("[data-testid=inspector]").text_content()
    shot(page, "corrupt_attributes")
