// The inspector: what is selected, its attributes, inputs and outputs with their edge kinds, and one
// plain sentence about the learning-phase flag where it matters. Every sentence is the server's (serve/wire/);
// the inspector only shows it. All text goes through textContent.

import type { Child, KindCount, NodeAnswer, NodeEdge, WhyAnswer } from '../graph/api';
import { clear, codeSpans, h } from '../lib/dom';

/** The server's sentences of the graph on screen (`phase.layers[].explanation`, `phase.sources[].explanation`). */
export interface PhaseTexts {
  /** Why `layer` reads the flag. */
  layer(layer: string): string | undefined;
  /** What the flag `source` is and who reads it. */
  source(source: string): string | undefined;
}

/**
 * Whether the edges of a kind are drawn now, and if not what hides them (the legend filter or the phase filter):
 * `null` when they are drawn plainly.
 */
export type KindShown = (kind: string) => { state: 'dimmed' | 'hidden'; sentence: string } | null;

export class Inspector {
  readonly el: HTMLElement;
  private body: HTMLElement;
  /** How the page names a group (a machinery area by its title, not its id). */
  private named: (id: string) => string = (id) => id;

  constructor(
    private onReveal: (name: string) => void,
    private onClose: () => void,
  ) {
    const close = h(
      'button',
      { class: 'pv-btn close', type: 'button', title: 'Close (Esc)', 'aria-label': 'Close inspector' },
      '✕',
    );
    close.addEventListener('click', () => this.onClose());
    this.body = h('div', { class: 'pv-inspector-body' });
    this.el = h(
      'aside',
      { class: 'pv-inspector', hidden: true, 'aria-label': 'Inspector', 'data-testid': 'inspector' },
      close,
      this.body,
    );
  }

  setNamer(named: (id: string) => string): void {
    this.named = named;
  }

  hide(): void {
    this.el.hidden = true;
    clear(this.body);
  }

  /** Sections other panels add below what the inspector shows of a name (a layer's variables). */
  readonly extras: ((name: string) => Node | null)[] = [];

  private open(...nodes: (Node | null | false)[]): void {
    clear(this.body);
    delete this.body.dataset.subject;
    for (const n of nodes) if (n) this.body.append(n);
    const name = this.body.querySelector('h2')?.textContent;
    if (name) for (const extra of this.extras) this.body.append(extra(name) ?? '');
    this.el.hidden = false;
  }

  loading(name: string): void {
    this.open(h('h2', {}, name), h('p', { class: 'op' }, 'Loading…'));
  }

  /** A group; `op` is its op type when the group is an op too (the flag holds the op of its name). */
  showGroup(
    name: string,
    c: Child | null,
    node: NodeAnswer | null,
    text: PhaseTexts,
    consumers: string[] = [],
    op: string | null = null,
  ): void {
    const ops = Object.entries(c?.ops ?? {});
    const size = c?.size ?? 0;
    const born = c?.phase?.role === 'layer' ? c.phase.born_here : undefined;
    this.open(
      h('h2', {}, this.named(name)),
      h(
        'div',
        { class: 'op', 'data-testid': 'group-header' },
        op
          ? opHeader(op, size - 1)
          : c?.series
            ? `numbered series · ${size.toLocaleString('en-US')} ${c.series.op} ops, ${c.series.prefix}_${c.series.first} to ${c.series.prefix}_${c.series.last}`
            : `${c?.area ? 'machinery area' : 'name scope'} · ${size.toLocaleString('en-US')} op${size === 1 ? '' : 's'} in this box`,
      ),
      born ? h('p', { class: 'pv-explain pv-birthplace', 'data-testid': 'birthplace' }, born.explanation) : null,
      c ? this.phaseSentence(name, c, text) : null,
      c ? hyperSentence(c) : null,
      ops.length > 0 && h('h3', {}, 'Most common ops'),
      ops.length > 0 &&
        h('table', {}, ...ops.map(([k, v]) => h('tr', {}, h('td', { class: 'k' }, String(v)), h('td', {}, k)))),
      this.consumerList(consumers),
      node ? h('h3', {}, `Op ${node.name} (${node.op})`) : null,
      node ? roleSentence(node) : null,
      node ? this.nodeSections(node) : null,
    );
    this.body.dataset.subject = name;
  }

  showNode(n: NodeAnswer, c: Child | null, text: PhaseTexts, consumers: string[] = []): void {
    this.open(
      h('h2', {}, n.name),
      h('div', { class: 'op' }, n.op + (n.device ? ` · ${n.device}` : '')),
      roleSentence(n),
      n.phase?.explanation ? explanation(n.phase.explanation) : c ? this.phaseSentence(n.name, c, text) : null,
      c ? hyperSentence(c) : null,
      this.consumerList(consumers),
      this.nodeSections(n),
    );
    this.body.dataset.subject = n.name;
  }

  /**
   * Offers to move what is shown to the model, or back (`offer.action`: `move-to-model`, `move-back`), below its
   * role, if it is still shown.
   */
  addMove(name: string, offer: { action: string; sentence: string; label: string }, run: () => void): void {
    if (this.el.hidden || this.body.dataset.subject !== name) return;
    this.body.querySelector('[data-testid="move"]')?.remove();
    const button = h('button', { class: 'pv-btn', type: 'button', 'data-action': offer.action }, offer.label);
    button.addEventListener('click', () => {
      button.disabled = true;
      run();
    });
    const box = h(
      'div',
      { class: 'pv-move', 'data-testid': 'move', 'data-move': offer.action },
      h('p', { class: 'pv-explain' }, ...codeSpans(offer.sentence)),
      button,
    );
    const after =
      this.body.querySelector('[data-testid="role-why"]') ?? this.body.querySelector('[data-testid="group-header"]');
    if (after) after.after(box);
    else this.body.append(box);
  }

  showError(name: string, message: string): void {
    this.open(h('h2', {}, name), h('p', { class: 'op' }, message));
  }

  /** A phase edge (or a badge): what the flag is and why this layer reads it. */
  showPhaseEdge(source: string, to: string, layers: string[], text: PhaseTexts): void {
    // An edge that stands for no layer (a direct reader of the flag) is explained by its source.
    const sentences = layers.length ? layers.map((l) => text.layer(l)) : [text.source(source)];
    this.open(
      h('h2', {}, 'Learning-phase edge'),
      h('div', { class: 'op' }, h('span', { class: 'pv-kind phase' }, 'phase'), `${source} → ${to}`),
      ...sentences.slice(0, 20).map((s) => (s ? explanation(s) : null)),
      layers.length > 20 && h('p', { class: 'op' }, `and ${layers.length - 20} more layers`),
      h('h3', {}, 'Ends'),
      h('ul', {}, this.link(source), this.link(to)),
    );
  }

  /**
   * Why two boxes are connected: the op-level edges behind a drawn edge, by kind, each with its sentence.
   * `title`: what the page calls a part (a machinery area by its title, not its id).
   */
  showWhy(w: WhyAnswer, title: (name: string) => string = (name) => name, shown: KindShown = () => null): void {
    const kinds = w.kinds ?? [];
    const total = w.total ?? 0;
    this.open(
      h('h2', {}, 'Why connected?'),
      h(
        'div',
        { class: 'op', 'data-why-parts': 'true' },
        `${title(w.a.name)} ↔ ${w.b ? title(w.b.name) : ''} · ${total.toLocaleString('en-US')} op-level edge${total === 1 ? '' : 's'}`,
      ),
      total === 0 ? h('p', { class: 'op' }, 'They are not connected: no op-level edge joins them.') : null,
      ...[w.a, w.b].map((p) => (p?.apart_sentence ? apartNote(p.apart_sentence) : null)),
      h(
        'div',
        { class: 'pv-why', 'data-testid': 'why' },
        ...kinds.map((k) => {
          const hiddenBy = shown(k.kind);
          return h(
            'section',
            { 'data-why-kind': k.kind, 'data-count': String(k.count) },
            h(
              'h3',
              {},
              h('span', { class: `pv-kind ${k.kind}` }, k.kind),
              ` ${k.count.toLocaleString('en-US')} edge${k.count === 1 ? '' : 's'}`,
            ),
            explanation(k.sentence),
            k.drawn !== undefined && k.drawn < k.count ? apartKind(k.count, k.drawn) : null,
            // Edges none of which would be drawn between these two boxes: the legend filter is not why they are
            // missing here, and "click to draw them" would draw them elsewhere. (Phase edges leave the flag, drawn
            // apart from the box it was born in: Show draws them from it, as the answer's flag sentence says.)
            hiddenBy && (k.drawn !== 0 || k.kind === 'phase')
              ? h('p', { class: 'pv-explain pv-hidden-by', 'data-hidden-by': hiddenBy.state }, hiddenBy.sentence)
              : null,
            h(
              'ul',
              {},
              ...k.edges.slice(0, 12).map((e) => h('li', { class: 'mono' }, `${e.from} → ${e.to}`)),
              k.count > 12 ? h('li', { class: 'op' }, `and ${(k.count - 12).toLocaleString('en-US')} more`) : null,
            ),
          );
        }),
      ),
      h('h3', {}, 'Ends'),
      h('ul', {}, this.link(w.a.name), w.b ? this.link(w.b.name) : null),
    );
  }

  /** Adds a group's inputs and outputs by kind (what crosses its boundary), if it is still shown. */
  addBoundary(name: string, w: WhyAnswer): void {
    if (this.el.hidden || this.body.dataset.subject !== name) return;
    // A second answer for the same group (a double-click selects it twice) replaces the first.
    for (const old of this.body.querySelectorAll('[data-boundary], [data-testid="why-apart"]')) old.remove();
    const list = (title: string, side: string, counts: KindCount[]) => {
      const total = counts.reduce((n, k) => n + k.count, 0);
      return h(
        'div',
        { class: 'pv-why', 'data-boundary': side },
        h('h3', {}, `${title} (${total.toLocaleString('en-US')})`),
        h(
          'ul',
          {},
          ...counts.map((k) =>
            h(
              'li',
              { title: k.sentence, 'data-why-kind': k.kind, 'data-count': String(k.count) },
              h('span', { class: `pv-kind ${k.kind}` }, k.kind),
              ` ${k.count.toLocaleString('en-US')}`,
            ),
          ),
        ),
      );
    };
    const apart = w.a.apart_sentence ? apartNote(w.a.apart_sentence) : null;
    if (apart) this.body.querySelector('[data-testid="group-header"]')?.after(apart);
    // With the box's own lists below, these say they count the scope as TensorFlow named it.
    const scope = w.box_inputs ? ' its scope as named' : '';
    this.body.append(
      list(`Inputs by kind (op-level edges into${scope || ' it'})`, 'inputs', w.inputs ?? []),
      list(`Outputs by kind (op-level edges out of${scope || ' it'})`, 'outputs', w.outputs ?? []),
    );
    // A box that does not draw its whole scope: what crosses the box, as the drawing shows it, differs.
    if (w.box_inputs && w.box_outputs)
      this.body.append(
        list('Into its box as drawn', 'box-inputs', w.box_inputs),
        list('Out of its box as drawn', 'box-outputs', w.box_outputs),
      );
  }

  private consumerList(consumers: string[]): DocumentFragment | null {
    if (consumers.length === 0) return null;
    const f = document.createDocumentFragment();
    f.append(
      h('h3', {}, `Layers that read it (${consumers.length})`),
      h('ul', {}, ...consumers.map((l) => this.link(l))),
    );
    return f;
  }

  private phaseSentence(name: string, c: Child, text: PhaseTexts): HTMLElement | null {
    const p = c.phase;
    if (!p) return null;
    let s: string | undefined;
    if (p.role === 'layer') s = text.layer(name);
    else if (p.role === 'consumer') s = text.layer(p.layer);
    else s = p.explanation;
    return s ? explanation(s) : null;
  }

  private nodeSections(n: NodeAnswer): DocumentFragment {
    const f = document.createDocumentFragment();
    if (n.attrs_error)
      f.append(
        h('h3', {}, 'Attributes'),
        h('p', { class: 'pv-attrs-error', 'data-testid': 'attrs-error' }, n.attrs_error),
      );
    if (n.attrs.length) {
      f.append(h('h3', {}, 'Attributes'));
      f.append(
        h(
          'table',
          { class: 'pv-attrs' },
          ...n.attrs.map((a) =>
            h(
              'tr',
              {},
              h('td', { class: 'k' }, a.key),
              h(
                'td',
                { class: 'mono' },
                a.value + (a.truncated ? ` … (${a.bytes.toLocaleString('en-US')} bytes)` : ''),
              ),
            ),
          ),
        ),
      );
    }
    // Op-level edges: a flag's outputs count every op that reads it, not the layers (its box says those).
    const edges = (k: number) => `${k.toLocaleString('en-US')} op-level edge${k === 1 ? '' : 's'}`;
    const inputs = n.inputs_total ?? n.inputs.length;
    const outputs = n.outputs_total ?? n.outputs.length;
    f.append(h('h3', {}, `Inputs (${edges(inputs)})`), this.edgeList(n.inputs, inputs));
    f.append(h('h3', {}, `Outputs (${edges(outputs)})`), this.edgeList(n.outputs, outputs));
    return f;
  }

  private edgeList(edges: NodeEdge[], total = edges.length): HTMLElement {
    if (edges.length === 0) return h('p', { class: 'op' }, 'none');
    const shown = edges.slice(0, 200);
    return h(
      'ul',
      {},
      ...shown.map((e) => {
        const li = this.link(e.node, e.output ? `:${e.output}` : '');
        li.prepend(h('span', { class: `pv-kind ${e.kind}` }, e.kind));
        return li;
      }),
      total > shown.length
        ? h('li', { class: 'op' }, `and ${(total - shown.length).toLocaleString('en-US')} more`)
        : null,
    );
  }

  private link(name: string | null, suffix = ''): HTMLElement {
    if (name === null) return h('li', {});
    const a = h('a', { role: 'link', tabindex: 0, title: 'Show in the graph' }, name);
    a.addEventListener('click', () => this.onReveal(name));
    a.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') this.onReveal(name);
    });
    return h('li', {}, a, suffix);
  }
}

/** The header of an op that is also a scope: its type, and what sits below it (a flag's default value). */
function opHeader(op: string, below: number): string {
  return below > 0
    ? `${op} op · with ${below.toLocaleString('en-US')} op${below === 1 ? '' : 's'} below it`
    : `${op} op`;
}

/** Of a kind's edges, those that join ops drawn outside the two boxes (a scope's initialisers in their area). */
function apartKind(count: number, drawn: number): HTMLElement {
  const n = (x: number) => x.toLocaleString('en-US');
  const text =
    drawn === 0
      ? `${count === 1 ? 'It is not' : 'None of them is'} drawn between these two boxes: ${count === 1 ? 'it joins' : 'they join'} ops drawn apart from them (see above).`
      : `${n(drawn)} of them ${drawn === 1 ? 'is' : 'are'} drawn between these two boxes; the other ${n(count - drawn)} join ops drawn apart from them (see above).`;
  return h('p', { class: 'pv-explain', 'data-testid': 'why-kind-apart', 'data-drawn': String(drawn) }, text);
}

/** Where the ops of a scope drawn outside its box are (the server's sentence). */
function apartNote(text: string): HTMLElement {
  return h('p', { class: 'pv-explain', 'data-testid': 'why-apart' }, text);
}

function explanation(text: string): HTMLElement {
  return h('p', { class: 'pv-explain', 'data-testid': 'phase-explanation' }, text);
}

/** What a hyperparameter's box is, or which hyperparameters a box reads (its η badge). */
function hyperSentence(c: Child): HTMLElement | null {
  const parts: string[] = [];
  if (c.hyper) {
    const n = c.hyper.readers;
    parts.push(
      `${c.hyper.name} is a hyperparameter: a scalar that ${n} op${n === 1 ? '' : 's'} read and nothing trains (a learning rate, keep_prob). Its edges are hidden by default; the legend shows them.`,
    );
  }
  if (c.hyper_reads?.length) {
    const many = c.hyper_reads.length > 1;
    parts.push(
      `Reads the hyperparameter${many ? 's' : ''} ${c.hyper_reads.join(', ')} (η). ${many ? 'Their' : 'Its'} edges are hidden by default; the legend shows them.`,
    );
  }
  return parts.length ? h('p', { class: 'pv-explain', 'data-testid': 'hyper-explanation' }, parts.join(' ')) : null;
}

/** The node's role and the server's sentence of why it has it. */
function roleSentence(n: NodeAnswer): HTMLElement | null {
  if (!n.role) return null;
  return h(
    'p',
    { class: 'pv-explain pv-role', 'data-testid': 'role-why', 'data-role': n.role },
    h('span', { class: `pv-role-name ${n.role}` }, n.role),
    ...(n.role_why ? [' ', ...codeSpans(n.role_why)] : []),
  );
}
