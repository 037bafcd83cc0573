/**
 * The slice of a cell config EFM reads. Both CellConfig and ResolvedCellConfig satisfy it, so
 * callers pass whichever they hold; tests build it from CellConfigSchema.
 */
import type { CellConfig } from '../../config.ts';

export type EfmRunConfig = Pick<CellConfig, 'efm' | 'choices' | 'epochs' | 'seed' | 'lambda' | 'epsilonD' | 'attackSettings'>;

/** Adam constants not in the config (Kingma & Ba defaults; tfjs would use ε = 1e-7). */
export const EFM_ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
