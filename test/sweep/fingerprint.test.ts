/**
 * The fixed-settings fingerprint: what a later run compares to refuse a changed sweep. Grid and
 * evaluation axes, and operational fields, leave it alone; fixed settings change it.
 */
import { describe, expect, it } from 'vitest';
import { expandSweep } from '../../sweep/expand.ts';
import {
  EVALUATION_AXES,
  FIXED_FIELDS,
  fixedSettingsFingerprint,
  GRID_AXES,
  OPERATIONAL_FIELDS,
  sweepId,
} from '../../sweep/fingerprint.ts';
import { SweepConfigSchema } from '../../sweep/schema.ts';
import { sweepOf } from './helpers.ts';

describe('fixedSettingsFingerprint', () => {
  it('classifies every field of the sweep file exactly once', () => {
    const classified = [...GRID_AXES, ...EVALUATION_AXES, ...FIXED_FIELDS, ...OPERATIONAL_FIELDS];
    expect(new Set(classified).size).toBe(classified.length);
    expect([...classified].sort()).toEqual(Object.keys(SweepConfigSchema.shape).sort());
  });

  it('ignores the axes and the operational fields', () => {
    const base = fixedSettingsFingerprint(sweepOf());
    const same = [
      sweepOf({ lambdas: [0, 0.5, 0.9] }),
      sweepOf({ epsilonsD: [0.25, 0.5, 1] }),
      sweepOf({ epsilonsA: [0.25, 0.5, 0.75, 1] }),
      sweepOf({ attacks: ['fgsm'] }),
      sweepOf({ seeds: [0, 1, 2] }),
      sweepOf({ models: ['cer'] }),
      sweepOf({ datasets: [{ source: 'synthetic', name: 'other' }] }),
      sweepOf({ study: 'elsewhere', name: 'renamed', id: 'explicit', concurrency: 9, queues: { workflow: 'q1', gpu: 'q2' } }),
      sweepOf({ maxFailedCells: 3, failFast: true, cellsPerRun: 50, retry: { compute: { maximumAttempts: 9, heartbeatTimeout: '20s' } } }),
      sweepOf({ cell: { datasetCache: '/somewhere/else' } }),
      // Written-out defaults and the per-model spelling of a single epochs value.
      sweepOf({ epochs: { cer: 10, efm: 10 }, cell: { cer: { learningRate: 5e-4 }, choices: { perturbNonZeroOnly: false } } }),
      sweepOf({ cell: { choices: { explainerKeeps: 'after-step' } } }),
    ];
    for (const s of same) expect(fixedSettingsFingerprint(s)).toBe(base);
  });

  it('changes with any fixed setting', () => {
    const base = fixedSettingsFingerprint(sweepOf());
    const different = [
      sweepOf({ epochs: 11 }),
      sweepOf({ epochs: { cer: 10, efm: 100 } }),
      sweepOf({ cell: { cer: { learningRate: 0.05 } } }),
      sweepOf({ cell: { explainer: { steps: 100 } } }),
      sweepOf({ cell: { efm: { latentFactors: 10 } } }),
      sweepOf({ cell: { data: { featureThresh: 50 } } }),
      sweepOf({ cell: { choices: { groundTruth: 'positive' } } }),
      sweepOf({ cell: { choices: { explainerKeeps: 'evaluated' } } }),
      sweepOf({ cell: { backend: 'wasm' } }),
    ];
    const prints = different.map(fixedSettingsFingerprint);
    expect(prints).not.toContain(base);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('names the sweep <name>-<8 hex> unless an id is given', () => {
    const s = sweepOf();
    expect(sweepId(s)).toBe(`unit-${fixedSettingsFingerprint(s).slice(0, 8)}`);
    expect(sweepId(sweepOf({ id: 'my-sweep' }))).toBe('my-sweep');
    expect(sweepId(sweepOf({ lambdas: [0, 0.1] }))).toBe(sweepId(s));
    expect(sweepId(sweepOf({ epochs: 20 }))).not.toBe(sweepId(s));
  });
});

describe('extending a sweep', () => {
  it('keeps every existing cell key: only the new cells are new', () => {
    const before = expandSweep(sweepOf());
    const after = expandSweep(sweepOf({ lambdas: [0, 0.5, 0.9], epsilonsD: [0.5, 1, 0.25], epsilonsA: [0.25, 0.5, 1], seeds: [0, 1, 2], attacks: ['random', 'fgsm'] }));
    const keys = new Set(after.map((c) => c.key));
    for (const c of before) expect(keys.has(c.key), `${c.model} λ=${c.lambda} ε_D=${c.epsilonD} seed=${c.seed}`).toBe(true);
    // 2 models × (1 + 2·3) points × 3 seeds, of which 2 × (1 + 1·2) × 2 existed.
    expect(after).toHaveLength(42);
    expect(after.filter((c) => !before.some((b) => b.key === c.key))).toHaveLength(42 - 12);
  });
});
