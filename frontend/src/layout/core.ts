// Lays out one group: dagre for ordinary sizes, a fast ranked grid past a size cap (dagre's ordering
// phase gets slow with thousands of children). Runs inside the layout worker; pure otherwise.

import dagre from '@dagrejs/dagre';
import { APART_KINDS } from '../graph/kinds';
import { anchors, type Point } from '../scene/bundle';
import type { LayoutEdge, LayoutInput, LayoutNode, LayoutResult, PlacedEdge, PlacedNode } from './input';

// dagre needs about 0.6 s for 300 children on this kind of machine; past that a ranked grid keeps the
// first view fast (groups of up to 5,000 children arrive from the server).
export const DAGRE_MAX_NODES = 300;
export const DAGRE_MAX_EDGES = 1500;
/** Groups smaller than this never have hubs taken out. */
export const HUB_MIN_GROUP = 20;

type Partial = Omit<LayoutResult, 'ms'>;

const NATURAL = new Intl.Collator('en', { numeric: true });

/** Past this many nodes plus dummy nodes (one per rank an edge spans), dagre takes over about a second. */
export const DAGRE_MAX_WORK = 1200;

/**
 * Estimates dagre's work: nodes plus the dummy nodes its long edges need, from longest-path ranks
 * (O(nodes + edges); cycles are cut where a back edge closes them).
 */
export function dagreWork(input: LayoutInput): number {
  const { rank, pairs } = longestPathRanks(input);
  let work = input.nodes.length;
  for (const [a, b] of pairs) work += Math.max(0, Math.abs(rank[b] - rank[a]) - 1);
  return work;
}

/**
 * Rank of every node by longest path from the sources (cycles broken in input order), and the edges as
 * index pairs (self-loops and edges to unknown nodes left out). Shared by the work estimate and the grid.
 */
export function longestPathRanks(input: LayoutInput): { rank: number[]; pairs: [number, number][] } {
  const idx = new Map(input.nodes.map((n, i) => [n.id, i]));
  const n = input.nodes.length;
  const indeg = new Array<number>(n).fill(0);
  const out: number[][] = input.nodes.map(() => []);
  const pairs: [number, number][] = [];
  for (const e of input.edges) {
    const a = idx.get(e.v);
    const b = idx.get(e.w);
    if (a === undefined || b === undefined || a === b) continue;
    out[a].push(b);
    indeg[b]++;
    pairs.push([a, b]);
  }
  const rank = new Array<number>(n).fill(0);
  const done = new Array<boolean>(n).fill(false);
  let queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  let seen = 0;
  let next = 0;
  while (seen < n) {
    if (queue.length === 0) {
      while (done[next]) next++;
      queue.push(next); // break a cycle
      indeg[next] = 0;
    }
    const q2: number[] = [];
    for (const i of queue) {
      if (done[i]) continue;
      done[i] = true;
      seen++;
      for (const j of out[i]) {
        if (done[j]) continue;
        rank[j] = Math.max(rank[j], rank[i] + 1);
        if (--indeg[j] === 0) q2.push(j);
      }
    }
    queue = q2;
  }
  return { rank, pairs };
}

/**
 * Hubs: children linked to very many siblings (the optimizer's `training`, `init`, `save`...). Laying out
 * their edges makes dagre slow and the drawing a fan of long edges, so, like TensorBoard's auxiliary nodes,
 * they are placed in a column beside the main layout and their edges are drawn only on demand.
 */
export function findHubs(input: LayoutInput): Set<string> {
  const n = input.nodes.length;
  const hubs = new Set<string>();
  if (n < HUB_MIN_GROUP) return hubs;
  const threshold = Math.max(12, Math.ceil(1.2 * Math.sqrt(n)));
  const nbrs = new Map<string, Set<string>>();
  const add = (a: string, b: string) => {
    let s = nbrs.get(a);
    if (!s) nbrs.set(a, (s = new Set()));
    s.add(b);
  };
  for (const e of input.edges) {
    add(e.v, e.w);
    add(e.w, e.v);
  }
  for (const [id, s] of nbrs) if (s.size > threshold) hubs.add(id);
  return hubs;
}

export function layoutGroup(input: LayoutInput): LayoutResult {
  const t0 = Date.now();
  if (input.nodes.length === 0)
    return { group: input.group, width: 0, height: 0, nodes: {}, edges: [], engine: 'empty', ms: 0 };
  if (input.nodes.every((n) => n.order !== undefined)) return { ...bucketLayout(input), ms: Date.now() - t0 };
  // The machinery's edges (and a hyperparameter's) never shape the model's layout: they are drawn straight
  // over it, so the legend filter can show or hide them without moving anything.
  // So are all edges of a machinery area (its variable writes too): the areas sit in a column of their own.
  const side = new Set(input.nodes.filter((n) => n.side).map((n) => n.id));
  const isApart = (e: LayoutEdge) => APART_KINDS.has(e.kind) || side.has(e.v) || side.has(e.w);
  const apart = input.edges.filter(isApart);
  const shaping = apart.length
    ? { ...input, nodes: input.nodes.filter((n) => !n.side), edges: input.edges.filter((e) => !isApart(e)) }
    : input;
  // Buckets with pinned children beside them (the flag, the areas): the buckets in reading order as above,
  // the flag in the row above them, the areas in their column.
  const bucketed =
    input.nodes.some((n) => n.order !== undefined) &&
    input.nodes.every((n) => n.order !== undefined || n.side || n.top);
  const hubs = bucketed ? new Set<string>() : findHubs(shaping);
  const main: LayoutEdge[] = [];
  const aux: LayoutEdge[] = [];
  for (const e of shaping.edges) (hubs.has(e.v) || hubs.has(e.w) ? aux : main).push(e);
  const linked = new Set<string>();
  for (const e of main) {
    linked.add(e.v);
    linked.add(e.w);
  }
  const mainNodes: LayoutNode[] = [];
  const loose: LayoutNode[] = [];
  const pinned: LayoutNode[] = [];
  const hubNodes: LayoutNode[] = [];
  const areaNodes: LayoutNode[] = [];
  for (const n of input.nodes) {
    if (bucketed) (n.side ? areaNodes : n.order !== undefined ? mainNodes : pinned).push(n);
    else
      (n.side ? areaNodes : hubs.has(n.id) ? hubNodes : linked.has(n.id) ? mainNodes : n.top ? pinned : loose).push(n);
  }

  let core: Partial;
  const mainInput = { group: input.group, nodes: mainNodes, edges: main };
  // Drawn once every end is placed (an edge may join a bucket and the flag above the buckets).
  if (bucketed) core = bucketLayout({ ...mainInput, edges: [] });
  else if (mainNodes.length === 0)
    core = { group: input.group, width: 0, height: 0, nodes: {}, edges: [], engine: 'dagre' };
  else if (mainNodes.length > DAGRE_MAX_NODES || main.length > DAGRE_MAX_EDGES || dagreWork(mainInput) > DAGRE_MAX_WORK)
    core = gridLayout(mainInput);
  else core = dagreLayout(mainInput);

  const nodes = core.nodes;
  let width = core.width;
  let height = core.height;
  // Unlinked children: packed in rows under the main layout, in natural order (replica_2 before replica_10).
  if (loose.length) {
    loose.sort((a, b) => NATURAL.compare(a.id, b.id));
    const top = height > 0 ? height + 36 : 0;
    const rowW = Math.max(width, 640, Math.sqrt(loose.length) * 160);
    const block = packRows(loose, rowW);
    for (const [id, p] of Object.entries(block.nodes)) nodes[id] = { ...p, y: p.y + top };
    width = Math.max(width, block.width);
    height = top + block.height;
  }
  // Unlinked phase sources: a row above everything, so their (drawn, never laid out) edges run downwards.
  if (pinned.length) {
    const block = packRows(pinned, Math.max(width, 640));
    const shift = block.height + 40;
    for (const p of Object.values(nodes)) p.y += shift;
    for (const e of core.edges) for (const p of e.points) p.y += shift;
    const left = Math.max(0, (width - block.width) / 2);
    for (const [id, p] of Object.entries(block.nodes)) nodes[id] = { ...p, x: p.x + left };
    width = Math.max(width, block.width);
    height += shift;
  }
  // Machinery areas, then hubs: columns to the right, from the top rank (where the flag sits) down, so a
  // tall model does not push them a hundred screens away.
  for (const column of [orderAreaColumn(areaNodes, input.edges), hubNodes]) {
    if (!column.length) continue;
    const left = width > 0 ? width + 56 : 0;
    let y = 0;
    let colW = 0;
    for (const n of column) {
      nodes[n.id] = { x: left, y, w: n.w, h: n.h };
      y += n.h + 24;
      colW = Math.max(colW, n.w);
    }
    width = left + colW;
    height = Math.max(height, y - 24);
  }
  // Between buckets on selection, as bucketLayout draws them; between a bucket and the flag above, at once.
  const bucketIds = new Set(mainNodes.map((n) => n.id));
  const betweenBuckets = (e: LayoutEdge) => bucketIds.has(e.v) && bucketIds.has(e.w);
  const late = bucketed
    ? [
        ...straightEdges(main.filter(betweenBuckets), nodes, true),
        ...straightEdges(
          main.filter((e) => !betweenBuckets(e)),
          nodes,
          false,
        ),
      ]
    : [];
  const column = new Set([...areaNodes, ...hubNodes].map((n) => n.id));
  const edges = [
    ...core.edges,
    ...late,
    ...straightEdges(aux, nodes, true, column),
    // Round the boxes only where a layout placed them along its edges: a group whose edges are all apart (inside a
    // machinery area) is packed in rows, where every long edge would cross some box.
    ...straightEdges(apart, nodes, false, column, main.length > 0),
  ];
  return { group: input.group, width, height, nodes, edges, engine: core.engine, ms: Date.now() - t0 };
}

/**
 * The areas' order down their column: a chain in which linked areas are neighbours (gradients, optimizer,
 * initialisers), so an edge between two areas never runs through a third one's box. It starts from an area
 * linked to the fewest others (an end of the chain) and goes on to the area most linked to the last one
 * placed; areas linked to none keep their order, after the linked ones. Depends on every edge, drawn or not,
 * so switching a kind in the legend never reorders it.
 */
export function orderAreaColumn(areas: readonly LayoutNode[], edges: readonly LayoutEdge[]): LayoutNode[] {
  if (areas.length < 3) return [...areas];
  const ids = new Set(areas.map((a) => a.id));
  const weight = new Map<string, Map<string, number>>();
  for (const a of areas) weight.set(a.id, new Map());
  for (const e of edges) {
    if (e.v === e.w || !ids.has(e.v) || !ids.has(e.w)) continue;
    for (const [x, y] of [
      [e.v, e.w],
      [e.w, e.v],
    ]) {
      const m = weight.get(x)!;
      m.set(y, (m.get(y) ?? 0) + (e.count || 1));
    }
  }
  const linked = areas.filter((a) => weight.get(a.id)!.size > 0);
  const out: LayoutNode[] = [];
  const left = new Set(linked);
  while (left.size) {
    const last = out.length ? out[out.length - 1] : null;
    let next: LayoutNode | null = null;
    let best = 0;
    if (last)
      for (const a of left) {
        const w = weight.get(last.id)!.get(a.id) ?? 0;
        if (w > best) [next, best] = [a, w];
      }
    // A new chain: from an end (the fewest links; the first listed on a tie).
    if (!next) for (const a of left) if (!next || weight.get(a.id)!.size < weight.get(next.id)!.size) next = a;
    out.push(next!);
    left.delete(next!);
  }
  return [...out, ...areas.filter((a) => weight.get(a.id)!.size === 0)];
}

/**
 * Most buckets in a row. A bucket's box is six times wider than tall, so a grid square by count is about five
 * times wider than tall: at a million nodes (86 buckets, ten a row, 2,600 px) the first view at the readable zoom
 * cut a column in two at each side and left the areas' column off screen. Four a row and the areas' column beside
 * them (about 1,300 px) fit a laptop's screen at that zoom; the grid grows downwards, the way the graph flows.
 */
export const BUCKET_COLUMNS_MAX = 4;

/**
 * A group split into buckets (slices of one huge scope, by name): the buckets in reading order. Edges between
 * name ranges run every way, so a layered layout would only cost time (dagre needs over 100 ms for 18 densely
 * linked buckets) without saying more; drawn at once, they crossed the grid's boxes and buried their counts.
 * So, as a hub's, a bucket's edges are drawn (straight) when it is selected.
 */
export function bucketLayout(input: LayoutInput): Partial {
  const ordered = [...input.nodes].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const perRow = Math.max(1, Math.min(BUCKET_COLUMNS_MAX, Math.ceil(Math.sqrt(ordered.length))));
  const rowW = ordered.slice(0, perRow).reduce((w, n) => w + n.w + 16, -16);
  const block = packRows(ordered, Math.max(rowW, 1));
  const edges = straightEdges(input.edges, block.nodes, true);
  return { group: input.group, width: block.width, height: block.height, nodes: block.nodes, edges, engine: 'buckets' };
}

/**
 * Edges drawn as one straight segment between the borders of their placed ends (ends not placed: left out).
 * An end in a column on the right (`column`: the areas, the hubs) is joined at its left side: leaving by its
 * bottom, an edge to a layer far below would run through the boxes stacked under it.
 * `detour`: an edge whose segment would run through a box between its ends (a constant the first module of a
 * chain hands the fourth, straight down the chain, its label in the gap of two other boxes as if theirs) goes
 * round the right of the boxes instead.
 */
function straightEdges(
  list: readonly LayoutEdge[],
  nodes: Record<string, PlacedNode>,
  aux: boolean,
  column: ReadonlySet<string> = new Set(),
  detour = false,
): PlacedEdge[] {
  const out: PlacedEdge[] = [];
  const boxes = detour ? Object.entries(nodes) : [];
  let lanes = 0;
  for (const e of list) {
    const a = nodes[e.v];
    const b = nodes[e.w];
    if (!a || !b) continue;
    const inColumn = column.has(e.v) || column.has(e.w);
    const [p, q] = column.has(e.v) === column.has(e.w) ? anchors(a, b) : columnAnchors(a, b, column.has(e.v));
    const crossed = detour && !inColumn && boxes.some(([id, r]) => id !== e.v && id !== e.w && segmentCrosses(p, q, r));
    const points = crossed ? aroundTheRight(a, b, boxes, lanes++) : [p, q];
    out.push(
      aux
        ? { v: e.v, w: e.w, kind: e.kind, count: e.count, points, aux: true }
        : { v: e.v, w: e.w, kind: e.kind, count: e.count, points },
    );
  }
  return out;
}

/** Whether the segment p-q runs through the inside of `r` (its border 1 px in: an edge along a side is clear). */
export function segmentCrosses(p: Point, q: Point, r: PlacedNode): boolean {
  const x0 = r.x + 1;
  const x1 = r.x + r.w - 1;
  const y0 = r.y + 1;
  const y1 = r.y + r.h - 1;
  // Liang-Barsky: clip the segment's parameter range to the rectangle's four half-planes.
  let lo = 0;
  let hi = 1;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  for (const [d, near, far] of [
    [dx, x0 - p.x, x1 - p.x],
    [dy, y0 - p.y, y1 - p.y],
  ] as const) {
    if (d === 0) {
      if (near > 0 || far < 0) return false;
      continue;
    }
    const t0 = Math.min(near / d, far / d);
    const t1 = Math.max(near / d, far / d);
    lo = Math.max(lo, t0);
    hi = Math.min(hi, t1);
    if (lo > hi) return false;
  }
  return true;
}

/**
 * A route from `a`'s right side to `b`'s, right of every box in the rows between them: out, down (or up) and back
 * in. Each detour of a group takes the next of a few lanes, 8 px apart, so that two of them are told apart.
 */
function aroundTheRight(a: PlacedNode, b: PlacedNode, boxes: [string, PlacedNode][], lane: number): Point[] {
  const ya = a.y + a.h / 2;
  const yb = b.y + b.h / 2;
  const top = Math.min(ya, yb);
  const bottom = Math.max(ya, yb);
  let right = Math.max(a.x + a.w, b.x + b.w);
  for (const [, r] of boxes) if (r.y < bottom && r.y + r.h > top) right = Math.max(right, r.x + r.w);
  const x = right + 16 + (lane % 5) * 8;
  // Its corners as pairs of points 6 px apart: the scene's smooth curve through the points then turns there,
  // where through one point a corner it overshot past the boxes' sides.
  const s = yb >= ya ? 6 : -6;
  return [
    { x: a.x + a.w, y: ya },
    { x: x - 6, y: ya },
    { x, y: ya + s },
    { x, y: yb - s },
    { x: x - 6, y: yb },
    { x: b.x + b.w, y: yb },
  ];
}

/** The ends of an edge between a box in a column (`fromColumn`: its start) and one to its left. */
function columnAnchors(a: PlacedNode, b: PlacedNode, fromColumn: boolean): [Point, Point] {
  const inColumn = fromColumn ? a : b;
  const side = { x: inColumn.x, y: inColumn.y + inColumn.h / 2 };
  const [other] = anchors(fromColumn ? b : a, { ...side, w: 0, h: 0 });
  return fromColumn ? [side, other] : [other, side];
}

/** Left-to-right rows of boxes, wrapped at `maxW`. */
export function packRows(
  list: readonly LayoutNode[],
  maxW: number,
  gapX = 16,
  gapY = 18,
): { nodes: Record<string, PlacedNode>; width: number; height: number } {
  const nodes: Record<string, PlacedNode> = {};
  let x = 0;
  let y = 0;
  let rowH = 0;
  let width = 0;
  for (const n of list) {
    if (x > 0 && x + n.w > maxW) {
      x = 0;
      y += rowH + gapY;
      rowH = 0;
    }
    nodes[n.id] = { x, y, w: n.w, h: n.h };
    x += n.w + gapX;
    width = Math.max(width, x - gapX);
    rowH = Math.max(rowH, n.h);
  }
  return { nodes, width, height: y + rowH };
}

function dagreLayout(input: LayoutInput): Partial {
  // One layout edge per ordered pair (kinds merged): half the work of a multigraph; kinds share a route.
  const g = new dagre.graphlib.Graph({ multigraph: false, compound: false });
  g.setGraph({ rankdir: 'TB', nodesep: 22, ranksep: 34, edgesep: 10, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.w, height: n.h });
  for (const e of input.edges) {
    const cur = g.edge(e.v, e.w) as { weight: number } | undefined;
    const weight = Math.min(10, (cur?.weight ?? 0) + e.count);
    g.setEdge(e.v, e.w, { weight, minlen: 1 });
  }
  dagre.layout(g);
  const nodes: Record<string, PlacedNode> = {};
  let maxX = 0;
  let maxY = 0;
  let minX = Infinity;
  let minY = Infinity;
  for (const n of input.nodes) {
    const l = g.node(n.id) as { x: number; y: number };
    const p = { x: l.x - n.w / 2, y: l.y - n.h / 2, w: n.w, h: n.h };
    nodes[n.id] = p;
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + p.w);
    maxY = Math.max(maxY, p.y + p.h);
  }
  const edges: PlacedEdge[] = input.edges.map((e) => {
    const l = g.edge(e.v, e.w) as { points?: { x: number; y: number }[] };
    const points = (l?.points ?? []).map((p) => ({ x: p.x, y: p.y }));
    for (const p of points) {
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x);
      maxY = Math.max(maxY, p.y);
    }
    return { v: e.v, w: e.w, kind: e.kind, count: e.count, points };
  });
  // Normalise so the content starts at (0, 0).
  if (minX !== 0 || minY !== 0) {
    for (const p of Object.values(nodes)) {
      p.x -= minX;
      p.y -= minY;
    }
    for (const e of edges)
      for (const p of e.points) {
        p.x -= minX;
        p.y -= minY;
      }
  }
  return { group: input.group, width: maxX - minX, height: maxY - minY, nodes, edges, engine: 'dagre' };
}

/** Ranks by longest path from the sources (cycles broken in input order), rows wrapped, straight edges. */
export function gridLayout(input: LayoutInput): Partial {
  const n = input.nodes.length;
  const { rank } = longestPathRanks(input);
  const ranks = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = ranks.get(rank[i]);
    if (list) list.push(i);
    else ranks.set(rank[i], [i]);
  }
  const perRow = Math.max(8, Math.ceil(Math.sqrt(n) * 1.6));
  const gapX = 16;
  const gapY = 30;
  const colGap = 60;
  // Rows: each rank, wrapped at perRow boxes.
  const rows: { members: number[]; w: number; h: number }[] = [];
  let area = 0;
  for (const r of [...ranks.keys()].sort((a, b) => a - b)) {
    const members = ranks.get(r)!;
    for (let s = 0; s < members.length; s += perRow) {
      const row = members.slice(s, s + perRow);
      let w = 0;
      let h = 0;
      for (const i of row) {
        w += input.nodes[i].w + gapX;
        h = Math.max(h, input.nodes[i].h);
      }
      rows.push({ members: row, w: w - gapX, h });
      area += w * (h + gapY);
    }
  }
  // Rows flow top to bottom into columns of about a 16:10 overall shape (a long chain becomes a snake).
  const maxH = Math.max(400, Math.sqrt(area / 1.6));
  const nodes: Record<string, PlacedNode> = {};
  let x0 = 0;
  let y = 0;
  let colW = 0;
  let width = 0;
  let height = 0;
  for (const row of rows) {
    if (y > 0 && y + row.h > maxH) {
      x0 += colW + colGap;
      y = 0;
      colW = 0;
    }
    let x = x0;
    for (const i of row.members) {
      const m = input.nodes[i];
      nodes[m.id] = { x, y, w: m.w, h: m.h };
      x += m.w + gapX;
    }
    colW = Math.max(colW, row.w);
    width = Math.max(width, x0 + row.w);
    height = Math.max(height, y + row.h);
    y += row.h + gapY;
  }
  const edges: PlacedEdge[] = input.edges
    .filter((e) => nodes[e.v] && nodes[e.w] && e.v !== e.w)
    .map((e) => {
      const a = nodes[e.v];
      const b = nodes[e.w];
      return {
        v: e.v,
        w: e.w,
        kind: e.kind,
        count: e.count,
        points: [
          { x: a.x + a.w / 2, y: a.y + a.h },
          { x: b.x + b.w / 2, y: b.y },
        ],
      };
    });
  return { group: input.group, width, height, nodes, edges, engine: 'grid' };
}
