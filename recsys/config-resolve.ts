/**
 * The pure half of a cell config: what identifies its dataset and its config with the per-kind
 * reference constants filled in. No zod here (types only): Temporal workflow code imports this,
 * and Temporal's reusable V8 context evaluates every module of the workflow bundle again for
 * each workflow execution, so the bundle stays free of zod and the schemas (recsys/config.ts).
 */
import type { CellConfig, DataSettings, DatasetSpec, ExplainerSettings } from './config.ts';

/**
 * What identifies a dataset, without saying where its files live: part of the prepared
 * dataset's id (recsys/data/prepare.ts) and of every cell key (sweep/cell-key.ts).
 */
export function datasetIdentity(spec: DatasetSpec): Record<string, unknown> {
  switch (spec.source) {
    case 'synthetic':
      return { source: spec.source, name: spec.name, synthetic: spec.synthetic };
    case 'interchange':
      return { source: spec.source, name: spec.name, kind: spec.kind };
    default:
      return { source: spec.source, name: spec.name };
  }
}

/** Which reference constants a dataset spec uses. Synthetic data uses Amazon's. */
export function referenceKind(spec: DatasetSpec): 'amazon' | 'yelp' {
  if (spec.source === 'yelp') return 'yelp';
  if (spec.source === 'interchange') return spec.kind;
  return 'amazon';
}

/** Per-kind reference constants (paper-brief §1.3, §3.3, A6). */
export const REFERENCE_CONSTANTS = {
  amazon: { userThresh: 10, featureThresh: 5, lam: 200, alpha: 0.05, testUsers: -1 },
  yelp: { userThresh: 20, featureThresh: 2000, lam: 100, alpha: 0.01, testUsers: 100 },
} as const;

/** Data settings with the kind defaults filled in. */
export interface ResolvedDataSettings extends DataSettings {
  userThresh: number;
  featureThresh: number;
}
export interface ResolvedExplainerSettings extends ExplainerSettings {
  lam: number;
  alpha: number;
  testUsers: number;
}
export interface ResolvedCellConfig extends Omit<CellConfig, 'data' | 'explainer'> {
  data: ResolvedDataSettings;
  explainer: ResolvedExplainerSettings;
}

/** Fill the kind-dependent defaults so that the recorded config says every constant used. */
export function resolveCellConfig(config: CellConfig): ResolvedCellConfig {
  const ref = REFERENCE_CONSTANTS[referenceKind(config.dataset)];
  // Synthetic corpora are small: the Amazon feature threshold is kept, the user threshold too.
  return {
    ...config,
    data: {
      ...config.data,
      userThresh: config.data.userThresh ?? ref.userThresh,
      featureThresh: config.data.featureThresh ?? ref.featureThresh,
    },
    explainer: {
      ...config.explainer,
      lam: config.explainer.lam ?? ref.lam,
      alpha: config.explainer.alpha ?? ref.alpha,
      testUsers: config.explainer.testUsers ?? ref.testUsers,
    },
  };
}
