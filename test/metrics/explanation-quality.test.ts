import { describe, expect, it } from 'vitest';
import { harmonicMean, jaccard, precisionRecallF1 } from '../../recsys/metrics/index.ts';

describe('user-side precision, recall, F1 (paper-brief §3.5)', () => {
  it('hand-computed: E = {1, 2}, G = [2, 3, 3]', () => {
    // TP = 1 (feature 2); P = 1/2; R = 1/3 (|G| counts the duplicate); F1 = 2·(1/2)(1/3)/(5/6) = 0.4
    const r = precisionRecallF1([1, 2], [2, 3, 3]);
    expect(r.precision).toBeCloseTo(0.5, 12);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.f1).toBeCloseTo(0.4, 12);
  });

  it('duplicates in E count once', () => {
    expect(precisionRecallF1([4, 4], [4]).precision).toBe(1);
  });

  it('no overlap gives zeros, not NaN', () => {
    expect(precisionRecallF1([1], [2])).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(precisionRecallF1([], [])).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});

describe('F_NS and stability', () => {
  it('F_NS is the harmonic mean of PN and PS, 0 when both are 0', () => {
    expect(harmonicMean(0.5, 0.25)).toBeCloseTo(1 / 3, 12);
    expect(harmonicMean(0, 0)).toBe(0);
  });

  it('Jaccard of explanation sets', () => {
    expect(jaccard([1, 2, 3], [2, 3, 4])).toBeCloseTo(0.5, 12);
    expect(jaccard([1], [2])).toBe(0);
    expect(jaccard([5], [5])).toBe(1);
  });
});
