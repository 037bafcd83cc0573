/** The random-sign control at the same L∞ budget (paper-brief §4): Y + ε·r, r uniform in {−1, +1}, clipped. */
import { randomSignStep } from '../../robust/perturb.ts';
import type { AttackDescriptor } from '../attack.ts';

export const random = {
  name: 'random' as const,
  title: 'random noise',
  gradientSteps: () => 0,
  async perturb(y, ctx) {
    return randomSignStep(y, ctx.rng, ctx.opts);
  },
} satisfies AttackDescriptor;
