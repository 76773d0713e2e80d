// Lays out one group: dagre for ordinary sizes, a fast ranked grid past a size cap (dagre's ordering
// phase gets slow with thousands of children). Runs inside the layout worker; pure otherwise.

import dagre from '@dagrejs/dagre';
import type { LayoutInput, LayoutResult, PlacedEdge, PlacedNode } from './layoutinput';

export const DAGRE_MAX_NODES = 450;
export const DAGRE_MAX_EDGES = 1500;

export function layoutGroup(input: LayoutInput): LayoutResult {
  const t0 = Date.now();
  let r: Omit<LayoutResult, 'ms'>;
  if (input.nodes.length === 0) r = { group: input.group, width: 0, height: 0, nodes: {}, edges: [], engine: 'empty' };
  else if (input.nodes.length > DAGRE_MAX_NODES || input.edges.length > DAGRE_MAX_EDGES) r = gridLayout(input);
  else r = dagreLayout(input);
  return { ...r, ms: Date.now() - t0 };
}

function dagreLayout(input: LayoutInput): Omit<LayoutResult, 'ms'> {
  const g = new dagre.graphlib.Graph({ multigraph: true, compound: false });
  g.setGraph({ rankdir: 'TB', nodesep: 22, ranksep: 34, edgesep: 10, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.w, height: n.h });
  for (const e of input.edges) g.setEdge(e.v, e.w, { weight: Math.min(10, e.count), minlen: 1 }, e.kind);
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
    const l = g.edge(e.v, e.w, e.kind) as { points?: { x: number; y: number }[] };
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
export function gridLayout(input: LayoutInput): Omit<LayoutResult, 'ms'> {
  const idx = new Map(input.nodes.map((n, i) => [n.id, i]));
  const n = input.nodes.length;
  const indeg = new Array<number>(n).fill(0);
  const out: number[][] = input.nodes.map(() => []);
  for (const e of input.edges) {
    const a = idx.get(e.v);
    const b = idx.get(e.w);
    if (a === undefined || b === undefined || a === b) continue;
    out[a].push(b);
    indeg[b]++;
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
  const ranks = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = ranks.get(rank[i]);
    if (list) list.push(i);
    else ranks.set(rank[i], [i]);
  }
  const perRow = Math.max(8, Math.ceil(Math.sqrt(n) * 1.6));
  const gapX = 16;
  const gapY = 30;
  const nodes: Record<string, PlacedNode> = {};
  let y = 0;
  let width = 0;
  for (const r of [...ranks.keys()].sort((a, b) => a - b)) {
    const members = ranks.get(r)!;
    for (let s = 0; s < members.length; s += perRow) {
      const row = members.slice(s, s + perRow);
      let x = 0;
      let h = 0;
      for (const i of row) {
        const m = input.nodes[i];
        nodes[m.id] = { x, y, w: m.w, h: m.h };
        x += m.w + gapX;
        h = Math.max(h, m.h);
      }
      width = Math.max(width, x - gapX);
      y += h + gapY;
    }
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
  return { group: input.group, width, height: Math.max(0, y - gapY), nodes, edges, engine: 'grid' };
}
