/**
 * Settings of the attacks that have any (a cell's `attackSettings`), one schema per attack,
 * each defined in its own folder with its defaults (defaults.ts). Defaults keep every attack
 * parameter-free to write.
 */
import { z } from 'zod';
import { PGD_DEFAULTS } from './pgd/defaults.ts';
import { PgdSettingsSchema } from './pgd/settings.ts';

export const AttackSettingsSchema = z.strictObject({
  pgd: PgdSettingsSchema.default({ ...PGD_DEFAULTS }),
});

export type AttackSettings = z.output<typeof AttackSettingsSchema>;
export { DEFAULT_ATTACK_SETTINGS } from './defaults.ts';
