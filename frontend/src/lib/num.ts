// Number formatting shared by the drawing, the notes and the links.

/** `v` rounded to `digits` decimals (SVG coordinates use one: a tenth of a pixel is below what is seen). */
export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
