/**
 * One cell: find or create its MLflow run, prepare data, train once, evaluate clean and under
 * every attack at every ε_A, record. A cell that already has a FINISHED run trains nothing: it
 * is reused as it is, or, when it lacks evaluations now asked for (a new ε_A or attack), those
 * are run on its stored model and added to the same run.
 *
 * Since ONE_COMPUTE_ACTIVITY, a cell is one compute activity (prepare, train, evaluate; resumable
 * step by step) between two local record activities: ~15 history events instead of ~59. Cells
 * recorded before it replay on the earlier path (one activity per step).
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { BeginCellResult, CellOutcome, CellRef, CellRun, CellSummary, EvaluateInput, StoredModel, TrainedRef } from '../activities/contracts.ts';
import type { ComputeActivities, RecordActivities } from '../activities/types.ts';
import type { EvaluationRow } from '../recsys/cell/result.ts';
import { cellEvaluations } from '../sweep/expand.ts';
import type { RetryPolicies } from '../sweep/schema.ts';
import { activityOptions, localActivityOptions } from './activity-options.ts';

export interface CellWorkflowInput {
  ref: Omit<CellRef, 'workflowId'>;
  queues: { workflow: string; gpu: string };
  /** The sweep's retry policies (defaults in activity-options.ts). */
  retry?: Partial<RetryPolicies>;
}

/** Workflow patch: the cell as one compute activity with local record activities (issue 14). */
export const ONE_COMPUTE_ACTIVITY = 'rexsweep-cell-one-compute-activity';

interface CellActivities {
  record: RecordActivities;
  prepare: ComputeActivities;
  compute: ComputeActivities;
}

export async function cellWorkflow({ ref: partial, queues, retry = {} }: CellWorkflowInput): Promise<CellOutcome> {
  const ref: CellRef = { ...partial, workflowId: workflowInfo().workflowId };
  const oneActivity = patched(ONE_COMPUTE_ACTIVITY);
  const acts: CellActivities = {
    record: oneActivity
      ? proxyLocalActivities<RecordActivities>(localActivityOptions('record', retry.record))
      : proxyActivities<RecordActivities>(activityOptions('record', queues.workflow, retry.record)),
    prepare: proxyActivities<ComputeActivities>(activityOptions('prepare', queues.gpu, retry.prepare)),
    compute: proxyActivities<ComputeActivities>(activityOptions('compute', queues.gpu, retry.compute)),
  };

  // Not cancellable: a run created just as the cell is cancelled must be known, to be closed KILLED.
  const begun = await CancellationScope.nonCancellable(() => acts.record.beginCell(ref));
  if (begun.finished && begun.summary) {
    if (!begun.stored) return { state: 'finished', cached: true, summary: begun.summary };
    return evaluateStored(ref, begun, begun.stored, acts);
  }
  return oneActivity ? trainAndEvaluate(ref, begun.runId, acts) : trainAndEvaluateStepByStep(ref, begun.runId, acts);
}

/** One compute activity prepares, trains and evaluates; only its accepted result reaches the run. */
async function trainAndEvaluate(ref: CellRef, runId: string, { record, compute }: CellActivities): Promise<CellOutcome> {
  let run: CellRun;
  try {
    run = await compute.runCell({ ref, runId, plan: cellEvaluations(ref.cell) });
  } catch (err) {
    // Cancelled, or failed before its evaluations could (training diverged, bad input, retries
    // spent): the attempt's training curve, if any, is not known here.
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => record.failCell(ref, runId, 'cancelled', 'KILLED'));
      throw err;
    }
    return failed(ref, runId, describeFailure(err), record);
  }
  if (run.failure) return failed(ref, runId, `${run.failure.type}: ${run.failure.message}`, record, run.trained);
  return { state: 'finished', cached: false, summary: await record.finishCell(ref, runId, run.trained, run.rows) };
}

/** The cell as recorded before ONE_COMPUTE_ACTIVITY: one activity per step (replayed, never started). */
async function trainAndEvaluateStepByStep(ref: CellRef, runId: string, { record, prepare, compute }: CellActivities): Promise<CellOutcome> {
  // What this workflow accepted: only these paths and this curve reach the run's result, so
  // writes of a superseded attempt (one Temporal gave up on, still running) land nowhere that
  // counts (activities/compute-work.ts).
  let trained: TrainedRef | undefined;
  try {
    await prepare.prepareData(ref);
    trained = await compute.trainCell(ref, runId);
    const { losses: _curve, ...model } = trained;
    const rows: EvaluationRow[] = [];
    const plan: Pick<EvaluateInput, 'attack' | 'epsilon'>[] = cellEvaluations(ref.cell);
    // Sequential: the clean evaluation's explanations are the reference for stability.
    for (const step of plan) {
      const cleanExplanations = rows[0]?.explanationsArtifact;
      rows.push(await compute.evaluateCell({ ref, runId, trained: model, ...step, ...(cleanExplanations ? { cleanExplanations } : {}) }));
    }
    const summary: CellSummary = await record.finishCell(ref, runId, trained, rows);
    return { state: 'finished', cached: false, summary };
  } catch (err) {
    if (isCancellation(err)) {
      // Close the run as KILLED even though the workflow is being cancelled.
      await CancellationScope.nonCancellable(() => record.failCell(ref, runId, 'cancelled', 'KILLED', trained));
      throw err;
    }
    // Non-retryable errors (divergence, infeasible, bad input) arrive at once; infrastructure
    // errors only after their retries are spent. Either way the cell fails, recorded, and the
    // sweep goes on.
    return failed(ref, runId, describeFailure(err), record, trained);
  }
}

/**
 * Record the failure on the run, then end the workflow FAILED (not COMPLETED): the sweep records
 * the failure, and a later run of the sweep may start this cell again (ALLOW_DUPLICATE_FAILED_ONLY).
 */
async function failed(ref: CellRef, runId: string, reason: string, record: RecordActivities, trained?: TrainedRef): Promise<never> {
  await record.failCell(ref, runId, reason, 'FAILED', trained);
  throw ApplicationFailure.nonRetryable(reason, 'CellFailed', { runId });
}

/**
 * The evaluations a finished cell lacks, on its stored model. Its run stays FINISHED on every
 * path: a failure here fails the cell in the sweep (a later run tries again) but never touches
 * the training and evaluations already done.
 */
async function evaluateStored(
  ref: CellRef,
  begun: BeginCellResult,
  stored: StoredModel,
  { record, prepare, compute }: CellActivities,
): Promise<CellOutcome> {
  try {
    if (stored.unavailable) throw ApplicationFailure.nonRetryable(stored.unavailable, 'StoredModelUnavailable');
    await prepare.prepareData(ref);
    const evaluate = (step: Pick<EvaluateInput, 'attack' | 'epsilon'>, cleanExplanations?: string) =>
      compute.evaluateCell({ ref, runId: begun.runId, trained: stored.trained, ...step, ...(cleanExplanations ? { cleanExplanations } : {}) });
    const rows: EvaluationRow[] = [];
    let reference = stored.cleanExplanations;
    for (const step of stored.missing) {
      // A run written before the clean explanations were tagged: evaluate clean again for the
      // reference (deterministic; not logged a second time).
      if (step.attack !== 'none' && !reference) reference = (await evaluate({ attack: 'none', epsilon: 0 })).explanationsArtifact;
      const row = await evaluate(step, reference);
      if (step.attack === 'none') reference = row.explanationsArtifact;
      rows.push(row);
    }
    return { state: 'finished', cached: false, summary: await record.addEvaluations(ref, begun.runId, rows) };
  } catch (err) {
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.nonRetryable(`evaluating the stored model: ${describeFailure(err)}`, 'CellFailed', { runId: begun.runId });
  }
}

function describeFailure(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  return err instanceof Error ? err.message : String(err);
}
