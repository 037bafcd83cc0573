/**
 * The baseline as a model family: nothing to train (its state is empty: the model is X and Y),
 * views from the dataset, and the attacks of recsys/attacks/ along its own loss gradient.
 */
import type { ModelAdapter } from '../model-adapter.ts';
import { ATTACKS } from '../../attacks/index.ts';
import { overlapLossGradientY } from './score.ts';
import { createOverlapView } from './view.ts';

export const overlapAdapter: ModelAdapter = {
  // Nothing is learned: no epochs, no loss curve, an empty state.
  train: async () => ({ state: { kind: 'overlap', epoch: 0, tensors: {} }, losses: [] }),
  cleanView: (_state, data, config) => createOverlapView(data, data.Y, config.overlap.explanationSize),
  async attackedView(_state, data, config, epsilon, attack, rng) {
    const F = data.manifest.featureCount;
    const yAdv = await ATTACKS[attack].perturb(data.Y, {
      opts: { epsilon, maxRange: data.manifest.maxRange, nonZeroOnly: config.choices.perturbNonZeroOnly },
      rng,
      settings: config.attackSettings,
      gradientAt: async (y) => overlapLossGradientY(data.X, y, data.train, F),
    });
    return createOverlapView(data, yAdv, config.overlap.explanationSize);
  },
};
