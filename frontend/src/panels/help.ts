// The "?" overlay listing every keyboard shortcut.

import { h } from '../dom';

export const SHORTCUTS: [string[], string][] = [
  [['←', '↑', '→', '↓'], 'pan'],
  [['+', '−'], 'zoom in / out (also mouse wheel, trackpad pinch)'],
  [['0'], 'fit the graph to the screen'],
  [['c'], 'phase edges: collapse (badges only)'],
  [['h'], 'phase edges: highlight (bundled, rest dimmed)'],
  [['s'], 'phase edges: show (plain lines)'],
  [['/'], 'search by name or op'],
  [['Enter'], 'open / close the selected group (also double-click or the chevron)'],
  [['n'], 'add or edit a note on the selected node or group'],
  [['e'], 'export PNG (2x) of the view or the whole graph'],
  [['E'], 'export SVG'],
  [['y'], 'copy a PNG to the clipboard'],
  [['w'], 'export scope: the view / the whole graph'],
  [['l'], 'copy a link that reopens this view (with its notes)'],
  [['Esc'], 'close the inspector, search results or this help'],
  [['?'], 'this help'],
];

export function helpOverlay(onClose: () => void): HTMLElement {
  const rows = SHORTCUTS.map(([keys, what]) =>
    h('tr', {}, h('td', {}, ...keys.flatMap((k, i) => [i ? ' ' : '', h('kbd', {}, k)])), h('td', {}, what)),
  );
  const close = h('button', { class: 'pv-btn', type: 'button' }, 'Close');
  close.addEventListener('click', onClose);
  const box = h('div', { role: 'dialog', 'aria-label': 'Keyboard shortcuts' }, h('h2', {}, 'Keyboard shortcuts'), h('table', {}, ...rows), h('p', {}, close));
  const el = h('div', { class: 'pv-help', hidden: true }, box);
  el.addEventListener('click', (ev) => {
    if (ev.target === el) onClose();
  });
  return el;
}
