/**
 * The feature-overlap baseline bound to the item matrix it is evaluated on (clean Y or Y_adv):
 * the EvaluationView of recsys/models/explainable-model.ts, in plain arithmetic (no tensors).
 */
import type { PreparedDataset, TestLists } from '../../data/dataset.ts';
import type { CounterfactualMode, CounterfactualRequest, EvaluationView, Explanation, RecommendedPair } from '../explainable-model.ts';
import { overlapScore, topSharedFeatures } from './score.ts';

export function createOverlapView(data: PreparedDataset, Y: Float32Array, explanationSize: number): EvaluationView {
  const F = data.manifest.featureCount;
  const { X } = data;
  if (Y.length !== data.manifest.itemCount * F) throw new RangeError(`Y has ${Y.length} values, expected ${data.manifest.itemCount}×${F}`);
  const row = (i: number) => Y.subarray(i * F, i * F + F);

  return {
    async scoreLists(test: TestLists): Promise<Float32Array> {
      const out = new Float32Array(test.users.length * test.width);
      for (let k = 0; k < out.length; k++) out[k] = overlapScore(X, test.users[Math.floor(k / test.width)], row(test.items[k]), F);
      return out;
    },

    async explain(pairs: RecommendedPair[]): Promise<Explanation[]> {
      return pairs.map(({ user, item }) => {
        const features = topSharedFeatures(X, Y, user, item, F, explanationSize);
        return { user, item, explained: features.length > 0, features, complexity: 0 };
      });
    },

    async counterfactualScores(requests: CounterfactualRequest[], mode: CounterfactualMode): Promise<Float32Array[]> {
      return requests.map((r) => {
        const inE = new Uint8Array(F);
        for (const f of r.features) {
          if (!(f >= 0 && f < F)) throw new RangeError(`counterfactual feature ${f} outside [0, ${F})`);
          inE[f] = 1;
        }
        const edited = new Float32Array(F);
        return Float32Array.from(r.items, (j) => {
          // necessity: E's columns set to 0; sufficiency: only E's columns kept.
          for (let f = 0; f < F; f++) edited[f] = (inE[f] === 1) === (mode === 'sufficiency') ? Y[j * F + f] : 0;
          return overlapScore(X, r.user, edited, F);
        });
      });
    },

    dispose(): void {},
  };
}
