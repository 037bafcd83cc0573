import { z } from 'zod';
import { PGD_DEFAULTS } from './defaults.ts';

/** PGD-k (Madry et al. 2018) on Y: k signed-gradient steps of size α = stepFraction·ε. */
export const PgdSettingsSchema = z.strictObject({
  /** k: gradient steps. */
  steps: z.number().int().min(1).max(1000).default(PGD_DEFAULTS.steps),
  /** α as a fraction of ε. */
  stepFraction: z.number().positive().max(1).default(PGD_DEFAULTS.stepFraction),
  /** Start from a uniform point of the ε-ball (∩ [0, N]) instead of Y itself. */
  randomStart: z.boolean().default(PGD_DEFAULTS.randomStart),
});

export type PgdSettings = z.output<typeof PgdSettingsSchema>;
