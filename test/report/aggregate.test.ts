/** Seed aggregation, tables and metric keys: pure functions against hand-computed numbers. */
import { describe, expect, it } from 'vitest';
import { aggregateCells, sampleStats, type CellObservation } from '../../report/aggregate.ts';
import { tableToCsv } from '../../report/csv.ts';
import { observationFromRun } from '../../report/observations.ts';
import { changedMetrics, parentRunMetrics } from '../../report/parent-metrics.ts';
import { AggregateTableSchema, type AggregateGroup } from '../../report/schema.ts';
import { buildTable } from '../../report/table.ts';
import { terminalTable } from '../../report/terminal.ts';
import type { Metric, Run } from '../../tracking/index.ts';
import { fixtureCells } from './fixtures.ts';

function group(groups: AggregateGroup[], k: Partial<AggregateGroup>): AggregateGroup {
  const hits = groups.filter((g) => Object.entries(k).every(([f, v]) => (g as unknown as Record<string, unknown>)[f] === v));
  expect(hits, JSON.stringify(k)).toHaveLength(1);
  return hits[0];
}

describe('sampleStats', () => {
  it('mean and sample SD (n − 1) by hand', () => {
    const a = sampleStats([0.2, 0.4, 0.6]);
    expect(a.mean).toBeCloseTo(0.4, 12);
    expect(a.sd).toBeCloseTo(0.2, 12); // sqrt((0.04 + 0 + 0.04) / 2)
    expect(a.n).toBe(3);
    const b = sampleStats([1, 2, 3, 4]);
    expect(b.mean).toBe(2.5);
    expect(b.sd).toBeCloseTo(Math.sqrt(5 / 3), 12); // not sqrt(5/4), the population SD
  });

  it('n = 1 has no SD (null, not 0); n = 0 is an error', () => {
    expect(sampleStats([7])).toEqual({ mean: 7, sd: null, n: 1 });
    expect(() => sampleStats([])).toThrow(/at least one/);
  });

  it('stays exact for values close together (no one-pass cancellation)', () => {
    const s = sampleStats([1e9 + 1, 1e9 + 2, 1e9 + 3]);
    expect(s.sd).toBeCloseTo(1, 9);
  });
});

describe('aggregateCells', () => {
  const groups = aggregateCells(fixtureCells());

  it('one group per (dataset, model, λ, ε_D, attack, ε_A), clean included', () => {
    // 3 defenses × (clean + 2 attacks × 2 ε_A)
    expect(groups).toHaveLength(15);
    expect(groups.every((g) => g.seeds.join() === '0,1,2')).toBe(true);
    expect(groups.map((g) => `${g.lambda}/${g.epsilonD}/${g.attack}/${g.epsilonA}`).slice(0, 5)).toEqual([
      '0/0/clean/0',
      '0/0/fgsm/0.5',
      '0/0/fgsm/1',
      '0/0/random/0.5',
      '0/0/random/1',
    ]);
  });

  it('means and SDs over seeds match the hand computation', () => {
    // clean ndcg5 of vanilla: 0.30, 0.31, 0.32
    const clean = group(groups, { lambda: 0, attack: 'clean' });
    expect(clean.metrics.ndcg5.mean).toBeCloseTo(0.31, 12);
    expect(clean.metrics.ndcg5.sd).toBeCloseTo(0.01, 12);
    expect(clean.metrics.ndcg5.n).toBe(3);
    // FGSM ε_A 0.5, vanilla: fns = 0.5 − 0.2·0.5·2 + seed/50 = 0.30, 0.32, 0.34
    const fgsm = group(groups, { lambda: 0, attack: 'fgsm', epsilonA: 0.5 });
    expect(fgsm.metrics.fns.mean).toBeCloseTo(0.32, 12);
    expect(fgsm.metrics.fns.sd).toBeCloseTo(0.02, 12);
    // λ 0.5, ε_D 0.5 drops 0.15 per unit ε_A: ndcg5 at ε_A 1 = 0.15, 0.16, 0.17
    const defended = group(groups, { lambda: 0.5, epsilonD: 0.5, attack: 'fgsm', epsilonA: 1 });
    expect(defended.metrics.ndcg5.mean).toBeCloseTo(0.16, 12);
    expect(defended.metrics.stability.mean).toBeCloseTo(0.8, 12);
    expect(defended.metrics.stability.sd).toBeCloseTo(0, 12);
  });

  it('drops are paired per seed: clean − attacked of the same cell', () => {
    // Every seed's drop is exactly 0.2 (vanilla, ε_A 1): SD 0, although clean and attacked each have SD 0.01.
    const g = group(groups, { lambda: 0, attack: 'fgsm', epsilonA: 1 });
    expect(g.metrics.ndcg5_drop.mean).toBeCloseTo(0.2, 12);
    expect(g.metrics.ndcg5_drop.sd).toBeCloseTo(0, 12);
    expect(g.metrics.fns_drop.mean).toBeCloseTo(0.4, 12);
    expect(group(groups, { lambda: 0, attack: 'clean' }).metrics.ndcg5_drop).toBeUndefined();
  });

  it('a metric a seed lacks is averaged over the seeds that have it', () => {
    const cells = fixtureCells({ defenses: [{ lambda: 0, epsilonD: 0 }] });
    delete cells[2].evaluations[1].metrics.stability; // seed 2, FGSM ε_A 0.5
    const g = group(aggregateCells(cells), { attack: 'fgsm', epsilonA: 0.5 });
    expect(g.metrics.stability.n).toBe(2);
    expect(g.metrics.ndcg5.n).toBe(3);
  });

  it('one seed: sd null', () => {
    const g = group(aggregateCells(fixtureCells({ seeds: [4], defenses: [{ lambda: 0, epsilonD: 0 }] })), { attack: 'clean' });
    expect(g.metrics.ndcg5).toMatchObject({ sd: null, n: 1 });
    expect(g.metrics.ndcg5.mean).toBeCloseTo(0.34, 12);
  });

  it('two runs of one seed in one group are refused', () => {
    const cells = fixtureCells({ seeds: [0], defenses: [{ lambda: 0, epsilonD: 0 }] });
    expect(() => aggregateCells([...cells, { ...cells[0], runId: 'other' }])).toThrow(/both seed 0/);
  });

  it('vanilla cells group at ε_D 0 whatever ε_D their config carries', () => {
    const cells = fixtureCells({ seeds: [0, 1], defenses: [{ lambda: 0, epsilonD: 0 }] });
    cells[1] = { ...cells[1], epsilonD: 0.5 };
    expect(group(aggregateCells(cells), { attack: 'clean' }).seeds).toEqual([0, 1]);
  });
});

describe('observationFromRun (the cell run layout read back)', () => {
  const m = (key: string, value: number, step = 0, timestamp = 1): Metric => ({ key, value, step, timestamp });
  const run = {
    info: { runId: 'r1', experimentId: '1', status: 'FINISHED', lifecycleStage: 'active' },
    data: {
      params: { 'dataset.name': 'toy', model: 'efm', lambda: '0.5', epsilonD: '1', seed: '3' },
      tags: {},
      metrics: [m('eval.clean.ndcg5', 0.4), m('eval.clean.fns', 0.6), m('train.final_loss', 1), m('eval.fgsm.ndcg5', 0.1, 100)],
    },
  } as unknown as Run;
  const histories = new Map<string, Metric[]>([
    // step 0 of a curve is the clean copy; step 25 was written twice (a retry): the newest wins.
    ['eval.fgsm.ndcg5', [m('eval.fgsm.ndcg5', 0.4, 0), m('eval.fgsm.ndcg5', 0.3, 25, 1), m('eval.fgsm.ndcg5', 0.35, 25, 2), m('eval.fgsm.ndcg5', 0.1, 100)]],
    ['eval.fgsm.epsilon', [m('eval.fgsm.epsilon', 0, 0), m('eval.fgsm.epsilon', 0.254, 25), m('eval.fgsm.epsilon', 1, 100)]],
    ['eval.random.fns', [m('eval.random.fns', 0.6, 0), m('eval.random.fns', 0.55, 50)]],
  ]);

  it('params, clean metrics, curves with exact ε_A', () => {
    const obs = observationFromRun(run, histories);
    expect(obs).toMatchObject({ runId: 'r1', dataset: 'toy', model: 'efm', lambda: 0.5, epsilonD: 1, seed: 3 });
    expect(obs.evaluations).toEqual([
      { attack: 'clean', epsilonA: 0, metrics: { ndcg5: 0.4, fns: 0.6 } },
      { attack: 'fgsm', epsilonA: 0.254, metrics: { ndcg5: 0.35 } },
      { attack: 'fgsm', epsilonA: 1, metrics: { ndcg5: 0.1 } },
      // no eval.random.epsilon history: ε_A = step / 100
      { attack: 'random', epsilonA: 0.5, metrics: { fns: 0.55 } },
    ]);
  });

  it('a run without the layout is a typed error naming the run', () => {
    const bad = { ...run, data: { ...run.data, params: { ...run.data.params, lambda: 'x' } } } as Run;
    expect(() => observationFromRun(bad, histories)).toThrow(/cell run r1: param lambda is "x"/);
    const empty = { ...run, data: { ...run.data, metrics: [] } } as Run;
    expect(() => observationFromRun(empty, histories)).toThrow(/no eval.clean.ndcg5/);
  });
});

describe('table outputs', () => {
  const table = buildTable({ sweepId: 'toy-1234abcd', study: 'tests', cells: fixtureCells({ models: ['cer', 'efm'] }) });

  it('the JSON table matches its schema', () => {
    expect(AggregateTableSchema.parse(JSON.parse(JSON.stringify(table)))).toEqual(table);
    expect(table.cells).toBe(18);
    expect(table.comparisons.length).toBeGreaterThan(0);
  });

  it('CSV: one row per group, three columns per metric, empty SD when n = 1', () => {
    const lines = tableToCsv(table).trimEnd().split('\n');
    const header = lines[0].split(',');
    expect(header.slice(0, 8)).toEqual(['dataset', 'model', 'defense', 'lambda', 'epsilon_d', 'attack', 'epsilon_a', 'seeds']);
    expect(header.slice(8, 11)).toEqual(['ndcg5_mean', 'ndcg5_sd', 'ndcg5_n']);
    expect(lines).toHaveLength(1 + table.groups.length);
    const row = lines[1].split(',');
    expect(row.slice(0, 8)).toEqual(['toy', 'cer', 'vanilla', '0', '0', 'clean', '0', '0 1 2']);
    expect(Number(row[8])).toBeCloseTo(0.31, 12);
    expect(Number(row[9])).toBeCloseTo(0.01, 12);
    expect(row[10]).toBe('3');

    const single = tableToCsv(buildTable({ sweepId: 's', study: 't', cells: fixtureCells({ seeds: [0] }) })).split('\n')[1].split(',');
    expect(single.slice(8, 11)).toEqual(['0.3', '', '1']);
  });

  it('parent-run metrics: readable keys, step = round(100·ε_A), curves start at clean', () => {
    const metrics = parentRunMetrics(table);
    const at = (key: string, step: number) => metrics.filter((x) => x.key === key && x.step === step).map((x) => x.value);
    expect(at('toy/cer/vanilla/eval.clean.ndcg5.mean', 0)[0]).toBeCloseTo(0.31, 12);
    expect(at('toy/cer/vanilla/eval.fgsm.ndcg5.mean', 0)[0]).toBeCloseTo(0.31, 12);
    expect(at('toy/cer/vanilla/eval.fgsm.ndcg5.mean', 100)[0]).toBeCloseTo(0.11, 12);
    expect(at('toy/cer/l0.5_e0.5/eval.fgsm.ndcg5.sd', 50)[0]).toBeCloseTo(0.01, 12);
    expect(at('toy/efm/l0.5_e1/eval.random.n', 100)).toEqual([3]);
    // one point per (key, step)
    const ids = metrics.map((x) => `${x.key}@${x.step}`);
    expect(new Set(ids).size).toBe(ids.length);
    // few keys: 2 models × 3 defenses × (clean + 2 attacks) × a dozen metrics × 2, not one per ε_A
    // (the comparisons' keys, test/report/comparisons.test.ts, aside)
    expect(new Set(metrics.map((x) => x.key).filter((k) => k.includes('/eval.'))).size).toBeLessThan(2 * 3 * 3 * 30);
  });

  it('re-aggregation logs only points whose value changed', () => {
    expect(changedMetrics(table, table)).toEqual([]);
    const cells = fixtureCells({ models: ['cer', 'efm'] });
    cells[0].evaluations[0].metrics.ndcg5 += 0.03; // cer vanilla seed 0, clean
    const changed = changedMetrics(table, buildTable({ sweepId: 'toy-1234abcd', study: 'tests', cells }));
    expect(changed.length).toBeGreaterThan(0);
    // the aggregates of that group, and comparisons that involve it (all of model cer)
    expect(changed.filter((x) => x.key.includes('/eval.')).every((x) => x.key.startsWith('toy/cer/vanilla/'))).toBe(true);
    expect(changed.every((x) => x.key.startsWith('toy/cer/'))).toBe(true);
    expect(changed.some((x) => x.key === 'toy/cer/l0.5_e1/vs_vanilla.clean.ndcg5.diff')).toBe(true);
    expect(changedMetrics(null, table)).toHaveLength(parentRunMetrics(table).length);
  });

  it('terminal table: rows dataset × model × defense, clean and attacked columns', () => {
    const text = terminalTable(table);
    const lines = text.split('\n');
    expect(text).toContain('FGSM ε_A = 1');
    const row = lines.find((l) => l.startsWith('toy') && l.includes('cer') && l.includes('vanilla'));
    expect(row).toBeDefined();
    // clean NDCG@5, F1, F_NS, then FGSM ε_A 1 NDCG@5 …
    expect(row).toMatch(/0\.310±0\.010 .*│ 0\.110±0\.010/);
    expect(lines.filter((l) => l.startsWith('toy '))).toHaveLength(6);
    expect(terminalTable(table, { attack: 'random', epsilonA: 0.5 })).toContain('random noise ε_A = 0.5');
    expect(() => terminalTable(table, { epsilonA: 0.3 })).toThrow(/not evaluated at ε_A = 0.3/);
  });
});
