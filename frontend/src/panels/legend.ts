// The legend that is the filter: one control per edge kind present in the graph, with its count (the
// server's `edge_counts`, the same as `tb-phaseview report`), drawn, dimmed or hidden. The phase entry shows
// and switches the phase filter (collapse = hidden, highlight = highlighted, show = drawn); a graph with no
// flag has no phase entry. It says what the user picked through its events; the viewer applies it.

import type { GraphAnswer } from '../graph/api';
import {
  EDGE_KINDS,
  kindState,
  nextKindState,
  nextPhaseMode,
  PHASE_LEGEND_STATE,
  type KindState,
} from '../graph/kinds';
import type { PhaseMode } from '../graph/state';
import { clear, h } from '../lib/dom';
import { Emitter } from '../lib/events';

export interface LegendEvents {
  kind: { kind: string; state: KindState };
  mode: PhaseMode;
}

const TITLES: Record<string, string> = {
  data: 'tensors between ops of the model',
  control: 'control dependencies (order, no tensor)',
  variable: 'reads and writes of variables, moving-average updates included',
  phase: 'the learning-phase flag read by BatchNorm and Dropout layers',
  hyperparameter: 'a scalar read in many layers (keep_prob, the learning rate)',
  constant: 'a setting a PyTorch trace made once and later modules read (a stride, a padding): no module feeds another',
  init: 'variable initialisation',
  gradient: 'the backward pass',
  optimizer: 'the optimizer: gradients into variable updates',
  summary: 'summaries logged for TensorBoard',
  save: 'checkpoint save and restore',
};

export class LegendFilter extends Emitter<LegendEvents> {
  readonly el = h('span', { class: 'pv-kinds', role: 'group', 'aria-label': 'Edge kinds: click to draw, dim or hide' });

  private mode: PhaseMode = 'collapse';
  /** Phase edges the view draws now (one per box reading a flag, each standing for many op-level edges). */
  private drawn = 0;

  /** The phase entry follows a phase filter switch in place: rebuilding the legend would lay out the status
   * bar again, and with it the stage, which repaints every drawn box. */
  showMode(mode: PhaseMode): void {
    this.mode = mode;
    const b = this.el.querySelector<HTMLButtonElement>('[data-kind-filter="phase"]');
    if (!b) return;
    const state = PHASE_LEGEND_STATE[mode];
    b.dataset.state = state;
    b.setAttribute('aria-pressed', String(state !== 'hidden'));
    b.title = phaseTitle(Number(b.dataset.count), state);
    this.showDrawn(this.drawn);
  }

  /** Says how many phase edges the view draws (Highlight, Show) beside the op-level count they stand for. */
  showDrawn(drawn: number): void {
    this.drawn = drawn;
    const b = this.el.querySelector<HTMLButtonElement>('[data-kind-filter="phase"]');
    if (!b) return;
    const text = phaseText(Number(b.dataset.count), this.mode, drawn);
    if (b.textContent !== text) b.textContent = text;
    if (this.mode === 'collapse') delete b.dataset.drawn;
    else b.dataset.drawn = String(drawn);
  }

  render(g: GraphAnswer | null, kinds: Readonly<Record<string, KindState>>, mode: PhaseMode): void {
    this.mode = mode;
    clear(this.el);
    if (!g) return;
    // What every number after it counts: op-level edges, as the CLI counts them (not the lines drawn).
    this.el.append(h('span', { class: 'pv-kinds-label', 'data-testid': 'legend-label' }, 'op-level edges:'));
    const counts = g.edge_counts ?? {};
    const hasFlag = (g.phase?.sources ?? []).length > 0;
    for (const kind of EDGE_KINDS) {
      const count = counts[kind] ?? 0;
      if (kind === 'phase' ? !hasFlag : count === 0) continue;
      const state = kind === 'phase' ? PHASE_LEGEND_STATE[mode] : kindState(kinds, kind);
      const b = h(
        'button',
        {
          type: 'button',
          class: `pv-kind-filter kind-${kind}`,
          'data-kind-filter': kind,
          'data-state': state,
          'data-count': String(count),
          'aria-pressed': String(state !== 'hidden'),
          title: kindTitle(kind, count, state),
        },
        kind === 'phase' ? phaseText(count, mode, this.drawn) : `${kind} ${count.toLocaleString('en-US')}`,
      );
      if (kind === 'phase' && mode !== 'collapse') b.dataset.drawn = String(this.drawn);
      b.addEventListener('click', () => {
        if (kind === 'phase') this.emit('mode', nextPhaseMode(this.mode));
        else this.emit('kind', { kind, state: nextKindState(state as KindState) });
      });
      this.el.append(b);
    }
  }
}

function kindTitle(kind: string, count: number, state: string): string {
  // Op-level edges, as the CLI counts them: not the edges drawn, which stand for many of them each.
  return `${count.toLocaleString('en-US')} op-level ${kind} edges: ${TITLES[kind] ?? kind} (${state}; click to change)`;
}

/** The phase control's text: the op-level count, and in Highlight and Show the lines drawn for them. */
function phaseText(count: number, mode: PhaseMode, drawn: number): string {
  const ops = `phase ${count.toLocaleString('en-US')}`;
  return mode === 'collapse' ? ops : `${ops}, drawn as ${drawn.toLocaleString('en-US')} line${drawn === 1 ? '' : 's'}`;
}

function phaseTitle(count: number, state: string): string {
  return kindTitle('phase', count, state);
}
