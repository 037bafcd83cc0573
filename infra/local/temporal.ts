/**
 * The Temporal dev server (`temporal server start-dev`): SQLite state in <state>/temporal.db so
 * workflows survive a restart, Web UI on its own port, updates enabled (as the TS SDK's ephemeral
 * server does), and the search attributes rexsweep's sweeps upsert registered at every start
 * (re-registering existing ones on a persisted database is accepted).
 */
import type { LocalServicesConfig } from './config.ts';
import { httpOk, tcpOpen } from './health.ts';
import { ensureTemporalCli } from './install-temporal.ts';
import { installPaths, statePaths } from './paths.ts';
import { runCommand } from './run-command.ts';
import { serviceStatus, startService, stopService, type Log, type ServiceHandle, type ServiceStatus, type StartOutcome, type StopOutcome } from './supervisor.ts';
import { existsSync } from 'node:fs';

import { REXSWEEP_SEARCH_ATTRIBUTES } from '../../sweep/search-attributes.ts';

/** Custom search attributes registered on the dev server (names and Temporal types). */
export { REXSWEEP_SEARCH_ATTRIBUTES };

export interface TemporalEndpoints {
  /** gRPC `host:port`, the form TEMPORAL_ADDRESS and @temporalio/client take. */
  address: string;
  uiUrl: string;
}

export function temporalEndpoints(config: LocalServicesConfig): TemporalEndpoints {
  return {
    address: `${config.host}:${config.temporal.port}`,
    uiUrl: `http://${config.host}:${config.temporal.uiPort}`,
  };
}

export function temporalStartArgs(config: LocalServicesConfig): string[] {
  const paths = statePaths(config.stateDir);
  const args = [
    'server', 'start-dev',
    '--ip', config.host,
    '--port', String(config.temporal.port),
    '--ui-port', String(config.temporal.uiPort),
    '--db-filename', paths.temporalDb,
    // SQLite in WAL mode, synced at checkpoints rather than at every commit: half the server's
    // CPU a cell and 2.6× the throughput (bench/RESULTS.md). A killed server loses nothing (the
    // WAL is in the OS's cache); only a power loss or OS crash can roll back the last commits,
    // which Temporal then redoes as timed-out tasks (a cell finds its MLflow run by key).
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    '--namespace', config.temporal.namespace,
    '--log-format', 'json',
    // The UI would otherwise fetch a news feed from the internet.
    '--ui-disable-news-fetch',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    // No phone-home version check (the SDK's ephemeral server disables it too).
    '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
  ];
  for (const [name, type] of Object.entries(REXSWEEP_SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  return args;
}

/**
 * Healthy = the gRPC port accepts connections and, when the CLI is installed,
 * `temporal operator cluster health` answers SERVING.
 */
export async function temporalHealthy(config: LocalServicesConfig, address = temporalEndpoints(config).address): Promise<boolean> {
  const [host, portText] = [address.slice(0, address.lastIndexOf(':')), address.slice(address.lastIndexOf(':') + 1)];
  if (!(await tcpOpen(host, Number(portText), 1000))) return false;
  const bin = installPaths(config.cacheDir, config.temporal.version, config.mlflow.version).temporalBin;
  if (!existsSync(bin)) return true;
  const probe = await runCommand(
    bin,
    ['operator', 'cluster', 'health', '--address', address, '--command-timeout', '3s', '--client-connect-timeout', '2s', '--disable-config-file', '--disable-config-env'],
    { capture: true, timeoutMs: 5_000, env: withoutTemporalEnv() },
  );
  return probe.code === 0 && probe.stdout.includes('SERVING');
}

function temporalHandle(config: LocalServicesConfig): ServiceHandle {
  return {
    name: 'temporal',
    paths: statePaths(config.stateDir),
    host: config.host,
    isHealthy: () => temporalHealthy(config),
    stopTimeoutMs: 15_000,
  };
}

export interface TemporalStarted extends StartOutcome, TemporalEndpoints {}

/** Installs the CLI if needed, then starts the dev server unless ours is already healthy. */
export async function startLocalTemporal(config: LocalServicesConfig, log: Log): Promise<TemporalStarted> {
  const cli = await ensureTemporalCli(config, log);
  const outcome = await startService(
    temporalHandle(config),
    {
      executable: cli.bin,
      args: temporalStartArgs(config),
      env: withoutTemporalEnv(),
      ports: [config.temporal.port, config.temporal.uiPort],
      startTimeoutMs: 60_000,
      portHint:
        'stop whatever holds it, set REXSWEEP_TEMPORAL_PORT / REXSWEEP_TEMPORAL_UI_PORT to other ports, ' +
        'or set TEMPORAL_ADDRESS to use that server instead of starting one',
    },
    log,
  );
  return { ...outcome, ...temporalEndpoints(config) };
}

export function stopLocalTemporal(config: LocalServicesConfig, log: Log): Promise<StopOutcome> {
  return stopService(temporalHandle(config), log);
}

export async function localTemporalStatus(config: LocalServicesConfig): Promise<ServiceStatus & TemporalEndpoints & { uiHealthy: boolean }> {
  const status = await serviceStatus(temporalHandle(config));
  const endpoints = temporalEndpoints(config);
  const uiHealthy = status.state === 'running' && (await httpOk(endpoints.uiUrl + '/', 3000));
  return { ...status, ...endpoints, uiHealthy };
}

/**
 * The user's TEMPORAL_* variables (address, TLS, API key, profile) configure *clients*; they
 * must not leak into the local server or its health probe.
 */
function withoutTemporalEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
}
