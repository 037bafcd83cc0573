import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { Rng } from '../../../recsys/random.ts';
import { cerAttack, cerModelFromState, createCerView, disposeCerModel, trainCerModel } from '../../../recsys/models/cer/index.ts';
import type { RecommendedPair } from '../../../recsys/models/explainable-model.ts';
import { tinyConfig, tinyDataset } from './fixtures.ts';

beforeAll(async () => {
  expect((await selectBackend('wasm')).tfBackend).toBe('wasm');
});

describe('CER public API end to end (tiny)', () => {
  it('train → attack → view (scores, explanations, counterfactuals) without leaking tensors', async () => {
    const data = tinyDataset({ users: 6, items: 10, features: 6, pairsPerUser: 12, width: 8, seed: 21 });
    const config = tinyConfig({ epochs: 3, lambda: 0.5, epsilonD: 0.5, explainer: { steps: 40 } });
    const before = tf.memory().numTensors;
    const { model, result } = await trainCerModel(data, config);
    expect(result.losses).toHaveLength(3);
    // The state rebuilds the same model.
    const reloaded = cerModelFromState(result.state);
    const yAdv = await cerAttack(model, data, config, 0.5, 'fgsm', new Rng(0));
    expect(yAdv).not.toEqual(data.Y);
    for (const v of yAdv) expect(v >= 0 && v <= 5).toBe(true);
    for (const [Y, m] of [
      [data.Y, model],
      [yAdv, reloaded],
    ] as const) {
      const view = createCerView(m, data, Y, config);
      const scores = await view.scoreLists(data.test);
      const K = 3;
      const pairs: RecommendedPair[] = [];
      const width = data.test.width;
      for (let t = 0; t < data.test.users.length; t++) {
        const order = Array.from({ length: width }, (_, j) => j).sort((a, b) => scores[t * width + b] - scores[t * width + a] || a - b);
        for (let r = 0; r < K; r++) {
          pairs.push({ user: data.test.users[t], item: data.test.items[t * width + order[r]], marginScore: scores[t * width + order[K]] });
        }
      }
      const ex = await view.explain(pairs);
      expect(ex).toHaveLength(pairs.length);
      const explained = ex.filter((e) => e.explained);
      const cf = await view.counterfactualScores(
        explained.map((e) => ({ user: e.user, items: data.test.items.subarray(e.user * width, (e.user + 1) * width), features: e.features })),
        'necessity',
      );
      expect(cf).toHaveLength(explained.length);
      view.dispose();
    }
    disposeCerModel(model);
    disposeCerModel(reloaded);
    expect(tf.memory().numTensors).toBe(before);
  });
});
