/**
 * Outage drills on the real servers, in the middle of a sweep: the Temporal dev server stopped
 * and started again, and the MLflow server down for a minute. Each sweep must complete with
 * every cell recorded exactly once, FINISHED, with its metrics. Loopback only; each drill
 * restarts what it stopped, whatever happens (afterEach), so later test files find both up.
 */
import { afterEach, beforeAll, afterAll, describe, expect, inject, it } from 'vitest';
import { startSweep } from '../../client/start-sweep.ts';
import { startMlflow, startTemporal, stopMlflow, stopTemporal } from '../../infra/local/index.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { evalMetricKey } from '../../tracking/index.ts';
import type { SweepProgress } from '../../workflows/sweep-control.ts';
import { testServersConfig } from '../infra/helpers.ts';
import { cellRuns, computeWorker, noopSweep, openHarness, sweepResultWithin, sweepRuns, waitForProgress, workflowWorker, type Harness } from '../orchestration/harness.ts';

const servers = inject('rexsweepServers')!;
const config = testServersConfig(servers);
let h: Harness;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  h = await openHarness();
});
afterEach(async () => {
  // Whatever happened, both servers are up for the next test.
  await startTemporal({ config });
  await startMlflow({ config });
});
afterAll(async () => {
  for (const s of stops.reverse()) await s().catch(() => undefined);
  await h?.close();
});

async function runningSweep(name: string, extra = '') {
  // One model, (vanilla + λ0.5) × 12 seeds = 24 no-op cells, 2 at a time.
  const sweep = noopSweep(name, { seeds: `[${Array.from({ length: 12 }, (_, i) => i).join(', ')}]` }, extra);
  const wf = await workflowWorker(h, sweep);
  const compute = await computeWorker(h, sweep);
  stops.push(() => wf.shutdown(), () => compute.stop());
  const started = await startSweep(h.client, sweep, { mlflow: h.mlflow });
  await waitForProgress(started.handle, (p) => p.counts.finished >= 4);
  return { sweep, started };
}

async function expectEveryCellOnce(sweep: ReturnType<typeof noopSweep>, final: SweepProgress) {
  const cells = expandSweep(sweep);
  expect(final.counts).toMatchObject({ finished: cells.length, failed: 0, pending: 0, running: 0 });
  const runs = await cellRuns(h, sweep.study);
  expect([...runs.keys()].sort()).toEqual(cells.map((c) => c.key).sort());
  for (const [key, rs] of runs) {
    expect(rs.map((r) => r.info.status), key).toEqual(['FINISHED']);
    const metrics = new Set(rs[0].data.metrics.map((m) => m.key));
    expect(metrics.has(evalMetricKey('clean', 'ndcg5')), key).toBe(true);
    expect(metrics.has(evalMetricKey('fgsm', 'fns')), key).toBe(true);
  }
  expect((await sweepRuns(h, sweep.study)).map((r) => r.info.status)).toEqual(['FINISHED']);
}

describe('server outages in the middle of a sweep', () => {
  it('Temporal dev server stopped and started again: the sweep completes', async () => {
    // An activity whose completion the stopped server never received is retried only when its
    // timeout fires; the defaults (2 min for a record attempt, a 3–5 min heartbeat timeout for
    // compute) would outlast this test, so the drill's sweep uses short ones.
    const { sweep, started } = await runningSweep(
      'drill-temporal',
      'retry: { record: { startToCloseTimeout: 20s }, prepare: { heartbeatTimeout: 15s }, compute: { heartbeatTimeout: 15s } }',
    );
    const before = (await started.handle.query('progress')) as SweepProgress;
    expect((await stopTemporal({ config })).result).toBe('terminated');
    await new Promise((r) => setTimeout(r, 5000));
    await startTemporal({ config });
    const final = await sweepResultWithin(h, started.handle, sweep, 240_000);
    expect(before.counts.pending).toBeGreaterThan(0); // the outage really was mid-sweep
    await expectEveryCellOnce(sweep, final);
  }, 420_000);

  it('MLflow down for a minute: the sweep waits, then completes with nothing missing', async () => {
    const { sweep, started } = await runningSweep('drill-mlflow');
    expect((await stopMlflow({ config })).result).toBe('terminated');
    const during = (await started.handle.query('progress')) as SweepProgress;
    await new Promise((r) => setTimeout(r, 60_000));
    await startMlflow({ config });
    const final = await sweepResultWithin(h, started.handle, sweep, 200_000);
    expect(during.counts.pending).toBeGreaterThan(0);
    await expectEveryCellOnce(sweep, final);
  }, 420_000);
});
