import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helpRows, keyHint, shortcutFor, SHORTCUTS } from '../src/panels/keys';

const none = { ctrlKey: false, metaKey: false, altKey: false };

test('every key runs one action, and every action has a key and a help line', () => {
  const keys = SHORTCUTS.flatMap((s) => s.keys);
  assert.equal(new Set(keys).size, keys.length, 'a key is bound twice');
  const actions = SHORTCUTS.map((s) => s.action);
  assert.equal(new Set(actions).size, actions.length, 'an action is listed twice');
  for (const s of SHORTCUTS) assert.ok(s.help.length > 0 && s.label.length > 0, s.action);
});

test('a key press finds its shortcut; typing in a field or holding a modifier does not', () => {
  assert.equal(shortcutFor('c', none, false)?.action, 'mode-collapse');
  assert.equal(shortcutFor('=', none, false)?.action, 'zoom-in');
  assert.equal(shortcutFor('E', none, false)?.action, 'export-svg');
  assert.equal(shortcutFor('c', none, true), null);
  assert.equal(shortcutFor('c', { ...none, ctrlKey: true }, false), null);
  assert.equal(shortcutFor('l', { ...none, metaKey: true }, false), null);
  assert.equal(shortcutFor('x', none, false), null);
});

test('Escape closes things even from a field', () => {
  assert.equal(shortcutFor('Escape', none, true)?.action, 'close');
  assert.equal(shortcutFor('Escape', { ...none, altKey: true }, false)?.action, 'close');
});

test('the help lists every shortcut once, sharing a line where the help is the same', () => {
  const rows = helpRows();
  assert.deepEqual(rows[0], { labels: ['←', '↑', '→', '↓'], help: 'pan' });
  assert.deepEqual(rows[1].labels, ['+', '−']);
  assert.equal(rows.flatMap((r) => r.labels).length, SHORTCUTS.length);
  assert.ok(rows.some((r) => r.help.includes('fit the graph')));
  assert.ok(rows.some((r) => r.help.includes('copy a link')));
});

test('tooltips name the key from the table', () => {
  assert.equal(keyHint('fit'), '(0)');
  assert.equal(keyHint('export-svg'), '(Shift+E)');
  assert.equal(keyHint('help'), '(?)');
});
