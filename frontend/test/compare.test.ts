import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareLink, compareTokenFromHash, decodeCompare, encodeCompare, notesOfLayer } from '../src/compare/answer';
import { compareParams } from '../src/graph/api';

const A = { run: 'base', kind: 'run_graph', tag: null };
const B = { run: 'runs/ünïcode & co', kind: 'trace', tag: 'step 1' };

test('a compare token names both graphs and survives any run name', () => {
  const token = encodeCompare(A, B);
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCompare(token), { a: A, b: B });
});

test("a compare token carries each graph's moves to the model; a token without them still opens", () => {
  const moved = { ...A, model: ['save/', 'training/SGD'] };
  assert.deepEqual(decodeCompare(encodeCompare(moved, B)), { a: moved, b: B });
  assert.deepEqual(decodeCompare(encodeCompare(B, moved)), { a: B, b: moved });
  // A token written before moves were carried (three fields a graph) opens the same comparison.
  const old = Buffer.from(
    JSON.stringify([
      ['base', 'run_graph', null],
      ['b', 'run_graph', null],
    ]),
  ).toString('base64url');
  assert.deepEqual(decodeCompare(old), { a: A, b: { run: 'b', kind: 'run_graph', tag: null } });
  // Moves are read as links read them: strings only, bounded, sorted; what is not a list of names is none.
  const odd = Buffer.from(
    JSON.stringify([
      ['base', 'run_graph', null, ['b/', 7, 'a']],
      ['b', 'run_graph', null, {}],
    ]),
  );
  assert.deepEqual(decodeCompare(odd.toString('base64url')), {
    a: { ...A, model: ['a', 'b/'] },
    b: { run: 'b', kind: 'run_graph', tag: null },
  });
});

test("the compare request sends each graph's moves beside it", () => {
  const params = compareParams({ ...A, model: ['save/'] }, { ...B, model: ['training/'] });
  assert.deepEqual(params, {
    run: 'base',
    kind: 'run_graph',
    tag: null,
    model: '["save/"]',
    run_b: B.run,
    kind_b: 'trace',
    tag_b: 'step 1',
    model_b: '["training/"]',
  });
  assert.equal(compareParams(A, B).model, undefined);
});

test('what is not a compare token is refused, never half read', () => {
  for (const bad of [
    '',
    'notatoken',
    encodeCompare(A, B).slice(0, 10),
    btoa('[1,2]'),
    btoa('[["a","k"],["b","k",null]]'),
  ])
    assert.equal(decodeCompare(bad), null, bad);
});

test('the link carries the comparison in the plugin tab hash, beside nothing else', () => {
  const url = compareLink('http://host:6006/?darkMode=false#scalars', A, B);
  assert.ok(url.startsWith('http://host:6006/?darkMode=false#phaseview&pvc='));
  const token = compareTokenFromHash(new URL(url).hash);
  assert.deepEqual(decodeCompare(token!), { a: A, b: B });
  assert.equal(compareTokenFromHash('#phaseview&pv=abc'), null);
});

test('notes of a layer are those on it or inside it, not on a layer whose name starts the same', () => {
  const notes = [
    { node: 'conv2d_1', text: 'on it' },
    { node: 'conv2d_1/Conv2D', text: 'inside' },
    { node: 'conv2d_10', text: 'another layer' },
  ];
  assert.deepEqual(
    notesOfLayer(notes, 'conv2d_1').map((n) => n.text),
    ['on it', 'inside'],
  );
});

test("a row is named within the scope its side's layers share, and by both names when they differ", async () => {
  const { rowLines } = await import('../src/compare/view');
  const layer = (name: string, label?: string) => ({
    name,
    label,
    type: 'Dropout',
    output_shape: [8, 16],
    params: 0,
    reads_flag: false,
  });
  const same = rowLines(
    {
      status: 'changed',
      a: layer('graph_19/s/net_1/drop_1', 'drop_1'),
      b: layer('graph_25/s/net_1/drop_1', 'drop_1'),
      what: [],
    },
    [],
  );
  assert.equal(same.head, 'drop_1');
  const renamed = rowLines(
    {
      status: 'changed',
      a: layer('graph_19/s/net_1/drop_1', 'drop_1'),
      b: layer('graph_25/s/net_1/drop_2', 'drop_2'),
      what: [],
    },
    [],
  );
  assert.equal(renamed.head, 'drop_1 → drop_2');
  // An older server sends no labels: the whole names, as before.
  const old = rowLines({ status: 'same', a: layer('a/drop_1'), b: layer('b/drop_1'), what: [] }, []);
  assert.equal(old.head, 'a/drop_1 → b/drop_1');
});
