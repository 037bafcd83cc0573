/**
 * Cell keys (DESIGN "Cell identity"): the Temporal workflow id suffix of a cell and the MLflow tag
 * that finds its run. A key is the first CELL_KEY_HEX hex digits of sha256(canonical JSON of the
 * cell's identity):
 *
 *   { layout, code: CODE_VERSION, dataset: datasetIdentity(spec),
 *     cell: { model, lambda, epsilonD (0 when λ = 0), seed, epochs, backend, data, choices,
 *             the model's own sections (its spec's identity: CER cer + explainer, EFM efm +
 *             explainer.testUsers, overlap overlap + explainer.testUsers),
 *             attackSettings when not the defaults } }
 *
 * taken from the validated, resolved config (recsys resolveCellConfig), so an omitted default and
 * the same value written out give one key, and key order or number spelling in YAML never matter.
 *
 * Decisions:
 * - A cell is one trained model. ε_A and the attacks are NOT in the key: they say which
 *   evaluations are run on that model (cellEvaluations, expand.ts), each from its own random
 *   stream (recsys run-cell derives it from seed, attack and ε_A), so extending ε_A later adds
 *   evaluations to finished cells from their checkpoints instead of retraining every model and
 *   splitting one model's results over two runs (anchors.md §5 rule 11: an eval-only re-run
 *   must not retrain). An evaluation is identified by (cell key, attack, canonical ε_A).
 * - ε_D is normalised to 0 for λ = 0: vanilla is one cell whatever ε_D says (DESIGN "Vanilla is
 *   λ = 0").
 * - Settings a model never reads are left out: a CER key ignores `efm`; an EFM key ignores `cer`
 *   and every explainer setting but testUsers (the users whose top-K is explained, read by the
 *   model-agnostic evaluation). Changing CER's learning rate therefore leaves finished EFM cells
 *   valid. `choices` is kept whole (small, rarely changed). If recsys starts reading another
 *   section for a model, extend cellIdentity and bump CODE_VERSION.
 * - The data identity is the dataset spec WITHOUT file paths (source, name, kind, synthetic
 *   settings), plus the resolved data settings (thresholds, split seed, …): moving the files or
 *   running on a machine that mounts them elsewhere keeps the keys, as recsys/data/prepare.ts
 *   keeps the prepared dataset id. Workflow code cannot read files, so contents are not hashed:
 *   the dataset NAME stands for the data (names are unique within a sweep); to change the data
 *   of a name, rename it (e.g. cds → cds-v2). Each cell result records the prepared dataset's
 *   content id, which activities may check against the cell's earlier run.
 * - `datasetCache` (a location) is not in the key; `backend` is (the requested backend; 'auto'
 *   is resolved per worker and recorded on each run).
 *
 * Collisions: 20 hex digits are 80 bits. For n distinct cells the chance that any two share a key
 * is about n²/2⁸¹: 4·10⁻¹⁷ for 10,000 cells, 4·10⁻¹³ for a million. Keys are also only compared
 * within one sweep's MLflow experiment and Temporal namespace.
 *
 * Pure and deterministic, and free of zod: Temporal workflow code imports it (recsys/config-resolve.ts
 * says why no zod). cell-key.ts adds the keys of configs not yet validated.
 */
import { MODEL_SPECS } from '../recsys/models/specs.ts';
import { DEFAULT_ATTACK_SETTINGS } from '../recsys/attacks/defaults.ts';
import { datasetIdentity, resolveCellConfig } from '../recsys/config-resolve.ts';
import type { CellConfig } from '../recsys/config.ts';
import { canonicalJson } from './canonical.ts';
import { CODE_VERSION } from './code-version.ts';
import { sha256Hex } from './sha256.ts';

/** Hex digits of sha256 kept in a cell key (80 bits). */
export const CELL_KEY_HEX = 20;
/** Version of the identity layout below; a change of layout also changes every key. */
export const CELL_KEY_LAYOUT = 1;

/**
 * The cell key of a config that is already CellConfigSchema's output (grid expansion builds
 * thousands from one validated template): skips re-validating it.
 */
export function cellKeyOfParsed(config: CellConfig): string {
  return sha256Hex(canonicalJson(cellIdentityOfParsed(config))).slice(0, CELL_KEY_HEX);
}

/** The object a cell key hashes (see the file comment), of a validated config. */
export function cellIdentityOfParsed(config: CellConfig): Record<string, unknown> {
  const c = resolveCellConfig(config);
  const spec = MODEL_SPECS[c.model];
  const vanilla = c.lambda === 0 || !spec.learned;
  return {
    layout: CELL_KEY_LAYOUT,
    code: CODE_VERSION,
    dataset: datasetIdentity(c.dataset),
    cell: {
      model: c.model,
      lambda: spec.learned ? c.lambda : 0,
      epsilonD: vanilla ? 0 : c.epsilonD,
      seed: c.seed,
      epochs: spec.learned ? c.epochs : 0,
      backend: c.backend,
      data: c.data,
      choices: c.choices,
      ...spec.identity(c),
      // Only when set, so that keys of real cells did not change when the switch was added.
      ...(c.noop ? { noop: true } : {}),
      // Only when not the defaults, likewise: PGD's settings change its evaluations, which a
      // finished cell's run holds (evaluations are found by cell key, attack and ε_A).
      ...(canonicalJson(c.attackSettings) !== canonicalJson(DEFAULT_ATTACK_SETTINGS) ? { attackSettings: c.attackSettings } : {}),
    },
  };
}
