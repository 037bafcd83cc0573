/**
 * Offline validators for the team deployment files (infra/team/deploy/), in their own Python
 * venv in the cache, installed once from PyPI:
 *
 *   <cache>/deploy-validators-<v>/bin/check-jsonschema     Compose spec (--builtin-schema vendor.compose-spec)
 *   <cache>/deploy-validators-<v>/bin/kubernetes-validate  Kubernetes schemas 1.25-1.37, offline
 *
 * Same bookkeeping as MLflow's install (infra/local/install-once.ts): a marker written after
 * the versions were verified, a lock so concurrent installers install once. Both packages ship
 * their schemas, so validation needs no network; only the install does (PyPI).
 */
import { join } from 'node:path';
import { InstallError } from '../local/errors.ts';
import { installOnce, type InstallOutcome } from '../local/install-once.ts';
import { defaultCacheDir } from '../local/paths.ts';
import { lastLines, runCommand, type CommandResult } from '../local/run-command.ts';

export const CHECK_JSONSCHEMA_VERSION = '0.39.0';
export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/** The Kubernetes version the manifests are validated against. */
export const KUBERNETES_TARGET_VERSION = '1.33.0';

export interface DeployValidators extends InstallOutcome {
  checkJsonschema: string;
  kubernetesValidate: string;
}

export interface ValidatorOptions {
  cacheDir?: string;
  python?: string;
  log?: (line: string) => void;
}

export async function ensureDeployValidators(options: ValidatorOptions = {}): Promise<DeployValidators> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const python = options.python ?? (process.env.REXSWEEP_PYTHON || 'python3');
  const log = options.log ?? (() => undefined);
  const version = `cj${CHECK_JSONSCHEMA_VERSION}-kv${KUBERNETES_VALIDATE_VERSION}`;
  const tool = 'deploy-validators';
  const dir = join(cacheDir, `${tool}-${version}`);
  const bin = (name: string) => join(dir, 'bin', name);
  const logFile = join(cacheDir, 'logs', `install-${tool}-${version}.log`);
  const step = (s: string) => log(`[install] ${tool} ${version}: ${s}`);

  const outcome = await installOnce({
    tool,
    version,
    dir,
    lockFile: join(cacheDir, 'locks', `${tool}-${version}.lock`),
    requiredFiles: [bin('check-jsonschema'), bin('kubernetes-validate')],
    log: step,
    lockTimeoutMs: 10 * 60_000,
    install: async () => {
      step(`creating venv ${dir}`);
      const venv = await runCommand(python, ['-m', 'venv', dir], { logFile, timeoutMs: 5 * 60_000 });
      if (venv.code !== 0) throw new InstallError(tool, 'venv', `${python} -m venv: ${lastLines(venv.tail, 5)} (set REXSWEEP_PYTHON)`, logFile);
      step(`pip install check-jsonschema==${CHECK_JSONSCHEMA_VERSION} kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`);
      const pip = await runCommand(
        bin('python'),
        ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input',
          `check-jsonschema==${CHECK_JSONSCHEMA_VERSION}`, `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`],
        { logFile, timeoutMs: 15 * 60_000, heartbeatMs: 30_000, onHeartbeat: (ms) => step(`pip still running (${Math.round(ms / 1000)} s)`) },
      );
      if (pip.code !== 0) throw new InstallError(tool, 'pip install', lastLines(pip.tail, 5), logFile);

      step('verifying versions');
      const cj = await runCommand(bin('check-jsonschema'), ['--version'], { logFile, capture: true, timeoutMs: 60_000 });
      const kv = await runCommand(bin('kubernetes-validate'), ['--version'], { logFile, capture: true, timeoutMs: 60_000 });
      const said = `${cj.stdout.trim()}; ${kv.stdout.trim()}`;
      if (cj.code !== 0 || !cj.stdout.includes(CHECK_JSONSCHEMA_VERSION) || kv.code !== 0 || !kv.stdout.includes(KUBERNETES_VALIDATE_VERSION)) {
        throw new InstallError(tool, 'verify', `--version said: ${said || lastLines(cj.tail + kv.tail, 4)}`, logFile);
      }
      return said;
    },
  });
  step(outcome.reused ? `cached at ${dir}` : `installed in ${outcome.marker.installSeconds} s at ${dir}`);
  return { ...outcome, checkJsonschema: bin('check-jsonschema'), kubernetesValidate: bin('kubernetes-validate') };
}

export interface ValidationResult {
  ok: boolean;
  /** stdout + stderr tail, for the failure message. */
  output: string;
  result: CommandResult;
}

/** A Compose file against the Compose spec schema that check-jsonschema vendors. */
export async function validateCompose(v: DeployValidators, file: string): Promise<ValidationResult> {
  const result = await runCommand(v.checkJsonschema, ['--builtin-schema', 'vendor.compose-spec', file], { capture: true, timeoutMs: 2 * 60_000 });
  return { ok: result.code === 0, output: result.tail, result };
}

/** Kubernetes manifests (multi-document files) against the 1.33 schemas, rejecting unknown fields. */
export async function validateKubernetes(v: DeployValidators, files: string[]): Promise<ValidationResult> {
  const result = await runCommand(v.kubernetesValidate, ['-k', KUBERNETES_TARGET_VERSION, '--strict', ...files], { capture: true, timeoutMs: 2 * 60_000 });
  return { ok: result.code === 0, output: result.tail, result };
}
