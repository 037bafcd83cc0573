/**
 * TF.js side of bench/pytorch/explainer.py: throughput of the CER counterfactual explainer, with
 * the PROJECT's code (recsys/models/cer explainPairs / explainPairsOneByOne, explainerParams of a
 * default cell config: SGD lr 0.01, λ = 200, α = 0.05, γ = 1, mask threshold 0.1, user mask on).
 *
 *   --mode batched   (default) explainPairs: all B pairs optimised at once as one Δ [B × F]
 *                    (the project's chunkSize, 4096 by default, bounds the chunk; --chunk overrides)
 *   --mode per-pair  explainPairsOneByOne: the same optimisation one pair at a time (Δ [1 × F]),
 *                    the reference's loop. Its cost is linear in B: time it on a small --pairs.
 *
 * Synthetic inputs as the PyTorch script: X_u, Y_i ~ U[0, 5]^F with a fraction (1 − mask density)
 * of X_u set to 0; the base model has random initial weights (initCerModel); the margin score is
 * s(X_u, Y_i) − 0.05, so the hinge is active at the start. None of this changes the cost per step.
 *
 * Prints one JSON line with the PyTorch script's schema; framework "tfjs-<backend>".
 * pairsPerSec = complete explanations per second = B·steps / (seconds·--full-steps), --full-steps
 * 1000 as in the reference code (the cost per step is constant, so a shorter --steps run measures
 * the same rate); rowStepsPerSec = B·steps / seconds.
 */
import * as tf from '@tensorflow/tfjs';
import { CellConfigSchema, resolveCellConfig } from '../../recsys/config.ts';
import { cerScores, disposeCerModel, explainPairs, explainPairsOneByOne, explainerParams, initCerModel } from '../../recsys/models/cer/index.ts';
import type { Explanation, RecommendedPair } from '../../recsys/models/explainable-model.ts';
import { Rng } from '../../recsys/random.ts';
import {
  BENCH_BACKENDS,
  type BenchBackend,
  defaultThreads,
  initBackend,
  loadavg1,
  nonNegativeInt,
  num,
  parseFlags,
  positiveInt,
  round,
  runMain,
  timedRepeats,
  UsageError,
  versionFields,
} from './common.ts';

const USAGE = `usage: explainer.ts [--features F] [--pairs 256] [--steps 1000] [--full-steps 1000] [--warmup 20] [--repeats 3] [--threads N]
                    [--mode batched|per-pair] [--chunk rows] [--lam 200] [--alp 0.05] [--gam 1] [--lr 0.01]
                    [--mask-thresh 0.1] [--mask-density 0.5] [--margin-gap 0.05] [--seed 0] [--max-foreign 10] [--own-cores-ok]
                    [--backend wasm|cpu|tensorflow|webgpu]`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), [
    'features', 'pairs', 'steps', 'full-steps', 'warmup', 'repeats', 'threads', 'mode', 'chunk', 'lam', 'alp', 'gam', 'lr',
    'mask-thresh', 'mask-density', 'margin-gap', 'seed', 'backend', 'max-foreign',
  ], ['own-cores-ok']);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const F = num(flags, 'features', 24, positiveInt);
  const B = num(flags, 'pairs', 256, positiveInt);
  const steps = num(flags, 'steps', 1000, positiveInt);
  const fullSteps = num(flags, 'full-steps', 1000, positiveInt);
  const warmup = num(flags, 'warmup', 20, nonNegativeInt);
  const repeats = num(flags, 'repeats', 3, positiveInt);
  const threads = num(flags, 'threads', defaultThreads(), positiveInt);
  const mode = String(flags.mode ?? 'batched');
  if (mode !== 'batched' && mode !== 'per-pair') throw new UsageError('--mode must be batched or per-pair');
  const maskDensity = num(flags, 'mask-density', 0.5, (v) => v > 0 && v <= 1);
  const marginGap = num(flags, 'margin-gap', 0.05);
  const seed = num(flags, 'seed', 0, nonNegativeInt);
  const maxForeign = num(flags, 'max-foreign', 10);
  const backendName = String(flags.backend ?? 'wasm');
  if (!(BENCH_BACKENDS as readonly string[]).includes(backendName)) throw new UsageError(`--backend must be one of ${BENCH_BACKENDS.join(', ')}`);

  const backend = await initBackend(backendName as BenchBackend, threads);
  const maxRange = 5;

  // The project's explainer settings from a default (Amazon-constant) cell config, flags on top.
  const config = resolveCellConfig(CellConfigSchema.parse({ dataset: { source: 'synthetic' }, model: 'cer', seed }));
  const base = explainerParams(config, maxRange);
  const params = {
    ...base,
    steps,
    lam: num(flags, 'lam', base.lam),
    alpha: num(flags, 'alp', base.alpha),
    gamma: num(flags, 'gam', base.gamma),
    learningRate: num(flags, 'lr', base.learningRate),
    maskThresh: num(flags, 'mask-thresh', base.maskThresh),
    chunkSize: num(flags, 'chunk', base.chunkSize, positiveInt),
  };
  const model = initCerModel(F, config.cer.hidden, Rng.derive(seed, 'cer-init'));

  // B pairs (user k, item k) over B-row X and Y.
  const rng = Rng.derive(seed, 'bench/explainer');
  const X = rng.uniformArray(B * F, 0, maxRange);
  for (let k = 0; k < X.length; k++) if (rng.next() >= maskDensity) X[k] = 0;
  const Y = rng.uniformArray(B * F, 0, maxRange);
  const s = tf.tidy(() => cerScores(model, tf.tensor2d(X, [B, F]), tf.tensor2d(Y, [B, F])));
  const scores = (await s.data()) as Float32Array;
  s.dispose();
  const pairs: RecommendedPair[] = Array.from({ length: B }, (_, k) => ({ user: k, item: k, marginScore: scores[k] - marginGap }));

  const explain = mode === 'batched' ? explainPairs : explainPairsOneByOne;
  if (warmup > 0) {
    // One chunk's worth (per-pair: one pair) of warm-up steps: compiles/allocates every kernel.
    const wp = mode === 'batched' ? pairs.slice(0, params.chunkSize) : pairs.slice(0, 1);
    await explain(model, X, Y, wp, { ...params, steps: warmup });
  }
  const tensorsAfterWarmup = tf.memory().numTensors;

  const loadBefore = loadavg1();
  const m = await timedRepeats(() => explain(model, X, Y, pairs, params), repeats, maxForeign, 0, 5, flags['own-cores-ok'] ? backend.threads : 0);
  const result: Explanation[] = m.result;
  const leaked = tf.memory().numTensors - tensorsAfterWarmup;
  disposeCerModel(model);
  const seconds = m.seconds;
  const explained = result.filter((e) => e.explained);
  const avgSize = explained.length ? explained.reduce((a, e) => a + e.features.length, 0) / explained.length : 0;

  const rec = {
    framework: `tfjs-${backend.report.name}`,
    device: 'cpu',
    bench: 'cer-explainer',
    mode,
    threads: backend.threads,
    threadsRequested: threads,
    F,
    pairs: B,
    steps,
    fullSteps,
    seconds: round(seconds, 6),
    pairsPerSec: round((B * steps) / (seconds * fullSteps), 2),
    rowStepsPerSec: round((B * steps) / seconds, 1),
    msPerStep: round((1000 * seconds) / steps, 4),
    pairsPerSecBest: round((B * steps) / (m.fields.secondsMin * fullSteps), 2),
    warmup,
    repeats,
    explained: explained.length,
    avgExplanationSize: round(avgSize, 4),
    lam: params.lam,
    alp: params.alpha,
    gam: params.gamma,
    lr: params.learningRate,
    chunkSize: mode === 'batched' ? Math.min(B, params.chunkSize) : 1,
    ...m.fields,
    loadavg1Before: loadBefore,
    leakedTensors: leaked,
    ...versionFields(backend),
  };
  process.stdout.write(`${JSON.stringify(rec)}\n`);
}

runMain(main, USAGE);
