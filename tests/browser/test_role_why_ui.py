"""The inspector says an op's role and why, in a real browser, on a GAN's training graph TensorFlow writes at
test time (tests/tf_written_roles.py)."""

from __future__ import annotations

import json

from conftest import open_plugin, shot


def inspect(page, name):
    page.fill("[data-testid=search]", name)
    result = page.locator("[data-testid=search-results] button[data-result=" + json.dumps(name) + "]")
    result.wait_for(state="attached")
    result.dispatch_event("click")
    page.wait_for_function(
        "n => document.querySelector('[data-testid=inspector] h2')?.textContent === n"
        " && document.querySelector('[data-testid=role-why]')",
        arg=name,
    )
    sentence = page.locator("[data-testid=role-why]")
    # Names are set in code type, not between literal backticks: put the backticks back to compare with the server.
    text = sentence.evaluate(
        "el => Array.from(el.childNodes).map(n => n.nodeName === 'CODE' ? '`' + n.textContent + '`' : n.textContent)"
        ".join('')"
    )
    assert "`" not in sentence.text_content()
    return sentence.get_attribute("data-role"), text


def test_the_inspector_says_each_ops_role_and_why(page, roles_graphs, start_server):
    dcgan = roles_graphs["roles_dcgan"]
    server = start_server(dcgan.logdir, load_fast="true")
    open_plugin(page, server.url, "roles_dcgan")
    role, text = inspect(page, "generator/deconv1/conv2d_transpose")
    assert role == "model"
    assert text == (
        "model `Conv2DBackpropInput` in the forward pass: no loss's gradient reaches it (a transposed convolution"
        " runs it): model"
    )
    shot(page, "role-why-transposed-convolution")
    role, text = inspect(page, "save/Assign_3")
    graph = dcgan.analysis.graph
    target = graph.names[graph.edge_src[graph.in_start[graph.index["save/Assign_3"]]]]
    assert role == "save"
    assert text == f"save writes `{target}` from the checkpoint read by `save/RestoreV2`: checkpoint restore"
    shot(page, "role-why-restore")
    assert not page.errors, page.errors
