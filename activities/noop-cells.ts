/**
 * No-op cells (orchestration benchmark): no data, no model, no MLflow traffic from compute, and
 * no child process: answered where the activity runs, from these constants. Kept apart from the
 * compute work so that answering them loads no TensorFlow.
 */
import type { EvaluationRow } from '../recsys/cell/result.ts';
import type { EvaluateInput, TrainedRef } from './contracts.ts';

export const NOOP_TRAINED: TrainedRef = {
  modelArtifact: '',
  losses: [],
  dataset: { id: 'noop', folder: '', users: 0, items: 0, features: 0, trainPairs: 0, testUsers: 0 },
  epochs: 0,
  seconds: 0,
  finalLoss: 0,
  backend: 'noop',
  device: 'none',
};

/** NOOP_TRAINED as the named compute worker returns it. */
export function noopTrained(workerName?: string): TrainedRef {
  return workerName ? { ...NOOP_TRAINED, worker: workerName } : NOOP_TRAINED;
}

export function noopRow(input: Pick<EvaluateInput, 'attack' | 'epsilon'>): EvaluationRow {
  return {
    attack: input.attack,
    epsilon: input.epsilon,
    ndcg5: 0,
    explained: 0,
    pairs: 0,
    meanExplanationSize: 0,
    meanComplexity: 0,
    userSidePairs: 0,
    precision: 0,
    recall: 0,
    f1: 0,
    pn: 0,
    ps: 0,
    fns: 0,
    stability: null,
    stabilityPairs: 0,
    seconds: 0,
  };
}
