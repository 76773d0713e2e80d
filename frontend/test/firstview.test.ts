import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clearOfSides,
  firstViewFrame,
  frameAround,
  MIN_FIRST_VIEW_K,
  MIN_READABLE_PX,
  READABLE_K,
  SMALLEST_LABEL_PX,
  withOneReader,
  WHOLE_GRAPH_K,
} from '../src/scene/firstview';
import { centredOn, graphPointAt, mapScale, MIN_MAP, viewRect } from '../src/scene/minimapgeom';

const box = (x: number, y: number, w = 100, h = 40) => ({ x, y, w, h });
const view = { w: 1000, h: 600 };

test('the first view draws the smallest label at a readable size', () => {
  assert.ok(SMALLEST_LABEL_PX * READABLE_K >= MIN_READABLE_PX);
});

test('the frame keeps the flag and the readers nearest it that fit, and leaves out far ones', () => {
  const flag = box(0, 0);
  const near = [box(150, 0), box(300, 100), box(5000, 5000)];
  const f = frameAround(flag, near, view, 1);
  // flag ... 400 wide, 140 high: centred across, its top 16 px below the top of the view
  assert.deepEqual(f, { cx: 200, cy: 300 - 16, k: 1 });
  assert.equal(f.cy - view.h / 2, -16, 'the framed boxes start at the top of the stage, not in its middle');
});

test('the machinery areas join the frame after the readers, when they still fit', () => {
  // flag on top, a wide row of readers under it, the areas in a column to the right
  const boxes = new Map([
    ['flag', box(300, 0)],
    ['reader', box(0, 100, 700, 40)],
    ['\u2237gradient', box(760, 0)],
    ['\u2237init', box(760, 60)],
    ['\u2237far', box(5000, 0)],
  ]);
  const input = { boxes, flag: 'flag', readers: ['reader'], inputs: [] };
  const without = firstViewFrame(input, view)!;
  assert.equal(without.cx, 350, 'framed on the flag and its reader');
  const f = firstViewFrame({ ...input, areas: ['\u2237gradient', '\u2237init', '\u2237far'] }, view)!;
  assert.equal(f.cx, 430, 'widened to the two areas that fit (0..860), not the far one');
});

test('a flag larger than the screen keeps its top-left corner in view', () => {
  const f = frameAround(box(0, 0, 4000, 40), [], view, 1, 32);
  assert.equal(f.cx, (1000 - 64) / 2);
});

test('without a flag the view opens on the inputs, highest first', () => {
  const boxes = new Map([
    ['input_1', box(400, 0)],
    ['dense', box(400, 2000)],
    ['labels', box(550, 0)],
  ]);
  const f = firstViewFrame({ boxes, flag: null, readers: [], inputs: ['input_1', 'labels'] }, view)!;
  assert.equal(f.cx, 525);
  assert.equal(f.k, READABLE_K);
  // the inputs' top edge sits 16 px below the top of the stage: the upper half is not left empty
  const topOnScreen = (0 - f.cy) * f.k + view.h / 2;
  assert.ok(Math.abs(topOnScreen - 16) < 1e-9, `inputs' top at ${topOnScreen} px`);
});

test('the minimap maps the view rectangle and back', () => {
  const m = mapScale({ width: 2000, height: 1000 }, { w: 200, h: 200 });
  assert.equal(m.sx, 0.1);
  assert.equal(m.sy, 0.1);
  assert.equal(m.h, 100);
  const t = centredOn(1000, 500, 1, view);
  const r = viewRect(t, view, m);
  assert.deepEqual(r, { x: 50, y: 20, w: 100, h: 60 });
  const p = graphPointAt(r.x + r.w / 2, r.y + r.h / 2, m);
  assert.deepEqual(p, { x: 1000, y: 500 });
});

test('a graph 30 times taller than wide gets a legible map: its minimum width, the full height, the view visible', () => {
  const world = { width: 1000, height: 30000 };
  const m = mapScale(world, { w: 180, h: 150 });
  assert.equal(m.h, 150, 'the tall graph fills the map top to bottom');
  assert.ok(m.w >= MIN_MAP.w, `map ${m.w} px wide, not a sliver`);
  // the first view (1400 × 800 px at zoom 0.97, the whole width) spans the map's width
  const t = centredOn(500, 400, 0.97, { w: 1400, h: 800 });
  const r = viewRect(t, { w: 1400, h: 800 }, m);
  assert.ok(r.w >= m.w, `view rectangle ${r.w} px wide`);
  assert.ok(r.h > 3, `view rectangle ${r.h} px high`);
  // and clicking the map still lands where it points
  const p = graphPointAt(m.w / 2, m.h / 2, m);
  assert.ok(Math.abs(p.x - 500) < 1e-9 && Math.abs(p.y - 15000) < 1e-9, JSON.stringify(p));
});

test('a very wide graph gets the map’s minimum height', () => {
  const m = mapScale({ width: 40000, height: 300 }, { w: 180, h: 150 });
  assert.equal(m.w, 180);
  assert.ok(m.h >= MIN_MAP.h);
});

test('a reader too far for the readable zoom is framed with the flag, zoomed out as far as it needs', () => {
  const flag = { x: 0, y: 0, w: 200, h: 50 };
  const far = { x: 0, y: 2000, w: 100, h: 40 };
  const screen = { w: 1000, h: 700 };
  const k = withOneReader(flag, [far], screen);
  assert.ok(k < READABLE_K && k >= MIN_FIRST_VIEW_K);
  const f = frameAround(flag, [far], screen, k);
  const top = f.cy - screen.h / 2 / k;
  const bottom = f.cy + screen.h / 2 / k;
  assert.ok(top <= flag.y && bottom >= far.y + far.h, `${top} ${bottom}`);
  assert.equal(withOneReader(flag, [box(0, 100)], screen), READABLE_K);
});

test('the first view stays on the graph: no screen of blank past its end, a small graph centred', () => {
  const screen = { w: 1000, h: 600 };
  const extent = { x: 0, y: 0, w: 3000, h: 1000 };
  const anchor = box(500, 920); // an input near the bottom of the drawing
  const f = frameAround(anchor, [], screen, READABLE_K, 16, [], extent);
  const half = (screen.h - 32) / READABLE_K / 2;
  assert.ok(f.cy + half <= extent.y + extent.h + 1e-6, `${f.cy + half}`);
  assert.ok(f.cy - half <= anchor.y && f.cy + half >= anchor.y + anchor.h, 'the anchor is still in sight');
  const small = frameAround(box(10, 10), [], screen, READABLE_K, 16, [], { x: 0, y: 0, w: 200, h: 100 });
  assert.deepEqual([small.cx, small.cy], [100, 50]);
});

test('no box is cut by a side of the first view when a small move clears it, the framed boxes still in', () => {
  const screen = { w: 1000, h: 600 };
  // One row wider than the screen: the input on the left, a box across the right side of the view.
  const boxes = new Map([
    ['input', box(0, 0)],
    ['a', box(300, 100)],
    ['across', box(800, 100, 160, 40)],
    ['far', box(1500, 100)],
  ]);
  const extent = { x: -150, y: -20, w: 1800, h: 200 };
  const f = firstViewFrame({ boxes, flag: null, readers: [], inputs: ['input'], extent }, screen)!;
  const left = f.cx - screen.w / 2 / f.k;
  const right = f.cx + screen.w / 2 / f.k;
  for (const [name, b] of boxes) {
    const cut = (b.x < left && b.x + b.w > left) || (b.x < right && b.x + b.w > right);
    assert.ok(!cut, `${name} is cut: view ${left}..${right}`);
  }
  assert.ok(left <= 0, 'the input is still in view');
});

test('a frame that cannot clear the sides without losing a framed box is left where it was', () => {
  const screen = { w: 1000, h: 600 };
  const room = (screen.w - 32) / 1;
  const framed = box(0, 0, room, 40); // the framed span fills the room: no move keeps it in
  const across = box(room + 10, 0, 200, 40);
  const cx = room / 2;
  assert.equal(clearOfSides(cx, 300, screen, room, framed, [framed, across], null), cx);
  // A box below the screen is not cut by its sides and moves nothing.
  const below = box(980, 900, 100, 40);
  assert.equal(clearOfSides(500, 300, screen, room, box(100, 0), [below], null), 500);
});

test('without a flag a graph that fits whole a little below the readable zoom opens whole', () => {
  const screen = { w: 1000, h: 600 };
  const boxes = new Map([
    ['input', box(0, 0)],
    ['right', box(1050, 300)],
  ]);
  const extent = { x: -20, y: -20, w: 1190, h: 380 }; // fits at (1000 - 32) / 1190 = 0.81
  const f = firstViewFrame({ boxes, flag: null, readers: [], inputs: ['input'], extent }, screen)!;
  assert.ok(f.k >= WHOLE_GRAPH_K && f.k < READABLE_K, `${f.k}`);
  assert.ok(f.cx - screen.w / 2 / f.k <= extent.x && f.cx + screen.w / 2 / f.k >= extent.x + extent.w);
  // Wider still, it opens at the readable zoom on its inputs.
  const wide = firstViewFrame(
    { boxes, flag: null, readers: [], inputs: ['input'], extent: { ...extent, w: 2000 } },
    screen,
  )!;
  assert.equal(wide.k, READABLE_K);
  // With a flag the view is framed on the flag, whole graph or not.
  const flagged = firstViewFrame({ boxes, flag: 'input', readers: ['right'], inputs: [], extent }, screen)!;
  assert.notEqual(flagged.k, f.k);
});

test('without a flag a view opened down to the model frames the model from its top, not the inputs beside it', () => {
  // A tf_keras fit graph: the iterator far to the right among the loss's ops, the model's box opened at the left.
  const boxes = new Map([
    ['IteratorGetNext', box(2000, 0)],
    ['model', box(0, 200, 400, 900)],
    ['model/dense', box(20, 240)],
    ['Sum', box(2000, 1400)],
  ]);
  const input = { boxes, flag: null, readers: [], inputs: ['IteratorGetNext'] };
  const onInputs = firstViewFrame(input, view)!;
  assert.ok(onInputs.cx > 1500, 'without the model named, the inputs anchor the frame');
  const f = firstViewFrame({ ...input, model: 'model' }, view)!;
  assert.equal(f.k, READABLE_K);
  const room = { w: (view.w - 32) / f.k, h: (view.h - 32) / f.k };
  // The model's box is taller than the screen: its top-left corner is in view, its first layer with it.
  assert.ok(f.cx - room.w / 2 <= 0 && f.cx + room.w / 2 >= 400, `${f.cx}`);
  assert.ok(Math.abs(f.cy - room.h / 2 - 200) < 1e-9, `${f.cy}`);
  // A model named but not drawn (a restored view closed it) leaves the frame on the inputs.
  assert.deepEqual(firstViewFrame({ ...input, model: 'gone' }, view), onInputs);
  // The machinery's areas beside the model's top, a little above it, are framed whole, not cut by the top; an
  // area far above it or out of the screen's width does not move the frame.
  const areas = new Map([...boxes, ['\u2237gradient', box(450, 150)], ['\u2237far', box(450, -2000)]]);
  const withAreas = firstViewFrame({ ...input, boxes: areas, model: 'model', areas: ['\u2237gradient'] }, view)!;
  assert.ok(Math.abs(withAreas.cy - room.h / 2 - 150) < 1e-9, `${withAreas.cy}`);
  const far = firstViewFrame({ ...input, boxes: areas, model: 'model', areas: ['\u2237far'] }, view)!;
  assert.deepEqual(far, f);
});
