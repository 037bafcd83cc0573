/**
 * A cell's `attackSettings` when none are given, without zod: cell keys leave default settings
 * out of a cell's identity (sweep/cell-identity.ts), and that code runs in Temporal workflows,
 * whose bundle stays free of zod (recsys/config-resolve.ts says why).
 */
import { PGD_DEFAULTS } from './pgd/defaults.ts';
import type { AttackSettings } from './settings.ts';

export const DEFAULT_ATTACK_SETTINGS: AttackSettings = { pgd: { ...PGD_DEFAULTS } };
