/**
 * What a team sees of a sweep, on the real servers: the Temporal UI's summary and details of the
 * sweep and of each cell workflow (sweep/ui-summary.ts), the workers' identities in the pollers
 * list, the name of the compute worker that trained each cell on its MLflow run (tag
 * `rexsweep.worker`), and the study experiment's MLflow kind. Every worker here shares this
 * machine's hostname, so only a set name tells them apart:
 *  - inline: workflow + compute worker in this process, named `host-inline`, no-op cells;
 *  - process: the `rexsweep worker` child process of `rexsweep run` (client/child-worker.ts),
 *    named `host-process`, training a real cell in a child process per attempt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildWorker } from '../../client/child-worker.ts';
import { startSweep } from '../../client/start-sweep.ts';
import { countCells, expandSweep } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { cellSummary, sweepSummary } from '../../sweep/ui-summary.ts';
import { EXPERIMENT_KIND_TAG, MODEL_TRAINING_KIND, TAG } from '../../tracking/index.ts';
import { cellWorkflowId } from '../../workflows/sweep.ts';
import { cellRuns, inlineWorkers, noopSweep, openHarness, required, sweepResultWithin, workflowWorker, type Harness } from './harness.ts';

let h: Harness;
let dir: string;

beforeAll(async () => {
  h = await openHarness();
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-identity-'));
});

afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The identities polling a task queue (1 = workflow tasks, 2 = activity tasks). */
async function pollers(taskQueue: string, type: 1 | 2): Promise<string[]> {
  const res = await h.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: type });
  return (res.pollers ?? []).map((p) => p.identity ?? '');
}

/** Poll until `read` holds something matching `ok` (pollers appear once a worker has polled). */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('inline workers named host-inline, no-op cells', () => {
  it('the UI shows each cell by its axes and each worker by name; runs carry the worker; the study opens as model training', async () => {
    // Two cells a workflow run: the sweep continues as new once.
    const config = noopSweep('ident', { seeds: '[0, 1]' }, 'cellsPerRun: 2');
    const workers = await inlineWorkers(h, config, { name: 'host-inline' });
    try {
      const gpu = await eventually(() => pollers(config.queues.gpu, 2), (ids) => ids.length > 0);
      expect(gpu).toContain(`host-inline · pid ${process.pid} · gpu 1 slot · backend wasm`);
      const wf = await eventually(() => pollers(config.queues.workflow, 1), (ids) => ids.length > 0);
      expect(wf).toContain(`host-inline · pid ${process.pid} · workflow`);

      const started = await startSweep(h.client, config, { mlflow: h.mlflow });
      const progress = await sweepResultWithin(h, started.handle, config, 120_000);
      expect(progress.counts).toMatchObject({ finished: 4, failed: 0 });

      // The static summary is on the run the starter started (continue-as-new does not carry it)…
      const latest = await started.handle.describe();
      const firstRunId = latest.raw.workflowExecutionInfo?.firstRunId ?? '';
      expect(latest.runId).not.toBe(firstRunId);
      const firstRun = await h.client.workflow.getHandle(started.workflowId, firstRunId).describe();
      expect(await firstRun.staticSummary()).toBe(sweepSummary(config, countCells(config)));
      expect(await firstRun.staticSummary()).toBe(`sweep ${config.name} · study ${config.study} · 4 cells`);
      expect(await firstRun.staticDetails()).toContain(started.sweepId);
      // …and the same line is every run's current details, the latest's included.
      const metadata = await started.handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toBe(sweepSummary(config, countCells(config)));

      const cells = expandSweep(config);
      for (const cell of cells) {
        const d = await h.client.workflow.getHandle(cellWorkflowId(started.workflowId, cell.key)).describe();
        expect(await d.staticSummary()).toBe(cellSummary(cell));
        const details = await d.staticDetails();
        expect(details).toContain(cell.key);
        expect(details).toContain(config.study);
      }
      const vanilla = cells.find((c) => c.lambda === 0 && c.seed === 1)!;
      const vanillaDesc = await h.client.workflow.getHandle(cellWorkflowId(started.workflowId, vanilla.key)).describe();
      expect(await vanillaDesc.staticSummary()).toBe('cer · tiny · vanilla · seed 1');

      // The sweep history, whose child-start commands now carry user metadata, replays.
      const sweepHistory = await started.handle.fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: h.bundle }, sweepHistory, started.workflowId);

      const runs = await cellRuns(h, config.study);
      expect(runs.size).toBe(4);
      for (const [key, [run]] of runs) expect(run.data.tags[TAG.worker], key).toBe('host-inline');

      const experiment = await h.mlflow.getExperimentByName(config.study);
      expect(experiment!.tags[EXPERIMENT_KIND_TAG]).toBe(MODEL_TRAINING_KIND);
    } finally {
      await workers.shutdown();
    }
  });
});

describe("rexsweep run's compute child named host-process, a real cell trained in a child process", () => {
  it("tags the cell's run with the compute worker's name, not the workflow worker's", async () => {
    const tag = Date.now().toString(36);
    const config = parseSweepYaml(
      `
study: ident-proc-${tag}
name: ident-proc-${tag}
datasets:
  - { source: synthetic, name: tiny, synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } }
models: [efm]
lambdas: [0]
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm]
seeds: [0]
epochs: { efm: 3 }
queues: { workflow: ident-cpu-${tag}, gpu: ident-gpu-${tag} }
cell:
  datasetCache: ${join(dir, 'datasets')}
  efm: { explicitFactors: 4, latentFactors: 4 }
  explainer: { steps: 5, testUsers: 3 }
`,
      'ident-proc.yaml',
    );
    // The workflow worker keeps the default name: this machine's hostname.
    const workflows = await workflowWorker(h, config);
    const logs: string[] = [];
    const compute = startChildWorker({
      temporalAddress: required('TEMPORAL_ADDRESS'),
      mlflowUri: required('MLFLOW_TRACKING_URI'),
      gpuQueue: config.queues.gpu,
      workflowQueue: config.queues.workflow,
      slots: 1,
      backend: 'wasm',
      name: 'host-process',
      log: (l) => logs.push(l),
    });
    try {
      const started = await startSweep(h.client, config, { mlflow: h.mlflow });
      const progress = await sweepResultWithin(h, started.handle, config, 240_000);
      expect(progress.counts, logs.join('\n')).toMatchObject({ finished: 1, failed: 0 });

      const [cell] = expandSweep(config);
      const runs = await cellRuns(h, config.study);
      const run = runs.get(cell.key)![0];
      expect(run.data.tags[TAG.worker]).toBe('host-process');
      expect(run.data.tags[TAG.backend]).toBe('wasm');

      const gpu = await pollers(config.queues.gpu, 2);
      expect(gpu.some((id) => /^host-process · pid \d+ · gpu 1 slot · backend wasm$/.test(id)), gpu.join(', ')).toBe(true);
      const wf = await pollers(config.queues.workflow, 1);
      expect(wf).toContain(`${hostname()} · pid ${process.pid} · workflow`);
      // The start log line names the worker, its slots and backend.
      expect(logs.some((l) => /worker host-process \(pid \d+\): gpu on .*1 slot\(s\), backend wasm, compute isolation process/.test(l)), logs.join('\n')).toBe(true);

      const d = await h.client.workflow.getHandle(cellWorkflowId(started.workflowId, cell.key)).describe();
      expect(await d.staticSummary()).toBe('efm · tiny · vanilla · seed 0');
    } finally {
      await compute.stop();
      await workflows.shutdown();
    }
  });
});
