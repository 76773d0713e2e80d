// Notes pinned to nodes and groups. Pure: no DOM, no storage access (the caller passes a Storage-like).
//
// A note belongs to one node (op or group) by its full name; at most one note per node. It keeps the node's
// display path (the groups leading to it, root exclusive), so when the node is hidden inside a closed group
// the note can be drawn on the deepest drawn group of that path, and say so. Its offset (dx, dy) is
// relative to the top-right corner of the box it is drawn on.

import type { GraphRef } from '../graph/api';

export interface Note {
  node: string;
  text: string;
  /** Display path of the node: the groups from the root (exclusive) to its parent (inclusive). */
  path: string[];
  dx: number;
  dy: number;
}

export const NOTE_MAX_CHARS = 280;
export const NOTES_MAX = 100;
export const DEFAULT_OFFSET = { dx: 18, dy: -34 };
/** The largest offset kept (a dragged note stays within reach of its node). */
const MAX_OFFSET = 5000;

export function cleanText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ')
    .trim()
    .slice(0, NOTE_MAX_CHARS);
}

function clampOffset(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.round(Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, v)));
}

/** Adds a note, or replaces the text of the note already on that node. Empty text deletes it. */
export function setNote(notes: readonly Note[], node: string, text: string, path: readonly string[] = []): Note[] {
  const t = cleanText(text);
  const i = notes.findIndex((n) => n.node === node);
  if (!t) return i < 0 ? [...notes] : notes.filter((_, j) => j !== i);
  if (i >= 0) return notes.map((n, j) => (j === i ? { ...n, text: t } : n));
  if (notes.length >= NOTES_MAX) throw new Error(`at most ${NOTES_MAX} notes per graph`);
  return [...notes, { node, text: t, path: path.filter((p) => p !== ''), ...DEFAULT_OFFSET }];
}

export function moveNote(notes: readonly Note[], node: string, dx: number, dy: number): Note[] {
  return notes.map((n) => (n.node === node ? { ...n, dx: clampOffset(dx), dy: clampOffset(dy) } : n));
}

export function deleteNote(notes: readonly Note[], node: string): Note[] {
  return notes.filter((n) => n.node !== node);
}

export function noteOf(notes: readonly Note[], node: string): Note | undefined {
  return notes.find((n) => n.node === node);
}

export interface Anchor {
  /** The drawn element the note is attached to: the node itself, or its deepest drawn ancestor group. */
  anchor: string;
  /** True when the node itself is not drawn (it is inside the closed group `anchor`). */
  hidden: boolean;
}

/** Where a note is drawn at the current expansion; null when neither the node nor any group of its path is drawn.
 * `now` turns an id the note was written on into the id it is drawn under today (`followMoves`). */
export function resolveAnchor(
  note: Note,
  drawn: (name: string) => boolean,
  now: (id: string) => string = (id) => id,
): Anchor | null {
  const node = now(note.node);
  if (drawn(node)) return { anchor: node, hidden: false };
  for (let i = note.path.length - 1; i >= 0; i--) {
    const group = now(note.path[i]);
    if (drawn(group)) return { anchor: group, hidden: true };
  }
  return null;
}

/** Machinery areas' ids start with this mark (`∷save`), which TensorFlow never writes in a name. */
export const AREA_MARK = '\u2237';

/** The scope a group id stands for, without the machinery area it is drawn in (`∷save/save` -> `save`). */
export function scopeOf(id: string): string {
  if (!id.startsWith(AREA_MARK)) return id;
  const cut = id.indexOf('/');
  return cut < 0 ? id : id.slice(cut + 1);
}

/** The id a group a note was written on is drawn under now that the user moved scopes to the model or back:
 * a group written inside a machinery area (`∷save/save`) is drawn as `save` while a move covers that scope
 * (`covered`, graph/moves.ts's coveringMove); a group written in the model while moved is drawn inside an area
 * again once moved back (found among the areas drawn, `areas`). Op names never change. */
export function followMoves(
  id: string,
  covered: (scope: string) => boolean,
  drawn: (name: string) => boolean,
  areas: readonly string[],
): string {
  const scope = scopeOf(id);
  if (scope !== id) return covered(scope) ? scope : id;
  if (drawn(id) || covered(id)) return id;
  for (const area of areas) if (drawn(`${area}/${id}`)) return `${area}/${id}`;
  return id;
}

/** The note on `node`, also when it was written on the same scope before a move (`now`, as in resolveAnchor). */
export function noteFollowing(notes: readonly Note[], node: string, now: (id: string) => string): Note | undefined {
  return noteOf(notes, node) ?? notes.find((n) => now(n.node) === node);
}

/** Link notes win over local ones on the same node; other local notes are kept. */
export function mergeNotes(local: readonly Note[], incoming: readonly Note[]): Note[] {
  const byNode = new Map<string, Note>();
  for (const n of local) byNode.set(n.node, n);
  for (const n of incoming) byNode.set(n.node, n);
  return [...byNode.values()].slice(0, NOTES_MAX);
}

/** Greedy word wrap to lines of at most `width` characters (long words are cut), at most `maxLines`. */
export function wrapText(text: string, width = 34, maxLines = 8): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (let word of para.split(/\s+/).filter(Boolean)) {
      while (word.length > width) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push(word.slice(0, width));
        word = word.slice(width);
      }
      if (!line) line = word;
      else if (line.length + 1 + word.length <= width) line += ' ' + word;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  if (out.length > maxLines) {
    const kept = out.slice(0, maxLines);
    kept[maxLines - 1] = kept[maxLines - 1].slice(0, width - 1) + '…';
    return kept;
  }
  return out;
}

// ---------------------------------------------------------------- persistence

export const STORAGE_PREFIX = 'tb-phaseview-notes/v1/';

export function storageKey(g: GraphRef): string {
  return STORAGE_PREFIX + JSON.stringify([g.run, g.kind, g.tag ?? '']);
}

/** Reads notes from untrusted JSON (storage or a link), dropping anything malformed. */
export function parseNotes(value: unknown): Note[] {
  if (!Array.isArray(value)) return [];
  const out: Note[] = [];
  const seen = new Set<string>();
  for (const v of value) {
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    if (typeof o.node !== 'string' || typeof o.text !== 'string' || seen.has(o.node)) continue;
    const text = cleanText(o.text);
    if (!text) continue;
    const path = Array.isArray(o.path) ? o.path.filter((p): p is string => typeof p === 'string' && p !== '') : [];
    out.push({
      node: o.node,
      text,
      path,
      dx: clampOffset(Number(o.dx ?? DEFAULT_OFFSET.dx)),
      dy: clampOffset(Number(o.dy ?? DEFAULT_OFFSET.dy)),
    });
    seen.add(o.node);
    if (out.length >= NOTES_MAX) break;
  }
  return out;
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** This browser's local storage, or null where the page may not use it (a sandboxed frame, a privacy mode). */
export function localStore(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function loadNotes(store: KeyValueStore | null, g: GraphRef): Note[] {
  if (!store) return [];
  try {
    const raw = store.getItem(storageKey(g));
    return raw ? parseNotes(JSON.parse(raw)) : [];
  } catch {
    return [];
  }
}

export function saveNotes(store: KeyValueStore | null, g: GraphRef, notes: readonly Note[]): void {
  if (!store) return;
  try {
    if (notes.length === 0) store.removeItem(storageKey(g));
    else store.setItem(storageKey(g), JSON.stringify(notes));
  } catch {
    /* storage full or unavailable: notes stay for this page only */
  }
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Box, b: Box, gap: number) =>
  a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;
const contains = (outer: Box, inner: Box) =>
  outer.x <= inner.x &&
  outer.y <= inner.y &&
  outer.x + outer.w >= inner.x + inner.w &&
  outer.y + outer.h >= inner.y + inner.h;

/**
 * Where a callout of `size` goes near its `anchor` box so that it covers no other box: `preferred` (its top-left
 * corner) when that is free, else the first free place on rings around the anchor, nearest first. Boxes holding
 * the anchor (the open groups it is drawn in) and `anchor` itself are not in the way. With no free place within
 * reach, `preferred`.
 */
export function placeCallout(
  anchor: Box,
  size: { w: number; h: number },
  preferred: { x: number; y: number },
  boxes: Iterable<Box>,
  gap = 4,
): { x: number; y: number } {
  const reach = Math.max(size.w, size.h) * 4 + Math.max(anchor.w, anchor.h);
  const area = { x: anchor.x - reach, y: anchor.y - reach, w: anchor.w + 2 * reach, h: anchor.h + 2 * reach };
  const near: Box[] = [];
  for (const b of boxes) if (b !== anchor && overlaps(b, area, 0) && !contains(b, anchor)) near.push(b);
  const free = (x: number, y: number) => {
    const c = { x, y, w: size.w, h: size.h };
    return !overlaps(c, anchor, gap) && !near.some((b) => overlaps(c, b, gap));
  };
  if (free(preferred.x, preferred.y)) return preferred;
  const step = Math.max(8, Math.min(size.w, size.h) / 2);
  const right = anchor.x + anchor.w + gap * 2;
  const left = anchor.x - size.w - gap * 2;
  const above = anchor.y - size.h - gap * 2;
  const below = anchor.y + anchor.h + gap * 2;
  // Beside and above/below the anchor first, then on rings farther out.
  const first = [
    { x: right, y: anchor.y },
    { x: right, y: above },
    { x: anchor.x, y: above },
    { x: left, y: anchor.y },
    { x: anchor.x, y: below },
    { x: left, y: above },
    { x: right, y: below },
    { x: left, y: below },
  ];
  for (const p of first) if (free(p.x, p.y)) return p;
  for (let ring = 1; ring * step <= reach; ring++) {
    const d = ring * step;
    const ring_pts = [
      { x: right + d, y: anchor.y },
      { x: right, y: above - d },
      { x: anchor.x, y: above - d },
      { x: left - d, y: anchor.y },
      { x: anchor.x, y: below + d },
      { x: right + d, y: above - d },
      { x: left - d, y: above - d },
      { x: right + d, y: below + d },
      { x: left - d, y: below + d },
    ];
    for (const p of ring_pts) if (free(p.x, p.y)) return p;
  }
  return preferred;
}
