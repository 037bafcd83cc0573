/**
 * What `rexsweep doctor` says about the native builds: for each, whether its wheels are unpacked
 * and its addon built (in the cache, and in node_modules where TF.js loads it); for the GPU build,
 * which CUDA device TensorFlow sees, or exactly why none. The driver is checked first (no need to
 * load 1 GB of TensorFlow to learn there is none); otherwise the verify probe asks TensorFlow.
 */
import { join } from 'node:path';
import { explainDriver, probeDriver, type DriverProbe } from '../../recsys/backends/cuda.ts';
import { findAddon } from './build.ts';
import { nativePaths } from './paths.ts';
import { isUnpacked } from './unpack.ts';
import { verifyAddon, type Verified } from './verify.ts';
import { setupCommand, type NativeFlavour } from './versions.ts';

export interface BuildState {
  flavour: NativeFlavour;
  cache: string;
  wheel: string;
  unpacked: boolean;
  /** An addon is kept in the cache (survives `npm ci`). */
  cached: boolean;
  /** The addon is in node_modules, where TF.js loads it. */
  installed: boolean;
}

export async function buildState(repoRoot: string, flavour: NativeFlavour, env: NodeJS.ProcessEnv = process.env): Promise<BuildState> {
  const p = nativePaths(repoRoot, env, flavour);
  return {
    flavour,
    cache: p.root,
    wheel: `${p.spec.tf.package} ${p.spec.tf.version}${p.spec.beside.length ? ` + ${p.spec.beside.length} NVIDIA wheels` : ''}`,
    unpacked: await isUnpacked(p),
    cached: Boolean(await findAddon(p.addonDir)),
    installed: Boolean(await findAddon(join(p.packageDir, 'lib'))),
  };
}

export function describeBuildState(s: BuildState): string {
  const addon = s.installed ? 'addon built' : s.cached ? `addon built in the cache but not in node_modules (run \`${setupCommand(s.flavour)}\` to copy it back)` : 'addon not built';
  return `cache ${s.cache}: ${s.wheel} ${s.unpacked ? 'unpacked' : 'not downloaded'}, ${addon}`;
}

export interface GpuView {
  /** The CUDA devices TensorFlow created, in words; empty when none. */
  devices: string[];
  /** Why none, when none. */
  why?: string;
  /** E.g. the JIT note on GPUs newer than the build's kernels. */
  note?: string;
}

/** The GPU view from what was found; `probe` is the verify result, or its error, when the build was loaded. */
export function explainGpuView(state: BuildState, driver: DriverProbe, probe?: Verified | Error): GpuView {
  const noDriver = explainDriver(driver);
  const notBuilt = state.installed ? undefined : `the GPU build is not there: run \`${setupCommand('gpu')}\``;
  if (noDriver || notBuilt) return { devices: [], why: [noDriver, notBuilt].filter(Boolean).join('; and ') };
  if (!probe) return { devices: [], why: 'TensorFlow was not asked' };
  if (probe instanceof Error) return { devices: [], why: `the GPU build does not load: ${probe.message.split('\n').slice(0, 2).join(' ')}` };
  if (!probe.gpu) return { devices: [], why: probe.noGpuReason ?? 'TensorFlow listed no GPU device' };
  return { devices: probe.devices ?? [], note: probe.note };
}

export async function gpuView(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<{ state: BuildState; view: GpuView }> {
  const state = await buildState(repoRoot, 'gpu', env);
  const driver = probeDriver(env);
  let probe: Verified | Error | undefined;
  if (state.installed && !explainDriver(driver)) {
    probe = await verifyAddon(nativePaths(repoRoot, env, 'gpu'), repoRoot).catch((e: Error) => e);
  }
  return { state, view: explainGpuView(state, driver, probe) };
}
