import { describe, expect, it } from 'vitest';
import { attentionValue, buildMatrices, qualityValue } from '../../recsys/data/matrices.ts';

describe('X and Y values (brief §1.6, N = 5)', () => {
  it('X for t = 1..3 mentions', () => {
    expect(attentionValue(1, 5)).toBeCloseTo(2.8485, 4);
    expect(attentionValue(2, 5)).toBeCloseTo(4.0464, 4);
    expect(attentionValue(3, 5)).toBeCloseTo(4.6206, 4);
    expect(attentionValue(0, 5)).toBe(0);
  });

  it('Y for sentiment sums −2..3, and 0 without a mention', () => {
    const want: [number, number][] = [[-2, 1.4768], [-1, 2.0758], [0, 3.0], [1, 3.9242], [2, 4.5232], [3, 4.8103]];
    for (const [s, y] of want) expect(qualityValue(Math.max(1, Math.abs(s)), s, 5)).toBeCloseTo(y, 4);
    // k > 0 with s = 0 (one + and one −) is 3, not 0: only "never mentioned" is 0
    expect(qualityValue(2, 0, 5)).toBe(3);
    expect(qualityValue(0, 0, 5)).toBe(0);
  });

  it('counts every triplet occurrence, sums sentiments per item, float32 row-major', () => {
    // 2 users × 2 items × 3 features
    const rows = [
      { user: 0, item: 0, features: [0, 0, 1], sentiments: [1, 1, -1] as (1 | -1)[] }, // feature 0 twice in one review
      { user: 1, item: 0, features: [0], sentiments: [-1] as (1 | -1)[] },
      { user: 1, item: 1, features: [2], sentiments: [1] as (1 | -1)[] },
    ];
    const { X, Y } = buildMatrices(rows, 2, 2, 3, 5);
    expect(X).toBeInstanceOf(Float32Array);
    expect(Array.from(X)).toEqual([Math.fround(attentionValue(2, 5)), Math.fround(attentionValue(1, 5)), 0, Math.fround(attentionValue(1, 5)), 0, Math.fround(attentionValue(1, 5))]);
    // item 0: feature 0 has k = 3, s = +1; feature 1 has k = 1, s = −1; feature 2 unmentioned
    expect(Y[0]).toBeCloseTo(3.9242, 4);
    expect(Y[1]).toBeCloseTo(2.0758, 4);
    expect(Y[2]).toBe(0);
    expect(Array.from(Y.subarray(3))).toEqual([0, 0, Math.fround(qualityValue(1, 1, 5))]);
  });

  it('N = maxRange scales both matrices', () => {
    expect(attentionValue(1, 10)).toBeCloseTo(1 + 9 * (2 / (1 + Math.exp(-1)) - 1), 12);
    expect(qualityValue(1, -1, 10)).toBeCloseTo(1 + 9 / (1 + Math.E), 12);
  });
});
