// What the user does to the graph, step by step: load a graph, open and close groups, reveal a node,
// select, switch the phase filter, run as one phase. Each step asks the session for data and layouts, then tells the scene
// and the panels what to show, through their public methods.

import { api, ApiError, graphLabel, type Child, type GraphAnswer, type GraphRef, type NodeAnswer } from './graph/api';
import { EDGE_KINDS, kindState, type KindState } from './graph/kinds';
import { addMove, coveringMove, loadMoves, removeMove, sameMoves, saveMoves, scopeInArea } from './graph/moves';
import { mapPhaseEdges, visibleEnd, type MappedPhaseEdge } from './graph/phasemap';
import type { GraphSession } from './graph/session';
import { isExpanded, runAsOf, sameGraph, type PhaseMode, type RunAs, type ViewState } from './graph/state';
import { displayLabel } from './layout/input';
import type { AnswerLine } from './panels/answerline';
import type { Inspector } from './panels/inspector';
import type { LegendFilter } from './panels/legend';
import type { MessageBox } from './panels/message';
import type { SearchBox } from './panels/search';
import type { StatusBar } from './panels/statusbar';
import type { Toolbar } from './panels/toolbar';
import { firstViewFrame } from './scene/firstview';
import { layoutExtent } from './scene/params';
import type { Scene } from './scene/scene';
import type { Links } from './share/links';
import { namePrefixes } from './share/linkcodec';
import { localStore } from './share/notes';

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
  answer: AnswerLine;
  legend: LegendFilter;
}

/** Roles PhaseView folds into the machinery's areas. */
const MACHINERY = new Set(['init', 'gradient', 'optimizer', 'summary', 'save']);

/** What the inspector offers for a box: move it (an op, or a scope with every op below it) to the model, or back. */
interface MoveOffer {
  action: 'move-to-model' | 'move-back';
  /** The name moved (or moved back): an op, or a scope. */
  entry: string;
  group: boolean;
}

/** How long after a click a second one makes a double-click (browsers default to 500 ms; most users are faster). */
const DOUBLE_CLICK_MS = 400;
/** Graphs tried in turn when the first one of the log directory cannot be read. */
const MAX_GRAPHS_TRIED = 10;
/** Ops that feed a graph from outside: the first view opens on them when the graph has no flag. */
const INPUT_OPS = new Set([
  'Placeholder',
  'PlaceholderWithDefault',
  '_Arg',
  'IteratorGetNext',
  'IteratorGetNextSync',
  'input',
]);

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
    if (restore) {
      this.setMode(restore.mode);
      this.p.session.setRunAs(runAsOf(restore));
    }
    message.show('Loading runs…', undefined, true);
    const last = restore ? null : session.lastViewed();
    try {
      // With nothing to restore and no graph viewed before, the server picks the graph to open (the one whose
      // flag the most layers read) and starts reading it at once.
      await session.refreshRuns(!this.pendingRestore && !last);
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
    const wanted = this.pendingRestore?.graph ?? last ?? session.runs?.first;
    const g = (wanted && graphs.find((x) => sameGraph(x, wanted))) || graphs[0];
    if (!wanted || !sameGraph(g, wanted)) this.pendingRestore = null;
    if ((await this.loadGraph(g)) !== 'failed' || this.pendingRestore) return;
    // The first graph cannot be read (a corrupt graph, or a run TensorBoard's data server refuses): open the next
    // one that can, and say which were passed over. A graph asked for by a link or a saved view shows its error.
    const skipped = [g];
    for (const next of graphs.slice(graphs.indexOf(g) + 1, graphs.indexOf(g) + MAX_GRAPHS_TRIED)) {
      const outcome = await this.loadGraph(next);
      if (outcome === 'superseded') return;
      if (outcome === 'drawn') {
        const names = skipped.map((x) => `${x.run} · ${graphLabel(x)}`).join(', ');
        this.p.status.render(
          this.p.session.graph,
          `opened the first graph that could be read; could not read ${names} (pick it above for the reason)`,
        );
        return;
      }
      skipped.push(next);
    }
  }

  private showNoGraphs(): void {
    this.p.root.dataset.ready = 'false';
    const configs = this.p.session.runs?.model_config_only ?? [];
    if (configs.length) {
      const runs = configs.length === 1 ? `Run ${configs[0]}` : `Runs ${configs.join(', ')}`;
      this.p.message.show(
        'No op graph, only Keras’s model config',
        `${runs} ${this.p.session.runs?.model_config_note}.`,
      );
      return;
    }
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
      else this.showNoGraphs(); // what was logged since may say why there is none (Keras's model config)
      return;
    }
    this.p.toolbar.fillPickers(session.runs, this.state.graph);
    if (!graphs.some((g) => sameGraph(g, this.state.graph))) {
      if (graphs.length === 0) this.showNoGraphs();
      else
        this.p.message.show(
          'This graph is gone',
          'The run or graph is no longer in the log directory; pick another one above.',
        );
    }
  }

  /** Opens the first graph of a run. */
  pickRun(run: string): void {
    const r = this.p.session.runs?.runs.find((x) => x.run === run);
    if (r && r.graphs[0]) void this.loadGraph(r.graphs[0]);
  }

  /** Loads and draws a graph: 'drawn' (or empty), 'failed' when it could not be read or laid out (the message
   * says why), 'superseded' when another graph was asked for meanwhile. */
  async loadGraph(ref: GraphRef): Promise<'drawn' | 'failed' | 'superseded'> {
    const { root, session, scene, message, status } = this.p;
    // What the user moved to the model in this graph, kept in this browser (or just brought by a link).
    ref = { run: ref.run, kind: ref.kind, tag: ref.tag, model: loadMoves(localStore(), ref) };
    root.dataset.moved = String(ref.model?.length ?? 0);
    const seq = session.begin(ref);
    root.dataset.ready = 'false';
    this.mapped = [];
    scene.markRuns(null);
    status.setRunAs('');
    root.dataset.runAs = 'both';
    this.p.toolbar.showRunAs(runAsOf(this.state), false);
    scene.draw(session.model());
    scene.drawPhase('collapse', []);
    this.p.inspector.hide();
    this.p.search.hide();
    this.p.answer.render(null);
    this.p.toolbar.fillPickers(session.runs, this.state.graph);
    status.render(session.graph);
    const started = performance.now();
    const title = `Loading ${ref.run} (${graphLabel(ref)})…`;
    message.show(title, 'Reading the graph on the server.', true);
    const tick = window.setInterval(() => {
      const secs = Math.round((performance.now() - started) / 1000);
      if (session.isCurrent(seq) && !session.graph)
        message.show(
          title,
          `Reading and analysing the graph on the server: ${secs} s. Large graphs are parsed once and then cached.`,
          true,
        );
    }, 1000);
    let g: GraphAnswer | null;
    try {
      g = await session.fetchGraph(ref, seq);
    } catch (e) {
      window.clearInterval(tick);
      if ((e as Error).name === 'AbortError' || !session.isCurrent(seq)) return 'superseded';
      const code = e instanceof ApiError && e.status ? ` (HTTP ${e.status})` : '';
      message.show(`Could not load this graph${code}`, `${ref.run} · ${graphLabel(ref)}`, false, (e as Error).message);
      return 'failed';
    }
    window.clearInterval(tick);
    if (!g) return 'superseded';
    const fetchedMs = performance.now() - started;
    this.forgetStaleMoves(ref, g);
    this.applyKinds();
    const omitted = g.root.truncated ? (g.root.omitted?.count ?? 0) : 0;
    if (g.root.children.length === 0) {
      message.show('This graph is empty', `${ref.run} · ${graphLabel(ref)} has no nodes.`);
      status.render(g);
      return 'drawn';
    }
    message.show(title, `Laying out ${g.root.children.length.toLocaleString('en-US')} top-level items…`, true);
    // The answer first: it can be read while the layout runs, and it takes its height from the stage, which is
    // measured now, before the drawing is in the page (measured after, it forced a layout of the whole drawing).
    this.p.answer.render(g);
    status.render(g);
    const view = scene.viewport(true);
    // A trace's model sits a few groups down (`graph_22/StatefulPartitionedCall/model_1`): opened at once, unless
    // a saved view or a link says what is open.
    const restoring = this.pendingRestore !== null && sameGraph(this.pendingRestore.graph, ref);
    if (!restoring && g.opened?.length) {
      await session.open(g.opened);
      if (!session.isCurrent(seq)) return 'superseded';
    }
    try {
      await this.relayout();
    } catch (e) {
      if (!session.isCurrent(seq)) return 'superseded';
      message.show('Could not lay out this graph', undefined, false, (e as Error).message);
      return 'failed';
    }
    if (!session.isCurrent(seq)) return 'superseded';
    message.hide();
    const tf = performance.now();
    this.frameFirstView(view);
    root.dataset.fitMs = (performance.now() - tf).toFixed(0);
    root.dataset.ready = 'true';
    root.dataset.readyAt = performance.now().toFixed(1);
    root.dataset.firstViewMs = String(Math.round(performance.now() - started));
    const shown = g.root.children.length;
    status.render(
      g,
      (omitted
        ? `top level shows ${shown.toLocaleString('en-US')} of ${(shown + omitted).toLocaleString('en-US')} items (use search) · `
        : '') + `first view in ${Math.round(performance.now() - started)} ms (server ${Math.round(fetchedMs)} ms)`,
    );
    session.save();
    this.p.toolbar.showRunAs(runAsOf(this.state), this.hasFlag());
    this.p.toolbar.enableModes(this.hasFlag());
    void this.applyRunAs();
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
    return 'drawn';
  }

  /**
   * The first view of a graph: at a zoom where every label can be read, on the flag and the layers nearest
   * it, or, when it has no flag, on the model's layers it opened down to or on the graph's inputs (Fit shows
   * the whole graph).
   */
  private frameFirstView(view: { w: number; h: number }): void {
    const { session, scene } = this.p;
    const g = session.graph;
    if (!g) return;
    const isOpen = (id: string) => isExpanded(this.state, id);
    const flag = g.answer?.flag ?? null;
    const flagEnd = flag ? visibleEnd(flag, session.sourcePath(flag) ?? [], isOpen, (id) => scene.has(id)) : null;
    // The flag's readers as drawn: the phase edges were just mapped onto this drawing (one walk of every
    // op-level edge's path is enough; at 200k nodes there are thousands).
    const ends = flag ? this.mapped.filter((m) => m.source === flag).map((m) => m.to) : [];
    // The boxes marked φ (a layer, or a group holding layers) answer the question; a gradient scope that reads
    // the flag too does not, so it is framed only when no layer is drawn.
    const marked = ends.filter((n) => ['layer', 'contains'].includes(scene.children.get(n)?.phase?.role ?? ''));
    const readers = marked.length ? marked : ends;
    const root = session.group('');
    const hasInput = new Set((root?.edges ?? []).map((e) => e.to));
    const feeds = new Set((root?.edges ?? []).filter((e) => e.kind === 'data').map((e) => e.from));
    const children = root?.children ?? [];
    let inputs = children.filter((c) => c.type === 'op' && INPUT_OPS.has(c.op ?? '')).map((c) => c.name);
    if (inputs.length === 0)
      inputs = children.filter((c) => feeds.has(c.name) && !hasInput.has(c.name)).map((c) => c.name);
    const areas = (g.areas ?? []).map((a) => a.group);
    const rootLayout = session.rootLayout();
    const last = g.opened?.[g.opened.length - 1];
    const model = last && isOpen(last) ? last : null;
    const frame = firstViewFrame(
      {
        boxes: scene.abs,
        flag: flagEnd,
        readers: [...new Set(readers)],
        inputs,
        model,
        areas,
        extent: rootLayout ? layoutExtent(rootLayout) : undefined,
      },
      view,
    );
    if (frame) scene.centreAt(frame.cx, frame.cy, frame.k, view);
    else scene.fit(session.rootLayout(), view);
    this.p.root.dataset.firstView = JSON.stringify({
      flag: flagEnd,
      readers: [...new Set(readers)].length,
      model,
      frame,
      view,
    });
  }

  /** [Show the flag]: opens the groups it is drawn in, selects it and brings it into view. */
  showFlag(name: string): void {
    void this.reveal(name, this.p.session.sourcePath(name));
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
    // Said by its label (a bucket's id, `…3`, says nothing), with the seconds it has taken once it takes one:
    // a large graph's first group waits for the server to index every group.
    const label = displayLabel(scene.children.get(name)?.label || name, 60);
    const started = performance.now();
    const opening = () => {
      const secs = Math.floor((performance.now() - started) / 1000);
      status.render(session.graph, `opening ${label}…${secs ? ` ${secs} s` : ''}`);
    };
    if (want) opening();
    const tick = want ? window.setInterval(opening, 1000) : 0;
    const failed = await session.toggle(name, want).finally(() => window.clearInterval(tick));
    if (failed) {
      status.render(session.graph, `could not open ${failed}`);
      return;
    }
    await this.relayout();
    this.keepInPlace(name, before);
    // Closed too: a group closed by a key or from the inspector may have had its top-left corner off screen (a
    // box larger than the screen), and the closed box stood there, cut by the side.
    scene.reveal(name);
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
    this.p.legend.showDrawn(scene.drawPhase(this.state.mode, this.mapped, session.readers()));
  }

  setMode(mode: PhaseMode): void {
    const { root, session, scene } = this.p;
    // A graph without a flag has nothing to highlight (Highlight would only dim the whole graph).
    if (mode !== 'collapse' && session.graph && !this.hasFlag()) return;
    const t0 = performance.now();
    session.setMode(mode);
    this.p.toolbar.showMode(mode);
    const drawn = scene.drawPhase(mode, this.mapped, session.readers());
    this.p.legend.showMode(mode);
    this.p.legend.showDrawn(drawn);
    root.dataset.toggleMs = (performance.now() - t0).toFixed(1);
  }

  // ---------------------------------------------------------------- run as one phase

  private hasFlag(): boolean {
    return (this.p.session.graph?.phase?.sources?.length ?? 0) > 0;
  }

  /** Runs the view as both phases, training (`true`) or inference (`false`): ghosts what does not run then. */
  async setRunAs(runAs: RunAs): Promise<void> {
    if (runAs !== 'both' && !this.hasFlag()) return;
    this.p.session.setRunAs(runAs);
    this.p.toolbar.showRunAs(runAs, this.hasFlag());
    await this.applyRunAs();
  }

  /** Asks the server what runs (once per graph) and marks the scene; `data-run-as` says when it is done. */
  private async applyRunAs(): Promise<void> {
    const { root, session, scene, status } = this.p;
    const runAs = runAsOf(this.state);
    const graph = this.state.graph;
    if (runAs === 'both' || !this.hasFlag()) {
      scene.markRuns(null);
      status.setRunAs('');
      root.dataset.runAs = 'both';
      return;
    }
    const phase = runAs === 'true' ? 'training' : 'inference';
    status.setRunAs(`finding what runs in ${phase}…`);
    let answer;
    try {
      answer = await session.fetchPhaseRuns();
    } catch (e) {
      if (runAsOf(this.state) === runAs && sameGraph(graph, this.state.graph))
        status.setRunAs(`could not find what runs in ${phase}: ${(e as Error).message}`);
      return;
    }
    if (runAsOf(this.state) !== runAs || !sameGraph(graph, this.state.graph)) return;
    const side = answer.phases[runAs];
    scene.markRuns({
      nodes: new Set(side.nodes),
      groups: new Set(side.groups),
      layers: new Map(Object.entries(side.layers)),
      short: new Map(Object.entries(side.layers_short ?? {})),
      partial: new Map(Object.entries(side.partial ?? {})),
      unused: new Set(side.unused ?? []),
      passThrough: new Set(side.pass_through ?? []),
    });
    status.setRunAs(side.summary, answer.warnings);
    root.dataset.runAs = runAs;
  }

  // ---------------------------------------------------------------- the legend filter

  /** Draws, dims or hides one edge kind: the scene switches that kind's edge containers alone, so nothing is
   * laid out or redrawn and no other element is restyled. The root keeps the state as a test hook
   * (`data-kind-<kind>`), which no style follows. */
  setKind(kind: string, state: KindState): void {
    const { root, session, scene } = this.p;
    const t0 = performance.now();
    session.setKind(kind, state);
    scene.setKindStates({ [kind]: state });
    root.setAttribute(`data-kind-${kind}`, state);
    this.p.legend.render(session.graph, this.state.kinds, this.state.mode);
    root.dataset.toggleMs = (performance.now() - t0).toFixed(1);
  }

  /** Puts every kind's state of the view on the root (after a load or a restore). */
  applyKinds(): void {
    const states = Object.fromEntries(
      EDGE_KINDS.filter((k) => k !== 'phase').map((k) => [k, kindState(this.state.kinds, k)]),
    );
    this.p.scene.setKindStates(states);
    for (const [kind, state] of Object.entries(states)) this.p.root.setAttribute(`data-kind-${kind}`, state);
    this.p.legend.render(this.p.session.graph, this.state.kinds, this.state.mode);
  }

  /** A click on an edge between two boxes: the op-level edges behind it, by kind, each with its sentence. */
  async inspectEdge(from: string, to: string): Promise<void> {
    const { inspector, scene } = this.p;
    const g = this.state.graph;
    if (!g) return;
    scene.select(null);
    // A machinery area is said by its title (gradients), not its id (∷gradient); a group inside one by its own name
    // (Placeholder_[1-23], not ∷init/Placeholder_[1-23]).
    const areas = this.p.session.graph?.areas ?? [];
    const titles = new Map(areas.map((a) => [a.group, a.title ?? a.group]));
    const title = (name: string) => {
      const area = areas.find((a) => name.startsWith(a.group + '/'));
      return titles.get(name) ?? (area ? name.slice(area.group.length + 1) : name);
    };
    const parts = `${title(from)} ↔ ${title(to)}`;
    inspector.loading(parts);
    try {
      inspector.showWhy(await api.why(g, from, to), title, (kind) => this.whatHides(kind));
    } catch (e) {
      inspector.showError(parts, (e as Error).message);
    }
  }

  /** What keeps the edges of a kind from being drawn plainly now: the phase filter or the legend filter. */
  private whatHides(kind: string): { state: 'dimmed' | 'hidden'; sentence: string } | null {
    if (kind === 'phase')
      return this.state.mode === 'collapse'
        ? {
            state: 'hidden',
            sentence:
              'Not drawn: the phase filter is on Collapse. Highlight or Show (or the phase control in the status bar) draws them.',
          }
        : null;
    const state = kindState(this.state.kinds, kind);
    if (state === 'hidden')
      return {
        state,
        sentence: `Not drawn: the legend filter hides ${kind} edges. Click ${kind} in the status bar to draw them.`,
      };
    if (state === 'dimmed') return { state, sentence: `Drawn dimmed: the legend filter dims ${kind} edges.` };
    return null;
  }

  // ---------------------------------------------------------------- selection and inspector

  private pendingPan = 0;

  /** Selects a box; `pointer`: it was clicked, so a second click may follow (a double-click opens a group). */
  select(name: string | null, pointer = false): void {
    const { session, scene, inspector } = this.p;
    session.select(name);
    scene.select(name);
    window.clearTimeout(this.pendingPan);
    if (!name) {
      inspector.hide();
      return;
    }
    void this.inspect(name, scene.children.get(name) ?? null);
    // The inspector takes the right of the stage: a box selected near that edge would end up behind it. After a
    // click the view moves only once a double-click can no longer come, so the second click lands on the box.
    const clicked = scene.transform();
    const bring = () => {
      // A user who panned or zoomed since the click has put the view where they want it.
      const now = scene.transform();
      if (pointer && (now.x !== clicked.x || now.y !== clicked.y || now.k !== clicked.k)) return;
      const box = scene.abs.get(name);
      const { w, h } = scene.viewport(true);
      const k = scene.transform().k;
      if (this.state.selected === name && box && box.w * k < w - 40 && box.h * k < h - 40) scene.bringIntoView([box]);
    };
    if (pointer) this.pendingPan = window.setTimeout(bring, DOUBLE_CLICK_MS);
    else bring();
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
      inspector.showGroup(name, c, null, text, session.consumersOf(name, c), session.opOf(name, c));
      this.offerMove(name, c, null);
      void this.addBoundary(name);
      // A scope can also be an op (`keras_learning_phase` holds the op of that name): add its details.
      // Asked only when known, so plain scopes cost no 404 in the console.
      if (!session.isOpToo(name, c)) return;
      try {
        // In a machinery area the group `∷optimizer/global_step` is the op `global_step`.
        const n = await session.nodeInfo(c.op_name ?? name);
        if (this.state.selected === name) {
          inspector.showGroup(name, c, n, text, session.consumersOf(name, c), n.op);
          this.offerMove(name, c, n);
        }
      } catch {
        /* a plain scope */
      }
      return;
    }
    inspector.loading(name);
    try {
      const n = await session.nodeInfo(name);
      if (this.state.selected === name) {
        inspector.showNode(n, c, text, session.consumersOf(name, c));
        this.offerMove(name, c, n);
      }
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

  // ---------------------------------------------------------------- moving to the model

  /** What the inspector offers for a box: to the model when PhaseView drew it apart, back when the user moved it. */
  private moveOffer(name: string, c: Child | null, n: NodeAnswer | null): MoveOffer | null {
    if (c?.area || c?.bucket) return null;
    const moves = this.state.graph?.model ?? [];
    const group = c?.type === 'group';
    const by = n?.moved_by ?? c?.moved ?? coveringMove(moves, name);
    if (by && moves.includes(by)) return { action: 'move-back', entry: by, group };
    const areas = this.p.session.graph?.areas ?? [];
    const scope = group ? scopeInArea(name, areas) : null;
    if (scope) return { action: 'move-to-model', entry: scope + '/', group };
    if (group || !n) return null;
    const inArea = areas.some((a) => n.path[0] === a.group);
    return MACHINERY.has(n.role ?? '') || inArea ? { action: 'move-to-model', entry: n.name, group } : null;
  }

  private offerMove(name: string, c: Child | null, n: NodeAnswer | null): void {
    const offer = this.moveOffer(name, c, n);
    if (!offer) return;
    const { entry } = offer;
    const ops = (k: number) => `${k.toLocaleString('en-US')} op${k === 1 ? '' : 's'}`;
    let sentence: string;
    if (offer.action === 'move-back') {
      const moved = this.p.session.graph?.moved?.entries.find((e) => e.name === entry);
      const was = moved ? Object.keys(moved.roles).join(', ') : '';
      sentence =
        `You moved ${entry === name || entry === name + '/' ? 'this' : `\`${entry}\``} to the model` +
        (moved ? ` (${ops(moved.ops)} PhaseView had as ${was})` : '') +
        '. Move back to draw it where PhaseView put it.';
    } else if (offer.group)
      sentence = `PhaseView folds the ${ops(c?.size ?? 0)} of scope \`${entry}\` into the machinery. If they are part of the model, move the scope (every op below it) to the model; kept for this graph in this browser and in links.`;
    else
      sentence = `PhaseView folds this op into the machinery (${n?.role ?? ''}). If it is part of the model, move it there; kept for this graph in this browser and in links.`;
    this.p.inspector.addMove(
      name,
      { action: offer.action, label: offer.action === 'move-back' ? 'Move back' : 'Move to model', sentence },
      () => void this.move(offer, name),
    );
  }

  /** Names kept for this graph that move nothing in it (the graph was logged again without them) are forgotten, so
   * none lingers in the status bar without a box to move it back from. The view drawn is the same without them. */
  private forgetStaleMoves(ref: GraphRef, g: GraphAnswer): void {
    const stale = new Set((g.moved?.entries ?? []).filter((e) => e.ops === 0).map((e) => e.name));
    if (stale.size)
      saveMoves(
        localStore(),
        ref,
        (ref.model ?? []).filter((m) => !stale.has(m)),
      );
  }

  /** Moves `offer.entry` to the model or back, draws the graph again as the server now folds it, and shows the
   * selected box (`name`) where it is now drawn. */
  async move(offer: MoveOffer, name: string): Promise<void> {
    const { root, session, status } = this.p;
    const g = this.state.graph;
    if (!g) return;
    const before = g.model ?? [];
    const moves = offer.action === 'move-to-model' ? addMove(before, offer.entry) : removeMove(before, offer.entry);
    if (sameMoves(moves, before)) return;
    // Back in an area: the one of the role most of its ops had (the server said it with the move).
    const moved = session.graph?.moved?.entries.find((e) => e.name === offer.entry);
    const role = Object.entries(moved?.roles ?? {}).sort((a, b) => b[1] - a[1])[0]?.[0];
    // The selected group as a scope (`∷save/save` stands for `save`), read before the answer without that area.
    const scope = scopeInArea(name, session.graph?.areas ?? []) ?? name;
    const expanded = [...this.state.expanded];
    const ref: GraphRef = { run: g.run, kind: g.kind, tag: g.tag, model: moves };
    const seq = session.redraw(ref);
    root.dataset.ready = 'false';
    root.dataset.moving = offer.action;
    status.render(
      session.graph,
      offer.action === 'move-to-model' ? `moving ${offer.entry} to the model…` : `moving ${offer.entry} back…`,
    );
    let answer: GraphAnswer | null;
    try {
      answer = await session.fetchGraph(ref, seq);
    } catch (e) {
      if (!session.isCurrent(seq)) return;
      // The moves stay as they were: draw the graph with them again.
      status.render(null, `could not move ${offer.entry}: ${(e as Error).message}`);
      void this.loadGraph(g);
      return;
    }
    if (!answer) return;
    saveMoves(localStore(), g, moves);
    root.dataset.moved = String(moves.length);
    this.applyKinds();
    this.p.answer.render(answer);
    await session.open(expanded);
    await this.relayout();
    if (!session.isCurrent(seq)) return;
    let target = name;
    let path: string[] | undefined;
    if (offer.group && offer.action === 'move-to-model') {
      // The scope is drawn under its own name; the selected group may be the area's copy of a scope below it.
      target = scope;
      path = namePrefixes(target);
    } else if (offer.group) {
      const area = (answer.areas ?? []).find((a) => a.role === role)?.group;
      if (area) {
        target = `${area}/${name}`;
        path = [area, ...namePrefixes(name).map((p) => `${area}/${p}`)];
      }
    }
    await this.reveal(target, path);
    status.render(answer);
    delete root.dataset.moving;
    root.dataset.ready = 'true';
    void this.applyRunAs();
    session.save();
  }
}
