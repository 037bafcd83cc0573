/**
 * Grid expansion builds a cell's config without zod (workflow code runs it: its bundle stays free
 * of zod, test/sweep/purity.test.ts). The config, and so the cell key, must be exactly what the
 * cell schema makes of the same values, for every kind of sweep: else a grid extended later, or a
 * sweep replayed, would find its finished cells under other keys and run them again.
 */
import { describe, expect, it } from 'vitest';
import { CellConfigSchema } from '../../recsys/config.ts';
import { cellKey } from '../../sweep/cell-key.ts';
import { epochsFor } from '../../sweep/epochs.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { SweepConfigSchema, type SweepConfig, type SweepConfigInput } from '../../sweep/schema.ts';
import { sweepOf } from './helpers.ts';

/** What the cell schema makes of a cell's values: the validated path expansion no longer takes. */
function schemaConfig(sweep: SweepConfig, cell: ReturnType<typeof expandSweep>[number]) {
  return CellConfigSchema.parse({
    ...sweep.cell,
    dataset: sweep.datasets.find((d) => d.name === cell.dataset),
    model: cell.model,
    lambda: cell.lambda,
    epsilonD: cell.epsilonD,
    epsilonsA: [...sweep.epsilonsA].sort((a, b) => a - b),
    attacks: [...sweep.attacks],
    seed: cell.seed,
    epochs: epochsFor(sweep, cell.model),
  });
}

const SWEEPS: Record<string, Partial<SweepConfigInput>> = {
  defaults: {},
  'every dataset source, every model, per-model epochs': {
    datasets: [
      { source: 'synthetic', name: 's' },
      { source: 'amazon', name: 'cds', sentires: '/d/cds.sentires', reviews: '/d/cds.json' },
      { source: 'yelp', name: 'yelp', sentires: '/d/y.jsonl', reviews: '/d/y.json' },
      { source: 'interchange', name: 'ix', path: '/d/ix.jsonl', kind: 'yelp' },
    ],
    models: ['cer', 'efm', 'overlap'],
    epochs: { cer: 7, efm: 30 },
  },
  'settings changed in every section, ε_A unsorted, PGD': {
    epsilonsA: [1, 0.25, 0.5],
    attacks: ['pgd', 'fgsm'],
    models: ['cer', 'overlap'],
    cell: {
      backend: 'wasm',
      data: { userThresh: 3, negLength: 50 },
      cer: { hidden: [64, 32], learningRate: 0.01 },
      explainer: { lam: 10, testUsers: 20, steps: 50 },
      efm: { explicitFactors: 8 },
      choices: { perturbNonZeroOnly: true, complexityNorm: 'l2-squared' },
      attackSettings: { pgd: { steps: 5, randomStart: true } },
      overlap: { explanationSize: 5 },
      datasetCache: '/tmp/cache',
      noop: true,
    },
  },
};

describe('cellConfigFor builds what the cell schema would', () => {
  for (const [name, over] of Object.entries(SWEEPS)) {
    it(name, () => {
      const sweep = sweepOf(over);
      const cells = expandSweep(sweep);
      expect(cells.length).toBeGreaterThan(3);
      for (const cell of cells) {
        const parsed = schemaConfig(sweep, cell);
        expect(cell.config).toStrictEqual(parsed);
        expect(cell.key).toBe(cellKey(parsed));
      }
    });
  }

  it('fills the sections added later for a sweep config recorded before them, to the same keys', () => {
    const sweep = sweepOf({ models: ['cer', 'efm', 'overlap'] });
    // A config as an older client sent it through Temporal: JSON, without the later sections.
    const recorded = JSON.parse(JSON.stringify(sweep)) as SweepConfig;
    const cell = recorded.cell as Partial<SweepConfig['cell']>;
    delete cell.attackSettings;
    delete cell.overlap;
    delete cell.noop;
    expect(expandSweep(recorded).map((c) => c.key)).toEqual(expandSweep(sweep).map((c) => c.key));
    expect(expandSweep(recorded).map((c) => c.config)).toStrictEqual(expandSweep(sweep).map((c) => c.config));
  });

  it('leaves the sweep config it expands unfrozen and unshared', () => {
    const sweep = sweepOf();
    const [cell] = expandSweep(sweep);
    expect(Object.isFrozen(cell.config.cer)).toBe(true);
    expect(Object.isFrozen(sweep.cell.cer)).toBe(false);
    expect(cell.config.cer).not.toBe(sweep.cell.cer);
    expect(cell.config.dataset).not.toBe(sweep.datasets[0]);
  });

  it('wire round trip (JSON through Temporal) gives the same cells', () => {
    const sweep = sweepOf(SWEEPS['settings changed in every section, ε_A unsorted, PGD']);
    const wire = SweepConfigSchema.parse(JSON.parse(JSON.stringify(sweep)));
    expect(expandSweep(wire)).toStrictEqual(expandSweep(sweep));
  });
});
