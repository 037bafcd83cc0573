/** CER (CountER) base model, its (adversarial) training, the FGSM attack and the counterfactual explainer. */
export {
  type CerModel,
  initCerModel,
  cerModelFromArrays,
  cerModelFromState,
  cerModelToState,
  assignCerState,
  cerParameters,
  cerLogits,
  cerScores,
  disposeCerModel,
  layerSizes,
  parameterNames,
} from './mlp.ts';
export { trainCer, trainCerModel, epochOrder, stepSettings, LOSS_HISTORY } from './train.ts';
export {
  bceFromLogits,
  sampleBce,
  meanBce,
  fgsmItemRows,
  adversarialLoss,
  lossAndGradients,
  applySgd,
  trainStep,
  type StepSettings,
} from './step.ts';
export { attackPairs, cerAttackLoss, cerLossGradientY, cerAttack, type LabelledPairs } from './gradient.ts';
export {
  explainPairs,
  explainPairsOneByOne,
  optimiseDeltas,
  toExplanation,
  explainerParams,
  initialDelta,
  userMasks,
  type ExplainerParams,
  type DeltaOptimum,
} from './explainer.ts';
export { createCerView, type CerViewOptions } from './view.ts';
export { scoreRows, scorePairs, type RowFiller } from './score.ts';
export { gatherRows, gatherValues } from './batch.ts';
