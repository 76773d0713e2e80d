// TensorBoard's entry contract for dynamic plugins: plugin_entry.html imports this module and calls render().
// This module is small on purpose: it sends the first requests and starts the layout worker before the app's
// code is fetched, so that the server's work, the worker's start and the app's loading overlap. On a first visit
// the runs request starts the server reading the graph it picks, and that graph is asked for as soon as the runs
// answer names it.

import { decodeCompare } from './compare/answer';
import { compareParams, refParams, routeUrl, runsParams, type EarlyRequests, type RunsAnswer } from './graph/api';
import { compareToken, isFirstVisit } from './graph/visit';
import { startLayoutWorker } from './layout/client';

const SAME_ORIGIN: RequestInit = { credentials: 'same-origin' };

function sendEarly(): EarlyRequests {
  const token = compareToken();
  const linked = token ? decodeCompare(token) : null;
  if (linked) {
    // A compare link: the comparison is all the page shows at first, and the server reads both graphs for it.
    // The run list and the view beneath are asked for once it is drawn (app.ts), not to compete with it.
    const sent = fetch(routeUrl('compare', compareParams(linked.a, linked.b)), SAME_ORIGIN);
    sent.catch(() => undefined); // read, and reported, by the app
    return { prefetch: false, runs: null, graph: null, compare: { ...linked, sent } };
  }
  const prefetch = isFirstVisit();
  const runs = fetch(routeUrl('runs', runsParams(prefetch)), SAME_ORIGIN);
  runs.catch(() => undefined); // read, and reported, by the app
  const graph = prefetch
    ? runs
        // A copy of the answer: the app reads the original.
        .then((res) => (res.ok ? (res.clone().json() as Promise<RunsAnswer>) : null))
        .then((answer) => {
          const ref = answer?.first;
          if (!ref) return null;
          const sent = fetch(routeUrl('graph', refParams(ref)), SAME_ORIGIN);
          sent.catch(() => undefined);
          return { ref, sent };
        })
        .catch(() => null)
    : null;
  return { prefetch, runs, graph };
}

let early: EarlyRequests | null = null;
try {
  early = sendEarly();
} catch {
  early = null; // the app asks itself
}
// Its script is fetched and compiled while the app's code loads: the first layout does not wait for it.
const worker = startLayoutWorker(new URL('./layout.worker.js', import.meta.url));

let started = false;

export async function render(): Promise<void> {
  if (started) return;
  started = true;
  // Built as its own file (build.mjs): the path stays as written and is fetched next to this one.
  let app: typeof import('./app.js');
  try {
    app = await import('./app.js');
  } catch (e) {
    // Said as text (the message may hold anything), rather than leaving an empty page.
    document.body.textContent = `PhaseView could not load its code (app.js): ${(e as Error).message}. Reload the page.`;
    return;
  }
  new app.App(document.body, early, worker).start();
}
