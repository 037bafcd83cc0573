/**
 * EFM training (paper-brief §2.2, §5): full-batch projected Adam on L_EFM for config.epochs
 * iterations; with λ > 0 each iteration steps on (1−λ)·L(X, Y) + λ·L(X, Y') where
 * Y' = clip(Y + ε_D·sign(∇_Y L(Θ_t)), 0, N) is rebuilt from the current parameters and held
 * constant. λ = 0 takes the vanilla path, so it equals vanilla exactly whatever ε_D says.
 *
 * losses[t−1] is the objective at the parameters iteration t started from (the value whose
 * gradient iteration t stepped on).
 */
import * as tf from '@tensorflow/tfjs';
import { cacheOnHost } from '../../backends/host-read.ts';
import type { PreparedDataset } from '../../data/dataset.ts';
import { DivergenceError } from '../../errors.ts';
import type { ModelState, TrainHooks, TrainResult } from '../explainable-model.ts';
import { ProjectedAdam } from './adam.ts';
import { fgsmY } from './adversary.ts';
import { adversarialLoss, createLossInputs, disposeLossInputs, efmLoss, type EfmWeights } from './loss.ts';
import {
  createParams,
  disposeFactors,
  efmDims,
  FACTOR_NAMES,
  initialFactors,
  readFactors,
  type EfmDims,
  type FactorTensors,
  type FactorValues,
} from './params.ts';
import { EFM_ADAM, type EfmRunConfig } from './settings.ts';
import { fromModelState, toModelState, type EfmSnapshot } from './state.ts';

export async function trainEfm(
  data: PreparedDataset,
  config: EfmRunConfig,
  hooks?: TrainHooks,
  start?: ModelState,
  yOverride?: Float32Array,
): Promise<TrainResult> {
  const dims = efmDims(data, config.efm);
  checkData(data, dims, yOverride);
  const N = data.manifest.maxRange;
  const snapshot: EfmSnapshot = start
    ? fromModelState(start, dims)
    : { factors: initialFactors(dims, N, config.seed), epoch: 0, losses: [] };
  if (snapshot.epoch >= config.epochs) {
    return { state: toModelState(snapshot, dims), losses: snapshot.losses.slice() };
  }

  const params = createParams(snapshot.factors, dims);
  const varList = FACTOR_NAMES.map((n) => params[n]);
  const adam = new ProjectedAdam(
    varList,
    { learningRate: config.efm.learningRate, ...EFM_ADAM },
    snapshot.moments && {
      m: FACTOR_NAMES.map((n) => snapshot.moments!.m[n]),
      v: FACTOR_NAMES.map((n) => snapshot.moments!.v[n]),
    },
    snapshot.epoch,
  );
  const inputs = createLossInputs(data, config.choices.efmResiduals);
  const Y = tf.tensor2d(yOverride ?? data.Y, [dims.items, dims.features]);
  const weights: EfmWeights = config.efm;
  const lambda = config.lambda;
  const perturb = { epsilon: config.epsilonD, maxRange: N, nonZeroOnly: config.choices.perturbNonZeroOnly };
  const losses = snapshot.losses.slice();

  const current = (): ModelState => {
    const moments = adam.readMoments();
    return toModelState(
      { factors: readFactors(params), moments: { m: byName(moments.m), v: byName(moments.v) }, epoch: adam.stepCount, losses },
      dims,
    );
  };

  try {
    for (let epoch = snapshot.epoch + 1; epoch <= config.epochs; epoch++) {
      const { value, grads } = tf.tidy(() => {
        const f = params as unknown as FactorTensors;
        let objective: () => tf.Scalar;
        if (lambda > 0) {
          const yAdv = fgsmY(f.U2, f.V, Y, weights.lambdaY, inputs.residuals, perturb);
          objective = () => adversarialLoss(f, inputs, Y, yAdv, weights, lambda);
        } else {
          objective = () => efmLoss(f, inputs, Y, weights);
        }
        return tf.variableGrads(objective, varList);
      });
      // Read the loss asynchronously (WebGPU in Node has no synchronous read), then step.
      let loss: number;
      try {
        loss = (await value.data())[0];
        if (!Number.isFinite(loss)) throw new DivergenceError('efm', epoch, loss);
        tf.tidy(() => adam.step(varList.map((p) => grads[p.name])));
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
      }
      losses.push(loss);
      if (hooks?.onEpoch) {
        await cacheOnHost([...varList, ...adam.moments()]);
        await hooks.onEpoch({ epoch, epochs: config.epochs, loss }, current);
      }
    }
    await cacheOnHost([...varList, ...adam.moments()]);
    const state = current();
    assertFinite(state, config.epochs);
    return { state, losses };
  } finally {
    adam.dispose();
    disposeFactors(params);
    disposeLossInputs(inputs);
    Y.dispose();
  }
}

function byName(list: Float32Array[]): FactorValues {
  const out = {} as FactorValues;
  FACTOR_NAMES.forEach((n, i) => (out[n] = list[i]));
  return out;
}

/** The last step can overflow after the last finite loss was seen. */
function assertFinite(state: ModelState, epoch: number): void {
  for (const name of FACTOR_NAMES) {
    for (const x of state.tensors[name].data) {
      if (!Number.isFinite(x)) throw new DivergenceError('efm', epoch, x);
    }
  }
}

function checkData(data: PreparedDataset, d: EfmDims, yOverride?: Float32Array): void {
  const expect = (what: string, got: number, want: number) => {
    if (got !== want) throw new RangeError(`EFM: ${what} has ${got} values, expected ${want}`);
  };
  expect('X', data.X.length, d.users * d.features);
  expect('Y', data.Y.length, d.items * d.features);
  if (yOverride) expect('the Y override', yOverride.length, d.items * d.features);
  const r = data.ratings;
  if (r.users.length !== r.items.length || r.users.length !== r.values.length) {
    throw new RangeError(`EFM: ratings arrays differ in length (${r.users.length}, ${r.items.length}, ${r.values.length})`);
  }
  for (let k = 0; k < r.users.length; k++) {
    if (r.users[k] < 0 || r.users[k] >= d.users || r.items[k] < 0 || r.items[k] >= d.items) {
      throw new RangeError(`EFM: rating ${k} (user ${r.users[k]}, item ${r.items[k]}) is out of range [${d.users} × ${d.items}]`);
    }
  }
}
