// Sharing: notes on the graph, PNG/SVG export, copy PNG, and links that reopen the same view.
// The app hands over a few getters (ShareHost); everything else lives here and in notes.ts, share.ts,
// export.ts, exportplan.ts and panels/notes.ts.

import { graphLabel, type GraphAnswer } from './api';
import { h } from './dom';
import { buildPicture, download, rasterize, serialize, type ExportInput } from './export';
import { exportFileName, legendItems, pngPlan } from './exportplan';
import { deleteNote, loadNotes, mergeNotes, moveNote, noteOf, resolveAnchor, saveNotes, setNote, storageKey, type KeyValueStore, type Note } from './notes';
import { NoteEditor, NotesLayer, type NotesScene } from './panels/notes';
import { decodeLink, encodeLink, hashWithoutToken, pluginLink, tensorBoardLink, tokenFromHash, type LinkState } from './share';
import { sameGraph, type ViewState } from './state';

export interface ShareHost {
  root: HTMLElement;
  stage: HTMLElement;
  scene: NotesScene & { zoomBy(f: number): void; panBy(dx: number, dy: number): void };
  state(): ViewState;
  graph(): GraphAnswer | null;
  rootLayout(): { width: number; height: number } | undefined;
}

type Scope = 'view' | 'graph';

const SHARE_CSS = `
.pv-root { --note-bg: #fff8e1; --note-stroke: #f9a825; --note-fg: #3e2723; --note-hint: #8d6e63; }
.pv-root.dark { --note-bg: #4e3b00; --note-stroke: #fbc02d; --note-fg: #fff8e1; --note-hint: #ffe082; }
.pv-share { display: inline-flex; gap: 4px; align-items: center; }
.pv-share select { font: inherit; font-size: 12px; }
.pv-note .note-box { fill: var(--note-bg); stroke: var(--note-stroke); stroke-width: 1.2; }
.pv-note .note-text { font-size: 11px; fill: var(--note-fg); }
.pv-note .note-hint { font-size: 10px; font-style: italic; fill: var(--note-hint); }
.pv-note .note-leader { stroke: var(--note-stroke); stroke-width: 1.2; stroke-dasharray: 3 2; }
.pv-note .note-pin { fill: var(--note-stroke); }
.pv-note .note-body { cursor: move; }
.pv-note text { pointer-events: none; }
.pv-note-editor { position: absolute; z-index: 6; top: 10px; left: 10px; width: 320px; background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; box-shadow: 0 4px 12px var(--shadow); padding: 10px; }
.pv-note-editor[hidden] { display: none; }
.pv-note-editor .hdr { font-size: 12px; margin-bottom: 6px; word-break: break-all; }
.pv-note-editor .hint { color: var(--fg-3); font-size: 11px; }
.pv-note-editor textarea { width: 100%; font: inherit; color: var(--fg); background: var(--panel-2); border: 1px solid var(--line); border-radius: 4px; padding: 4px 6px; resize: vertical; }
.pv-note-editor .row { display: flex; gap: 6px; align-items: center; margin-top: 6px; }
.pv-note-editor .count { color: var(--fg-3); font-size: 11px; }
.pv-btn.primary { background: var(--accent-soft); border-color: var(--accent); color: var(--accent-fg); }
.pv-share-msg { position: absolute; z-index: 7; left: 10px; bottom: 10px; max-width: 560px; background: var(--panel); border: 1px solid var(--line);
  border-left: 3px solid var(--accent); border-radius: 4px; box-shadow: 0 2px 8px var(--shadow); padding: 6px 10px; font-size: 12px; line-height: 1.4; }
.pv-share-msg.err { border-left-color: #d32f2f; }
.pv-share-msg[hidden], .pv-link[hidden] { display: none; }
.pv-link { position: absolute; z-index: 7; right: 10px; top: 10px; display: flex; gap: 6px; align-items: center; background: var(--panel);
  border: 1px solid var(--line); border-radius: 6px; box-shadow: 0 2px 8px var(--shadow); padding: 6px 8px; }
.pv-link input { width: 420px; font: 11.5px 'Roboto Mono', ui-monospace, monospace; color: var(--fg); background: var(--panel-2); border: 1px solid var(--line); border-radius: 4px; padding: 3px 5px; }
`;

function storage(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class Sharing {
  readonly toolbar: HTMLElement;
  private notesLayer: NotesLayer;
  private editor: NoteEditor;
  private msg: HTMLElement;
  private linkBox: HTMLElement;
  private linkField: HTMLInputElement;
  private scopeSelect: HTMLSelectElement;
  private notes: Note[] = [];
  private notesKey: string | null = null;
  private pendingLink: LinkState | null = null;
  private msgTimer = 0;

  constructor(private host: ShareHost) {
    const style = document.createElement('style');
    style.textContent = SHARE_CSS;
    document.head.append(style);

    const btn = (action: string, label: string, title: string, fn: () => void) => {
      const b = h('button', { class: 'pv-btn', type: 'button', 'data-action': action, title }, label);
      b.addEventListener('click', fn);
      return b;
    };
    this.scopeSelect = h(
      'select',
      { 'aria-label': 'Export scope', 'data-testid': 'export-scope', title: 'What to export (w)' },
      h('option', { value: 'view' }, 'View'),
      h('option', { value: 'graph' }, 'Whole graph'),
    );
    this.toolbar = h(
      'span',
      { class: 'pv-share', role: 'group', 'aria-label': 'Notes and sharing' },
      btn('add-note', 'Note', 'Add or edit a note on the selected node (n)', () => this.editSelected()),
      this.scopeSelect,
      btn('export-png', 'PNG', 'Export PNG at 2x (e)', () => void this.exportPng()),
      btn('export-svg', 'SVG', 'Export SVG (Shift+E)', () => void this.exportSvg()),
      btn('copy-png', 'Copy', 'Copy a PNG to the clipboard (y)', () => void this.copyPng()),
      btn('copy-link', 'Link', 'Copy a link that reopens this view (l)', () => void this.copyLink()),
    );

    this.notesLayer = new NotesLayer(
      host.scene,
      (node) => this.openEditor(node),
      (node, dx, dy) => this.update(moveNote(this.notes, node, dx, dy)),
    );
    this.editor = new NoteEditor(
      (node, text) => {
        const sel = this.host.state().selected;
        const path = sel === node ? this.displayPath(node) : (noteOf(this.notes, node)?.path ?? []);
        try {
          this.update(setNote(this.notes, node, text, path));
        } catch (e) {
          this.say((e as Error).message, true);
        }
      },
      (node) => this.update(deleteNote(this.notes, node)),
    );
    this.msg = h('div', { class: 'pv-share-msg', hidden: true, role: 'status', 'aria-live': 'polite', 'data-testid': 'share-message' });
    this.linkField = h('input', { type: 'text', readonly: true, 'data-testid': 'share-link', 'aria-label': 'Link to this view' });
    const close = h('button', { class: 'pv-btn', type: 'button', 'aria-label': 'Close' }, '✕');
    close.addEventListener('click', () => (this.linkBox.hidden = true));
    this.linkBox = h('div', { class: 'pv-link', hidden: true }, h('span', {}, 'Link'), this.linkField, close);
    this.linkField.addEventListener('keydown', (ev) => {
      ev.stopPropagation();
      if (ev.key === 'Escape') this.linkBox.hidden = true;
    });
    host.stage.append(this.editor.el, this.msg, this.linkBox);

    // Redraw the notes whenever the scene redraws (it replaces the children of its graph layer).
    const graphLayer = host.scene.svg.querySelector('g.graph');
    if (graphLayer) new MutationObserver(() => this.redraw()).observe(graphLayer, { childList: true });
    document.addEventListener('keydown', (ev) => this.onKey(ev));
  }

  // ---------------------------------------------------------------- links in

  /** The view a link in the page's hash (or TensorBoard's) asks for; its notes are merged into storage. */
  linkedState(): ViewState | null {
    let token: string | null = tokenFromHash(window.location.hash);
    if (!token) {
      try {
        if (window.parent !== window) token = tokenFromHash(window.parent.location.hash);
      } catch {
        token = null;
      }
    }
    if (!token) return null;
    const link = decodeLink(token);
    if (!link || !link.view.graph) {
      this.say('This link could not be read; showing the last view instead.', true);
      return null;
    }
    if (link.notes.length) {
      const g = link.view.graph;
      saveNotes(storage(), g, mergeNotes(loadNotes(storage(), g), link.notes));
    }
    this.pendingLink = link;
    return link.view;
  }

  /** Called by the app after a graph has loaded and the saved/linked groups and selection are restored. */
  restored(): void {
    const link = this.pendingLink;
    if (!link) return;
    this.pendingLink = null;
    const cur = this.host.state().graph;
    if (!sameGraph(cur, link.view.graph)) {
      this.say(`The linked graph (${link.view.graph?.run} · ${link.view.graph ? graphLabel(link.view.graph) : ''}) is not in this TensorBoard.`, true);
    } else if (link.viewport) this.setViewport(link.viewport.cx, link.viewport.cy, link.viewport.k);
    this.dropTokenFromUrl();
    this.redraw();
    this.host.root.dataset.linkRestored = 'true';
  }

  private dropTokenFromUrl(): void {
    const clean = (w: Window) => {
      if (!tokenFromHash(w.location.hash)) return;
      const u = new URL(w.location.href);
      u.hash = hashWithoutToken(u.hash);
      w.history.replaceState(w.history.state, '', u.toString());
    };
    try {
      clean(window);
      if (window.parent !== window) clean(window.parent);
    } catch {
      /* a parent of another origin: leave it */
    }
  }

  private viewportSize(): { w: number; h: number } {
    const r = this.host.scene.svg.getBoundingClientRect();
    return { w: r.width || 800, h: r.height || 600 };
  }

  private viewport(): { cx: number; cy: number; k: number } {
    const t = this.host.scene.transform();
    const { w, h } = this.viewportSize();
    return { cx: (w / 2 - t.x) / t.k, cy: (h / 2 - t.y) / t.k, k: t.k };
  }

  private setViewport(cx: number, cy: number, k: number): void {
    const sc = this.host.scene;
    const t0 = sc.transform();
    sc.zoomBy(k / t0.k);
    const t1 = sc.transform();
    const { w, h } = this.viewportSize();
    sc.panBy(w / 2 - cx * t1.k - t1.x, h / 2 - cy * t1.k - t1.y);
  }

  // ---------------------------------------------------------------- links out

  async copyLink(): Promise<void> {
    const st = this.host.state();
    if (!st.graph) return this.say('Nothing to link to yet: no graph is drawn.', true);
    const { token, notesDropped } = encodeLink({ view: st, viewport: this.viewport(), notes: this.notes });
    let url: string;
    try {
      url = window.parent !== window ? tensorBoardLink(window.parent.location.href, token) : pluginLink(window.location.href, token);
    } catch {
      url = pluginLink(window.location.href, token);
    }
    this.linkField.value = url;
    this.linkBox.hidden = false;
    this.host.root.dataset.lastLink = url;
    const dropped = notesDropped ? ` ${notesDropped} note${notesDropped === 1 ? ' was' : 's were'} left out to keep the link short.` : '';
    try {
      await navigator.clipboard.writeText(url);
      this.say(`Link copied (${url.length.toLocaleString('en-US')} characters): it reopens this graph, filter, open groups, selection, view and notes.${dropped}`);
    } catch {
      this.linkField.focus();
      this.linkField.select();
      this.say(`The browser did not allow writing to the clipboard here; the link is selected in the field above — press Ctrl+C.${dropped}`, !dropped ? false : true);
    }
  }

  // ---------------------------------------------------------------- notes

  /** Reloads the notes when the graph changed, and draws them at the current expansion. */
  redraw(): void {
    const g = this.host.state().graph;
    const key = g ? storageKey(g) : null;
    if (key !== this.notesKey) {
      this.notesKey = key;
      this.notes = g ? loadNotes(storage(), g) : [];
      this.editor.close();
    }
    this.notesLayer.draw(this.notes);
    this.host.root.dataset.notes = String(this.notes.length);
  }

  private update(notes: Note[]): void {
    this.notes = notes;
    const g = this.host.state().graph;
    if (g) saveNotes(storage(), g, notes);
    this.notesLayer.draw(notes);
    this.host.root.dataset.notes = String(notes.length);
  }

  /** The groups that hold a drawn element, from the root (exclusive), read from the scene's nesting. */
  private displayPath(name: string): string[] {
    const el = this.host.scene.svg.querySelector(`[data-node="${CSS.escape(name)}"]`);
    const path: string[] = [];
    for (let p = el?.parentElement?.closest('[data-node]'); p; p = p.parentElement?.closest('[data-node]')) path.unshift(p.getAttribute('data-node')!);
    return path;
  }

  editSelected(): void {
    const sel = this.host.state().selected;
    if (!sel || !this.host.scene.has(sel)) return this.say('Select a node or group first (click it), then add a note (n).', true);
    this.openEditor(sel);
  }

  private openEditor(node: string): void {
    const n = noteOf(this.notes, node);
    const at = n ? resolveAnchor(n, (x) => this.host.scene.has(x)) : null;
    this.editor.open(node, n?.text ?? '', at?.hidden ? at.anchor : null);
  }

  // ---------------------------------------------------------------- export

  private scope(): Scope {
    return this.scopeSelect.value === 'graph' ? 'graph' : 'view';
  }

  private exportInput(): ExportInput | null {
    const g = this.host.graph();
    const st = this.host.state();
    const lay = this.host.rootLayout();
    if (!g || !st.graph || !lay) {
      this.say('Nothing to export yet: no graph is drawn.', true);
      return null;
    }
    const scope = this.scope();
    let box = { x: -8, y: -12, w: lay.width + 16, h: lay.height + 24 };
    if (scope === 'graph') this.notesLayer.fixMagnification(1);
    const nb = this.notesLayer.bounds();
    if (scope === 'graph') this.notesLayer.fixMagnification(null);
    if (nb) {
      const x = Math.min(box.x, nb.x - 8);
      const y = Math.min(box.y, nb.y - 8);
      box = { x, y, w: Math.max(box.x + box.w, nb.x + nb.w + 8) - x, h: Math.max(box.y + box.h, nb.y + nb.h + 8) - y };
    }
    const svg = this.host.scene.svg;
    const kinds = new Set<string>();
    for (const el of svg.querySelectorAll('g.graph [data-edge-kind]:not([data-aux])')) kinds.add(el.getAttribute('data-edge-kind')!);
    const sources = (g.phase?.sources ?? []).map((x) => x.name);
    const legend = legendItems(kinds, st.mode, { sources, layers: g.phase?.layers.length ?? 0 }, this.notes.length);
    const placed = new Map(this.notesLayer.placed.map((d) => [d.note.node, d]));
    const open = st.expanded.size;
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    return {
      svg,
      themeRoot: this.host.root,
      title: `${st.graph.run} · ${graphLabel(st.graph)}`,
      subtitle:
        `TensorBoard PhaseView · ${scope === 'view' ? 'the view as shown' : 'whole graph'} · ${open} group${open === 1 ? '' : 's'} open · ` +
        `${g.nodes.toLocaleString('en-US')} nodes · ${when}`,
      scope,
      graphBox: box,
      legend,
      notes: this.notes.map((n) => {
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
    this.notesLayer.fixMagnification(1);
    try {
      return buildPicture(input, pixels);
    } finally {
      this.notesLayer.fixMagnification(null);
    }
  }

  async exportSvg(): Promise<void> {
    const input = this.exportInput();
    if (!input) return;
    const pic = this.picture(input);
    download(new Blob([serialize(pic.svg)], { type: 'image/svg+xml' }), this.fileName('svg'));
    this.host.root.dataset.lastExport = `svg ${pic.width}x${pic.height}`;
    this.say(`SVG saved (${pic.width} × ${pic.height}).`);
  }

  private async png(): Promise<{ blob: Blob; note: string } | null> {
    const input = this.exportInput();
    if (!input) return null;
    const probe = this.picture(input);
    const plan = pngPlan(probe.width, probe.height);
    if (!plan.ok) {
      this.say(plan.message, true);
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
      this.say(`PNG saved: ${r.note.replace(/\.$/, '')}.`);
    } catch (e) {
      this.say(`Could not make the PNG: ${(e as Error).message}`, true);
    }
  }

  async copyPng(): Promise<void> {
    if (typeof ClipboardItem === 'undefined' || !navigator.clipboard?.write) {
      this.say('This browser does not allow copying images to the clipboard here; use PNG (e) to save a file instead.', true);
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
      this.say(`PNG copied to the clipboard: ${note.replace(/\.$/, '')}.`);
    } catch (e) {
      blob.catch(() => undefined);
      if ((e as Error).message === 'nothing to copy') return;
      this.say(`The browser did not allow copying the image (${(e as Error).message || (e as Error).name}); use PNG (e) to save a file instead.`, true);
    }
  }

  // ---------------------------------------------------------------- keys and messages

  private onKey(ev: KeyboardEvent): void {
    const t = ev.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    switch (ev.key) {
      case 'n':
        this.editSelected();
        break;
      case 'e':
        void this.exportPng();
        break;
      case 'E':
        void this.exportSvg();
        break;
      case 'y':
        void this.copyPng();
        break;
      case 'w':
        this.scopeSelect.value = this.scope() === 'view' ? 'graph' : 'view';
        this.say(`Export scope: ${this.scope() === 'view' ? 'the view' : 'the whole graph at the current expansion'}.`);
        break;
      case 'l':
        void this.copyLink();
        break;
      default:
        return;
    }
    ev.preventDefault();
  }

  say(text: string, error = false): void {
    this.msg.textContent = text;
    this.msg.classList.toggle('err', error);
    this.msg.hidden = false;
    window.clearTimeout(this.msgTimer);
    this.msgTimer = window.setTimeout(() => (this.msg.hidden = true), error ? 12_000 : 6_000);
  }
}
