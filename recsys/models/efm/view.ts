/**
 * A trained EFM as an EvaluationView (recsys/models/explainable-model.ts). EFM never reads Y at
 * inference: scores and explanations come from the factors alone, so an attacked EFM is a view
 * of an attacked state (attack.ts), not of an attacked Y. Scoring runs on the host (rank.ts):
 * no tensors are held, and results do not depend on the TF.js backend.
 */
import type { PreparedDataset, TestLists } from '../../data/dataset.ts';
import type {
  CounterfactualMode,
  CounterfactualRequest,
  EvaluationView,
  Explanation,
  ModelState,
  RecommendedPair,
} from '../explainable-model.ts';
import { efmDims } from './params.ts';
import {
  caredAttention,
  counterfactualMask,
  explanationFeatures,
  explicitRow,
  mostCared,
  scoreItems,
  userVector,
  type HostFactors,
  type RankSettings,
} from './rank.ts';
import type { EfmRunConfig } from './settings.ts';
import { fromModelState } from './state.ts';

interface UserCache {
  /** C_u, largest X̃ first. */
  cared: number[];
  /** X̃_u on C_u, zero elsewhere. */
  caredValues: Float64Array;
  /** w_u without a counterfactual edit. */
  vector: Float64Array;
}

export function createEfmView(state: ModelState, data: PreparedDataset, config: Pick<EfmRunConfig, 'efm'>): EvaluationView {
  const dims = efmDims(data, config.efm);
  const f: HostFactors = { ...fromModelState(state, dims).factors, dims };
  const settings: RankSettings = {
    mostCared: config.efm.mostCared,
    alpha: config.efm.alpha,
    maxRange: data.manifest.maxRange,
  };
  const p = dims.features;
  const users = new Map<number, UserCache>();
  let disposed = false;

  const alive = () => {
    if (disposed) throw new Error('EFM view used after dispose()');
  };
  const checkItems = (items: ArrayLike<number>) => {
    for (let j = 0; j < items.length; j++) {
      if (!(Number.isInteger(items[j]) && items[j] >= 0 && items[j] < dims.items)) {
        throw new RangeError(`item ${items[j]} out of range [0, ${dims.items})`);
      }
    }
  };
  const user = (u: number): UserCache => {
    let c = users.get(u);
    if (!c) {
      if (!(Number.isInteger(u) && u >= 0 && u < dims.users)) throw new RangeError(`user ${u} out of range [0, ${dims.users})`);
      const attention = explicitRow(f.U1, f.V, u, dims);
      const caredValues = caredAttention(attention, settings.mostCared);
      c = { cared: mostCared(attention, settings.mostCared), caredValues, vector: userVector(f, u, caredValues, settings) };
      users.set(u, c);
    }
    return c;
  };

  return {
    async scoreLists(test: TestLists): Promise<Float32Array> {
      alive();
      const T = test.users.length;
      const W = test.width;
      checkItems(test.items);
      const out = new Float32Array(T * W);
      for (let t = 0; t < T; t++) scoreItems(f, user(test.users[t]).vector, test.items.subarray(t * W, (t + 1) * W), out, t * W);
      return out;
    },

    async explain(pairs: RecommendedPair[]): Promise<Explanation[]> {
      alive();
      checkItems(pairs.map((x) => x.item));
      return pairs.map(({ user: u, item }) => {
        const C = user(u).cared;
        const quality = explicitRow(f.U2, f.V, item, dims, C);
        const features = explanationFeatures(C, quality, config.efm.explanationSize);
        return { user: u, item, explained: features.length > 0, features, complexity: 0 };
      });
    },

    async counterfactualScores(requests: CounterfactualRequest[], mode: CounterfactualMode): Promise<Float32Array[]> {
      alive();
      return requests.map((r) => {
        checkItems(r.items);
        for (const c of r.features) if (!(Number.isInteger(c) && c >= 0 && c < p)) throw new RangeError(`feature ${c} out of range [0, ${p})`);
        const w = userVector(f, r.user, user(r.user).caredValues, settings, counterfactualMask(r.features, p, mode));
        const out = new Float32Array(r.items.length);
        scoreItems(f, w, r.items, out);
        return out;
      });
    },

    dispose(): void {
      disposed = true;
      users.clear();
    },
  };
}
