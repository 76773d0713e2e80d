// Export what is drawn as a standalone SVG (and a PNG made from it): a title, the graph (the view, or the
// whole graph at the current expansion), a legend of the edge kinds drawn with what the phase filter is
// doing, and the notes. The SVG is self-contained: every style is computed from the live page and written
// as plain attributes with concrete values (no CSS variables, no stylesheet, no external reference), and
// every name is text (textContent, escaped by the XML serialiser).

import { s, SVG_NS } from '../lib/dom';
import type { Rect } from '../scene/bundle';
import type { SceneLayers } from '../scene/scene';
import { xmlSafe, type LegendItem, type PngPlan } from './exportplan';
import { wrapText } from './notes';

export interface ExportNote {
  node: string;
  text: string;
  /** The closed group it is drawn on when the node is hidden; null when drawn on the node itself. */
  hiddenIn: string | null;
  drawn: boolean;
}

export interface ExportInput {
  /** The scene's elements: its <defs> and world are copied, with the phase overlay stacked on the world. */
  layers: SceneLayers;
  /** The element whose computed colours and font are the page's (the app root). */
  themeRoot: HTMLElement;
  title: string;
  subtitle: string;
  /** 'view': the visible part of the scene; 'graph': `graphBox` (graph coordinates) at scale 1. */
  scope: 'view' | 'graph';
  graphBox: Rect;
  legend: LegendItem[];
  notes: ExportNote[];
  /** A table drawn under the legend (the model's summary, when its panel is open); null for none. */
  table?: ExportTable | null;
}

/** A table of text for the picture: a title, the column heads, one row of cells per line, and a closing line. */
export interface ExportTable {
  title: string;
  header: string[];
  rows: string[][];
  /** Columns drawn right-aligned (counts). */
  numeric: boolean[];
  footer: string;
  /** A `data-*` attribute name put on each row's <g> with the row's key (else its first cell), for scripts
   * reading the file. */
  rowAttribute: string;
  /** Each row's key for that attribute (a layer's whole name, where its first cell shows part of it). */
  rowKeys?: string[];
}

export interface ExportPicture {
  svg: SVGSVGElement;
  width: number;
  height: number;
}

const SHAPES = new Set(['path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon']);
const TEXTS = new Set(['text', 'tspan']);
const KEEP_ATTRS = new Set([
  'transform',
  'd',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'width',
  'height',
  'points',
  'marker-end',
  'marker-start',
  'viewBox',
  'refX',
  'refY',
  'markerWidth',
  'markerHeight',
  'orient',
  'markerUnits',
  'id',
  'dx',
  'dy',
  'fill-rule',
]);
const SHAPE_STYLE = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'vector-effect',
];
const TEXT_STYLE = ['fill', 'fill-opacity', 'font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor'];
// A text's halo (an edge label's), written only where the text has one.
const HALO_STYLE = ['stroke', 'stroke-width', 'stroke-linejoin', 'paint-order'];
const DEFAULTS: Record<string, string> = {
  'fill-opacity': '1',
  'stroke-opacity': '1',
  'stroke-dasharray': 'none',
  'stroke-linecap': 'butt',
  'stroke-linejoin': 'miter',
  'vector-effect': 'none',
  'font-style': 'normal',
  'text-anchor': 'start',
  'paint-order': 'normal',
};

const MARGIN = 16;
const HEADER_H = 56;
const ROW_H = 18;
const NOTE_ROW_H = 15;
const MIN_W = 560;
const TABLE_ROW_H = 16;
// At 11.5 px a character is 6 to 7 px wide (heads are bold): cells are measured by their characters, generously,
// as the picture is built before anything of it is laid out.
const TABLE_CHAR_W = 7.2;
const TABLE_GAP = 24;
const TABLE_CELL_MAX = 48; // characters: a longer cell (a deep layer path) ends in …

function cellText(text: string): string {
  return text.length > TABLE_CELL_MAX ? text.slice(0, TABLE_CELL_MAX - 1) + '…' : text;
}

/** Column widths (px) of a table: its longest cell, head included, plus a gap. */
export function tableColumns(table: ExportTable): number[] {
  return table.header.map(
    (head, i) =>
      Math.max(head.length, ...table.rows.map((r) => cellText(r[i] ?? '').length)) * TABLE_CHAR_W + TABLE_GAP,
  );
}

function tableHeight(table: ExportTable): number {
  return 12 + (3 + table.rows.length) * TABLE_ROW_H;
}

function invisible(v: string): boolean {
  return v === 'none' || v === 'transparent' || /^rgba\([^)]*,\s*0\)$/.test(v);
}

function plain(v: string): string {
  // "4px, 3px" -> "4, 3"; "12px" -> "12" (unitless user units are read the same everywhere, Inkscape included)
  return v.replace(/(\d)px\b/g, '$1');
}

/** A deep copy of a drawn SVG element with its computed style written as attributes; null for what is not painted. */
export function inlineCopy(src: Element): Element | null {
  const tag = src.localName;
  if (tag === 'title' || tag === 'desc') return null;
  const cs = getComputedStyle(src);
  if (cs.display === 'none') return null;
  const el = document.createElementNS(SVG_NS, tag);
  for (const a of Array.from(src.attributes)) if (KEEP_ATTRS.has(a.name)) el.setAttribute(a.name, a.value);
  if (cs.opacity && cs.opacity !== '1') el.setAttribute('opacity', cs.opacity);
  if (SHAPES.has(tag)) {
    if (cs.visibility === 'hidden') return null;
    const fill = cs.getPropertyValue('fill');
    const stroke = cs.getPropertyValue('stroke');
    // hit areas and hover targets: painted with nothing
    if (invisible(fill) && invisible(stroke) && src.parentElement?.localName !== 'marker') return null;
    for (const p of SHAPE_STYLE) {
      const v = cs.getPropertyValue(p);
      if (v && v !== DEFAULTS[p]) el.setAttribute(p, plain(v));
    }
  } else if (TEXTS.has(tag)) {
    if (cs.visibility === 'hidden' && tag === 'text') return null;
    for (const p of TEXT_STYLE) {
      const v = cs.getPropertyValue(p);
      if (v && v !== DEFAULTS[p]) el.setAttribute(p, plain(v));
    }
    if (!invisible(cs.getPropertyValue('stroke')))
      for (const p of HALO_STYLE) {
        const v = cs.getPropertyValue(p);
        if (v && v !== DEFAULTS[p]) el.setAttribute(p, plain(v));
      }
  }
  for (const c of Array.from(src.childNodes)) {
    if (c.nodeType === Node.TEXT_NODE) el.append(document.createTextNode(c.textContent ?? ''));
    else if (c.nodeType === Node.ELEMENT_NODE) {
      const copy = inlineCopy(c as Element);
      if (copy) el.append(copy);
    }
  }
  if ((tag === 'g' || tag === 'text') && el.childNodes.length === 0) return null;
  return el;
}

/** Builds the standalone picture. Its size is in CSS px; `pixelSize` (for a PNG) only changes width/height. */
export function buildPicture(input: ExportInput, pixelSize?: { width: number; height: number }): ExportPicture {
  const theme = getComputedStyle(input.themeRoot);
  const bg = invisible(theme.backgroundColor) ? '#ffffff' : theme.backgroundColor;
  const fg = theme.color;
  const fg2 = theme.getPropertyValue('--fg-2').trim() || fg;
  const line = theme.getPropertyValue('--line').trim() || '#e0e0e0';
  const accent = theme.getPropertyValue('--accent').trim() || '#f57c00';
  const edge = theme.getPropertyValue('--edge').trim() || '#90a4ae';
  const edgeControl = theme.getPropertyValue('--edge-control').trim() || '#b0bec5';
  const font = theme.fontFamily || 'sans-serif';

  const live = input.layers.svg.getBoundingClientRect();
  const region =
    input.scope === 'view'
      ? { w: Math.max(1, Math.round(live.width)), h: Math.max(1, Math.round(live.height)) }
      : { w: Math.ceil(input.graphBox.w), h: Math.ceil(input.graphBox.h) };
  const table = input.table ?? null;
  const columns = table ? tableColumns(table) : [];
  const tableW = columns.reduce((a, b) => a + b, 0);
  const width = Math.max(MIN_W, region.w, Math.ceil(tableW) + 2 * MARGIN);
  const chars = Math.max(30, Math.floor((width - 2 * MARGIN - 20) / 6.4));

  // footer rows: legend, then notes
  const noteRows: { text: string; bold?: boolean }[] = [];
  if (input.notes.length) {
    noteRows.push({ text: 'Notes', bold: true });
    for (const n of input.notes) {
      const where = n.hiddenIn ? ` (inside the closed group ${n.hiddenIn})` : n.drawn ? '' : ' (not drawn)';
      const lines = wrapText(`${n.node}${where}: ${n.text}`, chars, 12);
      lines.forEach((l, i) => noteRows.push({ text: (i === 0 ? '• ' : '\u00a0\u00a0\u00a0') + l }));
    }
  }
  const tableY = input.legend.length * ROW_H + (noteRows.length ? 8 + noteRows.length * NOTE_ROW_H : 0);
  const footerH = MARGIN + tableY + (table ? tableHeight(table) : 0) + MARGIN;
  const height = HEADER_H + region.h + footerH;

  const out = s('svg', {
    version: '1.1',
    width: pixelSize?.width ?? width,
    height: pixelSize?.height ?? height,
    viewBox: `0 0 ${width} ${height}`,
    'font-family': font,
  });
  out.append(s('rect', { x: 0, y: 0, width, height, fill: bg }));
  out.append(s('text', { x: MARGIN, y: 26, 'font-size': 16, 'font-weight': 500, fill: fg }, input.title));
  out.append(s('text', { x: MARGIN, y: 45, 'font-size': 11, fill: fg2 }, input.subtitle));
  out.append(s('line', { x1: 0, y1: HEADER_H - 0.5, x2: width, y2: HEADER_H - 0.5, stroke: line, 'stroke-width': 1 }));

  // the graph, clipped to its region by a nested <svg>
  const ox = Math.floor((width - region.w) / 2);
  const frame = s('svg', {
    x: ox,
    y: HEADER_H,
    width: region.w,
    height: region.h,
    viewBox: `0 0 ${region.w} ${region.h}`,
    overflow: 'hidden',
  });
  const defs = inlineCopy(input.layers.defs);
  if (defs) frame.append(defs);
  const w = inlineCopy(input.layers.world) ?? s('g');
  // The phase edges, veil and outlines are drawn in a stacked overlay <svg> with the same transform.
  const layer = inlineCopy(input.layers.overlay);
  if (layer) {
    layer.removeAttribute('transform');
    w.append(layer);
  }
  if (input.scope === 'graph') w.setAttribute('transform', `translate(${-input.graphBox.x},${-input.graphBox.y})`);
  frame.append(w);
  out.append(frame);
  out.append(
    s('line', {
      x1: 0,
      y1: HEADER_H + region.h + 0.5,
      x2: width,
      y2: HEADER_H + region.h + 0.5,
      stroke: line,
      'stroke-width': 1,
    }),
  );

  // legend
  const legend = s('g', { transform: `translate(${MARGIN},${HEADER_H + region.h + MARGIN})` });
  input.legend.forEach((item, i) => {
    const y = i * ROW_H + 9;
    const sw: Record<string, string | number> = { x1: 0, y1: y - 4, x2: 26, y2: y - 4, 'stroke-width': 2 };
    if (item.kind === 'data') legend.append(s('line', { ...sw, stroke: edge }));
    else if (item.kind === 'control')
      legend.append(s('line', { ...sw, stroke: edgeControl, 'stroke-dasharray': '4 3' }));
    else if (item.kind === 'phase') legend.append(s('line', { ...sw, stroke: accent }));
    else if (item.kind === 'constant')
      legend.append(s('line', { ...sw, stroke: edgeControl, 'stroke-dasharray': '1 3' }));
    else if (item.kind === 'phase-badge') {
      legend.append(s('rect', { x: 4, y: y - 12, width: 18, height: 16, rx: 8, fill: accent }));
      legend.append(
        s(
          'text',
          { x: 13, y: y, 'font-size': 10.5, 'font-weight': 700, fill: '#ffffff', 'text-anchor': 'middle' },
          'φ',
        ),
      );
    } else if (item.kind === 'run-as-share')
      legend.append(s('rect', { x: 4, y: y - 4, width: 12, height: 3, rx: 1.5, fill: fg2, 'fill-opacity': 0.55 }));
    else if (item.kind === 'bypass')
      legend.append(
        s('path', { d: `M4,${y - 8}C22,${y - 8} 22,${y} 4,${y}`, fill: 'none', stroke: accent, 'stroke-width': 2 }),
      );
    else if (item.kind === 'unused')
      legend.append(
        s('rect', {
          x: 4,
          y: y - 10,
          width: 18,
          height: 12,
          rx: 6,
          fill: 'none',
          stroke: accent,
          'stroke-dasharray': '2 2',
        }),
      );
    else if (item.kind === 'run-as-title') {
      /* a heading: the lines below it have the swatches */
    } else if (item.kind === 'run-as')
      legend.append(
        s('rect', { x: 4, y: y - 10, width: 18, height: 12, rx: 3, fill: fg2, 'fill-opacity': 0.28, stroke: 'none' }),
      );
    else if (item.kind === 'note')
      legend.append(s('rect', { x: 4, y: y - 10, width: 18, height: 12, rx: 3, fill: '#fff8e1', stroke: '#f9a825' }));
    else if (item.kind === 'moved')
      legend.append(
        s('rect', {
          x: 4,
          y: y - 10,
          width: 18,
          height: 12,
          rx: 3,
          fill: 'none',
          stroke: '#8e24aa',
          'stroke-width': 2,
        }),
      );
    else if (item.kind !== 'hidden' && item.kind !== 'colour' && item.kind !== 'params')
      legend.append(s('line', { ...sw, stroke: edgeControl, 'stroke-dasharray': '2 2' }));
    legend.append(s('text', { x: 36, y, 'font-size': 12, fill: fg }, item.label));
  });
  const ny = input.legend.length * ROW_H + 8;
  noteRows.forEach((r, i) => {
    legend.append(
      s(
        'text',
        { x: 0, y: ny + i * NOTE_ROW_H + 11, 'font-size': 11.5, fill: fg, 'font-weight': r.bold ? 600 : null },
        r.text,
      ),
    );
  });
  if (table) legend.append(drawTable(table, columns, tableY + 12, fg, fg2, line));
  out.append(legend);
  return { svg: out, width, height };
}

/** The table at `top` (legend coordinates): title, heads, rows (counts right-aligned), closing line. */
function drawTable(table: ExportTable, columns: number[], top: number, fg: string, fg2: string, line: string): Element {
  const g = s('g', { 'data-export': 'table' });
  const lefts = columns.map((_, i) => columns.slice(0, i).reduce((a, b) => a + b, 0));
  const right = lefts.map((x, i) => x + columns[i] - TABLE_GAP);
  const row = (cells: string[], y: number, attrs: Record<string, string | number | null>) => {
    const r = s('g', {});
    cells.forEach((cell, i) => {
      const numeric = table.numeric[i];
      r.append(
        s(
          'text',
          { x: numeric ? right[i] : lefts[i], y, 'font-size': 11.5, 'text-anchor': numeric ? 'end' : null, ...attrs },
          cellText(cell),
        ),
      );
    });
    return r;
  };
  g.append(s('text', { x: 0, y: top + 11, 'font-size': 12, 'font-weight': 600, fill: fg }, table.title));
  g.append(row(table.header, top + TABLE_ROW_H + 11, { fill: fg2, 'font-weight': 600 }));
  const total = columns.reduce((a, b) => a + b, 0);
  const ruleY = top + 2 * TABLE_ROW_H + 3.5;
  g.append(s('line', { x1: 0, y1: ruleY, x2: total, y2: ruleY, stroke: line, 'stroke-width': 1 }));
  table.rows.forEach((cells, k) => {
    const r = row(cells, top + (k + 2) * TABLE_ROW_H + 15, { fill: fg });
    r.setAttribute(`data-${table.rowAttribute}`, table.rowKeys?.[k] ?? cells[0] ?? '');
    g.append(r);
  });
  g.append(
    s(
      'text',
      { x: 0, y: top + (table.rows.length + 2) * TABLE_ROW_H + 23, 'font-size': 11.5, fill: fg2 },
      table.footer,
    ),
  );
  return g;
}

export function serialize(svg: SVGSVGElement): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + xmlSafe(new XMLSerializer().serializeToString(svg));
}

/** Rasterises an SVG document (text) to a PNG of the plan's pixel size. */
export async function rasterize(svgText: string, plan: Extract<PngPlan, { ok: true }>): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.width = plan.width;
    img.height = plan.height;
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = plan.width;
    canvas.height = plan.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser gave no 2D canvas');
    ctx.drawImage(img, 0, 0, plan.width, plan.height);
    const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/png'));
    canvas.width = canvas.height = 0; // release the pixels now
    if (!blob) throw new Error('the browser could not encode the PNG (too large?)');
    return blob;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves a blob through an <a download> with a blob: URL. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
