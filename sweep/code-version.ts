/**
 * CODE_VERSION: part of every cell key and of the fixed-settings fingerprint. Bump it when a
 * change to recsys/ (a model, the data pipeline — its PIPELINE_VERSION —, the metrics, the
 * attacks) or to the key layout changes what a finished cell's results mean: every cell then has
 * a new key and re-running a sweep redoes it, instead of mixing old and new results. A change
 * that leaves results bit-identical (speed, logging, refactoring) must not bump it.
 *
 * History:
 *   1  first sweep layer (CER, EFM in gradient form, dataset pipeline version 1).
 */
export const CODE_VERSION = 1;
