/**
 * A sweep: run one child cell workflow per cell of the grid, at most `concurrency` at once, in
 * expansion order, while answering the progress query and the control updates (sweep-control.ts).
 *
 * Scale: every `cellsPerRun` started cells the workflow lets its cells in flight finish and
 * continues as new, carrying the settled cells by key (sweep-book.ts): no history grows past a
 * few thousand events, whatever the grid's size.
 *
 * Ends: COMPLETED when every cell was tried (failed cells included: they are listed, and a later
 * `rexsweep run` retries them); FAILED when cancelled or stopped by failFast / maxFailedCells, so
 * that a later run resumes it. Finished cells are never rewritten on any path.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CellOutcome, CellSummary, SweepClose, SweepRef, SweepTracking } from '../activities/contracts.ts';
import type { ReportActivities } from '../activities/report-types.ts';
import type { RecordActivities } from '../activities/types.ts';
import { evaluationsGrew, extensionProblems } from '../sweep/extension.ts';
import { cellEvaluations, type SweepCell } from '../sweep/expand.ts';
import { canonicalJson } from '../sweep/canonical.ts';
import { sha256Hex } from '../sweep/sha256.ts';
import type { SweepConfig } from '../sweep/schema.ts';
import { cellDetails, cellSummary, sweepSummary } from '../sweep/ui-summary.ts';
import { activityOptions } from './activity-options.ts';
import { cellWorkflow } from './cell.ts';
import { SweepBook, type Restart, type SettledState, type SweepBookCarry } from './sweep-book.ts';
import {
  cancelUpdate,
  configQuery,
  extendUpdate,
  MAX_CONCURRENCY,
  pauseUpdate,
  progressQuery,
  rerunFailedUpdate,
  resumeUpdate,
  setConcurrencyUpdate,
  type SweepPhase,
  type SweepProgress,
} from './sweep-control.ts';

export { progressQuery, type SweepProgress } from './sweep-control.ts';
export type { CellState } from './sweep-book.ts';

export interface SweepWorkflowInput {
  sweep: Omit<SweepRef, 'workflowId'>;
  /** The parsed sweep config; cells are computed from it here (pure, deterministic). */
  config: SweepConfig;
  /** Canonical sweep-level parameters for the parent run. */
  params: Record<string, string>;
  /** The server has rexsweep's search attributes (sweep/search-attributes.ts) registered. */
  searchAttributes?: boolean;
  /** How cells that failed in an earlier run restart: from their checkpoint (default) or from scratch. */
  restart?: Restart;
  /** Set only by continue-as-new. */
  carry?: SweepCarry;
}

interface SweepCarry {
  book: SweepBookCarry;
  tracking: SweepTracking;
  paused: boolean;
  concurrency: number;
  startedAt: number;
  generation: number;
  /** Finished cells per (dataset, model, λ, ε_D) group, to aggregate a group when its seeds are done. */
  groupsDone: Record<string, number>;
}

/** How a cell ended, as the sweep records it. */
interface CellSettlement {
  state: SettledState;
  summary?: CellSummary;
  reason?: string;
}

interface StopRequest {
  reason: string;
  inFlight: 'finish' | 'cancel';
  /** How the workflow ends: 'failed' (failure limit) or 'cancelled' (the user). */
  outcome: 'failed' | 'cancelled';
}

/** Cells computed (config + key) per workflow task at most; past that the loop yields. */
const CELLS_PER_TASK = 2000;
/** Settled cells between two search-attribute upserts (each is a history event). */
const UPSERT_EVERY = 10;
/** At least this long between two aggregations while the sweep runs (each reads the sweep's runs). */
const AGGREGATE_EVERY_MS = 60_000;

/** Workflow patch: no intermediate aggregation when the sweep's last cell settles. */
const PATCH_FINAL_AGGREGATE_ONLY = 'final-aggregate-only';

/** The seeds of one (dataset, model, λ, ε_D) are aggregated together. */
const groupOf = (cell: SweepCell) => `${cell.dataset}|${cell.model}|${cell.lambda}|${cell.epsilonD}`;

export function cellWorkflowId(sweepWorkflowId: string, cellKey: string): string {
  return `${sweepWorkflowId}/cell-${cellKey}`;
}

/** The workflow that adds evaluations to a finished cell: one per set of evaluations asked for. */
export function evaluationsWorkflowId(cellWorkflowId: string, cell: Pick<SweepCell, 'config'>): string {
  const plan = cellEvaluations(cell.config).map((e) => `${e.attack}@${e.epsilon}`);
  return `${cellWorkflowId}/evaluations-${sha256Hex(canonicalJson(plan)).slice(0, 12)}`;
}

export async function sweepWorkflow(input: SweepWorkflowInput): Promise<SweepProgress> {
  const sweep: SweepRef = { ...input.sweep, workflowId: workflowInfo().workflowId };
  const carry = input.carry;
  const book = new SweepBook(input.config, carry?.book);
  // The sweep's line on its Temporal UI page ("current details": workflow state, no command),
  // kept current: the static summary set by the starter is lost at continue-as-new and does not
  // grow with an extension.
  const showDetails = () => setCurrentDetails(sweepSummary(book.sweep, book.cellCount));
  showDetails();
  const record = proxyActivities<RecordActivities>(activityOptions('record', input.config.queues.workflow, input.config.retry.record));
  // Aggregation is a convenience while the sweep runs: a few attempts, never the sweep's failure.
  // It reads every finished run, ~30 min for 10,000 cells on a 2-core machine: its heartbeat
  // tells a live attempt from a dead one, the start-to-close limit only caps it.
  const report = proxyActivities<ReportActivities>({
    taskQueue: input.config.queues.workflow,
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 3, initialInterval: '5s' },
  });
  const control = { paused: carry?.paused ?? false, concurrency: carry?.concurrency ?? input.config.concurrency };
  const startedAt = carry?.startedAt ?? Date.now();
  const generation = (carry?.generation ?? 0) + 1;
  const scopes = new Map<string, CancellationScope>();
  let stop: StopRequest | undefined;
  let ended: SweepPhase | undefined;
  // Bumped by every event the main loop waits for (a cell settled, an update applied).
  let tick = 0;

  const phase = (): SweepPhase => ended ?? (stop ? 'stopping' : control.paused ? 'paused' : 'running');
  const progress = (): SweepProgress => {
    const { summaries, dropped: summariesDropped } = book.keptSummaries();
    const { failures, dropped: failuresDropped } = book.keptFailures();
    return {
      sweepId: sweep.sweepId,
      phase: phase(),
      ...(stop ? { stopReason: stop.reason } : {}),
      total: book.cellCount,
      counts: book.counts(),
      concurrency: control.concurrency,
      generation,
      startedAt,
      summaries,
      summariesDropped,
      failures,
      failuresDropped,
      done: ended !== undefined,
    };
  };
  const requestStop = (s: StopRequest) => {
    stop ??= s;
    if (s.inFlight === 'cancel') for (const scope of scopes.values()) scope.cancel();
    tick++;
  };
  const notStopping = () => {
    if (stop) throw new Error(`the sweep is stopping (${stop.reason})`);
  };

  // Every update changes the control state, wakes the main loop and answers the new progress.
  const apply = (change: () => void) => {
    change();
    tick++;
    return progress();
  };
  setHandler(progressQuery, progress);
  setHandler(configQuery, () => book.sweep);
  setHandler(pauseUpdate, () => apply(() => (control.paused = true)), { validator: notStopping });
  setHandler(resumeUpdate, () => apply(() => (control.paused = false)), { validator: notStopping });
  setHandler(
    cancelUpdate,
    (req) => apply(() => requestStop({ reason: req.reason || 'cancelled by the user', inFlight: req.inFlight, outcome: 'cancelled' })),
    {
      validator: (req) => {
        if (req?.inFlight !== 'finish' && req?.inFlight !== 'cancel') throw new Error('inFlight must be "finish" or "cancel"');
      },
    },
  );
  setHandler(setConcurrencyUpdate, (n) => apply(() => (control.concurrency = n)), {
    validator: (n) => {
      if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) throw new Error(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got ${n}`);
    },
  });
  setHandler(extendUpdate, (config) => apply(() => (book.extend(config, { reevaluate: evaluationsGrew(book.sweep, config) }), showDetails())), {
    validator: (config) => {
      notStopping();
      const problems = extensionProblems(book.sweep, config);
      if (problems.length > 0) throw new Error(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    },
  });
  setHandler(rerunFailedUpdate, (req) => apply(() => book.queueReruns(req.from)), {
    validator: (req) => {
      notStopping();
      if (req?.from !== 'checkpoint' && req?.from !== 'scratch') throw new Error('from must be "checkpoint" or "scratch"');
    },
  });

  let lastUpserted = -UPSERT_EVERY;
  const publish = (force = false) => {
    if (!input.searchAttributes) return;
    const c = book.counts();
    const settled = c.finished + c.cached + c.failed + c.cancelled;
    if (!force && settled - lastUpserted < UPSERT_EVERY) return;
    lastUpserted = settled;
    upsertSearchAttributes({
      RexsweepSweepId: [sweep.sweepId],
      RexsweepName: [input.config.name],
      RexsweepState: [phase()],
      RexsweepCellsDone: [c.finished + c.cached],
      RexsweepCellsFailed: [c.failed],
      RexsweepCellsTotal: [book.cellCount],
    });
  };

  const tracking = carry?.tracking ?? (await record.beginSweep(sweep, input.params));

  // Seed aggregates on the parent run: when a group's seeds are all finished (at most once a
  // minute, or less often if aggregating takes long), and in full at the end.
  const groupsDone = new Map(Object.entries(carry?.groupsDone ?? {}));
  let groupCompleted = false;
  let aggregating: Promise<void> | undefined;
  let nextAggregateAt = 0;
  const aggregate = (final: boolean): Promise<void> => {
    const t0 = Date.now();
    groupCompleted = false;
    return report
      .aggregateSweep({ sweep, tracking, final })
      .then(
        () => undefined,
        () => undefined, // recomputed from MLflow at the end, or by `rexsweep report`
      )
      .finally(() => {
        nextAggregateAt = Date.now() + Math.max(AGGREGATE_EVERY_MS, 4 * (Date.now() - t0));
        aggregating = undefined;
        tick++;
      });
  };
  const maybeAggregate = () => {
    if (groupCompleted && !aggregating && Date.now() >= nextAggregateAt) aggregating = aggregate(false);
  };

  const onSettled = (cell: SweepCell, state: SettledState) => {
    if (state === 'finished' || state === 'cached') {
      const n = (groupsDone.get(groupOf(cell)) ?? 0) + 1;
      groupsDone.set(groupOf(cell), n);
      if (n === book.sweep.seeds.length) groupCompleted = true;
    }
    const c = book.counts();
    const limit = book.sweep.maxFailedCells;
    if (state !== 'failed' || stop) return;
    if (book.sweep.failFast) requestStop({ reason: `failFast: cell ${cell.key} failed`, inFlight: 'cancel', outcome: 'failed' });
    else if (limit !== undefined && c.failed > limit) requestStop({ reason: `${c.failed} cells failed (maxFailedCells ${limit})`, inFlight: 'finish', outcome: 'failed' });
  };

  const launch = (cell: SweepCell, restart: Restart | undefined) => {
    const scope = new CancellationScope();
    scopes.set(cell.key, scope);
    // Settled in the handlers below; nothing awaits a single cell here.
    void scope
      .run(() => runCell(cell, restart))
      // An error past the cell workflow (its bookkeeping activity gave up): the cell failed.
      .catch((err: unknown): CellSettlement => ({ state: 'failed', reason: `sweep could not run the cell: ${err instanceof Error ? err.message : String(err)}` }))
      .then((r) => {
        book.settle(cell, r.state, r);
        onSettled(cell, r.state);
      })
      .finally(() => {
        scopes.delete(cell.key);
        tick++;
      });
  };

  const startCell = (cell: SweepCell, workflowId: string, restart: Restart | undefined) =>
    executeChild(cellWorkflow, {
      workflowId,
      taskQueue: book.sweep.queues.workflow,
      args: [{ ref: { sweep, tracking, cellKey: cell.key, cell: cell.config, ...(restart ? { restart } : {}) }, queues: book.sweep.queues, retry: book.sweep.retry }],
      // A completed cell is never started again; a failed or cancelled one may be.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      // What the Temporal UI lists for the cell (user metadata, not part of the command's
      // identity: histories recorded without it replay unchanged).
      staticSummary: cellSummary(cell),
      staticDetails: cellDetails(cell.key, sweep),
    });

  const runCell = async (cell: SweepCell, restart: Restart | undefined): Promise<CellSettlement> => {
    const workflowId = cellWorkflowId(sweep.workflowId, cell.key);
    let outcome: CellOutcome;
    try {
      outcome = await startCell(cell, workflowId, restart);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) return settlementOfError(err);
      // Completed by an earlier run of this sweep (or still running from one): its MLflow run says.
      const begun = await record.beginCell({ sweep, tracking, cellKey: cell.key, cell: cell.config, workflowId });
      if (begun.finished && begun.stored) {
        // Finished, but asked for evaluations it lacks: a cell workflow of its own for them (the
        // completed one is never started again), named by the evaluations asked for.
        try {
          outcome = await startCell(cell, evaluationsWorkflowId(workflowId, cell), restart);
        } catch (again) {
          if (!(again instanceof WorkflowExecutionAlreadyStartedError)) return settlementOfError(again);
          outcome = { state: 'failed', reason: `cell workflow ${evaluationsWorkflowId(workflowId, cell)} exists (running, or completed earlier) but run ${begun.runId} still lacks evaluations` };
        }
      } else {
        outcome =
          begun.finished && begun.summary
            ? { state: 'finished', cached: true, summary: begun.summary }
            : { state: 'failed', reason: `cell workflow ${workflowId} exists (running, or completed earlier) but its run is not FINISHED`, runId: begun.runId };
      }
    }
    if (outcome.state === 'finished') return { state: outcome.cached ? 'cached' : 'finished', summary: outcome.summary };
    return { state: 'failed', reason: outcome.reason };
  };

  /** A cell workflow's failure as the sweep records it; anything else is the sweep's own error. */
  const settlementOfError = (err: unknown): CellSettlement => {
    if (isCancellation(err)) return { state: 'cancelled', reason: stop?.reason ?? 'cancelled' };
    if (err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'CellFailed') {
      return { state: 'failed', reason: err.cause.message };
    }
    throw err;
  };

  const close = async (how: SweepClose) => {
    const c = book.counts();
    await record.finishSweep(sweep, tracking, { ...c, total: book.cellCount }, how);
  };

  try {
    let startedThisRun = 0;
    publish(true);
    for (;;) {
      const seen = tick;
      const budget = { cells: CELLS_PER_TASK };
      while (!stop && !control.paused && book.inFlight < control.concurrency && startedThisRun < book.sweep.cellsPerRun) {
        const next = book.next(budget);
        if (!next) break;
        startedThisRun++;
        launch(next.cell, next.restart ?? input.restart);
      }
      publish();
      const done = book.inFlight === 0 && (stop || !book.hasWork());
      // The last group's completion is covered by the final aggregation below: starting an
      // intermediate one too read every run twice (27 min each for 10,000 cells here).
      if (!(done && patched(PATCH_FINAL_AGGREGATE_ONLY))) maybeAggregate();
      if (done) break;
      if (book.inFlight === 0 && startedThisRun >= book.sweep.cellsPerRun && !control.paused) {
        // A fresh history: the cells settled so far travel by key. Updates accepted meanwhile
        // must have finished first, or their callers would see them lost; so must an aggregation.
        await condition(allHandlersFinished);
        await aggregating;
        const next: SweepCarry = {
          book: book.carry(),
          tracking,
          paused: control.paused,
          concurrency: control.concurrency,
          startedAt,
          generation,
          groupsDone: Object.fromEntries(groupsDone),
        };
        return await continueAsNew<typeof sweepWorkflow>({ ...input, config: book.sweep, carry: next });
      }
      // Ran out of this task's budget of cells to compute: yield, and go on in the next task.
      if (budget.cells <= 0) await sleep(1);
      else if (groupCompleted && !aggregating) await condition(() => tick !== seen, Math.max(1, nextAggregateAt - Date.now()));
      else await condition(() => tick !== seen);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The sweep workflow itself was cancelled (Temporal UI, `temporal workflow cancel`): its
    // cells were cancelled with it; close the parent run KILLED even so.
    ended = 'cancelled';
    await CancellationScope.nonCancellable(() => close({ status: 'KILLED', reason: 'sweep workflow cancelled' }));
    throw err;
  }

  // The full report (tables, figures, HTML) on the parent run, whatever the ending.
  await aggregating;
  await aggregate(true);
  const counts = book.counts();
  if (stop) {
    ended = stop.outcome;
    publish(true);
    await close({ status: stop.outcome === 'cancelled' ? 'KILLED' : 'FAILED', reason: stop.reason });
    // FAILED, not COMPLETED: a later `rexsweep run` of this sweep starts a new run that resumes it.
    throw ApplicationFailure.nonRetryable(stop.reason, stop.outcome === 'cancelled' ? 'SweepCancelled' : 'SweepFailed', progress());
  }
  ended = 'finished';
  publish(true);
  await close(counts.failed > 0 ? { status: 'FAILED', reason: `${counts.failed} of ${book.cellCount} cells failed` } : { status: 'FINISHED' });
  return progress();
}
