// Geometry of the minimap: the whole graph scaled into a small box, and the view's rectangle on it. Pure.

export interface Transform {
  x: number;
  y: number;
  k: number;
}

export interface MapScale {
  /** Minimap pixels per graph unit. */
  s: number;
  /** Offset of the graph's origin in the minimap (the graph is centred in it). */
  ox: number;
  oy: number;
  /** The minimap's drawn size. */
  w: number;
  h: number;
}

/** Scales a `world`-sized graph into at most `max` minimap pixels, keeping its proportions. */
export function mapScale(world: { width: number; height: number }, max: { w: number; h: number }): MapScale {
  const s = Math.min(max.w / Math.max(1, world.width), max.h / Math.max(1, world.height));
  const w = Math.max(24, Math.round(world.width * s));
  const h = Math.max(24, Math.round(world.height * s));
  return { s, ox: (w - world.width * s) / 2, oy: (h - world.height * s) / 2, w, h };
}

/** The part of the graph on screen, as a rectangle in minimap pixels. */
export function viewRect(t: Transform, view: { w: number; h: number }, m: MapScale): { x: number; y: number; w: number; h: number } {
  return { x: m.ox + (-t.x / t.k) * m.s, y: m.oy + (-t.y / t.k) * m.s, w: (view.w / t.k) * m.s, h: (view.h / t.k) * m.s };
}

/** The graph point under a minimap pixel. */
export function graphPointAt(px: number, py: number, m: MapScale): { x: number; y: number } {
  return { x: (px - m.ox) / m.s, y: (py - m.oy) / m.s };
}

/** The transform that puts graph point (cx, cy) at the centre of the view, at zoom k. */
export function centredOn(cx: number, cy: number, k: number, view: { w: number; h: number }): Transform {
  return { x: view.w / 2 - cx * k, y: view.h / 2 - cy * k, k };
}
