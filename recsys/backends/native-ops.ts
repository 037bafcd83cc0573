/**
 * TensorFlow ops called directly on the native backend (tfjs-node), one TensorFlow op each.
 *
 * Why: tfjs-node builds several TF.js kernels out of many TensorFlow ops, and every op call costs
 * ~10–30 µs of binding and engine overhead whatever its size. A CER dense layer through the
 * generic TF.js ops is ~20 op calls a training step: `tf.matMul` reshapes both operands to 3-D
 * and back around BatchMatMulV2, `tf.step` (ReLU's gradient) is IsNan + Greater + Fill + Fill +
 * Select + Select with two uploads, and transposed operands are explicit Transposes. TensorFlow
 * has each of these as one op: MatMul with transpose attributes, BiasAdd, Relu, ReluGrad,
 * BiasAddGrad. Measured in bench/RESULTS.md ("Native CER step: fewer ops").
 *
 * The results are ordinary TF.js tensors (tracked by tf.tidy). No gradient is recorded for them:
 * use them inside a tf.customGrad forward and gradient, as recsys/models/cer/mlp.ts does.
 * Float32 only, which is all CER uses.
 */
import * as tf from '@tensorflow/tfjs';

export interface NativeOps {
  /** a·b with either operand transposed in place (TF MatMul, 2-D). */
  matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA?: boolean, transposeB?: boolean): tf.Tensor2D;
  /** x + bias, bias broadcast over rows (TF BiasAdd). */
  biasAdd(x: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D;
  relu(x: tf.Tensor2D): tf.Tensor2D;
  /** dy ⊙ 1[y > 0], the ReLU gradient from the ReLU's output (TF ReluGrad; y > 0 ⇔ x > 0). */
  reluGrad(dy: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D;
  /** Σ over rows (TF BiasAddGrad): the bias gradient. */
  biasAddGrad(dz: tf.Tensor2D): tf.Tensor1D;
}

/** What this file needs of tfjs-node's NodeJSKernelBackend (public members of its class). */
interface NodeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_BOOL: number; TF_ATTR_STRING: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): tf.Tensor;
}
interface OpAttr {
  name: string;
  type: number;
  value: number | boolean | string;
}

/** Backend names under which tfjs-node (CPU or GPU build) registers its kernels. */
const NATIVE_BACKENDS = new Set(['tensorflow']);

/** The native ops when the active TF.js backend is native TensorFlow, else undefined. */
export function nativeOps(): NativeOps | undefined {
  if (!NATIVE_BACKENDS.has(tf.getBackend())) return undefined;
  const backend = tf.backend() as unknown as NodeBackend;
  if (typeof backend.executeSingleOutput !== 'function') return undefined;
  const { binding } = backend;
  const T: OpAttr = { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT };
  const NHWC: OpAttr = { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' };
  const flag = (name: string, value: boolean): OpAttr => ({ name, type: binding.TF_ATTR_BOOL, value });
  const matMulAttrs = [false, true].flatMap((ta) => [false, true].map((tb) => [T, flag('transpose_a', ta), flag('transpose_b', tb)]));
  const run = <R extends tf.Tensor>(op: string, attrs: OpAttr[], inputs: tf.Tensor[]): R => {
    for (const t of inputs) {
      if (t.dtype !== 'float32') throw new TypeError(`native ${op}: expected float32 inputs, got ${t.dtype}`);
    }
    return backend.executeSingleOutput(op, attrs, inputs) as R;
  };
  return {
    matMul: (a, b, ta = false, tb = false) => run('MatMul', matMulAttrs[(ta ? 2 : 0) + (tb ? 1 : 0)], [a, b]),
    biasAdd: (x, bias) => run('BiasAdd', [T, NHWC], [x, bias]),
    relu: (x) => run('Relu', [T], [x]),
    reluGrad: (dy, y) => run('ReluGrad', [T], [dy, y]),
    biasAddGrad: (dz) => run('BiasAddGrad', [T, NHWC], [dz]),
  };
}
