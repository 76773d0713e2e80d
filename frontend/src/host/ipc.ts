// TensorBoard's IPC for iframed (dynamic) plugins: the plugin posts "experimental.bootstrap" with a
// MessagePort to its parent; the parent then sends JSON messages {type, id, payload, error, isReply}
// such as "experimental.DataReloaded" (after TensorBoard's reload) and "experimental.RunsChanged".

export type IpcListener = (payload: unknown) => unknown;

interface Message {
  type: string;
  id: number;
  payload: unknown;
  error: string | null;
  isReply: boolean;
}

export class TensorBoardIpc {
  private port: MessagePort | null = null;
  private listeners = new Map<string, IpcListener>();

  constructor() {
    if (window.parent === window) return;
    try {
      const ch = new MessageChannel();
      this.port = ch.port1;
      this.port.onmessage = (ev) => this.onMessage(ev);
      window.parent.postMessage('experimental.bootstrap', '*', [ch.port2]);
    } catch {
      this.port = null;
    }
  }

  listen(type: string, fn: IpcListener): void {
    this.listeners.set(type, fn);
  }

  private async onMessage(ev: MessageEvent): Promise<void> {
    let m: Message;
    try {
      m = JSON.parse(ev.data as string) as Message;
    } catch {
      return;
    }
    if (m.isReply) return;
    let payload: unknown = null;
    let error: string | null = null;
    const fn = this.listeners.get(m.type);
    if (fn) {
      try {
        payload = await fn(m.payload);
      } catch (e) {
        error = String((e as Error)?.message ?? e);
      }
    }
    this.port?.postMessage(JSON.stringify({ type: m.type, id: m.id, payload: payload ?? null, error, isReply: true }));
  }
}

export const DATA_RELOADED = 'experimental.DataReloaded';
export const RUNS_CHANGED = 'experimental.RunsChanged';
