"""Browser fixtures: headless Debian Chromium driven by Playwright against a real TensorBoard (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tbserver import CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.sync_api")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(REPO, "tests", "artifacts")
STATIC = os.path.join(REPO, "tb_phaseview", "static")
CHROMIUM = os.environ.get("PHASEVIEW_CHROMIUM", "/usr/bin/chromium")

SEED_RUN = "resnet_old_keras"
SEED_FLAG = "bnl_stg-1/keras_learning_phase"
# The summary panel's widths, and whether it holds its table without scrolling sideways (every column in sight).
SUMMARY_WIDTHS = (
    "() => { const s = document.querySelector('[data-testid=summary]'); return [s.scrollWidth, s.clientWidth]; }"
)
SUMMARY_FITS = f"() => {{ const [scroll, client] = ({SUMMARY_WIDTHS})(); return scroll <= client; }}"


@pytest.fixture(scope="session")
def browser():
    if not all(os.path.isfile(os.path.join(STATIC, f)) for f in ("index.js", "app.js", "layout.worker.js")):
        pytest.fail("the frontend is not built: run `make frontend` (or `cd frontend && npm ci && npm run build`)")
    if not shutil.which(CHROMIUM) and not os.path.isfile(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make chromium` installs Debian's")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def shot(pg, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    pg.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"))


def sel(name):
    """The CSS selector of a drawn box by name (the name as a JSON string: CSS reads no \\u escapes)."""
    return "[data-node=" + json.dumps(name, ensure_ascii=False) + "]"


def click_box(page, name, shift=False):
    """A click on a box's body (shift: its second selection), dispatched so that no other box can take it."""
    page.evaluate(
        """([s, shift]) => document.querySelector(s + ' > .body')
             .dispatchEvent(new MouseEvent('click', {bubbles: true, shiftKey: shift}))""",
        [sel(name), shift],
    )


def open_plugin(pg, base_url, run=None, timeout=30_000):
    """Opens the plugin's iframe page directly and waits until a graph (of `run`, when given) is drawn."""
    pg.goto(base_url + "data/plugin_entry.html?name=phaseview")
    app = pg.locator("#phaseview-app")
    app.wait_for(state="attached", timeout=timeout)
    pg.wait_for_selector('#phaseview-app[data-ready="true"]', timeout=timeout)
    if run and pg.input_value("[data-testid=run-select]") != run:
        pick(pg, "run", run, timeout)
    return pg


def pick(pg, which, value, timeout=30_000):
    """Picks ``value`` in the ``run`` or ``graph`` picker and waits until that graph is drawn."""
    select = f"[data-testid={which}-select]"
    pg.select_option(select, value)
    pg.wait_for_function(
        "([s, v]) => document.querySelector('#phaseview-app').dataset.ready === 'true'"
        " && document.querySelector(s).value === v",
        arg=[select, value],
        timeout=timeout,
    )


def boxes(frame):
    """{data-node: (x, y, w, h)} of every drawn node and group."""
    return frame.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-node]')].map(e => {
             const r = e.getBoundingClientRect();
             return [e.getAttribute('data-node') + '#' + (e.getAttribute('data-group') || 'op'),
                     [r.x, r.y, r.width, r.height].map(v => Math.round(v * 100) / 100)];
           }))"""
    )


def edges(frame, kind=None):
    sel = f'[data-edge-kind="{kind}"]' if kind else "[data-edge-kind]"
    return frame.evaluate(
        f"""() => [...document.querySelectorAll('{sel}')]
              .filter(e => getComputedStyle(e).display !== 'none')
              .map(e => ({{kind: e.getAttribute('data-edge-kind'), from: e.getAttribute('data-from'),
                          to: e.getAttribute('data-to')}}))"""
    )


def click_path_at(pg, selector, fraction=0.5):
    """Clicks an SVG edge on its path, `fraction` of the way along (bundled edges share their first part)."""
    pt = pg.evaluate(
        """([sel, fraction]) => {
             const g = document.querySelector(sel);
             const p = g.querySelector('path.hit') || g;
             const len = p.getTotalLength();
             const q = p.getPointAtLength(len * fraction);
             const m = p.getScreenCTM();
             return {x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f};
           }""",
        [selector, fraction],
    )
    pg.mouse.click(pt["x"], pt["y"])


def crowded_edge_labels(page, gap=0):
    """Pairs of drawn edge labels (counts and shapes) that overlap, or come within ``gap`` px of each other (two
    labels that close read as one): each must be readable on its own."""
    return page.evaluate(
        """(gap) => {
        const boxes = [...document.querySelectorAll('.edge-count, .edge-shape')]
          .map(e => [e.textContent, e.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
        const pairs = [];
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const [a, r] = boxes[i], [b, q] = boxes[j];
            if (r.left - gap < q.right - 1 && q.left - gap < r.right - 1 && r.top < q.bottom - 1 && q.top < r.bottom - 1)
              pairs.push([a, b]);
          }
        return pairs;
    }""",
        gap,
    )


def labels_below_an_edge(page):
    """Drawn edge labels that some edge is painted over (later in the document): an edge drawn across a label
    strikes its text out."""
    return page.evaluate(
        """() => {
        const paths = [...document.querySelectorAll('path.edge')];
        const last = paths[paths.length - 1];
        return [...document.querySelectorAll('.edge-count, .edge-shape')]
          .filter(t => t.getBoundingClientRect().width > 0)
          .filter(t => last && (t.compareDocumentPosition(last) & Node.DOCUMENT_POSITION_FOLLOWING))
          .map(t => t.textContent);
    }"""
    )
