/**
 * The servers a benchmark runs against, fresh in a temporary state folder and torn down after:
 *   dev   the local embedded default: Temporal's dev server (SQLite) and MLflow on SQLite
 *   team  the team stack on loopback: Temporal server on PostgreSQL (mTLS), MLflow on
 *         PostgreSQL + S3 with basic auth (infra/team/)
 * Each says where its servers are, how to connect (environment variables a client reads), and
 * the process groups whose CPU the benchmark charges to it.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureLocalServices, localServicesStatus, resolveConfig, stopLocalServices } from '../../infra/local/index.ts';
import { resolveTeamConfig, teamDown, teamEnv, teamStatus, teamUp } from '../../infra/team/index.ts';

export interface BenchStack {
  name: 'dev' | 'team';
  temporalAddress: string;
  mlflowUri: string;
  /** TEMPORAL_TLS_* and MLFLOW_TRACKING_* for clients and workers (empty for dev). */
  clientEnv: Record<string, string>;
  /** Process group ids of each server, for CPU accounting. */
  pgids: Record<string, number>;
  close(): Promise<void>;
}

type Log = (m: string) => void;

export async function openDevStack(root: string, temporalPort: number, mlflowPort: number, log: Log): Promise<BenchStack> {
  const config = resolveConfig({
    ...process.env,
    TEMPORAL_ADDRESS: '',
    MLFLOW_TRACKING_URI: '',
    REXSWEEP_STATE_DIR: join(root, 'dev-state'),
    REXSWEEP_TEMPORAL_PORT: String(temporalPort),
    REXSWEEP_TEMPORAL_UI_PORT: String(temporalPort + 1000),
    REXSWEEP_MLFLOW_PORT: String(mlflowPort),
  });
  const services = await ensureLocalServices({ config, log });
  const pgids = Object.fromEntries((await localServicesStatus({ config })).services.map((s) => [s.service, s.pid ?? 0]));
  return {
    name: 'dev',
    temporalAddress: services.temporalAddress,
    mlflowUri: services.mlflowUri,
    clientEnv: {},
    pgids,
    close: async () => void (await stopLocalServices({ config })),
  };
}

export async function openTeamStack(root: string, basePort: number, log: Log): Promise<BenchStack> {
  // PostgreSQL runs as the postgres user when we are root: it must be able to enter the folder.
  await chmod(root, 0o711);
  const config = resolveTeamConfig({
    ...process.env,
    REXSWEEP_TEAM_STATE: join(root, 'team-state'),
    REXSWEEP_TEAM_POSTGRES: `127.0.0.1:${basePort + 500}`,
    REXSWEEP_TEAM_TEMPORAL: `127.0.0.1:${basePort}`,
    REXSWEEP_TEAM_S3: `127.0.0.1:${basePort + 501}`,
    REXSWEEP_TEAM_MLFLOW: `127.0.0.1:${basePort + 502}`,
  });
  await teamUp({ config, log });
  const status = await teamStatus({ config });
  const env = await teamEnv('worker', config);
  return {
    name: 'team',
    temporalAddress: env.TEMPORAL_ADDRESS,
    mlflowUri: env.MLFLOW_TRACKING_URI,
    clientEnv: env,
    pgids: Object.fromEntries(Object.entries(status).map(([k, s]) => [k, s.pid ?? 0])),
    close: async () => void (await teamDown({ config })),
  };
}
