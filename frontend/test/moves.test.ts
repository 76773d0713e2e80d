import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refParams, type GraphAnswer } from '../src/graph/api';
import {
  addMove,
  coveringMove,
  loadMoves,
  MOVES_MAX,
  movesKey,
  parseMoves,
  removeMove,
  sameMoves,
  saveMoves,
  scopeInArea,
} from '../src/graph/moves';
import { decodeLink, encodeLink } from '../src/share/linkcodec';
import type { KeyValueStore } from '../src/share/notes';
import { initialState } from '../src/graph/state';
import { movedText } from '../src/panels/statusbar';

const G = { run: 'r', kind: 'run_graph', tag: null };

function memory(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

test('moves are names, kept sorted without repeats or a trailing slash, and bounded', () => {
  assert.deepEqual(parseMoves(['b//', 'a', 'b', '', '/', 3, null]), ['a', 'b', 'b/']);
  assert.deepEqual(parseMoves('save'), []);
  assert.equal(parseMoves(Array.from({ length: MOVES_MAX + 50 }, (_, i) => `n${i}`)).length, MOVES_MAX);
  assert.deepEqual(addMove(['save/'], 'Adam/beta1_power'), ['Adam/beta1_power', 'save/']);
  assert.deepEqual(removeMove(['a', 'save/'], 'save/'), ['a']);
  assert.ok(sameMoves(undefined, []) && !sameMoves(['a'], ['b']));
});

test('the move covering a name is the deepest scope holding it, and an area group stands for its scope', () => {
  // An op entry covers that op alone; a scope entry its op (the group of its name) and everything below.
  assert.equal(coveringMove(['save/', 'save/RestoreV2/'], 'save/RestoreV2/x'), 'save/RestoreV2/');
  assert.equal(coveringMove(['save/'], 'saver/x'), null);
  assert.equal(coveringMove(['save/'], 'save'), 'save/');
  assert.equal(coveringMove(['global_step'], 'global_step/read'), null);
  assert.equal(coveringMove(['global_step'], 'global_step'), 'global_step');
  const areas = [{ group: '∷save' }, { group: '∷gradient' }];
  assert.equal(scopeInArea('∷save/save/RestoreV2', areas), 'save/RestoreV2');
  assert.equal(scopeInArea('∷save', areas), null);
  assert.equal(scopeInArea('save', areas), null);
});

test('moves are kept per run and graph, and an empty list removes the entry', () => {
  const store = memory();
  saveMoves(store, G, ['save/']);
  assert.deepEqual(loadMoves(store, G), ['save/']);
  assert.deepEqual(loadMoves(store, { ...G, run: 'other' }), []);
  store.setItem(movesKey({ ...G, tag: 't', kind: 'graph_run_metadata' }), '{not json');
  assert.deepEqual(loadMoves(store, { ...G, tag: 't', kind: 'graph_run_metadata' }), []);
  saveMoves(store, G, []);
  assert.equal(store.data.size, 1);
  assert.deepEqual(loadMoves(null, G), []);
});

test('requests carry the moves as a JSON list, and only when there are some', () => {
  assert.equal(refParams(G).model, undefined);
  assert.equal(refParams({ ...G, model: [] }).model, undefined);
  assert.equal(refParams({ ...G, model: ['save/', 'a/b'] }).model, '["save/","a/b"]');
});

test('a link carries the moves; a link without them says nothing about them', () => {
  const view = { ...initialState(), graph: { ...G, model: ['save/'] } };
  const back = decodeLink(encodeLink({ view, viewport: null, notes: [] }).token)!;
  assert.deepEqual(back.view.graph?.model, ['save/']);
  const plain = decodeLink(encodeLink({ view: { ...view, graph: G }, viewport: null, notes: [] }).token)!;
  assert.equal(plain.view.graph?.model, undefined);
});

test('the status line and the legend say what moved, and leave out names that moved nothing', () => {
  const moved: NonNullable<GraphAnswer['moved']> = {
    entries: [
      { name: 'Adam/beta1_power', ops: 1, roles: { optimizer: 1 } },
      { name: 'gone', ops: 0, roles: {} },
      { name: 'save', ops: 1046, roles: { save: 1046 } },
    ],
    ops: 1047,
  };
  assert.equal(movedText(moved), 'moved to the model by the user: Adam/beta1_power (1 op), save (1,046 ops)');
});
