import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportFileName, legendItems, MAX_PIXELS, MAX_SIDE, phaseLegend, pngPlan } from '../src/share/exportplan';

test('PNG at 2x when it fits', () => {
  const p = pngPlan(1400, 1000);
  assert.ok(p.ok);
  assert.deepEqual([p.width, p.height, p.scale, p.reduced, p.message], [2800, 2000, 2, false, null]);
});

test('PNG scaled down to 16k px a side and 64 Mpx, with a message', () => {
  const wide = pngPlan(12000, 500);
  assert.ok(wide.ok && wide.reduced && wide.width <= MAX_SIDE && /instead of 2x/.test(wide.message!));
  assert.equal(wide.ok && wide.width, MAX_SIDE);
  const big = pngPlan(7000, 7000);
  assert.ok(big.ok && big.width * big.height <= MAX_PIXELS && big.width <= MAX_SIDE);
  assert.ok(big.ok && Math.abs(big.width / big.height - 1) < 0.001, 'keeps the aspect ratio');
});

test('PNG refused below half density; empty refused', () => {
  const p = pngPlan(100_000, 80_000);
  assert.equal(p.ok, false);
  assert.match(p.ok ? '' : p.message, /Export SVG instead/);
  assert.equal(pngPlan(0, 10).ok, false);
  assert.equal(pngPlan(NaN, 10).ok, false);
});

test('legend names the kinds drawn and what the phase filter does', () => {
  const phase = { sources: ['keras_learning_phase'], layers: 24 };
  assert.equal(
    phaseLegend('collapse', phase),
    'phase edges: collapsed (24 layers read keras_learning_phase; φ marks them)',
  );
  assert.match(phaseLegend('highlight', phase), /^phase edges: highlighted/);
  assert.match(phaseLegend('show', phase), /^phase edges: shown as plain edges/);
  assert.match(phaseLegend('show', { sources: [], layers: 0 }), /no learning-phase flag/);
  const items = legendItems(new Set(['data']), 'collapse', phase, 2);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['data', 'phase-badge', 'note'],
  );
  assert.deepEqual(
    legendItems(new Set(['data', 'control']), 'show', phase, 0).map((i) => i.kind),
    ['data', 'control', 'phase'],
  );
});

test('file names are safe', () => {
  assert.equal(exportFileName('<b>run</b>/x', 'op graph', 'svg'), 'phaseview-b_run_b_x-op_graph.svg');
});

test('XML-safe: every character XML 1.0 forbids is replaced, the rest kept', async () => {
  const { xmlSafe } = await import('../src/share/exportplan');
  const forbidden = [...Array(0x20).keys()]
    .filter((c) => ![0x09, 0x0a, 0x0d].includes(c))
    .map((c) => String.fromCharCode(c));
  forbidden.push('\uFFFE', '\uFFFF', '\uD800', '\uDFFF');
  for (const ch of forbidden)
    assert.equal(xmlSafe(`<text>a${ch}b</text>`), '<text>a\uFFFDb</text>', JSON.stringify(ch));
  const kept = 'tab\tnl\ncr\r é 😀 \u2028 \u007f <&amp;>';
  assert.equal(xmlSafe(kept), kept);
  assert.equal(xmlSafe('\uD83D\uDE00\uD83D'), '\uD83D\uDE00\uFFFD');
});

test('the legend says which phase the view runs as, after the phase filter', () => {
  const phase = { sources: ['keras_learning_phase'], layers: 2 };
  const runAs = { phase: 'inference' as const, summary: "12 ops don't run in inference" };
  const items = legendItems(new Set(['data']), 'collapse', phase, 1, {}, runAs);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['data', 'phase-badge', 'run-as', 'note'],
  );
  assert.equal(items[2].label, "run as inference: 12 ops don't run in inference (faded)");
  assert.ok(!legendItems(new Set(['data']), 'collapse', phase, 0).some((i) => i.kind === 'run-as'));
});

test('the run-as lines say only the marks the drawing shows', () => {
  const phase = { sources: ['keras_learning_phase'], layers: 5 };
  const summary = "136 ops don't run in inference; 15 more run though only training uses their result (outlined)";
  const drawn = { faded: 0, partly: 4, passThrough: ['drop1', 'drop2'], unused: 0 };
  const items = legendItems(new Set(['data']), 'collapse', phase, 0, {}, { phase: 'inference', summary, drawn });
  assert.deepEqual(
    items.slice(2).map((i) => i.label),
    [
      "run as inference: 136 ops don't run in inference",
      "bar under a box: the share of its ops that don't run (4 boxes)",
      'dashed, an edge drawn past it: drop1, drop2 pass their input through',
    ],
  );
  const open = { faded: 1, partly: 0, passThrough: [], unused: 2 };
  const labels = legendItems(new Set(), 'collapse', phase, 0, {}, { phase: 'training', summary, drawn: open }).map(
    (i) => i.label,
  );
  assert.ok(labels.includes("faded: 1 box that doesn't run"));
  assert.ok(labels.includes('outlined: 2 ops that run though only inference uses the result'));
});
