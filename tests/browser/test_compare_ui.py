"""The compare view in a real browser against a real TensorBoard over runs written by real tf_keras: opened from
the toolbar and from a link, a note written on a layer in one run shown on the matched layer of the other, and
the SVG export carrying the legend."""

from __future__ import annotations

import base64
import json
import os
import sys
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from test_share import add_note, save  # noqa: E402

from conftest import open_plugin, shot  # noqa: E402


@pytest.fixture(scope="module")
def diff_server(tf_written, tmp_path_factory):
    from tbserver import start_tensorboard

    server = start_tensorboard(os.path.join(tf_written("diff_pairs"), "logs"), load_fast="false", wait_for_graphs=9)
    yield server
    server.stop()


def rows(frame):
    return frame.evaluate(
        """() => [...document.querySelectorAll('.pv-compare-row')].map(g =>
             [g.dataset.compareStatus, g.dataset.layerA, g.dataset.layerB, Number(g.dataset.notes),
              [...g.querySelectorAll('text')].map(t => t.textContent).join(' | ')])"""
    )


def test_compare_from_the_toolbar_then_from_its_link_with_a_note_that_follows_the_layer(page, diff_server, browser):
    url = diff_server.url
    open_plugin(page, url, "base")
    # A note on conv2d_1 of run base: after the inserted layer that layer is conv2d_2 in run inserted.
    add_note(page, "conv2d_1", "kept at 16 filters on purpose")

    page.click('[data-action="compare"]')
    page.select_option("[data-testid=compare-select]", label="inserted · op graph")
    page.click('[data-action="compare-go"]')
    page.wait_for_selector('[data-testid=compare][data-compare-ready="true"]')
    assert page.text_content("[data-testid=compare-sentence]") == "1 layer added: +conv2d_1 (Conv2D)."
    assert page.text_content("[data-testid=compare-sentence] code") == "conv2d_1"
    drawn = rows(page)
    assert [r[0] for r in drawn] == ["same"] * 3 + ["added"] + ["same"] * 6
    added = drawn[3]
    assert added[1:3] == ["", "conv2d_1"] and "added (only in B)" in added[4] and "?×14×14×8" in added[4]
    moved = next(r for r in drawn if r[1] == "conv2d_1")
    assert moved[2] == "conv2d_2" and moved[3] == 1
    assert "conv2d_1 → conv2d_2" in moved[4]
    assert "✎ note from A (base): kept at 16 filters on purpose" in moved[4]
    machinery = page.locator("[data-compare-area]").all_text_contents()
    assert "gradient: 208 → 215 ops" in machinery
    shot(page, "compare_toolbar_inserted")

    # The SVG export holds the legend: which run is which, and the colours.
    with page.expect_download() as dl:
        page.click('[data-action="compare-export"]')
    svg = ET.fromstring(save(dl.value, "compare_export.svg"))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "A: base · op graph" in texts and "B: inserted · op graph" in texts
    assert {"same", "changed", "added (only in B)", "removed (only in A)"} <= set(texts)

    # Its link reopens the comparison in a fresh browser (no note stored there: none is drawn).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click('[data-action="compare-link"]')
    link = page.get_attribute("#phaseview-app", "data-last-compare-link")
    assert "#phaseview&pvc=" in link
    other = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        fresh = other.new_page()
        errors = []
        fresh.on("pageerror", lambda e: errors.append(str(e)))
        fresh.goto(link)
        fresh.wait_for_selector('[data-testid=compare][data-compare-ready="true"]', timeout=60_000)
        assert fresh.text_content("[data-testid=compare-sentence]") == "1 layer added: +conv2d_1 (Conv2D)."
        assert [r[:4] for r in rows(fresh)] == [[s, a, b, 0] for s, a, b, _, _ in drawn]
        shot(fresh, "compare_from_link")
        assert errors == []
    finally:
        other.close()
    assert page.errors == []


def test_compare_link_written_by_hand_opens_training_against_frozen(page, diff_server):
    """A link in the documented format (docs/test_hooks.md) opens the comparison at once; the frozen graph's
    lost machinery is said beside the drawing."""
    refs = [["base", "run_graph", None], ["frozen", "run_graph", None]]
    token = base64.urlsafe_b64encode(json.dumps(refs).encode()).decode().rstrip("=")
    page.goto(diff_server.url + "data/plugin_entry.html?name=phaseview#phaseview&pvc=" + token)
    page.wait_for_selector('[data-testid=compare][data-compare-ready="true"]', timeout=60_000)
    assert page.text_content("[data-testid=compare-sentence]") == "1 layer changed: batch_normalization ops −Mul −Sub."
    drawn = rows(page)
    changed = [r for r in drawn if r[0] == "changed"]
    assert [r[1:3] for r in changed] == [["batch_normalization", "batch_normalization"]]
    assert "ops −Mul −Sub" in changed[0][4]
    # Layers the same in both are described by the training graph's facts (the frozen one declares no shapes).
    assert "Flatten · ?×400" in next(r[4] for r in drawn if r[1] == "flatten")
    lost = page.locator("[data-compare-lost]").all_text_contents()
    assert lost == [
        "1 BatchNorm layer no longer updates its moving mean and variance: batch_normalization",
        "machinery gone: init (102 ops), gradient (208 ops), optimizer (25 ops)",
        "variables frozen into constants",
    ]
    shot(page, "compare_frozen_link")
    assert page.errors == []

    # A link that is not one says so.
    page.goto(diff_server.url + "data/plugin_entry.html?name=phaseview#phaseview&pvc=notatoken")
    page.reload()  # a new hash alone does not load the page again
    page.wait_for_selector('[data-testid=compare][data-compare-ready="error"]', timeout=60_000)
    assert "could not be read" in page.text_content("[data-testid=compare]")


def test_compare_link_asks_the_server_for_the_comparison_alone_until_it_is_drawn(page, diff_server):
    """Opened from a compare link, the page's first request to the plugin is the comparison, and its run list,
    graph and summary (the view beneath) are asked for only once the comparison is drawn: the server reads the
    two graphs for the comparison without also ranking the runs and preparing a first view."""
    page.add_init_script(
        """new MutationObserver(() => {
             if (!window.__compareDrawnAt && document.querySelector('[data-compare-ready="true"]'))
               window.__compareDrawnAt = performance.now();
           }).observe(document, {subtree: true, attributes: true, childList: true});"""
    )
    refs = [["base", "run_graph", None], ["inserted", "run_graph", None]]
    token = base64.urlsafe_b64encode(json.dumps(refs).encode()).decode().rstrip("=")
    page.goto(diff_server.url + "data/plugin_entry.html?name=phaseview#phaseview&pvc=" + token)
    page.wait_for_selector('[data-testid=compare][data-compare-ready="true"]', timeout=60_000)
    assert page.text_content("[data-testid=compare-sentence]") == "1 layer added: +conv2d_1 (Conv2D)."
    # The view beneath still loads, after the comparison, and the comparison stays over it.
    page.wait_for_selector('#phaseview-app[data-ready="true"]', timeout=60_000)
    assert page.get_attribute("[data-testid=compare]", "data-compare-ready") == "true"
    drawn_at, asked = page.evaluate(
        """() => [window.__compareDrawnAt, performance.getEntriesByType('resource')
             .filter(r => r.name.includes('/data/plugin/phaseview/') && r.name.includes('?'))
             .map(r => [r.name.split('/data/plugin/phaseview/')[1].split('?')[0], r.startTime])]"""
    )
    before = [route for route, start in asked if start < drawn_at]
    after = {route for route, start in asked if start >= drawn_at}
    assert before == ["compare"]
    assert {"runs", "graph"} <= after
    page.click('[data-action="compare-close"]')
    assert page.locator("[data-testid=compare]").is_hidden()
    assert page.errors == []


def test_compare_takes_the_moves_kept_for_each_graph_and_its_link_carries_them(page, diff_server, browser):
    """Moves to the model are kept per graph in the browser: the graph picked to compare with is compared as its
    own view draws it (the user moved its optimizer's scope to the model on an earlier visit), the legend says so,
    and the comparison's link carries the moves to a browser that has none kept."""
    open_plugin(page, diff_server.url, "base")
    page.evaluate(
        """() => localStorage.setItem('tb-phaseview-moves/v1/' + JSON.stringify(['base_again', 'run_graph', '']),
                                      JSON.stringify(['training/']))"""
    )
    page.click('[data-action="compare"]')
    page.select_option("[data-testid=compare-select]", label="base_again · op graph")
    page.click('[data-action="compare-go"]')
    page.wait_for_selector('[data-testid=compare][data-compare-ready="true"]')
    # The same model written twice: only what the user moved differs, the training scope (its gradients, model
    # ops in B, read batch_normalization's statistics; a layer's output is still what the layers read): the
    # layers match, and the machinery says what moved.
    sentence = page.text_content("[data-testid=compare-sentence]")
    assert sentence.startswith("Same architecture: all "), sentence
    drawn = rows(page)
    assert drawn and all(r[0] == "same" for r in drawn), drawn
    legend = page.locator("[data-testid=compare] svg text").all_text_contents()
    assert "A: base · op graph" in legend
    assert "B: base_again · op graph · moved to the model by the user: training/" in legend
    machinery = page.locator("[data-compare-area]").all_text_contents()
    assert any(m.startswith("gradient: 208 → 0 ops") for m in machinery), machinery
    lost = page.locator("[data-compare-lost]").all_text_contents()
    assert lost == ["machinery moved to the model by the user in B: gradient (208 ops)"]
    shot(page, "compare_with_moves")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click('[data-action="compare-link"]')
    link = page.get_attribute("#phaseview-app", "data-last-compare-link")
    token = link.split("pvc=")[1]
    refs = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert refs == [["base", "run_graph", None], ["base_again", "run_graph", None, ["training/"]]]
    other = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        fresh = other.new_page()
        fresh.goto(link)
        fresh.wait_for_selector('[data-testid=compare][data-compare-ready="true"]', timeout=60_000)
        assert fresh.text_content("[data-testid=compare-sentence]") == sentence
        assert [r[:3] for r in rows(fresh)] == [r[:3] for r in drawn]
    finally:
        other.close()
    assert page.errors == []
