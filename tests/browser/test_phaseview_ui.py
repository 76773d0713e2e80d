"""The PhaseView tab in a real browser, against a real TensorBoard on demo_logs (both data loaders)."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request

from conftest import SEED_FLAG, SEED_RUN, boxes, click_path_at, edges, open_plugin, shot


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


def test_seed_graph_draws_with_the_relocated_flag(page, tensorboard_url):
    started = time.monotonic()
    open_plugin(page, tensorboard_url, SEED_RUN)
    elapsed = time.monotonic() - started
    flag = page.locator(f'[data-node="{SEED_FLAG}"]')
    assert flag.count() == 1
    assert "born in bnl_stg-1" in flag.text_content()
    assert "read by 24 layers" in flag.text_content()
    # the flag is shown at the top level, not inside the layer it was born in
    assert page.locator(f'[data-node="bnl_stg-1"][data-group="true"][data-expanded="false"]').count() == 1
    # the layers that read it carry a phase badge in Collapse
    assert page.locator('[data-node="bn2a_branch2a"] .phase-badge').count() == 1
    assert elapsed < 30
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
    assert float(page.get_attribute("#phaseview-app", "data-toggle-ms")) < 100
    page.click('[data-phase-mode="collapse"]')
    assert edges(page, "phase") == []


def test_toggling_the_filter_moves_nothing(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    before = boxes(page)
    assert len(before) > 100
    for mode in ("highlight", "show", "collapse", "show"):
        page.click(f'[data-phase-mode="{mode}"]')
        assert boxes(page) == before, mode
    # keyboard shortcuts switch it too
    page.locator("svg.canvas").focus()
    page.keyboard.press("h")
    assert page.get_attribute("#phaseview-app", "data-phase-mode") == "highlight"
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
    page.fill("[data-testid=search]", "bn3b_branch2a/cond/FusedBatchNormV3")
    page.press("[data-testid=search]", "Enter")
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
    assert "Inputs" in inspector.text_content()
    shot(page, "search_reveal")


def test_search_regex(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.click("[data-testid=search-regex]")
    page.fill("[data-testid=search]", r"^bn2a_branch1/cond/Switch$")
    page.press("[data-testid=search]", "Enter")
    page.locator("[data-testid=search-results] .hdr").wait_for()
    names = [b.get_attribute("data-result") for b in page.locator("[data-testid=search-results] button[data-result]").all()]
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


def test_server_error_is_shown(page, tensorboard_url):
    page.route("**/data/plugin/phaseview/graph?*", lambda route: route.fulfill(
        status=422, content_type="application/json",
        body=json.dumps({"version": 1, "error": "graph blob is corrupt: <img src=x onerror=alert(1)>"})))
    page.goto(tensorboard_url + "data/plugin_entry.html?name=phaseview")
    err = page.locator("[data-testid=error]")
    err.wait_for()
    assert err.text_content() == "graph blob is corrupt: <img src=x onerror=alert(1)>"
    assert page.locator("img").count() == 0
    assert page.get_attribute("#phaseview-app", "data-ready") == "false"
    shot(page, "graph_error")


def test_hostile_names_render_as_text(page, tensorboard_url):
    hostile = "<img src=x onerror=alert(1)>"

    def fake_graph(route):
        body = {"version": 1, "run": "r", "kind": "run_graph", "tag": None, "nodes": 2, "edges": 1,
                "edge_counts": {"data": 1}, "phase": {"sources": [], "layers": [], "edges": []},
                "root": {"version": 1, "group": "", "path": [], "truncated": False,
                         "children": [{"name": hostile, "label": hostile, "type": "op", "op": "<b>Op</b>", "phase": None},
                                      {"name": "b", "label": "b", "type": "op", "op": "Identity", "phase": None}],
                         "edges": [{"from": hostile, "to": "b", "kind": "data", "count": 1}]}}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/data/plugin/phaseview/graph?*", fake_graph)
    page.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError("script ran")))
    open_plugin(page, tensorboard_url)
    node = page.locator("[data-node]").first
    assert node.get_attribute("data-node") == hostile
    assert hostile in node.text_content()
    assert page.locator("img").count() == 0
    assert edges(page, "data") == [{"kind": "data", "from": hostile, "to": "b"}]


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
    fitted = world.get_attribute("transform")
    page.keyboard.press("+")
    page.keyboard.press("ArrowLeft")
    assert world.get_attribute("transform") != fitted
    page.keyboard.press("0")
    assert world.get_attribute("transform") == fitted


def test_no_graph_message(page, tensorboard_url):
    page.route("**/data/plugin/phaseview/runs", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({"version": 1, "runs": [{"run": "x", "graphs": []}]})))
    page.goto(tensorboard_url + "data/plugin_entry.html?name=phaseview")
    page.get_by_text("No graph data found").wait_for()
    assert page.get_attribute("#phaseview-app", "data-ready") == "false"


def synthetic_graph(children, edges_per_node=1.5, truncated_extra=0):
    """A graph answer whose root has `children` groups in long chains with cross links."""
    names = [f"scope_{i}" for i in range(children)]
    kids = [{"name": n, "label": n, "type": "group", "size": 40, "ops": {"Conv2D": 1, "Relu": 1},
             "phase": {"role": "layer", "kind": "BatchNormalization", "source": "flag"} if i % 7 == 0 else None}
            for i, n in enumerate(names)]
    kids.append({"name": "flag", "label": "flag", "type": "op", "op": "PlaceholderWithDefault",
                 "phase": {"role": "source", "consumers": len(names[::7]), "born_in": None}})
    edge_list = [{"from": names[i - 1], "to": names[i], "kind": "data", "count": 1} for i in range(1, children)]
    extra = int(children * (edges_per_node - 1))
    edge_list += [{"from": names[(i * 13) % children], "to": names[(i * 13 + 1 + i % 5) % children], "kind": "data",
                   "count": 2} for i in range(extra)]
    phase_edges = [{"from": "flag", "to": f"{n}/cond", "layer": n, "to_path": [n]} for n in names[::7]]
    root = {"version": 1, "group": "", "path": [], "children": kids, "edges": edge_list,
            "truncated": bool(truncated_extra), "omitted": {"count": truncated_extra} if truncated_extra else None}
    return {"version": 1, "run": "big", "kind": "run_graph", "tag": None, "nodes": children * 40, "edges": len(edge_list),
            "edge_counts": {"data": len(edge_list), "phase": len(phase_edges)},
            "phase": {"sources": [{"name": "flag", "op": "PlaceholderWithDefault", "consumers": names[::7],
                                   "born_in": None, "path": []}],
                      "layers": [{"layer": n, "kind": "BatchNormalization", "source": "flag"} for n in names[::7]],
                      "edges": phase_edges},
            "root": root}


def test_large_top_level_draws_fast_and_toggles_fast(page, tensorboard_url):
    """5,000 top-level children (the server's cap per group): grid layout in the worker, drawn within 2.5 s."""
    body = json.dumps(synthetic_graph(5000, truncated_extra=1200))
    page.route("**/data/plugin/phaseview/graph?*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=body))
    open_plugin(page, tensorboard_url)
    first_view_ms = float(page.get_attribute("#phaseview-app", "data-first-view-ms"))
    assert page.locator("[data-node]").count() == 5001  # and the flag
    # The target is 2.5 s on an idle machine (measured ~1.9-2.6 s here); the bound leaves room for a busy CI.
    print(f"first view of 5,000 top-level children: {first_view_ms:.0f} ms")
    assert first_view_ms < 6000, first_view_ms
    for mode in ("highlight", "show", "collapse"):
        page.click(f'[data-phase-mode="{mode}"]')
        # ~30-100 ms with 715 drawn phase edges over 5,000 boxes on an idle machine; room for a busy CI
        assert float(page.get_attribute("#phaseview-app", "data-toggle-ms")) < 250, mode
    page.click('[data-phase-mode="show"]')
    assert len(edges(page, "phase")) == len(range(0, 5000, 7))
    assert "of 6,201 items" in page.text_content(".pv-status")
    shot(page, "synthetic_5000")


def test_medium_top_level_uses_dagre_within_a_second(page, tensorboard_url):
    body = json.dumps(synthetic_graph(250))
    page.route("**/data/plugin/phaseview/graph?*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=body))
    open_plugin(page, tensorboard_url)
    first_view_ms = float(page.get_attribute("#phaseview-app", "data-first-view-ms"))
    # The target is 1 s on an idle machine (measured ~0.9 s here); the bound leaves room for a busy CI.
    print(f"first view of 250 top-level children: {first_view_ms:.0f} ms")
    assert first_view_ms < 2500, first_view_ms
