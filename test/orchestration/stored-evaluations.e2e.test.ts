/**
 * New evaluations on stored models (issue 13), end to end on the real servers: a finished sweep
 * given a new ε_A and a new attack, then a second sweep of the same study with one more ε_A. No
 * cell trains again (counted in the cell workflows' histories); the new evaluations land on the
 * same FINISHED run, and equal those of a cell trained from scratch with every evaluation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSweep } from '../../client/start-sweep.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { TAG, evalMetricKey } from '../../tracking/index.ts';
import type { RunningWorkers } from '../../worker/worker.ts';
import { cellRuns, inlineWorkers, openHarness, sweepResultWithin, type Harness } from './harness.ts';

let h: Harness;
let workers: RunningWorkers;
let dir: string;
const tag = randomUUID().slice(0, 8);

/** A two-cell EFM sweep on tiny synthetic data; `study`, `name` and the evaluation axes vary. */
const sweepWith = (o: { study: string; name: string; epsilonsA: string; attacks: string }): SweepConfig =>
  parseSweepYaml(
    `
study: ${o.study}
name: ${o.name}
datasets:
  - { source: synthetic, name: tiny, synthetic: { users: 30, items: 200, features: 8, reviewsPerUser: 16 } }
models: [efm]
lambdas: [0.5]
epsilonsD: [0.5]
epsilonsA: ${o.epsilonsA}
attacks: ${o.attacks}
seeds: [0, 1]
epochs: 15
concurrency: 2
queues: { workflow: stored-cpu-${tag}, gpu: stored-gpu-${tag} }
cell:
  datasetCache: ${join(dir, 'datasets')}
  efm: { explicitFactors: 4, latentFactors: 4 }
  explainer: { steps: 10, testUsers: 3 }
  attackSettings: { pgd: { steps: 3 } }
`,
    `${o.name}.yaml`,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-stored-'));
  h = await openHarness();
  workers = await inlineWorkers(h, sweepWith({ study: 'x', name: 'x', epsilonsA: '[0.5]', attacks: '[fgsm]' }));
});

afterAll(async () => {
  await workers?.shutdown();
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Activities scheduled, by type, in every cell workflow of the sweep (evaluation workflows included). */
async function activitiesOfCells(workflowId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const wf of h.client.workflow.list({ query: `WorkflowId STARTS_WITH "${workflowId}/cell-"` })) {
    const history = await h.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (type) counts[type] = (counts[type] ?? 0) + 1;
    }
  }
  return counts;
}

const steps = async (runId: string, key: string) => (await h.mlflow.getMetricHistory(runId, key)).map((m) => m.step).sort((a, b) => a - b);

describe('evaluations added to finished cells', () => {
  it('evaluates the stored models, never trains again, and matches cells trained with every evaluation', async () => {
    const study = `stored-${tag}`;
    const first = sweepWith({ study, name: `stored-${tag}`, epsilonsA: '[0.5]', attacks: '[fgsm]' });
    const a = await startSweep(h.client, first, { mlflow: h.mlflow });
    expect((await sweepResultWithin(h, a.handle, first, 240_000)).counts).toMatchObject({ finished: 2, failed: 0 });
    // Each new cell is one compute activity that trains and evaluates (workflows/cell.ts).
    const firstCounts = await activitiesOfCells(a.workflowId);
    expect(firstCounts).toMatchObject({ runCell: 2 });
    expect(firstCounts.trainCell ?? 0).toBe(0);
    expect(firstCounts.evaluateCell ?? 0).toBe(0);

    // The same sweep with a new ε_A and PGD: it starts again (its grid is the same, its evaluations are not).
    const more = sweepWith({ study, name: `stored-${tag}`, epsilonsA: '[0.5, 1.0]', attacks: '[fgsm, pgd]' });
    const b = await startSweep(h.client, more, { mlflow: h.mlflow });
    expect(b.action).toBe('started');
    expect(b.workflowId).toBe(a.workflowId);
    expect((await sweepResultWithin(h, b.handle, more, 240_000)).counts).toMatchObject({ finished: 2, failed: 0 });
    // Per cell: fgsm@1.0, pgd@0.5, pgd@1.0 on the stored model (the clean explanations are tagged), no training.
    const secondCounts = await activitiesOfCells(a.workflowId);
    expect(secondCounts).toMatchObject({ runCell: 2, evaluateCell: 2 * 3 });
    expect(secondCounts.trainCell ?? 0).toBe(0);

    // Run again as it is: nothing left to do.
    expect((await startSweep(h.client, more, { mlflow: h.mlflow })).action).toBe('complete');

    // Another sweep of the study, one ε_A more: its cells find the runs and evaluate only ε_A 2.
    const other = sweepWith({ study, name: `stored-other-${tag}`, epsilonsA: '[0.5, 1.0, 2.0]', attacks: '[fgsm, pgd]' });
    const c = await startSweep(h.client, other, { mlflow: h.mlflow, allowNewSettings: true });
    expect((await sweepResultWithin(h, c.handle, other, 240_000)).counts).toMatchObject({ finished: 2, failed: 0 });
    expect(await activitiesOfCells(c.workflowId)).toEqual(expect.not.objectContaining({ trainCell: expect.anything(), runCell: expect.anything() }));
    expect((await activitiesOfCells(c.workflowId)).evaluateCell).toBe(2 * 2);

    const runs = await cellRuns(h, study);
    expect(runs.size).toBe(2);
    for (const [, list] of runs) {
      expect(list).toHaveLength(1);
      const run = list[0];
      expect(run.info.status).toBe('FINISHED');
      expect(run.data.tags[TAG.evaluations]).toBe('fgsm@100,fgsm@200,fgsm@50,none@0,pgd@100,pgd@200,pgd@50');
      for (const attack of ['fgsm', 'pgd'] as const) expect(await steps(run.info.runId, evalMetricKey(attack, 'ndcg5'))).toEqual([0, 50, 100, 200]);
    }

    // The same cells trained from scratch with every evaluation, in a study of their own.
    const fresh = sweepWith({ study: `stored-fresh-${tag}`, name: `stored-fresh-${tag}`, epsilonsA: '[0.5, 1.0, 2.0]', attacks: '[fgsm, pgd]' });
    const d = await startSweep(h.client, fresh, { mlflow: h.mlflow });
    expect((await sweepResultWithin(h, d.handle, fresh, 240_000)).counts).toMatchObject({ finished: 2, failed: 0 });
    const freshRuns = await cellRuns(h, fresh.study);
    for (const [key, [run]] of runs) {
      const twin = freshRuns.get(key)![0];
      for (const metric of ['ndcg5', 'fns', 'stability'] as const) {
        for (const attack of ['fgsm', 'pgd'] as const) {
          const of = async (r: typeof run) => (await h.mlflow.getMetricHistory(r.info.runId, evalMetricKey(attack, metric))).sort((x, y) => x.step - y.step).map((m) => [m.step, m.value]);
          expect(await of(run), `${key} ${attack} ${metric}`).toEqual(await of(twin));
        }
      }
    }
  });
});
