/**
 * Which evaluations a cell's run holds, so that a finished cell asked for more (a new ε_A, a new
 * attack) is evaluated on its stored model instead of being reused without them (issue 13).
 *
 * Runs written since then list them in one tag, `rexsweep.evaluations` ("none@0,fgsm@50,…":
 * attack @ the ε_A's metric step), set in the same request as their metrics: reading it costs no
 * extra request. Older runs are read from their metric histories (one request per attack).
 */
import type { Tracker } from './tracker.ts';
import { TAG } from './layout.ts';
import { epsilonStep, evalMetricKey } from './result-metrics.ts';
import type { Run } from './types.ts';
import type { AttackName } from '../recsys/attacks/index.ts';

export interface EvaluationStep {
  attack: 'none' | AttackName;
  epsilon: number;
}

/** One evaluation's id: the attack and the step its ε_A is logged at. */
export function evaluationId(e: EvaluationStep): string {
  return `${e.attack}@${e.attack === 'none' ? 0 : epsilonStep(e.epsilon)}`;
}

/** The tag's value: every id once, sorted, so that equal sets read the same. */
export function formatEvaluations(ids: Iterable<string>): string {
  return [...new Set(ids)].sort().join(',');
}

export function parseEvaluations(value: string): Set<string> {
  return new Set(value.split(',').filter((s) => s !== ''));
}

/** The evaluations of `plan` that `held` lacks, in plan order. */
export function missingEvaluations<T extends EvaluationStep>(plan: readonly T[], held: ReadonlySet<string>): T[] {
  return plan.filter((e) => !held.has(evaluationId(e)));
}

/**
 * What the run holds: its tag, or for a run written before the tag its metric histories (the
 * clean evaluation from `eval.clean.ndcg5`; each attack's ε_A from the steps of
 * `eval.<attack>.epsilon`, whose step 0 is the clean evaluation repeated, which an ε_A = 0
 * evaluation would equal).
 */
export async function evaluationsHeld(client: Tracker, run: Run, attacks: readonly AttackName[]): Promise<Set<string>> {
  const tagged = run.data.tags[TAG.evaluations];
  if (tagged !== undefined) return parseEvaluations(tagged);
  const latest = new Set(run.data.metrics.map((m) => m.key));
  const held = new Set<string>();
  if (latest.has(evalMetricKey('clean', 'ndcg5'))) held.add('none@0');
  for (const attack of attacks) {
    if (!latest.has(evalMetricKey(attack, 'epsilon'))) continue;
    for (const point of await client.getMetricHistory(run.info.runId, evalMetricKey(attack, 'epsilon'))) held.add(`${attack}@${point.step}`);
  }
  return held;
}
