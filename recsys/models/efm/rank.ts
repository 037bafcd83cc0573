/**
 * EFM ranking and explanations (paper-brief §2.3, §2.4), on the host in float64.
 *
 *   C_u  = the k largest entries of X̃_u = U1_u·Vᵀ            (k = mostCared; ties → lower feature id)
 *   R_uj = α·(Σ_{c∈C_u} X̃_uc·Ỹ_jc)/(k·N) + (1−α)·Ã_uj        (Ỹ = U2Vᵀ, Ã = U1U2ᵀ + H1H2ᵀ)
 *   E_uj = the m features of C_u with the largest Ỹ_jc        (m = explanationSize; ties → lower id)
 *
 * k in the denominator is the configured k even when p < k (as Cornac). Counterfactual scores
 * multiply every candidate's Ỹ_j by a column mask (PN: E zeroed, PS: only E kept); C_u and the
 * latent part are unchanged.
 *
 * Because Ỹ_jc = U2_j·V_c, the explicit sum is U2_j·(Vᵀ(X̃_u ⊙ 1_{C_u} ⊙ mask)): each row costs
 * one user vector w_u [r + r'] (p·r work) and one dot product per candidate, so no [W × p] block
 * is ever formed. Host float64 also makes evaluation independent of the training backend.
 */
import type { CounterfactualMode } from '../explainable-model.ts';
import type { EfmDims, FactorValues } from './params.ts';

export interface RankSettings {
  /** k */
  mostCared: number;
  /** α */
  alpha: number;
  /** N */
  maxRange: number;
}

export interface HostFactors extends FactorValues {
  dims: EfmDims;
}

/** Indices of the k largest values, largest first; ties go to the lower index. */
export function topIndices(values: ArrayLike<number>, k: number, among?: readonly number[]): number[] {
  const pool = among ? among.slice() : Array.from({ length: values.length }, (_, i) => i);
  pool.sort((a, b) => values[b] - values[a] || a - b);
  return pool.slice(0, Math.min(k, pool.length));
}

/** C_u: the user's k most cared features by X̃_u, largest first. */
export function mostCared(attention: ArrayLike<number>, k: number): number[] {
  return topIndices(attention, k);
}

/** E: the top-m features of C_u by Ỹ_j, returned ascending. */
export function explanationFeatures(cared: readonly number[], quality: ArrayLike<number>, m: number): number[] {
  return topIndices(quality, m, cared).sort((a, b) => a - b);
}

/** X̃_u restricted to C_u (zero elsewhere): the user side of the explicit score. */
export function caredAttention(attention: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(attention.length);
  for (const c of mostCared(attention, k)) out[c] = attention[c];
  return out;
}

/** The column mask of a counterfactual edit over p features. */
export function counterfactualMask(features: readonly number[], p: number, mode: CounterfactualMode): Float64Array {
  const out = new Float64Array(p).fill(mode === 'necessity' ? 1 : 0);
  for (const f of features) out[f] = mode === 'necessity' ? 0 : 1;
  return out;
}

/** Row `row` of L·Vᵀ restricted to the given columns (all when omitted); L = U1 → X̃, U2 → Ỹ. */
export function explicitRow(L: Float32Array, V: Float32Array, row: number, d: EfmDims, columns?: readonly number[]): Float64Array {
  const r = d.explicit;
  const out = new Float64Array(d.features);
  const base = row * r;
  const cols = columns ?? Array.from({ length: d.features }, (_, c) => c);
  for (const c of cols) {
    let s = 0;
    for (let k = 0; k < r; k++) s += L[base + k] * V[c * r + k];
    out[c] = s;
  }
  return out;
}

/**
 * w_u = [ α/(kN)·Vᵀ(cared ⊙ mask) + (1−α)·U1_u ,  (1−α)·H1_u ], so that R_uj = [U2_j, H2_j]·w_u.
 * cared = X̃_u on C_u (caredAttention); mask = a counterfactual column mask, or none.
 */
export function userVector(f: HostFactors, user: number, cared: ArrayLike<number>, s: RankSettings, mask?: ArrayLike<number>): Float64Array {
  const { explicit: r, latent: r2, features: p } = f.dims;
  const w = new Float64Array(r + r2);
  const scale = s.alpha / (s.mostCared * s.maxRange);
  for (let c = 0; c < p; c++) {
    const x = mask ? cared[c] * mask[c] : cared[c];
    if (x === 0) continue;
    for (let k = 0; k < r; k++) w[k] += x * f.V[c * r + k];
  }
  for (let k = 0; k < r; k++) w[k] = scale * w[k] + (1 - s.alpha) * f.U1[user * r + k];
  for (let k = 0; k < r2; k++) w[r + k] = (1 - s.alpha) * f.H1[user * r2 + k];
  return w;
}

/** R_uj = [U2_j, H2_j]·w_u for each candidate, written to out from offset. */
export function scoreItems(f: HostFactors, w: Float64Array, items: ArrayLike<number>, out: Float32Array, offset = 0): void {
  const { explicit: r, latent: r2 } = f.dims;
  for (let j = 0; j < items.length; j++) {
    const item = items[j];
    let s = 0;
    for (let k = 0; k < r; k++) s += f.U2[item * r + k] * w[k];
    for (let k = 0; k < r2; k++) s += f.H2[item * r2 + k] * w[r + k];
    out[offset + j] = s;
  }
}
