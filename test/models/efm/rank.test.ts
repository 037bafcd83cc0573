import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../recsys/backend.ts';
import type { EvaluationView } from '../../../recsys/models/explainable-model.ts';
import { counterfactualMask, createEfmView, explanationFeatures, mostCared, toModelState } from '../../../recsys/models/efm/index.ts';
import { topIndices } from '../../../recsys/models/efm/rank.ts';
import { Rng } from '../../../recsys/random.ts';
import { efmConfig, makeDataset } from './fixtures.ts';

/*
 * Hand example: 2 users × 3 items × 3 features, r = 3 explicit factors with V = I (so X̃ = U1 and
 * Ỹ = U2), r' = 1 latent factor, k = 2 most-cared features, α = 0.5, N = 5 (kN = 10).
 *
 *   X̃ = U1:  u0 [4, 1, 2]  → C_0 = {0, 2}      Ỹ = U2:  i0 [2, 0, 1]    H1: u0 1, u1 2
 *            u1 [1, 3, 2]  → C_1 = {1, 2}               i1 [1, 3, 0]    H2: i0 1, i1 0.5, i2 0
 *                                                        i2 [0, 1, 4]
 *
 *   Ã = U1·U2ᵀ + H1·H2ᵀ:   u0: i0 8+0+2+1 = 11,   i1 4+3+0+0.5 = 7.5,   i2 0+1+8+0 = 9
 *                          u1: i0 2+0+2+2 = 6,    i1 1+9+0+1 = 11,      i2 0+3+8+0 = 11
 *   Σ_{c∈C_u} X̃_uc·Ỹ_ic:   u0 (4·Ỹ_i0 + 2·Ỹ_i2): i0 8+2 = 10,  i1 4+0 = 4,  i2 0+8 = 8
 *                          u1 (3·Ỹ_i1 + 2·Ỹ_i2): i0 0+2 = 2,   i1 9+0 = 9,  i2 3+8 = 11
 *   R = 0.5·explicit/10 + 0.5·Ã:
 *     u0: i0 0.5 + 5.5 = 6.0,   i1 0.2 + 3.75 = 3.95,   i2 0.4 + 4.5 = 4.9
 *     u1: i0 0.1 + 3.0 = 3.1,   i1 0.45 + 5.5 = 5.95,   i2 0.55 + 5.5 = 6.05
 *
 * Explanations, m = 1 (the C_u feature with the largest Ỹ_ic):
 *   (u0, i0): Ỹ on C_0 = {0: 2, 2: 1} → {0};   (u0, i2): {0: 0, 2: 4} → {2}
 *   (u1, i1): Ỹ on C_1 = {1: 3, 2: 0} → {1};   (u1, i2): {1: 1, 2: 4} → {2}
 *   m = 2 (≥ |C_u|): E = C_u.
 *
 * Counterfactuals (the latent half is unchanged):
 *   u0, candidates [i0, i1, i2], E = {0}:
 *     necessity (column 0 zeroed): explicit = 2·Ỹ_i2 only: i0 2, i1 0, i2 8 → R = 5.6, 3.75, 4.9
 *     sufficiency (only column 0): explicit = 4·Ỹ_i0 only: i0 8, i1 4, i2 0 → R = 5.9, 3.95, 4.5
 *   u1, candidates [i2, i0], E = {2}:
 *     necessity (columns 0, 1 kept): explicit = 3·Ỹ_i1: i2 3, i0 0 → R = 5.65, 3.0
 *     sufficiency (only column 2):   explicit = 2·Ỹ_i2: i2 8, i0 2 → R = 5.9, 3.1
 */
const data = makeDataset({
  users: 2,
  items: 3,
  features: 3,
  X: new Float32Array(6),
  Y: new Float32Array(9),
  ratings: { users: [], items: [], values: [] },
  testItems: Int32Array.from([0, 1, 2, 2, 0, 1]),
  labels: Uint8Array.from([1, 0, 0, 1, 0, 0]),
  width: 3,
});
const shapes = { U1: [2, 3], U2: [3, 3], V: [3, 3], H1: [2, 1], H2: [3, 1] };
const values = {
  U1: [4, 1, 2, 1, 3, 2],
  U2: [2, 0, 1, 1, 3, 0, 0, 1, 4],
  V: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  H1: [1, 2],
  H2: [1, 0.5, 0],
};
const state = {
  kind: 'efm' as const,
  epoch: 0,
  tensors: Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, { shape: shapes[k as keyof typeof shapes], data: Float32Array.from(v) }]),
  ),
};

const config = (m: number) => efmConfig({ efm: { explicitFactors: 3, latentFactors: 1, mostCared: 2, alpha: 0.5, explanationSize: m } });
let view: EvaluationView;

beforeAll(async () => {
  await selectBackend('wasm');
  view = createEfmView(state, data, config(1));
});
afterAll(() => view.dispose());

const close = (got: ArrayLike<number>, want: number[]) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, k) => expect(got[k]).toBeCloseTo(w, 5));
};

describe('EFM ranking R_ui (paper-brief §2.3) on the hand example', () => {
  it('scores every candidate of every test list', async () => {
    // List u0: [i0, i1, i2]; list u1: [i2, i0, i1].
    close(await view.scoreLists(data.test), [6.0, 3.95, 4.9, 6.05, 3.1, 5.95]);
  });

  it('divides by the configured k even when p < k (as Cornac)', async () => {
    // k = 5 > p = 3: C_u = all features, explicit/(5·5). u0·i0: (8+0+2)/25·0.5 + 5.5 = 5.7.
    const wide = createEfmView(state, data, efmConfig({ efm: { explicitFactors: 3, latentFactors: 1, mostCared: 5, alpha: 0.5 } }));
    const s = await wide.scoreLists(data.test);
    expect(s[0]).toBeCloseTo(0.5 * (10 / 25) + 5.5, 5);
    wide.dispose();
  });
});

describe('EFM explanations (paper-brief §2.4, A9)', () => {
  const pairs = [
    { user: 0, item: 0, marginScore: 0 },
    { user: 0, item: 2, marginScore: 0 },
    { user: 1, item: 1, marginScore: 0 },
    { user: 1, item: 2, marginScore: 0 },
  ];

  it('m = 1: the most-cared feature with the best Ỹ_ic; every pair explained, complexity 0', async () => {
    const e = await view.explain(pairs);
    expect(e.map((x) => x.features)).toEqual([[0], [2], [1], [2]]);
    expect(e.every((x) => x.explained && x.complexity === 0)).toBe(true);
    expect(e.map((x) => [x.user, x.item])).toEqual(pairs.map((x) => [x.user, x.item]));
  });

  it('m ≥ |C_u|: E = C_u, ascending', async () => {
    const v2 = createEfmView(state, data, config(3));
    const e = await v2.explain(pairs);
    expect(e.map((x) => x.features)).toEqual([[0, 2], [0, 2], [1, 2], [1, 2]]);
    v2.dispose();
  });

  it('PN/PS counterfactual scores: E zeroed (necessity) or kept alone (sufficiency) for every candidate', async () => {
    const requests = [
      { user: 0, items: Int32Array.from([0, 1, 2]), features: [0] },
      { user: 1, items: Int32Array.from([2, 0]), features: [2] },
    ];
    const nec = await view.counterfactualScores(requests, 'necessity');
    const suf = await view.counterfactualScores(requests, 'sufficiency');
    close(nec[0], [5.6, 3.75, 4.9]);
    close(nec[1], [5.65, 3.0]);
    close(suf[0], [5.9, 3.95, 4.5]);
    close(suf[1], [5.9, 3.1]);
  });

  it('holds no tensors (scores on the host) and refuses use after dispose', async () => {
    const before = tf.memory().numTensors;
    const v = createEfmView(state, data, config(1));
    await v.scoreLists(data.test);
    await v.explain(pairs);
    await v.counterfactualScores([{ user: 0, items: Int32Array.from([0, 1]), features: [1] }], 'necessity');
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
    await expect(v.scoreLists(data.test)).rejects.toThrow(/after dispose/);
  });
});

describe('the factorised scorer equals the formula written out', () => {
  // Random factors, p = 7 > k = 3, m = 2: R, E and both counterfactuals by brute force.
  const d = { users: 4, items: 9, features: 7, explicit: 3, latent: 2 };
  const rng = new Rng(21);
  const factors = {
    U1: rng.uniformArray(d.users * 3, 0, 1),
    U2: rng.uniformArray(d.items * 3, 0, 1),
    V: rng.uniformArray(d.features * 3, 0, 1),
    H1: rng.uniformArray(d.users * 2, 0, 1),
    H2: rng.uniformArray(d.items * 2, 0, 1),
  };
  const big = makeDataset({
    ...d,
    X: new Float32Array(d.users * d.features),
    Y: new Float32Array(d.items * d.features),
    ratings: { users: [], items: [], values: [] },
    testItems: Int32Array.from({ length: d.users * 9 }, (_, k) => (k * 5) % 9),
    labels: new Uint8Array(d.users * 9),
    width: 9,
  });
  const cfg = efmConfig({ efm: { explicitFactors: 3, latentFactors: 2, mostCared: 3, alpha: 0.85, explanationSize: 2 } });
  const dot = (a: Float32Array, i: number, b: Float32Array, j: number, n: number) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[j * n + k];
    return s;
  };
  const Xt = (u: number, c: number) => dot(factors.U1, u, factors.V, c, 3);
  const Yt = (i: number, c: number) => dot(factors.U2, i, factors.V, c, 3);
  const C = (u: number) => topIndices(Array.from({ length: 7 }, (_, c) => Xt(u, c)), 3);
  const R = (u: number, i: number, keep: (c: number) => boolean = () => true) => {
    const explicit = C(u).filter(keep).reduce((s, c) => s + Xt(u, c) * Yt(i, c), 0);
    const latent = dot(factors.U1, u, factors.U2, i, 3) + dot(factors.H1, u, factors.H2, i, 2);
    return (0.85 * explicit) / (3 * 5) + 0.15 * latent;
  };

  it('scores, explanations and counterfactuals', async () => {
    const v = createEfmView(toModelState({ factors, epoch: 0, losses: [] }, d), big, cfg);
    const scores = await v.scoreLists(big.test);
    for (let u = 0; u < d.users; u++) {
      for (let j = 0; j < 9; j++) expect(scores[u * 9 + j]).toBeCloseTo(R(u, big.test.items[u * 9 + j]), 5);
    }
    const [e] = await v.explain([{ user: 2, item: 4, marginScore: 0 }]);
    const byQuality = C(2).slice().sort((a, b) => Yt(4, b) - Yt(4, a) || a - b);
    expect(e.features).toEqual(byQuality.slice(0, 2).sort((a, b) => a - b));
    const items = big.test.items.subarray(2 * 9, 3 * 9);
    const [nec] = await v.counterfactualScores([{ user: 2, items, features: e.features }], 'necessity');
    const [suf] = await v.counterfactualScores([{ user: 2, items, features: e.features }], 'sufficiency');
    items.forEach((i, j) => {
      expect(nec[j]).toBeCloseTo(R(2, i, (c) => !e.features.includes(c)), 5);
      expect(suf[j]).toBeCloseTo(R(2, i, (c) => e.features.includes(c)), 5);
    });
    v.dispose();
  });
});

describe('selection helpers', () => {
  it('top-k breaks ties toward the lower index', () => {
    expect(topIndices([1, 3, 3, 0, 3], 2)).toEqual([1, 2]);
    expect(mostCared([2, 2, 2], 2)).toEqual([0, 1]);
    expect(explanationFeatures([4, 1, 2], [0, 5, 5, 0, 5], 2)).toEqual([1, 2]);
  });

  it('counterfactual masks', () => {
    expect(Array.from(counterfactualMask([1, 3], 4, 'necessity'))).toEqual([1, 0, 1, 0]);
    expect(Array.from(counterfactualMask([1, 3], 4, 'sufficiency'))).toEqual([0, 1, 0, 1]);
  });

  it('a state from toModelState (no Adam moments) builds a view', () => {
    const d = { users: 2, items: 3, features: 3, explicit: 3, latent: 1 };
    const factors = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Float32Array.from(v)])) as never;
    const v = createEfmView(toModelState({ factors, epoch: 0, losses: [] }, d), data, config(1));
    v.dispose();
  });
});
