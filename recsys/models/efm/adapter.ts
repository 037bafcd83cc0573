/** EFM as a model family (recsys/models/model-adapter.ts): its attacks poison Y and refit (or hit U2). */
import type { ModelAdapter } from '../model-adapter.ts';
import { createEfmView, efmAttack, trainEfm } from './index.ts';

export const efmAdapter: ModelAdapter = {
  train: (data, config, hooks, start) => trainEfm(data, config, hooks, start),
  cleanView: (state, data, config) => createEfmView(state, data, config),
  async attackedView(state, data, config, epsilon, attack, rng) {
    const poisoned = await efmAttack(state, data, config, epsilon, attack, rng);
    return createEfmView(poisoned, data, config);
  },
};
