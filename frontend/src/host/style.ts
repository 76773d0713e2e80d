// The stylesheet, injected as one <style> element (the iframe's CSP allows inline styles).
// Colours follow TensorBoard: orange accent #f57c00, Material greys, and a dark theme.

export const CSS = `
.pv-root {
  --bg: #fff; --panel: #fff; --panel-2: #f5f5f5; --fg: #212121; --fg-2: #616161; --fg-3: #9e9e9e;
  --line: #e0e0e0; --accent: #f57c00; --accent-soft: rgba(245,124,0,.14); --accent-fg: #e65100;
  --group: #eceff1; --group-stroke: #90a4ae; --group-open: rgba(236,239,241,.45); --op: #fff; --op-stroke: #9e9e9e;
  --edge: #90a4ae; --edge-control: #b0bec5; --select: #1976d2; --phase-plain: #546e7a; --shadow: rgba(0,0,0,.12);
  position: fixed; inset: 0; display: flex; flex-direction: column; background: var(--bg); color: var(--fg);
  font: 13px Roboto, system-ui, -apple-system, 'Segoe UI', 'Helvetica Neue', Arial, sans-serif;
}
.pv-root.dark {
  --bg: #202124; --panel: #292a2d; --panel-2: #303134; --fg: #e8eaed; --fg-2: #bdc1c6; --fg-3: #80868b;
  --line: #3c4043; --accent: #ff9800; --accent-soft: rgba(255,152,0,.2); --accent-fg: #ffb74d;
  --group: #37474f; --group-stroke: #78909c; --group-open: rgba(55,71,79,.35); --op: #303134; --op-stroke: #80868b;
  --edge: #78909c; --edge-control: #607d8b; --select: #64b5f6; --phase-plain: #b0bec5; --shadow: rgba(0,0,0,.5);
}
.pv-root * { box-sizing: border-box; }
.pv-answer { padding: 6px 12px; border-bottom: 1px solid var(--line); background: var(--accent-soft); color: var(--fg); font-size: 13px; line-height: 1.45; }
.pv-answer[hidden] { display: none; }
.pv-answer code, .pv-explain code { font-family: 'Roboto Mono', ui-monospace, monospace; font-size: 12px; }
.pv-answer .pv-btn { margin-left: 6px; }
.pv-toolbar { display: flex; align-items: center; gap: 8px; padding: 6px 10px; border-bottom: 1px solid var(--line);
  background: var(--panel); flex-wrap: wrap; min-height: 44px; }
.pv-toolbar label { color: var(--fg-2); font-size: 12px; }
.pv-toolbar select, .pv-toolbar input[type=search] { font: inherit; color: var(--fg); background: var(--panel-2);
  border: 1px solid var(--line); border-radius: 4px; padding: 4px 6px; max-width: 260px; }
.pv-toolbar input[type=search] { width: 200px; }
.pv-btn { font: inherit; font-size: 12px; color: var(--fg); background: transparent; border: 1px solid var(--line);
  border-radius: 4px; padding: 4px 10px; cursor: pointer; white-space: nowrap; }
.pv-btn:hover { background: var(--panel-2); }
.pv-btn:disabled { opacity: 0.4; cursor: not-allowed; background: transparent; }
.pv-btn:focus-visible, .pv-toolbar select:focus-visible, .pv-toolbar input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.pv-btn[aria-pressed=true] { background: var(--accent-soft); border-color: var(--accent); color: var(--accent-fg); font-weight: 500; }
.pv-seg { display: inline-flex; }
.pv-seg .pv-btn { border-radius: 0; margin-left: -1px; }
.pv-seg .pv-btn:first-of-type { border-radius: 4px 0 0 4px; margin-left: 0; }
.pv-seg .pv-btn:last-of-type { border-radius: 0 4px 4px 0; }
.pv-sep { flex: 1; }
.pv-title { font-weight: 500; color: var(--fg-2); margin-right: 4px; }
.pv-main { flex: 1; display: flex; min-height: 0; position: relative; }
.pv-stage { flex: 1; position: relative; min-width: 0; overflow: hidden; }
.pv-stage svg.canvas { width: 100%; height: 100%; display: block; cursor: grab; outline: none; user-select: none; }
.pv-stage svg.canvas:active { cursor: grabbing; }
/* Two rows from the start: the legend filter with the model's totals, then the info line. The totals arrive after
   the first view; laid out in rows of their own the parts never move the stage when they come. */
.pv-status { display: flex; flex-direction: column; gap: 2px; padding: 3px 10px; border-top: 1px solid var(--line);
  color: var(--fg-2); font-size: 11px; background: var(--panel); white-space: nowrap; overflow: hidden; }
.pv-status-lead { display: flex; flex-wrap: wrap; gap: 2px 16px; align-items: center; min-height: 16px; }
.pv-legend { display: inline-flex; gap: 12px; align-items: center; }
/* Its room is held while empty (a basis, not its text, decides where the row breaks), and it is cut at its end
   (the whole text on hover) rather than pushed to a row of its own when it comes. */
.pv-status-lead > .pv-params { flex: 1 1 0; min-width: 12em; overflow: hidden; text-overflow: ellipsis; }
.pv-status-info { display: flex; gap: 16px; align-items: center; min-height: 16px; overflow: hidden; }
/* Every part shrinks to an ellipsis (its whole text on hover) rather than being cut mid-word at the edge, keeping
   its first word ('learnin…', not 'lear…'); the phase the view runs as, which the user just asked for,
   shrinks last. */
.pv-status-info > span { flex: 0 1 auto; min-width: 4em; overflow: hidden; text-overflow: ellipsis; }
.pv-status-info > span.pv-run-as { flex-shrink: 0; max-width: 100%; }
.pv-legend svg { vertical-align: middle; }
.pv-message { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; pointer-events: none; }
.pv-message > div { pointer-events: auto; max-width: 520px; padding: 20px 24px; background: var(--panel); border: 1px solid var(--line);
  border-radius: 8px; box-shadow: 0 2px 8px var(--shadow); line-height: 1.5; }
.pv-message h2 { margin: 0 0 6px; font-size: 15px; font-weight: 500; }
.pv-message .err { color: #d32f2f; font-family: 'Roboto Mono', ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
.pv-root.dark .pv-message .err { color: #ef9a9a; }
.pv-progress { height: 3px; background: var(--accent-soft); overflow: hidden; margin-top: 10px; border-radius: 2px; }
.pv-progress::before { content: ''; display: block; height: 100%; width: 35%; background: var(--accent); animation: pv-slide 1.1s ease-in-out infinite; }
@keyframes pv-slide { from { transform: translateX(-100%); } to { transform: translateX(300%); } }
.pv-inspector { width: 340px; border-left: 1px solid var(--line); background: var(--panel); overflow: auto; padding: 12px 14px; }
.pv-inspector[hidden] { display: none; }
.pv-compare { position: absolute; inset: 0; z-index: 6; overflow: auto; background: var(--bg); padding: 10px 14px; }
.pv-compare[hidden] { display: none; }
.pv-compare-head { display: flex; align-items: center; gap: 8px; }
.pv-compare-head h2 { font-size: 14px; font-weight: 500; margin: 0 8px 0 0; }
.pv-compare-sentence { font-size: 14px; margin: 8px 0; padding: 6px 10px; background: var(--accent-soft); border-radius: 4px; }
.pv-compare-body { display: flex; gap: 18px; align-items: flex-start; }
.pv-compare-drawing { flex: none; border: 1px solid var(--line); border-radius: 4px; }
.pv-compare-piece { content-visibility: auto; }
.pv-compare-piece > svg { display: block; }
.pv-compare-side { font-size: 12px; color: var(--fg-2); max-width: 420px; line-height: 1.5; }
.pv-compare-side h3 { font-size: 12px; font-weight: 500; color: var(--fg); margin: 10px 0 2px; }
.pv-compare-error { color: #c62828; }
.pv-compare-picker { display: inline-flex; align-items: center; gap: 6px; }
.pv-compare-picker[hidden] { display: none; }
.pv-summary { width: clamp(420px, 38vw, 620px); border-left: 1px solid var(--line); background: var(--panel); overflow: auto; padding: 12px 14px; }
.pv-summary[hidden] { display: none; }
.pv-summary h2 { font-size: 14px; margin: 0 0 2px; font-weight: 500; }
.pv-summary table { border-collapse: collapse; width: 100%; font-size: 11.5px; }
.pv-summary th { text-align: left; color: var(--fg-3); font-weight: 500; border-bottom: 1px solid var(--line); }
.pv-summary td { padding: 2px 6px 2px 0; white-space: nowrap; }
/* A layer's name breaks where it must (res2a_branch2a_relu_r0): the counts and the phase column stay in sight. */
.pv-summary td.name { white-space: normal; overflow-wrap: anywhere; min-width: 8em; }
.pv-summary .scope code { overflow-wrap: anywhere; } /* a loop's step: graph_22/while/cond/StatefulPartitionedCall/... */
.pv-summary td.k { text-align: right; font-variant-numeric: tabular-nums; }
.pv-summary tr[data-layer] { cursor: pointer; }
.pv-summary tr[data-layer]:hover, .pv-summary tr.selected { background: var(--hover, rgba(127,127,127,.15)); }
.pv-summary-actions { display: flex; gap: 6px; margin: 6px 0; }
.pv-summary .close { float: right; }
.pv-params { margin: 0 8px; white-space: nowrap; }
.pv-colour-legend { margin: 0 8px; white-space: nowrap; }
.pv-colour-legend[hidden] { display: none; }
.pv-swatch { display: inline-block; width: 10px; height: 10px; border: 1px solid var(--line); vertical-align: -1px; }
.pv-variables td { padding-right: 6px; }
.pv-inspector h2 { font-size: 14px; margin: 0 0 2px; font-weight: 500; word-break: break-all; }
.pv-inspector h3 { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--fg-3); margin: 14px 0 4px; font-weight: 500; }
.pv-inspector .op { color: var(--fg-2); }
.pv-inspector .close { float: right; }
.pv-inspector table { border-collapse: collapse; width: 100%; font-size: 12px; }
.pv-inspector td { padding: 2px 4px; vertical-align: top; border-bottom: 1px solid var(--line); word-break: break-all; }
.pv-inspector td.k { color: var(--fg-2); white-space: nowrap; width: 1%; word-break: normal; }
/* An attribute's name may be long (_has_manual_control_dependencies): it wraps, so its value keeps room. */
.pv-inspector .pv-attrs td.k { white-space: normal; overflow-wrap: anywhere; width: 30%; }
.pv-inspector .mono { font-family: 'Roboto Mono', ui-monospace, monospace; font-size: 11.5px; }
.pv-inspector ul { list-style: none; margin: 0; padding: 0; }
.pv-inspector li { padding: 2px 0; font-size: 12px; word-break: break-all; }
.pv-inspector a { color: var(--select); cursor: pointer; text-decoration: none; }
.pv-inspector a:hover { text-decoration: underline; }
.pv-kind { display: inline-block; font-size: 10px; padding: 0 5px; border-radius: 8px; margin-right: 6px; border: 1px solid var(--line); color: var(--fg-2); }
.pv-kind.phase { border-color: var(--accent); color: var(--accent-fg); background: var(--accent-soft); }
.pv-attrs-error { padding: 6px 10px; border-left: 3px solid var(--fg-2); color: var(--fg-2); font-size: 12px; }
.pv-explain { margin-top: 10px; padding: 8px 10px; border-left: 3px solid var(--accent); background: var(--accent-soft); line-height: 1.45; font-size: 12.5px; }
.pv-explain.pv-role { border-left-color: var(--line); background: none; }
.pv-role-name { display: inline-block; font-size: 10px; padding: 0 5px; border-radius: 8px; margin-right: 4px; border: 1px solid var(--line); color: var(--fg-2); }
.pv-search-results { position: absolute; z-index: 5; top: 0; right: 0; width: 380px; max-height: 60%; overflow: auto; background: var(--panel);
  border: 1px solid var(--line); border-radius: 0 0 0 6px; box-shadow: 0 4px 12px var(--shadow); }
.pv-search-results[hidden] { display: none; }
.pv-search-results .hdr { padding: 6px 10px; color: var(--fg-2); font-size: 11px; border-bottom: 1px solid var(--line); }
.pv-search-results button { display: block; width: 100%; text-align: left; font: inherit; font-size: 12px; color: var(--fg); background: none;
  border: 0; border-bottom: 1px solid var(--line); padding: 5px 10px; cursor: pointer; }
.pv-search-results button:hover, .pv-search-results button:focus { background: var(--accent-soft); outline: none; }
.pv-search-results .name { word-break: break-all; }
.pv-search-results .meta { color: var(--fg-3); font-size: 11px; }
.pv-help { position: absolute; inset: 0; background: rgba(0,0,0,.35); display: flex; align-items: center; justify-content: center; z-index: 10; }
.pv-help[hidden] { display: none; }
.pv-help > div { background: var(--panel); border-radius: 8px; padding: 16px 22px; min-width: 360px; box-shadow: 0 6px 24px var(--shadow); }
.pv-help h2 { margin: 0 0 8px; font-size: 15px; font-weight: 500; }
.pv-help table { border-collapse: collapse; }
.pv-help td { padding: 3px 10px 3px 0; }
.pv-help kbd { font-family: 'Roboto Mono', ui-monospace, monospace; font-size: 11px; border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 3px; padding: 0 5px; background: var(--panel-2); }

/* scene */
.canvas text { font-family: Roboto, system-ui, -apple-system, 'Segoe UI', Arial, sans-serif; fill: var(--fg); }
.node .box { stroke-width: 1; }
.node text, .phase-knot text, .edge-count { pointer-events: none; }
.node.group .box { fill: var(--group); stroke: var(--group-stroke); }
.node.group .stack { fill: var(--group); stroke: var(--group-stroke); opacity: .6; }
.node.group.open > .body > .box { fill: var(--group-open); stroke-dasharray: none; }
.node.group .header { stroke: var(--group-stroke); opacity: .35; }
.node.op .box { fill: var(--op); stroke: var(--op-stroke); }
.node .label { font-size: 12px; font-weight: 500; }
.node.op .label { font-weight: 400; font-size: 11.5px; }
.node .sub { font-size: 10.5px; fill: var(--fg-2); }
.node .note { font-size: 10.5px; fill: var(--accent-fg); font-weight: 500; }
.node .chevron { cursor: pointer; }
.node .chevron-hit { fill: transparent; }
.node .chevron:hover .chevron-hit { fill: var(--accent-soft); }
.node .chevron-mark { fill: none; stroke: var(--fg-2); stroke-width: 1.6; stroke-linecap: round; stroke-linejoin: round; }
.node.group > .body { cursor: pointer; }
.node.phase-source > .body > .box { stroke: var(--accent); stroke-width: 1.6; }
.node.selected > .body > .box { stroke: var(--select); stroke-width: 2.4; }
.node.hyper-source > .body > .box { stroke: var(--accent); stroke-width: 1.6; stroke-dasharray: 4 2; }
.hyper-badge { cursor: pointer; }
.hyper-badge rect { fill: var(--panel); stroke: var(--accent); stroke-dasharray: 2 1.5; }
.hyper-badge text { fill: var(--accent-fg); font-size: 10.5px; font-weight: 700; }
.phase-badge { cursor: pointer; }
.phase-badge rect { fill: var(--accent); }
.phase-badge text { fill: #fff; font-size: 14px; font-weight: 700; }
.phase-badge.role-consumer rect { fill: var(--panel); stroke: var(--accent); }
.phase-badge.role-consumer text { fill: var(--accent-fg); }
.edge { fill: none; stroke: var(--edge); }
.edge.kind-control { stroke: var(--edge-control); stroke-dasharray: 4 3; }
.edge.adjacent { stroke: var(--select); }
.edge:hover { stroke: var(--select); }
/* Run as one phase: what does not run is ghosted, with its edges. */
.node.not-run > .body { opacity: 0.28; }
.node.passes-through > .body { opacity: 0.4; }
.node.passes-through > .body > rect { stroke-dasharray: 4 3; }
.node.unused > .body > rect { stroke-dasharray: 2 2; stroke: var(--accent); }
.not-run-share rect { fill: var(--fg-2); opacity: 0.55; }
.edge.not-run { opacity: 0.18; }
.edge.through { opacity: 0.22; }
.edge.bypass { stroke: var(--accent); stroke-width: 2px; }
.pv-kinds-label { font-size: 11px; color: var(--fg-2); }
.pv-run-as { font-weight: 600; }
.pv-warning { color: var(--accent-fg); }
.node .sub.does { fill: var(--accent-fg); }
.edge.aux { display: none; }
.edge.aux.aux-on { display: inline; stroke: var(--select); stroke-opacity: .8; }
.edge-count { font-size: 9.5px; fill: var(--fg-3) !important; }
.edge-shape { font-size: 9px; fill: var(--fg-3) !important; pointer-events: none; }
/* A halo of the background behind each edge label: an edge drawn across it no longer strikes its text out. */
.edge-count, .edge-shape { paint-order: stroke; stroke: var(--bg); stroke-width: 4px; stroke-linejoin: round; }
[data-shape-labels="off"] .edge-shape { display: none; }
.kind-edges[data-kind-state="hidden"] > .edge-shape { display: none; }
.kind-edges[data-kind-state="dimmed"] > .edge-shape { fill-opacity: .18; }
.edge.kind-variable { stroke: var(--edge); stroke-dasharray: 1 2; }
.edge.kind-hyperparameter { stroke: var(--accent); stroke-dasharray: 2 2; }
.edge.kind-constant { stroke: var(--edge-control); stroke-dasharray: 1 3; }
.edge.kind-init, .edge.kind-gradient, .edge.kind-optimizer, .edge.kind-summary, .edge.kind-save { stroke: var(--edge-control); stroke-opacity: .7; }
/* The legend filter: one container per edge kind (scene.ts), so a switch restyles that kind's edges only. */
.kind-edges[data-kind-state="hidden"] > .edge, .kind-edges[data-kind-state="hidden"] > .edge-count { display: none; }
.kind-edges[data-kind-state="dimmed"] > .edge { stroke-opacity: .18; }
.kind-edges[data-kind-state="dimmed"] > .edge-count { fill-opacity: .18; }
.node.area > .body > .box { stroke-dasharray: 6 3; stroke-width: 1.4; fill: var(--panel); }
.node.moved > .body > .box { stroke: #8e24aa; stroke-width: 2; }
.pv-move { margin: 6px 0 10px; }
.pv-move .pv-explain { margin: 0 0 6px; }
.node.area > .body > .label { font-style: italic; }
.pv-kinds { display: inline-flex; flex-wrap: nowrap; gap: 4px; align-items: center; flex: none; }
.pv-kinds button { font: inherit; font-size: 11px; padding: 1px 6px; border: 1px solid var(--line); border-radius: 10px;
  background: var(--panel); color: var(--fg); cursor: pointer; }
.pv-kinds button[data-state="dimmed"] { opacity: .65; }
.pv-kinds button[data-state="hidden"] { opacity: .45; text-decoration: line-through; }
.pv-kinds button[data-state="highlighted"] { border-color: var(--accent); }
.pv-why li { margin: 2px 0; }
.arrow-data { fill: var(--edge); } .arrow-control { fill: var(--edge-control); }
.phase-edge .hit { fill: none; stroke: transparent; stroke-width: 10; cursor: pointer; }
/* Phase edges are one screen pixel wide at any zoom: the rasterizer draws such a line as a hairline, while a wider
   one is outlined whole for each tile it crosses, and at a readable zoom these span the graph (a phase switch on
   EfficientNetB7 took twice as long). */
.phase-edge .line { fill: none; pointer-events: none; vector-effect: non-scaling-stroke; }
.phase-edge.bundled .line { stroke: var(--accent); stroke-width: 1; }
.phase-edge.plain .line { stroke: var(--phase-plain); stroke-width: 1; }
.phase-arrows { stroke: none; pointer-events: none; }
.phase-arrows.bundled { fill: var(--accent); } .phase-arrows.plain { fill: var(--phase-plain); }
.phase-edge.selected .line { stroke-width: 3.2; stroke-opacity: 1; stroke: var(--accent); }
.phase-edge:hover .line { stroke-width: 3; stroke-opacity: 1; }
.phase-knot circle { fill: var(--accent); }
.phase-knot text { font-size: 10.5px; fill: var(--accent-fg) !important; font-weight: 500; }
.pv-stage svg.phase-overlay { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; will-change: transform; }
.phase-overlay .phase-edge .hit { pointer-events: stroke; }
.phase-overlay [data-layer=top] { pointer-events: visiblePainted; }
.pv-minimap { position: absolute; right: 10px; bottom: 10px; z-index: 4; background: var(--panel); border: 1px solid var(--line); border-radius: 4px;
  box-shadow: 0 2px 8px var(--shadow); padding: 3px; line-height: 0; opacity: .92; }
.pv-minimap[hidden] { display: none; }
.pv-minimap svg { display: block; cursor: pointer; touch-action: none; }
.pv-minimap .boxes rect { fill: var(--fg-3); fill-opacity: .35; }
.pv-minimap .view { fill: var(--accent); fill-opacity: .12; stroke: var(--accent); stroke-width: 1.5; cursor: move; }
.apart-layer .edge { pointer-events: stroke; }
.phase-veil { fill: var(--bg); fill-opacity: .72; pointer-events: none; }
.phase-end-outline { fill: none; stroke: var(--accent); stroke-width: 1.8; pointer-events: none; }
/* notes, export and links */
.pv-root { --note-bg: #fff8e1; --note-stroke: #f9a825; --note-fg: #3e2723; --note-hint: #8d6e63; }
.pv-root.dark { --note-bg: #4e3b00; --note-stroke: #fbc02d; --note-fg: #fff8e1; --note-hint: #ffe082; }
.pv-share { display: inline-flex; gap: 4px; align-items: center; }
.pv-share select { font: inherit; font-size: 12px; }
.pv-note .note-box { fill: var(--note-bg); stroke: var(--note-stroke); stroke-width: 1.2; }
.pv-note .note-text { font-size: 11px; fill: var(--note-fg); }
.pv-note .note-hint { font-size: 10px; font-style: italic; fill: var(--note-hint); }
.pv-note .note-leader { stroke: var(--note-stroke); stroke-width: 1.2; stroke-dasharray: 3 2; }
.pv-note .note-pin { fill: var(--note-stroke); }
.pv-note .note-body { cursor: move; }
.pv-note text { pointer-events: none; }
.pv-note-editor { position: absolute; z-index: 6; top: 10px; left: 10px; width: 320px; background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; box-shadow: 0 4px 12px var(--shadow); padding: 10px; }
.pv-note-editor[hidden] { display: none; }
.pv-note-editor .hdr { font-size: 12px; margin-bottom: 6px; word-break: break-all; }
.pv-note-editor .hint { color: var(--fg-3); font-size: 11px; }
.pv-note-editor textarea { width: 100%; font: inherit; color: var(--fg); background: var(--panel-2); border: 1px solid var(--line); border-radius: 4px; padding: 4px 6px; resize: vertical; }
.pv-note-editor .row { display: flex; gap: 6px; align-items: center; margin-top: 6px; }
.pv-note-editor .count { color: var(--fg-3); font-size: 11px; }
.pv-btn.primary { background: var(--accent-soft); border-color: var(--accent); color: var(--accent-fg); }
.pv-share-msg { position: absolute; z-index: 7; left: 10px; bottom: 10px; max-width: 560px; background: var(--panel); border: 1px solid var(--line);
  border-left: 3px solid var(--accent); border-radius: 4px; box-shadow: 0 2px 8px var(--shadow); padding: 6px 10px; font-size: 12px; line-height: 1.4; }
.pv-share-msg.err { border-left-color: #d32f2f; }
.pv-share-msg[hidden], .pv-link[hidden] { display: none; }
.pv-link { position: absolute; z-index: 7; right: 10px; top: 10px; display: flex; gap: 6px; align-items: center; background: var(--panel);
  border: 1px solid var(--line); border-radius: 6px; box-shadow: 0 2px 8px var(--shadow); padding: 6px 8px; }
.pv-link input { width: 420px; font: 11.5px 'Roboto Mono', ui-monospace, monospace; color: var(--fg); background: var(--panel-2); border: 1px solid var(--line); border-radius: 4px; padding: 3px 5px; }
`;
