/**
 * A sweep run's control state, as in Temporal's safe-message-handlers sample: what the updates
 * change (sweep-handlers.ts), what settled cells change (sweep-cells.ts), what the progress query
 * answers, and what the main loop (sweep.ts) reads. It issues no command but one kind: a stop
 * that cancels the cells in flight cancels their scopes, and so their child workflows.
 */
import type { CancellationScope } from '@temporalio/workflow';
import type { SweepCell } from '../sweep/expand.ts';
import type { SettledState, SweepBook } from './sweep-book.ts';
import type { SweepPhase, SweepProgress } from './sweep-control.ts';

export interface StopRequest {
  reason: string;
  inFlight: 'finish' | 'cancel';
  /** How the workflow ends: 'failed' (failure limit) or 'cancelled' (the user). */
  outcome: 'failed' | 'cancelled';
}

export interface SweepStateInit {
  paused: boolean;
  concurrency: number;
  startedAt: number;
  generation: number;
}

export class SweepState {
  paused: boolean;
  concurrency: number;
  readonly startedAt: number;
  readonly generation: number;
  stop: StopRequest | undefined;
  ended: SweepPhase | undefined;
  // Bumped by every event the main loop waits for (a cell settled, an update applied).
  tick = 0;
  /** The cells in flight, by key: a stop with inFlight 'cancel' cancels them. */
  readonly scopes = new Map<string, CancellationScope>();

  constructor(
    private readonly sweepId: string,
    readonly book: SweepBook,
    init: SweepStateInit,
  ) {
    this.paused = init.paused;
    this.concurrency = init.concurrency;
    this.startedAt = init.startedAt;
    this.generation = init.generation;
  }

  phase(): SweepPhase {
    return this.ended ?? (this.stop ? 'stopping' : this.paused ? 'paused' : 'running');
  }

  progress(): SweepProgress {
    const { summaries, dropped: summariesDropped } = this.book.keptSummaries();
    const { failures, dropped: failuresDropped } = this.book.keptFailures();
    return {
      sweepId: this.sweepId,
      phase: this.phase(),
      ...(this.stop ? { stopReason: this.stop.reason } : {}),
      total: this.book.cellCount,
      counts: this.book.counts(),
      concurrency: this.concurrency,
      generation: this.generation,
      startedAt: this.startedAt,
      summaries,
      summariesDropped,
      failures,
      failuresDropped,
      done: this.ended !== undefined,
    };
  }

  requestStop(s: StopRequest): void {
    this.stop ??= s;
    if (s.inFlight === 'cancel') for (const scope of this.scopes.values()) scope.cancel();
    this.tick++;
  }

  /** Every update changes the control state, wakes the main loop and answers the new progress. */
  apply(change: () => void): SweepProgress {
    change();
    this.tick++;
    return this.progress();
  }

  /** failFast and maxFailedCells: a failed cell may stop the sweep. */
  settled(cell: SweepCell, state: SettledState): void {
    const c = this.book.counts();
    const limit = this.book.sweep.maxFailedCells;
    if (state !== 'failed' || this.stop) return;
    if (this.book.sweep.failFast) this.requestStop({ reason: `failFast: cell ${cell.key} failed`, inFlight: 'cancel', outcome: 'failed' });
    else if (limit !== undefined && c.failed > limit) this.requestStop({ reason: `${c.failed} cells failed (maxFailedCells ${limit})`, inFlight: 'finish', outcome: 'failed' });
  }
}
