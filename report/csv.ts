/**
 * The aggregates as CSV, one row per group (dataset, model, defense, attack, ε_A) and three
 * columns per metric: `<m>_mean`, `<m>_sd` (empty when n = 1), `<m>_n` (empty when the group
 * lacks the metric). Numbers are written in full precision (shortest round-trip form).
 *
 * The comparisons (report/comparisons.ts) are a second file, comparisons.csv: one row per
 * comparison, in the table's order, with both sides spelled out (`a_*`, `b_*`), the paired seeds
 * and the statistics; empty cells where a statistic is null (one seed; t when sd = 0).
 */
import { defenseLabel } from './aggregate.ts';
import { comparisonLabel } from './comparisons.ts';
import type { AggregateTable, ComparisonSide } from './schema.ts';
import { metricNames } from './table.ts';

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tableToCsv(table: AggregateTable): string {
  const metrics = metricNames(table.groups);
  const header = ['dataset', 'model', 'defense', 'lambda', 'epsilon_d', 'attack', 'epsilon_a', 'seeds', ...metrics.flatMap((m) => [`${m}_mean`, `${m}_sd`, `${m}_n`])];
  const lines = [header.join(',')];
  for (const g of table.groups) {
    const fixed = [g.dataset, g.model, defenseLabel(g.lambda, g.epsilonD), g.lambda, g.epsilonD, g.attack, g.epsilonA, g.seeds.join(' ')];
    const stats = metrics.flatMap((m) => {
      const s = g.metrics[m];
      return s ? [s.mean, s.sd, s.n] : [null, null, null];
    });
    lines.push([...fixed, ...stats].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}

const sideColumns = (p: 'a' | 'b') => [`${p}_defense`, `${p}_lambda`, `${p}_epsilon_d`, `${p}_attack`, `${p}_epsilon_a`];
const sideCells = (s: ComparisonSide) => [defenseLabel(s.lambda, s.epsilonD), s.lambda, s.epsilonD, s.attack, s.epsilonA];

export const COMPARISON_CSV_HEADER = [
  'kind',
  'dataset',
  'model',
  'metric',
  'comparison',
  ...sideColumns('a'),
  ...sideColumns('b'),
  'seeds',
  'n',
  'mean_diff',
  'sd',
  'ci95_lo',
  'ci95_hi',
  't',
  'df',
  'p',
  'claimed',
  'supported',
  'contradicted',
];

export function comparisonsToCsv(table: AggregateTable): string {
  const lines = [COMPARISON_CSV_HEADER.join(',')];
  for (const c of table.comparisons) {
    const row = [
      c.kind,
      c.dataset,
      c.model,
      c.metric,
      comparisonLabel(c),
      ...sideCells(c.a),
      ...sideCells(c.b),
      c.seeds.join(' '),
      c.n,
      c.meanDiff,
      c.sd,
      c.ci95?.[0],
      c.ci95?.[1],
      c.t,
      c.df,
      c.p,
      c.claimed,
      String(c.supported),
      c.contradicted === undefined ? undefined : String(c.contradicted),
    ];
    lines.push(row.map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}
