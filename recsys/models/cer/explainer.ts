/**
 * CER's counterfactual explainer (paper-brief §3.3), batched: the rows of Δ [B × F] are independent
 * optimisations (the loss is a sum of row losses), so a chunk of pairs is optimised at once as one
 * tf.Variable. Per row, exactly as the reference:
 *
 *   mask    = 1[X_u > 0] (userMask) or 1
 *   Y*      = clip(Y_i + clip(Δ ⊙ mask, −N, 0), 0, N)
 *   s       = f(X_u, Y*)
 *   bpr     = lam · relu(alpha + s − margin)
 *   loss    = ‖Δ‖₂ + bpr + γ‖Δ‖₁           (‖Δ‖₂ = sqrt(ΣΔ² + 1e-12); ΣΔ² with complexityNorm 'l2-squared')
 *
 * Δ₀ ~ U(−N, 0); plain SGD for `steps` steps: step t evaluates the loss at Δ_t, then updates Δ_t to
 * Δ_{t+1}. The step with the lowest loss (strictly below every earlier one) wins; its loss, bpr
 * and ‖Δ_t‖ are kept, and with them a Δ* chosen by choices.explainerKeeps:
 *
 *   'after-step' (default) Δ_{t+1}, as the reference: its loop stores `delta` after
 *                          optimizer.step(), so the Δ it explains with is one step past the Δ its
 *                          loss, bpr and complexity norm (lowest_l2) were computed at. At t = 0 it
 *                          is Δ₀: the reference evaluates Δ₀ once before its loop, and the loop's
 *                          t = 0 loss equals that, so never beats it. When no later step improves
 *                          (or steps = 1) Δ₀ is kept with its bpr; the reference then fails on
 *                          lowest_bpr = None.
 *   'evaluated'            Δ_t itself: Δ*, its loss, bpr and norm belong together.
 *
 * Valid iff bpr* < lam·alpha. E = {f : Δ*_f < −maskThresh} (Δ* ⊙ mask with thresholdMaskedDelta),
 * else {argmin}; complexity = ‖Δ_t‖₂ (or ‖Δ_t‖²₂) + γ|E|, in float32 as the reference's norm.
 *
 * Δ₀ of pair (u, i) comes from Rng.derive(seed, 'cer-explain:u:i'): a pair's explanation does not depend
 * on which other pairs share its chunk, nor on the order of the pairs, and clean and attacked runs
 * start from the same Δ₀.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedCellConfig } from '../../config.ts';
import { Rng } from '../../random.ts';
import type { Explanation, RecommendedPair } from '../explainable-model.ts';
import { gatherRows } from './batch.ts';
import { yieldToEventLoop } from './event-loop.ts';
import { nativeOps } from '../../backends/native-ops.ts';
import { nativeExplainer } from './explainer-native.ts';
import { type CerModel, cerLogits, transposedKernels } from './mlp.ts';

export interface ExplainerParams {
  lam: number;
  alpha: number;
  gamma: number;
  learningRate: number;
  steps: number;
  maskThresh: number;
  userMask: boolean;
  /** Rows of Δ per optimisation (memory bound only; results do not depend on it). */
  chunkSize: number;
  complexityNorm: 'l2' | 'l2-squared';
  thresholdMaskedDelta: boolean;
  /** Which Δ is kept with the lowest loss (see the file comment). */
  keeps: 'after-step' | 'evaluated';
  /** N: feature range [0, N] and Δ range [−N, 0] (the reference hard-codes 5). */
  maxRange: number;
  /** Seed of the Δ₀ draws. */
  seed: number;
}

export function explainerParams(config: ResolvedCellConfig, maxRange: number): ExplainerParams {
  const e = config.explainer;
  return {
    lam: e.lam,
    alpha: e.alpha,
    gamma: e.gamma,
    learningRate: e.learningRate,
    steps: e.steps,
    maskThresh: e.maskThresh,
    userMask: e.userMask,
    chunkSize: e.chunkSize,
    complexityNorm: config.choices.complexityNorm,
    thresholdMaskedDelta: config.choices.thresholdMaskedDelta,
    keeps: config.choices.explainerKeeps,
    maxRange,
    seed: config.seed,
  };
}

/** Δ₀ of one pair: F draws of U(−N, 0) from a generator derived from (seed, user, item). */
export function initialDelta(seed: number, user: number, item: number, featureCount: number, maxRange: number): Float32Array {
  return Rng.derive(seed, `cer-explain:${user}:${item}`).uniformArray(featureCount, -maxRange, 0);
}

/**
 * The optimiser's result for a chunk of pairs: the kept Δ* [B × F]; the lowest loss, its bpr and
 * the complexity norm ‖Δ_t‖₂ (ΣΔ² with 'l2-squared') of the Δ_t it was computed at [B]; the mask [B × F].
 */
export interface DeltaOptimum {
  delta: Float32Array;
  bpr: Float32Array;
  loss: Float32Array;
  norm: Float32Array;
  mask: Float32Array;
}

/** The user masks [B × F] of the pairs. */
export function userMasks(X: Float32Array, featureCount: number, pairs: readonly RecommendedPair[], userMask: boolean): Float32Array {
  const mask = new Float32Array(pairs.length * featureCount);
  if (!userMask) return mask.fill(1);
  pairs.forEach((p, k) => {
    for (let f = 0; f < featureCount; f++) mask[k * featureCount + f] = X[p.user * featureCount + f] > 0 ? 1 : 0;
  });
  return mask;
}

/** What a step of the optimisation needs besides Δ: one chunk of pairs, on the device. */
export interface ExplainerChunk {
  model: CerModel;
  /** User rows X_u and item rows Y_i [B × F]. */
  x: tf.Tensor2D;
  y: tf.Tensor2D;
  /** The user masks [B × F]. */
  m: tf.Tensor2D;
  /** Margin scores [B]. */
  margin: tf.Tensor1D;
  params: ExplainerParams;
}

/** One step's terms at Δ_t, per row [B], and ∂(Σ row losses)/∂Δ_t [B × F]. The caller disposes them. */
export interface ExplainerTerms {
  rowLoss: tf.Tensor1D;
  bpr: tf.Tensor1D;
  /** ‖Δ_t‖₂ (ΣΔ² with 'l2-squared'), without the 1e-12 of the loss. */
  norm: tf.Tensor1D;
  grad: tf.Tensor2D;
}

/** The terms through TF.js's gradient tape (every backend). `kernelsT`: transposedKernels of the model. */
export function tapedTerms(chunk: ExplainerChunk, delta: tf.Variable, kernelsT: tf.Tensor2D[]): ExplainerTerms {
  const { model, x, y, m, margin } = chunk;
  const { lam, alpha, gamma, maxRange: R } = chunk.params;
  const squared = chunk.params.complexityNorm === 'l2-squared';
  let rowLoss: tf.Tensor1D | undefined;
  let bpr: tf.Tensor1D | undefined;
  let norm: tf.Tensor1D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const shift = tf.clipByValue(tf.mul(delta, m), -R, 0);
    const yStar = tf.clipByValue(tf.add(y, shift), 0, R) as tf.Tensor2D;
    const s = tf.sigmoid(cerLogits(model, tf.concat([x, yStar], 1), false, kernelsT));
    const b = tf.mul(tf.relu(tf.sub(tf.add(s, alpha), margin)), lam);
    const sq = tf.sum(tf.square(delta), 1);
    const l2 = squared ? sq : tf.sqrt(tf.add(sq, 1e-12));
    // The reported norm has no 1e-12 (it is only there to keep the gradient finite at Δ = 0).
    norm = tf.keep((squared ? sq : tf.sqrt(sq)) as tf.Tensor1D);
    // |Δ| written as Δ·sign(Δ) (Sign has zero gradient): subgradient sign(Δ), 0 at Δ = 0 as in
    // PyTorch; tf.abs's gradient would be −1 there.
    const l1 = tf.sum(tf.mul(delta, tf.sign(delta)), 1);
    const rl = tf.add(tf.add(l2, b), tf.mul(l1, gamma));
    rowLoss = tf.keep(rl as tf.Tensor1D);
    bpr = tf.keep(b as tf.Tensor1D);
    return tf.sum(rl) as tf.Scalar;
  }, [delta]);
  value.dispose();
  return { rowLoss: rowLoss!, bpr: bpr!, norm: norm!, grad: grads[delta.name] as tf.Tensor2D };
}

/**
 * Optimise Δ for all given pairs at once (one chunk; the caller bounds its size). `initial`
 * overrides the Δ₀ draws (tests). On native TensorFlow each step's terms come from
 * explainer-native.ts (TensorFlow ops, gradient derived by hand) unless `route` is 'taped'.
 */
export async function optimiseDeltas(
  model: CerModel,
  X: Float32Array,
  Y: Float32Array,
  pairs: readonly RecommendedPair[],
  params: ExplainerParams,
  initial?: Float32Array,
  route: 'auto' | 'taped' = 'auto',
): Promise<DeltaOptimum> {
  const F = model.featureCount;
  const B = pairs.length;
  const R = params.maxRange;
  const mask = userMasks(X, F, pairs, params.userMask);
  let init = initial;
  if (!init) {
    init = new Float32Array(B * F);
    pairs.forEach((p, k) => init!.set(initialDelta(params.seed, p.user, p.item, F, R), k * F));
  }
  const users = Int32Array.from(pairs, (p) => p.user);
  const items = Int32Array.from(pairs, (p) => p.item);
  const chunk: ExplainerChunk = {
    model,
    x: tf.tensor2d(gatherRows(X, F, users), [B, F]),
    y: tf.tensor2d(gatherRows(Y, F, items), [B, F]),
    m: tf.tensor2d(mask, [B, F]),
    margin: tf.tensor1d(Float32Array.from(pairs, (p) => p.marginScore)),
    params,
  };
  const delta0 = tf.tensor2d(init, [B, F]);
  const delta = tf.variable(delta0, true);
  delta0.dispose();
  let bestLoss: tf.Tensor1D = tf.fill([B], Number.POSITIVE_INFINITY);
  let bestBpr: tf.Tensor1D = tf.zeros([B]);
  let bestNorm: tf.Tensor1D = tf.zeros([B]);
  let bestDelta: tf.Tensor2D = tf.zeros([B, F]);
  const ops = route === 'auto' ? nativeOps() : undefined;
  const native = ops ? nativeExplainer(ops, chunk) : undefined;
  const kernelsT = native ? [] : transposedKernels(model);
  const termsAt = (d: tf.Variable): ExplainerTerms => (native ? native.terms(d as tf.Tensor2D) : tapedTerms(chunk, d, kernelsT));
  const afterStep = params.keeps === 'after-step';
  try {
    for (let t = 0; t < params.steps; t++) {
      const { rowLoss, bpr, norm, grad } = termsAt(delta);
      const next = tf.tidy(() => {
        const stepped = tf.sub(delta, tf.mul(grad, params.learningRate));
        const kept = afterStep && t > 0 ? stepped : delta;
        const improved = tf.less(rowLoss, bestLoss);
        const improvedRows = tf.tile(tf.expandDims(improved, 1), [1, F]);
        return {
          loss: tf.where(improved, rowLoss, bestLoss) as tf.Tensor1D,
          bpr: tf.where(improved, bpr, bestBpr) as tf.Tensor1D,
          norm: tf.where(improved, norm, bestNorm) as tf.Tensor1D,
          delta: tf.where(improvedRows, kept, bestDelta) as tf.Tensor2D,
          stepped,
        };
      });
      delta.assign(next.stepped as tf.Tensor2D);
      tf.dispose([grad, rowLoss, bpr, norm, bestLoss, bestBpr, bestNorm, bestDelta, next.stepped]);
      bestLoss = next.loss;
      bestBpr = next.bpr;
      bestNorm = next.norm;
      bestDelta = next.delta;
      await yieldToEventLoop();
    }
    return {
      delta: (await bestDelta.data()) as Float32Array,
      bpr: (await bestBpr.data()) as Float32Array,
      loss: (await bestLoss.data()) as Float32Array,
      norm: (await bestNorm.data()) as Float32Array,
      mask,
    };
  } finally {
    native?.dispose();
    tf.dispose([chunk.x, chunk.y, chunk.m, chunk.margin, delta, bestLoss, bestBpr, bestNorm, bestDelta, ...kernelsT]);
  }
}

/** The explanation of row k of an optimum. */
export function toExplanation(pair: RecommendedPair, opt: DeltaOptimum, k: number, featureCount: number, params: ExplainerParams): Explanation {
  const F = featureCount;
  // The reference compares float32 values with Python floats that NumPy/torch cast to float32.
  if (!(opt.bpr[k] < Math.fround(params.lam * params.alpha))) {
    return { user: pair.user, item: pair.item, explained: false, features: [], complexity: 0 };
  }
  const thresh = Math.fround(-params.maskThresh);
  const d = new Float32Array(F);
  for (let f = 0; f < F; f++) {
    const v = opt.delta[k * F + f];
    d[f] = params.thresholdMaskedDelta ? v * opt.mask[k * F + f] : v;
  }
  const features: number[] = [];
  for (let f = 0; f < F; f++) if (d[f] < thresh) features.push(f);
  if (features.length === 0) {
    let arg = 0;
    for (let f = 1; f < F; f++) if (d[f] < d[arg]) arg = f;
    features.push(arg);
  }
  return { user: pair.user, item: pair.item, explained: true, features, complexity: opt.norm[k] + params.gamma * features.length };
}

/** Explain every pair, params.chunkSize rows of Δ at a time. */
export async function explainPairs(
  model: CerModel,
  X: Float32Array,
  Y: Float32Array,
  pairs: readonly RecommendedPair[],
  params: ExplainerParams,
): Promise<Explanation[]> {
  const out: Explanation[] = [];
  for (let s = 0; s < pairs.length; s += params.chunkSize) {
    const chunk = pairs.slice(s, s + params.chunkSize);
    const opt = await optimiseDeltas(model, X, Y, chunk, params);
    chunk.forEach((p, k) => out.push(toExplanation(p, opt, k, model.featureCount, params)));
  }
  return out;
}

/** The same optimisation one pair at a time (the reference's loop): for benchmarks and equivalence tests. */
export async function explainPairsOneByOne(
  model: CerModel,
  X: Float32Array,
  Y: Float32Array,
  pairs: readonly RecommendedPair[],
  params: ExplainerParams,
): Promise<Explanation[]> {
  return explainPairs(model, X, Y, pairs, { ...params, chunkSize: 1 });
}
