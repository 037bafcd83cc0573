/**
 * The seed paper's claims, tested on a finished claims sweep (configs/claims.yaml): reads the
 * cells from MLflow, pairs them by seed (report/comparisons.ts, report/paired.ts) and prints the
 * tables of bench/CLAIMS.md as Markdown, so that document's numbers can be regenerated.
 *
 *   npx tsx bench/claims/summary.ts configs/claims.yaml [more sweep files…] [--mlflow http://127.0.0.1:5000]
 *
 * Several sweep files: their cells are pooled (a cell run first by another sweep of the study
 * keeps that sweep's tag, so a sweep's own report leaves it out).
 */
import { parseArgs } from 'node:util';
import { authFromEnv, MlflowClient } from '../../tracking/index.ts';
import { loadSweepFile } from '../../sweep/load.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { collectSweep } from '../../report/collect.ts';
import { buildComparisons } from '../../report/comparisons.ts';
import { pairedComparison } from '../../report/paired.ts';
import { formatCi, formatDiff, formatVerdict } from '../../report/format.ts';
import { withDrops, type CellObservation } from '../../report/aggregate.ts';
import type { Comparison } from '../../report/schema.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { mlflow: { type: 'string', default: process.env.MLFLOW_TRACKING_URI ?? 'http://127.0.0.1:5000' } } });
const mlflow = new MlflowClient({ trackingUri: values.mlflow, auth: authFromEnv() });

const cells = new Map<string, CellObservation>();
for (const file of positionals) {
  const sweep = await loadSweepFile(file);
  const got = await collectSweep(mlflow, { sweepId: sweepId(sweep), study: sweep.study });
  for (const c of got.cells) cells.set(c.runId, c);
}
const all = [...cells.values()];
const comparisons = buildComparisons(all);
const models = [...new Set(all.map((c) => c.model))].sort();
const short = (c: Comparison | undefined) => (c ? `${formatDiff(c.meanDiff)} ${formatCi(c.ci95)} **${formatVerdict(c)}**` : '—');
const out: string[] = [];
const line = (s = '') => out.push(s);

line(`Cells: ${all.length} FINISHED (${models.map((m) => `${m} ${all.filter((c) => c.model === m).length}`).join(', ')}); seeds per grid point: ${seedCounts()}.`);
line();

function seedCounts(): string {
  const n = new Map<string, number>();
  for (const c of all) n.set(`${c.model} ${c.lambda} ${c.epsilonD}`, (n.get(`${c.model} ${c.lambda} ${c.epsilonD}`) ?? 0) + 1);
  const counts = [...new Set(n.values())].sort((a, b) => a - b);
  return counts.join('–');
}

function pick(where: Partial<{ kind: Comparison['kind']; model: string; metric: string; lambda: number; epsilonD: number; attack: string; epsilonA: number }>): Comparison | undefined {
  return comparisons.find(
    (c) =>
      (where.kind === undefined || c.kind === where.kind) &&
      (where.model === undefined || c.model === where.model) &&
      (where.metric === undefined || c.metric === where.metric) &&
      (where.lambda === undefined || c.a.lambda === where.lambda) &&
      (where.epsilonD === undefined || c.a.epsilonD === where.epsilonD) &&
      (where.attack === undefined || c.a.attack === where.attack) &&
      (where.epsilonA === undefined || c.a.epsilonA === where.epsilonA),
  );
}

const epsilonsA = [...new Set(comparisons.filter((c) => c.a.attack === 'fgsm').map((c) => c.a.epsilonA))].sort((a, b) => a - b);
const defenses = [...new Set(all.filter((c) => c.lambda > 0).map((c) => JSON.stringify([c.lambda, c.epsilonD])))].map((s) => JSON.parse(s) as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);

// ---------------------------------------------------------------- claim 1
line('### Claim 1: FGSM hurts more than random noise of the same budget (vanilla models)');
line();
line('FGSM − random, paired by seed: the drops (clean − attacked) should be higher, stability lower.');
line();
line('| model | ε_A | NDCG@5 drop | F_NS drop | stability |');
line('|---|---|---|---|---|');
for (const model of models) {
  for (const e of epsilonsA) {
    const at = (metric: string) => pick({ kind: 'fgsm_vs_random', model, metric, lambda: 0, epsilonA: e });
    line(`| ${model} | ${e} | ${short(at('ndcg5_drop'))} | ${short(at('fns_drop'))} | ${short(at('stability'))} |`);
  }
}
line();

// ---------------------------------------------------------------- claim 2
line('### Claim 2: adversarial training makes explanations robust under FGSM');
line();
line('Defended − vanilla under FGSM, paired by seed: F_NS and stability should be higher, the F_NS drop lower.');
for (const model of models) {
  for (const metric of ['fns', 'fns_drop', 'stability']) {
    line();
    line(`${model}, ${metric === 'fns' ? 'F_NS under FGSM' : metric === 'fns_drop' ? 'F_NS drop (clean − FGSM)' : 'explanation stability under FGSM'}:`);
    line();
    line(`| λ | ε_D | ${epsilonsA.map((e) => `ε_A ${e}`).join(' | ')} |`);
    line(`|---|---|${epsilonsA.map(() => '---').join('|')}|`);
    for (const [lambda, epsilonD] of defenses) {
      line(`| ${lambda} | ${epsilonD} | ${epsilonsA.map((e) => short(pick({ kind: 'defended_vs_vanilla', model, metric, lambda, epsilonD, attack: 'fgsm', epsilonA: e }))).join(' | ')} |`);
    }
  }
}
line();
line('Verdict counts over every (λ, ε_D, ε_A) under FGSM:');
line();
line('| model | metric | supported | contradicted | inconclusive |');
line('|---|---|---|---|---|');
for (const model of models) {
  for (const metric of ['fns', 'fns_drop', 'stability', 'ndcg5', 'ndcg5_drop']) {
    const cs = comparisons.filter((c) => c.kind === 'defended_vs_vanilla' && c.model === model && c.metric === metric && c.a.attack === 'fgsm');
    line(`| ${model} | ${metric} | ${cs.filter((c) => c.supported).length} | ${cs.filter((c) => c.contradicted).length} | ${cs.filter((c) => !c.supported && !c.contradicted).length} |`);
  }
}
line();

// ---------------------------------------------------------------- claim 3
line('### Claim 3: the defense keeps recommendation quality (clean NDCG@5)');
line();
line('Defended − vanilla, clean: "contradicted" would mean the defense costs ranking quality.');
line();
line(`| λ | ε_D | ${models.join(' | ')} |`);
line(`|---|---|${models.map(() => '---').join('|')}|`);
for (const [lambda, epsilonD] of defenses) {
  line(`| ${lambda} | ${epsilonD} | ${models.map((model) => short(pick({ kind: 'defended_vs_vanilla', model, metric: 'ndcg5', lambda, epsilonD, attack: 'clean' }))).join(' | ')} |`);
}
line();

// ---------------------------------------------------------------- claim 4
line('### Claim 4: λ = 0.5 balances clean quality and robustness best');
line();
line('λ = 0.5 − λ = 0.25 and λ = 0.5 − λ = 0.75 at the same ε_D, paired by seed (F_NS under FGSM, and clean NDCG@5): positive favours λ = 0.5.');
line();
const valuesOf = (model: string, lambda: number, epsilonD: number, attack: string, epsilonA: number, metric: string) => {
  const m = new Map<number, number>();
  for (const c of all.filter((x) => x.model === model && x.lambda === lambda && x.epsilonD === epsilonD)) {
    const e = withDrops(c).find((x) => x.attack === attack && x.epsilonA === epsilonA);
    const v = e?.metrics[metric];
    if (v !== undefined && Number.isFinite(v)) m.set(c.seed, v);
  }
  return m;
};
const versus = (model: string, other: number, epsilonD: number, attack: string, epsilonA: number, metric: string) => {
  const a = valuesOf(model, 0.5, epsilonD, attack, epsilonA, metric);
  const b = valuesOf(model, other, epsilonD, attack, epsilonA, metric);
  if (![...a.keys()].some((s) => b.has(s))) return '—';
  const p = pairedComparison(a, b);
  const verdict = p.n < 2 ? 'one seed' : p.ci95 && p.ci95[0] > 0 ? 'λ=0.5 better' : p.ci95 && p.ci95[1] < 0 ? `λ=${other} better` : 'inconclusive';
  return `${formatDiff(p.meanDiff)} ${formatCi(p.ci95)} **${verdict}**`;
};
const epsilonsD = [...new Set(defenses.map(([, d]) => d))].sort((a, b) => a - b);
const worst = epsilonsA[epsilonsA.length - 1];
line(`| model | ε_D | clean NDCG@5 vs 0.25 | clean NDCG@5 vs 0.75 | F_NS at FGSM ε_A ${worst} vs 0.25 | F_NS at FGSM ε_A ${worst} vs 0.75 |`);
line('|---|---|---|---|---|---|');
for (const model of models) {
  for (const d of epsilonsD) {
    line(`| ${model} | ${d} | ${versus(model, 0.25, d, 'clean', 0, 'ndcg5')} | ${versus(model, 0.75, d, 'clean', 0, 'ndcg5')} | ${versus(model, 0.25, d, 'fgsm', worst, 'fns')} | ${versus(model, 0.75, d, 'fgsm', worst, 'fns')} |`);
  }
}
line();

// ---------------------------------------------------------------- means, for reading the rest
line('### Means over seeds (F_NS clean and under FGSM; NDCG@5 clean)');
line();
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN);
line(`| model | λ | ε_D | NDCG@5 clean | F_NS clean | ${epsilonsA.map((e) => `F_NS FGSM ${e}`).join(' | ')} | ${epsilonsA.map((e) => `F_NS random ${e}`).join(' | ')} |`);
line(`|---|---|---|---|---|${epsilonsA.map(() => '---').join('|')}|${epsilonsA.map(() => '---').join('|')}|`);
for (const model of models) {
  for (const [lambda, epsilonD] of [[0, 0] as [number, number], ...defenses]) {
    const of = (attack: string, e: number, metric: string) => mean([...valuesOf(model, lambda, epsilonD, attack, e, metric).values()]).toFixed(3);
    line(
      `| ${model} | ${lambda} | ${lambda === 0 ? '—' : epsilonD} | ${of('clean', 0, 'ndcg5')} | ${of('clean', 0, 'fns')} | ${epsilonsA.map((e) => of('fgsm', e, 'fns')).join(' | ')} | ${epsilonsA.map((e) => of('random', e, 'fns')).join(' | ')} |`,
    );
  }
}
process.stdout.write(out.join('\n') + '\n');
