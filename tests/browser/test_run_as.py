"""Run as training or inference, in a real browser against a real TensorBoard: what the view ghosts is what the
CLI counts."""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from conftest import open_plugin, shot

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from demo import cli_report_json  # noqa: E402

P = "data/plugin/phaseview/"


@pytest.fixture(scope="module")
def cli_report():
    return {(g["run"], g["kind"], g["tag"]): g for g in cli_report_json()["graphs"]}


def get(base_url, route, **params):
    with urllib.request.urlopen(base_url + P + route + "?" + urllib.parse.urlencode(params), timeout=120) as r:
        return json.loads(r.read())


def groups_holding(base_url, run, names):
    """Every group on the way to the named ops (walked from the root), so that opening them draws those ops."""
    parent_of, stack = {}, [""]
    while stack:
        group = stack.pop()
        for child in get(base_url, "group", run=run, kind="run_graph", group=group)["children"]:
            if child["type"] == "group":
                stack.append(child["name"])
                parent_of.setdefault(("group", child["name"]), group)
            else:
                parent_of[("op", child["name"])] = group
    groups = set()
    for name in names:
        group = parent_of[("op", name)]
        while group:
            groups.add(group)
            group = parent_of[("group", group)]
    return sorted(groups)


def link_token(view: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": 1, **view}).encode()).decode().rstrip("=")


def ghosted(frame, what):
    sel = {
        "ops": '[data-node]:not([data-group])[data-runs="false"]',
        "groups": '[data-group="true"][data-runs="false"]',
    }[what]
    return frame.evaluate(f"""() => [...document.querySelectorAll('{sel}')].map(e => e.getAttribute('data-node'))""")


def wait_run_as(frame, value):
    frame.wait_for_function(
        "v => document.querySelector('#phaseview-app').dataset.runAs === v", arg=value, timeout=60_000
    )


def test_the_view_ghosts_exactly_what_the_cli_counts(page, tensorboard_url, cli_report):
    """Every group of the v1-cond Dropout CNN open, run as inference, then training, then both."""
    source = cli_report[("dropout_cnn", "run_graph", None)]["phase_sources"][0]
    answer = get(tensorboard_url, "phase_runs", run="dropout_cnn", kind="run_graph")
    # Open every group that holds an op running in one phase only: all of them are drawn.
    gated = answer["phases"]["false"]["nodes"] + answer["phases"]["true"]["nodes"]
    groups = groups_holding(tensorboard_url, "dropout_cnn", gated)
    token = link_token({"g": ["dropout_cnn", "run_graph", None], "m": "collapse", "o": groups, "r": "false"})
    page.goto(tensorboard_url + "data/plugin_entry.html?name=phaseview#pv=" + token)
    page.wait_for_selector('#phaseview-app[data-link-restored="true"]', timeout=60_000)
    wait_run_as(page, "false")
    assert page.locator('[data-phase-run="false"]').get_attribute("aria-pressed") == "true"
    drawn = set(
        page.evaluate(
            "() => [...document.querySelectorAll('[data-node]:not([data-group])')]"
            ".map(e => e.getAttribute('data-node'))"
        )
    )
    assert set(gated) <= drawn, "every op that runs in one phase only is drawn"
    inference_off = ghosted(page, "ops")
    assert len(inference_off) == source["ops_only_when"]["true"] > 0
    assert sorted(inference_off) == answer["phases"]["false"]["nodes"]
    assert sorted(ghosted(page, "groups")) == answer["phases"]["false"]["groups"]
    assert "drop1/cond/dropout/random_uniform/RandomUniform" in inference_off
    assert (
        page.locator("[data-testid=run-as-status]").text_content()
        == f"{source['ops_only_when']['true']:,} ops don't run in inference; {source['used_only_when']['true']} more "
        f"run though only training uses their result (outlined)"
    )
    assert (
        page.locator('[data-node="bn1"] > .body .phase-badge').get_attribute("data-does")
        == "uses the moving mean and variance"
    )
    assert (
        page.locator('[data-node="drop1"] > .body .phase-badge').get_attribute("data-does")
        == "passes its input through"
    )
    # Edges at a ghosted op are ghosted too; an edge between two running ops is not.
    assert page.locator('[data-edge-kind][data-to="drop1/cond/dropout/random_uniform"][data-runs="false"]').count() > 0
    shot(page, "run_as_inference")
    # In a narrow window the sentence stays whole: the other parts of the bar give way, each cut to an ellipsis
    # with its whole text on hover.
    page.set_viewport_size({"width": 900, "height": 700})
    fits = page.evaluate(
        """() => { const bar = document.querySelector('[data-testid=status]').getBoundingClientRect();
                   const s = document.querySelector('[data-testid=run-as-status]');
                   const r = s.getBoundingClientRect();
                   return {whole: s.scrollWidth <= s.clientWidth, inside: r.left >= bar.left && r.right <= bar.right,
                           titled: [...s.parentElement.children].every(p => p.title === p.textContent)}; }"""
    )
    assert fits == {"whole": True, "inside": True, "titled": True}, fits
    shot(page, "run_as_inference_narrow")
    page.set_viewport_size({"width": 1400, "height": 900})

    page.click('[data-phase-run="true"]')
    wait_run_as(page, "true")
    training_off = ghosted(page, "ops")
    assert len(training_off) == source["ops_only_when"]["false"] > 0
    assert "bn1/cond/FusedBatchNormV3_1" in training_off and "bn1/cond/FusedBatchNormV3" not in training_off
    assert (
        page.locator('[data-node="drop1"] > .body .phase-badge').get_attribute("data-does") == "drops units at random"
    )

    page.click('[data-phase-run="both"]')
    wait_run_as(page, "both")
    assert page.locator('[data-runs="false"]').count() == 0
    assert page.locator("[data-testid=run-as-status]").count() == 0
    assert page.errors == []


def test_an_export_states_the_phase_the_view_runs_as(page, tensorboard_url, cli_report):
    """A shared picture of one phase says so in its legend, with the count the status bar shows; run as both, it
    says nothing of it."""
    source = cli_report[("dropout_cnn", "run_graph", None)]["phase_sources"][0]
    open_plugin(page, tensorboard_url, "dropout_cnn")
    page.click('[data-phase-run="false"]')
    wait_run_as(page, "false")

    def legend_texts():
        with page.expect_download() as d:
            page.click('[data-action="export-svg"]')
        root = ET.parse(d.value.path()).getroot()
        return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]

    # The legend says only what the picture shows: at the top level every op that doesn't run is inside a closed
    # box (a bar under it, none faded), the Dropouts are pass-throughs, and no op is drawn to be outlined.
    texts = legend_texts()
    assert f"run as inference: {source['ops_only_when']['true']:,} ops don't run in inference" in texts
    partly = page.locator(".node[data-not-run]").count()
    assert partly and f"bar under a box: the share of its ops that don't run ({partly} boxes)" in texts
    assert "dashed, an edge drawn past it: drop1, drop2, drop3 pass their input through" in texts
    assert not any("faded" in t or "outlined" in t for t in texts), texts
    page.click('[data-phase-run="both"]')
    wait_run_as(page, "both")
    assert not any(t.startswith("run as") for t in legend_texts())
    assert page.errors == []


def test_if_branches_are_counted_and_the_branch_not_taken_is_ghosted_in_the_functions(
    page, tensorboard_url, cli_report
):
    """The If version: the If op runs in both phases; the branch not taken is counted in the status bar, and
    ghosted inside the call's functions group once that is open."""
    source = cli_report[("resnet_tf_keras", "run_graph", None)]["phase_sources"][0]
    open_plugin(page, tensorboard_url, "resnet_tf_keras")
    page.keyboard.press("i")
    wait_run_as(page, "false")
    n = source["ops_only_when"]["true"]
    assert (
        page.locator("[data-testid=run-as-status]").text_content()
        == f"{n:,} ops don't run in inference ({n:,} of them inside If branches: open an If's functions to see "
        f"them ghosted)"
    )
    assert page.locator('[data-runs="false"]').count() == 0
    assert (
        page.locator('[data-node="bn2a_branch2a"] > .body .phase-badge').get_attribute("data-does")
        == "uses the moving mean and variance"
    )
    # A closed layer says it on its box too, in place of its op summary.
    subtitle = page.locator('[data-node="bn2a_branch2a"] > .body text.sub')
    assert subtitle.text_content() == "moving avg"  # the words the box has room for, whole in the tooltip
    for group in ("bn2a_branch2a", "bn2a_branch2a/cond", "bn2a_branch2a/cond/\u0192"):
        page.locator(f'[data-node="{group}"][data-group="true"] .chevron').first.click()
        page.wait_for_selector(f'[data-node="{group}"][data-expanded="true"]')
    taken = page.locator('[data-node="bn2a_branch2a/cond/\u0192else_branch"]')
    idle = page.locator('[data-node="bn2a_branch2a/cond/\u0192then_branch"]')
    assert idle.get_attribute("data-runs") == "false" and taken.get_attribute("data-runs") is None
    shot(page, "run_as_if_branch_ghosted")
    page.keyboard.press("b")
    wait_run_as(page, "both")
    assert subtitle.text_content() != "moving avg"
    assert page.errors == []


def test_groups_opened_later_are_marked_too(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "dropout_cnn")
    page.click('[data-phase-run="false"]')
    wait_run_as(page, "false")
    target = "drop1/cond/dropout/random_uniform/RandomUniform"
    page.fill("[data-testid=search]", target)  # results are listed as one types
    result = page.locator(f'[data-testid=search-results] button[data-result="{target}"]')
    result.wait_for()
    result.click()
    page.locator(f'[data-node="{target}"][data-runs="false"]').wait_for()
    assert page.locator('[data-node="drop1/cond/dropout/random_uniform"][data-runs="false"]').count() == 1
    assert page.locator('[data-node="drop1/cond"]').get_attribute("data-runs") is None, "its Merge runs"
    shot(page, "run_as_inference_dropout")


def test_run_as_rides_in_the_copied_link_and_a_graph_without_flag_offers_only_both(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "dropout_cnn")
    page.click('[data-phase-run="true"]')
    wait_run_as(page, "true")
    page.click('[data-action="copy-link"]')
    link = page.locator("[data-testid=share-link]").input_value()
    token = urllib.parse.unquote(link.split("pv=", 1)[1])
    view = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert view["r"] == "true" and view["g"][0] == "dropout_cnn"

    page.select_option("[data-testid=run-select]", "tf2_fit_no_flag")
    page.wait_for_function(
        "() => document.querySelector('#phaseview-app').dataset.ready === 'true'"
        " && document.querySelector('[data-testid=run-select]').value === 'tf2_fit_no_flag'"
    )
    wait_run_as(page, "both")
    assert page.locator('[data-phase-run="true"]').is_disabled()
    assert page.locator('[data-phase-run="false"]').is_disabled()
    assert page.locator('[data-runs="false"]').count() == 0
    assert page.errors == []


def test_a_flag_that_must_be_fed_is_a_warning_in_the_status_bar(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "tf1_is_training")
    page.click('[data-phase-run="true"]')
    wait_run_as(page, "true")
    assert page.locator("[data-testid=phase-warnings]").text_content() == (
        "is_training has no default: this graph does not run unless fed is_training "
        "(True for training, False for inference)"
    )
    page.keyboard.press("b")
    wait_run_as(page, "both")
    assert page.locator("[data-testid=phase-warnings]").count() == 0
    assert page.errors == []
