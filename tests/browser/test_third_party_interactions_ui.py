"""What a user does after the first view, in the tab, on graphs other people's code wrote (/work/shared/graphs):
why connected? between a layer and a machinery area, and between an op and its neighbour inside the group of its
own name; search by op type; the flag's box naming its op."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import click_box, open_plugin, sel, shot
from third_party_graphs import SHARED_GRAPHS

CASES = ("styx-keras", "portfolio-gan", "amexpert-keras-estimator")


@pytest.fixture
def third_party_server(start_server, tmp_path):
    for name in CASES:
        folder = os.path.join(SHARED_GRAPHS, name)
        if not SHARED_GRAPHS or not os.path.isdir(folder):
            pytest.skip("the third-party graphs are not beside the repository")
        os.makedirs(tmp_path / name)
        for f in os.listdir(folder):
            if ".tfevents." in f:
                shutil.copy(os.path.join(folder, f), tmp_path / name / f)
    return start_server(tmp_path, wait_for_graphs=len(CASES))


def open_group(page, name):
    page.evaluate(
        "s => document.querySelector(s + '[data-group=true] .chevron').dispatchEvent(new MouseEvent('click', {bubbles: true}))",
        sel(name),
    )
    page.wait_for_selector(sel(name) + '[data-expanded="true"]')


def why_kinds(page):
    page.wait_for_selector("[data-testid=why] section[data-why-kind]")
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid=why] section')].map(s => [
             s.getAttribute('data-why-kind'),
             {count: Number(s.getAttribute('data-count')),
              drawn: s.querySelector('[data-testid=why-kind-apart]')?.getAttribute('data-drawn') ?? null,
              apart: s.querySelector('[data-testid=why-kind-apart]')?.textContent ?? null,
              edges: [...s.querySelectorAll('li.mono')].map(li => li.textContent)}]))"""
    )


def test_a_layer_and_the_initialisers_area_and_a_search_by_op_type_on_styx_keras(page, third_party_server):
    """The Keras flag's box names its op; `dense` and the initialisers' area are tied by the 4 init edges of its
    kernel and bias (it said "not connected"); a search for VarHandleOp lists the 6 variables, each a group."""
    open_plugin(page, third_party_server.url, "styx-keras")
    flag_sub = page.locator(sel("keras_learning_phase") + " > .body text.sub").text_content()
    # Its default's Const is not what the box is: the op's own type comes first, or no type where it does not fit.
    assert flag_sub.startswith("2 ops") and "Const" not in flag_sub

    click_box(page, "dense")
    page.wait_for_selector("[data-testid=inspector] [data-testid=group-header]")
    click_box(page, "\u2237init", shift=True)
    kinds = why_kinds(page)
    assert page.inner_text("[data-why-parts]") == "dense \u2194 initialisers \u00b7 4 op-level edges"
    assert list(kinds) == ["init"] and kinds["init"]["count"] == 4 and kinds["init"]["drawn"] is None
    assert set(kinds["init"]["edges"]) == {
        "dense/kernel \u2192 dense/kernel/Assign",
        "dense/kernel \u2192 dense/kernel/IsInitialized/VarIsInitializedOp",
        "dense/bias \u2192 dense/bias/Assign",
        "dense/bias \u2192 dense/bias/IsInitialized/VarIsInitializedOp",
    }
    assert "not connected" not in page.inner_text("[data-testid=inspector]")
    shot(page, "third-party-why-dense-initialisers")

    # Alone, dense's inspector counts its scope (the CLI's answer) and what crosses its box as drawn: the 4 init
    # edges leave the box for the initialisers' area, though they stay inside the scope.
    click_box(page, "dense")
    page.wait_for_selector('[data-boundary="box-outputs"] li[data-why-kind]')
    boundary = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-boundary]')].map(d => [d.dataset.boundary,
             Object.fromEntries([...d.querySelectorAll('li')].map(li => [li.dataset.whyKind, Number(li.dataset.count)]))]))"""
    )
    assert boundary == {
        "inputs": {"data": 1},
        "outputs": {"data": 1},
        "box-inputs": {"data": 1},
        "box-outputs": {"init": 4, "data": 1},
    }
    shot(page, "third-party-group-inspector-box")

    page.fill("[data-testid=search]", "VarHandleOp")
    page.wait_for_selector("[data-testid=search-results] button[data-result]")
    assert page.inner_text("[data-testid=search-results] .hdr") == "6 matches"
    results = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=search-results] button[data-result]')]
             .map(b => [b.dataset.result, b.querySelector('.meta').textContent])"""
    )
    assert {name for name, _ in results} == {
        "dense/kernel",
        "dense/bias",
        "dense_1/kernel",
        "dense_1/bias",
        "total",
        "count",
    }
    assert all(meta.startswith("VarHandleOp \u00b7 group") for _, meta in results), results
    shot(page, "third-party-search-op-type")
    page.locator('[data-testid=search-results] button[data-result="dense_1/kernel"]').click()
    page.wait_for_selector(sel("dense_1") + '[data-expanded="true"]')
    page.wait_for_selector(sel("dense_1/kernel"))
    assert not page.errors


def test_a_kind_whose_edges_join_ops_drawn_apart_says_so_on_portfolio_gan(page, third_party_server):
    """The GAN's discriminator weight `Variable_4` and the optimizer area: 4 optimizer edges are the drawn edge
    (its four ApplyAdam updates); 8 init edges join its Adam slots (drawn in the optimizer area) to their
    initialisers (named in its scope, drawn in the initialisers' area), and the answer says they are not drawn
    between these two boxes."""
    open_plugin(page, third_party_server.url, "portfolio-gan")
    click_box(page, "Variable_4")
    page.wait_for_selector("[data-testid=inspector] [data-testid=group-header]")
    click_box(page, "\u2237optimizer", shift=True)
    kinds = why_kinds(page)
    assert kinds["optimizer"]["count"] == 4 and kinds["optimizer"]["drawn"] is None
    assert all(edge.endswith("/ApplyAdam") for edge in kinds["optimizer"]["edges"])
    assert kinds["init"]["count"] == 8 and kinds["init"]["drawn"] == "0"
    assert kinds["init"]["apart"].startswith("None of them is drawn between these two boxes")
    # The legend hides init edges, but drawing them would not draw these between the two boxes: no "click init
    # to draw them" for this kind; the optimizer's, drawn here once shown, keeps it.
    assert page.locator("[data-why-kind=init] [data-hidden-by]").count() == 0
    assert page.locator("[data-why-kind=optimizer] [data-hidden-by]").get_attribute("data-hidden-by") == "hidden"
    assert page.locator("[data-testid=why-apart]").count() >= 1
    shot(page, "third-party-why-kind-apart")
    assert not page.errors


def test_an_edge_to_an_op_inside_the_group_of_its_own_name_is_that_ops(page, third_party_server):
    """amexpert's Dropout draws `random_uniform` (an Add) inside the group of its scope, beside `min`: the edge
    drawn between them is one edge, `min -> random_uniform`, not the scope's `min -> sub` as well."""
    open_plugin(page, third_party_server.url, "amexpert-keras-estimator")
    for group in ("dropout_3", "dropout_3/dropout", "dropout_3/dropout/random_uniform"):
        open_group(page, group)
    op, const = "dropout_3/dropout/random_uniform", "dropout_3/dropout/random_uniform/min"
    edge = f'.edge[data-from="{const}"][data-to="{op}"]'
    page.wait_for_selector(edge, state="attached")
    page.evaluate("s => document.querySelector(s).dispatchEvent(new MouseEvent('click', {bubbles: true}))", edge)
    kinds = why_kinds(page)
    assert kinds == {"data": {"count": 1, "drawn": None, "apart": None, "edges": [f"{const} \u2192 {op}"]}}
    assert page.inner_text("[data-why-parts]").endswith("\u00b7 1 op-level edge")
    shot(page, "third-party-why-own-name-op")
    assert not page.errors


def test_the_branch_not_taken_opened_is_ghosted_node_by_node_on_styx_keras(page, third_party_server):
    """styx-keras' Dropout is an If on keras_learning_phase: at inference its then_branch (the random mask) does
    not run. Opened, that body drew its nodes as if they ran; every one is now ghosted, the else_branch's none."""
    open_plugin(page, third_party_server.url, "styx-keras")
    page.keyboard.press("i")
    page.wait_for_function("() => document.querySelector('#phaseview-app').dataset.runAs === 'false'")
    for group in ("dropout", "dropout/cond", "dropout/cond/\u0192", "dropout/cond/\u0192then_branch"):
        open_group(page, group)
    open_group(page, "dropout/cond/\u0192else_branch")
    page.wait_for_timeout(300)
    marks = page.evaluate(
        """() => [...document.querySelectorAll('[data-node]')].filter(e => e.dataset.node.includes('\u0192'))
             .map(e => [e.dataset.node, e.getAttribute('data-runs')])"""
    )
    idle = {name: runs for name, runs in marks if name.startswith("dropout/cond/\u0192then_branch/")}
    taken = {name: runs for name, runs in marks if name.startswith("dropout/cond/\u0192else_branch/")}
    assert "dropout/cond/\u0192then_branch/dropout/random_uniform/RandomUniform" in idle
    assert len(idle) == 32 and set(idle.values()) == {"false"}  # the argument and the body's 31 ops
    assert len(taken) == 17 and set(taken.values()) == {None}
    edges_in_idle = page.evaluate(
        """() => [...document.querySelectorAll('.edge[data-from^="dropout/cond/\u0192then_branch/"]')]
             .map(e => e.getAttribute('data-runs'))"""
    )
    assert edges_in_idle and set(edges_in_idle) == {"false"}
    shot(page, "third-party-run-as-branch-not-taken")
    page.keyboard.press("t")
    page.wait_for_function("() => document.querySelector('#phaseview-app').dataset.runAs === 'true'")
    assert page.locator('[data-node^="dropout/cond/\u0192then_branch/"][data-runs="false"]').count() == 0
    assert page.locator('[data-node^="dropout/cond/\u0192else_branch/"][data-runs="false"]').count() == 17

    # An edge inside the open body is the body's own edge (it said "not connected": the call stood for both ends).
    cast, mul = "dropout/cond/\u0192then_branch/dropout/Cast", "dropout/cond/\u0192then_branch/dropout/mul_1"
    edge = f'.edge[data-from="{cast}"][data-to="{mul}"]'
    page.evaluate("s => document.querySelector(s).dispatchEvent(new MouseEvent('click', {bubbles: true}))", edge)
    assert why_kinds(page) == {"data": {"count": 1, "drawn": None, "apart": None, "edges": [f"{cast} \u2192 {mul}"]}}
    shot(page, "third-party-why-in-a-body")
    assert not page.errors


def test_a_variable_drawn_in_the_optimizer_area_shows_its_op_and_role(page, third_party_server):
    """portfolio-gan's `beta1_power` (Adam's power accumulator) is drawn in the optimizer's area as the group of its
    own name, `\u2237optimizer/beta1_power`. Found by a search for its type, its inspector showed a name scope with
    no op, role or why; it now shows the VariableV2 and its role."""
    open_plugin(page, third_party_server.url, "portfolio-gan")
    page.fill("[data-testid=search]", "beta1_power")
    item = '[data-testid=search-results] button[data-result="\u2237optimizer/beta1_power"]'
    page.wait_for_selector(item)
    assert page.locator(item + " .meta").text_content().startswith("VariableV2 \u00b7 group")
    assert page.locator('[data-testid=search-results] button[data-result="beta1_power"]').count() == 0
    page.locator(item).click()
    page.wait_for_selector(sel("\u2237optimizer/beta1_power"))
    click_box(page, "\u2237optimizer/beta1_power")
    role = page.locator("[data-testid=inspector] [data-testid=role-why]")
    role.wait_for()
    assert role.get_attribute("data-role") == "optimizer"
    assert "VariableV2" in page.inner_text("[data-testid=inspector]")
    shot(page, "third-party-area-variable-inspector")
    assert not page.errors
