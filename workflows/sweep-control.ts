/**
 * How a running sweep is watched and steered: one query and six updates (Temporal updates, so
 * the caller learns at once whether the change was accepted, and a rejected one leaves no trace
 * in the history). `rexsweep pause|resume|cancel|concurrency|rerun-failed` and `rexsweep run`
 * (extension) send them; any Temporal client can.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CellSummary } from '../activities/contracts.ts';
import type { SweepConfig } from '../sweep/schema.ts';
import type { CellFailure, Counts, Restart } from './sweep-book.ts';

/**
 * running   cells are being started
 * paused    no new cell starts; cells in flight go on
 * stopping  cancel or a failure limit: no new cell starts; waiting for (or cancelling) the ones in flight
 * finished / failed / cancelled   the workflow has ended (the last two end it FAILED, so a later run may resume)
 */
export type SweepPhase = 'running' | 'paused' | 'stopping' | 'finished' | 'failed' | 'cancelled';

export interface SweepProgress {
  sweepId: string;
  phase: SweepPhase;
  /** Why the sweep stopped early (cancel, failFast, maxFailedCells). */
  stopReason?: string;
  total: number;
  counts: Counts;
  concurrency: number;
  /** Workflow runs of this sweep so far (it continues as new every `cellsPerRun` cells). */
  generation: number;
  startedAt: number;
  /** The latest finished cells' headline numbers (at most KEPT_SUMMARIES; `summariesDropped` older ones). */
  summaries: CellSummary[];
  summariesDropped: number;
  failures: CellFailure[];
  failuresDropped: number;
  done: boolean;
}

export interface CancelRequest {
  /**
   * 'finish': cells in flight run to their end and are recorded; 'cancel': they are cancelled,
   * their runs closed KILLED, and a later run starts them again (from their checkpoints).
   */
  inFlight: 'finish' | 'cancel';
  reason?: string;
}

export interface RerunRequest {
  /** 'checkpoint': training resumes from the run's latest checkpoint; 'scratch': from epoch 0. */
  from: Restart;
}

export const progressQuery = defineQuery<SweepProgress>('progress');
/** The config the sweep runs now (extensions included). */
export const configQuery = defineQuery<SweepConfig>('config');
export const pauseUpdate = defineUpdate<SweepProgress>('pause');
export const resumeUpdate = defineUpdate<SweepProgress>('resume');
export const cancelUpdate = defineUpdate<SweepProgress, [CancelRequest]>('cancel');
export const setConcurrencyUpdate = defineUpdate<SweepProgress, [number]>('setConcurrency');
/** A config with the same fixed settings and a larger grid (sweep/extension.ts). */
export const extendUpdate = defineUpdate<SweepProgress, [SweepConfig]>('extend');
export const rerunFailedUpdate = defineUpdate<SweepProgress, [RerunRequest]>('rerunFailed');

/** Upper bound on cells in flight: each is a child workflow and a few pending activities. */
export const MAX_CONCURRENCY = 1000;
