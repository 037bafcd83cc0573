/**
 * The floor: the least server CPU a no-op cell can cost on rexsweep's servers, to test whether
 * "≤ 100 ms CPU per no-op cell (Temporal + MLflow + workers)" is within reach. noop-sweep.ts
 * measures what rexsweep costs; this measures, on the same fresh stack, what the servers cost
 * when asked for only what a cell must do, next to exactly what rexsweep asks of them.
 *
 *   npx tsx bench/orchestration/floor.ts --cells 200 --concurrency 50 [--stack dev|team] [--part mlflow|temporal|both]
 *
 * Phases, one after another, each N cells at concurrency C (bench/README.md; floor-mlflow.ts,
 * floor-temporal.ts; how a phase is measured: floor-measure.ts):
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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countHttpRequests, idleCpu, orFailed, round, type FloorRun, type PhaseReport } from './floor-measure.ts';
import { mlflowPhases } from './floor-mlflow.ts';
import { temporalPhases } from './floor-temporal.ts';
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

const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
const requests = countHttpRequests();

const root = await mkdtemp(join(tmpdir(), 'rexsweep-bench-floor-'));
let stack: BenchStack | undefined;
try {
  stack =
    values.stack === 'team'
      ? await openTeamStack(root, Number(values['temporal-port']), log)
      : await openDevStack(root, Number(values['temporal-port']), Number(values['mlflow-port']), log);
  await runBench({ stack, cells, concurrency, log, requests });
} finally {
  await stack?.close();
  await rm(root, { recursive: true, force: true });
}

async function runBench(run: FloorRun): Promise<void> {
  const { stack } = run;
  // The team stack's TLS files and MLflow account reach clients through the environment.
  Object.assign(process.env, stack.clientEnv);
  const idle = await idleCpu(stack.pgids, 3);
  const phases: PhaseReport[] = [];
  if (part !== 'temporal') phases.push(...(await orFailed(run, ['minimal', 'rexsweep'], () => mlflowPhases(run))));
  if (part !== 'mlflow') phases.push(...(await orFailed(run, ['workflow+activity', 'parent+child'], () => temporalPhases(run))));
  const floor = floorSums(phases);
  process.stdout.write(JSON.stringify({ bench: 'floor', stack: stack.name, cells, concurrency, idle, phases, floor }) + '\n');
  printTable(phases, floor, Object.keys(stack.pgids));
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
