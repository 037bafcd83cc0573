/**
 * A trained CER model bound to the item matrix it is evaluated on (clean Y or an attacked Y_adv):
 * the EvaluationView of recsys/models/explainable-model.ts. X is always the dataset's.
 *
 * The view does not own the model: several views (clean, each attack) share one model, and
 * dispose() leaves it alone; the caller disposes the model (disposeCerModel) when done.
 */
import type { ResolvedCellConfig } from '../../config.ts';
import type { PreparedDataset, TestLists } from '../../data/dataset.ts';
import type {
  CounterfactualMode,
  CounterfactualRequest,
  EvaluationView,
  Explanation,
  RecommendedPair,
} from '../explainable-model.ts';
import { explainPairs, explainerParams } from './explainer.ts';
import type { CerModel } from './mlp.ts';
import { scoreRows } from './score.ts';

export interface CerViewOptions {
  /** Rows per forward pass when scoring. */
  scoreBatch?: number;
}

export function createCerView(
  model: CerModel,
  data: PreparedDataset,
  Y: Float32Array,
  config: ResolvedCellConfig,
  options: CerViewOptions = {},
): EvaluationView {
  const F = model.featureCount;
  const { X } = data;
  if (F !== data.manifest.featureCount) throw new RangeError(`CER model has F = ${F}, dataset has ${data.manifest.featureCount}`);
  if (Y.length !== data.manifest.itemCount * F) throw new RangeError(`Y has ${Y.length} values, expected ${data.manifest.itemCount}×${F}`);
  const params = explainerParams(config, data.manifest.maxRange);
  let disposed = false;
  const live = () => {
    if (disposed) throw new Error('CER evaluation view used after dispose()');
  };

  return {
    async scoreLists(test: TestLists): Promise<Float32Array> {
      live();
      const { users, width, items } = test;
      return scoreRows(
        model,
        users.length * width,
        (s, e, x, y) => {
          for (let k = s; k < e; k++) {
            const u = users[Math.floor(k / width)];
            x.set(X.subarray(u * F, u * F + F), (k - s) * F);
            y.set(Y.subarray(items[k] * F, items[k] * F + F), (k - s) * F);
          }
        },
        options.scoreBatch,
      );
    },

    async explain(pairs: RecommendedPair[]): Promise<Explanation[]> {
      live();
      return explainPairs(model, X, Y, pairs, params);
    },

    async counterfactualScores(requests: CounterfactualRequest[], mode: CounterfactualMode): Promise<Float32Array[]> {
      live();
      const offsets = new Int32Array(requests.length + 1);
      requests.forEach((r, q) => (offsets[q + 1] = offsets[q] + r.items.length));
      const keep = requests.map((r) => {
        const m = new Uint8Array(F);
        for (const f of r.features) {
          if (!(f >= 0 && f < F)) throw new RangeError(`counterfactual feature ${f} outside [0, ${F})`);
          m[f] = 1;
        }
        return m;
      });
      let q = 0;
      const flat = await scoreRows(
        model,
        offsets[requests.length],
        (s, e, x, y) => {
          for (let k = s; k < e; k++) {
            while (offsets[q + 1] <= k) q++;
            const r = requests[q];
            const u = r.user;
            const j = r.items[k - offsets[q]];
            const to = (k - s) * F;
            x.set(X.subarray(u * F, u * F + F), to);
            const e2 = keep[q];
            for (let f = 0; f < F; f++) {
              // necessity: E's columns set to 0; sufficiency: only E's columns kept.
              const inE = e2[f] === 1;
              y[to + f] = inE === (mode === 'sufficiency') ? Y[j * F + f] : 0;
            }
          }
        },
        options.scoreBatch,
      );
      return requests.map((_, r) => flat.slice(offsets[r], offsets[r + 1]));
    },

    dispose(): void {
      disposed = true;
    },
  };
}
