// Shareable links: the view (graph, filter, open groups, selection, viewport) and its notes in one token.
// Pure: no DOM. The format is documented in docs/test_hooks.md ("Link format").
//
// The token is base64url (no padding) of UTF-8 JSON with short keys:
//   {"v":1, "g":[run, kind, tag|null], "m":"collapse|highlight|show", "r":"true|false" (run as; absent: both),
//    "o":[open groups...], "s": selected|null, "vp":[cx, cy, k, w?, h?], "n":[[node, text, dx, dy, path?], ...],
//    "mv":[names moved to the model...] (absent: the link says nothing about them)}
// `vp` is the graph point at the centre of the view and the zoom factor (so another window size shows the
// same place). A note's `path` is left out when it is the name's own prefixes (`a/b/c` -> `["a","a/b"]`).
// The token rides in TensorBoard's hash, `#phaseview&pv=<token>`, which TensorBoard keeps and parses as
// `&`-separated `key=value` pairs (base64url never contains `&` or `=`).

import type { GraphRef } from '../graph/api';
import { changedKinds, parseKinds } from '../graph/kinds';
import { round } from '../lib/num';
import { parseMoves } from '../graph/moves';
import { parseNotes, type Note } from './notes';
import { isPhaseMode, isRunAs, runAsOf, type PhaseMode, type ViewState } from '../graph/state';
import { isColourBy } from '../scene/colourscale';

export const LINK_PARAM = 'pv';
export const PLUGIN_TAB = 'phaseview';
/** Longest token written; notes past it are left out of the link (and the user is told). */
export const LINK_MAX_CHARS = 8000;
/** Open groups a link may open: each is a request and a layout (a link written here rarely lists more). */
export const LINK_MAX_OPEN = 1000;
/** Bounds of a link's viewport: a centre within this many px of the origin, a zoom within the scene's range. */
export const LINK_MAX_COORD = 1e7;
export const LINK_ZOOM_RANGE: readonly [number, number] = [1e-3, 64];

export interface Viewport {
  cx: number;
  cy: number;
  k: number;
  /** The size of the view it was copied from (CSS px), when known: a smaller window keeps the selection in view. */
  w?: number;
  h?: number;
}

export interface LinkState {
  view: ViewState;
  viewport: Viewport | null;
  notes: Note[];
  /** Open groups the link listed past LINK_MAX_OPEN, left closed (decoded links only). */
  openDropped?: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export interface Encoded {
  token: string;
  /** Notes left out to keep the token under LINK_MAX_CHARS. */
  notesDropped: number;
}

export function namePrefixes(name: string): string[] {
  const parts = name.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out.filter((p) => p !== '');
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function payload(s: LinkState, notes: readonly Note[]): unknown {
  const g = s.view.graph;
  const o: Record<string, unknown> = { v: 1 };
  if (g) o.g = [g.run, g.kind, g.tag ?? null];
  if (g?.model?.length) o.mv = [...g.model];
  o.m = s.view.mode;
  if (runAsOf(s.view) !== 'both') o.r = runAsOf(s.view);
  o.o = [...s.view.expanded].sort();
  if (s.view.selected) o.s = s.view.selected;
  const kinds = changedKinds(s.view.kinds ?? {});
  if (Object.keys(kinds).length) o.k = kinds;
  if (s.view.colour && isColourBy(s.view.colour) && s.view.colour !== 'role') o.c = s.view.colour;
  if (s.viewport && [s.viewport.cx, s.viewport.cy, s.viewport.k].every(Number.isFinite))
    o.vp = [round(s.viewport.cx, 1), round(s.viewport.cy, 1), Number(s.viewport.k.toPrecision(5))];
  if (o.vp && s.viewport?.w && s.viewport.h && Number.isFinite(s.viewport.w) && Number.isFinite(s.viewport.h))
    (o.vp as number[]).push(Math.round(s.viewport.w), Math.round(s.viewport.h));
  if (notes.length)
    o.n = notes.map((n) => {
      const t: unknown[] = [n.node, n.text, n.dx, n.dy];
      if (!samePath(n.path, namePrefixes(n.node))) t.push(n.path);
      return t;
    });
  return o;
}

export function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(token: string): string {
  // Padding is optional (a token copied from elsewhere may carry it): it is dropped, then put back as needed.
  const b64 = token.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** Encodes a view; drops notes from the end while the token is longer than `max`. */
export function encodeLink(s: LinkState, max = LINK_MAX_CHARS): Encoded {
  let notes = s.notes.slice();
  let token = toBase64Url(JSON.stringify(payload(s, notes)));
  const all = notes.length;
  while (token.length > max && notes.length > 0) {
    // Cut roughly in proportion, then step by one.
    const keep = Math.min(notes.length - 1, Math.floor((notes.length * max) / token.length));
    notes = notes.slice(0, Math.max(0, keep));
    token = toBase64Url(JSON.stringify(payload(s, notes)));
  }
  return { token, notesDropped: all - notes.length };
}

/** Decodes a token; null when it is not a PhaseView link. Everything in it is treated as untrusted data. */
export function decodeLink(token: string): LinkState | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(fromBase64Url(token.trim())) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!o || typeof o !== 'object' || o.v !== 1) return null;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  let graph: GraphRef | null = null;
  if (Array.isArray(o.g) && typeof o.g[0] === 'string')
    graph = { run: o.g[0], kind: str(o.g[1]) || 'run_graph', tag: str(o.g[2]) || null };
  // The moves to the model the link was drawn with (absent from links without any, and from older links).
  if (graph && Array.isArray(o.mv)) graph.model = parseMoves(o.mv);
  const mode: PhaseMode = isPhaseMode(o.m) ? o.m : 'collapse';
  const listed = new Set(Array.isArray(o.o) ? o.o.filter((x): x is string => typeof x === 'string' && x !== '') : []);
  // Bounded: a crafted link listing thousands of groups must not cost thousands of requests (written sorted, so
  // the first ones kept hold the outer groups).
  const expanded = new Set([...listed].slice(0, LINK_MAX_OPEN));
  let viewport: Viewport | null = null;
  if (
    Array.isArray(o.vp) &&
    (o.vp.length === 3 || o.vp.length === 5) &&
    o.vp.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
    (o.vp[2] as number) > 0
  ) {
    const [cx, cy, k, w, h] = o.vp as number[];
    viewport = {
      cx: clamp(cx, -LINK_MAX_COORD, LINK_MAX_COORD),
      cy: clamp(cy, -LINK_MAX_COORD, LINK_MAX_COORD),
      k: clamp(k, ...LINK_ZOOM_RANGE),
    };
    // The size of the view it was copied from (added later: older links have three numbers).
    if (o.vp.length === 5 && w > 0 && h > 0) {
      viewport.w = clamp(w, 1, LINK_MAX_COORD);
      viewport.h = clamp(h, 1, LINK_MAX_COORD);
    }
  }
  const rawNotes = Array.isArray(o.n)
    ? o.n.map((t) =>
        Array.isArray(t)
          ? {
              node: t[0],
              text: t[1],
              dx: t[2],
              dy: t[3],
              path: Array.isArray(t[4]) ? t[4] : typeof t[0] === 'string' ? namePrefixes(t[0]) : [],
            }
          : null,
      )
    : [];
  return {
    view: {
      graph,
      expanded,
      mode,
      runAs: isRunAs(o.r) ? o.r : 'both',
      selected: str(o.s) || null,
      kinds: parseKinds(o.k),
      ...(isColourBy(o.c) && o.c !== 'role' ? { colour: o.c } : {}),
    },
    viewport,
    notes: parseNotes(rawNotes),
    openDropped: listed.size - expanded.size,
  };
}

// ---------------------------------------------------------------- URLs

/** TensorBoard's hash: `tab&key=value&...` (the part without `=` is the tab). Order is kept. */
export function parseTbHash(hash: string): { tab: string | null; params: [string, string][] } {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  let tab: string | null = null;
  const params: [string, string][] = [];
  for (const part of text.split('&')) {
    if (!part) continue;
    // Split at the first `=` only: a value may hold more (a token copied with base64's `=` padding).
    const at = part.indexOf('=');
    if (at < 0) tab = safeDecode(part);
    else params.push([safeDecode(part.slice(0, at)), safeDecode(part.slice(at + 1))]);
  }
  return { tab, params };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The link token in a hash (`#phaseview&pv=...` or `#pv=...`), or null. */
export function tokenFromHash(hash: string): string | null {
  const p = parseTbHash(hash).params.find(([k]) => k === LINK_PARAM);
  return p ? p[1] : null;
}

/** TensorBoard's page URL with the PhaseView tab selected and the token; other hash parameters are kept. */
export function tensorBoardLink(pageHref: string, token: string): string {
  const u = new URL(pageHref);
  const { params } = parseTbHash(u.hash);
  const kept = params
    .filter(([k]) => k !== LINK_PARAM)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  u.hash = [PLUGIN_TAB, ...kept, `${LINK_PARAM}=${token}`].join('&');
  return u.toString();
}

/** The plugin page's own URL with the token (when PhaseView is opened outside TensorBoard's page). */
export function pluginLink(pluginHref: string, token: string): string {
  const u = new URL(pluginHref);
  u.hash = `${LINK_PARAM}=${token}`;
  return u.toString();
}

/** A hash with the token removed (after it was applied), keeping TensorBoard's tab and other parameters. */
export function hashWithoutToken(hash: string): string {
  const { tab, params } = parseTbHash(hash);
  const kept = params
    .filter(([k]) => k !== LINK_PARAM)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const parts = [...(tab !== null ? [tab] : []), ...kept];
  return parts.length ? '#' + parts.join('&') : '';
}
