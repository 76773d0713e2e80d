// PNG and SVG export of what is drawn (the view, or the whole graph at the current expansion), and a PNG
// copied to the clipboard. The picture itself is built by picture.ts; sizes and wording by exportplan.ts.

import { graphLabel, type GraphAnswer } from '../graph/api';
import type { ViewState } from '../graph/state';
import { h } from '../lib/dom';
import { layoutExtent } from '../scene/params';
import type { Scene } from '../scene/scene';
import { EDGE_KINDS, kindState } from '../graph/kinds';
import { exportFileName, legendItems, pngPlan, type LegendItem, type RunAsSummary } from './exportplan';
import type { Notebook } from './notebook';
import { buildPicture, download, rasterize, serialize, type ExportInput, type ExportTable } from './picture';

export type Scope = 'view' | 'graph';

export interface ExporterHost {
  root: HTMLElement;
  scene: Pick<Scene, 'layers' | 'drawnEdgeKinds'>;
  notebook: Notebook;
  state(): ViewState;
  graph(): GraphAnswer | null;
  rootLayout(): { width: number; height: number } | undefined;
  say(text: string, error?: boolean): void;
  /** The phase the view runs as, once applied; null while it runs as both. */
  runAs(): RunAsSummary | null;
  /** More legend lines (what the boxes are coloured by, the model's parameters). */
  extraLegend?(): LegendItem[];
  /** A table drawn under the legend (the model's summary while its panel is open), or null. */
  table?(): ExportTable | null;
}

export class Exporter {
  /** Chooses what is exported: the view or the whole graph. */
  readonly scopeSelect: HTMLSelectElement;

  constructor(private host: ExporterHost) {
    this.scopeSelect = h(
      'select',
      { 'aria-label': 'Export scope', 'data-testid': 'export-scope', title: 'What to export (w)' },
      h('option', { value: 'view' }, 'View'),
      h('option', { value: 'graph' }, 'Whole graph'),
    );
  }

  private scope(): Scope {
    return this.scopeSelect.value === 'graph' ? 'graph' : 'view';
  }

  /** Switches between exporting the view and the whole graph. */
  toggleScope(): void {
    this.scopeSelect.value = this.scope() === 'view' ? 'graph' : 'view';
    this.host.say(
      `Export scope: ${this.scope() === 'view' ? 'the view' : 'the whole graph at the current expansion'}.`,
    );
  }

  private input(): ExportInput | null {
    const g = this.host.graph();
    const st = this.host.state();
    const lay = this.host.rootLayout();
    if (!g || !st.graph || !lay) {
      this.host.say('Nothing to export yet: no graph is drawn.', true);
      return null;
    }
    const scope = this.scope();
    const notesLayer = this.host.notebook.layer;
    let box = layoutExtent(lay);
    if (scope === 'graph') notesLayer.fixMagnification(1);
    const nb = notesLayer.bounds();
    if (scope === 'graph') notesLayer.fixMagnification(null);
    if (nb) {
      const x = Math.min(box.x, nb.x - 8);
      const y = Math.min(box.y, nb.y - 8);
      box = { x, y, w: Math.max(box.x + box.w, nb.x + nb.w + 8) - x, h: Math.max(box.y + box.h, nb.y + nb.h + 8) - y };
    }
    const notes = this.host.notebook.notes;
    const sources = (g.phase?.sources ?? []).map((x) => x.name);
    const kinds = Object.fromEntries(EDGE_KINDS.map((k) => [k, kindState(st.kinds ?? {}, k)]));
    // The kinds the legend filter hides are said even when none of their edges is in the drawing (the
    // hyperparameters' edges are only drawn when asked for): the picture must say what it leaves out.
    const hiddenInGraph = Object.entries(g.edge_counts ?? {})
      .filter(([k, n]) => n > 0 && k !== 'phase' && kinds[k] === 'hidden')
      .map(([k]) => k);
    const legend = legendItems(
      new Set([...this.host.scene.drawnEdgeKinds(), ...hiddenInGraph]),
      st.mode,
      // Distinct layers (a layer reading two flags once), as the answer line and the status bar count them.
      { sources, layers: g.answer?.layers ?? new Set((g.phase?.layers ?? []).map((l) => l.layer)).size },
      notes.length,
      kinds,
      this.host.runAs(),
    );
    legend.push(...(this.host.extraLegend?.() ?? []));
    const placed = new Map(notesLayer.placed.map((d) => [d.note.node, d]));
    const open = st.expanded.size;
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    return {
      layers: this.host.scene.layers(),
      themeRoot: this.host.root,
      title: `${st.graph.run} · ${graphLabel(st.graph)}`,
      subtitle:
        `TensorBoard PhaseView · ${scope === 'view' ? 'the view as shown' : 'whole graph'} · ${open} group${open === 1 ? '' : 's'} open · ` +
        `${g.nodes.toLocaleString('en-US')} nodes · ${when}`,
      scope,
      graphBox: box,
      legend,
      table: this.host.table?.() ?? null,
      notes: notes.map((n) => {
        const d = placed.get(n.node);
        return { node: n.node, text: n.text, hiddenIn: d?.hidden && d.anchor ? d.anchor : null, drawn: !!d?.anchor };
      }),
    };
  }

  private fileName(ext: string): string {
    const g = this.host.state().graph!;
    return exportFileName(g.run, graphLabel(g), ext);
  }

  /** The whole graph is exported at scale 1, so its notes are drawn unmagnified while it is copied. */
  private picture(input: ExportInput, pixels?: { width: number; height: number }): ReturnType<typeof buildPicture> {
    if (input.scope === 'view') return buildPicture(input, pixels);
    const notesLayer = this.host.notebook.layer;
    notesLayer.fixMagnification(1);
    try {
      return buildPicture(input, pixels);
    } finally {
      notesLayer.fixMagnification(null);
    }
  }

  async exportSvg(): Promise<void> {
    const input = this.input();
    if (!input) return;
    const pic = this.picture(input);
    download(new Blob([serialize(pic.svg)], { type: 'image/svg+xml' }), this.fileName('svg'));
    this.host.root.dataset.lastExport = `svg ${pic.width}x${pic.height}`;
    this.host.say(`SVG saved (${pic.width} × ${pic.height}).`);
  }

  private async png(): Promise<{ blob: Blob; note: string } | null> {
    const input = this.input();
    if (!input) return null;
    const probe = this.picture(input);
    const plan = pngPlan(probe.width, probe.height);
    if (!plan.ok) {
      this.host.say(plan.message, true);
      this.host.root.dataset.lastExport = 'png refused';
      return null;
    }
    const pic = this.picture(input, { width: plan.width, height: plan.height });
    const blob = await rasterize(serialize(pic.svg), plan);
    this.host.root.dataset.lastExport = `png ${plan.width}x${plan.height} scale ${plan.scale.toFixed(3)} of ${pic.width}x${pic.height}`;
    return { blob, note: plan.message ?? `${plan.width} × ${plan.height} px, 2x` };
  }

  async exportPng(): Promise<void> {
    try {
      const r = await this.png();
      if (!r) return;
      download(r.blob, this.fileName('png'));
      this.host.say(`PNG saved: ${r.note.replace(/\.$/, '')}.`);
    } catch (e) {
      this.host.say(`Could not make the PNG: ${(e as Error).message}`, true);
    }
  }

  async copyPng(): Promise<void> {
    if (typeof ClipboardItem === 'undefined' || !navigator.clipboard?.write) {
      this.host.say(
        'This browser does not allow copying images to the clipboard here; use PNG (e) to save a file instead.',
        true,
      );
      return;
    }
    // The promise goes into the ClipboardItem at once, while the click still counts as a user action.
    let note = '';
    const blob = this.png().then((r) => {
      if (!r) throw new Error('nothing to copy');
      note = r.note;
      return r.blob;
    });
    try {
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
      this.host.say(`PNG copied to the clipboard: ${note.replace(/\.$/, '')}.`);
    } catch (e) {
      blob.catch(() => undefined);
      if ((e as Error).message === 'nothing to copy') return;
      this.host.say(
        `The browser did not allow copying the image (${(e as Error).message || (e as Error).name}); use PNG (e) to save a file instead.`,
        true,
      );
    }
  }
}
