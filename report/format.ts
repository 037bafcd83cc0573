/** Number formatting shared by the terminal table and the HTML report. */
import type { MetricStats } from './schema.ts';

/** `0.228 ± 0.010`, `0.228` when n = 1 (no SD), `—` when missing. */
export function formatStats(s: MetricStats | undefined, digits = 3, sep = ' ± '): string {
  if (!s) return '—';
  const mean = s.mean.toFixed(digits);
  return s.sd === null ? mean : `${mean}${sep}${s.sd.toFixed(digits)}`;
}
