import { z } from 'zod';

/** The feature-overlap baseline's one setting. */
export const OverlapSettingsSchema = z.strictObject({
  /** At most this many top shared features explain a recommendation (CER's mean |E| is ~4 on the demo data). */
  explanationSize: z.number().int().min(1).max(1000).default(3),
});

export type OverlapSettings = z.output<typeof OverlapSettingsSchema>;
