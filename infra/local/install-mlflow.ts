/**
 * MLflow (the full package: SQL store, server, UI) in its own Python venv in the cache, so it
 * never touches the system Python or a user's environments:
 *
 *   <cache>/mlflow-<v>/bin/mlflow   +  .installed.json
 *
 * pip's output goes to <cache>/logs/install-mlflow-<v>.log; a first install takes a few minutes
 * and ~0.85 GB, so a line is printed every 30 s while pip runs.
 */
import { join } from 'node:path';
import type { LocalServicesConfig } from './config.ts';
import { InstallError } from './errors.ts';
import { formatBytes, installOnce, type InstallOutcome } from './install-once.ts';
import { installPaths } from './paths.ts';
import { lastLines, runCommand } from './run-command.ts';

export interface MlflowInstall extends InstallOutcome {
  bin: string;
  python: string;
}

export async function ensureMlflow(config: LocalServicesConfig, log: (line: string) => void): Promise<MlflowInstall> {
  const version = config.mlflow.version;
  const paths = installPaths(config.cacheDir, config.temporal.version, version);
  const venvPython = join(paths.mlflowVenv, 'bin', 'python');
  const logFile = join(paths.logsDir, `install-mlflow-${version}.log`);
  const tool = 'mlflow';
  const step = (s: string) => log(`[install] ${tool} ${version}: ${s}`);

  const outcome = await installOnce({
    tool,
    version,
    dir: paths.mlflowVenv,
    lockFile: join(paths.locksDir, `mlflow-${version}.lock`),
    requiredFiles: [paths.mlflowBin, venvPython],
    log: step,
    lockTimeoutMs: 30 * 60_000,
    install: async () => {
      const probe = await runCommand(config.python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
        capture: true,
        timeoutMs: 30_000,
      });
      const [major, minor] = probe.stdout.trim().split('.').map(Number);
      if (probe.code !== 0 || !(major > 3 || (major === 3 && minor >= 10))) {
        throw new InstallError(tool, 'python', `mlflow ${version} needs Python >= 3.10; \`${config.python}\` gave ${probe.stdout.trim() || lastLines(probe.tail, 2)} (set REXSWEEP_PYTHON)`);
      }

      step(`creating venv ${paths.mlflowVenv} (python ${major}.${minor})`);
      const venv = await runCommand(config.python, ['-m', 'venv', paths.mlflowVenv], { logFile, timeoutMs: 5 * 60_000 });
      if (venv.code !== 0) throw new InstallError(tool, 'venv', lastLines(venv.tail, 5), logFile);

      step(`pip install mlflow==${version} (a few minutes; log: ${logFile})`);
      const pip = await runCommand(
        venvPython,
        ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `mlflow==${version}`],
        {
          logFile,
          timeoutMs: 30 * 60_000,
          heartbeatMs: 30_000,
          onHeartbeat: (ms) => step(`pip still running (${Math.round(ms / 1000)} s)`),
        },
      );
      if (pip.code !== 0) throw new InstallError(tool, 'pip install', lastLines(pip.tail, 5), logFile);

      step('verifying (mlflow --version)');
      const check = await runCommand(paths.mlflowBin, ['--version'], { logFile, capture: true, timeoutMs: 3 * 60_000 });
      const verified = check.stdout.trim();
      if (check.code !== 0 || !verified.includes(`version ${version}`)) {
        throw new InstallError(tool, 'verify', `\`mlflow --version\` said: ${lastLines(check.tail, 3) || '(nothing)'}`, logFile);
      }
      return verified;
    },
  });
  const m = outcome.marker;
  step(
    outcome.reused
      ? `cached (${m.verified}; ${formatBytes(m.bytes)}) at ${paths.mlflowVenv}`
      : `installed in ${m.installSeconds} s (${m.verified}; ${formatBytes(m.bytes)}) at ${paths.mlflowVenv}`,
  );
  return { ...outcome, bin: paths.mlflowBin, python: venvPython };
}
