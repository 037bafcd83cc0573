/**
 * Steering running sweeps on the real servers: pause and resume, the window's size, cancel
 * (with a rerun that finishes the job), extension of the grid, refusal of changed settings,
 * failure limits, reruns of failed cells, continue-as-new over a grid larger than one run, and
 * the search attributes the Temporal UI lists sweeps by.
 *
 * Cells are no-ops (no data, no model): what is under test is the orchestration. A cell is held
 * "in flight" simply by running no compute worker for its queue yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { startSweep } from '../../client/start-sweep.ts';
import { ConfigError } from '../../recsys/errors.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import {
  cancelUpdate,
  configQuery,
  pauseUpdate,
  rerunFailedUpdate,
  resumeUpdate,
  setConcurrencyUpdate,
  type SweepProgress,
} from '../../workflows/sweep-control.ts';
import type { RunningWorkers } from '../../worker/worker.ts';
import { cellRuns, computeWorker, noopSweep, openHarness, sweepRuns, waitForProgress, workflowWorker, type Harness } from './harness.ts';

let h: Harness;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  h = await openHarness();
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await h?.close();
});

async function workflowWorkerFor(config: Parameters<typeof workflowWorker>[1]): Promise<RunningWorkers> {
  const w = await workflowWorker(h, config);
  cleanups.push(() => w.shutdown());
  return w;
}

async function computeFor(config: Parameters<typeof computeWorker>[1], fail?: Parameters<typeof computeWorker>[2]) {
  const w = await computeWorker(h, config, fail);
  cleanups.push(() => w.stop());
  return w;
}

/** The validator's message of a rejected update. */
async function rejection(update: Promise<unknown>): Promise<string> {
  const err = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((err as WorkflowUpdateFailedError).cause as Error).message;
}

describe('control of a running sweep', () => {
  it('pause starts no new cell, concurrency widens the window, resume runs the rest', async () => {
    const config = noopSweep('ctl-pause'); // (vanilla + λ0.5) × 3 seeds = 6 cells, 2 in flight
    await workflowWorkerFor(config);
    const { handle } = await startSweep(h.client, config, { mlflow: h.mlflow });

    let p = await waitForProgress(handle, (x) => x.counts.running === 2);
    expect(p.counts).toMatchObject({ pending: 4, running: 2, finished: 0 });

    p = await handle.executeUpdate(setConcurrencyUpdate, { args: [3] });
    expect(p.concurrency).toBe(3);
    p = await waitForProgress(handle, (x) => x.counts.running === 3);
    expect(p.counts.pending).toBe(3);

    p = await handle.executeUpdate(pauseUpdate);
    expect(p.phase).toBe('paused');
    const compute = await computeFor(config);
    // The three in flight finish; nothing new starts while paused.
    p = await waitForProgress(handle, (x) => x.counts.finished === 3 && x.counts.running === 0);
    await new Promise((r) => setTimeout(r, 1500));
    p = await handle.query('progress');
    expect(p.counts).toMatchObject({ finished: 3, running: 0, pending: 3 });
    expect(p.phase).toBe('paused');

    p = await handle.executeUpdate(resumeUpdate);
    expect(p.phase).toBe('running');
    const final: SweepProgress = await handle.result();
    expect(final).toMatchObject({ phase: 'finished', done: true });
    expect(final.counts).toMatchObject({ finished: 6, pending: 0, running: 0, failed: 0 });
    await compute.stop();

    const runs = await cellRuns(h, config.study);
    expect(runs.size).toBe(6);
    for (const [key, rs] of runs) expect(rs.map((r) => r.info.status), key).toEqual(['FINISHED']);
  });

  it('rejects updates that make no sense, changing nothing', async () => {
    const config = noopSweep('ctl-reject');
    await workflowWorkerFor(config);
    const { handle } = await startSweep(h.client, config, { mlflow: h.mlflow });
    await waitForProgress(handle, (x) => x.counts.running === 2);
    expect(await rejection(handle.executeUpdate(setConcurrencyUpdate, { args: [0] }))).toMatch(/concurrency must be an integer from 1 to 1000, got 0/);
    expect(await rejection(handle.executeUpdate(rerunFailedUpdate, { args: [{ from: 'nowhere' as 'scratch' }] }))).toMatch(/from must be/);
    expect(((await handle.query('progress')) as SweepProgress).concurrency).toBe(2);
    await handle.executeUpdate(cancelUpdate, { args: [{ inFlight: 'cancel' }] });
    expect(await rejection(handle.executeUpdate(resumeUpdate))).toMatch(/the sweep is stopping \(cancelled by the user\)/);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  });

  it('cancel --now closes the cells in flight KILLED and ends the sweep FAILED; running it again finishes with one run per cell', async () => {
    const config = noopSweep('ctl-cancel');
    await workflowWorkerFor(config);
    const first = await startSweep(h.client, config, { mlflow: h.mlflow });
    await waitForProgress(first.handle, (x) => x.counts.running === 2);
    const inFlight = (await first.handle.query('progress')) as SweepProgress;
    expect(inFlight.counts.running).toBe(2);

    await first.handle.executeUpdate(cancelUpdate, { args: [{ inFlight: 'cancel', reason: 'test cancel' }] });
    const err = await first.handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as { type?: string; details?: unknown[] };
    expect(cause.type).toBe('SweepCancelled');
    const stopped = cause.details?.[0] as SweepProgress;
    expect(stopped).toMatchObject({ phase: 'cancelled', stopReason: 'test cancel' });
    expect(stopped.counts).toMatchObject({ cancelled: 2, pending: 4, finished: 0, running: 0 });

    let runs = await cellRuns(h, config.study);
    expect([...runs.values()].flat().map((r) => r.info.status)).toEqual(['KILLED', 'KILLED']);
    expect((await sweepRuns(h, config.study)).map((r) => r.info.status)).toEqual(['KILLED']);

    // Run it again: a new run of the same sweep; the cancelled cells start again.
    const again = await startSweep(h.client, config, { mlflow: h.mlflow });
    expect(again.action).toBe('started');
    await computeFor(config);
    const final: SweepProgress = await again.handle.result();
    expect(final.counts).toMatchObject({ finished: 6, cancelled: 0, failed: 0 });
    runs = await cellRuns(h, config.study);
    expect(runs.size).toBe(6);
    for (const [key, rs] of runs) expect(rs.map((r) => r.info.status), key).toEqual(['FINISHED']);
    expect((await sweepRuns(h, config.study)).map((r) => r.info.status)).toEqual(['FINISHED']);
  });

  it('rexsweep run with more λ values extends the running sweep; changed settings are refused', async () => {
    const config = noopSweep('ctl-extend', { lambdas: '[0, 0.5]', seeds: '[0]' }); // 2 cells
    await workflowWorkerFor(config);
    const first = await startSweep(h.client, config, { mlflow: h.mlflow });
    await waitForProgress(first.handle, (x) => x.counts.running === 2);

    const wider = { ...config, lambdas: [0, 0.5, 0.9] };
    const extended = await startSweep(h.client, wider, { mlflow: h.mlflow });
    expect(extended.action).toBe('extended');
    expect(extended.workflowId).toBe(first.workflowId);
    expect((await first.handle.query(configQuery)).lambdas).toEqual([0, 0.5, 0.9]);

    // Same id, other fixed settings: refused, and the running sweep is untouched.
    const changed = { ...wider, id: extended.sweepId, epochs: 7 };
    await expect(startSweep(h.client, changed, { mlflow: h.mlflow, file: 'changed.yaml' })).rejects.toThrow(ConfigError);
    await expect(startSweep(h.client, changed, { mlflow: h.mlflow, file: 'changed.yaml' })).rejects.toThrow(/changed\.yaml \(field epochs\/cell\)/);
    const shrunk = { ...config, lambdas: [0.5] };
    await expect(startSweep(h.client, shrunk, { mlflow: h.mlflow })).rejects.toThrow(/lambdas lost 0/);

    await computeFor(config);
    const final: SweepProgress = await first.handle.result();
    expect(final.total).toBe(3);
    expect(final.counts.finished).toBe(3);
    const runs = await cellRuns(h, config.study);
    expect([...runs.keys()].sort()).toEqual(expandSweep(wider).map((c) => c.key).sort());

    // The finished sweep, run again with another seed: a new run that runs only the new cells.
    const moreSeeds = { ...wider, seeds: [0, 1] };
    const again = await startSweep(h.client, moreSeeds, { mlflow: h.mlflow });
    expect(again.action).toBe('started');
    const second: SweepProgress = await again.handle.result();
    expect(second.counts).toMatchObject({ cached: 3, finished: 3, failed: 0 });
    const all = await cellRuns(h, config.study);
    expect(all.size).toBe(6);
    for (const [key, rs] of all) expect(rs.map((r) => r.info.status), key).toEqual(['FINISHED']);

    // A new sweep id under the same name (fixed settings changed): refused unless asked for.
    const other = { ...wider, epochs: 9 };
    await expect(startSweep(h.client, other, { mlflow: h.mlflow, file: 'other.yaml' })).rejects.toThrow(/pass --new-settings/);
    const separate = await startSweep(h.client, other, { mlflow: h.mlflow, allowNewSettings: true });
    expect(separate.action).toBe('started');
    expect(separate.sweepId).not.toBe(first.sweepId);
    await separate.handle.result();
  });
});

describe('failure limits and reruns', () => {
  it('maxFailedCells: past the limit no new cell starts, cells in flight finish, the sweep ends FAILED; finished cells stay FINISHED', async () => {
    const config = parseSweepYaml(
      JSON.stringify({ ...noopSweep('ctl-maxfail', { seeds: '[0, 1, 2, 3, 4]' }), concurrency: 1, maxFailedCells: 1 }),
      'maxfail.yaml',
    );
    const failing = new Set(expandSweep(config).filter((c) => c.seed >= 1).map((c) => c.key));
    await workflowWorkerFor(config);
    await computeFor(config, (ref) => failing.has(ref.cellKey));
    const { handle } = await startSweep(h.client, config, { mlflow: h.mlflow });
    const err = await handle.result().catch((e: unknown) => e);
    const cause = (err as WorkflowFailedError).cause as { type?: string; details?: unknown[]; message?: string };
    expect(cause.type).toBe('SweepFailed');
    expect(cause.message).toMatch(/2 cells failed \(maxFailedCells 1\)/);
    const p = cause.details?.[0] as SweepProgress;
    expect(p.counts.failed).toBe(2);
    expect(p.counts.pending).toBe(10 - p.counts.finished - 2);
    expect(p.failures.every((f) => /injected failure/.test(f.reason))).toBe(true);
    const runs = await cellRuns(h, config.study);
    for (const [key, rs] of runs) expect(rs.map((r) => r.info.status), key).toEqual([failing.has(key) ? 'FAILED' : 'FINISHED']);
    expect((await sweepRuns(h, config.study)).map((r) => r.info.status)).toEqual(['FAILED']);
  });

  it('failFast cancels the cells in flight at the first failure', async () => {
    const config = parseSweepYaml(JSON.stringify({ ...noopSweep('ctl-failfast'), concurrency: 3, failFast: true }), 'failfast.yaml');
    const cells = expandSweep(config);
    const failing = cells[0].key;
    await workflowWorkerFor(config);
    // Only the failing cell's prepare runs at first; the other two in flight wait for a worker
    // on their queue, which this one is (it fails cell 0 and holds the others until cancelled).
    const { handle } = await startSweep(h.client, config, { mlflow: h.mlflow });
    await waitForProgress(handle, (x) => x.counts.running === 3);
    await computeFor(config, (ref) => ref.cellKey === failing);
    const err = await handle.result().catch((e: unknown) => e);
    const cause = (err as WorkflowFailedError).cause as { type?: string; details?: unknown[] };
    expect(cause.type).toBe('SweepFailed');
    const p = cause.details?.[0] as SweepProgress;
    expect(p.counts.failed).toBe(1);
    expect(p.counts.pending + p.counts.finished + p.counts.cancelled).toBe(5);
    expect(p.counts.running).toBe(0);
  });

  it('rerun-failed runs the failed cells again, after their cause is fixed', async () => {
    const config = noopSweep('ctl-rerun', { seeds: '[0, 1]' }); // 4 cells
    const broken = new Set(expandSweep(config).filter((c) => c.seed === 1).map((c) => c.key));
    let fixed = false;
    await workflowWorkerFor(config);
    const compute = await computeFor(config, (ref) => !fixed && broken.has(ref.cellKey));
    const { handle } = await startSweep(h.client, { ...config, concurrency: 4 }, { mlflow: h.mlflow });
    // The sweep completes with 2 failed cells; rerun needs it running, so pause it first? No:
    // rerun-failed on a finished sweep is `rexsweep run` again (a new run retries failures).
    const first: SweepProgress = await handle.result();
    expect(first.counts).toMatchObject({ finished: 2, failed: 2 });
    fixed = true;
    const again = await startSweep(h.client, { ...config, concurrency: 4 }, { mlflow: h.mlflow });
    expect(again.action).toBe('started');
    const second: SweepProgress = await again.handle.result();
    expect(second.counts).toMatchObject({ finished: 2, cached: 2, failed: 0 });
    await compute.stop();
    const runs = await cellRuns(h, config.study);
    for (const [key, rs] of runs) expect(rs.map((r) => r.info.status), key).toEqual(['FINISHED']);
  });

  it('the rerunFailed update requeues failed cells of a running sweep', async () => {
    const config = noopSweep('ctl-rerun-live', { seeds: '[0, 1, 2]' }); // 6 cells
    const cells = expandSweep(config);
    let fixed = false;
    await workflowWorkerFor(config);
    await computeFor(config, (ref) => !fixed && ref.cellKey === cells[0].key);
    const { handle } = await startSweep(h.client, { ...config, concurrency: 1 }, { mlflow: h.mlflow });
    await waitForProgress(handle, (x) => x.counts.failed === 1);
    await handle.executeUpdate(pauseUpdate);
    fixed = true;
    const p = await handle.executeUpdate(rerunFailedUpdate, { args: [{ from: 'scratch' }] });
    expect(p.counts.failed).toBe(1); // still failed until it starts again
    await handle.executeUpdate(resumeUpdate);
    const final: SweepProgress = await handle.result();
    expect(final.counts).toMatchObject({ finished: 6, failed: 0 });
    expect(final.failures).toEqual([]);
  });
});

describe('scale', () => {
  it('continues as new every cellsPerRun cells and keeps every history short; the UI lists it by search attributes', async () => {
    const config = parseSweepYaml(
      JSON.stringify({ ...noopSweep('ctl-scale', { lambdas: '[0, 0.5, 0.9]', seeds: '[0, 1, 2, 3, 4, 5, 6, 7]' }), concurrency: 4, cellsPerRun: 5 }),
      'scale.yaml',
    );
    expect(expandSweep(config)).toHaveLength(24);
    await workflowWorkerFor(config);
    await computeFor(config);
    const { handle, workflowId } = await startSweep(h.client, config, { mlflow: h.mlflow });
    const final: SweepProgress = await handle.result();
    expect(final.counts).toMatchObject({ finished: 24, failed: 0, pending: 0 });
    expect(final.generation).toBe(5); // 24 cells, 5 per run

    const runs = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(wf);
    expect(runs).toHaveLength(5);
    for (const wf of runs) {
      const history = await h.client.workflow.getHandle(workflowId, wf.runId).fetchHistory();
      expect(history.events!.length).toBeLessThan(200);
    }
    const cellsRuns = await cellRuns(h, config.study);
    expect(cellsRuns.size).toBe(24);

    const listed = [];
    for await (const wf of h.client.workflow.list({ query: `RexsweepName = "${config.name}" AND RexsweepState = "finished"` })) listed.push(wf);
    expect(listed.map((w) => w.workflowId)).toEqual([workflowId]);
    const attrs = listed[0].searchAttributes as Record<string, unknown[]>;
    expect(attrs.RexsweepCellsDone).toEqual([24]);
    expect(attrs.RexsweepCellsTotal).toEqual([24]);
  });

  it('a sweep whose only seed group completes last aggregates once, at the end (not twice)', async () => {
    const config = noopSweep('ctl-aggregate-once', { lambdas: '[0]', seeds: '[0, 1, 2]' });
    await workflowWorkerFor(config);
    await computeFor(config);
    const { handle } = await startSweep(h.client, config, { mlflow: h.mlflow });
    expect((await handle.result()).counts.finished).toBe(3);
    const history = await handle.fetchHistory();
    const aggregations = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'aggregateSweep');
    expect(aggregations).toHaveLength(1);
  });
});
