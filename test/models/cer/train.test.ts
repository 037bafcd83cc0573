import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { DivergenceError } from '../../../recsys/errors.ts';
import type { ModelState } from '../../../recsys/models/explainable-model.ts';
import { epochOrder, trainCer, LOSS_HISTORY } from '../../../recsys/models/cer/train.ts';
import { tinyConfig, tinyDataset } from './fixtures.ts';

beforeAll(async () => {
  expect((await selectBackend('wasm')).tfBackend).toBe('wasm');
});

function bytes(s: ModelState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.tensors)) out[k] = `${v.shape}:${Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).toString('hex')}`;
  return out;
}

describe('trainCer', () => {
  // 180 pairs: one full batch of 128 and a partial one per epoch.
  const data = tinyDataset({ users: 6, items: 9, features: 6, pairsPerUser: 30, seed: 3 });
  const config = tinyConfig({ epochs: 4, seed: 7, cer: { hidden: [16, 8], learningRate: 0.05 } });

  it('per-epoch orders are permutations fixed by (seed, epoch)', () => {
    const a = epochOrder(50, 7, 3);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, k) => k));
    expect(epochOrder(50, 7, 3)).toEqual(a);
    expect(epochOrder(50, 7, 4)).not.toEqual(a);
    expect(epochOrder(50, 8, 3)).not.toEqual(a);
  });

  it('same seed → same weights; resuming at epoch 2 of 4 is bit-identical to an undisturbed run; tensors stay flat', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    let atTwo: ModelState | undefined;
    const full = await trainCer(data, config, {
      onEpoch: (p, state) => {
        counts.push(tf.memory().numTensors);
        expect(p.epochs).toBe(4);
        if (p.epoch === 2) atTwo = state();
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(counts).size).toBe(1);
    expect(full.losses).toHaveLength(4);
    expect(full.state.epoch).toBe(4);
    expect(full.losses.every(Number.isFinite)).toBe(true);
    expect(full.losses[3]).toBeLessThan(full.losses[0]);

    const again = await trainCer(data, config);
    expect(bytes(again.state)).toEqual(bytes(full.state));

    expect(atTwo!.epoch).toBe(2);
    expect(Array.from(atTwo!.tensors[LOSS_HISTORY].data)).toEqual(full.losses.slice(0, 2).map(Math.fround));
    const seen: number[] = [];
    const resumed = await trainCer(data, config, { onEpoch: (p) => void seen.push(p.epoch) }, atTwo);
    expect(seen).toEqual([3, 4]);
    expect(bytes(resumed.state)).toEqual(bytes(full.state));
    expect(resumed.losses.slice(2)).toEqual(full.losses.slice(2));
    expect(tf.memory().numTensors).toBe(before);

    const otherSeed = await trainCer(data, { ...config, seed: 8 });
    expect(bytes(otherSeed.state)).not.toEqual(bytes(full.state));
  });

  it('adversarial training (λ = 0.5, ε_D = 0.5) trains, differs from vanilla, and λ = 0 ignores ε_D', async () => {
    const before = tf.memory().numTensors;
    const vanilla = await trainCer(data, { ...config, epochs: 2 });
    const zeroLambda = await trainCer(data, { ...config, epochs: 2, epsilonD: 0.75 });
    expect(bytes(zeroLambda.state)).toEqual(bytes(vanilla.state));
    const adv = await trainCer(data, { ...config, epochs: 2, lambda: 0.5, epsilonD: 0.5 });
    expect(adv.losses.every(Number.isFinite)).toBe(true);
    expect(bytes(adv.state)).not.toEqual(bytes(vanilla.state));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a state of another architecture', async () => {
    const s = await trainCer(data, { ...config, epochs: 1 });
    await expect(trainCer(data, { ...config, cer: { ...config.cer, hidden: [8, 8] } }, {}, s.state)).rejects.toThrow(/layer sizes/);
  });

  it('a NaN/Inf loss throws DivergenceError (absurd learning rate)', async () => {
    const before = tf.memory().numTensors;
    const bad = { ...config, epochs: 5, cer: { ...config.cer, learningRate: 1e30 } };
    const err = await trainCer(data, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as DivergenceError).model).toBe('cer');
    expect(Number.isFinite((err as DivergenceError).loss)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});
