/**
 * EFM parameters (paper-brief §2.1): U1 [m×r], U2 [n×r], V [p×r], H1 [m×r'], H2 [n×r'], all ≥ 0.
 * Values live in plain Float32Arrays between runs and in tf.Variables while training.
 */
import * as tf from '@tensorflow/tfjs';
import type { PreparedDataset } from '../../data/dataset.ts';
import type { EfmSettings } from '../../config.ts';
import { Rng } from '../../random.ts';

export const FACTOR_NAMES = ['U1', 'U2', 'V', 'H1', 'H2'] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

export interface EfmDims {
  /** m */
  users: number;
  /** n */
  items: number;
  /** p */
  features: number;
  /** r */
  explicit: number;
  /** r' */
  latent: number;
}

export type FactorValues = Record<FactorName, Float32Array>;
export type FactorTensors = Record<FactorName, tf.Tensor2D>;
export type EfmParams = Record<FactorName, tf.Variable<tf.Rank.R2>>;

export function efmDims(data: PreparedDataset, efm: EfmSettings): EfmDims {
  const m = data.manifest;
  return {
    users: m.userCount,
    items: m.itemCount,
    features: m.featureCount,
    explicit: efm.explicitFactors,
    latent: efm.latentFactors,
  };
}

export function factorShapes(d: EfmDims): Record<FactorName, [number, number]> {
  return {
    U1: [d.users, d.explicit],
    U2: [d.items, d.explicit],
    V: [d.features, d.explicit],
    H1: [d.users, d.latent],
    H2: [d.items, d.latent],
  };
}

/**
 * Cornac's initialisation: every entry uniform in [0, sqrt(N / (r + r'))), drawn in the order
 * U1, U2, V, H1, H2, row-major, from a stream derived from the cell seed.
 */
export function initialFactors(d: EfmDims, maxRange: number, seed: number): FactorValues {
  const rng = Rng.derive(seed, 'efm/init');
  const high = Math.sqrt(maxRange / (d.explicit + d.latent));
  const shapes = factorShapes(d);
  const out = {} as FactorValues;
  for (const name of FACTOR_NAMES) {
    const [rows, cols] = shapes[name];
    out[name] = rng.uniformArray(rows * cols, 0, high);
  }
  return out;
}

/** Fresh (unnamed, so never clashing) variables holding the values. */
export function createParams(values: FactorValues, d: EfmDims): EfmParams {
  const shapes = factorShapes(d);
  const out = {} as EfmParams;
  for (const name of FACTOR_NAMES) out[name] = variableOf(values[name], shapes[name]);
  return out;
}

/** A variable holding a copy of the values; the temporary tensor is released. */
export function variableOf(values: Float32Array, shape: [number, number]): tf.Variable<tf.Rank.R2> {
  const t = tf.tensor2d(values, shape);
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** Constant tensors (views, attacks): the caller disposes them. */
export function factorTensors(values: FactorValues, d: EfmDims): FactorTensors {
  const shapes = factorShapes(d);
  const out = {} as FactorTensors;
  for (const name of FACTOR_NAMES) out[name] = tf.tensor2d(values[name], shapes[name]);
  return out;
}

export function readFactors(params: Record<FactorName, tf.Tensor>): FactorValues {
  const out = {} as FactorValues;
  for (const name of FACTOR_NAMES) out[name] = Float32Array.from(params[name].dataSync() as Float32Array);
  return out;
}

export function disposeFactors(params: Record<FactorName, tf.Tensor>): void {
  for (const name of FACTOR_NAMES) params[name].dispose();
}
