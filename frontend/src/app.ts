// The PhaseView app: makes the parts, puts them on the page and connects them. Nothing else happens here:
// the steps (load, open, reveal, select) are in viewer.ts, the data in graph/, the drawing in scene/.

import { compareLink, decodeCompare } from './compare/answer';
import { ComparePicker, CompareView } from './compare/view';
import { api, graphKey, type EarlyRequests, type GraphRef } from './graph/api';
import { loadMoves } from './graph/moves';
import { GraphSession } from './graph/session';
import { compareToken } from './graph/visit';
import { DATA_RELOADED, RUNS_CHANGED, TensorBoardIpc } from './host/ipc';
import { CSS } from './host/style';
import { followTheme } from './host/theme';
import { LayoutClient, startLayoutWorker, type StartedWorker } from './layout/client';
import { h } from './lib/dom';
import { AnswerLine } from './panels/answerline';
import { ColourByControl } from './panels/colourby';
import { HelpPanel } from './panels/help';
import { Inspector } from './panels/inspector';
import { bindKeys } from './panels/keys';
import { LegendFilter } from './panels/legend';
import { MessageBox } from './panels/message';
import { SearchBox } from './panels/search';
import { displayName } from './graph/display';
import { StatusBar, movedText } from './panels/statusbar';
import { SummaryPanel } from './panels/summary';
import { Toolbar } from './panels/toolbar';
import { isColourBy } from './scene/colourscale';
import { Scene } from './scene/scene';
import { loadNotes, localStore } from './share/notes';
import { ShareBar } from './share/sharebar';
import { Viewer } from './viewer';

/** How often the runs are listed again while the page is visible (TensorBoard's reload also asks). */
const POLL_MS = 30_000;
/** One arrow key press pans this many screen pixels. */
const PAN_STEP = 80;
const ZOOM_STEP = 1.25;

export class App {
  readonly root: HTMLElement;

  /** `early`, `worker`: the requests the entry module sent and the layout worker it started before this code was
   * loaded, if it did. */
  constructor(
    private host: HTMLElement,
    private early: EarlyRequests | null = null,
    private worker: StartedWorker | null = null,
  ) {
    this.root = h('div', { class: 'pv-root', id: 'phaseview-app', 'data-ready': 'false', 'data-testid': 'phaseview' });
  }

  start(): void {
    const style = document.createElement('style');
    style.textContent = CSS;
    document.head.append(style);
    document.body.style.margin = '0';
    const root = this.root;

    // ---------------------------------------------------------------- the parts
    const worker = this.worker ?? startLayoutWorker(new URL('./layout.worker.js', import.meta.url));
    const session = new GraphSession(new LayoutClient(worker), this.early);
    const stage = h('div', { class: 'pv-stage' });
    const scene = new Scene(stage);
    const message = new MessageBox();
    // Assigned once every part it wires exists; the callbacks above only run after that.
    // eslint-disable-next-line prefer-const
    let viewer: Viewer;
    const search = new SearchBox(
      () => session.state.graph,
      (name, path) => void viewer.reveal(name, path),
    );
    stage.append(message.el, search.results);
    const share = new ShareBar({
      root,
      stage,
      scene,
      state: () => session.state,
      graph: () => session.graph,
      rootLayout: () => session.rootLayout(),
      // Set once the scene is marked (data-run-as), with the server's sentence in the status bar.
      runAs: () => {
        const applied = root.dataset.runAs;
        if (applied !== 'true' && applied !== 'false') return null;
        return {
          phase: applied === 'true' ? 'training' : 'inference',
          summary: status.runAsText,
          drawn: scene.runAsDrawn(),
        };
      },
      // The picture says what its colours mean and how large the model is.
      extraLegend: () => [
        ...(colour.legend.hidden ? [] : [{ kind: 'colour', label: `boxes coloured by ${colour.legend.textContent}` }]),
        ...(summary.totals.textContent ? [{ kind: 'params', label: summary.totals.textContent }] : []),
        // A picture drawn with the user's moves says so: another reader's PhaseView draws those ops apart.
        ...(session.graph?.moved?.ops ? [{ kind: 'moved', label: movedText(session.graph.moved) }] : []),
      ],
      // The summary goes into the picture while its panel is open: what is on screen is what is exported.
      table: () => (summary.isOpen ? summary.exportTable() : null),
    });
    const toolbar = new Toolbar(search, share.toolbar);
    const inspector = new Inspector(
      (name) => void viewer.reveal(name),
      () => viewer.select(null),
    );
    const help = new HelpPanel();
    const status = new StatusBar();
    const answer = new AnswerLine();
    const legend = new LegendFilter();
    const summary = new SummaryPanel();
    status.lead.append(legend.el, summary.totals);
    inspector.extras.push((name) => summary.variables(name));
    const summaryButton = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'summary' }, 'Summary');
    summaryButton.title = "The model's layers, output shapes and parameters (m)";
    summaryButton.addEventListener('click', () => summary.toggle());
    toolbar.el.append(summaryButton);
    const widths = h(
      'button',
      { class: 'pv-btn', type: 'button', 'data-action': 'edge-width', 'aria-pressed': 'true' },
      'Width: tensor size',
    );
    widths.title = 'Edge width by the size of the tensor it carries, or by how many edges it stands for';
    widths.addEventListener('click', () => {
      const on = !scene.widthBySize;
      scene.setWidthBySize(on);
      widths.setAttribute('aria-pressed', String(on));
      widths.textContent = on ? 'Width: tensor size' : 'Width: edge count';
    });
    toolbar.el.append(widths);
    const colour = new ColourByControl();
    toolbar.el.append(colour.select);
    summary.totals.before(colour.legend);
    const compare = new CompareView();
    const picker = new ComparePicker();
    const compareButton = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'compare' }, 'Compare with…');
    compareButton.title = 'Compare this graph with another graph of any run: layers added, removed and changed';
    toolbar.el.append(compareButton, picker.el);
    stage.append(compare.el);
    root.append(
      toolbar.el,
      answer.el,
      h('div', { class: 'pv-main' }, stage, summary.el, inspector.el, help.el),
      status.el,
    );
    this.host.append(root);
    viewer = new Viewer({
      root,
      session,
      scene,
      toolbar,
      status,
      message,
      inspector,
      search,
      links: share.links,
      answer,
      legend,
    });
    followTheme(root);
    // Groups are named as the page names them (an area's title, never its synthetic id).
    const named = (id: string) => displayName(id, session.graph?.areas ?? []);
    inspector.setNamer(named);
    search.named = named;

    // ---------------------------------------------------------------- what each part asks for
    toolbar.on('run', (run) => viewer.pickRun(run));
    toolbar.on('graph', (g) => void viewer.loadGraph(g));
    toolbar.on('mode', (m) => viewer.setMode(m));
    toolbar.on('runAs', (r) => void viewer.setRunAs(r));
    toolbar.on('fit', () => scene.fit(session.rootLayout()));
    toolbar.on('help', () => help.toggle());
    scene.on('toggle', (e) => void viewer.toggle(e.name));
    scene.on('select', (e) => (e.shift ? viewer.selectSecond(e.name) : viewer.select(e.name, true)));
    scene.on('badge', (e) => viewer.select(e.name));
    scene.on('phase-edge', (e) => viewer.inspectPhaseEdge(e.from, e.to, e.source, e.layers));
    answer.on('show-flag', (flag) => viewer.showFlag(flag));
    scene.on('edge', (e) => void viewer.inspectEdge(e.from, e.to));
    legend.on('kind', (e) => viewer.setKind(e.kind, e.state));
    legend.on('mode', (m) => viewer.setMode(m));
    // The summary is asked for once the graph's answer is drawn: the first view never waits for it, and asked
    // with the graph (the scene is cleared then) the server computed it beside the first answer, slowing that.
    let summarised = '';
    let shown = '';
    scene.on('drawn', () => {
      const g = session.state.graph;
      // Moves change what is machinery, so the summary's totals are asked again after one.
      const key = g ? graphKey(g) + JSON.stringify(g.model ?? []) : '';
      if (key !== shown) {
        shown = key;
        summary.set(null);
      }
      if (!g || !session.graph || key === summarised) return;
      summarised = key;
      api.summary(g).then(
        (a) => {
          if (summarised === key) summary.set(a);
        },
        () => summary.set(null),
      );
    });
    summary.on('reveal', ({ name, path }) => {
      void viewer.reveal(name, path);
      summary.select(name);
    });
    scene.on('select', (e) => summary.select(e.name));
    // Colour by: the boxes of every drawn group, painted once their values arrive (kept across redraws).
    const repaint = () => {
      session.setColour(colour.value);
      void colour.fills(session.state.graph, scene.drawnGroups()).then(
        (fills) => scene.paint(fills),
        () => scene.paint(null),
      );
    };
    colour.on('change', repaint);
    scene.on('drawn', () => {
      if (colour.value !== 'role') repaint();
    });

    // ---------------------------------------------------------------- comparing two graphs
    let comparing: { a: GraphRef; b: GraphRef } | null = null;
    const notesOf = (g: GraphRef) => loadNotes(localStore(), g);
    // The graph picked to compare with, with what the user moved to the model in it (as its own view has it).
    const withMoves = (g: GraphRef): GraphRef => ({ ...g, model: loadMoves(localStore(), g) });
    /** Settles once the comparison is drawn or has failed (never rejects). */
    const openCompare = (a: GraphRef, b: GraphRef, sent?: Promise<Response>): Promise<void> => {
      const asked = (comparing = { a, b });
      compare.loading(a, b);
      return api.compare(a, b, undefined, sent).then(
        (answer) => {
          if (comparing === asked) compare.show(answer, { a: notesOf(a), b: notesOf(b) });
        },
        (e: Error) => {
          if (comparing === asked) compare.failed(`These two graphs could not be compared: ${e.message}`);
        },
      );
    };
    compareButton.addEventListener('click', () =>
      picker.open(session.runs?.runs.flatMap((r) => r.graphs) ?? [], session.state.graph),
    );
    picker.on('pick', (b) => {
      if (session.state.graph) openCompare(session.state.graph, withMoves(b));
    });
    compare.on('close', () => (comparing = null));
    compare.on('link', () => {
      if (!comparing) return;
      let url: string;
      try {
        url = compareLink(
          window.parent !== window ? window.parent.location.href : window.location.href,
          comparing.a,
          comparing.b,
        );
      } catch {
        url = compareLink(window.location.href, comparing.a, comparing.b);
      }
      root.dataset.lastCompareLink = url;
      void navigator.clipboard?.writeText(url).catch(() => {});
    });

    bindKeys(document, {
      'pan-left': () => scene.panBy(PAN_STEP, 0),
      'pan-right': () => scene.panBy(-PAN_STEP, 0),
      'pan-up': () => scene.panBy(0, PAN_STEP),
      'pan-down': () => scene.panBy(0, -PAN_STEP),
      'zoom-in': () => scene.zoomBy(ZOOM_STEP),
      'zoom-out': () => scene.zoomBy(1 / ZOOM_STEP),
      fit: () => scene.fit(session.rootLayout()),
      'mode-collapse': () => viewer.setMode('collapse'),
      'mode-highlight': () => viewer.setMode('highlight'),
      'mode-show': () => viewer.setMode('show'),
      'run-both': () => void viewer.setRunAs('both'),
      'run-training': () => void viewer.setRunAs('true'),
      'run-inference': () => void viewer.setRunAs('false'),
      search: () => search.focus(),
      'toggle-group': () => viewer.toggleSelected(),
      'add-note': () => share.notebook.editSelected(),
      'export-png': () => void share.exporter.exportPng(),
      'export-svg': () => void share.exporter.exportSvg(),
      'copy-png': () => void share.exporter.copyPng(),
      'export-scope': () => share.exporter.toggleScope(),
      'copy-link': () => void share.links.copyLink(),
      close: () => {
        if (compare.isOpen) compare.close();
        else if (help.isOpen) help.toggle(false);
        else if (search.isOpen) search.hide();
        else viewer.select(null);
      },
      help: () => help.toggle(),
      summary: () => summary.toggle(),
    });

    // ---------------------------------------------------------------- TensorBoard's reloads
    const refresh = () => void viewer.refreshRuns();
    const ipc = new TensorBoardIpc();
    ipc.listen(DATA_RELOADED, refresh);
    ipc.listen(RUNS_CHANGED, refresh);
    window.setInterval(() => {
      if (document.visibilityState === 'visible') refresh();
    }, POLL_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') refresh();
    });

    // A link wins over the view saved in this tab.
    const restore = share.links.linkedState() ?? session.saved();
    if (isColourBy(restore?.colour)) colour.set(restore.colour);
    // A compare link opens the comparison over whatever view loads beneath it. That view is asked for once the
    // comparison is drawn: its run list, graph and summary would otherwise hold the server (ranking the graphs,
    // encoding and completing the first view) while it reads the two graphs the comparison waits for; afterwards
    // both analyses are cached and the view beneath reuses them. The entry module sent the comparison's request.
    const token = compareToken();
    const linked = token ? decodeCompare(token) : null;
    const loadBeneath = () => void viewer.firstLoad(restore);
    // After the frame that shows the comparison: the view's own work on this thread would delay its painting.
    const afterPaint = () => requestAnimationFrame(() => setTimeout(loadBeneath, 0));
    const early = this.early?.compare;
    const sent =
      early && linked && graphKey(early.a) === graphKey(linked.a) && graphKey(early.b) === graphKey(linked.b);
    if (linked) openCompare(linked.a, linked.b, sent ? early.sent : undefined).then(afterPaint, afterPaint);
    else {
      if (token) compare.failed('This compare link could not be read.');
      loadBeneath();
    }
  }
}
