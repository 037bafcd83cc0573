/**
 * The per-iteration FGSM of adversarial training (paper-brief §5), on the device:
 *   Y' = clip(Y + ε_D · sign(∇_Y L_EFM(Θ_t)), 0, N), zeros kept when perturbNonZeroOnly (A3).
 * Same semantics as robust/perturb.ts fgsmStep (which the one-shot attack uses on the host);
 * for an ε representable in float32 the two agree bit for bit (tested).
 */
import * as tf from '@tensorflow/tfjs';
import type { PerturbOptions } from '../../robust/perturb.ts';
import { efmGradY, type Residuals } from './loss.ts';

/** A constant Y' (no gradient flows into it). Call inside tf.tidy. */
export function fgsmY(
  U2: tf.Tensor2D,
  V: tf.Tensor2D,
  Y: tf.Tensor2D,
  lambdaY: number,
  residuals: Residuals,
  opts: PerturbOptions,
): tf.Tensor2D {
  const g = efmGradY(U2, V, Y, lambdaY, residuals);
  return fgsmStepTensor(Y, g, opts);
}

export function fgsmStepTensor(Y: tf.Tensor2D, gradient: tf.Tensor2D, opts: PerturbOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const stepped = tf.clipByValue(tf.add(Y, tf.mul(tf.sign(gradient), opts.epsilon)), 0, opts.maxRange);
    const out = opts.nonZeroOnly ? tf.where(tf.greater(Y, 0), stepped, Y) : stepped;
    return out as tf.Tensor2D;
  });
}
