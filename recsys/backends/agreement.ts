/**
 * The cross-backend agreement check, in one place: the small cells it runs, how close two
 * backends' results must be, and the comparison itself (compareCells, which lists mismatches
 * rather than failing an `expect`, so that the GPU device script, run where vitest is not, can say
 * which field disagreed). Used by the agreement test (test/backends/) and the GPU device script
 * (bench/gpu/), which must check the same thing.
 *
 * The cells: a tiny synthetic dataset, a defended CER
 * cell (λ = 0.5, so the FGSM training step and its gradient with respect to Y run too) and a
 * defended EFM cell, each evaluated clean and under FGSM and random noise at one ε_A.
 * Small enough for the software WebGPU adapter (lavapipe) to finish in seconds.
 *
 * The tolerances, and why.
 *
 * The backends compute in float32 but not in the same order (native TensorFlow's Eigen/oneDNN
 * kernels, XNNPACK in WASM, WGSL shaders on WebGPU), and not always with the same elementary
 * functions (exp/log in sigmoid and BCE), so each op's result may differ in the last bits
 * (float32 ε = 1.2e-7). What that does downstream depends on the quantity:
 *
 * - Continuous: the training loss per epoch. Differences grow through training, but stay small
 *   for a few epochs: relative 1e-4 (measured: CER 1.4e-5 after 3 epochs of SGD, EFM 2e-7 after
 *   30 Adam steps, WASM vs native TF; native TF and WebGPU agreed to the last bit).
 * - Rankings: NDCG@5 of the clean and the random-noise views. Scores differ by ~1e-6 relative,
 *   which reorders two candidates only if they tie to that precision; none did here (all three
 *   backends gave identical NDCG). With binary relevance, 40 test users and IDCG ≤ 2.95, a
 *   relevant item leaving a user's top 5 moves the mean by ≥ (1/log2 6)/2.95/40 ≈ 3.3e-3, and
 *   the smallest adjacent swap inside the top 5 by ≈ 3.7e-4. Absolute 1e-3 therefore allows the
 *   mean's rounding and at most two near-tie swaps, and fails any change of a top-5 set.
 * - Decisions: every explanation metric, and everything under FGSM. The explainer thresholds Δ
 *   (maskThresh 0.1) after 40 SGD steps; FGSM takes sign(∇_Y L), which flips for gradient
 *   entries within float noise of zero. A last-bit difference can therefore change whole
 *   explanations or perturbed entries. Measured: 1–2 of 50 explained pairs differ (F1 0.4497 vs
 *   0.4459, F_NS under FGSM 0.531 vs 0.497, FGSM NDCG@5 0.2132 vs 0.2147). Absolute 0.1 on these
 *   proportions (5 of 50 pairs) passes that and still fails a wrong kernel, which moves them by far
 *   more (a random ranker: NDCG@5 0.057 against 0.24 here).
 */
export const LOSS_REL = 1e-4;
export const RANKING_ABS = 1e-3;
export const DECISION_ABS = 0.1;
/** Mean explanation size and complexity are counts and norms, not proportions: relative. */
export const DECISION_REL = 0.1;

import type { CellConfigInput } from '../config.ts';
import type { CellResult, EvaluationRow } from '../cell/result.ts';

export function agreementCell(model: 'cer' | 'efm', datasetCache: string): CellConfigInput {
  return {
    dataset: {
      source: 'synthetic',
      name: 'synthetic-agreement',
      synthetic: { users: 40, items: 150, features: 12, reviewsPerUser: 22, seed: 3 },
    },
    model,
    lambda: 0.5,
    epsilonD: 0.5,
    epsilonsA: [0.5],
    attacks: ['fgsm', 'random'],
    seed: 0,
    epochs: model === 'cer' ? 3 : 30,
    cer: { hidden: [64, 16], learningRate: 0.05 },
    explainer: { steps: 40, learningRate: 0.03, testUsers: 10 },
    datasetCache,
  };
}

/** One cell's result against the reference's: every quantity above, within its tolerance. */
export interface Agreement {
  ok: boolean;
  /** Number of quantities compared. */
  checked: number;
  /** One line per quantity outside its tolerance (empty when ok). */
  mismatches: string[];
}

export const TOLERANCES = { LOSS_REL, RANKING_ABS, DECISION_ABS, DECISION_REL } as const;

export function compareCells(got: CellResult, ref: CellResult): Agreement {
  const mismatches: string[] = [];
  let checked = 0;
  const check = (label: string, delta: number, tol: number) => {
    checked++;
    // NaN deltas (a NaN metric on one side) fail: `!(x <= tol)`.
    if (!(delta <= tol)) mismatches.push(`${label}: |Δ| ${delta.toPrecision(3)} > ${tol}`);
  };
  checked++;
  if (got.train.losses.length !== ref.train.losses.length) {
    mismatches.push(`epochs: ${got.train.losses.length} vs ${ref.train.losses.length}`);
  }
  got.train.losses.forEach((loss, e) => {
    const r = ref.train.losses[e];
    if (r !== undefined) check(`loss of epoch ${e + 1} (${loss} vs ${r}), relative`, Math.abs(loss - r) / Math.abs(r), LOSS_REL);
  });
  const plan = (c: CellResult) => c.evaluations.map((e) => `${e.attack}@${e.epsilon}`).join(',');
  checked++;
  if (plan(got) !== plan(ref)) {
    mismatches.push(`evaluations: [${plan(got)}] vs [${plan(ref)}]`);
    return { ok: false, checked, mismatches };
  }
  got.evaluations.forEach((g, k) => compareRow(g, ref.evaluations[k], `${g.attack} ε_A=${g.epsilon}`, check, mismatches));
  return { ok: mismatches.length === 0, checked: checked + got.evaluations.length, mismatches };
}

function compareRow(
  g: EvaluationRow,
  r: EvaluationRow,
  label: string,
  check: (label: string, delta: number, tol: number) => void,
  mismatches: string[],
): void {
  const near = (field: keyof EvaluationRow, tol: number) =>
    check(`${label} ${field} (${g[field]} vs ${r[field]})`, Math.abs((g[field] as number) - (r[field] as number)), tol);
  near('ndcg5', g.attack === 'fgsm' ? DECISION_ABS : RANKING_ABS);
  for (const f of ['precision', 'recall', 'f1', 'pn', 'ps', 'fns'] as const) near(f, DECISION_ABS);
  near('explained', DECISION_ABS * r.pairs);
  near('meanExplanationSize', DECISION_REL * Math.max(1, r.meanExplanationSize));
  near('meanComplexity', DECISION_REL * Math.max(1, r.meanComplexity));
  if (g.stability !== null && r.stability !== null) near('stability', DECISION_ABS);
  if (g.pairs !== r.pairs) mismatches.push(`${label} recommended pairs: ${g.pairs} vs ${r.pairs}`);
}
