/**
 * Tiny hand-made datasets, configs and a float64 reference forward pass for the CER tests
 * (independent of the data pipeline being written concurrently).
 */
import { CellConfigSchema, resolveCellConfig, type CellConfigInput, type ResolvedCellConfig } from '../../../recsys/config.ts';
import type { PreparedDataset } from '../../../recsys/data/dataset.ts';
import { Rng } from '../../../recsys/random.ts';
import { type CerModel, cerParameters } from '../../../recsys/models/cer/mlp.ts';

export interface TinyOptions {
  users?: number;
  items?: number;
  features?: number;
  /** Training pairs per user (items drawn with replacement across users: items repeat). */
  pairsPerUser?: number;
  /** Candidates per test list. */
  width?: number;
  seed?: number;
}

/** A value of X or Y as the pipeline produces them: 0 or in (1, 5). */
function aspectValue(rng: Rng): number {
  return rng.next() < 0.3 ? 0 : rng.uniform(1.05, 4.95);
}

export function tinyDataset(opts: TinyOptions = {}): PreparedDataset {
  const U = opts.users ?? 5;
  const I = opts.items ?? 7;
  const F = opts.features ?? 6;
  const perUser = opts.pairsPerUser ?? 4;
  const width = opts.width ?? 5;
  const rng = new Rng(opts.seed ?? 1);
  const X = new Float32Array(U * F);
  const Y = new Float32Array(I * F);
  for (let k = 0; k < X.length; k++) X[k] = aspectValue(rng);
  for (let k = 0; k < Y.length; k++) Y[k] = aspectValue(rng);
  const n = U * perUser;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const labels = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    users[k] = Math.floor(k / perUser);
    items[k] = rng.int(I);
    labels[k] = k % 3 === 0 ? 0 : 1;
  }
  const testUsers = Int32Array.from({ length: U }, (_, u) => u);
  const testItems = new Int32Array(U * width);
  const testLabels = new Uint8Array(U * width);
  for (let t = 0; t < U; t++) {
    const pick = rng.sample(Array.from({ length: I }, (_, i) => i), Math.min(width, I));
    for (let j = 0; j < width; j++) {
      testItems[t * width + j] = pick[j % pick.length];
      testLabels[t * width + j] = j < 2 ? 1 : 0;
    }
  }
  return {
    manifest: {
      formatVersion: 1,
      id: 'tiny',
      name: 'tiny',
      kind: 'synthetic',
      userCount: U,
      itemCount: I,
      featureCount: F,
      features: Array.from({ length: F }, (_, f) => `f${f}`),
      maxRange: 5,
      settings: {},
      sources: [],
      stats: { reviews: 0, users: U, items: I, features: F, trainPairs: n, testUsers: U, filterPasses: [] },
      files: {},
    },
    X,
    Y,
    train: { users, items, labels },
    test: { users: testUsers, width, items: testItems, labels: testLabels },
    ratings: { users: new Int32Array(0), items: new Int32Array(0), values: new Float32Array(0) },
    groundTruth: [],
  };
}

/** A resolved CER cell config with small defaults (hidden [16, 8], 2 epochs); `over` overrides. */
export function tinyConfig(over: Partial<CellConfigInput> = {}): ResolvedCellConfig {
  const input: CellConfigInput = {
    dataset: { source: 'synthetic' },
    model: 'cer',
    epochs: 2,
    backend: 'wasm',
    ...over,
    cer: { hidden: [16, 8], ...(over.cer ?? {}) },
  };
  return resolveCellConfig(CellConfigSchema.parse(input));
}

/** The model's weights as float64 arrays: kernels [in × out] row-major, biases. */
export function weights64(model: CerModel): { kernels: Float64Array[]; biases: Float64Array[]; sizes: number[] } {
  const params = cerParameters(model);
  const kernels: Float64Array[] = [];
  const biases: Float64Array[] = [];
  const sizes: number[] = [params[0].shape[0]];
  for (let l = 0; l < params.length; l += 2) {
    kernels.push(Float64Array.from(params[l].dataSync()));
    biases.push(Float64Array.from(params[l + 1].dataSync()));
    sizes.push(params[l].shape[1]!);
  }
  return { kernels, biases, sizes };
}

/** Float64 logit of one input vector (length 2F). */
export function logit64(w: { kernels: Float64Array[]; biases: Float64Array[]; sizes: number[] }, input: ArrayLike<number>): number {
  let h = Float64Array.from(input as ArrayLike<number>);
  for (let l = 0; l < w.kernels.length; l++) {
    const nIn = w.sizes[l];
    const nOut = w.sizes[l + 1];
    const out = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
      let s = w.biases[l][o];
      for (let i = 0; i < nIn; i++) s += h[i] * w.kernels[l][i * nOut + o];
      out[o] = l + 1 < w.kernels.length ? Math.max(0, s) : s;
    }
    h = out;
  }
  return h[0];
}

/** Float64 BCE from a logit (softplus(z) − t·z, stable). */
export function bce64(z: number, t: number): number {
  const sp = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  return sp - t * z;
}

/** concat(X_u, Y_i) as a plain array. */
export function pairInput(X: ArrayLike<number>, Y: ArrayLike<number>, F: number, u: number, i: number): number[] {
  const v: number[] = [];
  for (let f = 0; f < F; f++) v.push(X[u * F + f]);
  for (let f = 0; f < F; f++) v.push(Y[i * F + f]);
  return v;
}

export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    const scale = Math.max(Math.abs(a[k]), Math.abs(b[k]), 1e-3);
    worst = Math.max(worst, Math.abs(a[k] - b[k]) / scale);
  }
  return worst;
}
