/** The run layout (experiment per study, parent per sweep, child per cell) on a real server. */
import { describe, expect, it } from 'vitest';
import { CellConfigSchema } from '../../recsys/config.ts';
import type { CellResult, EvaluationRow } from '../../recsys/cell/result.ts';
import type { MlflowClient } from '../../tracking/client.ts';
import {
  TAG,
  closeRun,
  findCellRun,
  getOrCreateCellRun,
  getOrCreateStudyExperiment,
  getOrCreateSweepRun,
  logCellResult,
  logTrainingCurve,
  type CellRunSpec,
} from '../../tracking/layout.ts';
import { cellRunName, runNamePartsFromConfig } from '../../tracking/names.ts';
import { requireServerForEachTest, testClient, uniqueName } from './mlflow-env.ts';

let client: MlflowClient;
let experimentId: string;
let parentRunId: string;
const sweepId = uniqueName('sweep');

const config = CellConfigSchema.parse({ dataset: { source: 'synthetic' }, model: 'cer', lambda: 0.5, epsilonD: 0.5, seed: 0 });

function spec(cellKey: string): CellRunSpec {
  return {
    experimentId,
    parentRunId,
    cellKey,
    sweepId,
    workflowId: `cell-${cellKey}`,
    gitCommit: 'abc1234',
    backend: 'wasm',
    device: 'cpu',
    runName: cellRunName(runNamePartsFromConfig(config)),
    config: config as unknown as Record<string, unknown>,
  };
}

function row(attack: EvaluationRow['attack'], epsilon: number, ndcg5: number): EvaluationRow {
  return {
    attack, epsilon, ndcg5, explained: 8, pairs: 10, meanExplanationSize: 2, meanComplexity: 1.5, userSidePairs: 6,
    precision: 0.4, recall: 0.3, f1: 0.34, pn: 0.7, ps: 0.6, fns: 0.65, stability: attack === 'none' ? null : 0.5, stabilityPairs: 7, seconds: 1.25,
  };
}

requireServerForEachTest(async () => {
  client = testClient();
  experimentId = await getOrCreateStudyExperiment(client, uniqueName('study'));
  const parent = await getOrCreateSweepRun(client, { experimentId, sweepId, params: { 'sweep.cells': '12' } });
  expect(parent.created).toBe(true);
  parentRunId = parent.run.info.runId;
});

describe('run layout', () => {
  it('one experiment per study and one parent run per sweep (get-or-create is idempotent)', async () => {
    const again = await getOrCreateSweepRun(client, { experimentId, sweepId });
    expect(again).toMatchObject({ created: false, duplicates: [] });
    expect(again.run.info.runId).toBe(parentRunId);
    expect(again.run.data.tags).toMatchObject({ [TAG.kind]: 'sweep', [TAG.sweepId]: sweepId });
    expect(again.run.data.params['sweep.cells']).toBe('12');
  });

  it('creates a cell run with the layout tags, canonical params and a readable name; finds it by cell key', async () => {
    const key = uniqueName('cell');
    expect(await findCellRun(client, experimentId, key)).toBeNull();
    const got = await getOrCreateCellRun(client, spec(key));
    expect(got.created).toBe(true);
    const run = await client.getRun(got.run.info.runId);
    expect(run.info.runName).toBe('cer·synthetic·λ0.5·ε0.5·s0');
    expect(run.data.tags).toMatchObject({
      'mlflow.parentRunId': parentRunId,
      'rexsweep.kind': 'cell',
      'rexsweep.cell_key': key,
      'rexsweep.sweep_id': sweepId,
      'rexsweep.workflow_id': `cell-${key}`,
      'rexsweep.git_commit': 'abc1234',
      'rexsweep.backend': 'wasm',
      'rexsweep.device': 'cpu',
    });
    expect(run.data.params).toMatchObject({ lambda: '0.5', epsilonD: '0.5', 'cer.hidden': '[1024,256]', model: 'cer', seed: '0' });
    // Canonical strings make param search work.
    const byParam = await client.searchAllRuns({ experimentIds: [experimentId], filter: `params.lambda = '0.5' AND tags.\`rexsweep.cell_key\` = '${key}'` });
    expect(byParam.map((r) => r.info.runId)).toEqual([run.info.runId]);
    const again = await getOrCreateCellRun(client, spec(key));
    expect(again).toMatchObject({ created: false, duplicates: [] });
    expect(again.run.info.runId).toBe(run.info.runId);
  });

  it('prefers a FINISHED run over newer ones and reports the duplicates', async () => {
    const key = uniqueName('dup');
    const tags = { [TAG.cellKey]: key, [TAG.kind]: 'cell' };
    const old = await client.createRun({ experimentId, startTime: 1_700_000_000_000, tags });
    const finished = await client.createRun({ experimentId, startTime: 1_700_000_001_000, tags });
    await closeRun(client, finished.info.runId, 'FINISHED');
    const newest = await client.createRun({ experimentId, startTime: 1_700_000_002_000, tags });
    const found = await findCellRun(client, experimentId, key);
    expect(found?.run.info.runId).toBe(finished.info.runId);
    expect(found?.duplicates.map((r) => r.info.runId)).toEqual([newest.info.runId, old.info.runId]);
    // Without a FINISHED one, the newest wins.
    await client.deleteRun(finished.info.runId);
    expect((await findCellRun(client, experimentId, key))?.run.info.runId).toBe(newest.info.runId);
  });

  it('concurrent get-or-create of one cell leaves exactly one live run', async () => {
    const key = uniqueName('race');
    const results = await Promise.all(Array.from({ length: 4 }, () => getOrCreateCellRun(client, spec(key))));
    const all = await client.searchAllRuns({ experimentIds: [experimentId], filter: `tags.\`rexsweep.cell_key\` = '${key}'` });
    const live = all.filter((r) => r.info.status === 'RUNNING');
    expect(live).toHaveLength(1);
    for (const r of results) expect(r.run.info.runId).toBe(live[0].info.runId);
    for (const r of all.filter((x) => x.info.status !== 'RUNNING')) {
      expect(r.info.status).toBe('KILLED');
      expect(r.data.tags[TAG.duplicateOf]).toBe(live[0].info.runId);
      // Params go to the winner only, after the re-read.
      expect(r.data.params).toEqual({});
    }
    expect(live[0].data.params).toMatchObject({ lambda: '0.5', model: 'cer' });
  });

  it('a run whose creator stopped before logging its params gets them from the next get-or-create', async () => {
    const key = uniqueName('noparams');
    // What a creator leaves when it dies between creating the run and logging its params.
    const orphan = await client.createRun({ experimentId, tags: { [TAG.cellKey]: key, [TAG.kind]: 'cell', [TAG.sweepId]: sweepId } });
    const got = await getOrCreateCellRun(client, spec(key));
    expect(got).toMatchObject({ created: false, duplicates: [] });
    expect(got.run.info.runId).toBe(orphan.info.runId);
    expect((await client.getRun(orphan.info.runId)).data.params).toMatchObject({ lambda: '0.5', epsilonD: '0.5', model: 'cer', seed: '0' });
    expect(got.run.data.params).toMatchObject({ lambda: '0.5' });
    // A FINISHED run is never written to.
    const done = uniqueName('finished');
    const finished = await client.createRun({ experimentId, tags: { [TAG.cellKey]: done, [TAG.kind]: 'cell', [TAG.sweepId]: sweepId } });
    await closeRun(client, finished.info.runId, 'FINISHED');
    await getOrCreateCellRun(client, spec(done));
    expect((await client.getRun(finished.info.runId)).data.params).toEqual({});
    // Nor another sweep's run: its creator, if alive, logs its own sweep.id, which MLflow would
    // refuse after ours.
    const other = uniqueName('other');
    const theirs = await client.createRun({ experimentId, tags: { [TAG.cellKey]: other, [TAG.kind]: 'cell', [TAG.sweepId]: 'another-sweep' } });
    expect((await getOrCreateCellRun(client, spec(other))).run.info.runId).toBe(theirs.info.runId);
    expect((await client.getRun(theirs.info.runId)).data.params).toEqual({});
  });

  it('logs the training curve and the cell result, then closes the run', async () => {
    const key = uniqueName('result');
    const { run } = await getOrCreateCellRun(client, spec(key));
    const runId = run.info.runId;
    await logTrainingCurve(client, runId, [0.9, 0.8], { timestamp: 1_700_000_000_000 });
    const result: CellResult = {
      cell: {},
      backend: 'tensorflow',
      device: 'gpu:0',
      dataset: { id: 'd', folder: '/tmp/d', users: 120, items: 150, features: 24, trainPairs: 2000, testUsers: 100 },
      train: { epochs: 3, seconds: 4.5, finalLoss: 0.7, losses: [0.9, 0.8, 0.7] },
      evaluations: [row('none', 0, 0.3), row('fgsm', 0.25, 0.2), row('fgsm', 0.5, 0.1), row('random', 0.25, 0.29), row('random', 0.5, 0.28)],
    };
    const ts = 1_700_000_000_000;
    await logCellResult(client, runId, result, { timestamp: ts });
    await logCellResult(client, runId, result, { timestamp: ts }); // an activity retry: no duplicate points
    const got = await client.getRun(runId);
    const latest = Object.fromEntries(got.data.metrics.map((m) => [m.key, [m.step, m.value]]));
    expect(latest['eval.clean.ndcg5']).toEqual([0, 0.3]);
    expect(latest['eval.fgsm.ndcg5']).toEqual([50, 0.1]);
    expect(latest['eval.random.ndcg5']).toEqual([50, 0.28]);
    expect(latest['train.loss']).toEqual([3, 0.7]);
    expect(got.data.tags).toMatchObject({ 'rexsweep.backend': 'tensorflow', 'rexsweep.device': 'gpu:0' });
    const curve = await client.getMetricHistory(runId, 'eval.fgsm.ndcg5');
    expect(curve.map((m) => [m.step, m.value]).sort((a, b) => a[0] - b[0])).toEqual([[0, 0.3], [25, 0.2], [50, 0.1]]);
    const loss = await client.getMetricHistory(runId, 'train.loss');
    expect(loss.map((m) => [m.step, m.value]).sort((a, b) => a[0] - b[0])).toEqual([[1, 0.9], [2, 0.8], [3, 0.7]]);

    await closeRun(client, runId, 'FAILED', 'DivergenceError: cer training diverged at epoch 4: loss NaN');
    const closed = await client.getRun(runId);
    expect(closed.info.status).toBe('FAILED');
    expect(closed.info.endTime).toBeGreaterThan(0);
    expect(closed.data.tags[TAG.closeReason]).toMatch(/^DivergenceError/);
    // The cell is still found (any status) — the caller decides whether to rerun it.
    expect((await findCellRun(client, experimentId, key))?.run.info.status).toBe('FAILED');
  });

  it('a resumed curve with unknown (NaN) epochs logs the known ones and tags the rest', async () => {
    const { run } = await getOrCreateCellRun(client, spec(uniqueName('nan')));
    await logTrainingCurve(client, run.info.runId, [NaN, NaN, 0.5, 0.4]);
    const h = await client.getMetricHistory(run.info.runId, 'train.loss');
    expect(h.map((m) => m.step).sort()).toEqual([3, 4]);
    expect((await client.getRun(run.info.runId)).data.tags['rexsweep.nonfinite.train.loss']).toBe('NaN@1,NaN@2');
  });
});
