/**
 * The cross-backend agreement check, in one place: the small cells it runs and how close two
 * backends' results must be. Used by the agreement test (test/backends/) and the GPU device script
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
