/**
 * `info`: which adapter Dawn gives TF.js here, through the project's own selectBackend (so the
 * report names what a worker would get), plus the few device limits that bound a cell's tensors.
 * Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../recsys/backend.ts';
import { installWebGpu } from '../../recsys/backends/webgpu.ts';

export async function info(): Promise<void> {
  const t0 = performance.now();
  const report = await selectBackend('webgpu');
  const adapter = await installWebGpu(); // memoised: the adapter selectBackend used
  const device = (tf.backend() as unknown as { device?: { limits?: Record<string, number> } }).device;
  const l = device?.limits ?? {};
  const names = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];
  const limits = Object.fromEntries(names.map((k) => [k, l[k] ?? null]));
  const initSeconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ ...adapter, backendDevice: report.device, tfjs: tf.version.tfjs, node: process.version, limits, initSeconds })}\n`);
}
