/** FGSM (paper-brief §4): one step along sign(∇_Y L) at Y, Y_adv = clip(Y + ε·sign(∇_Y L), 0, N). */
import { fgsmStep } from '../../robust/perturb.ts';
import type { AttackDescriptor } from '../attack.ts';

export const fgsm = {
  name: 'fgsm' as const,
  title: 'FGSM',
  gradientSteps: () => 1,
  async perturb(y, ctx) {
    return fgsmStep(y, await ctx.gradientAt(y), ctx.opts);
  },
} satisfies AttackDescriptor;
