/**
 * Through a real Temporal worker: a trainCell attempt runs in its child process and relays its
 * heartbeats; cancelling the workflow, or shutting the worker down, reaches the attempt and
 * kills the child before the attempt ends.
 */
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quietTemporalRuntime } from '../../client/connect.ts';
import { createComputeActivities } from '../../activities/compute.ts';
import type { CellRef } from '../../activities/contracts.ts';
import { mlflowArtifactStore } from '../../activities/mlflow-artifacts.ts';
import { CellConfigSchema } from '../../recsys/config.ts';
import { MlflowClient } from '../../tracking/index.ts';
import { isAlive } from '../../infra/local/process.ts';

const address = process.env.TEMPORAL_ADDRESS!;
let dir: string;
let mlflow: MlflowClient;
let experimentId: string;
let bundle: WorkflowBundle;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  if (!address || !process.env.MLFLOW_TRACKING_URI) throw new Error('needs the real servers of test/setup/servers.ts');
  quietTemporalRuntime();
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-wcancel-'));
  mlflow = new MlflowClient({ trackingUri: process.env.MLFLOW_TRACKING_URI });
  experimentId = (await mlflow.getOrCreateExperiment(`worker-cancel-${Date.now()}`)).experiment.experimentId;
  bundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./fixtures/train-workflow.ts', import.meta.url)), logger: quiet });
  connection = await Connection.connect({ address });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A compute worker (isolation 'process') on a fresh queue, training a long cell until told otherwise. */
async function trainingUnderWay(name: string) {
  const runId = (await mlflow.createRun({ experimentId, runName: name })).info.runId;
  const taskQueue = `wcancel-${name}-${process.pid}-${Date.now()}`;
  const pids: number[] = [];
  const compute = createComputeActivities({
    datasetCache: join(dir, 'datasets'),
    backend: 'wasm',
    checkpointSeconds: 3600,
    isolation: 'process',
    killGraceMs: 1_000,
    log: (m) => {
      const pid = /child process (\d+)$/.exec(m)?.[1];
      if (pid) pids.push(Number(pid));
    },
    artifacts: mlflowArtifactStore(mlflow),
  });
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: bundle, activities: compute });
  const running = worker.run();
  const cell = CellConfigSchema.parse({
    dataset: { source: 'synthetic', name: 'wcancel', synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } },
    model: 'cer',
    epochs: 1_000_000,
    cer: { hidden: [16, 8], learningRate: 0.05 },
  });
  const ref: CellRef = { sweep: { sweepId: 's', study: 'wc', workflowId: 'w' }, tracking: { experimentId, parentRunId: runId }, cellKey: `wcancel-${name}`, cell, workflowId: 'w/cell' };
  const handle = await client.workflow.start('trainOnce', { taskQueue, workflowId: `wcancel-${name}-${Date.now()}`, args: [ref, runId] });
  await heartbeatSeen(handle);
  expect(pids.length).toBe(1);
  expect(isAlive(pids[0])).toBe(true);
  const stopWorker = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await nativeConnection.close();
  };
  return { handle, pid: pids[0], stopWorker };
}

/** Until the attempt's heartbeat (relayed from the child) has reached the server. */
async function heartbeatSeen(handle: WorkflowHandle): Promise<void> {
  for (;;) {
    const d = await handle.describe();
    if (d.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.length) return;
    if (d.status.name !== 'RUNNING') throw new Error(`workflow ${d.status.name} before training heartbeated`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

it('cancelling the workflow kills the training child before the attempt completes', async () => {
  const t = await trainingUnderWay('cancel');
  try {
    await t.handle.cancel();
    expect(await t.handle.result()).toBe('cancelled');
    // WAIT_CANCELLATION_COMPLETED: the attempt ended, and it ends only after its child exited.
    expect(isAlive(t.pid)).toBe(false);
  } finally {
    await t.stopWorker();
  }
});

it('shutting the worker down kills the training child before the worker stops', async () => {
  const t = await trainingUnderWay('shutdown');
  try {
    await t.stopWorker();
    expect(isAlive(t.pid)).toBe(false);
  } finally {
    await t.handle.terminate('test over').catch(() => undefined);
  }
});

const quiet = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (m: string) => process.stderr.write(`bundler: ${m}\n`),
};
