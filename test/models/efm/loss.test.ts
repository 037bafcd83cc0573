import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { createLossInputs, disposeLossInputs, efmGradY, efmLoss, adversarialLoss } from '../../../recsys/models/efm/loss.ts';
import { fgsmStepTensor } from '../../../recsys/models/efm/adversary.ts';
import {
  efmDims,
  efmGradFactorAt,
  efmGradYAt,
  efmLossAt,
  FACTOR_NAMES,
  initialFactors,
  toModelState,
  type Residuals,
} from '../../../recsys/models/efm/index.ts';
import { disposeFactors, factorTensors } from '../../../recsys/models/efm/params.ts';
import { fgsmStep } from '../../../recsys/robust/perturb.ts';
import { efmConfig, tinyDataset } from './fixtures.ts';
import { centralDifference, referenceLoss, type Factors64 } from './reference.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const data = tinyDataset({ users: 5, items: 6, features: 4, seed: 11 });
// Non-trivial weights so each term's scaling is checked.
const config = efmConfig({ efm: { lambdaX: 0.7, lambdaY: 1.3, lambdaU: 0.05, lambdaH: 0.02, lambdaV: 0.03 } });
const d = efmDims(data, config.efm);
const factors = initialFactors(d, 5, 3);
const state = toModelState({ factors, epoch: 0, losses: [] }, d);
const withResiduals = (residuals: Residuals) => ({ ...config, choices: { ...config.choices, efmResiduals: residuals } });
const to64 = (): Factors64 => Object.fromEntries(FACTOR_NAMES.map((n) => [n, Float64Array.from(factors[n])])) as Factors64;

/** max |a − b| / max(1, |b|) */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let k = 0; k < a.length; k++) e = Math.max(e, Math.abs(a[k] - b[k]) / Math.max(1, Math.abs(b[k])));
  return e;
}

describe.each(['observed', 'full'] as const)('L_EFM with %s residuals', (residuals) => {
  const cfg = withResiduals(residuals);

  it('matches the float64 reference loss', () => {
    const ref = referenceLoss(to64(), d, data, data.Y, cfg.efm, residuals);
    expect(efmLossAt(state, data, cfg) / ref).toBeCloseTo(1, 5);
  });

  it('∇_Y: analytic = tf.grad = central differences', () => {
    const analytic = efmGradYAt(state, data, cfg);
    const f = factorTensors(factors, d);
    const inputs = createLossInputs(data, residuals);
    const Y = tf.tensor2d(data.Y, [d.items, d.features]);
    const viaTape = tf.tidy(() => tf.grad((y: tf.Tensor) => efmLoss(f, inputs, y as tf.Tensor2D, cfg.efm))(Y)).dataSync();
    disposeFactors(f);
    disposeLossInputs(inputs);
    Y.dispose();
    expect(relErr(analytic, viaTape)).toBeLessThan(1e-5);

    const f64 = to64();
    const y64 = Float64Array.from(data.Y);
    let checked = 0;
    for (let k = 0; k < y64.length; k++) {
      if (residuals === 'observed' && y64[k] === 0) {
        // The mask jumps at 0: the derivative there is the piecewise-constant one, 0.
        expect(Math.abs(analytic[k])).toBe(0);
        continue;
      }
      const fd = centralDifference(y64, k, 1e-4, () => referenceLoss(f64, d, data, y64, cfg.efm, residuals));
      expect(Math.abs(analytic[k] - fd)).toBeLessThan(1e-3 * Math.max(1, Math.abs(fd)));
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it.each([
    ['U1', 1 * d.explicit + 2],
    ['H2', 3 * d.latent + 1],
    ['U2', 0],
    ['V', 2 * d.explicit + 1],
  ] as const)('∂L/∂%s at one entry = central difference (U1, H2 and U2 go through gatherRows)', (name, k) => {
    const grad = efmGradFactorAt(state, data, cfg, name);
    const f64 = to64();
    const fd = centralDifference(f64[name], k, 1e-4, () => referenceLoss(f64, d, data, data.Y, cfg.efm, residuals));
    expect(Math.abs(fd)).toBeGreaterThan(1e-2);
    expect(Math.abs(grad[k] - fd) / Math.abs(fd)).toBeLessThan(1e-3);
  });
});

describe('adversarial objective and the device FGSM step', () => {
  it('(1−λ)L(Y) + λL(Y′) as written equals the shared-term decomposition', () => {
    const f = factorTensors(factors, d);
    const inputs = createLossInputs(data, 'observed');
    const Y = tf.tensor2d(data.Y, [d.items, d.features]);
    const yAdv = tf.tidy(() => tf.clipByValue(tf.add(Y, 0.5), 0, 5) as tf.Tensor2D);
    const [mixed, clean, adv] = tf.tidy(() => [
      adversarialLoss(f, inputs, Y, yAdv, config.efm, 0.3).dataSync()[0],
      efmLoss(f, inputs, Y, config.efm).dataSync()[0],
      efmLoss(f, inputs, yAdv, config.efm).dataSync()[0],
    ].map((x) => tf.scalar(x)));
    expect(mixed.dataSync()[0] / (0.7 * clean.dataSync()[0] + 0.3 * adv.dataSync()[0])).toBeCloseTo(1, 5);
    tf.dispose([mixed, clean, adv, yAdv, Y]);
    disposeFactors(f);
    disposeLossInputs(inputs);
  });

  it.each([false, true])('equals robust/perturb fgsmStep bit for bit (ε = 0.5, nonZeroOnly %s)', (nonZeroOnly) => {
    const grad = efmGradYAt(state, data, withResiduals('full'));
    const opts = { epsilon: 0.5, maxRange: 5, nonZeroOnly };
    const host = fgsmStep(data.Y, grad, opts);
    const Y = tf.tensor2d(data.Y, [d.items, d.features]);
    const g = tf.tensor2d(grad, [d.items, d.features]);
    const dev = fgsmStepTensor(Y, g, opts);
    expect(Array.from(dev.dataSync())).toEqual(Array.from(host));
    tf.dispose([Y, g, dev]);
  });

  it('the analytic gradient is −2λy·(U2Vᵀ − Y) on observed entries, 0 elsewhere', () => {
    const f = factorTensors(factors, d);
    const Y = tf.tensor2d(data.Y, [d.items, d.features]);
    const g = efmGradY(f.U2, f.V, Y, 2, 'observed').dataSync();
    const pred = tf.tidy(() => tf.matMul(f.U2, f.V, false, true)).dataSync();
    for (let k = 0; k < g.length; k++) {
      const want = data.Y[k] > 0 ? -4 * (pred[k] - data.Y[k]) : 0;
      expect(g[k]).toBeCloseTo(want, 5);
    }
    disposeFactors(f);
    Y.dispose();
  });
});
