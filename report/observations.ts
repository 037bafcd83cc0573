/**
 * A cell's MLflow run → a CellObservation (report/aggregate.ts), pure. The run layout is
 * tracking/layout.ts and tracking/result-metrics.ts:
 *
 *   params   dataset.name, model, lambda, epsilonD, seed (the flattened cell config)
 *   metrics  eval.clean.<m> at step 0 (latest values suffice);
 *            eval.<attack>.<m> at step round(100·ε_A), step 0 being a copy of clean (skipped);
 *            eval.<attack>.epsilon holds the exact ε_A of each step.
 *
 * A retried write can leave several points at one (key, step); the newest one counts.
 */
import { ATTACK_NAMES } from '../recsys/attacks/index.ts';
import { EVAL_METRIC_NAMES, type Metric, type Run } from '../tracking/index.ts';
import type { CellEvaluationValues, CellObservation } from './aggregate.ts';
import { CellRunShapeError } from './errors.ts';

export const CURVE_ATTACKS = ATTACK_NAMES;
const CURVE_KEY = new RegExp(`^eval\\.(${ATTACK_NAMES.join('|')})\\.([a-z0-9_]+)$`);
const METRIC_NAMES = new Set<string>(EVAL_METRIC_NAMES);

/** The metric keys of a run whose histories hold the attack curves (every eval.<attack>.* it has). */
export function curveKeysOf(run: Run): string[] {
  return run.data.metrics.map((m) => m.key).filter((k) => CURVE_KEY.test(k)).sort();
}

function numberParam(run: Run, name: string): number {
  const raw = run.data.params[name];
  const value = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw new CellRunShapeError(run.info.runId, `param ${name} is ${raw === undefined ? 'missing' : JSON.stringify(raw)}, expected a number`);
  return value;
}

function stringParam(run: Run, name: string): string {
  const raw = run.data.params[name];
  if (raw === undefined || raw === '') throw new CellRunShapeError(run.info.runId, `param ${name} is missing`);
  return raw;
}

/** Newest point per step. */
function byStep(points: ReadonlyArray<Metric>): Map<number, number> {
  const newest = new Map<number, Metric>();
  for (const p of points) {
    const prior = newest.get(p.step);
    if (!prior || p.timestamp >= prior.timestamp) newest.set(p.step, p);
  }
  return new Map([...newest].map(([step, p]) => [step, p.value]));
}

/**
 * The observation of one FINISHED cell run. `histories` maps each key of `curveKeysOf(run)` to
 * its full history (MlflowClient.getMetricHistory).
 */
export function observationFromRun(run: Run, histories: ReadonlyMap<string, ReadonlyArray<Metric>>): CellObservation {
  const clean: Record<string, number> = {};
  for (const m of run.data.metrics) {
    const name = m.key.startsWith('eval.clean.') ? m.key.slice('eval.clean.'.length) : undefined;
    if (name !== undefined && METRIC_NAMES.has(name)) clean[name] = m.value;
  }
  if (clean.ndcg5 === undefined) throw new CellRunShapeError(run.info.runId, 'no eval.clean.ndcg5 metric: not a finished cell run');

  const evaluations: CellEvaluationValues[] = [{ attack: 'clean', epsilonA: 0, metrics: clean }];
  for (const attack of CURVE_ATTACKS) {
    const epsilons = byStep(histories.get(`eval.${attack}.epsilon`) ?? []);
    const rows = new Map<number, Record<string, number>>();
    for (const [key, points] of histories) {
      const match = CURVE_KEY.exec(key);
      if (!match || match[1] !== attack || !METRIC_NAMES.has(match[2])) continue;
      for (const [step, value] of byStep(points)) {
        if (step === 0) continue; // the clean copy at the start of each curve
        let row = rows.get(step);
        if (!row) rows.set(step, (row = {}));
        row[match[2]] = value;
      }
    }
    for (const [step, metrics] of [...rows].sort(([a], [b]) => a - b)) {
      evaluations.push({ attack, epsilonA: epsilons.get(step) ?? step / 100, metrics });
    }
  }

  return {
    runId: run.info.runId,
    dataset: stringParam(run, 'dataset.name'),
    model: stringParam(run, 'model'),
    lambda: numberParam(run, 'lambda'),
    epsilonD: numberParam(run, 'epsilonD'),
    seed: numberParam(run, 'seed'),
    evaluations,
  };
}
