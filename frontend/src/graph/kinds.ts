// Edge kinds and the legend-filter state of each: drawn, dimmed or hidden. Pure: no DOM.
// The phase kind has no state of its own: the phase filter (collapse / highlight / show) is its state.

import type { PhaseMode } from './state';

export type KindState = 'drawn' | 'dimmed' | 'hidden';
export const KIND_STATES: readonly KindState[] = ['drawn', 'dimmed', 'hidden'];

/** Every edge kind the server writes, in the legend's order (docs/wire_format.md). */
export const EDGE_KINDS = [
  'data',
  'control',
  'variable',
  'phase',
  'hyperparameter',
  'constant',
  'init',
  'gradient',
  'optimizer',
  'summary',
  'save',
] as const;

/** Kinds whose edges never shape a layout (laid out apart, drawn straight over it): all but the model's own. */
export const APART_KINDS: ReadonlySet<string> = new Set(
  EDGE_KINDS.filter((k) => k !== 'data' && k !== 'control' && k !== 'variable'),
);

/** What the view draws before the user changes anything: the model's own edges; the machinery's hidden. */
export const DEFAULT_KIND_STATES: Readonly<Record<string, KindState>> = {
  data: 'drawn',
  control: 'drawn',
  variable: 'drawn',
  hyperparameter: 'hidden',
  constant: 'hidden',
  init: 'hidden',
  gradient: 'hidden',
  optimizer: 'hidden',
  summary: 'hidden',
  save: 'hidden',
};

export function isKindState(v: unknown): v is KindState {
  return typeof v === 'string' && (KIND_STATES as readonly string[]).includes(v);
}

/** The state of a kind (its default when the view never changed it). */
export function kindState(states: Readonly<Record<string, KindState>>, kind: string): KindState {
  return states[kind] ?? DEFAULT_KIND_STATES[kind] ?? 'drawn';
}

/** The next state on a click: drawn -> dimmed -> hidden -> drawn. */
export function nextKindState(state: KindState): KindState {
  return KIND_STATES[(KIND_STATES.indexOf(state) + 1) % KIND_STATES.length];
}

/** The phase entry of the legend shows the phase filter: collapse hides, highlight draws bundled, show draws. */
export const PHASE_LEGEND_STATE: Readonly<Record<PhaseMode, string>> = {
  collapse: 'hidden',
  highlight: 'highlighted',
  show: 'drawn',
};

/** The phase mode a click on the phase entry switches to (the same cycle as the toolbar's three buttons). */
export function nextPhaseMode(mode: PhaseMode): PhaseMode {
  return mode === 'collapse' ? 'highlight' : mode === 'highlight' ? 'show' : 'collapse';
}

/** Only the kinds whose state differs from the default (what a link or a saved view needs to keep). */
export function changedKinds(states: Readonly<Record<string, KindState>>): Record<string, KindState> {
  const out: Record<string, KindState> = {};
  for (const [k, v] of Object.entries(states))
    if (k !== 'phase' && isKindState(v) && v !== kindState({}, k)) out[k] = v;
  return out;
}

/** Kind states read from untrusted data (a link, a saved view): unknown kinds and states are dropped. */
export function parseKinds(raw: unknown): Record<string, KindState> {
  const out: Record<string, KindState> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>))
    if ((EDGE_KINDS as readonly string[]).includes(k) && k !== 'phase' && isKindState(v)) out[k] = v;
  return out;
}
