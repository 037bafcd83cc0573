/**
 * A rexsweep worker process: a workflow worker on the CPU queue (sweep and cell workflows,
 * MLflow bookkeeping) and/or a compute worker on the GPU queue (data, training, evaluation)
 * with `slots` activities at once.
 */
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerStatus, type WorkflowBundle } from '@temporalio/worker';
import { createComputeActivities, type Isolation } from '../activities/compute.ts';
import { mlflowArtifactStore } from '../activities/mlflow-artifacts.ts';
import { createRecordActivities } from '../activities/record.ts';
import { createReportActivities } from '../activities/report.ts';
import type { BackendName } from '../recsys/config.ts';
import { memoryLimitFrom } from '../sweep/memory-limit.ts';
import { authFromEnv, MlflowClient, type RetryPolicy } from '../tracking/index.ts';
import { connectionOptions, describeTemporalConnection, temporalConnectionFromEnv } from './temporal-connection.ts';
import { resolveWorkerName, workerIdentity } from './worker-identity.ts';

export type WorkerRole = 'workflow' | 'gpu';

export interface WorkerSettings {
  temporalAddress: string;
  /** Default TEMPORAL_NAMESPACE, else `default`. TLS and API key come from the environment (temporal-connection.ts). */
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
  /**
   * 'process' (default): each compute attempt runs in a child process, killed when the attempt
   * is cancelled or times out (activities/isolate.ts). 'inline': in this process.
   */
  isolation?: Isolation;
  gitCommit: string;
  /**
   * Who this worker is, in the Temporal UI's pollers and on the cell runs it trained (tag
   * `rexsweep.worker`); default $REXSWEEP_WORKER_NAME, else the hostname (worker-identity.ts).
   */
  name?: string;
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
  /** Each worker's SDK status by task queue: pollers and in-flight tasks (stall diagnosis). */
  status(): Record<string, WorkerStatus>;
}

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export function buildWorkflowBundle(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
}

export async function startWorkers(s: WorkerSettings): Promise<RunningWorkers> {
  const log = s.log ?? (() => {});
  const temporal = temporalConnectionFromEnv({ address: s.temporalAddress, namespace: s.namespace });
  const connection = await NativeConnection.connect(connectionOptions(temporal));
  const namespace = temporal.namespace;
  const isolation = s.isolation ?? 'process';
  const name = resolveWorkerName(s.name);
  const mlflow = new MlflowClient({ trackingUri: s.mlflowUri, auth: authFromEnv(), retry: s.mlflowRetry });
  const workers: Worker[] = [];

  if (s.roles.includes('workflow')) {
    workers.push(
      await Worker.create({
        connection,
        namespace,
        taskQueue: s.queues.workflow,
        identity: workerIdentity({ name, pid: process.pid, role: 'workflow' }),
        workflowBundle: s.workflowBundle ?? (await buildWorkflowBundle()),
        activities: { ...createRecordActivities({ mlflow, gitCommit: s.gitCommit, backend: s.backend }), ...createReportActivities({ mlflow }) },
      }),
    );
  }
  if (s.roles.includes('gpu')) {
    workers.push(
      await Worker.create({
        connection,
        namespace,
        taskQueue: s.queues.gpu,
        identity: workerIdentity({ name, pid: process.pid, role: 'gpu', slots: s.slots, backend: s.backend }),
        activities: createComputeActivities({
          datasetCache: s.datasetCache,
          backend: s.backend,
          checkpointSeconds: s.checkpointSeconds,
          workerName: name,
          memoryLimit: memoryLimitFrom(process.env.REXSWEEP_MAX_CELL_MEMORY, totalmem()),
          isolation,
          log,
          artifacts: mlflowArtifactStore(mlflow),
        }),
        maxConcurrentActivityTaskExecutions: s.slots,
        // Training is CPU-bound JS: a few pollers are plenty.
        maxConcurrentActivityTaskPolls: Math.min(2, s.slots),
      }),
    );
  }
  log(
    `worker ${name} (pid ${process.pid}): ${s.roles.join(' + ')} on ${describeTemporalConnection(temporal)} (queues ${s.queues.workflow}, ${s.queues.gpu}; ${s.slots} slot(s)` +
      `${s.roles.includes('gpu') ? `, backend ${s.backend}, compute isolation ${isolation}` : ''})`,
  );
  const done = Promise.all(workers.map((w) => w.run())).then(async () => {
    await connection.close();
  });
  return {
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
    status: () => Object.fromEntries(workers.map((w) => [w.options.taskQueue, w.getStatus()])),
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
