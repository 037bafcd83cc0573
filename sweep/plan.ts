/**
 * The plan of a sweep, before anything runs: how many cells (by dataset × model, vanilla and
 * defended), how many evaluations each, and a rough cost (cost-model.ts). Pure: dataset sizes
 * that need files (prepared manifests) are passed in by the caller (prepared-sizes.ts); synthetic
 * datasets without one are estimated from their settings; real ones without one are "unknown
 * until prepared".
 */
import { cellEvaluations, cellConfigFor, countCells, gridPoints, modelPoints, type GridPoint } from './expand.ts';
import { MODEL_SPECS } from '../recsys/models/specs.ts';
import { estimateCellCost, WASM_COST_MODEL, type CostModel } from './cost-model.ts';
import { estimateSyntheticSize, type DatasetSize } from './dataset-size.ts';
import { fixedSettingsFingerprint, sweepId } from './fingerprint.ts';
import type { ModelName, SweepConfig } from './schema.ts';

export interface PlanRow {
  dataset: string;
  model: ModelName;
  vanillaCells: number;
  defendedCells: number;
  cells: number;
  /** Estimated seconds of one vanilla / one defended cell; null when the dataset's size is unknown. */
  vanillaCellSeconds: number | null;
  defendedCellSeconds: number | null;
  /** Estimated seconds of all the row's cells; null when unknown. */
  seconds: number | null;
}

export interface PlanDataset {
  name: string;
  source: string;
  size: DatasetSize | null;
  /** Where the size comes from, or why it is unknown. */
  note: string;
}

export interface SweepPlan {
  sweepId: string;
  study: string;
  fingerprint: string;
  cells: number;
  vanillaCells: number;
  defendedCells: number;
  /** 1 (clean) + |ε_A| · |attacks|. */
  evaluationsPerCell: number;
  evaluations: number;
  grid: {
    datasets: number;
    models: number;
    /** (λ, ε_D) points: vanilla once + λ>0 × ε_D. */
    points: number;
    /** Models that are not learned (baselines): one point each. */
    baselines: number;
    seeds: number;
    epsilonsA: number;
    attacks: number;
  };
  rows: PlanRow[];
  datasets: PlanDataset[];
  cost: {
    rough: true;
    backend: string;
    assumption: string;
    concurrency: number;
    /** Sum of the estimated cell times of the datasets whose size is known. */
    computeSeconds: number;
    /** computeSeconds / concurrency, but at least the longest cell. A lower bound when incomplete. */
    wallSeconds: number;
    /** False when some dataset's size is unknown: the figures then leave its cells out. */
    complete: boolean;
    unknownDatasets: string[];
    /** Where prepared datasets are looked for. */
    datasetCache: string;
  };
}

export type KnownSizes = ReadonlyMap<string, DatasetSize>;

export function planSweep(sweep: SweepConfig, prepared: KnownSizes = new Map(), costModel: CostModel = WASM_COST_MODEL): SweepPlan {

  const datasets: PlanDataset[] = sweep.datasets.map((spec) => {
    const known = prepared.get(spec.name);
    if (known) return { name: spec.name, source: spec.source, size: known, note: `prepared dataset ${known.folder ?? ''}`.trim() };
    if (spec.source === 'synthetic') {
      return { name: spec.name, source: spec.source, size: estimateSyntheticSize(spec.synthetic, sweep.cell.data), note: 'estimated from the synthetic settings' };
    }
    return { name: spec.name, source: spec.source, size: null, note: `unknown until prepared (none under ${sweep.cell.datasetCache})` };
  });

  const rows: PlanRow[] = [];
  let longest = 0;
  for (const [d, spec] of sweep.datasets.entries()) {
    const size = datasets[d].size;
    for (const model of sweep.models) {
      // A model that is not learned has the vanilla point only (expand.ts modelPoints).
      const points = modelPoints(sweep, model);
      const vanillaPoint = points.find((p) => p.lambda === 0);
      const defendedPoint = points.find((p) => p.lambda > 0);
      const vanillaPerModel = (vanillaPoint ? 1 : 0) * sweep.seeds.length;
      const defendedPerModel = points.filter((p) => p.lambda > 0).length * sweep.seeds.length;
      const secondsAt = (point: GridPoint | undefined): number | null => {
        if (!point || !size) return null;
        const cost = estimateCellCost(cellConfigFor(sweep, spec, model, point, sweep.seeds[0]), size, costModel).totalSeconds;
        longest = Math.max(longest, cost);
        return cost;
      };
      const vanillaCellSeconds = secondsAt(vanillaPoint);
      const defendedCellSeconds = secondsAt(defendedPoint);
      rows.push({
        dataset: spec.name,
        model,
        vanillaCells: vanillaPerModel,
        defendedCells: defendedPerModel,
        cells: vanillaPerModel + defendedPerModel,
        vanillaCellSeconds,
        defendedCellSeconds,
        seconds: size ? vanillaPerModel * (vanillaCellSeconds ?? 0) + defendedPerModel * (defendedCellSeconds ?? 0) : null,
      });
    }
  }

  const cells = countCells(sweep);
  const evaluationsPerCell = cellEvaluations({ epsilonsA: sweep.epsilonsA, attacks: sweep.attacks }).length;
  const computeSeconds = rows.reduce((s, r) => s + (r.seconds ?? 0), 0);
  const unknownDatasets = datasets.filter((d) => !d.size).map((d) => d.name);
  return {
    sweepId: sweepId(sweep),
    study: sweep.study,
    fingerprint: fixedSettingsFingerprint(sweep),
    cells,
    vanillaCells: rows.reduce((s, r) => s + r.vanillaCells, 0),
    defendedCells: rows.reduce((s, r) => s + r.defendedCells, 0),
    evaluationsPerCell,
    evaluations: cells * evaluationsPerCell,
    grid: {
      datasets: sweep.datasets.length,
      models: sweep.models.length,
      points: gridPoints(sweep).length,
      baselines: sweep.models.filter((m) => !MODEL_SPECS[m].learned).length,
      seeds: sweep.seeds.length,
      epsilonsA: sweep.epsilonsA.length,
      attacks: sweep.attacks.length,
    },
    rows,
    datasets,
    cost: {
      rough: true,
      backend: costModel.backend,
      assumption: costModel.description,
      concurrency: sweep.concurrency,
      computeSeconds,
      wallSeconds: Math.max(computeSeconds / sweep.concurrency, longest),
      complete: unknownDatasets.length === 0,
      unknownDatasets,
      datasetCache: sweep.cell.datasetCache,
    },
  };
}
