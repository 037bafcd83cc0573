/**
 * Tiny hand-made PreparedDatasets and configs for the EFM tests (the real pipeline is written
 * elsewhere; these only fill what EFM reads: dims, N, X, Y, ratings, test lists).
 */
import { CellConfigSchema, type CellConfigInput } from '../../../recsys/config.ts';
import type { PreparedDataset } from '../../../recsys/data/dataset.ts';
import type { EfmRunConfig } from '../../../recsys/models/efm/index.ts';
import { Rng } from '../../../recsys/random.ts';

export interface TinyOptions {
  users?: number;
  items?: number;
  features?: number;
  /** Ratings per user. */
  ratingsPerUser?: number;
  /** Candidates per test list. */
  width?: number;
  seed?: number;
}

/** X ∈ {0} ∪ [2.85, 5), Y ∈ {0} ∪ (1, 5), integer ratings 1..5, one test list per user. */
export function tinyDataset(o: TinyOptions = {}): PreparedDataset {
  const users = o.users ?? 6;
  const items = o.items ?? 8;
  const features = o.features ?? 5;
  const perUser = o.ratingsPerUser ?? 3;
  const width = o.width ?? 5;
  const rng = new Rng(o.seed ?? 7);
  const X = new Float32Array(users * features);
  for (let k = 0; k < X.length; k++) X[k] = rng.next() < 0.6 ? rng.uniform(2.85, 5) : 0;
  const Y = new Float32Array(items * features);
  for (let k = 0; k < Y.length; k++) Y[k] = rng.next() < 0.6 ? rng.uniform(1.05, 4.95) : 0;
  const all = Array.from({ length: items }, (_, i) => i);
  const ru: number[] = [];
  const ri: number[] = [];
  const rv: number[] = [];
  const testItems = new Int32Array(users * width);
  const labels = new Uint8Array(users * width);
  for (let u = 0; u < users; u++) {
    for (const i of rng.sample(all, perUser)) {
      ru.push(u);
      ri.push(i);
      rv.push(1 + rng.int(5));
    }
    rng.sample(all, width).forEach((i, j) => {
      testItems[u * width + j] = i;
      labels[u * width + j] = j === 0 ? 1 : 0;
    });
  }
  return makeDataset({ users, items, features, X, Y, ratings: { users: ru, items: ri, values: rv }, testItems, labels, width });
}

export function makeDataset(a: {
  users: number;
  items: number;
  features: number;
  X: Float32Array;
  Y: Float32Array;
  ratings: { users: number[]; items: number[]; values: number[] };
  testItems?: Int32Array;
  labels?: Uint8Array;
  width?: number;
  maxRange?: number;
}): PreparedDataset {
  const width = a.width ?? 0;
  return {
    manifest: {
      formatVersion: 1,
      id: 'efm-test-fixture',
      name: 'efm-fixture',
      kind: 'synthetic',
      userCount: a.users,
      itemCount: a.items,
      featureCount: a.features,
      features: Array.from({ length: a.features }, (_, f) => `f${f}`),
      maxRange: a.maxRange ?? 5,
      settings: {},
      sources: [],
      stats: { reviews: 0, users: a.users, items: a.items, features: a.features, trainPairs: 0, testUsers: a.users, filterPasses: [] },
      files: {},
    },
    X: a.X,
    Y: a.Y,
    train: { users: new Int32Array(0), items: new Int32Array(0), labels: new Float32Array(0) },
    test: {
      users: Int32Array.from({ length: a.testItems ? a.users : 0 }, (_, u) => u),
      width,
      items: a.testItems ?? new Int32Array(0),
      labels: a.labels ?? new Uint8Array(0),
    },
    ratings: { users: Int32Array.from(a.ratings.users), items: Int32Array.from(a.ratings.items), values: Float32Array.from(a.ratings.values) },
    groundTruth: [],
  };
}

/** A full cell config for EFM with tiny factor counts; overrides merge one level deep. */
export function efmConfig(over: Partial<Omit<CellConfigInput, 'efm' | 'choices'>> & {
  efm?: CellConfigInput['efm'];
  choices?: CellConfigInput['choices'];
} = {}): EfmRunConfig {
  return CellConfigSchema.parse({
    dataset: { source: 'synthetic' },
    model: 'efm',
    epochs: 20,
    ...over,
    efm: { explicitFactors: 3, latentFactors: 2, mostCared: 3, ...over.efm },
    choices: { ...over.choices },
  });
}
