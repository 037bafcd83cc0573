/**
 * CODE_VERSION: part of every cell key and of the fixed-settings fingerprint. Bump it when a
 * change to recsys/ (a model, the data pipeline — its PIPELINE_VERSION —, the metrics, the
 * attacks) or to the key layout changes what a finished cell's results mean: every cell then has
 * a new key and re-running a sweep redoes it, instead of mixing old and new results. A change
 * that leaves results bit-identical (speed, logging, refactoring) must not bump it.
 *
 * History:
 *   1  first sweep layer (CER, EFM in gradient form, dataset pipeline version 1).
 *   2  issue 15: the CER explainer keeps Δ after the SGD step as the reference does
 *      (choices.explainerKeeps, default 'after-step'; its complexity uses the float32 norm of the
 *      evaluated Δ); PN/PS break tied counterfactual scores as the reference's reversed argsort
 *      over the recommendation order; Amazon Sentires lines need an empty third field (dataset
 *      pipeline version 2).
 */
export const CODE_VERSION = 2;
