/**
 * CER's black-box base recommender (paper-brief §3.1): concat(X_u, Y_i) [2F] → hidden layers
 * (ReLU) → 1 → sigmoid. Weights are tf.Variables initialised from our Rng exactly like PyTorch's
 * nn.Linear: kernel and bias ~ U(−1/√fan_in, +1/√fan_in).
 *
 * Kernels are stored [in × out] (x·W + b). A ModelState holds the exact float32 numbers, so a
 * checkpoint restores the model bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { type NativeOps, nativeOps } from '../../backends/native-ops.ts';
import type { ModelState } from '../explainable-model.ts';
import type { Rng } from '../../random.ts';

export interface CerModel {
  readonly featureCount: number;
  readonly hidden: readonly number[];
  /** Layer l maps sizes[l] → sizes[l+1]; sizes = [2F, ...hidden, 1]. Kernel [in × out]. */
  readonly kernels: tf.Variable<tf.Rank.R2>[];
  readonly biases: tf.Variable<tf.Rank.R1>[];
}

/** Layer sizes [2F, ...hidden, 1]. */
export function layerSizes(featureCount: number, hidden: readonly number[]): number[] {
  return [2 * featureCount, ...hidden, 1];
}

/** Names of the parameter tensors in a ModelState, in parameter order. */
export function parameterNames(layers: number): string[] {
  const names: string[] = [];
  for (let l = 0; l < layers; l++) names.push(`dense${l}.kernel`, `dense${l}.bias`);
  return names;
}

/**
 * Fresh weights. Draw order (fixed, part of the reproducibility contract): layer by layer,
 * the kernel row-major in [in × out] order, then the bias.
 */
export function initCerModel(featureCount: number, hidden: readonly number[], rng: Rng): CerModel {
  const sizes = layerSizes(featureCount, hidden);
  const arrays: { shape: number[]; data: Float32Array }[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const bound = 1 / Math.sqrt(fanIn);
    arrays.push({ shape: [fanIn, sizes[l + 1]], data: rng.uniformArray(fanIn * sizes[l + 1], -bound, bound) });
    arrays.push({ shape: [sizes[l + 1]], data: rng.uniformArray(sizes[l + 1], -bound, bound) });
  }
  return fromArrays(featureCount, hidden, arrays);
}

/** A model holding exactly the given weights (kernels [in × out], biases [out]). */
export function cerModelFromArrays(
  featureCount: number,
  hidden: readonly number[],
  kernels: Float32Array[],
  biases: Float32Array[],
): CerModel {
  const sizes = layerSizes(featureCount, hidden);
  const arrays: { shape: number[]; data: Float32Array }[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    arrays.push({ shape: [sizes[l], sizes[l + 1]], data: kernels[l] });
    arrays.push({ shape: [sizes[l + 1]], data: biases[l] });
  }
  return fromArrays(featureCount, hidden, arrays);
}

function fromArrays(featureCount: number, hidden: readonly number[], arrays: { shape: number[]; data: Float32Array }[]): CerModel {
  const sizes = layerSizes(featureCount, hidden);
  const kernels: tf.Variable<tf.Rank.R2>[] = [];
  const biases: tf.Variable<tf.Rank.R1>[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const k = arrays[2 * l];
    const b = arrays[2 * l + 1];
    checkShape(`dense${l}.kernel`, k, [sizes[l], sizes[l + 1]]);
    checkShape(`dense${l}.bias`, b, [sizes[l + 1]]);
    // Unnamed variables: tf.js names must be globally unique and several models may coexist.
    kernels.push(toVariable(k.data, [sizes[l], sizes[l + 1]]) as tf.Variable<tf.Rank.R2>);
    biases.push(toVariable(b.data, [sizes[l + 1]]) as tf.Variable<tf.Rank.R1>);
  }
  return { featureCount, hidden: [...hidden], kernels, biases };
}

/** A trainable variable holding a copy of data (the temporary initial tensor is released). */
function toVariable(data: Float32Array, shape: number[]): tf.Variable {
  const init = tf.tensor(data, shape, 'float32');
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}

function checkShape(name: string, got: { shape: number[]; data: Float32Array }, want: number[]): void {
  const size = want.reduce((a, b) => a * b, 1);
  if (got.shape.length !== want.length || got.shape.some((d, i) => d !== want[i]) || got.data.length !== size) {
    throw new RangeError(`CER parameter ${name}: expected shape [${want}], got [${got.shape}] with ${got.data.length} values`);
  }
}

/** All trainable parameters in a fixed order: kernel0, bias0, kernel1, bias1, … */
export function cerParameters(model: CerModel): tf.Variable[] {
  const out: tf.Variable[] = [];
  for (let l = 0; l < model.kernels.length; l++) out.push(model.kernels[l], model.biases[l]);
  return out;
}

/**
 * One dense layer y = act(h·W + b) with a hand-written gradient:
 *   dz = dy ⊙ 1[y > 0] (ReLU) · dh = dz·Wᵀ · dW = hᵀ·dz · db = Σ_rows dz.
 * With trainable = false the weights are constants and only dh is computed (explainer, FGSM,
 * attack gradients); with trainable = true all three are. On native TensorFlow each of these is
 * one or two TensorFlow ops (nativeDense); elsewhere portableDense spells them in TF.js ops.
 */
function dense(h: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, relu: boolean, trainable: boolean, Wt?: tf.Tensor2D): tf.Tensor2D {
  const ops = nativeOps();
  return ops ? nativeDense(ops, h, W, b, relu, trainable) : portableDense(h, W, b, relu, trainable, Wt);
}

/**
 * The dense layer on native TensorFlow: one fused MatMul + BiasAdd + Relu forward (NativeOps.dense);
 * Sign·Mul (ReLU's mask), two MatMuls (operands transposed by attribute, not by a Transpose op)
 * and BiasAddGrad backward.
 */
function nativeDense(ops: NativeOps, h: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, relu: boolean, trainable: boolean): tf.Tensor2D {
  const forward = (hh: tf.Tensor2D, ww: tf.Tensor2D, bb: tf.Tensor1D): tf.Tensor2D => ops.dense(hh, ww, bb, relu);
  // 1[y > 0] = sign(y) for y = relu(·) ≥ 0; Sign + Mul is ~2× faster than TensorFlow's ReluGrad on the CPU.
  const dzOf = (dy: tf.Tensor, y: tf.Tensor): tf.Tensor2D => (relu ? ops.mul(dy as tf.Tensor2D, ops.sign(y as tf.Tensor2D)) : (dy as tf.Tensor2D));
  if (!trainable) {
    const op = tf.customGrad(((hh: tf.Tensor2D, save: tf.GradSaveFunc) => {
      const y = forward(hh, W, b);
      save([y]);
      return { value: y, gradFunc: (dy: tf.Tensor, [ys]: tf.Tensor[]) => ops.matMul(dzOf(dy, ys), W, false, true) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(h) as tf.Tensor2D;
  }
  const op = tf.customGrad(((hh: tf.Tensor2D, ww: tf.Tensor2D, bb: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const y = forward(hh, ww, bb);
    save([hh, ww, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [hs, ws, ys]: tf.Tensor[]) => {
        const dz = dzOf(dy, ys);
        return [ops.matMul(dz, ws as tf.Tensor2D, false, true), ops.matMul(hs as tf.Tensor2D, dz, true, false), ops.biasAddGrad(dz)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(h, W, b) as tf.Tensor2D;
}

/**
 * The dense layer in TF.js ops, for WASM and WebGPU. The stock MatMul gradient uses
 * transposed-operand matmuls, which the WASM backend runs on a slow path (10–30× slower than a
 * plain matmul, measured on tfjs-backend-wasm 4.22); here every product is a plain matmul.
 * dh uses a precomputed Wᵀ when given (frozen weights, see transposedKernels), else (W·dzᵀ)ᵀ.
 */
function portableDense(h: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, relu: boolean, trainable: boolean, Wt?: tf.Tensor2D): tf.Tensor2D {
  const activation = relu ? 'relu' : 'linear';
  const dzOf = (dy: tf.Tensor, y: tf.Tensor): tf.Tensor2D => (relu ? tf.mul(dy, tf.step(y)) : dy) as tf.Tensor2D;
  const dhOf = (w: tf.Tensor2D, dz: tf.Tensor2D): tf.Tensor2D =>
    Wt ? tf.matMul(dz, Wt) : (tf.transpose(tf.matMul(w, tf.transpose(dz))) as tf.Tensor2D);
  if (!trainable) {
    const op = tf.customGrad(((hh: tf.Tensor2D, save: tf.GradSaveFunc) => {
      const y = tf.fused.matMul({ a: hh, b: W, bias: b, activation }) as tf.Tensor2D;
      save([y]);
      return { value: y, gradFunc: (dy: tf.Tensor, [ys]: tf.Tensor[]) => dhOf(W, dzOf(dy, ys)) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(h) as tf.Tensor2D;
  }
  const op = tf.customGrad(((hh: tf.Tensor2D, ww: tf.Tensor2D, bb: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const y = tf.fused.matMul({ a: hh, b: ww, bias: bb, activation }) as tf.Tensor2D;
    save([hh, ww, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [hs, ws, ys]: tf.Tensor[]) => {
        const dz = dzOf(dy, ys);
        return [dhOf(ws as tf.Tensor2D, dz), tf.matMul(tf.transpose(hs as tf.Tensor2D), dz), tf.sum(dz, 0)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(h, W, b) as tf.Tensor2D;
}

/**
 * Transposed kernels of a model whose weights stay fixed for a while (explainer, attack): input
 * gradients then cost one plain matmul against a constant operand per layer. Valid until the
 * weights change; the caller disposes them (tf.dispose).
 */
export function transposedKernels(model: CerModel): tf.Tensor2D[] {
  return model.kernels.map((k) => tf.transpose(k) as tf.Tensor2D);
}

/**
 * Logits z [B] for a batch of inputs [B × 2F]; score = sigmoid(z). Gradients flow to the input
 * always, and to the weights only with trainable = true (training). `transposed` (from
 * transposedKernels, current weights) speeds up input gradients when the weights are frozen.
 */
export function cerLogits(model: CerModel, input: tf.Tensor2D, trainable = false, transposed?: tf.Tensor2D[]): tf.Tensor1D {
  return tf.tidy(() => {
    let h: tf.Tensor2D = input;
    const last = model.kernels.length - 1;
    for (let l = 0; l <= last; l++) h = dense(h, model.kernels[l], model.biases[l], l < last, trainable, trainable ? undefined : transposed?.[l]);
    return h.reshape([input.shape[0]]) as tf.Tensor1D;
  });
}

/** Scores s = sigmoid(f(concat(x, y))) [B] for user rows x [B × F] and item rows y [B × F]. */
export function cerScores(model: CerModel, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sigmoid(cerLogits(model, tf.concat([x, y], 1))));
}

/** Snapshot as a ModelState (exact float32 copies). `extra` adds more named tensors (e.g. loss history). */
export function cerModelToState(
  model: CerModel,
  epoch: number,
  extra: Record<string, { shape: number[]; data: Float32Array }> = {},
): ModelState {
  const tensors: ModelState['tensors'] = {};
  const names = parameterNames(model.kernels.length);
  cerParameters(model).forEach((v, i) => {
    tensors[names[i]] = { shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) };
  });
  for (const [k, v] of Object.entries(extra)) tensors[k] = v;
  return { kind: 'cer', epoch, tensors };
}

/** Rebuild a model from a ModelState; the architecture is read from the tensor shapes. */
export function cerModelFromState(state: ModelState): CerModel {
  if (state.kind !== 'cer') throw new RangeError(`expected a CER model state, got kind '${state.kind}'`);
  const kernels: Float32Array[] = [];
  const biases: Float32Array[] = [];
  const sizes: number[] = [];
  for (let l = 0; ; l++) {
    const k = state.tensors[`dense${l}.kernel`];
    const b = state.tensors[`dense${l}.bias`];
    if (!k) break;
    if (!b || k.shape.length !== 2) throw new RangeError(`CER state: malformed layer ${l}`);
    if (l === 0) sizes.push(k.shape[0]);
    else if (k.shape[0] !== sizes[l]) throw new RangeError(`CER state: layer ${l} input ${k.shape[0]} ≠ ${sizes[l]}`);
    sizes.push(k.shape[1]);
    kernels.push(k.data);
    biases.push(b.data);
  }
  if (kernels.length < 2 || sizes[0] % 2 !== 0 || sizes[sizes.length - 1] !== 1) {
    throw new RangeError(`CER state: layer sizes [${sizes}] are not [2F, ...hidden, 1]`);
  }
  return cerModelFromArrays(sizes[0] / 2, sizes.slice(1, -1), kernels, biases);
}

/** Overwrite the model's weights with a state's (same architecture). */
export function assignCerState(model: CerModel, state: ModelState): void {
  const names = parameterNames(model.kernels.length);
  cerParameters(model).forEach((v, i) => {
    const t = state.tensors[names[i]];
    if (!t) throw new RangeError(`CER state lacks ${names[i]}`);
    checkShape(names[i], t, v.shape);
    const value = tf.tensor(t.data, v.shape);
    v.assign(value);
    value.dispose();
  });
}

export function disposeCerModel(model: CerModel): void {
  for (const v of cerParameters(model)) v.dispose();
}
