/**
 * The EFM objective (paper-brief §2.1) and its analytic gradient with respect to Y.
 *
 *   L_EFM(X, Y | Θ) = Σ_obs (Ã_ui − A_ui)²
 *                   + λx Σ M_X ⊙ (U1Vᵀ − X)²  +  λy Σ M_Y ⊙ (U2Vᵀ − Y)²
 *                   + λu(‖U1‖² + ‖U2‖²) + λh(‖H1‖² + ‖H2‖²) + λv‖V‖²
 *
 * Ã_ui = U1_u·U2_i + H1_u·H2_i over the observed ratings only (both residual modes).
 * Residuals 'observed' (A7, Cornac): M = 1[entry > 0] of the matrix used, so a perturbed zero
 * that became non-zero counts; 'full': M = 1. Regularisers are plain Frobenius norms (the
 * paper's form), not Cornac's per-row observation-count scaling.
 */
import * as tf from '@tensorflow/tfjs';
import type { EfmSettings } from '../../config.ts';
import type { PreparedDataset } from '../../data/dataset.ts';
import { gatherRowsFast, maskedSquaredError, matMulNT } from './ops.ts';
import type { FactorTensors } from './params.ts';

export type Residuals = 'observed' | 'full';

export type EfmWeights = Pick<EfmSettings, 'lambdaX' | 'lambdaY' | 'lambdaU' | 'lambdaH' | 'lambdaV'>;

/** The fixed training data on the device: A (observed ratings) and X with its mask. */
export interface EfmLossInputs {
  ratingUsers: tf.Tensor1D;
  ratingItems: tf.Tensor1D;
  ratingValues: tf.Tensor1D;
  X: tf.Tensor2D;
  /** null for 'full' residuals. */
  maskX: tf.Tensor2D | null;
  residuals: Residuals;
}

export function createLossInputs(data: PreparedDataset, residuals: Residuals): EfmLossInputs {
  const { userCount, featureCount } = data.manifest;
  const X = tf.tensor2d(data.X, [userCount, featureCount]);
  return {
    ratingUsers: tf.tensor1d(data.ratings.users, 'int32'),
    ratingItems: tf.tensor1d(data.ratings.items, 'int32'),
    ratingValues: tf.tensor1d(data.ratings.values, 'float32'),
    X,
    maskX: residuals === 'observed' ? tf.tidy(() => observedMask(X, residuals) as tf.Tensor2D) : null,
    residuals,
  };
}

export function disposeLossInputs(inputs: EfmLossInputs): void {
  inputs.ratingUsers.dispose();
  inputs.ratingItems.dispose();
  inputs.ratingValues.dispose();
  inputs.X.dispose();
  inputs.maskX?.dispose();
}

/**
 * 1[M > 0] for 'observed', null (= all ones) for 'full'. tf.step, not greater+cast: Step has a
 * (zero) gradient, Greater has none, so tf.grad with respect to Y works through the mask.
 */
export function observedMask(M: tf.Tensor2D, residuals: Residuals): tf.Tensor2D | null {
  return residuals === 'observed' ? tf.step(M, 0) : null;
}

/** Σ_obs (Ã_ui − A_ui)², Ã gathered row-wise (a scatterND gradient: works on wasm, ops.ts). */
export function ratingLoss(f: FactorTensors, inputs: EfmLossInputs): tf.Scalar {
  if (inputs.ratingUsers.size === 0) return tf.scalar(0);
  const u1 = gatherRowsFast(f.U1, inputs.ratingUsers);
  const u2 = gatherRowsFast(f.U2, inputs.ratingItems);
  const h1 = gatherRowsFast(f.H1, inputs.ratingUsers);
  const h2 = gatherRowsFast(f.H2, inputs.ratingItems);
  const predicted = tf.add(tf.sum(tf.mul(u1, u2), 1), tf.sum(tf.mul(h1, h2), 1));
  return tf.sum(tf.square(tf.sub(predicted, inputs.ratingValues)));
}

/** Σ M ⊙ (L·Vᵀ − T)², unweighted; L = U1 with T = X, or U2 with T = Y. */
export function maskedResidual(L: tf.Tensor2D, V: tf.Tensor2D, T: tf.Tensor2D, mask: tf.Tensor2D | null): tf.Scalar {
  return maskedSquaredError(matMulNT(L, V), T, mask);
}

/** The λy-term's residual sum Σ M_Y ⊙ (U2Vᵀ − Y)², with M_Y from this Y. */
export function qualityLoss(f: FactorTensors, Y: tf.Tensor2D, residuals: Residuals): tf.Scalar {
  return maskedResidual(f.U2, f.V, Y, observedMask(Y, residuals));
}

export function regularisation(f: FactorTensors, w: EfmWeights): tf.Scalar {
  const sq = (t: tf.Tensor) => tf.sum(tf.square(t));
  return tf.addN([
    tf.mul(w.lambdaU, tf.add(sq(f.U1), sq(f.U2))),
    tf.mul(w.lambdaH, tf.add(sq(f.H1), sq(f.H2))),
    tf.mul(w.lambdaV, sq(f.V)),
  ]) as tf.Scalar;
}

/** Every term that does not read Y: Σ_obs(Ã−A)² + λx·X-term + regularisers. */
export function yFreeLoss(f: FactorTensors, inputs: EfmLossInputs, w: EfmWeights): tf.Scalar {
  return tf.addN([
    ratingLoss(f, inputs),
    tf.mul(w.lambdaX, maskedResidual(f.U1, f.V, inputs.X, inputs.maskX)),
    regularisation(f, w),
  ]) as tf.Scalar;
}

/** L_EFM(X, Y | Θ). */
export function efmLoss(f: FactorTensors, inputs: EfmLossInputs, Y: tf.Tensor2D, w: EfmWeights): tf.Scalar {
  return tf.add(yFreeLoss(f, inputs, w), tf.mul(w.lambdaY, qualityLoss(f, Y, inputs.residuals)));
}

/**
 * The defended objective (paper-brief §5): (1−λ)·L(X, Y) + λ·L(X, Y'). Only the λy-term reads Y,
 * so it is computed as the shared terms plus λy·[(1−λ)·Q(Y) + λ·Q(Y')], which is the same sum.
 * Y' must be a constant (stop-gradient): build it outside the gradient tape.
 */
export function adversarialLoss(
  f: FactorTensors,
  inputs: EfmLossInputs,
  Y: tf.Tensor2D,
  yAdv: tf.Tensor2D,
  w: EfmWeights,
  lambda: number,
): tf.Scalar {
  const clean = qualityLoss(f, Y, inputs.residuals);
  const adv = qualityLoss(f, yAdv, inputs.residuals);
  const mixed = tf.add(tf.mul(1 - lambda, clean), tf.mul(lambda, adv));
  return tf.add(yFreeLoss(f, inputs, w), tf.mul(w.lambdaY, mixed));
}

/**
 * ∇_Y L_EFM = −2λy · M_Y ⊙ (U2Vᵀ − Y). With 'observed' residuals M_Y is piecewise constant in Y
 * and 0 on zero entries, so the gradient there is 0 (sign 0: FGSM leaves zeros of Y alone);
 * this is also what tf.grad returns.
 */
export function efmGradY(U2: tf.Tensor2D, V: tf.Tensor2D, Y: tf.Tensor2D, lambdaY: number, residuals: Residuals): tf.Tensor2D {
  return tf.tidy(() => {
    const r = tf.sub(matMulNT(U2, V), Y);
    const mask = observedMask(Y, residuals);
    const masked = mask ? tf.mul(r, mask) : r;
    return tf.mul(-2 * lambdaY, masked) as tf.Tensor2D;
  });
}
