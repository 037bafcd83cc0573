import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { Rng } from '../../../recsys/random.ts';
import type { RecommendedPair } from '../../../recsys/models/explainable-model.ts';
import { cerModelFromArrays, disposeCerModel, initCerModel } from '../../../recsys/models/cer/mlp.ts';
import {
  explainPairs,
  explainPairsOneByOne,
  explainerParams,
  initialDelta,
  optimiseDeltas,
  toExplanation,
  type ExplainerParams,
} from '../../../recsys/models/cer/explainer.ts';
import { scorePairs } from '../../../recsys/models/cer/score.ts';
import { tinyConfig } from './fixtures.ts';

beforeAll(async () => {
  expect((await selectBackend('wasm')).tfBackend).toBe('wasm');
});

const F = 3;
const base: ExplainerParams = {
  lam: 200,
  alpha: 0.05,
  gamma: 1,
  learningRate: 0.01,
  steps: 500,
  maskThresh: 0.1,
  userMask: true,
  chunkSize: 4096,
  complexityNorm: 'l2',
  thresholdMaskedDelta: true,
  keeps: 'after-step',
  maxRange: 5,
  seed: 0,
};

/** s = σ(2·relu(Y_i0) − 5): the score depends on item feature 0 only. */
function featureZeroModel() {
  const k0 = new Float32Array(2 * F);
  k0[F] = 1;
  return cerModelFromArrays(F, [1], [k0, Float32Array.from([2])], [Float32Array.from([0]), Float32Array.from([-5])]);
}

// user 0 cares about every feature, user 1 not about feature 0.
const X = Float32Array.from([3, 3, 3, 0, 3, 3]);
// item 0: score σ(3) ≈ 0.95.
const Y = Float32Array.from([4, 3, 2]);

describe('counterfactual explainer on a hand-built model', () => {
  it('explains with E = {0} when the score depends only on feature 0; refuses an unreachable margin; honours the user mask', async () => {
    const model = featureZeroModel();
    const before = tf.memory().numTensors;
    const pairs: RecommendedPair[] = [
      { user: 0, item: 0, marginScore: 0.5 },
      // min over Δ of s is σ(−5) ≈ 0.0067 > 0.001: cannot be pushed below the margin.
      { user: 0, item: 0, marginScore: 0.001 },
      // user 1 does not mention feature 0: with the mask, Δ cannot touch it.
      { user: 1, item: 0, marginScore: 0.5 },
    ];
    const ex = await explainPairs(model, X, Y, pairs, base);
    expect(ex[0]).toMatchObject({ user: 0, item: 0, explained: true, features: [0] });
    expect(ex[1]).toMatchObject({ explained: false, features: [] });
    expect(ex[2]).toMatchObject({ user: 1, explained: false, features: [] });
    const noMask = await explainPairs(model, X, Y, [pairs[2]], { ...base, userMask: false });
    expect(noMask[0]).toMatchObject({ explained: true, features: [0] });
    expect(tf.memory().numTensors).toBe(before);

    // The evaluated Δ_t brings the score just below margin − α: σ(2(4 + Δ₀) − 5) < 0.45 ⇔ Δ₀ < −1.6003.
    const evaluated = await optimiseDeltas(model, X, Y, [pairs[0]], { ...base, keeps: 'evaluated' });
    expect(evaluated.delta[0]).toBeLessThan(-1.6);
    expect(evaluated.delta[0]).toBeGreaterThan(-1.8);
    expect(Math.abs(evaluated.delta[1])).toBeLessThan(0.1);
    expect(Math.abs(evaluated.delta[2])).toBeLessThan(0.1);
    expect(evaluated.bpr[0]).toBeLessThan(200 * 0.05);
    expect(evaluated.norm[0]).toBeCloseTo(Math.hypot(...evaluated.delta), 5);
    // The reference keeps Δ one SGD step later, with Δ_t's loss, bpr and norm. bpr is 0 at Δ_t,
    // so that step moves Δ₀ by lr·(1 + 1) towards 0: back above the margin.
    const opt = await optimiseDeltas(model, X, Y, [pairs[0]], base);
    expect([opt.loss[0], opt.bpr[0], opt.norm[0]]).toEqual([evaluated.loss[0], evaluated.bpr[0], evaluated.norm[0]]);
    expect(opt.delta[0] - evaluated.delta[0]).toBeCloseTo(0.02, 3);
    expect(ex[0].complexity).toBeCloseTo(opt.norm[0] + 1, 5);
    // 'l2-squared' complexity uses ‖Δ*‖²₂.
    const sq = await explainPairs(model, X, Y, [pairs[0]], { ...base, complexityNorm: 'l2-squared' });
    expect(sq[0].features).toEqual([0]);
    disposeCerModel(model);
  });

  it('keeps the initial Δ when no step improves on it (best tracking includes Δ₀)', async () => {
    const model = featureZeroModel();
    const init = Float32Array.from([-3, -0.5, -0.05]);
    // One step: only Δ₀ is evaluated.
    const opt = await optimiseDeltas(model, X, Y, [{ user: 0, item: 0, marginScore: 0.5 }], { ...base, steps: 1 }, init);
    expect(Array.from(opt.delta)).toEqual(Array.from(init));
    const s = 1 / (1 + Math.exp(-(2 * (4 - 3) - 5)));
    const bpr = 200 * Math.max(0, 0.05 + s - 0.5);
    expect(opt.bpr[0]).toBeCloseTo(bpr, 4);
    expect(opt.loss[0]).toBeCloseTo(Math.hypot(3, 0.5, 0.05) + bpr + 3.55, 4);
    disposeCerModel(model);
  });

  it("keeps Δ after the step with the evaluated Δ's loss ('after-step', the reference) or the evaluated Δ ('evaluated')", async () => {
    const model = featureZeroModel();
    // margin 2 > any score: bpr = 0 with zero gradient, so loss = ‖Δ‖₂ + ‖Δ‖₁ and, for Δ = (d, 0, 0),
    // the gradient is (2·sign(d), 0, 0). With lr 0.375 every value below is exact in float32:
    //   t  Δ_t    loss_t   Δ_{t+1}
    //   0  −1     2        −0.25
    //   1  −0.25  0.5      0.5      ← lowest loss (t = 3 only ties it)
    //   2  0.5    1        −0.25
    //   3  −0.25  0.5      0.5
    const pair: RecommendedPair = { user: 0, item: 0, marginScore: 2 };
    const params: ExplainerParams = { ...base, learningRate: 0.375, steps: 4 };
    const init = Float32Array.from([-1, 0, 0]);
    const reference = await optimiseDeltas(model, X, Y, [pair], params, init);
    expect(Array.from(reference.delta)).toEqual([0.5, 0, 0]);
    expect([reference.loss[0], reference.bpr[0], reference.norm[0]]).toEqual([0.5, 0, 0.25]);
    const evaluated = await optimiseDeltas(model, X, Y, [pair], { ...params, keeps: 'evaluated' }, init);
    expect(Array.from(evaluated.delta)).toEqual([-0.25, 0, 0]);
    expect([evaluated.loss[0], evaluated.bpr[0], evaluated.norm[0]]).toEqual([0.5, 0, 0.25]);
    // No feature of Δ* = (0.5, 0, 0) is below −0.1: E = {argmin} = {1}; complexity ‖Δ₁‖ + γ|E|.
    expect(toExplanation(pair, reference, 0, F, params)).toEqual({ user: 0, item: 0, explained: true, features: [1], complexity: 1.25 });
    expect(toExplanation(pair, evaluated, 0, F, params)).toEqual({ user: 0, item: 0, explained: true, features: [0], complexity: 1.25 });
    disposeCerModel(model);
  });

  it('keeps Δ after the step by default (choices.explainerKeeps)', () => {
    expect(explainerParams(tinyConfig(), 5).keeps).toBe('after-step');
    expect(explainerParams(tinyConfig({ choices: { explainerKeeps: 'evaluated' } }), 5).keeps).toBe('evaluated');
  });

  it('Δ₀ ~ U(−N, 0) per pair, from the seed, user and item', () => {
    const a = initialDelta(0, 3, 4, 50, 5);
    expect(a.every((v) => v >= -5 && v < 0)).toBe(true);
    expect(initialDelta(0, 3, 4, 50, 5)).toEqual(a);
    expect(initialDelta(0, 4, 3, 50, 5)).not.toEqual(a);
    expect(initialDelta(1, 3, 4, 50, 5)).not.toEqual(a);
  });
});

describe('batched versus per-pair explainer', () => {
  it('give the same explanations on a small random case, whatever the chunk size', async () => {
    const Fr = 6;
    const rng = new Rng(31);
    const U = 4;
    const I = 8;
    const Xr = Float32Array.from({ length: U * Fr }, () => (rng.next() < 0.3 ? 0 : rng.uniform(1, 5)));
    const Yr = Float32Array.from({ length: I * Fr }, () => (rng.next() < 0.3 ? 0 : rng.uniform(1, 5)));
    const model = initCerModel(Fr, [16, 8], new Rng(32));
    // Each pair's margin: the score of another item for the same user (some reachable, some not).
    const users = [0, 0, 1, 1, 2, 2, 3, 3];
    const items = [0, 1, 2, 3, 4, 5, 6, 7];
    const scores = await scorePairs(model, Xr, Yr, users, items);
    const pairs: RecommendedPair[] = users.map((u, k) => ({ user: u, item: items[k], marginScore: scores[k] - 0.02 * (k % 3) }));
    const params = { ...explainerParams(tinyConfig({ explainer: { steps: 200 } }), 5), seed: 5 };
    expect(params.lam).toBe(200);
    const before = tf.memory().numTensors;
    const batched = await explainPairs(model, Xr, Yr, pairs, params);
    const chunked = await explainPairs(model, Xr, Yr, pairs, { ...params, chunkSize: 3 });
    const single = await explainPairsOneByOne(model, Xr, Yr, pairs, params);
    expect(tf.memory().numTensors).toBe(before);
    for (const other of [chunked, single]) {
      other.forEach((e, k) => {
        expect(e.explained).toBe(batched[k].explained);
        expect(e.features).toEqual(batched[k].features);
        expect(e.complexity).toBeCloseTo(batched[k].complexity, 3);
      });
    }
    expect(batched.some((e) => e.explained)).toBe(true);
    // Order of the pairs does not matter either.
    const reversed = await explainPairs(model, Xr, Yr, [...pairs].reverse(), params);
    expect(reversed.reverse().map((e) => e.features)).toEqual(batched.map((e) => e.features));
    disposeCerModel(model);
  });
});
