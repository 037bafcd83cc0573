import { SweepConfigSchema, type SweepConfig, type SweepConfigInput } from '../../sweep/schema.ts';

/** A small valid sweep; `over` replaces top-level fields. */
export function sweepOf(over: Partial<SweepConfigInput> = {}): SweepConfig {
  return SweepConfigSchema.parse({
    study: 'tests',
    name: 'unit',
    datasets: [{ source: 'synthetic', name: 'tiny', synthetic: { users: 40, items: 200, features: 10, reviewsPerUser: 16 } }],
    models: ['cer', 'efm'],
    lambdas: [0, 0.5],
    epsilonsD: [0.5, 1],
    epsilonsA: [0.5, 1],
    seeds: [0, 1],
    epochs: 10,
    ...over,
  });
}
