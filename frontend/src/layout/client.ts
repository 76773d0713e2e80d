// Main-thread side of the layout worker, with a synchronous fallback if the worker cannot start.

import type { LayoutInput, LayoutResult } from './input';

type Pending = { resolve: (r: LayoutResult) => void; reject: (e: Error) => void };

export class LayoutClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(workerUrl: URL) {
    try {
      this.worker = new Worker(workerUrl, { type: 'module', name: 'phaseview-layout' });
      this.worker.onmessage = (ev: MessageEvent<{ id: number; result?: LayoutResult; error?: string }>) => {
        const p = this.pending.get(ev.data.id);
        if (!p) return;
        this.pending.delete(ev.data.id);
        if (ev.data.result) p.resolve(ev.data.result);
        else p.reject(new Error(ev.data.error || 'layout failed'));
      };
      this.worker.onerror = (ev) => {
        ev.preventDefault();
        const err = new Error(`layout worker failed: ${ev.message || 'could not load layout.worker.js'}`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        this.worker = null;
      };
    } catch {
      this.worker = null;
    }
  }

  layout(input: LayoutInput): Promise<LayoutResult> {
    const w = this.worker;
    if (!w) return Promise.reject(new Error('the layout worker is not available'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, input });
    });
  }
}
