/** The feature-overlap baseline's default settings, without zod (as recsys/attacks/pgd/defaults.ts). */
export const OVERLAP_DEFAULTS = {
  /** At most this many top shared features explain a recommendation (CER's mean |E| is ~4 on the demo data). */
  explanationSize: 3,
} as const;
