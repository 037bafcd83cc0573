/**
 * `rexsweep setup native`: native TensorFlow for TF.js from the package registries only.
 * python → download (PyPI wheel) → unpack → package (npm, --ignore-scripts) → link → toolchain →
 * build → verify, each step skipped when its result is already there. A second run finds the
 * addon built and verified and says so in about two seconds; after `npm ci` it copies the cached
 * addon back instead of compiling. Concurrent runs serialise on a lock in the cache.
 */
import { mkdir } from 'node:fs/promises';
import { withLock } from '../local/lock.ts';
import { findAddon, restoreAddon, buildAddon } from './build.ts';
import { downloadWheel, findWheel } from './download.ts';
import { depsLinked, linkDeps } from './link.ts';
import { ensurePackage, installedVersion } from './package.ts';
import { nativePaths, type NativePaths } from './paths.ts';
import { findPython } from './python.ts';
import { checkToolchain } from './toolchain.ts';
import { isUnpacked, unpackWheel } from './unpack.ts';
import { verifyAddon, type Verified } from './verify.ts';
import { join } from 'node:path';
import { TF_WHEEL, TFJS_NODE } from './versions.ts';

export type NativeOutcome = 'already built' | 'restored from cache' | 'built';

export interface NativeSetupResult extends Verified {
  outcome: NativeOutcome;
  wheel: string;
  addon: string;
  cache: string;
  seconds: number;
}

export interface NativeSetupOptions {
  repoRoot: string;
  /** Rebuild the addon even when one is there (keeps the downloaded wheel). */
  force?: boolean;
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function setupNative(opts: NativeSetupOptions): Promise<NativeSetupResult> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const paths = nativePaths(opts.repoRoot, opts.env);
  await mkdir(paths.logsDir, { recursive: true });
  return withLock(paths.lockFile, { timeoutMs: 30 * 60_000, onWait: (h) => log(`waiting for another setup (${h})`) }, async () => {
    const done = (outcome: NativeOutcome, v: Verified, addon: string): NativeSetupResult => ({
      outcome,
      ...v,
      wheel: `${TF_WHEEL.package}==${TF_WHEEL.version}`,
      addon,
      cache: paths.root,
      seconds: (Date.now() - started) / 1000,
    });

    // Fast path: everything in place; verify and stop.
    const present = await findAddon(join(paths.packageDir, 'lib'));
    if (!opts.force && present && (await depsLinked(paths)) && (await installedVersion(paths)) === TFJS_NODE.version) {
      return done('already built', await verifyAddon(paths, opts.repoRoot), present.file);
    }

    const python = await step(log, 'python', () => findPython(opts.env));
    const wheel = await step(log, 'download', async () => (await findWheel(paths)) ?? downloadWheel(paths, python, log));
    if (!(await isUnpacked(paths))) await step(log, 'unpack', () => unpackWheel(paths, python, wheel, log));
    await step(log, 'package', () => ensurePackage(paths, opts.repoRoot, log));
    await step(log, 'link', () => linkDeps(paths));

    if (!opts.force && (await restoreAddon(paths))) {
      const restored = await findAddon(join(paths.packageDir, 'lib'));
      return done('restored from cache', await step(log, 'verify', () => verifyAddon(paths, opts.repoRoot)), restored!.file);
    }
    const tools = await step(log, 'toolchain', () => checkToolchain(opts.env));
    const addon = await step(log, 'build', () => buildAddon(paths, tools, log));
    return done('built', await step(log, 'verify', () => verifyAddon(paths, opts.repoRoot)), addon);
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
