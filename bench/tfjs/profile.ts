/**
 * Where the time of a CER training step / explainer step goes on a TF.js backend: per-kernel
 * time (tf.profile: on WASM and CPU each kernel is timed by the wall clock around its call)
 * summed by kernel over --steps steps, against the wall time of the same steps run without the
 * profiler. wall − Σ kernels = per-op overhead outside the kernels (engine bookkeeping, gradient
 * tape, tidy/dispose, uploads, the event-loop yields).
 *
 *   npx tsx bench/tfjs/profile.ts --what train   --features 24 [--lambda 0.5 --eps 0.5]
 *   npx tsx bench/tfjs/profile.ts --what explain --features 24 --pairs 256   (one chunk, batched)
 *   npx tsx bench/tfjs/profile.ts --what explain --features 24 --pairs 1     (the per-pair loop's step)
 *
 * Prints one JSON line: wallMsPerStep, kernelMsPerStep, overheadShare, kernels [{name, calls, ms, share}].
 * Caveat: a kernel's time under the profiler includes the profiler's own per-kernel bookkeeping, and
 * the profiled run is separate from the timed one, so Σ kernels can come out a little above or below.
 * On native TensorFlow, CER's training step and dense layers call TensorFlow ops directly
 * (recsys/backends/native-ops.ts), which tf.profile does not see: there only the wall time is whole.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { CellConfigSchema, resolveCellConfig } from '../../recsys/config.ts';
import type { PreparedDataset } from '../../recsys/data/dataset.ts';
import { cerScores, explainerParams, gatherRows, initCerModel, optimiseDeltas, stepSettings, trainStep } from '../../recsys/models/cer/index.ts';
import { Rng } from '../../recsys/random.ts';
import { type BenchBackend, initBackend, loadavg1, nonNegativeInt, num, parseFlags, positiveInt, round, runMain, startCpuMeter, UsageError, versionFields } from './common.ts';

const USAGE = 'usage: profile.ts --what train|explain [--features 24] [--batch 128] [--pairs 256] [--steps 50] [--warmup 300] [--lambda 0] [--eps 0.5] [--backend wasm]';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), ['what', 'features', 'batch', 'pairs', 'steps', 'warmup', 'lambda', 'eps', 'backend', 'threads']);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const what = String(flags.what ?? 'train');
  if (what !== 'train' && what !== 'explain') throw new UsageError('--what must be train or explain');
  const F = num(flags, 'features', 24, positiveInt);
  const steps = num(flags, 'steps', 50, positiveInt);
  // V8 needs a few hundred steps to optimise tfjs-core's JS: without them the per-op overhead is overstated.
  const warmup = num(flags, 'warmup', 300, nonNegativeInt);
  const lambda = num(flags, 'lambda', 0, (v) => v >= 0 && v < 1);
  const eps = num(flags, 'eps', 0.5, (v) => v >= 0);
  const backend = await initBackend(String(flags.backend ?? 'wasm') as BenchBackend, num(flags, 'threads', 1, positiveInt));
  const config = resolveCellConfig(CellConfigSchema.parse({ dataset: { source: 'synthetic' }, model: 'cer', lambda, epsilonD: lambda > 0 ? eps : 0 }));
  const model = initCerModel(F, config.cer.hidden, Rng.derive(0, 'cer-init'));
  const rng = Rng.derive(0, 'bench/profile');

  /** Runs n steps (resolves when they are done). */
  let run: (n: number) => Promise<void>;
  let rows: number;
  if (what === 'train') {
    const B = num(flags, 'batch', 128, positiveInt);
    rows = B;
    const settings = stepSettings({ manifest: { maxRange: 5 } } as PreparedDataset, config);
    const n = B * 64;
    const X = rng.uniformArray(n * F, 0, 5);
    const Y = rng.uniformArray(n * F, 0, 5);
    const labels = Float32Array.from({ length: n }, () => rng.int(2));
    const ids = Int32Array.from({ length: n }, (_, k) => k);
    let pos = 0;
    run = async (k) => {
      for (let s = 0; s < k; s++) {
        if (pos + B > n) pos = 0;
        const x = tf.tensor2d(gatherRows(X, F, ids, pos, pos + B), [B, F]);
        const y = tf.tensor2d(gatherRows(Y, F, ids, pos, pos + B), [B, F]);
        const t = tf.tensor1d(labels.slice(pos, pos + B));
        pos += B;
        tf.dispose([trainStep(model, x, y, t, settings), x, y, t]);
      }
    };
  } else {
    const B = num(flags, 'pairs', 256, positiveInt);
    rows = B;
    const X = rng.uniformArray(B * F, 0, 5);
    for (let k = 0; k < X.length; k++) if (rng.next() >= 0.5) X[k] = 0;
    const Y = rng.uniformArray(B * F, 0, 5);
    const s = tf.tidy(() => cerScores(model, tf.tensor2d(X, [B, F]), tf.tensor2d(Y, [B, F])));
    const sc = s.dataSync();
    s.dispose();
    const pairs = Array.from({ length: B }, (_, k) => ({ user: k, item: k, marginScore: sc[k] - 0.05 }));
    const params = explainerParams(config, 5);
    // One chunk of B rows (B = 1: the step of the per-pair loop), k optimiser steps.
    run = async (k) => {
      await optimiseDeltas(model, X, Y, pairs, { ...params, steps: k });
    };
  }

  await run(warmup);
  // Unprofiled wall time: the best of 3 runs (the machine is shared).
  let wallMs = Number.POSITIVE_INFINITY;
  const stop = startCpuMeter();
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await run(steps);
    wallMs = Math.min(wallMs, performance.now() - t0);
  }
  const reading = stop();
  // Profiled: per-kernel times.
  const info = await tf.profile(() => run(steps) as unknown as tf.TensorContainer);
  // tf.profile also lists enclosing scopes (customGrad forwards: 'unnamed scope'; ops built from
  // kernels: '<op>__op'), whose nested kernels are listed on their own: summing them would count
  // that time twice, so scopes are left out of the sums.
  const isScope = (name: string) => name === 'unnamed scope' || name.endsWith('__op');
  const byName = new Map<string, { calls: number; ms: number }>();
  let kernelCalls = 0;
  for (const k of info.kernels) {
    if (isScope(k.name)) continue;
    kernelCalls++;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const v = byName.get(k.name) ?? { calls: 0, ms: 0 };
    v.calls++;
    v.ms += ms;
    byName.set(k.name, v);
  }
  const kernelMs = [...byName.values()].reduce((a, v) => a + v.ms, 0);
  const matmulMs = [...byName].filter(([n]) => /MatMul/.test(n)).reduce((a, [, v]) => a + v.ms, 0);
  const kernels = [...byName]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, v]) => ({ name, callsPerStep: round(v.calls / steps, 2), msPerStep: round(v.ms / steps, 4), shareOfWall: round(v.ms / wallMs, 4) }));
  const rec = {
    bench: 'tfjs-profile',
    what,
    variant: what === 'train' ? (lambda > 0 ? 'adversarial' : 'vanilla') : rows === 1 ? 'per-pair' : 'batched',
    framework: `tfjs-${backend.report.name}`,
    F,
    rows,
    steps,
    wallMsPerStep: round(wallMs / steps, 4),
    kernelMsPerStep: round(kernelMs / steps, 4),
    matmulMsPerStep: round(matmulMs / steps, 4),
    matmulShareOfWall: round(matmulMs / wallMs, 4),
    overheadShareOfWall: round(1 - kernelMs / wallMs, 4),
    kernelCallsPerStep: round(kernelCalls / steps, 1),
    overheadUsPerKernelCall: round(((wallMs - kernelMs) * 1000) / kernelCalls, 2),
    kernels,
    foreignCpuPct: reading.foreignPct === null ? null : round(reading.foreignPct, 1),
    loadavg1: loadavg1(),
    ...versionFields(backend),
  };
  process.stdout.write(`${JSON.stringify(rec)}\n`);
}

runMain(main, USAGE);
