// "Colour by": role (the drawing's own colours), layer type, device, and, for a graph with step stats, compute
// time and memory. The values come from the server's `colours` route, one request per drawn group, kept per
// graph; the scene paints the boxes and this panel shows the legend with the scale.

import { api, graphKey, type ColourAnswer, type GraphRef } from '../graph/api';
import { clear, h } from '../lib/dom';
import { Emitter } from '../lib/events';
import {
  COLOUR_BY,
  COLOUR_BY_LABELS,
  formatValue,
  isColourBy,
  NO_VALUE,
  paint,
  type ColourBy,
  type Painted,
} from '../scene/colourscale';

export class ColourByControl extends Emitter<{ change: ColourBy }> {
  readonly select = h('select', { class: 'pv-select', 'data-testid': 'colour-by', title: 'Colour the boxes by' });
  readonly legend = h('span', { class: 'pv-colour-legend', 'data-testid': 'colour-legend', hidden: true });
  private answers = new Map<string, Promise<ColourAnswer>>();
  private asked = 0;

  constructor() {
    super();
    for (const by of COLOUR_BY) this.select.append(h('option', { value: by }, `Colour: ${COLOUR_BY_LABELS[by]}`));
    this.select.addEventListener('change', () => {
      if (isColourBy(this.select.value)) this.emit('change', this.select.value);
    });
  }

  get value(): ColourBy {
    return isColourBy(this.select.value) ? this.select.value : 'role';
  }

  set(by: ColourBy): void {
    this.select.value = by;
  }

  /** The fills of the boxes of `groups` (drawn groups' ids) for graph `g`, or null for `role`; legend updated. */
  async fills(g: GraphRef | null, groups: string[]): Promise<Map<string, string> | null> {
    const by = this.value;
    const ask = ++this.asked;
    if (by === 'role' || !g) {
      this.showLegend(by, null, false);
      return null;
    }
    const answers = await Promise.all(
      groups.map((group) => {
        const key = `${graphKey(g)}\u0000${JSON.stringify(g.model ?? [])}\u0000${by}\u0000${group}`;
        let a = this.answers.get(key);
        if (!a) {
          a = api.colours(g, group, by);
          this.answers.set(key, a);
          a.catch(() => this.answers.delete(key));
        }
        return a;
      }),
    );
    if (ask !== this.asked) return null;
    const values = new Map<string, string | number | null>();
    for (const a of answers) for (const [name, v] of Object.entries(a.values)) values.set(name, v);
    const painted = paint(values);
    this.showLegend(
      by,
      painted,
      answers.every((a) => a.measured),
    );
    return painted.fills;
  }

  private showLegend(by: ColourBy, p: Painted | null, measured: boolean): void {
    const el = this.legend;
    clear(el);
    el.hidden = by === 'role';
    el.setAttribute('data-colour-by', by);
    if (!p) return;
    const swatch = (colour: string) => h('span', { class: 'pv-swatch', style: `background:${colour}` });
    el.append(`${COLOUR_BY_LABELS[by]}: `);
    if ((by === 'compute' || by === 'memory') && !measured) {
      el.append('this graph has no step stats (a traced step’s run metadata has them)');
      return;
    }
    if (p.range) {
      el.append(
        swatch(p.range.low),
        ` ${formatValue(by, p.range.min)} – `,
        swatch(p.range.high),
        ` ${formatValue(by, p.range.max)} (log scale)`,
      );
    }
    for (const [value, colour] of p.categories.slice(0, 8))
      el.append(h('span', { class: 'pv-legend-item', 'data-value': value }, swatch(colour), ` ${value} `));
    if (p.categories.length > 8) el.append(`+${p.categories.length - 8} more`);
    if (p.missing)
      el.append(
        h(
          'span',
          { class: 'pv-legend-item', 'data-missing': String(p.missing) },
          swatch(NO_VALUE),
          by === 'compute' || by === 'memory'
            ? ` ${p.missing} without stats`
            : by === 'type'
              ? ` ${p.missing} not layers`
              : ` ${p.missing} without a value`,
        ),
      );
  }
}
