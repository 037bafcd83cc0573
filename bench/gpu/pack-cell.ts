/**
 * `pack-cell`: one of k compute processes sharing the GPU, as a worker with --slots k runs its
 * cells (each attempt in a child process with its own TF.js engine and its own Dawn device;
 * activities/isolate.ts). It trains CER with the project's trainStep on synthetic data, batched
 * as bench/tfjs/cer_train.ts does, for a fixed wall time so that all k finish together.
 *
 * Protocol (stdin/stdout, one JSON line each): after the warm-up (which compiles every shader)
 * it prints {"phase":"ready"}, waits for a line "go" on stdin, trains for --seconds, and prints
 * {"phase":"done", ...}. The parent sends "go" to all k at once, so the timed windows overlap.
 * The window ends only when the GPU has finished the queued steps (an awaited read), so work the
 * CPU side queued ahead is counted in the time, not only submitted.
 */
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { CellConfigSchema, resolveCellConfig } from '../../recsys/config.ts';
import type { PreparedDataset } from '../../recsys/data/dataset.ts';
import { disposeCerModel, epochOrder, gatherRows, gatherValues, initCerModel, stepSettings, trainStep } from '../../recsys/models/cer/index.ts';
import { Rng } from '../../recsys/random.ts';
import { BENCH_BACKENDS, type BenchBackend, initBackend, nonNegativeInt, num, parseFlags, positiveInt, UsageError } from '../tfjs/common.ts';

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

export async function packCell(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, ['features', 'batch', 'warmup', 'seconds', 'lambda', 'eps', 'seed', 'sync-every', 'backend']);
  const F = num(flags, 'features', 24, positiveInt);
  const batch = num(flags, 'batch', 128, positiveInt);
  const warmup = num(flags, 'warmup', 20, positiveInt);
  const seconds = num(flags, 'seconds', 20, (v) => v > 0);
  const lambda = num(flags, 'lambda', 0, (v) => v >= 0 && v < 1);
  const eps = num(flags, 'eps', 0.5, (v) => v >= 0);
  const seed = num(flags, 'seed', 0, nonNegativeInt);
  // A real epoch reads its loss once per epoch (trainCerModel); a read every ≤ 64 batches is as
  // rare, and also bounds how far the CPU side may queue ahead of the GPU (see below).
  const maxSyncEvery = num(flags, 'sync-every', 64, positiveInt);
  const backendName = String(flags.backend ?? 'webgpu');
  if (!(BENCH_BACKENDS as readonly string[]).includes(backendName)) throw new UsageError(`--backend must be one of ${BENCH_BACKENDS.join(', ')}`);

  const t0 = performance.now();
  const backend = await initBackend(backendName as BenchBackend, 1);
  const maxRange = 5;
  const config = resolveCellConfig(
    CellConfigSchema.parse({ dataset: { source: 'synthetic' }, model: 'cer', lambda, epsilonD: lambda > 0 ? eps : 0, seed }),
  );
  const settings = stepSettings({ manifest: { maxRange } } as PreparedDataset, config);
  const model = initCerModel(F, config.cer.hidden, Rng.derive(seed, 'cer-init'));

  // Synthetic rows as cer_train.ts: (x_u, y_i) ~ U[0, 5]^F, random labels, shuffled full batches.
  const n = batch * 64;
  const rng = Rng.derive(seed, 'bench/data');
  const X = rng.uniformArray(n * F, 0, maxRange);
  const Y = rng.uniformArray(n * F, 0, maxRange);
  const labels = Float32Array.from({ length: n }, () => rng.int(2));
  const ids = Int32Array.from({ length: n }, (_, k) => k);
  let epoch = 1;
  let order = epochOrder(n, seed, epoch);
  let pos = 0;
  const step = (): tf.Scalar => {
    if (pos + batch > n) {
      order = epochOrder(n, seed, ++epoch);
      pos = 0;
    }
    const x = tf.tensor2d(gatherRows(X, F, ids, pos, pos + batch, order), [batch, F]);
    const y = tf.tensor2d(gatherRows(Y, F, ids, pos, pos + batch, order), [batch, F]);
    const t = tf.tensor1d(gatherValues(labels, pos, pos + batch, order));
    pos += batch;
    const loss = trainStep(model, x, y, t, settings);
    tf.dispose([x, y, t]);
    return loss;
  };
  let peakTfjsBytes = 0;
  const sync = async (loss: tf.Scalar): Promise<number> => {
    const v = (await loss.data())[0];
    loss.dispose();
    const m = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
    peakTfjsBytes = Math.max(peakTfjsBytes, m.numBytesAllocatedInGPU ?? m.numBytes);
    return v;
  };

  for (let k = 1; k < warmup; k++) step().dispose();
  await sync(step());
  // Submitting a step costs the CPU far less than running it on a slow device (lavapipe: ~0.1 s
  // vs ~1 s), so an unsynchronised loop would queue minutes of work into a few seconds' window.
  // Time a few completed steps, and read back often enough to keep ≤ ~0.25 s of work queued.
  const probe = Math.min(8, warmup);
  const p0 = performance.now();
  for (let k = 1; k < probe; k++) step().dispose();
  await sync(step());
  const stepSeconds = (performance.now() - p0) / 1000 / probe;
  const syncEvery = Math.max(1, Math.min(maxSyncEvery, Math.round(0.25 / stepSeconds)));
  say({ phase: 'ready', pid: process.pid, device: backend.report.device, initSeconds: (performance.now() - t0) / 1000, stepSeconds, syncEvery });

  await waitForGo();
  const start = performance.now();
  const limit = start + seconds * 1000;
  let steps = 0;
  let loss = 0;
  while (performance.now() < limit) {
    const l = step();
    steps++;
    if (steps % syncEvery === 0) loss = await sync(l);
    else l.dispose(); // disposal is deferred by the backend until the GPU is done with it
    if (steps % 8 === 0) await new Promise<void>((r) => setImmediate(r)); // as trainCerModel
  }
  loss = await sync(step()); // drains the queue: the window ends when the GPU is done
  steps++;
  const wall = (performance.now() - start) / 1000;
  disposeCerModel(model);
  say({
    phase: 'done',
    pid: process.pid,
    steps,
    seconds: wall,
    samplesPerSec: (steps * batch) / wall,
    msPerStep: (1000 * wall) / steps,
    finalLoss: loss,
    peakTfjsBytes,
    syncEvery,
    backend: backend.report.name,
  });
}

function waitForGo(): Promise<void> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (line.trim() !== 'go') return;
      resolve(); // before close(): its handler's reject must find the promise settled
      rl.close();
    });
    rl.on('close', () => reject(new Error('stdin closed before "go"')));
  });
}
