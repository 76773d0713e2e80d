"""Moving a scope PhaseView drew in the machinery to the model from its inspector, in a real browser on a GAN's
training graph TensorFlow writes at test time: drawn in the model, kept on reload and in a link, moved back."""

from __future__ import annotations

import json
import os

from conftest import ARTIFACTS, click_box, crowded_edge_labels, open_plugin, sel, shot

AREA = "∷save"
SCOPE = "save"


def open_group(page, name):
    # Dispatched on the box (a double-click), so a group out of view or under the inspector opens too.
    page.evaluate(
        "s => document.querySelector(s + ' > .body').dispatchEvent(new MouseEvent('dblclick', {bubbles: true}))",
        sel(name),
    )
    page.locator(f'{sel(name)}[data-expanded="true"]').wait_for()


def settled(page, moved):
    page.wait_for_function(
        "n => { const a = document.querySelector('#phaseview-app');"
        " return a.dataset.ready === 'true' && !a.dataset.moving && a.dataset.moved === n; }",
        arg=str(moved),
        timeout=60_000,
    )


def drawn_in_model(page):
    """The scope's box at the top level, marked as moved, and the checkpoints' area gone."""
    page.locator(f'{sel(SCOPE)}[data-moved="{SCOPE}/"]').wait_for(timeout=30_000)
    assert page.locator(sel(AREA)).count() == 0
    assert (
        page.locator(f'{sel(SCOPE)}[data-moved="{SCOPE}/"]').evaluate("e => e.parentElement.closest('[data-node]')")
        is None
    )


def test_a_scope_moved_to_the_model_is_drawn_there_kept_and_moved_back(page, roles_graphs, start_server, browser):
    dcgan = roles_graphs["roles_dcgan"]
    server = start_server(dcgan.logdir, load_fast="true")
    open_plugin(page, server.url, "roles_dcgan")
    app = page.locator("#phaseview-app")
    assert app.get_attribute("data-moved") == "0"
    open_group(page, AREA)
    inside = f"{AREA}/{SCOPE}"
    click_box(page, inside)
    # A note written on the group inside the area follows it to the model (and back, below).
    page.click('[data-action="add-note"]')
    page.fill("[data-testid=note-text]", "the restores")
    page.click('[data-action="save-note"]')
    note = page.locator(f"[data-note={json.dumps(inside, ensure_ascii=False)}]")
    note.wait_for()
    assert note.get_attribute("data-note-anchor") == inside
    button = page.locator('[data-testid=inspector] [data-action="move-to-model"]')
    button.wait_for()
    move = page.locator("[data-testid=move]")
    assert "scope save/" in move.text_content() and move.locator("code").first.text_content() == "save/"
    button.click()
    settled(page, 1)
    drawn_in_model(page)
    page.wait_for_function(
        "s => document.querySelector(s)?.dataset.noteAnchor === 'save'",
        arg=f"[data-note={json.dumps(inside, ensure_ascii=False)}]",
    )
    assert note.get_attribute("data-note-hidden") == "false"
    # Selected where it is drawn now; the inspector offers the way back, the status bar and the area say it.
    page.wait_for_function("() => document.querySelector('[data-testid=inspector] h2')?.textContent === 'save'")
    page.locator('[data-testid=inspector] [data-action="move-back"]').wait_for()
    status = page.locator("[data-testid=moved-status]").text_content()
    ops = dcgan.analysis.graph.names
    assert status.startswith("moved to the model by the user: save/ (") and "ops)" in status
    moved_ops = int(status.split("save/ (")[1].split(" op")[0].replace(",", ""))
    below = sum(1 for n in ops if n.startswith("save/"))
    assert 30 < moved_ops <= below
    # An op inside says it was moved by the user, and what the classifier said.
    open_group(page, SCOPE)
    open_group(page, "save/Assign_[1-34]")  # the restores' numbered series
    click_box(page, "save/Assign_3")
    why = page.locator("[data-testid=role-why]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=role-why]')?.textContent.includes('moved to the model by you')"
    )
    assert why.get_attribute("data-role") == "model"
    assert "PhaseView had it as save: " in why.text_content()
    assert page.locator(".edge-count").count() > 5 and page.locator(".edge-shape").count() > 5
    assert crowded_edge_labels(page) == []
    shot(page, "move-to-model-moved")
    # The SVG's legend says what was moved.
    with page.expect_download() as download:
        page.click('[data-action="export-svg"]')
    svg = open(download.value.path(), encoding="utf-8").read()
    assert "moved to the model by the user: save/ (" in svg
    with page.expect_download() as download:
        page.click('[data-action="export-png"]')
    download.value.save_as(os.path.join(ARTIFACTS, "move-to-model-export.png"))

    # Kept per graph in this browser: a reload draws it in the model again.
    page.reload()
    page.wait_for_selector('#phaseview-app[data-ready="true"]', timeout=60_000)
    settled(page, 1)
    drawn_in_model(page)

    # A link carries it to a browser that never moved anything.
    page.click('[data-action="copy-link"]')
    page.wait_for_function("() => document.querySelector('#phaseview-app').dataset.lastLink")
    link = app.get_attribute("data-last-link")
    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        other = fresh.new_page()
        errors = []
        other.on("pageerror", lambda e: errors.append(str(e)))
        other.goto(link)
        other.wait_for_selector('#phaseview-app[data-link-restored="true"]', timeout=60_000)
        settled(other, 1)
        drawn_in_model(other)
        # One op alone (the step counter, inside the box of its scope in the optimizer's area): drawn in the model,
        # its read left in the area.
        open_group(other, "∷optimizer")
        open_group(other, "∷optimizer/global_step")
        click_box(other, "global_step")
        other.locator('[data-testid=inspector] [data-action="move-to-model"]').click()
        settled(other, 2)
        step = other.locator('[data-node="global_step"][data-moved="global_step"]')
        step.wait_for()
        assert step.evaluate("e => e.parentElement.closest('[data-node]')") is None
        assert step.get_attribute("data-role") == "model"
        other.locator('[data-node="global_step/read"]').wait_for()
        assert (
            other.locator('[data-node="global_step/read"]').evaluate(
                "e => e.parentElement.closest('[data-area]').dataset.area"
            )
            == "optimizer"
        )
        shot(other, "move-to-model-op")
        other.locator('[data-testid=inspector] [data-action="move-back"]').click()
        settled(other, 1)
        other.locator('[data-node="∷optimizer/global_step"] [data-node="global_step"]').wait_for()
        # Moved back from the scope's inspector: into its area again, selected there.
        click_box(other, SCOPE)
        other.locator('[data-testid=inspector] [data-action="move-back"]').click()
        settled(other, 0)
        other.locator(sel(AREA)).wait_for()
        other.locator(sel(f"{AREA}/{SCOPE}")).wait_for()
        # The note the link brought is on the group in its area again.
        other.wait_for_function(
            'a => document.querySelector(`[data-note="${a}"]`)?.dataset.noteAnchor === a', arg=f"{AREA}/{SCOPE}"
        )
        assert other.locator("[data-moved]").count() == 1  # only the root's count, no box
        assert other.locator("[data-testid=moved-status]").count() == 0
        other.wait_for_function(
            "s => document.querySelector('[data-testid=inspector] h2')?.textContent.startsWith(s)", arg="save"
        )
        other.locator('[data-testid=inspector] [data-action="move-to-model"]').wait_for()
        shot(other, "move-to-model-moved-back")
        other.reload()
        other.wait_for_selector('#phaseview-app[data-ready="true"]', timeout=60_000)
        assert other.locator("#phaseview-app").get_attribute("data-moved") == "0"
        other.locator(sel(AREA)).wait_for()
        assert not errors, errors
    finally:
        fresh.close()
    assert not page.errors, page.errors
