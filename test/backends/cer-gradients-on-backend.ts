/**
 * On one forced backend: one CER training loss and its gradients (w.r.t. the item rows and every
 * parameter), one input gradient through frozen weights (the explainer's and the attack's path),
 * and the weights after a few training steps (trainStep: on native TensorFlow its TensorFlow-op
 * route, native-step.ts) next to the same steps through the gradient tape (tapedTrainStep).
 * Prints one JSON line, or {"absent": reason}. native-dense.test.ts compares native TensorFlow
 * with WASM.
 *
 *   node --import tsx test/backends/cer-gradients-on-backend.ts <backend>
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOps } from '../../recsys/backends/native-ops.ts';
import { type CerModel, cerParameters, initCerModel, transposedKernels } from '../../recsys/models/cer/mlp.ts';
import { meanBce, sampleBce, type StepSettings, tapedTrainStep, trainStep } from '../../recsys/models/cer/step.ts';
import { Rng } from '../../recsys/random.ts';
import { forcedBackend } from './forced-backend.ts';

await forcedBackend(process.argv[2]);
const F = 7;
const B = 9;
// Small hidden layers: with random weights about half the pre-activations are negative, so ReLU's mask matters.
const model = initCerModel(F, [13, 5], Rng.derive(4, 'native-dense-test'));
const rng = Rng.derive(5, 'native-dense-test/data');
const x = tf.tensor2d(rng.uniformArray(B * F, 0, 5), [B, F]);
const items = rng.uniformArray(B * F, 0, 5);
for (let k = 0; k < items.length; k += 4) items[k] = 0;
const y = tf.tensor2d(items, [B, F]);
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

/** Weights and losses after `steps` SGD steps from the same start, by one of the two routes. */
function train(step: typeof trainStep, settings: StepSettings, steps = 4): { weights: number[]; losses: number[] } {
  const m: CerModel = initCerModel(F, [13, 5], Rng.derive(4, 'native-dense-test'));
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = step(m, x, y, labels, settings);
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  const weights = cerParameters(m).flatMap((p) => Array.from(p.dataSync()));
  tf.dispose(cerParameters(m));
  return { weights, losses };
}
// A large learning rate so that the steps move the weights visibly; item rows with zeros for A3.
const perturb = { epsilon: 0.5, maxRange: 5, nonZeroOnly: true };
const settings: Record<string, StepSettings> = {
  vanilla: { learningRate: 0.5, weightDecay: 1e-3, lambda: 0, perturb },
  adversarial: { learningRate: 0.5, weightDecay: 1e-3, lambda: 0.5, perturb },
};
const steps = Object.fromEntries(
  Object.entries(settings).map(([name, st]) => [name, { step: train(trainStep, st), taped: train(tapedTrainStep, st) }]),
);
// Tensors the computation left behind (an intermediate outside every tf.tidy).
process.stdout.write(`${JSON.stringify({ ...out, steps, fusedDense: nativeOps()?.fusedDense ?? false, leaked: tf.memory().numTensors - baseline })}\n`);
process.exit(0);
