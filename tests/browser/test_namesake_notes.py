"""A group and the op of the same name inside it (Keras' variable `cnl_stg-1/kernel` is an op and the scope of
its reads and writes): a note saves on either, in a real browser on the demo graph."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import SEED_RUN, open_plugin, shot  # noqa: E402

LAYER = "cnl_stg-1"
GROUP = "cnl_stg-1/kernel"


def group_sel(name):
    return f"[data-node={json.dumps(name)}][data-group]"


def op_sel(name):
    return f"[data-node={json.dumps(name)}]:not([data-group])"


def note_on(page, selector, name, text):
    page.locator(f"{selector} > .body > rect.box").first.dispatch_event("click")
    page.wait_for_function("n => document.querySelector('[data-testid=inspector] h2')?.textContent === n", arg=name)
    page.keyboard.press("n")
    page.fill("[data-testid=note-text]", text)
    # A script that never returns leaves the click waiting: a short timeout makes the hang a failure.
    page.click('[data-action="save-note"]', timeout=5_000)
    page.wait_for_function(
        "([n, t]) => [...document.querySelectorAll('[data-note]')].some(e => e.dataset.note === n"
        " && e.querySelector('.note-text').textContent === t)",
        arg=[name, text],
        timeout=5_000,
    )


def test_a_note_saves_on_a_group_and_on_the_op_of_its_name(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    for name in (LAYER, GROUP):
        page.locator(f"{group_sel(name)} > .body .chevron").first.click()
        page.locator(f'{group_sel(name)}[data-expanded="true"]').wait_for()
    page.locator(op_sel(GROUP)).wait_for()  # the op, drawn inside the group of its name

    note_on(page, op_sel(GROUP), GROUP, "the first convolution")
    assert page.evaluate("() => document.querySelector('#phaseview-app').dataset.notes") == "1"
    shot(page, "namesake_note_on_op")

    # the group itself: the same name, so the same note, edited
    note_on(page, group_sel(GROUP), GROUP, "stage one's convolution")
    # closing the group keeps the note on it (its op is inside)
    page.locator(f"{group_sel(GROUP)} > .body .chevron").first.click()
    page.locator(f'{group_sel(GROUP)}[data-expanded="false"]').wait_for()
    note = page.locator(f"[data-note={json.dumps(GROUP)}]")
    assert note.get_attribute("data-note-anchor") == GROUP
    assert page.evaluate("() => document.querySelector('#phaseview-app').dataset.notes") == "1"
    shot(page, "namesake_note_on_closed_group")
    assert page.errors == []
