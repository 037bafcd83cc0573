/**
 * The feature-overlap baseline's arithmetic, pure: a user's attention X_u against an item's
 * quality Y_i. No parameters are learned; it is the floor every robustness table needs (how
 * much of a model's explanation quality and of its fragility the features alone already give).
 *
 *   score(u, i)        = X_u · Y_i
 *   explanation(u, i)  = the features with the largest X_u[f]·Y_i[f] > 0, at most `size` of them
 *                        (ties: the lower feature id), ascending ids; none shared → unexplained
 */

/** X_u · Y_i over F features, with Y's row given (clean, attacked or counterfactually edited). */
export function overlapScore(X: Float32Array, u: number, Yrow: ArrayLike<number>, F: number): number {
  let s = 0;
  for (let f = 0; f < F; f++) s += X[u * F + f] * Yrow[f];
  return s;
}

/** The top shared features of (u, i): largest contributions X_u[f]·Y_i[f] > 0, ascending ids. */
export function topSharedFeatures(X: Float32Array, Y: Float32Array, u: number, i: number, F: number, size: number): number[] {
  const shared: { f: number; c: number }[] = [];
  for (let f = 0; f < F; f++) {
    const c = X[u * F + f] * Y[i * F + f];
    if (c > 0) shared.push({ f, c });
  }
  shared.sort((a, b) => b.c - a.c || a.f - b.f);
  return shared
    .slice(0, size)
    .map((s) => s.f)
    .sort((a, b) => a - b);
}

/**
 * ∇_Y of the baseline's attack loss: the training pairs' binary cross-entropy of σ(X_u·Y_i),
 * summed. For a pair (u, i, l): ∂/∂Y_i = (σ(X_u·Y_i) − l)·X_u. This is what a white-box FGSM or
 * PGD perturbs Y along, as for CER (choices.attackLoss 'train').
 */
export function overlapLossGradientY(
  X: Float32Array,
  Y: Float32Array,
  pairs: { users: Int32Array; items: Int32Array; labels: Float32Array },
  F: number,
): Float32Array {
  const g = new Float32Array(Y.length);
  for (let k = 0; k < pairs.labels.length; k++) {
    const u = pairs.users[k];
    const i = pairs.items[k];
    const s = overlapScore(X, u, Y.subarray(i * F, i * F + F), F);
    const r = 1 / (1 + Math.exp(-s)) - pairs.labels[k];
    for (let f = 0; f < F; f++) g[i * F + f] += r * X[u * F + f];
  }
  return g;
}
