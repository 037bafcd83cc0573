/**
 * The paper's table shape for a terminal: rows dataset × model × defense, columns the clean
 * metrics, then the same metrics under one attack at one ε_A (default FGSM at the largest ε_A;
 * the CSV/JSON/HTML outputs hold every attack and ε_A).
 *
 * After it, the paired comparisons (report/comparisons.ts) that speak to those columns: defended
 * vs vanilla clean and under the same attack and ε_A, FGSM vs random at that ε_A. One line each,
 * under a `dataset …, model …` heading: metric, what a − b is, mean difference, 95 % CI, p, n,
 * verdict.
 */
import { ATTACK_NAMES, ATTACKS } from '../recsys/attacks/index.ts';
import { defenseLabel } from './aggregate.ts';
import { ATTACK_PAIR, COMPARISON_NOTE, comparisonLabel } from './comparisons.ts';
import { formatCi, formatDiff, formatP, formatStats, formatVerdict } from './format.ts';
import type { AggregateTable, Comparison, ReportAttack } from './schema.ts';
import { defenseRows, epsilonsOf, findGroup, metricLabel } from './table.ts';
import { ReportError } from './errors.ts';
import { columnWidths, padRow } from './text.ts';

export interface TerminalTableOptions {
  attack?: Exclude<ReportAttack, 'clean'>;
  /** ε_A of the attacked columns; default the largest evaluated. */
  epsilonA?: number;
  cleanMetrics?: string[];
  attackedMetrics?: string[];
  /** The comparisons section after the table (default true). */
  comparisons?: boolean;
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
  if (opts.comparisons !== false) {
    const ofColumns = (c: Comparison): boolean =>
      c.kind === 'fgsm_vs_random' ? attack === ATTACK_PAIR.a || attack === ATTACK_PAIR.b : c.a.attack === attack;
    const shown = table.comparisons.filter((c) => c.a.attack === 'clean' || (c.a.epsilonA === epsilonA && ofColumns(c)));
    if (shown.length > 0) lines.push('', ...comparisonLines(shown));
    if (shown.length < table.comparisons.length) {
      if (shown.length === 0) lines.push('');
      lines.push(`${shown.length} of ${table.comparisons.length} comparisons shown (those of the columns above); every one: --comparisons, or comparisons.csv with --out DIR`);
    }
  }
  const other = [
    ...epsilons.filter((e) => e !== epsilonA).map((e) => `--epsilon ${e}`),
    ...ATTACK_NAMES.filter((a) => a !== attack && epsilonsOf(table.groups, a).length > 0).map((a) => `--attack ${a}`),
  ];
  if (other.length > 0) lines.push('', `other columns: ${other.join(', ')}; every metric: --csv, --json, --out DIR`);
  return lines.join('\n') + '\n';
}

/**
 * Comparisons as aligned text lines, a `dataset …, model …` heading before each (dataset,
 * model); the caller's order is kept (buildComparisons sorts by dataset and model first).
 */
export function comparisonLines(comparisons: ReadonlyArray<Comparison>): string[] {
  if (comparisons.length === 0) return ['comparisons: none (no defended and vanilla, or FGSM and random, cells share a seed)'];
  const rows = comparisons.map((c) => [metricLabel(c.metric), comparisonLabel(c), formatDiff(c.meanDiff), formatCi(c.ci95), formatP(c.p), `n=${c.n}`, formatVerdict(c)]);
  const widths = columnWidths(rows);
  const lines = [`comparisons (${COMPARISON_NOTE})`];
  let heading = '';
  comparisons.forEach((c, i) => {
    const h = `dataset ${c.dataset}, model ${c.model}`;
    if (h !== heading) lines.push((heading = h));
    lines.push(`  ${padRow(rows[i], widths, (k) => (k === 2 ? 'right' : 'left')).join('  ')}`.trimEnd());
  });
  return lines;
}

/** Every comparison of the table, as text (`rexsweep report --comparisons`). */
export function comparisonsText(table: AggregateTable): string {
  return comparisonLines(table.comparisons).join('\n') + '\n';
}
