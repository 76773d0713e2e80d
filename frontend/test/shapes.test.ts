import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { formatValue, NO_VALUE, paint } from '../src/scene/colourscale';
import { countWords, sizeLine, widthForElements } from '../src/scene/shapes';
import { decodeLink, encodeLink } from '../src/share/linkcodec';
import { initialState } from '../src/graph/state';
import type { Child } from '../src/graph/api';

test('a parameter count reads at a glance, as the CLI writes it', () => {
  // The table the server's tests check count_words against too (tests/fixtures/count_words.json).
  const table = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../tests/fixtures/count_words.json', import.meta.url)), 'utf8'),
  ) as { cases: [number, string][] };
  assert.ok(table.cases.length >= 20);
  for (const [n, words] of table.cases) assert.equal(countWords(n), words, String(n));
});

test("a layer box's size line: output shape, then parameters; nothing without shape_info", () => {
  const c: Child = { name: 'fc1', label: 'fc1', type: 'group', phase: null };
  assert.equal(sizeLine(c), null);
  assert.equal(sizeLine({ ...c, shape_info: { output_shape: '?×16', params: 16400 } }), '?×16 · 16 k params');
  assert.equal(sizeLine({ ...c, shape_info: { params: 1 } }), '1 param');
  assert.equal(sizeLine({ ...c, shape_info: { output_shape: '?×16' } }), '?×16');
  // Some of its parameters of a size the graph does not say (a PyTorch strided convolution's kernel).
  assert.equal(
    sizeLine({ ...c, shape_info: { output_shape: '2×32×4×4', params: 32, unknown_params: 1 } }),
    '2×32×4×4 · 32 + ? params',
  );
  // None of them of a size the graph says (an embedding's table): not `0 + ?`.
  assert.equal(
    sizeLine({ ...c, shape_info: { output_shape: '2×7×16', params: 0, unknown_params: 1 } }),
    '2×7×16 · ? params',
  );
});

test('edges grow with their tensors, up to a bound', () => {
  assert.equal(widthForElements(1, 1.2, 4), 1.2);
  assert.ok(widthForElements(4096, 1.2, 4) > widthForElements(64, 1.2, 4));
  assert.equal(widthForElements(2 ** 40, 1.2, 4), 5.2);
});

test('categories get a colour each; numbers a log scale; no value is grey and counted', () => {
  const p = paint(
    new Map<string, string | number | null>([
      ['a', 'Conv2D'],
      ['b', 'Dense'],
      ['c', 'Conv2D'],
      ['d', null],
    ]),
  );
  assert.equal(p.fills.get('a'), p.fills.get('c'));
  assert.notEqual(p.fills.get('a'), p.fills.get('b'));
  assert.equal(p.fills.get('d'), NO_VALUE);
  assert.equal(p.missing, 1);
  assert.deepEqual(
    p.categories.map(([v]) => v),
    ['Conv2D', 'Dense'],
  );
  const n = paint(
    new Map<string, number | null>([
      ['x', 1],
      ['y', 100],
      ['z', 10],
    ]),
  );
  assert.deepEqual([n.range?.min, n.range?.max], [1, 100]);
  assert.equal(n.fills.get('x'), n.range?.low);
  assert.equal(n.fills.get('y'), n.range?.high);
  assert.notEqual(n.fills.get('z'), n.fills.get('x'));
  assert.equal(formatValue('compute', 76637.5), '76.6 ms');
  assert.equal(formatValue('memory', 33808), '34 KB');
});

test('the colour choice goes into a link and back', () => {
  const view = { ...initialState(), graph: { run: 'r', kind: 'run_graph', tag: null }, colour: 'device' };
  const back = decodeLink(encodeLink({ view, viewport: null, notes: [] }).token);
  assert.equal(back?.view.colour, 'device');
  const plain = decodeLink(encodeLink({ view: { ...view, colour: undefined }, viewport: null, notes: [] }).token);
  assert.equal(plain?.view.colour, undefined);
});
