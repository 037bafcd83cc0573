/**
 * The white-box attack on CER (paper-brief §4, A11, A12): ∇_Y of the attacker's loss at frozen
 * weights, matrix level: BCE SUMMED over all training pairs ('train') or over every candidate of
 * every test list ('test-candidates'). Computed in batches w.r.t. the batch's item rows [B × F]
 * and scatter-added into [I × F] by item id (an item in several pairs collects every term).
 */
import * as tf from '@tensorflow/tfjs';
import type { Choices, ResolvedCellConfig } from '../../config.ts';
import type { PreparedDataset } from '../../data/dataset.ts';
import type { Rng } from '../../random.ts';
import type { PerturbOptions } from '../../robust/perturb.ts';
import { ATTACKS, type AttackName } from '../../attacks/index.ts';
import { gatherRows, gatherValues } from './batch.ts';
import { yieldToEventLoop } from './event-loop.ts';
import { type CerModel, transposedKernels } from './mlp.ts';
import { sampleBce } from './step.ts';

export interface LabelledPairs {
  users: Int32Array;
  items: Int32Array;
  labels: Float32Array;
}

/** The (user, item, label) terms of the attacker's loss. */
export function attackPairs(data: PreparedDataset, loss: Choices['attackLoss']): LabelledPairs {
  if (loss === 'train') return data.train;
  const { users, width, items, labels } = data.test;
  const n = users.length * width;
  const u = new Int32Array(n);
  for (let t = 0; t < users.length; t++) u.fill(users[t], t * width, (t + 1) * width);
  return { users: u, items: Int32Array.from(items), labels: Float32Array.from(labels) };
}

/** Summed BCE over the pairs, at item matrix Y (float64 sum of float32 batch sums). */
export async function cerAttackLoss(model: CerModel, X: Float32Array, Y: Float32Array, pairs: LabelledPairs, batchSize = 2048): Promise<number> {
  const F = model.featureCount;
  let total = 0;
  for (let s = 0; s < pairs.labels.length; s += batchSize) {
    const e = Math.min(pairs.labels.length, s + batchSize);
    const v = tf.tidy(() => {
      const x = tf.tensor2d(gatherRows(X, F, pairs.users, s, e), [e - s, F]);
      const y = tf.tensor2d(gatherRows(Y, F, pairs.items, s, e), [e - s, F]);
      return tf.sum(sampleBce(model, x, y, tf.tensor1d(gatherValues(pairs.labels, s, e))));
    });
    total += (await v.data())[0];
    v.dispose();
    await yieldToEventLoop();
  }
  return total;
}

/**
 * ∇_Y Σ_pairs BCE(f(X_u, Y_i), t) at item matrix Y, as a row-major [I × F] array. Items in no pair
 * get exactly 0. Accumulated in float64, returned as float32.
 */
export async function cerLossGradientY(
  model: CerModel,
  X: Float32Array,
  Y: Float32Array,
  pairs: LabelledPairs,
  batchSize = 2048,
): Promise<Float32Array> {
  const F = model.featureCount;
  const acc = new Float64Array(Y.length);
  const kernelsT = transposedKernels(model);
  try {
    for (let s = 0; s < pairs.labels.length; s += batchSize) {
      const e = Math.min(pairs.labels.length, s + batchSize);
      const g = tf.tidy(() => {
        const x = tf.tensor2d(gatherRows(X, F, pairs.users, s, e), [e - s, F]);
        const y = tf.tensor2d(gatherRows(Y, F, pairs.items, s, e), [e - s, F]);
        const labels = tf.tensor1d(gatherValues(pairs.labels, s, e));
        return tf.grad((yy: tf.Tensor) => tf.sum(sampleBce(model, x, yy as tf.Tensor2D, labels, false, kernelsT)))(y);
      });
      const rows = (await g.data()) as Float32Array;
      g.dispose();
      await yieldToEventLoop();
      for (let k = 0; k < e - s; k++) {
        const to = pairs.items[s + k] * F;
        for (let f = 0; f < F; f++) acc[to + f] += rows[k * F + f];
      }
    }
  } finally {
    tf.dispose(kernelsT);
  }
  return Float32Array.from(acc);
}

/**
 * Y_adv for one attack at budget ε (recsys/attacks/): the attack's rule with CER's loss gradient
 * at frozen weights (choices.attackLoss picks the loss) as its oracle. All clip to [0, N] and
 * honour choices.perturbNonZeroOnly.
 */
export async function cerAttack(
  model: CerModel,
  data: PreparedDataset,
  config: ResolvedCellConfig,
  epsilon: number,
  kind: AttackName,
  rng: Rng,
): Promise<Float32Array> {
  const opts: PerturbOptions = { epsilon, maxRange: data.manifest.maxRange, nonZeroOnly: config.choices.perturbNonZeroOnly };
  const pairs = attackPairs(data, config.choices.attackLoss);
  return ATTACKS[kind].perturb(data.Y, { opts, rng, settings: config.attackSettings, gradientAt: (y) => cerLossGradientY(model, data.X, y, pairs) });
}
