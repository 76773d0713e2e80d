// Maps op-level phase edges onto what is drawn at the current expansion.
// Pure: the only inputs are the edges, the display paths and the set of open groups.

import type { PhaseEdge, PhaseSource } from './api';

/**
 * The deepest drawn element that stands for a node: the first closed group on its display path
 * (root exclusive, display parent inclusive), or the node itself when every group on the path is open.
 */
export function visibleEnd(
  name: string,
  path: readonly string[],
  isOpen: (group: string) => boolean,
  isDrawn: (id: string) => boolean = () => true,
): string {
  // `isDrawn` covers groups the server truncated: an end it left out falls back to its open parent.
  let lastDrawn: string | null = null;
  for (const g of path) {
    if (g === '') continue;
    if (!isDrawn(g)) return lastDrawn ?? g;
    if (!isOpen(g)) return g;
    lastDrawn = g;
  }
  return isDrawn(name) ? name : (lastDrawn ?? name);
}

export interface MappedPhaseEdge {
  from: string;
  to: string;
  /** The op-level source of the edge (the flag). */
  source: string;
  /** Layers (scopes) whose reads this drawn edge stands for, in first-seen order. */
  layers: string[];
  /** Number of op-level edges it stands for. */
  count: number;
}

/**
 * Maps every phase edge to (visible end of source, visible end of consumer), deduplicated.
 * Edges whose two ends fall into the same drawn element are dropped (nothing to draw).
 */
export function mapPhaseEdges(
  edges: readonly PhaseEdge[],
  sources: readonly PhaseSource[],
  isOpen: (group: string) => boolean,
  isDrawn: (id: string) => boolean = () => true,
): MappedPhaseEdge[] {
  const sourcePath = new Map<string, readonly string[]>();
  for (const s of sources) sourcePath.set(s.name, s.path ?? []);
  // Layers are gathered in a set per drawn edge: at the top level of a wide graph one drawn edge stands for
  // thousands of layers, and a search of the list for each would make the mapping quadratic.
  const out = new Map<string, { edge: MappedPhaseEdge; layers: Set<string> }>();
  for (const e of edges) {
    const from = visibleEnd(e.from, sourcePath.get(e.from) ?? [], isOpen, isDrawn);
    const to = visibleEnd(e.to, e.to_path ?? [], isOpen, isDrawn);
    if (from === to) continue;
    const key = from + '\u0000' + to;
    let m = out.get(key);
    if (!m) {
      m = { edge: { from, to, source: e.from, layers: [], count: 0 }, layers: new Set() };
      out.set(key, m);
    }
    m.edge.count += 1;
    if (e.layer) m.layers.add(e.layer);
  }
  return [...out.values()].map(({ edge, layers }) => ({ ...edge, layers: [...layers] }));
}

/** Groups mapped edges by their drawn source end, for bundling. */
export function bySource(edges: readonly MappedPhaseEdge[]): Map<string, MappedPhaseEdge[]> {
  const m = new Map<string, MappedPhaseEdge[]>();
  for (const e of edges) {
    const list = m.get(e.from);
    if (list) list.push(e);
    else m.set(e.from, [e]);
  }
  return m;
}

/**
 * Completes the display paths of phase edges with what a group answer says of the readers below it: a large
 * graph's first answer gives each reader's path only down to its top-level group (`to_path_partial`), and a
 * phase edge into an opened layer would end at the layer's frame instead of at the box that reads the flag. Each
 * answer says a path down to its own children: every such path is a prefix of the whole one, so the longest known
 * is kept (the groups of a path may be answered in any order).
 */
export function completePhasePaths(edges: PhaseEdge[], paths: Readonly<Record<string, string[]>>): void {
  for (const e of edges) {
    const path = paths[e.to];
    if (path && path.length > (e.to_path?.length ?? 0)) e.to_path = path;
  }
}
