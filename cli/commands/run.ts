/**
 * `rexsweep run <sweep.yaml>`: bring up the local servers (unless TEMPORAL_ADDRESS /
 * MLFLOW_TRACKING_URI are given), run an in-process worker (unless --no-worker), start or
 * attach to the sweep, show live progress, print the result table and the UI links.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { expandSweep } from '../../sweep/expand.ts';
import { loadSweepFile } from '../../sweep/load.ts';
import { findPreparedSizes } from '../../client/prepared-sizes.ts';
import type { SupervisedWorkers } from '../../client/supervised-workers.ts';
import { describeProgress, formatSweepTable } from '../format/sweep-table.ts';
import { ProgressLine } from '../format/progress-line.ts';
import { intOption, LIMITS, parseBackendOption } from '../options.ts';
import { preflightSweep } from '../preflight.ts';
import type { startChildWorker } from '../../client/child-worker.ts';
import { gitCommit } from '../../client/git-commit.ts';

interface RunOptions {
  newSettings?: boolean;
  fromScratch?: boolean;
  worker: boolean;
  workers: number;
  slots?: number;
  backend: string;
  json?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a sweep: every cell of the grid, through Temporal, recorded in MLflow')
    .argument('<sweep.yaml>', 'sweep config (see configs/demo.yaml)')
    .option('--no-worker', 'start no worker here (workers run elsewhere: rexsweep worker)')
    .option('--slots <n>', "training/evaluation activities at once in each local compute worker (default: the sweep's concurrency, at most one per CPU core)", intOption('--slots', 1, LIMITS.slots))
    .option('--workers <n>', 'local compute worker processes (WASM uses one core each)', intOption('--workers', 1, LIMITS.workers), 1)
    .option('--backend <name>', 'TF.js backend of the local compute workers', parseBackendOption, 'auto')
    .option('--json', 'print the final progress (counts and per-cell numbers) as JSON')
    .option('--new-settings', 'start a separate sweep even though one of this name exists with other fixed settings')
    .option('--from-scratch', 'cells that failed or were cancelled before train from epoch 0, not from their checkpoint')
    .action(async (file: string, opts: RunOptions) => {
      const config = await loadSweepFile(file);
      const backend = parseBackendOption(opts.backend);
      // Before anything starts: a cell that cannot fit a worker's memory (cli/preflight.ts).
      preflightSweep(config, file, await findPreparedSizes(config));
      // Temporal and TF.js load only once the input is known to be good: a bad config fails fast.
      const [{ connect }, { startWorkers, buildWorkflowBundle }, { startChildWorker, localWorkerName }, { startSweep }] = await Promise.all([
        import('../../client/connect.ts'),
        import('../../worker/worker.ts'),
        import('../../client/child-worker.ts'),
        import('../../client/start-sweep.ts'),
      ]);
      const [{ superviseWorkers }, { followWithProgress }] = await Promise.all([import('../../client/supervised-workers.ts'), import('../format/follow-progress.ts')]);
      // `concurrency: 2` with one slot ran one compute child at a time while the progress line
      // said "running 2": by default the local workers together take the sweep's concurrency.
      const slots = opts.slots ?? Math.max(1, Math.min(Math.ceil(config.concurrency / opts.workers), Math.floor(availableParallelism() / opts.workers)));
      const progressLine = new ProgressLine(process.stderr);
      const log = (m: string) => progressLine.log(m);
      const conn = await connect(log);
      let workers: SupervisedWorkers | undefined;
      const compute: ReturnType<typeof startChildWorker>[] = [];
      try {
        if (opts.worker) {
          // Workflows and MLflow bookkeeping here; training and evaluation in a child process.
          // The bundle is built once: a restarted workflow worker reuses it.
          const workflowBundle = await buildWorkflowBundle();
          workers = await superviseWorkers(
            () =>
              startWorkers({
                temporalAddress: conn.services.temporalAddress,
                mlflowUri: conn.services.mlflowUri,
                queues: config.queues,
                roles: ['workflow'],
                slots,
                backend,
                gitCommit: gitCommit(),
                workflowBundle,
                log,
              }),
            log,
          );
          for (let k = 0; k < opts.workers; k++) {
            compute.push(
              startChildWorker({
                temporalAddress: conn.services.temporalAddress,
                mlflowUri: conn.services.mlflowUri,
                gpuQueue: config.queues.gpu,
                workflowQueue: config.queues.workflow,
                slots,
                backend,
                name: localWorkerName(k, opts.workers),
                log,
              }),
            );
          }
        }
        const { MlflowClient, authFromEnv } = await import('../../tracking/index.ts');
        const started = await startSweep(conn.client, config, {
          mlflow: new MlflowClient({ trackingUri: conn.services.mlflowUri, auth: authFromEnv() }),
          log,
          file,
          allowNewSettings: opts.newSettings,
          ...(opts.fromScratch ? { restart: 'scratch' as const } : {}),
        });
        log(`sweep ${started.sweepId}: ${ACTION_TEXT[started.action]} (workflow ${started.workflowId})`);
        const final = await followWithProgress(started, conn.client, conn.services, progressLine);
        progressLine.done();
        if (opts.json) process.stdout.write(JSON.stringify(final) + '\n');
        else if (final.total <= MAX_TABLE_CELLS) process.stdout.write(formatSweepTable(expandSweep(config), final) + '\n');
        else process.stdout.write(`${describeProgress(final, Date.now()).label}\n(${final.total} cells: too many for a table here; rexsweep report gives the aggregated one)\n`);
        const ui = conn.services.temporalUiUrl;
        log(`MLflow:   ${conn.services.mlflowUri}/#/experiments (experiment "${config.study}")`);
        if (ui) log(`Temporal: ${ui}/namespaces/${encodeURIComponent(conn.client.options.namespace)}/workflows/${encodeURIComponent(started.workflowId)}`);
        if (final.phase !== 'finished') log(`sweep ${final.phase}: ${final.stopReason ?? ''}; run the same command again to resume it`);
        if (final.counts.failed > 0 || final.phase !== 'finished') process.exitCode = 1;
      } finally {
        await Promise.all(compute.map((c) => c.stop()));
        await workers?.shutdown();
        await conn.close();
      }
    });
}

/** Beyond this many cells the per-cell table is not printed. */
const MAX_TABLE_CELLS = 500;

const ACTION_TEXT = {
  started: 'started',
  attached: 'already running, attached',
  extended: 'already running, its grid extended',
  complete: 'already complete, nothing to run',
} as const;

