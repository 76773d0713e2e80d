// Builds the input of one group's layout: its children's box sizes and the aggregated edges among them.
// Pure. Phase edges are never part of it, so the phase filter can never move a node.

import type { Child, GroupAnswer } from '../graph/api';
import { hyperNote } from '../graph/hyperwords';
import { PARAMS } from '../scene/params';
import { sizeLine } from '../scene/shapes';

const { op: OP, group: GROUP, note: NOTE } = PARAMS;

export interface Size {
  w: number;
  h: number;
}

export interface LayoutNode extends Size {
  id: string;
  /** Place at the top when it has no laid-out edges (a phase source: its edges are never laid out). */
  top?: boolean;
  /** A bucket's position among its siblings: buckets are laid out in this (name) order, not by their edges. */
  order?: number;
  /** A machinery area: placed in a column beside the top of the model; its edges never shape the layout. */
  side?: boolean;
}

export interface LayoutEdge {
  v: string;
  w: string;
  kind: string;
  count: number;
}

export interface LayoutInput {
  group: string;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

export interface PlacedNode {
  x: number; // left
  y: number; // top
  w: number;
  h: number;
}

export interface PlacedEdge {
  v: string;
  w: string;
  kind: string;
  count: number;
  points: { x: number; y: number }[];
  /** An edge of a hub, left out of the layout and drawn only when one of its ends is selected. */
  aux?: boolean;
}

export interface LayoutResult {
  group: string;
  width: number;
  height: number;
  nodes: Record<string, PlacedNode>;
  edges: PlacedEdge[];
  engine: 'dagre' | 'grid' | 'buckets' | 'empty';
  ms: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** Longest label shown in a box before it is cut with an ellipsis. */
export const MAX_LABEL = 30;

export function displayLabel(label: string, max = MAX_LABEL): string {
  return label.length <= max ? label : label.slice(0, max - 1) + '…';
}

const NUMBER = new Intl.NumberFormat('en-US');
export const fmt = (n: number): string => NUMBER.format(n);

export function groupSubtitle(c: Child): string {
  const n = c.size ?? 0;
  const ops = `${fmt(n)} op${n === 1 ? '' : 's'}`;
  const size = sizeLine(c);
  return size ? `${size} · ${ops}` : ops;
}

/** Box size of a closed child, from the length of what it shows. */
export function collapsedSize(c: Child): Size {
  const label = displayLabel(c.label || c.name);
  const note = phaseNote(c);
  const noteW = note ? note.length * NOTE.charWidth + NOTE.padX : 0;
  const noteH = note ? NOTE.height : 0;
  if (c.type === 'group') {
    const text = Math.max(label.length * GROUP.charWidth, groupSubtitle(c).length * GROUP.subCharWidth, noteW);
    return { w: Math.round(clamp(text + GROUP.padX, GROUP.minWidth, GROUP.maxWidth)), h: GROUP.height + noteH };
  }
  return {
    w: Math.round(clamp(Math.max(label.length * OP.charWidth, noteW) + OP.padX, OP.minWidth, OP.maxWidth)),
    h: OP.height + noteH,
  };
}

/** The extra line a phase source shows: who reads it and where it was born (a hyperparameter: who reads it). */
export function phaseNote(c: Child): string | null {
  const p = c.phase;
  if (!p || p.role !== 'source') return hyperNote(c);
  let t = `read by ${p.consumers.toLocaleString('en-US')} layer${p.consumers === 1 ? '' : 's'}`;
  if (p.born_in) t += ` · born in ${displayLabel(p.born_in, 24)}`;
  return t;
}

/** Box size of an open group around its laid-out contents. */
export function expandedSize(inner: { width: number; height: number }, header?: Child): Size {
  // wide enough for the header: chevron, label and the op count on the right
  // (label, a 16 px gap, the op count, and 24 px of right margin)
  const headerW = header
    ? GROUP.labelX +
      displayLabel(header.label || header.name, GROUP.openLabelChars).length * GROUP.charWidth +
      16 +
      groupSubtitle(header).length * GROUP.subCharWidth +
      24
    : GROUP.minOpenWidth;
  return {
    w: Math.round(Math.max(inner.width + 2 * GROUP.pad, GROUP.minOpenWidth, headerW)),
    h: Math.round(inner.height + GROUP.headerHeight + GROUP.pad),
  };
}

/**
 * The layout input of `group`. `openSize(child)` gives the size of an open child group (its laid-out box)
 * or undefined when the child is closed. Edges to children the server left out (truncated groups), self
 * loops and phase edges are dropped; duplicate (from, to, kind) entries are merged.
 */
export function buildLayoutInput(group: GroupAnswer, openSize: (id: string) => Size | undefined): LayoutInput {
  const ids = new Set<string>();
  const nodes: LayoutNode[] = [];
  for (const c of group.children) {
    if (ids.has(c.name)) continue;
    ids.add(c.name);
    const s = (c.type === 'group' ? openSize(c.name) : undefined) ?? collapsedSize(c);
    const node: LayoutNode = { id: c.name, w: s.w, h: s.h };
    if (c.phase?.role === 'source') node.top = true;
    if (c.bucket) node.order = c.bucket.index;
    if (c.area) node.side = true;
    nodes.push(node);
  }
  const merged = new Map<string, LayoutEdge>();
  for (const e of group.edges) {
    if (e.kind === 'phase') continue;
    if (e.from === e.to || !ids.has(e.from) || !ids.has(e.to)) continue;
    const key = `${e.from}\u0000${e.to}\u0000${e.kind}`;
    const m = merged.get(key);
    if (m) m.count += e.count || 1;
    else merged.set(key, { v: e.from, w: e.to, kind: e.kind, count: e.count || 1 });
  }
  return { group: group.group, nodes, edges: [...merged.values()] };
}

/** A key that changes exactly when the layout of the input would change (sizes, edges). */
export function inputSignature(input: LayoutInput): string {
  let s = '';
  for (const n of input.nodes)
    s += `${n.id}\u0001${n.w}x${n.h}${n.top ? 't' : ''}${n.side ? 's' : ''}${n.order ?? ''}\u0002`;
  s += '|';
  for (const e of input.edges) s += `${e.v}\u0001${e.w}\u0001${e.kind}\u0002`;
  return s;
}
