// Every size and offset of the drawing, in one place (as TensorBoard's graph layout keeps `PARAMS`).
// The layout sizes boxes with the same numbers the scene draws them with. Units are graph pixels (scale 1).
// Pure: no DOM.

export const PARAMS = {
  op: {
    /** Height of an op's pill (one label line). */
    height: 24,
    /** Width one label character takes (11 px sans); a box is as wide as its label, within min..max. */
    charWidth: 6.8,
    /** Label baseline below the box top (vertically centred in `height`). */
    labelY: 16,
    /** Horizontal padding around the label, both sides together. */
    padX: 22,
    minWidth: 44,
    maxWidth: 280,
    /** Corner radius of a phase source's box; other ops are pills (radius = half the height). */
    sourceRadius: 8,
  },
  group: {
    /** Height of a closed group: label line and subtitle line. */
    height: 42,
    /** Height of an open group's header band (chevron, label, op count), above its contents. */
    headerHeight: 30,
    /** Inset of an open group's contents from its left, right and bottom edges. */
    pad: 14,
    minWidth: 96,
    maxWidth: 280,
    /** An open group is at least this wide, whatever its contents. */
    minOpenWidth: 140,
    /** Width one label character takes in a group (its label is a little wider than an op's). */
    charWidth: 7.2,
    /** Width one subtitle character takes (10 px). */
    subCharWidth: 6,
    /** Room left of the label for the chevron, plus the right margin (44 = 28 + 16). */
    padX: 44,
    cornerRadius: 6,
    /** Offset of the "stack" rectangle drawn behind a closed group (it reads as a pile of boxes). */
    stackOffset: 3,
    /** The header rule of an open group sits this far above the header band's bottom. */
    headerRuleInset: 6,
    /** Chevron centre: `chevronX` right of the box's left edge; `chevronY` below its top (closed / open). */
    chevronX: 14,
    chevronYClosed: 14,
    chevronYOpen: 15,
    /** Radius of the chevron's click target. */
    chevronHitRadius: 9,
    /** Half the size of the chevron's mark (the arrow head). */
    chevronMark: 4,
    /** Label and subtitle start right of the chevron. */
    labelX: 28,
    /** Label baseline below the top (closed / open: the open header is a pixel taller). */
    labelYClosed: 18,
    labelYOpen: 19,
    /** Baseline of a closed group's subtitle (second line). */
    subY: 33,
    /** An open group's subtitle is right-aligned, this far from its right edge. */
    subRightInset: 8,
    /** Longest label of an open group's header; a closed group's label is cut at `MAX_LABEL`. */
    openLabelChars: 60,
    /** Baseline of a phase note (`read by N layers`) above the bottom edge of a closed group. */
    noteBottomInset: 6,
  },
  /** The extra line a phase source shows (`read by N layers · born in …`). */
  note: { height: 14, charWidth: 6, padX: 20 },
  badge: {
    /** The φ badge sits on the top-right corner, overlapping it by `overlapX` to the right and `overlapY` above. */
    overlapX: 7,
    overlapY: 10,
    /** 20 px tall with a 14 px glyph: readable at the first view's zoom (0.97), as the labels are. */
    height: 20,
    /** Width of a one-character badge; longer ones (`φ 12`) are `padX + characters × charWidth`. */
    width: 22,
    padX: 12,
    charWidth: 8,
    /** Text baseline below the badge's top. */
    textY: 15,
  },
  edge: {
    /** Stroke width: `base + min(maxExtra, log2(count) × perDoubling)`, so bundles of many edges read thicker. */
    base: 1.2,
    maxExtra: 4,
    perDoubling: 0.7,
    /** The count label sits this far right of and above the route's middle point. */
    countDx: 4,
    countDy: -2,
  },
  /** Groups with more children than this are drawn compactly (no tooltips, stacks or count labels). */
  compactOver: 600,
  zoom: {
    min: 0.02,
    max: 4,
    /** `fit` never zooms in past this. */
    maxFit: 1.4,
    /** Screen margin kept around the graph by `fit`, and around an element by `reveal`. */
    fitMargin: 24,
    revealMargin: 20,
  },
  /**
   * The drawn extent around the root layout: edge routes and badges reach slightly past the boxes
   * (badges rise `badge.overlapY` above a box, routes bend around the outermost ones).
   */
  extent: { left: 8, top: 12, right: 8, bottom: 12 },
  /** Size assumed for a viewport not laid out yet (a hidden iframe reports 0 × 0). */
  fallbackViewport: { w: 800, h: 600 },
} as const;

/** A box in graph coordinates. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The part of the graph plane the root layout draws on, edge routes and badges included. */
export function layoutExtent(root: { width: number; height: number }): Box {
  const e = PARAMS.extent;
  return { x: -e.left, y: -e.top, w: root.width + e.left + e.right, h: root.height + e.top + e.bottom };
}
