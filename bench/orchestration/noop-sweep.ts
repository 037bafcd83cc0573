/**
 * Orchestration overhead: a sweep of no-op cells (every Temporal and MLflow step, no data, no
 * training) on fresh local servers in a temporary state folder. Reports wall time, cells per
 * second, MLflow requests per cell (counted by a loopback proxy in front of the real server) and
 * the largest workflow history.
 *
 *   npx tsx bench/orchestration/noop-sweep.ts --cells 200 --concurrency 50 [--cells-per-run 400] [--evaluations 5] [--stack dev|team]
 *
 * --stack dev (default): the Temporal dev server and MLflow on SQLite; --stack team: the team
 * stack on loopback (Temporal server on PostgreSQL with mTLS, MLflow on PostgreSQL + S3 with
 * basic auth; bench/orchestration/stacks.ts). CPU is charged per server process group.
 *
 * Progress goes to stderr every 30 s (a JSON line), so a run stopped early still says how far
 * it got and at what rate. The sweep continues as new every `cellsPerRun` cells: the largest
 * history reported is the largest over all of its runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { groupCpuSeconds } from './group-cpu.ts';
import { quietTemporalRuntime } from '../../client/connect.ts';
import { startSweep } from '../../client/start-sweep.ts';
import { authFromEnv, MlflowClient } from '../../tracking/index.ts';
import { connectionOptions, temporalConnectionFromEnv } from '../../worker/temporal-connection.ts';
import { openDevStack, openTeamStack } from './stacks.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { buildWorkflowBundle, startWorkers } from '../../worker/worker.ts';
import { cancelUpdate, progressQuery } from '../../workflows/sweep-control.ts';
import { finalProgress } from '../../client/final-progress.ts';
import { FaultProxy } from '../../infra/local/fault-proxy.ts';
import { probeStall } from './stall-probe.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '50' },
    'cells-per-run': { type: 'string', default: '400' },
    /** 5 = clean + FGSM and random at two ε_A (the demo's shape); 2 = clean + FGSM at one ε_A. */
    evaluations: { type: 'string', default: '5' },
    /** Stop after this long: cancel the sweep and report how far it got (0 = no limit). */
    'max-seconds': { type: 'string', default: '0' },
    'temporal-port': { type: 'string', default: '27233' },
    'mlflow-port': { type: 'string', default: '25000' },
    stack: { type: 'string', default: 'dev' },
  },
});
const cells = Number(values.cells);
const concurrency = Number(values.concurrency);
const cellsPerRun = Number(values['cells-per-run']);
const evaluations = values.evaluations === '2' ? { epsilonsA: '[0.5]', attacks: '[fgsm]' } : { epsilonsA: '[0.5, 1.0]', attacks: '[fgsm, random]' };

if (values.stack !== 'dev' && values.stack !== 'team') throw new Error(`--stack must be dev or team, got ${values.stack}`);
const root = await mkdtemp(join(tmpdir(), 'rexsweep-bench-noop-'));
const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
const stack =
  values.stack === 'team'
    ? await openTeamStack(root, Number(values['temporal-port']), log)
    : await openDevStack(root, Number(values['temporal-port']), Number(values['mlflow-port']), log);
// A benchmark script: the stack's TLS files and MLflow account reach the workers the way they
// reach `rexsweep worker`, through the environment.
Object.assign(process.env, stack.clientEnv);
const proxy = await new FaultProxy(stack.mlflowUri).listen();
quietTemporalRuntime();
const temporal = temporalConnectionFromEnv({ address: stack.temporalAddress });
const connection = await Connection.connect(connectionOptions(temporal));
const client = new Client({ connection, namespace: temporal.namespace });
try {
  const seeds = Array.from({ length: cells }, (_, k) => k).join(', ');
  const sweep = parseSweepYaml(`
study: bench-noop-${cells}
name: noop${cells}
datasets: [{ source: synthetic, name: noop }]
models: [cer]
lambdas: [0]
epsilonsD: [0.5]
epsilonsA: ${evaluations.epsilonsA}
attacks: ${evaluations.attacks}
seeds: [${seeds}]
epochs: 1
concurrency: ${concurrency}
cellsPerRun: ${cellsPerRun}
cell: { noop: true }
`);
  const workers = await startWorkers({
    temporalAddress: stack.temporalAddress,
    mlflowUri: proxy.url,
    queues: sweep.queues,
    roles: ['workflow', 'gpu'],
    slots: 100,
    backend: 'cpu',
    gitCommit: 'bench',
    workflowBundle: await buildWorkflowBundle(),
  });
  const cpuAt = () => ({
    bench: process.cpuUsage(),
    servers: Object.fromEntries(Object.entries(stack.pgids).map(([name, pgid]) => [name, groupCpuSeconds(pgid)])),
  });
  const cpu0 = cpuAt();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 200);
  const t0 = performance.now();
  // No-op cells read no data: nothing is published, so MLflow sees no extra request.
  const started = await startSweep(client, sweep, { mlflow: new MlflowClient({ trackingUri: proxy.url, auth: authFromEnv() }) });
  // A stall (no cell settled over two reports) is described once per stall, then again if it lasts.
  let lastDone = -1;
  let quietReports = 0;
  const reporter = setInterval(() => {
    started.handle
      .query(progressQuery)
      .then((p) => {
        const done = p.counts.finished + p.counts.cached + p.counts.failed;
        quietReports = done === lastDone && p.counts.running > 0 ? quietReports + 1 : 0;
        lastDone = done;
        if (quietReports === 2 || quietReports === 8) void probeStall({ client, namespace: temporal.namespace, queues: sweep.queues, workers, log }).catch((e) => log(`stall probe failed: ${e}`));
        const s = (performance.now() - t0) / 1000;
        log(JSON.stringify({ t: Math.round(s), done, failed: p.counts.failed, running: p.counts.running, generation: p.generation, cellsPerSecond: Number((done / s).toFixed(2)), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), load: loadavg()[0].toFixed(1), mlflowRequests: proxy.requests.length }));
      })
      .catch(() => {});
  }, 30_000);
  const maxSeconds = Number(values['max-seconds']);
  const deadline =
    maxSeconds > 0
      ? setTimeout(() => {
          void started.handle.query(progressQuery).then(async (p) => {
            // Every cell settled: the sweep is only aggregating; a cancel would change nothing but its ending.
            if (p.counts.pending + p.counts.running === 0) {
              log(`--max-seconds ${maxSeconds} reached after the last cell: not cancelling`);
              return;
            }
            log(`--max-seconds ${maxSeconds} reached: cancelling the sweep (cells in flight finish)`);
            await started.handle.executeUpdate(cancelUpdate, { args: [{ inFlight: 'finish', reason: 'bench time limit' }] });
          });
        }, maxSeconds * 1000)
      : undefined;
  const progress = await finalProgress(started.handle);
  clearTimeout(deadline);
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuAt();
  const settled = progress.counts.finished + progress.counts.cached + progress.counts.failed;
  clearInterval(sampler);
  clearInterval(reporter);
  // The sweep continued as new every cellsPerRun cells: the largest history over all its runs.
  let sweepEvents = 0;
  let sweepRuns = 0;
  for await (const wf of client.workflow.list({ query: `WorkflowId = "${started.workflowId}"` })) {
    sweepRuns++;
    sweepEvents = Math.max(sweepEvents, (await client.workflow.getHandle(started.workflowId, wf.runId).fetchHistory()).events?.length ?? 0);
  }
  const firstCell = await client.workflow.getHandle(`${started.workflowId}/cell-${progress.summaries[0].cellKey}`).fetchHistory();
  const requests = proxy.requests.length;
  await workers.shutdown();
  const result = {
    cells,
    concurrency,
    phase: progress.phase,
    finished: progress.counts.finished,
    failed: progress.counts.failed,
    seconds: Number(seconds.toFixed(2)),
    cellsPerSecond: Number((settled / seconds).toFixed(2)),
    overheadMsPerCell: Number(((seconds * 1000) / settled).toFixed(1)),
    mlflowRequests: requests,
    mlflowRequestsPerCell: Number((requests / settled).toFixed(2)),
    mlflowMeanMs: Number((proxy.requests.reduce((a, r) => a + (r.ms ?? 0), 0) / proxy.requests.length).toFixed(1)),
    mlflowBusySeconds: Number((proxy.requests.reduce((a, r) => a + (r.ms ?? 0), 0) / 1000).toFixed(1)),
    mlflowByEndpoint: countBy(proxy.requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '').replace(/artifacts\/.*$/, 'artifacts/…')}`)),
    cellsPerRun,
    evaluationsPerCell: values.evaluations === '2' ? 2 : 5,
    sweepRuns,
    largestSweepHistoryEvents: sweepEvents,
    cellHistoryEvents: firstCell.events?.length ?? 0,
    workerRssPeakMiB: Math.round(rssPeak / 2 ** 20),
    // CPU a cell, by process: this one (client, workflow and compute workers), the Temporal dev
    // server, the MLflow server (all its workers).
    cpuMsPerCell: {
      workers: Number(((cpu1.bench.user + cpu1.bench.system - cpu0.bench.user - cpu0.bench.system) / 1000 / settled).toFixed(1)),
      ...Object.fromEntries(Object.keys(stack.pgids).map((name) => [name, Number((((cpu1.servers[name] - cpu0.servers[name]) * 1000) / settled).toFixed(1))])),
    },
    stack: stack.name,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await proxy.close();
  await connection.close();
  await stack.close();
  await rm(root, { recursive: true, force: true });
}

function countBy(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
