/**
 * The paired comparisons of a sweep (report/comparisons.ts) from hand-built observations, and
 * how every output carries them: the table's JSON (and older tables without them), the terminal
 * section, comparisons.csv, the HTML report and the parent run's metrics.
 */
import { describe, expect, it } from 'vitest';
import type { CellObservation } from '../../report/aggregate.ts';
import { buildComparisons, comparisonLabel } from '../../report/comparisons.ts';
import { COMPARISON_CSV_HEADER, comparisonsToCsv } from '../../report/csv.ts';
import { tableFiles } from '../../report/files.ts';
import { formatCi, formatDiff, formatP, formatVerdict } from '../../report/format.ts';
import { reportHtml } from '../../report/html.ts';
import { pairedComparison } from '../../report/paired.ts';
import { changedMetrics, comparisonMetrics, parentRunMetrics } from '../../report/parent-metrics.ts';
import { previousTable } from '../../report/publish.ts';
import { AggregateTableSchema, type AggregateTable, type Comparison } from '../../report/schema.ts';
import { buildTable } from '../../report/table.ts';
import { comparisonsText, terminalTable } from '../../report/terminal.ts';
import { keyProblem, planLogBatch, type Tracker } from '../../tracking/index.ts';
import { fixtureCells } from './fixtures.ts';

type Evals = Record<'clean' | 'fgsm' | 'random', Record<string, number>>;

/** One cell: clean, FGSM and random at ε_A 0.5. */
function cell(model: string, lambda: number, epsilonD: number, seed: number, v: Evals): CellObservation {
  return {
    runId: `${model}-${lambda}-${epsilonD}-${seed}`,
    dataset: 'd',
    model,
    lambda,
    epsilonD,
    seed,
    evaluations: [
      { attack: 'clean', epsilonA: 0, metrics: v.clean },
      { attack: 'fgsm', epsilonA: 0.5, metrics: v.fgsm },
      { attack: 'random', epsilonA: 0.5, metrics: v.random },
    ],
  };
}

/**
 * Model `m`, seeds 1–4, vanilla and λ 0.5 ε_D 1, plus a defended seed 5 without its vanilla twin
 * (never paired). NDCG@5 by seed:
 *
 *               clean                     FGSM ε_A 0.5              random ε_A 0.5
 *   vanilla     0.25 0.27 0.26 0.29       0.10 0.13 0.10 0.15       0.22 0.25 0.23 0.27
 *   defended    0.30 0.35 0.28 0.33       0.20 0.26 0.20 0.22       0.28 0.33 0.27 0.31
 *
 * fns = 2·ndcg5 throughout; stability under FGSM only, and vanilla's random evaluation has none.
 * Model `solo`: one seed of each, so every comparison has n = 1.
 */
const NDCG: Record<'vanilla' | 'defended', Evals> = {
  vanilla: { clean: { 1: 0.25, 2: 0.27, 3: 0.26, 4: 0.29 }, fgsm: { 1: 0.1, 2: 0.13, 3: 0.1, 4: 0.15 }, random: { 1: 0.22, 2: 0.25, 3: 0.23, 4: 0.27 } },
  defended: { clean: { 1: 0.3, 2: 0.35, 3: 0.28, 4: 0.33 }, fgsm: { 1: 0.2, 2: 0.26, 3: 0.2, 4: 0.22 }, random: { 1: 0.28, 2: 0.33, 3: 0.27, 4: 0.31 } },
};
const STABILITY: Record<'vanilla' | 'defended', Record<number, number>> = { vanilla: { 1: 0.6, 2: 0.7, 3: 0.65, 4: 0.6 }, defended: { 1: 0.8, 2: 0.85, 3: 0.9, 4: 0.8 } };

function handCells(): CellObservation[] {
  const out: CellObservation[] = [];
  for (const [who, lambda, epsilonD] of [
    ['vanilla', 0, 0],
    ['defended', 0.5, 1],
  ] as const) {
    for (const seed of [1, 2, 3, 4]) {
      const n = (a: 'clean' | 'fgsm' | 'random') => NDCG[who][a][seed];
      out.push(
        cell('m', lambda, epsilonD, seed, {
          clean: { ndcg5: n('clean'), fns: 2 * n('clean') },
          fgsm: { ndcg5: n('fgsm'), fns: 2 * n('fgsm'), stability: STABILITY[who][seed] },
          random: who === 'vanilla' ? { ndcg5: n('random'), fns: 2 * n('random') } : { ndcg5: n('random'), fns: 2 * n('random'), stability: 0.95 },
        }),
      );
    }
  }
  out.push(cell('m', 0.5, 1, 5, { clean: { ndcg5: 0.9, fns: 0.9 }, fgsm: { ndcg5: 0.9, fns: 0.9, stability: 0.9 }, random: { ndcg5: 0.9, fns: 0.9 } }));
  out.push(cell('solo', 0, 0, 1, { clean: { ndcg5: 0.2, fns: 0.4 }, fgsm: { ndcg5: 0.1, fns: 0.2 }, random: { ndcg5: 0.15, fns: 0.3 } }));
  out.push(cell('solo', 0.5, 1, 1, { clean: { ndcg5: 0.3, fns: 0.5 }, fgsm: { ndcg5: 0.25, fns: 0.4 }, random: { ndcg5: 0.28, fns: 0.45 } }));
  return out;
}

const bySeed = (r: Record<number, number>) => new Map(Object.entries(r).map(([s, v]) => [Number(s), v]));
const zip = (a: Record<number, number>, b: Record<number, number>, f: (x: number, y: number) => number) => Object.fromEntries(Object.keys(a).map((s) => [s, f(a[Number(s)], b[Number(s)])]));

function find(cs: Comparison[], where: { kind: Comparison['kind']; model?: string; lambda?: number; metric: string; attack: string }): Comparison {
  const hits = cs.filter(
    (c) => c.kind === where.kind && c.model === (where.model ?? 'm') && c.a.lambda === (where.lambda ?? 0.5) && c.metric === where.metric && c.a.attack === where.attack,
  );
  expect(hits, JSON.stringify(where)).toHaveLength(1);
  return hits[0];
}

const table = buildTable({ sweepId: 'd-00000000', study: 'tests', cells: handCells() });
const comparisons = table.comparisons;

describe('buildComparisons', () => {
  it('defended vs vanilla, clean NDCG@5: the hand example of statistics.test.ts (seed 5 is not paired)', () => {
    const c = find(comparisons, { kind: 'defended_vs_vanilla', metric: 'ndcg5', attack: 'clean' });
    expect(c).toMatchObject({ dataset: 'd', model: 'm', a: { lambda: 0.5, epsilonD: 1, attack: 'clean', epsilonA: 0 }, b: { lambda: 0, epsilonD: 0, attack: 'clean', epsilonA: 0 } });
    expect(c.seeds).toEqual([1, 2, 3, 4]);
    expect(c.meanDiff).toBeCloseTo(0.0475, 14);
    expect(c.sd!).toBeCloseTo(0.025, 14);
    expect(c.t!).toBeCloseTo(3.8, 12);
    expect(c.ci95![0]).toBeCloseTo(0.0077194, 7);
    expect(c.p!).toBeCloseTo(0.0320046, 7);
    expect(c.supported).toBe(true);
  });

  it('defended vs vanilla under attack: the metric, the drop (clean − attacked per seed) and stability, paired by seed', () => {
    const fgsm = find(comparisons, { kind: 'defended_vs_vanilla', metric: 'ndcg5', attack: 'fgsm' });
    // d = 0.10, 0.13, 0.10, 0.07: mean 0.1
    expect(fgsm.meanDiff).toBeCloseTo(0.1, 14);
    expect(fgsm).toMatchObject({ ...pairedComparison(bySeed(NDCG.defended.fgsm), bySeed(NDCG.vanilla.fgsm)), meanDiff: fgsm.meanDiff });
    const drop = find(comparisons, { kind: 'defended_vs_vanilla', metric: 'ndcg5_drop', attack: 'fgsm' });
    // drops: defended 0.10 0.09 0.08 0.11, vanilla 0.15 0.14 0.16 0.14 → d = −0.05 −0.05 −0.08 −0.03, mean −0.0525
    expect(drop.meanDiff).toBeCloseTo(-0.0525, 14);
    const dropOf = (w: 'vanilla' | 'defended') => bySeed(zip(NDCG[w].clean, NDCG[w].fgsm, (c, a) => c - a));
    const want = pairedComparison(dropOf('defended'), dropOf('vanilla'));
    expect(drop.ci95![0]).toBeCloseTo(want.ci95![0], 14);
    expect(drop.p!).toBeCloseTo(want.p!, 14);
    const fnsDrop = find(comparisons, { kind: 'defended_vs_vanilla', metric: 'fns_drop', attack: 'fgsm' });
    expect(fnsDrop.meanDiff).toBeCloseTo(-0.105, 14); // fns = 2·ndcg5
    const stability = find(comparisons, { kind: 'defended_vs_vanilla', metric: 'stability', attack: 'fgsm' });
    // 0.2, 0.15, 0.25, 0.2: mean 0.2
    expect(stability.meanDiff).toBeCloseTo(0.2, 14);
    expect(stability.seeds).toEqual([1, 2, 3, 4]);
  });

  it('verdicts read the sign the paper claims: a defended drop must be lower, FGSM stability lower than random', () => {
    const drop = find(comparisons, { kind: 'defended_vs_vanilla', metric: 'ndcg5_drop', attack: 'fgsm' });
    expect(drop).toMatchObject({ claimed: 'lower', supported: true, contradicted: false });
    const clean = find(comparisons, { kind: 'defended_vs_vanilla', metric: 'ndcg5', attack: 'clean' });
    expect(clean).toMatchObject({ claimed: 'higher', supported: true, contradicted: false });
    const stability = find(comparisons, { kind: 'fgsm_vs_random', metric: 'stability', attack: 'fgsm' });
    expect(stability.meanDiff).toBeLessThan(0);
    expect(stability).toMatchObject({ claimed: 'lower', supported: true, contradicted: false });

    // A defense that explains better clean but loses more under attack: its F_NS drop contradicts.
    const seeds = [1, 2, 3];
    const against = seeds.flatMap((seed) => [
      cell('x', 0, 0, seed, { clean: { ndcg5: 0.3, fns: 0.5 + seed / 100 }, fgsm: { ndcg5: 0.3, fns: 0.48 + seed / 100 }, random: { ndcg5: 0.3, fns: 0.5 } }),
      cell('x', 0.5, 1, seed, { clean: { ndcg5: 0.3, fns: 0.6 + seed / 100 }, fgsm: { ndcg5: 0.3, fns: 0.4 + seed / 50 }, random: { ndcg5: 0.3, fns: 0.6 } }),
    ]);
    const cs = buildTable({ sweepId: 'd-00000000', study: 'tests', cells: against }).comparisons;
    const fnsDrop = find(cs, { kind: 'defended_vs_vanilla', model: 'x', metric: 'fns_drop', attack: 'fgsm' });
    // drops: defended 0.19 0.18 0.17, vanilla 0.02 each: d = 0.17 0.16 0.15
    expect(fnsDrop.meanDiff).toBeCloseTo(0.16, 12);
    expect(fnsDrop).toMatchObject({ claimed: 'lower', supported: false, contradicted: true });
    expect(formatVerdict(fnsDrop)).toBe('contradicted');
    const fnsClean = find(cs, { kind: 'defended_vs_vanilla', model: 'x', metric: 'fns', attack: 'clean' });
    expect(formatVerdict(fnsClean)).toBe('supported');
    // NDCG@5 is the same everywhere: the interval is [0, 0], neither side.
    expect(formatVerdict(find(cs, { kind: 'defended_vs_vanilla', model: 'x', metric: 'ndcg5', attack: 'fgsm' }))).toBe('inconclusive');
    expect(comparisonsToCsv({ ...table, comparisons: [fnsDrop] }).split('\n')[1]).toMatch(/,lower,false,true$/);
  });

  it('FGSM vs random: drop under FGSM − drop under random of the same seed, and stability only where both have it', () => {
    const drop = find(comparisons, { kind: 'fgsm_vs_random', lambda: 0, metric: 'ndcg5_drop', attack: 'fgsm' });
    expect(drop).toMatchObject({ a: { lambda: 0, epsilonD: 0, attack: 'fgsm', epsilonA: 0.5 }, b: { lambda: 0, epsilonD: 0, attack: 'random', epsilonA: 0.5 } });
    // vanilla: (clean − fgsm) − (clean − random) = random − fgsm = 0.12, 0.12, 0.13, 0.12
    expect(drop.meanDiff).toBeCloseTo(0.1225, 14);
    expect(drop.supported).toBe(true);
    const defended = comparisons.filter((c) => c.kind === 'fgsm_vs_random' && c.model === 'm' && c.a.lambda === 0.5);
    expect(defended.map((c) => c.metric)).toEqual(['ndcg5_drop', 'fns_drop', 'stability']);
    // defended seed 5 has both attacks (no vanilla twin needed here), but no random stability
    expect(defended.map((c) => c.n)).toEqual([5, 5, 4]);
    // vanilla's random evaluation has no stability: no such comparison for vanilla
    expect(comparisons.filter((c) => c.kind === 'fgsm_vs_random' && c.model === 'm' && c.a.lambda === 0).map((c) => c.metric)).toEqual(['ndcg5_drop', 'fns_drop']);
  });

  it('which metrics each kind compares, where present; n = 1 where only one seed pairs', () => {
    const dvv = comparisons.filter((c) => c.kind === 'defended_vs_vanilla' && c.model === 'm');
    expect(dvv.map((c) => `${c.a.attack}:${c.metric}`)).toEqual([
      'clean:ndcg5',
      'clean:fns',
      'fgsm:ndcg5',
      'fgsm:fns',
      'fgsm:stability',
      'fgsm:ndcg5_drop',
      'fgsm:fns_drop',
      // random: vanilla lacks stability
      'random:ndcg5',
      'random:fns',
      'random:ndcg5_drop',
      'random:fns_drop',
    ]);
    const solo = comparisons.filter((c) => c.model === 'solo');
    expect(solo.length).toBeGreaterThan(0);
    expect(solo.every((c) => c.n === 1 && c.ci95 === null && c.p === null && !c.supported)).toBe(true);
  });

  it('sorted and deterministic: dataset, model, kind, side a, metric; the cells’ order does not matter', () => {
    const reversed = buildComparisons([...handCells()].reverse());
    expect(reversed).toEqual(comparisons);
    const keys = comparisons.map((c) => `${c.model}|${c.kind}`);
    expect(keys.indexOf('solo|defended_vs_vanilla')).toBeGreaterThan(keys.lastIndexOf('m|fgsm_vs_random'));
  });

  it('a seed twice in one grid point is refused', () => {
    const cells = handCells();
    expect(() => buildComparisons([...cells, { ...cells[0], runId: 'again' }])).toThrow(/seed 1 .* appears twice/);
  });

  it('the fixture sweep: one comparison per defense × evaluation × metric present', () => {
    const cs = buildComparisons(fixtureCells());
    // 2 defenses × (clean 2 + 4 attacked evaluations × 5) + 3 defenses × 2 ε_A × 3
    expect(cs.filter((c) => c.kind === 'defended_vs_vanilla')).toHaveLength(2 * (2 + 4 * 5));
    expect(cs.filter((c) => c.kind === 'fgsm_vs_random')).toHaveLength(3 * 2 * 3);
  });
});

describe('the table carries the comparisons', () => {
  it('JSON round trip through the schema', () => {
    expect(AggregateTableSchema.parse(JSON.parse(JSON.stringify(table)))).toEqual(table);
  });

  it('an older table without comparisons still parses (as []), also through previousTable', async () => {
    const { comparisons: _, ...old } = table;
    void _;
    expect(AggregateTableSchema.parse(JSON.parse(JSON.stringify(old))).comparisons).toEqual([]);
    const tracker = { downloadArtifact: async () => Buffer.from(JSON.stringify(old)) } as unknown as Tracker;
    const prev = await previousTable(tracker, 'run');
    expect(prev).not.toBeNull();
    expect(prev!.groups).toEqual(table.groups);
    // then only the comparisons' points are new
    const changed = changedMetrics(prev, table);
    expect(changed).toEqual(comparisonMetrics(table.comparisons));
  });
});

describe('outputs', () => {
  it('terminal: a comparisons section after the table, the shown attack and ε_A only', () => {
    const text = terminalTable(table);
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('comparisons ('));
    expect(start).toBeGreaterThan(lines.findIndex((l) => l.startsWith('d ')));
    expect(lines[start + 1]).toBe('dataset d, model m');
    expect(text).toMatch(/\n {2}NDCG@5 +λ=0\.5 ε_D=1 vs vanilla · clean +\+0\.04[78] +\[\+0\.008, \+0\.087\] +p=0\.032 +n=4 +supported\n/);
    expect(text).toMatch(/\n {2}NDCG@5 drop +fgsm vs random · vanilla ε_A=0\.5 +\+0\.12[23] .* n=4 +supported\n/);
    expect(text).toMatch(/\n {2}NDCG@5 +λ=0\.5 ε_D=1 vs vanilla · clean +\+0\.100 +— +p=— +n=1 +one seed\n/);
    // FGSM columns: no defended-vs-vanilla line under random
    expect(text).not.toMatch(/vs vanilla · random/);
    expect(terminalTable(table, { attack: 'random' })).toMatch(/vs vanilla · random ε_A=0\.5/);
    expect(terminalTable(table, { comparisons: false })).not.toContain('comparisons (');
    // every comparison, one line each
    expect(comparisonsText(table).split('\n').filter((l) => l.startsWith('  '))).toHaveLength(comparisons.length);
  });

  it('number formats: signed, small differences never read as zero, p below 0.001', () => {
    expect([0.12, -0.031, 0, 2.1e-4, -0.0004999].map((x) => formatDiff(x))).toEqual(['+0.120', '-0.031', '+0.000', '+2.1e-4', '-5.0e-4']);
    expect(formatCi([0.05, 0.19])).toBe('[+0.050, +0.190]');
    expect(formatCi(null)).toBe('—');
    expect([0.0042, 0.0004, 1, null].map(formatP)).toEqual(['p=0.004', 'p<0.001', 'p=1.000', 'p=—']);
  });

  it('comparisons.csv: one row per comparison, sides spelled out, empty cells for null statistics', () => {
    const lines = comparisonsToCsv(table).trimEnd().split('\n');
    expect(lines[0].split(',')).toEqual(COMPARISON_CSV_HEADER);
    expect(lines).toHaveLength(1 + comparisons.length);
    const col = (row: string[], name: string) => row[COMPARISON_CSV_HEADER.indexOf(name)];
    const first = lines[1].split(',');
    expect(first.slice(0, 5)).toEqual(['defended_vs_vanilla', 'd', 'm', 'ndcg5', 'λ=0.5 ε_D=1 vs vanilla · clean']);
    expect(col(first, 'a_defense')).toBe('λ=0.5 ε_D=1');
    expect(col(first, 'b_defense')).toBe('vanilla');
    expect(col(first, 'seeds')).toBe('1 2 3 4');
    expect(Number(col(first, 'mean_diff'))).toBeCloseTo(0.0475, 14);
    expect(Number(col(first, 'ci95_lo'))).toBeCloseTo(0.0077194, 7);
    expect(Number(col(first, 'p'))).toBeCloseTo(0.0320046, 7);
    expect(col(first, 'supported')).toBe('true');
    const solo = lines.find((l) => l.split(',')[2] === 'solo')!.split(',');
    expect(['sd', 'ci95_lo', 'ci95_hi', 't', 'df', 'p'].map((n) => col(solo, n))).toEqual(['', '', '', '', '', '']);
    expect(col(solo, 'supported')).toBe('false');
    // a file next to aggregates.csv
    expect(tableFiles(table).map((f) => f.path)).toEqual(['aggregates.json', 'aggregates.csv', 'comparisons.csv']);
  });

  it('HTML: a table per dataset and kind, a row per comparison, supported rows marked', () => {
    const html = reportHtml(table, []);
    expect(html.match(/<table class="comparisons"/g)).toHaveLength(2);
    const section = html.slice(html.indexOf('<h2>Paired comparisons</h2>'));
    expect(html).toContain('data-kind="defended_vs_vanilla"');
    expect(html).toContain('data-kind="fgsm_vs_random"');
    const rows = section.match(/<tr(?: class="supported")?><th>(m|solo)<\/th>/g)!;
    expect(rows).toHaveLength(comparisons.length);
    expect(section.match(/<tr class="supported">/g)).toHaveLength(comparisons.filter((c) => c.supported).length);
    expect(html).toContain(`<th>${comparisonLabel(comparisons[0])}</th><td>${formatDiff(comparisons[0].meanDiff)}</td><td>[+0.008, +0.087]</td><td>0.032</td><td>4</td><td>supported</td>`);
    expect(html).toContain('href="comparisons.csv"');
  });

  it('parent-run metrics: five valid keys per comparison, step = round(100·ε_A), attack curves start at clean', () => {
    const metrics = parentRunMetrics(table);
    for (const m of metrics) expect(keyProblem(m.key), m.key).toBeUndefined();
    const ids = metrics.map((x) => `${x.key}@${x.step}`);
    expect(new Set(ids).size).toBe(ids.length);
    const at = (key: string, step: number) => metrics.filter((x) => x.key === key && x.step === step).map((x) => x.value);
    expect(at('d/m/l0.5_e1/vs_vanilla.clean.ndcg5.diff', 0)[0]).toBeCloseTo(0.0475, 14);
    expect(at('d/m/l0.5_e1/vs_vanilla.clean.ndcg5.ci_lo', 0)[0]).toBeCloseTo(0.0077194, 7);
    expect(at('d/m/l0.5_e1/vs_vanilla.clean.ndcg5.ci_hi', 0)[0]).toBeCloseTo(0.0872806, 7);
    expect(at('d/m/l0.5_e1/vs_vanilla.clean.ndcg5.p', 0)[0]).toBeCloseTo(0.0320046, 7);
    expect(at('d/m/l0.5_e1/vs_vanilla.clean.ndcg5.supported', 0)).toEqual([1]);
    expect(at('d/m/l0.5_e1/vs_vanilla.fgsm.ndcg5.diff', 0)[0]).toBeCloseTo(0.0475, 14); // the clean start
    expect(at('d/m/l0.5_e1/vs_vanilla.fgsm.ndcg5.diff', 50)[0]).toBeCloseTo(0.1, 14);
    expect(at('d/m/l0.5_e1/vs_vanilla.fgsm.ndcg5_drop.diff', 50)[0]).toBeCloseTo(-0.0525, 14);
    expect(at('d/m/vanilla/fgsm_vs_random.ndcg5_drop.diff', 50)[0]).toBeCloseTo(0.1225, 14);
    // one seed: the difference and the verdict only
    expect(at('d/solo/l0.5_e1/vs_vanilla.clean.ndcg5.diff', 0)[0]).toBeCloseTo(0.1, 14);
    expect(at('d/solo/l0.5_e1/vs_vanilla.clean.ndcg5.supported', 0)).toEqual([0]);
    expect(metrics.some((x) => x.key.startsWith('d/solo/') && /\.(ci_lo|ci_hi|p)$/.test(x.key))).toBe(false);
  });

  it('a large sweep’s points go to MLflow in batches of at most 1000 metrics', () => {
    const cells = fixtureCells({
      models: ['cer', 'efm'],
      defenses: [0, 0.1, 0.5, 1].flatMap((lambda) => (lambda === 0 ? [{ lambda, epsilonD: 0 }] : [0.25, 0.5, 1].map((epsilonD) => ({ lambda, epsilonD })))),
      epsilonsA: [0.1, 0.25, 0.5, 1],
    });
    const big: AggregateTable = buildTable({ sweepId: 's', study: 't', cells });
    const metrics = parentRunMetrics(big);
    expect(comparisonMetrics(big.comparisons).length).toBeGreaterThan(1000);
    const plan = planLogBatch('run', { metrics }, { timestamp: 1 });
    expect(plan.requests.length).toBeGreaterThan(1);
    expect(plan.requests.every((r) => r.metrics.length <= 1000)).toBe(true);
    expect(plan.requests.reduce((s, r) => s + r.metrics.length, 0)).toBe(metrics.length);
  });
});
