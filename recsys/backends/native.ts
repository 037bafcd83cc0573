/**
 * Native TensorFlow through @tensorflow/tfjs-node(-gpu). Both are optional dependencies whose
 * installers download libtensorflow from outside the registries; `rexsweep setup native` builds
 * tfjs-node's addon against the C library of TensorFlow's PyPI wheel instead, and
 * `rexsweep setup native --gpu` tfjs-node-gpu's against the GPU wheel and NVIDIA's CUDA wheels
 * (infra/native/). Backend 'tensorflow-gpu' is the GPU build, 'tensorflow' the CPU build: results
 * record which. This file turns their load failures into reasons a person can act on.
 *
 * One process holds one libtensorflow_cc.so.2 (both builds use that soname, and both packages
 * register TF.js backend 'tensorflow'): once the GPU build is loaded (auto tries it first), backend
 * 'tensorflow' is that build on the CPU, and the CPU build is not loaded beside it.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../errors.ts';
import { applyCudaEnv, explainDriver, probeDriver } from './cuda.ts';

export type NativeName = 'tensorflow' | 'tensorflow-gpu';

const PACKAGE: Record<NativeName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

export interface NativeInfo {
  /** TF_Version() of the loaded libtensorflow. */
  tfVersion: string;
  /** Whether TensorFlow placed ops on a GPU (tfjs-node-gpu with CUDA). */
  gpu: boolean;
  /** Level of rexsweep's binding patch in the addon (infra/native/patch.ts); 0 for a stock addon. */
  bindingPatch: number;
}

/** Which build this process loaded, if any. */
let loaded: NativeName | undefined;

export async function loadNative(name: NativeName): Promise<void> {
  if (loaded === name) return;
  if (loaded === 'tensorflow-gpu' && name === 'tensorflow') return; // TF.js backend 'tensorflow' is already the GPU build's
  // Importing a tfjs-node package registers its kernels for backend 'tensorflow' before it looks
  // for its addon: a package without one (tfjs-node-gpu, dropped by its installer) would leave
  // its kernels in place of the working package's. So look for the addon first. For the GPU build,
  // look for a driver too, without loading 1 GB of TensorFlow to learn there is none; say both
  // when both are missing.
  const reasons = [name === 'tensorflow-gpu' ? explainDriver(probeDriver()) : undefined, missingAddon(name)].filter(Boolean);
  if (reasons.length) throw new BackendError(name, reasons.join('; and '));
  if (loaded === 'tensorflow') throw new BackendError(name, 'the CPU build of native TensorFlow is already loaded in this process (one libtensorflow per process)');
  // Hide TensorFlow's INFO lines (CPU feature notices) unless the user asked for them.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  // Before the import: the addon creates TensorFlow's context (cuInit) as it loads.
  if (name === 'tensorflow-gpu') applyCudaEnv();
  try {
    await import(PACKAGE[name] as string);
  } catch (err) {
    throw new BackendError(name, explainLoadFailure(name, err));
  }
  loaded = name;
}

export function explainLoadFailure(name: NativeName, err: unknown): string {
  const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  const code = (err as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package) '@tensorflow\/tfjs-node/.test(msg)) {
    return name === 'tensorflow'
      ? `${PACKAGE[name]} is not installed: run \`rexsweep setup native\``
      : `${PACKAGE[name]} is not installed (npm drops it where its installer cannot download libtensorflow): run \`rexsweep setup native --gpu\``;
  }
  if (/native addon module .* can not be found/.test(msg)) {
    return `${PACKAGE[name]} is installed but its addon is not built: run \`rexsweep setup native${name === 'tensorflow' ? '' : ' --gpu'}\``;
  }
  return msg;
}

/** After setBackend('tensorflow'): what the addon loaded. */
export function nativeInfo(): NativeInfo {
  const b = tf.backend() as unknown as { binding?: { TF_Version?: string; REXSWEEP_BINDING_PATCH?: number }; isUsingGpuDevice?: boolean };
  return { tfVersion: b.binding?.TF_Version ?? 'unknown', gpu: Boolean(b.isUsingGpuDevice), bindingPatch: b.binding?.REXSWEEP_BINDING_PATCH ?? 0 };
}

/**
 * The device in words, as results record it. An addon without the binding patch (built before it,
 * or from another tfjs-node) computes the dense layer unfused, which rounds differently: say so.
 */
export function describeNative(info: NativeInfo): string {
  const unpatched = info.bindingPatch > 0 ? '' : ', unpatched binding: rerun `rexsweep setup native` for the fused dense layer';
  if (info.gpu) return `gpu (native TensorFlow ${info.tfVersion}, CUDA)`;
  return `cpu (native TensorFlow ${info.tfVersion}${loaded === 'tensorflow-gpu' ? ', GPU build without a CUDA device' : unpatched})`;
}

/** Why the package cannot load (not installed, addon not built), or undefined when its addon is there. */
export function missingAddon(name: NativeName): string | undefined {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(`${PACKAGE[name]}/package.json`));
  } catch (err) {
    return explainLoadFailure(name, err);
  }
  const lib = join(dir, 'lib');
  const napis = safeList(lib).filter((d) => /^napi-v\d+$/.test(d));
  if (napis.some((d) => safeList(join(lib, d)).includes('tfjs_binding.node'))) return undefined;
  return explainLoadFailure(name, new Error(`The Node.js native addon module (tfjs_binding.node) can not be found at path: ${lib}`));
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
