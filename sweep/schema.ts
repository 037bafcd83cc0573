/**
 * The sweep file: which grid to run and with which fixed settings. Types are derived from the
 * schema (z.infer), never written twice. Strict objects everywhere (a misspelt key is an error),
 * grid axes are non-empty lists of distinct values, and the shared cell settings are validated
 * by the recsys cell schema itself, so a sweep cannot hold a setting a cell would refuse.
 *
 *   grid axes        datasets × models × ({vanilla} ∪ lambdas>0 × epsilonsD) × seeds   (expand.ts)
 *   evaluation axes  epsilonsA × attacks, evaluated on every cell's one trained model
 *   fixed settings   epochs, cell (what fixedSettingsFingerprint hashes: fingerprint.ts)
 *   operational      study, name, id, concurrency, queues, cell.datasetCache
 *
 * Pure and deterministic (zod and recsys/config.ts only). Workflow code imports its types only:
 * its bundle stays free of zod (recsys/config-resolve.ts says why).
 */
import { ATTACK_NAMES } from '../recsys/attacks/index.ts';
import { z } from 'zod';
import { CellConfigSchema, DatasetSpecSchema, printableName } from '../recsys/config.ts';
import { canonicalJson } from './canonical.ts';

/** Names that end up in Temporal workflow ids, MLflow tags and file names. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const identifier = z
  .string()
  .max(80, { error: 'at most 80 characters' })
  .regex(IDENTIFIER, { error: 'letters, digits, ".", "_" or "-", starting with a letter or digit' });

const positiveInt = z.number().int().positive();

/**
 * A non-empty list whose items are distinct (by `keyOf`, default their canonical JSON). A
 * duplicate is reported at its own index (and `within` it), naming where the first one is.
 */
function distinctList<T extends z.ZodType>(item: T, what: string, keyOf: (x: z.output<T>) => string = canonicalJson, within: string[] = []) {
  return z
    .array(item)
    .min(1, { error: `at least one ${what} (an empty grid axis runs nothing)` })
    .superRefine((xs, ctx) => {
      const first = new Map<string, number>();
      xs.forEach((x, i) => {
        const k = keyOf(x);
        const at = first.get(k);
        if (at === undefined) first.set(k, i);
        else ctx.addIssue({ code: 'custom', path: [i, ...within], input: x, message: `distinct ${what}s (the same as [${at}])` });
      });
    });
}

/** CER epochs (reference 100) and EFM full-batch iterations (Cornac 100). */
export const EpochsSchema = z.union(
  [positiveInt, z.strictObject({ cer: positiveInt.default(100), efm: positiveInt.default(100), overlap: positiveInt.default(1) })],
  { error: 'a positive integer, or { cer: <int>, efm: <int> } for one per model' },
);

/**
 * The fixed settings every cell of the sweep shares: the recsys cell schema's own sections, so
 * defaults, ranges and misspelt keys are exactly those of `rexsweep cell`.
 */
export const SharedCellSettingsSchema = CellConfigSchema.pick({
  backend: true,
  data: true,
  cer: true,
  explainer: true,
  efm: true,
  choices: true,
  attackSettings: true,
  overlap: true,
  datasetCache: true,
  noop: true,
});

export const QueuesSchema = z.strictObject({
  /** Task queue of the sweep and cell workflows (cheap, CPU). */
  workflow: identifier.default('rexsweep-cpu'),
  /** Task queue of the training and evaluation activities. */
  gpu: identifier.default('rexsweep-gpu'),
});

/** A Temporal duration as written in the file: a whole number and a unit, e.g. `30s`, `3m`, `2h`. */
const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, { error: 'a duration such as "500ms", "30s", "3m", "2h" or "1d"' });

/** One activity class's retry policy (Temporal RetryPolicy) and heartbeat timeout. */
const RetrySchema = z.strictObject({
  /** Attempts in all, the first included; 0 = unlimited. */
  maximumAttempts: z.number().int().nonnegative(),
  initialInterval: duration,
  maximumInterval: duration,
  backoffCoefficient: z.number().min(1),
  /** A worker that stops heartbeating for this long is taken for dead and the attempt retried. */
  heartbeatTimeout: duration.optional(),
  /**
   * One attempt's time limit. It is also how long an attempt whose completion was lost (the
   * Temporal server restarted as the worker reported it) waits before it is retried.
   */
  startToCloseTimeout: duration.optional(),
});
export type RetrySettings = z.output<typeof RetrySchema>;

/**
 * Retry policies per activity class. Infrastructure loss (a dead worker, a restarted server)
 * retries with backoff; errors that retrying cannot fix (divergence, infeasible, bad input) never
 * retry, whatever these say (workflows/activity-options.ts).
 */
export const RetryPoliciesSchema = z.strictObject({
  /** MLflow bookkeeping on the workflow queue: retried for minutes, so an MLflow outage loses nothing. */
  record: RetrySchema.partial().prefault({}),
  /** Data preparation. */
  prepare: RetrySchema.partial().prefault({}),
  /** Training and evaluation. */
  compute: RetrySchema.partial().prefault({}),
});
export type RetryPolicies = z.output<typeof RetryPoliciesSchema>;

export const SweepConfigSchema = z.strictObject({
  /** MLflow experiment the sweep's runs go to. */
  study: printableName('study (MLflow experiment) name', 200, 'an MLflow experiment name'),
  /** Sweep name; the sweep id is `<name>-<8 hex of the fixed-settings fingerprint>` unless `id` is given. */
  name: identifier,
  /** Explicit sweep id (keeps one id across changes of the fixed settings: see fingerprint.ts). */
  id: identifier.optional(),
  /** Datasets, each a recsys dataset spec; names are distinct (a name is the data's identity in keys). */
  datasets: distinctList(DatasetSpecSchema, 'dataset name', (d) => d.name, ['name']),
  models: distinctList(CellConfigSchema.shape.model, 'model'),
  /** Defense weights λ ∈ [0, 1); 0 is the vanilla model, trained once, not once per ε_D. */
  lambdas: distinctList(z.number().min(0).lt(1), 'λ value'),
  /** Training FGSM budgets ε_D > 0, crossed with every λ > 0. */
  epsilonsD: distinctList(z.number().positive(), 'ε_D value'),
  /** Attack budgets ε_A > 0 evaluated on every cell besides clean (ε_A = 0). */
  epsilonsA: distinctList(z.number().positive(), 'ε_A value'),
  /** Attacks evaluated at every ε_A. */
  attacks: distinctList(z.enum(ATTACK_NAMES), 'attack').default(['fgsm', 'random']),
  seeds: distinctList(z.number().int().nonnegative(), 'seed'),
  epochs: EpochsSchema.default(100),
  /** Shared cell settings (the recsys cell schema's sections): the sweep's fixed settings. */
  cell: SharedCellSettingsSchema.prefault({}),
  /** Cells in flight at once. */
  concurrency: positiveInt.default(4),
  queues: QueuesSchema.prefault({}),
  /**
   * Failed cells the sweep tolerates: past this many it starts no new cell, lets the cells in
   * flight finish, and ends FAILED. Unset: no limit (every cell is tried).
   */
  maxFailedCells: z.number().int().nonnegative().optional(),
  /** Stop at the first failed cell: cancel the cells in flight (their runs close KILLED) and end FAILED. */
  failFast: z.boolean().default(false),
  /**
   * Cells a sweep workflow run starts before it continues as new (a fresh history): bounds every
   * workflow history to a few thousand events whatever the grid's size.
   */
  cellsPerRun: positiveInt.max(2000).default(400),
  retry: RetryPoliciesSchema.prefault({}),
});

export type SweepConfigInput = z.input<typeof SweepConfigSchema>;
export type SweepConfig = z.output<typeof SweepConfigSchema>;
export type SharedCellSettings = SweepConfig['cell'];
export type ModelName = SweepConfig['models'][number];
export type AttackName = SweepConfig['attacks'][number];

export { epochsFor } from './epochs.ts';
