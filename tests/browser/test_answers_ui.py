"""The answers the tab gives, as a new user checks them: every count of layers reading a flag agrees with the
CLI on every graph (the demos and graphs written by real TF1 code: two flags, one reader, keep_prob, an unused
is_training), why connected? gives the CLI's answer for any two boxes, and the inspector and search speak of
the graph in its own names."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from conftest import SEED_FLAG, SEED_RUN, click_box, open_plugin, pick, sel, shot
from demo import DEMO_LOGS, cli_report_json
from third_party_graphs import SHARED_GRAPHS

THIRD_PARTY = ("styx-keras",)
INIT = "\u2237init"  # the initialisers' area
EXTRA = (
    "two_flags",
    "one_reader_born_inside",
    "keep_prob_only",
    "unused_is_training",
    "variable_flag",
    "keras_set_weights",
)
# Runs of a folder of several: (the folder's graph name, its run): the demo CNN frozen to constants (a small frozen
# graph that keeps its flag).
EXTRA_RUNS = (("model_files", "frozen"),)


def open_graph(page, run):
    pick(page, "run", run)


@pytest.fixture
def mixed_logdir(tmp_path, tf_written):
    """The demo runs' run graphs and the TF1-written graphs, as runs of one logdir."""
    for run in sorted(os.listdir(DEMO_LOGS)):
        shutil.copytree(os.path.join(DEMO_LOGS, run), tmp_path / run)
    for name in EXTRA:
        shutil.copytree(os.path.join(tf_written(name), "logs", name), tmp_path / name)
    for name, run in EXTRA_RUNS:
        shutil.copytree(os.path.join(tf_written(name), "logs", run), tmp_path / run)
    # Third-party graphs with a flag, when the corpus is beside the repository (tf.keras' If-gated Dropout).
    for name in THIRD_PARTY:
        folder = os.path.join(SHARED_GRAPHS, name)
        if os.path.isdir(folder):
            os.makedirs(tmp_path / name)
            for f in os.listdir(folder):
                if ".tfevents." in f:
                    shutil.copy(os.path.join(folder, f), tmp_path / name / f)
    return tmp_path


def test_every_graph_gives_one_distinct_layer_count_everywhere_each_number_labelled(page, start_server, mixed_logdir):
    graphs = cli_report_json(str(mixed_logdir))["graphs"]
    # Each run's graph that picking the run opens: its run graph, or its only graph (a trace).
    report = {g["run"]: g for g in reversed(graphs) if g["kind"] in ("run_graph", "trace")}
    assert set(EXTRA) <= set(report) and len(report) == len(os.listdir(mixed_logdir))
    server = start_server(mixed_logdir, wait_for_graphs=len(graphs))
    open_plugin(page, server.url)
    for run, entry in sorted(report.items()):
        open_graph(page, run)
        distinct = entry["phase_layer_count"]
        assert distinct == len({layer["layer"] for layer in entry["phase_layers"]}), run
        line = page.locator("[data-answer-line]")
        assert line.get_attribute("data-layers") == str(distinct), run
        assert page.get_attribute("[data-testid=status]", "data-phase-layers") == str(distinct), run
        text = line.text_content()
        assert not re.search(r"\b1 layers\b|\b0 other\b|\(\)|ties 1 ", text), (run, text)
        # Every number says what it counts: the legend's are op-level edges, each drawn edge's count says
        # "edges", and every number of the status bar and the answer line is followed by its noun.
        assert page.locator("[data-testid=legend-label]").text_content() == "op-level edges:", run
        bare = page.evaluate(
            "() => [...document.querySelectorAll('.edge-count, .phase-knot text')].map(t => t.textContent)"
            ".filter(t => !/^[\\d,]+ (edges?|layers?)$/.test(t))"
        )
        assert bare == [], (run, bare)
        info = page.locator(".pv-status-info").text_content()
        for said in (info, text):
            unlabelled = re.findall(r"(?<![\w.\-×?])\d[\d,.]*(?![\d,.]*\s*(?:[kM]\s)?[A-Za-z(])", said)
            assert unlabelled == [], (run, said, unlabelled)
        if not entry["phase_sources"]:
            assert page.locator("[data-testid=flag-status]").count() == 0, run
            continue
        # The status bar says what its number counts, and names each flag with its readers when there are several.
        status = page.locator("[data-testid=flag-status]").text_content()
        noun = "layer" if distinct == 1 else "layers"
        assert f"read by {distinct} {noun}" in status, (run, status)
        for source in entry["phase_sources"]:
            readers = len(source["consumers"])
            if len(entry["phase_sources"]) > 1:
                assert f"{source['name']} ({readers} layer{'' if readers == 1 else 's'})" in status, (run, status)
            # The flag's box: how many layers read that flag (with one flag, the distinct count).
            box = page.locator(sel(source["name"])).first
            assert re.search(rf"read by {readers} layers?\b", box.text_content()), (run, box.text_content())
        # The first view answers the question: the flag and at least one layer marked φ are on screen.
        first = json.loads(page.get_attribute("#phaseview-app", "data-first-view"))
        assert first["flag"] and first["readers"] >= 1, (run, first)
        in_sight = page.evaluate(
            """f => { const s = document.querySelector('svg.canvas').getBoundingClientRect();
                 const seen = e => { const r = e.getBoundingClientRect();
                   return r.width > 0 && r.left >= s.left && r.right <= s.right && r.top >= s.top && r.bottom <= s.bottom; };
                 return [seen(document.querySelector(`[data-node="${f}"]`)),
                         [...document.querySelectorAll('.phase-badge')].some(seen)]; }""",
            first["flag"],
        )
        assert in_sight == [True, True], (run, in_sight)
        page.click('[data-phase-mode="highlight"]')
        knots = page.locator(".phase-knot")
        per_flag = sorted(len(s["consumers"]) for s in entry["phase_sources"])
        for i in range(knots.count()):
            count = int(knots.nth(i).get_attribute("data-layers"))
            assert count in per_flag, (run, count)
            assert re.search(rf"\b{count} layers?\b", knots.nth(i).text_content()), run
        if len(per_flag) == 1:
            assert all(int(knots.nth(i).get_attribute("data-layers")) == distinct for i in range(knots.count()))
        if run == "two_flags":
            shot(page, "answers-two-flags-highlight")
        page.click('[data-phase-mode="collapse"]')
    open_graph(page, "keep_prob_only")
    assert "switched by the keep_prob value fed at run time" in page.locator("[data-answer-line]").text_content()
    shot(page, "answers-keep-prob")
    open_graph(page, "one_reader_born_inside")
    shot(page, "answers-one-reader")
    assert not page.errors


def test_shift_click_of_two_boxes_gives_the_cli_answer_says_the_flag_is_apart_and_what_hides_it(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    click_box(page, "bnl_stg-1")
    page.wait_for_selector("[data-testid=inspector] [data-testid=group-header]")
    click_box(page, "bn2a_branch2a", shift=True)
    page.wait_for_selector("[data-testid=why] section[data-why-kind]")
    assert page.inner_text("[data-why-parts]") == "bnl_stg-1 \u2194 bn2a_branch2a \u00b7 6 op-level edges"
    phase = page.locator('[data-testid=why] section[data-why-kind="phase"]')
    assert phase.get_attribute("data-count") == "6"
    assert phase.locator("[data-hidden-by]").get_attribute("data-hidden-by") == "hidden"
    assert "phase filter is on Collapse" in phase.locator("[data-hidden-by]").text_content()
    apart = page.locator("[data-testid=why-apart]").first.text_content()
    assert f"the learning-phase flag {SEED_FLAG}" in apart and "old Keras created inside bnl_stg-1" in apart
    assert "not connected" not in page.locator("[data-testid=inspector]").text_content()
    shot(page, "answers-why-shift-click-collapse")

    page.click('[data-phase-mode="show"]')
    click_box(page, "bnl_stg-1")
    click_box(page, "bn2a_branch2a", shift=True)
    page.wait_for_selector('[data-testid=why] section[data-why-kind="phase"]')
    assert page.locator("[data-testid=why] [data-hidden-by]").count() == 0
    assert not page.errors


def test_a_group_inspector_counts_its_scope_and_its_box_and_lists_its_boundary_once(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.locator(sel("bnl_stg-1") + " > .body").dblclick()
    page.wait_for_selector('[data-boundary="inputs"] li[data-why-kind]')
    page.wait_for_timeout(500)  # both selections' answers are in
    assert page.locator('[data-boundary="inputs"]').count() == 1
    assert page.locator('[data-boundary="outputs"]').count() == 1
    assert page.locator("[data-testid=group-header]").text_content() == "name scope \u00b7 56 ops in this box"
    assert (
        page.locator("[data-testid=why-apart]")
        .text_content()
        .startswith(
            "bnl_stg-1 holds 70 ops as TensorFlow named them; its box holds 56. Drawn apart: the learning-phase flag"
        )
    )
    shot(page, "answers-group-inspector")
    assert not page.errors


def test_areas_are_named_by_their_titles_and_enter_in_search_gives_the_keys_back(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.fill("[data-testid=search]", "bn3a_branch2a")
    page.locator("[data-testid=search-results] button[data-result]").first.wait_for()
    listed = page.locator("[data-testid=search-results]").text_content()
    assert "\u2237" not in listed and "in the initialisers area" in listed
    page.press("[data-testid=search]", "Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=inspector] h2')?.textContent === 'bn3a_branch2a'"
    )
    page.keyboard.press("n")
    page.wait_for_selector("[data-testid=note-editor]")
    assert page.input_value("[data-testid=search]") == "bn3a_branch2a"
    page.click('[data-action="cancel-note"]')
    click_box(page, "\u2237gradient")
    page.wait_for_selector("[data-testid=inspector] [data-testid=group-header]")
    assert page.locator("[data-testid=inspector] h2").text_content() == "gradients area"
    assert page.locator("[data-testid=group-header]").text_content().startswith("machinery area \u00b7 ")
    assert not page.errors


def test_controls_with_nothing_to_do_are_disabled_and_look_it(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "tf2_fit_no_flag")
    for control in ('[data-phase-mode="highlight"]', '[data-phase-mode="show"]', '[data-phase-run="true"]'):
        button = page.locator(control)
        assert button.is_disabled(), control
        assert float(button.evaluate("b => getComputedStyle(b).opacity")) < 0.6, control
        assert "no learning-phase flag" in button.get_attribute("title")
    page.keyboard.press("h")  # the key does nothing either: Highlight would only dim the whole graph
    assert page.get_attribute('[data-phase-mode="collapse"]', "aria-pressed") == "true"
    shot(page, "answers-no-flag-controls")
    assert not page.errors


@pytest.mark.parametrize("name", ["\u2237gradient", SEED_FLAG])
def test_a_double_click_opens_the_area_or_the_flag_box_the_first_click_does_not_move_it(page, tensorboard_url, name):
    open_plugin(page, tensorboard_url, SEED_RUN)
    box = page.locator(sel(name) + " > .body")
    before = box.bounding_box()
    box.dblclick()
    page.wait_for_selector(sel(name) + '[data-expanded="true"]')
    page.wait_for_timeout(600)  # the selection's own move, if any, is done
    title = page.locator(sel(name)).first.bounding_box()
    inspector = page.locator("[data-testid=inspector]").bounding_box()
    assert title["x"] + 40 <= inspector["x"], "the opened box is not hidden behind the inspector"
    assert before is not None
    assert not page.errors


def test_at_1000_by_700_the_toolbar_and_status_bar_keep_every_label_in_sight(browser, tensorboard_url):
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    try:
        open_plugin(page, tensorboard_url, SEED_RUN)
        for selector in ('[data-phase-run="false"]', "[data-testid=flag-status]", '[data-phase-mode="show"]'):
            rect = page.locator(selector).bounding_box()
            assert rect and rect["x"] >= 0 and rect["x"] + rect["width"] <= 1000, selector
            assert rect["y"] + rect["height"] <= 700, selector
        run_as = page.get_by_text("Run as", exact=True)
        assert run_as.is_visible() and run_as.bounding_box()["x"] + run_as.bounding_box()["width"] <= 1000
        shot(page, "answers-1000x700")
    finally:
        context.close()


def test_the_export_legend_says_every_kind_it_hides(page, tensorboard_url):
    """The hyperparameters' edges are hidden by default and none is in the drawing: the legend still says so."""
    import xml.etree.ElementTree as ET

    open_plugin(page, tensorboard_url, SEED_RUN)
    assert page.get_attribute('[data-kind-filter="hyperparameter"]', "data-state") == "hidden"
    with page.expect_download() as download:
        page.keyboard.press("Shift+E")
    root = ET.fromstring(open(download.value.path(), encoding="utf-8").read())
    texts = "\n".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    hidden = next(line for line in texts.splitlines() if line.startswith("hidden: "))
    for kind in ("gradient", "hyperparameter", "init", "optimizer"):
        assert kind in hidden, hidden
    assert f"phase edges: collapsed (24 layers read {SEED_FLAG}" in texts


def run_as(page, key):
    page.keyboard.press(key)
    want = {"t": "true", "i": "false", "b": "both"}[key]
    page.wait_for_function(f"() => document.querySelector('#phaseview-app').dataset.runAs === '{want}'")


def test_run_as_shows_what_differs_at_the_first_view(page, tensorboard_url):
    """Closed groups: a BatchNorm layer's box shows the share of its ops that do not run and what it uses; a Dropout
    at inference is drawn as a pass-through; ops that run for nothing are outlined once their group is open."""
    open_plugin(page, tensorboard_url, "dropout_cnn")
    run_as(page, "t")
    marked = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-not-run]')]"
        ".map(e => [e.dataset.node, Number(e.dataset.notRun)]))"
    )
    assert marked.get("bn1", 0) > 0 and marked.get("bn2", 0) > 0, marked
    assert page.locator(sel("bn1") + " .not-run-share title").text_content().endswith("ops don't run in this phase")
    shot(page, "answers-run-as-training")
    run_as(page, "i")
    passes = page.evaluate(
        "() => [...document.querySelectorAll('[data-passes-through=true]')].map(e => e.dataset.node).sort()"
    )
    assert passes == ["drop1", "drop2", "drop3"], passes
    assert float(page.locator(sel("drop1") + " > .body").evaluate("b => getComputedStyle(b).opacity")) < 0.6
    # Each pass-through's edge is drawn past it, from its input to its consumer, beside its box; the edges through
    # the box are faded.
    bypasses = page.evaluate(
        "() => [...document.querySelectorAll('path.bypass')]"
        ".map(p => [p.dataset.bypass, p.dataset.bypassFrom, p.dataset.bypassTo]).sort()"
    )
    assert bypasses == [["drop1", "relu1", "conv2"], ["drop2", "pool2", "flatten"], ["drop3", "fc1", "fc_out"]]
    past = page.locator('path.bypass[data-bypass="drop1"]').bounding_box()
    drop1 = page.locator(sel("drop1") + " > .body > rect.box").bounding_box()
    assert past["x"] + past["width"] > drop1["x"] + drop1["width"] + 8
    through = page.locator('path.edge.through[data-to="drop1"], path.edge.through[data-from="drop1"]')
    assert through.count() == 2
    assert float(through.first.evaluate("p => getComputedStyle(p).opacity")) < 0.5
    status = page.locator("[data-testid=run-as-status]").text_content()
    assert "136 ops don't run in inference" in status and "run though only training uses their result" in status
    shot(page, "answers-run-as-inference")
    run_as(page, "b")
    assert page.locator("[data-not-run], [data-passes-through]").count() == 0
    assert page.locator("path.bypass, path.edge.through").count() == 0
    assert not page.errors


def test_a_click_3_px_beside_an_edge_opens_why_connected(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    edge = 'path.edge[data-edge-kind="data"][data-from="pad_stg-1"][data-to="cnl_stg-1"]'
    point = page.evaluate(
        """sel => { const p = document.querySelector(sel); const q = p.getPointAtLength(p.getTotalLength() / 2);
                    const m = p.getScreenCTM(); return {x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f}; }""",
        edge,
    )
    page.mouse.click(point["x"] + 3, point["y"])
    page.wait_for_selector("[data-why-parts]")
    assert page.inner_text("[data-why-parts]").startswith("pad_stg-1 \u2194 cnl_stg-1 \u00b7 ")
    assert not page.errors


@pytest.mark.parametrize("name", ["albert-finetune", "mnist-tf2-savedmodel"])
def test_the_first_view_stays_on_the_graph(page, start_server, tmp_path, name):
    """A BERT Estimator graph (inputs near the bottom) and a TF2 SavedModel (a small, wide top level): the first
    view shows as much of the graph as the screen holds, with no screen of blank past its end."""
    folder = os.path.join(SHARED_GRAPHS, name)
    if not os.path.isdir(folder):
        pytest.skip("the third-party graphs are not beside the repository")
    os.makedirs(tmp_path / name)
    for f in os.listdir(folder):
        if ".tfevents." in f:
            shutil.copy(os.path.join(folder, f), tmp_path / name / f)
    server = start_server(tmp_path)
    open_plugin(page, server.url)
    first = json.loads(page.get_attribute("#phaseview-app", "data-first-view"))
    frame, view = first["frame"], first["view"]
    graph = page.evaluate(
        "() => { const b = document.querySelector('.root-group').getBBox(); return [b.x, b.y, b.width, b.height]; }"
    )
    for centre, lo, size, screen in (
        (frame["cx"], graph[0], graph[2], view["w"]),
        (frame["cy"], graph[1], graph[3], view["h"]),
    ):
        half = screen / 2 / frame["k"]
        if size > 2 * half:
            assert lo - 40 <= centre - half and centre + half <= lo + size + 40, (centre, half, lo, size)
        else:
            assert abs(centre - (lo + size / 2)) < 40, (centre, lo, size)
    shot(page, f"answers-first-view-{name}")
    assert not page.errors


def test_numbered_series_are_one_box_each_that_opens_and_search_why_notes_and_links_reach_into(
    page, browser, start_server, tf_written
):
    """tf_keras' set_weights leaves 23 Placeholder_N, 23 AssignVariableOp_N and 23 ReadVariableOp_N: weights set
    from outside, they are the initialisers' (the model's top level holds the layers alone), and in that area each
    series is one box, as in the Graphs tab; it opens like a group, and search, why connected?, notes and links
    reach the ops inside it."""
    server = start_server(os.path.join(tf_written("keras_set_weights"), "logs"))
    open_plugin(page, server.url)
    assert page.locator("[data-series]").count() == 0  # none at the top level
    page.locator(sel(INIT) + " > .body").dblclick()
    page.wait_for_selector(sel(INIT) + '[data-expanded="true"]')
    series = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-series]')]"
        ".map(e => [e.dataset.node, e.dataset.series]))"
    )
    assert {k: v for k, v in series.items() if v != "VarIsInitializedOp"} == {
        INIT + "/Placeholder_[1-23]": "Placeholder",
        INIT + "/AssignVariableOp_[1-23]": "AssignVariableOp",
        INIT + "/ReadVariableOp_[1-23]": "ReadVariableOp",
    }
    assert page.locator(sel("Placeholder_7")).count() == 0
    click_box(page, INIT + "/Placeholder_[1-23]")
    header = page.locator("[data-testid=group-header]")
    header.wait_for()
    assert header.text_content() == "numbered series \u00b7 23 Placeholder ops, Placeholder_1 to Placeholder_23"
    # why connected? between two series: each Placeholder_N feeds AssignVariableOp_N
    click_box(page, INIT + "/AssignVariableOp_[1-23]", shift=True)
    page.wait_for_selector("[data-why-parts]")
    assert page.inner_text("[data-why-parts]") == (
        "Placeholder_[1-23] \u2194 AssignVariableOp_[1-23] \u00b7 23 op-level edges"
    )
    # search opens the series and selects the op inside it
    page.fill("[data-testid=search]", "Placeholder_7")
    page.locator("[data-testid=search-results] button[data-result]").first.wait_for()
    page.press("[data-testid=search]", "Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=inspector] h2')?.textContent === 'Placeholder_7'"
    )
    assert page.get_attribute(sel(INIT + "/Placeholder_[1-23]"), "data-expanded") == "true"
    shot(page, "answers-series-open")
    # a note on an op of the series: drawn on it, and on the series' box once it is closed
    page.keyboard.press("n")
    page.fill("[data-testid=note-text]", "a weight fed by set_weights")
    page.click('[data-action="save-note"]')
    note = page.locator('[data-note="Placeholder_7"]')
    note.wait_for()
    assert note.get_attribute("data-note-anchor") == "Placeholder_7"
    page.locator(sel(INIT + "/Placeholder_[1-23]") + " > .body .chevron").first.click()
    page.wait_for_selector(sel(INIT + "/Placeholder_[1-23]") + '[data-expanded="false"]')
    page.locator(sel(INIT + "/Placeholder_[1-23]") + " > .body .chevron").first.click()
    page.wait_for_selector(sel("Placeholder_7"))
    page.click('[data-action="copy-link"]')
    link = page.locator("[data-testid=share-link]").input_value()
    assert "#pv=" in link
    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        other = fresh.new_page()
        other.goto(link)
        other.wait_for_selector('#phaseview-app[data-link-restored="true"]', timeout=60_000)
        assert other.get_attribute(sel(INIT + "/Placeholder_[1-23]"), "data-expanded") == "true"
        assert other.locator("[data-testid=inspector] h2").text_content() == "Placeholder_7"
        assert other.get_attribute('[data-note="Placeholder_7"]', "data-note-anchor") == "Placeholder_7"
    finally:
        fresh.close()
    assert not page.errors


def test_the_phi_badge_reads_at_the_first_view_and_no_subtitle_is_cut_mid_count(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    badge = page.locator(".phase-badge").first
    box = badge.locator("rect").bounding_box()
    glyph = float(badge.locator("text").evaluate("t => parseFloat(getComputedStyle(t).fontSize)"))
    k = json.loads(page.get_attribute("#phaseview-app", "data-first-view"))["frame"]["k"]
    assert box["height"] >= 18 and glyph * k >= 13, (box, glyph, k)
    cut = page.evaluate(
        "() => [...document.querySelectorAll('.node:not(.open) > .body > text.sub')]"
        ".map(t => t.textContent).filter(t => t.endsWith('\u2026'))"
    )
    assert cut == []
    run_as(page, "i")
    subs = page.evaluate(
        "() => [...document.querySelectorAll('.node:not(.open) > .body > text.sub.does')].map(t => t.textContent)"
    )
    assert subs and all(not t.endswith("\u2026") for t in subs), subs
    shot(page, "answers-badge-and-subtitles")
    assert not page.errors


def test_every_count_in_the_status_bar_and_on_the_edges_says_what_it_counts(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    assert page.locator("[data-testid=legend-label]").text_content() == "op-level edges:"
    phase = page.locator('[data-kind-filter="phase"]')
    assert phase.text_content() == f"phase {int(phase.get_attribute('data-count')):,}"
    counts = page.evaluate("() => [...document.querySelectorAll('.edge-count')].map(t => t.textContent)")
    assert counts and all(re.fullmatch(r"[\d,]+ edges", t) for t in counts), counts
    for mode in ("show", "highlight"):
        page.click(f'[data-phase-mode="{mode}"]')
        lines = page.locator(".phase-edge").count()
        assert phase.get_attribute("data-drawn") == str(lines)
        assert phase.text_content() == f"phase 696, drawn as {lines} lines", phase.text_content()
    page.click('[data-phase-mode="collapse"]')
    assert phase.text_content() == "phase 696"
    assert not page.errors
