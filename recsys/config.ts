/**
 * One schema for a cell: the types are derived from it (z.infer), never written twice.
 * Every ambiguity of paper-brief §7 is an explicit option here with the brief's default,
 * and the resolved config (choices included) is part of every result.
 */
import { MODEL_NAMES } from './models/specs.ts';
import { OverlapSettingsSchema } from './models/overlap/settings.ts';
import { ATTACK_NAMES, AttackSettingsSchema, DEFAULT_ATTACK_SETTINGS } from './attacks/index.ts';
import { z } from 'zod';
import { CONTROL_CHARACTER } from './printable.ts';

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

/** Filtering and sampling constants (paper-brief §1.3, §1.5). Defaults depend on the dataset kind. */
export const DataSettingsSchema = z.strictObject({
  userThresh: positiveInt.optional(),
  featureThresh: z.number().int().nonnegative().optional(),
  sampleRatio: positiveInt.default(2),
  testLength: positiveInt.default(5),
  valLength: positiveInt.default(1),
  negLength: positiveInt.default(100),
  maxRange: z.number().positive().default(5),
  /** Seed of the data split's PRNG (negatives); the reference fixes it to 0 for every run. */
  splitSeed: z.number().int().nonnegative().default(0),
});

/**
 * A dataset's name: in cell keys, cache folder names, MLflow tags and log lines. Non-empty (an
 * empty one made a cache folder starting with "-"), at most 120 characters, and free of control
 * characters, which would reach terminals and MLflow (recsys/printable.ts).
 */
export const DatasetNameSchema = printableName('dataset name', 120);

/** A name that is shown to people and stored by servers: non-empty, bounded, no control characters. */
export function printableName(what: string, max: number, empty = `a non-empty ${what}`) {
  return z
    .string()
    .min(1, { error: empty })
    .max(max, { error: `a ${what} of at most ${max} characters` })
    .refine((s) => !CONTROL_CHARACTER.test(s), { error: `a ${what} without control characters (newline, tab, ESC, NUL, …)` });
}

export const SyntheticSettingsSchema = z.strictObject({
  users: positiveInt.default(120),
  items: positiveInt.default(150),
  features: positiveInt.default(24),
  reviewsPerUser: positiveInt.default(22),
  featuresPerReview: positiveInt.default(3),
  seed: z.number().int().nonnegative().default(0),
});

export const DatasetSpecSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('synthetic'), name: DatasetNameSchema.default('synthetic'), synthetic: SyntheticSettingsSchema.default(SyntheticSettingsSchema.parse({})) }),
  z.strictObject({
    source: z.literal('amazon'),
    name: DatasetNameSchema,
    /** Sentires output, one review per line: user@item@@feature|opinion|+1||... (data/amazon-sentires.ts) */
    sentires: z.string(),
    /** Amazon 2014 review JSON lines (reviewerID, asin, unixReviewTime, overall). */
    reviews: z.string(),
  }),
  z.strictObject({
    source: z.literal('yelp'),
    name: DatasetNameSchema,
    /** reviews.pickle exported to JSON lines (README: one-line export). */
    sentires: z.string(),
    /** Yelp review.json (user_id, business_id, date, stars). */
    reviews: z.string(),
  }),
  z.strictObject({
    source: z.literal('interchange'),
    name: DatasetNameSchema,
    /** JSON lines {user, item, time, rating, triplets} (paper-brief §1.2). */
    path: z.string(),
    /** Which reference constants apply. */
    kind: z.enum(['amazon', 'yelp']).default('amazon'),
  }),
]);

export const CerSettingsSchema = z.strictObject({
  hidden: z.array(positiveInt).min(1).default([1024, 256]),
  learningRate: z.number().positive().default(5e-4),
  weightDecay: nonNegative.default(1e-5),
  batchSize: positiveInt.default(128),
});

/** Counterfactual explainer constants (paper-brief §3.3); undefined = per-kind default. */
export const ExplainerSettingsSchema = z.strictObject({
  lam: z.number().positive().optional(),
  alpha: z.number().positive().optional(),
  gamma: nonNegative.default(1),
  learningRate: z.number().positive().default(0.01),
  steps: positiveInt.default(1000),
  maskThresh: nonNegative.default(0.1),
  userMask: z.boolean().default(true),
  /** Users explained: -1 = all test users (Amazon), 100 (Yelp). */
  testUsers: z.number().int().min(-1).optional(),
  /** Rows of Δ optimised at once; bounds memory, not results. */
  chunkSize: positiveInt.default(4096),
});

export const EfmSettingsSchema = z.strictObject({
  explicitFactors: positiveInt.default(40),
  latentFactors: positiveInt.default(60),
  mostCared: positiveInt.default(15),
  alpha: z.number().min(0).max(1).default(0.85),
  lambdaX: nonNegative.default(1),
  lambdaY: nonNegative.default(1),
  lambdaU: nonNegative.default(0.01),
  lambdaH: nonNegative.default(0.01),
  lambdaV: nonNegative.default(0.01),
  learningRate: z.number().positive().default(0.01),
  /** Explanation size m (A9). */
  explanationSize: positiveInt.default(1),
});

/** The ambiguity choices of paper-brief §7, with the brief's defaults. */
export const ChoicesSchema = z.strictObject({
  /** A3: perturb every entry of Y, or only the non-zero ones. */
  perturbNonZeroOnly: z.boolean().default(false),
  /** A12: the attacker's loss: the model's training loss, or BCE over the test candidate lists (CER). */
  attackLoss: z.enum(['train', 'test-candidates']).default('train'),
  /** A4: user-side ground truth: all mentioned features, or only positively mentioned ones. */
  groundTruth: z.enum(['all', 'positive']).default('all'),
  /** A5: CER complexity term ‖Δ‖₂ (code) or ‖Δ‖²₂ (paper). */
  complexityNorm: z.enum(['l2', 'l2-squared']).default('l2'),
  /** §3.3 caveat: threshold Δ after applying the user mask (recommended) or on raw Δ (code). */
  thresholdMaskedDelta: z.boolean().default(true),
  /**
   * Which Δ the CER explainer keeps with its lowest loss (recsys/models/cer/explainer.ts).
   * 'after-step' (the reference): its loop evaluates Δ_t, calls optimizer.step(), then stores
   * `delta`, i.e. Δ_{t+1}; 'evaluated': the Δ_t that the loss, bpr and norm belong to.
   */
  explainerKeeps: z.enum(['after-step', 'evaluated']).default('after-step'),
  /**
   * A7: EFM residuals over observed entries only, or full matrices. The brief recommends
   * 'observed'; measured on synthetic data, observed-only EFM (gradient form, 100 iterations)
   * ranks no better than random (NDCG@5 0.056 vs 0.228 for 'full'), so 'full' is the default.
   */
  efmResiduals: z.enum(['observed', 'full']).default('full'),
  /**
   * EFM poisoning refit: 'scratch' retrains from the same seed on Y_adv for the same iterations,
   * so ε_A = 0 reproduces the clean model exactly and the attack is not confounded with extra
   * training; 'warm' continues from Θ* (the brief's suggestion) for the same iterations.
   */
  efmPoisonStart: z.enum(['scratch', 'warm']).default('scratch'),
  /** A2: EFM attack by poisoning Y (a refit, started as efmPoisonStart says) or FGSM on the learned item factors U2. */
  efmAttack: z.enum(['poison', 'factors']).default('poison'),
  /** A11: FGSM granularity in CER adversarial training. */
  cerTrainingFgsm: z.enum(['per-sample']).default('per-sample'),
  /** A13: defended models train from scratch. */
  defenseInit: z.enum(['scratch']).default('scratch'),
});

export const BackendNameSchema = z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);

export const CellConfigSchema = z.strictObject({
  dataset: DatasetSpecSchema,
  model: z.enum(MODEL_NAMES),
  /** λ of the defense: 0 = vanilla. */
  lambda: z.number().min(0).lt(1).default(0),
  /** ε_D: FGSM budget during training; ignored when λ = 0. */
  epsilonD: nonNegative.default(0),
  /** ε_A values evaluated besides clean (0). */
  epsilonsA: z.array(z.number().positive()).default([0.25, 0.5, 0.75, 1.0]),
  /** Attacks evaluated at each ε_A. */
  attacks: z.array(z.enum(ATTACK_NAMES)).min(1).default(['fgsm', 'random']),
  /** Settings of the attacks that have any (PGD's steps, step size, random start). */
  attackSettings: AttackSettingsSchema.default(DEFAULT_ATTACK_SETTINGS),
  seed: z.number().int().nonnegative().default(0),
  /** CER epochs (reference 100) or EFM full-batch iterations (Cornac 100). */
  epochs: positiveInt.default(100),
  backend: BackendNameSchema.default('auto'),
  data: DataSettingsSchema.default(DataSettingsSchema.parse({})),
  cer: CerSettingsSchema.default(CerSettingsSchema.parse({})),
  explainer: ExplainerSettingsSchema.default(ExplainerSettingsSchema.parse({})),
  efm: EfmSettingsSchema.default(EfmSettingsSchema.parse({})),
  /** The feature-overlap baseline (recsys/models/overlap): how many shared features explain. */
  overlap: OverlapSettingsSchema.default(OverlapSettingsSchema.parse({})),
  choices: ChoicesSchema.default(ChoicesSchema.parse({})),
  /** Where prepared datasets are cached (content-addressed folders). */
  datasetCache: z.string().default('.cache/datasets'),
  /**
   * Orchestration benchmark switch: the sweep machinery (workflows, activities, MLflow runs) runs
   * but no data is prepared, nothing trained or evaluated; metrics are zeros. Part of the cell
   * key, so a no-op result is never mistaken for a real one.
   */
  noop: z.boolean().default(false),
});

export type CellConfigInput = z.input<typeof CellConfigSchema>;
export type CellConfig = z.output<typeof CellConfigSchema>;
export type DatasetSpec = CellConfig['dataset'];

export type DataSettings = CellConfig['data'];
export type CerSettings = CellConfig['cer'];
export type ExplainerSettings = CellConfig['explainer'];
export type EfmSettings = CellConfig['efm'];
export type Choices = CellConfig['choices'];
export type BackendName = z.infer<typeof BackendNameSchema>;
export type SyntheticSettings = z.output<typeof SyntheticSettingsSchema>;

// The pure half (no zod): workflow code imports it from there; see config-resolve.ts.
export { datasetIdentity, referenceKind, REFERENCE_CONSTANTS, resolveCellConfig } from './config-resolve.ts';
export type { ResolvedCellConfig, ResolvedDataSettings, ResolvedExplainerSettings } from './config-resolve.ts';
