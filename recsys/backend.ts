/**
 * Picks the TF.js backend: tfjs-node-gpu (CUDA), then tfjs-node (native TensorFlow on the CPU),
 * then WebGPU on a hardware adapter, then WASM, then plain CPU, unless a config or
 * REXSWEEP_BACKEND forces one. After setBackend it checks what it actually got, because TF.js
 * silently falls back when a backend fails to initialise (deps.md §2.2), and runs a one-op
 * smoke test. Under 'auto' every candidate tried before the chosen one is recorded with why it
 * was skipped; `rexsweep doctor` prints that.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './config.ts';
import { BackendError } from './errors.ts';
import { describeNative, loadNative, nativeInfo } from './backends/native.ts';
import { describeWebGpu, guardSyncReads, installWebGpu, type WebGpuAdapter } from './backends/webgpu.ts';

export interface BackendReport {
  /** What was asked for ('auto' or a forced name). */
  requested: BackendName;
  /** The name a result records: tensorflow-gpu, tensorflow, webgpu, wasm or cpu. */
  name: Concrete;
  /** tf.getBackend() after initialisation. */
  tfBackend: string;
  /** The device it computes on, in words (e.g. "cpu (native TensorFlow 2.12.1)"). */
  device: string;
  /** Every candidate tried before the chosen one, with why it was skipped. */
  skipped: { name: string; reason: string }[];
}

export type Concrete = Exclude<BackendName, 'auto'>;
export const BACKEND_ORDER: readonly Concrete[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

const TF_BACKEND_OF: Record<Concrete, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  webgpu: 'webgpu',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** Skipped under 'auto' (never when forced): a choice that works but is not the fast one. */
class NotPreferred extends BackendError {}

/** Load a candidate's package and return its device description, or throw why it cannot be used. */
async function load(name: Concrete, auto: boolean): Promise<() => string> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      await loadNative(name);
      return () => describeNative(nativeInfo());
    case 'webgpu': {
      const adapter: WebGpuAdapter = await installWebGpu();
      // On a CPU-only host WebGPU runs on a software rasteriser (lavapipe): correct but no faster
      // than WASM, so 'auto' takes it only on a real GPU; REXSWEEP_BACKEND=webgpu forces it.
      if (auto && adapter.software && process.env.REXSWEEP_WEBGPU_SOFTWARE !== '1') {
        throw new NotPreferred(name, `only a software adapter (${adapter.description || adapter.device}); force with REXSWEEP_BACKEND=webgpu`);
      }
      return () => describeWebGpu(adapter);
    }
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return () => 'cpu (wasm simd, 1 thread in Node)';
    case 'cpu':
      return () => 'cpu (plain JS)';
  }
}

async function activate(name: Concrete, auto: boolean): Promise<string> {
  const describe = await load(name, auto);
  const target = TF_BACKEND_OF[name];
  let ok: boolean;
  try {
    ok = await tf.setBackend(target);
    await tf.ready();
  } catch (err) {
    throw new BackendError(name, `setBackend('${target}') threw: ${firstLine(err)}`);
  }
  if (!ok || tf.getBackend() !== target) {
    throw new BackendError(name, `setBackend('${target}') left tf.getBackend() = '${tf.getBackend()}'`);
  }
  if (name === 'webgpu') guardSyncReads();
  // A one-op smoke test: a backend that loads but computes wrongly must not be chosen. Read
  // asynchronously: WebGPU in Node has no synchronous GPU read.
  const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
  const got = (await product.data())[0];
  product.dispose();
  if (got !== 11) throw new BackendError(name, `smoke test 1·3+2·4 gave ${got}`);
  const device = describe();
  if (name === 'tensorflow-gpu' && !device.startsWith('gpu') && auto) {
    throw new NotPreferred(name, 'tfjs-node-gpu loaded but TensorFlow sees no CUDA device');
  }
  return device;
}

/** The requested backend from config, overridden by REXSWEEP_BACKEND when set. */
export function requestedBackend(configured: BackendName, env: NodeJS.ProcessEnv = process.env): BackendName {
  const fromEnv = env.REXSWEEP_BACKEND;
  if (!fromEnv) return configured;
  if (!(['auto', ...BACKEND_ORDER] as string[]).includes(fromEnv)) {
    throw new BackendError(fromEnv, `REXSWEEP_BACKEND must be one of auto, ${BACKEND_ORDER.join(', ')}`);
  }
  return fromEnv as BackendName;
}

/**
 * Initialise TF.js. A forced backend that fails is an error (the user asked for it);
 * under 'auto' each failure is recorded and the next candidate tried.
 */
export async function selectBackend(requested: BackendName): Promise<BackendReport> {
  const auto = requested === 'auto';
  const candidates = auto ? BACKEND_ORDER : [requested];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of candidates) {
    try {
      const device = await activate(name, auto);
      return { requested, name, tfBackend: tf.getBackend(), device, skipped };
    } catch (err) {
      const reason = err instanceof BackendError ? err.reason : firstLine(err);
      if (!auto) throw err instanceof BackendError ? err : new BackendError(name, reason);
      skipped.push({ name, reason });
    }
  }
  throw new BackendError(requested, `no backend could be initialised: ${JSON.stringify(skipped)}`);
}

export interface ProbeResult {
  name: Concrete;
  ok: boolean;
  /** Device when ok; why not otherwise. */
  detail: string;
}

/**
 * Try every backend in order, each forced (for `rexsweep doctor`). Leaves TF.js on the last one
 * that worked; callers that go on computing should selectBackend afterwards.
 */
export async function probeBackends(): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      out.push({ name, ok: true, detail: await activate(name, false) });
    } catch (err) {
      out.push({ name, ok: false, detail: err instanceof BackendError ? err.reason : firstLine(err) });
    }
  }
  return out;
}

export function describeBackend(r: BackendReport): string {
  const skipped = r.skipped.length ? ` (skipped: ${r.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
  return `${r.name} on ${r.device}${skipped}`;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
