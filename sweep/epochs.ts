/** Epochs per model, without zod (workflow code reads it: recsys/config-resolve.ts says why). */
import type { ModelName, SweepConfig } from './schema.ts';

/** Epochs (CER) or iterations (EFM) of one model in this sweep. */
export function epochsFor(sweep: Pick<SweepConfig, 'epochs'>, model: ModelName): number {
  return typeof sweep.epochs === 'number' ? sweep.epochs : sweep.epochs[model];
}
