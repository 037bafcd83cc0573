/**
 * The team stack on a lab (netns.ts): PostgreSQL + Temporal on host `db`, S3 + MLflow on host
 * `store`, brought up at once by `rexsweep team up --only …` inside each host, as on real
 * machines. Returns the settings every other lab host uses to reach it.
 */
import { resolveTeamConfig, type TeamConfig } from './config.ts';
import type { Lab } from './netns.ts';

export async function labTeamUp(lab: Lab, stateDir: string, rexsweepBin: string): Promise<{ vars: NodeJS.ProcessEnv; config: TeamConfig }> {
  const { db, store } = lab.hosts;
  const vars = {
    ...process.env,
    REXSWEEP_TEAM_STATE: stateDir,
    REXSWEEP_TEAM_POSTGRES: `${db.address}:5432`,
    REXSWEEP_TEAM_TEMPORAL: `${db.address}:7233`,
    REXSWEEP_TEAM_S3: `${store.address}:9000`,
    REXSWEEP_TEAM_MLFLOW: `${store.address}:5000`,
  };
  // MLflow waits for PostgreSQL on the other host.
  const up = (host: string, only: string) => lab.run(host, [process.execPath, rexsweepBin, 'team', 'up', '--only', only], { env: vars, timeoutMs: 10 * 60_000 });
  const results = await Promise.all([up('db', 'postgres,temporal'), up('store', 's3,mlflow')]);
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length > 0) throw new Error(`rexsweep team up failed in the lab:\n${failed.map((r) => r.tail).join('\n')}`);
  return { vars, config: resolveTeamConfig(vars) };
}
