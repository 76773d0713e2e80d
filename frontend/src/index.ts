// TensorBoard's entry contract for dynamic plugins: plugin_entry.html imports this module and calls render().
// This module is small on purpose: it sends the runs request (which, on a first visit, starts the server reading
// the graph to open) before the app's code is fetched, so the server's work and the app's loading overlap.

import { routeUrl, runsParams, type EarlyRuns } from './graph/api';
import { isFirstVisit } from './graph/visit';

let early: EarlyRuns | null = null;
try {
  const prefetch = isFirstVisit();
  early = { prefetch, sent: fetch(routeUrl('runs', runsParams(prefetch)), { credentials: 'same-origin' }) };
  early.sent.catch(() => undefined); // read (and reported) by the app; never an unhandled rejection here
} catch {
  early = null; // the app asks itself
}

let started = false;

export async function render(): Promise<void> {
  if (started) return;
  started = true;
  // Built as its own file (build.mjs): the path stays as written and is fetched next to this one.
  const { App } = await import('./app.js');
  new App(document.body, early).start();
}
