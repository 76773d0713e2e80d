// Geometry of the minimap: the whole graph scaled into a small box, and the view's rectangle on it. Pure.

export interface Transform {
  x: number;
  y: number;
  k: number;
}

export interface MapScale {
  /** Minimap pixels per graph unit, across and down (they differ for a graph of extreme proportions). */
  sx: number;
  sy: number;
  /** Offset of the graph's origin in the minimap (the graph is centred in it). */
  ox: number;
  oy: number;
  /** The minimap's drawn size. */
  w: number;
  h: number;
}

/** The map is never narrower or flatter than this (CSS px), whatever the graph's proportions. */
export const MIN_MAP = { w: 96, h: 48 };
/** The view's rectangle is drawn at least this many px across and down, so it can be seen and grabbed. */
export const MIN_VIEW = 6;

/**
 * Scales a `world`-sized graph into at most `max` minimap pixels, keeping its proportions unless that would
 * make the map a sliver (a ResNet drawn top to bottom is 30 times taller than wide): then the graph is
 * stretched across to the map's minimum width (or down to its minimum height), so where the view is stays
 * legible.
 */
export function mapScale(world: { width: number; height: number }, max: { w: number; h: number }): MapScale {
  const W = Math.max(1, world.width);
  const H = Math.max(1, world.height);
  const s = Math.min(max.w / W, max.h / H);
  const w = Math.round(Math.max(Math.min(MIN_MAP.w, max.w), W * s));
  const h = Math.round(Math.max(Math.min(MIN_MAP.h, max.h), H * s));
  // Proportions kept where they fit; a dimension raised to its minimum is filled by stretching.
  const sx = W * s < Math.min(MIN_MAP.w, max.w) ? w / W : s;
  const sy = H * s < Math.min(MIN_MAP.h, max.h) ? h / H : s;
  return { sx, sy, ox: (w - W * sx) / 2, oy: (h - H * sy) / 2, w, h };
}

/** The part of the graph on screen, as a rectangle in minimap pixels. */
export function viewRect(
  t: Transform,
  view: { w: number; h: number },
  m: MapScale,
): { x: number; y: number; w: number; h: number } {
  return {
    x: m.ox + (-t.x / t.k) * m.sx,
    y: m.oy + (-t.y / t.k) * m.sy,
    w: (view.w / t.k) * m.sx,
    h: (view.h / t.k) * m.sy,
  };
}

/** The graph point under a minimap pixel. */
export function graphPointAt(px: number, py: number, m: MapScale): { x: number; y: number } {
  return { x: (px - m.ox) / m.sx, y: (py - m.oy) / m.sy };
}

/** The transform that puts graph point (cx, cy) at the centre of the view, at zoom k. */
export function centredOn(cx: number, cy: number, k: number, view: { w: number; h: number }): Transform {
  return { x: view.w / 2 - cx * k, y: view.h / 2 - cy * k, k };
}
