/**
 * Many cells closing at once: log-batches with params, metrics and tags in parallel, more than
 * MLflow has handler threads (infra/local/mlflow-pool.ts). MLflow 3.17's log_batch nests two
 * database sessions; with its default pool the server deadlocked here until the pool's 30 s
 * timeout, answered 500, and did it again. Each request gets one attempt with a 25 s limit, so a
 * deadlock fails the test instead of being ridden out by retries.
 */
import { describe, expect, it } from 'vitest';
import { MLFLOW_HANDLER_THREADS } from '../../infra/local/mlflow-pool.ts';
import { requireServerForEachTest, testClient, uniqueName } from './mlflow-env.ts';

const PARALLEL = MLFLOW_HANDLER_THREADS + 20;
let experimentId: string;
const runIds: string[] = [];

requireServerForEachTest(async () => {
  const setup = testClient();
  experimentId = await setup.createExperiment(uniqueName('concurrent-writes'));
  for (let i = 0; i < PARALLEL; i++) runIds.push((await setup.createRun({ experimentId, runName: `cell-${i}` })).info.runId);
});

describe('concurrent log-batches against the real MLflow server', () => {
  it(`completes ${PARALLEL} at once, each on its first attempt`, async () => {
    const once = testClient({ maxAttempts: 1, requestTimeoutMs: 25_000, deadlineMs: 25_000 });
    const metrics = Array.from({ length: 60 }, (_, k) => ({ key: `eval.fgsm.m${k % 20}`, value: k, step: Math.floor(k / 20) * 50 }));
    const outcomes = await Promise.allSettled(
      runIds.map((runId, i) => once.logBatch(runId, { params: { [`p${i}`]: String(i) }, metrics, tags: { 'rexsweep.evaluations': `none@0,fgsm@${i}` } })),
    );
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`run ${i}: ${String(o.reason).split('\n')[0]}`] : []));
    expect(failed).toEqual([]);
    // Every write landed: each run has its param, tag and all three steps of a metric.
    const check = testClient();
    for (const i of [0, PARALLEL - 1]) {
      const run = await check.getRun(runIds[i]);
      expect(run.data.params[`p${i}`]).toBe(String(i));
      expect(run.data.tags['rexsweep.evaluations']).toBe(`none@0,fgsm@${i}`);
      expect((await check.getMetricHistory(runIds[i], 'eval.fgsm.m0')).map((m) => m.step).sort((a, b) => a - b)).toEqual([0, 50, 100]);
    }
  });
});
