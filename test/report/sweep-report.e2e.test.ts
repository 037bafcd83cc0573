/**
 * A real tiny sweep (Temporal workflows, an in-process worker training EFM on synthetic data,
 * MLflow recording), then the report activity on its parent run: the aggregates of real cell
 * runs equal the means of those runs' own metrics, and `collectSweep` agrees with the artifact.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportActivities } from '../../activities/report.ts';
import { quietTemporalRuntime } from '../../client/connect.ts';
import { startSweep } from '../../client/start-sweep.ts';
import { buildTable, collectSweep, sampleStats, type AggregateTable } from '../../report/index.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { MlflowClient, TAG, findSweepRun } from '../../tracking/index.ts';
import { startWorkers, type RunningWorkers } from '../../worker/worker.ts';
import { required } from '../orchestration/harness.ts';

let dir: string;
let config: SweepConfig;
let connection: Connection;
let workers: RunningWorkers;
let mlflow: MlflowClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-report-e2e-'));
  const stamp = Date.now();
  config = parseSweepYaml(`
study: report-e2e-${stamp}
name: repe2e
datasets:
  - { source: synthetic, name: tiny, synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } }
models: [efm]
lambdas: [0, 0.5]
epsilonsD: [0.5]
epsilonsA: [0.5, 1]
attacks: [fgsm]
seeds: [0, 1]
epochs: 20
concurrency: 2
queues: { workflow: repe2e-cpu-${stamp}, gpu: repe2e-gpu-${stamp} }
cell:
  datasetCache: ${join(dir, 'datasets')}
  efm: { explicitFactors: 4, latentFactors: 4 }
  explainer: { steps: 10, testUsers: 3 }
`, 'repe2e.yaml');
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

describe('report of a real sweep', () => {
  it('aggregates the real cell runs: n = 2 seeds, means of the runs’ own metrics', async () => {
    const started = await startSweep(new Client({ connection }), config, { mlflow });
    const progress = await started.handle.result();
    expect(progress.counts).toMatchObject({ finished: 4, failed: 0 });

    const id = sweepId(config);
    const experiment = await mlflow.getExperimentByName(config.study);
    const parent = (await findSweepRun(mlflow, experiment!.experimentId, id))!.run;
    const tracking = { experimentId: experiment!.experimentId, parentRunId: parent.info.runId };
    const result = await createReportActivities({ mlflow }).aggregateSweep({
      sweep: { sweepId: id, study: config.study, workflowId: started.workflowId },
      tracking,
      final: true,
    });
    // 2 defenses × (clean + FGSM at 2 ε_A)
    expect(result).toEqual({ groups: 6, cells: 4 });

    const logged = JSON.parse((await mlflow.downloadArtifact(parent.info.runId, 'report/aggregates.json')).toString('utf8')) as AggregateTable;
    const recomputed = buildTable(await collectSweep(mlflow, { sweepId: id, study: config.study }));
    expect(recomputed).toEqual(logged);
    expect(logged.groups.every((g) => g.seeds.join() === '0,1' && g.metrics.ndcg5.n === 2)).toBe(true);

    // The vanilla clean NDCG@5 is the mean and sample SD of the two vanilla runs' own values.
    const children = await mlflow.searchAllRuns({
      experimentIds: [tracking.experimentId],
      filter: `tags.\`${TAG.sweepId}\` = '${id}' AND params.lambda = '0'`,
    });
    expect(children).toHaveLength(2);
    const own = children.map((r) => r.data.metrics.find((m) => m.key === 'eval.clean.ndcg5')!.value);
    const vanilla = logged.groups.find((g) => g.lambda === 0 && g.attack === 'clean')!;
    const want = sampleStats(own);
    expect(vanilla.metrics.ndcg5.mean).toBeCloseTo(want.mean, 12);
    expect(vanilla.metrics.ndcg5.sd!).toBeCloseTo(want.sd!, 12);
    // every logged eval metric of a cell run has its aggregate (explained, pairs, pn, ps, …)
    expect(Object.keys(vanilla.metrics)).toEqual(expect.arrayContaining(['ndcg5', 'f1', 'pn', 'ps', 'fns', 'explained', 'pairs', 'precision', 'recall']));
    const fgsm = logged.groups.find((g) => g.lambda === 0 && g.attack === 'fgsm' && g.epsilonA === 1)!;
    expect(Object.keys(fgsm.metrics)).toEqual(expect.arrayContaining(['ndcg5_drop', 'fns_drop', 'stability']));

    const figures = (await mlflow.listArtifacts(parent.info.runId, 'report/figures')).map((f) => f.path);
    // curves: FGSM × (NDCG@5, F_NS); heatmaps: FGSM × 2 drops; each as SVG and PNG
    expect(figures).toHaveLength(4 * 2);
  });
});
