/**
 * Seed aggregation, pure: cells' evaluations → one group per (dataset, model, λ, ε_D, attack,
 * ε_A) with mean, sample SD and n of every metric over seeds (report/schema.ts).
 *
 * Besides the logged metrics, every attacked evaluation gets the drops the heatmaps show,
 * `<m>_drop` = clean − attacked of the same cell (so positive = the attack hurt), for m in
 * DROP_OF. Drops are computed per seed, then aggregated: their SD is the SD of the paired
 * differences, not a combination of the two SDs.
 */
import { ReportError } from './errors.ts';
import { ReportAttackSchema, type AggregateGroup, type GroupKey, type MetricStats, type ReportAttack } from './schema.ts';

/** One evaluation of one cell: clean (ε_A = 0) or an attack at ε_A, metric name → value. */
export interface CellEvaluationValues {
  attack: ReportAttack;
  epsilonA: number;
  metrics: Record<string, number>;
}

/** One finished cell as read back from its MLflow run. */
export interface CellObservation {
  runId: string;
  dataset: string;
  model: string;
  lambda: number;
  epsilonD: number;
  seed: number;
  evaluations: CellEvaluationValues[];
}

/** Metrics whose clean − attacked drop is derived (the heatmaps' quantities). */
export const DROP_OF = ['ndcg5', 'fns'] as const;
export const dropMetric = (m: string): string => `${m}_drop`;

/**
 * Mean, sample standard deviation (n − 1) and n. n = 1 gives sd null: one seed says nothing
 * about spread. Two passes (mean, then squared deviations) keep the SD exact for values that
 * are close together, where the one-pass formula cancels catastrophically.
 */
export function sampleStats(values: ReadonlyArray<number>): MetricStats {
  const n = values.length;
  if (n === 0) throw new ReportError('sampleStats needs at least one value');
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, sd: null, n };
  const ss = values.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

const ATTACK_ORDER: Record<string, number> = Object.fromEntries(ReportAttackSchema.options.map((a, i) => [a, i]));

/** Dataset, model, λ, ε_D, attack (clean, then the registry's order), ε_A: the tables' row order. */
export function compareGroupKeys(a: GroupKey, b: GroupKey): number {
  return (
    cmp(a.dataset, b.dataset) ||
    cmp(a.model, b.model) ||
    a.lambda - b.lambda ||
    a.epsilonD - b.epsilonD ||
    ATTACK_ORDER[a.attack] - ATTACK_ORDER[b.attack] ||
    a.epsilonA - b.epsilonA
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The cell's evaluations with the `<m>_drop` metrics added to attacked ones (needs a clean one). */
export function withDrops(cell: CellObservation): CellEvaluationValues[] {
  const clean = cell.evaluations.find((e) => e.attack === 'clean');
  return cell.evaluations.map((e) => {
    if (e.attack === 'clean' || !clean) return e;
    const metrics = { ...e.metrics };
    for (const m of DROP_OF) {
      const c = clean.metrics[m];
      const a = e.metrics[m];
      if (c !== undefined && a !== undefined) metrics[dropMetric(m)] = c - a;
    }
    return { ...e, metrics };
  });
}

/** A group's identity as a string (a Map key). */
export function groupId(k: GroupKey): string {
  return JSON.stringify([k.dataset, k.model, k.lambda, k.epsilonD, k.attack, k.epsilonA]);
}

/** The group an evaluation of a cell belongs to: vanilla at ε_D 0, clean at ε_A 0. */
export function evaluationKey(cell: CellObservation, e: CellEvaluationValues): GroupKey {
  return {
    dataset: cell.dataset,
    model: cell.model,
    lambda: cell.lambda,
    epsilonD: cell.lambda === 0 ? 0 : cell.epsilonD,
    attack: e.attack,
    epsilonA: e.attack === 'clean' ? 0 : e.epsilonA,
  };
}

/**
 * Aggregate cells over seeds. Each metric's stats use the seeds that have it. Two cells of
 * the same group and seed are an error (they would weigh one seed twice): the collector keeps
 * one run per cell key, so this means two different cell configs share a grid point.
 */
export function aggregateCells(cells: ReadonlyArray<CellObservation>): AggregateGroup[] {
  const groups = new Map<string, { key: GroupKey; runs: Map<number, string>; values: Map<string, number[]> }>();
  for (const cell of cells) {
    for (const e of withDrops(cell)) {
      const key = evaluationKey(cell, e);
      const id = groupId(key);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { key, runs: new Map(), values: new Map() }));
      const other = g.runs.get(cell.seed);
      if (other !== undefined) {
        throw new ReportError(`runs ${other} and ${cell.runId} are both seed ${cell.seed} of ${id}; a grid point has two cell configs`);
      }
      g.runs.set(cell.seed, cell.runId);
      for (const [name, value] of Object.entries(e.metrics)) {
        if (!Number.isFinite(value)) continue;
        let list = g.values.get(name);
        if (!list) g.values.set(name, (list = []));
        list.push(value);
      }
    }
  }
  return [...groups.values()]
    .map(({ key, runs, values }) => ({
      ...key,
      seeds: [...runs.keys()].sort((a, b) => a - b),
      metrics: Object.fromEntries([...values.entries()].sort(([a], [b]) => cmp(a, b)).map(([name, vs]) => [name, sampleStats(vs)])),
    }))
    .sort(compareGroupKeys);
}

/** `vanilla` for λ = 0, else `λ=0.5 ε_D=1`: how tables and legends name a defense. */
export function defenseLabel(lambda: number, epsilonD: number): string {
  return lambda === 0 ? 'vanilla' : `λ=${lambda} ε_D=${epsilonD}`;
}

/** The same, in MLflow key characters: `vanilla`, `l0.5_e1`. */
export function defenseSlug(lambda: number, epsilonD: number): string {
  return lambda === 0 ? 'vanilla' : `l${lambda}_e${epsilonD}`;
}
