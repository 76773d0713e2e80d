/**
 * Tensor shapes and layer sizes on the drawing: the text of a box's size line and the edge label lookup. Pure
 * (no DOM), so it is unit-tested.
 */
import type { Child, EdgeShape, GroupAnswer } from '../graph/api';

/** `1.2 M`, `23 k`, `1.5 k`, `512`: a parameter count at a glance. */
export function countWords(n: number): string {
  // Separated past a thousand millions (`1,052.7 M`), as every other count is; what rounds to a thousand k
  // reads as millions.
  if (n >= 999_500)
    return `${(n / 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} M`;
  if (n >= 10_000) return `${Math.round(n / 1e3)} k`;
  if (n >= 1_000) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** A layer box's size line, `?×16×16×8 · 224 params`, or null when the server said nothing of its size. */
export function sizeLine(c: Child): string | null {
  const info = c.shape_info;
  if (!info) return null;
  const parts: string[] = [];
  if (info.output_shape) parts.push(info.output_shape);
  if (info.params !== undefined) parts.push(`${countWords(info.params)} param${info.params === 1 ? '' : 's'}`);
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
