// What the user does to the graph, step by step: load a graph, open and close groups, reveal a node,
// select, switch the phase filter. Each step asks the session for data and layouts, then tells the scene
// and the panels what to show, through their public methods.

import { api, ApiError, graphLabel, type Child, type GraphAnswer, type GraphRef } from './graph/api';
import { EDGE_KINDS, kindState, type KindState } from './graph/kinds';
import { mapPhaseEdges, type MappedPhaseEdge } from './graph/phasemap';
import type { GraphSession } from './graph/session';
import { isExpanded, sameGraph, type PhaseMode, type ViewState } from './graph/state';
import type { Inspector } from './panels/inspector';
import type { LegendFilter } from './panels/legend';
import type { MessageBox } from './panels/message';
import type { SearchBox } from './panels/search';
import type { StatusBar } from './panels/statusbar';
import type { Toolbar } from './panels/toolbar';
import type { Scene } from './scene/scene';
import type { Links } from './share/links';

export interface ViewerParts {
  root: HTMLElement;
  session: GraphSession;
  scene: Scene;
  toolbar: Toolbar;
  status: StatusBar;
  message: MessageBox;
  inspector: Inspector;
  search: SearchBox;
  links: Links;
  legend: LegendFilter;
}

export class Viewer {
  private mapped: MappedPhaseEdge[] = [];
  /** A view to restore once its graph has loaded (saved in this tab, or from a link). */
  private pendingRestore: ViewState | null = null;

  constructor(private p: ViewerParts) {}

  private get state(): ViewState {
    return this.p.session.state;
  }

  /** Lists the runs and opens the restored graph, or the first one. */
  async firstLoad(restore: ViewState | null): Promise<void> {
    const { session, message } = this.p;
    this.pendingRestore = restore;
    if (restore) this.setMode(restore.mode);
    message.show('Loading runs…', undefined, true);
    try {
      // With no graph to restore, the first graph is the one opened next: let the server start on it now.
      await session.refreshRuns(!this.pendingRestore);
    } catch (e) {
      message.show('Could not list the runs', 'The PhaseView backend did not answer.', false, (e as Error).message);
      return;
    }
    const graphs = session.allGraphs();
    if (graphs.length === 0) {
      this.p.toolbar.fillPickers(session.runs, this.state.graph);
      this.showNoGraphs();
      return;
    }
    const wanted = this.pendingRestore?.graph;
    const g = (wanted && graphs.find((x) => sameGraph(x, wanted))) || graphs[0];
    if (!wanted || !sameGraph(g, wanted)) this.pendingRestore = null;
    await this.loadGraph(g);
  }

  private showNoGraphs(): void {
    this.p.root.dataset.ready = 'false';
    this.p.message.show(
      'No graph data found',
      'None of the runs in this log directory holds a graph. Write one with tf.summary.graph, tf.summary.trace_export, or Keras’ TensorBoard callback (write_graph=True), then reload.',
    );
  }

  /** After TensorBoard reloaded (or on the poll): new runs appear; a graph that is gone is said to be. */
  async refreshRuns(): Promise<void> {
    const { session } = this.p;
    try {
      if (!(await session.refreshRuns())) return;
    } catch {
      return;
    }
    const graphs = session.allGraphs();
    if (!this.state.graph) {
      if (graphs.length) await this.loadGraph(graphs[0]);
      return;
    }
    this.p.toolbar.fillPickers(session.runs, this.state.graph);
    if (!graphs.some((g) => sameGraph(g, this.state.graph))) {
      if (graphs.length === 0) this.showNoGraphs();
      else this.p.message.show('This graph is gone', 'The run or graph is no longer in the log directory; pick another one above.');
    }
  }

  /** Opens the first graph of a run. */
  pickRun(run: string): void {
    const r = this.p.session.runs?.runs.find((x) => x.run === run);
    if (r && r.graphs[0]) void this.loadGraph(r.graphs[0]);
  }

  async loadGraph(ref: GraphRef): Promise<void> {
    const { root, session, scene, message, status } = this.p;
    const seq = session.begin(ref);
    root.dataset.ready = 'false';
    this.mapped = [];
    scene.draw(session.model());
    scene.drawPhase('collapse', []);
    this.p.inspector.hide();
    this.p.search.hide();
    this.p.toolbar.fillPickers(session.runs, this.state.graph);
    status.render(session.graph);
    const started = performance.now();
    const title = `Loading ${ref.run} (${graphLabel(ref)})…`;
    message.show(title, 'Reading the graph on the server.', true);
    const tick = window.setInterval(() => {
      const secs = Math.round((performance.now() - started) / 1000);
      if (session.isCurrent(seq) && !session.graph)
        message.show(title, `Reading and analysing the graph on the server: ${secs} s. Large graphs are parsed once and then cached.`, true);
    }, 1000);
    let g: GraphAnswer | null;
    try {
      g = await session.fetchGraph(ref, seq);
    } catch (e) {
      window.clearInterval(tick);
      if ((e as Error).name === 'AbortError' || !session.isCurrent(seq)) return;
      const code = e instanceof ApiError && e.status ? ` (HTTP ${e.status})` : '';
      message.show(`Could not load this graph${code}`, `${ref.run} · ${graphLabel(ref)}`, false, (e as Error).message);
      return;
    }
    window.clearInterval(tick);
    if (!g) return;
    const fetchedMs = performance.now() - started;
    this.applyKinds();
    const omitted = g.root.truncated ? (g.root.omitted?.count ?? 0) : 0;
    if (g.root.children.length === 0) {
      message.show('This graph is empty', `${ref.run} · ${graphLabel(ref)} has no nodes.`);
      status.render(g);
      return;
    }
    message.show(title, `Laying out ${g.root.children.length.toLocaleString('en-US')} top-level items…`, true);
    try {
      await this.relayout();
    } catch (e) {
      if (!session.isCurrent(seq)) return;
      message.show('Could not lay out this graph', undefined, false, (e as Error).message);
      return;
    }
    if (!session.isCurrent(seq)) return;
    message.hide();
    const tf = performance.now();
    scene.fit(session.rootLayout());
    root.dataset.fitMs = (performance.now() - tf).toFixed(0);
    root.dataset.ready = 'true';
    root.dataset.readyAt = performance.now().toFixed(1);
    root.dataset.firstViewMs = String(Math.round(performance.now() - started));
    const shown = g.root.children.length;
    status.render(
      g,
      (omitted ? `top level shows ${shown.toLocaleString('en-US')} of ${(shown + omitted).toLocaleString('en-US')} items (use search) · ` : '') +
        `first view in ${Math.round(performance.now() - started)} ms (server ${Math.round(fetchedMs)} ms)`,
    );
    session.save();
    const restore = this.pendingRestore;
    this.pendingRestore = null;
    if (restore && sameGraph(restore.graph, ref)) {
      if (restore.expanded.size) {
        await session.open([...restore.expanded]);
        await this.relayout();
        session.save();
      }
      if (restore.selected && scene.has(restore.selected)) this.select(restore.selected);
    }
    this.p.links.restored();
  }

  /** Lays out the open groups (in the session's worker) and redraws the scene when the graph is still current. */
  private async relayout(): Promise<void> {
    const { root, session, scene } = this.p;
    const layoutMs = await session.relayout();
    if (layoutMs === null) return;
    const t1 = performance.now();
    scene.draw(session.model());
    this.redrawPhase();
    root.dataset.layoutMs = layoutMs.toFixed(0);
    root.dataset.drawMs = (performance.now() - t1).toFixed(0);
  }

  /** Opens or closes a group (`open` unset: flips it), keeping it where it was on screen. */
  async toggle(name: string, open?: boolean): Promise<void> {
    const { session, scene, status } = this.p;
    const want = open ?? !this.state.expanded.has(name);
    const before = scene.abs.get(name);
    if (want) status.render(session.graph, `opening ${name}…`);
    const failed = await session.toggle(name, want);
    if (failed) {
      status.render(session.graph, `could not open ${failed}`);
      return;
    }
    await this.relayout();
    this.keepInPlace(name, before);
    if (want) scene.reveal(name);
    status.render(session.graph);
    session.save();
  }

  /** Toggles the selected element when it is a group; false when nothing was toggled. */
  toggleSelected(): boolean {
    const sel = this.state.selected;
    if (!sel || this.p.scene.children.get(sel)?.type !== 'group') return false;
    void this.toggle(sel);
    return true;
  }

  /** Pans so that the element that was opened or closed keeps its top-left corner on screen. */
  private keepInPlace(name: string, before: { x: number; y: number } | undefined): void {
    const { scene } = this.p;
    const after = scene.abs.get(name);
    if (!before || !after) return;
    const k = scene.transform().k;
    scene.panBy(-(after.x - before.x) * k, -(after.y - before.y) * k);
  }

  /** Opens the groups on a node's display path, then centres and selects it. */
  async reveal(name: string, path?: string[]): Promise<void> {
    const { session, scene, status } = this.p;
    const g = this.state.graph;
    if (!g) return;
    if (!path) {
      try {
        path = (await session.nodeInfo(name)).path;
      } catch (e) {
        status.render(session.graph, `could not find ${name}: ${(e as Error).message}`);
        return;
      }
    }
    const wanted = path.filter((p) => p !== '');
    await session.openPath(wanted);
    await this.relayout();
    let target = name;
    if (!scene.has(target)) target = [...wanted].reverse().find((p) => scene.has(p)) ?? name;
    scene.centerOn(target);
    this.select(target);
    session.save();
  }

  // ---------------------------------------------------------------- phase filter

  private redrawPhase(): void {
    const { session, scene } = this.p;
    const g = session.graph;
    this.mapped = g
      ? mapPhaseEdges(
          g.phase?.edges ?? [],
          g.phase?.sources ?? [],
          (id) => isExpanded(this.state, id),
          (id) => scene.has(id),
        )
      : [];
    scene.drawPhase(this.state.mode, this.mapped);
  }

  setMode(mode: PhaseMode): void {
    const { root, session, scene } = this.p;
    const t0 = performance.now();
    session.setMode(mode);
    this.p.toolbar.showMode(mode);
    scene.drawPhase(mode, this.mapped);
    root.dataset.phaseMode = mode;
    this.p.legend.render(session.graph, this.state.kinds, mode);
    root.dataset.toggleMs = (performance.now() - t0).toFixed(1);
  }

  // ---------------------------------------------------------------- the legend filter

  /** Draws, dims or hides one edge kind: an attribute on the root that the stylesheet follows, so nothing
   * is laid out or redrawn. */
  setKind(kind: string, state: KindState): void {
    const { root, session } = this.p;
    const t0 = performance.now();
    session.setKind(kind, state);
    root.setAttribute(`data-kind-${kind}`, state);
    this.p.legend.render(session.graph, this.state.kinds, this.state.mode);
    root.dataset.toggleMs = (performance.now() - t0).toFixed(1);
  }

  /** Puts every kind's state of the view on the root (after a load or a restore). */
  applyKinds(): void {
    for (const kind of EDGE_KINDS) if (kind !== 'phase') this.p.root.setAttribute(`data-kind-${kind}`, kindState(this.state.kinds, kind));
    this.p.legend.render(this.p.session.graph, this.state.kinds, this.state.mode);
  }

  /** A click on an edge between two boxes: the op-level edges behind it, by kind, each with its sentence. */
  async inspectEdge(from: string, to: string): Promise<void> {
    const { inspector, scene } = this.p;
    const g = this.state.graph;
    if (!g) return;
    scene.select(null);
    inspector.loading(`${from} ↔ ${to}`);
    try {
      inspector.showWhy(await api.why(g, from, to));
    } catch (e) {
      inspector.showError(`${from} ↔ ${to}`, (e as Error).message);
    }
  }

  // ---------------------------------------------------------------- selection and inspector

  select(name: string | null): void {
    const { session, scene, inspector } = this.p;
    session.select(name);
    scene.select(name);
    if (!name) {
      inspector.hide();
      return;
    }
    void this.inspect(name, scene.children.get(name) ?? null);
  }

  /** Shift+click on a second box while one is selected: why the two are connected. */
  selectSecond(name: string): void {
    const first = this.state.selected;
    if (!first || first === name) {
      this.select(name);
      return;
    }
    void this.inspectEdge(first, name);
  }

  /** Shows a clicked phase edge in the inspector. */
  inspectPhaseEdge(from: string, to: string, source: string, layers: string[]): void {
    this.p.scene.selectPhaseEdge(from, to);
    this.p.inspector.showPhaseEdge(source, to, layers, this.explanations());
  }

  private async inspect(name: string, c: Child | null): Promise<void> {
    const { session, inspector } = this.p;
    const g = this.state.graph;
    if (!g) return;
    const text = this.explanations();
    if (c?.type === 'group') {
      inspector.showGroup(name, c, null, text, session.consumersOf(name, c));
      void this.addBoundary(name);
      // A scope can also be an op (`keras_learning_phase` holds the op of that name): add its details.
      // Asked only when known, so plain scopes cost no 404 in the console.
      if (!session.isOpToo(name)) return;
      try {
        const n = await session.nodeInfo(name);
        if (this.state.selected === name) inspector.showGroup(name, c, n, text, session.consumersOf(name, c));
      } catch {
        /* a plain scope */
      }
      return;
    }
    inspector.loading(name);
    try {
      const n = await session.nodeInfo(name);
      if (this.state.selected === name) inspector.showNode(n, c, text, session.consumersOf(name, c));
    } catch (e) {
      if (this.state.selected === name) inspector.showError(name, (e as Error).message);
    }
  }

  /** A group's inputs and outputs by kind, added to its inspector when the server answers. */
  private async addBoundary(name: string): Promise<void> {
    const g = this.state.graph;
    if (!g) return;
    try {
      const w = await api.why(g, name, null);
      if (this.state.selected === name) this.p.inspector.addBoundary(name, w);
    } catch {
      /* a group the server cannot resolve (a function body): no boundary section */
    }
  }

  private explanations() {
    return this.p.session.explanations();
  }
}
