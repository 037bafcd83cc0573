/**
 * The floor: the least server CPU a no-op cell can cost on rexsweep's servers, to test whether
 * "≤ 100 ms CPU per no-op cell (Temporal + MLflow + workers)" is within reach. noop-sweep.ts
 * measures what rexsweep costs; this measures, on the same fresh stack, what the servers cost
 * when asked for only what a cell must do, next to exactly what rexsweep asks of them.
 *
 *   npx tsx bench/orchestration/floor.ts --cells 200 --concurrency 50 [--stack dev|team] [--part mlflow|temporal|both]
 *
 * Phases, one after another, each N cells at concurrency C (bench/README.md):
 *   minimal            MLflow: createRun (a cell run's tags), logBatch params, logBatch result
 *                      metrics + tags, updateRun FINISHED: 4 requests, nothing more
 *   rexsweep           MLflow: what the record activities do (beginCell, finishCell), called here
 *   workflow+activity  Temporal: N client-started workflows of one no-op activity each
 *   parent+child       Temporal: one parent keeping C children in flight, each child local
 *                      activity, activity, local activity (a cell's shape; floor-workflows.ts)
 * The MLflow phases talk to the server directly (no counting proxy: its CPU would be noise here);
 * requests are counted in this process. The Temporal worker runs in this process, so `bench` CPU
 * in the Temporal phases is client plus worker.
 *
 * Every figure is per cell: the phase's wall time and the CPU of each server process group
 * (group-cpu.ts) and of this process, divided by N. A short unmeasured warm-up first touches
 * every endpoint and workflow type, so cold-start costs (lazy imports, first bundle load) stay
 * out of the phases.
 *
 * stdout: one JSON line; stderr: progress and a table. A failed phase is reported with its error
 * and the next one runs.
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { CellRef } from '../../activities/contracts.ts';
import { NOOP_TRAINED, noopRow } from '../../activities/noop-cells.ts';
import { createRecordActivities } from '../../activities/record.ts';
import { quietTemporalRuntime } from '../../client/connect.ts';
import { sweepWorkflowId } from '../../client/start-sweep.ts';
import type { CellResult, EvaluationRow } from '../../recsys/cell/result.ts';
import { resolveCellConfig } from '../../recsys/config.ts';
import { cellEvaluations, expandSweep } from '../../sweep/expand.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import {
  TAG,
  authFromEnv,
  cellRunName,
  closeRun,
  evaluationId,
  flattenParams,
  formatEvaluations,
  logCellResult,
  MlflowClient,
  runNamePartsFromConfig,
  sweepParams,
  type Tracker,
} from '../../tracking/index.ts';
import { connectionOptions, temporalConnectionFromEnv } from '../../worker/temporal-connection.ts';
import type { FloorActivities, noopWorkflow, parentWorkflow } from './floor-workflows.ts';
import { groupCpuSeconds } from './group-cpu.ts';
import { openDevStack, openTeamStack, type BenchStack } from './stacks.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '50' },
    stack: { type: 'string', default: 'dev' },
    part: { type: 'string', default: 'both' },
    // Not noop-sweep's (27233/25000) nor side-by-side's (28233/26100): a floor run beside them must not collide.
    'temporal-port': { type: 'string', default: '29233' },
    'mlflow-port': { type: 'string', default: '29500' },
  },
});
const cells = wholeNumber('--cells', values.cells);
const concurrency = wholeNumber('--concurrency', values.concurrency);
if (values.stack !== 'dev' && values.stack !== 'team') throw new Error(`--stack must be dev or team, got ${values.stack}`);
const part = values.part;
if (part !== 'mlflow' && part !== 'temporal' && part !== 'both') throw new Error(`--part must be mlflow, temporal or both, got ${part}`);

/** What the record activities are told (noop-sweep.ts's workers: git commit `bench`, backend `cpu`). */
const RECORD_DEPS = { gitCommit: 'bench', backend: 'cpu' };
const WORKFLOWS_PATH = fileURLToPath(new URL('./floor-workflows.ts', import.meta.url));
const WARM_UP_CELLS = 3;

const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
const requests = countHttpRequests();

const root = await mkdtemp(join(tmpdir(), 'rexsweep-bench-floor-'));
let stack: BenchStack | undefined;
try {
  stack =
    values.stack === 'team'
      ? await openTeamStack(root, Number(values['temporal-port']), log)
      : await openDevStack(root, Number(values['temporal-port']), Number(values['mlflow-port']), log);
  await runBench(stack);
} finally {
  await stack?.close();
  await rm(root, { recursive: true, force: true });
}

async function runBench(stack: BenchStack): Promise<void> {
  // The team stack's TLS files and MLflow account reach clients through the environment.
  Object.assign(process.env, stack.clientEnv);
  const idle = await idleCpu(stack.pgids, 3);
  const phases: PhaseReport[] = [];
  if (part !== 'temporal') phases.push(...(await orFailed(['minimal', 'rexsweep'], () => mlflowPhases(stack))));
  if (part !== 'mlflow') phases.push(...(await orFailed(['workflow+activity', 'parent+child'], () => temporalPhases(stack))));
  const floor = floorSums(phases);
  process.stdout.write(JSON.stringify({ bench: 'floor', stack: stack.name, cells, concurrency, idle, phases, floor }) + '\n');
  printTable(phases, floor, Object.keys(stack.pgids));
}

// ------------------------------------------------------------------ measuring

interface CpuSnapshot {
  /** This process's CPU seconds (all threads: Temporal's native core included). */
  bench: number;
  /** CPU seconds of each server's process group. */
  groups: Record<string, number>;
}

interface PhaseReport {
  phase: string;
  error?: string;
  seconds?: number;
  wallMsPerCell?: number;
  /** Each server group, `bench` (this process) and `total`, ms per cell. */
  cpuMsPerCell?: Record<string, number>;
  [figure: string]: unknown;
}

function benchCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function groupsCpu(pgids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pgids).map(([name, pgid]) => [name, groupCpuSeconds(pgid)]));
}

/**
 * Run `body` between two CPU snapshots. The /proc scan costs this process CPU, so it is done
 * before reading our own CPU at the start and after it at the end: the scans stay outside.
 */
async function measured(pgids: Record<string, number>, body: () => Promise<void>): Promise<{ seconds: number; cpuMsPerCell: Record<string, number> }> {
  // Object literals evaluate in source order.
  const a: CpuSnapshot = { groups: groupsCpu(pgids), bench: benchCpu() };
  const t0 = performance.now();
  await body();
  const seconds = (performance.now() - t0) / 1000;
  const b: CpuSnapshot = { bench: benchCpu(), groups: groupsCpu(pgids) };
  return { seconds: round(seconds, 2), cpuMsPerCell: cpuMsPerCell(a, b, cells) };
}

function cpuMsPerCell(a: CpuSnapshot, b: CpuSnapshot, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(b.groups)) out[name] = round(((b.groups[name] - a.groups[name]) * 1000) / n);
  out.bench = round(((b.bench - a.bench) * 1000) / n);
  out.total = round(Object.values(out).reduce((sum, v) => sum + v, 0));
  return out;
}

/** A phase that fails is reported with its error; the next phase still runs. */
async function phase(name: string, body: () => Promise<Omit<PhaseReport, 'phase'>>): Promise<PhaseReport> {
  log(`phase ${name}: ${cells} cells at concurrency ${concurrency}`);
  try {
    const report: PhaseReport = { phase: name, ...(await body()) };
    log(`phase ${name}: ${report.seconds} s`);
    return report;
  } catch (err) {
    log(`phase ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { phase: name, error: err instanceof Error ? err.message : String(err) };
  }
}

/** A part's phases, or each of them failed with the error of its set-up (connection, warm-up). */
async function orFailed(names: string[], part: () => Promise<PhaseReport[]>): Promise<PhaseReport[]> {
  try {
    return await part();
  } catch (err) {
    log(`set-up of ${names.join(', ')} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return names.map((phase) => ({ phase, error: `set-up: ${err instanceof Error ? err.message : String(err)}` }));
  }
}

/** What each server burns doing nothing, so a phase's small figures can be read against it. */
async function idleCpu(pgids: Record<string, number>, seconds: number): Promise<{ seconds: number; cpuMsPerSecond: Record<string, number> }> {
  const a = groupsCpu(pgids);
  await sleep(seconds * 1000);
  const b = groupsCpu(pgids);
  return { seconds, cpuMsPerSecond: Object.fromEntries(Object.keys(b).map((k) => [k, round(((b[k] - a[k]) * 1000) / seconds)])) };
}

/**
 * Tasks 0..n−1 with at most `limit` in flight. After the first failure no new task starts; it is
 * rethrown once those in flight settle, so nothing of a failed phase runs into the next one.
 */
async function pool(n: number, limit: number, task: (k: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const lane = async () => {
    while (next < n && !failed) {
      const k = next++;
      try {
        await task(k);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  if (failed) throw firstError;
}

/**
 * Every HTTP request this process starts, by `METHOD /path`, from Node's own diagnostics
 * channel: retries and split log-batches included, no wrapper around the client. Only MLflow
 * speaks HTTP/1 here (Temporal's clients use gRPC over HTTP/2, which this channel does not see).
 */
function countHttpRequests(): { take(): Record<string, number> } {
  let counts: Record<string, number> = {};
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    const key = `${request.method} ${request.path.replace(/\?.*$/, '')}`;
    counts[key] = (counts[key] ?? 0) + 1;
  });
  return {
    take() {
      const taken = counts;
      counts = {};
      return taken;
    },
  };
}

// ------------------------------------------------------------------ MLflow phases

async function mlflowPhases(stack: BenchStack): Promise<PhaseReport[]> {
  const mlflow = new MlflowClient({ trackingUri: stack.mlflowUri, auth: authFromEnv() });
  const record = createRecordActivities({ mlflow, ...RECORD_DEPS });
  const rexsweepCell = async (ref: CellRef) => {
    const begun = await record.beginCell(ref);
    await record.finishCell(ref, begun.runId, NOOP_TRAINED, noopRows(ref));
  };
  // Unmeasured: every endpoint both phases use, once, on a study of its own.
  log('MLflow warm-up');
  for (const ref of (await beginSweep(mlflow, 'warmup')).slice(0, WARM_UP_CELLS)) await rexsweepCell(ref);
  requests.take();
  return [
    await mlflowPhase(stack, mlflow, 'minimal', (ref) => minimalCell(mlflow, ref)),
    await mlflowPhase(stack, mlflow, 'rexsweep', rexsweepCell),
  ];
}

/** One MLflow phase on a study of its own (its runs are invisible to the other phase's searches). */
async function mlflowPhase(stack: BenchStack, mlflow: Tracker, name: string, cell: (ref: CellRef) => Promise<void>): Promise<PhaseReport> {
  return phase(name, async () => {
    const refs = await beginSweep(mlflow, name);
    requests.take();
    const figures = await measured(stack.pgids, () => pool(refs.length, concurrency, (k) => cell(refs[k])));
    const byEndpoint = requests.take();
    const sent = Object.values(byEndpoint).reduce((a, b) => a + b, 0);
    return {
      ...figures,
      wallMsPerCell: round((figures.seconds * 1000) / cells),
      requestsPerCell: round(sent / cells, 2),
      requestsByEndpoint: Object.fromEntries(Object.entries(byEndpoint).map(([k, v]) => [k, round(v / cells, 2)])),
      // After the measurement: every cell's run is there and FINISHED, with a cell run's shape.
      ...(await runCheck(mlflow, refs[0].tracking.experimentId)),
    };
  });
}

/**
 * A no-op sweep of `cells` seeds, as noop-sweep.ts writes it (5 evaluations: clean, FGSM and
 * random at ε_A 0.5 and 1), under study `bench-floor-<phase>`; its experiment and parent run made
 * by the record activity `beginSweep`, as a sweep's start does. Returns each cell's CellRef as
 * the sweep workflow would pass it.
 */
async function beginSweep(mlflow: Tracker, phaseName: string): Promise<CellRef[]> {
  const seeds = Array.from({ length: cells }, (_, k) => k).join(', ');
  const sweep = parseSweepYaml(`
study: bench-floor-${phaseName}-${cells}
name: floor${cells}
datasets: [{ source: synthetic, name: noop }]
models: [cer]
lambdas: [0]
epsilonsD: [0.5]
epsilonsA: [0.5, 1]
attacks: [fgsm, random]
seeds: [${seeds}]
epochs: 1
concurrency: ${concurrency}
cell: { noop: true }
`);
  const id = sweepId(sweep);
  const sweepRef = { sweepId: id, study: sweep.study, workflowId: sweepWorkflowId(id) };
  const tracking = await createRecordActivities({ mlflow, ...RECORD_DEPS }).beginSweep(sweepRef, sweepRunParams(sweep));
  // workflows/sweep-cells.ts cellWorkflowId (not imported: it would load workflow code here).
  return expandSweep(sweep).map((c) => ({ sweep: sweepRef, tracking, cellKey: c.key, cell: c.config, workflowId: `${sweepRef.workflowId}/cell-${c.key}` }));
}

/** The parent run's params as client/start-sweep.ts gives them to beginSweep (not exported there). */
function sweepRunParams(config: SweepConfig): Record<string, string> {
  const { datasets, ...rest } = config;
  return flattenParams({ ...rest, datasets: datasets.map((d) => d.name) } as Record<string, unknown>);
}

/** The rows a no-op compute worker returns for the cell (activities/compute.ts runCell). */
function noopRows(ref: CellRef): EvaluationRow[] {
  return cellEvaluations(ref.cell).map((step) => noopRow(step));
}

/**
 * What a cell must write, nothing more: the run with the tags getOrCreateCellRun gives it, its
 * params, its result as finishCell logs it, FINISHED. No search before (the workflow id already
 * guarantees one cell workflow) and none after (no reconciliation).
 */
async function minimalCell(mlflow: Tracker, ref: CellRef): Promise<void> {
  const config = resolveCellConfig(ref.cell);
  const run = await mlflow.createRun({ experimentId: ref.tracking.experimentId, runName: cellRunName(runNamePartsFromConfig(config)), tags: cellRunTags(ref) });
  const runId = run.info.runId;
  await mlflow.logBatch(runId, { params: { ...flattenParams(config as unknown as Record<string, unknown>), ...sweepParams(ref.sweep) } });
  const rows = noopRows(ref);
  // finishCell's other tags (model artifact, worker, clean explanations) are empty for a no-op cell.
  await logCellResult(mlflow, runId, cellResult(config as unknown as Record<string, unknown>, rows), { tags: { [TAG.evaluations]: formatEvaluations(rows.map(evaluationId)) } });
  await closeRun(mlflow, runId, 'FINISHED');
}

/** The tags getOrCreateCellRun (tracking/layout.ts) puts on a new cell run. */
function cellRunTags(ref: CellRef): Record<string, string> {
  return {
    [TAG.parentRunId]: ref.tracking.parentRunId,
    [TAG.kind]: 'cell',
    [TAG.cellKey]: ref.cellKey,
    [TAG.sweepId]: ref.sweep.sweepId,
    [TAG.workflowId]: ref.workflowId,
    [TAG.gitCommit]: RECORD_DEPS.gitCommit,
    [TAG.gitCommitMlflow]: RECORD_DEPS.gitCommit,
    [TAG.backend]: RECORD_DEPS.backend,
    // beginCell's placeholder until the cell finishes.
    [TAG.device]: 'pending',
  };
}

/** The CellResult finishCell (activities/record.ts) builds from a no-op cell's trained model and rows. */
function cellResult(cell: Record<string, unknown>, rows: EvaluationRow[]): CellResult {
  const t = NOOP_TRAINED;
  return {
    cell,
    backend: t.backend,
    device: t.device,
    dataset: t.dataset,
    train: { epochs: t.epochs, seconds: t.seconds, finalLoss: t.finalLoss, losses: t.losses },
    evaluations: rows,
  };
}

/** Runs of the phase's experiment: how many are FINISHED, and one cell run's size. */
async function runCheck(mlflow: Tracker, experimentId: string): Promise<Record<string, unknown>> {
  const runs = await mlflow.searchAllRuns({ experimentIds: [experimentId], filter: `tags.\`${TAG.kind}\` = 'cell'`, maxResults: 1000 });
  const one = runs[0]?.data;
  return {
    runsFinished: runs.filter((r) => r.info.status === 'FINISHED').length,
    runShape: one ? { params: Object.keys(one.params).length, metrics: one.metrics.length, tags: Object.keys(one.tags).length } : null,
  };
}

// ------------------------------------------------------------------ Temporal phases

async function temporalPhases(stack: BenchStack): Promise<PhaseReport[]> {
  quietTemporalRuntime();
  const settings = temporalConnectionFromEnv({ address: stack.temporalAddress });
  const connection = await Connection.connect(connectionOptions(settings));
  const native = await NativeConnection.connect(connectionOptions(settings));
  const client = new Client({ connection, namespace: settings.namespace });
  const taskQueue = `bench-floor-${process.pid}`;
  const activities: FloorActivities = { noop: async () => 0 };
  try {
    // Bundles floor-workflows.ts here, before any measurement. Worker defaults otherwise, as
    // rexsweep's workflow worker has (worker/worker.ts).
    const worker = await Worker.create({ connection: native, namespace: settings.namespace, taskQueue, workflowsPath: WORKFLOWS_PATH, activities });
    return await worker.runUntil(async () => {
      log('Temporal warm-up');
      await Promise.all([0, 1].map((k) => client.workflow.execute<typeof noopWorkflow>('noopWorkflow', { taskQueue, workflowId: `floor-warmup-${k}` })));
      await client.workflow.execute<typeof parentWorkflow>('parentWorkflow', { taskQueue, workflowId: 'floor-warmup-parent', args: [2, 2] });
      return [await workflowActivityPhase(stack, client, taskQueue), await parentChildPhase(stack, client, taskQueue)];
    });
  } finally {
    await connection.close();
    await native.close();
  }
}

async function workflowActivityPhase(stack: BenchStack, client: Client, taskQueue: string): Promise<PhaseReport> {
  return phase('workflow+activity', async () => {
    const id = (k: number) => `floor-wa-${k}`;
    const figures = await measured(stack.pgids, () =>
      pool(cells, concurrency, (k) => client.workflow.execute<typeof noopWorkflow>('noopWorkflow', { taskQueue, workflowId: id(k) })),
    );
    return { ...figures, wallMsPerCell: round((figures.seconds * 1000) / cells), historyEvents: await historyLength(client, id(0)) };
  });
}

async function parentChildPhase(stack: BenchStack, client: Client, taskQueue: string): Promise<PhaseReport> {
  return phase('parent+child', async () => {
    const parentId = 'floor-parent';
    let completed = 0;
    const figures = await measured(stack.pgids, async () => {
      completed = await client.workflow.execute<typeof parentWorkflow>('parentWorkflow', { taskQueue, workflowId: parentId, args: [cells, concurrency] });
    });
    return {
      ...figures,
      wallMsPerCell: round((figures.seconds * 1000) / cells),
      childrenCompleted: completed,
      historyEvents: await historyLength(client, `${parentId}/child-0`),
      parentHistoryEvents: await historyLength(client, parentId),
    };
  });
}

async function historyLength(client: Client, workflowId: string): Promise<number> {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
}

// ------------------------------------------------------------------ summary

/**
 * A whole cell's CPU, all processes: an MLflow phase plus `parent+child` (a sweep's Temporal
 * shape). Each phase also counts the other server idling, so these overstate by that much.
 */
function floorSums(phases: PhaseReport[]): Record<string, number | null> {
  const total = (name: string) => phases.find((p) => p.phase === name)?.cpuMsPerCell?.total;
  const sum = (a?: number, b?: number) => (a === undefined || b === undefined ? null : round(a + b));
  return {
    minimalPlusParentChildMsPerCell: sum(total('minimal'), total('parent+child')),
    rexsweepPlusParentChildMsPerCell: sum(total('rexsweep'), total('parent+child')),
  };
}

function printTable(phases: PhaseReport[], floor: Record<string, number | null>, groups: string[]): void {
  const columns = ['wall', ...groups, 'bench', 'total', 'req', 'events'];
  const line = (cells: (string | number)[]) => cells.map((c, i) => String(c).padStart(i === 0 ? 18 : 9)).join(' ');
  const out = ['per cell: wall and CPU in ms, MLflow requests, history events of one workflow', line(['phase', ...columns])];
  for (const p of phases) {
    if (p.error !== undefined) {
      out.push(`${p.phase.padStart(18)}  failed: ${p.error}`);
      continue;
    }
    const cpu = p.cpuMsPerCell ?? {};
    out.push(line([p.phase, p.wallMsPerCell ?? '', ...groups.map((g) => cpu[g] ?? ''), cpu.bench ?? '', cpu.total ?? '', (p.requestsPerCell as number) ?? '', (p.historyEvents as number) ?? '']));
  }
  out.push(`all processes, MLflow phase + parent+child: minimal ${floor.minimalPlusParentChildMsPerCell ?? '–'} ms, rexsweep ${floor.rexsweepPlusParentChildMsPerCell ?? '–'} ms per cell`);
  process.stderr.write(out.join('\n') + '\n');
}

// ------------------------------------------------------------------ helpers

function wholeNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number ≥ 1, got ${value}`);
  return n;
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}
