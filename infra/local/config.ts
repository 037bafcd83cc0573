/**
 * Settings of the local services, read from the environment once and passed down explicitly
 * (tests build their own instead of touching process.env).
 *
 *   REXSWEEP_CACHE              install cache (default $HOME/.cache/rexsweep)
 *   REXSWEEP_STATE_DIR          databases, artifacts, logs, pid files (default <cache>/state)
 *   REXSWEEP_TEMPORAL_PORT      Temporal gRPC port (default 7233)
 *   REXSWEEP_TEMPORAL_UI_PORT   Temporal Web UI port (default 8233)
 *   REXSWEEP_MLFLOW_PORT        MLflow port (default 5000)
 *   REXSWEEP_MLFLOW_WORKERS     MLflow server worker processes (default 1: SQLite has one writer)
 *   REXSWEEP_PYTHON             Python used to run pip and create the venv (default python3)
 *   TEMPORAL_ADDRESS            use this Temporal (host:port); start nothing for it
 *   MLFLOW_TRACKING_URI         use this MLflow (http[s]://…); start nothing for it
 */
import { z } from 'zod';
import { InputError } from '../../recsys/errors.ts';
import { defaultCacheDir, defaultStateDir } from './paths.ts';
import { MLFLOW_VERSION, TEMPORAL_CLI_VERSION } from './versions.ts';

export interface LocalServicesConfig {
  cacheDir: string;
  stateDir: string;
  /** Loopback only: the dev servers have no authentication. */
  host: '127.0.0.1';
  python: string;
  temporal: { version: string; port: number; uiPort: number; namespace: string };
  /**
   * server: the HTTP server MLflow runs under. gunicorn (MLflow 2's default; sync workers, one
   * request at a time each, 2 by default so one slow upload holds up nothing else) is the default:
   * against uvicorn (MLflow 3's default: Flask behind FastAPI's WSGI bridge on a thread pool) it
   * costs ~40 % less MLflow CPU a no-op cell and answers in ~50 ms instead of ~800 at concurrency
   * 50, on SQLite's single writer (bench/RESULTS.md). MLflow still refuses foreign Host headers
   * under gunicorn (test/security/mlflow-host-check.test.ts). REXSWEEP_MLFLOW_SERVER=uvicorn for
   * MLflow's FastAPI-only endpoints, which rexsweep does not use.
   */
  mlflow: { version: string; port: number; workers: number; server: 'uvicorn' | 'gunicorn' };
  /** Set when the user points at servers of their own: nothing is started or stopped for them. */
  external: { temporalAddress?: string; mlflowUri?: string };
}

const port = z.coerce.number().int().min(1).max(65535);
const workers = z.coerce.number().int().min(1).max(16);

export function resolveConfig(env: NodeJS.ProcessEnv = process.env): LocalServicesConfig {
  const cacheDir = defaultCacheDir(env);
  const temporalPort = readEnv(env, 'REXSWEEP_TEMPORAL_PORT', port, 7233, 'a port number 1-65535');
  const mlflowServer = readEnv(env, 'REXSWEEP_MLFLOW_SERVER', z.enum(['uvicorn', 'gunicorn']), 'gunicorn', 'uvicorn or gunicorn');
  return {
    cacheDir,
    stateDir: defaultStateDir(cacheDir, env),
    host: '127.0.0.1',
    python: env.REXSWEEP_PYTHON || 'python3',
    temporal: {
      version: TEMPORAL_CLI_VERSION,
      port: temporalPort,
      uiPort: readEnv(env, 'REXSWEEP_TEMPORAL_UI_PORT', port, temporalPort + 1000, 'a port number 1-65535'),
      namespace: 'default',
    },
    mlflow: {
      version: MLFLOW_VERSION,
      port: readEnv(env, 'REXSWEEP_MLFLOW_PORT', port, 5000, 'a port number 1-65535'),
      workers: readEnv(env, 'REXSWEEP_MLFLOW_WORKERS', workers, mlflowServer === 'gunicorn' ? 2 : 1, 'a worker count 1-16'),
      server: mlflowServer,
    },
    external: {
      temporalAddress: env.TEMPORAL_ADDRESS || undefined,
      mlflowUri: env.MLFLOW_TRACKING_URI || undefined,
    },
  };
}

function readEnv<T>(env: NodeJS.ProcessEnv, name: string, schema: z.ZodType<T>, fallback: T, expected: string): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InputError({ file: '<environment>', field: name }, expected, raw);
  return parsed.data;
}
