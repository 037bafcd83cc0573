/** CER as a model family (recsys/models/model-adapter.ts): test-time attacks at frozen weights. */
import type { ResolvedCellConfig } from '../../config.ts';
import type { PreparedDataset } from '../../data/dataset.ts';
import type { EvaluationView, ModelState } from '../explainable-model.ts';
import type { ModelAdapter } from '../model-adapter.ts';
import { cerAttack, cerModelFromState, createCerView, disposeCerModel, trainCer } from './index.ts';

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

export const cerAdapter: ModelAdapter = {
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
