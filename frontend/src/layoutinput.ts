// Builds the input of one group's layout: its children's box sizes and the aggregated edges among them.
// Pure. Phase edges are never part of it, so the phase filter can never move a node.

import type { Child, GroupAnswer } from './api';

export const OP_H = 24;
export const GROUP_H = 42;
export const HEADER_H = 30;
export const PAD = 14;
const CHAR_W = 6.8;

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
  return `${fmt(n)} op${n === 1 ? '' : 's'}`;
}

/** Box size of a closed child, from the length of what it shows. */
export function collapsedSize(c: Child): Size {
  const label = displayLabel(c.label || c.name);
  const note = phaseNote(c);
  const noteW = note ? note.length * 6 + 20 : 0;
  if (c.type === 'group') {
    const text = Math.max(label.length * (CHAR_W + 0.4), groupSubtitle(c).length * 6, noteW);
    return { w: Math.round(clamp(text + 44, 96, 280)), h: GROUP_H + (note ? NOTE_H : 0) };
  }
  return { w: Math.round(clamp(Math.max(label.length * CHAR_W, noteW) + 22, 44, 280)), h: OP_H + (note ? NOTE_H : 0) };
}

export const NOTE_H = 14;

/** The extra line a phase source shows: who reads it and where it was born. */
export function phaseNote(c: Child): string | null {
  const p = c.phase;
  if (!p || p.role !== 'source') return null;
  let t = `read by ${p.consumers} layer${p.consumers === 1 ? '' : 's'}`;
  if (p.born_in) t += ` · born in ${displayLabel(p.born_in, 24)}`;
  return t;
}

/** Box size of an open group around its laid-out contents. */
export function expandedSize(inner: { width: number; height: number }, header?: Child): Size {
  // wide enough for the header: chevron, label and the op count on the right
  const headerW = header ? 28 + displayLabel(header.label || header.name, 60).length * (CHAR_W + 0.4) + 16 + groupSubtitle(header).length * 6 + 24 : 140;
  return { w: Math.round(Math.max(inner.width + 2 * PAD, 140, headerW)), h: Math.round(inner.height + HEADER_H + PAD) };
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
  for (const n of input.nodes) s += `${n.id}\u0001${n.w}x${n.h}${n.top ? 't' : ''}${n.order ?? ''}\u0002`;
  s += '|';
  for (const e of input.edges) s += `${e.v}\u0001${e.w}\u0001${e.kind}\u0002`;
  return s;
}
