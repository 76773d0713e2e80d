// The session: the runs, the graph on screen, its view state, and the groups and layouts loaded for it.
// It fetches a group only when it is opened, lays out each open group in the worker (from its cache when
// nothing in it changed), and keeps the view state in session storage. No DOM.

import { LayoutClient } from '../layout/client';
import { buildLayoutInput, expandedSize, inputSignature, type LayoutResult, type Size } from '../layout/input';
import {
  api,
  type Child,
  type EarlyRequests,
  type GraphAnswer,
  type GraphRef,
  type GroupAnswer,
  type NodeAnswer,
  type PhaseRunsAnswer,
  type RunsAnswer,
} from './api';
import type { KindState } from './kinds';
import { completePhasePaths } from './phasemap';
import {
  decodeState,
  encodeState,
  initialState,
  isExpanded,
  openPath,
  sameGraph,
  selectGraph,
  setKind,
  setMode,
  setRunAs,
  toggleGroup,
  type PhaseMode,
  type RunAs,
  type ViewState,
} from './state';
import { LAST_GRAPH_KEY, STORAGE_KEY, lastViewedGraph, savedViewText } from './visit';

export class GraphSession {
  runs: RunsAnswer | null = null;
  graph: GraphAnswer | null = null;
  private view: ViewState = initialState();
  private groups = new Map<string, GroupAnswer>();
  private layoutCache = new Map<string, { sig: string; result: LayoutResult }>();
  private layouts = new Map<string, LayoutResult>();
  private layerTexts = new Map<string, string>();
  private sourceTexts = new Map<string, string>();
  /** What runs in each phase, asked for the graph on screen the first time the view runs as one phase. */
  private phaseRuns: Promise<PhaseRunsAnswer> | null = null;
  private loadSeq = 0;
  private graphAbort: AbortController | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** The entry module's requests, sent before the app was loaded (`index.ts`): each is taken (set to null) by the
   * first request of its kind, and used when it asked the same. */
  private earlyRuns: { prefetch: boolean; sent: Promise<Response> } | null;
  private earlyGraph: EarlyRequests['graph'];

  constructor(
    private layout: LayoutClient,
    early: EarlyRequests | null = null,
  ) {
    this.earlyRuns = early?.runs ? { prefetch: early.prefetch, sent: early.runs } : null;
    this.earlyGraph = early?.graph ?? null;
  }

  get state(): ViewState {
    return this.view;
  }

  /** What the scene draws: the loaded groups, their layouts, and which groups are open. */
  model() {
    return { groups: this.groups, layouts: this.layouts, isOpen: (id: string) => isExpanded(this.view, id) };
  }

  rootLayout(): LayoutResult | undefined {
    return this.layouts.get('');
  }

  group(id: string): GroupAnswer | undefined {
    return this.groups.get(id);
  }

  allGraphs(): GraphRef[] {
    return (this.runs?.runs ?? []).flatMap((r) => r.graphs);
  }

  // ---------------------------------------------------------------- view state

  setMode(mode: PhaseMode): void {
    this.view = setMode(this.view, mode);
    this.save();
  }

  setRunAs(runAs: RunAs): void {
    this.view = setRunAs(this.view, runAs);
    this.save();
  }

  setKind(kind: string, state: KindState): void {
    this.view = setKind(this.view, kind, state);
    this.save();
  }

  select(name: string | null): void {
    this.view = { ...this.view, selected: name };
    this.save();
  }

  setColour(colour: string): void {
    if ((this.view.colour ?? 'role') === colour) return;
    this.view = { ...this.view, colour: colour === 'role' ? undefined : colour };
    this.save();
  }

  /** The view saved in this browser tab, if any. */
  saved(): ViewState | null {
    const saved = savedViewText();
    return saved ? decodeState(saved) : null;
  }

  save(): void {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, encodeState(this.view));
      if (this.view.graph) window.localStorage.setItem(LAST_GRAPH_KEY, JSON.stringify(this.view.graph));
    } catch {
      /* ignore */
    }
  }

  /** The graph last viewed in this browser, on an earlier visit or in another tab. */
  lastViewed(): GraphRef | null {
    return lastViewedGraph();
  }

  // ---------------------------------------------------------------- runs and graphs

  /** Lists the runs again; true when the list changed. */
  async refreshRuns(prefetch = false): Promise<boolean> {
    const early = this.earlyRuns;
    this.earlyRuns = null;
    const runs = await api.runs(prefetch, undefined, early?.prefetch === prefetch ? early.sent : undefined);
    const before = JSON.stringify(this.runs);
    this.runs = runs;
    return JSON.stringify(runs) !== before;
  }

  /** Starts on another graph: forgets the last one's groups and layouts. Returns the load's number. */
  begin(ref: GraphRef): number {
    const seq = ++this.loadSeq;
    this.graphAbort?.abort();
    this.graphAbort = new AbortController();
    this.view = selectGraph(this.view, ref);
    this.graph = null;
    this.phaseRuns = null;
    this.groups.clear();
    this.layoutCache.clear();
    this.layouts.clear();
    return seq;
  }

  /** The graph on screen again, with other moves to the model (`ref.model`): forgets its groups (the server
   * draws them anew) and keeps the view; the caller opens the groups again. Returns the load's number. */
  redraw(ref: GraphRef): number {
    const seq = ++this.loadSeq;
    this.graphAbort?.abort();
    this.graphAbort = new AbortController();
    this.view = { ...this.view, graph: ref, expanded: new Set() };
    this.phaseRuns = null;
    this.groups.clear();
    this.layouts.clear();
    return seq;
  }

  /** True while load `seq` is the latest one. */
  isCurrent(seq: number): boolean {
    return seq === this.loadSeq;
  }

  /** Fetches the graph of load `seq`; null when another load started meanwhile. */
  async fetchGraph(ref: GraphRef, seq: number): Promise<GraphAnswer | null> {
    const pending = this.earlyGraph;
    this.earlyGraph = null;
    const early = pending ? await pending : null;
    const g = await api.graph(
      ref,
      this.graphAbort?.signal,
      // The entry module asked without moves: its answer serves a graph the user moved nothing in.
      early && sameGraph(early.ref, ref) && !ref.model?.length ? early.sent : undefined,
    );
    if (!this.isCurrent(seq)) return null;
    this.graph = g;
    this.groups.set('', { ...g.root, group: '' });
    this.layerTexts = new Map((g.phase?.layers ?? []).map((l) => [l.layer, l.explanation]));
    this.sourceTexts = new Map((g.phase?.sources ?? []).map((s) => [s.name, s.explanation]));
    return g;
  }

  /** Fetches the groups not loaded yet; returns `group: error` for those that failed. */
  async fetchGroups(ids: string[]): Promise<string[]> {
    const g = this.view.graph;
    if (!g) return [];
    const missing = ids.filter((id) => id !== '' && !this.groups.has(id));
    const failed: string[] = [];
    await Promise.all(
      missing.map(async (id) => {
        try {
          const ans = await api.group(g, id);
          if (sameGraph(g, this.view.graph)) {
            this.groups.set(id, ans);
            if (ans.phase_paths) completePhasePaths(this.graph?.phase?.edges ?? [], ans.phase_paths);
          }
        } catch (e) {
          failed.push(`${id}: ${(e as Error).message}`);
        }
      }),
    );
    return failed;
  }

  /** Opens (after fetching it) or closes one group; returns why it could not be opened, or null. */
  async toggle(name: string, open: boolean): Promise<string | null> {
    if (open) {
      const failed = await this.fetchGroups([name]);
      if (failed.length) return failed[0];
    }
    this.view = toggleGroup(this.view, name, open);
    return null;
  }

  /**
   * Opens the groups of `ids` that are drawn once their parents are open, level by level from the root: a group
   * is fetched only when its parent is open and loaded, so names that are not groups of this graph (a stale or
   * crafted list) cost no request.
   */
  async open(ids: string[]): Promise<void> {
    const wanted = new Set(ids);
    let level = [''];
    while (level.length) {
      const next: string[] = [];
      for (const id of level)
        for (const c of this.groups.get(id)?.children ?? [])
          if (c.type === 'group' && wanted.delete(c.name)) next.push(c.name);
      await this.fetchGroups(next);
      level = next.filter((id) => this.groups.has(id));
      let st = this.view;
      for (const id of level) st = toggleGroup(st, id, true);
      this.view = st;
    }
  }

  /** Opens the groups on a display path (those that can be fetched). */
  async openPath(path: string[]): Promise<void> {
    await this.fetchGroups(path);
    this.view = openPath(
      this.view,
      path.filter((p) => this.groups.has(p)),
    );
  }

  // ---------------------------------------------------------------- layout

  /**
   * Lays out every open group, bottom-up; calls are run one after another. Returns the time it took (ms),
   * or null when another graph was opened meanwhile (the layouts are then left as they were).
   */
  relayout(): Promise<number | null> {
    const run = this.queue.then(
      () => this.layoutOpenGroups(),
      () => this.layoutOpenGroups(),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Lays out (from cache where nothing changed) every open group, bottom-up. */
  private async layoutOpenGroups(): Promise<number | null> {
    const seq = this.loadSeq;
    const t0 = performance.now();
    const next = new Map<string, LayoutResult>();
    const lay = async (id: string): Promise<LayoutResult> => {
      const ga = this.groups.get(id)!;
      const open = ga.children.filter(
        (c) => c.type === 'group' && isExpanded(this.view, c.name) && this.groups.has(c.name),
      );
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
    await lay('');
    if (seq !== this.loadSeq) return null;
    this.layouts = next;
    return performance.now() - t0;
  }

  /** One op of the graph on screen, with its attributes and edges. */
  nodeInfo(name: string): Promise<NodeAnswer> {
    const g = this.view.graph;
    if (!g) return Promise.reject(new Error('no graph is open'));
    return api.node(g, name);
  }

  // ---------------------------------------------------------------- phase

  /** What runs in each phase for the graph on screen (asked once per graph; a failure is asked again). */
  fetchPhaseRuns(): Promise<PhaseRunsAnswer> {
    const g = this.view.graph;
    if (!g) return Promise.reject(new Error('no graph is open'));
    if (!this.phaseRuns) {
      const asked = api.phaseRuns(g, this.graphAbort?.signal);
      this.phaseRuns = asked;
      asked.catch(() => {
        if (this.phaseRuns === asked) this.phaseRuns = null;
      });
    }
    return this.phaseRuns;
  }

  /** The server's sentences about the flag, by layer and by source. */
  explanations(): { layer(layer: string): string | undefined; source(source: string): string | undefined } {
    return { layer: (l) => this.layerTexts.get(l), source: (s) => this.sourceTexts.get(s) };
  }

  /** The layers that read a phase source drawn as `name` (a source op or the group holding it). */
  consumersOf(name: string, c: Child | null): string[] {
    if (c && c.phase?.role !== 'source') return [];
    const src = this.graph?.phase?.sources.find((x) => x.name === name || x.path[x.path.length - 1] === name);
    return src?.consumers ?? [];
  }

  /** The number of layers that read each flag (the server's count). */
  readers(): Map<string, number> {
    return new Map((this.graph?.phase?.sources ?? []).map((s) => [s.name, s.consumers.length]));
  }

  /** The op type of `name` when it is an op as well as a scope (a phase source or a group holding its op). */
  opOf(name: string, c: Child | null = null): string | null {
    if (c?.type === 'group' && c.op) return c.op;
    const src = (this.graph?.phase?.sources ?? []).find((x) => x.name === name);
    if (src) return src.op;
    return this.groups.get(name)?.children.find((k) => k.name === name)?.op ?? null;
  }

  /** The display path of a flag (the groups it is drawn in). */
  sourcePath(name: string): string[] | undefined {
    return (this.graph?.phase?.sources ?? []).find((x) => x.name === name)?.path;
  }

  /** True when `name` is an op as well as a scope (a phase source, or a group holding an op of its name). */
  isOpToo(name: string, c: Child | null = null): boolean {
    if (c?.type === 'group' && c.op) return true;
    return (
      (this.graph?.phase?.sources ?? []).some((x) => x.name === name) ||
      !!this.groups.get(name)?.children.some((k) => k.name === name)
    );
  }
}
