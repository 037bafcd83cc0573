/**
 * A small sweep end to end on the real servers: Temporal runs the workflows, an in-process
 * worker trains and evaluates, MLflow records. Then the same config again starts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandSweep } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { type MlflowClient, TAG, evalMetricKey } from '../../tracking/index.ts';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import type { RunningWorkers } from '../../worker/worker.ts';
import { startSweep } from '../../client/start-sweep.ts';
import { inlineWorkers, openHarness, type Harness } from './harness.ts';


let dir: string;
let config: SweepConfig;
let h: Harness;
let client: Client;
let workers: RunningWorkers;
let mlflow: MlflowClient;
let bundle: WorkflowBundle;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-sweep-'));
  const study = `sweep-e2e-${Date.now()}`;
  config = parseSweepYaml(`
study: ${study}
name: e2e
datasets:
  - { source: synthetic, name: tiny, synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } }
models: [cer, efm]
lambdas: [0, 0.5]
epsilonsD: [0.5]
epsilonsA: [0.5]
seeds: [0]
epochs: { cer: 2, efm: 20 }
concurrency: 2
queues: { workflow: e2e-cpu-${Date.now()}, gpu: e2e-gpu-${Date.now()} }
cell:
  datasetCache: ${join(dir, 'datasets')}
  cer: { hidden: [16, 8], learningRate: 0.05 }
  efm: { explicitFactors: 4, latentFactors: 4 }
  explainer: { steps: 10, testUsers: 3 }
`, 'e2e.yaml');
  h = await openHarness();
  ({ client, mlflow } = h);
  bundle = h.bundle;
  workers = await inlineWorkers(h, config);
});

afterAll(async () => {
  await workers?.shutdown();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rexsweep run, end to end on real Temporal and MLflow', () => {
  it('runs every cell once and records one parent run and one FINISHED child per cell', async () => {
    const cells = expandSweep(config);
    expect(cells).toHaveLength(4); // 2 models × (vanilla + λ0.5·ε0.5) × 1 seed

    const started = await startSweep(client, config, { mlflow });
    expect(started.action).toBe('started');
    const progress = await started.handle.result();
    expect(progress.counts).toMatchObject({ finished: 4, failed: 0, cached: 0, pending: 0, running: 0 });
    expect((await started.handle.describe()).status.name).toBe('COMPLETED');

    const experiment = await mlflow.getExperimentByName(config.study);
    expect(experiment).not.toBeNull();
    const runs = await mlflow.searchAllRuns({ experimentIds: [experiment!.experimentId] });
    const parents = runs.filter((r) => r.data.tags[TAG.kind] === 'sweep');
    expect(parents).toHaveLength(1);
    const parentId = parents[0].info.runId;
    const children = runs.filter((r) => r.data.tags[TAG.parentRunId] === parentId);
    expect(children).toHaveLength(4);
    for (const cell of cells) {
      const mine = children.filter((r) => r.data.tags[TAG.cellKey] === cell.key);
      expect(mine, cell.key).toHaveLength(1);
      const run = mine[0];
      expect(run.info.status).toBe('FINISHED');
      expect(run.data.params.model).toBe(cell.model);
      expect(run.data.params.lambda).toBe(String(cell.lambda));
      const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
      expect(metrics.get(evalMetricKey('clean', 'ndcg5'))).toBeGreaterThan(0);
      expect(metrics.has(evalMetricKey('fgsm', 'ndcg5'))).toBe(true);
      expect(metrics.has(evalMetricKey('random', 'fns'))).toBe(true);
      const curve = await mlflow.getMetricHistory(run.info.runId, 'train.loss');
      expect(curve.map((p) => p.step).sort((a, b) => a - b)).toEqual(cell.model === 'cer' ? [1, 2] : Array.from({ length: 20 }, (_, k) => k + 1));
    }
  });

  it('a second run of the same config starts nothing new', async () => {
    const experiment = await mlflow.getExperimentByName(config.study);
    const before = await mlflow.searchAllRuns({ experimentIds: [experiment!.experimentId] });
    const again = await startSweep(client, config, { mlflow });
    expect(again.action).toBe('complete');
    const after = await mlflow.searchAllRuns({ experimentIds: [experiment!.experimentId] });
    expect(after.map((r) => r.info.runId).sort()).toEqual(before.map((r) => r.info.runId).sort());
  });

  it('the recorded histories replay deterministically (sweep and cell workflows)', async () => {
    const started = await startSweep(client, config, { mlflow });
    const sweepHistory = await started.handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle }, sweepHistory, started.workflowId);
    const cellId = `${started.workflowId}/cell-${expandSweep(config)[0].key}`;
    const cellHistory = await client.workflow.getHandle(cellId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle }, cellHistory, cellId);
    expect(sweepHistory.events?.length).toBeGreaterThan(10);
  });
});
