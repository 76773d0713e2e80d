// The status bar: the graph's learning-phase flags, its size, the server's warnings about the graph, the phase
// the view runs as, and one line about the last thing that happened. The legend filter (panels/legend.ts) sits
// in the bar's first row (`lead`, with the model's totals); the info has the second row, cut at its end. Both rows
// are there from the start, so nothing that arrives after the first view changes the stage's size.

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
    // The sentence is the newest thing that happened: the line about the one before it (`first view in …`) goes,
    // leaving the room to the flag and the graph's size.
    this.render(this.last.g, text ? '' : this.last.extra);
  }

  /** The first row, filled by the app: the legend filter, the colour legend, the model's totals. */
  readonly lead = h('div', { class: 'pv-status-lead' });
  /** The second row, which render() rewrites. */
  private info = h('div', { class: 'pv-status-info' });

  constructor() {
    this.el.append(this.lead, this.info);
  }

  render(g: GraphAnswer | null, extra = ''): void {
    const el = this.info;
    this.last = { g, extra };
    clear(el);
    // The number of distinct layers reading a flag, as the server counted them (the same as the answer line and
    // the CLI; with one flag, also its box and its Highlight knot). A layer reading two flags counts once.
    const layers = g?.answer?.layers ?? new Set((g?.phase?.layers ?? []).map((l) => l.layer)).size;
    this.el.dataset.phaseLayers = String(layers);
    if (g) {
      const srcs = g.phase?.sources ?? [];
      const readers = `${layers.toLocaleString('en-US')} layer${layers === 1 ? '' : 's'}`;
      if (srcs.length === 1)
        el.append(
          h('span', { 'data-testid': 'flag-status' }, `learning-phase flag: ${srcs[0].name} · read by ${readers}`),
        );
      else if (srcs.length > 1)
        el.append(
          h(
            'span',
            { 'data-testid': 'flag-status' },
            `learning-phase flags: ${srcs.map((x) => `${x.name} (${x.consumers.length.toLocaleString('en-US')} layer${x.consumers.length === 1 ? '' : 's'})`).join(', ')} · read by ${readers} in all`,
          ),
        );
    }
    // What the view runs as comes right after the flag: it is what the user just asked for.
    if (this.runAs) el.append(h('span', { class: 'pv-run-as', 'data-testid': 'run-as-status' }, this.runAs));
    if (this.warnings.length)
      el.append(h('span', { class: 'pv-warning', 'data-testid': 'phase-warnings' }, this.warnings.join(' · ')));
    if (g?.moved?.ops) el.append(h('span', { 'data-testid': 'moved-status' }, movedText(g.moved)));
    if (g) {
      el.append(h('span', {}, `${g.nodes.toLocaleString('en-US')} nodes · ${g.edges.toLocaleString('en-US')} edges`));
      for (const w of g.warnings ?? [])
        el.append(h('span', { class: 'pv-warning', 'data-testid': 'graph-warning' }, `⚠ ${w}`));
    }
    if (extra) el.append(h('span', {}, extra));
    // A part cut to an ellipsis in a narrow bar says the rest on hover.
    for (const part of el.children) (part as HTMLElement).title = part.textContent ?? '';
  }
}

/** What the user moved to the model, as the status bar and the exports' legend say it. */
export function movedText(moved: NonNullable<GraphAnswer['moved']>): string {
  const ops = (n: number) => `${n.toLocaleString('en-US')} op${n === 1 ? '' : 's'}`;
  // A name that moves nothing here (kept from an earlier graph of this name) is not said.
  const entries = moved.entries.filter((e) => e.ops > 0);
  const shown = entries.slice(0, 3).map((e) => `${e.name} (${ops(e.ops)})`);
  const more = entries.length > 3 ? ` and ${entries.length - 3} more` : '';
  return `moved to the model by the user: ${shown.join(', ')}${more}`;
}
