// Bundles the PhaseView frontend with esbuild.
//   node build.mjs          -> ../tb_phaseview/static/index.js + app.js + layout.worker.js (ES modules, minified)
//   node build.mjs --dev    -> same, unminified, with sourcemaps
//   node build.mjs --tests  -> build-test/*.test.mjs for `node --test`
import * as esbuild from 'esbuild';
import { readdirSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));

if (args.has('--tests')) {
  const outdir = join(here, 'build-test');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const entries = readdirSync(join(here, 'test'))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(here, 'test', f));
  await esbuild.build({
    entryPoints: entries,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
} else {
  const dev = args.has('--dev');
  const outdir = join(here, '..', 'tb_phaseview', 'static');
  mkdirSync(outdir, { recursive: true });
  const started = Date.now();
  const result = await esbuild.build({
    // index.js is the small entry that TensorBoard imports; it sends the first request, then imports app.js
    // (left external, so it stays a file of its own rather than being bundled into the entry).
    entryPoints: {
      index: join(here, 'src', 'index.ts'),
      app: join(here, 'src', 'app.ts'),
      'layout.worker': join(here, 'src', 'layout', 'worker.ts'),
    },
    external: ['./app.js'],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: !dev,
    sourcemap: dev ? 'linked' : false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const sizes = Object.entries(result.metafile.outputs)
    .map(([f, o]) => `${f.split('/').pop()} ${(o.bytes / 1024).toFixed(1)} KiB`)
    .join(', ');
  console.log(`built ${sizes} in ${Date.now() - started} ms`);
}
