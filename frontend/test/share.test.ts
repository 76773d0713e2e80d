import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setNote } from '../src/share/notes';
import {
  decodeLink,
  encodeLink,
  fromBase64Url,
  hashWithoutToken,
  LINK_MAX_CHARS,
  namePrefixes,
  parseTbHash,
  pluginLink,
  tensorBoardLink,
  toBase64Url,
  tokenFromHash,
  type LinkState,
} from '../src/share/linkcodec';
import { initialState, openPath, runAsOf, selectGraph, setMode, setRunAs } from '../src/graph/state';

function sample(): LinkState {
  let view = selectGraph(initialState(), { run: 'runs/a&b=c #1', kind: 'trace', tag: 'step 1/é' });
  view = setMode(openPath(view, ['bn2a', 'bn2a/cond', '<img src=x onerror=alert(1)>']), 'highlight');
  view = { ...view, selected: 'bn2a/cond' };
  let notes = setNote([], 'bn2a/cond/Merge', 'picks the output — ✓', ['bn2a', 'bn2a/cond']);
  notes = setNote(notes, 'flag', 'relocated', ['bnl_stg-1']); // a display path that is not the name's prefixes
  return { view, viewport: { cx: 120.25, cy: -40.5, k: 0.146871 }, notes };
}

test('link round trip: graph, filter, open groups, selection, viewport, notes', () => {
  const s = sample();
  const { token, notesDropped } = encodeLink(s);
  assert.equal(notesDropped, 0);
  assert.match(token, /^[A-Za-z0-9_-]+$/, 'base64url: survives TensorBoard hash parsing (no & or =)');
  const t = decodeLink(token)!;
  assert.deepEqual(t.view.graph, s.view.graph);
  assert.equal(t.view.mode, 'highlight');
  assert.deepEqual([...t.view.expanded].sort(), [...s.view.expanded].sort());
  assert.equal(t.view.selected, 'bn2a/cond');
  assert.deepEqual(t.viewport, { cx: 120.3, cy: -40.5, k: 0.14687 });
  assert.deepEqual(t.notes, s.notes);
});

test('a note path equal to the name prefixes is left out of the link and rebuilt', () => {
  assert.deepEqual(namePrefixes('a/b/c'), ['a', 'a/b']);
  const s = sample();
  const raw = JSON.parse(fromBase64Url(encodeLink(s).token));
  assert.equal(raw.n[0].length, 4);
  assert.deepEqual(raw.n[1][4], ['bnl_stg-1']);
});

test('the link is capped: notes are dropped from the end and counted', () => {
  const s = sample();
  let notes = s.notes;
  for (let i = 0; i < 80; i++) notes = setNote(notes, `n${i}`, 'x'.repeat(200) + i);
  const { token, notesDropped } = encodeLink({ ...s, notes });
  assert.ok(token.length <= LINK_MAX_CHARS);
  assert.ok(notesDropped > 0);
  assert.equal(decodeLink(token)!.notes.length, notes.length - notesDropped);
});

test('decode refuses junk and other versions', () => {
  assert.equal(decodeLink('!!!'), null);
  assert.equal(decodeLink(toBase64Url('{"v":2}')), null);
  assert.equal(decodeLink(toBase64Url('[1,2]')), null);
  const t = decodeLink(
    toBase64Url(
      '{"v":1,"g":["r"],"m":"bogus","o":[1,"",null,"a"],"vp":[1,2,-1],"n":[["a",""],[1,"x"],["b","ok",3,4]]}',
    ),
  )!;
  assert.deepEqual(t.view.graph, { run: 'r', kind: 'run_graph', tag: null });
  assert.equal(t.view.mode, 'collapse');
  assert.deepEqual([...t.view.expanded], ['a']);
  assert.equal(t.viewport, null);
  assert.deepEqual(
    t.notes.map((n) => n.node),
    ['b'],
  );
});

test('TensorBoard URL: the tab and other hash parameters are kept, the token replaced', () => {
  const url = tensorBoardLink('http://h:6006/?x=1#scalars&_smoothingWeight=0.6&pv=old', 'TOKEN');
  assert.equal(url, 'http://h:6006/?x=1#phaseview&_smoothingWeight=0.6&pv=TOKEN');
  assert.equal(tokenFromHash(new URL(url).hash), 'TOKEN');
  assert.deepEqual(parseTbHash('#phaseview&a=b%20c').params, [['a', 'b c']]);
  assert.equal(hashWithoutToken('#phaseview&_smoothingWeight=0.6&pv=TOKEN'), '#phaseview&_smoothingWeight=0.6');
  assert.equal(hashWithoutToken('#pv=TOKEN'), '');
  assert.equal(
    pluginLink('http://h:6006/data/plugin_entry.html?name=phaseview#old', 'T'),
    'http://h:6006/data/plugin_entry.html?name=phaseview#pv=T',
  );
  assert.equal(tokenFromHash('#phaseview'), null);
});

test('a link carries the size of the view it was copied from, and older links without it still open', () => {
  const view = { ...initialState(), graph: { run: 'r', kind: 'run_graph', tag: null } };
  const { token } = encodeLink({ view, viewport: { cx: 1, cy: 2, k: 0.5, w: 1400.4, h: 702.6 }, notes: [] });
  assert.deepEqual(decodeLink(token)!.viewport, { cx: 1, cy: 2, k: 0.5, w: 1400, h: 703 });
  const old = decodeLink(toBase64Url('{"v":1,"g":["r","run_graph",null],"vp":[1,2,0.5]}'))!;
  assert.deepEqual(old.viewport, { cx: 1, cy: 2, k: 0.5 });
});

test('a link opens at most LINK_MAX_OPEN groups and says how many it left closed; its viewport is clamped', async () => {
  const { decodeLink, toBase64Url, LINK_MAX_OPEN, LINK_MAX_COORD, LINK_ZOOM_RANGE } =
    await import('../src/share/linkcodec');
  const groups = Array.from({ length: 20_000 }, (_, i) => `g${String(i).padStart(5, '0')}`);
  const token = toBase64Url(
    JSON.stringify({ v: 1, g: ['r', 'run_graph', null], o: groups, vp: [1e308, -1e308, 1e308] }),
  );
  const link = decodeLink(token)!;
  assert.equal(link.view.expanded.size, LINK_MAX_OPEN);
  assert.ok(link.view.expanded.has('g00000') && !link.view.expanded.has(groups[LINK_MAX_OPEN]));
  assert.equal(link.openDropped, 20_000 - LINK_MAX_OPEN);
  assert.deepEqual(link.viewport, { cx: LINK_MAX_COORD, cy: -LINK_MAX_COORD, k: LINK_ZOOM_RANGE[1] });
  const small = decodeLink(
    toBase64Url(JSON.stringify({ v: 1, g: ['r', 'run_graph', null], o: ['a'], vp: [1, 2, 1e-9] })),
  )!;
  assert.equal(small.openDropped, 0);
  assert.deepEqual(small.viewport, { cx: 1, cy: 2, k: LINK_ZOOM_RANGE[0] });
});

test('the phase the view runs as rides in the link; an older link without it runs as both', () => {
  const view = setRunAs(selectGraph(initialState(), { run: 'r', kind: 'run_graph', tag: null }), 'false');
  const back = decodeLink(encodeLink({ view, viewport: null, notes: [] }).token)!;
  assert.equal(runAsOf(back.view), 'false');
  const both = decodeLink(encodeLink({ view: setRunAs(view, 'both'), viewport: null, notes: [] }).token)!;
  assert.equal(runAsOf(both.view), 'both');
  assert.equal(
    JSON.parse(fromBase64Url(encodeLink({ view: setRunAs(view, 'both'), viewport: null, notes: [] }).token)).r,
    undefined,
  );
  const junk = toBase64Url(JSON.stringify({ v: 1, g: ['r', 'run_graph', null], m: 'collapse', r: '<script>' }));
  assert.equal(runAsOf(decodeLink(junk)!.view), 'both');
});

test('a token copied with base64 padding opens the same view', () => {
  for (const selected of ['a', 'ab', 'abc']) {
    const view = { ...initialState(), graph: { run: 'r', kind: 'run_graph', tag: null }, selected };
    const { token } = encodeLink({ view, viewport: null, notes: [] });
    const padded = token + '='.repeat((4 - (token.length % 4)) % 4);
    const hash = new URL(`http://h:6006/#phaseview&_smoothingWeight=0.6&pv=${padded}`).hash;
    assert.equal(tokenFromHash(hash), padded);
    assert.deepEqual(decodeLink(tokenFromHash(hash)!), decodeLink(token));
    assert.equal(decodeLink(padded)!.view.selected, selected);
    assert.equal(hashWithoutToken(hash), '#phaseview&_smoothingWeight=0.6');
  }
  assert.deepEqual(parseTbHash('#phaseview&k=a=b').params, [['k', 'a=b']]);
});
