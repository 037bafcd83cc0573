/**
 * The seed-aggregated results table of a sweep: what `aggregates.json` holds on the sweep's
 * parent run and what `rexsweep report --json` prints. One schema; the types are derived from it.
 *
 * One group per (dataset, model, λ, ε_D, attack, ε_A), attack `clean` at ε_A = 0 included; per
 * metric the mean, the sample standard deviation (n − 1 in the denominator, the usual choice
 * over seeds) and n, the number of seeds that had the metric. With n = 1 the sample SD is
 * undefined: `sd` is null (never a misleading 0).
 */
import { ATTACK_NAMES } from '../recsys/attacks/index.ts';
import { z } from 'zod';

/** `clean`, then the registry's attacks (recsys/attacks/). */
export const ReportAttackSchema = z.enum(['clean', ...ATTACK_NAMES]);

export const MetricStatsSchema = z.object({
  mean: z.number(),
  /** Sample standard deviation (n − 1); null when n = 1. */
  sd: z.number().nullable(),
  /** Seeds that had this metric (stability is left out where no pair was explained twice). */
  n: z.number().int().positive(),
});

export const GroupKeySchema = z.object({
  dataset: z.string(),
  model: z.string(),
  lambda: z.number(),
  /** 0 for vanilla (λ = 0). */
  epsilonD: z.number(),
  attack: ReportAttackSchema,
  /** 0 for `clean`. */
  epsilonA: z.number(),
});

export const AggregateGroupSchema = GroupKeySchema.extend({
  /** The seeds that contributed, ascending. */
  seeds: z.array(z.number()),
  /** Metric name (tracking/result-metrics.ts EVAL_METRIC_NAMES, plus the derived drops) → stats. */
  metrics: z.record(z.string(), MetricStatsSchema),
});

export const AggregateTableSchema = z.object({
  format: z.literal('rexsweep.aggregates/1'),
  sweepId: z.string(),
  study: z.string(),
  /** FINISHED cell runs that went into the table. */
  cells: z.number().int().nonnegative(),
  statistic: z.string(),
  groups: z.array(AggregateGroupSchema),
});

export type ReportAttack = z.infer<typeof ReportAttackSchema>;
export type MetricStats = z.infer<typeof MetricStatsSchema>;
export type GroupKey = z.infer<typeof GroupKeySchema>;
export type AggregateGroup = z.infer<typeof AggregateGroupSchema>;
export type AggregateTable = z.infer<typeof AggregateTableSchema>;

export const STATISTIC_NOTE = 'mean and sample standard deviation (n − 1) over seeds; sd is null when n = 1';
