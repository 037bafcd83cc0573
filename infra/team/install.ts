/**
 * Tools of the team stack, from the registries only, each installed once per version:
 *   - temporal-server and temporal-sql-tool: `go install go.temporal.io/server/cmd/…` (Go module
 *     proxy; no registry ships a prebuilt server). 15–25 min on 2 cores the first time; the Go
 *     build cache makes a rebuild with the same flags a matter of linking.
 *   - versitygw: `go install github.com/versity/versitygw/cmd/versitygw` (~2 min).
 *   - PostgreSQL: Debian's package (apt-get as root when it is missing).
 *   - boto3 + psycopg2-binary into the local MLflow venv (PyPI).
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveConfig as resolveLocalConfig } from '../local/config.ts';
import { InstallError } from '../local/errors.ts';
import { installOnce } from '../local/install-once.ts';
import { ensureMlflow } from '../local/install-mlflow.ts';
import { withLock } from '../local/lock.ts';
import { lastLines, runCommand } from '../local/run-command.ts';
import type { TeamConfig } from './config.ts';
import { toolDir } from './paths.ts';
import { MLFLOW_TEAM_EXTRAS, POSTGRES_MAJOR, TEMPORAL_SERVER_VERSION, VERSITYGW_VERSION } from './versions.ts';

export interface TeamTools {
  temporalServer: string;
  temporalSql: string;
  versitygw: string;
  postgresBin: string;
  mlflow: string;
  mlflowPython: string;
}

type Log = (line: string) => void;

interface GoTool {
  tool: string;
  version: string;
  pkg: string;
  binary: string;
}

const GO_TOOLS = {
  temporalServer: { tool: 'temporal-server', version: TEMPORAL_SERVER_VERSION, pkg: 'go.temporal.io/server/cmd/server', binary: 'server' },
  temporalSql: { tool: 'temporal-sql-tool', version: TEMPORAL_SERVER_VERSION, pkg: 'go.temporal.io/server/cmd/tools/sql', binary: 'sql' },
  versitygw: { tool: 'versitygw', version: VERSITYGW_VERSION, pkg: 'github.com/versity/versitygw/cmd/versitygw', binary: 'versitygw' },
} satisfies Record<string, GoTool>;

export async function ensureTeamTools(config: TeamConfig, log: Log, only?: Partial<Record<keyof TeamTools, boolean>>): Promise<TeamTools> {
  const want = (k: keyof TeamTools) => !only || only[k] === true;
  const local = resolveLocalConfig({ ...process.env, REXSWEEP_CACHE: config.cacheDir, REXSWEEP_PYTHON: config.python });
  // Sequential: two Go builds at once on 2 cores are no faster and need twice the memory.
  const temporalServer = want('temporalServer') ? await goInstall(config.cacheDir, GO_TOOLS.temporalServer, log) : '';
  const temporalSql = want('temporalSql') ? await goInstall(config.cacheDir, GO_TOOLS.temporalSql, log) : '';
  const versitygw = want('versitygw') ? await goInstall(config.cacheDir, GO_TOOLS.versitygw, log) : '';
  const postgresBin = want('postgresBin') ? await ensurePostgres(config.cacheDir, log) : '';
  let mlflow = '';
  let mlflowPython = '';
  if (want('mlflow') || want('mlflowPython')) {
    const m = await ensureMlflow(local, log);
    await ensureMlflowExtras(m.python, config.cacheDir, log);
    mlflow = m.bin;
    mlflowPython = m.python;
  }
  return { temporalServer, temporalSql, versitygw, postgresBin, mlflow, mlflowPython };
}

async function goInstall(cacheDir: string, t: GoTool, log: Log): Promise<string> {
  const dir = toolDir(cacheDir, t.tool, t.version);
  const bin = join(dir, 'bin', t.binary);
  const logFile = join(cacheDir, 'logs', `install-${t.tool}-${t.version}.log`);
  const step = (s: string) => log(`[install] ${t.tool} ${t.version}: ${s}`);
  const outcome = await installOnce({
    tool: t.tool,
    version: t.version,
    dir,
    lockFile: join(cacheDir, 'locks', `${t.tool}-${t.version}.lock`),
    requiredFiles: [bin],
    log: step,
    lockTimeoutMs: 60 * 60_000,
    install: async () => {
      step(`go install ${t.pkg}@${t.version} (the first build of the Temporal server takes 15–25 min on 2 cores; log: ${logFile})`);
      const r = await runCommand('go', ['install', `${t.pkg}@${t.version}`], {
        logFile,
        timeoutMs: 60 * 60_000,
        env: { ...process.env, GOBIN: join(dir, 'bin'), GOFLAGS: process.env.GOFLAGS ?? '' },
        heartbeatMs: 60_000,
        onHeartbeat: (ms) => step(`still building (${Math.round(ms / 1000)} s)`),
      });
      if (r.code !== 0) throw new InstallError(t.tool, 'go install', lastLines(r.tail, 8) || `exit ${r.code}`, logFile);
      const v = await runCommand(bin, t.tool === 'versitygw' ? ['--version'] : ['--version'], { capture: true, timeoutMs: 60_000 });
      return (v.stdout.trim().split('\n')[0] || `${t.tool} ${t.version}`).slice(0, 200);
    },
  });
  if (!outcome.reused) step(`built in ${outcome.marker.installSeconds} s`);
  return bin;
}

/** Debian's PostgreSQL server binaries; installed with apt-get when missing and we are root. */
async function ensurePostgres(cacheDir: string, log: Log): Promise<string> {
  const bin = `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin`;
  const present = () => access(join(bin, 'postgres')).then(() => true, () => false);
  if (await present()) return bin;
  if (process.getuid?.() !== 0) {
    throw new InstallError('postgresql', 'find', `${bin}/postgres is missing; install it as root: apt-get install postgresql-${POSTGRES_MAJOR}`);
  }
  return withLock(join(cacheDir, 'locks', 'postgresql-apt.lock'), { timeoutMs: 20 * 60_000, onWait: () => log('[install] postgresql: waiting for another apt-get') }, async () => {
    if (await present()) return bin;
    const logFile = join(cacheDir, 'logs', 'install-postgresql.log');
    log(`[install] postgresql ${POSTGRES_MAJOR}: apt-get install (Debian's package; log: ${logFile})`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = await runCommand('apt-get', ['update', '-qq'], { logFile, env, timeoutMs: 10 * 60_000 });
    if (update.code !== 0) throw new InstallError('postgresql', 'apt-get update', lastLines(update.tail, 5), logFile);
    const inst = await runCommand('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', '--no-install-recommends', `postgresql-${POSTGRES_MAJOR}`], { logFile, env, timeoutMs: 15 * 60_000 });
    if (inst.code !== 0 || !(await present())) throw new InstallError('postgresql', 'apt-get install', lastLines(inst.tail, 5), logFile);
    return bin;
  });
}

/** boto3 and psycopg2 beside MLflow in its venv; a marker in the venv says which were installed. */
async function ensureMlflowExtras(python: string, cacheDir: string, log: Log): Promise<void> {
  const marker = join(python, '..', '..', '.team-extras.json');
  const wanted = JSON.stringify(MLFLOW_TEAM_EXTRAS);
  const done = async () => (await readFile(marker, 'utf8').catch(() => '')) === wanted;
  if (await done()) return;
  await withLock(join(cacheDir, 'locks', 'mlflow-team-extras.lock'), { timeoutMs: 20 * 60_000, onWait: () => log('[install] mlflow extras: waiting for another install') }, async () => {
    if (await done()) return;
    const logFile = join(cacheDir, 'logs', 'install-mlflow-team-extras.log');
    log(`[install] mlflow extras: pip install ${MLFLOW_TEAM_EXTRAS.join(' ')}`);
    const pip = await runCommand(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...MLFLOW_TEAM_EXTRAS], { logFile, timeoutMs: 20 * 60_000 });
    if (pip.code !== 0) throw new InstallError('mlflow extras', 'pip install', lastLines(pip.tail, 5), logFile);
    const check = await runCommand(python, ['-c', 'import boto3, psycopg2'], { logFile, timeoutMs: 60_000 });
    if (check.code !== 0) throw new InstallError('mlflow extras', 'verify (import boto3, psycopg2)', lastLines(check.tail, 5), logFile);
    await writeFile(marker, wanted);
  });
}
