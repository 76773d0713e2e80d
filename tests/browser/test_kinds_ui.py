"""Roles folded into areas, the legend that is the filter, and "why connected?" in a real browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from conftest import SEED_RUN, boxes, edges, open_plugin, shot
from demo import cli_report_json

MACHINERY = {"init", "gradient", "optimizer", "summary", "save"}


def cli_edge_counts(run):
    return next(g for g in cli_report_json()["graphs"] if g["run"] == run)["edge_counts"]


def legend(page):
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-kind-filter]')].map(
        b => [b.getAttribute('data-kind-filter'), [b.getAttribute('data-state'), Number(b.getAttribute('data-count'))]]))""")


def top_level(page):
    return page.evaluate("""() => [...document.querySelectorAll('.root-group > g[data-node]')].map(g => ({
        name: g.getAttribute('data-node'), area: g.getAttribute('data-area'), role: g.getAttribute('data-role'),
        label: g.querySelector('.label')?.textContent}))""")


def test_seed_top_level_shows_layers_flag_and_labelled_machinery_areas(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    shot(page, "kinds-seed-top-level")
    top = top_level(page)
    assert 80 < len(top) < 100  # was 239, 150 of them VarIsInitializedOp_N
    assert not [n for n in top if n["name"].startswith(("VarIsInitializedOp", "training"))]
    assert not [n for n in top if n["role"] in MACHINERY]
    areas = {n["area"]: n["label"] for n in top if n["area"]}
    assert set(areas) == {"init", "gradient", "optimizer"}
    assert areas["gradient"].startswith("gradients \u00b7 ") and areas["gradient"].endswith(" ops")
    assert areas["init"].startswith("initialisers \u00b7 ")
    # The machinery's edges are hidden by default; the model's are drawn.
    assert edges(page, "gradient") == [] and edges(page, "init") == []
    assert edges(page, "data")


def test_legend_counts_equal_the_cli_and_toggles_never_move_a_node(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    counts = cli_edge_counts(SEED_RUN)
    shown = legend(page)
    assert {kind: count for kind, (_, count) in shown.items()} == {k: v for k, v in counts.items() if v}
    assert shown["phase"][0] == "hidden" and shown["gradient"][0] == "hidden" and shown["data"][0] == "drawn"

    before = boxes(page)
    page.click('[data-kind-filter="gradient"]')  # hidden -> drawn
    assert legend(page)["gradient"][0] == "drawn"
    assert page.get_attribute("#phaseview-app", "data-kind-gradient") == "drawn"
    assert edges(page, "gradient"), "the gradient area's edges are drawn"
    page.click('[data-kind-filter="data"]')  # drawn -> dimmed
    assert legend(page)["data"][0] == "dimmed"
    opacity = page.evaluate("""() => getComputedStyle(document.querySelector('.edge.kind-data')).strokeOpacity""")
    assert float(opacity) < 0.5
    page.click('[data-kind-filter="data"]')  # dimmed -> hidden
    assert edges(page, "data") == []
    assert boxes(page) == before, "switching a kind never moves a node"

    # The phase entry and the three phase buttons agree, both ways.
    page.click('[data-kind-filter="phase"]')
    assert page.get_attribute('button[data-phase-mode="highlight"]', "aria-pressed") == "true"
    assert legend(page)["phase"][0] == "highlighted"
    page.click('button[data-phase-mode="show"]')
    assert legend(page)["phase"][0] == "drawn"
    page.click('button[data-phase-mode="collapse"]')
    assert legend(page)["phase"][0] == "hidden"
    assert boxes(page) == before
    assert not page.errors


def test_a_hidden_kind_hides_its_edge_counts_too(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)

    def visible_counts(kind):
        return page.evaluate(
            """(kind) => [...document.querySelectorAll(`[data-edges-kind="${kind}"] > .edge-count`)]
                .filter(t => getComputedStyle(t).display !== 'none').map(t => t.textContent)""",
            kind,
        )

    # The optimizer's writes of every variable are one bundle with a count; hidden by default, count and all.
    page.click('[data-kind-filter="optimizer"]')  # hidden -> drawn
    drawn = visible_counts("optimizer")
    assert drawn, "a drawn bundle of optimizer edges shows its count"
    page.click('[data-kind-filter="optimizer"]')  # drawn -> dimmed
    page.click('[data-kind-filter="optimizer"]')  # dimmed -> hidden
    assert visible_counts("optimizer") == []
    assert not page.errors


def test_a_graph_without_a_flag_has_no_phase_entry(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "tf2_fit_no_flag")
    shown = legend(page)
    assert "phase" not in shown and shown["gradient"][1] > 0


def test_why_connected_for_an_edge_between_two_groups_and_a_groups_inputs_and_outputs(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    page.click('[data-kind-filter="optimizer"]')  # hidden -> drawn: the gradients feed the optimizer
    page.evaluate("""() => document.querySelector(
        '.edge[data-edge-kind="optimizer"][data-from="\u2237gradient"][data-to="\u2237optimizer"]')
        .dispatchEvent(new MouseEvent('click', {bubbles: true}))""")
    page.wait_for_selector("[data-testid=why] section[data-why-kind]")
    kinds = page.evaluate("""() => [...document.querySelectorAll('[data-testid=why] section')].map(
        s => [s.getAttribute('data-why-kind'), Number(s.getAttribute('data-count'))])""")
    assert kinds and kinds[0][0] == "optimizer" and kinds[0][1] > 0
    assert "optimizer turns the gradients" in page.inner_text("[data-testid=inspector]")
    # The two areas said as their boxes say them, not by their ids.
    parts = page.inner_text("[data-why-parts]")
    assert parts == f"gradients \u2194 optimizer \u00b7 {kinds[0][1]} op-level edges", parts
    shot(page, "kinds-why-panel")

    page.evaluate("""() => document.querySelector('[data-node="bn3a_branch2a"] .body')
        .dispatchEvent(new MouseEvent('click', {bubbles: true}))""")
    page.wait_for_selector('[data-boundary="inputs"] li[data-why-kind]')
    inputs = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-boundary="inputs"] li')]
        .map(li => [li.getAttribute('data-why-kind'), Number(li.getAttribute('data-count'))]))""")
    assert inputs.get("phase", 0) > 0 and inputs.get("data", 0) > 0
    assert not page.errors


def open_group(page, name):
    page.locator(f'[data-node="{name}"][data-group="true"] .chevron').first.click()
    page.wait_for_selector(f'[data-node="{name}"][data-expanded="true"]')


def test_a_call_op_opens_as_its_function_bodies(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "resnet_tf_keras")
    for name in (
        "bn2a_branch2a",
        "bn2a_branch2a/cond",
        "bn2a_branch2a/cond/\u0192",
        "bn2a_branch2a/cond/\u0192then_branch",
    ):
        open_group(page, name)
    body = page.evaluate("""() => [...document.querySelectorAll('[data-node^="bn2a_branch2a/cond/\u0192then_branch/"]')]
        .map(e => e.getAttribute('data-node'))""")
    assert any("FusedBatchNorm" in name for name in body), body
    shot(page, "kinds-function-body")
    # An op of the body opens in the inspector like any op (its attributes, its edges inside the body).
    norm = next(name for name in body if name.rsplit("/", 1)[1].startswith("FusedBatchNorm"))
    page.locator(f'[data-node="{norm}"] .box').first.click()
    inspector = page.locator("[data-testid=inspector]")
    page.wait_for_function(
        "n => document.querySelector('[data-testid=inspector] h2')?.textContent === n"
        " && !document.querySelector('[data-testid=inspector]').textContent.includes('Loading')",
        arg=norm,
    )
    assert inspector.locator(".op").first.text_content().startswith("FusedBatchNorm"), inspector.text_content()
    assert "epsilon" in inspector.text_content() and "404" not in inspector.text_content()
    assert not page.errors


def test_a_hyperparameter_is_drawn_like_the_flag_and_its_readers_carry_a_badge(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "dropout_cnn")
    # At the top level the learning rate and all its readers are inside the optimizer area: no badge.
    assert page.locator("[data-hyper-badge]").count() == 0
    for name in ("\u2237optimizer", "\u2237optimizer/training", "\u2237optimizer/training/SGD"):
        open_group(page, name)
    source = page.locator('[data-node="\u2237optimizer/training/SGD/learning_rate"]').first
    assert "hyper-source" in source.get_attribute("class")
    assert source.locator(":scope > .body > .note").text_content() == "\u03b7 read by 12 ops"
    badge = page.locator('[data-node="\u2237optimizer/training/SGD/SGD"] > .body > [data-hyper-badge]')
    assert badge.count() == 1 and badge.get_attribute("data-hyper-badge") == "training/SGD/learning_rate"
    assert "training/SGD/learning_rate" in badge.locator("title").text_content()
    assert source.locator(":scope > .body > [data-hyper-badge]").count() == 0, "the hyperparameter does not read itself"
    shot(page, "kinds-hyperparameter-badge")
    badge.click()
    explanation = page.locator("[data-testid=hyper-explanation]")
    explanation.wait_for()
    assert explanation.text_content().startswith("Reads the hyperparameter training/SGD/learning_rate")
    assert not page.errors


def test_the_legend_draws_a_hyperparameters_edges_on_request(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "dropout_cnn")
    for name in ("\u2237optimizer", "\u2237optimizer/training", "\u2237optimizer/training/SGD"):
        open_group(page, name)
    edges = page.locator('[data-edge-kind="hyperparameter"][data-from="\u2237optimizer/training/SGD/learning_rate"]')
    assert edges.count() > 0, "the learning rate's edges are drawn apart in its group"

    def shown():
        return [e.is_visible() for e in edges.all()]

    assert not any(shown()), "hidden by default: the badges stand for them"
    page.click('[data-kind-filter="hyperparameter"]')  # hidden -> drawn
    assert all(shown())
    assert page.locator('[data-kind-filter="hyperparameter"]').get_attribute("data-state") == "drawn"
    # These edges are straight and cross boxes: a count label sits where it covers no box, or is left out
    # (where a row of boxes leaves no room, as on SGD's row; the count is in the edge's tooltip).
    covered = page.evaluate("""() => {
        const boxes = [...document.querySelectorAll('[data-node]:not([data-expanded="true"]) > .body')]
            .map(b => b.getBoundingClientRect());
        const counts = [...document.querySelectorAll('[data-edges-kind="hyperparameter"] > .edge-count')]
            .filter(t => t.checkVisibility());
        return [counts.length, counts.filter(t => {
            const r = t.getBoundingClientRect();
            return boxes.some(b => r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top);
        }).map(t => t.textContent)];
    }""")
    assert covered[0] > 0 and covered[1] == [], covered
    shot(page, "kinds-hyperparameter-edges-drawn")
    assert not page.errors


def test_shift_click_on_a_second_group_shows_why_the_two_are_connected(page, tensorboard_url):
    open_plugin(page, tensorboard_url, SEED_RUN)
    for name, shift in (("res2a_branch2a", "false"), ("bn2a_branch2a", "true")):
        page.evaluate(f"""() => document.querySelector('[data-node="{name}"] .body')
            .dispatchEvent(new MouseEvent('click', {{bubbles: true, shiftKey: {shift}}}))""")
    page.wait_for_selector("[data-testid=why] section[data-why-kind]")
    kinds = page.evaluate("""() => [...document.querySelectorAll('[data-testid=why] section')].map(
        s => s.getAttribute('data-why-kind'))""")
    assert "data" in kinds
    assert "res2a_branch2a \u2194 bn2a_branch2a" in page.inner_text("[data-testid=inspector]")


def test_a_hidden_kind_stays_hidden_in_a_group_opened_after_the_switch(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "resnet_tf_keras")
    page.click('[data-kind-filter="data"]')  # drawn -> dimmed
    page.click('[data-kind-filter="data"]')  # dimmed -> hidden
    assert edges(page, "data") == []
    open_group(page, "bn2a_branch2a")
    drawn = page.evaluate("""() => document.querySelectorAll(
        '[data-edge-kind="data"][data-from^="bn2a_branch2a/"]').length""")
    assert drawn > 0, "the opened group draws its own data edges"
    assert edges(page, "data") == [], "and they follow the legend's state"
    page.click('[data-kind-filter="data"]')  # hidden -> drawn
    assert edges(page, "data")
    assert not page.errors


def test_a_pytorch_sequentials_first_module_is_not_drawn_wired_to_every_later_one(page, start_server, tmp_path):
    """PyTorch's tracer makes a stride, a padding or ``training`` once, in the first module using it, and every
    later module reads it there: opening ``Sequential[features]`` drew ``Conv2d[0]`` wired by data to every later
    convolution and ``BatchNorm2d[1]`` to ``BatchNorm2d[5]``. Those edges are ``constant``, hidden by default, drawn
    on request from the legend (tests/test_trace_constants.py has the analysis)."""
    fixture = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "pytorch_nested")
    shutil.copytree(fixture, tmp_path / "pytorch_nested")
    server = start_server(tmp_path)
    open_plugin(page, server.url)
    features = "NestedNet/Sequential[features]"
    if page.locator(f'[data-node="{features}"]').count() == 0:
        open_group(page, "NestedNet")
    open_group(page, features)
    modules = ["Conv2d[0]", "BatchNorm2d[1]", "ReLU[2]", "MaxPool2d[3]", "Conv2d[4]", "BatchNorm2d[5]", "ReLU[6]"]
    chain = [f"{features}/{m}" for m in [*modules, "Conv2d[7]"]]
    drawn = {(e["from"], e["to"]) for e in edges(page) if e["from"] in chain and e["to"] in chain}
    assert drawn == set(zip(chain, chain[1:])), drawn
    cli = os.path.join(os.path.dirname(sys.executable), "tb-phaseview")
    report = subprocess.run([cli, "report", str(tmp_path), "--json"], capture_output=True, text=True, check=True)
    (entry,) = json.loads(report.stdout)["graphs"]
    assert legend(page)["constant"] == ["hidden", entry["edge_counts"]["constant"]]
    shot(page, "kinds-pytorch-sequential")
    page.click('[data-kind-filter="constant"]')  # hidden -> drawn
    assert legend(page)["constant"][0] == "drawn"
    shared = {(e["from"], e["to"]) for e in edges(page, "constant")}
    assert (f"{features}/Conv2d[0]", f"{features}/Conv2d[4]") in shared
    assert (f"{features}/BatchNorm2d[1]", f"{features}/BatchNorm2d[5]") in shared
    shot(page, "kinds-pytorch-sequential-constants-drawn")
    assert not page.errors
