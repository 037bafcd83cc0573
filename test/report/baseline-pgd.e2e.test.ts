/**
 * Issue 13's proof of the registries, end to end: a real sweep (Temporal workflows, an in-process
 * worker, MLflow) with the overlap baseline beside EFM and PGD beside FGSM. The baseline is one
 * cell per dataset and seed (it trains nothing, so λ and ε_D do not multiply it); every cell has
 * its PGD evaluation; the report has PGD rows for both models and PGD figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportActivities } from '../../activities/report.ts';
import { quietTemporalRuntime } from '../../client/connect.ts';
import { startSweep } from '../../client/start-sweep.ts';
import { buildTable, collectSweep } from '../../report/index.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { MlflowClient, findSweepRun } from '../../tracking/index.ts';
import { startWorkers, type RunningWorkers } from '../../worker/worker.ts';
import { required } from '../orchestration/harness.ts';

let dir: string;
let config: SweepConfig;
let connection: Connection;
let workers: RunningWorkers;
let mlflow: MlflowClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-baseline-pgd-'));
  const stamp = Date.now();
  config = parseSweepYaml(`
study: baseline-pgd-${stamp}
name: basepgd
datasets:
  - { source: synthetic, name: tiny, synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } }
models: [efm, overlap]
lambdas: [0, 0.5]
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm, pgd]
seeds: [0, 1]
epochs: 20
concurrency: 2
queues: { workflow: basepgd-cpu-${stamp}, gpu: basepgd-gpu-${stamp} }
cell:
  datasetCache: ${join(dir, 'datasets')}
  efm: { explicitFactors: 4, latentFactors: 4 }
  explainer: { steps: 10, testUsers: 3 }
  attackSettings: { pgd: { steps: 3 } }
`, 'basepgd.yaml');
  quietTemporalRuntime();
  connection = await Connection.connect({ address: required('TEMPORAL_ADDRESS') });
  mlflow = new MlflowClient({ trackingUri: required('MLFLOW_TRACKING_URI') });
  workers = await startWorkers({
    temporalAddress: required('TEMPORAL_ADDRESS'),
    mlflowUri: required('MLFLOW_TRACKING_URI'),
    queues: config.queues,
    roles: ['workflow', 'gpu'],
    slots: 1,
    backend: 'wasm',
    gitCommit: 'test',
  });
});

afterAll(async () => {
  await workers?.shutdown();
  await connection?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a sweep with the overlap baseline and PGD', () => {
  it('runs every cell, and the report has PGD rows and figures for both models', async () => {
    const cells = expandSweep(config);
    // EFM: vanilla + (0.5, 0.5) × 2 seeds; the baseline: one point × 2 seeds.
    expect(cells.map((c) => `${c.model} ${c.lambda}/${c.epsilonD} s${c.seed}`)).toEqual([
      'efm 0/0 s0', 'efm 0/0 s1', 'efm 0.5/0.5 s0', 'efm 0.5/0.5 s1', 'overlap 0/0 s0', 'overlap 0/0 s1',
    ]);
    const started = await startSweep(new Client({ connection }), config, { mlflow });
    const progress = await started.handle.result();
    expect(progress.counts).toMatchObject({ finished: 6, failed: 0 });

    const id = sweepId(config);
    const experiment = await mlflow.getExperimentByName(config.study);
    const parent = (await findSweepRun(mlflow, experiment!.experimentId, id))!.run;
    await createReportActivities({ mlflow }).aggregateSweep({
      sweep: { sweepId: id, study: config.study, workflowId: started.workflowId },
      tracking: { experimentId: experiment!.experimentId, parentRunId: parent.info.runId },
      final: true,
    });
    const table = buildTable(await collectSweep(mlflow, { sweepId: id, study: config.study }));
    const rows = table.groups.map((g) => `${g.model} λ${g.lambda} ${g.attack}@${g.epsilonA}`);
    for (const want of ['overlap λ0 clean@0', 'overlap λ0 fgsm@0.5', 'overlap λ0 pgd@0.5', 'efm λ0.5 pgd@0.5', 'efm λ0 pgd@0.5']) expect(rows).toContain(want);
    expect(rows.filter((r) => r.startsWith('overlap'))).toHaveLength(3);
    const overlapClean = table.groups.find((g) => g.model === 'overlap' && g.attack === 'clean')!;
    expect(overlapClean.metrics.ndcg5.n).toBe(2);
    expect(overlapClean.metrics.ndcg5.mean).toBeGreaterThan(0);

    const figures = (await mlflow.listArtifacts(parent.info.runId, 'report/figures')).map((f) => f.path);
    expect(figures.some((f) => /curve-tiny-overlap-pgd-/.test(f))).toBe(true);
    expect(figures.some((f) => /heatmap-tiny-efm-pgd-/.test(f))).toBe(true);
  });
});
