/**
 * Seed aggregates on the parent run: when a group's seeds are all finished (at most once a
 * minute, or less often if aggregating takes long), and in full at the end. The main loop
 * (sweep.ts) decides when to call maybeAggregate and how long to wait for the next one.
 */
import { proxyActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { SweepRef, SweepTracking } from '../activities/contracts.ts';
import type { ReportActivities } from '../activities/report-types.ts';
import type { SweepCell } from '../sweep/expand.ts';
import type { SettledState } from './sweep-book.ts';
import type { SweepState } from './sweep-state.ts';

/** At least this long between two aggregations while the sweep runs (each reads the sweep's runs). */
const AGGREGATE_EVERY_MS = 60_000;

/** The seeds of one (dataset, model, λ, ε_D) are aggregated together. */
const groupOf = (cell: SweepCell) => `${cell.dataset}|${cell.model}|${cell.lambda}|${cell.epsilonD}`;

export class SweepAggregation {
  /** A group's seeds all finished since the last aggregation started. */
  groupCompleted = false;
  /** The aggregation under way, if any. */
  aggregating: Promise<void> | undefined;
  nextAggregateAt = 0;
  private readonly groupsDone: Map<string, number>;
  private readonly report: ActivityInterfaceFor<ReportActivities>;

  /** `groupsDone`: finished cells per group, carried across continue-as-new. */
  constructor(
    private readonly sweep: SweepRef,
    private readonly tracking: SweepTracking,
    private readonly control: SweepState,
    taskQueue: string,
    groupsDone: Record<string, number>,
  ) {
    this.groupsDone = new Map(Object.entries(groupsDone));
    // Aggregation is a convenience while the sweep runs: a few attempts, never the sweep's failure.
    // It reads every finished run, ~30 min for 10,000 cells on a 2-core machine: its heartbeat
    // tells a live attempt from a dead one, the start-to-close limit only caps it.
    this.report = proxyActivities<ReportActivities>({
      taskQueue,
      startToCloseTimeout: '6 hours',
      heartbeatTimeout: '2 minutes',
      retry: { maximumAttempts: 3, initialInterval: '5s' },
    });
  }

  aggregate(final: boolean): Promise<void> {
    const t0 = Date.now();
    this.groupCompleted = false;
    return this.report
      .aggregateSweep({ sweep: this.sweep, tracking: this.tracking, final })
      .then(
        () => undefined,
        () => undefined, // recomputed from MLflow at the end, or by `rexsweep report`
      )
      .finally(() => {
        this.nextAggregateAt = Date.now() + Math.max(AGGREGATE_EVERY_MS, 4 * (Date.now() - t0));
        this.aggregating = undefined;
        this.control.tick++;
      });
  }

  maybeAggregate(): void {
    if (this.groupCompleted && !this.aggregating && Date.now() >= this.nextAggregateAt) this.aggregating = this.aggregate(false);
  }

  /** Counts a finished cell in its group; the group is complete when all its seeds are. */
  settled(cell: SweepCell, state: SettledState): void {
    if (state === 'finished' || state === 'cached') {
      const n = (this.groupsDone.get(groupOf(cell)) ?? 0) + 1;
      this.groupsDone.set(groupOf(cell), n);
      if (n === this.control.book.sweep.seeds.length) this.groupCompleted = true;
    }
  }

  carry(): Record<string, number> {
    return Object.fromEntries(this.groupsDone);
  }
}
