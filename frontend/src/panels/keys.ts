// The keyboard table: every shortcut once, with the action it runs and its line in the `?` help.
// The key handler and the help panel are both made from it.

export type Action =
  | 'pan-left'
  | 'pan-right'
  | 'pan-up'
  | 'pan-down'
  | 'zoom-in'
  | 'zoom-out'
  | 'fit'
  | 'mode-collapse'
  | 'mode-highlight'
  | 'mode-show'
  | 'run-both'
  | 'run-training'
  | 'run-inference'
  | 'search'
  | 'toggle-group'
  | 'add-note'
  | 'export-png'
  | 'export-svg'
  | 'copy-png'
  | 'export-scope'
  | 'copy-link'
  | 'close'
  | 'help'
  | 'summary';

export interface Shortcut {
  /** `KeyboardEvent.key` values that run the action. */
  keys: readonly string[];
  /** How the key is written in the help and in tooltips. */
  label: string;
  action: Action;
  /** The help line. Consecutive shortcuts with the same help share one line. */
  help: string;
  /** Runs even while typing in a field (only Escape). */
  inFields?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['ArrowLeft'], label: '←', action: 'pan-left', help: 'pan' },
  { keys: ['ArrowUp'], label: '↑', action: 'pan-up', help: 'pan' },
  { keys: ['ArrowRight'], label: '→', action: 'pan-right', help: 'pan' },
  { keys: ['ArrowDown'], label: '↓', action: 'pan-down', help: 'pan' },
  { keys: ['+', '='], label: '+', action: 'zoom-in', help: 'zoom in / out (also mouse wheel, trackpad pinch)' },
  { keys: ['-', '_'], label: '−', action: 'zoom-out', help: 'zoom in / out (also mouse wheel, trackpad pinch)' },
  { keys: ['0'], label: '0', action: 'fit', help: 'fit the graph to the screen' },
  { keys: ['c'], label: 'c', action: 'mode-collapse', help: 'phase edges: collapse (badges only)' },
  { keys: ['h'], label: 'h', action: 'mode-highlight', help: 'phase edges: highlight (bundled, rest dimmed)' },
  { keys: ['s'], label: 's', action: 'mode-show', help: 'phase edges: show (plain lines)' },
  { keys: ['b'], label: 'b', action: 'run-both', help: 'run as: both phases (every op)' },
  { keys: ['t'], label: 't', action: 'run-training', help: 'run as: training (ghost what does not run)' },
  { keys: ['i'], label: 'i', action: 'run-inference', help: 'run as: inference (ghost what does not run)' },
  { keys: ['/'], label: '/', action: 'search', help: 'search by name or op' },
  {
    keys: ['Enter'],
    label: 'Enter',
    action: 'toggle-group',
    help: 'open / close the selected group (also double-click or the chevron)',
  },
  { keys: ['n'], label: 'n', action: 'add-note', help: 'add or edit a note on the selected node or group' },
  { keys: ['e'], label: 'e', action: 'export-png', help: 'export PNG (2x) of the view or the whole graph' },
  { keys: ['E'], label: 'E', action: 'export-svg', help: 'export SVG' },
  { keys: ['y'], label: 'y', action: 'copy-png', help: 'copy a PNG to the clipboard' },
  { keys: ['w'], label: 'w', action: 'export-scope', help: 'export scope: the view / the whole graph' },
  { keys: ['l'], label: 'l', action: 'copy-link', help: 'copy a link that reopens this view (with its notes)' },
  { keys: ['m'], label: 'm', action: 'summary', help: "the model's summary: layers, output shapes, parameters" },
  {
    keys: ['Escape'],
    label: 'Esc',
    action: 'close',
    help: 'close the inspector, search results or this help',
    inFields: true,
  },
  { keys: ['?'], label: '?', action: 'help', help: 'this help' },
];

/**
 * What each action does. A handler that returns false did nothing (the key keeps its default behaviour,
 * e.g. Enter with no group selected).
 */
export type Handlers = Record<Action, () => boolean | void>;

/** The shortcut written in a tooltip, e.g. `(c)`; for Shift+letter, `(Shift+E)`. */
export function keyHint(action: Action): string {
  const s = SHORTCUTS.find((x) => x.action === action);
  if (!s) return '';
  return `(${/^[A-Z]$/.test(s.label) ? 'Shift+' + s.label : s.label})`;
}

/** The shortcut a key press stands for, or null: none while typing in a field, none with Ctrl, Meta or Alt. */
export function shortcutFor(
  key: string,
  mods: { ctrlKey: boolean; metaKey: boolean; altKey: boolean },
  inField: boolean,
  table: readonly Shortcut[] = SHORTCUTS,
): Shortcut | null {
  const s = table.find((x) => x.keys.includes(key));
  if (!s) return null;
  if (s.inFields) return s;
  if (inField || mods.ctrlKey || mods.metaKey || mods.altKey) return null;
  return s;
}

/** Help lines: the labels of consecutive shortcuts with the same help text, and that text. */
export function helpRows(table: readonly Shortcut[] = SHORTCUTS): { labels: string[]; help: string }[] {
  const rows: { labels: string[]; help: string }[] = [];
  for (const s of table) {
    const last = rows[rows.length - 1];
    if (last && last.help === s.help) last.labels.push(s.label);
    else rows.push({ labels: [s.label], help: s.help });
  }
  return rows;
}

function isField(t: EventTarget | null): boolean {
  const tag = (t as HTMLElement | null)?.tagName;
  return tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA';
}

/** Runs the table's actions on key presses anywhere in the document. */
export function bindKeys(doc: Document, handlers: Handlers): void {
  doc.addEventListener('keydown', (ev) => {
    const s = shortcutFor(ev.key, ev, isField(ev.target));
    if (!s) return;
    if (handlers[s.action]() === false) return;
    if (s.action !== 'close') ev.preventDefault();
  });
}
