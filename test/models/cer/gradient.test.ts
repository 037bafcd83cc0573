import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { Rng } from '../../../recsys/random.ts';
import { fgsmStep, randomSignStep } from '../../../recsys/robust/perturb.ts';
import { disposeCerModel, initCerModel } from '../../../recsys/models/cer/mlp.ts';
import { attackPairs, cerAttack, cerAttackLoss, cerLossGradientY, type LabelledPairs } from '../../../recsys/models/cer/gradient.ts';
import { bce64, logit64, pairInput, tinyConfig, tinyDataset, weights64 } from './fixtures.ts';

beforeAll(async () => {
  expect((await selectBackend('wasm')).tfBackend).toBe('wasm');
});

/** Σ BCE over the pairs in float64 at item matrix Y. */
function loss64(w: ReturnType<typeof weights64>, X: Float32Array, Y: Float64Array, F: number, p: LabelledPairs): number {
  let s = 0;
  for (let k = 0; k < p.labels.length; k++) s += bce64(logit64(w, pairInput(X, Y, F, p.users[k], p.items[k])), p.labels[k]);
  return s;
}

function centralDifferences(w: ReturnType<typeof weights64>, X: Float32Array, Y32: Float32Array, F: number, p: LabelledPairs): Float64Array {
  const Y = Float64Array.from(Y32);
  const fd = new Float64Array(Y.length);
  const h = 1e-5;
  for (let k = 0; k < Y.length; k++) {
    const v = Y[k];
    Y[k] = v + h;
    const up = loss64(w, X, Y, F, p);
    Y[k] = v - h;
    const down = loss64(w, X, Y, F, p);
    Y[k] = v;
    fd[k] = (up - down) / (2 * h);
  }
  return fd;
}

function expectClose(g: Float32Array, fd: Float64Array): void {
  let scale = 0;
  for (const v of fd) scale = Math.max(scale, Math.abs(v));
  expect(scale).toBeGreaterThan(1e-3);
  for (let k = 0; k < fd.length; k++) {
    const err = Math.abs(g[k] - fd[k]);
    expect(err / Math.max(Math.abs(fd[k]), 1e-2 * scale)).toBeLessThan(1e-2);
  }
}

describe('∇_Y of the attacker loss (matrix level, summed BCE)', () => {
  const data = tinyDataset({ users: 4, items: 6, features: 4, pairsPerUser: 4, width: 4, seed: 5 });
  const F = 4;

  it('matches float64 central differences on the training pairs, with repeated items scatter-added', async () => {
    const counts = new Map<number, number>();
    for (const i of data.train.items) counts.set(i, (counts.get(i) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(3);
    const model = initCerModel(F, [8, 6], new Rng(2));
    const before = tf.memory().numTensors;
    // batch 5 < 16 pairs: the same item is accumulated across several batches too.
    const g = await cerLossGradientY(model, data.X, data.Y, data.train, 5);
    expect(tf.memory().numTensors).toBe(before);
    const fd = centralDifferences(weights64(model), data.X, data.Y, F, data.train);
    expectClose(g, fd);
    // Items in no training pair get exactly zero gradient.
    for (let i = 0; i < 6; i++) {
      if (!counts.has(i)) for (let f = 0; f < F; f++) expect(g[i * F + f]).toBe(0);
    }
    // The batch size does not change the result beyond float32 rounding.
    const whole = await cerLossGradientY(model, data.X, data.Y, data.train, 1000);
    for (let k = 0; k < g.length; k++) expect(whole[k]).toBeCloseTo(g[k], 5);
    // The loss itself matches the float64 reference.
    expect(await cerAttackLoss(model, data.X, data.Y, data.train, 7)).toBeCloseTo(loss64(weights64(model), data.X, Float64Array.from(data.Y), F, data.train), 4);
    disposeCerModel(model);
  });

  it('matches central differences on the test candidate lists', async () => {
    const model = initCerModel(F, [8, 6], new Rng(3));
    const pairs = attackPairs(data, 'test-candidates');
    expect(pairs.labels.length).toBe(4 * 4);
    expect(Array.from(pairs.users.subarray(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const g = await cerLossGradientY(model, data.X, data.Y, pairs, 3);
    expectClose(g, centralDifferences(weights64(model), data.X, data.Y, F, pairs));
    disposeCerModel(model);
  });

  it('cerAttack: FGSM = fgsmStep(Y, ∇_Y L); random = randomSignStep; both honour the config', async () => {
    const model = initCerModel(F, [8, 6], new Rng(4));
    const opts = { epsilon: 0.5, maxRange: 5, nonZeroOnly: false };
    const g = await cerLossGradientY(model, data.X, data.Y, data.train);
    const fgsm = await cerAttack(model, data, tinyConfig(), 0.5, 'fgsm', new Rng(0));
    expect(fgsm).toEqual(fgsmStep(data.Y, g, opts));
    const cfgTest = tinyConfig({ choices: { attackLoss: 'test-candidates', perturbNonZeroOnly: true } });
    const gTest = await cerLossGradientY(model, data.X, data.Y, attackPairs(data, 'test-candidates'));
    const fgsmTest = await cerAttack(model, data, cfgTest, 0.5, 'fgsm', new Rng(0));
    expect(fgsmTest).toEqual(fgsmStep(data.Y, gTest, { ...opts, nonZeroOnly: true }));
    for (let k = 0; k < data.Y.length; k++) if (data.Y[k] === 0) expect(fgsmTest[k]).toBe(0);
    const random = await cerAttack(model, data, tinyConfig(), 0.25, 'random', new Rng(11));
    expect(random).toEqual(randomSignStep(data.Y, new Rng(11), { ...opts, epsilon: 0.25 }));
    disposeCerModel(model);
  });
});
