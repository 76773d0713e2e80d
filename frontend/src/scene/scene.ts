// The SVG scene: boxes for groups and ops, aggregated edges, the phase layer, pan and zoom.
// Full redraws happen only when the layout changes; the phase filter redraws only its own layer.

import { select, type Selection } from 'd3-selection';
import { zoom as d3zoom, zoomIdentity, zoomTransform, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import type { Child, GroupAnswer } from '../graph/api';
import { APART_KINDS } from '../graph/kinds';
import { bySource, type MappedPhaseEdge } from '../graph/phasemap';
import type { PhaseMode } from '../graph/state';
import { displayLabel, groupSubtitle, MAX_LABEL, phaseNote, type LayoutResult } from '../layout/input';
import { ancestry } from './ancestry';
import { hyperBadge } from './hyperbadge';
import { SHAPE_LABEL_MIN_ZOOM, shapeIndex, shapeKey, widthForElements } from './shapes';
import { clear, s } from '../lib/dom';
import { Emitter } from '../lib/events';
import { round as r1 } from '../lib/num';
import {
  anchors,
  arrowHead,
  besideRoute,
  bundlePaths,
  clearOnRoute,
  clearSpot,
  plainPath,
  polylinePath,
  type Point,
  type Rect,
} from './bundle';
import { layoutExtent, PARAMS } from './params';
import { Minimap } from './minimap';

export interface SceneModel {
  groups: ReadonlyMap<string, GroupAnswer>;
  layouts: ReadonlyMap<string, LayoutResult>;
  isOpen(group: string): boolean;
}

/** How far beside a drawn edge (screen px) a click still picks it. */
const EDGE_SLACK_PX = 4;

/** What does not run in the phase the view runs as (docs/wire_format.md, `phase_runs`). */
export interface RunMarks {
  /** Ops that do not run. */
  nodes: ReadonlySet<string>;
  /** Groups none of whose ops runs. */
  groups: ReadonlySet<string>;
  /** What each flag-reading layer does in this phase, by layer (the server's words). */
  layers: ReadonlyMap<string, string>;
  /** What each layer does, in the few words its closed box has room for. */
  short?: ReadonlyMap<string, string>;
  /** Groups some of whose ops do not run, with how many: a closed box says it and shows the share. */
  partial?: ReadonlyMap<string, number>;
  /** Ops that run though only the other phase uses their result. */
  unused?: ReadonlySet<string>;
  /** Layers that only hand their input on (a Dropout at inference): ghosted like what does not run. */
  passThrough?: ReadonlySet<string>;
}

/** What the scene tells the app: clicks on what it drew, and that it redrew or moved. */
export interface SceneEvents {
  /** A click on a box (not on its chevron or badge); `shift` when Shift was held (compare with the selection). */
  select: { name: string; child: Child | null; shift?: boolean };
  /** A click on a chevron, or a double click on a group. */
  toggle: { name: string };
  /** A click on a φ badge. */
  badge: { name: string; child: Child };
  /** A click on a drawn edge of the layout (between two boxes): its ends and kind. */
  edge: { from: string; to: string; kind: string };
  /** A click on a drawn phase edge. */
  'phase-edge': { from: string; to: string; source: string; layers: string[] };
  /** Every box and edge was redrawn (`abs`, `has` and `pathOf` describe the new drawing). */
  drawn: null;
  /** The view was panned or zoomed. */
  zoomed: ZoomTransform;
}

/** The scene's own elements, for an export that copies exactly what is drawn. */
export interface SceneLayers {
  svg: SVGSVGElement;
  defs: SVGDefsElement;
  /** The zoomed world: boxes and edges. */
  world: SVGGElement;
  /** The overlay's world, drawn over it with the same transform: phase edges, veil, outlines, then the layers
   * added with `addLayer` (notes). */
  overlay: SVGGElement;
}

const { group: GROUP, op: OP, badge: BADGE, edge: EDGE, zoom: ZOOM } = PARAMS;
/** The box a count label covers, from the point it is placed at (9.5 px digits, baseline EDGE.countDy below). */
const COUNT_LABEL_OFFSET = { x: EDGE.countDx, y: EDGE.countDy - 8 };
// An edge's count says what it counts ("3 edges": op-level edges the drawn one stands for), at 9.5 px.
const countText = (count: number) => `${count.toLocaleString('en-US')} edges`;
const countLabelSize = (count: number) => ({ w: 5.6 * countText(count).length, h: 10 });
// A shape label's box: 5.6 px a character at 9 px, drawn this far right of and below the route's middle.
const SHAPE_LABEL = { charWidth: 5.6, height: 10, offset: { x: 4, y: 3 } };
const LABEL_GAP = 12;

/** A bucket's tooltip: what it holds, and where its edges are. */
function bucketTitle(c: Child): string {
  const b = c.bucket!;
  const of = b.parent ? ` of ${b.parent}` : ' of the top level';
  return (
    `${c.name}: children ${b.start.toLocaleString('en-US')}–${b.end.toLocaleString('en-US')} of ` +
    `${b.total.toLocaleString('en-US')}${of} by name (${b.first} … ${b.last}). ` +
    'Select it to draw its edges to the other buckets; open it to see what it holds.'
  );
}

export class Scene extends Emitter<SceneEvents> {
  private svg: SVGSVGElement;
  private defs: SVGDefsElement;
  private world: SVGGElement;
  private graphLayer: SVGGElement;
  private phaseLayer: SVGGElement;
  /** The machinery's and the hyperparameters' edges (never laid out), drawn in the overlay: showing or
   * hiding them with the legend filter repaints that layer alone. */
  private apartLayer: SVGGElement;
  /** Every edge label, above every edge (the apart layer's too): a label's halo keeps any edge from striking it
   * out. One container per drawn group (`data-labels-of`), holding one per kind. */
  private labelLayer: SVGGElement;
  /** The legend filter's state of each edge kind, and the containers holding each kind's edges (one per kind
   * per drawn group, and one per kind in the apart layer): a switch changes an attribute on that kind's
   * containers only, so the browser restyles those edges and nothing else. */
  private kindStates: Record<string, string> = {};
  /** Edges are as thick as their tensors are large where shapes are known (else by how many edges they stand for). */
  widthBySize = true;
  private fills: ReadonlyMap<string, string> | null = null;
  private kindContainers = new Map<string, SVGGElement[]>();
  private apartKinds = new Map<string, SVGGElement>();
  private overlay: SVGSVGElement;
  private overlayWorld: SVGGElement;
  private veil: SVGPathElement;
  private endOutlines: SVGGElement;
  private zoom: ZoomBehavior<SVGSVGElement, unknown>;
  private sel: Selection<SVGSVGElement, unknown, null, undefined>;
  /** Absolute boxes of every drawn element, by name. */
  readonly abs = new Map<string, Rect>();
  readonly children = new Map<string, Child>();
  /** The group each drawn element is drawn in ('' for the top level). */
  private parentOf = new Map<string, string>();
  /** Kinds of the edges drawn in the layout (hub edges shown only on selection left out). */
  private kindsDrawn = new Set<string>();
  private elements = new Map<string, SVGGElement>();
  /** Hub edges (left out of the layout) by end; drawn only while an end is selected. */
  private auxEdges = new Map<string, SVGPathElement[]>();
  /** Every drawn edge by end, to light up a selected element's edges. */
  private edgesAt = new Map<string, SVGPathElement[]>();
  private phaseEnds: SVGGElement[] = [];
  /**
   * Every drawn element and edge with the children they stand for, and every φ badge with its tooltip, for
   * marking what does not run (a group and the op of the same name inside it share a `data-node`).
   */
  private drawnList: { el: SVGGElement; child: Child }[] = [];
  private edgeEnds: {
    path: SVGPathElement;
    from: Child | undefined;
    to: Child | undefined;
    kind: string;
    points: Point[];
  }[] = [];
  private badges: { el: SVGGElement; title: SVGTitleElement; child: Child }[] = [];
  /** Closed layer groups' subtitles, which say what the layer does while the view runs as one phase. */
  private layerSubtitles: { el: SVGTextElement; layer: string; text: string; chars: number }[] = [];
  private runMarks: RunMarks | null = null;
  private selected: string | null = null;
  private size = { w: 0, h: 0 };
  /** The whole top level in a corner, with where the view is ([data-minimap]). */
  readonly minimap: Minimap;

  constructor(container: HTMLElement) {
    super();
    this.svg = s('svg', { class: 'canvas', role: 'img', 'aria-label': 'Graph', tabindex: 0 });
    const defs = (this.defs = s('defs'));
    for (const [id, cls] of [
      ['pv-arrow-data', 'arrow-data'],
      ['pv-arrow-control', 'arrow-control'],
    ]) {
      const m = s('marker', {
        id,
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 7,
        markerHeight: 7,
        orient: 'auto-start-reverse',
        markerUnits: 'userSpaceOnUse',
      });
      m.append(s('path', { d: 'M0,0L10,5L0,10z', class: cls }));
      defs.append(m);
    }
    this.svg.append(defs);
    this.world = s('g', { class: 'world' });
    this.graphLayer = s('g', { class: 'graph' });
    // The machinery areas' edges, drawn apart from the layout's, above the boxes they cross.
    this.apartLayer = s('g', { class: 'apart-layer' });
    this.labelLayer = s('g', { class: 'label-layer' });
    this.world.append(this.graphLayer, this.apartLayer, this.labelLayer);
    this.svg.append(this.world);
    // Phase edges, the dimming veil and the outlines of their ends live in a second <svg> stacked on the
    // first, on its own compositing layer: a filter switch repaints only that layer, never the thousands
    // of boxes and labels below (a full repaint took seconds at a few thousand drawn boxes).
    this.overlay = s('svg', { class: 'phase-overlay', 'aria-hidden': 'true' });
    this.overlayWorld = s('g', { class: 'world-overlay' });
    this.veil = s('path', { class: 'phase-veil', 'fill-rule': 'evenodd', d: '' });
    this.endOutlines = s('g', { class: 'phase-end-outlines' });
    this.phaseLayer = s('g', { class: 'phase-layer' });
    this.overlayWorld.append(this.veil, this.endOutlines, this.phaseLayer);
    this.overlay.append(this.overlayWorld);
    this.minimap = new Minimap({
      transform: () => this.transform(),
      viewport: () => this.viewport(),
      centreAt: (x, y) => this.centreAt(x, y),
    });
    container.append(this.svg, this.overlay, this.minimap.el);

    this.sel = select(this.svg);
    this.zoom = d3zoom<SVGSVGElement, unknown>()
      .scaleExtent([ZOOM.min, ZOOM.max])
      // The view's size as last observed: d3's default reads the SVG's width and height, which forces a layout
      // of everything drawn on each programmatic zoom (the first view's framing among them).
      .extent(() => {
        const { w, h } = this.viewport();
        return [
          [0, 0],
          [w, h],
        ];
      })
      .on('zoom', (ev: { transform: ZoomTransform }) => {
        const t = ev.transform.toString();
        this.world.setAttribute('transform', t);
        this.overlayWorld.setAttribute('transform', t);
        this.minimap.update();
        // Shape labels too small to read are hidden: set only when the zoom crosses the threshold.
        const readable = ev.transform.k >= SHAPE_LABEL_MIN_ZOOM ? 'on' : 'off';
        if (this.labelLayer.getAttribute('data-shape-labels') !== readable)
          this.labelLayer.setAttribute('data-shape-labels', readable);
        this.emit('zoomed', ev.transform);
      });
    this.sel.call(this.zoom).on('dblclick.zoom', null);

    this.svg.addEventListener('click', (ev) => this.handleClick(ev));
    this.overlay.addEventListener('click', (ev) => this.handleClick(ev));
    this.svg.addEventListener('dblclick', (ev) => {
      const g = (ev.target as Element).closest<SVGGElement>('[data-group="true"]');
      if (g && !(ev.target as Element).closest('.chevron')) {
        ev.preventDefault();
        this.emit('toggle', { name: g.getAttribute('data-node')! });
      }
    });
    new ResizeObserver(() => {
      const r = this.svg.getBoundingClientRect();
      this.size = { w: r.width, h: r.height };
    }).observe(this.svg);
  }

  private handleClick(ev: MouseEvent): void {
    const t = ev.target as Element;
    const edge = t.closest('[data-edge-kind="phase"]');
    if (edge) {
      this.emit('phase-edge', {
        from: edge.getAttribute('data-from')!,
        to: edge.getAttribute('data-to')!,
        source: edge.getAttribute('data-source') || edge.getAttribute('data-from')!,
        layers: (edge.getAttribute('data-layers') || '').split('\n').filter(Boolean),
      });
      return;
    }
    // An edge is a pixel or two wide: a click a few pixels beside it (and on no box) is taken for it.
    const drawn = t.closest('path.edge[data-edge-kind]') ?? (t.closest('[data-node]') ? null : this.edgeNear(ev));
    if (drawn) {
      this.emit('edge', {
        from: drawn.getAttribute('data-from')!,
        to: drawn.getAttribute('data-to')!,
        kind: drawn.getAttribute('data-edge-kind')!,
      });
      return;
    }
    const node = t.closest<SVGGElement>('[data-node]');
    if (!node) return;
    const name = node.getAttribute('data-node')!;
    const child = this.children.get(name) ?? null;
    if (t.closest('.chevron')) {
      this.emit('toggle', { name });
      return;
    }
    if (t.closest('.phase-badge') && child) {
      this.emit('badge', { name, child });
      return;
    }
    this.emit('select', { name, child, shift: ev.shiftKey });
  }

  /** A drawn edge within EDGE_SLACK_PX of a click, probed around it (only when the click hit nothing). */
  private edgeNear(ev: MouseEvent): Element | null {
    for (const r of [2, EDGE_SLACK_PX])
      for (let i = 0; i < 8; i++) {
        const a = (i * Math.PI) / 4;
        const hit = document
          .elementsFromPoint(ev.clientX + r * Math.cos(a), ev.clientY + r * Math.sin(a))
          .find((e) => e.matches('path.edge[data-edge-kind]'));
        if (hit) return hit;
      }
    return null;
  }

  /** Redraws every box and edge from the current layouts. */
  draw(model: SceneModel): void {
    clear(this.graphLayer);
    clear(this.apartLayer);
    clear(this.labelLayer);
    this.kindContainers.clear();
    this.apartKinds.clear();
    this.abs.clear();
    this.children.clear();
    this.parentOf.clear();
    this.kindsDrawn.clear();
    this.elements.clear();
    this.auxEdges.clear();
    this.edgesAt.clear();
    this.phaseEnds = [];
    this.drawnList = [];
    this.edgeEnds = [];
    this.badges = [];
    this.layerSubtitles = [];
    const frag = s('g', { class: 'root-group' });
    this.drawGroup(frag, model, '', 0, 0);
    this.graphLayer.append(frag);
    if (this.runMarks) this.markRuns(this.runMarks);
    const root = model.layouts.get('');
    this.minimap.setGraph(root ? layoutExtent(root) : null, root ? Object.values(root.nodes) : []);
    if (this.selected) this.select(this.selected);
    if (this.fills) this.paint(this.fills);
    this.emit('drawn', null);
  }

  /** The container of one kind's edges within ``parent``, made on first use with the kind's current state. */
  private kindContainer(parent: SVGGElement, made: Map<string, SVGGElement>, kind: string): SVGGElement {
    let g = made.get(kind);
    if (!g) {
      g = s('g', { class: 'kind-edges', 'data-edges-kind': kind, 'data-kind-state': this.kindStates[kind] ?? 'drawn' });
      made.set(kind, g);
      parent.append(g);
      const list = this.kindContainers.get(kind);
      if (list) list.push(g);
      else this.kindContainers.set(kind, [g]);
    }
    return g;
  }

  /** Edges as thick as their tensors are large (true) or as the number of edges they stand for; nothing moves. */
  setWidthBySize(on: boolean): void {
    this.widthBySize = on;
    for (const path of this.graphLayer.querySelectorAll<SVGPathElement>('path.edge[data-width-size]'))
      path.setAttribute('stroke-width', path.getAttribute(on ? 'data-width-size' : 'data-width-count')!);
    for (const path of this.apartLayer.querySelectorAll<SVGPathElement>('path.edge[data-width-size]'))
      path.setAttribute('stroke-width', path.getAttribute(on ? 'data-width-size' : 'data-width-count')!);
  }

  /** The groups drawn open (the root among them), whose children the boxes are. */
  drawnGroups(): string[] {
    return ['', ...[...new Set(this.parentOf.values())].filter((g) => g !== '')];
  }

  /** Fills boxes by name ("colour by"); null restores the drawing's own colours. Kept across redraws. */
  paint(fills: ReadonlyMap<string, string> | null): void {
    this.fills = fills;
    for (const [name, el] of this.elements) {
      const box = el.querySelector<SVGRectElement>(':scope > .body > .box');
      if (!box) continue;
      const fill = fills?.get(name);
      if (fill) box.style.fill = fill;
      else box.style.removeProperty('fill');
    }
  }

  /** Draws, dims or hides edge kinds (the legend filter): only the containers of a kind whose state changed
   * are touched, so nothing is laid out and no other element is restyled. */
  setKindStates(states: Readonly<Record<string, string>>): void {
    for (const [kind, state] of Object.entries(states)) {
      if (this.kindStates[kind] === state) continue;
      this.kindStates[kind] = state;
      for (const g of this.kindContainers.get(kind) ?? []) g.setAttribute('data-kind-state', state);
    }
  }

  private drawGroup(
    parent: SVGGElement,
    model: SceneModel,
    id: string,
    ox: number,
    oy: number,
    within: ReadonlySet<string> = new Set([id]),
  ): void {
    const ga = model.groups.get(id);
    const lay = model.layouts.get(id);
    if (!ga || !lay) return;
    // Big groups are drawn with fewer elements per child (no tooltips, stacks or count labels): the cost
    // of a first paint is the browser's style and layout of every SVG element.
    const compact = ga.children.length > PARAMS.compactOver;
    const byName = new Map(ga.children.map((c) => [c.name, c]));
    const edges = s('g', { class: 'edges' });
    const kindGroups = new Map<string, SVGGElement>();
    // This group's labels, above every edge (labelLayer), in one container per kind that the legend hides with them.
    const labels = s('g', { class: 'edge-labels', 'data-labels-of': id });
    const labelKinds = new Map<string, SVGGElement>();
    const labelsOf = (kind: string) => {
      if (labels.parentNode !== this.labelLayer) this.labelLayer.append(labels);
      return this.kindContainer(labels, labelKinds, kind);
    };
    let boxes: Rect[] | null = null;
    const siblingBoxes = () =>
      (boxes ??= Object.values(lay.nodes).map((p) => ({ x: ox + p.x, y: oy + p.y, w: p.w, h: p.h })));
    // The boxes and the edge labels placed so far: a label covers neither a box nor another label.
    let taken: Rect[] | null = null;
    const takenRects = () => (taken ??= [...siblingBoxes()]);
    // A label keeps LABEL_GAP px from the labels placed before it: two labels closer than a word's space read as one.
    const place = (at: Point, size: { w: number; h: number }, offset: Point) =>
      takenRects().push({
        x: at.x + offset.x - LABEL_GAP,
        y: at.y + offset.y,
        w: size.w + 2 * LABEL_GAP,
        h: size.h,
      });
    // Everything is drawn in absolute coordinates, without a transform per box: each transformed element is
    // a paint chunk of its own, and the browser re-layerizes every chunk on every frame that changes
    // anything (a filter switch over 4,000 boxes took twice as long).
    const shapes = shapeIndex(ga);
    for (const e of lay.edges) {
      if (e.points.length < 2) continue;
      const shape = shapes.get(shapeKey(e.v, e.w, e.kind));
      const byCount = EDGE.base + Math.min(EDGE.maxExtra, Math.log2(Math.max(1, e.count)) * EDGE.perDoubling);
      const bySize = shape ? widthForElements(shape.elements, EDGE.base, EDGE.maxExtra) : byCount;
      const width = this.widthBySize ? bySize : byCount;
      const points = e.points.map((q) => ({ x: q.x + ox, y: q.y + oy }));
      const path = s('path', {
        class: `edge kind-${e.kind}${e.aux ? ' aux' : ''}`,
        'data-aux': e.aux ? 'true' : null,
        d: polylinePath(points),
        'data-edge-kind': e.kind,
        'data-from': e.v,
        'data-to': e.w,
        'data-count': e.count,
        'data-shape': shape ? shape.text : null,
        'data-width-size': shape ? bySize.toFixed(2) : null,
        'data-width-count': shape ? byCount.toFixed(2) : null,
        'stroke-width': width.toFixed(2),
        'marker-end': e.kind === 'control' ? 'url(#pv-arrow-control)' : 'url(#pv-arrow-data)',
      });
      if (!compact)
        path.append(s('title', {}, `${e.count} ${e.kind} edge${e.count === 1 ? '' : 's'}: ${e.v} → ${e.w}`));
      if (APART_KINDS.has(e.kind)) this.kindContainer(this.apartLayer, this.apartKinds, e.kind).append(path);
      else this.kindContainer(edges, kindGroups, e.kind).append(path);
      this.edgeEnds.push({ path, from: byName.get(e.v), to: byName.get(e.w), kind: e.kind, points });
      if (!e.aux) this.kindsDrawn.add(e.kind);
      for (const end of [e.v, e.w]) {
        const list = this.edgesAt.get(end);
        if (list) list.push(path);
        else this.edgesAt.set(end, [path]);
      }
      if (e.aux) {
        for (const end of [e.v, e.w]) {
          const list = this.auxEdges.get(end);
          if (list) list.push(path);
          else this.auxEdges.set(end, [path]);
        }
        continue;
      }
      if (shape && !compact) {
        // Below the edge (its count sits above), where it covers no box; left out where there is no such spot.
        const size = { w: SHAPE_LABEL.charWidth * shape.text.length, h: SHAPE_LABEL.height };
        const mid =
          points.length === 2
            ? clearSpot(points[0], points[1], takenRects(), size, SHAPE_LABEL.offset)
            : clearOnRoute(points, takenRects(), size, SHAPE_LABEL.offset);
        if (mid) place(mid, size, SHAPE_LABEL.offset);
        if (mid)
          labelsOf(e.kind).append(
            s(
              'text',
              {
                class: 'edge-shape',
                x: mid.x + SHAPE_LABEL.offset.x,
                y: mid.y + SHAPE_LABEL.offset.y + SHAPE_LABEL.height - 2,
              },
              shape.text,
            ),
          );
      }
      if (e.count > 1 && !compact) {
        // Where it covers no box and no other label, on its route or just beside it; else left out (the count is in
        // the edge's tooltip): a label drawn over another made both unreadable in a shared picture (a GAN's
        // discriminator weights, read by its two calls, put four labels in one spot).
        const size = countLabelSize(e.count);
        const mid =
          points.length === 2
            ? clearSpot(points[0], points[1], takenRects(), size, COUNT_LABEL_OFFSET)
            : (clearOnRoute(points, takenRects(), size, COUNT_LABEL_OFFSET) ??
              besideRoute(points, takenRects(), size, COUNT_LABEL_OFFSET));
        if (mid) place(mid, size, COUNT_LABEL_OFFSET);
        // Beside its edge, in the same kind's container: hiding a kind in the legend hides its counts too.
        if (mid)
          labelsOf(e.kind).append(
            s('text', { class: 'edge-count', x: mid.x + EDGE.countDx, y: mid.y + EDGE.countDy }, countText(e.count)),
          );
      }
    }
    parent.append(edges);
    for (const c of ga.children) {
      const p = lay.nodes[c.name];
      if (!p) continue;
      const ax = ox + p.x;
      const ay = oy + p.y;
      this.abs.set(c.name, { x: ax, y: ay, w: p.w, h: p.h });
      this.children.set(c.name, c);
      // The op inside the group of its own name keeps the group's parent: the name's path is the group's.
      if (c.name !== id) this.parentOf.set(c.name, id);
      // A group is never drawn inside itself, however the groups' children name each other.
      const open = c.type === 'group' && model.isOpen(c.name) && model.layouts.has(c.name) && !within.has(c.name);
      const g = s('g', {
        class: `node ${c.type === 'group' ? 'group' : 'op'}${open ? ' open' : ''}${c.phase ? ' phase-' + c.phase.role : ''}${c.area ? ' area' : ''}${c.hyper ? ' hyper-source' : ''}${c.moved ? ' moved' : ''}`,
        'data-node': c.name,
        'data-area': c.area ?? null,
        'data-role': c.role ?? null,
        'data-moved': c.moved ?? null,
      });
      if (c.type === 'group') {
        g.setAttribute('data-group', 'true');
        g.setAttribute('data-expanded', open ? 'true' : 'false');
        if (c.series) g.setAttribute('data-series', c.series.op);
      }
      this.elements.set(c.name, g);
      this.drawnList.push({ el: g, child: c });
      const body = s('g', { class: 'body' });
      g.append(body);
      if (c.type === 'group') this.drawGroupBox(body, c, ax, ay, p.w, p.h, open, model, compact);
      else this.drawOp(body, c, ax, ay, p.w, p.h);
      this.drawBadge(body, c, ax, ay, p.w);
      if (c.hyper_reads) body.append(hyperBadge(c.hyper_reads, ax, ay));
      if (open) {
        const content = s('g', { class: 'content' });
        g.append(content);
        this.drawGroup(content, model, c.name, ax + GROUP.pad, ay + GROUP.headerHeight, new Set([...within, c.name]));
      }
      parent.append(g);
    }
  }

  /** A group's box; every offset is explained in PARAMS.group. */
  private drawGroupBox(
    body: SVGGElement,
    c: Child,
    x: number,
    y: number,
    w: number,
    h: number,
    open: boolean,
    model: SceneModel,
    compact: boolean,
  ): void {
    const G = GROUP;
    if (!compact) body.append(s('title', {}, c.bucket ? bucketTitle(c) : c.name));
    if (!open && !compact)
      body.append(
        s('rect', {
          class: 'stack',
          x: r1(x + G.stackOffset),
          y: r1(y + G.stackOffset),
          width: w,
          height: h,
          rx: G.cornerRadius,
        }),
      );
    body.append(s('rect', { class: 'box', x: r1(x), y: r1(y), width: w, height: h, rx: G.cornerRadius }));
    if (open)
      body.append(
        s('path', { class: 'header', d: `M${r1(x)},${r1(y + G.headerHeight - G.headerRuleInset)}H${r1(x + w)}` }),
      );
    const cx = x + G.chevronX;
    const cy = y + (open ? G.chevronYOpen : G.chevronYClosed);
    const chevron = s('g', { class: 'chevron', role: 'button', 'aria-label': open ? 'Close group' : 'Open group' });
    if (!compact) chevron.append(s('circle', { cx: r1(cx), cy: r1(cy), r: G.chevronHitRadius, class: 'chevron-hit' }));
    // open: a "v" pointing down; closed: a ">" pointing right (the arrow head's tip sits half a unit past centre)
    const m = G.chevronMark;
    const mark = open
      ? `M${r1(cx - m)},${r1(cy - m / 2)}L${r1(cx)},${r1(cy + m * 0.625)}L${r1(cx + m)},${r1(cy - m / 2)}`
      : `M${r1(cx - m / 2)},${r1(cy - m)}L${r1(cx + m * 0.625)},${r1(cy)}L${r1(cx - m / 2)},${r1(cy + m)}`;
    chevron.append(s('path', { d: mark, class: 'chevron-mark' }));
    body.append(chevron);
    const labelY = y + (open ? G.labelYOpen : G.labelYClosed);
    body.append(
      s(
        'text',
        { class: 'label', x: r1(x + G.labelX), y: r1(labelY) },
        displayLabel(c.label || c.name, open ? G.openLabelChars : MAX_LABEL),
      ),
    );
    const ga = model.groups.get(c.name);
    let sub = groupSubtitle(c);
    // A group that is an op too (a flag beside its default's Const, a variable beside its reads) names that op's
    // type first: it is what the box is, however few of its ops have that type.
    const types = Object.keys(c.ops ?? {});
    const ops = (c.op ? [c.op, ...types.filter((k) => k !== c.op)] : types).slice(0, 2).join(', ');
    if (open && ga?.truncated) sub = `${sub} · showing ${ga.children.length.toLocaleString('en-US')} children`;
    // a closed group's subtitle is cut to the characters that fit between the label column and the right edge;
    // its most common ops are added only where they fit whole (a cut "8 ops..." read as a count cut short)
    const subChars = Math.max(10, Math.floor((w - G.labelX - G.subCharWidth) / G.subCharWidth));
    if (ops && !open) {
      const full = `${sub} · ${ops}`;
      const first = `${sub} · ${ops.split(', ')[0]}`;
      sub = full.length <= subChars ? full : first.length <= subChars ? first : sub;
    }
    if (!open) {
      const text = displayLabel(sub, subChars);
      const el = s('text', { class: 'sub', x: r1(x + G.labelX), y: r1(y + G.subY) }, text);
      body.append(el);
      if (c.phase?.role === 'layer') this.layerSubtitles.push({ el, layer: c.name, text, chars: subChars });
    } else
      body.append(
        s('text', { class: 'sub', x: r1(x + w - G.subRightInset), y: r1(labelY), 'text-anchor': 'end' }, sub),
      );
    const note = phaseNote(c);
    if (note && !open)
      body.append(s('text', { class: 'note', x: r1(x + G.labelX), y: r1(y + h - G.noteBottomInset) }, note));
  }

  private drawOp(body: SVGGElement, c: Child, x: number, y: number, w: number, h: number): void {
    body.append(s('title', {}, `${c.name}${c.op ? ' (' + c.op + ')' : ''}`));
    const note = phaseNote(c);
    body.append(
      s('rect', { class: 'box', x: r1(x), y: r1(y), width: w, height: h, rx: note ? OP.sourceRadius : h / 2 }),
    );
    body.append(
      s(
        'text',
        { class: 'label', x: r1(x + w / 2), y: r1(y + OP.labelY), 'text-anchor': 'middle' },
        displayLabel(c.label || c.name),
      ),
    );
    // the note line's baseline: a pixel below the middle of the note band at the bottom
    if (note)
      body.append(
        s(
          'text',
          { class: 'note', x: r1(x + w / 2), y: r1(y + h - PARAMS.note.height / 2 + 1), 'text-anchor': 'middle' },
          note,
        ),
      );
  }

  private drawBadge(body: SVGGElement, c: Child, x: number, y: number, w: number): void {
    const p = c.phase;
    if (!p || p.role === 'source') return;
    const text = p.role === 'contains' ? `φ ${p.layers}` : 'φ';
    const bw = text.length === 1 ? BADGE.width : BADGE.padX + text.length * BADGE.charWidth;
    const bx = x + w - bw + BADGE.overlapX;
    const by = y - BADGE.overlapY;
    const b = s('g', { class: `phase-badge role-${p.role}`, 'data-badge': p.role, role: 'button' });
    const title = s('title', {}, badgeTitle(c));
    b.append(title);
    this.badges.push({ el: b, title, child: c });
    b.append(s('rect', { x: r1(bx), y: r1(by), width: bw, height: BADGE.height, rx: BADGE.height / 2 }));
    b.append(s('text', { x: r1(bx + bw / 2), y: r1(by + BADGE.textY), 'text-anchor': 'middle' }, text));
    body.append(b);
  }

  /**
   * Ghosts what does not run in one phase (`data-runs="false"` on ops, on groups none of whose ops runs, and on
   * the edges at either), and makes each layer's φ badge say what the layer does then; null: every op runs.
   * Kept across redraws; never touches the layout.
   */
  markRuns(marks: RunMarks | null): void {
    this.runMarks = marks;
    // Inside a group none of whose ops runs nothing runs: an If's branch not taken, opened, draws its body's
    // nodes, which the server does not list one by one.
    const inIdleGroup = (name: string): boolean => {
      for (let p = this.parentOf.get(name); p; p = this.parentOf.get(p)) if (marks?.groups.has(p)) return true;
      return false;
    };
    const off = (c: Child | undefined): boolean =>
      !!marks &&
      !!c &&
      ((c.type === 'group' ? marks.groups.has(c.name) : marks.nodes.has(c.name)) || inIdleGroup(c.name));
    const passes = (c: Child | undefined): boolean => !!c && !!marks?.passThrough?.has(c.name);
    for (const { el, child } of this.drawnList) {
      if (off(child)) {
        el.setAttribute('data-runs', 'false');
        el.classList.add('not-run');
      } else if (el.hasAttribute('data-runs')) {
        el.removeAttribute('data-runs');
        el.classList.remove('not-run');
      }
      this.markPartly(el, child, marks);
      el.classList.toggle('passes-through', passes(child));
      if (passes(child)) el.setAttribute('data-passes-through', 'true');
      else el.removeAttribute('data-passes-through');
      const unused = !!child && child.type === 'op' && !!marks?.unused?.has(child.name);
      el.classList.toggle('unused', unused);
      if (unused) el.setAttribute('data-runs-unused', 'true');
      else el.removeAttribute('data-runs-unused');
    }
    for (const { path, from, to } of this.edgeEnds) {
      const ghost = off(from) || off(to);
      if (ghost) path.setAttribute('data-runs', 'false');
      else path.removeAttribute('data-runs');
      path.classList.toggle('not-run', ghost);
    }
    this.drawBypasses(marks);
    for (const badge of this.badges) {
      const p = badge.child.phase;
      const layer = p?.role === 'layer' ? badge.child.name : p?.role === 'consumer' ? p.layer : null;
      const does = marks && layer ? marks.layers.get(layer) : undefined;
      badge.title.textContent = does ? `${layer} ${does}` : badgeTitle(badge.child);
      if (does) badge.el.setAttribute('data-does', does);
      else badge.el.removeAttribute('data-does');
    }
    for (const sub of this.layerSubtitles) {
      // The few words a box has room for (the badge beside it says φ); the server's whole sentence otherwise.
      const short = marks?.short?.get(sub.layer);
      const does = marks?.layers.get(sub.layer);
      sub.el.textContent = short
        ? displayLabel(short, sub.chars)
        : does
          ? displayLabel(`φ ${does}`, sub.chars)
          : sub.text;
      sub.el.classList.toggle('does', !!does);
    }
  }

  /** What the drawing shows of the phase it runs as (for the export's legend). */
  runAsDrawn(): { faded: number; partly: number; passThrough: string[]; unused: number } {
    const all = (sel: string) => [...this.world.querySelectorAll<SVGGElement>(sel)];
    return {
      faded: all('.node[data-runs="false"]').length,
      partly: all('.node[data-not-run]').length,
      passThrough: all('.node[data-passes-through="true"]').map((e) => e.getAttribute('data-node')!),
      unused: all('.node[data-runs-unused="true"]').length,
    };
  }

  /**
   * A layer that only hands its input on (a Dropout at inference) is drawn as a pass-through: besides its
   * ghosted box, each tensor's way past it is drawn as one edge from its input to its consumer, beside the box
   * (`.bypass`, `data-bypass` = the layer), and the two edges through the box are faded (`.through`).
   */
  private drawBypasses(marks: RunMarks | null): void {
    for (const old of this.world.querySelectorAll('.bypass')) old.remove();
    for (const p of this.world.querySelectorAll('.edge.through')) p.classList.remove('through');
    const passing = marks?.passThrough;
    if (!passing?.size) return;
    for (const name of passing) {
      const box = this.abs.get(name);
      const el = this.elements.get(name);
      if (!box || !el || el.getAttribute('data-expanded') === 'true') continue;
      const ins = this.edgeEnds.filter((e) => e.to?.name === name && e.kind === 'data' && e.from?.name !== name);
      const outs = this.edgeEnds.filter((e) => e.from?.name === name && e.kind === 'data' && e.to?.name !== name);
      for (const a of ins)
        for (const b of outs) {
          const start = a.points[0];
          const end = b.points[b.points.length - 1];
          // A cubic whose widest point clears the box's right edge by 14 px (the curve reaches 3/4 of the way
          // from its ends' mean to its control points at t = 1/2).
          const right = box.x + box.w + 14;
          const cx = Math.max(right, (right - 0.125 * (start.x + end.x)) / 0.75);
          const path = s('path', {
            class: 'edge bypass',
            d: `M${r1(start.x)},${r1(start.y)}C${r1(cx)},${r1(start.y)} ${r1(cx)},${r1(end.y)} ${r1(end.x)},${r1(end.y)}`,
            'data-bypass': name,
            'data-bypass-from': a.from!.name,
            'data-bypass-to': b.to!.name,
            'marker-end': 'url(#pv-arrow-data)',
          });
          path.append(s('title', {}, `${name} passes its input through: ${a.from!.name} → ${b.to!.name}`));
          b.path.parentNode?.append(path);
          a.path.classList.add('through');
          b.path.classList.add('through');
        }
    }
  }

  /**
   * A closed group some of whose ops do not run: `data-not-run` (how many), a bar along its bottom as long as
   * that share of its ops, and a tooltip that says it. Removed when all run (or all do not: then it is ghosted).
   */
  private markPartly(el: SVGGElement, child: Child | undefined, marks: RunMarks | null): void {
    el.querySelector(':scope > .body > .not-run-share')?.remove();
    const n = child?.type === 'group' && child.name ? marks?.partial?.get(child.name) : undefined;
    const r = child ? this.abs.get(child.name) : undefined;
    if (!n || !child || !r || el.getAttribute('data-expanded') === 'true') {
      el.removeAttribute('data-not-run');
      return;
    }
    el.setAttribute('data-not-run', String(n));
    const size = Math.max(child.size ?? n, n);
    const share = s('g', { class: 'not-run-share' });
    const inset = 4;
    const width = Math.max(3, ((r.w - 2 * inset) * n) / size);
    share.append(
      s('title', {}, `${n.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} ops don't run in this phase`),
      s('rect', { x: r1(r.x + inset), y: r1(r.y + r.h - 5), width: r1(width), height: 3, rx: 1.5 }),
    );
    el.querySelector(':scope > .body')?.append(share);
  }

  /**
   * Redraws the phase edges for a mode. Never touches the layout. `readers` is the number of layers that
   * read each flag (the server's count): the knot of a bundle says it, whatever the expansion draws.
   */
  drawPhase(
    mode: PhaseMode,
    mapped: readonly MappedPhaseEdge[],
    readers: ReadonlyMap<string, number> = new Map(),
  ): number {
    clear(this.phaseLayer);
    clear(this.endOutlines);
    this.veil.setAttribute('d', '');
    this.phaseEnds = [];
    this.endSet.clear();
    if (mode === 'collapse') return 0;
    const frag = s('g');
    let drawn = 0;
    const heads: string[] = [];
    this.fewPhaseEdges = mapped.length <= 200;
    for (const [from, list] of bySource(mapped)) {
      const src = this.abs.get(from);
      if (!src) continue;
      const targets = list.filter((e) => this.abs.has(e.to));
      if (targets.length === 0) continue;
      this.markEnd(from);
      for (const e of targets) this.markEnd(e.to);
      if (mode === 'highlight') {
        const c = centre(targets.map((e) => this.abs.get(e.to)!));
        const [a] = anchors(src, { x: c.x - 1, y: c.y - 1, w: 2, h: 2 });
        const pts = targets.map((e) => ({ id: e.to, at: anchors(src, this.abs.get(e.to)!)[1] }));
        const bundle = bundlePaths(a, pts);
        drawn += targets.length;
        for (const e of targets) {
          frag.append(this.phaseEdge(e, bundle.paths.get(e.to)!, 'bundled'));
          // A clamped B-spline ends along its last control leg.
          const ctrl = bundle.controls.get(e.to)!;
          heads.push(arrowHead(ctrl[ctrl.length - 1], ctrl[ctrl.length - 2]));
        }
        if (targets.length > 1) {
          // Drawn ends are not layers (a closed group holds several, the gradient scope reads for all of them).
          const sources = new Set(targets.map((e) => e.source));
          let layers = 0;
          for (const source of sources) layers += readers.get(source) ?? 0;
          if (!layers) layers = new Set(targets.flatMap((e) => e.layers)).size;
          const knot = s('g', {
            class: 'phase-knot',
            'data-layers': layers,
            transform: `translate(${r1(bundle.split.x)},${r1(bundle.split.y)})`,
          });
          knot.append(s('circle', { r: 4 }));
          knot.append(s('text', { x: 8, y: 4 }, `${layers} layer${layers === 1 ? '' : 's'}`));
          frag.append(knot);
        }
      } else {
        drawn += targets.length;
        for (const e of targets) {
          const [a, b] = anchors(src, this.abs.get(e.to)!);
          frag.append(this.phaseEdge(e, plainPath(a, b), 'plain'));
          heads.push(arrowHead(b, a));
        }
      }
    }
    if (heads.length)
      frag.append(
        s('path', { class: `phase-arrows ${mode === 'highlight' ? 'bundled' : 'plain'}`, d: heads.join('') }),
      );
    this.phaseLayer.append(frag);
    if (mode === 'highlight') {
      // A closed box that holds readers stays lit though no edge reaches it: a traced step's graph_1 holds its
      // flag and every layer reading it, and its edges stay inside.
      for (const badge of this.badges) {
        const el = this.elements.get(badge.child.name);
        if (el && el.getAttribute('data-expanded') !== 'true') this.markEnd(badge.child.name);
      }
      this.veilAllBut(this.phaseEnds.map((el) => el.getAttribute('data-node')!));
    }
    return drawn;
  }

  /** Dims the graph below with one path that has a hole over each phase end, and outlines those ends. */
  private veilAllBut(ends: readonly string[]): void {
    const boxes = ends.map((n) => this.abs.get(n)).filter((b): b is Rect => !!b);
    const all = [...this.abs.values()];
    if (all.length === 0) return;
    const pad = 4000;
    const x0 = Math.min(...all.map((b) => b.x)) - pad,
      y0 = Math.min(...all.map((b) => b.y)) - pad;
    const x1 = Math.max(...all.map((b) => b.x + b.w)) + pad,
      y1 = Math.max(...all.map((b) => b.y + b.h)) + pad;
    const rect = (x: number, y: number, w: number, h: number) => `M${r1(x)},${r1(y)}h${r1(w)}v${r1(h)}h${r1(-w)}z`;
    // Each hole also uncovers the φ badge that overhangs its box's top-right corner.
    const hole = (b: Rect) => rect(b.x, b.y - BADGE.overlapY, b.w + BADGE.overlapX, b.h + BADGE.overlapY);
    this.veil.setAttribute('d', rect(x0, y0, x1 - x0, y1 - y0) + boxes.map(hole).join(''));
    const frag = s('g');
    for (const b of boxes)
      frag.append(
        s('rect', { class: 'phase-end-outline', x: r1(b.x), y: r1(b.y), width: r1(b.w), height: r1(b.h), rx: 3 }),
      );
    this.endOutlines.append(frag);
  }

  private endSet = new Set<SVGGElement>();
  private fewPhaseEdges = true;

  private markEnd(name: string): void {
    const el = this.elements.get(name);
    if (el && !this.endSet.has(el)) {
      this.endSet.add(el);
      this.phaseEnds.push(el);
    }
  }

  private phaseEdge(e: MappedPhaseEdge, d: string, style: 'bundled' | 'plain'): SVGGElement {
    const g = s('g', {
      class: `phase-edge ${style}`,
      'data-edge-kind': 'phase',
      'data-from': e.from,
      'data-to': e.to,
      'data-source': e.source,
      'data-layers': e.layers.join('\n'),
      'data-count': e.count,
    });
    if (this.fewPhaseEdges)
      g.append(s('title', {}, `learning-phase flag ${e.source} → ${e.layers.join(', ') || e.to}`));
    g.append(s('path', { class: 'hit', d }));
    g.append(s('path', { class: 'line', d }));
    return g;
  }

  /** Marks one drawn phase edge as the selected one (cleared by the next redraw of the phase layer). */
  selectPhaseEdge(from: string | null, to?: string): void {
    for (const el of this.phaseLayer.querySelectorAll('.phase-edge.selected')) el.classList.remove('selected');
    if (!from) return;
    for (const el of this.phaseLayer.querySelectorAll<SVGGElement>('.phase-edge'))
      if (el.getAttribute('data-from') === from && el.getAttribute('data-to') === to) el.classList.add('selected');
  }

  select(name: string | null): void {
    if (this.selected) {
      this.elements.get(this.selected)?.classList.remove('selected');
      for (const p of this.auxEdges.get(this.selected) ?? []) p.classList.remove('aux-on');
      for (const p of this.edgesAt.get(this.selected) ?? []) p.classList.remove('adjacent');
    }
    this.selected = name;
    if (name) {
      this.elements.get(name)?.classList.add('selected');
      for (const p of this.auxEdges.get(name) ?? []) p.classList.add('aux-on');
      for (const p of this.edgesAt.get(name) ?? []) p.classList.add('adjacent');
    }
  }

  has(name: string): boolean {
    return this.abs.has(name);
  }

  /** The groups a drawn element is drawn in, from the root (exclusive) down to its parent. */
  pathOf(name: string): string[] {
    return ancestry(this.parentOf, name);
  }

  /** The kinds of the edges drawn in the layout (hub edges, shown only on selection, are left out). */
  drawnEdgeKinds(): ReadonlySet<string> {
    return this.kindsDrawn;
  }

  /**
   * Adds a layer (notes) above everything drawn, the phase overlay's veil included: it pans and zooms with
   * the graph, and Highlight never dims it. Its own elements take pointer events ([data-layer] in the CSS).
   */
  addLayer(layer: SVGGElement): void {
    layer.setAttribute('data-layer', 'top');
    this.overlayWorld.append(layer);
  }

  layers(): SceneLayers {
    return { svg: this.svg, defs: this.defs, world: this.world, overlay: this.overlayWorld };
  }

  /**
   * The size of the view on screen, in CSS px: as last reported by the resize observer, or measured now
   * with `fresh` (a forced layout, but right even just after the inspector opened or closed).
   */
  viewport(fresh = false): { w: number; h: number } {
    if (this.size.w > 0 && !fresh) return this.size;
    const r = this.svg.getBoundingClientRect();
    return { w: r.width || PARAMS.fallbackViewport.w, h: r.height || PARAMS.fallbackViewport.h };
  }

  /** Gives keyboard focus to the drawing. */
  focus(): void {
    this.svg.focus();
  }

  /** Fits the whole graph (the root layout) into the view (of size `view` when given, as measured by viewport). */
  fit(root: { width: number; height: number } | undefined, view = this.viewport()): void {
    if (!root) return;
    // The layout's extent (boxes and edge routes); no getBBox, which would force a layout of the whole SVG.
    const box = layoutExtent(root);
    const { w, h } = view;
    const margin = ZOOM.fitMargin;
    const k = Math.max(
      ZOOM.min,
      Math.min(ZOOM.maxFit, (w - 2 * margin) / Math.max(1, box.w), (h - 2 * margin) / Math.max(1, box.h)),
    );
    const tx = (w - box.w * k) / 2 - box.x * k;
    const ty = Math.max(margin, (h - box.h * k) / 2) - box.y * k;
    this.zoom.transform(this.sel, zoomIdentity.translate(tx, ty).scale(k));
  }

  /** Brings a drawn element fully into view, zooming out (never in) when it is larger than the screen. */
  reveal(name: string): void {
    const r = this.abs.get(name);
    if (!r) return;
    const { w, h } = this.viewport();
    const cur = this.transform();
    const margin = ZOOM.revealMargin;
    const k = Math.max(ZOOM.min, Math.min(cur.k, (w - 2 * margin) / r.w, (h - 2 * margin) / r.h));
    const sx = r.x * cur.k + cur.x;
    const sy = r.y * cur.k + cur.y;
    const fits = sx >= 0 && sy >= 0 && sx + r.w * cur.k <= w && sy + r.h * cur.k <= h;
    if (fits) return;
    // keep the element's left edge where it is when possible, else move it in with a margin
    const tx = Math.min(Math.max(margin - r.x * k, sx - r.x * k), w - margin - (r.x + r.w) * k);
    const ty = Math.min(Math.max(margin - r.y * k, sy - r.y * k), h - margin - (r.y + r.h) * k);
    this.zoom.transform(
      this.sel,
      zoomIdentity
        .translate(r.w * k > w - 2 * margin ? margin - r.x * k : tx, r.h * k > h - 2 * margin ? margin - r.y * k : ty)
        .scale(k),
    );
  }

  /** Shows graph point (cx, cy) at the centre of the view at zoom k (the current zoom when left out); `view`: the
   * view's size when the caller measured it already (measuring forces a layout of everything drawn). */
  centreAt(cx: number, cy: number, k = this.transform().k, view?: { w: number; h: number }): void {
    const { w, h } = view ?? this.viewport(true);
    const kk = Math.max(ZOOM.min, Math.min(ZOOM.max, k));
    this.zoom.transform(this.sel, zoomIdentity.translate(w / 2 - cx * kk, h / 2 - cy * kk).scale(kk));
  }

  /**
   * Pans (and zooms out, when they cannot fit otherwise) so that every rectangle (graph coordinates) is on
   * screen with a margin; does nothing when they already are.
   */
  bringIntoView(rects: readonly Rect[]): void {
    if (rects.length === 0) return;
    const x0 = Math.min(...rects.map((r) => r.x));
    const y0 = Math.min(...rects.map((r) => r.y));
    const x1 = Math.max(...rects.map((r) => r.x + r.w));
    const y1 = Math.max(...rects.map((r) => r.y + r.h));
    const { w, h } = this.viewport(true);
    const cur = this.transform();
    const margin = ZOOM.revealMargin;
    const inView =
      x0 * cur.k + cur.x >= margin &&
      y0 * cur.k + cur.y >= margin &&
      x1 * cur.k + cur.x <= w - margin &&
      y1 * cur.k + cur.y <= h - margin;
    if (inView) return;
    // When it fits at this zoom, pan only as far as needed: a box near an edge moves a few pixels, not to the
    // centre (a jump under the pointer that a user loses the box in).
    if ((x1 - x0) * cur.k <= w - 2 * margin && (y1 - y0) * cur.k <= h - 2 * margin) {
      const shift = (lo: number, hi: number, size: number) =>
        lo < margin ? margin - lo : hi > size - margin ? size - margin - hi : 0;
      this.panBy(shift(x0 * cur.k + cur.x, x1 * cur.k + cur.x, w), shift(y0 * cur.k + cur.y, y1 * cur.k + cur.y, h));
      return;
    }
    const k = Math.max(
      ZOOM.min,
      Math.min(cur.k, (w - 2 * margin) / Math.max(1, x1 - x0), (h - 2 * margin) / Math.max(1, y1 - y0)),
    );
    this.centreAt((x0 + x1) / 2, (y0 + y1) / 2, k);
  }

  centerOn(name: string, minScale = 0.9): void {
    const r = this.abs.get(name);
    if (!r) return;
    const { w, h } = this.viewport();
    const cur = this.transform();
    const k = Math.min(ZOOM.max, Math.max(cur.k, minScale));
    const cx = r.x + r.w / 2;
    const cy = r.y + r.h / 2;
    this.zoom.transform(this.sel, zoomIdentity.translate(w / 2 - cx * k, h / 2 - cy * k).scale(k));
  }

  transform(): ZoomTransform {
    return zoomTransform(this.svg);
  }

  zoomBy(factor: number): void {
    this.zoom.scaleBy(this.sel, factor);
  }

  panBy(dx: number, dy: number): void {
    const k = this.transform().k;
    this.zoom.translateBy(this.sel, dx / k, dy / k);
  }
}

function centre(rects: Rect[]): Point {
  let x = 0;
  let y = 0;
  for (const r of rects) {
    x += r.x + r.w / 2;
    y += r.y + r.h / 2;
  }
  return { x: x / rects.length, y: y / rects.length };
}

function badgeTitle(c: Child): string {
  const p = c.phase;
  if (!p) return '';
  if (p.role === 'contains')
    return `holds ${p.layers} layer${p.layers === 1 ? '' : 's'} that read the learning-phase flag`;
  if (p.role === 'layer')
    return `${p.kind} layer: reads the learning-phase flag ${p.source}${p.born_here ? ' (the flag was created inside it)' : ''}`;
  if (p.role === 'consumer') return `reads the learning-phase flag ${p.source}`;
  if (p.role === 'reads') return p.explanation;
  return '';
}
