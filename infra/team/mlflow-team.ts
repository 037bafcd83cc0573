/**
 * MLflow for a team: runs and metrics in PostgreSQL, artifacts in the S3 bucket served through
 * MLflow (`--serve-artifacts`: workers need no S3 keys), and MLflow's basic-auth app so that a
 * team has users. Users: `admin`, the workers' service account `rexsweep-worker`, and
 * `researcher` (an example account; add people with the admin account, README "Team deployment").
 *
 * default_permission = EDIT: a sweep's runs are written by workers (the service account) into
 * experiments that researchers create, and researchers read and report on each other's; with
 * MLflow's default (READ) every experiment would need a grant per user first.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tcpOpen } from '../local/health.ts';
import { mlflowPoolEnv } from '../local/mlflow-pool.ts';
import { lastLines, runCommand } from '../local/run-command.ts';
import { ServiceStartError } from '../local/errors.ts';
import { serviceStatus, startService, stopService, type Log, type ServiceHandle, type ServiceStatus, type StartOutcome, type StopOutcome } from '../local/supervisor.ts';
import { mlflowUrl, type TeamConfig } from './config.ts';
import { teamPaths } from './paths.ts';
import { s3ClientEnv } from './s3.ts';
import type { TeamSecrets } from './secrets.ts';

export const MLFLOW_USERS = { admin: 'admin', worker: 'rexsweep-worker', researcher: 'researcher' } as const;

function handle(config: TeamConfig): ServiceHandle {
  return {
    name: 'mlflow-team',
    paths: teamPaths(config.stateDir),
    host: config.mlflow.host,
    isHealthy: async () => (await tcpOpen(config.mlflow.host, config.mlflow.port, 1000)) && healthOk(config),
    stopTimeoutMs: 15_000,
  };
}

async function healthOk(config: TeamConfig): Promise<boolean> {
  try {
    const res = await fetch(`${mlflowUrl(config)}/health`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** No password in the URI: psycopg2 reads PGPASSWORD, so no file or argv holds a secret. */
const pgUri = (config: TeamConfig, db: string) => `postgresql+psycopg2://mlflow@${config.postgres.host}:${config.postgres.port}/${db}`;

export async function startMlflowTeam(config: TeamConfig, mlflowBin: string, secrets: TeamSecrets, log: Log): Promise<StartOutcome> {
  const paths = teamPaths(config.stateDir);
  await mkdir(paths.mlflowDir, { recursive: true, mode: 0o700 });
  const authIni = join(paths.mlflowDir, 'basic_auth.ini');
  await writeFile(
    authIni,
    [
      '[mlflow]',
      'default_permission = EDIT',
      `database_uri = ${pgUri(config, 'mlflow_auth')}`,
      `admin_username = ${MLFLOW_USERS.admin}`,
      'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
      // MLflow checks the password hash (PBKDF2, tens of ms of CPU) on every request unless told
      // to trust a checked one for a while: ~450 ms of MLflow CPU a no-op cell without the cache
      // (bench/RESULTS.md). The price: a changed or removed password may keep working on another
      // worker process for up to this long.
      `auth_cache_ttl_seconds = ${config.mlflow.authCacheSeconds}`,
      '',
    ].join('\n'),
  );
  const { host, port } = config.mlflow;
  const outcome = await startService(
    handle(config),
    {
      executable: mlflowBin,
      args: [
        'server',
        '--artifacts-destination', `s3://${config.bucket}/mlartifacts`,
        '--serve-artifacts',
        '--app-name', 'basic-auth',
        '--host', host,
        '--port', String(port),
        '--workers', String(config.mlflow.workers),
        // MLflow 3 answers only loopback Host headers unless told which names it serves under.
        '--allowed-hosts', [...new Set([`${host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`])].join(','),
      ],
      env: {
        ...withoutMlflowClientEnv(),
        ...s3ClientEnv(config, secrets),
        // Secrets through the environment, not argv (visible in ps).
        MLFLOW_BACKEND_STORE_URI: pgUri(config, 'mlflow'),
        PGPASSWORD: secrets.mlflowDb,
        MLFLOW_AUTH_CONFIG_PATH: authIni,
        MLFLOW_AUTH_ADMIN_PASSWORD: secrets.mlflowAdmin,
        MLFLOW_FLASK_SERVER_SECRET_KEY: secrets.mlflowFlaskKey,
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
        ...mlflowPoolEnv(),
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: 'true',
        PYTHONUNBUFFERED: '1',
      },
      ports: [port],
      startTimeoutMs: 240_000,
      portHint: 'stop whatever holds it or set REXSWEEP_TEAM_MLFLOW to another host:port',
    },
    log,
  );
  await ensureUsers(config, secrets, log);
  await fastPasswordHashes(config, python(mlflowBin), secrets);
  return outcome;
}

const python = (mlflowBin: string) => join(mlflowBin, '..', 'python');

/**
 * MLflow's basic-auth app checks the password on every request against a scrypt hash (werkzeug's
 * default, n = 2^15): ~0.1 s of CPU per request, 4 s per request measured with 8 cells in flight
 * on 2 cores. Slow hashes protect passwords people choose; these accounts' passwords are
 * generated 192-bit tokens, which no guessing reaches, so the stack stores them as
 * pbkdf2-sha256 with 1,000 iterations (still werkzeug's format: MLflow checks it as any other).
 * Accounts created by hand with the admin API keep MLflow's default.
 */
async function fastPasswordHashes(config: TeamConfig, py: string, secrets: TeamSecrets): Promise<void> {
  const script = [
    'import os, json, psycopg2',
    'from werkzeug.security import generate_password_hash',
    "users = json.loads(os.environ['REXSWEEP_USERS'])",
    "c = psycopg2.connect(host=os.environ['REXSWEEP_PG_HOST'], port=int(os.environ['REXSWEEP_PG_PORT']), user='mlflow', dbname='mlflow_auth')",
    'with c, c.cursor() as cur:',
    '    for name, password in users.items():',
    "        cur.execute('UPDATE users SET password_hash = %s WHERE username = %s', (generate_password_hash(password, method='pbkdf2:sha256:1000'), name))",
    'print("ok")',
  ].join('\n');
  const users = { [MLFLOW_USERS.admin]: secrets.mlflowAdmin, [MLFLOW_USERS.worker]: secrets.mlflowWorker, [MLFLOW_USERS.researcher]: secrets.mlflowResearcher };
  const r = await runCommand(py, ['-c', script], {
    capture: true,
    timeoutMs: 60_000,
    // Passwords through the environment, never argv.
    env: { ...process.env, PGPASSWORD: secrets.mlflowDb, REXSWEEP_USERS: JSON.stringify(users), REXSWEEP_PG_HOST: config.postgres.host, REXSWEEP_PG_PORT: String(config.postgres.port) },
  });
  if (r.code !== 0 || !r.stdout.includes('ok')) throw new ServiceStartError('mlflow-team', `storing the generated accounts' password hashes: ${lastLines(r.tail, 3)}`);
}

export function stopMlflowTeam(config: TeamConfig, log: Log): Promise<StopOutcome> {
  return stopService(handle(config), log);
}

export function mlflowTeamStatus(config: TeamConfig): Promise<ServiceStatus> {
  return serviceStatus(handle(config));
}

/** Creates the worker and researcher accounts, or resets their passwords to the stack's. */
async function ensureUsers(config: TeamConfig, secrets: TeamSecrets, log: Log): Promise<void> {
  const admin = 'Basic ' + Buffer.from(`${MLFLOW_USERS.admin}:${secrets.mlflowAdmin}`).toString('base64');
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${mlflowUrl(config)}/api/2.0/mlflow/${path}`, {
      method,
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, text: await res.text() };
  };
  for (const [user, password] of [[MLFLOW_USERS.worker, secrets.mlflowWorker], [MLFLOW_USERS.researcher, secrets.mlflowResearcher]] as const) {
    const created = await call('POST', 'users/create', { username: user, password });
    if (created.status === 200) {
      log(`mlflow: user ${user} created`);
      continue;
    }
    if (!/RESOURCE_ALREADY_EXISTS|already exists/i.test(created.text)) {
      throw new ServiceStartError('mlflow-team', `creating MLflow user ${user}: HTTP ${created.status} ${created.text.slice(0, 200)}`);
    }
    const updated = await call('PATCH', 'users/update-password', { username: user, password });
    if (updated.status !== 200) throw new ServiceStartError('mlflow-team', `password of MLflow user ${user}: HTTP ${updated.status} ${updated.text.slice(0, 200)}`);
  }
}

/** A user's MLFLOW_* client settings must not reach the server process. */
function withoutMlflowClientEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLFLOW_') && !k.startsWith('AWS_')));
}
