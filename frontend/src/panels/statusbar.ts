// The status bar: the graph's size and edge kinds, its learning-phase flags, the server's warnings about the
// graph, the edge legend, and one line about the last thing that happened.

import type { GraphAnswer } from '../graph/api';
import { clear, h, s } from '../lib/dom';

export class StatusBar {
  readonly el = h('div', { class: 'pv-status', 'data-testid': 'status' });
  private runAs = '';
  private warnings: readonly string[] = [];
  private last: { g: GraphAnswer | null; extra: string } = { g: null, extra: '' };

  /**
   * The sentence about the phase the view runs as ("136 ops don't run in inference") and the server's warnings
   * about the flags (a flag that defaults to true or must be fed), kept until changed.
   */
  setRunAs(text: string, warnings: readonly string[] = []): void {
    this.runAs = text;
    this.warnings = warnings;
    this.render(this.last.g, this.last.extra);
  }

  render(g: GraphAnswer | null, extra = ''): void {
    const el = this.el;
    this.last = { g, extra };
    clear(el);
    // The number of layers reading a flag, as the server counted them (the same as the knot, badges and CLI).
    el.dataset.phaseLayers = String(g?.phase?.layers.length ?? 0);
    if (g) {
      const c = g.edge_counts || {};
      const parts = Object.entries(c).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`);
      el.append(h('span', {}, `${g.nodes.toLocaleString('en-US')} nodes · ${g.edges.toLocaleString('en-US')} edges (${parts.join(', ')})`));
      const srcs = g.phase?.sources ?? [];
      if (srcs.length) el.append(h('span', {}, `learning-phase flag${srcs.length > 1 ? 's' : ''}: ${srcs.map((x) => x.name).join(', ')} · ${g.phase.layers.length} layer${g.phase.layers.length === 1 ? '' : 's'} read${g.phase.layers.length === 1 ? 's' : ''} it`));
      for (const w of g.warnings ?? []) el.append(h('span', { class: 'pv-warning', 'data-testid': 'graph-warning' }, `⚠ ${w}`));
    }
    const legend = h('span', { class: 'pv-legend' });
    const item = (cls: string, label: string, dash = false) => {
      const sv = s('svg', { width: 22, height: 8 });
      sv.append(s('line', { x1: 0, y1: 4, x2: 22, y2: 4, class: cls, 'stroke-width': 2, 'stroke-dasharray': dash ? '4 3' : null }));
      return h('span', {}, sv, ' ' + label);
    };
    legend.append(item('edge', 'data'), item('edge kind-control', 'control', true));
    const ph = s('svg', { width: 22, height: 8 });
    ph.append(s('line', { x1: 0, y1: 4, x2: 22, y2: 4, stroke: 'var(--accent)', 'stroke-width': 2 }));
    legend.append(h('span', {}, ph, ' phase (φ: reads the learning-phase flag)'));
    el.append(legend);
    if (this.runAs) el.append(h('span', { class: 'pv-run-as', 'data-testid': 'run-as-status' }, this.runAs));
    if (this.warnings.length) el.append(h('span', { class: 'pv-warning', 'data-testid': 'phase-warnings' }, this.warnings.join(' · ')));
    if (extra) el.append(h('span', {}, extra));
  }
}
