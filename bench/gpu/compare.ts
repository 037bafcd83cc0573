/**
 * The backend agreement check of test/backends/agreement.test.ts (expectAgreement), as a pure
 * function that lists mismatches instead of failing an `expect`: the GPU script runs where
 * vitest is not, and its report must say which field disagreed and by how much. Same fields,
 * same tolerances (agreement-spec.ts, held equal to test/backends/tolerances.ts by a test).
 */
import type { CellResult, EvaluationRow } from '../../recsys/cell/result.ts';
import { DECISION_ABS, DECISION_REL, LOSS_REL, RANKING_ABS } from '../../recsys/backends/agreement.ts';

export interface Agreement {
  ok: boolean;
  /** Number of quantities compared. */
  checked: number;
  /** One line per quantity outside its tolerance (empty when ok). */
  mismatches: string[];
}

export const TOLERANCES = { LOSS_REL, RANKING_ABS, DECISION_ABS, DECISION_REL } as const;

export function compareCells(got: CellResult, ref: CellResult): Agreement {
  const mismatches: string[] = [];
  let checked = 0;
  const check = (label: string, delta: number, tol: number) => {
    checked++;
    // NaN deltas (a NaN metric on one side) fail: `!(x <= tol)`.
    if (!(delta <= tol)) mismatches.push(`${label}: |Δ| ${delta.toPrecision(3)} > ${tol}`);
  };
  checked++;
  if (got.train.losses.length !== ref.train.losses.length) {
    mismatches.push(`epochs: ${got.train.losses.length} vs ${ref.train.losses.length}`);
  }
  got.train.losses.forEach((loss, e) => {
    const r = ref.train.losses[e];
    if (r !== undefined) check(`loss of epoch ${e + 1} (${loss} vs ${r}), relative`, Math.abs(loss - r) / Math.abs(r), LOSS_REL);
  });
  const plan = (c: CellResult) => c.evaluations.map((e) => `${e.attack}@${e.epsilon}`).join(',');
  checked++;
  if (plan(got) !== plan(ref)) {
    mismatches.push(`evaluations: [${plan(got)}] vs [${plan(ref)}]`);
    return { ok: false, checked, mismatches };
  }
  got.evaluations.forEach((g, k) => compareRow(g, ref.evaluations[k], `${g.attack} ε_A=${g.epsilon}`, check, mismatches));
  return { ok: mismatches.length === 0, checked: checked + got.evaluations.length, mismatches };
}

function compareRow(
  g: EvaluationRow,
  r: EvaluationRow,
  label: string,
  check: (label: string, delta: number, tol: number) => void,
  mismatches: string[],
): void {
  const near = (field: keyof EvaluationRow, tol: number) =>
    check(`${label} ${field} (${g[field]} vs ${r[field]})`, Math.abs((g[field] as number) - (r[field] as number)), tol);
  near('ndcg5', g.attack === 'fgsm' ? DECISION_ABS : RANKING_ABS);
  for (const f of ['precision', 'recall', 'f1', 'pn', 'ps', 'fns'] as const) near(f, DECISION_ABS);
  near('explained', DECISION_ABS * r.pairs);
  near('meanExplanationSize', DECISION_REL * Math.max(1, r.meanExplanationSize));
  near('meanComplexity', DECISION_REL * Math.max(1, r.meanComplexity));
  if (g.stability !== null && r.stability !== null) near('stability', DECISION_ABS);
  if (g.pairs !== r.pairs) mismatches.push(`${label} recommended pairs: ${g.pairs} vs ${r.pairs}`);
}
