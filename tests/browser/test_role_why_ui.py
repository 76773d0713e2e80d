"""The inspector says an op's role and why, in a real browser, on a GAN's training graph TensorFlow writes at
test time (tests/tf_written_roles.py)."""

from __future__ import annotations

import json

from test_first_screen import on_screen

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


def summary_rows(page) -> list[list[str]]:
    """Each row of the open summary panel: its layer's whole name, then its first four cells as shown."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             [tr.dataset.layer, ...[...tr.querySelectorAll('td')].slice(0, 4).map(td => td.textContent)])"""
    )


def open_traced_step(page, roles_graphs, start_server, name, load_fast, kinds) -> str:
    """Opens a traced TF2 step written at test time; its answer line says the flag ties two layers of ``kinds``.
    Returns the step's own graph scope (``graph_<i>``)."""
    written = roles_graphs[name]
    server = start_server(written.logdir, load_fast=load_fast)
    open_plugin(page, server.url, name)
    line = page.locator("[data-answer-line]")
    assert line.get_attribute("data-layers") == "2", line.text_content()
    assert f"ties 2 layers ({kinds}) together" in line.text_content()
    return written.analysis.phase.sources[0].name.rpartition("/")[0]


def test_a_traced_tf2_training_step_reads_its_flag_in_two_layers_and_their_gradients(page, roles_graphs, start_server):
    # TF2's custom loop (``training`` an argument of the step's tf.function): the answer counts the layers that
    # read it, not their gradients under ``gradient_tape/`` (which used to count as two layers more).
    traced = open_traced_step(
        page, roles_graphs, start_server, "roles_tf2_custom_loop", "false", "1 BatchNorm, 1 Dropout"
    )
    page.click('[data-phase-mode="highlight"]')
    phase_ends = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('[data-edge-kind=phase]')].map(e => e.dataset.to))]"
    )
    shot(page, "tf2-custom-loop-first-view")
    # The forward readers sit beside the flag inside the step's graph; the gradients' reads enter their area.
    assert phase_ends and all(end.startswith(traced) or end == "\u2237gradient" for end in phase_ends), phase_ends
    # Each weight counted once, as Keras counts them (Adam's slots apart).
    page.wait_for_function("() => document.querySelector('.pv-params')?.textContent.includes('params')")
    assert page.locator(".pv-params").text_content().startswith("418 params"), page.locator(".pv-params").text_content()
    role, text = inspect(page, f"{traced}/gradient_tape/model/bn/cond/StatelessIf")
    assert role == "gradient"
    explanation = page.locator("[data-testid=inspector]").text_content()
    assert f"part of the gradient of {traced}/model/bn" in explanation, explanation
    shot(page, "tf2-custom-loop-gradient-reader")
    assert not page.errors, page.errors


def test_a_tf2_gans_step_answers_its_flag_and_lists_both_models_with_their_layers(page, roles_graphs, start_server):
    # Two tapes wrap each cond in a function of its own: the flag is still found, read by the generator's
    # BatchNorm and the discriminator's Dropout; the summary lists each model with its layers in it.
    traced = open_traced_step(page, roles_graphs, start_server, "roles_tf2_gan", "true", "1 Dropout, 1 BatchNorm")
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    assert page.text_content("[data-testid=params-total]").startswith("373 params, 32 non-trainable")
    page.keyboard.press("m")
    page.wait_for_selector("[data-testid=summary] tr[data-layer]")
    rows = summary_rows(page)
    names = [row[0] for row in rows]
    assert [f"{traced}/generator", "generator", "Sequential"] in [row[:3] for row in rows], rows
    assert [f"{traced}/discriminator", "discriminator", "Sequential"] in [row[:3] for row in rows], rows
    assert page.text_content("[data-testid=summary-scope]") == f"layers in {traced}/"
    generator = names.index(f"{traced}/generator")
    assert [row[4] for row in rows[generator : generator + 5]] == ["276", "144", "64", "0", "68"], rows
    assert [row[1] for row in rows[generator + 1 : generator + 5]] == ["g_dense", "g_bn", "g_relu", "g_out"], rows
    indent = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             tr.querySelector('td').style.paddingLeft)"""
    )
    assert indent[generator : generator + 5] == ["", "1em", "1em", "1em", "1em"], indent
    page.keyboard.press("m")
    # The first view opens the step's box (the scope both models share): Highlight draws the flag's two edges,
    # to the generator and to the discriminator, both drawn open inside it.
    assert page.get_attribute(f'[data-node="{traced}"]', "data-expanded") == "true"
    page.click('[data-phase-mode="highlight"]')
    ends = page.evaluate(
        "() => [...document.querySelectorAll('[data-edge-kind=phase]')].map(e => e.getAttribute('data-to'))"
    )
    assert sorted(ends) == [f"{traced}/discriminator", f"{traced}/generator"], ends
    shot(page, "tf2-gan-first-view")
    # Closed, the flag and its readers are all inside the step's box, and no phase edge leaves it; that box
    # stays lit (outlined, a hole in the veil), not dimmed with the rest.
    # (Its chevron, top left of a box larger than the screen, is off screen: the frame is on the flag's readers,
    # which show their sizes now, and the step's box is wider for them.)
    page.evaluate(
        """s => document.querySelector(s + ' .chevron').dispatchEvent(new MouseEvent('click', {bubbles: true}))""",
        f'[data-node="{traced}"][data-group="true"]',
    )
    page.wait_for_selector(f'[data-node="{traced}"][data-expanded="false"]')
    page.wait_for_function("() => document.querySelectorAll('[data-edge-kind=phase]').length === 0")
    page.wait_for_timeout(400)  # the pan that brings the closed box into view
    assert on_screen(page, f'[data-node="{traced}"] > .body'), "the closed box is brought into view whole"
    outlines = page.evaluate(
        "() => [...document.querySelectorAll('.phase-end-outline')].map(r => r.getBoundingClientRect().toJSON())"
    )
    box = page.locator(f'[data-node="{traced}"]').first.bounding_box()
    (outline,) = outlines
    assert box["x"] - 1 <= outline["x"] and outline["x"] + outline["width"] <= box["x"] + box["width"] + 1, box
    assert box["y"] - 1 <= outline["y"] and outline["y"] + outline["height"] <= box["y"] + box["height"] + 1, box
    shot(page, "tf2-gan-step-closed")
    assert not page.errors, page.errors


def test_keras3s_fit_traced_by_its_callback_shows_its_model_where_its_step_was_one_call(
    page, roles_graphs, start_server
):
    # Keras 3's fit: the traced multi_step_on_iterator calls the step (a nested tf.function) once; the call is
    # inlined, so the model, its gradients and Adam are drawn and counted as Keras counts them (it was 1.2 k
    # params in 19 rows named after the trace's function graphs, `graph_22 _Retval` holding them all).
    fit = roles_graphs["roles_keras3_fit"]
    server = start_server(fit.logdir, load_fast="false")
    open_plugin(page, server.url, "roles_keras3_fit/train")
    assert "No learning-phase flag" in page.locator("[data-answer-line]").text_content()
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    assert page.text_content("[data-testid=params-total]").startswith("418 params, 8 non-trainable")
    areas = page.evaluate("() => [...document.querySelectorAll('[data-node^=\"\u2237\"]')].map(e => e.dataset.node)")
    assert {"\u2237gradient", "\u2237optimizer"} <= set(areas), areas
    page.keyboard.press("m")
    page.wait_for_selector("[data-testid=summary] tr[data-layer]")
    rows = summary_rows(page)
    step = fit.traced_step
    # The scope every layer shares is said once; each row shows its layer's name in it.
    assert page.text_content("[data-testid=summary-scope]") == f"layers in {step}/keras3_cnn_1/"
    assert [row[1] for row in rows] == ["conv_1", "bn_1", "relu_1", "flat_1", "drop_1", "head_1"]
    assert all(row[0] == f"{step}/keras3_cnn_1/{row[1]}" for row in rows), rows
    assert [(row[2], row[4]) for row in rows if row[4] != "0"] == [
        ("Conv2D", "112"),
        ("BatchNormalization", "16"),
        ("Dense", "290"),
    ]
    shot(page, "keras3-fit-summary")
    page.keyboard.press("m")
    # The call, inlined, is a NoOp that names the function it ran.
    role, _ = inspect(page, step)
    assert role == "optimizer"  # it waits for the step's updates
    inspector = page.locator("[data-testid=inspector]").text_content()
    assert "_inlined_function" in inspector and "__inference_one_step_on_data_" in inspector, inspector
    assert not page.errors, page.errors


def test_keras3s_fit_running_steps_in_a_loop_shows_the_step_beside_the_loop_and_keras_rows(
    page, roles_graphs, start_server
):
    # steps_per_execution=4: the step is called inside the loop's body. The summary was one row, `while`, typed
    # While and holding every variable (1.2 k params); the step is now inlined beside the loop, and the rows are
    # Keras's, with their types and shapes.
    looped = roles_graphs["roles_keras3_steps"]
    server = start_server(looped.logdir, load_fast="true")
    open_plugin(page, server.url, "roles_keras3_steps/train")
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    # Keras's 425 (its Normalization's statistics, constants in the graph, counted as Keras counts them).
    assert page.text_content("[data-testid=params-total]").startswith("425 params, 15 non-trainable")
    # Two edges of different kinds from the captured variables into the loop share one short route: their counts
    # sit side by side (the second was drawn over the first).
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('text.edge-count')].map(t => t.getBoundingClientRect().toJSON())"
    )
    overlapping = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
    ]  # fmt: skip
    assert len(boxes) > 3 and not overlapping, overlapping
    shot(page, "keras3-loop-first-view")
    page.keyboard.press("m")
    page.wait_for_selector("[data-testid=summary] tr[data-layer]")
    rows = summary_rows(page)
    assert page.text_content("[data-testid=summary-scope]") == f"layers in {looped.traced_step}/keras3_loop_1/"
    # The scope is longer than the panel is wide: it wraps, not cut off at the panel's edge.
    assert page.evaluate("() => { const p = document.querySelector('[data-testid=summary-scope]');"
                         " return p.scrollWidth <= p.clientWidth; }")  # fmt: skip
    assert [row[1:4] for row in rows] == [
        ["rescale_1", "Rescaling", "8×8×8×3"],
        ["norm_1", "Normalization", "8×8×8×3"],
        ["conv_1", "Conv2D", "8×6×6×4"],
        ["bn_1", "BatchNormalization", "8×6×6×4"],
        ["relu_1", "Activation", "8×6×6×4"],
        ["flat_1", "Flatten", "8×144"],
        ["drop_1", "Dropout", "8×144"],
        ["head_1", "Dense", "8×2"],
    ]
    shot(page, "keras3-loop-summary")
    page.keyboard.press("m")
    # The loop is a NoOp that says it was a While; the step's NoOp says where it was found.
    loop = looped.traced_step.removesuffix("/cond/StatefulPartitionedCall")
    inspect(page, loop)
    inspector = page.locator("[data-testid=inspector]").text_content()
    assert "_inlined_loop" in inspector and "While" in inspector, inspector
    inspect(page, looped.traced_step)
    inspector = page.locator("[data-testid=inspector]").text_content()
    assert "_inlined_within" in inspector and "while_cond_true_" in inspector, inspector
    assert not page.errors, page.errors
