/** `rexsweep worker --queues … --slots N --backend …`: a long-running worker process. */
import type { Command } from 'commander';
import type { BackendName } from '../../recsys/config.ts';
import { choiceOption, intOption, LIMITS, listOption, nonNegativeNumberOption, parseBackendOption } from '../options.ts';
import type { WorkerRole } from '../../worker/worker.ts';
import { gitCommit } from '../../client/git-commit.ts';
import { resolveWorkerName } from '../../worker/worker-identity.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker: workflows and MLflow bookkeeping (cpu) and/or training and evaluation (gpu)')
    .option('--roles <list>', 'comma-separated: workflow,gpu', listOption('--roles', ['workflow', 'gpu']), ['workflow', 'gpu'])
    .option('--name <name>', 'who this worker is, in the Temporal UI and on the runs it trains (tag rexsweep.worker) (default: $REXSWEEP_WORKER_NAME, else the hostname)')
    .option('--workflow-queue <name>', 'task queue of the workflows', 'rexsweep-cpu')
    .option('--gpu-queue <name>', 'task queue of training and evaluation', 'rexsweep-gpu')
    .option('--slots <n>', 'training/evaluation activities at once', intOption('--slots', 1, LIMITS.slots), 1)
    .option('--backend <name>', 'TF.js backend: auto, tensorflow-gpu, tensorflow, webgpu, wasm, cpu', parseBackendOption, 'auto')
    .option('--dataset-cache <dir>', 'shared prepared-dataset cache for every cell on this worker')
    .option('--checkpoint-seconds <s>', 'at most one training checkpoint (to MLflow artifacts) per this many seconds (0: every epoch)', nonNegativeNumberOption('--checkpoint-seconds', LIMITS.checkpointSeconds), 60)
    .option('--isolation <mode>', 'process: each training/evaluation attempt in a child process, killed on cancel or timeout; inline: in the worker', choiceOption('--isolation', ['process', 'inline']), 'process')
    .action(async (opts: { roles: WorkerRole[]; name?: string; workflowQueue: string; gpuQueue: string; slots: number; backend: BackendName; datasetCache?: string; checkpointSeconds: number; isolation: 'process' | 'inline' }) => {
      const { roles, backend, isolation } = opts;
      // Resolved here too, so that a bad name fails before anything connects.
      const name = resolveWorkerName(opts.name);
      const [{ connect }, { startWorkers }] = await Promise.all([import('../../client/connect.ts'), import('../../worker/worker.ts')]);
      const conn = await connect((m) => process.stderr.write(m + '\n'));
      const workers = await startWorkers({
        temporalAddress: conn.services.temporalAddress,
        mlflowUri: conn.services.mlflowUri,
        queues: { workflow: opts.workflowQueue, gpu: opts.gpuQueue },
        roles,
        slots: opts.slots,
        backend,
        datasetCache: opts.datasetCache,
        checkpointSeconds: opts.checkpointSeconds,
        isolation,
        name,
        gitCommit: gitCommit(),
        log: (m) => process.stderr.write(m + '\n'),
      });
      const stop = () => void workers.shutdown();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await workers.done;
      await conn.close();
    });
}
