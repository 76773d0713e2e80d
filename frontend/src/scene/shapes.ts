/**
 * Tensor shapes and layer sizes on the drawing: the text of a box's size line and the edge label lookup. Pure
 * (no DOM), so it is unit-tested.
 */
import type { Child, EdgeShape, GroupAnswer } from '../graph/api';

/**
 * `1.2 M`, `23 k`, `1.5 k`, `512`: a parameter count at a glance. Rounded half up in integers, as the server's
 * `count_words` does, so the tab and the CLI say the same of one count: rounding floats, 12,500 was `13 k` here
 * and `12 k` in the CLI, and 1,450 was `1.4 k` in both; now `13 k` and `1.5 k`.
 */
export function countWords(n: number): string {
  // Separated past a thousand millions (`1,052.7 M`), as every other count is; what rounds to a thousand k
  // reads as millions.
  if (n >= 999_500) {
    const tenths = Math.floor((n + 50_000) / 100_000);
    return `${Math.floor(tenths / 10).toLocaleString('en-US')}.${tenths % 10} M`;
  }
  if (n >= 9_950) return `${Math.floor((n + 500) / 1000)} k`;
  if (n >= 1_000) {
    const tenths = Math.floor((n + 50) / 100);
    return `${Math.floor(tenths / 10)}.${tenths % 10} k`;
  }
  return String(n);
}

/** A layer box's size line, `?×16×16×8 · 224 params`, or null when the server said nothing of its size. */
export function sizeLine(c: Child): string | null {
  const info = c.shape_info;
  if (!info) return null;
  const parts: string[] = [];
  if (info.output_shape) parts.push(info.output_shape);
  // `32 + ? params`: some of its parameters are of a size the graph does not say (a PyTorch strided convolution's);
  // `? params`: none is (an embedding's table).
  if (info.unknown_params) parts.push(info.params ? `${countWords(info.params)} + ? params` : '? params');
  else if (info.params !== undefined) parts.push(`${countWords(info.params)} param${info.params === 1 ? '' : 's'}`);
  return parts.length ? parts.join(' · ') : null;
}

/** The shapes of a group's edges by (from, to, kind). */
export function shapeIndex(ga: GroupAnswer): Map<string, EdgeShape> {
  const found = new Map<string, EdgeShape>();
  for (const e of ga.edges) if (e.shape) found.set(`${e.from}\u0000${e.to}\u0000${e.kind}`, e.shape);
  return found;
}

export const shapeKey = (v: string, w: string, kind: string): string => `${v}\u0000${w}\u0000${kind}`;

/** Stroke width of an edge by the size of its largest tensor: a pixel more per 16 times more elements. */
export function widthForElements(elements: number, base: number, maxExtra: number): number {
  return base + Math.min(maxExtra, Math.log2(Math.max(1, elements)) / 4);
}

/** Below this zoom an edge's shape label is too small to read, and is hidden. */
export const SHAPE_LABEL_MIN_ZOOM = 0.6;
