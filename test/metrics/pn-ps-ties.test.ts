/**
 * PN/PS with tied counterfactual scores (issue 15): the reference lists the candidates in
 * recommendation order and ranks them with np.argsort(cf)[::-1], so among ties the candidate
 * recommended LATER comes first. Hand-built: a fake view returns fixed counterfactual scores.
 */
import { describe, expect, it } from 'vitest';
import type { PreparedDataset, TestLists } from '../../recsys/data/dataset.ts';
import { explanationMetrics, recommend, type EvaluationOptions } from '../../recsys/evaluate/evaluate.ts';
import type { CounterfactualRequest, EvaluationView, Explanation } from '../../recsys/models/explainable-model.ts';

const opts: EvaluationOptions = { k: 2, explainUsers: -1, groundTruth: 'all' };
// One list of four candidates, items 10..13 in list order.
const test: TestLists = { users: Int32Array.from([0]), width: 4, items: Int32Array.from([10, 11, 12, 13]), labels: Uint8Array.from([1, 1, 0, 0]) };
// Recommendation order: 11 (0.9), 13 (0.7), 12 (0.5), 10 (0.1); the top-2 are 11 and 13.
const scores = Float32Array.from([0.1, 0.9, 0.5, 0.7]);
// Counterfactual scores in list order (items 10, 11, 12, 13).
const CF = { necessity: [0.3, 0.3, 0.3, 0.3], sufficiency: [0.3, 0.3, 0.3, 0.8] };

function fakeView(seen: CounterfactualRequest[]): EvaluationView {
  return {
    scoreLists: async () => scores,
    explain: async () => [],
    counterfactualScores: async (requests, mode) => {
      seen.push(...requests);
      return requests.map(() => Float32Array.from(CF[mode]));
    },
    dispose: () => {},
  };
}

describe('PN/PS with tied counterfactual scores', () => {
  it('rank ties later-recommended first, as the reference: PN 1, PS 1/2', async () => {
    const recs = recommend(test, scores, opts);
    expect(recs.pairs.map((p) => p.item)).toEqual([11, 13]);
    const explanations: Explanation[] = recs.pairs.map((p) => ({ user: 0, item: p.item, explained: true, features: [0], complexity: 1 }));
    const data = { test, groundTruth: [] } as unknown as PreparedDataset;
    const seen: CounterfactualRequest[] = [];
    const m = await explanationMetrics(fakeView(seen), data, recs, explanations, opts);
    // Requests carry the list in list order; only the rank uses recommendation order.
    expect(Array.from(seen[0].items)).toEqual([10, 11, 12, 13]);
    // Necessity, all tied. In recommendation order [11, 13, 12, 10] the reversed argsort is
    // [10, 12, 13, 11]: 11 is at rank 3 and 13 at rank 2, both ≥ k = 2, so PN = 2/2. (List order
    // with earlier-first ties would give 11 rank 1: PN 1/2.)
    expect(m.pn).toBe(1);
    // Sufficiency: 13 (0.8) first; the tie 11, 12, 10 comes out as 10, 12, 11: 13 at rank 0 < 2
    // counts, 11 at rank 3 does not.
    expect(m.ps).toBe(0.5);
    expect(m.fns).toBeCloseTo(2 / 3, 12);
  });
});
