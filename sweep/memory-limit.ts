/**
 * How much memory one cell may take, shared by the CLI's preflight (cli/preflight.ts) and the
 * compute workers (activities/compute-work.ts), so that `plan`, `run`, `cell` and a worker refuse
 * the same cells for the same reason. Pure: the environment value and the machine's memory are
 * passed in.
 */
import { InputError } from '../recsys/errors.ts';
import type { DatasetSize } from './dataset-size.ts';
import { estimateCellMemory, type CellMemoryEstimate } from './memory-model.ts';
import type { CellConfig } from '../recsys/config.ts';

export interface MemoryLimit {
  bytes: number;
  /** Where the limit comes from, for messages. */
  source: string;
}

const SUFFIX: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** REXSWEEP_MAX_CELL_MEMORY (bytes, or with a binary K/M/G/T suffix) when set, else the machine's memory. */
export function memoryLimitFrom(raw: string | undefined, machineBytes: number): MemoryLimit {
  const text = raw?.trim();
  if (!text) return { bytes: machineBytes, source: "this machine's total memory; set REXSWEEP_MAX_CELL_MEMORY for bigger workers" };
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text);
  if (!m || Number(m[1]) <= 0) throw new InputError({ file: '<environment>', field: 'REXSWEEP_MAX_CELL_MEMORY' }, 'a size in bytes, e.g. 8G or 512M', text);
  return { bytes: Number(m[1]) * SUFFIX[m[2].toUpperCase()], source: 'REXSWEEP_MAX_CELL_MEMORY' };
}

/** The estimate of a cell that does not fit the limit, or undefined when it fits. */
export function oversizedCell(cell: CellConfig, size: DatasetSize | null, limit: MemoryLimit): CellMemoryEstimate | undefined {
  const estimate = estimateCellMemory(cell, size);
  return estimate.bytes > limit.bytes ? estimate : undefined;
}
