/**
 * Integer ids (paper-brief §1.4): users, items and features are numbered 0..n−1 in order of
 * first appearance in the filtered sentiment rows (features: row order, then triplet order).
 */
import type { ReviewRow, Sentiment } from './rows.ts';

export interface IdMaps {
  /** id → raw name */
  users: string[];
  items: string[];
  features: string[];
  userIndex: Map<string, number>;
  itemIndex: Map<string, number>;
  featureIndex: Map<string, number>;
}

/** A review row in ids; opinions are dropped (nothing downstream reads them). */
export interface EncodedRow {
  user: number;
  item: number;
  features: number[];
  sentiments: Sentiment[];
}

export function assignIds(rows: readonly ReviewRow[]): IdMaps {
  const users: string[] = [];
  const items: string[] = [];
  const features: string[] = [];
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const featureIndex = new Map<string, number>();
  const add = (name: string, list: string[], index: Map<string, number>) => {
    if (!index.has(name)) {
      index.set(name, list.length);
      list.push(name);
    }
  };
  for (const row of rows) {
    add(row.user, users, userIndex);
    add(row.item, items, itemIndex);
    for (const [f] of row.triplets) add(f, features, featureIndex);
  }
  return { users, items, features, userIndex, itemIndex, featureIndex };
}

export function encodeRows(rows: readonly ReviewRow[], ids: IdMaps): EncodedRow[] {
  return rows.map((row) => ({
    user: ids.userIndex.get(row.user)!,
    item: ids.itemIndex.get(row.item)!,
    features: row.triplets.map(([f]) => ids.featureIndex.get(f)!),
    sentiments: row.triplets.map(([, , s]) => s),
  }));
}
