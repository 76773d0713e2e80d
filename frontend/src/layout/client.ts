// Main-thread side of the layout worker. The worker is started by the entry module (index.ts), before the app's
// code is loaded, so that its script is fetched and compiled by the time the first graph arrives.

import type { LayoutInput, LayoutResult } from './input';

type Pending = { resolve: (r: LayoutResult) => void; reject: (e: Error) => void };

/** A layout worker being started, and why it failed if it did before a client listened. */
export interface StartedWorker {
  worker: Worker | null;
  failure: string | null;
}

export function startLayoutWorker(url: URL): StartedWorker {
  const started: StartedWorker = { worker: null, failure: null };
  try {
    const worker = new Worker(url, { type: 'module', name: 'phaseview-layout' });
    // A load error raised before the client listens would otherwise be lost (and every layout wait forever).
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      started.failure ??= ev.message || 'could not load layout.worker.js';
    });
    started.worker = worker;
  } catch (e) {
    started.failure = (e as Error).message || 'could not start it';
  }
  return started;
}

export class LayoutClient {
  private worker: Worker | null;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(private started: StartedWorker) {
    this.worker = started.worker;
    if (!this.worker) return;
    this.worker.onmessage = (ev: MessageEvent<{ id: number; result?: LayoutResult; error?: string }>) => {
      const p = this.pending.get(ev.data.id);
      if (!p) return;
      this.pending.delete(ev.data.id);
      if (ev.data.result) p.resolve(ev.data.result);
      else p.reject(new Error(ev.data.error || 'layout failed'));
    };
    this.worker.addEventListener('error', () => {
      const err = new Error(`layout worker failed: ${this.started.failure ?? 'could not load layout.worker.js'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.worker = null;
    });
  }

  layout(input: LayoutInput): Promise<LayoutResult> {
    const w = this.worker;
    const failure = this.started.failure;
    if (!w || failure) return Promise.reject(new Error(`layout worker failed: ${failure ?? 'not available'}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, input });
    });
  }
}
