/**
 * The grid hash: one short value that identifies the SET of a sweep's cell keys, so that `run`
 * can tell a completed sweep with the same grid (nothing left to do) from one whose grid grew.
 *
 * It never expands the grid. The cells are a product (expand.ts): for each (dataset, model) one
 * template config, times every grid point (λ, ε_D), times every seed; a cell's key is the
 * template's identity with λ, ε_D and the seed set. Two sweeps therefore have the same set of
 * keys exactly when they have the same set of template identities, the same set of points and
 * the same set of seeds (each set is non-empty), so hashing those three sorted sets costs
 * O(datasets·models + points + seeds) time and memory, a few milliseconds for a 10⁷-cell grid,
 * where hashing every key took minutes and gigabytes. File order does not matter, as it did not
 * when the sorted keys were hashed.
 *
 * The value differs from the earlier hash (sha256 of the sorted keys). A sweep completed before
 * the change has the old value in its memo: `run` then starts a new run of it, which finds every
 * cell finished and completes at once. Nothing is recomputed, so the format carries no version.
 *
 * Pure: sweep/ code, no Node built-ins.
 */
import { canonicalJson } from './canonical.ts';
import { cellKeyOfParsed } from './cell-key.ts';
import { cellConfigFor, gridPoints } from './expand.ts';
import type { SweepConfig } from './schema.ts';
import { sha256Hex } from './sha256.ts';

export function gridHash(config: SweepConfig): string {
  const points = gridPoints(config);
  const templates: string[] = [];
  for (const dataset of config.datasets) {
    for (const model of config.models) {
      // The key of the (dataset, model) cell at λ 0, ε_D 0, seed 0 stands for its template: every
      // setting but those three is in it (cell-key.ts).
      const template = cellConfigFor(config, dataset, model, points[0], config.seeds[0]);
      templates.push(cellKeyOfParsed({ ...template, lambda: 0, epsilonD: 0, seed: 0 }));
    }
  }
  const uniqueSorted = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k]) => k);
  const body = {
    templates: uniqueSorted(templates, (t) => t),
    points: uniqueSorted(points, (p) => canonicalJson([p.lambda, p.epsilonD])),
    seeds: uniqueSorted(config.seeds, (s) => canonicalJson(s)),
  };
  return sha256Hex(canonicalJson(body)).slice(0, 16);
}
