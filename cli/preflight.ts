/**
 * The memory preflight of `plan`, `run` and `cell`: every (dataset, model) of a sweep, or the one
 * cell, is estimated (sweep/memory-model.ts) and refused, as bad input (exit 2, nothing started),
 * when it cannot fit a worker: more than REXSWEEP_MAX_CELL_MEMORY (bytes, or with a K/M/G/T
 * suffix, binary), by default this machine's total memory. Workers on bigger machines: raise it.
 */
import { totalmem } from 'node:os';
import type { CellConfig } from '../recsys/config.ts';
import { ConfigError, InputError } from '../recsys/errors.ts';
import type { DatasetSize } from '../sweep/dataset-size.ts';
import { estimateSyntheticSize } from '../sweep/dataset-size.ts';
import { cellConfigFor, gridPoints } from '../sweep/expand.ts';
import { formatBytes } from '../sweep/memory-model.ts';
import { memoryLimitFrom, oversizedCell, type MemoryLimit } from '../sweep/memory-limit.ts';
import type { SweepConfig } from '../sweep/schema.ts';
import { resolveCellConfig } from '../recsys/config.ts';

/** The limit in bytes: REXSWEEP_MAX_CELL_MEMORY, else the machine's total memory. */
export function cellMemoryLimit(env: Record<string, string | undefined> = process.env): MemoryLimit {
  return memoryLimitFrom(env.REXSWEEP_MAX_CELL_MEMORY, totalmem());
}

/** The problem with one cell, or undefined when it fits. `fieldOf` maps a cell-config field to the file's. */
function cellProblem(cell: CellConfig, size: DatasetSize | null, file: string, limit: MemoryLimit, fieldOf: (f: string) => string, label: string): InputError | undefined {
  const est = oversizedCell(cell, size, limit);
  if (!est) return undefined;
  return new InputError(
    { file, field: fieldOf(est.dominant.field) },
    `a cell that fits in ${formatBytes(limit.bytes)} of memory (${limit.source})`,
    `an estimated ${formatBytes(est.bytes)} for ${label}, ${formatBytes(est.dominant.bytes)} of it ${est.dominant.what}`,
  );
}

function syntheticSize(cell: CellConfig): DatasetSize | null {
  if (cell.dataset.source !== 'synthetic') return null;
  return estimateSyntheticSize(cell.dataset.synthetic, resolveCellConfig(cell).data);
}

/** `rexsweep cell`: the cell's own fields. */
export function preflightCell(cell: CellConfig, file: string, limit = cellMemoryLimit()): void {
  const problem = cellProblem(cell, syntheticSize(cell), file, limit, (f) => f, `this ${cell.model} cell`);
  if (problem) throw new ConfigError(file, [problem]);
}

/** `plan` and `run`: one cell per (dataset, model); `sizes` are prepared sizes by dataset name. */
export function preflightSweep(sweep: SweepConfig, file: string, sizes: Map<string, DatasetSize> = new Map(), limit = cellMemoryLimit()): void {
  const point = gridPoints(sweep)[0];
  const problems: InputError[] = [];
  sweep.datasets.forEach((spec, d) => {
    for (const model of sweep.models) {
      const cell = cellConfigFor(sweep, spec, model, point, sweep.seeds[0]);
      const fieldOf = (f: string) => (f === 'dataset' ? `datasets[${d}]` : f.startsWith('dataset.') ? `datasets[${d}].${f.slice('dataset.'.length)}` : `cell.${f}`);
      const p = cellProblem(cell, sizes.get(spec.name) ?? syntheticSize(cell), file, limit, fieldOf, `a ${model} cell on dataset ${spec.name}`);
      if (p) problems.push(p);
    }
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
}
