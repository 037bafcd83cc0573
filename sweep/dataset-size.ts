/**
 * The sizes the cost model needs, for one dataset: from a prepared dataset's manifest
 * (prepared-sizes.ts) or, for synthetic data, estimated from the generator's settings.
 * Pure: no file access here.
 */
import type { DataSettings, SyntheticSettings } from '../recsys/config.ts';

export interface DatasetSize {
  users: number;
  items: number;
  features: number;
  /** Sampled training pairs (positives and negatives). */
  trainPairs: number;
  /** Users with a test list. */
  testUsers: number;
  /** Candidates per test list (testLength + valLength + negLength). */
  listWidth: number;
  /** 'prepared': read from a prepared dataset's manifest; 'synthetic-estimate': computed from the settings. */
  from: 'prepared' | 'synthetic-estimate';
  /** The prepared dataset folder, when from = 'prepared'. */
  folder?: string;
}

/** What sizeOfManifest reads of a prepared dataset's manifest (recsys/data/dataset.ts DatasetManifest). */
export interface ManifestSizes {
  userCount: number;
  itemCount: number;
  featureCount: number;
  stats: { trainPairs: number; testUsers: number };
  settings: unknown;
}

/** The sizes of a prepared dataset, from its manifest (the CLI's plan and preflight, the workers' preflight). */
export function sizeOfManifest(manifest: ManifestSizes, folder?: string): DatasetSize {
  const s = manifest.settings as { testLength: number; valLength: number; negLength: number };
  return {
    users: manifest.userCount,
    items: manifest.itemCount,
    features: manifest.featureCount,
    trainPairs: manifest.stats.trainPairs,
    testUsers: manifest.stats.testUsers,
    listWidth: s.testLength + s.valLength + s.negLength,
    from: 'prepared',
    ...(folder !== undefined ? { folder } : {}),
  };
}

/**
 * Sizes of a synthetic corpus, assuming every user and feature survives filtering (true for the
 * generator's defaults and anything near them: each feature gets users·reviewsPerUser·
 * featuresPerReview/features mentions) and every user reviews reviewsPerUser distinct items:
 *   trainPairs = users · (reviewsPerUser − testLength − valLength) · (1 + sampleRatio)
 *   testUsers  = users, if each has ≥ negLength unseen items, else 0
 * (recsys/data/split.ts). The defaults give 120 · 16 · 3 = 5,760 pairs and 120 test users,
 * exactly what preparing them gives.
 */
export function estimateSyntheticSize(synthetic: SyntheticSettings, data: DataSettings): DatasetSize {
  const holdout = data.testLength + data.valLength;
  const trainPositives = Math.max(0, synthetic.reviewsPerUser - holdout);
  const hasTestList = synthetic.reviewsPerUser >= holdout && synthetic.items - synthetic.reviewsPerUser >= data.negLength;
  return {
    users: synthetic.users,
    items: synthetic.items,
    features: synthetic.features,
    trainPairs: synthetic.users * trainPositives * (1 + data.sampleRatio),
    testUsers: hasTestList ? synthetic.users : 0,
    listWidth: holdout + data.negLength,
    from: 'synthetic-estimate',
  };
}
