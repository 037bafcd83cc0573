export { rankDescending, counterfactualRank, idealDcg, tieAveragedDcg, ndcgAtK } from './ranking.ts';
export { precisionRecallF1, harmonicMean, jaccard, mean, type PrecisionRecallF1 } from './explanation-quality.ts';
