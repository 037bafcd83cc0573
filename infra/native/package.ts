/**
 * Step "package": @tensorflow/tfjs-node in node_modules. It is an optional dependency whose
 * install script downloads libtensorflow from storage.googleapis.com, so where that host is
 * unreachable npm drops it; here it is installed with --ignore-scripts and built by us.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { TFJS_NODE } from './versions.ts';

export async function installedVersion(paths: NativePaths): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(paths.packageDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export async function ensurePackage(paths: NativePaths, repoRoot: string, log: (m: string) => void): Promise<void> {
  if ((await installedVersion(paths)) === TFJS_NODE.version) return;
  const spec = `${TFJS_NODE.package}@${TFJS_NODE.version}`;
  log(`installing ${spec} with --ignore-scripts (its own installer would download libtensorflow)`);
  const logFile = join(paths.logsDir, 'npm-install.log');
  // --no-save: it is already in package.json's optionalDependencies at this version.
  const r = await runCommand(npmExecutable(), ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', spec], {
    timeoutMs: 10 * 60_000,
    cwd: repoRoot,
    logFile,
  });
  const got = await installedVersion(paths);
  if (r.code !== 0 || got !== TFJS_NODE.version) {
    throw new NativeSetupError(
      'package',
      `npm install ${spec} --ignore-scripts exited ${r.code ?? r.signal} (installed: ${got ?? 'none'}):\n${lastLines(r.tail, 8)}`,
      'check that the npm registry is reachable, then rerun `rexsweep setup native`',
      logFile,
    );
  }
}

function npmExecutable(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}
