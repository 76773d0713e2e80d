"""Tensor shapes on the drawn edges and each layer's size on its box, in a real browser on the demo graphs."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import ARTIFACTS, SUMMARY_FITS, SUMMARY_WIDTHS, boxes, open_plugin, shot
from demo import demo_analysis
from tb_phaseview.analysis import layers, shapes
from third_party_graphs import SHARED_GRAPHS

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
    labels = page.evaluate(
        "() => [...document.querySelectorAll('[data-labels-of=\"\"] .edge-shape')].map(t => t.textContent)"
    )
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

    # Edge width follows the tensor's size; the toggle switches it to the edge count, moving nothing.
    width = """pair => Number(document.querySelector(
        `.root-group path.edge[data-from="${pair[0]}"][data-to="${pair[1]}"]`).getAttribute('stroke-width'))"""
    big, small = page.evaluate(width, ["conv2", "bn2"]), page.evaluate(width, ["fc1", "drop3"])
    assert big > small  # ?×16×16×16 against ?×16
    before = boxes(page)
    page.click('[data-action="edge-width"]')
    assert page.evaluate(width, ["conv2", "bn2"]) == page.evaluate(width, ["fc1", "drop3"])  # one edge each
    assert boxes(page) == before
    page.click('[data-action="edge-width"]')
    assert page.evaluate(width, ["conv2", "bn2"]) == big


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
    # Every column in sight: the panel never scrolls sideways (a long name breaks instead).
    assert page.evaluate(SUMMARY_FITS), page.evaluate(SUMMARY_WIDTHS)
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


def _box_fill(body, name):
    # A locator's evaluate passes its element first.
    return body.evaluate('(_, name) => document.querySelector(`[data-node="${name}"] > .body > .box`).style.fill', name)


def test_colour_by_compute_time_on_a_traced_step_is_kept_in_the_link(browser, tensorboard_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=tensorboard_url.rstrip("/"))
    try:
        page = ctx.new_page()
        page.goto(tensorboard_url + "#phaseview")
        page.frame_locator("iframe").locator('#phaseview-app[data-ready="true"]').wait_for(timeout=60_000)
        frame = page.frame_locator("iframe")
        frame.locator("[data-testid=run-select]").select_option("tf1_is_training")
        frame.locator('[data-node="conv1"]').wait_for()
        value = frame.locator("[data-testid=graph-select] option").evaluate_all(
            "options => options.map(o => o.value).find(v => v.includes('tagged_run_metadata'))"
        )
        frame.locator("[data-testid=graph-select]").select_option(value)
        frame.locator('[data-node="∷gradient"]').wait_for()
        frame.locator("[data-testid=colour-by]").select_option("compute")
        legend = frame.locator('[data-testid=colour-legend][data-colour-by="compute"]')
        legend.wait_for()
        frame.locator('[data-node="conv1"] > .body > .box[style*="fill"]').wait_for()
        text = legend.text_content()
        assert text.startswith("compute time: ") and "(log scale)" in text and " – " in text
        fills = {name: _box_fill(frame.locator("body"), name) for name in ("conv1", "bn1", "fc1")}
        assert all(fills.values()) and len(set(fills.values())) == 3, fills
        shot(page, "shapes-colour-by-compute")

        frame.locator("[data-testid=colour-by]").select_option("device")
        frame.locator('[data-testid=colour-legend][data-colour-by="device"]').wait_for()
        frame.locator(
            '[data-testid=colour-legend] [data-value="/job:localhost/replica:0/task:0/device:CPU:0"]'
        ).wait_for()
        frame.locator("[data-testid=colour-by]").select_option("memory")
        frame.locator('[data-testid=colour-legend][data-colour-by="memory"]').wait_for()
        frame.locator('[data-action="copy-link"]').click()
        field = frame.locator("[data-testid=share-link]")
        field.wait_for()
        link = field.input_value()
    finally:
        ctx.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page2 = fresh.new_page()
        page2.goto(link)
        frame2 = page2.frame_locator("iframe")
        frame2.locator('#phaseview-app[data-link-restored="true"]').wait_for(timeout=60_000)
        assert frame2.locator("[data-testid=colour-by]").input_value() == "memory"
        frame2.locator('[data-testid=colour-legend][data-colour-by="memory"]').wait_for()
        frame2.locator('[data-node="conv1"] > .body > .box[style*="fill"]').wait_for()
    finally:
        fresh.close()


def test_export_carries_the_colours_their_legend_and_the_model_size(page, tensorboard_url):
    open_plugin(page, tensorboard_url, RUN)
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    page.select_option("[data-testid=colour-by]", "type")
    page.wait_for_selector('[data-testid=colour-legend][data-colour-by="type"] [data-value="Conv2D"]')
    page.wait_for_selector('[data-node="conv1"] > .body > .box[style*="fill"]')
    with page.expect_download() as download:
        page.click('[data-action="export-svg"]')
    svg = open(download.value.path(), encoding="utf-8").read()
    assert "boxes coloured by layer type: " in svg and "Conv2D" in svg
    assert "18 k params, 48 non-trainable" in svg
    conv_fill = page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-node=\"conv1\"] > .body > .box')).fill"
    )
    assert conv_fill.replace(" ", "") in svg.replace(" ", "") or _hex(conv_fill) in svg


def _hex(rgb: str) -> str:
    r, g, b = (int(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def test_summary_is_exported_with_the_picture_and_copied_as_markdown(browser, tensorboard_url):
    """With the summary open, the SVG (and the PNG made from it) carries the table under the legend, one row per
    layer in the panel's order with its cells; closed, the picture is the graph's alone. Copy puts the table on
    the clipboard as Markdown."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=tensorboard_url.rstrip("/"))
    try:
        page = ctx.new_page()
        open_plugin(page, tensorboard_url, RUN)
        page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")

        def exported() -> str:
            with page.expect_download() as download:
                page.click('[data-action="export-svg"]')
            return open(download.value.path(), encoding="utf-8").read()

        assert 'data-export="table"' not in exported()  # the panel is closed: the picture has no table
        page.keyboard.press("m")
        page.wait_for_selector("[data-testid=summary] tr[data-layer]")
        panel = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
                 [...tr.querySelectorAll('td')].slice(0, 4).map(td => td.textContent))"""
        )
        svg = exported()
        page.set_content(svg)  # read the file as a document: the rows and their cells, as drawn
        rows = page.evaluate(
            """() => [...document.querySelectorAll('[data-export=table] g[data-layer]')].map(g =>
                 [...g.querySelectorAll('text')].map(t => t.textContent))"""
        )
        assert [r[:4] for r in rows] == panel
        summary = layers.summarize(demo_analysis(RUN))
        assert ["fc1", "Dense", "?×16", "16,400", "16,400"] in rows
        assert f"Total params: {summary.total_params:,}" in svg
        page.screenshot(path=os.path.join(ARTIFACTS, "shapes-export-with-summary.png"), full_page=True)

        open_plugin(page, tensorboard_url, RUN)
        page.keyboard.press("m")
        page.click('[data-action="copy-summary"]')
        page.wait_for_selector('[data-testid=summary][data-copied="markdown"]')
        text = page.evaluate("() => navigator.clipboard.readText()")
        lines = text.splitlines()
        assert lines[0] == "| layer | type | output shape | params | trainable params |"
        assert [line.split(" | ")[0].lstrip("| ") for line in lines[2 : 2 + len(panel)]] == [r[0] for r in panel]
        assert "| fc1 | Dense | ?×16 | 16,400 | 16,400 |" in lines
    finally:
        ctx.close()


def test_a_frozen_graphs_summary_counts_its_constants_and_indents_inner_layers(page, start_server, tmp_path):
    """A frozen Keras CNN and a frozen char-RNN (third-party): the status bar, the panel and the inspector say the
    weights are constants and count them as Keras would; the box of a layer says the same count; the scopes of
    the LSTM cells' weights are indented under the scope that holds them."""
    if not SHARED_GRAPHS:
        pytest.skip("the third-party graphs are not beside the repository")
    for name in ("arabic-digits-frozen", "char-rnn-frozen"):
        folder = os.path.join(SHARED_GRAPHS, name)
        os.makedirs(tmp_path / name)
        for f in os.listdir(folder):
            if ".tfevents." in f:
                shutil.copy(os.path.join(folder, f), tmp_path / name / f)
    server = start_server(tmp_path, wait_for_graphs=2)
    open_plugin(page, server.url, "arabic-digits-frozen")
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    assert page.text_content("[data-testid=params-total]") == (
        "522 k params, 0 non-trainable · frozen graph: the weights are 10 constants (521,834 values)"
    )
    subtitle = page.evaluate(
        """() => document.querySelector('.root-group > g[data-node="dense_1"] .sub').textContent"""
    )
    assert "315 k params" in subtitle
    page.keyboard.press("m")
    rows = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             [...tr.querySelectorAll('td')].slice(0, 4).map(td => td.textContent))"""
    )
    assert ["dense_1", "Dense", "?×64", "315,456"] in rows
    assert ["flatten_1", "Flatten", "?×4928", "0"] in rows
    page.click('[data-testid=summary] tr[data-layer="dense_1"]')
    page.wait_for_selector("[data-testid=inspector] [data-variable]")
    variables = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=inspector] [data-variable]')].map(tr =>
             [...tr.querySelectorAll('td')].map(td => td.textContent))"""
    )
    assert ["kernel", "4928×64", "float32", "315,392", "constant"] in variables
    shot(page, "shapes-summary-frozen")
    open_plugin(page, server.url, "char-rnn-frozen")
    page.wait_for_selector("[data-testid=summary] tr[data-layer='rnnlm']", state="attached")
    if not page.is_visible("[data-testid=summary]"):
        page.keyboard.press("m")
    indent = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             [tr.dataset.layer, tr.querySelector('td').style.paddingLeft]))"""
    )
    # The cells' weights sit inside rnnlm, a row of its own in data-flow order (it holds weights), apart from them:
    # they keep their path and no indent (under `split`, the row before them, they read as split's layers).
    assert indent["rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell"] == "" and indent["rnnlm"] == ""
    shown = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             [tr.dataset.layer, tr.querySelector('td').textContent]))"""
    )
    assert shown["rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell"] == "rnnlm/multi_rnn_cell/cell_0/basic_lstm_cell"
    types = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             [tr.dataset.layer, tr.querySelectorAll('td')[1].textContent]))"""
    )
    # The LSTM is rnnlm, computed in rnnlm_1 (static_rnn's second entry into its scope) with rnnlm's constants.
    assert (types["embedding"], types["rnnlm"], types["MultiRNNCellZeroState"]) == ("Embedding", "LSTM", "Zeros")
    assert "rnnlm_1" not in types
    shot(page, "shapes-summary-frozen-char-rnn")
    assert page.errors == []


def test_a_slim_networks_summary_reads_a_name_a_line(page, roles_graphs, start_server):
    """TF-Slim's ResNet-50 in the tab's summary (its names are long: ``resnet_v1_50/conv1/BatchNorm``, a block's
    ``unit_1/bottleneck_v1/shortcut/BatchNorm``): they were cut into three to five lines each, in a column 50 px
    wide beside the types. The panel widens with the window: a name of a scope or two reads on one line, the
    longest on two, and every column stays in sight. A convolution's row counts its kernel, its BatchNorm is the
    row beside it (not indented under it), as Keras lists them."""
    written = roles_graphs["roles_tf1_slim_resnet"]
    server = start_server(written.logdir)
    open_plugin(page, server.url, "roles_tf1_slim_resnet")
    page.keyboard.press("m")
    page.wait_for_selector("[data-testid=summary] tr[data-layer='resnet_v1_50/conv1']")
    cells = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             [tr.dataset.layer, [...tr.querySelectorAll('td')].slice(0, 4).map(td => td.textContent)]))"""
    )
    # Named within the scope every layer but the input shares, said once above the rows.
    assert page.text_content("[data-testid=summary-scope]") == "layers in resnet_v1_50/"
    assert cells["images"][:2] == ["images", "InputLayer"]
    assert cells["resnet_v1_50/conv1"] == ["conv1", "Conv2D", "?×112×112×64", "9,408"]
    assert cells["resnet_v1_50/conv1/BatchNorm"] == ["conv1/BatchNorm", "BatchNormalization", "?×112×112×64", "256"]
    # Lines of each name, by its cell's height against the one-line cell of its type beside it.
    lines = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr => {
             const [name, type] = tr.querySelectorAll('td');
             const range = document.createRange();
             range.selectNodeContents(name);
             const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
             return [tr.dataset.layer, tops.size];
           }))"""
    )
    assert lines["resnet_v1_50/conv1"] == lines["resnet_v1_50/pool1"] == 1, lines
    assert lines["resnet_v1_50/conv1/BatchNorm"] == 1, lines
    assert max(lines.values()) <= 2, {name: n for name, n in lines.items() if n > 2}
    assert page.evaluate(SUMMARY_FITS), page.evaluate(SUMMARY_WIDTHS)
    shot(page, "shapes-summary-slim-resnet")
    assert page.errors == []


def test_a_pytorch_models_summary_lists_its_modules_and_says_what_it_cannot_count(page, start_server, tmp_path):
    # Written by PyTorch's add_graph (scripts/make_pytorch_demo.py --fixture): containers of layers, and a strided
    # convolution whose kernel the graph's sizes do not tell. The panel showed one row typed `aten::batch_norm` and
    # the status bar "no variables".
    fixture = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "pytorch_nested")
    shutil.copytree(fixture, tmp_path / "pytorch_nested")
    server = start_server(tmp_path)
    open_plugin(page, server.url)
    page.wait_for_function("() => document.querySelector('[data-testid=params-total]').textContent !== ''")
    assert page.text_content("[data-testid=params-total]").startswith("7.9 k params, 0 non-trainable")
    assert "1 variable of unknown size not counted" in page.text_content("[data-testid=params-total]")
    # The model's box (opened by the first view) counts them too, saying some are of unknown size.
    assert "2×10 · 7.9 k + ? params" in page.text_content('[data-node="NestedNet"]')
    page.keyboard.press("m")
    rows = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=summary] tr[data-layer]')].map(tr =>
             [...tr.querySelectorAll('td')].slice(0, 4).map(td => td.textContent))"""
    )
    assert rows[:2] == [
        ["Sequential[features]", "Sequential", "2×32×4×4", "5,184 + ?"],
        ["Conv2d[0]", "Conv2d", "2×16×16×16", "448"],
    ]
    assert ["Conv2d[7]", "Conv2d", "2×32×4×4", "32 + ?"] in rows
    assert ["Linear[4]", "Linear", "2×10", "650"] in rows
    cell = '[data-testid=summary] tr[data-layer="NestedNet/Sequential[features]/Conv2d[7]"] td.k'
    assert page.get_attribute(cell, "title") == "1 of its parameters of a size the graph does not say"
    assert page.evaluate(SUMMARY_FITS), page.evaluate(SUMMARY_WIDTHS)
    shot(page, "shapes-summary-pytorch")
    assert page.errors == []
