// What the user moved to the model, per run and graph: op and scope names the server draws in the model though
// its classifier put them in the machinery (docs/http_api.md, `model`). Kept in local storage like the notes,
// carried by links. Pure but for the storage the caller passes.

import type { KeyValueStore } from '../share/notes';
import type { GraphRef } from './api';

export const MOVES_PREFIX = 'tb-phaseview-moves/v1/';
/** The server's bounds (overrides.py): more names, or longer ones, are refused. */
export const MOVES_MAX = 200;
export const MOVE_MAX_CHARS = 1024;

export function movesKey(g: GraphRef): string {
  return MOVES_PREFIX + JSON.stringify([g.run, g.kind, g.tag ?? '']);
}

/** Names from untrusted JSON (storage or a link): strings only, a scope's trailing `/` kept once, no repeats,
 * sorted, bounded. An op is named as it is (`global_step`: that op alone); a scope ends in `/` (`save/`: its op
 * and every op below it). */
export function parseMoves(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const names = new Set<string>();
  for (const v of value) {
    if (typeof v !== 'string') continue;
    const name = v.endsWith('/') ? v.replace(/\/+$/, '') + '/' : v;
    if (name && name !== '/' && name.length <= MOVE_MAX_CHARS) names.add(name);
    if (names.size >= MOVES_MAX) break;
  }
  return [...names].sort();
}

export function addMove(moves: readonly string[], name: string): string[] {
  return parseMoves([...moves, name]);
}

export function removeMove(moves: readonly string[], name: string): string[] {
  return moves.filter((m) => m !== name);
}

/** The entry among `moves` that covers `name` (an op of that name, or a scope holding it or of its name; the
 * deepest), or null. */
export function coveringMove(moves: readonly string[], name: string): string | null {
  let best: string | null = null;
  for (const m of moves) {
    const covers = m.endsWith('/') ? (name + '/').startsWith(m) : m === name;
    if (covers && (best === null || m.length > best.length)) best = m;
  }
  return best;
}

/** The scope a group inside a machinery area stands for (`∷save/save/RestoreV2` -> `save/RestoreV2`), or null. */
export function scopeInArea(id: string, areas: readonly { group: string }[]): string | null {
  for (const a of areas) if (id.startsWith(a.group + '/')) return id.slice(a.group.length + 1);
  return null;
}

export function loadMoves(store: KeyValueStore | null, g: GraphRef): string[] {
  if (!store) return [];
  try {
    const raw = store.getItem(movesKey(g));
    return raw ? parseMoves(JSON.parse(raw)) : [];
  } catch {
    return [];
  }
}

export function saveMoves(store: KeyValueStore | null, g: GraphRef, moves: readonly string[]): void {
  if (!store) return;
  try {
    if (moves.length === 0) store.removeItem(movesKey(g));
    else store.setItem(movesKey(g), JSON.stringify(moves));
  } catch {
    /* storage full or unavailable: the moves last for this page only */
  }
}

export function sameMoves(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((m, i) => m === y[i]);
}
