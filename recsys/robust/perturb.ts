/**
 * The perturbations of paper-brief §4–§5, as pure functions on row-major Float32Arrays.
 * The gradient itself is model-specific (models/cer, models/efm); the step and the clip are not.
 */
import type { Rng } from '../random.ts';

export interface PerturbOptions {
  /** L∞ budget ε. */
  epsilon: number;
  /** N: values are clipped to [0, N]. */
  maxRange: number;
  /** A3: leave zero entries of Y untouched. */
  nonZeroOnly: boolean;
}

/** FGSM: Y_adv = clip(Y + ε·sign(∇_Y L), 0, N). sign(0) = 0, so rows without gradient stay put. */
export function fgsmStep(y: Float32Array, gradient: Float32Array, opts: PerturbOptions): Float32Array {
  if (gradient.length !== y.length) throw new RangeError(`gradient length ${gradient.length} ≠ Y length ${y.length}`);
  const out = new Float32Array(y.length);
  for (let k = 0; k < y.length; k++) {
    const v = y[k];
    if (opts.nonZeroOnly && v === 0) continue;
    out[k] = clip(v + opts.epsilon * Math.sign(gradient[k]), opts.maxRange);
  }
  return out;
}

/** The random-sign control at the same L∞ budget: Y + ε·r, r uniform in {−1, +1}, clipped. */
export function randomSignStep(y: Float32Array, rng: Rng, opts: PerturbOptions): Float32Array {
  const out = new Float32Array(y.length);
  for (let k = 0; k < y.length; k++) {
    const v = y[k];
    // Draw for every entry so the noise pattern does not depend on which entries are zero.
    const r = rng.next() < 0.5 ? -1 : 1;
    if (opts.nonZeroOnly && v === 0) continue;
    out[k] = clip(v + opts.epsilon * r, opts.maxRange);
  }
  return out;
}

function clip(v: number, hi: number): number {
  return v < 0 ? 0 : v > hi ? hi : v;
}
