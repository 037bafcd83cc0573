/**
 * One cell as the sweep runs it: a child cell workflow named by the sweep and the cell's key, in
 * a cancellation scope of its own (a stop may cancel it), settled into the book however it ends.
 * A cell whose workflow id is taken was started by an earlier run of this sweep: its MLflow run
 * says whether it finished, and whether it still needs evaluations of its stored model.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  executeChild,
  isCancellation,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CellOutcome, CellSummary, SweepRef, SweepTracking } from '../activities/contracts.ts';
import type { RecordActivities } from '../activities/types.ts';
import { canonicalJson } from '../sweep/canonical.ts';
import { cellEvaluations, type SweepCell } from '../sweep/expand.ts';
import { sha256Hex } from '../sweep/sha256.ts';
import { cellDetails, cellSummary } from '../sweep/ui-summary.ts';
import { cellWorkflow } from './cell.ts';
import type { Restart, SettledState } from './sweep-book.ts';
import type { SweepState } from './sweep-state.ts';

export function cellWorkflowId(sweepWorkflowId: string, cellKey: string): string {
  return `${sweepWorkflowId}/cell-${cellKey}`;
}

/** The workflow that adds evaluations to a finished cell: one per set of evaluations asked for. */
export function evaluationsWorkflowId(cellWorkflowId: string, cell: Pick<SweepCell, 'config'>): string {
  const plan = cellEvaluations(cell.config).map((e) => `${e.attack}@${e.epsilon}`);
  return `${cellWorkflowId}/evaluations-${sha256Hex(canonicalJson(plan)).slice(0, 12)}`;
}

/** How a cell ended, as the sweep records it. */
interface CellSettlement {
  state: SettledState;
  summary?: CellSummary;
  reason?: string;
}

export interface SweepCellsContext {
  sweep: SweepRef;
  tracking: SweepTracking;
  record: ActivityInterfaceFor<RecordActivities>;
  control: SweepState;
  /** After the book has settled the cell, before its scope is dropped and the main loop woken. */
  onSettled(cell: SweepCell, state: SettledState): void;
}

export class SweepCells {
  constructor(private readonly ctx: SweepCellsContext) {}

  launch(cell: SweepCell, restart: Restart | undefined): void {
    const { control } = this.ctx;
    const scope = new CancellationScope();
    control.scopes.set(cell.key, scope);
    // Settled in the handlers below; nothing awaits a single cell here.
    void scope
      .run(() => this.runCell(cell, restart))
      // An error past the cell workflow (its bookkeeping activity gave up): the cell failed.
      .catch((err: unknown): CellSettlement => ({ state: 'failed', reason: `sweep could not run the cell: ${err instanceof Error ? err.message : String(err)}` }))
      .then((r) => {
        control.book.settle(cell, r.state, r);
        this.ctx.onSettled(cell, r.state);
      })
      .finally(() => {
        control.scopes.delete(cell.key);
        control.tick++;
      });
  }

  private startCell(cell: SweepCell, workflowId: string, restart: Restart | undefined): Promise<CellOutcome> {
    const { sweep, tracking, control } = this.ctx;
    const { book } = control;
    return executeChild(cellWorkflow, {
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
  }

  private async runCell(cell: SweepCell, restart: Restart | undefined): Promise<CellSettlement> {
    const { sweep, tracking, record } = this.ctx;
    const workflowId = cellWorkflowId(sweep.workflowId, cell.key);
    let outcome: CellOutcome;
    try {
      outcome = await this.startCell(cell, workflowId, restart);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) return this.settlementOfError(err);
      // Completed by an earlier run of this sweep (or still running from one): its MLflow run says.
      const begun = await record.beginCell({ sweep, tracking, cellKey: cell.key, cell: cell.config, workflowId });
      if (begun.finished && begun.stored) {
        // Finished, but asked for evaluations it lacks: a cell workflow of its own for them (the
        // completed one is never started again), named by the evaluations asked for.
        try {
          outcome = await this.startCell(cell, evaluationsWorkflowId(workflowId, cell), restart);
        } catch (again) {
          if (!(again instanceof WorkflowExecutionAlreadyStartedError)) return this.settlementOfError(again);
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
  }

  /** A cell workflow's failure as the sweep records it; anything else is the sweep's own error. */
  private settlementOfError(err: unknown): CellSettlement {
    if (isCancellation(err)) return { state: 'cancelled', reason: this.ctx.control.stop?.reason ?? 'cancelled' };
    if (err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'CellFailed') {
      return { state: 'failed', reason: err.cause.message };
    }
    throw err;
  }
}
