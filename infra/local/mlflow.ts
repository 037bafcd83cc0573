/**
 * The MLflow tracking server: SQLite backend store in <state>/mlflow.db, artifacts served by the
 * server itself from <state>/mlartifacts (clients upload through the REST proxy), bound to
 * loopback. Under gunicorn, two sync workers by default (SQLite has a single writer, the machine 2
 * cores), or uvicorn, one worker (REXSWEEP_MLFLOW_SERVER=uvicorn; MLflow 3's default): config.ts.
 * Its SQLite file is put in WAL mode before the server opens it (sqlite-wal.ts).
 * MLflow's background job runner (GenAI scorers, prompt optimisation: 7 huey consumer processes,
 * ~0.8 GB RSS) is switched off; rexsweep does not use it.
 */
import type { LocalServicesConfig } from './config.ts';
import { httpOk } from './health.ts';
import { mlflowPoolEnv } from './mlflow-pool.ts';
import { ensureMlflow } from './install-mlflow.ts';
import { statePaths } from './paths.ts';
import { setWalMode } from './sqlite-wal.ts';
import { serviceStatus, startService, stopService, type Log, type ServiceHandle, type ServiceStatus, type StartOutcome, type StopOutcome } from './supervisor.ts';

export function mlflowUri(config: LocalServicesConfig): string {
  return `http://${config.host}:${config.mlflow.port}`;
}

export function mlflowStartArgs(config: LocalServicesConfig): string[] {
  const paths = statePaths(config.stateDir);
  return [
    'server',
    '--backend-store-uri', `sqlite:///${paths.mlflowDb}`,
    '--artifacts-destination', paths.mlflowArtifacts,
    '--host', config.host,
    '--port', String(config.mlflow.port),
    '--workers', String(config.mlflow.workers),
    // gunicorn's sync workers end a request after 30 s by default: a model upload may take longer.
    ...(config.mlflow.server === 'gunicorn' ? ['--gunicorn-opts', '--timeout 600'] : []),
  ];
}

/** GET <uri>/health answers 200 "OK". */
export function mlflowHealthy(uri: string): Promise<boolean> {
  return httpOk(`${uri.replace(/\/+$/, '')}/health`, 3000);
}

function mlflowHandle(config: LocalServicesConfig): ServiceHandle {
  return {
    name: 'mlflow',
    paths: statePaths(config.stateDir),
    host: config.host,
    isHealthy: () => mlflowHealthy(mlflowUri(config)),
    stopTimeoutMs: 15_000,
  };
}

export interface MlflowStarted extends StartOutcome {
  uri: string;
}

/** Installs MLflow if needed, then starts the server unless ours is already healthy. */
export async function startLocalMlflow(config: LocalServicesConfig, log: Log): Promise<MlflowStarted> {
  const install = await ensureMlflow(config, log);
  // Only while no server of ours holds the file: switching the journal mode needs it to itself.
  if (!(await mlflowHealthy(mlflowUri(config)))) {
    const wal = await setWalMode(install.python, statePaths(config.stateDir).mlflowDb);
    if ('failed' in wal || wal.mode !== 'wal') log(`mlflow: database left in its journal mode (${'failed' in wal ? wal.failed : wal.mode}): slower, not wrong`);
  }
  const outcome = await startService(
    mlflowHandle(config),
    {
      executable: install.bin,
      args: mlflowStartArgs(config),
      env: {
        ...withoutMlflowClientEnv(),
        PYTHONUNBUFFERED: '1',
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
        ...mlflowPoolEnv(),
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: 'true',
      },
      ports: [config.mlflow.port],
      startTimeoutMs: 180_000,
      portHint: 'stop whatever holds it, set REXSWEEP_MLFLOW_PORT to another port, or set MLFLOW_TRACKING_URI to use that server',
    },
    log,
  );
  return { ...outcome, uri: mlflowUri(config) };
}

export function stopLocalMlflow(config: LocalServicesConfig, log: Log): Promise<StopOutcome> {
  return stopService(mlflowHandle(config), log);
}

export async function localMlflowStatus(config: LocalServicesConfig): Promise<ServiceStatus & { uri: string }> {
  return { ...(await serviceStatus(mlflowHandle(config))), uri: mlflowUri(config) };
}

/** MLFLOW_TRACKING_URI configures clients; the server must not see it. */
function withoutMlflowClientEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MLFLOW_TRACKING_URI;
  return env;
}
