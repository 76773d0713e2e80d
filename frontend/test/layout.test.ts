import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildLayoutInput,
  collapsedSize,
  expandedSize,
  inputSignature,
  displayLabel,
  phaseNote,
} from '../src/layout/input';
import {
  layoutGroup,
  gridLayout,
  longestPathRanks,
  dagreWork,
  DAGRE_MAX_NODES,
  orderAreaColumn,
  BUCKET_COLUMNS_MAX,
  segmentCrosses,
} from '../src/layout/core';
import { firstViewFrame } from '../src/scene/firstview';
import type { GroupAnswer } from '../src/graph/api';
import type { PlacedNode } from '../src/layout/input';

const group: GroupAnswer = {
  version: 1,
  group: '',
  path: [],
  children: [
    { name: 'input', label: 'input', type: 'op', op: 'Placeholder', phase: null },
    { name: 'conv1', label: 'conv1', type: 'group', size: 5, ops: { Conv2D: 1 }, phase: null },
    {
      name: 'bn1',
      label: 'bn1',
      type: 'group',
      size: 40,
      ops: { Switch: 8 },
      phase: { role: 'layer', kind: 'BatchNormalization', source: 'flag' },
    },
    {
      name: 'flag',
      label: 'flag',
      type: 'op',
      op: 'PlaceholderWithDefault',
      phase: { role: 'source', consumers: 1, born_in: 'bn1', explanation: 'flag is the learning-phase flag.' },
    },
  ],
  edges: [
    { from: 'input', to: 'conv1', kind: 'data', count: 1 },
    { from: 'conv1', to: 'bn1', kind: 'data', count: 3 },
    { from: 'conv1', to: 'bn1', kind: 'data', count: 2 },
    { from: 'conv1', to: 'bn1', kind: 'control', count: 1 },
    { from: 'flag', to: 'bn1', kind: 'phase', count: 4 },
    { from: 'bn1', to: 'bn1', kind: 'data', count: 1 },
    { from: 'conv1', to: 'not_sent', kind: 'data', count: 1 },
  ],
  truncated: false,
};

test('phase edges, self loops and edges to unsent children never reach the layout', () => {
  const input = buildLayoutInput(group, () => undefined);
  assert.equal(input.nodes.length, 4);
  assert.ok(input.edges.every((e) => e.kind !== 'phase'));
  assert.ok(input.edges.every((e) => e.v !== e.w));
  assert.ok(input.edges.every((e) => e.w !== 'not_sent'));
  const data = input.edges.filter((e) => e.v === 'conv1' && e.w === 'bn1' && e.kind === 'data');
  assert.equal(data.length, 1, 'duplicates merged');
  assert.equal(data[0].count, 5);
  assert.equal(input.edges.length, 3);
});

test('an open child takes the size of its laid-out contents', () => {
  const big = expandedSize({ width: 600, height: 400 });
  const input = buildLayoutInput(group, (id) => (id === 'bn1' ? big : undefined));
  const bn1 = input.nodes.find((n) => n.id === 'bn1')!;
  assert.deepEqual({ w: bn1.w, h: bn1.h }, big);
  assert.ok(big.w > 600 && big.h > 400);
  // an op is never given an open size
  const again = buildLayoutInput(group, () => big);
  assert.notEqual(again.nodes.find((n) => n.id === 'input')!.w, big.w);
});

test('the signature changes with sizes but not with phase edges', () => {
  const a = inputSignature(buildLayoutInput(group, () => undefined));
  const withoutPhase = { ...group, edges: group.edges.filter((e) => e.kind !== 'phase') };
  assert.equal(inputSignature(buildLayoutInput(withoutPhase, () => undefined)), a);
  const b = inputSignature(buildLayoutInput(group, (id) => (id === 'conv1' ? { w: 500, h: 300 } : undefined)));
  assert.notEqual(a, b);
});

test('sizes grow with the label and a phase source gets a line for who reads it', () => {
  const short = collapsedSize({ name: 'a', label: 'a', type: 'op', op: 'X', phase: null });
  const long = collapsedSize({ name: 'a', label: 'a_much_longer_name', type: 'op', op: 'X', phase: null });
  assert.ok(long.w > short.w);
  const src = {
    name: 'f',
    label: 'f',
    type: 'op' as const,
    op: 'P',
    phase: {
      role: 'source' as const,
      consumers: 24,
      born_in: 'bnl_stg-1',
      explanation: 'f is the learning-phase flag.',
    },
  };
  assert.equal(phaseNote(src), 'read by 24 layers · born in bnl_stg-1');
  assert.ok(collapsedSize(src).h > short.h);
  assert.equal(displayLabel('x'.repeat(50)).length, 30);
});

test('dagre places every node without overlaps and orders ranks top to bottom', () => {
  const r = layoutGroup(buildLayoutInput(group, () => undefined));
  assert.equal(r.engine, 'dagre');
  const ids = Object.keys(r.nodes);
  assert.equal(ids.length, 4);
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) {
      const a = r.nodes[ids[i]];
      const b = r.nodes[ids[j]];
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      assert.ok(!overlap, `${ids[i]} overlaps ${ids[j]}`);
    }
  assert.ok(r.nodes.input.y < r.nodes.conv1.y && r.nodes.conv1.y < r.nodes.bn1.y);
  for (const n of Object.values(r.nodes)) {
    assert.ok(n.x >= -1e-6 && n.y >= -1e-6 && n.x + n.w <= r.width + 1e-6 && n.y + n.h <= r.height + 1e-6);
  }
  assert.equal(r.edges.length, 3);
  assert.ok(r.edges.every((e) => e.points.length >= 2));
});

test('past the cap a large group uses the grid layout, fast, and respects edge direction', () => {
  const n = DAGRE_MAX_NODES * 6;
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, w: 80, h: 24 }));
  const edges = Array.from({ length: n - 1 }, (_, i) => ({ v: `n${i}`, w: `n${i + 1}`, kind: 'data', count: 1 }));
  edges.push({ v: `n${n - 1}`, w: 'n0', kind: 'data', count: 1 }); // a cycle
  const t0 = Date.now();
  const r = layoutGroup({ group: 'big', nodes, edges });
  assert.equal(r.engine, 'grid');
  assert.ok(Date.now() - t0 < 1000, 'grid layout of thousands of nodes is quick');
  assert.equal(Object.keys(r.nodes).length, n);
  assert.ok(r.nodes.n1.y > r.nodes.n0.y);
});

test('grid layout puts unconnected nodes in wrapped rows, not one endless line', () => {
  const nodes = Array.from({ length: 400 }, (_, i) => ({ id: `n${i}`, w: 50, h: 20 }));
  const r = gridLayout({ group: 'g', nodes, edges: [] });
  assert.ok(r.width < 50 * 100, `width ${r.width}`);
  assert.ok(r.height > 20);
});

test('empty groups lay out to nothing', () => {
  const r = layoutGroup({ group: 'e', nodes: [], edges: [] });
  assert.equal(r.engine, 'empty');
  assert.equal(r.width, 0);
});

test('unlinked children are packed in natural order and hubs go to a column on the right', () => {
  const names = ['r_10', 'r_2', 'r_1'];
  const loose = names.map((id) => ({ id, w: 80, h: 40 }));
  const r = layoutGroup({ group: '', nodes: loose, edges: [] });
  const order = Object.entries(r.nodes)
    .sort((a, b) => a[1].y - b[1].y || a[1].x - b[1].x)
    .map(([id]) => id);
  assert.deepEqual(order, ['r_1', 'r_2', 'r_10']);

  // a hub: linked to 30 of 40 siblings
  const nodes = Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, w: 60, h: 24 }));
  nodes.push({ id: 'hub', w: 60, h: 24 });
  const edges = Array.from({ length: 39 }, (_, i) => ({ v: `n${i}`, w: `n${i + 1}`, kind: 'data', count: 1 }));
  for (let i = 0; i < 30; i++) edges.push({ v: `n${i}`, w: 'hub', kind: 'control', count: 1 });
  const h = layoutGroup({ group: 'g', nodes, edges });
  const maxX = Math.max(
    ...Object.entries(h.nodes)
      .filter(([id]) => id !== 'hub')
      .map(([, p]) => p.x + p.w),
  );
  assert.ok(h.nodes.hub.x >= maxX, 'hub beside the layout');
  const aux = h.edges.filter((e) => e.aux);
  assert.equal(aux.length, 30);
  assert.ok(h.edges.filter((e) => !e.aux).length === 39);
});

test('the phase source is pinned above the layout when it has no laid-out edges', () => {
  const r = layoutGroup({
    group: '',
    nodes: [
      { id: 'a', w: 80, h: 40 },
      { id: 'b', w: 80, h: 40 },
      { id: 'flag', w: 80, h: 40, top: true },
    ],
    edges: [{ v: 'a', w: 'b', kind: 'data', count: 1 }],
  });
  assert.ok(r.nodes.flag.y + r.nodes.flag.h < r.nodes.a.y);
});

test('ranks follow the longest path, a cycle is broken instead of leaving its nodes unranked', () => {
  const nodes = ['a', 'b', 'c', 'd', 'x', 'y'].map((id) => ({ id, w: 40, h: 20 }));
  const edges = [
    ['a', 'b'],
    ['b', 'c'],
    ['a', 'c'],
    ['c', 'd'],
    ['x', 'y'],
    ['y', 'x'], // a cycle with no way in
    ['d', 'd'],
    ['d', 'ghost'], // ignored
  ].map(([v, w]) => ({ v, w, kind: 'data', count: 1 }));
  const { rank, pairs } = longestPathRanks({ group: 'g', nodes, edges });
  assert.deepEqual(rank.slice(0, 4), [0, 1, 2, 3]);
  assert.deepEqual([rank[4], rank[5]].sort(), [0, 1]);
  assert.equal(pairs.length, 6);
  // The dagre work estimate counts the ranks a long edge spans: a -> c skips one.
  assert.equal(dagreWork({ group: 'g', nodes, edges }), 6 + 1);
});

/** A top level of `total` children split into buckets of 1,000, as the server sends it (`…1`, `…2`, …), each
 * labelled by its range and its first child's name (`prefix` and the bucket's number). */
function bucketChildren(total: number, prefix: string) {
  const n = Math.ceil(total / 1000);
  const count = (k: number) => k.toLocaleString('en-US');
  return Array.from({ length: n }, (_, i) => ({
    name: `\u2026${i + 1}`,
    label: `[${count(i * 1000 + 1)}\u2013${count(Math.min(total, (i + 1) * 1000))} of ${count(total)}] ${prefix}${i}`,
    type: 'group' as const,
    size: 4640,
    ops: { Identity: 2000, ReadVariableOp: 1000 },
    phase: null,
    bucket: {
      parent: '',
      index: i + 1,
      of: n,
      first: `${prefix}${i}`,
      last: `${prefix}${i}z`,
      start: i * 1000 + 1,
      end: Math.min(total, (i + 1) * 1000),
      total,
    },
  }));
}

test('buckets of a huge scope are laid out in reading order, whatever their edges say', () => {
  const children = bucketChildren(18_000, 'n');
  const n = children.length;
  // Every bucket linked to every other, both ways: dense and cyclic, as name ranges are.
  const edges = children.flatMap((a) =>
    children.filter((b) => b !== a).map((b) => ({ from: a.name, to: b.name, kind: 'data' as const, count: 3 })),
  );
  const input = buildLayoutInput(
    { version: 1, group: '', path: [], children: [...children].reverse(), edges, truncated: false },
    () => undefined,
  );
  const r = layoutGroup(input);
  assert.equal(r.engine, 'buckets');
  const pos = children.map((c) => r.nodes[c.name]);
  for (let i = 1; i < n; i++) {
    const [a, b] = [pos[i - 1], pos[i]];
    assert.ok(b.y > a.y || (b.y === a.y && b.x > a.x), `bucket ${i + 1} follows bucket ${i}`);
  }
  assert.equal(r.edges.length, n * (n - 1));
  // Drawn straight when a bucket is selected (drawn at once, they crossed the grid's boxes and buried their counts).
  assert.ok(r.edges.every((e) => e.points.length === 2 && e.aux));
  // A group with ordinary children among the buckets' siblings is laid out as before.
  assert.notEqual(layoutGroup(buildLayoutInput(group, () => undefined)).engine, 'buckets');
});

test('buckets keep reading order with the flag in a row above them and the areas in a column beside', () => {
  const buckets = Array.from({ length: 7 }, (_, i) => ({ id: `\u2026${i + 1}`, w: 220, h: 40, order: i + 1 }));
  const flag = { id: 'keras_learning_phase', w: 160, h: 50, top: true };
  const areas = ['\u2237gradient', '\u2237init'].map((id) => ({ id, w: 170, h: 40, side: true }));
  const edges = [
    ...buckets.slice(1).map((b, i) => ({ v: b.id, w: buckets[i].id, kind: 'data', count: 2 })),
    { v: flag.id, w: buckets[3].id, kind: 'data', count: 1 },
    { v: areas[0].id, w: buckets[0].id, kind: 'gradient', count: 9 },
  ];
  const r = layoutGroup({ group: '', nodes: [...areas, flag, ...buckets].reverse(), edges });
  assert.equal(r.engine, 'buckets');
  const pos = buckets.map((b) => r.nodes[b.id]);
  for (let i = 1; i < pos.length; i++)
    assert.ok(pos[i].y > pos[i - 1].y || (pos[i].y === pos[i - 1].y && pos[i].x > pos[i - 1].x));
  const f = r.nodes[flag.id];
  assert.ok(
    pos.every((p) => p.y >= f.y + f.h),
    'the flag sits above every bucket',
  );
  const right = Math.max(...pos.map((p) => p.x + p.w), f.x + f.w);
  assert.ok(
    areas.every((a) => r.nodes[a.id].x >= right),
    'the areas sit in a column to the right',
  );
  // Every edge is drawn, the flag's and the areas' too: those between buckets when one of them is selected.
  assert.equal(r.edges.length, edges.length);
  const bucketIds = new Set(buckets.map((b) => b.id));
  for (const e of r.edges) assert.equal(!!e.aux, bucketIds.has(e.v) && bucketIds.has(e.w), `${e.v} -> ${e.w}`);
});

test('a top level of a million nodes opens on whole buckets, four a row, with the areas beside them', () => {
  // The 1M benchmark graph's top level: 85,681 layers in 86 buckets (the first 17 hold the BatchNorm layers
  // that read the flag), the flag above them and three machinery areas.
  const buckets = bucketChildren(85_681, 'bn2a_branch2a_r');
  const n = buckets.length;
  const flag = {
    name: 'keras_learning_phase',
    label: 'keras_learning_phase',
    type: 'group' as const,
    size: 2,
    ops: { PlaceholderWithDefault: 1, Const: 1 },
    phase: { role: 'source' as const, consumers: 8640, born_in: null, explanation: 'the flag' },
  };
  const areas = ['gradients', 'optimizer', 'initialisers'].map((a) => ({
    name: `\u2237${a}`,
    label: a,
    type: 'group' as const,
    size: 263_520,
    ops: { ZerosLike: 1 },
    phase: null,
    area: a,
  }));
  const answer: GroupAnswer = {
    version: 1,
    group: '',
    path: [],
    children: [flag, ...buckets, ...areas],
    truncated: false,
    edges: [],
  };
  const r = layoutGroup(buildLayoutInput(answer, () => undefined));
  assert.equal(r.engine, 'buckets');
  const rows = new Set(buckets.map((b) => r.nodes[b.name].y));
  assert.equal(rows.size, Math.ceil(n / BUCKET_COLUMNS_MAX), 'four buckets a row, the grid growing downwards');
  const boxes = new Map(Object.entries(r.nodes));
  const view = { w: 1400, h: 700 };
  const frame = firstViewFrame(
    {
      boxes,
      flag: flag.name,
      readers: buckets.slice(0, 17).map((b) => b.name),
      inputs: [],
      areas: areas.map((a) => a.name),
      extent: { x: 0, y: 0, w: r.width, h: r.height },
    },
    view,
  )!;
  const left = frame.cx - view.w / 2 / frame.k;
  const right = frame.cx + view.w / 2 / frame.k;
  const top = frame.cy - view.h / 2 / frame.k;
  const bottom = frame.cy + view.h / 2 / frame.k;
  const inside = (b: PlacedNode) => b.x >= left && b.x + b.w <= right && b.y >= top && b.y + b.h <= bottom;
  assert.ok(inside(r.nodes[flag.name]), 'the flag is in sight');
  assert.ok(
    areas.every((a) => inside(r.nodes[a.name])),
    'and so are the machinery areas',
  );
  const cut = [...boxes.entries()].filter(
    ([, b]) =>
      b.y < bottom && b.y + b.h > top && ((b.x < left && b.x + b.w > left) || (b.x < right && b.x + b.w > right)),
  );
  assert.deepEqual(
    cut.map(([id]) => id),
    [],
    'no box is cut by a side of the screen',
  );
  assert.ok(frame.k >= 0.97, 'at the readable zoom');
});

test('machinery areas sit in a column beside the top of the model and never shape its layout', () => {
  // a tall model: a chain of 30 layers under the flag, its gradients and optimizer linked to every layer
  const model = Array.from({ length: 30 }, (_, i) => ({ id: `layer${i}`, w: 100, h: 40 }));
  const chain = model.slice(1).map((n, i) => ({ v: `layer${i}`, w: n.id, kind: 'data', count: 1 }));
  const flag = { id: 'flag', w: 120, h: 50, top: true };
  const areas = [
    { id: '∷gradient', w: 160, h: 40, side: true },
    { id: '∷init', w: 160, h: 40, side: true },
    { id: '∷optimizer', w: 160, h: 40, side: true },
  ];
  const machinery = model.flatMap((n) => [
    { v: n.id, w: '∷gradient', kind: 'gradient', count: 1 },
    { v: '∷optimizer', w: n.id, kind: 'variable', count: 1 }, // the optimizer writes the variables
    { v: '∷init', w: n.id, kind: 'control', count: 1 },
  ]);
  const alone = layoutGroup({ group: '', nodes: [...model, flag], edges: chain });
  const r = layoutGroup({ group: '', nodes: [...model, flag, ...areas], edges: [...chain, ...machinery] });
  for (const n of [...model, flag]) assert.deepEqual(r.nodes[n.id], alone.nodes[n.id], `${n.id} does not move`);
  const modelRight = Math.max(...[...model, flag].map((n) => r.nodes[n.id].x + r.nodes[n.id].w));
  const modelBottom = Math.max(...model.map((n) => r.nodes[n.id].y + r.nodes[n.id].h));
  for (const a of areas) {
    assert.ok(r.nodes[a.id].x >= modelRight, `${a.id} beside the model`);
    assert.ok(r.nodes[a.id].y + r.nodes[a.id].h < modelBottom / 4, `${a.id} at the top, not under the model`);
  }
  assert.equal(r.nodes['∷gradient'].y, r.nodes.flag.y, 'the first area starts at the flag’s rank');
  assert.ok(
    r.edges.filter((e) => e.v.startsWith('∷') || e.w.startsWith('∷')).every((e) => e.points.length === 2),
    'their edges drawn straight',
  );
});

test('linked areas are neighbours in their column, and no edge of an area crosses another area', () => {
  // As the demo graphs list them (by name): initialisers between gradients and the optimizer they feed.
  const model = Array.from({ length: 6 }, (_, i) => ({ id: `layer${i}`, w: 100, h: 40 }));
  const chain = model.slice(1).map((n, i) => ({ v: `layer${i}`, w: n.id, kind: 'data', count: 1 }));
  const areas = ['∷gradient', '∷init', '∷optimizer', '∷summary'].map((id) => ({ id, w: 160, h: 40, side: true }));
  const machinery = [
    { v: '∷gradient', w: '∷optimizer', kind: 'optimizer', count: 98 },
    { v: '∷optimizer', w: '∷init', kind: 'init', count: 6 },
    ...model.map((n) => ({ v: n.id, w: '∷gradient', kind: 'gradient', count: 1 })),
    ...model.map((n) => ({ v: '∷optimizer', w: n.id, kind: 'variable', count: 1 })), // writes every variable
    { v: 'layer5', w: '∷summary', kind: 'summary', count: 1 },
  ];
  const r = layoutGroup({ group: '', nodes: [...model, ...areas], edges: [...chain, ...machinery] });
  const order = [...areas].sort((a, b) => r.nodes[a.id].y - r.nodes[b.id].y).map((a) => a.id);
  assert.deepEqual(order, ['∷gradient', '∷optimizer', '∷init', '∷summary']);
  const crosses = (p: { x: number; y: number }, q: { x: number; y: number }, b: PlacedNode) => {
    // the segment p-q, sampled, against the box's inside
    for (let t = 0.02; t < 1; t += 0.02) {
      const x = p.x + (q.x - p.x) * t;
      const y = p.y + (q.y - p.y) * t;
      if (x > b.x && x < b.x + b.w && y > b.y && y < b.y + b.h) return true;
    }
    return false;
  };
  // No edge of an area runs through another area's box: linked areas are neighbours, and an edge to a layer
  // leaves the column by the area's left side.
  for (const e of r.edges.filter((e) => e.v.startsWith('∷') || e.w.startsWith('∷'))) {
    const [p, q] = e.points;
    for (const a of areas)
      if (a.id !== e.v && a.id !== e.w) assert.ok(!crosses(p, q, r.nodes[a.id]), `${e.v} → ${e.w} crosses ${a.id}`);
  }
  // Areas with no edge between them keep the order they are listed in.
  assert.deepEqual(
    orderAreaColumn(areas, []).map((a) => a.id),
    areas.map((a) => a.id),
  );
});

test('an area child of a group answer is marked to go beside the model', () => {
  const input = buildLayoutInput(
    {
      ...group,
      children: [
        ...group.children,
        { name: '∷init', label: 'initialisers · 3 ops', type: 'group', size: 3, area: 'init', phase: null },
      ],
    },
    () => undefined,
  );
  assert.equal(input.nodes.find((n) => n.id === '∷init')?.side, true);
  assert.equal(input.nodes.find((n) => n.id === 'conv1')?.side, undefined);
});

test('an edge drawn apart from the layout goes round the boxes it would run through, never through them', () => {
  // A chain a -> b -> c -> d, and a constant the first hands the last (a PyTorch trace's shared stride): straight
  // down the chain it ran over b and c, its label in their gap as if theirs.
  const ids = ['a', 'b', 'c', 'd'];
  const nodes = ids.map((id) => ({ id, w: 120, h: 30 }));
  const edges = ids.slice(1).map((w, i) => ({ v: ids[i], w, kind: 'data', count: 1 }));
  edges.push({ v: 'a', w: 'd', kind: 'constant', count: 14 }, { v: 'a', w: 'b', kind: 'constant', count: 2 });
  const r = layoutGroup({ group: 'g', nodes, edges });
  const far = r.edges.find((e) => e.kind === 'constant' && e.w === 'd')!;
  const near = r.edges.find((e) => e.kind === 'constant' && e.w === 'b')!;
  assert.equal(near.points.length, 2, 'an edge between neighbours crosses nothing: straight');
  assert.equal(far.points.length, 6);
  const right = Math.max(...ids.map((id) => r.nodes[id].x + r.nodes[id].w));
  assert.ok(far.points[2].x > right && far.points[3].x > right, 'its run is right of every box');
  for (let i = 0; i + 1 < far.points.length; i++)
    for (const id of ids)
      assert.ok(!segmentCrosses(far.points[i], far.points[i + 1], r.nodes[id]), `segment ${i} crosses ${id}`);
  // It leaves a's right side and enters d's.
  assert.equal(far.points[0].x, r.nodes.a.x + r.nodes.a.w);
  assert.equal(far.points[5].x, r.nodes.d.x + r.nodes.d.w);
  // The layout's boxes are where they are without that kind's edges (a legend switch moves nothing).
  const without = layoutGroup({ group: 'g', nodes, edges: edges.filter((e) => e.kind !== 'constant') });
  for (const id of ids) assert.deepEqual(r.nodes[id], without.nodes[id]);
});

test('inside a group whose edges are all drawn apart (a machinery area), edges stay straight', () => {
  // Its boxes are packed in rows, not placed along edges: round the right, every long edge would join one bus.
  const ids = ['g1', 'g2', 'g3', 'g4'];
  const nodes = ids.map((id) => ({ id, w: 400, h: 30 }));
  const edges = [{ v: 'g1', w: 'g4', kind: 'gradient', count: 3 }];
  const r = layoutGroup({ group: '\u2237gradient', nodes, edges });
  assert.equal(r.edges.length, 1);
  assert.equal(r.edges[0].points.length, 2);
});

test('a segment crosses a box through its inside, not along or beside it', () => {
  const box = { x: 0, y: 0, w: 10, h: 10 };
  assert.ok(segmentCrosses({ x: 5, y: -5 }, { x: 5, y: 15 }, box));
  assert.ok(segmentCrosses({ x: -5, y: -5 }, { x: 15, y: 15 }, box));
  assert.ok(!segmentCrosses({ x: 0, y: -5 }, { x: 0, y: 15 }, box), 'along its side');
  assert.ok(!segmentCrosses({ x: 12, y: -5 }, { x: 12, y: 15 }, box));
  assert.ok(!segmentCrosses({ x: 5, y: -5 }, { x: 5, y: -1 }, box), 'stops short of it');
});
