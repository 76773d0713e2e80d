// A typed event emitter. Parts tell each other what happened through these events and public methods,
// never by watching one another's DOM.

export type Listener<T> = (payload: T) => void;

export class Emitter<Events extends object> {
  private listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Calls `fn` on every `type` event; returns a function that stops it. */
  on<K extends keyof Events>(type: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set!.delete(fn as Listener<never>);
  }

  protected emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    for (const fn of this.listeners.get(type) ?? []) (fn as Listener<Events[K]>)(payload);
  }
}
