/**
 * Sampling k distinct items from [0, n) \ excluded, without replacement (paper-brief §1.5's
 * np.random.choice(..., replace=False)). The result depends only on the Rng stream and the
 * arguments. Rejection sampling when the pool is mostly free (no O(n) copy per user on
 * catalogues of 10^5+ items); otherwise a partial Fisher–Yates over the explicit pool.
 */
import type { Rng } from '../random.ts';

/** Returns null when fewer than k items are available. */
export function sampleExcluding(rng: Rng, n: number, excluded: ReadonlySet<number>, k: number): number[] | null {
  let blocked = 0;
  for (const e of excluded) if (e >= 0 && e < n) blocked++;
  if (k > n - blocked) return null;
  if (k === 0) return [];
  if (2 * (k + blocked) <= n) {
    // Each draw succeeds with probability ≥ 1/2, so this ends in ~2k draws on average.
    const chosen = new Set<number>();
    const out: number[] = [];
    while (out.length < k) {
      const j = rng.int(n);
      if (excluded.has(j) || chosen.has(j)) continue;
      chosen.add(j);
      out.push(j);
    }
    return out;
  }
  const pool: number[] = [];
  for (let j = 0; j < n; j++) if (!excluded.has(j)) pool.push(j);
  return rng.sample(pool, k);
}
