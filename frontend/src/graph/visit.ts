// What a page load knows before the app's code is loaded: the link in the URL, the view saved in this tab and
// the graph last viewed in this browser. The entry module reads them to decide whether its runs request asks the
// server to start reading the first graph (a first visit); the app reads them to decide what to open.

import type { GraphRef } from './api';
import { tokenFromHash } from '../share/linkcodec';
import { compareTokenFromHash } from '../compare/answer';

/** The view saved in this browser tab (session storage). */
export const STORAGE_KEY = 'tb-phaseview-state';
/** The graph last viewed in this browser (local storage: a later visit opens it). */
export const LAST_GRAPH_KEY = 'tb-phaseview-last-graph';

/** What `read` finds in the plugin frame's hash or, failing that, TensorBoard's (the page around it), if any. */
function fromHashes(read: (hash: string) => string | null): string | null {
  const own = read(window.location.hash);
  if (own) return own;
  try {
    return window.parent !== window ? read(window.parent.location.hash) : null;
  } catch {
    return null; /* a parent of another origin */
  }
}

/** The link token in the plugin frame's hash or TensorBoard's, if any. */
export function linkToken(): string | null {
  return fromHashes(tokenFromHash);
}

/** The compare token (`pvc`) in the plugin frame's hash or TensorBoard's, if any. */
export function compareToken(): string | null {
  return fromHashes(compareTokenFromHash);
}

/** The saved view's text in this tab, if any (decoded by the session). */
export function savedViewText(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; /* storage may be unavailable */
  }
}

/** The graph last viewed in this browser, on an earlier visit or in another tab. */
export function lastViewedGraph(): GraphRef | null {
  try {
    const v = JSON.parse(window.localStorage.getItem(LAST_GRAPH_KEY) ?? 'null') as unknown;
    if (
      v &&
      typeof v === 'object' &&
      typeof (v as GraphRef).run === 'string' &&
      typeof (v as GraphRef).kind === 'string'
    )
      return {
        run: (v as GraphRef).run,
        kind: (v as GraphRef).kind,
        tag: typeof (v as GraphRef).tag === 'string' ? (v as GraphRef).tag : null,
      };
  } catch {
    /* storage may be unavailable, or hold something else */
  }
  return null;
}

/** Nothing to restore and no graph viewed before: the server picks the graph to open. */
export function isFirstVisit(): boolean {
  return !linkToken() && !savedViewText() && !lastViewedGraph();
}
