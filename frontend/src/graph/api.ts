// Typed fetches of the plugin's routes. The shapes mirror docs/wire_format.md (version 1).

import type { CompareAnswer } from '../compare/answer';

export type EdgeKind = 'data' | 'control' | 'phase' | string;

export interface GraphRef {
  run: string;
  kind: string;
  tag: string | null;
  /** Ops and scopes the user moved to the model (graph/moves.ts): sent as `model`, absent or empty: none. */
  model?: readonly string[];
}

export interface RunsAnswer {
  version: number;
  runs: { run: string; graphs: GraphRef[] }[];
  /** Asked with `prefetch=first`: the graph a first visit opens (its flag is read by the most layers). */
  first?: GraphRef;
  /** Runs that logged only Keras's model config (layers, no ops): nothing to draw; the note says what to log. */
  model_config_only?: string[];
  model_config_note?: string;
}

/**
 * A child's part in the learning phase. Sources and groups that hold layers carry their server-written
 * sentence; a layer's (and its consumer ops') sentence is in the graph answer's `phase.layers`.
 */
export type PhaseInfo =
  | { role: 'source'; consumers: number; born_in: string | null; explanation: string }
  | { role: 'layer'; kind: string; source: string; born_here?: { flag: string; layers: number; explanation: string } }
  | { role: 'contains'; layers: number; explanation: string }
  | { role: 'consumer'; layer: string; source: string }
  /** Any other group a phase edge enters: a scope inside a layer, the gradient pass (`gradient`), ... */
  | { role: 'reads'; source: string; layers: number; gradient: boolean; explanation: string };

export interface Child {
  name: string;
  label: string;
  type: 'op' | 'group';
  /** An op's type; on a group, set when the group is an op too (it holds the op of its own name). */
  op?: string;
  /** On a group in a machinery area that is an op too (`∷optimizer/global_step`): the op's name. */
  op_name?: string;
  size?: number;
  ops?: Record<string, number>;
  phase: PhaseInfo | null;
  /** An op's role (model, phase, hyperparameter, init, gradient, optimizer, summary, save). */
  role?: string;
  /** Set on a machinery area (a synthetic top-level group holding one role's ops): its role. */
  area?: string;
  /** Set on an op that calls functions of the graph's library: the attributes naming them. */
  calls?: string[];
  /** Set on a hyperparameter's own box: its name and how many ops read it. */
  hyper?: { name: string; readers: number };
  /** Set on a box that hyperparameter edges enter (from outside it): the hyperparameters, by name. */
  hyper_reads?: string[];
  /** Set on a box holding model variables or whose output is drawn: its output shape and parameters. */
  shape_info?: { output_shape?: string; params?: number; trainable_params?: number; unknown_params?: number };
  /** Set on what the user moved to the model: the name (op or scope) whose move put it there. */
  moved?: string;
  /** Set on a bucket: a synthetic group holding a slice (by name) of a very large scope's children. */
  bucket?: {
    parent: string;
    index: number;
    of: number;
    first: string;
    last: string;
    start: number;
    end: number;
    total: number;
  };
  /** Set on a numbered series (`Placeholder_[1-100]`): ops of one type, numbered one after another, in one box. */
  series?: { op: string; prefix: string; first: number; last: number; count: number };
}

/** The tensors an edge carries: its largest (`text` adds `+N` for the N others) and how many. */
export interface EdgeShape {
  text: string;
  dims: (number | null)[] | null;
  tensors: number;
  elements: number;
}

export interface GroupEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  count: number;
  /** Set when the shape of a tensor it carries is known (`_output_shapes`). */
  shape?: EdgeShape;
}

export interface GroupAnswer {
  version: number;
  group: string;
  path: string[];
  children: Child[];
  edges: GroupEdge[];
  truncated: boolean;
  /** Set when `truncated`: how many children were left out. */
  omitted?: { count: number };
  /** In a graph whose first answer's `to_path` stop at the top-level group (`phase.to_path_partial`): the whole
   * display path of each reader of a phase edge below this group, by its name. */
  phase_paths?: Record<string, string[]>;
}

/** A layer of the summary (docs/wire_format.md, *Summary*). */
export interface SummaryLayer {
  name: string;
  /** What the table shows of the name: within `scope`, or within the layer holding it. */
  label?: string;
  type: string;
  output_shape: (number | null)[] | null;
  output_shape_text: string;
  params: number;
  trainable_params: number;
  /** Of its parameters (its inner layers' too), how many are of a size the graph does not say: not in `params`. */
  unknown_params?: number;
  learning_phase: string | null;
  /** The groups above the layer (its display path). */
  path: string[];
  variables: {
    name: string;
    shape: (number | null)[] | null;
    dtype: string;
    size: number;
    trainable: boolean;
    /** A frozen graph's constant, not a variable. */
    frozen?: boolean;
  }[];
  /** The layer holding this one (a model used as a layer), and how many layers this one holds. */
  within?: string | null;
  holds_layers?: number;
}

export interface SummaryAnswer extends GraphRef {
  version: number;
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  machinery_params: number;
  unknown_variables: number;
  /** The model's copies run side by side (MirroredStrategy); each weight is counted once. */
  replicas?: number;
  /** False when the graph holds no variable (a frozen graph): its parameters, if any, are constants. */
  holds_variables?: boolean;
  /** A frozen graph's weight constants counted as parameters, and their elements. */
  frozen_weights?: number;
  frozen_params?: number;
  /** The scope every layer shares ('' when none), said once above the table. */
  scope?: string;
  layers: SummaryLayer[];
}

/** Each child's value for "colour by" (docs/wire_format.md, `colours`). */
export interface ColourAnswer {
  version: number;
  group: string;
  by: string;
  unit: string | null;
  measured: boolean;
  values: Record<string, string | number | null>;
}

export interface PhaseSource {
  name: string;
  op: string;
  consumers: string[];
  born_in: string | null;
  path: string[];
  /** One plain sentence: what the flag is, who reads it, where it is drawn (server-written). */
  explanation: string;
}

export interface PhaseLayer {
  layer: string;
  kind: string;
  source: string;
  /** One plain sentence: what the flag is and why this layer reads it (server-written). */
  explanation: string;
}

export interface PhaseEdge {
  from: string;
  to: string;
  layer: string;
  to_path: string[];
}

/** Scalars many ops read (docs/wire_format.md, `hyperparameters`); the boxes they enter are marked in each
 * group answer, and their edges come with each group's edges (kind `hyperparameter`). */
export interface HyperparameterAnswer {
  sources: { name: string; op: string; readers: number; path: string[] }[];
  /** How many op-level edges leave them (the `edges` route lists them). */
  edges_total?: number;
}

export interface GraphAnswer extends GraphRef {
  version: number;
  nodes: number;
  edges: number;
  edge_counts: Record<string, number>;
  node_roles?: Record<string, number>;
  /** `title`: the area's name alone (`gradients`), said where its id would be shown. */
  areas?: { role: string; group: string; label: string; size: number; title?: string }[];
  /** `to_path_partial`: the edges' `to_path` may end at the top-level group holding the reader (a graph past
   * 300,000 nodes); the group answers below it give the rest (`phase_paths`). */
  phase: { sources: PhaseSource[]; layers: PhaseLayer[]; edges: PhaseEdge[]; to_path_partial?: boolean };
  hyperparameters?: HyperparameterAnswer;
  /** The sentence above the graph (names between backticks), the flag it is about and how many layers read it. */
  answer: {
    text: string;
    flag: string | null;
    /** Distinct layers reading any flag (a layer reading two flags counts once). */
    layers: number;
    /** Each flag with the number of layers reading it (added; absent from older servers). */
    flags?: { name: string; layers: number }[];
  };
  root: GroupAnswer;
  /** Asked with `model`: each name moved to the model, with the ops it moved by the classifier's role. */
  moved?: { entries: { name: string; ops: number; roles: Record<string, number> }[]; ops: number };
  /** What the server had to leave out or fold (duplicate names, missing inputs, scopes nested too deep). */
  warnings?: string[];
  /** The groups the first view opens, outermost first: down to the scope the model's layers share (added). */
  opened?: string[];
}

export interface NodeEdge {
  node: string;
  kind: EdgeKind;
  output?: number;
}

export interface NodeAnswer {
  version: number;
  name: string;
  op: string;
  device: string;
  path: string[];
  attrs: { key: string; value: string; bytes: number; truncated: boolean }[];
  /** Set when this node's attributes cannot be parsed (its name, op and edges still can). */
  attrs_error?: string;
  /** Its role (model, phase, hyperparameter, init, gradient, optimizer, summary, save). */
  role?: string;
  /** One sentence saying why it has that role, written by the server. */
  role_why?: string;
  /** Set when the user moved it to the model: the classifier's role, and the name whose move did it. */
  moved_from?: string;
  moved_by?: string;
  inputs: NodeEdge[];
  outputs: NodeEdge[];
  /** How many inputs and outputs the node has: the lists hold the first 1,000. */
  inputs_total?: number;
  outputs_total?: number;
  phase: null | {
    role: string;
    layer?: string;
    layer_kind?: string;
    source?: string;
    explanation?: string;
    consumers?: number;
    born_in?: string | null;
  };
}

/** What runs when every flag is true (training) or false (inference): docs/wire_format.md, `phase_runs`. */
export interface PhaseRunsSide {
  ops_not_run: number;
  graph_ops_not_run: number;
  branch_ops_not_run: number;
  /** The status bar's sentence, written by the server. */
  summary: string;
  /** Ops of the graph that do not run. */
  nodes: string[];
  /** Groups none of whose ops runs. */
  groups: string[];
  /** What each flag-reading layer does in this phase, by layer. */
  layers: Record<string, string>;
  /** The same in the few words a closed layer's box has room for (`moving statistics`; added). */
  layers_short?: Record<string, string>;
  /** Groups some (not all) of whose ops do not run, with how many do not (added). */
  partial?: Record<string, number>;
  /** Ops that run in this phase though only the other phase uses their result (added). */
  unused?: string[];
  /** Layers that only hand their input on in this phase (a Dropout at inference; added). */
  pass_through?: string[];
}

export interface PhaseRunsAnswer {
  version: number;
  sources: {
    name: string;
    default: boolean | null;
    ops_only_when: { true: number; false: number };
    writers: string[];
  }[];
  warnings: string[];
  phases: { true: PhaseRunsSide; false: PhaseRunsSide };
}

export interface SearchAnswer {
  version: number;
  /** Best first: groups (layers, scopes) before ops, exact and prefix matches before the rest. */
  matches: { name: string; op: string | null; type?: 'op' | 'group'; size?: number; path: string[] }[];
  truncated: boolean;
}

export interface KindCount {
  kind: string;
  count: number;
  /** One plain sentence: what an edge of this kind carries and why it is there (server-written). */
  sentence: string;
}

export interface WhyPart {
  name: string;
  type: 'op' | 'scope' | 'group';
  /** Ops of the part as TensorFlow named them (the CLI's count). */
  ops: number;
  /** Asked by the view about a box that does not draw all of its scope's ops: how many it draws, where the
   * others are, and the server's sentence saying so. */
  drawn?: number;
  apart?: { where: string; ops: number; area?: string }[];
  apart_sentence?: string;
}

/** Why two parts are connected (`kinds`), or what enters and leaves one (`inputs`, `outputs`). */
export interface WhyAnswer {
  version: number;
  a: WhyPart;
  b?: WhyPart;
  total?: number;
  /** `drawn` (asked by the view about two boxes): how many of the kind's edges join the two boxes as drawn; the
   * others join ops of a scope drawn apart from its box, and no filter draws them between these two. */
  kinds?: (KindCount & { edges: { from: string; to: string }[]; truncated: boolean; drawn?: number })[];
  inputs?: KindCount[];
  outputs?: KindCount[];
  /** Asked by the view about a box that does not draw its whole scope: what crosses the box as drawn. */
  box_inputs?: KindCount[];
  box_outputs?: KindCount[];
}

/** An answer with a non-2xx status; `message` is the server's `error` when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A route's URL, relative to the plugin's base (every fetch is same-origin). */
export function routeUrl(route: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, v);
  const qs = q.toString();
  return `./${route}${qs ? '?' + qs : ''}`;
}

/** The requests the entry module sends before the app's code is loaded (`index.ts`); the session takes each once. */
export interface EarlyRequests {
  /** Whether the runs request asked the server to start on the graph it picks (a first visit). */
  prefetch: boolean;
  /** Null when the page opens from a compare link: the run list waits until the comparison is drawn. */
  runs: Promise<Response> | null;
  /** On a first visit, the graph the runs answer names `first`, asked for as soon as that answer came. */
  graph: Promise<{ ref: GraphRef; sent: Promise<Response> } | null> | null;
  /** Opened from a compare link: the comparison it names, asked for first and alone. */
  compare?: { a: GraphRef; b: GraphRef; sent: Promise<Response> } | null;
}

/** Both graphs of a comparison, each with the user's moves of that graph (`model`, `model_b`). */
export function compareParams(a: GraphRef, b: GraphRef): Record<string, string | null> {
  const params = refParams(a);
  for (const [key, value] of Object.entries(refParams(b))) params[`${key}_b`] = value;
  return params;
}

export function runsParams(prefetch: boolean): Record<string, string> {
  return prefetch ? { prefetch: 'first' } : {};
}

async function getJson<T>(
  route: string,
  params: Record<string, string | null | undefined>,
  signal?: AbortSignal,
  sent?: Promise<Response>,
): Promise<T> {
  let res: Response;
  try {
    res = await (sent ?? fetch(routeUrl(route, params), { signal, credentials: 'same-origin' }));
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(`could not reach the server (${(e as Error).message})`, 0);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const msg =
      body && typeof body === 'object' && 'error' in body
        ? String((body as { error: unknown }).error)
        : `${res.status} ${res.statusText}`;
    throw new ApiError(msg, res.status);
  }
  if (body === null) throw new ApiError('the server sent an answer that is not JSON', res.status);
  return body as T;
}

export function refParams(g: GraphRef): Record<string, string | null> {
  const params: Record<string, string | null> = { run: g.run, kind: g.kind, tag: g.tag };
  if (g.model?.length) params.model = JSON.stringify(g.model);
  return params;
}

export const api = {
  /** `prefetch`: the server starts reading the first graph at once, as the page will open it next. */
  /** `sent`: the same request, already sent (the entry module's); its answer is read as if made here. */
  runs: (prefetch = false, signal?: AbortSignal, sent?: Promise<Response>) =>
    getJson<RunsAnswer>('runs', runsParams(prefetch), signal, sent),
  graph: (g: GraphRef, signal?: AbortSignal, sent?: Promise<Response>) =>
    getJson<GraphAnswer>('graph', refParams(g), signal, sent),
  group: (g: GraphRef, group: string, signal?: AbortSignal) =>
    getJson<GroupAnswer>('group', { ...refParams(g), group }, signal),
  node: (g: GraphRef, name: string, signal?: AbortSignal) =>
    getJson<NodeAnswer>('node', { ...refParams(g), name }, signal),
  phaseRuns: (g: GraphRef, signal?: AbortSignal) => getJson<PhaseRunsAnswer>('phase_runs', refParams(g), signal),
  summary: (g: GraphRef, signal?: AbortSignal) => getJson<SummaryAnswer>('summary', refParams(g), signal),
  colours: (g: GraphRef, group: string, by: string, signal?: AbortSignal) =>
    getJson<ColourAnswer>('colours', { ...refParams(g), group, by }, signal),
  /** The architecture diff of graph `a` and graph `b` (any runs). */
  compare: (a: GraphRef, b: GraphRef, signal?: AbortSignal, sent?: Promise<Response>) =>
    getJson<CompareAnswer>('compare', compareParams(a, b), signal, sent),
  /** As the view draws them (`view=1`): a group id means the drawn group. */
  why: (g: GraphRef, a: string, b: string | null, signal?: AbortSignal) =>
    getJson<WhyAnswer>('why', { ...refParams(g), a, b, view: '1' }, signal),
  search: (g: GraphRef, q: string, regex: boolean, signal?: AbortSignal) =>
    getJson<SearchAnswer>('search', { ...refParams(g), q, regex: regex ? '1' : null, limit: '50' }, signal),
};

export function graphKey(g: GraphRef): string {
  return JSON.stringify([g.run, g.kind, g.tag ?? '']);
}

export function graphLabel(g: GraphRef): string {
  const kind = g.kind === 'run_graph' ? 'op graph' : g.kind.replace(/_/g, ' ');
  return g.tag ? `${kind}: ${g.tag}` : kind;
}
