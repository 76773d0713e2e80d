// The toolbar: run and graph pickers, the phase filter, the phase the graph runs as, search, fit, the share
// group and help.
// It says what the user picked through its events; the app decides what happens.

import { graphKey, graphLabel, type GraphRef, type RunsAnswer } from '../graph/api';
import { PHASE_MODES, RUN_AS, sameGraph, type PhaseMode, type RunAs } from '../graph/state';
import { clear, h } from '../lib/dom';
import { Emitter } from '../lib/events';
import { keyHint } from './keys';
import type { SearchBox } from './search';

export interface ToolbarEvents {
  /** A run was picked (its name). */
  run: string;
  /** A graph of the current run was picked. */
  graph: GraphRef;
  mode: PhaseMode;
  /** Run as: both phases, training (`true`) or inference (`false`). */
  runAs: RunAs;
  fit: null;
  help: null;
}

const MODE_TITLES: Record<PhaseMode, string> = {
  collapse: `Hide phase edges; mark the layers that read the flag ${keyHint('mode-collapse')}`,
  highlight: `Draw phase edges bundled in the accent colour, dim the rest ${keyHint('mode-highlight')}`,
  show: `Draw phase edges as plain edges ${keyHint('mode-show')}`,
};

const RUN_AS_LABELS: Record<RunAs, string> = { both: 'Both', true: 'Training', false: 'Inference' };
const RUN_AS_TITLES: Record<RunAs, string> = {
  both: `Every op, whatever the learning-phase flag says ${keyHint('run-both')}`,
  true: `Ghost the ops that do not run when the flag is true (training) ${keyHint('run-training')}`,
  false: `Ghost the ops that do not run when the flag is false (inference) ${keyHint('run-inference')}`,
};

export class Toolbar extends Emitter<ToolbarEvents> {
  readonly el: HTMLElement;
  private runSelect: HTMLSelectElement;
  private graphSelect: HTMLSelectElement;
  private modeButtons = new Map<PhaseMode, HTMLButtonElement>();
  private runAsButtons = new Map<RunAs, HTMLButtonElement>();
  private graphs: GraphRef[] = [];

  constructor(search: SearchBox, share: HTMLElement) {
    super();
    this.runSelect = h('select', { 'aria-label': 'Run', 'data-testid': 'run-select' });
    this.graphSelect = h('select', { 'aria-label': 'Graph', 'data-testid': 'graph-select' });
    this.runSelect.addEventListener('change', () => this.emit('run', this.runSelect.value));
    this.graphSelect.addEventListener('change', () => {
      const g = this.graphs.find((x) => graphKey(x) === this.graphSelect.value);
      if (g) this.emit('graph', g);
    });
    const seg = h('div', { class: 'pv-seg', role: 'group', 'aria-label': 'Phase edges' });
    for (const m of PHASE_MODES) {
      const b = h(
        'button',
        {
          class: 'pv-btn',
          type: 'button',
          'data-phase-mode': m,
          'aria-pressed': String(m === 'collapse'),
          title: MODE_TITLES[m],
        },
        m[0].toUpperCase() + m.slice(1),
      );
      b.addEventListener('click', () => this.emit('mode', m));
      this.modeButtons.set(m, b);
      seg.append(b);
    }
    const runAs = h('div', { class: 'pv-seg', role: 'group', 'aria-label': 'Run as' });
    for (const r of RUN_AS) {
      const b = h(
        'button',
        {
          class: 'pv-btn',
          type: 'button',
          'data-phase-run': r,
          'aria-pressed': String(r === 'both'),
          title: RUN_AS_TITLES[r],
        },
        RUN_AS_LABELS[r],
      );
      b.addEventListener('click', () => this.emit('runAs', r));
      this.runAsButtons.set(r, b);
      runAs.append(b);
    }
    const fit = h(
      'button',
      { class: 'pv-btn', type: 'button', title: `Fit to screen ${keyHint('fit')}`, 'data-testid': 'fit' },
      'Fit',
    );
    fit.addEventListener('click', () => this.emit('fit', null));
    const help = h(
      'button',
      {
        class: 'pv-btn',
        type: 'button',
        title: `Keyboard shortcuts ${keyHint('help')}`,
        'aria-label': 'Keyboard shortcuts',
      },
      '?',
    );
    help.addEventListener('click', () => this.emit('help', null));
    this.el = h(
      'div',
      { class: 'pv-toolbar', role: 'toolbar' },
      h('span', { class: 'pv-title' }, 'PhaseView'),
      h('label', {}, 'Run ', this.runSelect),
      h('label', {}, 'Graph ', this.graphSelect),
      h('label', {}, 'Phase edges '),
      seg,
      h('label', {}, 'Run as '),
      runAs,
      h('span', { class: 'pv-sep' }),
      search.input,
      search.regexBtn,
      fit,
      share,
      help,
    );
  }

  /** Lists the runs that hold graphs, and the graphs of the current one. */
  fillPickers(runs: RunsAnswer | null, cur: GraphRef | null): void {
    clear(this.runSelect);
    for (const r of runs?.runs ?? []) {
      if (r.graphs.length === 0) continue;
      this.runSelect.append(h('option', { value: r.run, selected: cur?.run === r.run }, r.run));
    }
    // A run that logged only Keras's model config is listed, not pickable: it says why it holds no graph.
    const anyGraph = this.runSelect.options.length > 0;
    for (const run of runs?.model_config_only ?? []) {
      const shown = !anyGraph && run === runs?.model_config_only?.[0]; // alone, it is what the picker shows
      const option = h('option', { value: '', disabled: true, selected: shown, title: runs?.model_config_note ?? '' });
      option.textContent = `${run} (model config only, no op graph)`;
      this.runSelect.append(option);
    }
    clear(this.graphSelect);
    const run = runs?.runs.find((r) => r.run === cur?.run);
    this.graphs = run?.graphs ?? [];
    for (const g of this.graphs)
      this.graphSelect.append(h('option', { value: graphKey(g), selected: sameGraph(g, cur) }, graphLabel(g)));
    this.graphSelect.disabled = this.graphs.length < 2;
  }

  /** Marks the Run-as button in effect; without a learning-phase flag only `both` can be picked. */
  showRunAs(runAs: RunAs, hasFlag: boolean): void {
    for (const [r, b] of this.runAsButtons) {
      b.setAttribute('aria-pressed', String(r === runAs));
      b.disabled = !hasFlag && r !== 'both';
      b.title = b.disabled
        ? 'This graph has no learning-phase flag: it runs the same ops in both phases'
        : RUN_AS_TITLES[r];
    }
  }

  /** Marks the button of the phase mode in effect. */
  showMode(mode: PhaseMode): void {
    for (const [m, b] of this.modeButtons) b.setAttribute('aria-pressed', String(m === mode));
  }

  /** Without a learning-phase flag there is no phase edge to highlight or show: only Collapse can be picked. */
  enableModes(hasFlag: boolean): void {
    for (const [m, b] of this.modeButtons) {
      b.disabled = !hasFlag && m !== 'collapse';
      b.title = b.disabled ? 'This graph has no learning-phase flag: there are no phase edges to draw' : '';
    }
  }
}
