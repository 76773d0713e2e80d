import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hyperBadgeTitle, hyperNote } from '../src/graph/hyperwords';
import { collapsedSize } from '../src/layout/input';
import type { Child } from '../src/graph/api';

// The server marks the boxes (tests/test_hyperparameter_marks.py); these are the words and room for them.
const source: Child = {
  name: 'keep_prob',
  label: 'keep_prob',
  type: 'op',
  op: 'Placeholder',
  phase: null,
  hyper: { name: 'keep_prob', readers: 3 },
};

test("a hyperparameter's box says how many ops read it and has room for it", () => {
  assert.equal(hyperNote(source), 'η read by 3 ops');
  assert.equal(hyperNote({ ...source, hyper: { name: 'keep_prob', readers: 1 } }), 'η read by 1 op');
  assert.equal(hyperNote({ ...source, hyper: undefined }), null);
  assert.ok(
    collapsedSize(source).h > collapsedSize({ ...source, hyper: undefined }).h,
    'its box has room for the note',
  );
});

test('a badge names the hyperparameters a box reads and where their edges are', () => {
  assert.equal(
    hyperBadgeTitle(['keep_prob']),
    'reads the hyperparameter keep_prob (its edges are hidden: show them in the legend)',
  );
  assert.ok(hyperBadgeTitle(['a', 'b']).startsWith('reads the hyperparameters a, b'));
});
