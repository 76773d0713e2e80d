import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapPhaseEdges, visibleEnd, bySource, completePhasePaths } from '../src/graph/phasemap';
import type { PhaseEdge, PhaseSource } from '../src/graph/api';

const open = (...ids: string[]) => {
  const s = new Set(ids);
  return (g: string) => s.has(g);
};

test('visibleEnd is the first closed group on the path', () => {
  const path = ['model', 'model/bn1', 'model/bn1/cond'];
  assert.equal(visibleEnd('model/bn1/cond/Switch', path, open()), 'model');
  assert.equal(visibleEnd('model/bn1/cond/Switch', path, open('model')), 'model/bn1');
  assert.equal(visibleEnd('model/bn1/cond/Switch', path, open('model', 'model/bn1')), 'model/bn1/cond');
  assert.equal(
    visibleEnd('model/bn1/cond/Switch', path, open('model', 'model/bn1', 'model/bn1/cond')),
    'model/bn1/cond/Switch',
  );
});

test('visibleEnd of a node at the root is the node itself', () => {
  assert.equal(visibleEnd('keras_learning_phase', [], open()), 'keras_learning_phase');
});

test('a closed inner group behind an open one is still the end (a closed parent hides everything below)', () => {
  // 'model' closed: opening model/bn1 alone must not reveal it.
  assert.equal(visibleEnd('model/bn1/x', ['model', 'model/bn1'], open('model/bn1')), 'model');
});

test('an end the server left out of a truncated group falls back to the open group', () => {
  const drawn = new Set(['model', 'model/bn1']);
  const end = visibleEnd('model/bn1/omitted_op', ['model', 'model/bn1'], open('model', 'model/bn1'), (id) =>
    drawn.has(id),
  );
  assert.equal(end, 'model/bn1');
  const end2 = visibleEnd('model/bn9/x', ['model', 'model/bn9'], open('model'), (id) => drawn.has(id));
  assert.equal(end2, 'model');
});

const sources: PhaseSource[] = [
  {
    name: 'bnl_stg-1/keras_learning_phase',
    op: 'PlaceholderWithDefault',
    consumers: ['bnl_stg-1', 'bn2'],
    born_in: 'bnl_stg-1',
    path: ['bnl_stg-1/keras_learning_phase'],
    explanation: '',
  },
];
const edges: PhaseEdge[] = [
  {
    from: 'bnl_stg-1/keras_learning_phase',
    to: 'bnl_stg-1/cond/Switch',
    layer: 'bnl_stg-1',
    to_path: ['bnl_stg-1', 'bnl_stg-1/cond'],
  },
  {
    from: 'bnl_stg-1/keras_learning_phase',
    to: 'bnl_stg-1/cond_1/Switch',
    layer: 'bnl_stg-1',
    to_path: ['bnl_stg-1', 'bnl_stg-1/cond_1'],
  },
  { from: 'bnl_stg-1/keras_learning_phase', to: 'bn2/cond/Switch', layer: 'bn2', to_path: ['bn2', 'bn2/cond'] },
  {
    from: 'bnl_stg-1/keras_learning_phase',
    to: 'block/drop/cond/Switch',
    layer: 'block/drop',
    to_path: ['block', 'block/drop', 'block/drop/cond'],
  },
];

test('at the top level there is one drawn edge per reading layer (or per closed group holding layers)', () => {
  const m = mapPhaseEdges(edges, sources, open());
  assert.deepEqual(
    m.map((e) => [e.from, e.to, e.count]),
    [
      ['bnl_stg-1/keras_learning_phase', 'bnl_stg-1', 2],
      ['bnl_stg-1/keras_learning_phase', 'bn2', 1],
      ['bnl_stg-1/keras_learning_phase', 'block', 1],
    ],
  );
  assert.deepEqual(m[0].layers, ['bnl_stg-1']);
  assert.equal(m[0].source, 'bnl_stg-1/keras_learning_phase');
});

test('opening groups moves the ends deeper and splits merged edges', () => {
  const m = mapPhaseEdges(edges, sources, open('bnl_stg-1', 'block'));
  const pairs = m.map((e) => e.to).sort();
  assert.deepEqual(pairs, ['block/drop', 'bn2', 'bnl_stg-1/cond', 'bnl_stg-1/cond_1']);
});

test('the source end follows its own display path (the relocated flag group)', () => {
  const m = mapPhaseEdges(edges, sources, open('bnl_stg-1/keras_learning_phase'));
  assert.ok(m.every((e) => e.from === 'bnl_stg-1/keras_learning_phase'));
});

test('edges whose ends fall into one drawn element are dropped', () => {
  const src: PhaseSource[] = [
    { name: 'm/flag', op: 'Placeholder', consumers: [], born_in: null, path: ['m'], explanation: '' },
  ];
  const e: PhaseEdge[] = [{ from: 'm/flag', to: 'm/bn/cond', layer: 'm/bn', to_path: ['m', 'm/bn'] }];
  assert.equal(mapPhaseEdges(e, src, open()).length, 0);
  assert.equal(mapPhaseEdges(e, src, open('m')).length, 1);
});

test('bySource groups drawn edges by source end', () => {
  const m = mapPhaseEdges(edges, sources, open());
  const b = bySource(m);
  assert.equal(b.size, 1);
  assert.equal(b.get('bnl_stg-1/keras_learning_phase')!.length, 3);
});

test("a large graph's readers' paths, completed by the answer of the group they are in, end at the reading box", () => {
  // Past 300,000 nodes the first answer gives each reader's path down to its top-level group only.
  const edges: PhaseEdge[] = [
    { from: 'flag', to: 'bn_7/cond/Switch', layer: 'bn_7', to_path: ['[bn_1…bn_999]', 'bn_7'] },
    { from: 'flag', to: 'bn_8/cond/Switch', layer: 'bn_8', to_path: ['[bn_1…bn_999]', 'bn_8'] },
  ];
  const sources: PhaseSource[] = [];
  const opened = open('[bn_1…bn_999]', 'bn_7');
  const drawn = open('[bn_1…bn_999]', 'bn_7', 'bn_7/cond', 'bn_8'); // bn_7 open: its children drawn, closed
  assert.deepEqual(
    mapPhaseEdges(edges, sources, opened, drawn).map((e) => e.to),
    ['bn_7', 'bn_8'],
    "without the rest of the path the edge stops at the opened layer's frame",
  );
  completePhasePaths(edges, { 'bn_7/cond/Switch': ['[bn_1…bn_999]', 'bn_7', 'bn_7/cond'] });
  assert.deepEqual(
    mapPhaseEdges(edges, sources, opened, drawn).map((e) => e.to),
    ['bn_7/cond', 'bn_8'],
  );
  assert.deepEqual(edges[1].to_path, ['[bn_1…bn_999]', 'bn_8'], 'a reader the answer does not name keeps its path');
  // The bucket's answer, arriving after the layer's, says less: the longer path is kept.
  completePhasePaths(edges, { 'bn_7/cond/Switch': ['[bn_1…bn_999]', 'bn_7'] });
  assert.deepEqual(edges[0].to_path, ['[bn_1…bn_999]', 'bn_7', 'bn_7/cond']);
});
