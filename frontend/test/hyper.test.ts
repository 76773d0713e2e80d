import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hyperIndex, markHyperparameters, hyperNote } from '../src/graph/hypermap';
import { collapsedSize } from '../src/layout/input';
import type { GroupAnswer, HyperparameterAnswer } from '../src/graph/api';

const hyper: HyperparameterAnswer = {
  sources: [{ name: 'keep_prob', op: 'Placeholder', readers: 3, path: [] }],
  edges: [
    { from: 'keep_prob', to: 'drop1/mul', to_path: ['drop1'] },
    { from: 'keep_prob', to: 'drop2/mul', to_path: ['drop2'] },
    { from: 'keep_prob', to: 'drop2/div', to_path: ['drop2'] },
  ],
};

const root = (): GroupAnswer => ({
  version: 1,
  group: '',
  path: [],
  truncated: false,
  edges: [],
  children: [
    { name: 'keep_prob', label: 'keep_prob', type: 'op', op: 'Placeholder', phase: null },
    { name: 'drop1', label: 'drop1', type: 'group', size: 4, phase: null },
    { name: 'drop2', label: 'drop2', type: 'group', size: 4, phase: null },
    { name: 'dense', label: 'dense', type: 'group', size: 4, phase: null },
  ],
});

test('a hyperparameter gets a box like the flag and each box reading it a badge naming it', () => {
  const g = root();
  markHyperparameters(g, hyperIndex(hyper));
  const [source, d1, d2, dense] = g.children;
  assert.deepEqual(source.hyper, { name: 'keep_prob', readers: 3 });
  assert.equal(hyperNote(source), 'η read by 3 ops');
  assert.ok(
    collapsedSize(source).h > collapsedSize({ ...source, hyper: undefined }).h,
    'its box has room for the note',
  );
  assert.deepEqual(d1.hyperReads, ['keep_prob']);
  assert.deepEqual(d2.hyperReads, ['keep_prob']);
  assert.equal(dense.hyperReads, undefined);
  assert.equal(source.hyperReads, undefined);
});

test('a group holding the hyperparameter reads it from inside: no badge there, the scope of its name is its box', () => {
  const inside: HyperparameterAnswer = {
    sources: [
      {
        name: 'training/SGD/learning_rate',
        op: 'VarHandleOp',
        readers: 2,
        path: ['∷optimizer', '∷optimizer/training', '∷optimizer/training/learning_rate'],
      },
    ],
    edges: [
      {
        from: 'training/SGD/learning_rate',
        to: 'training/SGD/update/Apply',
        to_path: ['∷optimizer', '∷optimizer/training', '∷optimizer/training/update'],
      },
    ],
  };
  const index = hyperIndex(inside);
  const top: GroupAnswer = {
    ...root(),
    children: [
      { name: '∷optimizer', label: 'optimizer · 9 ops', type: 'group', size: 9, area: 'optimizer', phase: null },
    ],
  };
  markHyperparameters(top, index);
  assert.equal(top.children[0].hyperReads, undefined);
  const training: GroupAnswer = {
    ...root(),
    group: '∷optimizer/training',
    children: [
      { name: '∷optimizer/training/learning_rate', label: 'learning_rate', type: 'group', size: 2, phase: null },
      { name: '∷optimizer/training/update', label: 'update', type: 'group', size: 4, phase: null },
    ],
  };
  markHyperparameters(training, index);
  assert.equal(training.children[0].hyper?.name, 'training/SGD/learning_rate');
  assert.deepEqual(training.children[1].hyperReads, ['training/SGD/learning_rate']);
});

test('a graph without hyperparameters marks nothing', () => {
  const g = root();
  markHyperparameters(g, hyperIndex(undefined));
  assert.ok(g.children.every((c) => c.hyper === undefined && c.hyperReads === undefined));
});
