import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainPhaseEdge, explainSource, layerReason } from '../src/explain';

test('batch normalization and dropout get their specific reasons', () => {
  assert.match(explainPhaseEdge('keras_learning_phase', 'bn_conv1', 'BatchNormalization'), /moving averages in inference/);
  assert.match(explainPhaseEdge('keras_learning_phase', 'dropout', 'Dropout'), /only in training/);
  assert.match(layerReason(undefined), /differs between training and inference/);
});

test('the sentence names the flag and the layer', () => {
  const t = explainPhaseEdge('bnl_stg-1/keras_learning_phase', 'bn2a', 'BatchNormalization');
  assert.ok(t.includes('bnl_stg-1/keras_learning_phase'));
  assert.ok(t.includes('bn2a is a BatchNormalization layer'));
});

test('a relocated source says where it was born', () => {
  assert.match(explainSource('bnl_stg-1/keras_learning_phase', 24, 'bnl_stg-1'), /24 layers read it.*created inside bnl_stg-1/);
  assert.doesNotMatch(explainSource('flag', 1, null), /created inside/);
});
