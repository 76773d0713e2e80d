// Links that reopen a view: read from the page's hash (or TensorBoard's) at start, applied once the graph is
// drawn, and written on request (copied to the clipboard and shown in a field). The token format is in
// linkcodec.ts.

import { graphLabel } from '../graph/api';
import { sameGraph, type ViewState } from '../graph/state';
import { saveMoves } from '../graph/moves';
import { linkToken } from '../graph/visit';
import { h } from '../lib/dom';
import type { Scene } from '../scene/scene';
import {
  decodeLink,
  encodeLink,
  hashWithoutToken,
  pluginLink,
  tensorBoardLink,
  tokenFromHash,
  type LinkState,
} from './linkcodec';
import type { Notebook } from './notebook';
import { localStore } from './notes';

export interface LinksHost {
  root: HTMLElement;
  stage: HTMLElement;
  scene: Pick<Scene, 'transform' | 'zoomBy' | 'panBy' | 'viewport' | 'abs' | 'bringIntoView'>;
  notebook: Notebook;
  state(): ViewState;
  say(text: string, error?: boolean): void;
}

export class Links {
  private box: HTMLElement;
  private field: HTMLInputElement;
  private pending: LinkState | null = null;

  constructor(private host: LinksHost) {
    this.field = h('input', {
      type: 'text',
      readonly: true,
      'data-testid': 'share-link',
      'aria-label': 'Link to this view',
    });
    const close = h('button', { class: 'pv-btn', type: 'button', 'aria-label': 'Close' }, '✕');
    close.addEventListener('click', () => (this.box.hidden = true));
    this.box = h('div', { class: 'pv-link', hidden: true }, h('span', {}, 'Link'), this.field, close);
    this.field.addEventListener('keydown', (ev) => {
      ev.stopPropagation();
      if (ev.key === 'Escape') this.box.hidden = true;
    });
    host.stage.append(this.box);
  }

  // ---------------------------------------------------------------- links in

  /** The view a link in the page's hash (or TensorBoard's) asks for; its notes are merged into storage. */
  linkedState(): ViewState | null {
    const token = linkToken();
    if (!token) return null;
    const link = decodeLink(token);
    if (!link || !link.view.graph) {
      this.host.say('This link could not be read; showing the last view instead.', true);
      return null;
    }
    this.host.notebook.mergeLinked(link.view.graph, link.notes);
    // A link's moves replace this browser's for the graph: the view opens as it was drawn for the link.
    if (link.view.graph.model) saveMoves(localStore(), link.view.graph, link.view.graph.model);
    this.pending = link;
    // Read once: the page does not carry a long token in its URL while it loads (nor re-applies it on reload).
    this.dropTokenFromUrl();
    return link.view;
  }

  /** After the linked graph loaded and its groups and selection were restored: its viewport, once. */
  restored(): void {
    const link = this.pending;
    if (!link) return;
    this.pending = null;
    const cur = this.host.state().graph;
    if (!sameGraph(cur, link.view.graph)) {
      this.host.say(
        `The linked graph (${link.view.graph?.run} · ${link.view.graph ? graphLabel(link.view.graph) : ''}) is not in this TensorBoard.`,
        true,
      );
    } else {
      const notes: string[] = [];
      if (link.openDropped)
        notes.push(
          `This link lists ${(link.view.expanded.size + link.openDropped).toLocaleString('en-US')} open groups; the first ${link.view.expanded.size.toLocaleString('en-US')} were opened (a link opens at most that many).`,
        );
      if (link.viewport && this.onGraph(link.viewport.cx, link.viewport.cy))
        this.setViewport(link.viewport.cx, link.viewport.cy, link.viewport.k);
      else if (link.viewport) notes.push('The link’s view lies outside the graph; the whole graph is shown instead.');
      if (notes.length) this.host.say(notes.join(' '), true);
    }
    this.dropTokenFromUrl();
    this.host.notebook.redraw();
    const from = link.viewport;
    const here = this.host.scene.viewport(true);
    // Shown in a smaller view than it was copied from (or from a link that does not say), less is seen around
    // the centre: keep the selection and its note on screen. In a view as large, the view is exactly the link's.
    if (!from?.w || !from.h || here.w < from.w - 1 || here.h < from.h - 1) this.keepSelectionInView();
    this.host.root.dataset.linkRestored = 'true';
  }

  /**
   * The view is restored by its centre, so a smaller window than the link's shows less around it: pan (and zoom
   * out when they cannot fit) so that the selection and its note stay on screen.
   */
  private keepSelectionInView(): void {
    const sel = this.host.state().selected;
    const box = sel ? this.host.scene.abs.get(sel) : undefined;
    if (!sel || !box) return;
    // A note is magnified when zoomed out, so its box changes with the zoom: settle in a few rounds.
    for (let round = 0; round < 3; round++) {
      const note = this.host.notebook.layer.placed.find((d) => d.note.node === sel || d.anchor === sel)?.box;
      const before = this.host.scene.transform();
      this.host.scene.bringIntoView(note ? [box, note] : [box]);
      this.host.notebook.redraw();
      if (this.host.scene.transform() === before) break;
    }
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

  /** The graph point at the centre of the view, and the zoom. */
  private viewport(): { cx: number; cy: number; k: number; w: number; h: number } {
    const t = this.host.scene.transform();
    const { w, h } = this.host.scene.viewport(true);
    return { cx: (w / 2 - t.x) / t.k, cy: (h / 2 - t.y) / t.k, k: t.k, w, h };
  }

  /** True when the graph point (cx, cy) lies on the drawing, or within one screen of it. */
  private onGraph(cx: number, cy: number): boolean {
    const { w, h } = this.host.scene.viewport(true);
    for (const r of this.host.scene.abs.values())
      if (cx >= r.x - w && cx <= r.x + r.w + w && cy >= r.y - h && cy <= r.y + r.h + h) return true;
    return false;
  }

  private setViewport(cx: number, cy: number, k: number): void {
    const sc = this.host.scene;
    const t0 = sc.transform();
    sc.zoomBy(k / t0.k);
    const t1 = sc.transform();
    const { w, h } = sc.viewport(true);
    sc.panBy(w / 2 - cx * t1.k - t1.x, h / 2 - cy * t1.k - t1.y);
  }

  // ---------------------------------------------------------------- links out

  async copyLink(): Promise<void> {
    const st = this.host.state();
    if (!st.graph) return this.host.say('Nothing to link to yet: no graph is drawn.', true);
    const { token, notesDropped } = encodeLink({
      view: st,
      viewport: this.viewport(),
      notes: [...this.host.notebook.notes],
    });
    let url: string;
    try {
      url =
        window.parent !== window
          ? tensorBoardLink(window.parent.location.href, token)
          : pluginLink(window.location.href, token);
    } catch {
      url = pluginLink(window.location.href, token);
    }
    this.field.value = url;
    this.box.hidden = false;
    this.host.root.dataset.lastLink = url;
    const dropped = notesDropped
      ? ` ${notesDropped} note${notesDropped === 1 ? ' was' : 's were'} left out to keep the link short.`
      : '';
    try {
      await navigator.clipboard.writeText(url);
      this.host.say(
        `Link copied (${url.length.toLocaleString('en-US')} characters): it reopens this graph, filter, open groups, selection, view${st.graph.model?.length ? ', notes and what you moved to the model' : ' and notes'}.${dropped}`,
      );
    } catch {
      this.field.focus();
      this.field.select();
      this.host.say(
        `The browser did not allow writing to the clipboard here; the link is selected in the field above — press Ctrl+C.${dropped}`,
        !dropped ? false : true,
      );
    }
  }
}
