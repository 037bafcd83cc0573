/**
 * PGD-k on Y (Madry et al. 2018): from Y (or a random point of the ε-ball), k steps
 * y ← Π_{B∞(Y, ε) ∩ [0, N]}(y + α·sign(∇L(y))) with α = stepFraction·ε. With k = 1, α = ε and no
 * random start it is FGSM exactly (test/attacks). The question reviewers ask of a defence trained
 * on FGSM: does it hold against a stronger attack at the same budget?
 */
import type { AttackDescriptor } from '../attack.ts';
import { pgdStep, randomStart } from './project.ts';

export const pgd = {
  name: 'pgd' as const,
  title: 'PGD',
  gradientSteps: (s) => s.pgd.steps,
  async perturb(y, ctx) {
    const { steps, stepFraction } = ctx.settings.pgd;
    const alpha = stepFraction * ctx.opts.epsilon;
    let current = ctx.settings.pgd.randomStart ? randomStart(y, ctx.opts, () => ctx.rng.next()) : y;
    for (let t = 0; t < steps; t++) current = pgdStep(y, current, await ctx.gradientAt(current), alpha, ctx.opts);
    return current === y ? Float32Array.from(y) : current;
  },
} satisfies AttackDescriptor;
