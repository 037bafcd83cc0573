/**
 * Secrets never reach MLflow params or tags, nor a worker's log: with MLFLOW_TRACKING_TOKEN and
 * TEMPORAL_API_KEY set (the test servers ignore both), a worker starts and the sweep's and a
 * cell's runs are created the way the record activities create them.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BeginCellResult, CellRef, SweepTracking } from '../../activities/contracts.ts';
import { createRecordActivities } from '../../activities/record.ts';
import { CellConfigSchema } from '../../recsys/config.ts';
import { authFromEnv, flattenParams, MlflowClient, REDACTED, type Run } from '../../tracking/index.ts';
import { startWorkers } from '../../worker/worker.ts';

const MLFLOW_SECRET = `mlflow-tok-${process.pid}-Zq81`;
const TEMPORAL_SECRET = `temporal-key-${process.pid}-Xw55`;
const SECRETS = [MLFLOW_SECRET, TEMPORAL_SECRET];
const saved: Record<string, string | undefined> = {};
const OVERRIDES: Record<string, string> = {
  MLFLOW_TRACKING_TOKEN: MLFLOW_SECRET,
  TEMPORAL_API_KEY: TEMPORAL_SECRET,
  // The dev server has no TLS; the key alone would turn TLS on.
  TEMPORAL_TLS: 'false',
};

beforeAll(() => {
  if (!process.env.MLFLOW_TRACKING_URI || !process.env.TEMPORAL_ADDRESS) throw new Error('needs the real servers of test/setup/servers.ts');
  for (const [k, v] of Object.entries(OVERRIDES)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(() => {
  for (const k of Object.keys(OVERRIDES)) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));

describe('secrets', () => {
  it("are not in a worker's log output when it starts and stops", async () => {
    const captured: string[] = [];
    const write = { out: process.stdout.write, err: process.stderr.write };
    const tap = (orig: typeof process.stdout.write) =>
      function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
        captured.push(String(chunk));
        return (orig as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as typeof process.stdout.write;
    process.stdout.write = tap(write.out);
    process.stderr.write = tap(write.err);
    try {
      const workers = await startWorkers({
        temporalAddress: process.env.TEMPORAL_ADDRESS!,
        mlflowUri: process.env.MLFLOW_TRACKING_URI!,
        queues: { workflow: `sec-wf-${process.pid}`, gpu: `sec-gpu-${process.pid}` },
        roles: ['gpu'],
        slots: 1,
        backend: 'wasm',
        gitCommit: 'test',
        log: (m) => captured.push(m),
      });
      await workers.shutdown();
    } finally {
      process.stdout.write = write.out;
      process.stderr.write = write.err;
    }
    expect(captured.join('\n')).toContain('API key'); // the connection says it uses one…
    expect(leaks(captured.join('\n'))).toEqual([]); // …and never what it is
  });

  it('are in no param or tag of the runs the record activities create', async () => {
    const mlflow = new MlflowClient({ trackingUri: process.env.MLFLOW_TRACKING_URI!, auth: authFromEnv() });
    const record = createRecordActivities({ mlflow, gitCommit: 'test', backend: 'wasm' });
    const env = new MockActivityEnvironment();
    const cell = CellConfigSchema.parse({ dataset: { source: 'synthetic', name: 'sec' }, model: 'cer', noop: true });
    const sweep = { sweepId: `sec-${Date.now()}`, study: `security-${Date.now()}`, workflowId: 'sweep-sec' };
    // A config that (wrongly) carried credentials: flattenParams does not send their values.
    const params = flattenParams({ study: sweep.study, mlflow: { token: MLFLOW_SECRET }, temporal: { apiKey: TEMPORAL_SECRET } });
    expect(params['mlflow.token']).toBe(REDACTED);
    const tracking = (await env.run(record.beginSweep, sweep, params)) as SweepTracking;
    const ref: CellRef = { sweep, tracking, cellKey: `sec-${Date.now()}`, cell, workflowId: 'sweep-sec/cell' };
    const begun = (await env.run(record.beginCell, ref)) as BeginCellResult;

    for (const runId of [tracking.parentRunId, begun.runId]) {
      const run: Run = await mlflow.getRun(runId);
      const values = [...Object.entries(run.data.params), ...Object.entries(run.data.tags)].flat().join('\n');
      expect(values.length).toBeGreaterThan(0);
      expect(leaks(values)).toEqual([]);
    }
  });
});
