/**
 * Reading the histories of many runs from an MLflow served by gunicorn (MLflow 2's default
 * server; MLflow 3's with --gunicorn-opts, REXSWEEP_MLFLOW_SERVER=gunicorn here). gunicorn
 * refuses a request line over 4,094 bytes, and the bulk history read is a GET carrying every run
 * id: 100 ids made it 4,108 bytes, the server answered 400 and the sweep's aggregation failed.
 * readHistories keeps the query to BULK_QUERY_BYTES; this test reads 130 runs through a real
 * gunicorn-served MLflow started for it, and checks the chunking itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, startMlflow, stopMlflow, type LocalServicesConfig } from '../../infra/local/index.ts';
import { BULK_QUERY_BYTES, bulkChunks, readHistories } from '../../report/histories.ts';
import { MlflowClient } from '../../tracking/index.ts';
import { freePort } from '../setup/servers.ts';

const RUNS = 130;
let config: LocalServicesConfig;
let uri: string;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'rexsweep-gunicorn-'));
  config = resolveConfig({
    ...process.env,
    REXSWEEP_STATE_DIR: stateDir,
    REXSWEEP_MLFLOW_PORT: String(await freePort()),
    REXSWEEP_MLFLOW_SERVER: 'gunicorn',
    MLFLOW_TRACKING_URI: '',
  });
  uri = (await startMlflow({ config })).uri;
}, 240_000);

afterAll(async () => {
  if (config) await stopMlflow({ config });
  await rm(stateDir, { recursive: true, force: true });
}, 60_000);

describe('histories of many runs from a gunicorn-served MLflow', { timeout: 240_000 }, () => {
  it('reads every point of 130 runs in bulk requests the server accepts', async () => {
    const client = new MlflowClient({ trackingUri: uri });
    const experimentId = await client.createExperiment('gunicorn-histories');
    const wanted = new Map<string, string[]>();
    for (let i = 0; i < RUNS; i++) {
      const runId = (await client.createRun({ experimentId, runName: `cell-${i}` })).info.runId;
      await client.logBatch(runId, { metrics: [0, 25, 50].map((step) => ({ key: 'eval.fgsm.ndcg5', value: i + step / 100, step })) });
      wanted.set(runId, ['eval.fgsm.ndcg5']);
    }
    let requests = 0;
    const histories = await readHistories(client, wanted, { onProgress: (_, total) => (requests = total) });
    // In bulk (not the per-run fallback: 130 requests), in chunks the request line allows.
    expect(requests).toBeGreaterThan(1);
    expect(requests).toBeLessThan(10);
    let i = 0;
    for (const [runId] of wanted) {
      const points = histories.get(runId)?.get('eval.fgsm.ndcg5') ?? [];
      expect(points.map((p) => [p.step, p.value]).sort((a, b) => a[0] - b[0]), runId).toEqual([0, 25, 50].map((s) => [s, expect.closeTo(i + s / 100, 5)]));
      i++;
    }
  });
});

describe('bulkChunks (pure)', () => {
  const ids = Array.from({ length: 250 }, (_, k) => k.toString(16).padStart(32, 'a'));
  it('keeps every query within the byte budget and the run cap, in order, losing no id', () => {
    const chunks = bulkChunks(ids, 'eval.fgsm.ndcg5', 100);
    expect(chunks.flat()).toEqual(ids);
    for (const c of chunks) {
      const query = [...c.map((id) => `run_id=${id}`), 'metric_key=eval.fgsm.ndcg5', 'max_results=25000'].join('&');
      expect(query.length).toBeLessThanOrEqual(BULK_QUERY_BYTES);
      expect(c.length).toBeLessThanOrEqual(100);
    }
    // 32-character ids: ~40 bytes each, so fewer than 100 a request.
    expect(chunks[0].length).toBeLessThan(100);
    expect(bulkChunks(ids.slice(0, 5), 'k', 2).map((c) => c.length)).toEqual([2, 2, 1]);
  });
});
