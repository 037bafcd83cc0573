/**
 * The seed-aggregated results table of a sweep: what `aggregates.json` holds on the sweep's
 * parent run and what `rexsweep report --json` prints. One schema; the types are derived from it.
 *
 * One group per (dataset, model, λ, ε_D, attack, ε_A), attack `clean` at ε_A = 0 included; per
 * metric the mean, the sample standard deviation (n − 1 in the denominator, the usual choice
 * over seeds) and n, the number of seeds that had the metric. With n = 1 the sample SD is
 * undefined: `sd` is null (never a misleading 0).
 *
 * `comparisons` (report/comparisons.ts): paired-by-seed differences, defended − vanilla and
 * FGSM − random, each with its 95 % interval and paired t-test (report/paired.ts). Tables
 * written before it existed have none: the field defaults to [] when read back.
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

/** One side of a comparison: which defense and which evaluation (attack `clean` at ε_A 0). */
export const ComparisonSideSchema = z.object({
  lambda: z.number(),
  /** 0 for vanilla. */
  epsilonD: z.number(),
  attack: ReportAttackSchema,
  epsilonA: z.number(),
});

/** `defended_vs_vanilla`: a = λ > 0, b = vanilla, same evaluation; `fgsm_vs_random`: same defense, a = FGSM, b = random at one ε_A. */
export const ComparisonKindSchema = z.enum(['defended_vs_vanilla', 'fgsm_vs_random']);

/** a − b of one metric, paired by seed (report/paired.ts). */
export const ComparisonSchema = z.object({
  kind: ComparisonKindSchema,
  dataset: z.string(),
  model: z.string(),
  /** A metric of the groups, e.g. `ndcg5`, `fns_drop`, `stability`. */
  metric: z.string(),
  a: ComparisonSideSchema,
  b: ComparisonSideSchema,
  /** Seeds present in both, ascending. */
  seeds: z.array(z.number()),
  n: z.number().int().positive(),
  /** Mean over seeds of a − b. */
  meanDiff: z.number(),
  /** Sample SD (n − 1) of the differences; null when n = 1. */
  sd: z.number().nullable(),
  /** 95 % confidence interval of meanDiff (Student t, df = n − 1); null when n = 1. */
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  /** Paired t statistic; null when n = 1 or sd = 0. */
  t: z.number().nullable(),
  /** n − 1; null when n = 1. */
  df: z.number().int().positive().nullable(),
  /** Two-sided paired t-test p-value; null when n = 1 (0 or 1 when sd = 0). */
  p: z.number().min(0).max(1).nullable(),
  /**
   * The claim's direction: which sign of a − b the paper claims (`higher`: a is better when
   * larger, e.g. F_NS of the defended model; `lower`: e.g. its F_NS drop). Absent in older tables.
   */
  claimed: z.enum(['higher', 'lower']).optional(),
  /** ci95 excludes 0 on the claimed side (older tables: on either side). */
  supported: z.boolean(),
  /** ci95 excludes 0 on the other side: the data speak against the claim. Absent in older tables. */
  contradicted: z.boolean().optional(),
});

export const AggregateTableSchema = z.object({
  format: z.literal('rexsweep.aggregates/1'),
  sweepId: z.string(),
  study: z.string(),
  /** FINISHED cell runs that went into the table. */
  cells: z.number().int().nonnegative(),
  statistic: z.string(),
  groups: z.array(AggregateGroupSchema),
  /** Sorted: dataset, model, kind, a's group key, metric. Absent in older tables: read as []. */
  comparisons: z.array(ComparisonSchema).default([]),
});

export type ReportAttack = z.infer<typeof ReportAttackSchema>;
export type MetricStats = z.infer<typeof MetricStatsSchema>;
export type GroupKey = z.infer<typeof GroupKeySchema>;
export type AggregateGroup = z.infer<typeof AggregateGroupSchema>;
export type ComparisonSide = z.infer<typeof ComparisonSideSchema>;
export type ComparisonKind = z.infer<typeof ComparisonKindSchema>;
export type Comparison = z.infer<typeof ComparisonSchema>;
export type AggregateTable = z.infer<typeof AggregateTableSchema>;

export const STATISTIC_NOTE = 'mean and sample standard deviation (n − 1) over seeds; sd is null when n = 1';
