// Hyperparameters (a learning rate, keep_prob: scalars many ops read) drawn like the phase flag: their own box
// says how many ops read them, and every drawn box their edges enter gets a small "η" badge; the edges
// themselves stay hidden by default (legend). Pure: marks the children of group answers once, on arrival.

import type { Child, GroupAnswer, HyperparameterAnswer } from './api';

export interface HyperIndex {
  /** Hyperparameters whose edges enter each group or op (by id), ends and every group above them. */
  readBy: Map<string, Set<string>>;
  /** Each hyperparameter, by name, with the groups that hold it (those read it from inside: no badge). */
  sources: Map<string, { readers: number; holders: Set<string>; box: string }>;
}

/** Indexes the graph answer's `hyperparameters` (edges × path depth: a few thousand entries at most). */
export function hyperIndex(h: HyperparameterAnswer | undefined): HyperIndex {
  const readBy = new Map<string, Set<string>>();
  const sources = new Map<string, { readers: number; holders: Set<string>; box: string }>();
  for (const s of h?.sources ?? []) {
    // the box that stands for it: the op, or the scope of the same name holding it (`learning_rate/...`)
    const last = s.path[s.path.length - 1];
    const leaf = s.name.slice(s.name.lastIndexOf('/') + 1);
    const box = last !== undefined && (last === s.name || last.endsWith('/' + leaf) || last === leaf) ? last : s.name;
    sources.set(s.name, { readers: s.readers, holders: new Set(s.path), box });
  }
  const add = (id: string, name: string) => {
    let set = readBy.get(id);
    if (!set) readBy.set(id, (set = new Set()));
    set.add(name);
  };
  for (const e of h?.edges ?? []) {
    add(e.to, e.from);
    for (const g of e.to_path ?? []) add(g, e.from);
  }
  return { readBy, sources };
}

/** Marks a group answer's children: `hyper` on a hyperparameter's own box, `hyperReads` on boxes reading one. */
export function markHyperparameters(group: GroupAnswer, index: HyperIndex): void {
  if (index.sources.size === 0) return;
  for (const c of group.children) markChild(c, index);
}

function markChild(c: Child, index: HyperIndex): void {
  for (const [name, s] of index.sources) {
    if (c.name === s.box || c.name === name) {
      c.hyper = { name, readers: s.readers };
      break;
    }
  }
  const reads = index.readBy.get(c.name);
  if (!reads) return;
  // A box that holds the hyperparameter reads it from inside: its edges do not enter, no badge.
  const names = [...reads].filter((n) => !index.sources.get(n)?.holders.has(c.name) && c.hyper?.name !== n).sort();
  if (names.length) c.hyperReads = names;
}

export function hyperNote(c: Child): string | null {
  const h = c.hyper;
  return h ? `η read by ${h.readers} op${h.readers === 1 ? '' : 's'}` : null;
}

export function hyperBadgeTitle(names: readonly string[]): string {
  return `reads the hyperparameter${names.length === 1 ? '' : 's'} ${names.join(', ')} (its edges are hidden: show them in the legend)`;
}
