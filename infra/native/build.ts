/**
 * Step "build": compile tfjs-node(-gpu)'s addon (binding/tfjs_backend.cc, tfjs_binding.cc) from source
 * with node-pre-gyp → node-gyp against the linked headers and libraries, then keep a copy of the
 * result in the cache, so that after `npm ci` wipes node_modules the next setup only copies it back.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import type { Toolchain } from './toolchain.ts';
import { setupCommand } from './versions.ts';

const ADDON = 'tfjs_binding.node';

export async function buildAddon(paths: NativePaths, tools: Toolchain, log: (m: string) => void): Promise<string> {
  const require = createRequire(join(paths.packageDir, 'package.json'));
  let preGyp: string;
  try {
    preGyp = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  } catch {
    throw new NativeSetupError('build', `@mapbox/node-pre-gyp (a dependency of ${paths.spec.tfjs.package}) is not installed`, `rerun \`${setupCommand(paths.spec.flavour)} --force\``, undefined, paths.spec.flavour);
  }
  log(`compiling the ${paths.spec.tfjs.package} addon against TensorFlow ${paths.spec.tf.version}'s C API (node-gyp, --nodedir=${tools.nodedir})`);
  const logFile = join(paths.logsDir, 'build.log');
  const r = await runCommand(process.execPath, [preGyp, 'install', '--build-from-source', `--nodedir=${tools.nodedir}`], {
    timeoutMs: 20 * 60_000,
    cwd: paths.packageDir,
    logFile,
    env: { ...process.env, ...(tools.nodeGyp ? { npm_config_node_gyp: tools.nodeGyp } : {}) },
    onHeartbeat: (ms) => log(`  still compiling (${Math.round(ms / 1000)} s)`),
  });
  const built = await findAddon(join(paths.packageDir, 'lib'));
  if (r.code !== 0 || !built) {
    throw new NativeSetupError(
      'build',
      `node-pre-gyp install --build-from-source exited ${r.code ?? r.signal}:\n${lastLines(r.tail, 12)}`,
      'read the log; a missing header usually means the wheel and tfjs-node disagree (see infra/native/versions.ts)',
      logFile,
      paths.spec.flavour,
    );
  }
  await mkdir(join(paths.addonDir, built.napi), { recursive: true });
  await copyFile(built.file, join(paths.addonDir, built.napi, ADDON));
  return built.file;
}

/** <dir>/napi-vN/tfjs_binding.node, the layout of tfjs-node's package.json "binary" section. */
export async function findAddon(dir: string): Promise<{ napi: string; file: string } | undefined> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const napi of entries.filter((e) => /^napi-v\d+$/.test(e)).sort().reverse()) {
    const files = await readdir(join(dir, napi)).catch(() => [] as string[]);
    if (files.includes(ADDON)) return { napi, file: join(dir, napi, ADDON) };
  }
  return undefined;
}

/** Copy a cached addon into the package (after `npm ci`); false when the cache has none. */
export async function restoreAddon(paths: NativePaths): Promise<boolean> {
  const cached = await findAddon(paths.addonDir);
  if (!cached) return false;
  await mkdir(join(paths.packageDir, 'lib', cached.napi), { recursive: true });
  await copyFile(cached.file, join(paths.packageDir, 'lib', cached.napi, ADDON));
  return true;
}
