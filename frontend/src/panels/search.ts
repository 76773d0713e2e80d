// Search by name or op (substring or regular expression, answered by the server's `search` route).

import { api, ApiError, type GraphRef, type SearchAnswer } from '../graph/api';
import { clear, h } from '../lib/dom';

export class SearchBox {
  readonly input: HTMLInputElement;
  readonly regexBtn: HTMLButtonElement;
  readonly results: HTMLElement;
  private regex = false;
  private timer = 0;
  private abort: AbortController | null = null;
  /** The query (and mode) whose results are listed, and its best match: what Enter opens. */
  private listedFor: string | null = null;
  private top: { name: string; path: string[] } | null = null;

  /** How the page names a group (a group inside a machinery area by its scope and the area's title). */
  named: (id: string) => string = (id) => id;

  constructor(
    private graph: () => GraphRef | null,
    private onPick: (name: string, path: string[]) => void,
  ) {
    this.input = h('input', {
      type: 'search',
      placeholder: 'Search name or op  ( / )',
      'aria-label': 'Search nodes by name or op',
      'data-testid': 'search',
    });
    this.regexBtn = h(
      'button',
      {
        class: 'pv-btn',
        type: 'button',
        'aria-pressed': 'false',
        title: 'Regular expression',
        'data-testid': 'search-regex',
      },
      '.*',
    );
    this.results = h('div', {
      class: 'pv-search-results',
      hidden: true,
      role: 'listbox',
      'data-testid': 'search-results',
    });
    this.input.addEventListener('input', () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.run(), 250);
    });
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        window.clearTimeout(this.timer);
        void this.openTop();
      } else if (ev.key === 'ArrowDown') {
        (this.results.querySelector('button') as HTMLButtonElement | null)?.focus();
        ev.preventDefault();
      } else if (ev.key === 'Escape') {
        this.hide();
        this.input.blur();
      }
    });
    this.regexBtn.addEventListener('click', () => {
      this.regex = !this.regex;
      this.regexBtn.setAttribute('aria-pressed', String(this.regex));
      if (this.input.value) void this.run();
    });
    this.results.addEventListener('keydown', (ev) => {
      const t = ev.target as HTMLElement;
      if (ev.key === 'ArrowDown') (t.nextElementSibling as HTMLElement | null)?.focus();
      else if (ev.key === 'ArrowUp')
        ((t.previousElementSibling as HTMLElement | null)?.tagName === 'BUTTON'
          ? (t.previousElementSibling as HTMLElement)
          : this.input
        ).focus();
      else if (ev.key === 'Escape') this.hide();
      else return;
      ev.preventDefault();
    });
  }

  get isOpen(): boolean {
    return !this.results.hidden;
  }

  hide(): void {
    this.results.hidden = true;
  }

  focus(): void {
    this.input.focus();
    this.input.select();
  }

  private query(): string {
    return `${this.regex ? 're' : 'text'}:${this.input.value.trim()}`;
  }

  /** Enter: opens the best match of what is typed (searching first when its results are not listed yet). */
  async openTop(): Promise<void> {
    const wanted = this.query();
    if (this.listedFor !== wanted) await this.run();
    if (this.listedFor !== wanted || !this.top) return;
    this.hide();
    // The keys act on the graph again (`n` adds a note instead of typing into the box).
    this.input.blur();
    this.onPick(this.top.name, this.top.path);
  }

  async run(): Promise<void> {
    const g = this.graph();
    const q = this.input.value.trim();
    const asked = this.query();
    this.listedFor = null;
    this.top = null;
    if (!g || !q) {
      this.hide();
      return;
    }
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    let ans: SearchAnswer;
    // A search that takes a while says so, with its seconds (a large graph's first one waits for the server to
    // index every group); a quick one shows its results alone.
    const started = performance.now();
    const waiting = () => {
      if (ac.signal.aborted) return;
      const secs = Math.floor((performance.now() - started) / 1000);
      this.show([h('div', { class: 'hdr', 'data-searching': '' }, `Searching…${secs ? ` ${secs} s` : ''}`)]);
    };
    const first = window.setTimeout(waiting, SEARCHING_AFTER_MS);
    const tick = window.setInterval(waiting, 1000);
    try {
      ans = await api.search(g, q, this.regex, ac.signal);
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      this.show([h('div', { class: 'hdr' }, e instanceof ApiError ? `Search failed: ${e.message}` : 'Search failed')]);
      return;
    } finally {
      window.clearTimeout(first);
      window.clearInterval(tick);
    }
    if (ac.signal.aborted) return;
    const n = ans.matches.length;
    const hdr = h(
      'div',
      { class: 'hdr' },
      n === 0 ? 'No matches' : `${n}${ans.truncated ? '+' : ''} match${n === 1 ? '' : 'es'}`,
    );
    const items = ans.matches.map((m) => {
      const b = h(
        'button',
        { type: 'button', role: 'option', 'data-result': m.name },
        h('div', { class: 'name' }, shortened(this.named(m.name))),
        h(
          'div',
          { class: 'meta' },
          (m.type === 'group'
            ? // A group that is an op too (a variable beside its `read`) says its type: a search by op type finds it.
              `${m.op ? m.op + ' · ' : ''}group · ${(m.size ?? 0).toLocaleString('en-US')} ops`
            : (m.op ?? '')) + (m.path.length ? ` · in ${shortened(this.named(m.path[m.path.length - 1]))}` : ''),
        ),
      );
      b.addEventListener('click', () => {
        this.hide();
        this.onPick(m.name, m.path);
      });
      return b;
    });
    this.show([hdr, ...items]);
    this.listedFor = asked;
    this.top = ans.matches[0] ?? null;
  }

  private show(nodes: HTMLElement[]): void {
    clear(this.results);
    this.results.append(...nodes);
    this.results.hidden = false;
  }
}

/** How long a search runs before its box says it is searching. */
const SEARCHING_AFTER_MS = 300;

/** A name as listed: names of any length are legal (a scope nested thousands deep), a list line is not. */
function shortened(name: string, head = 160, tail = 60): string {
  return name.length <= head + tail + 1 ? name : `${name.slice(0, head)}…${name.slice(-tail)}`;
}
