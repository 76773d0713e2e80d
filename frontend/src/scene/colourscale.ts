/**
 * Colours for "colour by": a categorical palette for layer types and devices, a sequential scale (log) for
 * compute time and memory, and grey for a box with no value. Pure, so it is unit-tested.
 */

export const COLOUR_BY = ['role', 'type', 'device', 'compute', 'memory'] as const;
export type ColourBy = (typeof COLOUR_BY)[number];
export const COLOUR_BY_LABELS: Record<ColourBy, string> = {
  role: 'role',
  type: 'layer type',
  device: 'device',
  compute: 'compute time',
  memory: 'memory',
};

export function isColourBy(v: unknown): v is ColourBy {
  return typeof v === 'string' && (COLOUR_BY as readonly string[]).includes(v);
}

/** Light fills that keep a box's black label readable (Tableau 10, lightened). */
const PALETTE = [
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#dbdb8d',
  '#9edae5',
  '#c7c7c7',
];
export const NO_VALUE = '#eeeeee';
const LOW = [255, 245, 235];
// Dark enough to tell apart, light enough for a box's black label.
const HIGH = [246, 126, 52];

export interface Painted {
  fills: Map<string, string>;
  /** Categorical: value -> colour, in order of first appearance. */
  categories: [string, string][];
  /** Sequential: the smallest and largest value, and the colour at each end. */
  range: { min: number; max: number; low: string; high: string } | null;
  missing: number;
}

const rgb = (c: number[]) => `rgb(${c.map((v) => Math.round(v)).join(',')})`;

/** Fills for each named value: categories for strings, a log scale for numbers; null values are `NO_VALUE`. */
export function paint(values: ReadonlyMap<string, string | number | null>): Painted {
  const fills = new Map<string, string>();
  const categories = new Map<string, string>();
  const numbers = [...values.values()].filter((v): v is number => typeof v === 'number' && v > 0);
  const min = numbers.length ? Math.min(...numbers) : 0;
  const max = numbers.length ? Math.max(...numbers) : 0;
  let missing = 0;
  for (const [name, v] of values) {
    if (v === null || v === undefined) {
      fills.set(name, NO_VALUE);
      missing++;
    } else if (typeof v === 'string') {
      let c = categories.get(v);
      if (!c) categories.set(v, (c = PALETTE[categories.size % PALETTE.length]));
      fills.set(name, c);
    } else {
      const t = max > min && v > 0 ? (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min)) : v > 0 ? 1 : 0;
      fills.set(name, rgb(LOW.map((l, i) => l + (HIGH[i] - l) * t)));
    }
  }
  return {
    fills,
    categories: [...categories],
    range: numbers.length ? { min, max, low: rgb(LOW), high: rgb(HIGH) } : null,
    missing,
  };
}

/** `7.6 µs`, `12.3 ms`, `1.2 s`; `512 B`, `33 KB`, `1.2 MB`. */
export function formatValue(by: ColourBy, v: number): string {
  if (by === 'compute') {
    if (v >= 1e6) return `${(v / 1e6).toFixed(1)} s`;
    if (v >= 1e3) return `${(v / 1e3).toFixed(1)} ms`;
    return `${v.toFixed(1)} µs`;
  }
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} MB`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(0)} KB`;
  return `${v} B`;
}
