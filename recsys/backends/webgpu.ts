/**
 * WebGPU in Node: Dawn's Node bindings (npm `webgpu`, a prebuilt dawn.node) provide
 * `navigator.gpu`, which @tensorflow/tfjs-backend-webgpu looks for when it is imported (it
 * registers the 'webgpu' backend only if `globalThis.navigator.gpu` exists at that moment).
 * On a machine without a GPU, Mesa's lavapipe Vulkan driver gives Dawn a software adapter:
 * Mesa ≥ 23 is needed (22.3's lavapipe lacks shaderSampledImageArrayDynamicIndexing, which Dawn
 * requires; Debian 12 has 25.0 in bookworm-backports).
 */
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../errors.ts';
import { findVulkanLoader, probeThisHost, VULKAN_LOADER } from './vulkan-loader.ts';

export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU rasteriser (lavapipe/llvmpipe, SwiftShader) rather than a GPU. */
  software: boolean;
}

interface GpuLike {
  requestAdapter(opts?: object): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

let installed: Promise<WebGpuAdapter> | undefined;

/** Provide navigator.gpu from dawn.node, find an adapter, then register the TF.js backend. Once per process. */
export function installWebGpu(): Promise<WebGpuAdapter> {
  installed ??= install();
  return installed;
}

async function install(): Promise<WebGpuAdapter> {
  // Mesa's Vulkan loader complains on stderr ("XDG_RUNTIME_DIR is invalid") when it is unset,
  // as it is under CI and systemd-less containers; it only needs some writable directory.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  if (!findVulkanLoader(probeThisHost())) {
    throw new BackendError('webgpu', `no Vulkan loader (${VULKAN_LOADER}) on this host: install it (Debian/Ubuntu: apt-get install libvulkan1) with a GPU's Vulkan driver, or Mesa's lavapipe on a CPU-only host`);
  }
  let mod: { create: (flags: string[]) => GpuLike; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu' as string)) as typeof mod;
  } catch (err) {
    throw new BackendError('webgpu', `npm package 'webgpu' (dawn.node) not loadable: ${firstLine(err)}`);
  }
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new BackendError(
      'webgpu',
      'Dawn found no usable adapter (no GPU driver, or a Vulkan driver missing features Dawn requires: ' +
        "on a CPU-only Debian 12 host install Mesa ≥ 23's lavapipe, e.g. apt-get install -t bookworm-backports mesa-vulkan-drivers)",
    );
  }
  Object.assign(globalThis, mod.globals);
  setNavigatorGpu(gpu);
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) throw new BackendError('webgpu', 'tfjs-backend-webgpu did not register (navigator.gpu not seen)');
  return describeAdapter(adapter);
}

/** Node 20 has no `navigator`; Node ≥ 21 has one without `gpu`. */
function setNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator && typeof g.navigator === 'object') {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
}

function describeAdapter(a: AdapterLike): WebGpuAdapter {
  const i = a.info ?? {};
  const description = i.description ?? '';
  const device = i.device ?? '';
  const software =
    Boolean(a.isFallbackAdapter ?? i.isFallbackAdapter) || /llvmpipe|lavapipe|swiftshader|software/i.test(`${description} ${device}`);
  return { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device, description, software };
}

/**
 * tfjs-backend-webgpu reads GPU data synchronously through OffscreenCanvas, which Node lacks, so
 * `dataSync()` on a GPU-resident tensor would die with "OffscreenCanvas is not defined". Values
 * already read with `await tensor.data()` are cached on the host and still read synchronously;
 * make the other case a clear error instead.
 */
export function guardSyncReads(): void {
  const b = tf.backend() as unknown as {
    readSync(id: object): unknown;
    tensorMap: { get(id: object): { values?: unknown } | undefined };
    __rexsweepGuard?: boolean;
  };
  if (b.__rexsweepGuard || typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  const readSync = b.readSync.bind(b);
  b.readSync = (id: object) => {
    if (b.tensorMap.get(id)?.values == null) {
      throw new BackendError(
        'webgpu',
        'a synchronous read (dataSync/arraySync) of a GPU tensor: impossible in Node (no OffscreenCanvas); ' +
          'read it with `await tensor.data()` first (recsys/backends/host-read.ts cacheOnHost)',
      );
    }
    return readSync(id);
  };
  b.__rexsweepGuard = true;
}

export function describeWebGpu(a: WebGpuAdapter): string {
  const name = a.description || a.device || a.vendor || 'unknown adapter';
  return `${a.software ? 'cpu' : 'gpu'} (WebGPU via Dawn: ${name}${a.software ? ', software rasteriser' : ''})`;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
