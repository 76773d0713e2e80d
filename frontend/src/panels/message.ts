// The message over the stage: loading (with progress), empty graphs, errors. Text only (textContent).

import { clear, h } from '../lib/dom';

export class MessageBox {
  readonly el = h('div', { class: 'pv-message', hidden: true, role: 'status', 'aria-live': 'polite' });

  show(title: string, body?: string | Node, progress = false, error?: string): void {
    clear(this.el);
    const box = h('div', {}, h('h2', {}, title));
    if (body) box.append(typeof body === 'string' ? h('p', {}, body) : body);
    if (error) box.append(h('p', { class: 'err', 'data-testid': 'error' }, error));
    if (progress) box.append(h('div', { class: 'pv-progress', 'data-testid': 'progress' }));
    this.el.append(box);
    this.el.hidden = false;
  }

  hide(): void {
    clear(this.el);
    this.el.hidden = true;
  }
}
