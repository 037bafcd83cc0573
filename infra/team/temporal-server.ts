/**
 * The Temporal server (the real one, not the CLI's dev server) on PostgreSQL with SQL visibility
 * and mutual TLS. `up`: schemas created or updated with temporal-sql-tool, config written, server
 * started, then the `default` namespace and rexsweep's search attributes registered (the dev
 * server has both built in; a real server has neither) with the Temporal CLI, as a team's
 * operator would.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REXSWEEP_SEARCH_ATTRIBUTES } from '../../sweep/search-attributes.ts';
import { ensureTemporalCli } from '../local/install-temporal.ts';
import { resolveConfig as resolveLocalConfig } from '../local/config.ts';
import { ServiceStartError } from '../local/errors.ts';
import { tcpOpen, waitUntil } from '../local/health.ts';
import { lastLines, runCommand } from '../local/run-command.ts';
import { serviceStatus, startService, stopService, type Log, type ServiceHandle, type ServiceStatus, type StartOutcome, type StopOutcome } from '../local/supervisor.ts';
import { address, temporalPorts, type TeamConfig } from './config.ts';
import { teamPaths } from './paths.ts';
import type { TeamSecrets } from './secrets.ts';
import { TEMPORAL_DYNAMIC_CONFIG, temporalServerConfig } from './temporal-config.ts';
import { TLS_SERVER_NAME, tlsFiles, type TlsFiles } from './tls.ts';
import { TEMPORAL_SCHEMAS } from './versions.ts';

/** Flags that make the Temporal CLI speak mTLS to this server. */
export function cliTlsFlags(tls: TlsFiles): string[] {
  return ['--tls-ca-path', tls.ca, '--tls-cert-path', tls.clientCert, '--tls-key-path', tls.clientKey, '--tls-server-name', TLS_SERVER_NAME];
}

async function temporalCli(config: TeamConfig, log: Log): Promise<string> {
  const local = resolveLocalConfig({ ...process.env, REXSWEEP_CACHE: config.cacheDir, REXSWEEP_PYTHON: config.python });
  return (await ensureTemporalCli(local, log)).bin;
}

/** The user's TEMPORAL_* variables configure clients, not this server or its probes. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
}

async function cli(bin: string, config: TeamConfig, args: string[], timeoutMs = 30_000) {
  return runCommand(
    bin,
    [...args, '--address', address(config.temporal), ...cliTlsFlags(tlsFiles(teamPaths(config.stateDir).tlsDir)), '--disable-config-file', '--disable-config-env'],
    { capture: true, timeoutMs, env: cleanEnv() },
  );
}

async function healthy(bin: string, config: TeamConfig): Promise<boolean> {
  if (!(await tcpOpen(config.temporal.host, config.temporal.port, 1000))) return false;
  const r = await cli(bin, config, ['operator', 'cluster', 'health', '--command-timeout', '3s', '--client-connect-timeout', '2s'], 8_000);
  return r.code === 0 && r.stdout.includes('SERVING');
}

function handle(config: TeamConfig, cliBin: string): ServiceHandle {
  return { name: 'temporal-server', paths: teamPaths(config.stateDir), host: config.temporal.host, isHealthy: () => healthy(cliBin, config), stopTimeoutMs: 20_000 };
}

export interface TemporalTools {
  server: string;
  sql: string;
  postgresBin: string;
}

export async function startTemporalServer(config: TeamConfig, tools: TemporalTools, secrets: TeamSecrets, tls: TlsFiles, log: Log): Promise<StartOutcome> {
  const paths = teamPaths(config.stateDir);
  const cliBin = await temporalCli(config, log);
  await setupSchemas(config, tools, secrets, log);
  await mkdir(paths.temporalDir, { recursive: true, mode: 0o700 });
  const dynamicConfig = join(paths.temporalDir, 'dynamicconfig.yaml');
  await writeFile(dynamicConfig, stringify(TEMPORAL_DYNAMIC_CONFIG));
  const configFile = join(paths.temporalDir, 'config.yaml');
  // Mode 600: it holds the database password.
  await writeFile(configFile, stringify(temporalServerConfig(config, secrets.temporalDb, tls, dynamicConfig)), { mode: 0o600 });
  const ports = temporalPorts(config.temporal.port);
  const outcome = await startService(
    handle(config, cliBin),
    {
      executable: tools.server,
      args: ['--config-file', configFile, '--allow-no-auth', 'start'],
      env: cleanEnv(),
      ports: [ports.frontend, ports.history, ports.matching, ports.worker, ...Object.values(ports.membership)],
      startTimeoutMs: 120_000,
      portHint: 'stop whatever holds it or set REXSWEEP_TEAM_TEMPORAL to another host:port (the next 3 ports and +100…+103 are used too)',
    },
    log,
  );
  await registerNamespace(cliBin, config, log);
  return outcome;
}

export async function stopTemporalServer(config: TeamConfig, log: Log): Promise<StopOutcome> {
  return stopService(handle(config, ''), log);
}

export async function temporalServerStatus(config: TeamConfig, log: Log): Promise<ServiceStatus> {
  return serviceStatus(handle(config, await temporalCli(config, log)));
}

/** Creates both databases' schemas once, then brings them to this server version's (idempotent). */
async function setupSchemas(config: TeamConfig, tools: TemporalTools, secrets: TeamSecrets, log: Log): Promise<void> {
  const env = { ...cleanEnv(), SQL_PASSWORD: secrets.temporalDb };
  const base = ['--plugin', 'postgres12', '--ep', config.postgres.host, '-p', String(config.postgres.port), '-u', 'temporal'];
  const logFile = join(teamPaths(config.stateDir).logsDir, 'temporal-schema.log');
  for (const [db, schema] of [['temporal', TEMPORAL_SCHEMAS.temporal], ['temporal_visibility', TEMPORAL_SCHEMAS.visibility]] as const) {
    if (!(await hasSchemaVersion(config, tools.postgresBin, secrets, db))) {
      log(`temporal: setting up schema ${schema} in ${db}`);
      const setup = await runCommand(tools.sql, [...base, '--db', db, 'setup-schema', '-v', '0.0'], { env, logFile, timeoutMs: 120_000 });
      if (setup.code !== 0) throw new ServiceStartError('temporal-server', `temporal-sql-tool setup-schema ${db}: ${lastLines(setup.tail, 4)}`, logFile);
    }
    const update = await runCommand(tools.sql, [...base, '--db', db, 'update-schema', '--schema-name', schema], { env, logFile, timeoutMs: 300_000 });
    if (update.code !== 0) throw new ServiceStartError('temporal-server', `temporal-sql-tool update-schema ${db}: ${lastLines(update.tail, 4)}`, logFile);
  }
}

/** setup-schema resets the recorded version: it may run only on a database that has none. */
async function hasSchemaVersion(config: TeamConfig, postgresBin: string, secrets: TeamSecrets, db: string): Promise<boolean> {
  const r = await runCommand(
    join(postgresBin, 'psql'),
    ['-h', config.postgres.host, '-p', String(config.postgres.port), '-U', 'temporal', '-d', db, '-tAq', '-c', "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"],
    { capture: true, timeoutMs: 30_000, env: { ...process.env, PGPASSWORD: secrets.temporalDb, PGCONNECT_TIMEOUT: '10' } },
  );
  if (r.code !== 0) throw new ServiceStartError('temporal-server', `cannot read ${db} on ${address(config.postgres)}: ${lastLines(r.tail, 3)}`);
  return r.stdout.trim() === '1';
}

/** The `default` namespace and rexsweep's search attributes, each created only if missing. */
async function registerNamespace(cliBin: string, config: TeamConfig, log: Log): Promise<void> {
  const ns = config.namespace;
  const describe = () => cli(cliBin, config, ['operator', 'namespace', 'describe', '--namespace', ns]);
  if ((await describe()).code !== 0) {
    log(`temporal: creating namespace ${ns}`);
    const r = await cli(cliBin, config, ['operator', 'namespace', 'create', '--namespace', ns, '--retention', '720h']);
    if (r.code !== 0 && !/already exists|AlreadyExists/i.test(r.tail)) throw new ServiceStartError('temporal-server', `namespace create: ${lastLines(r.tail, 3)}`);
    const ready = await waitUntil(async () => (await describe()).code === 0, { timeoutMs: 60_000, intervalMs: 1000 });
    if (!ready.ok) throw new ServiceStartError('temporal-server', `namespace ${ns} not visible after creation: ${ready.reason}`);
  }
  const listed = await cli(cliBin, config, ['operator', 'search-attribute', 'list', '--namespace', ns, '--output', 'json']);
  for (const [name, type] of Object.entries(REXSWEEP_SEARCH_ATTRIBUTES)) {
    if (listed.stdout.includes(`"${name}"`)) continue;
    log(`temporal: search attribute ${name} (${type})`);
    // A new namespace reaches each Temporal service's cache within ~10 s: until then the
    // operator service answers "not found".
    let last = '';
    const created = await waitUntil(
      async () => {
        const r = await cli(cliBin, config, ['operator', 'search-attribute', 'create', '--namespace', ns, '--name', name, '--type', type]);
        last = r.tail;
        if (r.code === 0 || /already exists|AlreadyExists/i.test(r.tail)) return true;
        if (/not found|NotFound/i.test(r.tail)) return false;
        throw new ServiceStartError('temporal-server', `search attribute ${name}: ${lastLines(r.tail, 3)}`);
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );
    if (!created.ok) throw new ServiceStartError('temporal-server', `search attribute ${name}: ${lastLines(last, 3)}`);
  }
}
