/**
 * On native TensorFlow the explainer's steps run as TensorFlow ops with a hand-derived gradient
 * (recsys/models/cer/explainer-native.ts). Its kept Δ, loss, bpr and norm must equal the taped
 * route's on the same backend (float32 rounding), and WASM's within the agreement test's margin,
 * for both complexity norms, without leaking tensors. Presence as in agreement.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { nativeAndWasm } from './on-backend.ts';

interface Optimum {
  delta: number[];
  loss: number[];
  bpr: number[];
  norm: number[];
}
type Runs = Record<'l2' | 'l2-squared', { auto: Optimum; taped: Optimum }>;

function maxGap(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

describe('the native explainer step', { timeout: 300_000 }, () => {
  test('keeps the taped route’s Δ, loss, bpr and norm, and WASM’s, for both norms', (ctx) => {
    const both = nativeAndWasm<{ runs: Runs; leaked: number }>('explainer-on-backend.ts', ctx);
    if (!both) return;
    const { native, wasm } = both;
    expect(native.leaked).toBe(0);
    for (const norm of ['l2', 'l2-squared'] as const) {
      const { auto, taped } = native.runs[norm];
      const ref = wasm.runs[norm].taped;
      // Δ ∈ [−5, 0] after 40 steps; loss ~ bpr ~ 25 (lam 100).
      expect(maxGap(auto.delta, taped.delta), `${norm}: Δ vs taped`).toBeLessThan(1e-5);
      expect(maxGap(auto.loss, taped.loss), `${norm}: loss vs taped`).toBeLessThan(1e-3);
      expect(maxGap(auto.bpr, taped.bpr), `${norm}: bpr vs taped`).toBeLessThan(1e-3);
      expect(maxGap(auto.norm, taped.norm), `${norm}: norm vs taped`).toBeLessThan(1e-5);
      expect(maxGap(auto.delta, ref.delta), `${norm}: Δ vs WASM`).toBeLessThan(1e-4);
      expect(maxGap(auto.loss, ref.loss), `${norm}: loss vs WASM`).toBeLessThan(1e-2);
      // Not vacuous: the BPR term is on, so its gradient path ran.
      expect(auto.bpr.some((v) => v > 0)).toBe(true);
    }
    expect(maxGap(native.runs.l2.auto.delta, native.runs['l2-squared'].auto.delta)).toBeGreaterThan(1e-3);
  });
});
