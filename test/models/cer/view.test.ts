import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { Rng } from '../../../recsys/random.ts';
import { cerModelFromArrays, disposeCerModel, initCerModel } from '../../../recsys/models/cer/mlp.ts';
import { createCerView } from '../../../recsys/models/cer/view.ts';
import { explainPairs, explainerParams } from '../../../recsys/models/cer/explainer.ts';
import { scorePairs } from '../../../recsys/models/cer/score.ts';
import { logit64, pairInput, tinyConfig, tinyDataset, weights64 } from './fixtures.ts';

beforeAll(async () => {
  expect((await selectBackend('wasm')).tfBackend).toBe('wasm');
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('CER evaluation view', () => {
  const data = tinyDataset({ users: 5, items: 7, features: 6, width: 5, seed: 12 });
  const F = 6;

  it('scoreLists scores every candidate of every list, in list order, on the bound Y', async () => {
    const model = initCerModel(F, [16, 8], new Rng(1));
    const before = tf.memory().numTensors;
    const view = createCerView(model, data, data.Y, tinyConfig(), { scoreBatch: 7 });
    const scores = await view.scoreLists(data.test);
    expect(scores).toHaveLength(5 * 5);
    const w = weights64(model);
    for (let t = 0; t < 5; t++) {
      for (let j = 0; j < 5; j++) {
        const z = logit64(w, pairInput(data.X, data.Y, F, data.test.users[t], data.test.items[t * 5 + j]));
        expect(scores[t * 5 + j]).toBeCloseTo(sigmoid(z), 5);
      }
    }
    // A view on another Y scores that Y.
    const Y2 = data.Y.map((v) => Math.min(5, v + 1));
    const other = await createCerView(model, data, Y2, tinyConfig()).scoreLists(data.test);
    const users = Array.from(data.test.items, (_, k) => data.test.users[Math.floor(k / 5)]);
    expect(other).toEqual(await scorePairs(model, data.X, Y2, users, data.test.items));
    view.dispose();
    await expect(view.scoreLists(data.test)).rejects.toThrow(/dispose/);
    expect(tf.memory().numTensors).toBe(before);
    disposeCerModel(model);
  });

  it('counterfactualScores zeroes E (necessity) or keeps only E (sufficiency) for every candidate', async () => {
    // Score depends on item feature 0 only: σ(2·Y_j0 − 5).
    const k0 = new Float32Array(2 * F);
    k0[F] = 1;
    const model = cerModelFromArrays(F, [1], [k0, Float32Array.from([2])], [Float32Array.from([0]), Float32Array.from([-5])]);
    const view = createCerView(model, data, data.Y, tinyConfig());
    const items = Int32Array.from([0, 3, 5]);
    const base = Array.from(items, (j) => sigmoid(2 * data.Y[j * F] - 5));
    const floor = sigmoid(-5);
    const [nec0, necOther] = await view.counterfactualScores(
      [
        { user: 1, items, features: [0] },
        { user: 2, items, features: [1, 4] },
      ],
      'necessity',
    );
    nec0.forEach((s) => expect(s).toBeCloseTo(floor, 6));
    necOther.forEach((s, k) => expect(s).toBeCloseTo(base[k], 6));
    const [suf0, sufOther] = await view.counterfactualScores(
      [
        { user: 1, items, features: [0] },
        { user: 2, items, features: [1, 4] },
      ],
      'sufficiency',
    );
    suf0.forEach((s, k) => expect(s).toBeCloseTo(base[k], 6));
    sufOther.forEach((s) => expect(s).toBeCloseTo(floor, 6));
    disposeCerModel(model);
  });

  it('counterfactual rows equal scoring an explicitly edited Y, across batch boundaries', async () => {
    const model = initCerModel(F, [16, 8], new Rng(2));
    const view = createCerView(model, data, data.Y, tinyConfig(), { scoreBatch: 4 });
    const requests = [
      { user: 0, items: Int32Array.from([1, 2, 3]), features: [2, 5] },
      { user: 3, items: Int32Array.from([6, 0, 4, 1, 2]), features: [0] },
    ];
    for (const mode of ['necessity', 'sufficiency'] as const) {
      const got = await view.counterfactualScores(requests, mode);
      for (let r = 0; r < requests.length; r++) {
        const edited = Float32Array.from(data.Y);
        for (let j = 0; j < 7; j++) {
          for (let f = 0; f < F; f++) {
            const inE = requests[r].features.includes(f);
            if (inE === (mode === 'necessity')) edited[j * F + f] = 0;
          }
        }
        const want = await scorePairs(model, data.X, edited, Array(requests[r].items.length).fill(requests[r].user), requests[r].items);
        expect(got[r]).toEqual(want);
      }
    }
    disposeCerModel(model);
  });

  it('explain runs the explainer with the cell config on the bound Y', async () => {
    const model = initCerModel(F, [16, 8], new Rng(3));
    const config = tinyConfig({ seed: 4, explainer: { steps: 30 } });
    const view = createCerView(model, data, data.Y, config);
    const pairs = [
      { user: 0, item: 1, marginScore: 0.2 },
      { user: 2, item: 3, marginScore: 0.9 },
    ];
    const got = await view.explain(pairs);
    expect(got).toEqual(await explainPairs(model, data.X, data.Y, pairs, explainerParams(config, 5)));
    expect(got.map((e) => [e.user, e.item])).toEqual([
      [0, 1],
      [2, 3],
    ]);
    disposeCerModel(model);
  });
});
