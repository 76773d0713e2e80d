import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeState,
  encodeState,
  initialState,
  isExpanded,
  openPath,
  runAsOf,
  selectGraph,
  setMode,
  setRunAs,
  toggleGroup,
  sameGraph,
} from '../src/graph/state';

test('the root is always open and cannot be closed', () => {
  const s = initialState();
  assert.equal(isExpanded(s, ''), true);
  assert.equal(toggleGroup(s, ''), s);
});

test('toggleGroup opens and closes without mutating the previous state', () => {
  const s0 = initialState();
  const s1 = toggleGroup(s0, 'a');
  assert.equal(isExpanded(s1, 'a'), true);
  assert.equal(isExpanded(s0, 'a'), false);
  const s2 = toggleGroup(s1, 'a');
  assert.equal(isExpanded(s2, 'a'), false);
  assert.equal(toggleGroup(s2, 'a', false), s2, 'no-op returns the same object');
});

test('closing a group keeps its descendants open for when it reopens', () => {
  let s = openPath(initialState(), ['a', 'a/b']);
  s = toggleGroup(s, 'a', false);
  assert.deepEqual([...s.expanded], ['a/b']);
  s = toggleGroup(s, 'a', true);
  assert.ok(isExpanded(s, 'a/b'));
});

test('selectGraph forgets groups and selection, keeps the filter', () => {
  let s = setMode(openPath(initialState(), ['x']), 'highlight');
  s = { ...s, selected: 'x' };
  const t = selectGraph(s, { run: 'r', kind: 'run_graph', tag: null });
  assert.equal(t.expanded.size, 0);
  assert.equal(t.selected, null);
  assert.equal(t.mode, 'highlight');
});

test('encode/decode round-trips names with separators and hostile characters', () => {
  let s = selectGraph(initialState(), { run: 'runs/a&b=c', kind: 'trace', tag: 'step 1' });
  s = openPath(s, ['<img src=x onerror=alert(1)>', 'a,b/c']);
  s = { ...setMode(s, 'show'), selected: 'a,b/c/#x' };
  const t = decodeState(encodeState(s));
  assert.ok(sameGraph(t.graph, s.graph));
  assert.deepEqual([...t.expanded].sort(), [...s.expanded].sort());
  assert.equal(t.mode, 'show');
  assert.equal(t.selected, 'a,b/c/#x');
});

test('decode tolerates junk', () => {
  const t = decodeState('#mode=bogus&open=');
  assert.equal(t.mode, 'collapse');
  assert.equal(t.expanded.size, 0);
  assert.equal(t.graph, null);
});

test('sameGraph treats a null and an empty tag alike', () => {
  assert.ok(sameGraph({ run: 'r', kind: 'run_graph', tag: null }, { run: 'r', kind: 'run_graph', tag: '' }));
  assert.ok(!sameGraph({ run: 'r', kind: 'run_graph', tag: null }, { run: 'r', kind: 'trace', tag: null }));
});

test('run as: kept across graphs, saved in the session string, anything unknown read as both', () => {
  let s = setRunAs(initialState(), 'true');
  assert.equal(runAsOf(s), 'true');
  assert.equal(setRunAs(s, 'true'), s, 'no-op returns the same object');
  s = selectGraph(s, { run: 'r', kind: 'run_graph', tag: null });
  assert.equal(runAsOf(s), 'true');
  assert.equal(runAsOf(decodeState(encodeState(s))), 'true');
  assert.equal(runAsOf(decodeState(encodeState(setRunAs(s, 'both')))), 'both');
  assert.ok(!encodeState(setRunAs(s, 'both')).includes('as='));
  assert.equal(runAsOf(decodeState('run=r&as=sideways')), 'both');
});
