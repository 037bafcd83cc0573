/**
 * Evaluation of one view (a trained model on one Y): recommendation quality, explanations,
 * and their user-side and model-side quality (paper-brief §3.2–§3.5). Model-agnostic: it only
 * talks to an EvaluationView.
 */
import type { GroundTruthEntry, PreparedDataset, TestLists } from '../data/dataset.ts';
import type { CounterfactualRequest, EvaluationView, Explanation, RecommendedPair } from '../models/explainable-model.ts';
import { counterfactualRank, harmonicMean, jaccard, mean, ndcgAtK, precisionRecallF1, rankDescending } from '../metrics/index.ts';

export interface EvaluationOptions {
  /** K of top-K (rec_k = 5). */
  k: number;
  /** Users whose top-K is explained: -1 = every test user, n = the first n (Yelp's test_num). */
  explainUsers: number;
  /** A4: which mentioned features count as the user-side ground truth. */
  groundTruth: 'all' | 'positive';
}

export interface ExplanationMetrics {
  /** Recommended pairs handed to the explainer. */
  pairs: number;
  explained: number;
  meanExplanationSize: number;
  meanComplexity: number;
  /** Pairs that are correct and explained: the user-side sample. */
  userSidePairs: number;
  precision: number;
  recall: number;
  f1: number;
  pn: number;
  ps: number;
  fns: number;
}

export interface EvaluationMetrics extends ExplanationMetrics {
  ndcg5: number;
}

export interface Evaluation {
  metrics: EvaluationMetrics;
  explanations: Explanation[];
}

/** Everything evaluation needs to know about the recommendations on one Y. */
export interface Recommendations {
  scores: Float32Array;
  ndcg: number;
  /** The top-K pairs of the explained users, with their margins. */
  pairs: RecommendedPair[];
  /** (user,item) → its test list row, and whether it is a positive. */
  listRow: Map<string, { row: number; positive: boolean }>;
}

export const pairKey = (user: number, item: number): string => `${user}:${item}`;

export function recommend(test: TestLists, scores: Float32Array, opts: EvaluationOptions): Recommendations {
  const T = test.users.length;
  const W = test.width;
  const explainRows = opts.explainUsers < 0 ? T : Math.min(T, opts.explainUsers);
  const ndcgs: number[] = [];
  const pairs: RecommendedPair[] = [];
  const listRow = new Map<string, { row: number; positive: boolean }>();
  for (let t = 0; t < T; t++) {
    const labels = test.labels.subarray(t * W, (t + 1) * W);
    const rowScores = scores.subarray(t * W, (t + 1) * W);
    ndcgs.push(ndcgAtK(labels, rowScores, opts.k));
    if (t >= explainRows) continue;
    const order = rankDescending(rowScores);
    const margin = rowScores[order[opts.k]];
    const user = test.users[t];
    for (let r = 0; r < opts.k; r++) {
      const j = order[r];
      const item = test.items[t * W + j];
      pairs.push({ user, item, marginScore: margin });
      listRow.set(pairKey(user, item), { row: t, positive: labels[j] > 0 });
    }
  }
  return { scores, ndcg: mean(ndcgs), pairs, listRow };
}

function groundTruthIndex(entries: GroundTruthEntry[], mode: 'all' | 'positive'): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const e of entries) {
    const features = mode === 'all' ? e.features : e.features.filter((_, k) => e.sentiments[k] > 0);
    index.set(pairKey(e.user, e.item), features);
  }
  return index;
}

/**
 * Explanation metrics for given explanations on given recommendations. Exposed separately so
 * that a baseline (e.g. random feature sets of the same size) is scored by the same code.
 */
export async function explanationMetrics(
  view: EvaluationView,
  data: PreparedDataset,
  recs: Recommendations,
  explanations: Explanation[],
  opts: EvaluationOptions,
): Promise<ExplanationMetrics> {
  const truth = groundTruthIndex(data.groundTruth, opts.groundTruth);
  const explained = explanations.filter((e) => e.explained);
  const prf: { precision: number; recall: number; f1: number }[] = [];
  for (const e of explained) {
    const where = recs.listRow.get(pairKey(e.user, e.item));
    if (!where?.positive) continue;
    const g = truth.get(pairKey(e.user, e.item));
    // With positive-only ground truth a review may have no positive mention: nothing to score.
    if (!g || g.length === 0) continue;
    prf.push(precisionRecallF1(e.features, g));
  }

  const W = data.test.width;
  const requests: CounterfactualRequest[] = [];
  const positions: number[] = [];
  // PN/PS break ties by recommendation order (counterfactualRank): one order per list.
  const orders: Int32Array[] = [];
  const orderOfRow = new Map<number, Int32Array>();
  for (const e of explained) {
    const where = recs.listRow.get(pairKey(e.user, e.item));
    if (!where) throw new Error(`explanation for (${e.user}, ${e.item}) is not a recommended pair`);
    const items = data.test.items.subarray(where.row * W, (where.row + 1) * W);
    let order = orderOfRow.get(where.row);
    if (!order) orderOfRow.set(where.row, (order = rankDescending(recs.scores, where.row * W, W)));
    requests.push({ user: e.user, items, features: e.features });
    // The reference's items.index(target): the first copy in recommendation order.
    positions.push(order.find((j) => items[j] === e.item)!);
    orders.push(order);
  }
  let pnHits = 0;
  let psHits = 0;
  if (requests.length > 0) {
    const necessity = await view.counterfactualScores(requests, 'necessity');
    const sufficiency = await view.counterfactualScores(requests, 'sufficiency');
    for (let p = 0; p < requests.length; p++) {
      if (counterfactualRank(necessity[p], positions[p], orders[p]) >= opts.k) pnHits++;
      if (counterfactualRank(sufficiency[p], positions[p], orders[p]) < opts.k) psHits++;
    }
  }
  const pn = explained.length ? pnHits / explained.length : 0;
  const ps = explained.length ? psHits / explained.length : 0;
  return {
    pairs: explanations.length,
    explained: explained.length,
    meanExplanationSize: mean(explained.map((e) => e.features.length)),
    meanComplexity: mean(explained.map((e) => e.complexity)),
    userSidePairs: prf.length,
    precision: mean(prf.map((x) => x.precision)),
    recall: mean(prf.map((x) => x.recall)),
    f1: mean(prf.map((x) => x.f1)),
    pn,
    ps,
    fns: harmonicMean(pn, ps),
  };
}

/** Score, rank, explain and measure one view. */
export async function evaluateView(view: EvaluationView, data: PreparedDataset, opts: EvaluationOptions): Promise<Evaluation & { recommendations: Recommendations }> {
  const scores = await view.scoreLists(data.test);
  const recs = recommend(data.test, scores, opts);
  const explanations = await view.explain(recs.pairs);
  const metrics = await explanationMetrics(view, data, recs, explanations, opts);
  return { metrics: { ndcg5: recs.ndcg, ...metrics }, explanations, recommendations: recs };
}

/**
 * Explanation stability: mean Jaccard of the clean and attacked explanation sets over the
 * (user, item) pairs explained in both. null when no pair is explained in both.
 */
export function explanationStability(clean: Explanation[], attacked: Explanation[]): { stability: number | null; pairs: number } {
  const cleanSets = new Map<string, number[]>();
  for (const e of clean) if (e.explained) cleanSets.set(pairKey(e.user, e.item), e.features);
  const scores: number[] = [];
  for (const e of attacked) {
    if (!e.explained) continue;
    const c = cleanSets.get(pairKey(e.user, e.item));
    if (c) scores.push(jaccard(c, e.features));
  }
  return { stability: scores.length ? mean(scores) : null, pairs: scores.length };
}
