import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import type { ModelState } from '../../../recsys/models/explainable-model.ts';
import { createEfmView, efmAttack, efmGradYAt, efmLossAt, FACTOR_NAMES, poisonedY, trainEfm } from '../../../recsys/models/efm/index.ts';
import { Rng } from '../../../recsys/random.ts';
import { efmConfig, tinyDataset } from './fixtures.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const data = tinyDataset({ users: 8, items: 10, features: 6, ratingsPerUser: 4, seed: 5 });
// The warm-start refit and observed residuals are what these tests pin down; scratch is tested below.
const config = efmConfig({ epochs: 30, choices: { efmResiduals: 'observed', efmPoisonStart: 'warm' } });
const E = config.epochs;

const diff = (a: ModelState, b: ModelState, names: readonly string[] = FACTOR_NAMES) => {
  let m = 0;
  for (const n of names) {
    const x = a.tensors[n].data;
    const y = b.tensors[n].data;
    for (let k = 0; k < x.length; k++) m = Math.max(m, Math.abs(x[k] - y[k]));
  }
  return m;
};
/** Σ over observed entries of Y_target of (U2Vᵀ − Y_target)²: how well a state fits a Y. */
const fitTo = (s: ModelState, y: Float32Array) => efmGradYAt(s, data, config, y).reduce((acc, g) => acc + (g / 2) ** 2, 0);

let trained: ModelState;
let cleanRefit: ModelState;

beforeAll(async () => {
  trained = (await trainEfm(data, config)).state;
  // The clean-refit control: the same warm start, E more iterations on the clean Y.
  cleanRefit = (await trainEfm(data, { ...config, epochs: 2 * E }, undefined, trained)).state;
});

describe("EFM poisoning attack (paper-brief §4, choices.efmAttack = 'poison')", () => {
  it('ε = 0 is exactly the clean refit (warm start continues Θ*’s Adam state)', async () => {
    const s = await efmAttack(trained, data, config, 0, 'fgsm', new Rng(0));
    expect(s.epoch).toBe(2 * E);
    expect(diff(s, cleanRefit, Object.keys(s.tensors))).toBe(0);
  });

  it('a tiny ε stays near the clean refit; ε = 1 moves far from it and from Θ*', async () => {
    const tiny = await efmAttack(trained, data, config, 1e-4, 'fgsm', new Rng(0));
    const big = await efmAttack(trained, data, config, 1, 'fgsm', new Rng(0));
    expect(diff(tiny, cleanRefit)).toBeLessThan(1e-2);
    expect(diff(big, cleanRefit)).toBeGreaterThan(10 * diff(tiny, cleanRefit));
    expect(diff(big, trained)).toBeGreaterThan(0.05);
  });

  it('Y_adv raises the loss at Θ*, and the refit fits Y_adv better than the clean refit does', async () => {
    const yAdv = await poisonedY(trained, data, config, 1, 'fgsm', new Rng(0));
    expect(efmLossAt(trained, data, config, yAdv)).toBeGreaterThan(efmLossAt(trained, data, config));
    const attacked = await efmAttack(trained, data, config, 1, 'fgsm', new Rng(0));
    expect(fitTo(attacked, yAdv)).toBeLessThan(fitTo(cleanRefit, yAdv));
  });

  it('FGSM moves only observed entries of Y (∇_Y is 0 on zeros); random moves zeros too, within [0, N]', async () => {
    const fgsm = await poisonedY(trained, data, config, 0.5, 'fgsm', new Rng(0));
    const rand = await poisonedY(trained, data, config, 0.5, 'random', new Rng(1));
    let zerosMovedByRandom = 0;
    for (let k = 0; k < data.Y.length; k++) {
      if (data.Y[k] === 0) {
        expect(fgsm[k]).toBe(0);
        if (rand[k] > 0) zerosMovedByRandom++;
      } else {
        const moved = Math.abs(fgsm[k] - data.Y[k]);
        expect(Math.abs(moved - 0.5) < 1e-6 || (fgsm[k] === 5 && moved < 0.5)).toBe(true);
      }
      expect(rand[k]).toBeGreaterThanOrEqual(0);
      expect(rand[k]).toBeLessThanOrEqual(5);
    }
    expect(zerosMovedByRandom).toBeGreaterThan(0);
  });

  it('random control: reproducible from the Rng, different across seeds', async () => {
    const a = await efmAttack(trained, data, config, 0.5, 'random', new Rng(9));
    const b = await efmAttack(trained, data, config, 0.5, 'random', new Rng(9));
    const c = await efmAttack(trained, data, config, 0.5, 'random', new Rng(10));
    expect(diff(a, b)).toBe(0);
    expect(diff(a, c)).toBeGreaterThan(0);
  });

  it('refits a defended model with its own λ and ε_D', async () => {
    const defended = efmConfig({ epochs: 30, lambda: 0.5, epsilonD: 0.5, choices: { efmPoisonStart: 'warm' } });
    const theta = (await trainEfm(data, defended)).state;
    const viaAttack = await efmAttack(theta, data, defended, 0, 'fgsm', new Rng(0));
    const continued = (await trainEfm(data, { ...defended, epochs: 60 }, undefined, theta)).state;
    expect(diff(viaAttack, continued)).toBe(0);
  });

  it('the attacked state builds a view, and no tensors leak', async () => {
    const before = tf.memory().numTensors;
    const s = await efmAttack(trained, data, config, 1, 'fgsm', new Rng(0));
    const view = createEfmView(s, data, config);
    const scores = await view.scoreLists(data.test);
    expect(scores.every(Number.isFinite)).toBe(true);
    view.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("EFM factor attack (choices.efmAttack = 'factors')", () => {
  const factors = efmConfig({ epochs: 30, choices: { efmAttack: 'factors' } });

  it.each(['fgsm', 'random'] as const)('%s: perturbs U2 only, by at most ε, keeping U2 ≥ 0, no refit', async (kind) => {
    const s = await efmAttack(trained, data, factors, 0.25, kind, new Rng(2));
    expect(s.epoch).toBe(trained.epoch);
    expect(diff(s, trained, ['U1', 'V', 'H1', 'H2'])).toBe(0);
    const d = diff(s, trained, ['U2']);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(0.25 + 1e-6);
    expect(Math.min(...s.tensors.U2.data)).toBeGreaterThanOrEqual(0);
  });

  it('fgsm on U2 raises the training loss more than random signs', async () => {
    const fgsm = await efmAttack(trained, data, factors, 0.1, 'fgsm', new Rng(2));
    const rand = await efmAttack(trained, data, factors, 0.1, 'random', new Rng(2));
    const clean = efmLossAt(trained, data, config);
    expect(efmLossAt(fgsm, data, config)).toBeGreaterThan(efmLossAt(rand, data, config));
    expect(efmLossAt(fgsm, data, config)).toBeGreaterThan(clean);
  });
});

describe("EFM poisoning refit from scratch (choices.efmPoisonStart = 'scratch', the default)", () => {
  const scratch = efmConfig({ epochs: 30 });

  it('ε = 0 reproduces the clean model bit for bit, so any change is the attack’s', async () => {
    const clean = (await trainEfm(data, scratch)).state;
    const s = await efmAttack(clean, data, scratch, 0, 'fgsm', new Rng(0));
    expect(s.epoch).toBe(E);
    expect(diff(s, clean, Object.keys(s.tensors))).toBe(0);
    const big = await efmAttack(clean, data, scratch, 1, 'random', new Rng(0));
    expect(diff(big, clean)).toBeGreaterThan(0.01);
  });
});
