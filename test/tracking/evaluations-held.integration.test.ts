/**
 * Which evaluations a run holds (tracking/evaluations-held.ts): from its tag, or for a run
 * written before the tag from its metric histories, against the real MLflow server.
 */
import { describe, expect, it } from 'vitest';
import { evaluationId, evaluationsHeld, formatEvaluations, missingEvaluations, parseEvaluations } from '../../tracking/evaluations-held.ts';
import { TAG, evaluationMetrics } from '../../tracking/index.ts';
import type { EvaluationRow } from '../../recsys/cell/result.ts';
import { requireServerForEachTest, testClient, uniqueName } from './mlflow-env.ts';

let experimentId: string;
requireServerForEachTest(async () => {
  experimentId = await testClient().createExperiment(uniqueName('evaluations-held'));
});

const row = (attack: EvaluationRow['attack'], epsilon: number): EvaluationRow => ({
  attack, epsilon, ndcg5: 0.5, explained: 1, pairs: 2, meanExplanationSize: 1, meanComplexity: 1, userSidePairs: 0,
  precision: 0.1, recall: 0.2, f1: 0.3, pn: 0.4, ps: 0.5, fns: 0.6, stability: attack === 'none' ? 1 : 0.7, stabilityPairs: 2, seconds: 1,
});

describe('evaluation ids', () => {
  it('name an evaluation by attack and ε_A step; the tag is sorted and without repeats', () => {
    expect(evaluationId({ attack: 'none', epsilon: 0 })).toBe('none@0');
    expect(evaluationId({ attack: 'pgd', epsilon: 0.25 })).toBe('pgd@25');
    expect(formatEvaluations(['pgd@25', 'none@0', 'pgd@25'])).toBe('none@0,pgd@25');
    expect(parseEvaluations('none@0,pgd@25')).toEqual(new Set(['none@0', 'pgd@25']));
    const plan = [{ attack: 'none', epsilon: 0 }, { attack: 'fgsm', epsilon: 0.5 }, { attack: 'pgd', epsilon: 0.5 }] as const;
    expect(missingEvaluations(plan, new Set(['none@0', 'fgsm@50']))).toEqual([{ attack: 'pgd', epsilon: 0.5 }]);
  });
});

describe('evaluationsHeld against the real server', () => {
  it('reads the tag when there is one, else the metric histories of each attack', async () => {
    const mlflow = testClient();
    const legacy = await mlflow.createRun({ experimentId, runName: 'legacy' });
    await mlflow.logBatch(legacy.info.runId, { metrics: evaluationMetrics([row('none', 0), row('fgsm', 0.5), row('fgsm', 1), row('random', 0.5)]) });
    const legacyHeld = await evaluationsHeld(mlflow, await mlflow.getRun(legacy.info.runId), ['fgsm', 'random', 'pgd']);
    // Step 0 of each attack curve repeats the clean evaluation (an ε_A = 0 evaluation would equal it).
    expect([...legacyHeld].sort()).toEqual(['fgsm@0', 'fgsm@100', 'fgsm@50', 'none@0', 'random@0', 'random@50']);

    const tagged = await mlflow.createRun({ experimentId, runName: 'tagged', tags: { [TAG.evaluations]: 'none@0,pgd@50' } });
    await mlflow.logBatch(tagged.info.runId, { metrics: evaluationMetrics([row('none', 0), row('fgsm', 0.5)]) });
    expect(await evaluationsHeld(mlflow, await mlflow.getRun(tagged.info.runId), ['fgsm', 'pgd'])).toEqual(new Set(['none@0', 'pgd@50']));
  });

  it('gives a new attack curve its step 0 from the clean values logged before', () => {
    const clean: Array<['ndcg5' | 'fns', number]> = [['ndcg5', 0.9], ['fns', 0.8]];
    const added = evaluationMetrics([row('pgd', 0.5)], { cleanValues: clean, curvesStarted: new Set(['fgsm']) });
    expect(added.filter((m) => m.step === 0).map((m) => `${m.key}=${m.value}`).sort()).toEqual(['eval.pgd.epsilon=0', 'eval.pgd.fns=0.8', 'eval.pgd.ndcg5=0.9']);
    const again = evaluationMetrics([row('pgd', 1)], { cleanValues: clean, curvesStarted: new Set(['pgd']) });
    expect(again.some((m) => m.step === 0)).toBe(false);
  });
});
