/**
 * A diverging cell on the real servers: it fails at once (no retry), its MLflow run closes FAILED
 * with the reason, and the sweep goes on and completes with the other cell FINISHED.
 *
 * Divergence is deterministic: the sweep has models [cer, efm] and `cell.cer.learningRate: 1e30`,
 * which only CER uses. With it, CER's loss is NaN in the first epoch (plain SGD: the first step
 * sends the weights to ~1e30, the next batch's logits overflow float32, softplus(inf) − t·inf is
 * NaN) on WASM, as `rexsweep cell` on the same tiny data shows: "cer training diverged at
 * epoch 1: loss NaN". EFM (its own learning rate, 2 iterations) trains normally.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { decodeRetryState } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSweep } from '../../client/start-sweep.ts';
import { expandSweep, type SweepCell } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { type MlflowClient, TAG } from '../../tracking/index.ts';
import { cellWorkflowId, type SweepProgress } from '../../workflows/sweep.ts';
import type { RunningWorkers } from '../../worker/worker.ts';
import { inlineWorkers, openHarness, type Harness } from './harness.ts';


let dir: string;
let config: SweepConfig;
let h: Harness;
let client: Client;
let workers: RunningWorkers;
let mlflow: MlflowClient;
let cer: SweepCell;
let efm: SweepCell;
let sweepWorkflowId: string;
let progress: SweepProgress;
let sweepSeconds: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-diverge-'));
  const stamp = `${Date.now()}-${process.pid}`;
  config = parseSweepYaml(`
study: divergence-${stamp}
name: diverge-${stamp}
datasets:
  - { source: synthetic, name: tiny, synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } }
models: [cer, efm]
lambdas: [0]
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm]
seeds: [0]
epochs: 2
concurrency: 2
queues: { workflow: diverge-cpu-${stamp}, gpu: diverge-gpu-${stamp} }
cell:
  datasetCache: ${join(dir, 'datasets')}
  cer: { hidden: [16, 8], learningRate: 1e30 }
  efm: { explicitFactors: 4, latentFactors: 4 }
  explainer: { steps: 10, testUsers: 3 }
`, 'diverge.yaml');
  const cells = expandSweep(config);
  expect(cells.map((c) => c.model)).toEqual(['cer', 'efm']);
  [cer, efm] = cells;

  h = await openHarness();
  ({ client, mlflow } = h);
  workers = await inlineWorkers(h, config);

  const t0 = Date.now();
  const started = await startSweep(client, config, { mlflow });
  expect(started.action).toBe('started');
  sweepWorkflowId = started.workflowId;
  progress = await started.handle.result();
  sweepSeconds = (Date.now() - t0) / 1000;
  process.stderr.write(`[divergence] sweep of 2 cells in ${sweepSeconds.toFixed(1)} s\n`);
});

afterAll(async () => {
  await workers?.shutdown();
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a diverging cell in a sweep on real Temporal and MLflow', () => {
  it('the sweep workflow completes', async () => {
    expect((await client.workflow.getHandle(sweepWorkflowId).describe()).status.name).toBe('COMPLETED');
    expect(progress.done).toBe(true);
  });

  it('progress: EFM finished, CER failed with a reason naming the divergence', () => {
    expect(progress.total).toBe(2);
    expect(progress.counts).toEqual({ pending: 0, running: 0, finished: 1, cached: 0, failed: 1, cancelled: 0 });
    expect(progress.phase).toBe('finished');
    expect(progress.summaries.map((s) => s.cellKey)).toEqual([efm.key]);
    expect(progress.failures).toHaveLength(1);
    expect(progress.failures[0].cellKey).toBe(cer.key);
    expect(progress.failures[0].reason).toMatch(/^DivergenceError: cer training diverged at epoch 1: loss NaN/);
  });

  it('MLflow: the CER run is FAILED with the reason, the EFM run FINISHED, the sweep run FAILED', async () => {
    const experiment = await mlflow.getExperimentByName(config.study);
    expect(experiment).not.toBeNull();
    const runs = await mlflow.searchAllRuns({ experimentIds: [experiment!.experimentId] });
    const parents = runs.filter((r) => r.data.tags[TAG.kind] === 'sweep');
    expect(parents).toHaveLength(1);
    const children = runs.filter((r) => r.data.tags[TAG.parentRunId] === parents[0].info.runId);
    expect(children).toHaveLength(2);

    const cerRuns = children.filter((r) => r.data.tags[TAG.cellKey] === cer.key);
    expect(cerRuns).toHaveLength(1);
    expect(cerRuns[0].info.status).toBe('FAILED');
    expect(cerRuns[0].info.endTime).toBeGreaterThan(0);
    expect(cerRuns[0].data.tags[TAG.closeReason]).toContain('diverged');
    expect(cerRuns[0].data.tags[TAG.closeReason]).toBe(progress.failures[0].reason);
    // No epoch completed: no training curve.
    expect(await mlflow.getMetricHistory(cerRuns[0].info.runId, 'train.loss')).toEqual([]);

    const efmRuns = children.filter((r) => r.data.tags[TAG.cellKey] === efm.key);
    expect(efmRuns).toHaveLength(1);
    expect(efmRuns[0].info.status).toBe('FINISHED');
    expect(efmRuns[0].data.tags[TAG.closeReason]).toBeUndefined();
    expect((await mlflow.getMetricHistory(efmRuns[0].info.runId, 'train.loss')).map((m) => m.step).sort()).toEqual([1, 2]);

    expect(parents[0].info.status).toBe('FAILED');
    expect(parents[0].data.tags[TAG.closeReason]).toBe('1 of 2 cells failed');
  });

  it('the diverging cell was trained once: one runCell attempt, failed as non-retryable', async () => {
    const id = cellWorkflowId(sweepWorkflowId, cer.key);
    const handle = client.workflow.getHandle(id);
    // The cell workflow ends FAILED, so that a later run of the sweep may start it again.
    expect((await handle.describe()).status.name).toBe('FAILED');
    const events = (await handle.fetchHistory()).events ?? [];
    // Each event carries exactly the attributes of its type.
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runCell');
    expect(scheduled).toHaveLength(1);
    const trainId = String(scheduled[0].eventId);
    const ofTrain = (attrs: { scheduledEventId?: unknown } | null | undefined) => attrs != null && String(attrs.scheduledEventId) === trainId;
    // History records only the last attempt of an activity: `attempt` says how many there were.
    const startedEvents = events.filter((e) => ofTrain(e.activityTaskStartedEventAttributes));
    expect(startedEvents).toHaveLength(1);
    expect(startedEvents[0].activityTaskStartedEventAttributes!.attempt).toBe(1);
    const failed = events.filter((e) => ofTrain(e.activityTaskFailedEventAttributes));
    expect(failed).toHaveLength(1);
    const attrs = failed[0].activityTaskFailedEventAttributes!;
    expect(decodeRetryState(attrs.retryState)).toBe('NON_RETRYABLE_FAILURE');
    expect(attrs.failure?.applicationFailureInfo?.type).toBe('DivergenceError');
    expect(attrs.failure?.message).toContain('diverged');
    expect(events.filter((e) => ofTrain(e.activityTaskCompletedEventAttributes))).toHaveLength(0);
    // The one compute activity was the only one: no step-by-step activity was scheduled.
    const others = events.filter((e) => e.activityTaskScheduledEventAttributes && e.activityTaskScheduledEventAttributes.activityType?.name !== 'runCell');
    expect(others).toHaveLength(0);
  });
});
