/**
 * The model registry's pure half: every model rexsweep knows, by name (the compute half is
 * recsys/models/adapters.ts). Adding a model is a folder with its spec.ts and adapter.ts, a line
 * here and one there; the mapped types make a missing entry a type error.
 */
import { cerSpec } from './cer/spec.ts';
import { efmSpec } from './efm/spec.ts';
import type { ModelSpec } from './model-spec.ts';
import { overlapSpec } from './overlap/spec.ts';

export const MODEL_NAMES = ['cer', 'efm', 'overlap'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const MODEL_SPECS = { cer: cerSpec, efm: efmSpec, overlap: overlapSpec } as const satisfies { readonly [K in ModelName]: ModelSpec & { name: K } };
export type { ModelSpec } from './model-spec.ts';
