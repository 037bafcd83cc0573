/**
 * A float64, loop-by-loop L_EFM written from the formula (paper-brief §2.1), independent of the
 * TF.js code: the yardstick for the finite-difference checks.
 */
import type { PreparedDataset } from '../../../recsys/data/dataset.ts';
import type { EfmDims, EfmWeights, FactorName, Residuals } from '../../../recsys/models/efm/index.ts';

export type Factors64 = Record<FactorName, Float64Array>;

const dot = (a: Float64Array, ai: number, b: Float64Array, bi: number, n: number) => {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[ai * n + k] * b[bi * n + k];
  return s;
};

export function referenceLoss(
  f: Factors64,
  d: EfmDims,
  data: PreparedDataset,
  Y: ArrayLike<number>,
  w: EfmWeights,
  residuals: Residuals,
): number {
  const { explicit: r, latent: r2, features: p } = d;
  let rating = 0;
  const { users, items, values } = data.ratings;
  for (let k = 0; k < users.length; k++) {
    const pred = dot(f.U1, users[k], f.U2, items[k], r) + dot(f.H1, users[k], f.H2, items[k], r2);
    rating += (pred - values[k]) ** 2;
  }
  const residual = (L: Float64Array, rows: number, T: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < p; c++) {
        const t = T[i * p + c];
        if (residuals === 'observed' && !(t > 0)) continue;
        s += (dot(L, i, f.V, c, r) - t) ** 2;
      }
    }
    return s;
  };
  const sq = (a: Float64Array) => a.reduce((s, x) => s + x * x, 0);
  return (
    rating +
    w.lambdaX * residual(f.U1, d.users, data.X) +
    w.lambdaY * residual(f.U2, d.items, Y) +
    w.lambdaU * (sq(f.U1) + sq(f.U2)) +
    w.lambdaH * (sq(f.H1) + sq(f.H2)) +
    w.lambdaV * sq(f.V)
  );
}

/** Central difference of fn at x[k] in float64. */
export function centralDifference(x: Float64Array, k: number, h: number, fn: () => number): number {
  const keep = x[k];
  x[k] = keep + h;
  const plus = fn();
  x[k] = keep - h;
  const minus = fn();
  x[k] = keep;
  return (plus - minus) / (2 * h);
}
