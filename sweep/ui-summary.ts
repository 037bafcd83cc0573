/**
 * What the Temporal UI shows for a sweep's workflows (user metadata: `staticSummary`, one line in
 * the workflow list; `staticDetails`, markdown on the workflow's page), so that a team finds a
 * cell by what it is rather than by its hash:
 *
 *   cell   cer · synthetic-demo · λ 0.5 · ε_D 0.5 · seed 0     (vanilla: efm · cds · vanilla · seed 1)
 *   sweep  sweep demo · study rexsweep-demo · 12 cells
 *
 * Pure and deterministic (no Node built-ins): the sweep workflow imports it. Temporal refuses a
 * summary whose JSON payload passes 400 bytes (details: 20,000) and a refused command would stall
 * the workflow task, so long user-chosen names are cut to fit.
 */
import { canonicalNumber } from './canonical.ts';
import type { SweepCell } from './expand.ts';

/** Temporal's default limits on the JSON payload of a summary and of details, in bytes. */
export const SUMMARY_MAX_BYTES = 400;
export const DETAILS_MAX_BYTES = 20_000;

/** What identifies a cell for people: the axes of the grid. */
export type CellLabelParts = Pick<SweepCell, 'dataset' | 'model' | 'lambda' | 'epsilonD' | 'seed'>;

/** `cer · synthetic-demo · λ 0.5 · ε_D 0.5 · seed 0`; ε_D is left out for vanilla (λ = 0). */
export function cellSummary(cell: CellLabelParts): string {
  const defence = cell.lambda === 0 ? 'vanilla' : `λ ${canonicalNumber(cell.lambda)} · ε_D ${canonicalNumber(cell.epsilonD)}`;
  return fitJsonBytes(`${cell.model} · ${cell.dataset} · ${defence} · seed ${canonicalNumber(cell.seed)}`, SUMMARY_MAX_BYTES);
}

/** Markdown: the cell key (its workflow id suffix and MLflow tag), the study and the sweep. */
export function cellDetails(cellKey: string, sweep: { study: string; sweepId: string }): string {
  return fitJsonBytes(`cell key \`${cellKey}\`  \nstudy \`${sweep.study}\`  \nsweep \`${sweep.sweepId}\``, DETAILS_MAX_BYTES);
}

/** `sweep demo · study rexsweep-demo · 12 cells` (the grid when the run started; an extension adds cells later). */
export function sweepSummary(sweep: { name: string; study: string }, cellCount: number): string {
  return fitJsonBytes(`sweep ${sweep.name} · study ${sweep.study} · ${cellCount} ${cellCount === 1 ? 'cell' : 'cells'}`, SUMMARY_MAX_BYTES);
}

/** Markdown: the sweep id and the study (the MLflow experiment). */
export function sweepDetails(sweep: { sweepId: string; study: string }): string {
  return fitJsonBytes(`sweep id \`${sweep.sweepId}\`  \nstudy (MLflow experiment) \`${sweep.study}\``, DETAILS_MAX_BYTES);
}

/**
 * `text`, cut (with a trailing `…`) so that its JSON encoding takes at most `maxBytes` bytes of
 * UTF-8: the form in which Temporal stores and measures it.
 */
export function fitJsonBytes(text: string, maxBytes: number): string {
  if (jsonUtf8Bytes(text) <= maxBytes) return text;
  const points = Array.from(text);
  let keep = points.length;
  while (keep > 0 && jsonUtf8Bytes(points.slice(0, keep).join('') + '…') > maxBytes) keep--;
  return points.slice(0, keep).join('') + '…';
}

function jsonUtf8Bytes(text: string): number {
  let n = 0;
  for (const ch of JSON.stringify(text)) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}
