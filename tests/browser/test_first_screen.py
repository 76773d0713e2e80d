"""The first screen answers the question, in a real browser against a real TensorBoard on demo_logs: the graph
a first visit opens, a readable zoom framed on the flag, the answer line, the minimap, search that finds layers,
one layer count everywhere, readable notes, and the small defects a first user hit."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from test_share import add_note, note_sel, plugin_frame, select, transform

from conftest import SEED_FLAG, SEED_RUN, crowded_edge_labels, labels_below_an_edge, open_plugin, pick, sel, shot
from test_cli import run_cli
from third_party_graphs import SHARED_GRAPHS

APP = "#phaseview-app"


def world(frame):
    return transform(frame.get_attribute("g.world", "transform"))


def label_sizes_on_screen(frame):
    """Screen font size (px) of every label of a box that is at least partly on screen."""
    return frame.evaluate(
        """() => {
             const vw = innerWidth, vh = innerHeight;
             return [...document.querySelectorAll('[data-node] > .body > text.label')].flatMap(t => {
               const r = t.getBoundingClientRect();
               if (r.right < 0 || r.bottom < 0 || r.left > vw || r.top > vh) return [];
               return [parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a];
             });
           }"""
    )


def on_screen(frame, selector):
    return frame.evaluate(
        """sel => { const e = document.querySelector(sel); if (!e) return false;
                    const r = e.getBoundingClientRect(), s = document.querySelector('svg.canvas').getBoundingClientRect();
                    return r.width > 0 && r.left >= s.left && r.top >= s.top && r.right <= s.right && r.bottom <= s.bottom; }""",
        selector,
    )


def test_a_first_visit_opens_the_seed_graph_readable_and_framed_on_the_flag(page, tensorboard_url):
    page.goto(tensorboard_url + "#phaseview")
    page.frame_locator("iframe").locator(f'{APP}[data-ready="true"]').wait_for(timeout=60_000)
    frame = plugin_frame(page)
    assert frame.input_value("[data-testid=run-select]") == SEED_RUN
    # Labels can be read: at least 11 px on screen, on every box in view, and there are plenty of them.
    sizes = label_sizes_on_screen(frame)
    assert len(sizes) >= 5 and min(sizes) >= 11, sizes
    # Framed on the flag and the layers nearest it.
    assert on_screen(frame, sel(SEED_FLAG))
    readers_in_view = frame.evaluate(
        """() => [...document.querySelectorAll('[data-node] > .body > .phase-badge')].filter(b => {
             const r = b.getBoundingClientRect(); return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
           }).length"""
    )
    assert readers_in_view >= 2
    shot(page, "first_screen_seed")
    assert not page.errors


def test_the_answer_line_says_what_was_found_and_shows_the_flag(page, tensorboard_url):
    open_plugin(page, tensorboard_url)
    line = page.locator("[data-answer-line]")
    assert line.count() == 1 and line.get_attribute("data-layers") == "24"
    text = line.text_content()
    assert "bnl_stg-1 looks connected to 23 other BatchNorm layers in the Graphs tab" in text
    assert "24 layers read it" in text
    page.locator('[data-action="show-flag"]').click()
    page.wait_for_function(
        "f => document.querySelector('[data-testid=inspector] h2')?.textContent === f", arg=SEED_FLAG
    )
    assert on_screen(page, sel(SEED_FLAG) + ".selected")
    # A graph without a flag says so.
    page.select_option("[data-testid=run-select]", "tf2_fit_no_flag")
    page.wait_for_function(
        "() => document.querySelector('#phaseview-app').dataset.ready === 'true'"
        " && document.querySelector('[data-answer-line]').dataset.layers === '0'"
    )
    assert line.text_content().startswith("No learning-phase flag: this graph has no training/inference switch")
    assert page.locator('[data-action="show-flag"]').count() == 0
    shot(page, "answer_line_no_flag")


def top_gap(frame):
    """Screen pixels between the top of the stage and the highest drawn box that is on screen."""
    return frame.evaluate(
        """() => { const s = document.querySelector('svg.canvas').getBoundingClientRect();
                   const tops = [...document.querySelectorAll('.root-group > g[data-node] > .body > .box')]
                     .map(b => b.getBoundingClientRect())
                     .filter(r => r.bottom > s.top && r.top < s.bottom && r.right > s.left && r.left < s.right)
                     .map(r => r.top - s.top);
                   return Math.min(...tops); }"""
    )


def test_the_machinery_areas_are_on_the_first_screen_beside_the_top_of_the_model(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    assert on_screen(page, sel(SEED_FLAG))
    flag = page.locator(sel(SEED_FLAG) + " > .body > .box").bounding_box()
    for area in ("\u2237gradient", "\u2237init", "\u2237optimizer"):
        assert on_screen(page, sel(area)), area
        box = page.locator(sel(area) + " > .body > .box").bounding_box()
        assert box["x"] > flag["x"] + flag["width"], (area, box, flag)  # beside the model, right of the flag
    shot(page, "first_screen_areas")


def test_the_first_view_starts_at_the_top_of_the_stage(page, tensorboard_url):
    # No flag: framed on the inputs, which start near the top (what follows them shows below), not mid-stage.
    open_plugin(page, tensorboard_url, "tf2_fit_no_flag")
    first = json.loads(page.get_attribute(APP, "data-first-view"))
    assert first["flag"] is None
    assert top_gap(page) < 60, top_gap(page)
    if first["frame"]["k"] < 0.97:  # it fits whole a little further out: shown whole, labels still >= 9.2 px
        assert min(label_sizes_on_screen(page)) >= 9.2 and boxes_cut_by_the_sides(page) == []
    else:
        assert min(label_sizes_on_screen(page)) >= 11
    shot(page, "first_screen_no_flag_top")
    # With a flag, too: the flag sits near the top of the stage.
    page.select_option("[data-testid=run-select]", SEED_RUN)
    page.wait_for_function(
        "() => document.querySelector('#phaseview-app').dataset.ready === 'true'"
        " && document.querySelector('[data-answer-line]').dataset.layers === '24'"
    )
    assert top_gap(page) < 60, top_gap(page)
    assert not page.errors


def test_a_later_visit_opens_the_graph_last_viewed(browser, tensorboard_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        open_plugin(page, tensorboard_url, "dropout_cnn")
        again = ctx.new_page()  # a new tab: nothing in its session, the browser's storage is shared
        again.goto(tensorboard_url + "data/plugin_entry.html?name=phaseview")
        again.wait_for_selector(f'{APP}[data-ready="true"]')
        assert again.input_value("[data-testid=run-select]") == "dropout_cnn"
        assert min(label_sizes_on_screen(again)) >= 11
    finally:
        ctx.close()


def plugin_requests(page) -> list[str]:
    """The plugin's requests, in the order the page sent them (route or file, with the query)."""
    sent = []
    page.on("request", lambda r: "/plugin/phaseview/" in r.url and sent.append(r.url.split("/plugin/phaseview/")[1]))
    return sent


def test_the_runs_request_is_sent_before_the_app_is_fetched_and_answers_the_app(browser, tensorboard_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        sent = plugin_requests(page)
        open_plugin(page, tensorboard_url)
        # A first visit: the entry module asks for the runs, with the server to start on the graph it picks, before
        # the app's code is even asked for; the app reads that answer rather than asking again.
        assert sent.index("runs?prefetch=first") < sent.index("app.js")
        assert [r for r in sent if r.startswith("runs")] == ["runs?prefetch=first"]
        assert page.input_value("[data-testid=run-select]") == SEED_RUN
        assert [r for r in sent if r.startswith("graph")] == [f"graph?run={SEED_RUN}&kind=run_graph"]
        # A later visit in a new tab opens the graph last viewed: nothing to prefetch, still one runs request.
        again = ctx.new_page()
        sent = plugin_requests(again)
        open_plugin(again, tensorboard_url)
        assert [r for r in sent if r.startswith("runs")] == ["runs"] and sent.index("runs") < sent.index("app.js")
    finally:
        ctx.close()


def test_a_first_visit_asks_for_the_graph_and_starts_the_layout_worker_before_the_app_has_loaded(
    browser, tensorboard_url
):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        page.route("**/plugin/phaseview/app.js", lambda route: route.abort())  # the app never arrives
        with page.expect_request(lambda r: "/plugin/phaseview/layout.worker.js" in r.url, timeout=60_000):
            with page.expect_request(lambda r: "/plugin/phaseview/graph?" in r.url, timeout=60_000) as graph:
                page.goto(tensorboard_url + "data/plugin_entry.html?name=phaseview")
        assert graph.value.url.endswith(f"graph?run={SEED_RUN}&kind=run_graph")
        # And the page says why nothing more comes, rather than staying empty.
        page.locator("text=PhaseView could not load its code (app.js)").wait_for(timeout=30_000)
    finally:
        ctx.close()


def test_a_layout_worker_that_cannot_load_says_so_instead_of_waiting_forever(page, tensorboard_url):
    # It is started before the app's code is loaded, so it fails before the app listens: the failure is kept.
    page.route("**/plugin/phaseview/layout.worker.js", lambda route: route.abort())
    page.goto(tensorboard_url + "data/plugin_entry.html?name=phaseview")
    message = page.locator(".pv-message:not([hidden])")
    message.locator("text=Could not lay out this graph").wait_for(timeout=60_000)
    assert "layout worker failed" in message.locator("[data-testid=error]").inner_text()
    assert page.get_attribute(APP, "data-ready") == "false"


def test_the_minimap_shows_the_view_and_dragging_it_moves_the_view(page, tensorboard_url):
    open_plugin(page, tensorboard_url)
    # The status bar's parameter count comes after the first view (the summary): once it is in, nothing moves.
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    minimap = page.locator("[data-minimap]")
    assert minimap.count() == 1 and minimap.is_visible()
    view = page.locator("[data-minimap-view]")
    before, box = world(page), view.bounding_box()
    assert box["width"] > 2 and box["height"] > 2
    # The seed graph is about 30 times taller than wide: the map still has a legible width, and the view's
    # rectangle is big enough to see and grab.
    map_box = minimap.locator("svg").bounding_box()
    assert map_box["width"] >= 90 and map_box["height"] >= 100, map_box
    assert box["width"] >= 60 and box["height"] >= 5, box
    # Dragged 20 px down the map (the seed graph is tall and narrow: the map is too).
    dx = 0
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + 20, steps=5)
    page.mouse.up()
    after = world(page)
    assert after[2] == pytest.approx(before[2])
    assert after[1] < before[1] - 40, (before, after)  # the view moved down the graph
    moved = view.bounding_box()
    assert moved["x"] == pytest.approx(box["x"] + dx, abs=3) and moved["y"] == pytest.approx(box["y"] + 20, abs=3)
    # A click elsewhere on the minimap (where it is now) centres the view there.
    mbox = minimap.locator("svg").bounding_box()
    page.mouse.click(mbox["x"] + mbox["width"] / 2, mbox["y"] + mbox["height"] - 3)
    clicked = view.bounding_box()
    assert clicked["y"] > moved["y"] + 5
    shot(page, "minimap_dragged")
    # Fit still fits the whole graph.
    page.click("[data-testid=fit]")
    fitted = world(page)
    assert fitted[2] < 0.5
    assert (
        on_screen(page, sel(SEED_FLAG))
        and on_screen(page, sel("bn3d_branch2c"))
        and on_screen(page, sel("input_image"))
    )


def test_search_lists_the_layers_first_and_enter_opens_the_top_hit(page, tensorboard_url):
    open_plugin(page, tensorboard_url)
    page.fill("[data-testid=search]", "bn3a")
    page.locator("[data-testid=search-results] button[data-result]").first.wait_for()
    names = [
        b.get_attribute("data-result") for b in page.locator("[data-testid=search-results] button[data-result]").all()
    ]
    assert names[:4] == ["bn3a_branch1", "bn3a_branch2a", "bn3a_branch2b", "bn3a_branch2c"]
    page.press("[data-testid=search]", "Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=inspector] h2')?.textContent === 'bn3a_branch1'")
    assert on_screen(page, sel("bn3a_branch1") + ".selected")
    assert page.locator("[data-testid=search-results]").is_hidden()
    shot(page, "search_enter_top_hit")


@pytest.fixture(scope="module")
def cli_layers():
    from demo import DEMO_LOGS

    result = run_cli("report", DEMO_LOGS, "--json")
    assert result.returncode == 0, result.stderr
    return {(g["run"], g["kind"], g["tag"]): len(g["phase_layers"]) for g in json.loads(result.stdout)["graphs"]}


def test_on_every_demo_graph_the_knot_badges_status_bar_and_cli_agree(page, tensorboard_url, cli_layers):
    open_plugin(page, tensorboard_url)
    graphs = page.evaluate("() => fetch('./runs').then(r => r.json()).then(b => b.runs.flatMap(r => r.graphs))")
    assert len(graphs) == len(cli_layers)
    for g in graphs:
        key = json.dumps([g["run"], g["kind"], g["tag"] or ""])
        pick(page, "run", g["run"])
        if page.locator("[data-testid=graph-select] option").count() > 1:
            value = page.evaluate(
                """g => [...document.querySelectorAll('[data-testid=graph-select] option')]
                       .find(o => o.textContent && o.value.includes(g.kind) && (!g.tag || o.value.includes(g.tag)))?.value""",
                g,
            )
            if value and page.input_value("[data-testid=graph-select]") != value:
                pick(page, "graph", value)
        expected = cli_layers[(g["run"], g["kind"], g["tag"])]
        status = page.locator("[data-testid=status]")
        assert status.get_attribute("data-phase-layers") == str(expected), key
        assert page.get_attribute("[data-answer-line]", "data-layers") == str(expected), key
        if expected == 0:  # no flag: nothing to highlight, and the button says so by being disabled
            assert page.locator('[data-phase-mode="highlight"]').is_disabled(), key
            continue
        page.click('[data-phase-mode="highlight"]')
        knots = page.locator(".phase-knot")
        for i in range(knots.count()):
            assert knots.nth(i).get_attribute("data-layers") == str(expected), key
            assert re.search(rf"\b{expected} layers?\b", knots.nth(i).text_content()), key
        # Every drawn element a phase edge enters carries a badge (or is the flag itself).
        ends = page.evaluate(
            "() => [...new Set([...document.querySelectorAll('[data-edge-kind=phase]')].map(e => e.dataset.to))]"
        )
        for end in ends:
            assert page.locator(f"{sel(end)} > .body > .phase-badge").count() == 1, f"{key}: {end} has no badge"
        page.click('[data-phase-mode="collapse"]')


def test_a_gradient_group_reading_the_flag_is_explained_as_such(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "tf1_is_training")
    area = page.locator('[data-node][data-group="true"]', has_text="gradients ·").first.get_attribute("data-node")
    page.locator(f"{sel(area)} > .body > .phase-badge").dispatch_event("click")
    text = page.locator("[data-testid=phase-explanation]").first.text_content()
    assert text.startswith("The gradients area holds the gradients of bn1, bn2, bn3, drop1, drop2")


def test_the_layer_the_flag_was_born_in_explains_itself(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    select(page, "bnl_stg-1")
    text = page.locator("[data-testid=inspector]").text_content()
    assert (
        "Old Keras created the flag keras_learning_phase inside this layer; 24 layers read it; "
        "PhaseView draws it apart." in text
    )
    shot(page, "birthplace_inspector")


def test_highlight_never_dims_a_note_and_notes_are_drawn_above_every_node(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    add_note(page, "res2a_branch2a", "a conv layer: no phase edge")
    page.click('[data-phase-mode="highlight"]')
    note = page.locator(note_sel("res2a_branch2a"))
    opacity = note.evaluate(
        """n => { let o = 1; for (let e = n; e && e.nodeType === 1; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
                  return o; }"""
    )
    assert opacity == 1
    # Nothing is drawn over it: the topmost element at its centre is the note itself, not the veil of Highlight.
    on_top = note.evaluate(
        """n => { const b = n.querySelector('.note-box').getBoundingClientRect();
                  const e = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
                  return !!e && !!e.closest('[data-note]'); }"""
    )
    assert on_top
    shot(page, "note_in_highlight")


def test_a_shared_link_opened_in_a_smaller_window_keeps_the_selection_and_its_note_on_screen(browser, tensorboard_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.click("[data-testid=fit]")
    target = "bn2c_branch2a"
    add_note(page, target, "look here")
    select(page, target)
    page.click('[data-action="copy-link"]')
    link = page.locator("[data-testid=share-link]").input_value()
    ctx.close()
    small = browser.new_context(viewport={"width": 700, "height": 520})
    try:
        page2 = small.new_page()
        page2.goto(link)  # the plugin's own page, as the link was copied there
        page2.locator(f'{APP}[data-link-restored="true"]').wait_for(timeout=60_000)
        frame = page2
        shot(page2, "link_in_small_window")
        assert on_screen(frame, sel(target) + ".selected")
        assert on_screen(frame, note_sel(target) + " .note-box"), frame.evaluate(
            "n => [document.querySelector(n).getBoundingClientRect().toJSON(), document.querySelector('svg.canvas').getBoundingClientRect().toJSON()]",
            note_sel(target) + " .note-box",
        )
    finally:
        small.close()


def test_phase_mode_is_on_the_three_buttons_only(page, tensorboard_url):
    open_plugin(page, tensorboard_url)
    for mode in ("highlight", "show", "collapse"):
        page.click(f'[data-phase-mode="{mode}"]')
        assert page.locator("[data-phase-mode]").count() == 3
        assert page.locator(f'[data-phase-mode="{mode}"]').count() == 1
        assert page.get_attribute(f'[data-phase-mode="{mode}"]', "aria-pressed") == "true"


def test_the_flag_ops_inspector_does_not_call_it_a_name_scope(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    select(page, SEED_FLAG)
    header = page.locator("[data-testid=inspector] .op").first.text_content()
    assert "name scope" not in header
    assert "PlaceholderWithDefault" in header


def test_the_run_metadata_flow_reads_top_to_bottom(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "tf1_is_training")
    value = page.evaluate("""() => [...document.querySelectorAll('[data-testid=graph-select] option')]
                               .find(o => o.value.includes('tagged_run_metadata')).value""")
    pick(page, "graph", value)
    page.click("[data-testid=fit]")
    tops = page.evaluate(
        "() => ['conv1', 'bn1', 'conv2', 'bn2'].map(n => "
        'document.querySelector(`[data-node="${n}"]`).getBoundingClientRect().y)'
    )
    assert tops[0] < tops[1] < tops[2] < tops[3], tops
    shot(page, "run_metadata_top_to_bottom")


def covered_boxes(frame):
    """(note, drawn element) pairs where a note's callout covers a box it is not pinned to (or another note)."""
    return frame.evaluate(
        """() => {
             const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
             const out = [];
             const notes = [...document.querySelectorAll('[data-note]')];
             for (const n of notes) {
               const box = n.querySelector('.note-box').getBoundingClientRect();
               const anchor = document.querySelector(`[data-node="${CSS.escape(n.dataset.noteAnchor)}"]`);
               for (const el of document.querySelectorAll('[data-node]')) {
                 if (el === anchor || el.contains(anchor)) continue;  // its own box, and the open groups around it
                 const r = el.querySelector(':scope > .body > .box').getBoundingClientRect();
                 if (hit(box, r)) out.push([n.dataset.note, el.dataset.node]);
               }
               for (const m of notes) if (m !== n && hit(box, m.querySelector('.note-box').getBoundingClientRect()))
                 out.push([n.dataset.note, 'note on ' + m.dataset.note]);
             }
             return out;
           }"""
    )


def add_note_to(page, name, text):
    page.locator(f"{sel(name)} > .body > rect.box").first.dispatch_event("click")
    # A group is named in the inspector as the page names it (an area by its title); data-subject is its id.
    page.wait_for_function(
        "n => document.querySelector('[data-testid=inspector] h2')?.textContent === n"
        " || document.querySelector('[data-testid=inspector] [data-subject]')?.dataset.subject === n",
        arg=name,
    )
    page.click('[data-action="add-note"]')
    page.fill("[data-testid=note-text]", text)
    page.click('[data-action="save-note"]')
    page.locator("[data-note=" + json.dumps(name, ensure_ascii=False) + "]").wait_for()


def test_a_note_never_covers_a_box_it_is_not_pinned_to(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    # The machinery areas are stacked close together: notes of four lines at their default place would overlap.
    crowded = ["\u2237gradient", "\u2237init", "\u2237optimizer", "pad_stg-1", "cnl_stg-1", "bnl_stg-1"]
    for name in crowded:
        add_note_to(
            page,
            name,
            f"a note on {name}, long enough to wrap onto four lines of the callout so that it is "
            f"as tall as the space between two boxes",
        )
    assert covered_boxes(page) == []  # at the first view's zoom: callouts drawn at their own size, as exported
    shot(page, "notes_crowded")
    page.click("[data-testid=fit]")  # zoomed out, callouts are magnified
    assert covered_boxes(page) == []
    with page.expect_download() as d:
        page.click('[data-action="export-svg"]')
    with open(d.value.path(), encoding="utf-8") as f:
        assert "a note on pad_stg-1" in f.read()


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_top_level_too_large_to_draw_keeps_the_flag_and_the_areas_in_sight_beside_its_buckets(
    page, start_server, tmp_path, load_fast
):
    from tensorboard.compat.proto import graph_pb2

    from demo import demo_graphs
    from oddgraphs import node, write_run
    from tb_phaseview.analysis.scopes import BUCKET_THRESHOLD

    graph = graph_pb2.GraphDef()
    graph.CopyFrom(demo_graphs()[(SEED_RUN, "run_graph", None)])
    for i in range(BUCKET_THRESHOLD):  # the seed model inside a top level of over 5,000 children (not one series),
        # each after the one before: control edges that cross from bucket to bucket
        node(graph, f"extra_{i:05d}_op", "NoOp", [f"^extra_{i - 1:05d}_op"] if i else [])
    write_run(tmp_path, "flat", graph)
    server = start_server(tmp_path, load_fast=load_fast)
    open_plugin(page, server.url, "flat")
    shot(page, f"bucketed_top_level_{load_fast}")
    buckets = page.locator(".root-group > g[data-node*='\u2026']")
    assert buckets.count() >= 5
    flag = page.locator(sel(SEED_FLAG) + " > .body > .box").bounding_box()
    tops = [buckets.nth(i).locator(":scope > .body > .box").bounding_box() for i in range(buckets.count())]
    assert all(b["y"] >= flag["y"] + flag["height"] for b in tops), "the flag sits above the buckets"
    right = max(b["x"] + b["width"] for b in tops)
    for area in ("\u2237gradient", "\u2237init", "\u2237optimizer"):
        assert on_screen(page, sel(area)), area
        assert page.locator(sel(area) + " > .body > .box").bounding_box()["x"] >= right, area
    assert on_screen(page, sel(SEED_FLAG))
    # The edges between buckets (name ranges: they run every way) are drawn when a bucket is selected, not at
    # once across the grid's boxes; its tooltip says so.
    between = """() => [...document.querySelectorAll('.root-group path.edge')]
        .filter(p => p.dataset.from.startsWith('\u2026') && p.dataset.to.startsWith('\u2026'))
        .map(p => [p.dataset.from, p.dataset.to, p.dataset.aux, getComputedStyle(p).display !== 'none'])"""
    drawn = page.evaluate(between)
    assert len(drawn) >= 2 and all(aux == "true" and not shown for _, _, aux, shown in drawn), drawn
    first = buckets.first.get_attribute("data-node")
    tooltip = page.locator(sel(first) + " > .body > title").text_content()
    assert "Select it to draw its edges to the other buckets" in tooltip
    page.locator(sel(first) + " > .body > rect.box").first.dispatch_event("click")
    page.wait_for_selector(".root-group path.edge.aux-on", state="attached")
    drawn = page.evaluate(between)
    assert all(shown == (first in (a, b)) for a, b, _, shown in drawn), drawn
    assert any(shown for *_, shown in drawn)
    shot(page, f"bucketed_top_level_selected_{load_fast}")


def boxes_cut_by_the_sides(page):
    """The top-level boxes that the canvas's left or right side cuts in two."""
    return page.evaluate(
        """() => { const s = document.querySelector('svg.canvas').getBoundingClientRect();
                   return [...document.querySelectorAll('g.world > g > [data-node] > .body, g.world [data-node] > .body')]
                     .map(b => [b.parentElement.dataset.node, b.getBoundingClientRect()])
                     .filter(([, r]) => r.bottom > s.top && r.top < s.bottom)
                     .filter(([, r]) => (r.left < s.left && r.right > s.left) || (r.left < s.right && r.right > s.right))
                     .map(([n]) => n); }"""
    )


@pytest.mark.skipif(not SHARED_GRAPHS, reason="the third-party graphs are not beside the repository")
def test_a_gan_without_a_flag_opens_whole_with_no_box_cut_by_a_side(page, start_server, tmp_path):
    # Two GANs written by their authors' code: both a little wider than the screen at the readable zoom, where
    # their first views used to cut boxes (the machinery's areas, the image pre-processing) in two.
    for name in ("pix2pix-illustris", "portfolio-gan"):
        os.makedirs(tmp_path / name)
        for f in os.listdir(os.path.join(SHARED_GRAPHS, name)):
            if ".tfevents." in f:
                shutil.copy(os.path.join(SHARED_GRAPHS, name, f), tmp_path / name / f)
    server = start_server(tmp_path, wait_for_graphs=2)
    page.set_viewport_size({"width": 1400, "height": 900})
    for run in ("pix2pix-illustris", "portfolio-gan"):
        open_plugin(page, server.url, run=run)
        first = json.loads(page.get_attribute(APP, "data-first-view"))
        assert first["flag"] is None
        assert 0.8 <= first["frame"]["k"] < 0.97, (run, first)
        assert boxes_cut_by_the_sides(page) == [], run
        # Every area is on screen whole.
        areas = page.eval_on_selector_all("[data-node^='\u2237']", "es => es.map(e => e.dataset.node)")
        assert areas and all(on_screen(page, sel(a)) for a in areas), (run, areas)
        # Every edge label reads alone: none on another or beside it as if one text (pix2pix's discriminator
        # weights, read by its two calls, put "6 edges 22 edges 4×4×256×512 +27" in one line), none struck out
        # by an edge drawn over it.
        assert page.locator(".edge-count").count() > 3 and page.locator(".edge-shape").count() > 10, run
        assert crowded_edge_labels(page, gap=4) == [], run
        assert labels_below_an_edge(page) == [], run
        shot(page, f"first_view_whole_{run}")


def test_the_summary_is_asked_for_once_the_graphs_answer_is_in(page, tensorboard_url):
    # Asked with the graph, the server computed the summary beside the first answer and slowed it (a third of
    # the first answer's time at 200k nodes went to waiting for the summary's thread).
    seen = []
    page.on("request", lambda r: seen.append(("asked", r.url.split("?")[0].rpartition("/")[2])))
    page.on("requestfinished", lambda r: seen.append(("answered", r.url.split("?")[0].rpartition("/")[2])))
    open_plugin(page, tensorboard_url)
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    assert ("asked", "summary") in seen and ("answered", "graph") in seen, seen
    assert seen.index(("answered", "graph")) < seen.index(("asked", "summary")), seen
    # Another graph: its summary too waits for its answer, and the old summary is not shown meanwhile.
    seen.clear()
    other = [o for o in page.eval_on_selector_all("[data-testid=run-select] option", "os => os.map(o => o.value)")]
    run = next(r for r in other if r != page.input_value("[data-testid=run-select]"))
    pick(page, "run", run)
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    assert seen.index(("answered", "graph")) < seen.index(("asked", "summary")), seen


@pytest.mark.parametrize("width", [1400, 1000])
def test_the_stage_keeps_its_size_when_the_models_totals_arrive(page, tensorboard_url, width):
    # The totals come after the first view. They once pushed the status line onto a second row, and the stage
    # and its minimap moved up 15 px under the user's pointer.
    page.set_viewport_size({"width": width, "height": 800})
    held = []
    page.route(re.compile(r".*/summary\?.*"), lambda route: held.append(route))
    open_plugin(page, tensorboard_url)
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the summary was never asked for"
    rects = "() => ['.pv-stage', '[data-testid=status]', '.pv-minimap'].map(s => { const r = document.querySelector(s)?.getBoundingClientRect(); return r ? [r.x, r.y, r.width, r.height] : null; })"
    before = page.evaluate(rects)
    assert page.text_content("[data-testid=params-total]") == ""
    held[0].continue_()
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    page.wait_for_timeout(100)
    assert page.evaluate(rects) == before
    # The totals are readable (cut at their end in a narrow window, whole on hover), and the flag's line too.
    totals = page.locator("[data-testid=params-total]")
    assert totals.bounding_box()["width"] > 100
    assert totals.get_attribute("title").startswith("1,")
    assert page.locator("[data-testid=flag-status]").is_visible()
    shot(page, f"status_bar_with_totals_{width}")


def test_a_tf_keras_fit_graph_opens_on_its_models_layers(page, start_server, tf_written):
    """tf_keras's ``fit`` run graph holds the model in one box among the loss's and the metrics' loose ops: the first
    view showed that box closed, framed on the iterator among the metrics. It opens the box and frames its layers
    from the top, readable."""
    server = start_server(os.path.join(tf_written("masked_text_tf_keras"), "logs"))
    open_plugin(page, server.url)
    page.wait_for_selector(sel("masked") + '[data-expanded="true"]')
    first = json.loads(page.get_attribute(APP, "data-first-view"))
    assert first["flag"] is None and first["model"] == "masked", first
    for layer in ("masked/embed", "masked/bilstm", "masked/conv"):
        assert on_screen(page, sel(layer)), layer
    assert min(label_sizes_on_screen(page)) >= 9.2
    shot(page, "first_view_tf_keras_fit_model")
    assert not page.errors
