/**
 * On native TensorFlow the explainer's steps run as TensorFlow ops with a hand-derived gradient
 * (recsys/models/cer/explainer-native.ts). Its kept Δ, loss, bpr and norm must equal the taped
 * route's on the same backend (float32 rounding), and WASM's within the agreement test's margin,
 * for both complexity norms, without leaking tensors. Presence as in agreement.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CHILD = join(HERE, 'explainer-on-backend.ts');
const REQUIRED = new Set((process.env.REXSWEEP_REQUIRE_BACKENDS ?? '').split(',').map((s) => s.trim()));

interface Optimum {
  delta: number[];
  loss: number[];
  bpr: number[];
  norm: number[];
}
type Runs = Record<'l2' | 'l2-squared', { auto: Optimum; taped: Optimum }>;

function explainOn(backend: string): { runs: Runs; leaked: number } | { absent: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, backend], {
    cwd: join(HERE, '..', '..'),
    encoding: 'utf8',
    env: { ...process.env, REXSWEEP_BACKEND: '' },
    timeout: 120_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${backend} explainer exited ${r.status}:\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line) as { runs: Runs; leaked: number } | { absent: string };
}

function maxGap(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

describe('the native explainer step', { timeout: 300_000 }, () => {
  test('keeps the taped route’s Δ, loss, bpr and norm, and WASM’s, for both norms', (ctx) => {
    const native = explainOn('tensorflow');
    if ('absent' in native) {
      if (REQUIRED.has('tensorflow')) throw new Error(`tensorflow is absent: ${native.absent} (required by REXSWEEP_REQUIRE_BACKENDS)`);
      ctx.skip(`native TensorFlow is absent here: ${native.absent}`);
      return;
    }
    const wasm = explainOn('wasm');
    if ('absent' in wasm) throw new Error(`WASM is absent: ${wasm.absent}`);
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
