/**
 * Host copies before synchronous reads. Most backends read tensors synchronously for free; WebGPU
 * in Node cannot (see webgpu.ts guardSyncReads), but it caches on the host whatever was read with
 * `await tensor.data()`. Calling cacheOnHost(ts) before code that uses dataSync() on ts keeps that
 * code synchronous and working on every backend, at the cost of one awaited read on WebGPU.
 */
import * as tf from '@tensorflow/tfjs';

export async function cacheOnHost(tensors: readonly tf.Tensor[]): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  await Promise.all(tensors.map((t) => t.data()));
}
