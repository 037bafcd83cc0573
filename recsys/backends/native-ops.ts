/**
 * TensorFlow ops called directly on the native backend (tfjs-node), one TensorFlow op each.
 *
 * Why: every TF.js kernel call through tfjs-node costs ~10 µs of engine and binding overhead
 * whatever its size, and several kernels are many TensorFlow ops: `tf.matMul` reshapes both
 * operands to 3-D and back around BatchMatMulV2, `tf.step` (ReLU's gradient) is IsNan + Greater +
 * Fill + Fill + Select + Select with two uploads, and a transposed operand in CER's portable layer
 * is an explicit Transpose. TensorFlow has each as one or two ops: MatMul with transpose
 * attributes, _FusedMatMul (MatMul + BiasAdd + Relu), Sign·Mul (ReLU's mask from its output),
 * BiasAddGrad. Measured in bench/RESULTS.md ("Native CER step").
 *
 * The results are ordinary TF.js tensors (tracked by tf.tidy), but no gradient is recorded for
 * them: mlp.ts uses them inside tf.customGrad, and native-step.ts and explainer-native.ts derive
 * their gradients by hand. Float32 only, which is all CER uses.
 */
import * as tf from '@tensorflow/tfjs';

export interface NativeOps {
  /**
   * relu(h·W + b), or h·W + b with relu = false: one `_FusedMatMul` (oneDNN fuses the bias and
   * the ReLU into the product) where the addon was built with rexsweep's binding patch
   * (infra/native/patch.ts) and runs on the CPU, else MatMul + BiasAdd (+ Relu).
   */
  dense(h: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, relu: boolean): tf.Tensor2D;
  /** Whether dense is one fused op here. */
  readonly fusedDense: boolean;
  /** a·b with either operand transposed in place (TF MatMul, 2-D). */
  matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA?: boolean, transposeB?: boolean): tf.Tensor2D;
  /** Σ over rows (TF BiasAddGrad): the bias gradient. */
  biasAddGrad(dz: tf.Tensor2D): tf.Tensor1D;
  /** Element-wise, with broadcasting (a scalar operand is a 0-d tensor). */
  add<R extends tf.Tensor>(a: R, b: tf.Tensor): R;
  sub<R extends tf.Tensor>(a: R, b: tf.Tensor): R;
  mul<R extends tf.Tensor>(a: R, b: tf.Tensor): R;
  sign<R extends tf.Tensor>(x: R): R;
  sigmoid<R extends tf.Tensor>(x: R): R;
  softplus<R extends tf.Tensor>(x: R): R;
  /** min(max(x, lo), hi), lo and hi 0-d. */
  clip<R extends tf.Tensor>(x: R, lo: tf.Scalar, hi: tf.Scalar): R;
  /** x where x == 0, else y (TF Equal + SelectV2). */
  keepZeros<R extends tf.Tensor>(x: R, y: R): R;
  /** Mean of every element. */
  meanAll(x: tf.Tensor): tf.Scalar;
  /** [a | b] along columns (TF ConcatV2). */
  concatColumns(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
  /** The last `columns` columns of x (TF Slice). */
  lastColumns(x: tf.Tensor2D, columns: number): tf.Tensor2D;
  /** x [B] as a column [B × 1] (TF ExpandDims). */
  column(x: tf.Tensor1D): tf.Tensor2D;
  /** A column [B × 1] as x [B] (TF Squeeze). */
  uncolumn(x: tf.Tensor2D): tf.Tensor1D;
  relu<R extends tf.Tensor>(x: R): R;
  sqrt<R extends tf.Tensor>(x: R): R;
  div<R extends tf.Tensor>(a: R, b: tf.Tensor): R;
  /** Σ over columns, kept as a column [B × 1] (TF Sum). */
  rowSum(x: tf.Tensor2D): tf.Tensor2D;
  /** dy where lo ≤ x ≤ hi, else 0: the gradient of clip(x, lo, hi), bounds included as in TF.js. */
  clipGrad<R extends tf.Tensor>(dy: R, x: R, lo: tf.Scalar, hi: tf.Scalar): R;
}

/** What this file needs of tfjs-node's NodeJSKernelBackend (public members of its class). */
interface NodeBackend {
  binding: {
    TF_ATTR_TYPE: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_STRING: number;
    TF_ATTR_INT: number;
    TF_FLOAT: number;
    TF_INT32: number;
    /** Set by rexsweep's binding patch: list(string) attributes work. */
    REXSWEEP_BINDING_PATCH?: number;
  };
  isUsingGpuDevice?: boolean;
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): tf.Tensor;
}

interface OpAttr {
  name: string;
  type: number;
  value: number | number[] | boolean | string | string[];
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
  const int32Attr = (name: string): OpAttr => ({ name, type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 });
  const NHWC: OpAttr = { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' };
  const flag = (name: string, value: boolean): OpAttr => ({ name, type: binding.TF_ATTR_BOOL, value });
  const matMulAttrs = [false, true].flatMap((ta) => [false, true].map((tb) => [T, flag('transpose_a', ta), flag('transpose_b', tb)]));
  const run = <R extends tf.Tensor>(op: string, attrs: OpAttr[], inputs: tf.Tensor[]): R => backend.executeSingleOutput(op, attrs, inputs) as R;
  const float = <R extends tf.Tensor>(op: string, inputs: tf.Tensor[], attrs: OpAttr[] = [T]): R => {
    for (const t of inputs) {
      if (t.dtype !== 'float32') throw new TypeError(`native ${op}: expected float32 inputs, got ${t.dtype}`);
    }
    return run<R>(op, attrs, inputs);
  };
  /** A small int32 operand (axes, shapes), released once the op has run. */
  const withInt32 = <R extends tf.Tensor>(values: number | number[], use: (t: tf.Tensor) => R): R => {
    const t = Array.isArray(values) ? tf.tensor1d(values, 'int32') : tf.scalar(values, 'int32');
    try {
      return use(t);
    } finally {
      t.dispose();
    }
  };
  // _FusedMatMul needs list(string) attributes (the patch). On a GPU, keep to ops every build has.
  const fusedDense = (binding.REXSWEEP_BINDING_PATCH ?? 0) >= 1 && !backend.isUsingGpuDevice;
  const fusedAttrs = (relu: boolean): OpAttr[] => [
    ...matMulAttrs[0],
    { name: 'num_args', type: binding.TF_ATTR_INT, value: 1 },
    { name: 'fused_ops', type: binding.TF_ATTR_STRING, value: relu ? ['BiasAdd', 'Relu'] : ['BiasAdd'] },
  ];
  const fused = { true: fusedAttrs(true), false: fusedAttrs(false) };
  const matMul = (a: tf.Tensor2D, b: tf.Tensor2D, ta = false, tb = false): tf.Tensor2D => float('MatMul', [a, b], matMulAttrs[(ta ? 2 : 0) + (tb ? 1 : 0)]);
  const unfused = (h: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, relu: boolean): tf.Tensor2D =>
    tf.tidy(() => {
      const z = float<tf.Tensor2D>('BiasAdd', [matMul(h, W), b], [T, NHWC]);
      return relu ? float<tf.Tensor2D>('Relu', [z]) : z;
    });
  return {
    fusedDense,
    dense: fusedDense ? (h, W, b, relu) => float('_FusedMatMul', [h, W, b], fused[`${relu}`]) : unfused,
    matMul,
    biasAddGrad: (dz) => float('BiasAddGrad', [dz], [T, NHWC]),
    add: (a, b) => float('AddV2', [a, b]),
    sub: (a, b) => float('Sub', [a, b]),
    mul: (a, b) => float('Mul', [a, b]),
    sign: (x) => float('Sign', [x]),
    sigmoid: (x) => float('Sigmoid', [x]),
    softplus: (x) => float('Softplus', [x]),
    clip: (x, lo, hi) => float('ClipByValue', [x, lo, hi]),
    keepZeros: (x, y) =>
      tf.tidy(() => {
        const zero = tf.scalar(0);
        const isZero = run('Equal', [T, flag('incompatible_shape_error', true)], [x, zero]);
        return run('SelectV2', [T], [isZero, x, y]);
      }),
    meanAll: (x) => withInt32([...x.shape.keys()], (axes) => run('Mean', [flag('keep_dims', false), T, int32Attr('Tidx')], [x, axes])),
    concatColumns: (a, b) =>
      withInt32(1, (axis) => run('ConcatV2', [{ name: 'N', type: binding.TF_ATTR_INT, value: 2 }, T, int32Attr('Tidx')], [a, b, axis])),
    lastColumns: (x, columns) =>
      withInt32([0, x.shape[1] - columns], (begin) => withInt32([x.shape[0], columns], (size) => run('Slice', [T, int32Attr('Index')], [x, begin, size]))),
    column: (x) => withInt32(1, (dim) => run('ExpandDims', [T, int32Attr('Tdim')], [x, dim])),
    uncolumn: (x) => run('Squeeze', [T, { name: 'squeeze_dims', type: binding.TF_ATTR_INT, value: [1] }], [x]),
    relu: (x) => float('Relu', [x]),
    sqrt: (x) => float('Sqrt', [x]),
    div: (a, b) => float('RealDiv', [a, b]),
    rowSum: (x) => withInt32(1, (axis) => run('Sum', [flag('keep_dims', true), T, int32Attr('Tidx')], [x, axis])),
    clipGrad: (dy, x, lo, hi) =>
      tf.tidy(() => {
        const within = run('LogicalAnd', [], [run('GreaterEqual', [T], [x, lo]), run('LessEqual', [T], [x, hi])]);
        return run('SelectV2', [T], [within, dy, tf.scalar(0)]);
      }),
  };
}
