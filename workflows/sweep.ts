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
 *
 * This file is the main loop, continue-as-new and the ending. Beside it: the control state the
 * updates change and the progress query reads (sweep-state.ts), the handlers (sweep-handlers.ts),
 * launching and settling one cell (sweep-cells.ts), seed aggregation (sweep-aggregate.ts). The
 * histories of sweeps already running replay only while these files issue the same commands
 * (activities, child workflows, timers, upserts, patches) in the same order: change that behind
 * patched().
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SweepClose, SweepRef, SweepTracking } from '../activities/contracts.ts';
import type { RecordActivities } from '../activities/types.ts';
import type { SweepConfig } from '../sweep/schema.ts';
import { sweepSummary } from '../sweep/ui-summary.ts';
import { activityOptions } from './activity-options.ts';
import { SweepAggregation } from './sweep-aggregate.ts';
import { SweepBook, type Restart, type SweepBookCarry } from './sweep-book.ts';
import { SweepCells } from './sweep-cells.ts';
import type { SweepProgress } from './sweep-control.ts';
import { setSweepHandlers } from './sweep-handlers.ts';
import { SweepState } from './sweep-state.ts';

export { progressQuery, type SweepProgress } from './sweep-control.ts';
export type { CellState } from './sweep-book.ts';
export { cellWorkflowId, evaluationsWorkflowId } from './sweep-cells.ts';

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

/** Cells computed (config + key) per workflow task at most; past that the loop yields. */
const CELLS_PER_TASK = 2000;
/** Settled cells between two search-attribute upserts (each is a history event). */
const UPSERT_EVERY = 10;

/** Workflow patch: no intermediate aggregation when the sweep's last cell settles. */
const PATCH_FINAL_AGGREGATE_ONLY = 'final-aggregate-only';

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
  const control = new SweepState(sweep.sweepId, book, {
    paused: carry?.paused ?? false,
    concurrency: carry?.concurrency ?? input.config.concurrency,
    startedAt: carry?.startedAt ?? Date.now(),
    generation: (carry?.generation ?? 0) + 1,
  });
  setSweepHandlers(control, showDetails);

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
      RexsweepState: [control.phase()],
      RexsweepCellsDone: [c.finished + c.cached],
      RexsweepCellsFailed: [c.failed],
      RexsweepCellsTotal: [book.cellCount],
    });
  };

  const tracking = carry?.tracking ?? (await record.beginSweep(sweep, input.params));
  const aggregation = new SweepAggregation(sweep, tracking, control, input.config.queues.workflow, carry?.groupsDone ?? {});
  const cells = new SweepCells({
    sweep,
    tracking,
    record,
    control,
    onSettled: (cell, state) => {
      aggregation.settled(cell, state);
      control.settled(cell, state);
    },
  });

  const close = async (how: SweepClose) => {
    const c = book.counts();
    await record.finishSweep(sweep, tracking, { ...c, total: book.cellCount }, how);
  };

  try {
    let startedThisRun = 0;
    publish(true);
    for (;;) {
      const seen = control.tick;
      const budget = { cells: CELLS_PER_TASK };
      while (!control.stop && !control.paused && book.inFlight < control.concurrency && startedThisRun < book.sweep.cellsPerRun) {
        const next = book.next(budget);
        if (!next) break;
        startedThisRun++;
        cells.launch(next.cell, next.restart ?? input.restart);
      }
      publish();
      const done = book.inFlight === 0 && (control.stop || !book.hasWork());
      // The last group's completion is covered by the final aggregation below: starting an
      // intermediate one too read every run twice (27 min each for 10,000 cells here).
      if (!(done && patched(PATCH_FINAL_AGGREGATE_ONLY))) aggregation.maybeAggregate();
      if (done) break;
      if (book.inFlight === 0 && startedThisRun >= book.sweep.cellsPerRun && !control.paused) {
        // A fresh history: the cells settled so far travel by key. Updates accepted meanwhile
        // must have finished first, or their callers would see them lost; so must an aggregation.
        await condition(allHandlersFinished);
        await aggregation.aggregating;
        const next: SweepCarry = {
          book: book.carry(),
          tracking,
          paused: control.paused,
          concurrency: control.concurrency,
          startedAt: control.startedAt,
          generation: control.generation,
          groupsDone: aggregation.carry(),
        };
        return await continueAsNew<typeof sweepWorkflow>({ ...input, config: book.sweep, carry: next });
      }
      // Ran out of this task's budget of cells to compute: yield, and go on in the next task.
      if (budget.cells <= 0) await sleep(1);
      else if (aggregation.groupCompleted && !aggregation.aggregating) await condition(() => control.tick !== seen, Math.max(1, aggregation.nextAggregateAt - Date.now()));
      else await condition(() => control.tick !== seen);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The sweep workflow itself was cancelled (Temporal UI, `temporal workflow cancel`): its
    // cells were cancelled with it; close the parent run KILLED even so.
    control.ended = 'cancelled';
    await CancellationScope.nonCancellable(() => close({ status: 'KILLED', reason: 'sweep workflow cancelled' }));
    throw err;
  }

  // The full report (tables, figures, HTML) on the parent run, whatever the ending.
  await aggregation.aggregating;
  await aggregation.aggregate(true);
  const counts = book.counts();
  const stop = control.stop;
  if (stop) {
    control.ended = stop.outcome;
    publish(true);
    await close({ status: stop.outcome === 'cancelled' ? 'KILLED' : 'FAILED', reason: stop.reason });
    // FAILED, not COMPLETED: a later `rexsweep run` of this sweep starts a new run that resumes it.
    throw ApplicationFailure.nonRetryable(stop.reason, stop.outcome === 'cancelled' ? 'SweepCancelled' : 'SweepFailed', control.progress());
  }
  control.ended = 'finished';
  publish(true);
  await close(counts.failed > 0 ? { status: 'FAILED', reason: `${counts.failed} of ${book.cellCount} cells failed` } : { status: 'FINISHED' });
  return control.progress();
}
