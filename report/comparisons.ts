/**
 * The paired comparisons of a sweep, pure: cells → every claim the tables suggest, tested over
 * seeds (report/paired.ts). Cells pair by seed within one (dataset, model, ε_A) grid point:
 *
 *   defended_vs_vanilla  for each (dataset, model, λ > 0, ε_D) and each evaluation (clean, every
 *                        attack at every ε_A): defended − vanilla (λ = 0) of the same seed, for
 *                        DEFENSE_METRICS (ndcg5, fns; under attack also stability and the drops)
 *   fgsm_vs_random       for each (dataset, model, λ, ε_D, ε_A) with both attacks: FGSM − random
 *                        of the same seed, for ATTACK_METRICS (the drops, stability)
 *
 * A metric is compared where at least one seed has it on both sides (stability is absent on
 * clean evaluations, the drops too). Sorted: dataset, model, kind, then λ, ε_D, attack, ε_A of
 * side a (the tables' row order), then the metric in the lists' order.
 */
import { compareGroupKeys, defenseLabel, evaluationKey, groupId, withDrops, type CellObservation } from './aggregate.ts';
import { ReportError } from './errors.ts';
import { pairedComparison } from './paired.ts';
import { ComparisonKindSchema, type Comparison, type ComparisonSide, type GroupKey } from './schema.ts';

export const DEFENSE_METRICS = ['ndcg5', 'fns', 'stability', 'ndcg5_drop', 'fns_drop'] as const;
export const ATTACK_METRICS = ['ndcg5_drop', 'fns_drop', 'stability'] as const;

/**
 * What the paper claims, as the sign of a − b: a defended model ranks and explains at least as
 * well (higher NDCG@5, F_NS, stability) and loses less under attack (lower drops); FGSM hurts
 * more than random noise of the same budget (higher drops, lower stability).
 */
export const CLAIMED: Record<Comparison['kind'], Record<string, 'higher' | 'lower'>> = {
  defended_vs_vanilla: { ndcg5: 'higher', fns: 'higher', stability: 'higher', ndcg5_drop: 'lower', fns_drop: 'lower' },
  fgsm_vs_random: { ndcg5_drop: 'higher', fns_drop: 'higher', stability: 'lower' },
};
/** The attack pairs compared: a, then the baseline b. */
export const ATTACK_PAIR = { a: 'fgsm', b: 'random' } as const;

interface Indexed {
  key: GroupKey;
  /** seed → metric → value (drops included). */
  bySeed: Map<number, Record<string, number>>;
}

function index(cells: ReadonlyArray<CellObservation>): Map<string, Indexed> {
  const out = new Map<string, Indexed>();
  for (const cell of cells) {
    for (const e of withDrops(cell)) {
      const key = evaluationKey(cell, e);
      const id = groupId(key);
      let g = out.get(id);
      if (!g) out.set(id, (g = { key, bySeed: new Map() }));
      if (g.bySeed.has(cell.seed)) throw new ReportError(`seed ${cell.seed} of ${id} appears twice (run ${cell.runId}); a grid point has two cell configs`);
      g.bySeed.set(cell.seed, e.metrics);
    }
  }
  return out;
}

function values(g: Indexed, metric: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const [seed, metrics] of g.bySeed) {
    const v = metrics[metric];
    if (v !== undefined && Number.isFinite(v)) out.set(seed, v);
  }
  return out;
}

const side = (k: GroupKey): ComparisonSide => ({ lambda: k.lambda, epsilonD: k.epsilonD, attack: k.attack, epsilonA: k.epsilonA });

function compare(kind: Comparison['kind'], a: Indexed, b: Indexed, metric: string): Comparison | undefined {
  const va = values(a, metric);
  const vb = values(b, metric);
  if (![...va.keys()].some((s) => vb.has(s))) return undefined;
  const { supported: _eitherSide, ...paired } = pairedComparison(va, vb);
  const claimed = CLAIMED[kind][metric];
  const [lo, hi] = paired.ci95 ?? [Number.NaN, Number.NaN];
  const above = lo > 0;
  const below = hi < 0;
  return {
    kind,
    dataset: a.key.dataset,
    model: a.key.model,
    metric,
    a: side(a.key),
    b: side(b.key),
    ...paired,
    claimed,
    supported: claimed === 'higher' ? above : below,
    contradicted: claimed === 'higher' ? below : above,
  };
}

const KIND_ORDER = Object.fromEntries(ComparisonKindSchema.options.map((k, i) => [k, i]));
const METRIC_ORDER = (kind: Comparison['kind']): readonly string[] => (kind === 'defended_vs_vanilla' ? DEFENSE_METRICS : ATTACK_METRICS);

/** Dataset, model, kind, then side a as the tables order rows (λ, ε_D, attack, ε_A), then the metric. */
export function compareComparisons(x: Comparison, y: Comparison): number {
  const key = (c: Comparison, s: ComparisonSide): GroupKey => ({ dataset: c.dataset, model: c.model, ...s });
  const byText = (p: string, q: string) => (p < q ? -1 : p > q ? 1 : 0);
  return (
    byText(x.dataset, y.dataset) ||
    byText(x.model, y.model) ||
    KIND_ORDER[x.kind] - KIND_ORDER[y.kind] ||
    compareGroupKeys(key(x, x.a), key(y, y.a)) ||
    METRIC_ORDER(x.kind).indexOf(x.metric) - METRIC_ORDER(y.kind).indexOf(y.metric) ||
    compareGroupKeys(key(x, x.b), key(y, y.b))
  );
}

export function buildComparisons(cells: ReadonlyArray<CellObservation>): Comparison[] {
  const groups = index(cells);
  const out: Comparison[] = [];
  for (const g of groups.values()) {
    if (g.key.lambda > 0) {
      const vanilla = groups.get(groupId({ ...g.key, lambda: 0, epsilonD: 0 }));
      if (vanilla) for (const m of DEFENSE_METRICS) push(out, compare('defended_vs_vanilla', g, vanilla, m));
    }
    if (g.key.attack === ATTACK_PAIR.a) {
      const baseline = groups.get(groupId({ ...g.key, attack: ATTACK_PAIR.b }));
      if (baseline) for (const m of ATTACK_METRICS) push(out, compare('fgsm_vs_random', g, baseline, m));
    }
  }
  return out.sort(compareComparisons);
}

function push(out: Comparison[], c: Comparison | undefined): void {
  if (c) out.push(c);
}

/** `clean`, `fgsm ε_A=0.5`. */
export function evaluationLabel(s: Pick<ComparisonSide, 'attack' | 'epsilonA'>): string {
  return s.attack === 'clean' ? 'clean' : `${s.attack} ε_A=${s.epsilonA}`;
}

/** `λ=0.5 ε_D=1 vs vanilla · fgsm ε_A=0.5`, `fgsm vs random · λ=0.5 ε_D=1 ε_A=0.5`: what a − b is. */
export function comparisonLabel(c: Pick<Comparison, 'kind' | 'a' | 'b'>): string {
  if (c.kind === 'defended_vs_vanilla') return `${defenseLabel(c.a.lambda, c.a.epsilonD)} vs ${defenseLabel(c.b.lambda, c.b.epsilonD)} · ${evaluationLabel(c.a)}`;
  return `${c.a.attack} vs ${c.b.attack} · ${defenseLabel(c.a.lambda, c.a.epsilonD)} ε_A=${c.a.epsilonA}`;
}

/** How to read a comparison, in one line. */
export const COMPARISON_NOTE =
  'a − b paired by seed: mean [95 % CI, Student t], two-sided paired t-test p, n seeds; supported = the CI excludes 0 on the side the paper claims, contradicted = on the other side, inconclusive = it contains 0';
