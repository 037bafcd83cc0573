/**
 * The team stack: PostgreSQL, the Temporal server (PostgreSQL persistence and visibility, mTLS),
 * an S3 store and MLflow (PostgreSQL + S3, basic auth), built from the registries and run as
 * detached servers. One host may run all four or any subset (`only`): every host reads the same
 * settings (infra/team/config.ts) and a service waits for the ones it needs on other hosts.
 *
 *   teamUp()      install what is missing, start what is not running (idempotent)
 *   teamDown()    stop what this host started, in reverse order (state is kept)
 *   teamStatus()  what runs here, healthy or not
 *   teamEnv()     the variables a worker or a researcher's CLI needs to use the stack
 */
import { waitUntil } from '../local/health.ts';
import { ServiceUnreachableError } from '../local/errors.ts';
import type { Log, ServiceStatus, StopOutcome } from '../local/supervisor.ts';
import { address, mlflowUrl, resolveTeamConfig, s3Url, TEAM_SERVICES, type TeamConfig, type TeamService } from './config.ts';
import { ensureTeamTools } from './install.ts';
import { MLFLOW_USERS, mlflowTeamStatus, startMlflowTeam, stopMlflowTeam } from './mlflow-team.ts';
import { teamPaths } from './paths.ts';
import { postgresStatus, startPostgres, stopPostgres, waitForPostgres } from './postgres.ts';
import { ensureBucket, httpAnswers, s3Status, startS3, stopS3 } from './s3.ts';
import { loadOrCreateSecrets, readSecrets, type TeamSecrets } from './secrets.ts';
import { startTemporalServer, stopTemporalServer, temporalServerStatus } from './temporal-server.ts';
import { ensureTls, TLS_SERVER_NAME, tlsFiles } from './tls.ts';
import { POSTGRES_MAJOR } from './versions.ts';

export { resolveTeamConfig, TEAM_SERVICES, type TeamConfig, type TeamService } from './config.ts';

export interface TeamOptions {
  config?: TeamConfig;
  only?: TeamService[];
  log?: Log;
}

const POSTGRES_BIN = `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin`;
/** How long a service waits for one it needs on another host. */
const DEPENDENCY_WAIT_MS = 5 * 60_000;

/** Builds or fetches every tool the chosen services need (CI calls this ahead of the tests). */
export async function teamInstall(options: TeamOptions = {}): Promise<void> {
  const config = options.config ?? resolveTeamConfig();
  const want = new Set(options.only ?? TEAM_SERVICES);
  await ensureTeamTools(config, options.log ?? (() => {}), {
    temporalServer: want.has('temporal'),
    temporalSql: want.has('temporal'),
    versitygw: want.has('s3'),
    postgresBin: want.has('postgres') || want.has('temporal'),
    mlflow: want.has('mlflow') || want.has('s3'),
  });
}

export async function teamUp(options: TeamOptions = {}): Promise<void> {
  const config = options.config ?? resolveTeamConfig();
  const log = options.log ?? (() => {});
  const want = new Set(options.only ?? TEAM_SERVICES);
  const secrets = await loadOrCreateSecrets(teamPaths(config.stateDir).secrets);
  const tools = await ensureTeamTools(config, log, {
    temporalServer: want.has('temporal'),
    temporalSql: want.has('temporal'),
    versitygw: want.has('s3'),
    postgresBin: want.has('postgres') || want.has('temporal'),
    mlflow: want.has('mlflow') || want.has('s3'),
  });
  const report = (name: string, o: { started: boolean; pid: number; ms: number }) =>
    log(`${name}: ${o.started ? `started pid ${o.pid} in ${(o.ms / 1000).toFixed(1)} s` : `already running (pid ${o.pid})`}`);

  if (want.has('postgres')) report(`postgres ${address(config.postgres)}`, await startPostgres(config, tools.postgresBin, secrets, log));
  if (want.has('temporal')) {
    await needPostgres(config, tools.postgresBin || POSTGRES_BIN, log);
    const tls = await ensureTls(teamPaths(config.stateDir).tlsDir, config.temporal.host, log);
    report(
      `temporal ${address(config.temporal)}`,
      await startTemporalServer(config, { server: tools.temporalServer, sql: tools.temporalSql, postgresBin: tools.postgresBin }, secrets, tls, log),
    );
  }
  if (want.has('s3')) {
    report(`s3 ${address(config.s3)}`, await startS3(config, tools.versitygw, secrets, log));
    await ensureBucket(config, tools.mlflowPython, secrets);
  }
  if (want.has('mlflow')) {
    await needPostgres(config, POSTGRES_BIN, log);
    await needS3(config, log);
    report(`mlflow ${address(config.mlflow)}`, await startMlflowTeam(config, tools.mlflow, secrets, log));
  }
}

async function needPostgres(config: TeamConfig, bin: string, log: Log): Promise<void> {
  log(`waiting for postgres at ${address(config.postgres)}`);
  if (!(await waitForPostgres(config, bin, DEPENDENCY_WAIT_MS))) throw new ServiceUnreachableError('postgres', address(config.postgres), `not accepting connections after ${DEPENDENCY_WAIT_MS / 60_000} min (is \`rexsweep team up --only postgres\` running on its host?)`);
}

async function needS3(config: TeamConfig, log: Log): Promise<void> {
  log(`waiting for the S3 store at ${address(config.s3)}`);
  const ok = await waitUntil(() => httpAnswers(`${s3Url(config)}/`), { timeoutMs: DEPENDENCY_WAIT_MS, intervalMs: 500 });
  if (!ok.ok) throw new ServiceUnreachableError('s3', address(config.s3), `no answer after ${DEPENDENCY_WAIT_MS / 60_000} min (is \`rexsweep team up --only s3\` running on its host?)`);
}

export async function teamDown(options: TeamOptions = {}): Promise<Record<string, StopOutcome>> {
  const config = options.config ?? resolveTeamConfig();
  const log = options.log ?? (() => {});
  const want = new Set(options.only ?? TEAM_SERVICES);
  const out: Record<string, StopOutcome> = {};
  for (const s of [...TEAM_SERVICES].reverse()) {
    if (!want.has(s)) continue;
    if (s === 'mlflow') out.mlflow = await stopMlflowTeam(config, log);
    if (s === 's3') out.s3 = await stopS3(config, log);
    if (s === 'temporal') out.temporal = await stopTemporalServer(config, log);
    if (s === 'postgres') out.postgres = await stopPostgres(config, POSTGRES_BIN, log);
    log(`${s}: ${out[s].result}`);
  }
  return out;
}

export async function teamStatus(options: TeamOptions = {}): Promise<Record<TeamService, ServiceStatus>> {
  const config = options.config ?? resolveTeamConfig();
  const log = options.log ?? (() => {});
  return {
    postgres: await postgresStatus(config, POSTGRES_BIN),
    temporal: await temporalServerStatus(config, log),
    s3: await s3Status(config),
    mlflow: await mlflowTeamStatus(config),
  };
}

export type TeamRole = 'worker' | 'researcher' | 'admin';

/**
 * What `rexsweep worker` / `rexsweep run` need to use the stack as `role`. Contains secrets:
 * printed only on request (`rexsweep team env`).
 */
export async function teamEnv(role: TeamRole, config: TeamConfig = resolveTeamConfig()): Promise<Record<string, string>> {
  const paths = teamPaths(config.stateDir);
  const secrets = await readSecrets(paths.secrets);
  if (!secrets) throw new ServiceUnreachableError('mlflow-team', mlflowUrl(config), `no secrets in ${paths.secrets}: run \`rexsweep team up\` first`);
  const tls = tlsFiles(paths.tlsDir);
  const password: Record<TeamRole, keyof TeamSecrets> = { worker: 'mlflowWorker', researcher: 'mlflowResearcher', admin: 'mlflowAdmin' };
  return {
    TEMPORAL_ADDRESS: address(config.temporal),
    TEMPORAL_NAMESPACE: config.namespace,
    TEMPORAL_TLS_CA: tls.ca,
    TEMPORAL_TLS_CERT: tls.clientCert,
    TEMPORAL_TLS_KEY: tls.clientKey,
    TEMPORAL_TLS_SERVER_NAME: TLS_SERVER_NAME,
    MLFLOW_TRACKING_URI: mlflowUrl(config),
    MLFLOW_TRACKING_USERNAME: MLFLOW_USERS[role],
    MLFLOW_TRACKING_PASSWORD: secrets[password[role]],
  };
}
