// The pure half of export: PNG sizing under a memory bound, the legend's wording, file names, XML-safe text.

import type { PhaseMode } from '../graph/state';

export const PNG_DENSITY = 2;
/** Canvas bounds: browsers refuse larger canvases (Chrome: 16,384 a side) and 64 Mpx is ~256 MB of RGBA. */
export const MAX_SIDE = 16384;
export const MAX_PIXELS = 64 * 1024 * 1024;
/** Below this density the picture is unreadable: refuse and suggest SVG instead. */
export const MIN_DENSITY = 0.5;

export type PngPlan =
  | { ok: true; width: number; height: number; scale: number; reduced: boolean; message: string | null }
  | { ok: false; message: string };

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Pixel size of a PNG of a `w`×`h` (CSS px) picture: 2x, scaled down to the bounds, or refused. */
export function pngPlan(
  w: number,
  h: number,
  density = PNG_DENSITY,
  maxSide = MAX_SIDE,
  maxPixels = MAX_PIXELS,
): PngPlan {
  if (!(w > 0 && h > 0) || !Number.isFinite(w) || !Number.isFinite(h))
    return { ok: false, message: 'Nothing to export: the picture is empty.' };
  const scale = Math.min(density, maxSide / w, maxSide / h, Math.sqrt(maxPixels / (w * h)));
  if (scale < MIN_DENSITY)
    return {
      ok: false,
      message:
        `This picture is ${fmt(w)} × ${fmt(h)} px; a PNG of it would exceed ${fmt(maxSide)} px a side or ${fmt(maxPixels / 1048576)} Mpx ` +
        `even at ${MIN_DENSITY}x. Export SVG instead, close some groups, or export the view.`,
    };
  // Rounded down, so whole pixels stay within the bounds (2x of whole CSS px is exact).
  const width = Math.max(1, Math.floor(w * scale + 1e-6));
  const height = Math.max(1, Math.floor(h * scale + 1e-6));
  const reduced = scale < density;
  return {
    ok: true,
    width,
    height,
    scale,
    reduced,
    message: reduced
      ? `The picture is large (${fmt(w)} × ${fmt(h)} px): exported at ${scale.toFixed(2)}x instead of ${density}x to stay within ${fmt(maxSide)} px a side and ${fmt(maxPixels / 1048576)} Mpx.`
      : null,
  };
}

export interface LegendItem {
  /** data, control, phase, phase-badge, note, run-as, or another edge kind (variable, gradient, ...). */
  kind: string;
  label: string;
}

export interface PhaseSummary {
  sources: string[];
  layers: number;
}

/** The phase the view runs as, when it is one of the two: its name and the server's sentence about it. */
export interface RunAsSummary {
  phase: 'training' | 'inference';
  /** "136 ops don't run in inference" */
  summary: string;
  /** What the drawing shows of it (absent: the legend says the server's sentence alone). */
  drawn?: RunAsDrawn;
}

/** The marks of one phase in the drawing: boxes faded, boxes with a not-run bar, pass-throughs, outlined ops. */
export interface RunAsDrawn {
  faded: number;
  partly: number;
  passThrough: string[];
  unused: number;
}

/** What the phase filter is doing, in one line. */
export function phaseLegend(mode: PhaseMode, phase: PhaseSummary): string {
  if (phase.sources.length === 0) return 'phase edges: none (no learning-phase flag in this graph)';
  const who = `${phase.layers} layer${phase.layers === 1 ? '' : 's'} read ${phase.sources.join(', ')}`;
  if (mode === 'collapse') return `phase edges: collapsed (${who}; φ marks them)`;
  if (mode === 'highlight') return `phase edges: highlighted, bundled (${who})`;
  return `phase edges: shown as plain edges (${who})`;
}

/**
 * The legend of an export: the edge kinds drawn (with the legend filter's state when an edge kind is dimmed,
 * and the kinds it hides), the phase filter, and notes when there are any. `kindStates`: each kind's state.
 */
export function legendItems(
  drawnKinds: ReadonlySet<string>,
  mode: PhaseMode,
  phase: PhaseSummary,
  notes: number,
  kindStates: Readonly<Record<string, string>> = {},
  runAs: RunAsSummary | null = null,
): LegendItem[] {
  const items: LegendItem[] = [];
  const hidden: string[] = [];
  for (const kind of drawnKinds) {
    if (kind === 'phase') continue;
    const state = kindStates[kind] ?? 'drawn';
    if (state === 'hidden') hidden.push(kind);
    else items.push({ kind, label: `${kind} edges${state === 'dimmed' ? ' (dimmed)' : ''}` });
  }
  if (hidden.length) items.push({ kind: 'hidden', label: `hidden: ${hidden.sort().join(', ')} edges` });
  items.push({
    kind: mode === 'collapse' && phase.sources.length ? 'phase-badge' : 'phase',
    label: phaseLegend(mode, phase),
  });
  // A picture of one phase fades what does not run in it: without this line a reader takes the faded boxes for
  // a rendering fault.
  if (runAs) items.push(...runAsItems(runAs));
  if (notes) items.push({ kind: 'note', label: `${notes} note${notes === 1 ? '' : 's'}` });
  return items;
}

/** The lines of the phase the view runs as: each mark the drawing shows, said once, and nothing it does not show
 * (at the top level the ops that don't run are inside closed boxes: a bar, not a faded box, says so). */
function runAsItems(runAs: RunAsSummary): LegendItem[] {
  const d = runAs.drawn;
  if (!d) return [{ kind: 'run-as', label: `run as ${runAs.phase}: ${runAs.summary} (faded)` }];
  const other = runAs.phase === 'training' ? 'inference' : 'training';
  const n = (k: number, one: string, many = `${one}s`) => `${k.toLocaleString('en-US')} ${k === 1 ? one : many}`;
  const items: LegendItem[] = [
    { kind: 'run-as-title', label: `run as ${runAs.phase}: ${runAs.summary.split('; ')[0]}` },
  ];
  if (d.faded)
    items.push({
      kind: 'run-as',
      label: `faded: ${n(d.faded, 'box', 'boxes')} that ${d.faded === 1 ? "doesn't" : "don't"} run`,
    });
  if (d.partly)
    items.push({
      kind: 'run-as-share',
      label: `bar under a box: the share of its ops that don't run (${n(d.partly, 'box', 'boxes')})`,
    });
  if (d.passThrough.length) {
    const one = d.passThrough.length === 1;
    items.push({
      kind: 'bypass',
      label: `dashed, an edge drawn past it: ${d.passThrough.join(', ')} pass${one ? 'es its' : ' their'} input through`,
    });
  }
  if (d.unused)
    items.push({
      kind: 'unused',
      label: `outlined: ${n(d.unused, 'op')} that run though only ${other} uses the result`,
    });
  return items;
}

/** A safe file name: `phaseview-<run>-<graph>.<ext>`. */
export function exportFileName(run: string, graph: string, ext: string): string {
  const clean = (x: string) =>
    x
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+|_+$/g, '')
      .slice(0, 60);
  const parts = ['phaseview', clean(run), clean(graph)].filter(Boolean);
  return `${parts.join('-')}.${ext}`;
}

/**
 * Characters XML 1.0 forbids anywhere in a document, even as character references: C0 controls other than tab,
 * line feed and carriage return, U+FFFE and U+FFFF, and lone surrogates. A node name may hold any of them.
 */
const XML_FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A serialised SVG made well-formed XML: every forbidden character replaced by U+FFFD (the browser's
 * serializer writes them as they are, and the image decoder then refuses the whole picture). */
export function xmlSafe(text: string): string {
  return text.replace(XML_FORBIDDEN, '\uFFFD');
}
