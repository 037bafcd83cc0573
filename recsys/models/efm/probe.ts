/**
 * The objective and its gradients evaluated at a saved state (no training): what the white-box
 * attacker computes at Θ*, and what tests and reports check.
 */
import * as tf from '@tensorflow/tfjs';
import type { PreparedDataset } from '../../data/dataset.ts';
import type { ModelState } from '../explainable-model.ts';
import { createLossInputs, disposeLossInputs, efmGradY, efmLoss, type EfmLossInputs } from './loss.ts';
import { disposeFactors, efmDims, factorTensors, type EfmDims, type FactorName, type FactorTensors } from './params.ts';
import type { EfmRunConfig } from './settings.ts';
import { fromModelState } from './state.ts';

type ProbeConfig = Pick<EfmRunConfig, 'efm' | 'choices'>;

/** Run fn with the state's factors, the loss inputs and Y (default data.Y) on the device. */
function withState<T>(
  state: ModelState,
  data: PreparedDataset,
  config: ProbeConfig,
  y: Float32Array | undefined,
  fn: (f: FactorTensors, inputs: EfmLossInputs, Y: tf.Tensor2D, d: EfmDims) => T,
): T {
  const d = efmDims(data, config.efm);
  const f = factorTensors(fromModelState(state, d).factors, d);
  const inputs = createLossInputs(data, config.choices.efmResiduals);
  const Y = tf.tensor2d(y ?? data.Y, [d.items, d.features]);
  try {
    return fn(f, inputs, Y, d);
  } finally {
    disposeFactors(f);
    disposeLossInputs(inputs);
    Y.dispose();
  }
}

/** L_EFM(X, Y | Θ) at the state; Y defaults to data.Y. */
export function efmLossAt(state: ModelState, data: PreparedDataset, config: ProbeConfig, y?: Float32Array): number {
  return withState(state, data, config, y, (f, inputs, Y) => {
    const v = tf.tidy(() => efmLoss(f, inputs, Y, config.efm));
    const out = v.dataSync()[0];
    v.dispose();
    return out;
  });
}

/** Analytic ∇_Y L_EFM = −2λy·M_Y ⊙ (U2Vᵀ − Y) at the state, [n × p] row-major. */
export function efmGradYAt(state: ModelState, data: PreparedDataset, config: ProbeConfig, y?: Float32Array): Float32Array {
  return withState(state, data, config, y, (f, inputs, Y) => {
    const g = efmGradY(f.U2, f.V, Y, config.efm.lambdaY, inputs.residuals);
    const out = Float32Array.from(g.dataSync() as Float32Array);
    g.dispose();
    return out;
  });
}

/** ∇ of L_EFM(X, Y | Θ) with respect to one factor, by tf.grad, at the state. */
export function efmGradFactorAt(
  state: ModelState,
  data: PreparedDataset,
  config: ProbeConfig,
  factor: FactorName,
  y?: Float32Array,
): Float32Array {
  return withState(state, data, config, y, (f, inputs, Y) => {
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => efmLoss({ ...f, [factor]: x as tf.Tensor2D }, inputs, Y, config.efm))(f[factor]));
    const out = Float32Array.from(g.dataSync() as Float32Array);
    g.dispose();
    return out;
  });
}

/** withState for an async fn: the tensors live until fn's promise settles. */
async function withStateAsync<T>(
  state: ModelState,
  data: PreparedDataset,
  config: ProbeConfig,
  y: Float32Array | undefined,
  fn: (f: FactorTensors, inputs: EfmLossInputs, Y: tf.Tensor2D, d: EfmDims) => Promise<T>,
): Promise<T> {
  const d = efmDims(data, config.efm);
  const f = factorTensors(fromModelState(state, d).factors, d);
  const inputs = createLossInputs(data, config.choices.efmResiduals);
  const Y = tf.tensor2d(y ?? data.Y, [d.items, d.features]);
  try {
    return await fn(f, inputs, Y, d);
  } finally {
    disposeFactors(f);
    disposeLossInputs(inputs);
    Y.dispose();
  }
}

/** Read a tensor asynchronously and dispose it (WebGPU in Node has no synchronous read). */
async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return Float32Array.from((await t.data()) as Float32Array);
  } finally {
    t.dispose();
  }
}

/** efmGradYAt, read asynchronously: what the attack uses, so that it runs on every backend. */
export function efmGradYAtAsync(state: ModelState, data: PreparedDataset, config: ProbeConfig, y?: Float32Array): Promise<Float32Array> {
  return withStateAsync(state, data, config, y, (f, inputs, Y) =>
    readAndDispose(efmGradY(f.U2, f.V, Y, config.efm.lambdaY, inputs.residuals)),
  );
}

/** efmGradFactorAt, read asynchronously. */
export function efmGradFactorAtAsync(
  state: ModelState,
  data: PreparedDataset,
  config: ProbeConfig,
  factor: FactorName,
  y?: Float32Array,
): Promise<Float32Array> {
  return withStateAsync(state, data, config, y, (f, inputs, Y) =>
    readAndDispose(tf.tidy(() => tf.grad((x: tf.Tensor) => efmLoss({ ...f, [factor]: x as tf.Tensor2D }, inputs, Y, config.efm))(f[factor]))),
  );
}
