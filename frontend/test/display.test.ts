import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayName } from '../src/graph/display';

const areas = [
  { group: '∷init', title: 'initialisers', label: 'initialisers · 832 ops' },
  { group: '∷gradient', title: 'gradients', label: 'gradients · 1,620 ops' },
];

test('an area is named by its title, a group inside it by its scope and the area', () => {
  assert.equal(displayName('∷gradient', areas), 'gradients area');
  assert.equal(displayName('∷init/bn3a_branch2a', areas), 'bn3a_branch2a · in the initialisers area');
});

test('the model’s names are left alone', () => {
  assert.equal(displayName('bn3a_branch2a', areas), 'bn3a_branch2a');
  assert.equal(displayName('∷initx', areas), '∷initx');
});
