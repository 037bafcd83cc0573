import { z } from 'zod';

/** PGD-k (Madry et al. 2018) on Y: k signed-gradient steps of size α = stepFraction·ε. */
export const PgdSettingsSchema = z.strictObject({
  /** k: gradient steps. */
  steps: z.number().int().min(1).max(1000).default(10),
  /** α as a fraction of ε. The common choice 2.5·ε/k is 0.25 at k = 10. */
  stepFraction: z.number().positive().max(1).default(0.25),
  /** Start from a uniform point of the ε-ball (∩ [0, N]) instead of Y itself. */
  randomStart: z.boolean().default(false),
});

export type PgdSettings = z.output<typeof PgdSettingsSchema>;
