// The editor of one note: a small panel over the stage. All text goes through textContent.

import { clear, h } from '../lib/dom';
import { NOTE_MAX_CHARS } from './notes';

/** The editor of one note: a small panel over the stage. Keys typed in it never reach the app's shortcuts. */
export class NoteEditor {
  readonly el: HTMLElement;
  private title: HTMLElement;
  private area: HTMLTextAreaElement;
  private count: HTMLElement;
  private del: HTMLButtonElement;
  private node: string | null = null;

  constructor(
    private onSave: (node: string, text: string) => void,
    private onDelete: (node: string) => void,
  ) {
    this.title = h('div', { class: 'hdr' });
    this.area = h('textarea', {
      rows: 4,
      maxlength: NOTE_MAX_CHARS,
      'data-testid': 'note-text',
      'aria-label': 'Note text',
      placeholder: 'A short note (Ctrl+Enter saves)',
    });
    this.count = h('span', { class: 'count' });
    const save = h('button', { class: 'pv-btn primary', type: 'button', 'data-action': 'save-note' }, 'Save');
    this.del = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'delete-note' }, 'Delete');
    const cancel = h('button', { class: 'pv-btn', type: 'button', 'data-action': 'cancel-note' }, 'Cancel');
    save.addEventListener('click', () => this.save());
    this.del.addEventListener('click', () => {
      if (this.node !== null) this.onDelete(this.node);
      this.close();
    });
    cancel.addEventListener('click', () => this.close());
    this.area.addEventListener('input', () => this.updateCount());
    this.el = h(
      'div',
      { class: 'pv-note-editor', hidden: true, role: 'dialog', 'aria-label': 'Note', 'data-testid': 'note-editor' },
      this.title,
      this.area,
      h('div', { class: 'row' }, this.count, h('span', { class: 'pv-sep' }), this.del, cancel, save),
    );
    this.el.addEventListener('keydown', (ev) => {
      ev.stopPropagation();
      if (ev.key === 'Escape') this.close();
      else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) this.save();
    });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(node: string, text: string, hiddenIn: string | null): void {
    this.node = node;
    clear(this.title);
    this.title.append('Note on ', h('b', {}, node));
    if (hiddenIn) this.title.append(h('div', { class: 'hint' }, `drawn on the closed group ${hiddenIn}`));
    this.area.value = text;
    this.del.hidden = !text;
    this.updateCount();
    this.el.hidden = false;
    this.area.focus();
    this.area.select();
  }

  close(): void {
    this.el.hidden = true;
    this.node = null;
  }

  private save(): void {
    if (this.node !== null) this.onSave(this.node, this.area.value);
    this.close();
  }

  private updateCount(): void {
    this.count.textContent = `${this.area.value.length}/${NOTE_MAX_CHARS}`;
  }
}
