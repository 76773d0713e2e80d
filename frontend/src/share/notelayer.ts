// Notes on the graph: a layer of callouts inside the scene's zoomed world (so they pan and zoom with it).
// Each callout is `<g data-note="<node>">`; when its node is hidden
// in a closed group it is drawn on that group (`data-note-anchor`) and says so. Drag a callout to move it;
// click it to edit. All text goes through textContent.

import { clear, s } from '../lib/dom';
import { round as r1 } from '../lib/num';
import type { Rect } from '../scene/bundle';
import type { Scene } from '../scene/scene';
import { DEFAULT_OFFSET, placeCallout, resolveAnchor, wrapText, type Box, type Note } from './notes';

const CHAR_W = 6.3;
const MAX_MAGNIFY = 8;
const LINE_H = 14;
const WRAP = 34;

/** What the callouts need of the scene: where things are drawn, the zoom, and a layer in its world. */
export type NotesScene = Pick<Scene, 'abs' | 'has' | 'transform' | 'addLayer' | 'on'>;

export interface DrawnNote {
  note: Note;
  anchor: string | null;
  hidden: boolean;
  box: Rect | null;
  /** Where the default offset counts from (the anchor's right edge, below the notes stacked on it). */
  origin?: { x: number; y: number };
}

export class NotesLayer {
  readonly layer: SVGGElement;
  private drawn: DrawnNote[] = [];
  private notes: readonly Note[] = [];
  private drag: { node: string; x0: number; y0: number; dx0: number; dy0: number; moved: boolean } | null = null;
  private override: { node: string; dx: number; dy: number } | null = null;
  /** Callouts are magnified when zoomed out (up to MAX_MAGNIFY) so their text stays readable. */
  private magnify = 1;
  private fixed: number | null = null;

  constructor(
    private scene: NotesScene,
    private onOpen: (node: string) => void,
    private onMoved: (node: string, dx: number, dy: number) => void,
    /** The id a note's node or path group is drawn under today (notes.ts, followMoves). */
    private now: (id: string) => string = (id) => id,
  ) {
    this.layer = s('g', { class: 'notes-layer' });
    scene.addLayer(this.layer);
    this.layer.addEventListener('mousedown', (ev) => this.startDrag(ev));
    this.layer.addEventListener('click', (ev) => ev.stopPropagation());
    this.layer.addEventListener('dblclick', (ev) => ev.stopPropagation());
    window.addEventListener('mousemove', (ev) => this.moveDrag(ev));
    window.addEventListener('mouseup', () => this.endDrag());
    // Follow the zoom: callouts are redrawn when the magnification they need changed noticeably.
    scene.on('zoomed', () => {
      if (Math.abs(this.wantMagnify() / this.magnify - 1) > 0.02 && this.notes.length) this.draw(this.notes);
    });
  }

  private wantMagnify(): number {
    if (this.fixed !== null) return this.fixed;
    const k = this.scene.transform().k || 1;
    return Math.max(1, Math.min(MAX_MAGNIFY, 1 / k));
  }

  /** Draws at a fixed magnification (1 for a whole-graph export) until called again with null. */
  fixMagnification(m: number | null): void {
    this.fixed = m;
    this.draw(this.notes);
  }

  /** The notes as last drawn: where each is attached, and its callout's box in graph coordinates. */
  get placed(): readonly DrawnNote[] {
    return this.drawn;
  }

  /** Union of the callouts' boxes (graph coordinates), or null. */
  bounds(): Rect | null {
    let b: Rect | null = null;
    for (const d of this.drawn) {
      if (!d.box) continue;
      if (!b) b = { ...d.box };
      else {
        const x = Math.min(b.x, d.box.x);
        const y = Math.min(b.y, d.box.y);
        b = { x, y, w: Math.max(b.x + b.w, d.box.x + d.box.w) - x, h: Math.max(b.y + b.h, d.box.y + d.box.h) - y };
      }
    }
    return b;
  }

  draw(notes: readonly Note[]): void {
    this.notes = notes;
    clear(this.layer);
    this.drawn = [];
    const m = (this.magnify = this.wantMagnify());
    // Several notes hidden in one closed group are stacked below one another.
    const stack = new Map<string, number>();
    // A note left where it was put by default moves off any box it is not pinned to (and off the notes drawn
    // before it); a note the user dragged stays where it was dragged.
    const taken: Box[] = [];
    const boxes = this.scene.abs;
    for (const n of notes) {
      const at = resolveAnchor(n, (x) => this.scene.has(x), this.now);
      if (!at) {
        this.drawn.push({ note: n, anchor: null, hidden: true, box: null });
        continue;
      }
      const r = this.scene.abs.get(at.anchor)!;
      const off = this.override && this.override.node === n.node ? this.override : n;
      const lines = wrapText(n.text, WRAP);
      const hint = at.hidden ? `on ${n.node}, inside this closed group` : null;
      const hintLines = hint ? wrapText(hint, WRAP + 6, 3) : [];
      const w0 =
        Math.max(60, ...lines.map((l) => l.length * CHAR_W), ...hintLines.map((l) => l.length * (CHAR_W - 0.6))) + 16;
      const h0 = (lines.length + hintLines.length) * LINE_H + 10;
      const w = w0 * m;
      const hh = h0 * m;
      const shift = stack.get(at.anchor) ?? 0;
      let bx = r.x + r.w + off.dx * m;
      let by = r.y + off.dy * m + shift;
      stack.set(at.anchor, shift + hh + 6 * m);
      if (off === n && n.dx === DEFAULT_OFFSET.dx && n.dy === DEFAULT_OFFSET.dy) {
        const placed = placeCallout(r, { w, h: hh }, { x: bx, y: by }, [...boxes.values(), ...taken], 4 * m);
        bx = placed.x;
        by = placed.y;
      }
      taken.push({ x: bx, y: by, w, h: hh });
      const g = s('g', {
        class: `pv-note${at.hidden ? ' hidden-node' : ''}`,
        'data-note': n.node,
        'data-note-anchor': at.anchor,
        'data-note-hidden': String(at.hidden),
      });
      // leader: from the anchor's top-right corner to the nearest point of the callout
      const ax = r.x + r.w - 3;
      const ay = r.y + 3;
      const lx = Math.max(bx, Math.min(bx + w, ax));
      const ly = Math.max(by, Math.min(by + hh, ay));
      const leader = s('line', { class: 'note-leader', x1: r1(ax), y1: r1(ay), x2: r1(lx), y2: r1(ly) });
      if (m !== 1) leader.style.strokeWidth = String(1.2 * m);
      g.append(leader);
      g.append(s('circle', { class: 'note-pin', cx: r1(ax), cy: r1(ay), r: r1(3 * m) }));
      const body = s('g', {
        class: 'note-body',
        transform: `translate(${r1(bx)},${r1(by)})${m !== 1 ? ` scale(${m.toFixed(3)})` : ''}`,
      });
      body.append(s('title', {}, `Note on ${n.node} — drag to move, click to edit`));
      body.append(s('rect', { class: 'note-box', width: r1(w0), height: h0, rx: 4 }));
      const text = s('text', { class: 'note-text', x: 8, y: 0 });
      lines.forEach((l, i) => text.append(s('tspan', { x: 8, y: 17 + i * LINE_H }, l)));
      body.append(text);
      if (hintLines.length) {
        const ht = s('text', { class: 'note-hint', x: 8, y: 0 });
        hintLines.forEach((l, i) => ht.append(s('tspan', { x: 8, y: 17 + (lines.length + i) * LINE_H }, l)));
        body.append(ht);
      }
      g.append(body);
      this.layer.append(g);
      this.drawn.push({
        note: n,
        anchor: at.anchor,
        hidden: at.hidden,
        box: { x: bx, y: by, w, h: hh },
        origin: { x: r.x + r.w, y: r.y + shift },
      });
    }
  }

  private startDrag(ev: MouseEvent): void {
    const g = (ev.target as Element).closest<SVGGElement>('[data-note]');
    if (!g || ev.button !== 0) return;
    ev.stopPropagation(); // keep d3-zoom from panning
    ev.preventDefault();
    const node = g.getAttribute('data-note')!;
    const n = this.notes.find((x) => x.node === node);
    if (!n) return;
    // A note placed off the boxes by default is dragged from where it is drawn, not from its default offset.
    const at = this.drawn.find((d) => d.note.node === node);
    const m = this.magnify || 1;
    const dx0 = at?.box && at.origin ? (at.box.x - at.origin.x) / m : n.dx;
    const dy0 = at?.box && at.origin ? (at.box.y - at.origin.y) / m : n.dy;
    this.drag = { node, x0: ev.clientX, y0: ev.clientY, dx0, dy0, moved: false };
  }

  private moveDrag(ev: MouseEvent): void {
    const d = this.drag;
    if (!d) return;
    const mx = ev.clientX - d.x0;
    const my = ev.clientY - d.y0;
    if (!d.moved && Math.hypot(mx, my) < 3) return;
    d.moved = true;
    const k = this.scene.transform().k || 1;
    this.override = { node: d.node, dx: d.dx0 + mx / k / this.magnify, dy: d.dy0 + my / k / this.magnify };
    this.draw(this.notes);
  }

  private endDrag(): void {
    const d = this.drag;
    if (!d) return;
    this.drag = null;
    const o = this.override;
    this.override = null;
    if (!d.moved) this.onOpen(d.node);
    else if (o) this.onMoved(d.node, o.dx, o.dy);
  }
}
