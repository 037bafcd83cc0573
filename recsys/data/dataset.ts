/**
 * The prepared dataset: what every model and metric reads. Produced by data/prepare.ts,
 * persisted by data/store.ts as a versioned folder (manifest.json + little-endian binaries).
 *
 * Shapes (row-major):
 *   X            [userCount × featureCount]   user attention (paper-brief §1.6)
 *   Y            [itemCount × featureCount]   item quality
 *   train        the 2:1 sampled training pairs (§1.5)
 *   test         one 106-candidate list per test user: 6 positives first, then 100 negatives
 *   ratings      observed star ratings of the training interactions (EFM's A)
 *   groundTruth  per test positive (u, i): every feature mentioned in u's review of i (§3.4)
 */

export type DatasetKind = 'amazon' | 'yelp' | 'synthetic';

export interface TrainPairs {
  users: Int32Array;
  items: Int32Array;
  /** 1 for a positive, 0 for a sampled negative. */
  labels: Float32Array;
}

export interface TestLists {
  /** [T] test user ids, ascending. */
  users: Int32Array;
  /** Candidates per list (106 with the reference constants). */
  width: number;
  /** [T × width] candidate item ids. */
  items: Int32Array;
  /** [T × width] 1 for positives (test + val), 0 for sampled negatives. */
  labels: Uint8Array;
}

export interface Ratings {
  users: Int32Array;
  items: Int32Array;
  values: Float32Array;
}

/** Features u mentioned in the review of i, with the sentiment of each mention (duplicates kept). */
export interface GroundTruthEntry {
  user: number;
  item: number;
  features: number[];
  sentiments: number[];
}

export interface DatasetStats {
  reviews: number;
  users: number;
  items: number;
  features: number;
  trainPairs: number;
  testUsers: number;
  /** Rows per filtering pass, as the reference code logs them (§1.7). */
  filterPasses: { step: 'feature' | 'user'; rows: number; users: number; items: number; features: number }[];
  /** Users with no test list: fewer than testLength+valLength interactions or negLength unseen items (data/split.ts). */
  skippedTestUsers?: number;
  /** Training ratings missing in the sources and set to maxRange (data/split.ts). */
  imputedRatings?: number;
}

export interface DatasetManifest {
  formatVersion: number;
  /** Content hash of (source files, settings, code version of the pipeline). Names the folder. */
  id: string;
  name: string;
  kind: DatasetKind;
  userCount: number;
  itemCount: number;
  featureCount: number;
  /** Feature names, index = feature id (first appearance order). */
  features: string[];
  /** N: the rating scale, the upper clip of X, Y and every perturbation. */
  maxRange: number;
  settings: Record<string, unknown>;
  sources: { path: string; sha256: string; bytes: number }[];
  stats: DatasetStats;
  /** sha256 of every binary/JSON payload file, checked on read. */
  files: Record<string, string>;
}

export interface PreparedDataset {
  manifest: DatasetManifest;
  X: Float32Array;
  Y: Float32Array;
  train: TrainPairs;
  test: TestLists;
  ratings: Ratings;
  groundTruth: GroundTruthEntry[];
}

export const DATASET_FORMAT_VERSION = 1;
