/**
 * Picks the TF.js backend: tfjs-node-gpu, then tfjs-node, then WASM, then plain CPU, unless a
 * config or REXSWEEP_BACKEND forces one. After setBackend it checks what it actually got,
 * because TF.js silently falls back when a backend fails to initialise (deps.md §2.2).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './config.ts';
import { BackendError } from './errors.ts';

export interface BackendReport {
  /** What was asked for ('auto' or a forced name). */
  requested: BackendName;
  /** The name a result records: tensorflow-gpu, tensorflow, wasm or cpu. */
  name: Exclude<BackendName, 'auto'>;
  /** tf.getBackend() after initialisation. */
  tfBackend: string;
  /** Devices reported by native TensorFlow, when known. */
  device: string;
  /** Every candidate tried before the chosen one, with why it was skipped. */
  skipped: { name: string; reason: string }[];
}

type Concrete = Exclude<BackendName, 'auto'>;
const ORDER: Concrete[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const TF_BACKEND_OF: Record<Concrete, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

async function load(name: Concrete): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
      await import('@tensorflow/tfjs-node-gpu' as string);
      return;
    case 'tensorflow':
      await import('@tensorflow/tfjs-node' as string);
      return;
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return;
    case 'cpu':
      return;
  }
}

async function activate(name: Concrete): Promise<void> {
  await load(name);
  const target = TF_BACKEND_OF[name];
  const ok = await tf.setBackend(target);
  await tf.ready();
  if (!ok || tf.getBackend() !== target) {
    throw new BackendError(name, `setBackend('${target}') left tf.getBackend() = '${tf.getBackend()}'`);
  }
  // A one-op smoke test: a backend that loads but computes wrongly must not be chosen.
  const got = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
  if (got !== 11) throw new BackendError(name, `smoke test 1·3+2·4 gave ${got}`);
}

/** The requested backend from config, overridden by REXSWEEP_BACKEND when set. */
export function requestedBackend(configured: BackendName, env: NodeJS.ProcessEnv = process.env): BackendName {
  const fromEnv = env.REXSWEEP_BACKEND;
  if (!fromEnv) return configured;
  if (!(['auto', ...ORDER] as string[]).includes(fromEnv)) {
    throw new BackendError(fromEnv, `REXSWEEP_BACKEND must be one of auto, ${ORDER.join(', ')}`);
  }
  return fromEnv as BackendName;
}

/**
 * Initialise TF.js. A forced backend that fails is an error (the user asked for it);
 * under 'auto' each failure is recorded and the next candidate tried.
 */
export async function selectBackend(requested: BackendName): Promise<BackendReport> {
  const candidates = requested === 'auto' ? ORDER : [requested];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of candidates) {
    try {
      await activate(name);
      return { requested, name, tfBackend: tf.getBackend(), device: describeDevice(name), skipped };
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      if (requested !== 'auto') throw err instanceof BackendError ? err : new BackendError(name, reason);
      skipped.push({ name, reason });
    }
  }
  throw new BackendError(requested, `no backend could be initialised: ${JSON.stringify(skipped)}`);
}

function describeDevice(name: Concrete): string {
  if (name === 'wasm') return 'cpu (wasm simd, 1 thread in Node)';
  if (name === 'cpu') return 'cpu (plain JS)';
  if (name === 'tensorflow-gpu') return 'gpu (native TensorFlow, CUDA)';
  return 'cpu (native TensorFlow)';
}

export function describeBackend(r: BackendReport): string {
  const skipped = r.skipped.length ? ` (skipped: ${r.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
  return `${r.name} on ${r.device}${skipped}`;
}
