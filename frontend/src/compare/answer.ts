// The compare route's answer (docs/wire_format.md, *Diff*) and the link token that reopens a comparison.
// Pure: no DOM.

import type { GraphRef } from '../graph/api';
import { parseMoves } from '../graph/moves';

export type RowStatus = 'same' | 'changed' | 'added' | 'removed';

export interface DiffLayer {
  name: string;
  /** The name within the scope its side's layers share (added; absent from older servers). */
  label?: string;
  type: string;
  output_shape: (number | null)[] | null;
  params: number;
  reads_flag: boolean;
}

export interface DiffRow {
  status: RowStatus;
  a: DiffLayer | null;
  b: DiffLayer | null;
  what: string[];
}

export interface DiffSide extends GraphRef {
  layers: number;
  /** The scope every layer of this side shares, said once (added; "" when none). */
  scope?: string;
  total_params: number;
  frozen: boolean;
  flags: { name: string; op: string; layers: string[]; constant: boolean }[];
  flag_readers: string[];
  machinery_areas: Record<string, number>;
}

export interface CompareAnswer {
  differs: boolean;
  sentence: string;
  a: DiffSide;
  b: DiffSide;
  layers_added: { b: string; type: string }[];
  layers_removed: { a: string; type: string }[];
  layers_changed: { a: string; b: string; type: string; what: string[] }[];
  layers_same: { a: string; b: string }[];
  machinery: { role: string; a: number; b: number }[];
  lost: string[];
  rows: DiffRow[];
}

/** The hash parameter of a compare link: `#phaseview&pvc=<token>` (base64url of `[[run, kind, tag], [...]]`; a
 * graph with moves to the model has them fourth: `[run, kind, tag, ["save/", ...]]`). */
export const COMPARE_PARAM = 'pvc';

const refOf = (v: unknown): GraphRef | null => {
  if (!Array.isArray(v) || v.length < 3 || v.length > 4) return null;
  const [run, kind, tag, moves] = v as unknown[];
  if (typeof run !== 'string' || typeof kind !== 'string' || (tag !== null && typeof tag !== 'string')) return null;
  const model = parseMoves(moves);
  return (model.length ? { run, kind, tag, model } : { run, kind, tag }) as GraphRef;
};

const refArray = (g: GraphRef) => [g.run, g.kind, g.tag ?? null, ...(g.model?.length ? [g.model] : [])];

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(token: string): string | null {
  try {
    const bin = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

export function encodeCompare(a: GraphRef, b: GraphRef): string {
  return toBase64Url(JSON.stringify([refArray(a), refArray(b)]));
}

/** The two graphs a compare token names, or null when it is not one. */
export function decodeCompare(token: string): { a: GraphRef; b: GraphRef } | null {
  const text = fromBase64Url(token);
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v) || v.length !== 2) return null;
    const a = refOf(v[0]);
    const b = refOf(v[1]);
    return a && b ? { a, b } : null;
  } catch {
    return null;
  }
}

/** The compare token in a location hash (`#phaseview&pvc=...`), if any. */
export function compareTokenFromHash(hash: string): string | null {
  for (const part of hash.replace(/^#/, '').split('&')) {
    const [key, value] = part.split('=');
    if (key === COMPARE_PARAM && value) return value;
  }
  return null;
}

/** `url` with its hash set to the plugin's tab and this comparison. */
export function compareLink(url: string, a: GraphRef, b: GraphRef): string {
  const u = new URL(url);
  u.hash = `phaseview&${COMPARE_PARAM}=${encodeCompare(a, b)}`;
  return u.toString();
}

/** Notes written on a layer or inside it, from the notes of one graph. */
export function notesOfLayer<N extends { node: string; text: string }>(notes: readonly N[], layer: string): N[] {
  return notes.filter((n) => n.node === layer || n.node.startsWith(layer + '/'));
}
