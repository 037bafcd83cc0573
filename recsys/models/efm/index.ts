/** EFM (paper-brief §2): training (vanilla and adversarial), ranking, explanations, attacks. */
export { trainEfm } from './train.ts';
export { createEfmView } from './view.ts';
export { efmAttack, poisonedY } from './attack.ts';
export { efmLossAt, efmGradYAt, efmGradFactorAt } from './probe.ts';
export { efmGradY, efmLoss, adversarialLoss, type EfmWeights, type Residuals } from './loss.ts';
export { FACTOR_NAMES, efmDims, initialFactors, type EfmDims, type FactorName, type FactorValues } from './params.ts';
export { toModelState, fromModelState, dimsOfState, type EfmSnapshot } from './state.ts';
export { mostCared, explanationFeatures, caredAttention, counterfactualMask, type RankSettings } from './rank.ts';
export type { EfmRunConfig } from './settings.ts';
