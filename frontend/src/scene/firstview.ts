// Where the first view of a graph opens: at a zoom where labels can be read, framed on what answers the
// question (the flag and the layers nearest it), or on the graph's inputs when it has no flag. Pure.

import type { Rect } from './bundle';

/** Smallest label font in the scene (an op's label, 11.5 px at zoom 1): the first view keeps it ≥ 11 px. */
export const SMALLEST_LABEL_PX = 11.5;
export const MIN_READABLE_PX = 11;
/** The first view's zoom: as far out as keeps the smallest label at 11 px or more (11.5 × 0.97 = 11.2 px). */
export const READABLE_K = 0.97;

export interface Frame {
  /** The graph point at the centre of the view. */
  cx: number;
  cy: number;
  k: number;
}

const area = (boxes: readonly Rect[]): Rect => {
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.w));
  const y1 = Math.max(...boxes.map((b) => b.y + b.h));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
};

const centreOf = (b: Rect) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/**
 * The frame that shows `anchor` and as many of `near` as fit with it on a `view`-sized screen at zoom `k`,
 * nearest first (a box that would not fit is skipped, a farther one may still fit), then as many of `then`
 * as still fit. The framed boxes start `margin` px below the top of the view.
 */
export function frameAround(
  anchor: Rect,
  near: readonly Rect[],
  view: { w: number; h: number },
  k = READABLE_K,
  margin = 16,
  then: readonly Rect[] = [],
  extent: Rect | null = null,
  uncut: readonly Rect[] = [],
): Frame {
  const room = { w: (view.w - 2 * margin) / k, h: (view.h - 2 * margin) / k };
  const a = centreOf(anchor);
  const nearest = (boxes: readonly Rect[]) => [...boxes].sort((p, q) => dist(centreOf(p), a) - dist(centreOf(q), a));
  let shown = [anchor];
  for (const b of [...nearest(near), ...nearest(then)]) {
    const next = area([...shown, b]);
    if (next.w <= room.w && next.h <= room.h) shown = [...shown, b];
  }
  const box = area(shown);
  // Centred across; from the top of the stage down, since the graph flows downwards and what follows the
  // framed boxes shows below them (centring would leave the upper half of the stage empty).
  // The anchor always stays on screen, even when it is larger than the screen: then its top-left corner shows.
  let cx = box.x + box.w / 2;
  let cy = box.y + room.h / 2;
  if (box.w > room.w) cx = anchor.x + room.w / 2;
  if (box.h > room.h) cy = anchor.y + room.h / 2;
  if (extent) {
    // The view stays on the graph: no half-screen of blank past its end while the graph goes on beyond the
    // other side (a graph smaller than the view is centred), the framed boxes still in sight.
    cx = onGraph(cx, extent.x, extent.w, room.w, box.x, Math.min(box.w, room.w));
    cy = onGraph(cy, extent.y, extent.h, room.h, box.y, Math.min(box.h, room.h));
  }
  if (box.w <= room.w) cx = clearOfSides(cx, cy, { w: view.w / k, h: view.h / k }, room.w, box, uncut, extent);
  return { cx, cy, k };
}

/** Graph px kept between a box and a side of the view it was moved clear of. */
const SIDE_GAP = 8;
/** How much of the view may lie past the graph's end once moved to keep a box whole. */
const BLANK_ALLOWED = 0.12;

/**
 * A centre across moved as little as it takes so that fewer of `boxes` are cut by the left or right side of
 * the `screen` (a box half on screen reads as broken in a shared screenshot): the framed span `framed` stays
 * inside the `room` (the screen less its margins) and, when the graph is wider than that, so does the graph.
 * Unchanged when no move cuts fewer. All in graph units.
 */
export function clearOfSides(
  cx: number,
  cy: number,
  screen: { w: number; h: number },
  room: number,
  framed: Rect,
  boxes: readonly Rect[],
  extent: Rect | null,
): number {
  // Only what is on screen vertically can be cut by a side.
  const top = cy - screen.h / 2;
  const rows = boxes.filter((b) => b.y < top + screen.h && b.y + b.h > top);
  const cutBySides = (c: number) => {
    const left = c - screen.w / 2;
    const right = c + screen.w / 2;
    let n = 0;
    for (const b of rows) if ((b.x < left && b.x + b.w > left) || (b.x < right && b.x + b.w > right)) n++;
    return n;
  };
  const allowed = (c: number) => {
    const left = c - room / 2;
    const right = c + room / 2;
    if (framed.x < left || framed.x + framed.w > right) return false;
    if (!extent || extent.w <= room) return true;
    // A strip of blank past the graph's end is a fair price for a box not cut in two; a half-screen is not.
    const slack = Math.max(SIDE_GAP, room * BLANK_ALLOWED);
    return left >= extent.x - slack && right <= extent.x + extent.w + slack;
  };
  // A box partly on screen that a move takes out of sight altogether counts as cut too: a move only wins by
  // bringing boxes whole into view (an area pushed off screen is worse than one cut by a side).
  const seen = (c: number) => {
    const left = c - screen.w / 2;
    const right = c + screen.w / 2;
    return (b: Rect) => b.x < right && b.x + b.w > left;
  };
  const before = rows.filter(seen(cx));
  const cutAt = (c: number) => {
    const inView = seen(c);
    return cutBySides(c) + before.filter((b) => !inView(b)).length;
  };
  let best = cx;
  let bestCut = cutAt(cx);
  if (bestCut === 0) return cx;
  // The centres that put a side just beside a box's edge, the box in or out.
  for (const b of rows) {
    for (const side of [b.x - SIDE_GAP, b.x + b.w + SIDE_GAP]) {
      for (const c of [side + screen.w / 2, side - screen.w / 2]) {
        if (!allowed(c)) continue;
        const cut = cutAt(c);
        if (cut < bestCut || (cut === bestCut && Math.abs(c - cx) < Math.abs(best - cx))) {
          best = c;
          bestCut = cut;
        }
      }
    }
  }
  return best;
}

/** A centre along one axis moved so that a view `room` long covers the graph (`lo`, `size`) as far as it can,
 * keeping the framed span (`flo`, `fsize`) inside the view. */
function onGraph(c: number, lo: number, size: number, room: number, flo: number, fsize: number): number {
  const half = room / 2;
  const v = size <= room ? lo + size / 2 : Math.min(Math.max(c, lo + half), lo + size - half);
  return Math.min(Math.max(v, flo + fsize - half), flo + half);
}

/**
 * The model's box grown up to the top of the machinery's areas laid out beside its top (within the screen's width
 * of it, a quarter screen above at most): framed from the model's top, a box taller than the screen left their
 * bottom edges showing, cut, at the top of the view.
 */
function withAreasAbove(model: Rect, areas: readonly Rect[], view: { w: number; h: number }, k = READABLE_K): Rect {
  const room = { w: view.w / k, h: view.h / k };
  const beside = areas.filter(
    (a) => a.y < model.y && a.y >= model.y - room.h / 4 && a.x < model.x + room.w && a.x + a.w > model.x,
  );
  const top = Math.min(model.y, ...beside.map((a) => a.y));
  return { x: model.x, y: top, w: model.w, h: model.h + model.y - top };
}

/** Farthest out a first view without a flag goes to show the whole graph (labels ≥ 9.2 px, smaller than the
 * readable zoom's but read without effort). */
export const WHOLE_GRAPH_K = 0.8;

/** The frame showing all of `extent`, when that zoom is between WHOLE_GRAPH_K and the readable zoom. */
function wholeAt(extent: Rect, view: { w: number; h: number }, margin = 16): Frame | null {
  const k = Math.min((view.w - 2 * margin) / Math.max(1, extent.w), (view.h - 2 * margin) / Math.max(1, extent.h));
  if (k >= READABLE_K || k < WHOLE_GRAPH_K) return null;
  return { cx: extent.x + extent.w / 2, cy: extent.y + extent.h / 2, k };
}

/** Farthest out the first view goes to show the flag with a layer reading it (labels ≥ 3 px: boxes and φ marks
 * still tell apart; one click on +/- reads them). */
export const MIN_FIRST_VIEW_K = 0.3;

/**
 * The zoom that shows the flag with at least its nearest reader: the readable zoom when they fit together at
 * it, else as far out as they need (not past MIN_FIRST_VIEW_K). A first view without a reader misses the point.
 */
export function withOneReader(
  flag: Rect,
  readers: readonly Rect[],
  view: { w: number; h: number },
  margin = 16,
): number {
  if (readers.length === 0) return READABLE_K;
  const a = centreOf(flag);
  const nearest = readers.reduce((best, b) => (dist(centreOf(b), a) < dist(centreOf(best), a) ? b : best));
  const both = area([flag, nearest]);
  const k = Math.min((view.w - 2 * margin) / Math.max(1, both.w), (view.h - 2 * margin) / Math.max(1, both.h));
  return Math.max(MIN_FIRST_VIEW_K, Math.min(READABLE_K, k));
}

function dist(p: { x: number; y: number }, q: { x: number; y: number }): number {
  return Math.hypot(p.x - q.x, p.y - q.y);
}

export interface FirstViewInput {
  /** Absolute boxes of the drawn top-level elements, by name. */
  boxes: ReadonlyMap<string, Rect>;
  /** The drawn element that stands for the flag, if the graph has one. */
  flag: string | null;
  /** Drawn elements holding the layers that read it. */
  readers: readonly string[];
  /** Drawn elements that are the graph's inputs (placeholders, arguments, sources of its data edges). */
  inputs: readonly string[];
  /** The group the first view opened down to (the scope the model's layers share), if it did. */
  model?: string | null;
  /** The machinery's areas: framed with the flag and its readers (or the inputs) when they still fit. */
  areas?: readonly string[];
  /** The whole drawing: the view is kept on it (no screen of blank past its edge). */
  extent?: Rect;
}

/** The first view: the flag and its nearest readers, else the whole graph when it reads so, else the model's layers
 * when the view opened down to them, else the inputs, else the top-left of the graph. */
export function firstViewFrame(input: FirstViewInput, view: { w: number; h: number }): Frame | null {
  const get = (names: readonly string[]) => names.map((n) => input.boxes.get(n)).filter((b): b is Rect => !!b);
  const flag = input.flag ? input.boxes.get(input.flag) : undefined;
  const areas = get(input.areas ?? []);
  const all = [...input.boxes.values()];
  if (flag) {
    const readers = get(input.readers.filter((r) => r !== input.flag));
    const k = withOneReader(flag, readers, view);
    return frameAround(flag, readers, view, k, 16, areas, input.extent ?? null, all);
  }
  const inputs = get(input.inputs);
  if (all.length === 0) return null;
  // Without a flag there is no one place that answers the question: a graph that fits whole at a zoom still
  // read comfortably is shown whole rather than cut at a side.
  const whole = input.extent ? wholeAt(input.extent, view) : null;
  if (whole) return whole;
  // Opened down to the model's layers: they are what the view shows, from the top of their box (a tf_keras fit
  // graph's inputs sit among the loss's and the metrics' ops, off to a side of the model).
  const model = input.model ? input.boxes.get(input.model) : undefined;
  if (model)
    return frameAround(
      withAreasAbove(model, areas, view),
      inputs,
      view,
      READABLE_K,
      16,
      areas,
      input.extent ?? null,
      all,
    );
  // The input highest up (then leftmost) anchors the frame; the other inputs join it where they fit.
  const anchor = (inputs.length ? inputs : all).reduce((best, b) =>
    b.y < best.y || (b.y === best.y && b.x < best.x) ? b : best,
  );
  return frameAround(anchor, inputs.length ? inputs : all, view, READABLE_K, 16, areas, input.extent ?? null, all);
}
