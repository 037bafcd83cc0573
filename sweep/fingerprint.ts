/**
 * The sweep's fixed settings and their fingerprint, so that re-running a sweep can refuse a file
 * whose fixed settings changed (anchors.md §5 rule 18) while accepting one that only extends the
 * grid. Every top-level field of the sweep file is in exactly one class (a test checks it):
 *
 *   GRID_AXES          datasets, models, lambdas, epsilonsD, seeds: adding values adds cells;
 *                      each cell's key is unaffected by the other values.
 *   EVALUATION_AXES    epsilonsA, attacks: adding values adds evaluations to every cell (ε_A and
 *                      the attacks are not in cell keys: cell-key.ts).
 *   FIXED_FIELDS       epochs, cell (less cell.datasetCache): they change what every cell means.
 *   OPERATIONAL_FIELDS study, name, id, concurrency, queues, maxFailedCells, failFast,
 *                      cellsPerRun, retry (and cell.datasetCache): where, how fast and how
 *                      persistently, never what.
 *
 * fixedSettingsFingerprint = sha256 of canonical JSON {layout, CODE_VERSION, epochs per model,
 * cell settings less datasetCache}, as validated (defaults filled: writing a default out does not
 * change it). The sweep id is `<name>-<first 8 hex>` unless the file gives `id`: a sweep whose
 * fixed settings change gets a new id by default, and one with an explicit id can be checked.
 *
 * Pure and deterministic: Temporal workflow code imports it.
 */
import { DEFAULT_ATTACK_SETTINGS } from '../recsys/attacks/defaults.ts';
import { MODEL_NAMES, MODEL_SPECS } from '../recsys/models/specs.ts';
import { OVERLAP_DEFAULTS } from '../recsys/models/overlap/defaults.ts';
import { canonicalJson } from './canonical.ts';
import { CODE_VERSION } from './code-version.ts';
import { epochsFor } from './epochs.ts';
import type { SweepConfig } from './schema.ts';
import { sha256Hex } from './sha256.ts';

export const GRID_AXES = ['datasets', 'models', 'lambdas', 'epsilonsD', 'seeds'] as const;
export const EVALUATION_AXES = ['epsilonsA', 'attacks'] as const;
export const FIXED_FIELDS = ['epochs', 'cell'] as const;
export const OPERATIONAL_FIELDS = ['study', 'name', 'id', 'concurrency', 'queues', 'maxFailedCells', 'failFast', 'cellsPerRun', 'retry'] as const;
/** Fields inside `cell` that are operational, not fixed settings. */
export const OPERATIONAL_CELL_FIELDS = ['datasetCache'] as const;

const FINGERPRINT_LAYOUT = 1;
const LATER_CELL_DEFAULTS: Record<string, unknown> = { attackSettings: DEFAULT_ATTACK_SETTINGS, overlap: { ...OVERLAP_DEFAULTS } };
/** Hex digits of the fingerprint in a generated sweep id. */
export const SWEEP_ID_HEX = 8;

/** The fixed settings, as hashed. */
export function fixedSettings(sweep: SweepConfig): Record<string, unknown> {
  const cell: Record<string, unknown> = { ...sweep.cell };
  for (const k of OPERATIONAL_CELL_FIELDS) delete cell[k];
  // Sections added after sweeps existed count only when not their defaults: the ids of sweeps
  // that never set them stay what they were.
  for (const [k, byDefault] of Object.entries(LATER_CELL_DEFAULTS)) if (canonicalJson(cell[k]) === canonicalJson(byDefault)) delete cell[k];
  return {
    layout: FINGERPRINT_LAYOUT,
    code: CODE_VERSION,
    // Learned models only (a baseline trains nothing), in the order they were added.
    epochs: Object.fromEntries(MODEL_NAMES.filter((m) => MODEL_SPECS[m].learned).map((m) => [m, epochsFor(sweep, m)])),
    cell,
  };
}

/** sha256 (64 hex digits) of the canonical fixed settings. */
export function fixedSettingsFingerprint(sweep: SweepConfig): string {
  return sha256Hex(canonicalJson(fixedSettings(sweep)));
}

/** The explicit `id`, else `<name>-<8 hex of the fingerprint>`. */
export function sweepId(sweep: SweepConfig): string {
  return sweep.id ?? `${sweep.name}-${fixedSettingsFingerprint(sweep).slice(0, SWEEP_ID_HEX)}`;
}
