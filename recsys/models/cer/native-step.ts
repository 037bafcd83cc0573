/**
 * CER's training step on native TensorFlow, written out in TensorFlow ops: the forward pass, the
 * backward pass derived by hand, and SGD. The maths is step.ts's (lossAndGradients + applySgd);
 * only the route differs. On tfjs-node every TF.js kernel call costs ~10 µs of engine and binding
 * overhead and several kernels expand into many TensorFlow ops, so the taped step (~110 op calls)
 * spent more time calling ops than computing; this one is ~40 calls, without a gradient tape.
 * test/backends/native-dense.test.ts checks that both routes give the same weights.
 *
 * Backward pass of the MLP h_{l+1} = relu(h_l·W_l + b_l), z = h_L·W_L + b_L, per-sample loss
 * softplus(z) − t·z (BCE from logits), mean over the batch:
 *   dz_L = (σ(z) − t) / B · dW_l = h_lᵀ·dz_l · db_l = Σ_rows dz_l · dh_l = dz_l·W_lᵀ
 *   dz_{l−1} = dh_l ⊙ 1[h_l > 0], and 1[h_l > 0] = sign(h_l) since h_l = relu(·) ≥ 0.
 * (TensorFlow's ReluGrad does it in one op, but its CPU kernel is ~2× slower than Sign + Mul.)
 *
 * Gradients are linear in dz_L, so every factor that step.ts applies to whole gradients is
 * applied to dz_L (a B-vector) instead of to every weight matrix:
 *   - SGD: p ← p − lr·(g + wd·p) = p − (g' + (lr·wd)·p) with g' the gradient of lr·dz_L: three
 *     passes over the weights instead of four (the update is memory-bound);
 *   - adversarial (λ > 0): (1 − λ)·clean + λ·adv, each pass's dz_L scaled by its weight. Pass 1 on
 *     the clean item rows gives ∂L_clean/∂y (scaled by lr·(1 − λ) > 0, which keeps every sign)
 *     and y_adv by FGSM; pass 2 runs on y_adv.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeOps } from '../../backends/native-ops.ts';
import { type CerModel, cerParameters } from './mlp.ts';
import type { StepSettings } from './step.ts';

interface Pass {
  /** Layer inputs h_0 (= concat(x, y)), h_1, …, h_L; the layer outputs after ReLU. */
  inputs: tf.Tensor2D[];
  /** Logits [B × 1]. */
  z: tf.Tensor2D;
}

function forward(ops: NativeOps, model: CerModel, input: tf.Tensor2D): Pass {
  const inputs = [input];
  const last = model.kernels.length - 1;
  let h = input;
  for (let l = 0; l <= last; l++) {
    h = ops.dense(h, model.kernels[l], model.biases[l], l < last);
    if (l < last) inputs.push(h);
  }
  return { inputs, z: h };
}

/** Parameter gradients (cerParameters order) for the given dz_L, and dh_0 when asked for. */
function backward(ops: NativeOps, model: CerModel, pass: Pass, dzLast: tf.Tensor2D, inputGradient: boolean): { grads: tf.Tensor[]; dInput?: tf.Tensor2D } {
  const grads: tf.Tensor[] = new Array(2 * model.kernels.length);
  let dz = dzLast;
  let dInput: tf.Tensor2D | undefined;
  for (let l = model.kernels.length - 1; l >= 0; l--) {
    const h = pass.inputs[l];
    grads[2 * l] = ops.matMul(h, dz, true, false);
    grads[2 * l + 1] = ops.biasAddGrad(dz);
    if (l === 0 && !inputGradient) break;
    const dh = ops.matMul(dz, model.kernels[l], false, true);
    if (l === 0) dInput = dh;
    else dz = ops.mul(dh, ops.sign(h));
  }
  return { grads, dInput };
}

/** Batch-mean BCE, and its gradient w.r.t. the logits times `weight`. */
function lossAndLogitGradient(ops: NativeOps, z: tf.Tensor2D, t: tf.Tensor2D, weight: number): { loss: tf.Scalar; dz: tf.Tensor2D } {
  const loss = ops.meanAll(ops.sub(ops.softplus(z), ops.mul(t, z)));
  const dz = ops.mul(ops.sub(ops.sigmoid(z), t), tf.scalar(weight / z.shape[0]));
  return { loss, dz };
}

/** One SGD step on one batch, as step.ts trainStep; returns the batch loss (caller disposes). */
export function nativeTrainStep(ops: NativeOps, model: CerModel, x: tf.Tensor2D, y: tf.Tensor2D, labels: tf.Tensor1D, settings: StepSettings): tf.Scalar {
  const { lambda, perturb, learningRate: lr } = settings;
  if (!(lr > 0)) throw new RangeError(`CER learning rate must be > 0, got ${lr}`);
  return tf.tidy(() => {
    const t = ops.column(labels);
    const clean = forward(ops, model, ops.concatColumns(x, y));
    if (!(lambda > 0)) {
      const { loss, dz } = lossAndLogitGradient(ops, clean.z, t, lr);
      applySteps(ops, model, backward(ops, model, clean, dz, false).grads, settings);
      return loss;
    }
    const c = lossAndLogitGradient(ops, clean.z, t, lr * (1 - lambda));
    const cleanGrads = backward(ops, model, clean, c.dz, true);
    // FGSM on the item rows (step.ts fgsmFromGradient): clip(y + ε·sign(g), 0, N), zeros kept (A3).
    const g = ops.lastColumns(cleanGrads.dInput!, y.shape[1]);
    let yAdv = ops.clip(ops.add(y, ops.mul(ops.sign(g), tf.scalar(perturb.epsilon))), tf.scalar(0), tf.scalar(perturb.maxRange));
    if (perturb.nonZeroOnly) yAdv = ops.keepZeros(y, yAdv);
    const adv = forward(ops, model, ops.concatColumns(x, yAdv));
    const a = lossAndLogitGradient(ops, adv.z, t, lr * lambda);
    const advGrads = backward(ops, model, adv, a.dz, false).grads;
    applySteps(ops, model, cleanGrads.grads.map((gc, i) => ops.add(gc, advGrads[i])), settings);
    return ops.add(ops.mul(c.loss, tf.scalar(1 - lambda)), ops.mul(a.loss, tf.scalar(lambda)));
  });
}

/** p ← p − (s + (lr·wd)·p) for each parameter, s = lr·g its step (see the header). */
function applySteps(ops: NativeOps, model: CerModel, steps: tf.Tensor[], settings: Pick<StepSettings, 'learningRate' | 'weightDecay'>): void {
  const decay = tf.scalar(settings.learningRate * settings.weightDecay);
  cerParameters(model).forEach((p, i) => {
    p.assign(ops.sub(p, settings.weightDecay === 0 ? steps[i] : ops.add(steps[i], ops.mul(p, decay))));
  });
}
