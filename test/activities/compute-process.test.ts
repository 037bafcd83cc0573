/**
 * Compute activities with isolation 'process' (a child process per attempt) against the real
 * MLflow server, and training's restart point (CellRef.restart):
 *  - no heartbeat, but the run holds a checkpoint left by an earlier workflow run: training
 *    resumes from the latest one and reaches weights bit-identical to an undisturbed run;
 *  - restart 'scratch' ignores it; a heartbeat's checkpoint wins over the run's latest;
 *  - cancelling the attempt kills its child; a typed error crosses with its class name; no-op
 *    cells spawn nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComputeActivities, type ComputeDeps, type TrainHeartbeat } from '../../activities/compute.ts';
import type { SetupHeartbeat } from '../../activities/compute-work.ts';
import type { CellRef, TrainedRef } from '../../activities/contracts.ts';
import { mlflowArtifactStore } from '../../activities/mlflow-artifacts.ts';
import { decodeModelState } from '../../activities/model-codec.ts';
import type { EvaluationRow } from '../../recsys/cell/result.ts';
import type { ModelState } from '../../recsys/models/explainable-model.ts';
import { CellConfigSchema, type CellConfigInput } from '../../recsys/config.ts';
import { MlflowClient } from '../../tracking/index.ts';
import { isAlive } from '../../infra/local/process.ts';

const uri = process.env.MLFLOW_TRACKING_URI;
let dir: string;
let mlflow: MlflowClient;
let experimentId: string;
let undisturbedRun: string;
let undisturbed: ModelState;
let undisturbedTrained: TrainedRef;

const CELL: CellConfigInput = {
  dataset: { source: 'synthetic', name: 'proc', synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } },
  model: 'cer',
  lambda: 0.5,
  epsilonD: 0.5,
  epochs: 4,
  cer: { hidden: [16, 8], learningRate: 0.05 },
};

function refOf(cell: CellConfigInput = CELL, restart?: CellRef['restart']): CellRef {
  return {
    sweep: { sweepId: 's', study: 'proc', workflowId: 'w' },
    tracking: { experimentId: '0', parentRunId: 'p' },
    cellKey: 'proc-cer',
    cell: CellConfigSchema.parse(cell),
    workflowId: 'w/cell',
    ...(restart ? { restart } : {}),
  };
}

function compute(isolation: ComputeDeps['isolation'], logs: string[] = []) {
  return createComputeActivities({
    datasetCache: join(dir, 'datasets'),
    backend: 'wasm',
    checkpointSeconds: 0,
    isolation,
    killGraceMs: 1_000,
    log: (m) => logs.push(m),
    artifacts: mlflowArtifactStore(mlflow),
  });
}

async function newRun(name: string): Promise<string> {
  return (await mlflow.createRun({ experimentId, runName: name })).info.runId;
}

/** Train with the given attempt state; the epochs heartbeated and the final weights. */
async function train(isolation: ComputeDeps['isolation'], ref: CellRef, runId: string, heartbeatDetails?: TrainHeartbeat) {
  const env = new MockActivityEnvironment(heartbeatDetails ? { heartbeatDetails } : {});
  const beats: TrainHeartbeat[] = [];
  const setup: SetupHeartbeat[] = [];
  env.on('heartbeat', (d: TrainHeartbeat | SetupHeartbeat) => (d?.phase === 'train' ? beats.push(d) : d?.phase === 'setup' && setup.push(d)));
  const logs: string[] = [];
  const t = (await env.run(compute(isolation, logs).trainCell, ref, runId)) as TrainedRef;
  const state = decodeModelState(await mlflow.downloadArtifact(runId, t.modelArtifact));
  return { epochs: beats.map((b) => b.epoch), setup, state, logs, trained: t };
}

function expectSameWeights(a: ModelState, b: ModelState): void {
  expect(a.epoch).toBe(b.epoch);
  expect(Object.keys(a.tensors).sort()).toEqual(Object.keys(b.tensors).sort());
  for (const [name, t] of Object.entries(b.tensors)) {
    expect(Buffer.from(a.tensors[name].data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
  }
}

/** A run that an earlier workflow run of the cell left with checkpoints up to `epoch` and no model. */
async function runWithCheckpointsUpTo(epoch: number, name: string): Promise<string> {
  const runId = await newRun(name);
  for (let e = 1; e <= epoch; e++) {
    const path = `checkpoints/epoch-${e}.rxm`;
    await mlflow.uploadArtifact(runId, path, await mlflow.downloadArtifact(undisturbedRun, path));
  }
  return runId;
}

const pidsIn = (logs: string[]) => logs.flatMap((l) => /child process (\d+)$/.exec(l)?.slice(1) ?? []).map(Number);

beforeAll(async () => {
  if (!uri) throw new Error('MLFLOW_TRACKING_URI is not set: this test needs the real MLflow server of test/setup/servers.ts');
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-proc-'));
  mlflow = new MlflowClient({ trackingUri: uri });
  experimentId = (await mlflow.getOrCreateExperiment(`compute-process-${Date.now()}`)).experiment.experimentId;
  undisturbedRun = await newRun('undisturbed');
  const u = await train('inline', refOf(), undisturbedRun);
  expect(u.epochs).toEqual([1, 2, 3, 4]);
  undisturbed = u.state;
  undisturbedTrained = u.trained;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('training in a child process, restarting from the run', () => {
  it("resumes from the run's latest checkpoint when no heartbeat names one, bit-identical to an undisturbed run", async () => {
    const runId = await runWithCheckpointsUpTo(2, 'left-at-2');
    const r = await train('process', refOf(), runId);
    expect(r.epochs).toEqual([3, 4]);
    // Once found, the checkpoint rides on the setup heartbeat: a death before epoch 3 hands it on.
    expect(r.setup.at(-1)).toEqual({ phase: 'setup', step: 'ready', checkpoint: 'checkpoints/epoch-2.rxm', checkpointEpoch: 2 });
    expectSameWeights(r.state, undisturbed);
    const [pid] = pidsIn(r.logs);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });

  it("restart 'scratch' ignores the run's checkpoints", async () => {
    const runId = await runWithCheckpointsUpTo(3, 'scratch');
    const r = await train('process', refOf(CELL, 'scratch'), runId);
    expect(r.epochs).toEqual([1, 2, 3, 4]);
    expectSameWeights(r.state, undisturbed);
  });

  it("the previous attempt's heartbeat wins over the run's latest checkpoint", async () => {
    const runId = await runWithCheckpointsUpTo(3, 'heartbeat-wins');
    const beat: TrainHeartbeat = { phase: 'train', epoch: 1, epochs: 4, loss: 0, checkpoint: 'checkpoints/epoch-1.rxm', checkpointEpoch: 1 };
    const r = await train('inline', refOf(), runId, beat);
    expect(r.epochs).toEqual([2, 3, 4]);
    // Every setup heartbeat carries the checkpoint on, from the very first one.
    expect(r.setup.length).toBeGreaterThan(0);
    for (const h of r.setup) expect(h).toMatchObject({ checkpoint: 'checkpoints/epoch-1.rxm', checkpointEpoch: 1 });
    expectSameWeights(r.state, undisturbed);
  });
});

describe('the child process of an attempt', () => {
  it('is killed when the attempt is cancelled', async () => {
    const runId = await newRun('cancelled');
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (d: TrainHeartbeat) => d?.phase === 'train' && env.cancel());
    const logs: string[] = [];
    const err = await env.run(compute('process', logs).trainCell, refOf({ ...CELL, epochs: 100_000 }), runId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledFailure);
    const [pid] = pidsIn(logs);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });

  it("fails with the work's error class as the failure type (InputError: file and line)", async () => {
    const bad = fileURLToPath(new URL('../fixtures/data/interchange-broken-json.jsonl', import.meta.url));
    const ref = refOf({ ...CELL, dataset: { source: 'interchange', name: 'broken', path: bad } });
    const err = await new MockActivityEnvironment().run(compute('process').prepareData, ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('InputError');
    expect((err as ApplicationFailure).message).toContain('interchange-broken-json.jsonl:');
  });

  it('evaluates to the same row as in-process evaluation', async () => {
    const ref = refOf({ ...CELL, explainer: { steps: 5, testUsers: 4 } });
    const input = { ref, runId: undisturbedRun, trained: undisturbedTrained, attack: 'none' as const, epsilon: 0 };
    const logs: string[] = [];
    const inChild = (await new MockActivityEnvironment().run(compute('process', logs).evaluateCell, input)) as EvaluationRow;
    const inline = (await new MockActivityEnvironment().run(compute('inline').evaluateCell, input)) as EvaluationRow;
    expect({ ...inChild, seconds: 0 }).toEqual({ ...inline, seconds: 0 });
    expect(pidsIn(logs).length).toBe(1);
  });

  it('is never started for a no-op cell', async () => {
    const logs: string[] = [];
    const t = (await new MockActivityEnvironment().run(compute('process', logs).trainCell, refOf({ ...CELL, noop: true }), 'no-run')) as TrainedRef;
    expect(t.backend).toBe('noop');
    expect(pidsIn(logs)).toEqual([]);
  });
});
