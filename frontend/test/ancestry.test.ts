import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ancestry } from '../src/scene/ancestry';

test('the parents of a drawn element, from the top level down', () => {
  const parentOf = new Map([
    ['a', ''],
    ['a/b', 'a'],
    ['a/b/c', 'a/b'],
  ]);
  assert.deepEqual(ancestry(parentOf, 'a/b/c'), ['a', 'a/b']);
  assert.deepEqual(ancestry(parentOf, 'a'), []);
  assert.deepEqual(ancestry(parentOf, 'unknown'), []);
});

test('an element named as its own parent (a group and the op of its name) ends the walk', () => {
  assert.deepEqual(ancestry(new Map([['v', 'v']]), 'v'), []);
  assert.deepEqual(
    ancestry(
      new Map([
        ['a', ''],
        ['a/v', 'a/v'],
      ]),
      'a/v',
    ),
    [],
  );
});

test('a cycle of any length ends the walk', () => {
  const parentOf = new Map([
    ['x', 'y'],
    ['y', 'z'],
    ['z', 'x'],
  ]);
  assert.deepEqual(ancestry(parentOf, 'x'), ['z', 'y']);
});
