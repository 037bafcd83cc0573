/**
 * The attack registry: every attack rexsweep evaluates, by name. Adding one is a folder with its
 * descriptor (recsys/attacks/<name>/index.ts) and a line here; the mapped type makes a name
 * without a descriptor, or a descriptor without a name, a type error.
 */
import type { AttackDescriptor } from './attack.ts';
import { fgsm } from './fgsm/index.ts';
import { pgd } from './pgd/index.ts';
import { random } from './random/index.ts';

/** The names, in report order (the schemas' enums are built from this tuple). */
export const ATTACK_NAMES = ['fgsm', 'random', 'pgd'] as const;
export type AttackName = (typeof ATTACK_NAMES)[number];

export const ATTACKS = { fgsm, random, pgd } as const satisfies { readonly [K in AttackName]: AttackDescriptor & { name: K } };

export type { AttackContext, AttackDescriptor } from './attack.ts';
export { AttackSettingsSchema, DEFAULT_ATTACK_SETTINGS, type AttackSettings } from './settings.ts';
