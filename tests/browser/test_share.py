"""Sharing in a real browser against a real TensorBoard: notes on the graph, PNG/SVG export, and links that
reopen the same view in a fresh browser context."""

from __future__ import annotations

import json
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from conftest import ARTIFACTS, SEED_FLAG, SEED_RUN, open_plugin, shot  # noqa: E402
from oddgraphs import HOSTILE, hostile_graph, write_run  # noqa: E402

LAYER = "bn2a_branch2a"
INNER = "bn2a_branch2a/cond"
MAX_SIDE = 16384
MAX_PIXELS = 64 * 1024 * 1024


def sel(name):
    return "[data-node=" + json.dumps(name) + "]"


def note_sel(name):
    return "[data-note=" + json.dumps(name) + "]"


def open_group(frame, name):
    frame.locator(f"{sel(name)} > .body .chevron").first.click()
    frame.locator(f'{sel(name)}[data-expanded="true"]').wait_for()


def close_group(frame, name):
    frame.locator(f"{sel(name)} > .body .chevron").first.click()
    frame.locator(f'{sel(name)}[data-expanded="false"]').wait_for()


def plugin_frame(page):
    return next(f for f in page.frames if "plugin_entry.html" in f.url)


def select(frame, name):
    frame.locator(f"{sel(name)} > .body > rect.box").first.dispatch_event("click")
    frame.wait_for_function("n => document.querySelector('[data-testid=inspector] h2')?.textContent === n", arg=name)


def note_text(frame, name):
    return " ".join(frame.locator(f"{note_sel(name)} .note-text tspan").all_text_contents())


def add_note(frame, name, text):
    select(frame, name)
    frame.click('[data-action="add-note"]')
    frame.fill("[data-testid=note-text]", text)
    frame.click('[data-action="save-note"]')
    frame.locator(note_sel(name)).wait_for()


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def save(download, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    download.save_as(path)
    with open(path, "rb") as f:
        return f.read()


def open_groups(frame):
    return set(
        frame.evaluate(
            "() => [...document.querySelectorAll('[data-group][data-expanded=\"true\"]')].map(e => e.dataset.node)"
        )
    )


def view_of(frame):
    return frame.evaluate(
        """() => ({
             open: [...document.querySelectorAll('[data-group][data-expanded="true"]')].map(e => e.dataset.node).sort(),
             mode: [...document.querySelectorAll('[data-phase-mode][aria-pressed="true"]')].map(e => e.dataset.phaseMode),
             selected: [...document.querySelectorAll('[data-node].selected')].map(e => e.dataset.node),
             notes: [...document.querySelectorAll('[data-note]')].map(e => [e.dataset.note, e.dataset.noteAnchor,
                                                                            e.querySelector('.note-text').textContent])
                     .sort(),
             world: document.querySelector('g.world').getAttribute('transform'),
           })"""
    )


def transform(text):
    """(x, y, k) of a d3-zoom transform attribute: 'translate(x,y) scale(k)'."""
    nums = [float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", text)]
    return nums[0], nums[1], nums[2]


def test_notes_follow_groups_and_survive_a_reload(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.click("[data-testid=fit]")  # the whole graph, so every note drawn below is on screen
    open_group(page, LAYER)
    add_note(page, INNER, "the BN cond: training vs inference")
    add_note(page, SEED_FLAG, "old Keras made the flag here")
    note = page.locator(note_sel(INNER))
    assert note.get_attribute("data-note-anchor") == INNER and note.get_attribute("data-note-hidden") == "false"

    # closing the layer hides the node: the note moves to the layer and says so
    close_group(page, LAYER)
    assert note.get_attribute("data-note-anchor") == LAYER
    hint = " ".join(page.locator(f"{note_sel(INNER)} .note-hint tspan").all_text_contents())
    assert hint == f"on {INNER}, inside this closed group"
    shot(page, "share_note_hidden_in_group")

    # edit, move (drag), delete
    page.locator(f"{note_sel(SEED_FLAG)} .note-box").click()
    page.fill("[data-testid=note-text]", "the learning-phase flag, born in bnl_stg-1")
    page.click('[data-action="save-note"]')
    assert note_text(page, SEED_FLAG) == "the learning-phase flag, born in bnl_stg-1"
    box = page.locator(f"{note_sel(INNER)} .note-box").bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 70, box["y"] + 50, steps=4)
    page.mouse.up()
    moved = page.locator(f"{note_sel(INNER)} .note-box").bounding_box()
    assert abs(moved["x"] - box["x"] - 60) < 3 and abs(moved["y"] - box["y"] - 40) < 3
    placed = page.locator(f"{note_sel(INNER)} .note-body").get_attribute("transform")  # graph coordinates
    page.locator(f"{note_sel(SEED_FLAG)} .note-box").click()
    page.click('[data-action="delete-note"]')
    assert page.locator(note_sel(SEED_FLAG)).count() == 0

    # a reload keeps the notes (localStorage, per run/kind/tag) and their offsets
    page.reload()
    page.wait_for_selector('#phaseview-app[data-ready="true"]')
    page.locator(note_sel(INNER)).wait_for()
    page.click("[data-testid=fit]")  # the same zoom as before the reload: callouts are magnified when zoomed out
    assert page.locator(note_sel(SEED_FLAG)).count() == 0
    assert page.locator(f"{note_sel(INNER)} .note-body").get_attribute("transform") == placed
    assert note_text(page, INNER) == "the BN cond: training vs inference"
    # the help overlay lists the new shortcuts
    assert "copy a link" in page.locator(".pv-help").text_content()
    assert not page.errors


def test_export_png_and_svg_with_title_legend_and_notes(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    add_note(page, LAYER, "first BN layer <b>not bold</b> & friends")
    # The model's totals come a moment after the first view and add a line to the legend: both pictures below
    # are taken with it (on a loaded machine it arrived between them, and the two heights differed by that line).
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")

    # PNG of the view: 2x the exported picture (stage width; title band + stage + legend high)
    with page.expect_download() as d:
        page.click('[data-action="export-png"]')
    png = save(d.value, "share_view.png")
    assert d.value.suggested_filename.endswith(".png")
    w, h = png_size(png)
    stage_w = page.evaluate("() => Math.round(document.querySelector('svg.canvas').getBoundingClientRect().width)")
    assert w == 2 * stage_w
    with page.expect_download() as d:
        page.keyboard.press("Shift+E")
    svg_text = save(d.value, "share_view.svg").decode("utf-8")
    root = ET.fromstring(svg_text)
    assert root.tag == "{http://www.w3.org/2000/svg}root".replace("root", "svg")
    assert (w, h) == (2 * int(float(root.get("width"))), 2 * int(float(root.get("height"))))
    texts = "\n".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert f"{SEED_RUN} · op graph" in texts
    assert f"phase edges: collapsed (24 layers read {SEED_FLAG}" in texts
    assert "data edges" in texts
    assert "first BN layer <b>not bold</b> & friends" in texts  # the note, as text
    assert "<b>" not in svg_text and "var(--" not in svg_text and "<style" not in svg_text and "class=" not in svg_text
    assert not any(el.tag.endswith(("foreignObject", "script", "image")) for el in root.iter())

    # the whole graph at this expansion, in the highlight mode
    page.click('[data-phase-mode="highlight"]')
    page.select_option("[data-testid=export-scope]", "graph")
    with page.expect_download() as d:
        page.click('[data-action="export-svg"]')
    whole = ET.fromstring(save(d.value, "share_graph.svg"))
    texts = "\n".join("".join(t.itertext()) for t in whole.iter("{http://www.w3.org/2000/svg}text"))
    assert "phase edges: highlighted, bundled (24 layers" in texts and "first BN layer" in texts
    with page.expect_download() as d:
        page.keyboard.press("e")
    gw, gh = png_size(save(d.value, "share_graph.png"))
    sw, sh = float(whole.get("width")), float(whole.get("height"))
    scale = min(2, MAX_SIDE / sw, MAX_SIDE / sh, (MAX_PIXELS / (sw * sh)) ** 0.5)
    assert (gw, gh) == (int(sw * scale + 1e-6), int(sh * scale + 1e-6))
    assert gw <= MAX_SIDE and gh <= MAX_SIDE and gw * gh <= MAX_PIXELS

    # copy PNG: allowed with clipboard permission, otherwise a clear message
    page.click('[data-action="copy-png"]')
    page.wait_for_function("() => /clipboard/.test(document.querySelector('[data-testid=share-message]').textContent)")
    assert not page.errors


def test_copied_link_reopens_the_view_in_a_fresh_browser(browser, tensorboard_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=tensorboard_url.rstrip("/"))
    page = ctx.new_page()
    page.goto(tensorboard_url + "#phaseview")
    page.frame_locator("iframe").locator('#phaseview-app[data-ready="true"]').wait_for(timeout=60_000)
    frame = plugin_frame(page)
    frame.locator("[data-testid=run-select]").select_option(SEED_RUN)
    frame.locator(f"{sel(SEED_FLAG)}").wait_for()
    open_group(frame, LAYER)
    open_group(frame, INNER)
    frame.locator('[data-phase-mode="show"]').click()
    add_note(frame, "bn2a_branch2a/cond/Merge", "picks the training or inference output")
    add_note(frame, "res2a_branch2a", "a conv layer: no phase edge")
    select(frame, INNER)
    frame.locator("svg.canvas").hover(position={"x": 8, "y": 8})  # a corner no edge crosses
    page.mouse.wheel(0, -200)
    page.keyboard.press("ArrowLeft")
    frame.locator('[data-action="copy-link"]').click()
    field = frame.locator("[data-testid=share-link]")
    field.wait_for()
    link = field.input_value()
    assert link.startswith(tensorboard_url + "#phaseview&pv=")
    # the field shows the link at once; the clipboard write is asynchronous and its message says when it is done
    frame.locator("[data-testid=share-message]", has_text="Link copied").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    before = view_of(frame)
    shot(page, "share_link_source")
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page2 = fresh.new_page()
        errors = []
        page2.on("pageerror", lambda e: errors.append(str(e)))
        page2.goto(link)
        page2.frame_locator("iframe").locator('#phaseview-app[data-link-restored="true"]').wait_for(timeout=60_000)
        after = view_of(plugin_frame(page2))
        assert INNER in after["open"] and LAYER in after["open"]
        assert after["open"] == before["open"]
        assert after["mode"] == ["show"] == before["mode"]
        assert after["selected"] == [INNER] == before["selected"]
        assert after["notes"] == before["notes"] and len(after["notes"]) == 2
        (x0, y0, k0), (x1, y1, k1) = transform(before["world"]), transform(after["world"])
        assert abs(k1 / k0 - 1) < 1e-3 and abs(x1 - x0) < 1.5 and abs(y1 - y0) < 1.5, (before["world"], after["world"])
        # the token is consumed: TensorBoard's URL is back to the tab alone
        assert page2.url.endswith("#phaseview")
        shot(page2, "share_link_reopened")
        assert not errors
    finally:
        fresh.close()


def test_hostile_names_are_text_in_exported_svg(page, start_server, tmp_path):
    run = "<b>run</b><img src=x onerror=alert(9)>"
    write_run(tmp_path, run, hostile_graph())
    server = start_server(tmp_path, load_fast="false")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_plugin(page, server.url, run)
    add_note(page, HOSTILE[0], "<script>alert(3)</script>")
    with page.expect_download() as d:
        page.click('[data-action="export-svg"]')
    text = save(d.value, "share_hostile.svg").decode("utf-8")
    root = ET.fromstring(text)
    texts = "\n".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert run in texts and HOSTILE[0] in texts and "<script>alert(3)</script>" in texts
    assert not any(el.tag.endswith(("script", "img", "foreignObject", "image")) for el in root.iter())
    assert "<script" not in text and "<img" not in text
    assert not dialogs and not page.errors
