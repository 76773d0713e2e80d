"""Every view works on a 2,000,000-node graph (issue 25), in a real TensorBoard and Chromium: the benchmark's
Keras-shaped graph (720 copies of the demo's tf_keras ResNet after a training step: 17,280 BatchNorm layers read
one flag) drawn first, then the phase filter and the legend, search, a group opened, the inspector, why-connected,
Run as, the summary table, the exports and the comparison with a graph five times smaller, each as a user reaches
it. Not timed (``make bench`` times the first view and the toggles at this size): each step must finish and show
what it shows on a small graph, with no error on the page."""

from __future__ import annotations

import os
import re
import sys
import xml.etree.ElementTree as ET

from test_kinds_ui import legend
from test_share import png_size, save

from conftest import REPO, SUMMARY_FITS, SUMMARY_WIDTHS, boxes, click_box, edges, open_plugin, sel, shot

sys.path.insert(0, os.path.join(REPO, "benchmarks"))

NODES = 2_000_000
SMALL = "small"  # a 200,000-node graph of the same blocks, to compare with
FLAG = "keras_learning_phase"
# A layer of the last copies, deep in the graph's order: search reaches it inside its bucket of the top level.
LAYER = "bn3d_branch2a_r700"


def run_as(page, phase: str, timeout: int) -> None:
    """Clicks a Run as button (``false``: inference, ``both``) and waits until the view is marked."""
    page.click(f'[data-phase-run="{phase}"]')
    page.wait_for_function(
        f"() => document.querySelector('#phaseview-app').dataset.runAs === '{phase}'", timeout=timeout, polling=250
    )


def every_view(page, url, nodes: int, layer: str = LAYER) -> None:
    open_plugin(page, url, "keras", timeout=600_000)
    status = page.text_content("[data-testid=status]")
    count = re.search(r"([\d,]+) nodes", status).group(1)
    assert int(count.replace(",", "")) > nodes * 0.99, status
    # The top level holds tens of thousands of layers: drawn as buckets of them, beside the flag and the areas.
    top = page.evaluate("() => [...document.querySelectorAll('.root-group > g[data-node]')].map(g => g.dataset.node)")
    buckets = [name for name in top if name.startswith("\u2026")]
    assert len(buckets) >= 20 and FLAG in top and "\u2237gradient" in top, top[:10]
    # Every count reads with its thousands separated: the answer line, the flag's box, the status bar.
    layers = r"\d{1,3}(?:,\d{3})+"
    answer = page.text_content("[data-testid=phaseview]")
    assert re.search(rf"The learning-phase flag keras_learning_phase ties {layers} BatchNorm layers together", answer)
    assert re.fullmatch(rf".*read by {layers} layers", page.text_content(sel(FLAG))), page.text_content(sel(FLAG))
    assert re.search(rf"keras_learning_phase · read by {layers} layers", page.text_content("[data-testid=flag-status]"))
    # The first screen shows whole buckets, four a row, with the machinery's areas beside them: no box is cut
    # by a side of the stage (a grid square by count, eight buckets a row here, was twice as wide as the screen).
    seen = page.evaluate(
        """() => {
          const stage = document.querySelector('.pv-stage').getBoundingClientRect();
          return [...document.querySelectorAll('.root-group > g[data-node]')].map((g) => {
            const r = g.getBoundingClientRect();
            const across = r.right > stage.left && r.left < stage.right && r.bottom > stage.top && r.top < stage.bottom;
            const cut = across && (r.left < stage.left - 1 || r.right > stage.right + 1);
            const whole = r.left >= stage.left && r.right <= stage.right && r.top >= stage.top && r.bottom <= stage.bottom;
            return { node: g.dataset.node, cut, whole };
          });
        }"""
    )
    assert not [b["node"] for b in seen if b["cut"]], [b["node"] for b in seen if b["cut"]]
    assert {b["node"] for b in seen if b["whole"]} >= {FLAG, "\u2237gradient", "\u2237optimizer", "\u2237init"}, seen
    shot(page, "two_million_first_view")

    # A search and a bucket opened at once wait for the server to index every group: the search box says it is
    # searching and the status bar which bucket opens, by its label, each counting the seconds.
    page.fill("[data-testid=search]", f"{layer}/moving_mean/Read/ReadVariableOp")
    bucket = buckets[1]
    page.locator(f"{sel(bucket)} .chevron").first.click()
    page.wait_for_function(
        """() => /opening .* \\d+ s$/.test(document.querySelector('[data-testid=status]').textContent)
              && /^Searching\u2026 \\d+ s$/.test(document.querySelector('[data-searching]')?.textContent)""",
        timeout=120_000,
        polling=200,
    )
    said = page.text_content("[data-testid=status]")
    assert re.search(r"opening \[1,001\u20132,000 of [\d,]+\] .*\u2026 \d+ s", said), said
    page.locator(f'{sel(bucket)}[data-expanded="true"]').first.wait_for(timeout=300_000)
    assert "opening" not in page.text_content("[data-testid=status]")
    page.locator("[data-testid=search-results] button[data-result]").first.wait_for(timeout=120_000)
    assert page.locator("[data-searching]").count() == 0, "the results replace the wait"
    page.fill("[data-testid=search]", "")
    page.locator(f"{sel(bucket)} .chevron").first.click()
    page.locator(f'{sel(bucket)}[data-expanded="false"]').first.wait_for(timeout=60_000)

    # The parameters' total comes with the layer summary, asked for once the first view is drawn.
    page.wait_for_function(
        "() => document.querySelector('[data-testid=params-total]')?.textContent", timeout=300_000, polling=500
    )
    params = page.text_content("[data-testid=params-total]")
    assert re.match(r"\d{1,3}(?:,\d{3})+\.\d M params", params), params  # past a thousand millions
    before = boxes(page)

    # The phase filter: one edge from the flag to each bucket holding a reader, and none when collapsed.
    for mode in ("show", "highlight"):
        page.click(f'[data-phase-mode="{mode}"]')
        drawn = edges(page, "phase")
        assert drawn and {e["from"] for e in drawn} == {FLAG}, mode
        assert {e["to"] for e in drawn} <= set(buckets) | {"\u2237gradient"}, mode
    page.click('[data-phase-mode="collapse"]')
    assert edges(page, "phase") == []
    # The legend: a kind drawn, dimmed and hidden; the gradients' edges drawn on request. Nothing moves.
    page.click('[data-kind-filter="data"]')
    assert legend(page)["data"][0] == "dimmed"
    page.click('[data-kind-filter="data"]')
    assert legend(page)["data"][0] == "hidden" and edges(page, "data") == []
    page.click('[data-kind-filter="data"]')
    page.click('[data-kind-filter="gradient"]')
    assert legend(page)["gradient"][0] == "drawn" and edges(page, "gradient")
    assert boxes(page) == before, "switching filters never moves a box"
    page.click('[data-kind-filter="gradient"]')  # back to drawn -> dimmed -> hidden
    page.click('[data-kind-filter="gradient"]')

    # The first answer gave each reader of the flag a path down to its top-level group only (past 300,000 nodes):
    # opening the gradients' area, whose readers sit deep in it, draws the flag's edges to the boxes inside it
    # holding them (its group answer gives their paths), not to the area's frame.
    page.click('[data-phase-mode="show"]')
    area = "\u2237gradient"
    page.locator(f'[data-node="{area}"][data-group="true"] .chevron').first.click()
    page.wait_for_selector(f'[data-node="{area}"][data-expanded="true"]', timeout=120_000)
    page.wait_for_function(
        f"() => document.querySelector('[data-edge-kind=phase][data-to^=\"{area}/\"]')", timeout=60_000
    )
    into = {e["to"] for e in edges(page, "phase") if e["to"].startswith(area)}
    assert into and area not in into, into
    page.locator(f'[data-node="{area}"][data-group="true"] .chevron').first.click()
    page.wait_for_selector(f'[data-node="{area}"][data-expanded="false"]', timeout=60_000)
    page.click('[data-phase-mode="collapse"]')

    # Search: an op deep in the graph, found and revealed inside its bucket and its layer.
    page.fill("[data-testid=search]", f"{layer}/moving_mean/Read/ReadVariableOp")
    results = page.locator("[data-testid=search-results] button[data-result]")
    results.first.wait_for(timeout=120_000)
    found = results.first.get_attribute("data-result")
    assert found.startswith(layer + "/"), found
    results.first.click()
    page.locator(f"{sel(found)}.selected").first.wait_for(timeout=120_000)
    assert page.locator(f'{sel(layer)}[data-expanded="true"]').count() == 1, "its layer was opened"
    page.wait_for_function(
        "n => document.querySelector('[data-testid=inspector] h2')?.textContent === n", arg=found, timeout=60_000
    )
    shot(page, "two_million_search")

    # Why-connected: the flag and that layer, the seed question.
    click_box(page, FLAG)
    page.wait_for_selector("[data-testid=inspector] [data-testid=group-header]", timeout=60_000)
    click_box(page, layer, shift=True)
    page.wait_for_selector('[data-testid=why] section[data-why-kind="phase"]', timeout=120_000)
    assert page.inner_text("[data-why-parts]").startswith(f"{FLAG} \u2194 {layer} \u00b7 ")
    shot(page, "two_million_why")

    # Run as inference: the status bar counts what does not run (here all inside the BatchNorm layers' If
    # branches, ghosted when an If's functions are opened).
    run_as(page, "false", timeout=300_000)
    said = page.text_content("[data-testid=run-as-status]")
    assert re.match(r"[\d,]+ ops don't run in inference \([\d,]+ of them inside If branches", said), said
    shot(page, "two_million_run_as_inference")
    run_as(page, "both", timeout=300_000)

    # The summary table: one row per layer, the layer found above among them.
    page.click('button[data-action="summary"]')
    page.wait_for_selector(f'[data-testid=summary] tr[data-layer="{layer}"]', timeout=120_000)
    rows = page.locator("[data-testid=summary] tr[data-layer]").count()
    assert rows > 1000, rows
    # The counts in sight beside the why-connected panel: the names of the copies (res2a_branch2a_relu_r0) break
    # at their underscores (the parameters' column was cut at the panel's edge).
    assert page.evaluate(SUMMARY_FITS), page.evaluate(SUMMARY_WIDTHS)
    shot(page, "two_million_summary")

    # The exports, the summary still open: the view as SVG and as PNG, with the table's first rows under the legend
    # (a row per layer would make a picture a million pixels high: Copy and CSV give every row).
    with page.expect_download(timeout=120_000) as download:
        page.click('[data-action="export-svg"]')
    svg = ET.fromstring(save(download.value, "two_million_view.svg"))
    texts = "\n".join("".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "keras \u00b7 op graph" in texts and layer in texts
    table_rows = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("data-layer")]
    assert len(table_rows) == 500
    assert re.search(rf"Summary · {layers} layers in data-flow order", texts)
    assert re.search(rf"… and {layers} more layers \(Copy or CSV in the summary panel gives every one\)", texts)
    with page.expect_download(timeout=120_000) as download:
        page.click('[data-action="export-png"]')
    width, height = png_size(save(download.value, "two_million_view.png"))
    assert width > 0 and height > 0

    # Compare with a graph of the same blocks five times smaller: the architecture diff at this size.
    page.click('[data-action="compare"]')
    page.select_option("[data-testid=compare-select]", label=f"{SMALL} \u00b7 op graph")
    page.click('[data-action="compare-go"]')
    page.wait_for_selector('[data-testid=compare][data-compare-ready="true"]', timeout=300_000)
    # Every layer of the smaller graph pairs with one of the larger (the layers in buckets owning no variable, an
    # input layer, a padding, count too): the larger's extra copies are all that differ.
    said = page.text_content("[data-testid=compare-sentence]")
    assert re.match(rf"{layers} layers removed: .*; {layers} more\.$", said), said
    shot(page, "two_million_compare")
    assert page.errors == []


def test_every_view_works_on_two_million_nodes(page, start_server, tmp_path):
    from make_graphs import cached_blob, write_blob

    write_blob(str(tmp_path), "keras", cached_blob(NODES, "wide"))
    write_blob(str(tmp_path), SMALL, cached_blob(200_000, "wide"))
    server = start_server(tmp_path, load_fast="true", wait_for_graphs=2, timeout=600)
    every_view(page, server.url, NODES)
