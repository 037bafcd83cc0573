/**
 * Ranking and NDCG@K as the reference evaluates them (paper-brief §3.2, §3.5): Python's stable
 * descending sort for the top-K, sklearn's ndcg_score (ties averaged) for NDCG, and for PN/PS
 * the place of an item in `np.argsort(scores)[::-1]` (counterfactualRank: exact for lists of at
 * most 16 candidates, see there).
 */

/** Indices of scores[offset .. offset+width) in descending score order; ties keep list order. */
export function rankDescending(scores: ArrayLike<number>, offset = 0, width = scores.length - offset): Int32Array {
  const order = Array.from({ length: width }, (_, j) => j);
  order.sort((a, b) => scores[offset + b] - scores[offset + a] || a - b);
  return Int32Array.from(order);
}

/**
 * Position (0-based) of candidate j in the reference's PN/PS ranking of counterfactual scores.
 * The reference lists the candidates in recommendation order (rec_dict[user], the stable
 * descending sort of the scores being explained: `order`, as rankDescending returns it) and
 * ranks them with `np.argsort(cf_scores)[::-1]`: higher scores first and, among tied scores, the
 * candidate LATER in recommendation order first, as a reversed stable ascending sort puts them.
 *
 * That is NumPy's order only where its argsort is stable. The reference's environment (Python
 * 3.7, so NumPy ≤ 1.21, before the SIMD argsorts of NumPy 1.25/2.0) uses introsort, which sorts a
 * list of at most 16 elements by insertion sort: stable, so this is exact for lists of ≤ 16
 * candidates. Longer lists (the reference's 106) are partitioned first, and ties then come out
 * in an order that depends on the partitioning; that order is not reproduced here.
 */
export function counterfactualRank(scores: ArrayLike<number>, j: number, order: ArrayLike<number>): number {
  const place = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) place[order[r]] = r;
  const s = scores[j];
  let rank = 0;
  for (let m = 0; m < scores.length; m++) if (scores[m] > s || (scores[m] === s && place[m] > place[j])) rank++;
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
