// Hyperparameters (a learning rate, keep_prob: scalars many ops read) drawn like the phase flag: their own box
// says how many ops read them, and every drawn box their edges enter gets a small "η" badge; the edges
// themselves stay hidden by default (legend). The server marks the boxes (`hyper`, `hyper_reads`); these
// are the words for them.

import type { Child } from './api';

export function hyperNote(c: Child): string | null {
  const h = c.hyper;
  return h ? `η read by ${h.readers.toLocaleString('en-US')} op${h.readers === 1 ? '' : 's'}` : null;
}

export function hyperBadgeTitle(names: readonly string[]): string {
  return `reads the hyperparameter${names.length === 1 ? '' : 's'} ${names.join(', ')} (its edges are hidden: show them in the legend)`;
}
