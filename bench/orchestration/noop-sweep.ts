/**
 * Orchestration overhead: a sweep of no-op cells (every Temporal and MLflow step, no data, no
 * training) on fresh local servers in a temporary state folder. Reports wall time, cells per
 * second, MLflow requests per cell (counted by a loopback proxy in front of the real server) and
 * the largest workflow history.
 *
 *   npx tsx bench/orchestration/noop-sweep.ts --cells 200 --concurrency 50
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { ensureLocalServices, resolveConfig, stopLocalServices } from '../../infra/local/index.ts';
import { quietTemporalRuntime } from '../../cli/sweep/connect.ts';
import { startSweep } from '../../cli/sweep/start-sweep.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { buildWorkflowBundle, startWorkers } from '../../worker/worker.ts';
import { FaultProxy } from '../../test/tracking/fault-proxy.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '50' },
    'temporal-port': { type: 'string', default: '27233' },
    'mlflow-port': { type: 'string', default: '25000' },
  },
});
const cells = Number(values.cells);
const concurrency = Number(values.concurrency);

const root = await mkdtemp(join(tmpdir(), 'rexsweep-bench-noop-'));
const config = resolveConfig({
  ...process.env,
  TEMPORAL_ADDRESS: '',
  MLFLOW_TRACKING_URI: '',
  REXSWEEP_STATE_DIR: join(root, 'state'),
  REXSWEEP_TEMPORAL_PORT: values['temporal-port'],
  REXSWEEP_TEMPORAL_UI_PORT: String(Number(values['temporal-port']) + 1000),
  REXSWEEP_MLFLOW_PORT: values['mlflow-port'],
});
const log = (m: string) => process.stderr.write(m + '\n');
const services = await ensureLocalServices({ config, log });
const proxy = await new FaultProxy(services.mlflowUri).listen();
quietTemporalRuntime();
const connection = await Connection.connect({ address: services.temporalAddress });
const client = new Client({ connection });
try {
  const seeds = Array.from({ length: cells }, (_, k) => k).join(', ');
  const sweep = parseSweepYaml(`
study: bench-noop-${cells}
name: noop${cells}
datasets: [{ source: synthetic, name: noop }]
models: [cer]
lambdas: [0]
epsilonsD: [0.5]
epsilonsA: [0.5, 1.0]
seeds: [${seeds}]
epochs: 1
concurrency: ${concurrency}
cell: { noop: true }
`);
  const workers = await startWorkers({
    temporalAddress: services.temporalAddress,
    mlflowUri: proxy.url,
    queues: sweep.queues,
    roles: ['workflow', 'gpu'],
    slots: 100,
    backend: 'cpu',
    gitCommit: 'bench',
    workflowBundle: await buildWorkflowBundle(),
  });
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 200);
  const t0 = performance.now();
  const started = await startSweep(client, sweep);
  const progress = await started.handle.result();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const sweepEvents = (await started.handle.fetchHistory()).events?.length ?? 0;
  const firstCell = await client.workflow.getHandle(`${started.workflowId}/cell-${progress.summaries[0].cellKey}`).fetchHistory();
  await workers.shutdown();
  const result = {
    cells,
    concurrency,
    finished: progress.counts.finished,
    failed: progress.counts.failed,
    seconds: Number(seconds.toFixed(2)),
    cellsPerSecond: Number((cells / seconds).toFixed(2)),
    overheadMsPerCell: Number(((seconds * 1000) / cells).toFixed(1)),
    mlflowRequests: proxy.requests.length,
    mlflowRequestsPerCell: Number((proxy.requests.length / cells).toFixed(2)),
    mlflowMeanMs: Number((proxy.requests.reduce((a, r) => a + (r.ms ?? 0), 0) / proxy.requests.length).toFixed(1)),
    mlflowBusySeconds: Number((proxy.requests.reduce((a, r) => a + (r.ms ?? 0), 0) / 1000).toFixed(1)),
    mlflowByEndpoint: countBy(proxy.requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '').replace(/artifacts\/.*$/, 'artifacts/…')}`)),
    sweepHistoryEvents: sweepEvents,
    cellHistoryEvents: firstCell.events?.length ?? 0,
    workerRssPeakMiB: Math.round(rssPeak / 2 ** 20),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await proxy.close();
  await connection.close();
  await stopLocalServices({ config });
  await rm(root, { recursive: true, force: true });
}

function countBy(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
