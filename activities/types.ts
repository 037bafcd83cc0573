/**
 * The activity interfaces workflows proxy. Types only: workflow code imports this file, the
 * worker registers the implementations (activities/record.ts, activities/compute.ts).
 */
import type { EvaluationRow } from '../recsys/cell/result.ts';
import type { BeginCellResult, CellRun, SweepClose, CellRef, CellSummary, EvaluateInput, PreparedRef, RunCellInput, SweepRef, SweepTracking, TrainedRef } from './contracts.ts';

export interface RecordActivities {
  /** Get or create the study's experiment and the sweep's parent run. */
  beginSweep(sweep: SweepRef, params: Record<string, string>): Promise<SweepTracking>;
  /** Find the cell's run by its key, or create it. */
  beginCell(ref: CellRef): Promise<BeginCellResult>;
  /** Log final metrics and close the run FINISHED. */
  finishCell(ref: CellRef, runId: string, trained: TrainedRef, rows: EvaluationRow[]): Promise<CellSummary>;
  /**
   * Add evaluations of a finished cell's stored model to its run (metrics and the evaluations
   * tag); the run stays FINISHED. Returns the summary read back from the run.
   */
  addEvaluations(ref: CellRef, runId: string, rows: EvaluationRow[]): Promise<CellSummary>;
  /** Close the run FAILED or KILLED with the reason (and the training curve, if training finished). */
  failCell(ref: CellRef, runId: string, reason: string, status: 'FAILED' | 'KILLED', trained?: TrainedRef): Promise<void>;
  /**
   * Record the sweep's counts on the parent run and close it: FINISHED when every cell finished,
   * FAILED when cells failed or the sweep stopped on a failure limit, KILLED when cancelled.
   */
  finishSweep(sweep: SweepRef, tracking: SweepTracking, counts: Record<string, number>, close: SweepClose): Promise<void>;
}

export interface ComputeActivities {
  prepareData(ref: CellRef): Promise<PreparedRef>;
  trainCell(ref: CellRef, runId: string): Promise<TrainedRef>;
  evaluateCell(input: EvaluateInput): Promise<EvaluationRow>;
  /** Prepare, train and evaluate the whole plan in one attempt, resumable step by step. */
  runCell(input: RunCellInput): Promise<CellRun>;
}
