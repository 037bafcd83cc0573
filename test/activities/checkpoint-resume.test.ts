/**
 * Training checkpoints: an attempt announces its checkpoints on the heartbeat; the next attempt
 * (here: a second activity run given the first one's heartbeat) resumes from the checkpoint in
 * MLflow's artifact store and reaches bit-identical weights.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComputeActivities, type TrainHeartbeat } from '../../activities/compute.ts';
import type { CellRef, TrainedRef } from '../../activities/contracts.ts';
import { decodeModelState } from '../../activities/model-codec.ts';
import { CellConfigSchema } from '../../recsys/config.ts';
import { MlflowClient } from '../../tracking/index.ts';

const uri = process.env.MLFLOW_TRACKING_URI;
let dir: string;
let mlflow: MlflowClient;
let runId: string;

beforeAll(async () => {
  if (!uri) throw new Error('MLFLOW_TRACKING_URI is not set: this test needs the real MLflow server of test/setup/servers.ts');
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-ckpt-'));
  mlflow = new MlflowClient({ trackingUri: uri });
  const { experiment } = await mlflow.getOrCreateExperiment(`checkpoint-${Date.now()}`);
  runId = (await mlflow.createRun({ experimentId: experiment.experimentId, runName: 'ckpt' })).info.runId;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

for (const model of ['cer', 'efm'] as const) {
  describe(`${model}: resume from the heartbeat's checkpoint`, () => {
    it('reaches the same weights as an undisturbed run', async () => {
      const compute = createComputeActivities({
        datasetCache: join(dir, 'datasets'),
        backend: 'wasm',
        checkpointSeconds: 0,
        artifacts: {
          upload: (r, p, b) => mlflow.uploadArtifact(r, p, b),
          download: (r, p) => mlflow.downloadArtifact(r, p),
        },
      });
      const cell = CellConfigSchema.parse({
        dataset: { source: 'synthetic', name: 'ckpt', synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } },
        model,
        lambda: 0.5,
        epsilonD: 0.5,
        epochs: 4,
        cer: { hidden: [16, 8], learningRate: 0.05 },
        efm: { explicitFactors: 4, latentFactors: 4 },
      });
      const ref: CellRef = {
        sweep: { sweepId: 's', study: 'ckpt', workflowId: 'w' },
        tracking: { experimentId: '0', parentRunId: 'p' },
        cellKey: `ckpt-${model}`,
        cell,
        workflowId: 'w/cell',
      };

      const first = new MockActivityEnvironment();
      const beats: TrainHeartbeat[] = [];
      first.on('heartbeat', (d: TrainHeartbeat) => d?.phase === 'train' && beats.push(d));
      const a = (await first.run(compute.trainCell, ref, runId)) as TrainedRef;
      const undisturbed = decodeModelState(await mlflow.downloadArtifact(runId, a.modelArtifact));
      expect(beats.map((b) => b.epoch)).toEqual([1, 2, 3, 4]);
      const atTwo = beats[1];
      expect(atTwo.checkpoint).toBe('checkpoints/epoch-2.rxm');

      // The "retry": it gets the last heartbeat of the attempt that died after epoch 2.
      const second = new MockActivityEnvironment({ heartbeatDetails: atTwo });
      const resumedBeats: TrainHeartbeat[] = [];
      second.on('heartbeat', (d: TrainHeartbeat) => d?.phase === 'train' && resumedBeats.push(d));
      const b = (await second.run(compute.trainCell, ref, runId)) as TrainedRef;
      const resumed = decodeModelState(await mlflow.downloadArtifact(runId, b.modelArtifact));

      expect(resumedBeats.map((x) => x.epoch)).toEqual([3, 4]);
      expect(resumed.epoch).toBe(undisturbed.epoch);
      for (const [name, t] of Object.entries(undisturbed.tensors)) {
        expect(Buffer.from(resumed.tensors[name].data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
      }
    });
  });
}
