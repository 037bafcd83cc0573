import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { Rng } from '../../../recsys/random.ts';
import {
  cerLogits,
  cerModelFromState,
  cerModelToState,
  cerParameters,
  disposeCerModel,
  initCerModel,
  assignCerState,
} from '../../../recsys/models/cer/mlp.ts';
import { logit64, weights64 } from './fixtures.ts';

beforeAll(async () => {
  const r = await selectBackend('wasm');
  expect(r.tfBackend).toBe('wasm');
});

describe('CER MLP', () => {
  it('initialises like PyTorch Linear: W, b ~ U(±1/√fan_in), shapes [2F, ...hidden, 1]', () => {
    const m = initCerModel(6, [16, 8], Rng.derive(0, 'cer-init'));
    const params = cerParameters(m);
    expect(params.map((p) => p.shape)).toEqual([[12, 16], [16], [16, 8], [8], [8, 1], [1]]);
    const fanIns = [12, 12, 16, 16, 8, 8];
    params.forEach((p, i) => {
      const v = p.dataSync();
      const bound = 1 / Math.sqrt(fanIns[i]);
      for (const x of v) expect(Math.abs(x)).toBeLessThanOrEqual(bound);
      // Not degenerate: spread over the interval.
      if (v.length >= 16) expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(bound);
    });
    disposeCerModel(m);
  });

  it('same seed gives the same weights; a ModelState restores them bit for bit', () => {
    const a = initCerModel(6, [16, 8], Rng.derive(3, 'cer-init'));
    const b = initCerModel(6, [16, 8], Rng.derive(3, 'cer-init'));
    const sa = cerModelToState(a, 0);
    const sb = cerModelToState(b, 0);
    expect(sb).toEqual(sa);
    const c = cerModelFromState(sa);
    expect(c.featureCount).toBe(6);
    expect(c.hidden).toEqual([16, 8]);
    expect(cerModelToState(c, 0)).toEqual(sa);
    const d = initCerModel(6, [16, 8], Rng.derive(4, 'cer-init'));
    expect(cerModelToState(d, 0)).not.toEqual(sa);
    assignCerState(d, sa);
    expect(cerModelToState(d, 0)).toEqual(sa);
    [a, b, c, d].forEach(disposeCerModel);
  });

  it('forward pass matches a float64 reference', () => {
    const m = initCerModel(3, [5, 4], new Rng(9));
    const rng = new Rng(10);
    const input = rng.uniformArray(4 * 6, 0, 5);
    const z = tf.tidy(() => cerLogits(m, tf.tensor2d(input, [4, 6])).dataSync());
    const w = weights64(m);
    for (let k = 0; k < 4; k++) expect(z[k]).toBeCloseTo(logit64(w, input.subarray(k * 6, k * 6 + 6)), 5);
    disposeCerModel(m);
  });

  it('does not leak tensors', () => {
    const before = tf.memory().numTensors;
    const m = initCerModel(6, [16, 8], new Rng(1));
    tf.tidy(() => cerLogits(m, tf.ones([3, 12]))).dispose();
    const s = cerModelToState(m, 1);
    disposeCerModel(m);
    disposeCerModel(cerModelFromState(s));
    expect(tf.memory().numTensors).toBe(before);
  });
});
