// The compare view: the model's layers in data-flow order, machinery left out, each marked same, changed,
// added (only in B) or removed (only in A), with what changed written on the box, the notes of either run on
// the matched layer, and the machinery areas by size beside it. The legend (which run is A and which is B, and
// the colours) is part of the drawing, so an exported SVG says it too. Every name is written as text.

import { graphLabel, type GraphRef } from '../graph/api';
import { h } from '../lib/dom';
import { Emitter } from '../lib/events';
import { download } from '../share/picture';
import type { CompareAnswer, DiffLayer, DiffRow, RowStatus } from './answer';
import { notesOfLayer } from './answer';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Geometry of the drawing, in SVG px. */
const G = { width: 460, pad: 16, line: 15, boxGap: 14, legend: 78, side: 300 } as const;
/** Rows per piece of the drawing on screen: a piece out of sight is neither laid out nor painted (two 200k-node
 * graphs give thousands of rows, whose text took seconds to lay out as one SVG). */
const ROWS_PER_PIECE = 40;

export const STATUS_COLOURS: Record<RowStatus, { fill: string; stroke: string; label: string }> = {
  same: { fill: '#eceff1', stroke: '#90a4ae', label: 'same' },
  changed: { fill: '#fff3e0', stroke: '#f57c00', label: 'changed' },
  added: { fill: '#e8f5e9', stroke: '#2e7d32', label: 'added (only in B)' },
  removed: { fill: '#ffebee', stroke: '#c62828', label: 'removed (only in A)' },
};

export interface LayerNote {
  text: string;
  /** Where it was written: `A` or `B`, and the run. */
  side: 'A' | 'B';
  run: string;
}

export interface CompareEvents {
  close: null;
  link: null;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const shapeText = (s: (number | null)[] | null) =>
  s === null ? '' : s.length ? s.map((d) => (d === null ? '?' : String(d))).join('×') : 'scalar';
const sideLabel = (g: GraphRef) => `${g.run} · ${graphLabel(g)}`;
/** A side as the legend names it: with what the user moved to the model in it, when anything. */
const sideTitle = (g: GraphRef & { scope?: string }) =>
  sideLabel(g) +
  (g.scope ? ` · layers in ${g.scope}` : '') +
  (g.model?.length ? ` · moved to the model by the user: ${g.model.join(', ')}` : '');

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** The lines written in a row's box: its name(s), type and size, what changed, and the notes it carries. */
export function rowLines(row: DiffRow, notes: LayerNote[]): { head: string; sub: string; body: string[] } {
  const a = row.a;
  const b = row.b;
  // A frozen B does not declare shapes: a layer the same in both is described by A's facts then.
  const layer = (row.status === 'same' && a && b?.output_shape === null ? a : (b ?? a))!;
  // Names within the scope each side's layers share: two traces' steps sit in `graph_19/…` and `graph_25/…`.
  const name = (l: DiffLayer) => l.label ?? l.name;
  const head = a && b && name(a) !== name(b) ? `${name(a)} → ${name(b)}` : name(layer);
  const shape = shapeText(layer.output_shape);
  const sub = [
    layer.type,
    shape,
    layer.params ? `${fmt(layer.params)} params` : '',
    layer.reads_flag ? 'φ reads the flag' : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const body = [...row.what, ...notes.map((n) => `✎ note from ${n.side} (${n.run}): ${n.text}`)];
  return { head, sub, body };
}

export class CompareView extends Emitter<CompareEvents> {
  readonly el = h('section', {
    class: 'pv-compare',
    hidden: true,
    'aria-label': 'Compare',
    'data-testid': 'compare',
  });
  private answer: CompareAnswer | null = null;
  private drawing: SVGSVGElement[] = [];

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  close(): void {
    this.el.hidden = true;
    this.el.removeAttribute('data-compare-ready');
  }

  /** Shown while the answer is on its way. */
  loading(a: GraphRef, b: GraphRef): void {
    this.el.hidden = false;
    this.el.removeAttribute('data-compare-ready');
    this.el.replaceChildren(this.header(), h('p', { class: 'op' }, `Comparing ${sideTitle(a)} with ${sideTitle(b)}…`));
  }

  failed(message: string): void {
    this.el.hidden = false;
    this.el.replaceChildren(this.header(), h('p', { class: 'pv-compare-error', role: 'alert' }, message));
    this.el.dataset.compareReady = 'error';
  }

  /** Draws a comparison; `notes(side)` gives the notes written on each graph. */
  show(
    answer: CompareAnswer,
    notes: { a: { node: string; text: string }[]; b: { node: string; text: string }[] },
  ): void {
    this.answer = answer;
    this.el.hidden = false;
    // Names the sentence puts between backticks are set in code type (as text, never as HTML).
    const parts = answer.sentence.split('`').map((t, i) => (i % 2 ? h('code', {}, t) : t));
    const sentence = h('p', { class: 'pv-compare-sentence', 'data-testid': 'compare-sentence' }, ...parts);
    const side = h('div', { class: 'pv-compare-side' });
    side.append(h('h3', {}, 'Machinery (compared by size)'));
    for (const m of answer.machinery)
      side.append(h('div', { 'data-compare-area': m.role }, `${m.role}: ${fmt(m.a)} → ${fmt(m.b)} ops`));
    if (!answer.machinery.length) side.append(h('div', {}, 'none in either graph'));
    side.append(h('h3', {}, 'Learning-phase flag'));
    for (const [key, s] of [
      ['A', answer.a],
      ['B', answer.b],
    ] as const) {
      const flags = s.flags.map((f) => `${f.name} (${f.op}${f.constant ? ', a constant' : ''})`).join(', ') || 'none';
      // A large model's readers are hundreds of layers: the count, and the first few by name.
      const readers = s.flag_readers;
      const named = readers.slice(0, 6).join(', ') + (readers.length > 6 ? `, … ${fmt(readers.length - 6)} more` : '');
      side.append(
        h(
          'div',
          {},
          `${key}: ${flags}; read by ${readers.length ? `${fmt(readers.length)} layer${readers.length === 1 ? '' : 's'} (${named})` : 'no layer'}`,
        ),
      );
    }
    if (answer.lost.length) {
      side.append(h('h3', {}, 'What B lost'));
      for (const l of answer.lost) side.append(h('div', { 'data-compare-lost': '' }, l));
    }
    this.drawing = this.draw(answer, notes);
    const pieces = this.drawing.map((piece) => {
      const height = piece.getAttribute('height');
      const box = h('div', { class: 'pv-compare-piece' }, piece);
      box.style.containIntrinsicSize = `auto ${G.width}px auto ${height}px`;
      return box;
    });
    this.el.replaceChildren(
      this.header(),
      sentence,
      h('div', { class: 'pv-compare-body' }, h('div', { class: 'pv-compare-drawing' }, ...pieces), side),
    );
    this.el.dataset.compareReady = 'true';
  }

  /** The drawing as an SVG file, its legend inside it. */
  exportSvg(): void {
    if (!this.drawing.length || !this.answer) return;
    const text = new XMLSerializer().serializeToString(this.whole());
    const name = `compare-${this.answer.a.run}-${this.answer.b.run}.svg`.replace(/[^\w.-]+/g, '_');
    download(new Blob([text], { type: 'image/svg+xml' }), name);
  }

  /** The pieces as one SVG: its background, then every piece's elements in order. */
  private whole(): SVGSVGElement {
    const last = this.drawing[this.drawing.length - 1];
    const box = last.getAttribute('viewBox')!.split(' ').map(Number);
    const height = box[1] + box[3];
    const root = drawingSvg(0, height);
    root.append(svg('rect', { x: 0, y: 0, width: G.width, height, fill: '#fff' }));
    for (const piece of this.drawing)
      for (const child of piece.children)
        if (!child.hasAttribute('data-background')) root.append(child.cloneNode(true));
    return root;
  }

  private header(): HTMLElement {
    const link = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'compare-link' }, 'Copy link');
    link.title = 'A link that reopens this comparison';
    link.addEventListener('click', () => this.emit('link', null));
    const exp = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'compare-export' }, 'Export SVG');
    exp.title = 'The drawing with its legend, as an SVG file';
    exp.addEventListener('click', () => this.exportSvg());
    const close = h(
      'button',
      { class: 'pv-btn', type: 'button', 'data-action': 'compare-close', 'aria-label': 'Close the comparison' },
      'Close',
    );
    close.addEventListener('click', () => {
      this.close();
      this.emit('close', null);
    });
    return h('div', { class: 'pv-compare-head' }, h('h2', {}, 'Compare'), link, exp, close);
  }

  /** The drawing in pieces of ROWS_PER_PIECE rows, each an SVG showing its band of one tall drawing (the legend
   * in the first): the same coordinates, so that the pieces put together are the drawing. */
  private draw(
    answer: CompareAnswer,
    notes: { a: { node: string; text: string }[]; b: { node: string; text: string }[] },
  ): SVGSVGElement[] {
    let items: SVGElement[] = [];
    const pieces: { top: number; items: SVGElement[] }[] = [];
    let top = 0;
    // The legend: which run is which, and the colours.
    items.push(svg('text', { x: G.pad, y: 20, 'font-size': 12, fill: '#212121' }, `A: ${sideTitle(answer.a)}`));
    items.push(svg('text', { x: G.pad, y: 36, 'font-size': 12, fill: '#212121' }, `B: ${sideTitle(answer.b)}`));
    let x = G.pad;
    for (const status of ['same', 'changed', 'added', 'removed'] as const) {
      const c = STATUS_COLOURS[status];
      items.push(
        svg('rect', { x, y: 48, width: 14, height: 12, rx: 2, fill: c.fill, stroke: c.stroke, 'data-legend': status }),
      );
      const label = svg('text', { x: x + 18, y: 58, 'font-size': 11, fill: '#616161' }, c.label);
      items.push(label);
      x += 30 + c.label.length * 6;
    }
    let y = G.legend;
    const w = G.width - 2 * G.pad;
    answer.rows.forEach((row, i) => {
      if (i > 0 && i % ROWS_PER_PIECE === 0) {
        // A piece ends where the line to the next row starts.
        pieces.push({ top, items });
        items = [];
        top = y - G.boxGap;
      }
      const c = STATUS_COLOURS[row.status];
      const rowNotes: LayerNote[] = [
        ...(row.a
          ? notesOfLayer(notes.a, row.a.name).map((n) => ({ text: n.text, side: 'A' as const, run: answer.a.run }))
          : []),
        ...(row.b
          ? notesOfLayer(notes.b, row.b.name).map((n) => ({ text: n.text, side: 'B' as const, run: answer.b.run }))
          : []),
      ];
      const lines = rowLines(row, rowNotes);
      const height = 40 + lines.body.length * G.line;
      if (i > 0)
        items.push(svg('line', { x1: G.width / 2, y1: y - G.boxGap, x2: G.width / 2, y2: y, stroke: '#90a4ae' }));
      const box = svg('g', {
        class: 'pv-compare-row',
        'data-compare-status': row.status,
        'data-layer-a': row.a?.name ?? '',
        'data-layer-b': row.b?.name ?? '',
        'data-notes': rowNotes.length,
      });
      box.append(
        svg('rect', {
          x: G.pad,
          y,
          width: w,
          height,
          rx: 4,
          fill: c.fill,
          stroke: c.stroke,
          'stroke-width': row.status === 'same' ? 1 : 2,
          'stroke-dasharray': row.status === 'removed' ? '5 3' : 'none',
        }),
        svg('text', { x: G.pad + 10, y: y + 17, 'font-size': 13, 'font-weight': 500, fill: '#212121' }, lines.head),
        svg('text', { x: G.pad + w - 10, y: y + 17, 'font-size': 11, 'text-anchor': 'end', fill: c.stroke }, c.label),
        svg('text', { x: G.pad + 10, y: y + 32, 'font-size': 11, fill: '#616161' }, lines.sub),
      );
      lines.body.forEach((t, k) =>
        box.append(
          svg(
            'text',
            { x: G.pad + 18, y: y + 47 + k * G.line, 'font-size': 11, fill: t.startsWith('✎') ? '#1565c0' : '#bf360c' },
            t.length > 70 ? t.slice(0, 69) + '…' : t,
          ),
        ),
      );
      items.push(box);
      y += height + G.boxGap;
    });
    pieces.push({ top, items });
    return pieces.map((piece, k) => {
      const bottom = k + 1 < pieces.length ? pieces[k + 1].top : y;
      const height = bottom - piece.top;
      const root = drawingSvg(piece.top, height);
      const background = svg('rect', { x: 0, y: piece.top, width: G.width, height, fill: '#fff' });
      background.setAttribute('data-background', '');
      root.append(background, ...piece.items);
      return root;
    });
  }
}

/** An SVG of the comparison's drawing showing its rows from `top` down, `height` high (a piece, or all of it). */
function drawingSvg(top: number, height: number): SVGSVGElement {
  return svg('svg', {
    xmlns: SVG_NS,
    class: 'pv-compare-svg',
    'font-family': 'Roboto, Arial, sans-serif',
    width: G.width,
    height,
    viewBox: `0 ${top} ${G.width} ${height}`,
  });
}

/** The picker: every graph of every run, the one on screen left out. */
export class ComparePicker extends Emitter<{ pick: GraphRef }> {
  readonly el = h('div', { class: 'pv-compare-picker', hidden: true, 'data-testid': 'compare-picker' });
  private select = h('select', { 'aria-label': 'Graph to compare with', 'data-testid': 'compare-select' });
  private graphs: GraphRef[] = [];

  constructor() {
    super();
    const go = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'compare-go' }, 'Compare');
    go.addEventListener('click', () => {
      const g = this.graphs[Number(this.select.value)];
      if (g) {
        this.el.hidden = true;
        this.emit('pick', g);
      }
    });
    const cancel = h('button', { class: 'pv-btn', type: 'button', 'aria-label': 'Cancel' }, '✕');
    cancel.addEventListener('click', () => (this.el.hidden = true));
    this.el.append(h('label', {}, 'Compare with ', this.select), go, cancel);
  }

  open(graphs: GraphRef[], current: GraphRef | null): void {
    this.graphs = graphs.filter((g) => !current || sideLabel(g) !== sideLabel(current));
    this.select.replaceChildren(...this.graphs.map((g, i) => h('option', { value: String(i) }, sideLabel(g))));
    this.el.hidden = !this.graphs.length ? true : !this.el.hidden;
    if (!this.el.hidden) this.select.focus();
  }
}
