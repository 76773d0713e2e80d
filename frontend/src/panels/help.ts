// The "?" overlay listing every keyboard shortcut, made from the keyboard table.

import { h } from '../lib/dom';
import { helpRows } from './keys';

export class HelpPanel {
  readonly el: HTMLElement;

  constructor() {
    const rows = helpRows().map(({ labels, help }) =>
      h('tr', {}, h('td', {}, ...labels.flatMap((k, i) => [i ? ' ' : '', h('kbd', {}, k)])), h('td', {}, help)),
    );
    const close = h('button', { class: 'pv-btn', type: 'button' }, 'Close');
    close.addEventListener('click', () => this.toggle(false));
    const box = h(
      'div',
      { role: 'dialog', 'aria-label': 'Keyboard shortcuts' },
      h('h2', {}, 'Keyboard shortcuts'),
      h('table', {}, ...rows),
      h('p', {}, close),
    );
    this.el = h('div', { class: 'pv-help', hidden: true }, box);
    this.el.addEventListener('click', (ev) => {
      if (ev.target === this.el) this.toggle(false);
    });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  /** Shows or hides the help; with no argument, flips it. */
  toggle(show?: boolean): void {
    this.el.hidden = !(show ?? this.el.hidden);
  }
}
