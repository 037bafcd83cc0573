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
 *   CER       parameters P = 2F·h₁ + h₁·h₂ + … (cost-model.ts) × 4 copies (weights, gradients,
 *             Adam's two moments); activations batchSize · Σ widths × 4 (forward and backward);
 *             the explainer's Δ for chunkSize rows × F × 6
 *   EFM       with full residuals, users × items dense matrices × 4 (ratings, prediction,
 *             residual, gradient); factors (users + items) · (r + r′) + F · r, × 4 copies
 *
 * Without a dataset size (file data not yet prepared) only the model's parameters count, at F = 1.
 * Pure: sweep/ code. Each term names the cell-config field a user would change.
 */
import { resolveCellConfig, type CellConfig } from '../recsys/config.ts';
import { cerParameterCount } from './cost-model.ts';
import type { DatasetSize } from './dataset-size.ts';

const F32 = 4;

export interface MemoryTerm {
  /** Cell-config field to blame, e.g. `cer.hidden`, `dataset.synthetic.users`. */
  field: string;
  what: string;
  bytes: number;
}

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

  if (c.model === 'cer') {
    const widths = [2 * F, ...c.cer.hidden, 1];
    terms.push({ field: 'cer.hidden', what: "the MLP's parameters, gradients and Adam moments", bytes: 4 * cerParameterCount(F, c.cer.hidden) * F32 });
    const width = widths.reduce((a, b) => a + b, 0);
    // Blame the factor out of proportion: a batch wider than the network, or the network.
    terms.push({ field: c.cer.batchSize > width ? 'cer.batchSize' : 'cer.hidden', what: "the MLP's activations", bytes: 2 * c.cer.batchSize * width * F32 });
    terms.push({ field: 'explainer.chunkSize', what: "the explainer's Δ", bytes: 6 * Math.min(c.explainer.chunkSize, Math.max(1, users) * 5) * F * F32 });
  } else if (c.model === 'efm') {
    if (c.choices.efmResiduals === 'full' && size) terms.push({ field: sizeField, what: 'the dense users × items matrices of EFM', bytes: 4 * users * items * F32 });
    const factors = (Math.max(users, 1) + Math.max(items, 1)) * (c.efm.explicitFactors + c.efm.latentFactors) + F * c.efm.explicitFactors;
    const factorField = c.efm.latentFactors >= c.efm.explicitFactors ? 'efm.latentFactors' : 'efm.explicitFactors';
    terms.push({ field: factorField, what: "EFM's factor matrices and their gradients", bytes: 4 * factors * F32 });
  }
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
