import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { gatherRowsFast, maskedSquaredError, matMulNT } from '../../../recsys/models/efm/ops.ts';
import { Rng } from '../../../recsys/random.ts';

afterAll(async () => {
  await selectBackend('wasm');
});

const rng = new Rng(4);
const A = rng.uniformArray(5 * 3, -1, 1);
const B = rng.uniformArray(4 * 3, -1, 1);
const T = rng.uniformArray(5 * 4, -1, 1);
const P = rng.uniformArray(5 * 4, -1, 1);
const M = Float32Array.from({ length: 20 }, (_, k) => (k % 3 === 0 ? 0 : 1));
const ids = Int32Array.from([2, 0, 2, 4, 2]);

const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k], 5);
};

describe.each(['cpu', 'wasm'] as const)('EFM kernels on %s match the stock ops', (backend) => {
  it('matMulNT: value and both gradients', async () => {
    await selectBackend(backend);
    tf.tidy(() => {
      const a = tf.tensor2d(A, [5, 3]);
      const b = tf.tensor2d(B, [4, 3]);
      const w = tf.tensor2d(T, [5, 4]);
      close(matMulNT(a, b).dataSync(), tf.matMul(a, b, false, true).dataSync());
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulNT(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
      const stock = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, false, true), w)))([a, b]);
      close(ours[0].dataSync(), stock[0].dataSync());
      close(ours[1].dataSync(), stock[1].dataSync());
    });
  });

  it('gatherRowsFast: value, and a gradient that sums repeated rows', async () => {
    await selectBackend(backend);
    tf.tidy(() => {
      const t = tf.tensor2d(A, [5, 3]);
      const i = tf.tensor1d(ids, 'int32');
      expect(Array.from(gatherRowsFast(t, i).dataSync())).toEqual(Array.from(tf.gather(t, i).dataSync()));
      const g = tf.grad((x: tf.Tensor) => tf.sum(gatherRowsFast(x as tf.Tensor2D, i)))(t).dataSync();
      // Row 2 is gathered 3 times, rows 0 and 4 once, rows 1 and 3 never.
      close(g, [1, 1, 1, 0, 0, 0, 3, 3, 3, 0, 0, 0, 1, 1, 1]);
    });
  });

  it('maskedSquaredError: value and both gradients, with and without a mask', async () => {
    await selectBackend(backend);
    tf.tidy(() => {
      const p = tf.tensor2d(P, [5, 4]);
      const t = tf.tensor2d(T, [5, 4]);
      for (const mask of [tf.tensor2d(M, [5, 4]), null]) {
        const stockFn = (x: tf.Tensor, y: tf.Tensor) => {
          const sq = tf.square(tf.sub(x, y));
          return tf.sum(mask ? tf.mul(sq, mask) : sq);
        };
        const oursFn = (x: tf.Tensor, y: tf.Tensor) => maskedSquaredError(x as tf.Tensor2D, y as tf.Tensor2D, mask);
        expect(oursFn(p, t).dataSync()[0]).toBeCloseTo(stockFn(p, t).dataSync()[0], 5);
        const ours = tf.grads(oursFn)([p, t]);
        const stock = tf.grads(stockFn)([p, t]);
        close(ours[0].dataSync(), stock[0].dataSync());
        close(ours[1].dataSync(), stock[1].dataSync());
      }
    });
  });
});
