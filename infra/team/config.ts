/**
 * Settings of the team stack, read from the environment once and passed down explicitly. Every
 * host of a team reads the same settings (addresses of every service), and runs the services
 * that live on it (`rexsweep team up --only …`).
 *
 *   REXSWEEP_TEAM_STATE        state: databases, S3 objects, certificates, secrets, logs, pid files
 *                              (default <cache>/team-state; as root, somewhere the postgres user can reach)
 *   REXSWEEP_TEAM_POSTGRES     host:port PostgreSQL listens on   (default 127.0.0.1:15432)
 *   REXSWEEP_TEAM_TEMPORAL     host:port of Temporal's frontend  (default 127.0.0.1:17633; history,
 *                              matching and worker take the next three ports, membership +100…+103)
 *   REXSWEEP_TEAM_S3           host:port of the S3 store         (default 127.0.0.1:19100)
 *   REXSWEEP_TEAM_MLFLOW       host:port of MLflow               (default 127.0.0.1:15100)
 *   REXSWEEP_TEAM_MLFLOW_WORKERS   uvicorn workers of MLflow (default 2)
 *   REXSWEEP_TEAM_MLFLOW_AUTH_CACHE_SECONDS   how long MLflow trusts a checked password
 *                              (default 60; 0 checks every request: mlflow-team.ts says why)
 *   REXSWEEP_PYTHON / REXSWEEP_CACHE   as for the local servers (infra/local/config.ts)
 *
 * Defaults bind loopback only. To serve other hosts, give each service the address of the
 * interface the team reaches (a private network): there is TLS with client certificates on
 * Temporal and a password on MLflow and PostgreSQL, but nothing here is meant for the internet.
 */
import { z } from 'zod';
import { InputError } from '../../recsys/errors.ts';
import { defaultCacheDir } from '../local/paths.ts';
import { MLFLOW_VERSION } from '../local/versions.ts';
import { join, resolve } from 'node:path';

export interface Endpoint {
  host: string;
  port: number;
}

export interface TeamConfig {
  cacheDir: string;
  stateDir: string;
  python: string;
  mlflowVersion: string;
  postgres: Endpoint;
  /** Frontend; the other Temporal services take the next ports (temporalPorts). */
  temporal: Endpoint;
  s3: Endpoint;
  mlflow: Endpoint & { workers: number; authCacheSeconds: number };
  namespace: string;
  /** The S3 bucket MLflow keeps artifacts in. */
  bucket: string;
}

export type TeamService = 'postgres' | 'temporal' | 's3' | 'mlflow';
/** In dependency order: up goes forwards, down backwards. */
export const TEAM_SERVICES: readonly TeamService[] = ['postgres', 'temporal', 's3', 'mlflow'];

const hostPort = (maxPort: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port')
    .transform((s, ctx) => {
      const i = s.lastIndexOf(':');
      const port = Number(s.slice(i + 1));
      if (port < 1 || port > maxPort) ctx.addIssue({ code: 'custom', message: `port 1-${maxPort}` });
      return { host: s.slice(0, i), port };
    });

/** Temporal takes port+1…+3 and +100…+103 too, and stores membership ports as smallint. */
const TEMPORAL_MAX_PORT = 32_664;

export function resolveTeamConfig(env: NodeJS.ProcessEnv = process.env): TeamConfig {
  const cacheDir = defaultCacheDir(env);
  return {
    cacheDir,
    stateDir: resolve(env.REXSWEEP_TEAM_STATE || defaultTeamState(cacheDir)),
    python: env.REXSWEEP_PYTHON || 'python3',
    mlflowVersion: MLFLOW_VERSION,
    postgres: endpoint(env, 'REXSWEEP_TEAM_POSTGRES', '127.0.0.1:15432'),
    temporal: endpoint(env, 'REXSWEEP_TEAM_TEMPORAL', '127.0.0.1:17633', TEMPORAL_MAX_PORT),
    s3: endpoint(env, 'REXSWEEP_TEAM_S3', '127.0.0.1:19100'),
    mlflow: {
      ...endpoint(env, 'REXSWEEP_TEAM_MLFLOW', '127.0.0.1:15100'),
      workers: readInt(env, 'REXSWEEP_TEAM_MLFLOW_WORKERS', 2, 1, 16),
      authCacheSeconds: readInt(env, 'REXSWEEP_TEAM_MLFLOW_AUTH_CACHE_SECONDS', 60, 0, 3600),
    },
    namespace: 'default',
    bucket: 'rexsweep-artifacts',
  };
}

/**
 * PostgreSQL runs as an unprivileged user, who cannot enter root's home: as root, the state
 * lives under /var/lib instead of /root/.cache.
 */
function defaultTeamState(cacheDir: string): string {
  return process.getuid?.() === 0 && cacheDir.startsWith('/root') ? '/var/lib/rexsweep/team-state' : join(cacheDir, 'team-state');
}

/** Temporal's four services and their membership (ringpop) ports, from the frontend's port. */
export function temporalPorts(frontend: number) {
  return {
    frontend,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 3,
    membership: { frontend: frontend + 100, history: frontend + 101, matching: frontend + 102, worker: frontend + 103 },
  };
}

export const address = (e: Endpoint) => `${e.host}:${e.port}`;
export const mlflowUrl = (c: TeamConfig) => `http://${address(c.mlflow)}`;
export const s3Url = (c: TeamConfig) => `http://${address(c.s3)}`;

function endpoint(env: NodeJS.ProcessEnv, name: string, fallback: string, maxPort = 65_535): Endpoint {
  const raw = env[name] || fallback;
  const parsed = hostPort(maxPort).safeParse(raw);
  const note = maxPort < 65_535 ? ` (Temporal also takes port+1…+3 and +100…+103, and stores them as smallint)` : '';
  if (!parsed.success) throw new InputError({ file: '<environment>', field: name }, `host:port with a port from 1 to ${maxPort}${note}, e.g. 10.0.0.2:7233`, raw);
  return parsed.data;
}

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError({ file: '<environment>', field: name }, `an integer ${min}-${max}`, raw);
  return n;
}
