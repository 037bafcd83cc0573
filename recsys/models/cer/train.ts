/**
 * Training CER's base model (paper-brief §3.1) and its adversarially trained variant (§5).
 *
 * Reproducibility: the initial weights come from Rng.derive(seed, 'cer-init'); the order of epoch e
 * is a fresh shuffle from Rng.derive(seed, 'cer-shuffle:e'), independent of earlier epochs. SGD has
 * no optimiser state, so a run resumed from the ModelState of epoch k is bit-identical to an
 * undisturbed run (same backend).
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedCellConfig } from '../../config.ts';
import type { PreparedDataset } from '../../data/dataset.ts';
import { DivergenceError } from '../../errors.ts';
import { Rng } from '../../random.ts';
import type { ModelState, TrainHooks, TrainResult } from '../explainable-model.ts';
import { gatherRows, gatherValues } from './batch.ts';
import { yieldToEventLoop } from './event-loop.ts';
import { cacheOnHost } from '../../backends/host-read.ts';
import { type CerModel, cerModelFromState, cerModelToState, cerParameters, disposeCerModel, initCerModel, layerSizes } from './mlp.ts';
import { type StepSettings, trainStep } from './step.ts';

/** Name of the loss-history tensor a CER ModelState carries besides the weights. */
export const LOSS_HISTORY = 'train.losses';

/** The visiting order of the training pairs in epoch e (1-based). */
export function epochOrder(pairs: number, seed: number, epoch: number): Int32Array {
  const order = new Int32Array(pairs);
  for (let k = 0; k < pairs; k++) order[k] = k;
  return Rng.derive(seed, `cer-shuffle:${epoch}`).shuffle(order);
}

/** The training settings of one step, from the cell config. */
export function stepSettings(data: PreparedDataset, config: ResolvedCellConfig): StepSettings {
  return {
    learningRate: config.cer.learningRate,
    weightDecay: config.cer.weightDecay,
    lambda: config.lambda,
    perturb: { epsilon: config.epsilonD, maxRange: data.manifest.maxRange, nonZeroOnly: config.choices.perturbNonZeroOnly },
  };
}

/** A state's model, checked against the config's architecture. */
function resumeModel(state: ModelState, featureCount: number, hidden: readonly number[]): CerModel {
  const model = cerModelFromState(state);
  const want = layerSizes(featureCount, hidden);
  const got = layerSizes(model.featureCount, model.hidden);
  if (want.join() !== got.join()) {
    disposeCerModel(model);
    throw new RangeError(`cannot resume CER: state has layer sizes [${got}], config wants [${want}]`);
  }
  return model;
}

/**
 * Train and keep the model on device (the caller disposes it). `start` resumes after start.epoch
 * completed epochs. Throws DivergenceError when an epoch's loss is NaN or infinite.
 */
export async function trainCerModel(
  data: PreparedDataset,
  config: ResolvedCellConfig,
  hooks: TrainHooks = {},
  start?: ModelState,
): Promise<{ model: CerModel; result: TrainResult }> {
  const F = data.manifest.featureCount;
  const { X, Y, train } = data;
  if (X.length !== data.manifest.userCount * F || Y.length !== data.manifest.itemCount * F) {
    throw new RangeError(`dataset matrices do not match the manifest (F = ${F})`);
  }
  const model = start ? resumeModel(start, F, config.cer.hidden) : initCerModel(F, config.cer.hidden, Rng.derive(config.seed, 'cer-init'));
  const losses: number[] = [];
  const firstEpoch = (start?.epoch ?? 0) + 1;
  if (start) {
    const hist = start.tensors[LOSS_HISTORY]?.data;
    for (let e = 0; e < start.epoch; e++) losses.push(hist && e < hist.length ? hist[e] : Number.NaN);
  }
  const snapshot = (epoch: number): ModelState =>
    cerModelToState(model, epoch, { [LOSS_HISTORY]: { shape: [losses.length], data: Float32Array.from(losses) } });

  const settings = stepSettings(data, config);
  const n = train.labels.length;
  const batchSize = config.cer.batchSize;
  try {
    for (let epoch = firstEpoch; epoch <= config.epochs; epoch++) {
      const order = epochOrder(n, config.seed, epoch);
      let total = tf.scalar(0);
      for (let s = 0, b = 0; s < n; s += batchSize, b++) {
        const e = Math.min(n, s + batchSize);
        const rows = e - s;
        const x = tf.tensor2d(gatherRows(X, F, train.users, s, e, order), [rows, F]);
        const y = tf.tensor2d(gatherRows(Y, F, train.items, s, e, order), [rows, F]);
        const labels = tf.tensor1d(gatherValues(train.labels, s, e, order));
        const loss = trainStep(model, x, y, labels, settings);
        const next = tf.tidy(() => tf.add(total, tf.mul(loss, rows)) as tf.Scalar);
        tf.dispose([x, y, labels, loss, total]);
        total = next;
        // Let timers run and show progress during long epochs.
        if (b % 8 === 7) {
          hooks.onBatch?.({ epoch, batch: b + 1, batches: Math.ceil(n / batchSize) });
          await yieldToEventLoop();
        }
      }
      const loss = (await total.data())[0] / n;
      total.dispose();
      if (!Number.isFinite(loss)) throw new DivergenceError('cer', epoch, loss);
      losses.push(loss);
      // snapshot() reads the weights synchronously; WebGPU needs them read asynchronously first.
      if (hooks.onEpoch) await cacheOnHost(cerParameters(model));
      await hooks.onEpoch?.({ epoch, epochs: config.epochs, loss }, () => snapshot(epoch));
    }
    const last = Math.max(config.epochs, start?.epoch ?? 0);
    await cacheOnHost(cerParameters(model));
    return { model, result: { state: snapshot(last), losses } };
  } catch (err) {
    disposeCerModel(model);
    throw err;
  }
}

/** Train CER (vanilla when config.lambda = 0, adversarial otherwise); returns the final state. */
export async function trainCer(
  data: PreparedDataset,
  config: ResolvedCellConfig,
  hooks?: TrainHooks,
  start?: ModelState,
): Promise<TrainResult> {
  const { model, result } = await trainCerModel(data, config, hooks, start);
  disposeCerModel(model);
  return result;
}
