/**
 * PostgreSQL for Temporal (databases `temporal`, `temporal_visibility`) and MLflow (`mlflow`, and
 * `mlflow_auth` for its users), one cluster in <state>/postgres. Password authentication
 * (scram-sha-256) for every TCP client, listening on the configured address only; no Unix socket
 * outside the state folder.
 */
import { access, appendFile, mkdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { tcpOpen, waitUntil } from '../local/health.ts';
import { InstallError, ServiceStartError } from '../local/errors.ts';
import { lastLines, runCommand } from '../local/run-command.ts';
import { MLFLOW_POOL_CONNECTIONS } from '../local/mlflow-pool.ts';
import { serviceStatus, startService, stopService, type Log, type ServiceHandle, type ServiceStatus, type StartOutcome, type StopOutcome } from '../local/supervisor.ts';
import { address, type TeamConfig } from './config.ts';
import { asUser, giveTo, postgresUser } from './os-user.ts';
import { teamPaths } from './paths.ts';
import type { TeamSecrets } from './secrets.ts';

/** Roles and the databases each owns. */
export const DATABASES = {
  temporal: ['temporal', 'temporal_visibility'],
  mlflow: ['mlflow', 'mlflow_auth'],
} as const;

function handle(config: TeamConfig, bin: string): ServiceHandle {
  return {
    name: 'postgres',
    paths: teamPaths(config.stateDir),
    host: config.postgres.host,
    isHealthy: () => pgReady(bin, config),
    stopTimeoutMs: 30_000,
  };
}

async function pgReady(bin: string, config: TeamConfig): Promise<boolean> {
  if (!(await tcpOpen(config.postgres.host, config.postgres.port, 1000))) return false;
  const r = await runCommand(join(bin, 'pg_isready'), ['-h', config.postgres.host, '-p', String(config.postgres.port), '-t', '2'], { timeoutMs: 5_000 });
  return r.code === 0;
}

export async function startPostgres(config: TeamConfig, bin: string, secrets: TeamSecrets, log: Log): Promise<StartOutcome> {
  const paths = teamPaths(config.stateDir);
  const user = await postgresUser();
  await initCluster(config, bin, secrets, log);
  const outcome = await startService(
    handle(config, bin),
    {
      executable: join(bin, 'postgres'),
      args: ['-D', paths.pgData, '-h', config.postgres.host, '-p', String(config.postgres.port), '-k', paths.pgSocketDir],
      ports: [config.postgres.port],
      startTimeoutMs: 60_000,
      portHint: 'stop whatever holds it or set REXSWEEP_TEAM_POSTGRES to another host:port',
      uid: user?.uid,
      gid: user?.gid,
      cwd: paths.pgData,
    },
    log,
  );
  await ensureRolesAndDatabases(config, bin, secrets);
  return outcome;
}

/** `pg_ctl stop -m fast` (SIGTERM would wait for every client to hang up), then the pid file. */
export async function stopPostgres(config: TeamConfig, bin: string, log: Log): Promise<StopOutcome> {
  const paths = teamPaths(config.stateDir);
  const user = await postgresUser();
  const started = Date.now();
  let stoppedByPgCtl = false;
  if (await access(join(paths.pgData, 'postmaster.pid')).then(() => true, () => false)) {
    const [cmd, args] = asUser(user, join(bin, 'pg_ctl'), ['stop', '-D', paths.pgData, '-m', 'fast', '-w', '-t', '60']);
    stoppedByPgCtl = (await runCommand(cmd, args, { timeoutMs: 90_000 })).code === 0;
  }
  // Whatever pg_ctl did, the supervisor cleans up the pid file (and kills a server that hung).
  const outcome = await stopService(handle(config, bin), log);
  return stoppedByPgCtl && outcome.result === 'not-running' ? { ...outcome, result: 'terminated', ms: Date.now() - started } : outcome;
}

export function postgresStatus(config: TeamConfig, bin: string): Promise<ServiceStatus> {
  return serviceStatus(handle(config, bin));
}

async function initCluster(config: TeamConfig, bin: string, secrets: TeamSecrets, log: Log): Promise<void> {
  const paths = teamPaths(config.stateDir);
  if (await access(join(paths.pgData, 'PG_VERSION')).then(() => true, () => false)) return;
  const user = await postgresUser();
  // The postgres user must be able to walk down to its folders.
  await mkdir(config.stateDir, { recursive: true });
  if (user) await chmod(config.stateDir, 0o711);
  const pgRoot = join(config.stateDir, 'postgres');
  await mkdir(paths.pgData, { recursive: true, mode: 0o700 });
  await mkdir(paths.pgSocketDir, { recursive: true, mode: 0o700 });
  await giveTo(user, pgRoot, paths.pgData, paths.pgSocketDir);
  if (user) await chmod(pgRoot, 0o755);
  const pwfile = join(pgRoot, '.pwfile');
  await writeFile(pwfile, secrets.postgresSuperuser + '\n', { mode: 0o600 });
  await giveTo(user, pwfile);
  log(`postgres: initdb ${paths.pgData}`);
  try {
    const [cmd, args] = asUser(user, join(bin, 'initdb'), [
      '-D', paths.pgData, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions',
    ]);
    const r = await runCommand(cmd, args, { timeoutMs: 120_000, cwd: pgRoot });
    if (r.code !== 0) {
      const hint = user ? ` (initdb runs as ${user.name}: every folder above ${config.stateDir} must be enterable by it; set REXSWEEP_TEAM_STATE elsewhere, e.g. /var/lib/rexsweep)` : '';
      throw new InstallError('postgresql', 'initdb', (lastLines(r.tail, 5) || `exit ${r.code}`) + hint);
    }
  } finally {
    await rm(pwfile, { force: true });
  }
  // Other hosts of the team connect by TCP with a password; initdb allows loopback only.
  await appendFile(join(paths.pgData, 'pg_hba.conf'), '\n# rexsweep team stack: password clients from any address the server listens on\nhost all all 0.0.0.0/0 scram-sha-256\n');
  const conf = join(paths.pgData, 'postgresql.conf');
  const text = await readFile(conf, 'utf8');
  // Temporal's two pools (30), and per MLflow worker its tracking pool and the auth app's default
  // pool (15), with room for psql and the backups.
  const connections = Math.max(200, 30 + config.mlflow.workers * (MLFLOW_POOL_CONNECTIONS + 15) + 20);
  if (!text.includes('# rexsweep')) await appendFile(conf, `\n# rexsweep: Temporal (2 pools) and MLflow (pooled, ${config.mlflow.workers} workers) share this server\nmax_connections = ${connections}\nlisten_addresses = ''\n`);
}

async function ensureRolesAndDatabases(config: TeamConfig, bin: string, secrets: TeamSecrets): Promise<void> {
  const passwords = { temporal: secrets.temporalDb, mlflow: secrets.mlflowDb };
  for (const role of Object.keys(DATABASES) as (keyof typeof DATABASES)[]) {
    // Passwords are generated base64url: nothing to escape.
    await psql(config, bin, secrets, `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN; END IF; END $$; ALTER ROLE ${role} WITH LOGIN PASSWORD '${passwords[role]}';`);
    for (const db of DATABASES[role]) {
      const exists = (await psql(config, bin, secrets, `SELECT 1 FROM pg_database WHERE datname = '${db}'`)).trim() === '1';
      if (!exists) await psql(config, bin, secrets, `CREATE DATABASE ${db} OWNER ${role}`);
    }
  }
}

async function psql(config: TeamConfig, bin: string, secrets: TeamSecrets, sql: string): Promise<string> {
  const r = await runCommand(
    join(bin, 'psql'),
    ['-h', config.postgres.host, '-p', String(config.postgres.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-tAq', '-c', sql],
    { capture: true, timeoutMs: 60_000, env: { ...process.env, PGPASSWORD: secrets.postgresSuperuser, PGCONNECT_TIMEOUT: '10' } },
  );
  if (r.code !== 0) throw new ServiceStartError('postgres', `psql on ${address(config.postgres)}: ${lastLines(r.tail, 3)}`);
  return r.stdout;
}

/** Waits until PostgreSQL (on any host) accepts connections: services on other hosts start after it. */
export async function waitForPostgres(config: TeamConfig, bin: string, timeoutMs: number): Promise<boolean> {
  return (await waitUntil(() => pgReady(bin, config), { timeoutMs, intervalMs: 500 })).ok;
}
