/**
 * `rexsweep setup native [--gpu]`: native TensorFlow for TF.js from the package registries only.
 * python → download (PyPI wheels) → unpack → package (npm, --ignore-scripts) → link → layout (GPU:
 * CUDA found through the RUNPATH) → toolchain → patch (patch.ts) → build → verify, each step skipped when its result
 * is already there. A second run finds the addon built and verified and says so in seconds; after
 * `npm ci` it copies the cached addon back instead of compiling. Concurrent runs of one build
 * serialise on a lock in its cache folder; the CPU and GPU builds are independent.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { withLock } from '../local/lock.ts';
import { findAddon, restoreAddon, buildAddon } from './build.ts';
import { allWheels, downloadWheels, findWheels } from './download.ts';
import { checkCudaLayout } from './layout.ts';
import { depsLinked, linkDeps } from './link.ts';
import { ensurePackage, installedVersion } from './package.ts';
import { patchBinding } from './patch.ts';
import { nativePaths, type NativePaths } from './paths.ts';
import { findPython } from './python.ts';
import { checkToolchain } from './toolchain.ts';
import { isUnpacked, unpackWheels } from './unpack.ts';
import { verifyAddon, type Verified } from './verify.ts';
import type { NativeFlavour } from './versions.ts';

export type NativeOutcome = 'already built' | 'restored from cache' | 'built';

export interface NativeSetupResult extends Verified {
  flavour: NativeFlavour;
  outcome: NativeOutcome;
  /** The TensorFlow wheel, e.g. tensorflow==2.15.1. */
  wheel: string;
  /** The other wheels laid out beside it (GPU build). */
  beside: string[];
  addon: string;
  cache: string;
  seconds: number;
}

export interface NativeSetupOptions {
  repoRoot: string;
  /** 'gpu': tfjs-node-gpu against the tensorflow wheel and NVIDIA's CUDA wheels. Default 'cpu'. */
  flavour?: NativeFlavour;
  /** Rebuild the addon even when one is there (keeps the downloaded wheels). */
  force?: boolean;
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function setupNative(opts: NativeSetupOptions): Promise<NativeSetupResult> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const flavour = opts.flavour ?? 'cpu';
  const paths = nativePaths(opts.repoRoot, opts.env, flavour);
  const { spec } = paths;
  await mkdir(paths.logsDir, { recursive: true });
  return withLock(paths.lockFile, { timeoutMs: 60 * 60_000, onWait: (h) => log(`waiting for another setup (${h})`) }, async () => {
    const done = (outcome: NativeOutcome, v: Verified, addon: string): NativeSetupResult => ({
      flavour,
      outcome,
      ...v,
      wheel: `${spec.tf.package}==${spec.tf.version}`,
      beside: spec.beside.map((w) => `${w.package}==${w.version}`),
      addon,
      cache: paths.root,
      seconds: (Date.now() - started) / 1000,
    });
    const layout = () => (flavour === 'gpu' ? step(log, 'layout', () => checkCudaLayout(paths)) : Promise.resolve());
    const verify = () => step(log, 'verify', () => verifyAddon(paths, opts.repoRoot, log));

    // Fast path: everything in place; check and stop.
    // The cache copy is kept per patch level: an addon built before the current patch is rebuilt.
    const present = (await findAddon(paths.addonDir)) && (await findAddon(join(paths.packageDir, 'lib')));
    if (!opts.force && present && (await isUnpacked(paths)) && (await depsLinked(paths)) && (await installedVersion(paths)) === spec.tfjs.version) {
      await layout();
      return done('already built', await verify(), present.file);
    }

    const python = await step(log, 'python', () => findPython(opts.env, flavour));
    const wheels = await step(log, 'download', async () => {
      const have = await findWheels(paths);
      return have.size === allWheels(spec).length ? have : downloadWheels(paths, python, log);
    });
    if (!(await isUnpacked(paths))) await step(log, 'unpack', () => unpackWheels(paths, python, wheels, log));
    await step(log, 'package', () => ensurePackage(paths, opts.repoRoot, log));
    await step(log, 'link', () => linkDeps(paths));
    await layout();

    if (!opts.force && (await restoreAddon(paths))) {
      const restored = await findAddon(join(paths.packageDir, 'lib'));
      return done('restored from cache', await verify(), restored!.file);
    }
    const tools = await step(log, 'toolchain', () => checkToolchain(opts.env, flavour));
    await step(log, 'patch', () => patchBinding(paths.packageDir, log));
    const addon = await step(log, 'build', () => buildAddon(paths, tools, log));
    return done('built', await verify(), addon);
  });
}

/** Run one step, logging its start and duration. */
async function step<T>(log: (m: string) => void, name: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now();
  log(`[${name}] …`);
  const out = await fn();
  log(`[${name}] ok (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return out;
}

export { nativePaths, type NativePaths };
