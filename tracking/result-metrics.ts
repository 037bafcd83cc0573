/**
 * The metric key scheme of a cell run. Few keys, the same on every run, so MLflow's compare
 * views (parallel coordinates, scatter, charts) line runs up:
 *
 *   train.loss                 step = epoch (1-based), one point per epoch — the training curve
 *   train.final_loss, train.seconds, train.epochs                              step 0
 *   data.users, data.items, data.features, data.train_pairs, data.test_users   step 0
 *   eval.clean.<m>             the clean evaluation (attack none, ε_A = 0), step 0
 *   eval.fgsm.<m>              the FGSM robustness curve: step = round(ε_A · 100)
 *   eval.random.<m>            the random-noise control curve: step = round(ε_A · 100)
 *   eval.<attack>.epsilon      the exact ε_A of each step (so the rounding is recoverable)
 *
 * Each attack curve also gets the clean values at step 0 (ε_A = 0 is no attack), so a chart of
 * `eval.fgsm.ndcg5` against step starts at the clean value. MLflow's run table shows a metric's
 * latest value (highest step): `eval.fgsm.ndcg5` there is the value at the strongest ε_A.
 *
 * <m> ∈ ndcg5, explained, pairs, explained_frac (explained / pairs), explanation_size,
 * complexity, user_side_pairs, precision, recall, f1, pn, ps, fns, stability, stability_pairs,
 * seconds. A null stability is left out. Two rows that land on the same (key, step) — e.g.
 * ε_A 0.254 and 0.25 — are an error, never a silent overwrite.
 */
import type { AttackName } from '../recsys/attacks/index.ts';
import type { CellResult, EvaluationRow } from '../recsys/cell/result.ts';
import type { MetricInput } from './batch.ts';
import { InvalidValueError } from './errors.ts';

export const TRAIN_LOSS_KEY = 'train.loss';

/** Metric names of an evaluation row, in logging order. */
export const EVAL_METRIC_NAMES = [
  'ndcg5',
  'explained',
  'pairs',
  'explained_frac',
  'explanation_size',
  'complexity',
  'user_side_pairs',
  'precision',
  'recall',
  'f1',
  'pn',
  'ps',
  'fns',
  'stability',
  'stability_pairs',
  'seconds',
] as const;
export type EvalMetricName = (typeof EVAL_METRIC_NAMES)[number];

export function evalMetricKey(attack: 'clean' | AttackName, name: EvalMetricName | 'epsilon'): string {
  return `eval.${attack}.${name}`;
}

/** The step of an attack strength: round(ε_A · 100). */
export function epsilonStep(epsilon: number): number {
  if (!Number.isFinite(epsilon) || epsilon < 0) throw new InvalidValueError('metric', 'eval.*.epsilon', `ε_A must be finite and ≥ 0, got ${epsilon}`);
  return Math.round(epsilon * 100);
}

/** `train.loss` points; `losses[i]` is epoch `firstEpoch + i`. Non-finite losses are passed on (the splitter skips and tags them). */
export function trainingCurveMetrics(losses: ReadonlyArray<number>, opts: { firstEpoch?: number; timestamp?: number } = {}): MetricInput[] {
  const first = opts.firstEpoch ?? 1;
  return losses.map((value, i) => ({ key: TRAIN_LOSS_KEY, value, step: first + i, timestamp: opts.timestamp }));
}

function rowValues(row: EvaluationRow): Array<[EvalMetricName, number]> {
  const values: Array<[EvalMetricName, number | null]> = [
    ['ndcg5', row.ndcg5],
    ['explained', row.explained],
    ['pairs', row.pairs],
    ['explained_frac', row.pairs > 0 ? row.explained / row.pairs : null],
    ['explanation_size', row.meanExplanationSize],
    ['complexity', row.meanComplexity],
    ['user_side_pairs', row.userSidePairs],
    ['precision', row.precision],
    ['recall', row.recall],
    ['f1', row.f1],
    ['pn', row.pn],
    ['ps', row.ps],
    ['fns', row.fns],
    ['stability', row.stability],
    ['stability_pairs', row.stabilityPairs],
    ['seconds', row.seconds],
  ];
  return values.filter((v): v is [EvalMetricName, number] => v[1] !== null);
}

/** All metrics of a cell result except the training curve (see `trainingCurveMetrics`). */
export function cellResultMetrics(result: CellResult, opts: { timestamp?: number } = {}): MetricInput[] {
  const ts = opts.timestamp;
  const header: Array<[string, number]> = [
    // A model with nothing to train (the overlap baseline) has no loss curve and no final loss.
    ...(result.train.losses.length > 0 ? [['train.final_loss', result.train.finalLoss] as [string, number]] : []),
    ['train.seconds', result.train.seconds],
    ['train.epochs', result.train.epochs],
    ['data.users', result.dataset.users],
    ['data.items', result.dataset.items],
    ['data.features', result.dataset.features],
    ['data.train_pairs', result.dataset.trainPairs],
    ['data.test_users', result.dataset.testUsers],
  ];
  return [...header.map(([key, value]) => ({ key, value, step: 0, timestamp: ts })), ...evaluationMetrics(result.evaluations, { timestamp: ts })];
}

export interface EvaluationMetricOptions {
  timestamp?: number;
  /**
   * The clean evaluation's values, for step 0 of an attack curve whose rows come without it
   * (evaluations added to a finished run: its clean row was logged before). Default: the clean
   * row among `rows`.
   */
  cleanValues?: ReadonlyArray<[EvalMetricName, number]>;
  /** Attack curves that already have their step 0 (logged before). */
  curvesStarted?: ReadonlySet<string>;
}

/** The `eval.*` metrics of evaluation rows: each attack curve starts at the clean values. */
export function evaluationMetrics(rows: readonly EvaluationRow[], opts: EvaluationMetricOptions = {}): MetricInput[] {
  const ts = opts.timestamp;
  const out: MetricInput[] = [];
  const seen = new Map<string, EvaluationRow>();
  const put = (key: string, value: number, step: number, row: EvaluationRow | undefined): void => {
    const id = `${key}@${step}`;
    const prior = seen.get(id);
    if (prior !== undefined && row !== undefined && prior !== row) {
      throw new InvalidValueError('metric', key, `two evaluations (ε_A ${prior.epsilon} and ${row.epsilon}) map to step ${step}`);
    }
    if (row !== undefined) seen.set(id, row);
    out.push({ key, value, step, timestamp: ts });
  };

  const clean = rows.filter((r) => r.attack === 'none');
  const attacked = rows.filter((r) => r.attack !== 'none');
  for (const row of clean) {
    const step = epsilonStep(row.epsilon);
    for (const [name, value] of rowValues(row)) put(evalMetricKey('clean', name), value, step, row);
  }
  for (const row of attacked) {
    const attack = row.attack as AttackName;
    const step = epsilonStep(row.epsilon);
    put(evalMetricKey(attack, 'epsilon'), row.epsilon, step, row);
    for (const [name, value] of rowValues(row)) put(evalMetricKey(attack, name), value, step, row);
  }
  // Step 0 of each attack curve is the clean evaluation, unless an ε_A = 0 row of that attack exists.
  const cleanRow = clean.find((r) => epsilonStep(r.epsilon) === 0);
  const cleanValues = opts.cleanValues ?? (cleanRow ? rowValues(cleanRow) : undefined);
  if (cleanValues) {
    for (const attack of new Set(attacked.map((r) => r.attack as AttackName))) {
      if (opts.curvesStarted?.has(attack) || seen.has(`${evalMetricKey(attack, 'ndcg5')}@0`)) continue;
      put(evalMetricKey(attack, 'epsilon'), 0, 0, undefined);
      for (const [name, value] of cleanValues) put(evalMetricKey(attack, name), value, 0, undefined);
    }
  }
  return out;
}

/** The clean evaluation's values as a run's latest metrics hold them. */
export function cleanValuesOf(latest: ReadonlyMap<string, number>): Array<[EvalMetricName, number]> {
  return EVAL_METRIC_NAMES.flatMap((name): Array<[EvalMetricName, number]> => {
    const v = latest.get(evalMetricKey('clean', name));
    return v === undefined ? [] : [[name, v]];
  });
}
