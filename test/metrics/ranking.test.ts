import { describe, expect, it } from 'vitest';
import { counterfactualRank, idealDcg, ndcgAtK, rankDescending, tieAveragedDcg } from '../../recsys/metrics/index.ts';

describe('NDCG@5 (paper-brief §3.2)', () => {
  it('ideal DCG@5 with six positives is Σ_{r=1..5} 1/log2(r+1) = 2.94846', () => {
    expect(idealDcg(6, 5)).toBeCloseTo(2.94846, 5);
  });

  it('a perfect ranking scores 1 and the worst 0', () => {
    const labels = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    const perfect = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(ndcgAtK(labels, perfect, 5)).toBeCloseTo(1, 12);
    expect(ndcgAtK(labels, perfect.map((s) => -s), 5)).toBe(0);
  });

  it('hand-computed: positives at ranks 1 and 3 of 4 candidates, two positives', () => {
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.63093
    const got = ndcgAtK([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 5);
    expect(got).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 10);
  });

  it('ties average the gains like sklearn (ignore_ties=False)', () => {
    // Tied top pair shares gain 0.5 over discounts 1 + 1/log2(3).
    expect(tieAveragedDcg([1, 0, 0], [0.5, 0.5, 0.1], 5)).toBeCloseTo(0.5 * (1 + 1 / Math.log2(3)), 12);
    expect(ndcgAtK([1, 0, 0], [0.5, 0.5, 0.1], 5)).toBeCloseTo(0.815465, 6);
  });

  it('only the first K positions count', () => {
    const labels = [0, 0, 0, 0, 0, 1];
    const scores = [6, 5, 4, 3, 2, 1];
    expect(ndcgAtK(labels, scores, 5)).toBe(0);
    expect(ndcgAtK(labels, scores, 6)).toBeCloseTo(1 / Math.log2(7), 12);
  });

  it('a list without positives scores 0', () => {
    expect(ndcgAtK([0, 0], [1, 2], 5)).toBe(0);
  });

  it('expected NDCG@5 of a random ranking of 6 positives among 106 is 6/106', () => {
    // Each position holds a positive with probability 6/106, so E[DCG] = (6/106)·IDCG(6 ≥ 5).
    // Monte Carlo with a fixed LCG: within 3 standard errors.
    let state = 12345;
    const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
    const labels = Array.from({ length: 106 }, (_, j) => (j < 6 ? 1 : 0));
    const n = 20000;
    let sum = 0;
    for (let t = 0; t < n; t++) sum += ndcgAtK(labels, labels.map(() => rand()), 5);
    expect(Math.abs(sum / n - 6 / 106)).toBeLessThan(0.006);
  });
});

describe('ranking', () => {
  it('sorts descending and keeps list order on ties (Python stable sort)', () => {
    expect(Array.from(rankDescending([0.2, 0.9, 0.2, 0.5]))).toEqual([1, 3, 0, 2]);
  });

  it('counterfactualRank: higher first, ties later-in-recommendation-order first (np.argsort(s)[::-1] on ≤ 16)', () => {
    // Recommendation order of candidates 0..4 (by the explained scores): 3, 0, 4, 1, 2.
    const order = [3, 0, 4, 1, 2];
    // Counterfactual scores: 0.8 for candidate 2, a three-way tie at 0.5, then 0.1.
    const cf = [0.5, 0.1, 0.8, 0.5, 0.5];
    // In recommendation order the scores are [0.5, 0.5, 0.5, 0.1, 0.8] (candidates 3, 0, 4, 1, 2).
    // A stable ascending argsort of those is [3, 0, 1, 2, 4]; reversed, [4, 2, 1, 0, 3]: candidate
    // 2, then the tie from last to first (4, 0, 3), then candidate 1.
    const expected = [2, 4, 0, 3, 1];
    for (let j = 0; j < 5; j++) expect(counterfactualRank(cf, j, order), `candidate ${j}`).toBe(expected.indexOf(j));
    // Without ties it is the plain descending rank.
    const distinct = [0.3, 0.1, 0.9, 0.8, 0.0];
    for (let j = 0; j < 5; j++) expect(counterfactualRank(distinct, j, order)).toBe(Array.from(rankDescending(distinct)).indexOf(j));
  });
});
