/**
 * PGD-k on Y (recsys/attacks/pgd): the projected step by hand, FGSM as its k = 1, α = ε case,
 * the ε-ball ∩ [0, N] respected at every step, and a stronger attack than FGSM where the loss is
 * not linear (a concave loss with its maximum inside the ball, where FGSM overshoots).
 */
import { describe, expect, it } from 'vitest';
import { ATTACK_NAMES, ATTACKS, DEFAULT_ATTACK_SETTINGS, type AttackContext } from '../../recsys/attacks/index.ts';
import { pgdStep, randomStart } from '../../recsys/attacks/pgd/project.ts';
import { Rng } from '../../recsys/random.ts';

const opts = { epsilon: 0.5, maxRange: 5, nonZeroOnly: false };

function ctx(gradientAt: AttackContext['gradientAt'], pgd: Partial<typeof DEFAULT_ATTACK_SETTINGS.pgd> = {}, o = opts): AttackContext {
  return { opts: o, gradientAt, rng: new Rng(3), settings: { pgd: { ...DEFAULT_ATTACK_SETTINGS.pgd, ...pgd } } };
}

describe('pgdStep (by hand)', () => {
  it('steps by α·sign(g) and projects onto [y − ε, y + ε] ∩ [0, N]', () => {
    const y = Float32Array.from([1, 2, 0, 5, 0.2]);
    const g = Float32Array.from([1, -1, 1, 1, -1]);
    // From y: 1.3, 1.7, 0.3, 5 (capped at N), 0 (capped at 0).
    const one = pgdStep(y, y, g, 0.3, opts);
    expect(Array.from(one)).toEqual([1.3, 1.7, 0.3, 5, 0].map(Math.fround));
    // A second step: 1.6 → 1.5 and 1.4 → 1.5 (the ε-ball), 0.6 → 0.5.
    const two = pgdStep(y, one, g, 0.3, opts);
    expect(Array.from(two)).toEqual([1.5, 1.5, 0.5, 5, 0].map(Math.fround));
    // A3: zero entries of Y stay 0.
    expect(Array.from(pgdStep(y, y, g, 0.3, { ...opts, nonZeroOnly: true }))[2]).toBe(0);
  });

  it('a random start lies in the ball and draws for every entry', () => {
    const y = Float32Array.from([0, 1, 4.9, 2]);
    const a = randomStart(y, opts, () => 1); // the far edge: y + ε, clipped
    expect(Array.from(a)).toEqual([0.5, 1.5, 5, 2.5]);
    let draws = 0;
    randomStart(y, { ...opts, nonZeroOnly: true }, () => (draws++, 0.5));
    expect(draws).toBe(4);
  });
});

describe('PGD in the registry', () => {
  const y = Float32Array.from({ length: 64 }, (_, k) => (k * 37) % 6);
  const fixed = Float32Array.from({ length: 64 }, (_, k) => Math.sin(k * 1.7));

  it('is FGSM exactly with k = 1, α = ε and no random start', async () => {
    const viaFgsm = await ATTACKS.fgsm.perturb(y, ctx(async () => fixed));
    const viaPgd = await ATTACKS.pgd.perturb(y, ctx(async () => fixed, { steps: 1, stepFraction: 1 }));
    expect(Array.from(viaPgd)).toEqual(Array.from(viaFgsm));
  });

  it('stays in the ε-ball ∩ [0, N] over many steps, whatever the gradient', async () => {
    const rng = new Rng(9);
    const out = await ATTACKS.pgd.perturb(y, ctx(async () => Float32Array.from(y, () => rng.next() - 0.5), { steps: 25, stepFraction: 0.4, randomStart: true }));
    for (let k = 0; k < y.length; k++) {
      expect(out[k]).toBeGreaterThanOrEqual(Math.max(0, y[k] - 0.5) - 1e-6);
      expect(out[k]).toBeLessThanOrEqual(Math.min(5, y[k] + 0.5) + 1e-6);
    }
    expect(y[0]).toBe(0); // the input is never modified
  });

  it('beats FGSM on a concave loss whose maximum is inside the ball (FGSM overshoots)', async () => {
    // L(y) = −Σ (y − t)², t = y + 0.2: ∇L = −2 (y − t).
    const target = Float32Array.from(y, (v) => v + 0.2);
    const loss = (v: Float32Array) => -v.reduce((s, x, k) => s + (x - target[k]) ** 2, 0);
    const grad = async (v: Float32Array) => Float32Array.from(v, (x, k) => -2 * (x - target[k]));
    const f = await ATTACKS.fgsm.perturb(y, ctx(grad));
    const p = await ATTACKS.pgd.perturb(y, ctx(grad, { steps: 10, stepFraction: 0.25 }));
    expect(loss(p)).toBeGreaterThan(loss(f));
    // By hand for one entry away from the bounds: y = 1 → FGSM 1.5 (L = −0.09), PGD oscillates
    // between 1.125 and 1.25 (α = 0.125) and ends at 1.25 after 10 steps (L = −0.0025).
    const k = Array.from(y).indexOf(1);
    expect(f[k]).toBeCloseTo(1.5, 6);
    expect(p[k]).toBeCloseTo(1.25, 6);
  });

  it('every registered attack has a descriptor under its own name, with a cost', () => {
    for (const name of ATTACK_NAMES) {
      expect(ATTACKS[name].name).toBe(name);
      expect(ATTACKS[name].gradientSteps(DEFAULT_ATTACK_SETTINGS)).toBeGreaterThanOrEqual(0);
    }
    expect(ATTACKS.pgd.gradientSteps(DEFAULT_ATTACK_SETTINGS)).toBe(DEFAULT_ATTACK_SETTINGS.pgd.steps);
  });
});
