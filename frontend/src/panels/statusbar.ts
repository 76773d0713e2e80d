// The status bar: the graph's size, its learning-phase flags, and one line about the last thing that
// happened. The legend filter (panels/legend.ts) sits before it in the same bar, which never wraps (a
// change of its height would change the stage's size, and with it the fit).

import type { GraphAnswer } from '../graph/api';
import { clear, h } from '../lib/dom';

export class StatusBar {
  readonly el = h('div', { class: 'pv-status' });

  /** The part of the bar that render() rewrites; the legend filter before it is the app's. */
  private info = h('span', { class: 'pv-status-info' });

  constructor() {
    this.el.append(this.info);
  }

  render(g: GraphAnswer | null, extra = ''): void {
    const el = this.info;
    clear(el);
    if (g) {
      el.append(h('span', {}, `${g.nodes.toLocaleString('en-US')} nodes · ${g.edges.toLocaleString('en-US')} edges`));
      const srcs = g.phase?.sources ?? [];
      if (srcs.length) el.append(h('span', {}, `learning-phase flag${srcs.length > 1 ? 's' : ''}: ${srcs.map((x) => x.name).join(', ')} · ${g.phase.layers.length} layers read it`));
    }
    if (extra) el.append(h('span', {}, extra));
  }
}
