/**
 * Peak memory of one CER cell, run with the project's code (recsys/cell/run-cell.ts runCell, or
 * recsys/data/prepare.ts prepareDataset alone with --phase prepare).
 *
 * What it records (one JSON line on stdout; progress on stderr):
 *   - peakRssBytes: the kernel's high-water mark of this process's resident set (VmHWM from
 *     /proc/self/status), exact; also snapshotted at every phase change (it is monotonic, so a
 *     phase's own peak shows only where it raises the mark);
 *   - sampled: process.memoryUsage() (rss, heapUsed, external, arrayBuffers), tf.memory() and the
 *     WASM heap size every --sample-ms (100) ms, with the maximum per phase. A timer only fires
 *     when the code yields (the explainer yields every step, training every 8 batches, scoring
 *     every 8192 rows; the synthetic generator never), so sampled peaks are lower bounds;
 *   - peakTfBytes: the exact high-water mark of tf.memory().numBytes (live tensor bytes), tracked
 *     at every tensor allocation (the engine's trackTensor is wrapped), overall and per phase.
 *     On WASM every tensor lives in the WebAssembly heap, which only grows: wasmHeapBytes.
 *
 * Phases: setup (backend) → data (prepare, or read the cached folder) → train → evaluate:<label>.
 *
 *   npx tsx bench/memory/cell_memory.ts --preset demo --cache /tmp/c            # configs/cell-demo.yaml
 *   npx tsx bench/memory/cell_memory.ts --preset kindle --phase prepare --cache /tmp/k
 *   npx tsx bench/memory/cell_memory.ts --preset kindle --cache /tmp/k           # cell on the cached data
 *
 * The kindle preset: synthetic 30,000 users × 20,000 items × 300 features, 20 reviews a user; the
 * demo's cell (CER, λ = 0.5, ε_D = 0.5) but 1 epoch, --steps explainer steps (5), one ε_A (0.5), every
 * test user explained (Amazon default) so the explainer's [chunk × F] tensors are at full size.
 * Memory does not depend on the number of steps or epochs; time does.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { requestedBackend, selectBackend } from '../../recsys/backend.ts';
import { runCell } from '../../recsys/cell/run-cell.ts';
import { loadYamlFile } from '../../recsys/config-file.ts';
import { CellConfigSchema, resolveCellConfig, type CellConfig, type CellConfigInput } from '../../recsys/config.ts';
import { prepareDataset } from '../../recsys/data/prepare.ts';

const USAGE = `usage: cell_memory.ts [--preset demo|kindle | --config FILE] [--phase cell|prepare] [--cache DIR]
        [--users n --items n --features n --reviews n] [--epochs n] [--steps n] [--epsilons 0.5,1] [--attacks fgsm,random]
        [--test-users n] [--chunk rows] [--backend wasm|cpu|tensorflow|auto] [--sample-ms 100]`;

const MB = 1024 * 1024;

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (!a.startsWith('--') || argv[k + 1] === undefined) {
      process.stderr.write(`${USAGE}\nerror: bad argument ${a}\n`);
      process.exit(2);
    }
    out[a.slice(2)] = argv[++k];
  }
  return out;
}

const KINDLE: CellConfigInput = {
  dataset: {
    source: 'synthetic',
    name: 'synthetic-kindle',
    synthetic: { users: 30000, items: 20000, features: 300, reviewsPerUser: 20, featuresPerReview: 3, seed: 0 },
  },
  model: 'cer',
  lambda: 0.5,
  epsilonD: 0.5,
  epsilonsA: [0.5],
  attacks: ['fgsm'],
  seed: 0,
  epochs: 1,
  cer: { learningRate: 0.05 },
  explainer: { steps: 5, learningRate: 0.03, testUsers: -1 },
};

async function loadConfig(a: Record<string, string>): Promise<CellConfig> {
  let input: Record<string, unknown>;
  const preset = a.preset ?? (a.config ? undefined : 'demo');
  if (a.config) input = structuredClone((await loadYamlFile(a.config, CellConfigSchema)) as unknown as Record<string, unknown>);
  else if (preset === 'demo') input = structuredClone((await loadYamlFile('configs/cell-demo.yaml', CellConfigSchema)) as unknown as Record<string, unknown>);
  else if (preset === 'kindle') input = structuredClone(KINDLE) as Record<string, unknown>;
  else throw new Error(`unknown preset ${preset}`);
  const c = input as Record<string, any>;
  const synthetic = c.dataset?.source === 'synthetic' ? (c.dataset.synthetic ??= {}) : undefined;
  const size: [string, string][] = [['users', 'users'], ['items', 'items'], ['features', 'features'], ['reviews', 'reviewsPerUser']];
  for (const [flag, key] of size) {
    if (a[flag] === undefined) continue;
    if (!synthetic) throw new Error(`--${flag} needs a synthetic dataset`);
    synthetic[key] = Number(a[flag]);
  }
  if (synthetic && size.some(([f]) => a[f] !== undefined)) c.dataset.name = `${c.dataset.name}-${synthetic.users}u${synthetic.items}i${synthetic.features}f`;
  if (a.epochs) c.epochs = Number(a.epochs);
  c.explainer ??= {};
  if (a.steps) c.explainer.steps = Number(a.steps);
  if (a['test-users']) c.explainer.testUsers = Number(a['test-users']);
  if (a.chunk) c.explainer.chunkSize = Number(a.chunk);
  if (a.epsilons) c.epsilonsA = a.epsilons.split(',').map(Number);
  if (a.attacks) c.attacks = a.attacks.split(',');
  if (a.backend) c.backend = a.backend;
  if (a.cache) c.datasetCache = a.cache;
  return CellConfigSchema.parse(c);
}

/** VmHWM / VmRSS of this process, bytes (Linux). */
function procStatus(): { hwm: number | null; rss: number | null } {
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => {
      const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s);
      return m ? Number(m[1]) * 1024 : null;
    };
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return { hwm: null, rss: null };
  }
}

interface PhaseStats {
  phase: string;
  startS: number;
  seconds?: number;
  /** VmHWM when the phase ended (cumulative high-water mark). */
  hwmAtEndMB?: number | null;
  sampledPeakRssMB: number;
  sampledPeakHeapUsedMB: number;
  sampledPeakExternalMB: number;
  peakTfBytesMB: number;
  peakTfTensors: number;
  wasmHeapMB: number;
  samples: number;
}

function wasmHeapBytes(): number {
  try {
    // BackendWasm keeps its Emscripten module in `wasm`; HEAPU8 views the whole WebAssembly.Memory.
    const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
    return b.wasm?.HEAPU8?.buffer.byteLength ?? 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const phaseMode = a.phase ?? 'cell';
  const sampleMs = Number(a['sample-ms'] ?? 100);
  const config = await loadConfig(a);
  const resolved = resolveCellConfig(config);
  const t0 = performance.now();
  const since = () => (performance.now() - t0) / 1000;
  const log = (m: string) => process.stderr.write(`[${since().toFixed(1)}s] ${m}\n`);

  // Phase bookkeeping.
  const mb = (b: number | null) => (b === null ? null : Math.round((b / MB) * 10) / 10);
  const fresh = (phase: string): PhaseStats => ({
    phase, startS: since(), sampledPeakRssMB: 0, sampledPeakHeapUsedMB: 0, sampledPeakExternalMB: 0, peakTfBytesMB: 0, peakTfTensors: 0, wasmHeapMB: 0, samples: 0,
  });
  let cur = fresh('setup');
  const phases: PhaseStats[] = [cur];
  const enter = (phase: string) => {
    cur.seconds = since() - cur.startS;
    cur.hwmAtEndMB = mb(procStatus().hwm);
    log(`phase ${cur.phase} done in ${cur.seconds.toFixed(1)} s (VmHWM ${cur.hwmAtEndMB} MB, peak tf ${cur.peakTfBytesMB.toFixed(1)} MB); phase ${phase}`);
    cur = fresh(phase);
    phases.push(cur);
  };

  // Exact peak of live tensor bytes: checked at every allocation.
  let peakTfBytes = 0;
  let peakTfTensors = 0;
  const engine = tf.engine() as unknown as { trackTensor: (t: unknown, b: unknown) => void; state: { numBytes: number; numTensors: number } };
  const trackTensor = engine.trackTensor.bind(engine);
  engine.trackTensor = (t, b) => {
    trackTensor(t, b);
    const bytes = engine.state.numBytes;
    if (bytes > peakTfBytes) peakTfBytes = bytes;
    if (bytes / MB > cur.peakTfBytesMB) cur.peakTfBytesMB = bytes / MB;
    const n = engine.state.numTensors;
    if (n > peakTfTensors) peakTfTensors = n;
    if (n > cur.peakTfTensors) cur.peakTfTensors = n;
  };

  let sampled = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0, tfBytes: 0, wasmHeap: 0, samples: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    const tfBytes = tf.memory().numBytes;
    const wasm = wasmHeapBytes();
    sampled = {
      rss: Math.max(sampled.rss, m.rss),
      heapUsed: Math.max(sampled.heapUsed, m.heapUsed),
      external: Math.max(sampled.external, m.external),
      arrayBuffers: Math.max(sampled.arrayBuffers, m.arrayBuffers),
      tfBytes: Math.max(sampled.tfBytes, tfBytes),
      wasmHeap: Math.max(sampled.wasmHeap, wasm),
      samples: sampled.samples + 1,
    };
    cur.sampledPeakRssMB = Math.max(cur.sampledPeakRssMB, m.rss / MB);
    cur.sampledPeakHeapUsedMB = Math.max(cur.sampledPeakHeapUsedMB, m.heapUsed / MB);
    cur.sampledPeakExternalMB = Math.max(cur.sampledPeakExternalMB, m.external / MB);
    cur.wasmHeapMB = Math.max(cur.wasmHeapMB, wasm / MB);
    cur.samples++;
  };
  const backend = await selectBackend(requestedBackend(resolved.backend));
  log(`backend ${backend.name} (${backend.device})`);
  // tf.memory() needs an initialised backend: sample from here on.
  const timer = setInterval(sample, sampleMs);
  sample();

  let result: Record<string, unknown> = {};
  let done = false;
  // Stopped early (timeout, ^C): still report the peaks so far, marked interrupted.
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      if (done) return;
      report(true);
      process.exit(128 + (sig === 'SIGTERM' ? 15 : 2));
    });
  }
  if (phaseMode === 'prepare') {
    enter('data');
    const p = await prepareDataset(resolved.dataset, resolved.data, resolved.datasetCache, log);
    sample();
    const m = p.dataset.manifest;
    result = {
      dataset: { folder: p.folder, cached: p.cached, users: m.userCount, items: m.itemCount, features: m.featureCount, reviews: m.stats.reviews, trainPairs: p.dataset.train.labels.length, testUsers: p.dataset.test.users.length },
    };
  } else {
    enter('data');
    const cell = await runCell(config, {
      backend,
      log: (m) => {
        log(m);
        if (/^dataset .*: cached/.test(m)) enter('train');
      },
      onProgress: (p) => {
        if (p.phase === 'train') {
          if (cur.phase === 'data') enter('train'); // cold cache: preparation ran until the first epoch ended
          log(`epoch ${p.done}/${p.total} loss ${p.loss?.toFixed(4)}`);
        } else if (p.label !== 'done') enter(`evaluate:${p.label}`);
      },
    });
    sample();
    result = {
      dataset: cell.dataset,
      train: { epochs: cell.train.epochs, seconds: cell.train.seconds, finalLoss: cell.train.finalLoss },
      evaluations: cell.evaluations.map((e) => ({ attack: e.attack, epsilon: e.epsilon, pairs: e.pairs, explained: e.explained, ndcg5: e.ndcg5, seconds: e.seconds })),
    };
  }
  report(false);

  function report(interrupted: boolean): void {
    done = true;
    const stoppedIn = cur.phase;
    enter('end');
    clearInterval(timer);
    const st = procStatus();
    const rec = {
      bench: 'cell-memory',
      phaseMode,
      interrupted,
      ...(interrupted ? { stoppedInPhase: stoppedIn } : {}),
      preset: a.config ?? a.preset ?? 'demo',
      backend: backend.name,
      seconds: Math.round(since() * 10) / 10,
      peakRssMB: mb(st.hwm),
      peakTfBytesMB: mb(peakTfBytes),
      peakTfTensors,
      sampled: {
        sampleMs,
        samples: sampled.samples,
        peakRssMB: mb(sampled.rss),
        peakHeapUsedMB: mb(sampled.heapUsed),
        peakExternalMB: mb(sampled.external),
        peakArrayBuffersMB: mb(sampled.arrayBuffers),
        peakTfBytesMB: mb(sampled.tfBytes),
        wasmHeapMB: mb(sampled.wasmHeap),
      },
      phases: phases
        .filter((p) => p.phase !== 'end')
        .map((p) => ({
          ...p,
          startS: Math.round(p.startS * 10) / 10,
          seconds: Math.round((p.seconds ?? 0) * 10) / 10,
          sampledPeakRssMB: Math.round(p.sampledPeakRssMB * 10) / 10,
          sampledPeakHeapUsedMB: Math.round(p.sampledPeakHeapUsedMB * 10) / 10,
          sampledPeakExternalMB: Math.round(p.sampledPeakExternalMB * 10) / 10,
          peakTfBytesMB: Math.round(p.peakTfBytesMB * 10) / 10,
          wasmHeapMB: Math.round(p.wasmHeapMB * 10) / 10,
        })),
      config: {
        dataset: resolved.dataset,
        lambda: resolved.lambda,
        epsilonD: resolved.epsilonD,
        epsilonsA: resolved.epsilonsA,
        attacks: resolved.attacks,
        epochs: resolved.epochs,
        cer: resolved.cer,
        explainer: resolved.explainer,
        datasetCache: resolved.datasetCache,
      },
      ...result,
      node: process.version,
      tfjs: tf.version.tfjs,
    };
    process.stdout.write(`${JSON.stringify(rec)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
