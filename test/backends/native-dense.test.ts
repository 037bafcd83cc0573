/**
 * Native TensorFlow runs CER's dense layer as one or two TensorFlow ops per step (_FusedMatMul,
 * MatMul with transpose attributes, Sign·Mul, BiasAddGrad; recsys/backends/native-ops.ts) instead of
 * tfjs-node's multi-op kernels, and its training step as TensorFlow ops with a hand-derived
 * backward pass (recsys/models/cer/native-step.ts) instead of TF.js's gradient tape. Losses,
 * gradients and the weights after training steps must equal WASM's (whose gradients the
 * finite-difference tests check) and the taped route's to float32 rounding, and nothing may
 * leave a tensor behind.
 *
 * Presence as in agreement.test.ts: required where REXSWEEP_REQUIRE_BACKENDS names tensorflow
 * (CI), else skipped with the reason when `rexsweep setup native` has not run.
 */
import { describe, expect, test } from 'vitest';
import { nativeAndWasm, REQUIRED } from './on-backend.ts';

interface Trained {
  weights: number[];
  losses: number[];
}
interface Gradients {
  loss: number;
  grads: number[][];
  inputGrad: number[];
  /** Per variant: trainStep's route (native-step.ts on native TensorFlow) and the taped route. */
  steps: Record<'vanilla' | 'adversarial', { step: Trained; taped: Trained }>;
  /** The dense layer ran as one _FusedMatMul (an addon built with rexsweep's binding patch). */
  fusedDense: boolean;
  leaked: number;
}

/** Largest |a − b| relative to the largest |b| of the vector (gradients near 0 compare absolutely). */
function relativeGap(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  const scale = Math.max(...b.map(Math.abs), 1e-12);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

describe('the native dense layer', { timeout: 300_000 }, () => {
  test('gives WASM’s loss, gradients and trained weights, by the TensorFlow-op route and the taped one, and leaks no tensor', (ctx) => {
    const both = nativeAndWasm<Gradients>('cer-gradients-on-backend.ts', ctx);
    if (!both) return;
    const { native, wasm } = both;
    expect(native.leaked).toBe(0);
    // CI builds the addon with `rexsweep setup native`, which patches the binding: the fused
    // layer must be what ran there. Elsewhere an older, unpatched addon runs separate ops.
    if (REQUIRED.has('tensorflow')) expect(native.fusedDense, 'the addon carries the binding patch').toBe(true);
    expect(wasm.fusedDense).toBe(false);
    expect(Math.abs(native.loss - wasm.loss) / wasm.loss).toBeLessThan(1e-6);
    // y, then kernel and bias of each of the three layers.
    expect(native.grads).toHaveLength(7);
    native.grads.forEach((g, i) => expect(relativeGap(g, wasm.grads[i]), `gradient ${i}`).toBeLessThan(1e-5));
    expect(relativeGap(native.inputGrad, wasm.inputGrad)).toBeLessThan(1e-5);
    for (const variant of ['vanilla', 'adversarial'] as const) {
      const { step, taped } = native.steps[variant];
      const ref = wasm.steps[variant].taped;
      expect(step.losses, `${variant}: the taped route's losses`).toEqual(taped.losses.map((v) => expect.closeTo(v, 6)));
      expect(relativeGap(step.weights, taped.weights), `${variant}: weights, native route vs taped, native TF`).toBeLessThan(1e-6);
      expect(relativeGap(step.weights, ref.weights), `${variant}: weights, native TF vs WASM`).toBeLessThan(1e-5);
      // The steps moved the weights (else equal weights would prove nothing).
      expect(step.losses[3]).toBeLessThan(step.losses[0] - 1e-3);
    }
    // The adversarial term changes the result (the FGSM branch ran).
    expect(relativeGap(native.steps.adversarial.step.weights, native.steps.vanilla.step.weights)).toBeGreaterThan(1e-4);
    // Not vacuous: no gradient is all zeros (with random weights about half the hidden
    // pre-activations are negative, so ReLU's gradient mask changes the result).
    for (const g of native.grads) expect(g.some((v) => v !== 0)).toBe(true);
  });
});
