/**
 * Parsed rows → everything a PreparedDataset holds except its identity: filter (§1.3), attach
 * timestamps and drop untimed rows, filter again, split (§1.4–§1.5), X/Y (§1.6), statistics (§1.7).
 * Source-agnostic: the caller says how timestamps are found for the filtered rows.
 */
import { InfeasibleError } from '../errors.ts';
import type { ResolvedDataSettings } from '../config.ts';
import type { DatasetStats, PreparedDataset } from './dataset.ts';
import { corpusCounts, filterRows, type FilterPass } from './filter.ts';
import { buildMatrices } from './matrices.ts';
import { keepRowsWithPairs, prunePairs } from './pairs.ts';
import type { PairMap, ReviewRow } from './rows.ts';
import { splitDataset } from './split.ts';

export type BuiltDataset = Omit<PreparedDataset, 'manifest'> & {
  userCount: number;
  itemCount: number;
  featureCount: number;
  features: string[];
  stats: DatasetStats;
};

export type Log = (message: string) => void;

/** The reference's per-pass print (utils/functions.py): review, user, item, feature counts and rows/user. */
export function describePass(label: string, p: Omit<FilterPass, 'step'>): string {
  const dense = p.users === 0 ? 0 : p.rows / p.users;
  return `${label}: reviews ${p.rows}, users ${p.users}, items ${p.items}, features ${p.features}, user dense ${dense.toFixed(3)}`;
}

function filterLogged(rows: readonly ReviewRow[], s: ResolvedDataSettings, log: Log, round: string): { rows: ReviewRow[]; passes: FilterPass[] } {
  log(describePass(`${round} original`, corpusCounts(rows)));
  const result = filterRows(rows, s);
  result.passes.forEach((p, k) => log(describePass(`${round} pass ${k + 1} (${p.step})`, p)));
  return result;
}

/**
 * `pairsFor(filteredRows)` returns the (user, item) → time/rating map, first occurrence first
 * (from the raw review file, or from the rows themselves for the interchange format).
 */
export async function buildDataset(
  rows: readonly ReviewRow[],
  pairsFor: (filtered: readonly ReviewRow[]) => Promise<PairMap>,
  s: ResolvedDataSettings,
  log: Log = () => {},
): Promise<BuiltDataset> {
  const first = filterLogged(rows, s, log, 'filter 1');
  const pairs = await pairsFor(first.rows);
  const timed = keepRowsWithPairs(first.rows, pairs);
  log(`dropped ${first.rows.length - timed.length} reviews whose (user, item) has no timestamp`);
  const second = filterLogged(timed, s, log, 'filter 2');
  if (second.rows.length === 0) {
    throw new InfeasibleError(`no review survives filtering (userThresh ${s.userThresh}, featureThresh ${s.featureThresh})`);
  }
  const split = splitDataset(second.rows, prunePairs(pairs, second.rows), s);
  const userCount = split.ids.users.length;
  const itemCount = split.ids.items.length;
  const featureCount = split.ids.features.length;
  const { X, Y } = buildMatrices(split.xyRows, userCount, itemCount, featureCount, s.maxRange);
  const stats: DatasetStats = {
    reviews: second.rows.length,
    users: userCount,
    items: itemCount,
    features: featureCount,
    trainPairs: split.train.users.length,
    testUsers: split.test.users.length,
    filterPasses: [...first.passes, ...second.passes],
    skippedTestUsers: split.skippedTestUsers,
    imputedRatings: split.imputedRatings,
  };
  log(`training samples: ${stats.trainPairs}; test users: ${stats.testUsers} (lists of ${split.test.width})`);
  if (stats.skippedTestUsers) log(`users without a test list (history or unseen items too few): ${stats.skippedTestUsers}`);
  if (stats.imputedRatings) log(`training ratings missing, set to maxRange ${s.maxRange}: ${stats.imputedRatings}`);
  return {
    X,
    Y,
    train: split.train,
    test: split.test,
    ratings: split.ratings,
    groundTruth: split.groundTruth,
    userCount,
    itemCount,
    featureCount,
    features: split.ids.features,
    stats,
  };
}
