/**
 * A paired comparison of two conditions over seeds, pure: the per-seed differences d = a − b
 * of the seeds present (with a finite value) in both, their mean with a 95 % confidence interval
 * (Student t, df = n − 1) and the two-sided paired t-test of mean 0:
 *
 *   d̄ = Σ d / n        s = √(Σ (d − d̄)² / (n − 1))        se = s / √n
 *   CI  = d̄ ± t_{0.975, n−1} · se                           t = d̄ / se,  p = P(|T_{n−1}| ≥ |t|)
 *
 * A claim is `supported` only when its interval excludes 0 (either sign: read the sign of d̄);
 * for n ≥ 2 with s > 0 that is the same as p < 0.05.
 *
 * Edge cases (decided here, documented in README.md):
 *  - n = 0 (no seed in both): an error; callers skip such pairs.
 *  - n = 1: sd, ci95, t, df and p are null, not supported: one seed says nothing about spread.
 *  - s = 0 (every seed's difference the same, n ≥ 2): the interval is the point [d̄, d̄] and t
 *    (±∞, or 0/0) is null, as JSON has no infinity; if d̄ ≠ 0 then p = 0 and supported (the
 *    limit s → 0 of the test), if d̄ = 0 (no difference at all) then p = 1, not supported.
 */
import { ReportError } from './errors.ts';
import { studentTQuantile, studentTTwoSided } from './student-t.ts';

export interface PairedComparison {
  /** The seeds present in both, ascending. */
  seeds: number[];
  /** seeds.length. */
  n: number;
  /** Mean of a − b over the paired seeds. */
  meanDiff: number;
  /** Sample SD (n − 1) of the differences; null when n = 1. */
  sd: number | null;
  /** 95 % confidence interval of the mean difference; null when n < 2. */
  ci95: [number, number] | null;
  /** d̄ / (s / √n); null when n < 2 or s = 0. */
  t: number | null;
  /** n − 1; null when n < 2. */
  df: number | null;
  /** Two-sided paired t-test p-value; null when n < 2. */
  p: number | null;
  /** The interval excludes 0. */
  supported: boolean;
}

export const CONFIDENCE = 0.95;

export function pairedComparison(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): PairedComparison {
  const seeds = [...a.keys()].filter((s) => b.has(s) && Number.isFinite(a.get(s)) && Number.isFinite(b.get(s))).sort((x, y) => x - y);
  const n = seeds.length;
  if (n === 0) throw new ReportError('a paired comparison needs at least one seed present in both');
  const diffs = seeds.map((s) => (a.get(s) as number) - (b.get(s) as number));
  const meanDiff = diffs.reduce((s, d) => s + d, 0) / n;
  if (n === 1) return { seeds, n, meanDiff, sd: null, ci95: null, t: null, df: null, p: null, supported: false };

  // Two passes, as in sampleStats: exact for differences that are close together.
  const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - meanDiff) * (d - meanDiff), 0) / (n - 1));
  const df = n - 1;
  if (sd === 0) {
    const supported = meanDiff !== 0;
    return { seeds, n, meanDiff, sd, ci95: [meanDiff, meanDiff], t: null, df, p: supported ? 0 : 1, supported };
  }
  const se = sd / Math.sqrt(n);
  const half = studentTQuantile(1 - (1 - CONFIDENCE) / 2, df) * se;
  const ci95: [number, number] = [meanDiff - half, meanDiff + half];
  const t = meanDiff / se;
  return { seeds, n, meanDiff, sd, ci95, t, df, p: studentTTwoSided(t, df), supported: ci95[0] > 0 || ci95[1] < 0 };
}
