import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { DivergenceError } from '../../../recsys/errors.ts';
import type { ModelState } from '../../../recsys/models/explainable-model.ts';
import { FACTOR_NAMES, efmLossAt, fromModelState, dimsOfState, trainEfm } from '../../../recsys/models/efm/index.ts';
import { efmConfig, tinyDataset } from './fixtures.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const data = tinyDataset({ users: 8, items: 10, features: 6, ratingsPerUser: 4, seed: 5 });
// Observed residuals, the setting these expectations were worked out for ('full' is tested in the end-to-end tests).
const vanilla = efmConfig({ epochs: 40, choices: { efmResiduals: 'observed' } });
const defended = efmConfig({ epochs: 40, lambda: 0.5, epsilonD: 0.5 });

function expectIdentical(a: ModelState, b: ModelState): void {
  expect(a.epoch).toBe(b.epoch);
  expect(Object.keys(a.tensors).sort()).toEqual(Object.keys(b.tensors).sort());
  for (const [name, t] of Object.entries(a.tensors)) {
    expect(t.shape, name).toEqual(b.tensors[name].shape);
    expect(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).equals(
      Buffer.from(b.tensors[name].data.buffer, b.tensors[name].data.byteOffset, b.tensors[name].data.byteLength),
    ), `${name} differs`).toBe(true);
  }
}

function maxAbsDiff(a: ModelState, b: ModelState): number {
  let m = 0;
  for (const name of FACTOR_NAMES) {
    const x = a.tensors[name].data;
    const y = b.tensors[name].data;
    for (let k = 0; k < x.length; k++) m = Math.max(m, Math.abs(x[k] - y[k]));
  }
  return m;
}

describe('trainEfm: projected Adam on L_EFM', () => {
  it('keeps every factor ≥ 0 and decreases the loss', async () => {
    const { state, losses } = await trainEfm(data, vanilla);
    expect(losses).toHaveLength(40);
    expect(state.epoch).toBe(40);
    for (const name of FACTOR_NAMES) expect(Math.min(...state.tensors[name].data), name).toBeGreaterThanOrEqual(0);
    expect(losses[39]).toBeLessThan(0.5 * losses[0]);
    // The recorded loss is the objective at the parameters each iteration started from.
    expect(efmLossAt(state, data, vanilla)).toBeLessThan(losses[39]);
    expect(dimsOfState(state)).toEqual({ users: 8, items: 10, features: 6, explicit: 3, latent: 2 });
  });

  it('stores Adam moments and the loss history in the state', async () => {
    const { state, losses } = await trainEfm(data, efmConfig({ epochs: 3 }));
    const snap = fromModelState(state, dimsOfState(state));
    expect(snap.moments).toBeDefined();
    expect(snap.losses).toEqual(losses);
  });

  it('same seed → bit-identical state; another seed → another state', async () => {
    const a = await trainEfm(data, efmConfig({ epochs: 10, seed: 3 }));
    const b = await trainEfm(data, efmConfig({ epochs: 10, seed: 3 }));
    const c = await trainEfm(data, efmConfig({ epochs: 10, seed: 4 }));
    expectIdentical(a.state, b.state);
    expect(maxAbsDiff(a.state, c.state)).toBeGreaterThan(1e-3);
  });

  it('λ = 0 is exactly vanilla whatever ε_D is; λ > 0 with ε_D > 0 is not', async () => {
    const plain = await trainEfm(data, efmConfig({ epochs: 15 }));
    const zeroLambda = await trainEfm(data, efmConfig({ epochs: 15, lambda: 0, epsilonD: 1 }));
    expectIdentical(plain.state, zeroLambda.state);
    const adv = await trainEfm(data, efmConfig({ epochs: 15, lambda: 0.5, epsilonD: 1 }));
    expect(maxAbsDiff(plain.state, adv.state)).toBeGreaterThan(1e-4);
  });

  it('λ > 0 with ε_D = 0 stays within float rounding of vanilla', async () => {
    const plain = await trainEfm(data, efmConfig({ epochs: 15 }));
    const noBudget = await trainEfm(data, efmConfig({ epochs: 15, lambda: 0.5, epsilonD: 0 }));
    expect(maxAbsDiff(plain.state, noBudget.state)).toBeLessThan(1e-3);
  });

  it.each([
    ['vanilla', vanilla],
    ['defended', defended],
  ])('%s: resuming from the state at iteration k is bit-identical to an uninterrupted run', async (_, config) => {
    const k = 17;
    let atK: ModelState | undefined;
    const full = await trainEfm(data, config, {
      onEpoch: (p, state) => {
        if (p.epoch === k) atK = state();
      },
    });
    expect(atK?.epoch).toBe(k);
    const resumed = await trainEfm(data, config, undefined, atK);
    expectIdentical(resumed.state, full.state);
    expect(resumed.losses).toEqual(full.losses);
  });

  it('calls onEpoch once per iteration, awaits it, and keeps tf.memory flat', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const seen: number[] = [];
    await trainEfm(data, defended, {
      onEpoch: async (p) => {
        seen.push(p.epoch);
        counts.push(tf.memory().numTensors);
        await new Promise((r) => setTimeout(r, 0));
      },
    });
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a start state already at config.epochs is returned unchanged', async () => {
    const { state } = await trainEfm(data, efmConfig({ epochs: 5 }));
    const again = await trainEfm(data, efmConfig({ epochs: 5 }), undefined, state);
    expectIdentical(again.state, state);
  });

  it('NaN → DivergenceError, and nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const bad = tinyDataset({ users: 8, items: 10, features: 6, ratingsPerUser: 4, seed: 5 });
    bad.ratings.values[0] = Number.NaN;
    await expect(trainEfm(bad, efmConfig({ epochs: 5 }))).rejects.toBeInstanceOf(DivergenceError);
    await expect(trainEfm(bad, efmConfig({ epochs: 5 }))).rejects.toThrow(/efm training diverged at epoch 1/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an overflowing learning rate diverges too', async () => {
    await expect(trainEfm(data, efmConfig({ epochs: 30, efm: { learningRate: 1e30 } }))).rejects.toBeInstanceOf(DivergenceError);
  });

  it('rejects a state of the wrong shape and a Y override of the wrong size', async () => {
    const { state } = await trainEfm(data, efmConfig({ epochs: 2 }));
    await expect(trainEfm(data, efmConfig({ epochs: 4, efm: { explicitFactors: 4 } }), undefined, state)).rejects.toThrow(/shape/);
    await expect(trainEfm(data, efmConfig({ epochs: 2 }), undefined, undefined, new Float32Array(3))).rejects.toThrow(/override/);
  });
});
