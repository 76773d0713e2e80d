// The PhaseView app: toolbar, scene, inspector, search; loads graphs and opens groups on demand.

import { api, ApiError, graphKey, graphLabel, type Child, type GraphAnswer, type GraphRef, type GroupAnswer, type RunsAnswer } from './api';
import { clear, h, s } from './dom';
import { DATA_RELOADED, RUNS_CHANGED, TensorBoardIpc } from './ipc';
import { LayoutClient } from './layoutclient';
import { buildLayoutInput, expandedSize, inputSignature, type LayoutResult, type Size } from './layoutinput';
import { helpOverlay } from './panels/help';
import { Sharing } from './sharing';
import { Inspector, type PhaseText } from './panels/inspector';
import { explainPhaseEdge } from './explain';
import { SearchBox } from './panels/search';
import { mapPhaseEdges, type MappedPhaseEdge } from './phasemap';
import { Scene, type SceneEvent } from './scene/scene';
import {
  decodeState,
  encodeState,
  initialState,
  isExpanded,
  openPath,
  PHASE_MODES,
  sameGraph,
  selectGraph,
  setMode,
  toggleGroup,
  type PhaseMode,
  type ViewState,
} from './state';
import { CSS } from './style';

const STORAGE_KEY = 'tb-phaseview-state';
const POLL_MS = 30_000;

export class App {
  readonly root: HTMLElement;
  private state: ViewState = initialState();
  private runs: RunsAnswer | null = null;
  private graph: GraphAnswer | null = null;
  private groups = new Map<string, GroupAnswer>();
  private layoutCache = new Map<string, { sig: string; result: LayoutResult }>();
  private layouts = new Map<string, LayoutResult>();
  private mapped: MappedPhaseEdge[] = [];
  private layerKinds = new Map<string, string>();
  private layerExplanations = new Map<string, string>();
  private loadSeq = 0;
  private graphAbort: AbortController | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private layout: LayoutClient;
  private scene!: Scene;
  private inspector!: Inspector;
  private search!: SearchBox;
  private runSelect!: HTMLSelectElement;
  private graphSelect!: HTMLSelectElement;
  private modeButtons = new Map<PhaseMode, HTMLButtonElement>();
  private message!: HTMLElement;
  private status!: HTMLElement;
  private help!: HTMLElement;
  private pendingRestore: ViewState | null = null;
  private sharing!: Sharing;

  constructor(private host: HTMLElement) {
    this.root = h('div', { class: 'pv-root', id: 'phaseview-app', 'data-ready': 'false', 'data-testid': 'phaseview' });
    this.layout = new LayoutClient(new URL('./layout.worker.js', import.meta.url));
  }

  start(): void {
    const style = document.createElement('style');
    style.textContent = CSS;
    document.head.append(style);
    document.body.style.margin = '0';
    this.build();
    this.host.append(this.root);
    this.followTheme();
    this.bindKeys();
    const ipc = new TensorBoardIpc();
    ipc.listen(DATA_RELOADED, () => void this.refreshRuns());
    ipc.listen(RUNS_CHANGED, () => void this.refreshRuns());
    window.setInterval(() => {
      if (document.visibilityState === 'visible') void this.refreshRuns();
    }, POLL_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.refreshRuns();
    });
    try {
      const saved = window.sessionStorage.getItem(STORAGE_KEY);
      if (saved) this.pendingRestore = decodeState(saved);
    } catch {
      /* storage may be unavailable */
    }
    const linked = this.sharing.linkedState();
    if (linked) this.pendingRestore = linked;
    if (this.pendingRestore) this.setMode(this.pendingRestore.mode);
    void this.firstLoad();
  }

  // ---------------------------------------------------------------- DOM

  private build(): void {
    this.runSelect = h('select', { 'aria-label': 'Run', 'data-testid': 'run-select' });
    this.graphSelect = h('select', { 'aria-label': 'Graph', 'data-testid': 'graph-select' });
    this.runSelect.addEventListener('change', () => {
      const run = this.runs?.runs.find((r) => r.run === this.runSelect.value);
      if (run && run.graphs[0]) void this.loadGraph(run.graphs[0]);
    });
    this.graphSelect.addEventListener('change', () => {
      const g = this.allGraphs().find((x) => graphKey(x) === this.graphSelect.value);
      if (g) void this.loadGraph(g);
    });
    const seg = h('div', { class: 'pv-seg', role: 'group', 'aria-label': 'Phase edges' });
    const titles: Record<PhaseMode, string> = {
      collapse: 'Hide phase edges; mark the layers that read the flag (c)',
      highlight: 'Draw phase edges bundled in the accent colour, dim the rest (h)',
      show: 'Draw phase edges as plain edges (s)',
    };
    for (const m of PHASE_MODES) {
      const b = h('button', { class: 'pv-btn', type: 'button', 'data-phase-mode': m, 'aria-pressed': String(m === 'collapse'), title: titles[m] }, m[0].toUpperCase() + m.slice(1));
      b.addEventListener('click', () => this.setMode(m));
      this.modeButtons.set(m, b);
      seg.append(b);
    }
    this.search = new SearchBox(
      () => this.state.graph,
      (name, path) => void this.reveal(name, path),
    );
    const fit = h('button', { class: 'pv-btn', type: 'button', title: 'Fit to screen (0)', 'data-testid': 'fit' }, 'Fit');
    fit.addEventListener('click', () => this.scene.fit(this.layouts.get('')));
    const helpBtn = h('button', { class: 'pv-btn', type: 'button', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts' }, '?');
    helpBtn.addEventListener('click', () => this.toggleHelp());
    const toolbar = h(
      'div',
      { class: 'pv-toolbar', role: 'toolbar' },
      h('span', { class: 'pv-title' }, 'PhaseView'),
      h('label', {}, 'Run ', this.runSelect),
      h('label', {}, 'Graph ', this.graphSelect),
      h('label', {}, 'Phase edges '),
      seg,
      h('span', { class: 'pv-sep' }),
      this.search.input,
      this.search.regexBtn,
      fit,
      helpBtn,
    );
    const stage = h('div', { class: 'pv-stage' });
    this.scene = new Scene(stage, (e) => this.onSceneEvent(e));
    this.message = h('div', { class: 'pv-message', hidden: true, role: 'status', 'aria-live': 'polite' });
    stage.append(this.message, this.search.results);
    this.sharing = new Sharing({ root: this.root, stage, scene: this.scene, state: () => this.state, graph: () => this.graph, rootLayout: () => this.layouts.get('') });
    toolbar.insertBefore(this.sharing.toolbar, helpBtn);
    this.inspector = new Inspector(
      (name) => void this.reveal(name),
      () => this.select(null),
    );
    this.help = helpOverlay(() => this.toggleHelp(false));
    const main = h('div', { class: 'pv-main' }, stage, this.inspector.el, this.help);
    this.status = h('div', { class: 'pv-status' });
    this.root.append(toolbar, main, this.status);
  }

  private showMessage(title: string | null, body?: string | Node, progress = false, error?: string): void {
    clear(this.message);
    if (title === null) {
      this.message.hidden = true;
      return;
    }
    const box = h('div', {}, h('h2', {}, title));
    if (body) box.append(typeof body === 'string' ? h('p', {}, body) : body);
    if (error) box.append(h('p', { class: 'err', 'data-testid': 'error' }, error));
    if (progress) box.append(h('div', { class: 'pv-progress', 'data-testid': 'progress' }));
    this.message.append(box);
    this.message.hidden = false;
  }

  private renderStatus(extra = ''): void {
    clear(this.status);
    const g = this.graph;
    if (g) {
      const c = g.edge_counts || {};
      const parts = Object.entries(c).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`);
      this.status.append(h('span', {}, `${g.nodes.toLocaleString('en-US')} nodes · ${g.edges.toLocaleString('en-US')} edges (${parts.join(', ')})`));
      const srcs = g.phase?.sources ?? [];
      if (srcs.length) this.status.append(h('span', {}, `learning-phase flag${srcs.length > 1 ? 's' : ''}: ${srcs.map((x) => x.name).join(', ')} · ${g.phase.layers.length} layers read it`));
    }
    const legend = h('span', { class: 'pv-legend' });
    const item = (cls: string, label: string, dash = false) => {
      const sv = s('svg', { width: 22, height: 8 });
      sv.append(s('line', { x1: 0, y1: 4, x2: 22, y2: 4, class: cls, 'stroke-width': 2, 'stroke-dasharray': dash ? '4 3' : null }));
      return h('span', {}, sv, ' ' + label);
    };
    legend.append(item('edge', 'data'), item('edge kind-control', 'control', true));
    const ph = s('svg', { width: 22, height: 8 });
    ph.append(s('line', { x1: 0, y1: 4, x2: 22, y2: 4, stroke: 'var(--accent)', 'stroke-width': 2 }));
    legend.append(h('span', {}, ph, ' phase (φ: reads the learning-phase flag)'));
    this.status.append(legend);
    if (extra) this.status.append(h('span', {}, extra));
  }

  // ---------------------------------------------------------------- theme and keys

  private followTheme(): void {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    let parentBody: HTMLElement | null = null;
    try {
      if (window.parent !== window) parentBody = window.parent.document.body;
    } catch {
      parentBody = null;
    }
    const apply = () => {
      const dark = parentBody ? parentBody.classList.contains('dark-mode') : !!mq?.matches;
      this.root.classList.toggle('dark', dark);
    };
    apply();
    mq?.addEventListener?.('change', apply);
    if (parentBody) new MutationObserver(apply).observe(parentBody, { attributes: true, attributeFilter: ['class'] });
  }

  private bindKeys(): void {
    document.addEventListener('keydown', (ev) => {
      const t = ev.target as HTMLElement;
      if (ev.key === 'Escape') {
        if (!this.help.hidden) this.toggleHelp(false);
        else if (!this.search.results.hidden) this.search.hide();
        else this.select(null);
        return;
      }
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const step = 80;
      switch (ev.key) {
        case 'ArrowLeft':
          this.scene.panBy(step, 0);
          break;
        case 'ArrowRight':
          this.scene.panBy(-step, 0);
          break;
        case 'ArrowUp':
          this.scene.panBy(0, step);
          break;
        case 'ArrowDown':
          this.scene.panBy(0, -step);
          break;
        case '+':
        case '=':
          this.scene.zoomBy(1.25);
          break;
        case '-':
        case '_':
          this.scene.zoomBy(0.8);
          break;
        case '0':
          this.scene.fit(this.layouts.get(''));
          break;
        case 'c':
          this.setMode('collapse');
          break;
        case 'h':
          this.setMode('highlight');
          break;
        case 's':
          this.setMode('show');
          break;
        case '/':
          this.search.focus();
          break;
        case '?':
          this.toggleHelp();
          break;
        case 'Enter': {
          const sel = this.state.selected;
          if (sel && this.scene.children.get(sel)?.type === 'group') void this.toggle(sel);
          else return;
          break;
        }
        default:
          return;
      }
      ev.preventDefault();
    });
  }

  private toggleHelp(show?: boolean): void {
    this.help.hidden = !(show ?? this.help.hidden);
  }

  // ---------------------------------------------------------------- runs and graphs

  private allGraphs(): GraphRef[] {
    return (this.runs?.runs ?? []).flatMap((r) => r.graphs);
  }

  private fillPickers(): void {
    const cur = this.state.graph;
    clear(this.runSelect);
    for (const r of this.runs?.runs ?? []) {
      if (r.graphs.length === 0) continue;
      this.runSelect.append(h('option', { value: r.run, selected: cur?.run === r.run }, r.run));
    }
    clear(this.graphSelect);
    const run = this.runs?.runs.find((r) => r.run === cur?.run);
    for (const g of run?.graphs ?? []) this.graphSelect.append(h('option', { value: graphKey(g), selected: sameGraph(g, cur) }, graphLabel(g)));
    this.graphSelect.disabled = (run?.graphs.length ?? 0) < 2;
  }

  private async firstLoad(): Promise<void> {
    this.showMessage('Loading runs…', undefined, true);
    try {
      // With no graph to restore, the first graph is the one opened next: let the server start on it now.
      this.runs = await api.runs(!this.pendingRestore);
    } catch (e) {
      this.showMessage('Could not list the runs', 'The PhaseView backend did not answer.', false, (e as Error).message);
      return;
    }
    const graphs = this.allGraphs();
    if (graphs.length === 0) {
      this.fillPickers();
      this.showNoGraphs();
      return;
    }
    const wanted = this.pendingRestore?.graph;
    const g = (wanted && graphs.find((x) => sameGraph(x, wanted))) || graphs[0];
    if (!wanted || !sameGraph(g, wanted)) this.pendingRestore = null;
    await this.loadGraph(g);
  }

  private showNoGraphs(): void {
    this.root.dataset.ready = 'false';
    this.showMessage(
      'No graph data found',
      'None of the runs in this log directory holds a graph. Write one with tf.summary.graph, tf.summary.trace_export, or Keras’ TensorBoard callback (write_graph=True), then reload.',
    );
  }

  private async refreshRuns(): Promise<void> {
    let runs: RunsAnswer;
    try {
      runs = await api.runs();
    } catch {
      return;
    }
    const before = JSON.stringify(this.runs);
    this.runs = runs;
    if (JSON.stringify(runs) === before) return;
    const graphs = this.allGraphs();
    if (!this.state.graph) {
      if (graphs.length) await this.loadGraph(graphs[0]);
      return;
    }
    this.fillPickers();
    if (!graphs.some((g) => sameGraph(g, this.state.graph))) {
      if (graphs.length === 0) this.showNoGraphs();
      else this.showMessage('This graph is gone', 'The run or graph is no longer in the log directory; pick another one above.');
    }
  }

  async loadGraph(ref: GraphRef): Promise<void> {
    const seq = ++this.loadSeq;
    this.graphAbort?.abort();
    const ac = new AbortController();
    this.graphAbort = ac;
    this.root.dataset.ready = 'false';
    this.state = selectGraph(this.state, ref);
    this.graph = null;
    this.groups.clear();
    this.layoutCache.clear();
    this.layouts.clear();
    this.mapped = [];
    this.scene.draw(this.model());
    this.scene.drawPhase('collapse', []);
    this.inspector.hide();
    this.search.hide();
    this.fillPickers();
    this.renderStatus();
    const started = performance.now();
    const title = `Loading ${ref.run} (${graphLabel(ref)})…`;
    this.showMessage(title, 'Reading the graph on the server.', true);
    const tick = window.setInterval(() => {
      const secs = Math.round((performance.now() - started) / 1000);
      if (seq === this.loadSeq && !this.graph) this.showMessage(title, `Reading and analysing the graph on the server: ${secs} s. Large graphs are parsed once and then cached.`, true);
    }, 1000);
    let g: GraphAnswer;
    try {
      g = await api.graph(ref, ac.signal);
    } catch (e) {
      window.clearInterval(tick);
      if ((e as Error).name === 'AbortError' || seq !== this.loadSeq) return;
      const status = e instanceof ApiError && e.status ? ` (HTTP ${e.status})` : '';
      this.showMessage(`Could not load this graph${status}`, `${ref.run} · ${graphLabel(ref)}`, false, (e as Error).message);
      return;
    }
    window.clearInterval(tick);
    if (seq !== this.loadSeq) return;
    const fetchedMs = performance.now() - started;
    this.graph = g;
    this.groups.set('', { ...g.root, group: '' });
    this.layerKinds = new Map((g.phase?.layers ?? []).map((l) => [l.layer, l.kind]));
    this.layerExplanations = new Map((g.phase?.layers ?? []).filter((l) => l.explanation).map((l) => [l.layer, l.explanation!]));
    const omitted = omittedCount(g.root);
    if (g.root.children.length === 0) {
      this.showMessage('This graph is empty', `${ref.run} · ${graphLabel(ref)} has no nodes.`);
      this.renderStatus();
      return;
    }
    this.showMessage(title, `Laying out ${g.root.children.length.toLocaleString('en-US')} top-level items…`, true);
    try {
      await this.enqueue(() => this.relayout());
    } catch (e) {
      if (seq !== this.loadSeq) return;
      this.showMessage('Could not lay out this graph', undefined, false, (e as Error).message);
      return;
    }
    if (seq !== this.loadSeq) return;
    this.showMessage(null);
    const tf = performance.now();
    this.scene.fit(this.layouts.get(''));
    this.root.dataset.fitMs = (performance.now() - tf).toFixed(0);
    this.root.dataset.ready = 'true';
    this.root.dataset.readyAt = performance.now().toFixed(1);
    this.root.dataset.firstViewMs = String(Math.round(performance.now() - started));
    this.renderStatus(
      (omitted ? `top level shows ${g.root.children.length.toLocaleString('en-US')} of ${(g.root.children.length + omitted).toLocaleString('en-US')} items (use search) · ` : '') +
        `first view in ${Math.round(performance.now() - started)} ms (server ${Math.round(fetchedMs)} ms)`,
    );
    this.saveState();
    const restore = this.pendingRestore;
    this.pendingRestore = null;
    if (restore && sameGraph(restore.graph, ref)) {
      if (restore.expanded.size) await this.openGroups([...restore.expanded]);
      if (restore.selected && this.scene.has(restore.selected)) this.select(restore.selected);
    }
    this.sharing.restored();
  }

  // ---------------------------------------------------------------- layout

  private model() {
    return { groups: this.groups, layouts: this.layouts, isOpen: (id: string) => isExpanded(this.state, id) };
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Lays out (from cache where nothing changed) every open group, bottom-up, then redraws. */
  private async relayout(): Promise<void> {
    const seq = this.loadSeq;
    const next = new Map<string, LayoutResult>();
    const lay = async (id: string): Promise<LayoutResult> => {
      const ga = this.groups.get(id)!;
      const open = ga.children.filter((c) => c.type === 'group' && isExpanded(this.state, c.name) && this.groups.has(c.name));
      const sizes = new Map<string, Size>();
      const inner = await Promise.all(open.map((c) => lay(c.name)));
      open.forEach((c, i) => sizes.set(c.name, expandedSize(inner[i], c)));
      const input = buildLayoutInput(ga, (cid) => sizes.get(cid));
      const sig = inputSignature(input);
      const cached = this.layoutCache.get(id);
      let result: LayoutResult;
      if (cached && cached.sig === sig) result = cached.result;
      else {
        result = await this.layout.layout(input);
        this.layoutCache.set(id, { sig, result });
      }
      next.set(id, result);
      return result;
    };
    const t0 = performance.now();
    await lay('');
    if (seq !== this.loadSeq) return;
    const t1 = performance.now();
    this.layouts = next;
    this.scene.draw(this.model());
    this.redrawPhase();
    this.root.dataset.layoutMs = (t1 - t0).toFixed(0);
    this.root.dataset.drawMs = (performance.now() - t1).toFixed(0);
  }

  private async fetchGroups(ids: string[]): Promise<string[]> {
    const g = this.state.graph;
    if (!g) return [];
    const missing = ids.filter((id) => id !== '' && !this.groups.has(id));
    const failed: string[] = [];
    await Promise.all(
      missing.map(async (id) => {
        try {
          const ans = await api.group(g, id);
          if (sameGraph(g, this.state.graph)) this.groups.set(id, ans);
        } catch (e) {
          failed.push(`${id}: ${(e as Error).message}`);
        }
      }),
    );
    return failed;
  }

  async toggle(name: string, open?: boolean): Promise<void> {
    const want = open ?? !this.state.expanded.has(name);
    if (want) {
      const el = this.scene.abs.get(name);
      this.renderStatus(`opening ${name}…`);
      const failed = await this.fetchGroups([name]);
      if (failed.length) {
        this.renderStatus(`could not open ${failed[0]}`);
        return;
      }
      this.state = toggleGroup(this.state, name, true);
      await this.enqueue(() => this.relayout());
      this.keepInPlace(name, el);
      this.scene.reveal(name);
    } else {
      const el = this.scene.abs.get(name);
      this.state = toggleGroup(this.state, name, false);
      await this.enqueue(() => this.relayout());
      this.keepInPlace(name, el);
    }
    this.renderStatus();
    this.saveState();
  }

  /** Pans so that the element that was opened or closed keeps its top-left corner on screen. */
  private keepInPlace(name: string, before: { x: number; y: number } | undefined): void {
    const after = this.scene.abs.get(name);
    if (!before || !after) return;
    const k = this.scene.transform().k;
    this.scene.panBy(-(after.x - before.x) * k, -(after.y - before.y) * k);
  }

  private async openGroups(ids: string[]): Promise<void> {
    await this.fetchGroups(ids);
    let st = this.state;
    for (const id of ids) if (this.groups.has(id)) st = toggleGroup(st, id, true);
    this.state = st;
    await this.enqueue(() => this.relayout());
    this.saveState();
  }

  /** Opens the groups on a node's display path, then centres and selects it. */
  async reveal(name: string, path?: string[]): Promise<void> {
    const g = this.state.graph;
    if (!g) return;
    if (!path) {
      try {
        path = (await api.node(g, name)).path;
      } catch (e) {
        this.renderStatus(`could not find ${name}: ${(e as Error).message}`);
        return;
      }
    }
    const wanted = path.filter((p) => p !== '');
    await this.fetchGroups(wanted);
    this.state = openPath(this.state, wanted.filter((p) => this.groups.has(p)));
    await this.enqueue(() => this.relayout());
    let target = name;
    if (!this.scene.has(target)) target = [...wanted].reverse().find((p) => this.scene.has(p)) ?? name;
    this.scene.centerOn(target);
    this.select(target);
    this.saveState();
  }

  // ---------------------------------------------------------------- phase filter

  private redrawPhase(): void {
    const g = this.graph;
    this.mapped = g
      ? mapPhaseEdges(
          g.phase?.edges ?? [],
          g.phase?.sources ?? [],
          (id) => isExpanded(this.state, id),
          (id) => this.scene.has(id),
        )
      : [];
    this.scene.drawPhase(this.state.mode, this.mapped);
  }

  setMode(mode: PhaseMode): void {
    const t0 = performance.now();
    this.state = setMode(this.state, mode);
    for (const [m, b] of this.modeButtons) b.setAttribute('aria-pressed', String(m === mode));
    this.scene.drawPhase(mode, this.mapped);
    this.root.dataset.phaseMode = mode;
    this.root.dataset.toggleMs = (performance.now() - t0).toFixed(1);
    this.saveState();
  }

  // ---------------------------------------------------------------- selection and inspector

  private onSceneEvent(e: SceneEvent): void {
    switch (e.type) {
      case 'toggle':
        void this.toggle(e.name);
        break;
      case 'select':
        this.select(e.name);
        break;
      case 'badge':
        this.select(e.name);
        break;
      case 'phase-edge':
        this.scene.selectPhaseEdge(e.from, e.to);
        this.inspector.showPhaseEdge(e.source, e.to, e.layers, this.phaseText());
        break;
      case 'background':
        break;
    }
  }

  select(name: string | null): void {
    this.state = { ...this.state, selected: name };
    this.scene.select(name);
    if (!name) {
      this.inspector.hide();
      this.saveState();
      return;
    }
    const c = this.scene.children.get(name) ?? null;
    void this.inspect(name, c);
    this.saveState();
  }

  private async inspect(name: string, c: Child | null): Promise<void> {
    const g = this.state.graph;
    if (!g) return;
    const kind = (l: string) => this.layerKinds.get(l);
    if (c?.type === 'group') {
      this.inspector.showGroup(name, c, null, kind, this.phaseText(), this.consumersOf(name, c));
      // A scope can also be an op (`keras_learning_phase` holds the op of that name): add its details.
      // Asked only when known, so plain scopes cost no 404 in the console.
      const isOp =
        (this.graph?.phase?.sources ?? []).some((x) => x.name === name) || !!this.groups.get(name)?.children.some((k) => k.name === name);
      if (!isOp) return;
      try {
        const n = await api.node(g, name);
        if (this.state.selected === name) this.inspector.showGroup(name, c, n, kind, this.phaseText(), this.consumersOf(name, c));
      } catch {
        /* a plain scope */
      }
      return;
    }
    this.inspector.loading(name);
    try {
      const n = await api.node(g, name);
      if (this.state.selected === name) this.inspector.showNode(n, c, kind, this.phaseText(), this.consumersOf(name, c));
    } catch (e) {
      if (this.state.selected === name) this.inspector.showError(name, (e as Error).message);
    }
  }

  /** The layers that read a phase source drawn as `name` (a source op or the group holding it). */
  private consumersOf(name: string, c: Child | null): string[] {
    if (c && c.phase?.role !== 'source') return [];
    const src = this.graph?.phase?.sources.find((x) => x.name === name || x.path[x.path.length - 1] === name);
    return src?.consumers ?? [];
  }

  /** The server's sentence for a layer reading a flag when it sent one, else the frontend's. */
  private phaseText(): PhaseText {
    return {
      kind: (l) => this.layerKinds.get(l),
      explain: (source, layer) => this.layerExplanations.get(layer) ?? explainPhaseEdge(source, layer, this.layerKinds.get(layer)),
    };
  }

  private saveState(): void {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, encodeState(this.state));
    } catch {
      /* ignore */
    }
  }
}

function omittedCount(g: GroupAnswer): number {
  const o = g.omitted as { count?: number } | number | undefined;
  if (!g.truncated || o == null) return 0;
  return typeof o === 'number' ? o : (o.count ?? 0);
}
