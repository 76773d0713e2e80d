// The minimap: the whole graph's top level in a small box in a corner of the stage, with a rectangle where
// the view is. Clicking it centres the view there; dragging the rectangle (or anywhere on the map) pans.

import { clear, h, s } from '../lib/dom';
import { round as r1 } from '../lib/num';
import type { Rect } from './bundle';
import { graphPointAt, mapScale, MIN_VIEW, viewRect, type MapScale, type Transform } from './minimapgeom';

/** Largest size of the map on screen (CSS px), and of the stage it may take (a small window keeps its graph). */
const MAX_SIZE = { w: 180, h: 150 };
const MAX_SHARE = { w: 0.2, h: 0.25 };
/** Past this many top-level boxes the map shows the graph's extent only (drawing each would cost a frame). */
const MAX_BOXES = 3000;

export interface MinimapHost {
  transform(): Transform;
  viewport(): { w: number; h: number };
  /** Puts graph point (x, y) at the centre of the view, keeping the zoom. */
  centreAt(x: number, y: number): void;
}

export class Minimap {
  readonly el: HTMLElement;
  private svg: SVGSVGElement;
  private boxes: SVGGElement;
  private view: SVGRectElement;
  private scale: MapScale | null = null;
  private extent: Rect = { x: 0, y: 0, w: 1, h: 1 };
  private dragging = false;

  constructor(private host: MinimapHost) {
    this.svg = s('svg', { class: 'pv-minimap-map', 'aria-hidden': 'true' });
    this.boxes = s('g', { class: 'boxes' });
    this.view = s('rect', { class: 'view', 'data-minimap-view': 'true' });
    this.svg.append(this.boxes, this.view);
    this.el = h('div', {
      class: 'pv-minimap',
      'data-minimap': 'true',
      title: 'Where the view is in the whole graph: click or drag to move it',
      hidden: true,
    });
    this.el.append(this.svg);
    this.svg.addEventListener('pointerdown', (ev) => {
      ev.preventDefault();
      ev.stopPropagation();
      this.dragging = true;
      this.svg.setPointerCapture(ev.pointerId);
      this.moveTo(ev);
    });
    this.svg.addEventListener('pointermove', (ev) => {
      if (this.dragging) this.moveTo(ev);
    });
    const stop = (ev: PointerEvent) => {
      this.dragging = false;
      if (this.svg.hasPointerCapture(ev.pointerId)) this.svg.releasePointerCapture(ev.pointerId);
    };
    this.svg.addEventListener('pointerup', stop);
    this.svg.addEventListener('pointercancel', stop);
    // Clicks and wheels on the map are the map's, not the graph's below it.
    for (const type of ['click', 'dblclick', 'wheel', 'mousedown'] as const)
      this.el.addEventListener(type, (ev) => ev.stopPropagation());
  }

  /** Draws the top level: `extent` is the drawn extent of the root layout, `boxes` its children's boxes. */
  setGraph(extent: Rect | null, boxes: readonly Rect[]): void {
    clear(this.boxes);
    if (!extent) {
      this.el.hidden = true;
      this.scale = null;
      return;
    }
    this.extent = extent;
    const view = this.host.viewport();
    const max = { w: Math.min(MAX_SIZE.w, view.w * MAX_SHARE.w), h: Math.min(MAX_SIZE.h, view.h * MAX_SHARE.h) };
    const m = (this.scale = mapScale({ width: extent.w, height: extent.h }, max));
    this.svg.setAttribute('width', String(m.w));
    this.svg.setAttribute('height', String(m.h));
    const place = (b: Rect) => ({
      x: r1(m.ox + (b.x - extent.x) * m.sx),
      y: r1(m.oy + (b.y - extent.y) * m.sy),
      width: r1(Math.max(1, b.w * m.sx)),
      height: r1(Math.max(1, b.h * m.sy)),
    });
    if (boxes.length <= MAX_BOXES) for (const b of boxes) this.boxes.append(s('rect', place(b)));
    else this.boxes.append(s('rect', place(extent)));
    this.el.hidden = false;
    this.update();
  }

  /** Moves the view's rectangle to where the view is. */
  update(): void {
    const m = this.scale;
    if (!m) return;
    const t = this.host.transform();
    // The map's origin is the extent's corner: shift the transform so the geometry works from (0, 0).
    const shifted = { x: t.x + this.extent.x * t.k, y: t.y + this.extent.y * t.k, k: t.k };
    const r = viewRect(shifted, this.host.viewport(), m);
    // At least MIN_VIEW px each way (grown about its centre), clamped to the map, so a small view on a huge
    // graph, or a view far off the graph, still shows.
    const grow = (at: number, size: number, room: number): [number, number] => {
      const len = Math.min(room, Math.max(MIN_VIEW, size));
      const start = size < MIN_VIEW ? at + size / 2 - len / 2 : at;
      const from = Math.max(0, Math.min(room - MIN_VIEW, start));
      return [from, Math.max(MIN_VIEW, Math.min(len, room - from))];
    };
    const [x, w] = grow(r.x, r.w, m.w);
    const [y, h] = grow(r.y, r.h, m.h);
    this.view.setAttribute('x', String(r1(x)));
    this.view.setAttribute('y', String(r1(y)));
    this.view.setAttribute('width', String(r1(w)));
    this.view.setAttribute('height', String(r1(h)));
  }

  private moveTo(ev: PointerEvent): void {
    const m = this.scale;
    if (!m) return;
    const box = this.svg.getBoundingClientRect();
    const p = graphPointAt(ev.clientX - box.left, ev.clientY - box.top, m);
    this.host.centreAt(p.x + this.extent.x, p.y + this.extent.y);
  }
}
