/**
 * Grid expansion: a sweep → its cells, each a full validated recsys cell config with its key.
 *
 *   for dataset (file order) × model (file order) × grid point × seed (file order)
 *   grid points, λ in file order: λ = 0 → one vanilla point (λ 0, ε_D 0);
 *                                 λ > 0 → (λ, ε_D) for every ε_D in file order
 *   a model that is not learned (a baseline: its spec, recsys/models/) has the vanilla point only
 *
 * so vanilla is never multiplied by ε_D (DESIGN "Vanilla is λ = 0"). Cell i has the coordinates
 * i = dataset·B + start(model) + point·|seeds| + seed, B the cells of one dataset and start(model)
 * the cells of the models before it in one dataset, so a slice of the
 * grid (a shard) is expanded without the rest: expandSweep(sweep, { start, end }), cellAt. Every
 * cell carries the sweep's ε_A values (ascending) and attacks; they are evaluations of the cell,
 * not part of its key (cell-key.ts).
 *
 * No validation here: a cell config is the sweep's shared cell settings, which the sweep schema
 * validated with the cell schema's own sections (defaults filled), and the cell's coordinates,
 * which it validated within the same bounds (cellConfigFor). Most of a cell's cost is its key
 * (canonical JSON + sha256 of ~0.9 kB). The cells of one (dataset, model) share their nested
 * settings objects, so configs are frozen: copy one to change it.
 *
 * Pure, deterministic and free of zod: Temporal workflow code imports it (recsys/config-resolve.ts
 * says why no zod).
 */
import { DEFAULT_ATTACK_SETTINGS } from '../recsys/attacks/defaults.ts';
import { evaluationPlan } from '../recsys/cell/evaluation-plan.ts';
import { OVERLAP_DEFAULTS } from '../recsys/models/overlap/defaults.ts';
import { MODEL_SPECS } from '../recsys/models/specs.ts';
import type { CellConfig, DatasetSpec } from '../recsys/config.ts';
import { cellKeyOfParsed } from './cell-identity.ts';
import { epochsFor } from './epochs.ts';
import type { AttackName, ModelName, SweepConfig } from './schema.ts';

export interface GridPoint {
  lambda: number;
  /** 0 for vanilla. */
  epsilonD: number;
}

export interface SweepCell {
  /** Position in expansion order. */
  index: number;
  key: string;
  dataset: string;
  model: ModelName;
  lambda: number;
  epsilonD: number;
  seed: number;
  config: CellConfig;
}

/** One evaluation of a cell's trained model, in the order recsys run-cell runs them. */
export interface CellEvaluation {
  attack: 'none' | AttackName;
  epsilon: number;
}

/** The (λ, ε_D) points of the grid: vanilla once (if λ = 0 is listed), then λ > 0 × ε_D. */
export function gridPoints(sweep: Pick<SweepConfig, 'lambdas' | 'epsilonsD'>): GridPoint[] {
  return sweep.lambdas.flatMap((lambda) =>
    lambda === 0 ? [{ lambda: 0, epsilonD: 0 }] : sweep.epsilonsD.map((epsilonD) => ({ lambda, epsilonD })),
  );
}

/** The grid points of one model: all of them, or only the vanilla one for a model that is not learned. */
export function modelPoints(sweep: Pick<SweepConfig, 'lambdas' | 'epsilonsD'>, model: ModelName): GridPoint[] {
  return MODEL_SPECS[model].learned ? gridPoints(sweep) : [VANILLA];
}

const VANILLA: GridPoint = Object.freeze({ lambda: 0, epsilonD: 0 });

/** Number of cells, without expanding: datasets × Σ over models of (its grid points × seeds). */
export function countCells(sweep: SweepConfig): number {
  const points = gridPoints(sweep).length;
  const perDataset = sweep.models.reduce((n, m) => n + (MODEL_SPECS[m].learned ? points : 1), 0);
  return sweep.datasets.length * perDataset * sweep.seeds.length;
}

/** The cell config of one grid cell: every part of it was validated with the sweep. */
export function cellConfigFor(sweep: SweepConfig, dataset: DatasetSpec, model: ModelName, point: GridPoint, seed: number): CellConfig {
  // A copy: the configs of a (dataset, model) are frozen, and the sweep's own objects must not be.
  const shared = jsonCopy({ ...SECTIONS_ADDED_LATER, ...sweep.cell, dataset });
  return {
    ...shared,
    model,
    lambda: point.lambda,
    epsilonD: point.epsilonD,
    epsilonsA: [...sweep.epsilonsA].sort((a, b) => a - b),
    attacks: [...sweep.attacks],
    seed,
    epochs: epochsFor(sweep, model),
  };
}

/**
 * Cell sections added after sweeps existed, at their defaults, for a sweep config recorded before
 * them (a workflow history replayed), as the cell schema would fill them. Every other section is
 * in every sweep config this code version accepts.
 */
const SECTIONS_ADDED_LATER = { attackSettings: DEFAULT_ATTACK_SETTINGS, overlap: OVERLAP_DEFAULTS, noop: false } as const;

/** A deep copy of plain data (sweep configs travel as JSON through Temporal). */
function jsonCopy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Frozen, because the cells of one (dataset, model) share the template's nested settings. */
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Builds cells by index, validating one template per (dataset, model). */
class Expander {
  /** Per model (sweep order): its grid points and where its block starts within a dataset's. */
  private readonly blocks: { points: GridPoint[]; start: number }[] = [];
  private readonly perDataset: number;
  private readonly templates = new Map<number, CellConfig>();
  readonly count: number;

  constructor(private readonly sweep: SweepConfig) {
    let start = 0;
    for (const m of sweep.models) {
      const points = modelPoints(sweep, m);
      this.blocks.push({ points, start });
      start += points.length * sweep.seeds.length;
    }
    this.perDataset = start;
    this.count = countCells(sweep);
  }

  cell(index: number): SweepCell {
    const { sweep } = this;
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new RangeError(`cell index ${index} is outside 0..${this.count - 1}`);
    const S = sweep.seeds.length;
    const d = Math.floor(index / this.perDataset);
    const within = index % this.perDataset;
    let m = this.blocks.length - 1;
    while (this.blocks[m].start > within) m--;
    const { points, start } = this.blocks[m];
    const s = (within - start) % S;
    const p = Math.floor((within - start) / S);
    const datasetModel = d * sweep.models.length + m;
    const dataset = sweep.datasets[d];
    const model = sweep.models[m];
    const point = points[p];
    const seed = sweep.seeds[s];
    let template = this.templates.get(datasetModel);
    if (!template) {
      template = deepFreeze(cellConfigFor(sweep, dataset, model, point, seed));
      this.templates.set(datasetModel, template);
    }
    const config: CellConfig = Object.freeze({ ...template, lambda: point.lambda, epsilonD: point.epsilonD, seed });
    return { index, key: cellKeyOfParsed(config), dataset: dataset.name, model, lambda: point.lambda, epsilonD: point.epsilonD, seed, config };
  }
}

/** Cell `index` of the sweep (expansion order), without expanding the others. */
export function cellAt(sweep: SweepConfig, index: number): SweepCell {
  return new Expander(sweep).cell(index);
}

/**
 * The cells of the sweep in expansion order, all of them or those with start ≤ index < end.
 * Throws if two cells of the range share a key (a bug: dataset names are unique, so keys are).
 */
export function expandSweep(sweep: SweepConfig, range: { start?: number; end?: number } = {}): SweepCell[] {
  const expander = new Expander(sweep);
  const start = Math.max(0, range.start ?? 0);
  const end = Math.min(expander.count, range.end ?? expander.count);
  const cells: SweepCell[] = [];
  const seen = new Map<string, number>();
  for (let index = start; index < end; index++) {
    const cell = expander.cell(index);
    const other = seen.get(cell.key);
    if (other !== undefined) throw new Error(`cells ${other} and ${index} of the sweep have the same key ${cell.key}`);
    seen.set(cell.key, index);
    cells.push(cell);
  }
  return cells;
}

/** What a cell evaluates: clean, then every attack at every ε_A (recsys/cell/evaluation-plan.ts, as `rexsweep cell` does). */
export function cellEvaluations(config: Pick<CellConfig, 'epsilonsA' | 'attacks'>): CellEvaluation[] {
  return evaluationPlan(config);
}
