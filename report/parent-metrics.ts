/**
 * The aggregates as metrics of the sweep's parent run. One key per (dataset, model, defense,
 * attack, metric, statistic), mirroring the cell runs' keys (tracking/result-metrics.ts) with a
 * group prefix and a `.mean` / `.sd` suffix, and the same step = round(100·ε_A):
 *
 *   <dataset>/<model>/<defense>/eval.clean.<m>.mean|sd     step 0
 *   <dataset>/<model>/<defense>/eval.<attack>.<m>.mean|sd  step round(100·ε_A); step 0 = clean
 *   <dataset>/<model>/<defense>/eval.<attack>.n            seeds per step
 *
 * defense = `vanilla` or `l<λ>_e<ε_D>`. MLflow's UI groups charts by the part before the first
 * `/`, so each dataset gets its own section, and a chart of `…/eval.fgsm.ndcg5.mean` against step
 * is the robustness curve. Only HEADLINE_METRICS go here (few keys); every metric is in the CSV
 * and JSON artifacts. An SD of n = 1 is not logged (MLflow has no null).
 *
 * The paired comparisons (report/comparisons.ts) under side a's prefix, six keys each:
 *
 *   <dataset>/<model>/<defense>/vs_vanilla.<attack>.<m>.<stat>   step round(100·ε_A); clean at 0,
 *                                                                every attack curve starting there
 *   <dataset>/<model>/<defense>/fgsm_vs_random.<m>.<stat>        step round(100·ε_A)
 *
 * stat = diff (mean a − b), ci_lo, ci_hi (the 95 % interval), p (paired t-test), supported and
 * contradicted (1 when the interval excludes 0 on the side the paper claims, resp. on the other
 * side, else 0); ci_lo, ci_hi and p are left out when null (one seed).
 */
import { defenseSlug } from './aggregate.ts';
import type { AggregateGroup, AggregateTable, Comparison } from './schema.ts';
import { HEADLINE_METRICS } from './table.ts';
import { epsilonStep, sanitizeKey, type MetricInput } from '../tracking/index.ts';

export function groupPrefix(g: Pick<AggregateGroup, 'dataset' | 'model' | 'lambda' | 'epsilonD'>): string {
  // One path segment each: a `/` inside a name would add a level.
  const segment = (x: string) => sanitizeKey(x.replace(/\//g, '_'));
  return `${segment(g.dataset)}/${segment(g.model)}/${defenseSlug(g.lambda, g.epsilonD)}`;
}

/** Metric points (without timestamps) for the parent run. */
export function parentRunMetrics(table: AggregateTable): MetricInput[] {
  const out: MetricInput[] = [];
  const cleanOf = new Map<string, AggregateGroup>();
  for (const g of table.groups) if (g.attack === 'clean') cleanOf.set(groupPrefix(g), g);
  const attacksOf = new Map<string, Set<string>>();
  for (const g of table.groups) {
    const prefix = groupPrefix(g);
    const step = g.attack === 'clean' ? 0 : epsilonStep(g.epsilonA);
    push(out, prefix, g.attack, g, step);
    if (g.attack !== 'clean') attacksOf.set(prefix, (attacksOf.get(prefix) ?? new Set()).add(g.attack));
  }
  // Each attack curve starts at the clean value (ε_A = 0), as on the cell runs.
  for (const [prefix, attacks] of attacksOf) {
    const clean = cleanOf.get(prefix);
    if (clean) for (const attack of attacks) push(out, prefix, attack, clean, 0);
  }
  out.push(...comparisonMetrics(table.comparisons));
  return out;
}

/** The comparisons' points (see the header). */
export function comparisonMetrics(comparisons: ReadonlyArray<Comparison>): MetricInput[] {
  const out: MetricInput[] = [];
  const cleanOf = new Map<string, Comparison[]>();
  const attacksOf = new Map<string, Set<string>>();
  for (const c of comparisons) {
    const prefix = groupPrefix({ dataset: c.dataset, model: c.model, ...c.a });
    if (c.kind === 'fgsm_vs_random') {
      pushComparison(out, `${prefix}/${c.a.attack}_vs_${c.b.attack}.${c.metric}`, c, epsilonStep(c.a.epsilonA));
      continue;
    }
    const base = `${prefix}/vs_${defenseSlug(c.b.lambda, c.b.epsilonD)}`;
    pushComparison(out, `${base}.${c.a.attack}.${c.metric}`, c, c.a.attack === 'clean' ? 0 : epsilonStep(c.a.epsilonA));
    if (c.a.attack === 'clean') cleanOf.set(base, [...(cleanOf.get(base) ?? []), c]);
    else attacksOf.set(base, (attacksOf.get(base) ?? new Set()).add(c.a.attack));
  }
  // Each attack curve starts at the clean comparison (ε_A = 0), as the aggregates' curves do.
  for (const [base, attacks] of attacksOf) {
    for (const attack of attacks) for (const c of cleanOf.get(base) ?? []) pushComparison(out, `${base}.${attack}.${c.metric}`, c, 0);
  }
  return out;
}

function pushComparison(out: MetricInput[], key: string, c: Comparison, step: number): void {
  out.push({ key: `${key}.diff`, value: c.meanDiff, step });
  if (c.ci95 !== null) {
    out.push({ key: `${key}.ci_lo`, value: c.ci95[0], step });
    out.push({ key: `${key}.ci_hi`, value: c.ci95[1], step });
  }
  if (c.p !== null) out.push({ key: `${key}.p`, value: c.p, step });
  out.push({ key: `${key}.supported`, value: c.supported ? 1 : 0, step });
  if (c.contradicted !== undefined) out.push({ key: `${key}.contradicted`, value: c.contradicted ? 1 : 0, step });
}

function push(out: MetricInput[], prefix: string, attack: string, g: AggregateGroup, step: number): void {
  if (attack !== 'clean') out.push({ key: `${prefix}/eval.${attack}.n`, value: g.seeds.length, step });
  for (const m of HEADLINE_METRICS) {
    const s = g.metrics[m];
    if (!s) continue;
    out.push({ key: `${prefix}/eval.${attack}.${m}.mean`, value: s.mean, step });
    if (s.sd !== null) out.push({ key: `${prefix}/eval.${attack}.${m}.sd`, value: s.sd, step });
  }
}

/**
 * The points of `next` that `previous` (the last logged table) does not already hold with the
 * same value: re-aggregating a sweep whose numbers did not change logs nothing, so the parent
 * run's metric histories stay one point per step unless a result actually changed.
 */
export function changedMetrics(previous: AggregateTable | null, next: AggregateTable): MetricInput[] {
  const fresh = parentRunMetrics(next);
  if (!previous) return fresh;
  const old = new Map(parentRunMetrics(previous).map((m) => [`${m.key}@${m.step}`, m.value]));
  return fresh.filter((m) => old.get(`${m.key}@${m.step}`) !== m.value);
}
