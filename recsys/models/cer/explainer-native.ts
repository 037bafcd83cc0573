/**
 * One step of the counterfactual explainer on native TensorFlow, in TensorFlow ops with the
 * gradient derived by hand: the same row terms and ∂loss/∂Δ as explainer.ts tapedTerms (see the
 * loss there), ~60 op calls instead of ~150 TF.js kernels. Why: as native-step.ts.
 *
 * With dm = Δ ⊙ mask, pre = Y + clip(dm, −N, 0), Y* = clip(pre, 0, N), s = σ(f(X, Y*)),
 * u = s + alpha − margin:
 *   ∂bpr/∂z   = lam · 1[u > 0] · s(1 − s)                       (1[u > 0] = sign(relu(u)))
 *   ∂bpr/∂Y*  = the MLP's input gradient, item half (frozen weights, ReLU masks sign(h))
 *   ∂bpr/∂Δ   = ∂bpr/∂Y* · 1[0 ≤ pre ≤ N] · 1[−N ≤ dm ≤ 0] · mask   (TF.js's clip gradient: bounds included)
 *   ∂‖Δ‖₂/∂Δ  = 2Δ / (2·sqrt(ΣΔ² + 1e-12)), or 2Δ for 'l2-squared'
 *   ∂γ‖Δ‖₁/∂Δ = γ · sign(Δ)
 * test/models/cer/explainer-native.test.ts compares it with the taped terms.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeOps } from '../../backends/native-ops.ts';
import type { ExplainerChunk, ExplainerTerms } from './explainer.ts';

export interface NativeExplainer {
  terms(delta: tf.Tensor2D): ExplainerTerms;
  /** Releases the chunk's constants. */
  dispose(): void;
}

export function nativeExplainer(ops: NativeOps, chunk: ExplainerChunk): NativeExplainer {
  const { model, x, y, m, params } = chunk;
  const F = model.featureCount;
  const squared = params.complexityNorm === 'l2-squared';
  const last = model.kernels.length - 1;
  // Constants of the chunk, made once rather than uploaded at every step.
  const c = tf.tidy(() => ({
    margin: ops.column(chunk.margin),
    lam: tf.scalar(params.lam),
    alpha: tf.scalar(params.alpha),
    gamma: tf.scalar(params.gamma),
    zero: tf.scalar(0),
    one: tf.scalar(1),
    two: tf.scalar(2),
    tiny: tf.scalar(1e-12),
    range: tf.scalar(params.maxRange),
    minusRange: tf.scalar(-params.maxRange),
  }));
  const terms = (delta: tf.Tensor2D): ExplainerTerms =>
    tf.tidy(() => {
      // Forward.
      const dm = ops.mul(delta, m);
      const pre = ops.add(y, ops.clip(dm, c.minusRange, c.zero));
      const hidden: tf.Tensor2D[] = [];
      let h = ops.concatColumns(x, ops.clip(pre, c.zero, c.range));
      for (let l = 0; l <= last; l++) {
        h = ops.dense(h, model.kernels[l], model.biases[l], l < last);
        if (l < last) hidden.push(h);
      }
      const s = ops.sigmoid(h);
      const relu = ops.relu(ops.sub(ops.add(s, c.alpha), c.margin));
      const bpr = ops.mul(relu, c.lam);
      const sq = ops.rowSum(ops.mul(delta, delta));
      const l2 = squared ? sq : ops.sqrt(ops.add(sq, c.tiny));
      const sign = ops.sign(delta);
      const rowLoss = ops.add(ops.add(l2, bpr), ops.mul(ops.rowSum(ops.mul(delta, sign)), c.gamma));
      // Backward: the bpr term through the MLP and the two clips, then the norms.
      let dz = ops.mul(ops.mul(ops.sign(relu), c.lam), ops.mul(s, ops.sub(c.one, s)));
      for (let l = last; l >= 1; l--) dz = ops.mul(ops.matMul(dz, model.kernels[l], false, true), ops.sign(hidden[l - 1]));
      const dyStar = ops.lastColumns(ops.matMul(dz, model.kernels[0], false, true), F);
      const dDelta = ops.mul(ops.clipGrad(ops.clipGrad(dyStar, pre, c.zero, c.range), dm, c.minusRange, c.zero), m);
      const twoDelta = ops.mul(delta, c.two);
      const dL2 = squared ? twoDelta : ops.mul(twoDelta, ops.div(c.one, ops.mul(l2, c.two)));
      const grad = ops.add(ops.add(dL2, dDelta), ops.mul(sign, c.gamma));
      return {
        rowLoss: ops.uncolumn(rowLoss),
        bpr: ops.uncolumn(bpr),
        // The reported norm has no 1e-12.
        norm: ops.uncolumn(squared ? sq : ops.sqrt(sq)),
        grad,
      };
    });
  return { terms, dispose: () => tf.dispose(Object.values(c)) };
}
