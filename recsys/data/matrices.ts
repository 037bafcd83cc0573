/**
 * The user-attention matrix X and item-quality matrix Y (paper-brief §1.6, identical in the
 * reference and Cornac). Every triplet occurrence counts, so a feature repeated in one review
 * counts twice. Computed in float64, stored as float32 row-major, as the reference's dtype.
 */
import type { EncodedRow } from './ids.ts';

/** X_uf for t > 0 mentions: 1 + (N − 1)(2/(1 + e^(−t)) − 1); 0 when never mentioned. */
export function attentionValue(t: number, maxRange: number): number {
  return t === 0 ? 0 : 1 + (maxRange - 1) * (2 / (1 + Math.exp(-t)) - 1);
}

/** Y_if for k > 0 mentions with sentiment sum s: 1 + (N − 1)/(1 + e^(−s)); 0 when k = 0. */
export function qualityValue(k: number, s: number, maxRange: number): number {
  return k === 0 ? 0 : 1 + (maxRange - 1) / (1 + Math.exp(-s));
}

export function buildMatrices(
  rows: readonly EncodedRow[],
  userCount: number,
  itemCount: number,
  featureCount: number,
  maxRange: number,
): { X: Float32Array; Y: Float32Array } {
  const F = featureCount;
  const mentions = new Float64Array(userCount * F); // t_uf
  const itemMentions = new Float64Array(itemCount * F); // k_if
  const sentimentSum = new Float64Array(itemCount * F); // s_if
  for (const r of rows) {
    for (let j = 0; j < r.features.length; j++) {
      const f = r.features[j];
      mentions[r.user * F + f] += 1;
      itemMentions[r.item * F + f] += 1;
      sentimentSum[r.item * F + f] += r.sentiments[j];
    }
  }
  const X = new Float32Array(userCount * F);
  for (let k = 0; k < X.length; k++) X[k] = attentionValue(mentions[k], maxRange);
  const Y = new Float32Array(itemCount * F);
  for (let k = 0; k < Y.length; k++) Y[k] = qualityValue(itemMentions[k], sentimentSum[k], maxRange);
  return { X, Y };
}
