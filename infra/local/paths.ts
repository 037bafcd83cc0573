/**
 * Where things live. The cache (installed tools) and the state (databases, artifacts, logs, pid
 * files) are outside the repo; the state survives restarts, so a stopped server comes back with
 * everything it had.
 *
 *   <cache>/temporal/<v>/temporal         Temporal CLI binary (+ .installed.json marker)
 *   <cache>/mlflow-<v>/                   Python venv with mlflow (+ .installed.json marker)
 *   <cache>/logs/install-*.log            pip output
 *   <cache>/locks/*.lock                  install locks
 *   <state>/temporal.db                   Temporal dev-server SQLite
 *   <state>/mlflow.db, <state>/mlartifacts/   MLflow backend store and artifact root
 *   <state>/logs/<service>.log            server stdout + stderr
 *   <state>/run/<service>.pid|.lock       pid file (JSON) and start/stop lock
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ServiceName } from './errors.ts';

/** `$REXSWEEP_CACHE`, else `$HOME/.cache/rexsweep`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.REXSWEEP_CACHE || join(homedir(), '.cache', 'rexsweep'));
}

/** `$REXSWEEP_STATE_DIR`, else `<cache>/state`. */
export function defaultStateDir(cacheDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.REXSWEEP_STATE_DIR || join(cacheDir, 'state'));
}

export interface InstallPaths {
  temporalDir: string;
  temporalBin: string;
  mlflowVenv: string;
  mlflowBin: string;
  logsDir: string;
  locksDir: string;
}

export function installPaths(cacheDir: string, temporalVersion: string, mlflowVersion: string): InstallPaths {
  const temporalDir = join(cacheDir, 'temporal', temporalVersion);
  const mlflowVenv = join(cacheDir, `mlflow-${mlflowVersion}`);
  return {
    temporalDir,
    temporalBin: join(temporalDir, 'temporal'),
    mlflowVenv,
    mlflowBin: join(mlflowVenv, 'bin', 'mlflow'),
    logsDir: join(cacheDir, 'logs'),
    locksDir: join(cacheDir, 'locks'),
  };
}

export interface StatePaths {
  stateDir: string;
  logsDir: string;
  runDir: string;
  temporalDb: string;
  mlflowDb: string;
  mlflowArtifacts: string;
  logFile(service: ServiceName): string;
  pidFile(service: ServiceName): string;
  lockFile(service: ServiceName): string;
}

export function statePaths(stateDir: string): StatePaths {
  const logsDir = join(stateDir, 'logs');
  const runDir = join(stateDir, 'run');
  return {
    stateDir,
    logsDir,
    runDir,
    temporalDb: join(stateDir, 'temporal.db'),
    mlflowDb: join(stateDir, 'mlflow.db'),
    mlflowArtifacts: join(stateDir, 'mlartifacts'),
    logFile: (service) => join(logsDir, `${service}.log`),
    pidFile: (service) => join(runDir, `${service}.pid`),
    lockFile: (service) => join(runDir, `${service}.lock`),
  };
}
