// The status bar: the graph's size, its learning-phase flags, the server's warnings about the graph, the phase
// the view runs as, and one line about the last thing that happened. The legend filter (panels/legend.ts) sits
// before it in the same bar, which never wraps (a change of its height would change the stage's size, and with
// it the fit).

import type { GraphAnswer } from '../graph/api';
import { clear, h } from '../lib/dom';

export class StatusBar {
  readonly el = h('div', { class: 'pv-status', 'data-testid': 'status' });
  private runAs = '';
  private warnings: readonly string[] = [];
  private last: { g: GraphAnswer | null; extra: string } = { g: null, extra: '' };

  /**
   * The sentence about the phase the view runs as ("136 ops don't run in inference") and the server's warnings
   * about the flags (a flag that defaults to true or must be fed), kept until changed.
   */
  /** The sentence set by setRunAs ('' when none). */
  get runAsText(): string {
    return this.runAs;
  }

  setRunAs(text: string, warnings: readonly string[] = []): void {
    this.runAs = text;
    this.warnings = warnings;
    this.render(this.last.g, this.last.extra);
  }

  /** The part of the bar that render() rewrites; the legend filter before it is the app's. */
  private info = h('span', { class: 'pv-status-info' });

  constructor() {
    this.el.append(this.info);
  }

  render(g: GraphAnswer | null, extra = ''): void {
    const el = this.info;
    this.last = { g, extra };
    clear(el);
    // The number of layers reading a flag, as the server counted them (the same as the knot, badges and CLI).
    this.el.dataset.phaseLayers = String(g?.phase?.layers.length ?? 0);
    if (g) {
      el.append(h('span', {}, `${g.nodes.toLocaleString('en-US')} nodes · ${g.edges.toLocaleString('en-US')} edges`));
      const srcs = g.phase?.sources ?? [];
      if (srcs.length)
        el.append(
          h(
            'span',
            {},
            `learning-phase flag${srcs.length > 1 ? 's' : ''}: ${srcs.map((x) => x.name).join(', ')} · ${g.phase.layers.length} layer${g.phase.layers.length === 1 ? '' : 's'} read${g.phase.layers.length === 1 ? 's' : ''} it`,
          ),
        );
      for (const w of g.warnings ?? [])
        el.append(h('span', { class: 'pv-warning', 'data-testid': 'graph-warning' }, `⚠ ${w}`));
    }
    if (this.runAs) el.append(h('span', { class: 'pv-run-as', 'data-testid': 'run-as-status' }, this.runAs));
    if (this.warnings.length)
      el.append(h('span', { class: 'pv-warning', 'data-testid': 'phase-warnings' }, this.warnings.join(' · ')));
    if (extra) el.append(h('span', {}, extra));
  }
}
