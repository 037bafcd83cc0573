/**
 * Settings of the attacks that have any (a cell's `attackSettings`), one schema per attack,
 * each defined in its own folder. Defaults keep every attack parameter-free to write.
 */
import { z } from 'zod';
import { PgdSettingsSchema } from './pgd/settings.ts';

export const AttackSettingsSchema = z.strictObject({
  pgd: PgdSettingsSchema.default(PgdSettingsSchema.parse({})),
});

export type AttackSettings = z.output<typeof AttackSettingsSchema>;
export const DEFAULT_ATTACK_SETTINGS: AttackSettings = AttackSettingsSchema.parse({});
