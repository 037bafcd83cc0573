/** The plan as text for people (`rexsweep plan`); --json prints the SweepPlan itself. */
import type { SweepPlan } from './plan.ts';

/** 45 s, 12.5 min, 3.2 h, 4.1 days. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const duration = (s: number | null) => (s === null ? '?' : formatDuration(s));

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
}

export function formatPlan(plan: SweepPlan): string {
  const g = plan.grid;
  const lines: string[] = [];
  lines.push(`sweep ${plan.sweepId} (study ${plan.study}; fixed settings ${plan.fingerprint.slice(0, 16)})`);
  const points = `${count(g.points, '(λ, ε_D) point')} (vanilla once, λ>0 × ε_D)`;
  const perDataset =
    g.baselines === 0
      ? `${count(g.models, 'model')} × ${points}`
      : `(${count(g.models - g.baselines, 'model')} × ${points} + ${count(g.baselines, 'baseline')} × 1 (untrained: λ = 0 only))`;
  lines.push(`${count(plan.cells, 'cell')} = ${count(g.datasets, 'dataset')} × ${perDataset} × ${count(g.seeds, 'seed')}`);
  lines.push(
    `each cell trains once and is evaluated ${plan.evaluationsPerCell} times (clean + ${g.epsilonsA} ε_A × ${g.attacks} ` +
      `${g.attacks === 1 ? 'attack' : 'attacks'}): ${count(plan.evaluations, 'evaluation')}`,
  );
  lines.push('');
  const header = ['dataset', 'model', 'vanilla', 'defended', 'cells', 'per vanilla cell', 'per defended cell', 'estimate'];
  const body = plan.rows.map((r) => [
    r.dataset,
    r.model,
    String(r.vanillaCells),
    String(r.defendedCells),
    String(r.cells),
    r.vanillaCells ? duration(r.vanillaCellSeconds) : '-',
    r.defendedCells ? duration(r.defendedCellSeconds) : '-',
    duration(r.seconds),
  ]);
  const c = plan.cost;
  const known = c.unknownDatasets.length < plan.datasets.length;
  const totalEstimate = !known ? '?' : formatDuration(c.computeSeconds) + (c.complete ? '' : ' + ?');
  const total = ['total', '', String(plan.vanillaCells), String(plan.defendedCells), String(plan.cells), '', '', totalEstimate];
  lines.push(...table([header, ...body, total]));
  lines.push('');
  lines.push(`cost estimate: ROUGH, assumes the ${c.backend} backend (${c.assumption})`);
  if (known) {
    const bound = c.complete ? '≈' : '≥';
    lines.push(
      `  compute ${bound} ${formatDuration(c.computeSeconds)}; wall ${bound} ${formatDuration(c.wallSeconds)} at concurrency ` +
        `${c.concurrency} (one CPU core per cell in flight)`,
    );
  }
  if (!c.complete) {
    lines.push(
      `  unknown for ${c.unknownDatasets.join(', ')} until prepared: run one cell of each (rexsweep cell) to prepare ` +
        `it into ${c.datasetCache}, then plan again`,
    );
  }
  lines.push('datasets:');
  for (const d of plan.datasets) {
    const s = d.size;
    const what = s
      ? `${count(s.users, 'user')}, ${count(s.items, 'item')}, ${count(s.features, 'feature')}, ` +
        `${count(s.trainPairs, 'training pair')}, ${count(s.testUsers, 'test user')} (${d.note})`
      : d.note;
    lines.push(`  ${d.name} (${d.source}): ${what}`);
  }
  return lines.join('\n');
}
