/** Which config may replace a running or finished sweep's: a larger grid with the same meaning only. */
import { describe, expect, it } from 'vitest';
import { evaluationsGrew, extensionProblems } from '../../sweep/extension.ts';
import { sweepOf } from './helpers.ts';

const fields = (a: ReturnType<typeof sweepOf>, b: ReturnType<typeof sweepOf>) => extensionProblems(a, b).map((p) => p.field);

describe('extensionProblems', () => {
  const base = sweepOf();

  it('accepts the same config, added grid values and operational changes', () => {
    expect(fields(base, base)).toEqual([]);
    expect(fields(base, sweepOf({ lambdas: [0, 0.5, 0.9], seeds: [0, 1, 2], models: ['cer', 'efm'] }))).toEqual([]);
    expect(fields(base, sweepOf({ concurrency: 9, maxFailedCells: 2, retry: { compute: { maximumAttempts: 2 } } }))).toEqual([]);
  });

  it('accepts added ε_A values and attacks (evaluated on the stored models), and says so', () => {
    const more = sweepOf({ epsilonsA: [...base.epsilonsA, 2], attacks: [...base.attacks, 'pgd'] });
    expect(fields(base, more)).toEqual([]);
    expect(evaluationsGrew(base, more)).toBe(true);
    expect(evaluationsGrew(base, sweepOf({ seeds: [0, 1, 2] }))).toBe(false);
    expect(evaluationsGrew(base, base)).toBe(false);
  });

  it('refuses changed fixed settings, queues, and removed grid values or evaluations', () => {
    expect(fields(base, sweepOf({ epochs: 11 }))).toEqual(['epochs/cell']);
    expect(fields(base, sweepOf({ cell: { cer: { learningRate: 0.01 } } }))).toEqual(['epochs/cell']);
    expect(fields(base, sweepOf({ epsilonsA: base.epsilonsA.slice(1) }))).toEqual(['epsilonsA']);
    expect(fields(base, sweepOf({ attacks: ['fgsm'] }))).toEqual(['attacks']);
    expect(extensionProblems(base, sweepOf({ attacks: ['fgsm'] }))[0].message).toMatch(/attacks lost "random": a sweep's evaluations can grow, not shrink/);
    expect(fields(base, sweepOf({ queues: { gpu: 'elsewhere' } }))).toEqual(['queues']);
    expect(fields(base, sweepOf({ seeds: [1, 2] }))).toEqual(['seeds']);
    expect(extensionProblems(base, sweepOf({ seeds: [1, 2] }))[0].message).toMatch(/seeds lost 0/);
  });

  it('treats a dataset whose spec changed under the same name as removed', () => {
    const other = sweepOf({ datasets: [{ source: 'synthetic', name: 'tiny', synthetic: { users: 41, items: 200, features: 10, reviewsPerUser: 16 } }] });
    expect(fields(base, other)).toEqual(['datasets']);
  });
});
