/**
 * Small TF.js helpers shared by the models.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * tf.gather whose gradient is a scatterND instead of UnsortedSegmentSum: the WASM backend has no
 * UnsortedSegmentSum kernel and the CPU one is O(segments·batch) (deps.md §2.2). scatterND sums
 * duplicate indices, so this is the exact gradient.
 */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad(((t: tf.Tensor) => {
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy: tf.Tensor) => tf.scatterND(ids.expandDims(1), dy, t.shape),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(table) as tf.Tensor2D;
}

/** True when every value is finite (used to fail a diverging cell instead of training on NaN). */
export function isFiniteNumber(x: number): boolean {
  return Number.isFinite(x);
}
