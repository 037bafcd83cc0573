/**
 * The model registry's compute half: each model's adapter (TF.js for CER and EFM). Its pure half,
 * what the sweep language and the cell key need, is recsys/models/specs.ts; both are indexed by
 * MODEL_NAMES, so a model missing from either is a type error.
 */
import { cerAdapter } from './cer/adapter.ts';
import { efmAdapter } from './efm/adapter.ts';
import type { ModelAdapter } from './model-adapter.ts';
import { overlapAdapter } from './overlap/adapter.ts';
import type { ModelName } from './specs.ts';

export const MODEL_ADAPTERS: { readonly [K in ModelName]: ModelAdapter } = { cer: cerAdapter, efm: efmAdapter, overlap: overlapAdapter };
export type { ModelAdapter } from './model-adapter.ts';
