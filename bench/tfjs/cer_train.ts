/**
 * TF.js side of bench/pytorch/cer_train.py: training throughput of the CER base recommender, with
 * the PROJECT's code: the model is recsys/models/cer initCerModel (2F → 1024 → 256 → 1, PyTorch
 * initialisation), each step is recsys/models/cer trainStep with the settings of stepSettings on a
 * default cell config (SGD lr 5e-4, weight decay 1e-5, batch 128; --lambda/--eps switch on the
 * defended-cell step: per-sample FGSM on the item half, L = (1−λ)L_clean + λL_adv). Batches are
 * built like trainCerModel does: gatherRows of the shuffled rows on the JS side, one upload per
 * batch, a yield to the event loop every 8 batches.
 *
 * Inputs are synthetic like the PyTorch script: n rows of (x_u, y_i), each U[0, 5]^F, labels random
 * 0/1. Prints one JSON line with the PyTorch script's schema; framework "tfjs-<backend>".
 *
 *   npx tsx bench/tfjs/cer_train.ts --features 24 --threads 1 [--lambda 0.5 --eps 0.5] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { CellConfigSchema, resolveCellConfig } from '../../recsys/config.ts';
import type { PreparedDataset } from '../../recsys/data/dataset.ts';
import { cerParameters, disposeCerModel, epochOrder, gatherRows, gatherValues, initCerModel, stepSettings, trainStep } from '../../recsys/models/cer/index.ts';
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

const USAGE = `usage: cer_train.ts [--features F] [--batch 128] [--steps 300] [--warmup 30] [--repeats 3] [--threads N]
                    [--samples n] [--lambda 0] [--eps 0.5] [--seed 0] [--max-foreign 10] [--own-cores-ok] [--dataloader (ignored)]
                    [--backend wasm|cpu|tensorflow|webgpu]`;

/** setImmediate, as recsys/models/cer/event-loop.ts (trainCerModel yields every 8 batches). */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  // --dataloader (PyTorch's DataLoader feed) is accepted for flag parity; TF.js always batches the
  // project's way (gatherRows + one upload per batch), recorded as dataloader: false.
  const flags = parseFlags(
    process.argv.slice(2),
    ['features', 'batch', 'steps', 'warmup', 'repeats', 'threads', 'samples', 'lambda', 'eps', 'seed', 'backend', 'max-foreign'],
    ['dataloader', 'own-cores-ok'],
  );
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const F = num(flags, 'features', 24, positiveInt);
  const batch = num(flags, 'batch', 128, positiveInt);
  const steps = num(flags, 'steps', 300, positiveInt);
  const warmup = num(flags, 'warmup', 30, nonNegativeInt);
  const repeats = num(flags, 'repeats', 3, positiveInt);
  const threads = num(flags, 'threads', defaultThreads(), positiveInt);
  const samples = num(flags, 'samples', 0, nonNegativeInt);
  const lambda = num(flags, 'lambda', 0, (v) => v >= 0 && v < 1);
  const eps = num(flags, 'eps', 0.5, (v) => v >= 0);
  const seed = num(flags, 'seed', 0, nonNegativeInt);
  const maxForeign = num(flags, 'max-foreign', 10);
  const backendName = String(flags.backend ?? 'wasm');
  if (!(BENCH_BACKENDS as readonly string[]).includes(backendName)) throw new UsageError(`--backend must be one of ${BENCH_BACKENDS.join(', ')}`);

  const backend = await initBackend(backendName as BenchBackend, threads);
  const maxRange = 5;

  // The project's settings of one training step, from a default cell config (λ, ε_D from the flags).
  const config = resolveCellConfig(
    CellConfigSchema.parse({ dataset: { source: 'synthetic' }, model: 'cer', lambda, epsilonD: lambda > 0 ? eps : 0, seed }),
  );
  const settings = stepSettings({ manifest: { maxRange } } as PreparedDataset, config);
  const model = initCerModel(F, config.cer.hidden, Rng.derive(seed, 'cer-init'));

  const n = samples || batch * 64;
  const rng = Rng.derive(seed, 'bench/data');
  const X = rng.uniformArray(n * F, 0, maxRange);
  const Y = rng.uniformArray(n * F, 0, maxRange);
  const labels = Float32Array.from({ length: n }, () => rng.int(2));
  const ids = Int32Array.from({ length: n }, (_, k) => k);

  // Endless shuffled epochs, full batches only (as the PyTorch script's next_full).
  let epoch = 0;
  let order = epochOrder(n, seed, ++epoch);
  let pos = 0;
  let b = 0;
  async function step(): Promise<tf.Scalar> {
    if (pos + batch > n && n >= batch) {
      order = epochOrder(n, seed, ++epoch);
      pos = 0;
    }
    const s = pos;
    const e = Math.min(n, s + batch);
    pos = e;
    const rows = e - s;
    const x = tf.tensor2d(gatherRows(X, F, ids, s, e, order), [rows, F]);
    const y = tf.tensor2d(gatherRows(Y, F, ids, s, e, order), [rows, F]);
    const t = tf.tensor1d(gatherValues(labels, s, e, order));
    const loss = trainStep(model, x, y, t, settings);
    tf.dispose([x, y, t]);
    if (b++ % 8 === 7) await yieldToEventLoop();
    return loss;
  }

  for (let k = 0; k < warmup; k++) (await step()).dispose();
  const tensorsAfterWarmup = tf.memory().numTensors;

  const block = async (): Promise<number> => {
    let loss: tf.Scalar | undefined;
    for (let k = 0; k < steps; k++) {
      loss?.dispose();
      loss = await step();
    }
    // Forces completion (WASM/CPU run synchronously anyway); async because WebGPU in Node has no sync read.
    const value = (await loss!.data())[0];
    loss!.dispose();
    return value;
  };
  const loadBefore = loadavg1();
  const m = await timedRepeats(block, repeats, maxForeign, 0, 5, flags['own-cores-ok'] ? backend.threads : 0);
  const finalLoss = m.result;
  const leaked = tf.memory().numTensors - tensorsAfterWarmup;
  const seconds = m.seconds;
  const paramCount = cerParameters(model).reduce((a, p) => a + p.size, 0);
  disposeCerModel(model);

  const rec = {
    framework: `tfjs-${backend.report.name}`,
    device: 'cpu',
    threads: backend.threads,
    threadsRequested: threads,
    F,
    batch,
    steps,
    seconds: round(seconds, 6),
    samplesPerSec: round((steps * batch) / seconds, 1),
    variant: lambda > 0 ? 'adversarial' : 'vanilla',
    lambda,
    eps: lambda > 0 ? eps : 0,
    warmup,
    repeats,
    msPerStep: round((1000 * seconds) / steps, 4),
    samplesPerSecBest: round((steps * batch) / m.fields.secondsMin, 1),
    dataloader: false,
    ...(flags.dataloader ? { dataloaderIgnored: true } : {}),
    finalLoss: round(finalLoss, 6),
    ...m.fields,
    loadavg1Before: loadBefore,
    hidden: config.cer.hidden,
    learningRate: settings.learningRate,
    weightDecay: settings.weightDecay,
    params: paramCount,
    leakedTensors: leaked,
    ...versionFields(backend),
  };
  process.stdout.write(`${JSON.stringify(rec)}\n`);
}

runMain(main, USAGE);
