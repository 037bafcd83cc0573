/**
 * User-side explanation quality (paper-brief §3.5): an explanation E against the features the
 * user actually mentioned in the review, G (a list: duplicates count in |G|, as in the code).
 */

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

export function precisionRecallF1(explanation: readonly number[], groundTruth: readonly number[]): PrecisionRecallF1 {
  const unique = [...new Set(explanation)];
  const truth = new Set(groundTruth);
  const tp = unique.filter((f) => truth.has(f)).length;
  const precision = unique.length === 0 ? 0 : tp / unique.length;
  const recall = groundTruth.length === 0 ? 0 : tp / groundTruth.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Harmonic mean, 0 when both are 0 (F_NS from PN and PS). */
export function harmonicMean(a: number, b: number): number {
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}

/** Jaccard similarity of two feature sets; two empty sets are identical (1). */
export function jaccard(a: readonly number[], b: readonly number[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size === 0 && sb.size === 0) return 1;
  let inter = 0;
  for (const f of sa) if (sb.has(f)) inter++;
  return inter / (sa.size + sb.size - inter);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
