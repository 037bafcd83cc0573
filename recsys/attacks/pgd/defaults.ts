/**
 * PGD's default settings, written once: its schema (settings.ts) takes its defaults from here,
 * and code that must stay free of zod (cell keys, in Temporal workflow code) reads them here.
 */
export const PGD_DEFAULTS = {
  steps: 10,
  /** The common choice 2.5·ε/k is 0.25 at k = 10. */
  stepFraction: 0.25,
  randomStart: false,
} as const;
