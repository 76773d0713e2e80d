// The toolbar group for notes and sharing (Note, export scope, PNG, SVG, Copy, Link) and the short messages
// they answer with. It puts together the notebook, the exporter and the links.

import type { GraphAnswer } from '../graph/api';
import type { ViewState } from '../graph/state';
import { h } from '../lib/dom';
import { keyHint, type Action } from '../panels/keys';
import type { Scene } from '../scene/scene';
import { Exporter } from './exporter';
import type { LegendItem, RunAsSummary } from './exportplan';
import type { ExportTable } from './picture';
import { Links } from './links';
import { Notebook } from './notebook';

export interface ShareHost {
  root: HTMLElement;
  stage: HTMLElement;
  scene: Scene;
  state(): ViewState;
  graph(): GraphAnswer | null;
  rootLayout(): { width: number; height: number } | undefined;
  /** The phase the view runs as, once applied (the export's legend states it); null while it runs as both. */
  runAs(): RunAsSummary | null;
  /** More legend lines for an export (what the boxes are coloured by, the model's parameters). */
  extraLegend?(): LegendItem[];
  /** A table the export draws under its legend (the model's summary while its panel is open). */
  table?(): ExportTable | null;
}

export class ShareBar {
  readonly toolbar: HTMLElement;
  readonly notebook: Notebook;
  readonly exporter: Exporter;
  readonly links: Links;
  private msg: HTMLElement;
  private msgTimer = 0;

  constructor(host: ShareHost) {
    const say = (text: string, error?: boolean) => this.say(text, error);
    this.notebook = new Notebook({ ...host, say });
    this.msg = h('div', {
      class: 'pv-share-msg',
      hidden: true,
      role: 'status',
      'aria-live': 'polite',
      'data-testid': 'share-message',
    });
    host.stage.append(this.msg);
    this.links = new Links({ ...host, notebook: this.notebook, say });
    this.exporter = new Exporter({ ...host, notebook: this.notebook, say });

    const btn = (action: Action, label: string, title: string, fn: () => void) => {
      const b = h(
        'button',
        { class: 'pv-btn', type: 'button', 'data-action': action, title: `${title} ${keyHint(action)}` },
        label,
      );
      b.addEventListener('click', fn);
      return b;
    };
    this.toolbar = h(
      'span',
      { class: 'pv-share', role: 'group', 'aria-label': 'Notes and sharing' },
      btn('add-note', 'Note', 'Add or edit a note on the selected node', () => this.notebook.editSelected()),
      this.exporter.scopeSelect,
      btn('export-png', 'PNG', 'Export PNG at 2x', () => void this.exporter.exportPng()),
      btn('export-svg', 'SVG', 'Export SVG', () => void this.exporter.exportSvg()),
      btn('copy-png', 'Copy', 'Copy a PNG to the clipboard', () => void this.exporter.copyPng()),
      btn('copy-link', 'Link', 'Copy a link that reopens this view', () => void this.links.copyLink()),
    );
  }

  /** A short message at the bottom left of the stage; errors stay longer. */
  say(text: string, error = false): void {
    this.msg.textContent = text;
    this.msg.classList.toggle('err', error);
    this.msg.hidden = false;
    window.clearTimeout(this.msgTimer);
    this.msgTimer = window.setTimeout(() => (this.msg.hidden = true), error ? 12_000 : 6_000);
  }
}
