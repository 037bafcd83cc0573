/**
 * A rexsweep worker process: a workflow worker on the CPU queue (sweep and cell workflows,
 * MLflow bookkeeping) and/or a compute worker on the GPU queue (data, training, evaluation)
 * with `slots` activities at once.
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createComputeActivities } from '../activities/compute.ts';
import { createRecordActivities } from '../activities/record.ts';
import type { BackendName } from '../recsys/config.ts';
import { authFromEnv, logTrainingCurve, MlflowClient, type RetryPolicy } from '../tracking/index.ts';

export type WorkerRole = 'workflow' | 'gpu';

export interface WorkerSettings {
  temporalAddress: string;
  namespace?: string;
  mlflowUri: string;
  queues: { workflow: string; gpu: string };
  roles: WorkerRole[];
  /** Concurrent training/evaluation activities on the GPU queue. */
  slots: number;
  backend: BackendName;
  datasetCache?: string;
  /** At most one training checkpoint per this many seconds (default 60). */
  checkpointSeconds?: number;
  gitCommit: string;
  /** MLflow retry budget (the outage drill needs minutes). */
  mlflowRetry?: Partial<RetryPolicy>;
  log?: (message: string) => void;
  /** A pre-built workflow bundle (tests build it once). */
  workflowBundle?: WorkflowBundle;
}

export interface RunningWorkers {
  /** Resolves when every worker has stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export function buildWorkflowBundle(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
}

export async function startWorkers(s: WorkerSettings): Promise<RunningWorkers> {
  const log = s.log ?? (() => {});
  const connection = await NativeConnection.connect({ address: s.temporalAddress });
  const namespace = s.namespace ?? 'default';
  const mlflow = new MlflowClient({ trackingUri: s.mlflowUri, auth: authFromEnv(), retry: s.mlflowRetry });
  const workers: Worker[] = [];

  if (s.roles.includes('workflow')) {
    workers.push(
      await Worker.create({
        connection,
        namespace,
        taskQueue: s.queues.workflow,
        workflowBundle: s.workflowBundle ?? (await buildWorkflowBundle()),
        activities: createRecordActivities({ mlflow, gitCommit: s.gitCommit, backend: s.backend }),
      }),
    );
  }
  if (s.roles.includes('gpu')) {
    workers.push(
      await Worker.create({
        connection,
        namespace,
        taskQueue: s.queues.gpu,
        activities: createComputeActivities({
          datasetCache: s.datasetCache,
          backend: s.backend,
          checkpointSeconds: s.checkpointSeconds,
          log,
          artifacts: {
            upload: (runId, path, body) => mlflow.uploadArtifact(runId, path, body),
            download: (runId, path) => mlflow.downloadArtifact(runId, path),
            logTrainingCurve: (runId, losses) => logTrainingCurve(mlflow, runId, losses),
          },
        }),
        maxConcurrentActivityTaskExecutions: s.slots,
        // Training is CPU-bound JS: a few pollers are plenty.
        maxConcurrentActivityTaskPolls: Math.min(2, s.slots),
      }),
    );
  }
  log(`worker: ${s.roles.join(' + ')} on ${s.temporalAddress} (queues ${s.queues.workflow}, ${s.queues.gpu}; ${s.slots} slot(s))`);
  const done = Promise.all(workers.map((w) => w.run())).then(async () => {
    await connection.close();
  });
  return {
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string) => process.stderr.write(`temporal bundler: ${m}\n`),
  error: (m: string) => process.stderr.write(`temporal bundler: ${m}\n`),
};
