/**
 * Two TF.js kernels EFM leans on, in the forms that are fast on the WASM backend (measured on
 * 2 cores, Node 20, tfjs 4.22; 4000×40 factors, 200 features, 30 000 ratings):
 *
 * - a·bᵀ: wasm's matMul with a transpose flag took 70–115 ms where an explicit tf.transpose of
 *   the small operand plus a flag-free matMul took 4–23 ms. matMulNT does that in the forward
 *   pass and in both gradients.
 * - row gather: wasm's GatherV2 took 135–165 ms for 30 000 rows of 40 where gatherND took
 *   5–16 ms (on cpu gatherND is the slow one: 524 vs 199 ms). gatherRowsFast picks per backend;
 *   the gradient is a scatterND either way (the stock gather gradient fails on wasm, deps.md §2).
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../../tensor-ops.ts';

/** a [m×r] · bᵀ (b [p×r]) → [m×p], with flag-free matMuls in value and gradients. */
export function matMulNT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad(((x: tf.Tensor2D, y: tf.Tensor2D) => ({
    value: tf.matMul(x, tf.transpose(y)),
    gradFunc: (dy: tf.Tensor2D) => [tf.matMul(dy, y), tf.transpose(tf.matMul(tf.transpose(x), dy))],
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b) as tf.Tensor2D;
}

/** tf.gather(table, ids) along rows with a scatterND gradient, fast on wasm and elsewhere. */
export function gatherRowsFast(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return gatherRows(table, ids);
  const op = tf.customGrad(((t: tf.Tensor2D) => {
    const index = tf.expandDims(ids, 1);
    return {
      value: tf.gatherND(t, index) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor) => tf.scatterND(index, dy, t.shape),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(table) as tf.Tensor2D;
}

/**
 * Σ M ⊙ (P − T)² with a fused gradient: with r = M ⊙ (P − T) (M ∈ {0,1}), value Σ r² and
 * gradients 2r·dy for P and −2r·dy for T. The mask is a constant (its true derivative, that of
 * a step, is 0). The stock chain (sub, square, mul, sum and their gradients) spent most of an
 * iteration in element-wise ops over [n × p] on wasm.
 */
export function maskedSquaredError(P: tf.Tensor2D, T: tf.Tensor2D, mask: tf.Tensor2D | null): tf.Scalar {
  const op = tf.customGrad(((p: tf.Tensor2D, t: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const diff = tf.sub(p, t);
    const r = mask ? tf.mul(diff, mask) : diff;
    // Intermediates of a custom forward are freed when it returns unless saved for the backward.
    save([r]);
    return {
      value: tf.sum(tf.square(r)),
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
        const g = tf.mul(saved[0], tf.mul(dy, 2));
        return [g, tf.neg(g)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(P, T) as tf.Scalar;
}
