// View state: which graph, which groups are open, the phase filter, the phase it runs as, and the selection.
// Pure: no DOM. Serialises to a short string for a shareable link / session storage.

import type { GraphRef } from './api';
import { changedKinds, parseKinds, type KindState } from './kinds';

export type PhaseMode = 'collapse' | 'highlight' | 'show';
export const PHASE_MODES: readonly PhaseMode[] = ['collapse', 'highlight', 'show'];
/** Run as: every op (`both`), or what runs when the flags are true (training) or false (inference). */
export type RunAs = 'both' | 'true' | 'false';
export const RUN_AS: readonly RunAs[] = ['both', 'true', 'false'];

export interface ViewState {
  graph: GraphRef | null;
  /** Ids of open groups. The root group "" is always open and never listed. */
  expanded: ReadonlySet<string>;
  mode: PhaseMode;
  /** Absent in states saved before it existed: read as `both`. */
  runAs?: RunAs;
  selected: string | null;
  /** Legend-filter states of the edge kinds the user changed (see kinds.ts for the defaults). */
  kinds: Readonly<Record<string, KindState>>;
  /** What the boxes are coloured by ("colour by"); absent: by role. */
  colour?: string;
}

export function initialState(): ViewState {
  return { graph: null, expanded: new Set(), mode: 'collapse', runAs: 'both', selected: null, kinds: {} };
}

export function setKind(s: ViewState, kind: string, state: KindState): ViewState {
  return { ...s, kinds: changedKinds({ ...s.kinds, [kind]: state }) };
}

export function isPhaseMode(v: unknown): v is PhaseMode {
  return typeof v === 'string' && (PHASE_MODES as readonly string[]).includes(v);
}

export function isRunAs(v: unknown): v is RunAs {
  return typeof v === 'string' && (RUN_AS as readonly string[]).includes(v);
}

export function runAsOf(s: ViewState): RunAs {
  return s.runAs ?? 'both';
}

export function setRunAs(s: ViewState, runAs: RunAs): ViewState {
  return runAsOf(s) === runAs ? s : { ...s, runAs };
}

export function isExpanded(s: ViewState, group: string): boolean {
  return group === '' || s.expanded.has(group);
}

/** Open or close one group. Closing keeps the open state of its descendants, so re-opening restores them. */
export function toggleGroup(s: ViewState, group: string, open?: boolean): ViewState {
  if (group === '') return s;
  const want = open ?? !s.expanded.has(group);
  if (want === s.expanded.has(group)) return s;
  const expanded = new Set(s.expanded);
  if (want) expanded.add(group);
  else expanded.delete(group);
  return { ...s, expanded };
}

/** Open every group on a display path (root exclusive), e.g. to reveal a search result. */
export function openPath(s: ViewState, path: readonly string[]): ViewState {
  const missing = path.filter((g) => g !== '' && !s.expanded.has(g));
  if (missing.length === 0) return s;
  const expanded = new Set(s.expanded);
  for (const g of missing) expanded.add(g);
  return { ...s, expanded };
}

export function setMode(s: ViewState, mode: PhaseMode): ViewState {
  return s.mode === mode ? s : { ...s, mode };
}

/** Switching graphs forgets the groups and the selection but keeps the filters and the phase it runs as. */
export function selectGraph(s: ViewState, graph: GraphRef | null): ViewState {
  return { graph, expanded: new Set(), mode: s.mode, runAs: runAsOf(s), selected: null, kinds: s.kinds };
}

export function sameGraph(a: GraphRef | null, b: GraphRef | null): boolean {
  if (!a || !b) return a === b;
  return a.run === b.run && a.kind === b.kind && (a.tag ?? '') === (b.tag ?? '');
}

/** State -> query string (`run=..&kind=..&tag=..&mode=..&as=..&open=a,b&sel=..`). */
export function encodeState(s: ViewState): string {
  const q = new URLSearchParams();
  if (s.graph) {
    q.set('run', s.graph.run);
    q.set('kind', s.graph.kind);
    if (s.graph.tag) q.set('tag', s.graph.tag);
  }
  if (s.mode !== 'collapse') q.set('mode', s.mode);
  if (runAsOf(s) !== 'both') q.set('as', runAsOf(s));
  for (const g of [...s.expanded].sort()) q.append('open', g);
  if (s.selected) q.set('sel', s.selected);
  for (const [k, v] of Object.entries(changedKinds(s.kinds)).sort()) q.append('kind', `${k}:${v}`);
  return q.toString();
}

export function decodeState(text: string): ViewState {
  const q = new URLSearchParams(text.startsWith('#') || text.startsWith('?') ? text.slice(1) : text);
  const run = q.get('run');
  const mode = q.get('mode');
  const runAs = q.get('as');
  return {
    graph: run ? { run, kind: q.get('kind') || 'run_graph', tag: q.get('tag') || null } : null,
    expanded: new Set(q.getAll('open').filter((g) => g !== '')),
    mode: isPhaseMode(mode) ? mode : 'collapse',
    runAs: isRunAs(runAs) ? runAs : 'both',
    selected: q.get('sel') || null,
    kinds: parseKinds(Object.fromEntries(q.getAll('kind').map((x) => x.split(':', 2)))),
  };
}
