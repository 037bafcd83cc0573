/**
 * Orchestration overhead: a sweep of no-op cells (every Temporal and MLflow step, no data, no
 * training) on fresh local servers in a temporary state folder. Reports wall time, cells per
 * second, MLflow requests per cell (counted by a loopback proxy in front of the real server) and
 * the largest workflow history.
 *
 *   npx tsx bench/orchestration/noop-sweep.ts --cells 200 --concurrency 50 [--cells-per-run 400] [--evaluations 5] [--stack dev|team]
 *
 * "Overhead per cell" is two numbers (bench/README.md):
 *   - throughput at a concurrency: wall seconds and CPU seconds (every process: servers, workers,
 *     proxy) of the whole sweep divided by its cells, the end-of-sweep aggregation included;
 *   - latency: how long one cell's workflow takes from start to close (median and p90 over the
 *     cells; run --cells 1 --concurrency 1 for one cell alone).
 * A cell's shape is `--evaluations N`: clean plus N − 1 attacked evaluations (FGSM and random at
 * (N − 1)/2 ε_A each when N − 1 is even, FGSM at N − 1 ε_A otherwise).
 * The request counter runs in a process of its own (counting-proxy.ts): its CPU is reported
 * apart (`proxy`), not in `workers`; the progress reporter (one query every 30 s) stays in this
 * process and is negligible.
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
import { startCountingProxy } from './counting-proxy.ts';
import { probeStall } from './stall-probe.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '50' },
    'cells-per-run': { type: 'string', default: '400' },
    /** Evaluations a cell: clean + N − 1 attacked (5 = the demo's shape: FGSM and random at two ε_A). */
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
const evaluationsPerCell = Number(values.evaluations);
// A sweep's ε_A list is never empty (sweep/schema.ts): at least clean + one attacked.
if (!Number.isInteger(evaluationsPerCell) || evaluationsPerCell < 2) throw new Error(`--evaluations must be a whole number ≥ 2, got ${values.evaluations}`);
const evaluations = cellShape(evaluationsPerCell);

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
const proxy = await startCountingProxy(stack.mlflowUri);
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
epsilonsA: ${JSON.stringify(evaluations.epsilonsA)}
attacks: ${JSON.stringify(evaluations.attacks)}
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
    servers: Object.fromEntries(Object.entries({ ...stack.pgids, proxy: proxy.pgid }).map(([name, pgid]) => [name, groupCpuSeconds(pgid)])),
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
      .then(async (p) => {
        const done = p.counts.finished + p.counts.cached + p.counts.failed;
        quietReports = done === lastDone && p.counts.running > 0 ? quietReports + 1 : 0;
        lastDone = done;
        if (quietReports === 2 || quietReports === 8) void probeStall({ client, namespace: temporal.namespace, queues: sweep.queues, workers, log }).catch((e) => log(`stall probe failed: ${e}`));
        const s = (performance.now() - t0) / 1000;
        log(JSON.stringify({ t: Math.round(s), done, failed: p.counts.failed, running: p.counts.running, generation: p.generation, cellsPerSecond: Number((done / s).toFixed(2)), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), load: loadavg()[0].toFixed(1), mlflowRequests: (await proxy.requests()).length }));
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
  const records = await proxy.requests();
  const requests = records.length;
  const latency = await cellLatencies(client, started.workflowId, progress.summaries.map((c) => c.cellKey));
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
    mlflowMeanMs: Number((records.reduce((a, r) => a + (r.ms ?? 0), 0) / records.length).toFixed(1)),
    mlflowBusySeconds: Number((records.reduce((a, r) => a + (r.ms ?? 0), 0) / 1000).toFixed(1)),
    cellLatencyMs: latency,
    mlflowByEndpoint: countBy(records.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '').replace(/artifacts\/.*$/, 'artifacts/…')}`)),
    cellsPerRun,
    evaluationsPerCell,
    sweepRuns,
    largestSweepHistoryEvents: sweepEvents,
    cellHistoryEvents: firstCell.events?.length ?? 0,
    workerRssPeakMiB: Math.round(rssPeak / 2 ** 20),
    // CPU a cell, by process: this one (client, workflow and compute workers), the Temporal
    // server, the MLflow server (all its workers), the request-counting proxy; `servedBy` sums
    // what a deployment runs (everything but the bench's proxy).
    cpuMsPerCell: cpuPerCell(cpu0, cpu1, settled),
    phaseNote: 'cpu and wall include the end-of-sweep aggregation',
    stack: stack.name,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await proxy.close();
  await connection.close();
  await stack.close();
  await rm(root, { recursive: true, force: true });
}

function cpuPerCell(
  a: { bench: NodeJS.CpuUsage; servers: Record<string, number> },
  b: { bench: NodeJS.CpuUsage; servers: Record<string, number> },
  cells: number,
): Record<string, number> {
  const ms = (seconds: number) => Number(((seconds * 1000) / cells).toFixed(1));
  const out: Record<string, number> = { workers: ms((b.bench.user + b.bench.system - a.bench.user - a.bench.system) / 1e6) };
  for (const name of Object.keys(b.servers)) out[name] = ms(b.servers[name] - a.servers[name]);
  out.servedBy = Number(Object.entries(out).reduce((sum, [k, v]) => (k === 'proxy' ? sum : sum + v), 0).toFixed(1));
  return out;
}

/** Clean plus n − 1 attacked evaluations, as a sweep's ε_A list and attacks. */
function cellShape(n: number): { epsilonsA: number[]; attacks: string[] } {
  const attacked = n - 1;
  const both = attacked % 2 === 0;
  const count = both ? attacked / 2 : attacked;
  return { epsilonsA: Array.from({ length: count }, (_, k) => Number((0.5 * (k + 1)).toFixed(2))), attacks: both ? ['fgsm', 'random'] : ['fgsm'] };
}

/** Median and p90 of cell workflows' start-to-close time, over up to 50 of the cells. */
async function cellLatencies(client: Client, sweepWorkflowId: string, keys: string[]): Promise<{ median: number; p90: number; sampled: number }> {
  const step = Math.max(1, Math.floor(keys.length / 50));
  const ms: number[] = [];
  for (let k = 0; k < keys.length; k += step) {
    const d = await client.workflow.getHandle(`${sweepWorkflowId}/cell-${keys[k]}`).describe();
    if (d.closeTime) ms.push(d.closeTime.getTime() - d.startTime.getTime());
  }
  ms.sort((x, y) => x - y);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? Number.NaN;
  return { median: at(0.5), p90: at(0.9), sampled: ms.length };
}

function countBy(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
