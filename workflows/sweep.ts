/**
 * A sweep: expand the grid (deterministically, here in the workflow), then run one child cell
 * workflow per cell with a sliding window of `concurrency` cells in flight. A cell whose
 * workflow already completed (an earlier run of this sweep) is not started again.
 */
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  defineQuery,
  executeChild,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CellOutcome, CellSummary, SweepRef } from '../activities/contracts.ts';
import type { RecordActivities } from '../activities/types.ts';
import { expandSweep, type SweepCell } from '../sweep/expand.ts';
import type { SweepConfig } from '../sweep/schema.ts';
import { recordOptions } from './activity-options.ts';
import { cellWorkflow } from './cell.ts';

export interface SweepWorkflowInput {
  sweep: Omit<SweepRef, 'workflowId'>;
  /** The parsed sweep config; the grid is expanded here (pure, deterministic). */
  config: SweepConfig;
  /** Canonical sweep-level parameters for the parent run. */
  params: Record<string, string>;
}

export type CellState = 'pending' | 'running' | 'finished' | 'cached' | 'failed';

export interface SweepProgress {
  sweepId: string;
  total: number;
  counts: Record<CellState, number>;
  startedAt: number;
  /** Finished cells' headline numbers, for the result table. */
  summaries: CellSummary[];
  failures: { cellKey: string; reason: string }[];
  done: boolean;
}

export const progressQuery = defineQuery<SweepProgress>('progress');

export function cellWorkflowId(sweepWorkflowId: string, cellKey: string): string {
  return `${sweepWorkflowId}/cell-${cellKey}`;
}

export async function sweepWorkflow(input: SweepWorkflowInput): Promise<SweepProgress> {
  const sweep: SweepRef = { ...input.sweep, workflowId: workflowInfo().workflowId };
  const { queues, concurrency } = input.config;
  const cells = expandSweep(input.config);
  const record = proxyActivities<RecordActivities>(recordOptions(queues.workflow));
  const state = new Map<string, CellState>(cells.map((c) => [c.key, 'pending']));
  const progress: SweepProgress = {
    sweepId: sweep.sweepId,
    total: cells.length,
    counts: { pending: cells.length, running: 0, finished: 0, cached: 0, failed: 0 },
    startedAt: Date.now(),
    summaries: [],
    failures: [],
    done: false,
  };
  setHandler(progressQuery, () => progress);
  const move = (key: string, to: CellState) => {
    progress.counts[state.get(key)!]--;
    progress.counts[to]++;
    state.set(key, to);
  };

  const tracking = await record.beginSweep(sweep, input.params);

  const runCell = async (c: SweepCell): Promise<void> => {
    move(c.key, 'running');
    let outcome: CellOutcome;
    try {
      outcome = await executeChild(cellWorkflow, {
        workflowId: cellWorkflowId(sweep.workflowId, c.key),
        taskQueue: queues.workflow,
        args: [{ ref: { sweep, tracking, cellKey: c.key, cell: c.config }, queues }],
        // A completed cell is never started again; a failed one may be, on a later run.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
    } catch (err) {
      if (err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'CellFailed') {
        progress.failures.push({ cellKey: c.key, reason: err.cause.message });
        move(c.key, 'failed');
        return;
      }
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Completed by an earlier run of this sweep: beginCell finds its FINISHED run.
      const begun = await record.beginCell({ sweep, tracking, cellKey: c.key, cell: c.config, workflowId: cellWorkflowId(sweep.workflowId, c.key) });
      outcome = begun.finished && begun.summary
        ? { state: 'finished', cached: true, summary: begun.summary }
        : { state: 'failed', reason: 'cell workflow completed earlier but its run is not FINISHED', runId: begun.runId };
    }
    if (outcome.state === 'finished') {
      progress.summaries.push(outcome.summary);
      move(c.key, outcome.cached ? 'cached' : 'finished');
    } else {
      progress.failures.push({ cellKey: c.key, reason: outcome.reason });
      move(c.key, 'failed');
    }
  };

  // Sliding window: at most `concurrency` cells in flight.
  const queue = cells.slice();
  const inFlight = new Set<Promise<void>>();
  while (queue.length > 0 || inFlight.size > 0) {
    while (inFlight.size < concurrency && queue.length > 0) {
      const p: Promise<void> = runCell(queue.shift()!).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.race(inFlight);
  }

  await record.finishSweep(sweep, tracking, { ...progress.counts, total: progress.total });
  progress.done = true;
  return progress;
}
