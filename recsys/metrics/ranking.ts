/**
 * Ranking and NDCG@K exactly as the reference evaluates them (paper-brief §3.2):
 * Python's stable descending sort for the top-K, sklearn's ndcg_score (ties averaged) for NDCG.
 */

/** Indices of scores[offset .. offset+width) in descending score order; ties keep list order. */
export function rankDescending(scores: ArrayLike<number>, offset = 0, width = scores.length - offset): Int32Array {
  const order = Array.from({ length: width }, (_, j) => j);
  order.sort((a, b) => scores[offset + b] - scores[offset + a] || a - b);
  return Int32Array.from(order);
}

/** Position (0-based) of candidate j in the descending order of scores. */
export function rankOf(scores: ArrayLike<number>, j: number): number {
  const s = scores[j];
  let rank = 0;
  for (let m = 0; m < scores.length; m++) {
    // Items scored higher, or tied and earlier in the list, come first (stable sort).
    if (scores[m] > s || (scores[m] === s && m < j)) rank++;
  }
  return rank;
}

function discounts(n: number, k: number): Float64Array {
  const d = new Float64Array(n);
  for (let r = 0; r < Math.min(n, k); r++) d[r] = 1 / Math.log2(r + 2);
  return d;
}

/** Ideal DCG@K for binary gains with `positives` relevant items. */
export function idealDcg(positives: number, k: number): number {
  let sum = 0;
  for (let r = 0; r < Math.min(positives, k); r++) sum += 1 / Math.log2(r + 2);
  return sum;
}

/**
 * DCG@K with sklearn's tie handling (ignore_ties=False): items with equal scores share the
 * average of their gains over the discounts of the positions they jointly occupy.
 */
export function tieAveragedDcg(gains: ArrayLike<number>, scores: ArrayLike<number>, k: number): number {
  const n = gains.length;
  const order = rankDescending(scores);
  const disc = discounts(n, k);
  let dcg = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    let gainSum = 0;
    let discountSum = 0;
    for (let p = start; p < end; p++) {
      gainSum += gains[order[p]];
      discountSum += disc[p];
    }
    dcg += (gainSum / (end - start)) * discountSum;
    start = end;
  }
  return dcg;
}

/** NDCG@K of one list; 0 when the list has no positive (sklearn's convention). */
export function ndcgAtK(labels: ArrayLike<number>, scores: ArrayLike<number>, k: number): number {
  let positives = 0;
  for (let j = 0; j < labels.length; j++) positives += labels[j] > 0 ? 1 : 0;
  const ideal = idealDcg(positives, k);
  return ideal === 0 ? 0 : tieAveragedDcg(labels, scores, k) / ideal;
}
