/**
 * One CER training step (paper-brief §3.1, §5): mean BCE, optional per-sample FGSM adversarial
 * term, plain SGD with PyTorch-style weight decay on every parameter (biases included).
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOps } from '../../backends/native-ops.ts';
import type { PerturbOptions } from '../../robust/perturb.ts';
import { type CerModel, cerLogits, cerParameters } from './mlp.ts';
import { nativeTrainStep } from './native-step.ts';

/**
 * Per-sample binary cross-entropy from logits: softplus(z) − t·z, which equals
 * −t·log σ(z) − (1−t)·log(1−σ(z)) (PyTorch BCELoss on the sigmoid output) without its log clamp
 * at −100; the clamp only matters for |z| > 100. Gradient w.r.t. z: σ(z) − t.
 */
export function bceFromLogits(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.softplus(logits), tf.mul(labels, logits)) as tf.Tensor1D);
}

/**
 * Per-sample BCE of the model on user rows x [B × F], item rows y [B × F]. trainable: whether
 * gradients flow to the weights (training) or only to the inputs (FGSM, attack); `transposed`:
 * see transposedKernels.
 */
export function sampleBce(
  model: CerModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  labels: tf.Tensor1D,
  trainable = false,
  transposed?: tf.Tensor2D[],
): tf.Tensor1D {
  return tf.tidy(() => bceFromLogits(cerLogits(model, tf.concat([x, y], 1), trainable, transposed), labels));
}

/** Mean BCE over the batch (PyTorch BCELoss default reduction). */
export function meanBce(model: CerModel, x: tf.Tensor2D, y: tf.Tensor2D, labels: tf.Tensor1D, trainable = false): tf.Scalar {
  return tf.tidy(() => tf.mean(sampleBce(model, x, y, labels, trainable)) as tf.Scalar);
}

/**
 * The FGSM rule on device, given g = ∂L/∂y: clip(y + ε·sign(g), 0, N); with nonZeroOnly, zero
 * entries of y stay 0 (A3). sign(0) = 0. Same rule as robust/perturb.ts fgsmStep.
 */
export function fgsmFromGradient(y: tf.Tensor2D, g: tf.Tensor, opts: PerturbOptions): tf.Tensor2D {
  return tf.tidy(() => {
    let adv = tf.clipByValue(tf.add(y, tf.mul(tf.sign(g), opts.epsilon)), 0, opts.maxRange);
    if (opts.nonZeroOnly) adv = tf.where(tf.equal(y, 0), y, adv);
    return adv as tf.Tensor2D;
  });
}

/**
 * Per-sample FGSM on the batch's item rows (A11): g = ∂L_clean/∂y (L_clean the batch mean BCE),
 * y_adv = fgsmFromGradient(y, g). The result is a plain tensor: no gradient flows through it.
 */
export function fgsmItemRows(model: CerModel, x: tf.Tensor2D, y: tf.Tensor2D, labels: tf.Tensor1D, opts: PerturbOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const g = tf.grad((yy: tf.Tensor) => meanBce(model, x, yy as tf.Tensor2D, labels))(y);
    return fgsmFromGradient(y, g, opts);
  });
}

/** L = (1 − λ)·L_clean + λ·L_adv with y_adv held constant (paper-brief §5). */
export function adversarialLoss(
  model: CerModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  yAdv: tf.Tensor2D,
  labels: tf.Tensor1D,
  lambda: number,
): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(tf.mul(meanBce(model, x, y, labels, true), 1 - lambda), tf.mul(meanBce(model, x, yAdv, labels, true), lambda)) as tf.Scalar,
  );
}

export interface StepSettings {
  learningRate: number;
  weightDecay: number;
  /** λ of the defense; 0 = vanilla, and then the adversarial branch is never computed. */
  lambda: number;
  /** ε_D, N and A3 for the adversarial branch. */
  perturb: PerturbOptions;
}

/**
 * Gradients of the batch's training loss w.r.t. every parameter (cerParameters order), and the loss.
 *
 * λ = 0: one pass on the mean BCE; the adversarial branch is never computed.
 * λ > 0: pass 1 gives L_clean with its gradients w.r.t. the parameters AND the item rows y (one
 * backward pass); y_adv = FGSM(y, ∂L_clean/∂y) is then a constant (stop-gradient); pass 2 gives
 * L_adv and its parameter gradients; the result is (1−λ)·clean + λ·adv, term by term. Same
 * gradient as differentiating adversarialLoss with y_adv fixed, one forward/backward pass cheaper.
 */
export function lossAndGradients(
  model: CerModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  labels: tf.Tensor1D,
  settings: Pick<StepSettings, 'lambda' | 'perturb'>,
): { loss: tf.Scalar; grads: tf.Tensor[]; yAdv?: tf.Tensor2D } {
  const params = cerParameters(model);
  const lambda = settings.lambda;
  if (!(lambda > 0)) {
    const { value, grads } = tf.variableGrads(() => meanBce(model, x, y, labels, true), params);
    return { loss: value, grads: params.map((p) => grads[p.name]) };
  }
  const clean = tf.valueAndGrads((...args: tf.Tensor[]) => meanBce(model, x, args[0] as tf.Tensor2D, labels, true))([y, ...params]);
  const [gy, ...gClean] = clean.grads;
  const yAdv = fgsmFromGradient(y, gy, settings.perturb);
  gy.dispose();
  const adv = tf.variableGrads(() => meanBce(model, x, yAdv, labels, true), params);
  const loss = tf.tidy(() => tf.add(tf.mul(clean.value, 1 - lambda), tf.mul(adv.value, lambda)) as tf.Scalar);
  const grads = params.map((p, i) => tf.tidy(() => tf.add(tf.mul(gClean[i], 1 - lambda), tf.mul(adv.grads[p.name], lambda))));
  tf.dispose([clean.value, ...gClean, adv.value, ...Object.values(adv.grads)]);
  return { loss, grads, yAdv };
}

/** PyTorch SGD without momentum: d = g + wd·p; p ← p − lr·d. Disposes the gradients. */
export function applySgd(params: tf.Variable[], grads: tf.Tensor[], learningRate: number, weightDecay: number): void {
  // The two scalars once for all parameters: a number operand would be uploaded at every op.
  const lr = tf.scalar(learningRate);
  const wd = tf.scalar(weightDecay);
  params.forEach((p, i) => {
    const g = grads[i];
    const next = tf.tidy(() => {
      const d = weightDecay === 0 ? g : tf.add(g, tf.mul(p, wd));
      return tf.sub(p, tf.mul(d, lr));
    });
    p.assign(next);
    next.dispose();
    g.dispose();
  });
  tf.dispose([lr, wd]);
}

/**
 * One SGD step on one batch; returns the batch loss (caller disposes). On native TensorFlow the
 * same step runs as plain TensorFlow ops (native-step.ts), elsewhere through TF.js's gradient tape.
 */
export function trainStep(model: CerModel, x: tf.Tensor2D, y: tf.Tensor2D, labels: tf.Tensor1D, settings: StepSettings): tf.Scalar {
  const ops = nativeOps();
  if (ops) return nativeTrainStep(ops, model, x, y, labels, settings);
  return tapedTrainStep(model, x, y, labels, settings);
}

/** trainStep through TF.js's gradient tape (every backend). */
export function tapedTrainStep(model: CerModel, x: tf.Tensor2D, y: tf.Tensor2D, labels: tf.Tensor1D, settings: StepSettings): tf.Scalar {
  const { loss, grads, yAdv } = lossAndGradients(model, x, y, labels, settings);
  yAdv?.dispose();
  applySgd(cerParameters(model), grads, settings.learningRate, settings.weightDecay);
  return loss;
}
