/**
 * A cell run first by one sweep and reused by another sweep of the study (found FINISHED by its
 * key) belongs to both sweeps' reports: the reusing sweep tags the run as a member
 * (sweepMemberTag), and collectSweep reads its own runs and its members. Real MLflow server.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SweepRef, SweepTracking } from '../../activities/contracts.ts';
import { createRecordActivities } from '../../activities/record.ts';
import { collectSweep } from '../../report/index.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { MlflowClient, TAG, sweepMemberTag } from '../../tracking/index.ts';
import { FIXTURE, FIXTURE_TRAINED, fixtureRows } from './fixtures.ts';

const study = `reused-${Date.now()}`;
const yaml = (name: string, models: string) => `
study: ${study}
name: ${name}
datasets: [{ source: synthetic, name: ${FIXTURE.dataset} }]
models: ${models}
lambdas: [0]
epsilonsD: [0.5]
epsilonsA: [0.5, 1]
seeds: [0]
`;

let mlflow: MlflowClient;
const first: SweepRef = { sweepId: `first-${Date.now().toString(36)}`, study, workflowId: 'wf-first' };
const second: SweepRef = { sweepId: `second-${Date.now().toString(36)}`, study, workflowId: 'wf-second' };

beforeAll(async () => {
  mlflow = new MlflowClient({ trackingUri: process.env.MLFLOW_TRACKING_URI! });
  const record = createRecordActivities({ mlflow, gitCommit: 'test', backend: 'cpu' });
  const run = async (sweep: SweepRef, tracking: SweepTracking, models: string) => {
    for (const cell of expandSweep(parseSweepYaml(yaml(sweep.sweepId, models), 'sweep.yaml'))) {
      const ref = { sweep, tracking, cellKey: cell.key, cell: cell.config, workflowId: `${sweep.workflowId}/cell-${cell.key}` };
      const begun = await record.beginCell(ref);
      if (!begun.finished) await record.finishCell(ref, begun.runId, FIXTURE_TRAINED, fixtureRows(cell.model, cell.lambda, cell.epsilonD, cell.seed));
    }
  };
  // The first sweep runs EFM; the second runs CER and EFM, reusing the first's EFM cell.
  await run(first, await record.beginSweep(first, {}), '[efm]');
  await run(second, await record.beginSweep(second, {}), '[cer, efm]');
  // Reused again (the sweep run a second time): the tag is not written twice, nothing changes.
  await run(second, await record.beginSweep(second, {}), '[cer, efm]');
});

describe('cells reused from another sweep of the study', () => {
  it("are in the reusing sweep's report, and still in their first sweep's", async () => {
    const a = await collectSweep(mlflow, { sweepId: first.sweepId, study });
    const b = await collectSweep(mlflow, { sweepId: second.sweepId, study });
    expect(a.cells.map((c) => c.model)).toEqual(['efm']);
    expect(b.cells.map((c) => c.model).sort()).toEqual(['cer', 'efm']);
    const efm = b.cells.find((c) => c.model === 'efm')!;
    expect(efm.runId).toBe(a.cells[0].runId);
    const run = await mlflow.getRun(efm.runId);
    expect(run.data.tags[TAG.sweepId]).toBe(first.sweepId);
    expect(run.data.tags[sweepMemberTag(second.sweepId)]).toBe('1');
    expect(run.info.status).toBe('FINISHED');
    // Its own cell is not tagged as a member of itself.
    const cer = await mlflow.getRun(b.cells.find((c) => c.model === 'cer')!.runId);
    expect(cer.data.tags[sweepMemberTag(second.sweepId)]).toBeUndefined();
  });
});
