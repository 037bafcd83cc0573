import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { CellConfigSchema } from '../../recsys/config.ts';
import { cellAt, cellEvaluations, countCells, expandSweep, gridPoints } from '../../sweep/expand.ts';
import { SweepConfigSchema } from '../../sweep/schema.ts';
import { sweepOf } from './helpers.ts';

const TWO_DATASETS = [
  { source: 'synthetic' as const, name: 'a' },
  { source: 'amazon' as const, name: 'cds', sentires: '/data/cds.sentires', reviews: '/data/cds.json' },
];

describe('expandSweep', () => {
  it('2 datasets × 2 models × (1 vanilla + 3 λ × 2 ε_D) × 2 seeds = 56 cells', () => {
    const sweep = sweepOf({ datasets: TWO_DATASETS, lambdas: [0, 0.1, 0.5, 0.9], epsilonsD: [0.5, 1] });
    const cells = expandSweep(sweep);
    expect(cells).toHaveLength(56);
    expect(countCells(sweep)).toBe(56);
    expect(new Set(cells.map((c) => c.key)).size).toBe(56);
    expect(cells.map((c) => c.index)).toEqual([...Array(56).keys()]);
  });

  it('runs a model that is not learned (the overlap baseline) once per dataset and seed, at the vanilla point', () => {
    // Per dataset: CER 3 points × 2 seeds, then overlap 1 × 2; λ = 0 not even listed.
    const sweep = sweepOf({ datasets: TWO_DATASETS, models: ['cer', 'overlap'], lambdas: [0.5, 0.9], epsilonsD: [0.5], seeds: [0, 1] });
    const cells = expandSweep(sweep);
    expect(countCells(sweep)).toBe(2 * (2 * 2 + 1 * 2));
    expect(cells.map((c) => `${c.dataset} ${c.model} ${c.lambda}/${c.epsilonD} s${c.seed}`)).toEqual([
      'a cer 0.5/0.5 s0', 'a cer 0.5/0.5 s1', 'a cer 0.9/0.5 s0', 'a cer 0.9/0.5 s1', 'a overlap 0/0 s0', 'a overlap 0/0 s1',
      'cds cer 0.5/0.5 s0', 'cds cer 0.5/0.5 s1', 'cds cer 0.9/0.5 s0', 'cds cer 0.9/0.5 s1', 'cds overlap 0/0 s0', 'cds overlap 0/0 s1',
    ]);
    expect(new Set(cells.map((c) => c.key)).size).toBe(cells.length);
    for (const c of cells) expect(cellAt(sweep, c.index)).toEqual(c);
    // A model order with the baseline first gives the same cells, in its order.
    const swapped = expandSweep(sweepOf({ datasets: TWO_DATASETS, models: ['overlap', 'cer'], lambdas: [0.5, 0.9], epsilonsD: [0.5], seeds: [0, 1] }));
    expect(new Set(swapped.map((c) => c.key))).toEqual(new Set(cells.map((c) => c.key)));
  });

  it('never multiplies vanilla by ε_D', () => {
    const cells = expandSweep(sweepOf({ datasets: TWO_DATASETS, lambdas: [0.5, 0, 0.9], epsilonsD: [0.25, 0.5, 1] }));
    const vanilla = cells.filter((c) => c.lambda === 0);
    expect(vanilla).toHaveLength(2 * 2 * 2);
    for (const c of vanilla) expect([c.epsilonD, c.config.epsilonD]).toEqual([0, 0]);
    const ids = vanilla.map((c) => `${c.dataset}/${c.model}/${c.seed}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(gridPoints({ lambdas: [0.5, 0, 0.9], epsilonsD: [0.25, 1] })).toEqual([
      { lambda: 0.5, epsilonD: 0.25 },
      { lambda: 0.5, epsilonD: 1 },
      { lambda: 0, epsilonD: 0 },
      { lambda: 0.9, epsilonD: 0.25 },
      { lambda: 0.9, epsilonD: 1 },
    ]);
  });

  it('has no vanilla cell when λ = 0 is not listed', () => {
    const cells = expandSweep(sweepOf({ lambdas: [0.5] }));
    expect(cells.every((c) => c.lambda === 0.5)).toBe(true);
    expect(cells).toHaveLength(2 * 2 * 2);
  });

  it('is deterministic, in file order: dataset, model, (λ, ε_D), seed', () => {
    const sweep = sweepOf({ models: ['efm', 'cer'], seeds: [3, 1] });
    const a = expandSweep(sweep);
    expect(expandSweep(structuredClone(sweep))).toEqual(a);
    expect(a.slice(0, 4).map((c) => [c.model, c.lambda, c.epsilonD, c.seed])).toEqual([
      ['efm', 0, 0, 3],
      ['efm', 0, 0, 1],
      ['efm', 0.5, 0.5, 3],
      ['efm', 0.5, 0.5, 1],
    ]);
  });

  it('gives every cell a full, valid recsys config with the shared settings', () => {
    const sweep = sweepOf({
      epsilonsA: [1, 0.25, 0.5],
      epochs: { cer: 7, efm: 70 },
      cell: { cer: { learningRate: 0.05 }, explainer: { steps: 20 }, datasetCache: '/tmp/c' },
    });
    for (const c of expandSweep(sweep)) {
      expect(CellConfigSchema.parse(c.config)).toEqual(c.config);
      expect(c.config.epsilonsA).toEqual([0.25, 0.5, 1]);
      expect(c.config.epochs).toBe(c.model === 'cer' ? 7 : 70);
      expect(c.config.cer.learningRate).toBe(0.05);
      expect(c.config.explainer.steps).toBe(20);
      expect(c.config.datasetCache).toBe('/tmp/c');
      expect([c.config.lambda, c.config.epsilonD, c.config.seed, c.config.model]).toEqual([c.lambda, c.epsilonD, c.seed, c.model]);
    }
  });

  it('lists a cell\'s evaluations as recsys run-cell runs them', () => {
    expect(cellEvaluations({ epsilonsA: [0.5, 1], attacks: ['fgsm', 'random'] })).toEqual([
      { attack: 'none', epsilon: 0 },
      { attack: 'fgsm', epsilon: 0.5 },
      { attack: 'random', epsilon: 0.5 },
      { attack: 'fgsm', epsilon: 1 },
      { attack: 'random', epsilon: 1 },
    ]);
  });

  it('expands a 10,000-cell grid, every key distinct', () => {
    const datasets = Array.from({ length: 5 }, (_, i) => ({ source: 'synthetic' as const, name: `d${i}`, synthetic: { seed: i } }));
    const lambdas = [0, ...Array.from({ length: 10 }, (_, i) => (i + 1) / 20)];
    const epsilonsD = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);
    const sweep = sweepOf({ datasets, lambdas, epsilonsD, seeds: [...Array(10).keys()] });
    const t = performance.now();
    const cells = expandSweep(sweep);
    const seconds = (performance.now() - t) / 1000;
    expect(cells).toHaveLength(5 * 2 * 101 * 10);
    expect(new Set(cells.map((c) => c.key)).size).toBe(cells.length);
    console.log(`expanded ${cells.length} cells in ${seconds.toFixed(2)} s`);
    expect(seconds).toBeLessThan(30);
  });
});

describe('cellAt and ranges', () => {
  it('give the same cells as the full expansion, so shards need not expand the rest', () => {
    const sweep = sweepOf({ datasets: TWO_DATASETS, lambdas: [0, 0.1, 0.5], seeds: [0, 1, 2] });
    const all = expandSweep(sweep);
    expect(expandSweep(sweep, { start: 10, end: 25 })).toEqual(all.slice(10, 25));
    for (const i of [0, 7, all.length - 1]) expect(cellAt(sweep, i)).toEqual(all[i]);
    expect(() => cellAt(sweep, all.length)).toThrow(RangeError);
  });

  it('freezes the configs, which share nested settings', () => {
    const [a, b] = expandSweep(sweepOf());
    expect(a.config.cer).toBe(b.config.cer);
    expect(Object.isFrozen(a.config)).toBe(true);
    expect(Object.isFrozen(a.config.cer.hidden)).toBe(true);
  });
});

describe('a sweep passed to a workflow as JSON', () => {
  it('re-validates to itself and expands to the same keys', () => {
    const sweep = sweepOf({ epochs: { cer: 5, efm: 50 }, cell: { cer: { learningRate: 0.05 } } });
    const wire = JSON.parse(JSON.stringify(sweep));
    expect(SweepConfigSchema.parse(wire)).toEqual(sweep);
    expect(expandSweep(SweepConfigSchema.parse(wire)).map((c) => c.key)).toEqual(expandSweep(sweep).map((c) => c.key));
  });
});
