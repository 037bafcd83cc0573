/**
 * The PGD step on a row-major matrix, pure: y′ = Π(y + α·sign(g)), where Π projects onto the
 * ε-ball around the original Y intersected with [0, N] (entry-wise, since the ball is L∞).
 * Entries A3 leaves alone (zero in Y when nonZeroOnly) stay at 0, as FGSM leaves them.
 */
import type { PerturbOptions } from '../../robust/perturb.ts';

export function pgdStep(original: Float32Array, current: Float32Array, gradient: Float32Array, alpha: number, opts: PerturbOptions): Float32Array {
  if (gradient.length !== original.length || current.length !== original.length) {
    throw new RangeError(`PGD: Y has ${original.length} entries, the iterate ${current.length}, the gradient ${gradient.length}`);
  }
  const out = new Float32Array(original.length);
  for (let k = 0; k < original.length; k++) {
    const y0 = original[k];
    if (opts.nonZeroOnly && y0 === 0) continue;
    out[k] = project(current[k] + alpha * Math.sign(gradient[k]), y0, opts);
  }
  return out;
}

/** A uniform point of the ε-ball around Y, projected like a step. */
export function randomStart(original: Float32Array, opts: PerturbOptions, uniform: () => number): Float32Array {
  const out = new Float32Array(original.length);
  for (let k = 0; k < original.length; k++) {
    const y0 = original[k];
    // Draw for every entry so the start does not depend on which entries are zero.
    const u = uniform();
    if (opts.nonZeroOnly && y0 === 0) continue;
    out[k] = project(y0 + (2 * u - 1) * opts.epsilon, y0, opts);
  }
  return out;
}

function project(v: number, y0: number, opts: PerturbOptions): number {
  const lo = Math.max(0, y0 - opts.epsilon);
  const hi = Math.min(opts.maxRange, y0 + opts.epsilon);
  return v < lo ? lo : v > hi ? hi : v;
}
