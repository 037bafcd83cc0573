/**
 * A preflight estimate of one cell's peak memory from its config and its dataset's size, so that
 * an absurd size (`cer: {hidden: [100000000]}`, `synthetic: {users: 2000000000}`) is refused at
 * `plan`/`run`/`cell` time with the field to blame, instead of exhausting a worker's memory after
 * minutes (issue 11). It is an order of magnitude, deliberately on the low side (float32 tensors
 * and the copies the code is known to make), so that only configs that cannot fit are refused.
 *
 *   data      X (users × F) and Y (items × F), dense, plus the perturbed copy and its gradient
 *   synthetic the generated reviews before filtering: users · reviewsPerUser rows of
 *             featuresPerReview triplets (~40 B each) plus ~48 B a row
 *   pairs     trainPairs · ~24 B
 *   model     each model's own terms, from its spec (recsys/models/<name>/spec.ts memoryTerms)
 *
 * Without a dataset size (file data not yet prepared) only the model's parameters count, at F = 1.
 * Pure: sweep/ code. Each term names the cell-config field a user would change.
 */
import { resolveCellConfig, type CellConfig } from '../recsys/config.ts';
import { F32, type MemoryTerm } from '../recsys/models/model-spec.ts';
import { MODEL_SPECS } from '../recsys/models/specs.ts';
import type { DatasetSize } from './dataset-size.ts';

export type { MemoryTerm } from '../recsys/models/model-spec.ts';

export interface CellMemoryEstimate {
  bytes: number;
  terms: MemoryTerm[];
  /** The largest term. */
  dominant: MemoryTerm;
}

export function estimateCellMemory(input: CellConfig, size: DatasetSize | null): CellMemoryEstimate {
  const c = resolveCellConfig(input);
  const terms: MemoryTerm[] = [];
  const F = size?.features ?? 1;
  const users = size?.users ?? 0;
  const items = size?.items ?? 0;
  const synthetic = c.dataset.source === 'synthetic' ? c.dataset.synthetic : undefined;
  const sizeField = synthetic ? (users >= items ? 'dataset.synthetic.users' : 'dataset.synthetic.items') : 'dataset';

  if (size) terms.push({ field: sizeField, what: 'the feature matrices X and Y', bytes: 4 * (users + items) * F * F32 });
  if (synthetic) {
    const rows = synthetic.users * synthetic.reviewsPerUser;
    terms.push({ field: 'dataset.synthetic.users', what: 'the generated reviews', bytes: rows * (48 + 40 * synthetic.featuresPerReview) });
  }
  if (size) terms.push({ field: sizeField, what: 'the training pairs', bytes: size.trainPairs * 24 });

  terms.push(...MODEL_SPECS[c.model].memoryTerms(c, { features: F, users, items, sizeField, known: size !== null }));
  const bytes = terms.reduce((s, t) => s + t.bytes, 0);
  const dominant = terms.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { bytes, terms, dominant };
}

/** 1536 → "1.5 KiB"; for messages. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) (n /= 1024), u++;
  return `${n < 10 && u > 0 ? n.toFixed(1) : Math.round(n)} ${units[u]}`;
}
