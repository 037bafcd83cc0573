/**
 * getMetricHistoryBulk against the real MLflow server: one key for many runs in one request, the
 * same points as the public per-run endpoint, and a cap that cuts the answer (which readHistories
 * detects and reads again run by run: test/report/report-mlflow.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Metric } from '../../tracking/index.ts';
import { requireServerForEachTest, testClient, uniqueName } from './mlflow-env.ts';

const runIds: string[] = [];

requireServerForEachTest(async () => {
  const setup = testClient();
  const experimentId = await setup.createExperiment(uniqueName('history-bulk'));
  for (let i = 0; i < 3; i++) {
    const runId = (await setup.createRun({ experimentId, runName: `cell-${i}` })).info.runId;
    runIds.push(runId);
    const steps = [0, 25, 50, 100].slice(0, i + 2);
    await setup.logBatch(runId, { metrics: [...steps.map((step) => ({ key: 'eval.fgsm.ndcg5', value: i + step / 1000, step })), { key: 'other', value: 1, step: 0 }] });
  }
});

const points = (ms: Metric[]) => ms.map((m) => [m.step, m.value]).sort((a, b) => a[0] - b[0]);

describe('metric histories of many runs in one request', () => {
  it('answers every point of the key for every run asked, as the per-run endpoint does', async () => {
    const client = testClient();
    const bulk = await client.getMetricHistoryBulk(runIds, 'eval.fgsm.ndcg5', 25_000);
    expect(bulk).toHaveLength(2 + 3 + 4);
    expect(new Set(bulk.map((m) => m.key))).toEqual(new Set(['eval.fgsm.ndcg5']));
    for (const runId of runIds) {
      expect(points(bulk.filter((m) => m.runId === runId)), runId).toEqual(points(await client.getMetricHistory(runId, 'eval.fgsm.ndcg5')));
    }
  });

  it('stops at maxResults points in all', async () => {
    expect(await testClient().getMetricHistoryBulk(runIds, 'eval.fgsm.ndcg5', 4)).toHaveLength(4);
  });
});
