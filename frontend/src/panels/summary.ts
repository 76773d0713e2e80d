// The model's summary, as Keras's model.summary() prints it: one row per layer in data-flow order (the server's
// `summary` answer), the totals in the status bar, and a layer's variables in the inspector. A click on a row
// reveals and selects the layer. Every name is written as text.

import type { SummaryAnswer, SummaryLayer } from '../graph/api';
import { download, type ExportTable } from '../share/picture';
import { clear, h } from '../lib/dom';
import { Emitter } from '../lib/events';
import { countWords } from '../scene/shapes';

const fmt = (n: number): string => n.toLocaleString('en-US');

// A graph that holds no variable and no weight constant the server recognised (a traced PyTorch graph, whose
// weights are inputs) has parameters nobody counted: "0 params" would be a wrong answer.
const NO_VARIABLES = 'no variables: weights held as constants or fed as inputs are not counted';

/** A row's parameters: `9,408`, `32 + ?` when some are of a size the graph does not say, `?` when all are. */
const paramsText = (l: SummaryLayer): string =>
  l.unknown_params ? (l.params ? `${fmt(l.params)} + ?` : '?') : fmt(l.params);

const uncounted = (a: SummaryAnswer): boolean => a.holds_variables === false && !a.frozen_weights;

/** A frozen graph's weights are constants: `frozen graph: the weights are 10 constants (521,834 values)`. */
export function frozenText(a: SummaryAnswer): string {
  const n = a.frozen_weights ?? 0;
  return `frozen graph: the weights are ${fmt(n)} constant${n === 1 ? '' : 's'} (${fmt(a.frozen_params ?? 0)} values)`;
}

/** `1.5 M params, 10 k non-trainable`, and the machinery's variables apart. */
export function totalsText(a: SummaryAnswer): string {
  if (uncounted(a)) return NO_VARIABLES;
  let text = `${countWords(a.total_params)} params, ${countWords(a.non_trainable_params)} non-trainable`;
  if (a.machinery_params) text += ` · ${countWords(a.machinery_params)} in optimizer state and counters (not counted)`;
  if (a.frozen_weights) text += ` · ${frozenText(a)}`;
  if (a.unknown_variables) text += ` · ${unknownText(a)}`;
  if ((a.replicas ?? 1) > 1) text += ` · ${replicaText(a)}`;
  return text;
}

/** A model run on several replicas (MirroredStrategy) holds a copy of every weight on each; Keras counts one. */
function replicaText(a: SummaryAnswer): string {
  return `run on ${a.replicas} replicas: each weight counted once (the machinery counts every copy)`;
}

/** The model variables whose size the graph does not say: left out of the totals, which say so (no zero). */
function unknownText(a: SummaryAnswer): string {
  const n = a.unknown_variables;
  return `${fmt(n)} variable${n === 1 ? '' : 's'} of unknown size not counted`;
}

function footerText(a: SummaryAnswer): string {
  if (uncounted(a)) return NO_VARIABLES;
  let text = `Total params: ${fmt(a.total_params)} · trainable: ${fmt(a.trainable_params)} · non-trainable: ${fmt(a.non_trainable_params)}`;
  if (a.frozen_weights) text += ` · ${frozenText(a)}`;
  if (a.unknown_variables) text += ` · ${unknownText(a)}`;
  if ((a.replicas ?? 1) > 1) text += ` · ${replicaText(a)}`;
  return text;
}

/** The table as Markdown, for the clipboard. */
export function summaryMarkdown(a: SummaryAnswer): string {
  const cell = (v: string) => v.replace(/\|/g, '\\|');
  const rows = a.layers.map(
    (l) =>
      `| ${cell(l.name)} | ${cell(l.type)} | ${l.output_shape_text} | ${paramsText(l)} | ${fmt(l.trainable_params)} |`,
  );
  return [
    '| layer | type | output shape | params | trainable params |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    footerText(a),
  ].join('\n');
}

/** The table as the export draws it under the picture's legend. */
/** The most rows a picture carries: a row is 16 px high, so a graph of tens of thousands of layers would put a
 * table hundreds of thousands of pixels high under the graph (nobody reads it there, and the browser takes minutes
 * to build it); Copy and CSV in the panel give every row. */
export const EXPORT_TABLE_ROWS = 500;

export function summaryTable(a: SummaryAnswer, limit = EXPORT_TABLE_ROWS): ExportTable {
  const count = a.layers.length;
  const shown = a.layers.slice(0, limit);
  const left = count - shown.length;
  const footer = footerText(a);
  return {
    title:
      `Summary · ${fmt(count)} layer${count === 1 ? '' : 's'} in data-flow order` + (a.scope ? ` in ${a.scope}` : ''),
    header: ['layer', 'type', 'output shape', 'params', 'trainable params'],
    rows: shown.map((l) => [l.label ?? l.name, l.type, l.output_shape_text, paramsText(l), fmt(l.trainable_params)]),
    rowKeys: shown.map((l) => l.name),
    numeric: [false, false, false, true, true],
    footer: left
      ? `… and ${fmt(left)} more layer${left === 1 ? '' : 's'} (Copy or CSV in the summary panel gives every one) · ${footer}`
      : footer,
    rowAttribute: 'layer',
  };
}

/** The table as CSV (RFC 4180 quoting). */
export function summaryCsv(a: SummaryAnswer): string {
  const q = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const head = ['layer', 'type', 'output shape', 'params', 'trainable params', 'learning phase'];
  const rows = a.layers.map((l) =>
    [l.name, l.type, l.output_shape_text, l.params, l.trainable_params, l.learning_phase ?? ''].map(q).join(','),
  );
  return [head.join(','), ...rows].join('\n');
}

/** A scope path as text that may wrap before each `/` and after each `_` (a nested layer's name is long, a copy's
 * `res2a_branch2a_relu_r0` too), its text unchanged: the panel keeps every column in sight. (The CSS breaks a name
 * elsewhere only when it has no such place.) */
function breakable(name: string): (string | HTMLElement)[] {
  return name
    .split('/')
    .flatMap((part, i) => [
      ...(i ? [h('wbr'), '/'] : []),
      ...part.split('_').flatMap((piece, j) => (j ? ['_', h('wbr'), piece] : [piece])),
    ]);
}

export class SummaryPanel extends Emitter<{ reveal: { name: string; path: string[] } }> {
  readonly el = h('aside', { class: 'pv-summary', hidden: true, 'aria-label': 'Summary', 'data-testid': 'summary' });
  /** The totals, for the status bar. */
  readonly totals = h('span', { class: 'pv-params', 'data-testid': 'params-total' });
  private answer: SummaryAnswer | null = null;
  private byName = new Map<string, SummaryLayer>();

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  set(answer: SummaryAnswer | null): void {
    this.answer = answer;
    this.byName = new Map((answer?.layers ?? []).map((l) => [l.name, l]));
    this.totals.textContent = answer && answer.layers.length ? totalsText(answer) : '';
    this.totals.title = !answer
      ? ''
      : answer.frozen_weights
        ? `${fmt(answer.total_params)} parameters, held as ${fmt(answer.frozen_weights)} constants (the graph was frozen): ${fmt(answer.trainable_params)} kernels, biases and scales, ${fmt(answer.non_trainable_params)} BatchNorm moving statistics`
        : `${fmt(answer.total_params)} parameters: ${fmt(answer.trainable_params)} trainable, ${fmt(answer.non_trainable_params)} not (BatchNorm's moving statistics); the optimizer's slots and step counters hold ${fmt(answer.machinery_params)} more`;
    this.render();
  }

  toggle(open = !this.isOpen): void {
    this.el.hidden = !open;
  }

  /** The table for an export, once the summary has come. */
  exportTable(): ExportTable | null {
    return this.answer && this.answer.layers.length ? summaryTable(this.answer) : null;
  }

  /** Marks the row of the selected layer, if it is one. */
  select(name: string | null): void {
    for (const tr of this.el.querySelectorAll('tr[data-layer]'))
      tr.classList.toggle('selected', tr.getAttribute('data-layer') === name);
  }

  /** The variables of a layer, for the inspector; null when `name` is not a layer with variables. */
  variables(name: string): HTMLElement | null {
    const layer = this.byName.get(name);
    if (!layer || !layer.variables.length) return null;
    return h(
      'div',
      { class: 'pv-variables', 'data-testid': 'variables' },
      h('h3', {}, `Variables · ${fmt(layer.params)} params`),
      h(
        'table',
        {},
        ...layer.variables.map((v) =>
          h(
            'tr',
            { 'data-variable': v.name },
            h('td', {}, v.name.startsWith(name + '/') ? v.name.slice(name.length + 1) : v.name),
            h('td', {}, v.shape ? v.shape.map((d) => (d === null ? '?' : String(d))).join('×') || 'scalar' : '?'),
            h('td', {}, v.dtype),
            h('td', { class: 'k' }, fmt(v.size)),
            h('td', {}, [v.frozen ? 'constant' : '', v.trainable ? '' : 'not trainable'].filter(Boolean).join(', ')),
          ),
        ),
      ),
    );
  }

  private render(): void {
    clear(this.el);
    const a = this.answer;
    const close = h(
      'button',
      { class: 'pv-btn close', type: 'button', title: 'Close', 'aria-label': 'Close summary' },
      '✕',
    );
    close.addEventListener('click', () => this.toggle(false));
    if (!a) {
      this.el.append(close, h('p', {}, 'Loading the summary…'));
      return;
    }
    const copy = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'copy-summary' }, 'Copy');
    copy.title = 'Copy the table as Markdown (a table where Markdown is read: GitHub, notebooks)';
    copy.addEventListener('click', () => {
      const text = summaryMarkdown(a);
      const done = () => {
        copy.textContent = 'Copied';
        this.el.dataset.copied = 'markdown';
        window.setTimeout(() => (copy.textContent = 'Copy'), 2000);
      };
      // Where the browser refuses the clipboard, the text is put in a field, selected, to copy by hand.
      const fallback = () => {
        const field = h('textarea', { readonly: true, rows: 6, 'data-testid': 'summary-text' }) as HTMLTextAreaElement;
        field.value = text;
        this.el.querySelector('[data-testid=summary-text]')?.remove();
        copy.parentElement?.after(field);
        field.select();
      };
      if (navigator.clipboard?.writeText) navigator.clipboard.writeText(text).then(done, fallback);
      else fallback();
    });
    const csv = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'export-summary' }, 'CSV');
    csv.addEventListener('click', () =>
      download(new Blob([summaryCsv(a)], { type: 'text/csv' }), `${a.run}-summary.csv`.replace(/[^\w.-]+/g, '_')),
    );
    // A layer named within the layer holding it (the rows right after it) is indented under it.
    const depth = new Map<string, number>();
    for (const l of a.layers) {
      const holder = l.within ?? '';
      const under = holder !== '' && l.label !== undefined && l.name === `${holder}/${l.label}`;
      depth.set(l.name, under ? (depth.get(holder) ?? 0) + 1 : 0);
    }
    const rows = a.layers.map((l) => {
      // A layer inside a layer (a model used as a layer) is indented under it, as Keras's expand_nested prints it.
      const inner = depth.get(l.name) ?? 0;
      const tr = h(
        'tr',
        { 'data-layer': l.name, title: l.learning_phase ?? (l.within ? `inside ${l.within}` : '') },
        h(
          'td',
          inner ? { class: 'name', style: `padding-left: ${inner}em` } : { class: 'name' },
          ...breakable(l.label ?? l.name),
        ),
        h('td', {}, l.type),
        h('td', {}, l.output_shape_text),
        h(
          'td',
          l.unknown_params
            ? { class: 'k', title: `${fmt(l.unknown_params)} of its parameters of a size the graph does not say` }
            : { class: 'k' },
          paramsText(l),
        ),
        h('td', {}, l.learning_phase ? 'φ' : ''),
      );
      tr.addEventListener('click', () => this.emit('reveal', { name: l.name, path: l.path }));
      return tr;
    });
    this.el.append(
      close,
      h('h2', {}, 'Summary'),
      h('p', { class: 'op' }, totalsText(a)),
      h('div', { class: 'pv-summary-actions' }, copy, csv),
      // The scope every layer shares, said once (a traced step's `graph_22/StatefulPartitionedCall/model_1/`).
      ...(a.scope
        ? [h('p', { class: 'op scope', 'data-testid': 'summary-scope' }, 'layers in ', h('code', {}, a.scope))]
        : []),
      a.layers.length
        ? h(
            'table',
            {},
            h('tr', {}, ...['layer', 'type', 'output shape', 'params', ''].map((t) => h('th', {}, t))),
            ...rows,
          )
        : h('p', {}, 'No layers found: this graph holds no model variables or layer scopes.'),
    );
  }
}
