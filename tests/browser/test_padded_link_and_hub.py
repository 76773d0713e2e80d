"""In a real browser: a link whose token carries base64's `=` padding opens its view; a node of thousands of
inputs says how many it has, though the server lists the first 1,000."""

from __future__ import annotations

import base64
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from conftest import SEED_RUN, open_plugin, shot  # noqa: E402
from hostile_graphs import hub_blob  # noqa: E402
from oddgraphs import write_run  # noqa: E402

LAYER = "bn2a_branch2a"


def padded_token(payload: dict) -> str:
    """base64url with its padding, as a tool that is not PhaseView writes it."""
    for extra in ("", " ", "  "):  # one of three lengths needs padding
        token = base64.urlsafe_b64encode((json.dumps(payload) + extra).encode()).decode()
        if token.endswith("="):
            return token
    raise AssertionError("no padded token")


def test_a_link_with_base64_padding_opens_its_view(browser, tensorboard_url):
    token = padded_token({"v": 1, "g": [SEED_RUN, "run_graph", None], "m": "show", "o": [LAYER], "s": LAYER})
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(tensorboard_url + "#phaseview&pv=" + token)
        frame = page.frame_locator("iframe")
        frame.locator('#phaseview-app[data-link-restored="true"]').wait_for(timeout=60_000)
        assert frame.locator("[data-testid=run-select]").input_value() == SEED_RUN
        assert frame.locator(f'[data-node="{LAYER}"][data-group][data-expanded="true"]').count() == 1
        assert frame.locator('[data-phase-mode="show"]').get_attribute("aria-pressed") == "true"
        assert frame.locator("[data-testid=inspector] h2").text_content() == LAYER
        shot(page, "padded_link_opened")
        assert not errors
    finally:
        ctx.close()


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_the_inspector_counts_every_input_of_a_node_with_thousands(page, start_server, tmp_path, load_fast):
    write_run(tmp_path, "hub", blob=hub_blob(5000, 50))
    server = start_server(tmp_path, load_fast=load_fast)
    open_plugin(page, server.url, "hub")
    page.locator('[data-node="hub"] > .body > rect.box').first.dispatch_event("click")
    page.wait_for_function("() => document.querySelector('[data-testid=inspector] h2')?.textContent === 'hub'")
    inspector = page.locator("[data-testid=inspector]")
    inspector.get_by_text("Inputs (5,000 op-level edges)").wait_for()
    assert inspector.get_by_text("and 4,800 more").count() == 1
    shot(page, "inspector_hub_inputs")
    assert page.errors == []
