// Geometry of drawn phase edges. Pure: points in, SVG path data out.
//
// Highlight mode bundles all edges of one source: a shared trunk leaves the source, splits into a few
// branches (targets clustered left to right), and each branch fans out to its targets. Every edge is
// drawn as a clamped cubic B-spline through [source, trunk split, branch split, target], straightened by
// `beta` (Holten's bundling strength: 1 = follow the control polygon, 0 = straight line).

import { round } from '../lib/num';

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number; // left
  y: number; // top
  w: number;
  h: number;
}

export interface BundleTarget {
  id: string;
  at: Point;
}

export interface BundleOptions {
  /** 0..1, how far along source -> centroid the trunk splits. */
  trunk?: number;
  /** 0..1, how far along trunk split -> branch centroid each branch splits. */
  branch?: number;
  /** Bundling strength, 0..1. */
  beta?: number;
  /** Maximum targets per branch; the number of branches is ceil(n / this), at least sqrt(n). */
  perBranch?: number;
}

const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

export function centroid(points: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p.x;
    y += p.y;
  }
  const n = Math.max(1, points.length);
  return { x: x / n, y: y / n };
}

/** Straightens a control polygon towards the chord between its ends (Holten 2006). */
export function straighten(ctrl: readonly Point[], beta: number): Point[] {
  const n = ctrl.length;
  if (n < 3) return ctrl.slice();
  const p0 = ctrl[0];
  const pn = ctrl[n - 1];
  return ctrl.map((p, i) => {
    const chord = lerp(p0, pn, i / (n - 1));
    return { x: beta * p.x + (1 - beta) * chord.x, y: beta * p.y + (1 - beta) * chord.y };
  });
}

/** Cubic bezier segments of a clamped uniform cubic B-spline that starts and ends on its end points. */
export function bsplineToBeziers(ctrl: readonly Point[]): Point[][] {
  if (ctrl.length < 2) return [];
  const q = [ctrl[0], ctrl[0], ...ctrl, ctrl[ctrl.length - 1], ctrl[ctrl.length - 1]];
  const segs: Point[][] = [];
  for (let i = 0; i + 3 < q.length; i++) {
    const [a, b, c, d] = [q[i], q[i + 1], q[i + 2], q[i + 3]];
    segs.push([
      { x: (a.x + 4 * b.x + c.x) / 6, y: (a.y + 4 * b.y + c.y) / 6 },
      { x: (2 * b.x + c.x) / 3, y: (2 * b.y + c.y) / 3 },
      { x: (b.x + 2 * c.x) / 3, y: (b.y + 2 * c.y) / 3 },
      { x: (b.x + 4 * c.x + d.x) / 6, y: (b.y + 4 * c.y + d.y) / 6 },
    ]);
  }
  return segs;
}

export function beziersToPath(segs: readonly Point[][]): string {
  if (segs.length === 0) return '';
  let d = `M${round(segs[0][0].x)},${round(segs[0][0].y)}`;
  for (const s of segs)
    d += `C${round(s[1].x)},${round(s[1].y)} ${round(s[2].x)},${round(s[2].y)} ${round(s[3].x)},${round(s[3].y)}`;
  return d;
}

/**
 * Splits targets into contiguous branches of similar size: sorted by direction as seen from `origin`
 * (when given), else left to right.
 */
export function clusterTargets<T extends BundleTarget>(targets: readonly T[], perBranch = 8, origin?: Point): T[][] {
  if (targets.length === 0) return [];
  const key = (p: Point) => (origin ? Math.atan2(p.x - origin.x, p.y - origin.y) : p.x);
  const sorted = [...targets].sort((a, b) => key(a.at) - key(b.at) || a.at.y - b.at.y || (a.id < b.id ? -1 : 1));
  const k = Math.max(
    1,
    Math.min(sorted.length, Math.max(Math.ceil(sorted.length / perBranch), Math.round(Math.sqrt(sorted.length)))),
  );
  const out: T[][] = [];
  for (let i = 0; i < k; i++) {
    const lo = Math.floor((i * sorted.length) / k);
    const hi = Math.floor(((i + 1) * sorted.length) / k);
    if (hi > lo) out.push(sorted.slice(lo, hi));
  }
  return out;
}

export interface Bundle {
  /** Path data per target id. */
  paths: Map<string, string>;
  /** Where the shared trunk splits (for drawing a knot / label). */
  split: Point;
  /** Control polygons per target id (exposed for tests and hit areas). */
  controls: Map<string, Point[]>;
}

export function bundlePaths(source: Point, targets: readonly BundleTarget[], opts: BundleOptions = {}): Bundle {
  const trunk = opts.trunk ?? 0.45;
  const branch = opts.branch ?? 0.5;
  const beta = opts.beta ?? 0.85;
  const paths = new Map<string, string>();
  const controls = new Map<string, Point[]>();
  const c = centroid(targets.map((t) => t.at));
  const split = targets.length > 1 ? lerp(source, c, trunk) : source;
  const dir = { x: c.x - source.x, y: c.y - source.y };
  const len2 = dir.x * dir.x + dir.y * dir.y || 1;
  // Targets that lie before the split (seen along the trunk) go straight from the source: no loop back.
  const along = (p: Point) => ((p.x - source.x) * dir.x + (p.y - source.y) * dir.y) / len2;
  const far = targets.length > 1 ? targets.filter((t) => along(t.at) > trunk * 1.15) : [];
  for (const t of targets) {
    if (far.includes(t)) continue;
    const ctrl = [source, t.at];
    controls.set(t.id, ctrl);
    paths.set(t.id, beziersToPath(bsplineToBeziers(ctrl)));
  }
  for (const cluster of clusterTargets(far, opts.perBranch ?? 8, split)) {
    const cc = centroid(cluster.map((t) => t.at));
    const bsplit = lerp(split, cc, branch);
    for (const t of cluster) {
      const ctrl = straighten([source, split, bsplit, t.at], beta);
      controls.set(t.id, ctrl);
      paths.set(t.id, beziersToPath(bsplineToBeziers(ctrl)));
    }
  }
  return { paths, split, controls };
}

/** Where an edge between two boxes leaves `from` and enters `to`: bottom/top centres, or sides when level. */
export function anchors(from: Rect, to: Rect): [Point, Point] {
  const fc = { x: from.x + from.w / 2, y: from.y + from.h / 2 };
  const tc = { x: to.x + to.w / 2, y: to.y + to.h / 2 };
  if (to.y >= from.y + from.h)
    return [
      { x: fc.x, y: from.y + from.h },
      { x: tc.x, y: to.y },
    ];
  if (to.y + to.h <= from.y)
    return [
      { x: fc.x, y: from.y },
      { x: tc.x, y: to.y + to.h },
    ];
  if (tc.x >= fc.x)
    return [
      { x: from.x + from.w, y: fc.y },
      { x: to.x, y: tc.y },
    ];
  return [
    { x: from.x, y: fc.y },
    { x: to.x + to.w, y: tc.y },
  ];
}

/**
 * A plain edge: one straight segment. The Show mode draws every phase edge from the flag across the graph, so
 * at a readable zoom each spans thousands of pixels; a straight segment rasters in a fraction of a long curve's
 * time (measured: the 50k graph's Show/Collapse switch), and straight lines are what the hairball looks like.
 */
export function plainPath(a: Point, b: Point): string {
  return `M${round(a.x)},${round(a.y)}L${round(b.x)},${round(b.y)}`;
}

/**
 * An arrowhead at `end`, pointing away from `from`, as one closed subpath: the shape of the edge markers (7 units
 * long and wide, its tip just past the end). Drawn edges' heads are joined into one path per style, since a
 * marker per edge costs a paint step per edge in every tile the overlay rasters.
 */
export function arrowHead(end: Point, from: Point, size = 7): string {
  const dx = end.x - from.x;
  const dy = end.y - from.y;
  const len = Math.hypot(dx, dy);
  if (len === 0) return '';
  const ux = dx / len;
  const uy = dy / len;
  const tip = { x: end.x + ux * size * 0.1, y: end.y + uy * size * 0.1 };
  const base = { x: end.x - ux * size * 0.9, y: end.y - uy * size * 0.9 };
  const half = size / 2;
  return (
    `M${round(tip.x)},${round(tip.y)}L${round(base.x - uy * half)},${round(base.y + ux * half)}` +
    `L${round(base.x + uy * half)},${round(base.y - ux * half)}z`
  );
}

/**
 * Where an edge's count label goes: the middle point of its route, or the middle of its middle segment when it
 * has an even number of points (a straight edge drawn apart from the layout has two: its middle point would
 * be its end, under the box it enters).
 */
export function midRoute(points: readonly Point[]): Point {
  const n = points.length;
  if (n % 2 === 1) return points[(n - 1) / 2];
  const a = points[n / 2 - 1];
  const b = points[n / 2];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * Where a straight edge's label goes: the first point along it, from the middle outwards, where a label of
 * `size` placed at `offset` from it covers none of `boxes`; null when there is none. An edge drawn apart from
 * the layout crosses boxes, and a label on one hides the box's name (the count is in the edge's tooltip too).
 */
export function clearSpot(
  a: Point,
  b: Point,
  boxes: readonly Rect[],
  size: { w: number; h: number },
  offset: Point = { x: 0, y: 0 },
): Point | null {
  const at = (t: number) => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
  // 0.5, 0.525, 0.475, ... 0.05, 0.95: fine enough to find the gap between two boxes of a row.
  for (let i = 0; i < 37; i++) {
    const t = 0.5 + (i % 2 ? 1 : -1) * Math.ceil(i / 2) * 0.025;
    const p = at(t);
    const x = p.x + offset.x;
    const y = p.y + offset.y;
    if (!boxes.some((r) => x < r.x + r.w && x + size.w > r.x && y < r.y + r.h && y + size.h > r.y)) return p;
  }
  return null;
}

/**
 * Where a routed edge's label goes: the middle of its route when a label there covers none of `taken`, else the
 * first clear point along its segments from the middle outwards (clearSpot on each); null when there is none.
 */
export function clearOnRoute(
  points: readonly Point[],
  taken: readonly Rect[],
  size: { w: number; h: number },
  offset: Point = { x: 0, y: 0 },
): Point | null {
  const mid = midRoute(points);
  if (clearSpot(mid, mid, taken, size, offset)) return mid;
  const last = points.length - 2; // segments 0 .. last
  const first = Math.floor(last / 2);
  for (let k = 0; k <= last; k++) {
    const i = first + (k % 2 ? 1 : -1) * Math.ceil(k / 2);
    if (i < 0 || i > last) continue;
    const p = clearSpot(points[i], points[i + 1], taken, size, offset);
    if (p) return p;
  }
  return null;
}

/**
 * Where a routed edge's label goes when no point of its route is clear (two edges of different kinds between the
 * same two boxes share their route): beside the middle of its route, the first of a few label widths to the right,
 * then to the left, that covers none of `taken`; null when none does.
 */
export function besideRoute(
  points: readonly Point[],
  taken: readonly Rect[],
  size: { w: number; h: number },
  offset: Point = { x: 0, y: 0 },
): Point | null {
  const mid = midRoute(points);
  for (const k of [1, -1, 2, -2, 3]) {
    const p = { x: mid.x + k * (size.w + 4), y: mid.y };
    if (clearSpot(p, p, taken, size, offset)) return p;
  }
  return null;
}

/** Smooth path through dagre's edge points (Catmull-Rom converted to cubic beziers). */
export function polylinePath(pts: readonly Point[]): string {
  if (pts.length === 0) return '';
  if (pts.length === 1) return `M${round(pts[0].x)},${round(pts[0].y)}`;
  if (pts.length === 2) return `M${round(pts[0].x)},${round(pts[0].y)}L${round(pts[1].x)},${round(pts[1].y)}`;
  let d = `M${round(pts[0].x)},${round(pts[0].y)}`;
  for (let i = 0; i < pts.length - 1; i++) {
    const p0 = pts[Math.max(0, i - 1)];
    const p1 = pts[i];
    const p2 = pts[i + 1];
    const p3 = pts[Math.min(pts.length - 1, i + 2)];
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += `C${round(c1.x)},${round(c1.y)} ${round(c2.x)},${round(c2.y)} ${round(p2.x)},${round(p2.y)}`;
  }
  return d;
}
