/**
 * Step "package": @tensorflow/tfjs-node (or -gpu) in node_modules. Both are optional dependencies
 * whose install scripts download libtensorflow from storage.googleapis.com (tfjs-node-gpu's always,
 * even when one is there), so where that host is unreachable npm drops them; here the package is
 * installed with --ignore-scripts and its addon built by us.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { setupCommand } from './versions.ts';

export async function installedVersion(paths: NativePaths): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(paths.packageDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export async function ensurePackage(paths: NativePaths, repoRoot: string, log: (m: string) => void): Promise<void> {
  const { tfjs, flavour } = paths.spec;
  if ((await installedVersion(paths)) === tfjs.version) return;
  const spec = `${tfjs.package}@${tfjs.version}`;
  log(`installing ${spec} with --ignore-scripts (its own installer would download libtensorflow)`);
  const logFile = join(paths.logsDir, 'npm-install.log');
  // --no-save: it is already in package.json's optionalDependencies at this version.
  const r = await runCommand(npmExecutable(), ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', spec], {
    timeoutMs: 10 * 60_000,
    cwd: repoRoot,
    logFile,
  });
  const got = await installedVersion(paths);
  if (r.code !== 0 || got !== tfjs.version) {
    throw new NativeSetupError(
      'package',
      `npm install ${spec} --ignore-scripts exited ${r.code ?? r.signal} (installed: ${got ?? 'none'}):\n${lastLines(r.tail, 8)}`,
      `check that the npm registry is reachable, then rerun \`${setupCommand(flavour)}\``,
      logFile,
      flavour,
    );
  }
}

function npmExecutable(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}
