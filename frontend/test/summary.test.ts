import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryMarkdown, summaryTable, totalsText } from '../src/panels/summary';
import type { SummaryAnswer } from '../src/graph/api';

const answer = (over: Partial<SummaryAnswer>): SummaryAnswer => ({
  run: 'r',
  kind: 'run_graph',
  tag: null,
  version: 1,
  total_params: 0,
  trainable_params: 0,
  non_trainable_params: 0,
  machinery_params: 0,
  unknown_variables: 0,
  layers: [],
  ...over,
});

test('a graph that holds no variable does not claim zero parameters', () => {
  const frozen = answer({ holds_variables: false });
  assert.equal(totalsText(frozen), 'no variables: weights held as constants or fed as inputs are not counted');
  assert.ok(!summaryMarkdown(frozen).includes('Total params: 0'));
  const weights = answer({ holds_variables: false, total_params: 521834, trainable_params: 521834 });
  const counted = { ...weights, frozen_weights: 10, frozen_params: 521834 };
  assert.equal(
    totalsText(counted),
    '522 k params, 0 non-trainable · frozen graph: the weights are 10 constants (521,834 values)',
  );
  assert.ok(
    summaryMarkdown(counted).endsWith(
      'Total params: 521,834 · trainable: 521,834 · non-trainable: 0 · frozen graph: the weights are 10 constants (521,834 values)',
    ),
  );
  const trained = answer({ holds_variables: true, total_params: 1500, non_trainable_params: 10, machinery_params: 3 });
  assert.equal(totalsText(trained), '1.5 k params, 10 non-trainable · 3 in optimizer state and counters (not counted)');
});

test('variables whose size the graph does not say are said to be left out of the totals', () => {
  const captured = answer({ holds_variables: true, total_params: 177, trainable_params: 177, unknown_variables: 2 });
  assert.equal(totalsText(captured), '177 params, 0 non-trainable · 2 variables of unknown size not counted');
  assert.ok(
    summaryMarkdown(captured).endsWith(
      'Total params: 177 · trainable: 177 · non-trainable: 0 · 2 variables of unknown size not counted',
    ),
  );
  assert.ok(totalsText({ ...captured, unknown_variables: 1 }).endsWith('· 1 variable of unknown size not counted'));
});

test('a model run on replicas says its weights are counted once', () => {
  const mirrored = answer({ holds_variables: true, total_params: 563, trainable_params: 555, replicas: 2 });
  const said = 'run on 2 replicas: each weight counted once (the machinery counts every copy)';
  assert.equal(totalsText(mirrored), `563 params, 0 non-trainable · ${said}`);
  assert.ok(summaryMarkdown(mirrored).endsWith(said));
  assert.ok(!totalsText({ ...mirrored, replicas: 1 }).includes('replicas'));
});

test('a picture carries the first rows of a summary of tens of thousands of layers and says how many it left out', () => {
  const layer = (i: number) => ({
    name: `dense_${i}`,
    type: 'Dense',
    output_shape: [null, 8],
    output_shape_text: '?×8',
    params: 72,
    trainable_params: 72,
    learning_phase: null,
    path: [`dense_${i}`],
    variables: [],
  });
  const big = answer({
    holds_variables: true,
    total_params: 72 * 30600,
    layers: Array.from({ length: 30600 }, (_, i) => layer(i)),
  });
  const table = summaryTable(big);
  assert.equal(table.title, 'Summary · 30,600 layers in data-flow order');
  assert.equal(table.rows.length, 500);
  assert.deepEqual(table.rows[499][0], 'dense_499');
  assert.ok(
    table.footer.startsWith(
      '… and 30,100 more layers (Copy or CSV in the summary panel gives every one) · Total params: 2,203,200',
    ),
  );
  const small = summaryTable(answer({ holds_variables: true, layers: [layer(0), layer(1)] }));
  assert.equal(small.rows.length, 2);
  assert.ok(small.footer.startsWith('Total params: 0'));
  assert.ok(summaryMarkdown(big).split('\n').length > 30600, 'Copy still gives every row');
});

test('a row says what it cannot count: `32 + ?` beside a known part, `?` when nothing of it is known', () => {
  const row = (name: string, params: number, unknown?: number) => ({
    name,
    type: 'Conv2d',
    output_shape: [2, 8],
    output_shape_text: '2×8',
    params,
    trainable_params: params,
    ...(unknown ? { unknown_params: unknown } : {}),
    learning_phase: null,
    path: [name],
    variables: [],
  });
  const a = answer({
    holds_variables: true,
    total_params: 1_032,
    layers: [row('conv', 32, 1), row('embed', 0, 1), row('dense', 1_000)],
  });
  assert.deepEqual(
    summaryTable(a).rows.map((r) => r[3]),
    ['32 + ?', '?', '1,000'],
  );
  assert.ok(summaryMarkdown(a).includes('| embed | Conv2d | 2×8 | ? |'));
});
