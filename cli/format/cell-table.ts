/**
 * The readable table `rexsweep cell` prints: one row per evaluation (clean, then each attack
 * at each ε_A), the columns of the paper's tables.
 */
import type { CellResult, EvaluationRow } from '../../recsys/cell/result.ts';
import { columnWidths, padRow, ruleRow } from '../../report/text.ts';

const COLUMNS: { head: string; get: (r: EvaluationRow) => string }[] = [
  { head: 'attack', get: (r) => r.attack },
  { head: 'ε_A', get: (r) => r.epsilon.toFixed(2) },
  { head: 'NDCG@5', get: (r) => r.ndcg5.toFixed(4) },
  { head: 'explained', get: (r) => `${r.explained}/${r.pairs}` },
  { head: '|E|', get: (r) => r.meanExplanationSize.toFixed(2) },
  { head: 'P', get: (r) => r.precision.toFixed(4) },
  { head: 'R', get: (r) => r.recall.toFixed(4) },
  { head: 'F1', get: (r) => r.f1.toFixed(4) },
  { head: 'PN', get: (r) => r.pn.toFixed(4) },
  { head: 'PS', get: (r) => r.ps.toFixed(4) },
  { head: 'F_NS', get: (r) => r.fns.toFixed(4) },
  { head: 'stability', get: (r) => (r.stability === null ? '–' : r.stability.toFixed(4)) },
];

export function formatCellTable(result: CellResult): string {
  const c = result.cell as { model: string; lambda: number; epsilonD: number; seed: number; dataset: { name: string } };
  const defense = c.lambda === 0 ? 'vanilla' : `λ=${c.lambda} ε_D=${c.epsilonD}`;
  const header = [
    `${c.model.toUpperCase()} on ${c.dataset.name} (${result.dataset.users} users, ${result.dataset.items} items, ${result.dataset.features} features), ${defense}, seed ${c.seed}`,
    `backend ${result.backend} (${result.device}); ` +
      (result.train.losses.length === 0 ? 'nothing to train' : `trained ${result.train.epochs} epochs in ${result.train.seconds.toFixed(1)} s, final loss ${result.train.finalLoss.toFixed(5)}`),
  ];
  const rows = result.evaluations.map((r) => COLUMNS.map((col) => col.get(r)));
  const head = COLUMNS.map((col) => col.head);
  const widths = columnWidths([head, ...rows]);
  const line = (cells: string[]) => padRow(cells, widths, () => 'right').join('  ');
  return [...header, '', line(head), line(ruleRow(widths)), ...rows.map(line)].join('\n');
}
