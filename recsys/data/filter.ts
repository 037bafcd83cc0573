/**
 * The iterative feature/user filter (paper-brief §1.3), exactly as the reference's
 * sentiment_data_filtering: alternate a feature half-step and a user half-step, and stop once
 * the row count has stayed the same for two consecutive half-steps. Pure: rows in, rows out.
 */
import type { DatasetStats } from './dataset.ts';
import type { ReviewRow } from './rows.ts';

export type FilterPass = DatasetStats['filterPasses'][number];

export interface FilterThresholds {
  /** Keep users with at least this many rows (review records; duplicates count). */
  userThresh: number;
  /** Keep features mentioned strictly more than this many times. */
  featureThresh: number;
}

/**
 * Python's `s.lower().islower()`: true iff s has a cased letter (categories Lu, Ll, Lt).
 * So "wifi2" passes, "2" and "中文" do not, as in the reference.
 */
export function hasCasedLetter(s: string): boolean {
  return /[\p{Lu}\p{Ll}\p{Lt}]/u.test(s);
}

/** Drops triplets of features that lack a letter or have ≤ featureThresh mentions; drops emptied rows. */
export function featureStep(rows: readonly ReviewRow[], featureThresh: number): ReviewRow[] {
  const counts = new Map<string, number>();
  for (const row of rows) for (const [f] of row.triplets) counts.set(f, (counts.get(f) ?? 0) + 1);
  const valid = new Set<string>();
  for (const [f, n] of counts) if (n > featureThresh && hasCasedLetter(f)) valid.add(f);
  const out: ReviewRow[] = [];
  for (const row of rows) {
    const kept = row.triplets.filter(([f]) => valid.has(f));
    if (kept.length === 0) continue;
    out.push(kept.length === row.triplets.length ? row : { ...row, triplets: kept });
  }
  return out;
}

/** Keeps the rows of users with at least userThresh rows (the reference's len(rows) > thresh − 1). */
export function userStep(rows: readonly ReviewRow[], userThresh: number): ReviewRow[] {
  const perUser = new Map<string, number>();
  for (const row of rows) perUser.set(row.user, (perUser.get(row.user) ?? 0) + 1);
  return rows.filter((row) => (perUser.get(row.user) ?? 0) >= userThresh);
}

/** Rows, distinct users, items and features: what the reference prints at each pass. */
export function corpusCounts(rows: readonly ReviewRow[]): Omit<FilterPass, 'step'> {
  const users = new Set<string>();
  const items = new Set<string>();
  const features = new Set<string>();
  for (const row of rows) {
    users.add(row.user);
    items.add(row.item);
    for (const [f] of row.triplets) features.add(f);
  }
  return { rows: rows.length, users: users.size, items: items.size, features: features.size };
}

export function filterRows(input: readonly ReviewRow[], t: FilterThresholds): { rows: ReviewRow[]; passes: FilterPass[] } {
  let rows = input.slice();
  const passes: FilterPass[] = [];
  let last = rows.length;
  let unchanged = 0;
  // Returns true when the stop rule fires after this half-step.
  const settle = (step: FilterPass['step']): boolean => {
    passes.push({ step, ...corpusCounts(rows) });
    if (rows.length !== last) {
      last = rows.length;
      unchanged = 0;
      return false;
    }
    return ++unchanged === 2;
  };
  for (;;) {
    rows = featureStep(rows, t.featureThresh);
    if (settle('feature')) break;
    rows = userStep(rows, t.userThresh);
    if (settle('user')) break;
  }
  return { rows, passes };
}
