/**
 * The (user, item) → time/rating map and the post-filter steps of paper-brief §1.3: drop rows
 * whose pair has no timestamp, then (after filtering again) prune the map to surviving pairs.
 * Insertion order is preserved everywhere: it breaks ties of the chronological sort.
 */
import { pairKey, type PairInfo, type PairMap, type ReviewRow } from './rows.ts';

/** Pairs from rows that carry their own time (interchange): first occurrence wins. */
export function pairsFromRows(rows: readonly ReviewRow[]): PairMap {
  const pairs: PairMap = new Map();
  for (const row of rows) {
    if (row.time === undefined) continue;
    const key = pairKey(row.user, row.item);
    if (pairs.has(key)) continue;
    const info: PairInfo = { user: row.user, item: row.item, time: row.time, source: row.source };
    if (row.rating !== undefined) info.rating = row.rating;
    pairs.set(key, info);
  }
  return fillRatingsFromRows(pairs, rows);
}

/** Pairs without a rating take the first rating any of their rows carries (Yelp Sentires `rating`). */
export function fillRatingsFromRows(pairs: PairMap, rows: readonly ReviewRow[]): PairMap {
  const rowRating = new Map<string, number>();
  for (const row of rows) {
    const key = pairKey(row.user, row.item);
    if (row.rating !== undefined && !rowRating.has(key)) rowRating.set(key, row.rating);
  }
  const out: PairMap = new Map();
  for (const [key, info] of pairs) {
    const r = rowRating.get(key);
    out.set(key, info.rating === undefined && r !== undefined ? { ...info, rating: r } : info);
  }
  return out;
}

export function rowPairKeys(rows: readonly ReviewRow[]): Set<string> {
  return new Set(rows.map((r) => pairKey(r.user, r.item)));
}

export function keepRowsWithPairs(rows: readonly ReviewRow[], pairs: PairMap): ReviewRow[] {
  return rows.filter((r) => pairs.has(pairKey(r.user, r.item)));
}

export function prunePairs(pairs: PairMap, rows: readonly ReviewRow[]): PairMap {
  const live = rowPairKeys(rows);
  const out: PairMap = new Map();
  for (const [key, info] of pairs) if (live.has(key)) out.set(key, info);
  return out;
}
