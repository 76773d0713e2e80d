"""Tensor shapes on the drawn edges and each layer's size on its box, in a real browser on the demo graphs."""

from __future__ import annotations

from conftest import open_plugin, shot
from demo import demo_analysis
from tb_phaseview import layers, shapes

RUN = "dropout_cnn"


def drawn_shapes(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('.root-group > .edges path.edge[data-edge-kind="data"]')].map(e => ({
             from: e.getAttribute('data-from'), to: e.getAttribute('data-to'), shape: e.getAttribute('data-shape')}))"""
    )


def overlaps(page):
    """Shape labels that cover a box, or another shape label, on screen."""
    return page.evaluate(
        """() => {
             const labels = [...document.querySelectorAll('.edge-shape')].map(t => t.getBoundingClientRect());
             const boxes = [...document.querySelectorAll('.root-group > g[data-node] > .body > .box')]
               .map(b => b.getBoundingClientRect());
             const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
             let n = 0;
             labels.forEach((l, i) => { if (boxes.some(b => hit(l, b)) || labels.slice(i + 1).some(m => hit(l, m))) n++; });
             return n;
           }"""
    )


def test_edges_carry_their_tensor_shape_and_layer_boxes_their_size(page, tensorboard_url):
    open_plugin(page, tensorboard_url, RUN)
    drawn = drawn_shapes(page)
    assert drawn
    # Each data edge between two layers says the shape of the layer's output, as the summary reads it.
    outputs = {
        layer.name: shapes.format_shape(layer.output_shape) for layer in layers.summarize(demo_analysis(RUN)).layers
    }
    by_pair = {(e["from"], e["to"]): e["shape"] for e in drawn}
    assert by_pair[("conv1", "bn1")] == outputs["conv1"] == "?×16×16×8"
    assert by_pair[("pool2", "drop2")] == "?×8×8×16"
    assert by_pair[("flatten", "fc1")] == "?×1024"
    assert all(e["shape"] for e in drawn if e["from"] in outputs and e["to"] in outputs)
    # The label is the same text, drawn beside the edge.
    labels = page.evaluate("() => [...document.querySelectorAll('.root-group .edge-shape')].map(t => t.textContent)")
    assert "?×16×16×8" in labels and "?×1024" in labels
    # A layer's box shows its output shape and parameters.
    subtitle = page.evaluate("""() => document.querySelector('.root-group > g[data-node="fc1"] .sub').textContent""")
    assert subtitle.startswith("?×16 · 16 k params")
    # At the first view's readable zoom the labels are drawn, and none covers a box or another label.
    shot(page, "shapes-dropout-cnn-first-view")
    shown = (
        "() => [...document.querySelectorAll('.edge-shape')].filter(t => getComputedStyle(t).display !== 'none').length"
    )
    assert page.evaluate(shown) >= 5
    assert overlaps(page) == 0


def test_shape_labels_hide_below_a_readable_zoom(page, tensorboard_url):
    open_plugin(page, tensorboard_url, RUN)
    visible = (
        "() => [...document.querySelectorAll('.edge-shape')].filter(t => getComputedStyle(t).display !== 'none').length"
    )
    assert page.evaluate(visible) > 0
    for _ in range(8):
        page.keyboard.press("-")
    page.wait_for_function(f"() => ({visible})() === 0")
    shot(page, "shapes-dropout-cnn-zoomed-out")


def test_summary_panel_lists_layers_reveals_them_and_totals_the_model(page, tensorboard_url):
    open_plugin(page, tensorboard_url, "resnet_tf_keras")
    # The status bar totals the model, the optimizer's state apart.
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    assert page.text_content("[data-testid=params-total]").startswith("1.5 M params, 10 k non-trainable")
    page.keyboard.press("m")
    rows = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             [...tr.querySelectorAll('td')].slice(0, 4).map(td => td.textContent))"""
    )
    summary = layers.summarize(demo_analysis("resnet_tf_keras"))
    assert [r[0] for r in rows] == [layer.name for layer in summary.layers]
    assert rows[0] == ["input_image", "InputLayer", "?×32×32×3", "0"]
    assert ["bn2a_branch2c", "BatchNormalization", "?×7×7×256", "1,024"] in rows
    shot(page, "shapes-summary-panel")
    # A click on a row reveals and selects the layer; the inspector lists its variables.
    page.click('[data-testid=summary] tr[data-layer="bn3a_branch2c"]')
    page.wait_for_function(
        """() => document.querySelector('[data-node="bn3a_branch2c"]')?.classList.contains('selected')"""
    )
    variables = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=inspector] [data-variable]')].map(tr =>
             [...tr.querySelectorAll('td')].map(td => td.textContent))"""
    )
    assert ["moving_mean", "512", "float32", "512", "not trainable"] in variables
    assert ["gamma", "512", "float32", "512", ""] in variables
    shot(page, "shapes-summary-selected")
    assert page.errors == []
