// Keeps the parts apart: only the scene's own files look into the scene's DOM. Every other module hears
// from the scene through its events (`drawn`, `zoomed`, clicks) and asks through its public methods
// (`abs`, `pathOf`, `drawnEdgeKinds`, `layers`, `transform`...). This test reads every source file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** The scene's own files: the only ones allowed to query and observe the drawing's elements. */
const SCENE_DIR = 'scene/';
/** Watches TensorBoard's page (the parent document) for its dark-mode class: no part of this app. */
const THEME_FILE = 'host/theme.ts';

/** Words of the scene's drawing: its layers, its classes and its test hooks. */
const SCENE_WORDS =
  /data-node\b|data-edge-kind|data-group|data-expanded|data-from|data-to\b|data-aux|\.world|\.graph\b|phase-overlay|world-overlay|phase-layer|\.canvas|\.node\b|\.edge\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** What breaks the rule in one file (`file` relative to src/, with forward slashes). */
function violations(file: string, text: string): string[] {
  const out: string[] = [];
  const line = (i: number) => text.slice(0, i).split('\n').length;
  const inScene = file.startsWith(SCENE_DIR);
  for (const m of text.matchAll(/__zoom/g))
    out.push(`${file}:${line(m.index!)}: d3's private __zoom (use zoomTransform)`);
  if (inScene) return out;
  for (const m of text.matchAll(/\bnew (MutationObserver|ResizeObserver)\b/g))
    if (!(file === THEME_FILE && m[1] === 'MutationObserver'))
      out.push(`${file}:${line(m.index!)}: ${m[1]} outside the scene`);
  for (const m of text.matchAll(
    /\bdocument\s*\.\s*(querySelector|querySelectorAll|getElementById|getElementsByClassName|getElementsByTagName)\b/g,
  ))
    out.push(`${file}:${line(m.index!)}: document.${m[1]} (parts are handed their elements)`);
  for (const m of text.matchAll(
    /\.(querySelector|querySelectorAll|closest|matches)\s*(<[^>]*>)?\s*\(\s*(['"`])((?:(?!\3).)*)\3/g,
  ))
    if (SCENE_WORDS.test(m[4])) out.push(`${file}:${line(m.index!)}: ${m[1]}('${m[4]}') reads the scene's drawing`);
  for (const m of text.matchAll(/\bscene\s*\.\s*(svg|world|graphLayer|overlay|overlayWorld|phaseLayer|elements)\b/g))
    out.push(`${file}:${line(m.index!)}: the scene's element ${m[1]} (use its events and public methods)`);
  return out;
}

test('no module outside scene/ queries or observes the scene’s DOM', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.length > 20, `found only ${files.length} source files under ${SRC}`);
  const found = files.flatMap((p) => violations(relative(SRC, p).split('\\').join('/'), readFileSync(p, 'utf8')));
  assert.deepEqual(found, []);
});

test('the check catches each way of watching the scene', () => {
  const planted: [string, string][] = [
    ['share/notebook.ts', 'new MutationObserver(() => this.redraw()).observe(layer, { childList: true });'],
    ['share/notelayer.ts', "const world = host.svg.querySelector('g.world');"],
    ['share/notebook.ts', 'const el = this.host.scene.svg.querySelector(`[data-node="${name}"]`);'],
    [
      'share/exporter.ts',
      "for (const el of svg.querySelectorAll('g.graph [data-edge-kind]:not([data-aux])')) kinds.add(el);",
    ],
    [
      'share/notebook.ts',
      "for (let p = el?.parentElement?.closest('[data-node]'); p; p = p.parentElement?.closest('[data-node]')) path.unshift(p);",
    ],
    ['panels/inspector.ts', "const n = document.querySelector('#phaseview-app');"],
    ['panels/toolbar.ts', 'new ResizeObserver(() => this.layout()).observe(stage);'],
    ['share/links.ts', 'const r = this.host.scene.svg.getBoundingClientRect();'],
    ['scene/scene.ts', 'const t = (this.svg as unknown as { __zoom?: ZoomTransform }).__zoom;'],
  ];
  for (const [file, text] of planted) assert.ok(violations(file, text).length > 0, `not caught in ${file}: ${text}`);
  // The scene may query its own drawing; the theme may watch TensorBoard's page.
  assert.deepEqual(violations('scene/scene.ts', "this.phaseLayer.querySelectorAll('.phase-edge.selected');"), []);
  assert.deepEqual(
    violations('host/theme.ts', 'new MutationObserver(apply).observe(parentBody, { attributes: true });'),
    [],
  );
  assert.deepEqual(violations('panels/search.ts', "this.results.querySelector('button')"), []);
});

test('frontend/README.md names every module of src/', () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const missing = sourceFiles(SRC)
    .map((p) => 'src/' + relative(SRC, p).split('\\').join('/'))
    .filter((m) => !readme.includes('`' + m + '`'));
  assert.deepEqual(missing, []);
});
