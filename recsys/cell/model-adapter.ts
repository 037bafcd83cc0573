/**
 * What a cell needs from a model family: train it, view it on clean Y, view it under an
 * attack. CER attacks at test time (same weights, Y_adv); EFM never reads Y at inference, so
 * its attack poisons Y and refits (paper-brief §4). This file is the only place that knows.
 */
import type { ResolvedCellConfig } from '../config.ts';
import type { PreparedDataset } from '../data/dataset.ts';
import type { EvaluationView, ModelState, TrainHooks, TrainResult } from '../models/explainable-model.ts';
import { cerAttack, cerModelFromState, createCerView, disposeCerModel, trainCer } from '../models/cer/index.ts';
import { createEfmView, efmAttack, trainEfm } from '../models/efm/index.ts';
import type { Rng } from '../random.ts';
import type { AttackName } from '../attacks/index.ts';

export type { AttackName } from '../attacks/index.ts';

export interface ModelAdapter {
  train(data: PreparedDataset, config: ResolvedCellConfig, hooks: TrainHooks, start?: ModelState): Promise<TrainResult>;
  cleanView(state: ModelState, data: PreparedDataset, config: ResolvedCellConfig): EvaluationView;
  attackedView(
    state: ModelState,
    data: PreparedDataset,
    config: ResolvedCellConfig,
    epsilon: number,
    attack: AttackName,
    rng: Rng,
  ): Promise<EvaluationView>;
}

/** A CER view owns a model on device; disposing the view frees it. */
function cerViewOn(state: ModelState, data: PreparedDataset, config: ResolvedCellConfig, Y: Float32Array): EvaluationView {
  const model = cerModelFromState(state);
  const view = createCerView(model, data, Y, config);
  return {
    ...view,
    dispose() {
      view.dispose();
      disposeCerModel(model);
    },
  };
}

const cer: ModelAdapter = {
  train: (data, config, hooks, start) => trainCer(data, config, hooks, start),
  cleanView: (state, data, config) => cerViewOn(state, data, config, data.Y),
  async attackedView(state, data, config, epsilon, attack, rng) {
    const model = cerModelFromState(state);
    try {
      const yAdv = await cerAttack(model, data, config, epsilon, attack, rng);
      return cerViewOn(state, data, config, yAdv);
    } finally {
      disposeCerModel(model);
    }
  },
};

const efm: ModelAdapter = {
  train: (data, config, hooks, start) => trainEfm(data, config, hooks, start),
  cleanView: (state, data, config) => createEfmView(state, data, config),
  async attackedView(state, data, config, epsilon, attack, rng) {
    const poisoned = await efmAttack(state, data, config, epsilon, attack, rng);
    return createEfmView(poisoned, data, config);
  },
};

export const MODEL_ADAPTERS: Record<ResolvedCellConfig['model'], ModelAdapter> = { cer, efm };
