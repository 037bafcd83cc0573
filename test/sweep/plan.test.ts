/**
 * `rexsweep plan`: cell counts by dataset × model, evaluations per cell, and the rough cost
 * model's numbers for configs/demo.yaml, worked out by hand from the documented formula.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerPlanCommand } from '../../cli/commands/plan.ts';
import { resolveCellConfig } from '../../recsys/config.ts';
import { prepareDataset } from '../../recsys/data/prepare.ts';
import { ConfigError } from '../../recsys/errors.ts';
import { cerParameterCount, WASM_COST_MODEL as M } from '../../sweep/cost-model.ts';
import { estimateSyntheticSize } from '../../sweep/dataset-size.ts';
import { cellConfigFor, gridPoints } from '../../sweep/expand.ts';
import { loadSweepFile } from '../../sweep/load.ts';
import { planSweep, type SweepPlan } from '../../sweep/plan.ts';
import { formatDuration, formatPlan } from '../../sweep/plan-format.ts';
import { findPreparedSizes } from '../../client/prepared-sizes.ts';
import { sweepOf } from './helpers.ts';

const DEMO = fileURLToPath(new URL('../../configs/demo.yaml', import.meta.url));
const PAPER = fileURLToPath(new URL('../../configs/paper.yaml', import.meta.url));

describe('plan of configs/demo.yaml', () => {
  let plan: SweepPlan;
  beforeAll(async () => {
    plan = planSweep(await loadSweepFile(DEMO));
  });

  it('counts a baseline model at its one point, and says so', () => {
    const p = planSweep(sweepOf({ models: ['cer', 'overlap'], lambdas: [0, 0.5], epsilonsD: [0.5, 1], seeds: [0, 1] }));
    expect(p).toMatchObject({ cells: 8, vanillaCells: 4, defendedCells: 4 });
    expect(p.rows.map((r) => [r.model, r.vanillaCells, r.defendedCells])).toEqual([['cer', 2, 4], ['overlap', 2, 0]]);
    expect(formatPlan(p)).toContain('8 cells = 1 dataset × (1 model × 3 (λ, ε_D) points (vanilla once, λ>0 × ε_D) + 1 baseline × 1 (untrained: λ = 0 only)) × 2 seeds');
  });

  it('counts 12 cells: 1 dataset × 2 models × (vanilla + 1 λ × 2 ε_D) × 2 seeds, 5 evaluations each', () => {
    expect(plan).toMatchObject({ cells: 12, vanillaCells: 4, defendedCells: 8, evaluationsPerCell: 5, evaluations: 60 });
    expect(plan.grid).toEqual({ datasets: 1, models: 2, points: 3, baselines: 0, seeds: 2, epsilonsA: 2, attacks: 2 });
    expect(plan.rows.map((r) => [r.dataset, r.model, r.vanillaCells, r.defendedCells, r.cells])).toEqual([
      ['synthetic-demo', 'cer', 2, 4, 6],
      ['synthetic-demo', 'efm', 2, 4, 6],
    ]);
    expect(plan.sweepId).toMatch(/^demo-[0-9a-f]{8}$/);
  });

  it('estimates the synthetic sizes from the settings: 120 users, 5,760 pairs, 120 test users', () => {
    expect(plan.datasets[0].size).toMatchObject({ users: 120, features: 24, trainPairs: 5760, testUsers: 120, listWidth: 106, from: 'synthetic-estimate' });
  });

  it('prices a cell with the documented cost model', () => {
    // CER, 10 epochs on 5,760 pairs at the reference MLP size (F = 24, hidden 1024-256).
    const evaluate = 5 * (200 * (M.explainerSecondsPerStep + 100 / M.explainerPairStepsPerSecond) + (120 * 106) / (3 * 4300)) + 2 * (5760 / 4300);
    const cerVanilla = M.cellStartSeconds + (10 * 5760) / 4300 + evaluate;
    const cerDefended = M.cellStartSeconds + (10 * 5760) / 2100 + evaluate;
    // EFM, 100 iterations at the measured size but 150 items instead of 148; 4 poisoning refits.
    const work = (120 * 150 + 270 * 24) / M.efmReferenceWork;
    const efmVanilla = M.cellStartSeconds + 5 * 1.5 * work;
    const efmDefended = M.cellStartSeconds + 5 * 1.5 * work * M.efmDefendedFactor;
    const [cer, efm] = plan.rows;
    expect(cer.vanillaCellSeconds).toBeCloseTo(cerVanilla, 6);
    expect(cer.defendedCellSeconds).toBeCloseTo(cerDefended, 6);
    expect(efm.vanillaCellSeconds).toBeCloseTo(efmVanilla, 6);
    expect(efm.defendedCellSeconds).toBeCloseTo(efmDefended, 6);
    const total = 2 * (cerVanilla + efmVanilla) + 4 * (cerDefended + efmDefended);
    expect(plan.cost.computeSeconds).toBeCloseTo(total, 6);
    expect(plan.cost.wallSeconds).toBeCloseTo(total / 2, 6);
    expect(plan.cost).toMatchObject({ rough: true, backend: 'wasm', concurrency: 2, complete: true });
    // The demo's promise: minutes on 2 cores.
    expect(plan.cost.wallSeconds).toBeLessThan(10 * 60);
  });

  it('prints the counts, the table and a clearly rough estimate', () => {
    const text = formatPlan(plan);
    expect(text).toContain('12 cells = 1 dataset × 2 models × 3 (λ, ε_D) points');
    expect(text).toContain('evaluated 5 times (clean + 2 ε_A × 2 attacks): 60 evaluations');
    expect(text).toMatch(/synthetic-demo\s+cer\s+2\s+4\s+6/);
    expect(text).toMatch(/total\s+4\s+8\s+12/);
    expect(text).toContain('ROUGH, assumes the wasm backend');
    expect(text).toContain('at concurrency 2');
  });
});

describe('plan of configs/paper.yaml', () => {
  it('counts 306 cells, and says the cost of real data is unknown until prepared', async () => {
    const plan = planSweep(await loadSweepFile(PAPER));
    expect(plan).toMatchObject({ cells: 306, vanillaCells: 18, defendedCells: 288, evaluationsPerCell: 9, evaluations: 2754 });
    expect(plan.rows.map((r) => r.cells)).toEqual([51, 51, 51, 51, 51, 51]);
    expect(plan.cost.complete).toBe(false);
    expect(plan.cost.unknownDatasets).toEqual(['yelp', 'cds-vinyl', 'kindle-store']);
    expect(plan.rows.every((r) => r.seconds === null)).toBe(true);
    const text = formatPlan(plan);
    expect(text).toContain('unknown for yelp, cds-vinyl, kindle-store until prepared');
    expect(text).not.toContain('compute');
  });
});

describe('cost model', () => {
  it('scales CER by the MLP size and EFM refits by the attack kind', () => {
    expect(cerParameterCount(24, [1024, 256])).toBe(48 * 1024 + 1024 + 1024 * 256 + 256 + 256 + 1);
    const sweep = sweepOf({ cell: { choices: { efmAttack: 'factors' } } });
    const plan = planSweep(sweep);
    const poison = planSweep(sweepOf());
    expect(plan.rows[1].vanillaCellSeconds!).toBeLessThan(poison.rows[1].vanillaCellSeconds!);
  });

  it('formats durations for people', () => {
    expect([formatDuration(42.4), formatDuration(600), formatDuration(3 * 3600), formatDuration(5 * 86400)]).toEqual(['42 s', '10.0 min', '3.0 h', '5.0 days']);
  });
});

describe('prepared dataset sizes', () => {
  let cache: string;
  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'rexsweep-plan-'));
  });
  afterAll(() => rm(cache, { recursive: true, force: true }));

  it('are read from the manifest under datasetCache, and match the synthetic estimate', async () => {
    const sweep = sweepOf({ datasets: [{ source: 'synthetic', name: 'synthetic-demo' }], cell: { datasetCache: cache } });
    expect((await findPreparedSizes(sweep)).size).toBe(0);
    const config = resolveCellConfig(cellConfigFor(sweep, sweep.datasets[0], 'cer', gridPoints(sweep)[0], 0));
    await prepareDataset(config.dataset, config.data, cache);
    const found = (await findPreparedSizes(sweep)).get('synthetic-demo');
    expect(found).toMatchObject({ from: 'prepared', users: 120, features: 24, trainPairs: 5760, testUsers: 120, listWidth: 106 });
    const spec = sweep.datasets[0];
    if (spec.source !== 'synthetic') throw new Error('synthetic expected');
    const estimate = estimateSyntheticSize(spec.synthetic, sweep.cell.data);
    expect([estimate.users, estimate.features, estimate.trainPairs, estimate.testUsers]).toEqual([found!.users, found!.features, found!.trainPairs, found!.testUsers]);
    // Other data settings are another prepared dataset: not this one.
    expect((await findPreparedSizes(sweepOf({ ...sweep, cell: { datasetCache: cache, data: { negLength: 50 } } }))).size).toBe(0);
    expect(planSweep(sweep, await findPreparedSizes(sweep)).datasets[0].note).toContain('prepared dataset');
  });
});

describe('rexsweep plan (command)', () => {
  async function run(...args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerPlanCommand(program);
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(['node', 'rexsweep', 'plan', ...args]);
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  it('prints the plan, or one JSON object with --json', async () => {
    expect(await run(DEMO)).toContain('12 cells');
    const json = JSON.parse(await run(DEMO, '--json')) as SweepPlan;
    expect(json).toMatchObject({ cells: 12, evaluationsPerCell: 5, cost: { rough: true, backend: 'wasm' } });
  });

  it('fails with a ConfigError naming file:line:column and field', async () => {
    const bad = fileURLToPath(new URL('../fixtures/sweep/lambda-one.yaml', import.meta.url));
    await expect(run(bad)).rejects.toThrow(ConfigError);
    await expect(run(bad)).rejects.toThrow(`${bad}:7:14 (field lambdas[1])`);
  });
});
