/**
 * The aggregates as CSV, one row per group (dataset, model, defense, attack, ε_A) and three
 * columns per metric: `<m>_mean`, `<m>_sd` (empty when n = 1), `<m>_n` (empty when the group
 * lacks the metric). Numbers are written in full precision (shortest round-trip form).
 */
import { defenseLabel } from './aggregate.ts';
import type { AggregateTable } from './schema.ts';
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
