/**
 * Fencing: an attempt Temporal has given up on (a zombie, still running on a worker that lost
 * its heartbeat) cannot overwrite the result the workflow accepted. Here the zombie is attempt 1
 * of trainCell and evaluateCell, finishing after the workflow accepted attempt 2 and closed the
 * run, and it trains a different model (as nondeterministic GPU kernels might), so that an
 * overwrite would show. The run's model, curve and explanations must stay those of attempt 2.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createComputeActivities } from '../../activities/compute.ts';
import type { CellRef, TrainedRef } from '../../activities/contracts.ts';
import { mlflowArtifactStore } from '../../activities/mlflow-artifacts.ts';
import { createRecordActivities } from '../../activities/record.ts';
import type { EvaluationRow } from '../../recsys/cell/result.ts';
import { CellConfigSchema } from '../../recsys/config.ts';
import { MlflowClient, TAG } from '../../tracking/index.ts';

const uri = process.env.MLFLOW_TRACKING_URI;
let dir: string;
let mlflow: MlflowClient;

beforeAll(async () => {
  if (!uri) throw new Error('MLFLOW_TRACKING_URI is not set: this test needs the real MLflow server of test/setup/servers.ts');
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-fence-'));
  mlflow = new MlflowClient({ trackingUri: uri });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cellWith = (epochs: number, learningRate: number) =>
  CellConfigSchema.parse({
    dataset: { source: 'synthetic', name: 'fence', synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } },
    model: 'cer',
    lambda: 0.5,
    epsilonD: 0.5,
    epochs,
    epsilonsA: [0.5],
    attacks: ['fgsm'],
    cer: { hidden: [16, 8], learningRate },
  });

/** Attempt `attempt` of an activity of one cell workflow execution. */
const attemptOf = (attempt: number) =>
  new MockActivityEnvironment({ attempt, workflowExecution: { workflowId: 'sweep/cell-fence', runId: '0f1e2d3c-run' } } as Partial<Info>);

it("a superseded attempt finishing late leaves the accepted model, curve and explanations as they were", async () => {
  const compute = createComputeActivities({ datasetCache: join(dir, 'datasets'), backend: 'wasm', checkpointSeconds: 0, artifacts: mlflowArtifactStore(mlflow) });
  const record = createRecordActivities({ mlflow, gitCommit: 'test', backend: 'wasm' });
  const sweep = { sweepId: `fence-${Date.now()}`, study: `fence-${Date.now()}`, workflowId: 'sweep' };
  const tracking = await record.beginSweep(sweep, {});
  const ref: CellRef = { sweep, tracking, cellKey: 'fence-cell', cell: cellWith(4, 0.05), workflowId: 'sweep/cell-fence' };
  const { runId } = await record.beginCell(ref);

  // The accepted attempts (2), as the cell workflow runs them.
  const accepted = (await attemptOf(2).run(compute.trainCell, ref, runId)) as TrainedRef;
  const { losses: _curve, ...model } = accepted;
  const clean = (await attemptOf(2).run(compute.evaluateCell, { ref, runId, trained: model, attack: 'none' as const, epsilon: 0 })) as EvaluationRow;
  const fgsm = (await attemptOf(2).run(compute.evaluateCell, {
    ref,
    runId,
    trained: model,
    attack: 'fgsm' as const,
    epsilon: 0.5,
    cleanExplanations: clean.explanationsArtifact,
  })) as EvaluationRow;
  await record.finishCell(ref, runId, accepted, [clean, fgsm]);
  const modelBytes = await mlflow.downloadArtifact(runId, accepted.modelArtifact);
  const cleanBytes = await mlflow.downloadArtifact(runId, clean.explanationsArtifact!);

  // The zombie (attempt 1) finishes afterwards, with a different model.
  const zombieRef = { ...ref, cell: cellWith(2, 0.2) };
  const zombie = (await attemptOf(1).run(compute.trainCell, zombieRef, runId)) as TrainedRef;
  const { losses: _zombieCurve, ...zombieModel } = zombie;
  const zombieClean = (await attemptOf(1).run(compute.evaluateCell, { ref: zombieRef, runId, trained: zombieModel, attack: 'none' as const, epsilon: 0 })) as EvaluationRow;

  // It wrote something else, elsewhere…
  expect(zombie.losses).not.toEqual(accepted.losses);
  expect(zombie.modelArtifact).not.toBe(accepted.modelArtifact);
  expect(zombieClean.explanationsArtifact).not.toBe(clean.explanationsArtifact);
  expect((await mlflow.downloadArtifact(runId, zombie.modelArtifact)).equals(modelBytes)).toBe(false);
  // …and the accepted result is untouched.
  expect((await mlflow.downloadArtifact(runId, accepted.modelArtifact)).equals(modelBytes)).toBe(true);
  expect((await mlflow.downloadArtifact(runId, clean.explanationsArtifact!)).equals(cleanBytes)).toBe(true);
  const run = await mlflow.getRun(runId);
  expect(run.info.status).toBe('FINISHED');
  expect(run.data.tags[TAG.modelArtifact]).toBe(accepted.modelArtifact);
  const curve = (await mlflow.getMetricHistory(runId, 'train.loss')).sort((a, b) => a.step - b.step);
  expect(curve.map((m) => m.step)).toEqual([1, 2, 3, 4]);
  expect(curve.map((m) => m.value)).toEqual(accepted.losses);
});

it('an attacked evaluation without the clean explanations is an InputError naming the field', async () => {
  const compute = createComputeActivities({ datasetCache: join(dir, 'datasets'), backend: 'wasm', artifacts: mlflowArtifactStore(mlflow) });
  const ref: CellRef = {
    sweep: { sweepId: 's', study: 's', workflowId: 'w' },
    tracking: { experimentId: '0', parentRunId: 'p' },
    cellKey: 'fence-missing',
    cell: cellWith(1, 0.05),
    workflowId: 'w/cell',
  };
  const { runId } = await mlflow.createRun({ experimentId: (await mlflow.getOrCreateExperiment(`fence-missing-${Date.now()}`)).experiment.experimentId, runName: 'm' }).then((r) => r.info);
  const trained = (await attemptOf(1).run(compute.trainCell, ref, runId)) as TrainedRef;
  const { losses: _curve, ...model } = trained;
  await expect(attemptOf(1).run(compute.evaluateCell, { ref, runId, trained: model, attack: 'fgsm' as const, epsilon: 0.5 })).rejects.toThrow(/field cleanExplanations/);
});
