/**
 * The paper's table shape for a terminal: rows dataset × model × defense, columns the clean
 * metrics, then the same metrics under one attack at one ε_A (default FGSM at the largest ε_A;
 * the CSV/JSON/HTML outputs hold every attack and ε_A).
 */
import { ATTACK_NAMES, ATTACKS } from '../recsys/attacks/index.ts';
import { defenseLabel } from './aggregate.ts';
import { formatStats } from './format.ts';
import type { AggregateTable, ReportAttack } from './schema.ts';
import { defenseRows, epsilonsOf, findGroup, metricLabel } from './table.ts';
import { ReportError } from './errors.ts';
import { columnWidths, padRow } from './text.ts';

export interface TerminalTableOptions {
  attack?: Exclude<ReportAttack, 'clean'>;
  /** ε_A of the attacked columns; default the largest evaluated. */
  epsilonA?: number;
  cleanMetrics?: string[];
  attackedMetrics?: string[];
}

export function terminalTable(table: AggregateTable, opts: TerminalTableOptions = {}): string {
  const attack = opts.attack ?? 'fgsm';
  const epsilons = epsilonsOf(table.groups, attack);
  const epsilonA = opts.epsilonA ?? epsilons[epsilons.length - 1];
  if (opts.epsilonA !== undefined && !epsilons.includes(opts.epsilonA)) {
    throw new ReportError(`${attack} was not evaluated at ε_A = ${opts.epsilonA}; evaluated: ${epsilons.join(', ') || 'none'}`);
  }
  const cleanMetrics = opts.cleanMetrics ?? ['ndcg5', 'f1', 'fns'];
  const attackedMetrics = opts.attackedMetrics ?? ['ndcg5', 'f1', 'fns', 'stability'];

  const head = ['dataset', 'model', 'defense', ...cleanMetrics.map(metricLabel), ...(epsilonA === undefined ? [] : attackedMetrics.map(metricLabel))];
  const body = defenseRows(table.groups).map((row) => {
    const clean = findGroup(table.groups, row, 'clean', 0);
    const attacked = epsilonA === undefined ? undefined : findGroup(table.groups, row, attack, epsilonA);
    return [
      row.dataset,
      row.model,
      defenseLabel(row.lambda, row.epsilonD),
      ...cleanMetrics.map((m) => formatStats(clean?.metrics[m], 3, '±')),
      ...(epsilonA === undefined ? [] : attackedMetrics.map((m) => formatStats(attacked?.metrics[m], 3, '±'))),
    ];
  });
  const widths = columnWidths([head, ...body]);
  const fixed = 3;
  const line = (cells: string[]): string => {
    const pad = padRow(cells, widths);
    const parts = [pad.slice(0, fixed).join('  '), pad.slice(fixed, fixed + cleanMetrics.length).join('  ')];
    if (epsilonA !== undefined) parts.push(pad.slice(fixed + cleanMetrics.length).join('  '));
    return parts.join(' │ ').trimEnd();
  };
  // A header line above the metric columns says which block is which.
  const blockWidth = (from: number, to: number): number => widths.slice(from, to).reduce((s, w) => s + w, 0) + 2 * Math.max(0, to - from - 1);
  const cleanWidth = blockWidth(fixed, fixed + cleanMetrics.length);
  const above = [
    ' '.repeat(blockWidth(0, fixed)),
    'clean'.padEnd(cleanWidth),
    ...(epsilonA === undefined ? [] : [`${ATTACKS[attack].title} ε_A = ${epsilonA}`]),
  ].join(' │ ');

  const seeds = [...new Set(table.groups.flatMap((g) => g.seeds))].sort((a, b) => a - b);
  const lines = [
    `sweep ${table.sweepId} (study ${table.study}): ${table.cells} finished cell(s), seeds ${seeds.join(', ') || '—'}`,
    `mean ± sample SD (n − 1) over seeds; a value without ± had one seed`,
    '',
    above.trimEnd(),
    line(head),
    ...body.map(line),
  ];
  const other = [
    ...epsilons.filter((e) => e !== epsilonA).map((e) => `--epsilon ${e}`),
    ...ATTACK_NAMES.filter((a) => a !== attack && epsilonsOf(table.groups, a).length > 0).map((a) => `--attack ${a}`),
  ];
  if (other.length > 0) lines.push('', `other columns: ${other.join(', ')}; every metric: --csv, --json, --out DIR`);
  return lines.join('\n') + '\n';
}
