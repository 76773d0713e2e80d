import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  anchors,
  besideRoute,
  bsplineToBeziers,
  bundlePaths,
  clearOnRoute,
  clearSpot,
  clusterTargets,
  straighten,
  plainPath,
  arrowHead,
  midRoute,
  polylinePath,
  type Point,
} from '../src/scene/bundle';

const near = (a: Point, b: Point, eps = 1e-6) => Math.abs(a.x - b.x) < eps && Math.abs(a.y - b.y) < eps;

test('the clamped B-spline starts and ends exactly on its end points', () => {
  const ctrl = [
    { x: 0, y: 0 },
    { x: 10, y: 50 },
    { x: 80, y: 60 },
    { x: 100, y: 200 },
  ];
  const segs = bsplineToBeziers(ctrl);
  assert.ok(near(segs[0][0], ctrl[0]));
  assert.ok(near(segs[segs.length - 1][3], ctrl[3]));
  // consecutive segments join
  for (let i = 1; i < segs.length; i++) assert.ok(near(segs[i - 1][3], segs[i][0]));
});

test('beta = 0 straightens the control polygon onto the chord', () => {
  const ctrl = straighten(
    [
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: -50, y: 70 },
      { x: 0, y: 300 },
    ],
    0,
  );
  for (const p of ctrl) assert.ok(Math.abs(p.x) < 1e-9);
});

test('every path starts at the source and ends at its target', () => {
  const src = { x: 500, y: 0 };
  const targets = Array.from({ length: 100 }, (_, i) => ({
    id: `t${i}`,
    at: { x: (i % 20) * 60, y: 200 + Math.floor(i / 20) * 80 },
  }));
  const b = bundlePaths(src, targets);
  assert.equal(b.paths.size, 100);
  for (const t of targets) {
    const d = b.paths.get(t.id)!;
    assert.ok(d.startsWith('M500,0C'), d.slice(0, 20));
    assert.ok(d.endsWith(`${t.at.x},${t.at.y}`), d.slice(-20));
  }
});

test('edges of one bundle share the trunk: their controls pass through the same split', () => {
  const src = { x: 0, y: 0 };
  const targets = [
    { id: 'a', at: { x: -300, y: 400 } },
    { id: 'b', at: { x: 300, y: 400 } },
    { id: 'c', at: { x: 0, y: 600 } },
  ];
  const b = bundlePaths(src, targets, { beta: 1 });
  const splits = [...b.controls.values()].map((c) => c[1]);
  for (const s of splits) assert.ok(near(s, b.split));
  // the split lies between the source and the targets
  assert.ok(b.split.y > 0 && b.split.y < 400);
});

test('a single target is drawn as a direct curve', () => {
  const b = bundlePaths({ x: 0, y: 0 }, [{ id: 'a', at: { x: 10, y: 100 } }]);
  assert.deepEqual(b.controls.get('a'), [
    { x: 0, y: 0 },
    { x: 10, y: 100 },
  ]);
});

test('clusterTargets keeps neighbours together and covers every target once', () => {
  const ts = Array.from({ length: 30 }, (_, i) => ({ id: String(i), at: { x: (i * 37) % 30, y: 0 } }));
  const cl = clusterTargets(ts, 8);
  assert.equal(cl.flat().length, 30);
  assert.equal(new Set(cl.flat().map((t) => t.id)).size, 30);
  for (let i = 1; i < cl.length; i++) {
    const prevMax = Math.max(...cl[i - 1].map((t) => t.at.x));
    const min = Math.min(...cl[i].map((t) => t.at.x));
    assert.ok(prevMax <= min, 'clusters are contiguous left to right');
  }
});

test('anchors leave the bottom and enter the top when the target is below', () => {
  const [a, b] = anchors({ x: 0, y: 0, w: 100, h: 40 }, { x: 200, y: 100, w: 50, h: 20 });
  assert.deepEqual(a, { x: 50, y: 40 });
  assert.deepEqual(b, { x: 225, y: 100 });
  const [c, d] = anchors({ x: 0, y: 100, w: 100, h: 40 }, { x: 0, y: 0, w: 50, h: 20 });
  assert.deepEqual(c, { x: 50, y: 100 });
  assert.deepEqual(d, { x: 25, y: 20 });
});

test('path helpers produce well-formed SVG path data', () => {
  assert.equal(plainPath({ x: 0, y: 0 }, { x: 10.04, y: 20 }), 'M0,0L10,20');
  assert.equal(
    polylinePath([
      { x: 0, y: 0 },
      { x: 5, y: 5 },
    ]),
    'M0,0L5,5',
  );
  assert.match(
    polylinePath([
      { x: 0, y: 0 },
      { x: 5, y: 5 },
      { x: 10, y: 0 },
    ]),
    /^M0,0(C[-\d.,\s]+){2}$/,
  );
});

test('a target that lies before the split goes straight from the source instead of looping back', () => {
  const src = { x: 0, y: 0 };
  const targets = [
    { id: 'near', at: { x: -100, y: 20 } },
    ...Array.from({ length: 10 }, (_, i) => ({ id: `far${i}`, at: { x: i * 20, y: 1000 } })),
  ];
  const b = bundlePaths(src, targets);
  assert.equal(b.controls.get('near')!.length, 2);
  assert.equal(b.controls.get('far3')!.length, 4);
});

test('branches are contiguous by direction when seen from the split', () => {
  const origin = { x: 0, y: 0 };
  const ts = [
    { id: 'left-low', at: { x: -100, y: 500 } },
    { id: 'right', at: { x: 100, y: 100 } },
    { id: 'left-high', at: { x: -100, y: 100 } },
    { id: 'down', at: { x: 0, y: 500 } },
  ];
  const order = clusterTargets(ts, 1, origin)
    .flat()
    .map((t) => t.id);
  assert.deepEqual(order, ['left-high', 'left-low', 'down', 'right']);
});

test('an arrowhead points along its edge, its tip just past the end, 7 units long and wide', () => {
  // Pointing down (+y) at (0, 10): tip 0.7 past the end, base 6.3 before it, 3.5 either side.
  assert.equal(arrowHead({ x: 0, y: 10 }, { x: 0, y: 0 }), 'M0,10.7L-3.5,3.7L3.5,3.7z');
  // Pointing left: the same shape turned.
  assert.equal(arrowHead({ x: 0, y: 0 }, { x: 10, y: 0 }), 'M-0.7,0L6.3,-3.5L6.3,3.5z');
  // No direction, no head.
  assert.equal(arrowHead({ x: 1, y: 1 }, { x: 1, y: 1 }), '');
});

test("an edge's count label sits mid-route, never on its end", () => {
  assert.deepEqual(
    midRoute([
      { x: 0, y: 0 },
      { x: 10, y: 40 },
    ]),
    { x: 5, y: 20 },
  );
  assert.deepEqual(
    midRoute([
      { x: 0, y: 0 },
      { x: 3, y: 5 },
      { x: 0, y: 10 },
    ]),
    { x: 3, y: 5 },
  );
  assert.deepEqual(
    midRoute([
      { x: 0, y: 0 },
      { x: 0, y: 10 },
      { x: 4, y: 20 },
      { x: 4, y: 30 },
    ]),
    { x: 2, y: 15 },
  );
});

test("a straight edge's label goes where it covers no box, from the middle outwards", () => {
  const a = { x: 0, y: 0 };
  const b = { x: 100, y: 0 };
  const size = { w: 10, h: 10 };
  assert.deepEqual(clearSpot(a, b, [], size), { x: 50, y: 0 });
  // A box over the middle: the label moves to the nearest clear point on either side (its right edge).
  assert.deepEqual(clearSpot(a, b, [{ x: 35, y: -5, w: 30, h: 10 }], size), { x: 65, y: 0 });
  // Boxes on the right too: the left side's first clear point.
  assert.deepEqual(clearSpot(a, b, [{ x: 35, y: -5, w: 65, h: 10 }], size), { x: 25, y: 0 });
  // Nothing clear: no label.
  assert.equal(clearSpot(a, b, [{ x: -10, y: -10, w: 200, h: 30 }], size), null);
});

test("a routed edge's label goes in the middle of its route, or along it where it covers no other label", () => {
  const route = [
    { x: 0, y: 0 },
    { x: 0, y: 100 },
    { x: 100, y: 100 },
  ];
  const size = { w: 10, h: 10 };
  assert.deepEqual(clearOnRoute(route, [], size), { x: 0, y: 100 }, 'the middle point');
  // A label already at the middle: the next clear point along a segment, from the middle outwards.
  const taken = [{ x: -2, y: 95, w: 14, h: 12 }];
  const spot = clearOnRoute(route, taken, size)!;
  assert.ok(spot, 'a spot along the route');
  const covers = (r: { x: number; y: number; w: number; h: number }) =>
    spot.x < r.x + r.w && spot.x + size.w > r.x && spot.y < r.y + r.h && spot.y + size.h > r.y;
  assert.ok(!taken.some(covers), `${JSON.stringify(spot)} covers the label already there`);
  assert.ok(spot.x === 0 || spot.y === 100, 'on the route');
  // Everything taken: none.
  assert.equal(clearOnRoute(route, [{ x: -50, y: -50, w: 300, h: 300 }], size), null);
});

test('a label with no clear point on its route goes beside the one already there, not over it', () => {
  // Two edges of different kinds between the same two boxes share one short route: the first count took its middle.
  const route = [
    { x: 0, y: 0 },
    { x: 0, y: 15 },
    { x: 0, y: 30 },
  ];
  const size = { w: 40, h: 10 };
  const first = { x: 0, y: -5, w: 40, h: 40 }; // the first count, and the shape label under it
  assert.equal(clearOnRoute(route, [first], size), null, 'the route holds no other spot');
  const spot = besideRoute(route, [first], size)!;
  assert.deepEqual(spot, { x: 44, y: 15 }, 'one label width and a gap to the right');
  // Right taken too: to the left.
  assert.deepEqual(besideRoute(route, [first, { x: 44, y: 0, w: 40, h: 40 }], size), { x: -44, y: 15 });
  assert.equal(besideRoute(route, [{ x: -500, y: 0, w: 1000, h: 40 }], size), null);
});
