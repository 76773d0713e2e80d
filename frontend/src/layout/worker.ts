// The layout worker: receives one group's layout input at a time, answers with positions.
// Served same-origin next to index.js (TensorBoard's CSP forbids blob: workers).

import { layoutGroup } from './core';
import type { LayoutInput } from './input';

interface Request {
  id: number;
  input: LayoutInput;
}

const scope = self as unknown as {
  onmessage: ((ev: MessageEvent<Request>) => void) | null;
  postMessage(m: unknown): void;
};

scope.onmessage = (ev) => {
  const { id, input } = ev.data;
  try {
    scope.postMessage({ id, result: layoutGroup(input) });
  } catch (e) {
    scope.postMessage({ id, error: String((e as Error)?.message ?? e) });
  }
};
