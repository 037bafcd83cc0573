/**
 * Batched scoring s = σ(f(X_u, Y_j)) of many rows, the rows filled on the JS side batch by batch
 * (bounded memory whatever the number of rows).
 */
import * as tf from '@tensorflow/tfjs';
import { yieldToEventLoop } from './event-loop.ts';
import { type CerModel, cerScores } from './mlp.ts';

/** Fills x and y (each [rows × F], zeroed) with the inputs of rows [start, end). */
export type RowFiller = (start: number, end: number, x: Float32Array, y: Float32Array) => void;

export async function scoreRows(model: CerModel, rowCount: number, fill: RowFiller, batchSize = 8192): Promise<Float32Array> {
  const F = model.featureCount;
  const out = new Float32Array(rowCount);
  for (let s = 0; s < rowCount; s += batchSize) {
    const e = Math.min(rowCount, s + batchSize);
    const x = new Float32Array((e - s) * F);
    const y = new Float32Array((e - s) * F);
    fill(s, e, x, y);
    const scores = tf.tidy(() => cerScores(model, tf.tensor2d(x, [e - s, F]), tf.tensor2d(y, [e - s, F])));
    out.set((await scores.data()) as Float32Array, s);
    scores.dispose();
    await yieldToEventLoop();
  }
  return out;
}

/** Scores of explicit (user, item) pairs. */
export function scorePairs(model: CerModel, X: Float32Array, Y: Float32Array, users: ArrayLike<number>, items: ArrayLike<number>, batchSize?: number): Promise<Float32Array> {
  const F = model.featureCount;
  return scoreRows(
    model,
    users.length,
    (s, e, x, y) => {
      for (let k = s; k < e; k++) {
        x.set(X.subarray(users[k] * F, users[k] * F + F), (k - s) * F);
        y.set(Y.subarray(items[k] * F, items[k] * F + F), (k - s) * F);
      }
    },
    batchSize,
  );
}
