import { z } from 'zod';
import { OVERLAP_DEFAULTS } from './defaults.ts';

/** The feature-overlap baseline's one setting. */
export const OverlapSettingsSchema = z.strictObject({
  /** At most this many top shared features explain a recommendation. */
  explanationSize: z.number().int().min(1).max(1000).default(OVERLAP_DEFAULTS.explanationSize),
});

export type OverlapSettings = z.output<typeof OverlapSettingsSchema>;
