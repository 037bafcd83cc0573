/**
 * What the orchestration tests share: a connection to the real test servers, a workflow worker
 * built once, compute workers started and stopped at will (with faults injected into our own
 * activity code where a test needs a cell to fail), small sweep configs on fresh task queues,
 * and polling of a sweep's progress query.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { quietTemporalRuntime } from '../../client/connect.ts';
import { createComputeActivities } from '../../activities/compute.ts';
import type { CellRef, RunCellInput } from '../../activities/contracts.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { mlflowArtifactStore } from '../../activities/mlflow-artifacts.ts';
import { MlflowClient, TAG, type Run } from '../../tracking/index.ts';
import { progressQuery, type SweepProgress } from '../../workflows/sweep.ts';
import { buildWorkflowBundle, startWorkers, type RunningWorkers, type WorkerSettings } from '../../worker/worker.ts';

export function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: these tests need the real servers of test/setup/servers.ts`);
  return v;
}

export interface Harness {
  client: Client;
  mlflow: MlflowClient;
  bundle: WorkflowBundle;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  quietTemporalRuntime();
  const connection = await Connection.connect({ address: required('TEMPORAL_ADDRESS') });
  return {
    client: new Client({ connection }),
    mlflow: new MlflowClient({ trackingUri: required('MLFLOW_TRACKING_URI') }),
    bundle: await buildWorkflowBundle(),
    close: () => connection.close(),
  };
}

/** A sweep of no-op cells (no data, no model) on fresh queues; `extra` is YAML appended at top level. */
export function noopSweep(name: string, grid: { lambdas?: string; seeds?: string } = {}, extra = ''): SweepConfig {
  const tag = randomUUID().slice(0, 8);
  return parseSweepYaml(
    `
study: ${name}-${tag}
name: ${name}-${tag}
datasets: [{ source: synthetic, name: tiny }]
models: [cer]
lambdas: ${grid.lambdas ?? '[0, 0.5]'}
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm]
seeds: ${grid.seeds ?? '[0, 1, 2]'}
concurrency: 2
queues: { workflow: ${name}-cpu-${tag}, gpu: ${name}-gpu-${tag} }
cell: { noop: true }
${extra}`,
    `${name}.yaml`,
  );
}

export function workflowWorker(h: Harness, config: SweepConfig): Promise<RunningWorkers> {
  return startWorkers({
    temporalAddress: required('TEMPORAL_ADDRESS'),
    mlflowUri: required('MLFLOW_TRACKING_URI'),
    queues: config.queues,
    roles: ['workflow'],
    slots: 1,
    backend: 'wasm',
    gitCommit: 'test',
    workflowBundle: h.bundle,
  });
}

/** Workflow and compute workers in this process, compute inline (no child per attempt); `extra` overrides settings. */
export function inlineWorkers(h: Harness, config: SweepConfig, extra: Partial<WorkerSettings> = {}): Promise<RunningWorkers> {
  return startWorkers({
    temporalAddress: required('TEMPORAL_ADDRESS'),
    mlflowUri: required('MLFLOW_TRACKING_URI'),
    queues: config.queues,
    roles: ['workflow', 'gpu'],
    // A child per attempt is tested by test/activities and the kill drill.
    isolation: 'inline',
    slots: 1,
    backend: 'wasm',
    gitCommit: 'test',
    workflowBundle: h.bundle,
    ...extra,
  });
}

/**
 * A compute worker in this process. `fail(ref)` true makes that cell's compute activity
 * (runCell, or prepareData on the step-by-step path) throw a non-retryable error: a fault in our
 * own activity, not in Temporal or MLflow.
 */
export async function computeWorker(h: Harness, config: SweepConfig, fail?: (ref: CellRef) => boolean): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  const real = createComputeActivities({
    backend: 'wasm',
    artifacts: mlflowArtifactStore(h.mlflow),
  });
  const worker = await Worker.create({
    connection,
    taskQueue: config.queues.gpu,
    activities: {
      ...real,
      async prepareData(ref: CellRef) {
        if (fail?.(ref)) throw ApplicationFailure.nonRetryable(`injected failure of cell ${ref.cellKey}`, 'InputError');
        return real.prepareData(ref);
      },
      async runCell(input: RunCellInput) {
        if (fail?.(input.ref)) throw ApplicationFailure.nonRetryable(`injected failure of cell ${input.ref.cellKey}`, 'InputError');
        return real.runCell(input);
      },
    },
    maxConcurrentActivityTaskExecutions: 4,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Poll the progress query until `until` holds (or throw after `timeoutMs`, naming the last progress). */
export async function waitForProgress(
  handle: WorkflowHandle,
  until: (p: SweepProgress) => boolean,
  timeoutMs = 60_000,
): Promise<SweepProgress> {
  const deadline = Date.now() + timeoutMs;
  let last: SweepProgress | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(progressQuery);
      if (until(last)) return last;
    } catch {
      /* no workflow task yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`progress never reached the expected state; last: ${JSON.stringify(last && { phase: last.phase, counts: last.counts })}`);
}

/**
 * The sweep's result, or after `timeoutMs` an error that says where it stood: its progress and
 * every open workflow on its queues with its pending activities (type, attempt, state), so a
 * drill that hangs in CI names what it waited for.
 */
export async function sweepResultWithin(h: Harness, handle: WorkflowHandle, config: SweepConfig, timeoutMs: number): Promise<SweepProgress> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
  try {
    const won = await Promise.race([handle.result() as Promise<SweepProgress>, late]);
    if (won !== 'late') return won;
  } finally {
    clearTimeout(timer);
  }
  const lines: string[] = [];
  const progress = await handle.query(progressQuery).catch((e: Error) => `no progress: ${e.message}`);
  lines.push(`progress: ${JSON.stringify(typeof progress === 'string' ? progress : { phase: progress.phase, counts: progress.counts })}`);
  for await (const wf of h.client.workflow.list({ query: `TaskQueue = "${config.queues.workflow}" AND ExecutionStatus = "Running"` })) {
    const d = await h.client.workflow.getHandle(wf.workflowId, wf.runId).describe();
    const pending = (d.raw.pendingActivities ?? []).map((a) => `${a.activityType?.name} attempt ${a.attempt} ${String(a.state)}`);
    lines.push(`${wf.workflowId}: ${pending.join('; ') || 'no pending activity'}`);
  }
  throw new Error(`the sweep did not end within ${timeoutMs / 1000} s\n${lines.join('\n')}`);
}

/** The study's cell runs, grouped by cell key. */
export async function cellRuns(h: Harness, study: string): Promise<Map<string, Run[]>> {
  const experiment = await h.mlflow.getExperimentByName(study);
  if (!experiment) return new Map();
  const runs = await h.mlflow.searchAllRuns({ experimentIds: [experiment.experimentId] });
  const byKey = new Map<string, Run[]>();
  for (const r of runs) {
    const key = r.data.tags[TAG.cellKey];
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  return byKey;
}

export async function sweepRuns(h: Harness, study: string): Promise<Run[]> {
  const experiment = await h.mlflow.getExperimentByName(study);
  if (!experiment) return [];
  const runs = await h.mlflow.searchAllRuns({ experimentIds: [experiment.experimentId] });
  return runs.filter((r) => r.data.tags[TAG.kind] === 'sweep');
}
