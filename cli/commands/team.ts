/**
 * `rexsweep team install|up|down|status|env`: the team stack (infra/team/) — Temporal server on
 * PostgreSQL with mTLS, MLflow on PostgreSQL + S3 with users. Each host runs its part with
 * `--only`; every host reads the same REXSWEEP_TEAM_* addresses. Progress goes to stderr.
 */
import type { Command } from 'commander';
import { InputError } from '../../recsys/errors.ts';
import { EXIT } from '../exit-codes.ts';

const ROLES = ['worker', 'researcher', 'admin'] as const;

export function registerTeamCommand(program: Command): void {
  const team = program
    .command('team')
    .description('the team stack: Temporal server on PostgreSQL (mTLS), MLflow on PostgreSQL + S3 (users); see README "Team deployment"');
  const onlyOption = '--only <services>';
  const onlyHelp = 'comma-separated subset: postgres,temporal,s3,mlflow';
  const log = (line: string) => process.stderr.write(line + '\n');

  team
    .command('install')
    .description('build or fetch the tools (Temporal server and SQL tool, versitygw, PostgreSQL, MLflow drivers); cached')
    .option(onlyOption, onlyHelp)
    .action(async (opts: { only?: string }) => {
      const { teamInstall } = await import('../../infra/team/index.ts');
      await teamInstall({ only: await parseOnly(opts.only), log });
    });

  team
    .command('up')
    .description('start the services of this host (all by default); idempotent, state kept across restarts')
    .option(onlyOption, onlyHelp)
    .action(async (opts: { only?: string }) => {
      const { teamUp } = await import('../../infra/team/index.ts');
      const started = Date.now();
      await teamUp({ only: await parseOnly(opts.only), log });
      log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; \`rexsweep team env --as worker\` prints what a worker needs`);
    });

  team
    .command('down')
    .description('stop the services this host started (data is kept)')
    .option(onlyOption, onlyHelp)
    .action(async (opts: { only?: string }) => {
      const { teamDown } = await import('../../infra/team/index.ts');
      await teamDown({ only: await parseOnly(opts.only), log });
    });

  team
    .command('status')
    .description('what runs here, healthy or not (exit 1 when a running service is unhealthy)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const { teamStatus } = await import('../../infra/team/index.ts');
      const status = await teamStatus({ log });
      if (opts.json) process.stdout.write(JSON.stringify(status) + '\n');
      else {
        for (const [name, s] of Object.entries(status)) {
          const state = s.state === 'running' ? (s.healthy ? `running (pid ${s.pid})` : `running but UNHEALTHY (pid ${s.pid})`) : 'stopped here';
          process.stdout.write(`${name.padEnd(9)} ${state}\n          log ${s.logFile}\n`);
        }
      }
      if (Object.values(status).some((s) => s.state === 'running' && !s.healthy)) process.exitCode = EXIT.failed;
    });

  team
    .command('env')
    .description('`export …` lines for a worker or a researcher: Temporal address and mTLS files, MLflow URI and credentials (contains a password)')
    .option('--as <role>', `whose credentials: ${ROLES.join(', ')}`, 'worker')
    .action(async (opts: { as: string }) => {
      if (!(ROLES as readonly string[]).includes(opts.as)) throw new InputError({ file: '<command line>', field: '--as' }, ROLES.join(', '), opts.as);
      const { teamEnv } = await import('../../infra/team/index.ts');
      const env = await teamEnv(opts.as as (typeof ROLES)[number]);
      process.stdout.write(Object.entries(env).map(([k, v]) => `export ${k}=${v}`).join('\n') + '\n');
    });
}

async function parseOnly(value: string | undefined) {
  if (value === undefined) return undefined;
  const { TEAM_SERVICES } = await import('../../infra/team/config.ts');
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(TEAM_SERVICES as readonly string[]).includes(name)) {
      throw new InputError({ file: '<command line>', field: '--only' }, `a comma-separated list of ${TEAM_SERVICES.join(', ')}`, name);
    }
  }
  return names as (typeof TEAM_SERVICES)[number][];
}
