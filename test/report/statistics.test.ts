/**
 * The statistics behind the comparisons, against printed tables, closed forms and a paired
 * example worked by hand: Student t (report/student-t.ts) and pairedComparison (report/paired.ts).
 */
import { describe, expect, it } from 'vitest';
import { pairedComparison } from '../../report/paired.ts';
import { lnGamma, regularizedIncompleteBeta, studentTCdf, studentTPdf, studentTQuantile, studentTTwoSided } from '../../report/student-t.ts';

const seeds = (...values: number[]) => new Map(values.map((v, i) => [i + 1, v]));

describe('Student t from scratch', () => {
  it('t_{0.975} matches the printed table (df 1, 2, 4, 9, 29)', () => {
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [29, 2.045],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df), `df ${df}`).toBeCloseTo(t, 3);
    // and t_{0.995}, the 99 % column: 63.657, 9.925, 4.604, 3.250, 2.756
    expect([1, 2, 4, 9, 29].map((df) => Number(studentTQuantile(0.995, df).toFixed(3)))).toEqual([63.657, 9.925, 4.604, 3.25, 2.756]);
  });

  it('quantiles equal the closed forms of df 1 (Cauchy) and 2 to ~1e-12; large df tends to the normal', () => {
    // (p closer to 1 is not exact in binary: the closed forms themselves lose digits there)
    for (const p of [0.6, 0.9, 0.975, 0.999, 0.99999]) {
      const cauchy = Math.tan(Math.PI * (p - 0.5));
      expect(Math.abs(studentTQuantile(p, 1) - cauchy) / cauchy, `df 1, p ${p}`).toBeLessThan(1e-10);
      const two = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
      expect(Math.abs(studentTQuantile(p, 2) - two) / two, `df 2, p ${p}`).toBeLessThan(1e-10);
    }
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5); // z_{0.975}
  });

  it('CDF equals the closed forms of df 1, 2 and 3', () => {
    for (const t of [-7, -1.5, -0.2, 0, 0.3, 1, 2.5, 40]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
      const u = t / Math.sqrt(3);
      expect(studentTCdf(t, 3)).toBeCloseTo(0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI, 13);
    }
  });

  it('two-sided p: t = 2.262 with df 9 is p ≈ 0.05; 0 → 1; ±∞ → 0; symmetric', () => {
    expect(studentTTwoSided(2.262, 9)).toBeCloseTo(0.05, 3);
    expect(studentTTwoSided(-2.262, 9)).toBe(studentTTwoSided(2.262, 9));
    expect(studentTTwoSided(0, 5)).toBe(1);
    expect(studentTTwoSided(Infinity, 5)).toBe(0);
    // tiny tails stay accurate (no 1 − (1 − ε) cancellation): df 1, P(|T| ≥ t) = 1 − 2·atan(t)/π ≈ 2/(π·t)
    expect(studentTTwoSided(1e8, 1) / (2 / (Math.PI * 1e8))).toBeCloseTo(1, 8);
  });

  it('quantile and CDF invert each other, for integer and fractional df', () => {
    for (const df of [1, 2.5, 3, 7, 30, 200]) {
      for (const p of [0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.9999]) {
        expect(studentTCdf(studentTQuantile(p, df), df), `df ${df}, p ${p}`).toBeCloseTo(p, 12);
      }
      expect(studentTQuantile(0.025, df)).toBeCloseTo(-studentTQuantile(0.975, df), 12);
    }
    expect(studentTQuantile(0, 3)).toBe(-Infinity);
    expect(studentTQuantile(1, 3)).toBe(Infinity);
  });

  it('the density integrates to the CDF (midpoint rule over [0, 2], df 4)', () => {
    let area = 0;
    const steps = 20000;
    for (let i = 0; i < steps; i++) area += studentTPdf((i + 0.5) * (2 / steps), 4) * (2 / steps);
    expect(area).toBeCloseTo(studentTCdf(2, 4) - 0.5, 8);
  });

  it('incomplete beta and ln Γ: known values', () => {
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14); // uniform
    expect(regularizedIncompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 14); // I_x(a, 1) = x^a
    expect(regularizedIncompleteBeta(0.5, 3.7, 3.7)).toBeCloseTo(0.5, 14); // symmetric
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(lnGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
  });

  it('bad arguments are RangeErrors', () => {
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(1.2, 3)).toThrow(RangeError);
    expect(() => studentTTwoSided(Number.NaN, 3)).toThrow(RangeError);
    expect(() => regularizedIncompleteBeta(2, 1, 1)).toThrow(RangeError);
  });
});

describe('pairedComparison', () => {
  it('a paired example by hand', () => {
    // seed:   1     2     3     4     5
    // a:    0.30  0.35  0.28  0.33  0.99   (seed 5 only in a: not paired)
    // b:    0.25  0.27  0.26  0.29
    // d = a − b: 0.05, 0.08, 0.02, 0.04        n = 4, df = 3
    // mean d̄ = 0.19 / 4 = 0.0475
    // deviations 0.0025, 0.0325, −0.0275, −0.0075; squares 0.00000625 + 0.00105625 + 0.00075625 + 0.00005625 = 0.001875
    // s² = 0.001875 / 3 = 0.000625, s = 0.025;  se = s / √4 = 0.0125
    // t = 0.0475 / 0.0125 = 3.8
    // t_{0.975, 3} = 3.182446 (table: 3.182); half-width 3.182446 · 0.0125 = 0.0397806
    // CI = [0.0077194, 0.0872806]: excludes 0, supported
    // p = P(|T_3| ≥ 3.8) = 1 − (2/π)(u/(1+u²) + atan u), u = 3.8/√3 (the df-3 closed form) = 0.0320046
    const a = new Map([
      [1, 0.3],
      [2, 0.35],
      [3, 0.28],
      [4, 0.33],
      [5, 0.99],
    ]);
    const b = new Map([
      [4, 0.29],
      [2, 0.27],
      [1, 0.25],
      [3, 0.26],
    ]);
    const r = pairedComparison(a, b);
    expect(r.seeds).toEqual([1, 2, 3, 4]);
    expect(r.n).toBe(4);
    expect(r.df).toBe(3);
    expect(r.meanDiff).toBeCloseTo(0.0475, 14);
    expect(r.sd!).toBeCloseTo(0.025, 14);
    expect(r.t!).toBeCloseTo(3.8, 12);
    expect(r.ci95![0]).toBeCloseTo(0.0077194, 7);
    expect(r.ci95![1]).toBeCloseTo(0.0872806, 7);
    const u = 3.8 / Math.sqrt(3);
    expect(r.p!).toBeCloseTo(1 - (2 / Math.PI) * (u / (1 + u * u) + Math.atan(u)), 12);
    expect(r.p!).toBeCloseTo(0.0320046, 7);
    expect(r.supported).toBe(true);
  });

  it('b − a mirrors a − b: the sign flips, p stays', () => {
    const a = seeds(0.3, 0.35, 0.28, 0.33);
    const b = seeds(0.25, 0.27, 0.26, 0.29);
    const ab = pairedComparison(a, b);
    const ba = pairedComparison(b, a);
    expect(ba.meanDiff).toBeCloseTo(-ab.meanDiff, 15);
    expect(ba.ci95![0]).toBeCloseTo(-ab.ci95![1], 15);
    expect(ba.t!).toBeCloseTo(-ab.t!, 12);
    expect(ba.p).toBe(ab.p);
  });

  it('an interval that straddles 0 is not supported; supported ⟺ p < 0.05', () => {
    // d = 0.05, −0.03, 0.02: d̄ = 0.0133, s = 0.0404, half-width 4.303·0.0233 ≈ 0.100
    const r = pairedComparison(seeds(0.35, 0.27, 0.32), seeds(0.3, 0.3, 0.3));
    expect(r.ci95![0]).toBeLessThan(0);
    expect(r.ci95![1]).toBeGreaterThan(0);
    expect(r.supported).toBe(false);
    expect(r.p!).toBeGreaterThan(0.05);
    for (const shift of [0, 0.01, 0.02, 0.03, 0.05, 0.1]) {
      const c = pairedComparison(seeds(0.35 + shift, 0.27 + shift, 0.32 + shift), seeds(0.3, 0.3, 0.3));
      expect(c.supported, `shift ${shift}`).toBe(c.p! < 0.05);
    }
  });

  it('n = 1: the mean only; no SD, interval, t or p; not supported', () => {
    expect(pairedComparison(new Map([[7, 0.5]]), new Map([[7, 0.2], [8, 0.1]]))).toEqual({
      seeds: [7],
      n: 1,
      meanDiff: 0.3,
      sd: null,
      ci95: null,
      t: null,
      df: null,
      p: null,
      supported: false,
    });
  });

  it('zero variance: the interval is the point; a nonzero difference is supported with p = 0, none with p = 1', () => {
    const same = pairedComparison(seeds(1.5, 2.5, 3.5), seeds(1, 2, 3)); // d = 0.5 for every seed
    expect(same).toMatchObject({ n: 3, meanDiff: 0.5, sd: 0, ci95: [0.5, 0.5], t: null, df: 2, p: 0, supported: true });
    const none = pairedComparison(seeds(1, 2, 3), seeds(1, 2, 3));
    expect(none).toMatchObject({ meanDiff: 0, sd: 0, ci95: [0, 0], t: null, df: 2, p: 1, supported: false });
  });

  it('non-finite values are left out of the pairing; no common seed is an error', () => {
    const r = pairedComparison(new Map([[1, 0.4], [2, Number.NaN], [3, 0.6]]), new Map([[1, 0.1], [2, 0.2], [3, Infinity]]));
    expect(r.seeds).toEqual([1]);
    expect(() => pairedComparison(new Map([[1, 1]]), new Map([[2, 1]]))).toThrow(/at least one seed/);
  });
});
