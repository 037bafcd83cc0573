/**
 * The report activity's interface, which the sweep workflow proxies. Types only (no Node
 * imports): workflow code imports this file; activities/report.ts implements it.
 */
import type { SweepRef, SweepTracking } from './contracts.ts';

export interface AggregateSweepInput {
  sweep: SweepRef;
  tracking: SweepTracking;
  /**
   * false: aggregates only (metrics + aggregates.csv/json on the parent run), cheap enough to
   * call while the sweep runs. true: also the figures (SVG + PNG) and report.html, once at the end.
   */
  final: boolean;
}

export interface AggregateSweepResult {
  /** (dataset, model, λ, ε_D, attack, ε_A) groups in the table. */
  groups: number;
  /** FINISHED cell runs aggregated. */
  cells: number;
}

export interface ReportActivities {
  /**
   * Recompute the sweep's seed aggregates from its cell runs in MLflow and log them to the
   * parent run (report/ for the layout). Idempotent: a retry or a second call with unchanged
   * results logs no new metric points and overwrites the artifacts with identical files.
   */
  aggregateSweep(input: AggregateSweepInput): Promise<AggregateSweepResult>;
}
