import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cleanText,
  deleteNote,
  loadNotes,
  mergeNotes,
  moveNote,
  NOTE_MAX_CHARS,
  NOTES_MAX,
  followMoves,
  noteFollowing,
  noteOf,
  scopeOf,
  parseNotes,
  resolveAnchor,
  placeCallout,
  saveNotes,
  setNote,
  storageKey,
  wrapText,
  type KeyValueStore,
} from '../src/share/notes';

const G = { run: 'r', kind: 'run_graph', tag: null };

test('add, edit, move and delete a note; one note per node', () => {
  let n = setNote([], 'a/b', 'hello', ['a']);
  assert.equal(n.length, 1);
  assert.deepEqual(n[0].path, ['a']);
  n = setNote(n, 'a/b', '  edited  ');
  assert.equal(n.length, 1);
  assert.equal(noteOf(n, 'a/b')!.text, 'edited');
  n = moveNote(n, 'a/b', 40.4, -12.6);
  assert.deepEqual([n[0].dx, n[0].dy], [40, -13]);
  assert.equal(setNote(n, 'a/b', '   ').length, 0, 'empty text deletes');
  assert.equal(deleteNote(n, 'a/b').length, 0);
});

test('text is cleaned and capped; the number of notes is capped', () => {
  assert.equal(cleanText('a\u0000b\r\nc'), 'a b\nc');
  assert.equal(cleanText('x'.repeat(1000)).length, NOTE_MAX_CHARS);
  let n: ReturnType<typeof setNote> = [];
  for (let i = 0; i < NOTES_MAX; i++) n = setNote(n, `n${i}`, 't');
  assert.throws(() => setNote(n, 'one-more', 't'), /at most/);
});

test('a note on a hidden node attaches to its deepest drawn ancestor and says so', () => {
  const [note] = setNote([], 'a/b/c', 'x', ['a', 'a/b']);
  assert.deepEqual(
    resolveAnchor(note, (x) => ['a/b/c', 'a/b', 'a'].includes(x)),
    { anchor: 'a/b/c', hidden: false },
  );
  assert.deepEqual(
    resolveAnchor(note, (x) => ['a/b', 'a'].includes(x)),
    { anchor: 'a/b', hidden: true },
  );
  assert.deepEqual(
    resolveAnchor(note, (x) => x === 'a'),
    { anchor: 'a', hidden: true },
  );
  assert.equal(
    resolveAnchor(note, () => false),
    null,
  );
});

test('merge: incoming notes win on the same node, others are kept', () => {
  const local = setNote(setNote([], 'a', 'mine'), 'b', 'mine too');
  const incoming = setNote([], 'a', 'theirs');
  const m = mergeNotes(local, incoming);
  assert.deepEqual(m.map((x) => [x.node, x.text]).sort(), [
    ['a', 'theirs'],
    ['b', 'mine too'],
  ]);
});

test('wrapText wraps words, cuts long words, caps lines', () => {
  assert.deepEqual(wrapText('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
  assert.deepEqual(wrapText('x'.repeat(10), 4), ['xxxx', 'xxxx', 'xx']);
  assert.deepEqual(wrapText('one\ntwo', 20), ['one', 'two']);
  const many = wrapText('w '.repeat(100), 3, 2);
  assert.equal(many.length, 2);
  assert.ok(many[1].endsWith('…'));
});

test('storage round trip per graph; junk is dropped', () => {
  const m = new Map<string, string>();
  const store: KeyValueStore = {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
  const notes = setNote([], '<img src=x onerror=alert(1)>', 'hi', []);
  saveNotes(store, G, notes);
  assert.deepEqual(loadNotes(store, G), notes);
  assert.deepEqual(loadNotes(store, { ...G, run: 'other' }), []);
  assert.notEqual(storageKey(G), storageKey({ ...G, tag: 'x' }));
  m.set(storageKey(G), '{not json');
  assert.deepEqual(loadNotes(store, G), []);
  assert.deepEqual(
    parseNotes([null, 1, { node: 'a' }, { node: 'a', text: 'ok', dx: 'NaN' }, { node: 'a', text: 'dup' }]).map((n) => [
      n.node,
      n.text,
      n.dx,
    ]),
    [['a', 'ok', 0]],
  );
  saveNotes(store, G, []);
  assert.equal(m.has(storageKey(G)), false);
});

test('a callout left where it goes by default moves off boxes it is not pinned to', () => {
  const anchor = { x: 0, y: 100, w: 100, h: 40 };
  const group = { x: -50, y: 0, w: 600, h: 400 }; // the open group the anchor is drawn in: not in the way
  const neighbour = { x: 110, y: 50, w: 200, h: 60 }; // right where the default place is
  const size = { w: 120, h: 30 };
  const preferred = { x: 118, y: 66 };
  const p = placeCallout(anchor, size, preferred, [anchor, group, neighbour]);
  const c = { ...p, ...size };
  const hit = (a: typeof c, b: typeof anchor) =>
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  assert.ok(!hit(c, neighbour) && !hit(c, anchor), JSON.stringify(p));
  // With nothing in the way the preferred place is kept.
  assert.deepEqual(placeCallout(anchor, size, preferred, [anchor, group]), preferred);
});

test('a note follows its group when the scope is moved to the model and back', () => {
  // Written inside the checkpoints' area, on the group of the scope `save`, and on an op deeper in it.
  const onGroup = setNote([], '\u2237save/save', 'restores here', ['\u2237save']);
  const onOp = setNote([], 'save/Assign_3', 'this one', [
    '\u2237save',
    '\u2237save/save',
    '\u2237save/save/Assign_[1-34]',
  ]);
  assert.equal(scopeOf('\u2237save/save/Assign_[1-34]'), 'save/Assign_[1-34]');
  assert.equal(scopeOf('\u2237save'), '\u2237save');
  assert.equal(scopeOf('save'), 'save');
  // Moved: `save/` is drawn at the top level, closed; the area is gone.
  let drawn = new Set(['save', 'model']);
  const movedSave = (scope: string) => scope === 'save' || scope.startsWith('save/');
  let now = (id: string) => followMoves(id, movedSave, (x) => drawn.has(x), []);
  assert.deepEqual(
    resolveAnchor(onGroup[0], (x) => drawn.has(x), now),
    { anchor: 'save', hidden: false },
  );
  assert.deepEqual(
    resolveAnchor(onOp[0], (x) => drawn.has(x), now),
    { anchor: 'save', hidden: true },
  );
  assert.equal(noteFollowing(onGroup, 'save', now)?.text, 'restores here', 'selected where it is drawn now');
  assert.equal(
    resolveAnchor(onGroup[0], (x) => drawn.has(x)),
    null,
    'without following, it was lost',
  );
  // An op moved alone (no scope entry) leaves its scope's group in the area: the note stays there.
  const nothingMoved = () => false;
  drawn = new Set(['\u2237save', '\u2237save/save', 'save']);
  now = (id: string) => followMoves(id, nothingMoved, (x) => drawn.has(x), ['\u2237save']);
  assert.deepEqual(
    resolveAnchor(onGroup[0], (x) => drawn.has(x), now),
    { anchor: '\u2237save/save', hidden: false },
  );
  // Written in the model while moved, then moved back: found inside the area that holds it again.
  const writtenMoved = setNote([], 'save', 'moved note', []);
  drawn = new Set(['\u2237save', '\u2237save/save']);
  assert.deepEqual(
    resolveAnchor(writtenMoved[0], (x) => drawn.has(x), now),
    {
      anchor: '\u2237save/save',
      hidden: false,
    },
  );
  // Op names never change.
  assert.equal(
    followMoves('global_step', movedSave, () => false, ['\u2237optimizer']),
    'global_step',
  );
});
