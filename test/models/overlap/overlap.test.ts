/**
 * The feature-overlap baseline (recsys/models/overlap): scores and explanations by hand, its
 * attack gradient against finite differences, and counterfactual edits as the other models do.
 */
import { describe, expect, it } from 'vitest';
import type { PreparedDataset } from '../../../recsys/data/dataset.ts';
import { overlapLossGradientY, overlapScore, topSharedFeatures } from '../../../recsys/models/overlap/score.ts';
import { createOverlapView } from '../../../recsys/models/overlap/view.ts';

// 2 users × 3 features, 3 items × 3 features.
const F = 3;
const X = Float32Array.from([1, 2, 0, 0, 1, 3]);
const Y = Float32Array.from([2, 1, 5, 0, 0, 4, 1, 1, 1]);

describe('overlap scores and explanations', () => {
  it('scores X_u · Y_i', () => {
    expect(overlapScore(X, 0, Y.subarray(0, 3), F)).toBe(4); // 1·2 + 2·1 + 0·5
    expect(overlapScore(X, 1, Y.subarray(0, 3), F)).toBe(16); // 0 + 1 + 15
    expect(overlapScore(X, 0, Y.subarray(3, 6), F)).toBe(0);
  });

  it('explains with the top shared features, ascending, ties to the lower id', () => {
    expect(topSharedFeatures(X, Y, 1, 0, F, 1)).toEqual([2]); // contributions 0, 1, 15
    expect(topSharedFeatures(X, Y, 1, 0, F, 3)).toEqual([1, 2]); // feature 0 shares nothing
    expect(topSharedFeatures(X, Y, 0, 0, F, 1)).toEqual([0]); // 2 and 2 tie: the lower id
    expect(topSharedFeatures(X, Y, 0, 1, F, 3)).toEqual([]); // nothing shared
  });

  it('edits counterfactually: necessity zeroes E, sufficiency keeps only E', async () => {
    const data = { X, Y, manifest: { featureCount: F, itemCount: 3, maxRange: 5 } } as unknown as PreparedDataset;
    const view = createOverlapView(data, Y, 2);
    const [nec] = await view.counterfactualScores([{ user: 1, items: Int32Array.from([0, 2]), features: [2] }], 'necessity');
    const [suf] = await view.counterfactualScores([{ user: 1, items: Int32Array.from([0, 2]), features: [2] }], 'sufficiency');
    expect(Array.from(nec)).toEqual([1, 1]); // 16 − 15, 4 − 3
    expect(Array.from(suf)).toEqual([15, 3]);
    const [e] = await view.explain([{ user: 0, item: 1, marginScore: 0 }]);
    expect(e).toEqual({ user: 0, item: 1, explained: false, features: [], complexity: 0 });
    const scores = await view.scoreLists({ users: Int32Array.from([0, 1]), width: 2, items: Int32Array.from([0, 2, 0, 2]), labels: new Uint8Array(4) });
    expect(Array.from(scores)).toEqual([4, 3, 16, 4]);
  });
});

describe('overlap attack gradient', () => {
  it('matches central finite differences of the summed BCE of σ(X_u · Y_i)', () => {
    const pairs = { users: Int32Array.from([0, 1, 1, 0]), items: Int32Array.from([0, 0, 2, 2]), labels: Float32Array.from([1, 0, 1, 0]) };
    const y = Float64Array.from([0.2, 0.1, 0.5, 0, 0, 0.4, 0.1, 0.3, 0.2]);
    const loss = (v: Float64Array) => {
      let s = 0;
      for (let k = 0; k < pairs.labels.length; k++) {
        let z = 0;
        for (let f = 0; f < F; f++) z += X[pairs.users[k] * F + f] * v[pairs.items[k] * F + f];
        const p = 1 / (1 + Math.exp(-z));
        s -= pairs.labels[k] * Math.log(p) + (1 - pairs.labels[k]) * Math.log(1 - p);
      }
      return s;
    };
    const g = overlapLossGradientY(X, Float32Array.from(y), pairs, F);
    const h = 1e-5;
    for (let k = 0; k < y.length; k++) {
      const up = Float64Array.from(y);
      const down = Float64Array.from(y);
      up[k] += h;
      down[k] -= h;
      expect(g[k], `entry ${k}`).toBeCloseTo((loss(up) - loss(down)) / (2 * h), 4);
    }
  });
});
