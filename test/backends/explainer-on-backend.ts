/**
 * On one forced backend: the counterfactual explainer's optimisation (optimiseDeltas) of a small
 * chunk of pairs, by the route the backend takes (native TensorFlow: explainer-native.ts) and
 * through the gradient tape, for each complexity norm. Prints one JSON line
 * {"runs": {<norm>: {auto, taped}}, "leaked"} or {"absent": reason}. Compared by
 * native-explainer.test.ts.
 *
 *   node --import tsx test/backends/explainer-on-backend.ts <backend>
 */
import * as tf from '@tensorflow/tfjs';
import { type DeltaOptimum, type ExplainerParams, optimiseDeltas } from '../../recsys/models/cer/explainer.ts';
import { cerScores, initCerModel } from '../../recsys/models/cer/mlp.ts';
import { Rng } from '../../recsys/random.ts';
import { forcedBackend } from './forced-backend.ts';

await forcedBackend(process.argv[2]);
const F = 9;
const B = 12;
const model = initCerModel(F, [16, 8], Rng.derive(1, 'explainer-on-backend'));
const rng = Rng.derive(2, 'explainer-on-backend/data');
const X = rng.uniformArray(B * F, 0, 5);
for (let k = 0; k < X.length; k += 3) X[k] = 0; // user masks with zeros
const Y = rng.uniformArray(B * F, 0, 5);
const scores = tf.tidy(() => cerScores(model, tf.tensor2d(X, [B, F]), tf.tensor2d(Y, [B, F]))).dataSync();
// Margins just under each score: the BPR term is active, so its gradient path runs.
const pairs = Array.from({ length: B }, (_, k) => ({ user: k, item: k, marginScore: scores[k] - 0.05 }));
const baseline = tf.memory().numTensors;
const plain = (o: DeltaOptimum) => ({ delta: Array.from(o.delta), loss: Array.from(o.loss), bpr: Array.from(o.bpr), norm: Array.from(o.norm) });
const runs: Record<string, unknown> = {};
for (const complexityNorm of ['l2', 'l2-squared'] as const) {
  const params: ExplainerParams = {
    lam: 100, alpha: 0.2, gamma: 1, learningRate: 0.01, steps: 40, maskThresh: 0.1, userMask: true, chunkSize: 64,
    complexityNorm, thresholdMaskedDelta: false, keeps: 'after-step', maxRange: 5, seed: 3,
  };
  runs[complexityNorm] = {
    auto: plain(await optimiseDeltas(model, X, Y, pairs, params)),
    taped: plain(await optimiseDeltas(model, X, Y, pairs, params, undefined, 'taped')),
  };
}
process.stdout.write(`${JSON.stringify({ runs, leaked: tf.memory().numTensors - baseline })}\n`);
process.exit(0);
