/**
 * What a cell needs from a model family: train it, view it on clean Y, view it under an attack.
 * Each model folder implements it (recsys/models/<name>/adapter.ts); recsys/models/adapters.ts
 * lists them. CER attacks at test time (same weights, Y_adv); EFM never reads Y at inference, so
 * its attack poisons Y and refits (paper-brief §4); the overlap baseline has nothing to train.
 */
import type { AttackName } from '../attacks/index.ts';
import type { ResolvedCellConfig } from '../config.ts';
import type { PreparedDataset } from '../data/dataset.ts';
import type { Rng } from '../random.ts';
import type { EvaluationView, ModelState, TrainHooks, TrainResult } from './explainable-model.ts';

export interface ModelAdapter {
  train(data: PreparedDataset, config: ResolvedCellConfig, hooks: TrainHooks, start?: ModelState): Promise<TrainResult>;
  cleanView(state: ModelState, data: PreparedDataset, config: ResolvedCellConfig): EvaluationView;
  attackedView(state: ModelState, data: PreparedDataset, config: ResolvedCellConfig, epsilon: number, attack: AttackName, rng: Rng): Promise<EvaluationView>;
}
