/**
 * Computes one CER training loss and its gradients (w.r.t. the item rows and every parameter),
 * and one input gradient through frozen weights (the explainer's and the attack's path), on one
 * forced backend; prints one JSON line {"loss", "grads": number[][], "inputGrad"} or
 * {"absent": reason}. native-dense.test.ts compares native TensorFlow's one-op-per-step dense
 * layer (recsys/backends/native-ops.ts) with WASM's portable one.
 *
 *   node --import tsx test/backends/cer-gradients-on-backend.ts <backend>
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../recsys/backend.ts';
import { BackendNameSchema } from '../../recsys/config.ts';
import { BackendError } from '../../recsys/errors.ts';
import { cerParameters, initCerModel, transposedKernels } from '../../recsys/models/cer/mlp.ts';
import { meanBce, sampleBce } from '../../recsys/models/cer/step.ts';
import { Rng } from '../../recsys/random.ts';

const backend = BackendNameSchema.parse(process.argv[2]);
try {
  await selectBackend(backend);
} catch (err) {
  if (!(err instanceof BackendError)) throw err;
  process.stdout.write(`${JSON.stringify({ absent: err.reason })}\n`);
  process.exit(0);
}
const F = 7;
const B = 9;
// Hidden sizes with a ReLU unit that is dead for some rows, so ReLU's gradient mask matters.
const model = initCerModel(F, [13, 5], Rng.derive(4, 'native-dense-test'));
const rng = Rng.derive(5, 'native-dense-test/data');
const x = tf.tensor2d(rng.uniformArray(B * F, 0, 5), [B, F]);
const y = tf.tensor2d(rng.uniformArray(B * F, 0, 5), [B, F]);
const labels = tf.tensor1d(Float32Array.from({ length: B }, (_, k) => k % 2));
const params = cerParameters(model);
const kernelsT = transposedKernels(model);
const baseline = tf.memory().numTensors;
const trained = tf.valueAndGrads((...a: tf.Tensor[]) => meanBce(model, x, a[0] as tf.Tensor2D, labels, true))([y, ...params]);
const inputGrad = tf.grad((yy: tf.Tensor) => tf.sum(sampleBce(model, x, yy as tf.Tensor2D, labels, false, kernelsT)))(y);
const out = {
  loss: (await trained.value.data())[0],
  grads: await Promise.all(trained.grads.map(async (g) => Array.from(await g.data()))),
  inputGrad: Array.from(await inputGrad.data()),
};
tf.dispose([trained.value, ...trained.grads, inputGrad]);
// Tensors the computation left behind (an intermediate outside every tf.tidy).
process.stdout.write(`${JSON.stringify({ ...out, leaked: tf.memory().numTensors - baseline })}\n`);
process.exit(0);
