import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  changedKinds,
  kindState,
  nextKindState,
  nextPhaseMode,
  parseKinds,
  PHASE_LEGEND_STATE,
} from '../src/graph/kinds';
import { decodeState, encodeState, initialState, selectGraph, setKind } from '../src/graph/state';
import { decodeLink, encodeLink } from '../src/share/linkcodec';
import { legendItems } from '../src/share/exportplan';

test('kinds default to the model drawn and the machinery hidden; a click cycles drawn, dimmed, hidden', () => {
  assert.equal(kindState({}, 'data'), 'drawn');
  assert.equal(kindState({}, 'variable'), 'drawn');
  for (const k of ['init', 'gradient', 'optimizer', 'summary', 'save', 'hyperparameter'])
    assert.equal(kindState({}, k), 'hidden');
  assert.deepEqual(
    [nextKindState('drawn'), nextKindState('dimmed'), nextKindState('hidden')],
    ['dimmed', 'hidden', 'drawn'],
  );
});

test('the phase entry follows the phase filter and cycles it like the three buttons', () => {
  assert.deepEqual(PHASE_LEGEND_STATE, { collapse: 'hidden', highlight: 'highlighted', show: 'drawn' });
  assert.deepEqual(
    [nextPhaseMode('collapse'), nextPhaseMode('highlight'), nextPhaseMode('show')],
    ['highlight', 'show', 'collapse'],
  );
});

test('only changed kinds are kept; untrusted kinds are dropped', () => {
  let s = setKind(initialState(), 'gradient', 'drawn');
  s = setKind(s, 'data', 'dimmed');
  s = setKind(s, 'init', 'hidden'); // the default: not kept
  assert.deepEqual(s.kinds, { gradient: 'drawn', data: 'dimmed' });
  assert.deepEqual(changedKinds({ phase: 'drawn', save: 'hidden' }), {});
  assert.deepEqual(parseKinds({ gradient: 'drawn', bogus: 'drawn', data: 'on fire', phase: 'hidden' }), {
    gradient: 'drawn',
  });
  assert.deepEqual(parseKinds(['gradient']), {});
});

test('the kinds travel in the session state, the shared link, and survive a graph switch', () => {
  let s = selectGraph(initialState(), { run: 'r', kind: 'run_graph', tag: null });
  s = setKind(setKind(s, 'gradient', 'dimmed'), 'control', 'hidden');
  assert.deepEqual(decodeState(encodeState(s)).kinds, { control: 'hidden', gradient: 'dimmed' });
  const link = decodeLink(encodeLink({ view: s, viewport: null, notes: [] }).token)!;
  assert.deepEqual(link.view.kinds, { control: 'hidden', gradient: 'dimmed' });
  assert.deepEqual(selectGraph(s, { run: 'q', kind: 'run_graph', tag: null }).kinds, s.kinds);
});

test('the export legend says which kinds are dimmed and which are hidden', () => {
  const items = legendItems(
    new Set(['data', 'control', 'gradient', 'init']),
    'collapse',
    { sources: [], layers: 0 },
    0,
    {
      data: 'drawn',
      control: 'dimmed',
      gradient: 'hidden',
      init: 'hidden',
    },
  );
  assert.deepEqual(
    items.map((i) => i.label),
    [
      'data edges',
      'control edges (dimmed)',
      'hidden: gradient, init edges',
      'phase edges: none (no learning-phase flag in this graph)',
    ],
  );
});
