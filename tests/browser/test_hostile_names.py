"""Hostile node names in a real browser, against a real TensorBoard: drawn and shown as text everywhere (nodes,
inspector, search results, phase notes, the SVG an export would serialise); nothing they contain ever runs."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from conftest import open_plugin, shot  # noqa: E402
from oddgraphs import HOSTILE, HOSTILE_FLAG, HOSTILE_LAYER, hostile_graph, write_run  # noqa: E402

RUN = "<b>run</b><img src=x onerror=alert(9)>"


def node_selector(name):
    return "[data-node=" + json.dumps(name) + "]"  # a JSON string is a valid CSS string: quotes escaped


def test_hostile_names_render_as_text_and_never_run(page, start_server, tmp_path):
    write_run(tmp_path, RUN, hostile_graph())
    server = start_server(tmp_path, load_fast="false")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(
        "window.__ran = []; for (const f of ['alert', 'confirm', 'prompt'])"
        " { const o = window[f]; window[f] = (...a) => { window.__ran.push(String(a[0])); return o && null; }; }"
    )
    open_plugin(page, server.url, RUN)

    drawn = page.evaluate("() => [...document.querySelectorAll('[data-node]')].map(e => e.getAttribute('data-node'))")
    # ("/" makes scopes: '"><script>alert(2)</script>' is the op 'script>' in the group '"><script>alert(2)<')
    top_level = [
        HOSTILE[0],
        HOSTILE[3],
        HOSTILE[4],
        HOSTILE[5],
        "x",
        HOSTILE[1].split("/")[0],
        HOSTILE_LAYER.split("/")[0],
        HOSTILE_FLAG.split("/")[0],
    ]
    for name in top_level:
        assert name in drawn, name
    labels = page.evaluate(
        "() => [...document.querySelectorAll('[data-node] text')].map(t => t.textContent).join('\\n')"
    )
    assert HOSTILE[0] in labels and "alert(2)" in labels

    # The inspector shows an op's name, op type, attribute and device as text.
    page.locator(node_selector(HOSTILE[0])).first.click()
    page.wait_for_function(
        "n => document.querySelector('[data-testid=inspector] h2')?.textContent === n", arg=HOSTILE[0]
    )
    page.wait_for_function("() => !document.querySelector('[data-testid=inspector]').textContent.includes('Loading')")
    inspector = page.locator("[data-testid=inspector]").text_content()
    assert HOSTILE[0] in inspector and HOSTILE[1] in inspector  # op type and the attribute value

    # Search results list them as text.
    page.fill("[data-testid=search]", "script")
    results = page.locator("[data-testid=search-results] button[data-result]")
    results.first.wait_for()
    assert HOSTILE[1] in [results.nth(i).get_attribute("data-result") for i in range(results.count())]
    assert HOSTILE[1] in page.locator("[data-testid=search-results]").text_content()

    # Phase notes and edges name the hostile flag and layer.
    page.click('[data-phase-mode="show"]')
    page.wait_for_selector("[data-edge-kind=phase]")
    notes = page.evaluate(
        "() => [...document.querySelectorAll('[data-edge-kind=phase] title, .phase-badge title')]"
        ".map(t => t.textContent).join('\\n')"
    )
    assert HOSTILE_FLAG in notes or HOSTILE_LAYER in notes, notes[:500]

    # What an SVG export serialises: the names escaped as text, no element made from them.
    svg = page.evaluate("() => new XMLSerializer().serializeToString(document.querySelector('svg.canvas'))")
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg and "<img" not in svg and "<script" not in svg

    injected = page.evaluate(
        "() => ({handlers: document.querySelectorAll('[onerror],[onload],[onmouseover]').length,"
        " imgs: [...document.querySelectorAll('img')].map(i => i.getAttribute('src')),"
        " scripts: [...document.querySelectorAll('script')].filter(s => !s.src && /alert/.test(s.textContent)).length,"
        " ran: window.__ran})"
    )
    shot(page, "hostile_names")
    page.wait_for_timeout(500)
    assert injected == {"handlers": 0, "imgs": [], "scripts": 0, "ran": []}, injected
    assert dialogs == [], dialogs
    assert not page.errors, page.errors
