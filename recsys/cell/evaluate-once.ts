/**
 * One evaluation of a trained model: its view (clean, or under one attack from its own random
 * stream), the metrics, the explanations and their stability against the clean ones. Shared by
 * `rexsweep cell` (run-cell.ts) and the sweep's compute activity (activities/compute-work.ts).
 */
import type { ResolvedCellConfig } from '../config.ts';
import type { PreparedDataset } from '../data/dataset.ts';
import { evaluateView, explanationStability } from '../evaluate/evaluate.ts';
import type { Explanation, ModelState } from '../models/explainable-model.ts';
import type { ModelAdapter } from '../models/model-adapter.ts';
import { Rng } from '../random.ts';
import { attackStream, type PlannedEvaluation } from './evaluation-plan.ts';
import type { EvaluationRow } from './result.ts';

/** Top-K of every ranking metric and of the explained recommendations. */
export const RANK_K = 5;

export interface EvaluationOutcome {
  row: EvaluationRow;
  explanations: Explanation[];
}

/**
 * `clean`: the clean evaluation's explanations, which an attacked one is compared with (asked for
 * only then, so a caller can fetch them lazily); the clean evaluation compares with itself.
 */
export async function evaluateOnce(
  adapter: ModelAdapter,
  state: ModelState,
  data: PreparedDataset,
  config: ResolvedCellConfig,
  step: PlannedEvaluation,
  clean: () => Promise<Explanation[]>,
): Promise<EvaluationOutcome> {
  const t0 = performance.now();
  const view =
    step.attack === 'none'
      ? adapter.cleanView(state, data, config)
      : await adapter.attackedView(state, data, config, step.epsilon, step.attack, Rng.derive(config.seed, attackStream(step.attack, step.epsilon)));
  try {
    const { metrics, explanations } = await evaluateView(view, data, { k: RANK_K, explainUsers: config.explainer.testUsers, groundTruth: config.choices.groundTruth });
    const reference = step.attack === 'none' ? explanations : await clean();
    const { stability, pairs } = explanationStability(reference, explanations);
    return {
      row: { attack: step.attack, epsilon: step.epsilon, ...metrics, stability, stabilityPairs: pairs, seconds: (performance.now() - t0) / 1000 },
      explanations,
    };
  } finally {
    view.dispose();
  }
}
