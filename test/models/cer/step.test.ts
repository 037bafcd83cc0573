import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../recsys/backend.ts';
import { Rng } from '../../../recsys/random.ts';
import { fgsmStep } from '../../../recsys/robust/perturb.ts';
import { cerModelFromArrays, cerModelToState, cerParameters, disposeCerModel, initCerModel } from '../../../recsys/models/cer/mlp.ts';
import { adversarialLoss, fgsmItemRows, lossAndGradients, meanBce, trainStep } from '../../../recsys/models/cer/step.ts';
import { gatherRows, gatherValues } from '../../../recsys/models/cer/batch.ts';
import { bce64, logit64, tinyDataset, weights64 } from './fixtures.ts';

beforeAll(async () => {
  expect((await selectBackend('wasm')).tfBackend).toBe('wasm');
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const noAttack = { epsilon: 0, maxRange: 5, nonZeroOnly: false };

/** z = 1·relu(5 + y0 − y1) with F = 2 (user features ignored): ∂z/∂y0 = +1, ∂z/∂y1 = −1. */
function handModel() {
  return cerModelFromArrays(2, [1], [Float32Array.from([0, 0, 1, -1]), Float32Array.from([1])], [Float32Array.from([5]), Float32Array.from([0])]);
}

describe('FGSM on the batch item rows', () => {
  it('moves each entry by ε against the loss-decreasing direction and clips to [0, N]', () => {
    const m = handModel();
    const x = tf.zeros([3, 2]) as tf.Tensor2D;
    const y = tf.tensor2d([[0.2, 4.8], [3, 2], [0, 1]]);
    const labels = tf.tensor1d([1, 1, 0]);
    // label 1: ∂L/∂z < 0 → y0 − ε, y1 + ε; label 0: ∂L/∂z > 0 → y0 + ε, y1 − ε.
    const adv = fgsmItemRows(m, x, y, labels, { epsilon: 0.5, maxRange: 5, nonZeroOnly: false });
    expect(Array.from(adv.dataSync())).toEqual([0, 5, 2.5, 2.5, 0.5, 0.5]);
    const advNz = fgsmItemRows(m, x, y, labels, { epsilon: 0.5, maxRange: 5, nonZeroOnly: true });
    expect(Array.from(advNz.dataSync())).toEqual([0, 5, 2.5, 2.5, 0, 0.5]);
    // Same rule as robust/perturb.ts applied to the per-sample gradient.
    const g = tf.grad((yy: tf.Tensor) => meanBce(m, x, yy as tf.Tensor2D, labels))(y);
    expect(adv.dataSync()).toEqual(fgsmStep(y.dataSync() as Float32Array, g.dataSync() as Float32Array, { epsilon: 0.5, maxRange: 5, nonZeroOnly: false }));
    tf.dispose([x, y, labels, adv, advNz, g]);
    disposeCerModel(m);
  });
});

describe('adversarial training loss', () => {
  const data = tinyDataset({ users: 4, items: 6, features: 4, pairsPerUser: 4, seed: 8 });
  const F = 4;
  const B = 10;
  const batch = () => ({
    x: tf.tensor2d(gatherRows(data.X, F, data.train.users, 0, B), [B, F]),
    y: tf.tensor2d(gatherRows(data.Y, F, data.train.items, 0, B), [B, F]),
    labels: tf.tensor1d(gatherValues(data.train.labels, 0, B)),
  });

  it('λ = 0.5: ∂L/∂w matches float64 central differences with ΔY held constant', () => {
    const model = initCerModel(F, [8, 6], new Rng(21));
    const { x, y, labels } = batch();
    const settings = { lambda: 0.5, perturb: { epsilon: 0.5, maxRange: 5, nonZeroOnly: false } };
    const yAdv = fgsmItemRows(model, x, y, labels, settings.perturb);
    const { loss, grads, yAdv: used } = lossAndGradients(model, x, y, labels, settings);
    // The training step's FGSM rows are exactly fgsmItemRows'.
    expect(used!.dataSync()).toEqual(yAdv.dataSync());
    // Its gradient is that of adversarialLoss with y_adv held constant.
    const direct = tf.variableGrads(() => adversarialLoss(model, x, y, yAdv, labels, 0.5), cerParameters(model));
    cerParameters(model).forEach((p, i) => {
      const a = grads[i].dataSync();
      const b = direct.grads[p.name].dataSync();
      for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k], 6);
    });
    tf.dispose([used!, direct.value, ...Object.values(direct.grads)]);
    const X = x.dataSync();
    const Yc = y.dataSync();
    const Ya = yAdv.dataSync();
    expect(Array.from(Ya)).not.toEqual(Array.from(Yc));
    const t = labels.dataSync();
    const total = (w: ReturnType<typeof weights64>) => {
      let clean = 0;
      let adv = 0;
      for (let k = 0; k < B; k++) {
        const xs = Array.from(X.subarray(k * F, k * F + F));
        clean += bce64(logit64(w, [...xs, ...Yc.subarray(k * F, k * F + F)]), t[k]);
        adv += bce64(logit64(w, [...xs, ...Ya.subarray(k * F, k * F + F)]), t[k]);
      }
      return 0.5 * (clean / B) + 0.5 * (adv / B);
    };
    const w = weights64(model);
    expect(loss.dataSync()[0]).toBeCloseTo(total(w), 5);
    // One weight of the item half of the first kernel, one of the last kernel, one bias.
    // Probe the largest-gradient weight of: the item half of kernel 0, the last kernel, bias 1.
    const argmaxAbs = (v: ArrayLike<number>, from: number) => {
      let best = from;
      for (let k = from; k < v.length; k++) if (Math.abs(v[k]) > Math.abs(v[best])) best = k;
      return best;
    };
    const probes: [param: number, index: number][] = [
      [0, argmaxAbs(grads[0].dataSync(), F * 8)],
      [4, argmaxAbs(grads[4].dataSync(), 0)],
      [3, argmaxAbs(grads[3].dataSync(), 0)],
    ];
    for (const [p, idx] of probes) {
      const arr = p % 2 === 0 ? w.kernels[p / 2] : w.biases[(p - 1) / 2];
      const v = arr[idx];
      const h = 1e-6;
      arr[idx] = v + h;
      const up = total(w);
      arr[idx] = v - h;
      const down = total(w);
      arr[idx] = v;
      const fd = (up - down) / (2 * h);
      const got = grads[p].dataSync()[idx];
      expect(Math.abs(fd)).toBeGreaterThan(1e-4);
      expect(Math.abs(got - fd) / Math.abs(fd)).toBeLessThan(1e-2);
    }
    tf.dispose([x, y, labels, yAdv, loss, ...grads]);
    disposeCerModel(model);
  });

  it('λ = 0 is exactly vanilla: same loss, same gradients, same step whatever ε', () => {
    const model = initCerModel(F, [8, 6], new Rng(22));
    const { x, y, labels } = batch();
    const vanilla = tf.variableGrads(() => meanBce(model, x, y, labels, true), cerParameters(model));
    const zero = lossAndGradients(model, x, y, labels, { lambda: 0, perturb: { epsilon: 1, maxRange: 5, nonZeroOnly: false } });
    expect(zero.loss.dataSync()[0]).toBe(vanilla.value.dataSync()[0]);
    cerParameters(model).forEach((p, i) => expect(zero.grads[i].dataSync()).toEqual(vanilla.grads[p.name].dataSync()));

    const other = initCerModel(F, [8, 6], new Rng(22));
    const common = { learningRate: 0.1, weightDecay: 1e-5, lambda: 0 };
    trainStep(model, x, y, labels, { ...common, perturb: { epsilon: 1, maxRange: 5, nonZeroOnly: false } }).dispose();
    trainStep(other, x, y, labels, { ...common, perturb: noAttack }).dispose();
    expect(cerModelToState(model, 1)).toEqual(cerModelToState(other, 1));
    // λ > 0 does change the step.
    const adv = initCerModel(F, [8, 6], new Rng(22));
    const third = initCerModel(F, [8, 6], new Rng(22));
    trainStep(adv, x, y, labels, { ...common, lambda: 0.5, perturb: { epsilon: 1, maxRange: 5, nonZeroOnly: false } }).dispose();
    trainStep(third, x, y, labels, { ...common, perturb: noAttack }).dispose();
    expect(cerModelToState(adv, 1)).not.toEqual(cerModelToState(third, 1));
    tf.dispose([x, y, labels, zero.loss, ...zero.grads, vanilla.value, ...Object.values(vanilla.grads)]);
    [model, other, adv, third].forEach(disposeCerModel);
  });
});

describe('SGD with weight decay', () => {
  it('one step matches a hand computation (PyTorch SGD: p ← p − lr·(g + wd·p), biases decayed too)', () => {
    // F = 1, hidden [1]: pre = a·x + b·y + c; z = d·relu(pre) + e.
    const [a, b, c, d, e] = [0.3, -0.7, 0.2, 1.5, -0.4];
    const model = cerModelFromArrays(1, [1], [Float32Array.from([a, b]), Float32Array.from([d])], [Float32Array.from([c]), Float32Array.from([e])]);
    const xs = [2, 1, 4];
    const ys = [1, 0.5, 3];
    const ts = [1, 0, 1];
    const lr = 0.1;
    const wd = 0.01;
    const g = { a: 0, b: 0, c: 0, d: 0, e: 0 };
    let loss = 0;
    for (let k = 0; k < 3; k++) {
      const pre = a * xs[k] + b * ys[k] + c;
      const h = Math.max(0, pre);
      const z = d * h + e;
      loss += bce64(z, ts[k]) / 3;
      const dz = (sigmoid(z) - ts[k]) / 3;
      g.d += dz * h;
      g.e += dz;
      const dpre = pre > 0 ? dz * d : 0;
      g.a += dpre * xs[k];
      g.b += dpre * ys[k];
      g.c += dpre;
    }
    expect(xs.some((x, k) => a * x + b * ys[k] + c <= 0)).toBe(true); // a sample through the ReLU's flat part
    const x = tf.tensor2d(xs, [3, 1]);
    const y = tf.tensor2d(ys, [3, 1]);
    const labels = tf.tensor1d(ts);
    const l = trainStep(model, x, y, labels, { learningRate: lr, weightDecay: wd, lambda: 0, perturb: noAttack });
    expect(l.dataSync()[0]).toBeCloseTo(loss, 6);
    const s = cerModelToState(model, 1).tensors;
    const upd = (p: number, gp: number) => p - lr * (gp + wd * p);
    expect(s['dense0.kernel'].data[0]).toBeCloseTo(upd(a, g.a), 6);
    expect(s['dense0.kernel'].data[1]).toBeCloseTo(upd(b, g.b), 6);
    expect(s['dense0.bias'].data[0]).toBeCloseTo(upd(c, g.c), 6);
    expect(s['dense1.kernel'].data[0]).toBeCloseTo(upd(d, g.d), 6);
    expect(s['dense1.bias'].data[0]).toBeCloseTo(upd(e, g.e), 6);
    tf.dispose([x, y, labels, l]);
    disposeCerModel(model);
  });
});
