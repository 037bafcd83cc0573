/** Number formatting shared by the terminal table and the HTML report. */
import type { Comparison, MetricStats } from './schema.ts';

/** `0.228 ± 0.010`, `0.228` when n = 1 (no SD), `—` when missing. */
export function formatStats(s: MetricStats | undefined, digits = 3, sep = ' ± '): string {
  if (!s) return '—';
  const mean = s.mean.toFixed(digits);
  return s.sd === null ? mean : `${mean}${sep}${s.sd.toFixed(digits)}`;
}

/**
 * A signed difference: `+0.120`, `-0.031`; one too small for `digits` decimals (but not 0) in
 * two significant digits, `+2.1e-4`, so a real difference never reads as `+0.000`.
 */
export function formatDiff(x: number, digits = 3): string {
  const abs = Math.abs(x);
  const body = abs === 0 || abs >= 0.5 * 10 ** -digits ? abs.toFixed(digits) : abs.toExponential(1);
  return `${x < 0 ? '-' : '+'}${body}`;
}

/** `[+0.050, +0.190]`, `—` without an interval (one seed). */
export function formatCi(ci: Comparison['ci95'], digits = 3): string {
  return ci === null ? '—' : `[${formatDiff(ci[0], digits)}, ${formatDiff(ci[1], digits)}]`;
}

/** `p=0.004`, `p<0.001`, `p=—` (no test: one seed). */
export function formatP(p: number | null): string {
  if (p === null) return 'p=—';
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`;
}

/**
 * `supported` (the interval excludes 0 on the claimed side), `contradicted` (on the other side),
 * `inconclusive` (it contains 0), `one seed`; tables older than claimed directions: `not supported`.
 */
export function formatVerdict(c: Pick<Comparison, 'supported' | 'contradicted' | 'claimed' | 'n'>): string {
  if (c.supported) return 'supported';
  if (c.contradicted) return 'contradicted';
  if (c.n < 2) return 'one seed';
  return c.claimed ? 'inconclusive' : 'not supported';
}
