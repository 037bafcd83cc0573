/**
 * The sweep's result table: one row per cell, in grid order, with its clean numbers and the
 * numbers under the strongest FGSM attack.
 */
import type { CellSummary } from '../../activities/contracts.ts';
import type { SweepCell } from '../../sweep/expand.ts';
import type { SweepProgress } from '../../workflows/sweep.ts';
import { columnWidths, formatDuration, padRow, ruleRow } from '../../report/text.ts';

const f = (x: number | null | undefined, d = 4) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));

export function formatSweepTable(cells: SweepCell[], progress: SweepProgress): string {
  const byKey = new Map<string, CellSummary>(progress.summaries.map((s) => [s.cellKey, s]));
  const failed = new Map(progress.failures.map((x) => [x.cellKey, x.reason]));
  const head = ['dataset', 'model', 'λ', 'ε_D', 'seed', 'NDCG@5', 'F_NS', 'F1', 'FGSM ε_A', 'NDCG@5', 'F_NS', 'stability', 'state'];
  const rows = cells.map((c) => {
    const s = byKey.get(c.key);
    const w = s?.worstFgsm;
    const state = s ? 'done' : failed.has(c.key) ? 'FAILED' : 'pending';
    return [c.dataset, c.model, String(c.lambda), c.lambda === 0 ? '–' : String(c.epsilonD), String(c.seed), f(s?.clean.ndcg5), f(s?.clean.fns), f(s?.clean.f1), w ? String(w.epsilon) : '–', f(w?.ndcg5), f(w?.fns), f(w?.stability), state];
  });
  const widths = columnWidths([head, ...rows]);
  const line = (cells2: string[]) => padRow(cells2, widths, (k) => (k < 2 ? 'left' : 'right')).join('  ');
  const out = [line(head), line(ruleRow(widths)), ...rows.map(line)];
  for (const [key, reason] of failed) out.push(`failed ${key}: ${reason}`);
  if (progress.summariesDropped > 0) out.push(`(${progress.summariesDropped} earlier finished cells are not listed here: rexsweep report has them all)`);
  return out.join('\n');
}

export function describeProgress(p: SweepProgress, now: number): { label: string; fraction: number } {
  const c = p.counts;
  const settled = c.finished + c.cached + c.failed + c.cancelled;
  const elapsed = (now - p.startedAt) / 1000;
  // ETA from cells actually computed in this run (cached ones cost nothing).
  const computed = c.finished + c.failed;
  const remaining = p.total - settled;
  const eta = computed > 0 && remaining > 0 ? ` ETA ${formatDuration((elapsed / computed) * remaining)}` : '';
  return {
    label:
      `${p.phase === 'running' ? '' : `${p.phase.toUpperCase()} · `}${settled}/${p.total} cells · running ${c.running} · finished ${c.finished}` +
      ` · cached ${c.cached} · failed ${c.failed}${c.cancelled ? ` · cancelled ${c.cancelled}` : ''} · pending ${c.pending}${eta}`,
    fraction: p.total ? settled / p.total : 1,
  };
}
