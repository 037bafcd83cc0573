/** The aggregates table of a collected sweep (report/schema.ts), its comparisons included, and lookups into it. */
import { aggregateCells } from './aggregate.ts';
import type { CollectedSweep } from './collect.ts';
import { buildComparisons } from './comparisons.ts';
import { STATISTIC_NOTE, type AggregateGroup, type AggregateTable, type ReportAttack } from './schema.ts';

export function buildTable(sweep: Pick<CollectedSweep, 'sweepId' | 'study' | 'cells'>): AggregateTable {
  return {
    format: 'rexsweep.aggregates/1',
    sweepId: sweep.sweepId,
    study: sweep.study,
    cells: sweep.cells.length,
    statistic: STATISTIC_NOTE,
    groups: aggregateCells(sweep.cells),
    comparisons: buildComparisons(sweep.cells),
  };
}

/** A (dataset, model, λ, ε_D) row of the paper's tables. */
export interface DefenseRow {
  dataset: string;
  model: string;
  lambda: number;
  epsilonD: number;
}

export function defenseRows(groups: ReadonlyArray<AggregateGroup>): DefenseRow[] {
  const seen = new Map<string, DefenseRow>();
  for (const g of groups) {
    const id = JSON.stringify([g.dataset, g.model, g.lambda, g.epsilonD]);
    if (!seen.has(id)) seen.set(id, { dataset: g.dataset, model: g.model, lambda: g.lambda, epsilonD: g.epsilonD });
  }
  return [...seen.values()]; // groups are sorted, so rows are too
}

export function findGroup(groups: ReadonlyArray<AggregateGroup>, row: DefenseRow, attack: ReportAttack, epsilonA: number): AggregateGroup | undefined {
  return groups.find(
    (g) => g.dataset === row.dataset && g.model === row.model && g.lambda === row.lambda && g.epsilonD === row.epsilonD && g.attack === attack && g.epsilonA === (attack === 'clean' ? 0 : epsilonA),
  );
}

/** The ε_A values evaluated under `attack`, ascending. */
export function epsilonsOf(groups: ReadonlyArray<AggregateGroup>, attack: ReportAttack): number[] {
  return [...new Set(groups.filter((g) => g.attack === attack).map((g) => g.epsilonA))].sort((a, b) => a - b);
}

/** Every metric name in the table, in a stable order: the headline ones first. */
export function metricNames(groups: ReadonlyArray<AggregateGroup>): string[] {
  const all = new Set(groups.flatMap((g) => Object.keys(g.metrics)));
  const head = HEADLINE_METRICS.filter((m) => all.has(m));
  return [...head, ...[...all].filter((m) => !head.includes(m)).sort()];
}

/** What people read first, and what the parent run carries as metrics. */
export const HEADLINE_METRICS = ['ndcg5', 'fns', 'f1', 'pn', 'ps', 'precision', 'recall', 'explained_frac', 'explanation_size', 'stability', 'ndcg5_drop', 'fns_drop'];

/** Display names. */
export const METRIC_LABEL: Record<string, string> = {
  ndcg5: 'NDCG@5',
  fns: 'F_NS',
  f1: 'F1',
  pn: 'PN',
  ps: 'PS',
  precision: 'P',
  recall: 'R',
  explained_frac: 'explained',
  explanation_size: '|E|',
  stability: 'stability',
  ndcg5_drop: 'NDCG@5 drop',
  fns_drop: 'F_NS drop',
};

export const metricLabel = (m: string): string => METRIC_LABEL[m] ?? m;
