/**
 * Chronological interaction histories (paper-brief §1.4): the (user, item) pairs are stably
 * sorted by timestamp (ties keep the pair map's order, i.e. the raw file's order, as the
 * reference's dict), then split per user. Unix numbers compare numerically; date strings
 * compare by code point, which is chronological for the ISO-like Yelp format.
 */
import { InputError } from '../errors.ts';
import type { IdMaps } from './ids.ts';
import type { PairInfo, PairMap, Time } from './rows.ts';

export function compareTimes(a: Time, b: Time): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Mixing unix numbers and date strings has no chronological order: refuse it, pointing at the line. */
function assertOneTimeKind(pairs: readonly PairInfo[]): void {
  if (pairs.length === 0) return;
  const first = pairs[0];
  const kind = typeof first.time;
  for (const p of pairs) {
    if (typeof p.time !== kind) {
      const expected = `a ${kind === 'number' ? 'number (unix seconds)' : 'date string'} like the first timestamp (${first.source.file}:${first.source.line})`;
      throw new InputError({ ...p.source, field: 'time' }, expected, JSON.stringify(p.time));
    }
  }
}

/** histories[u] = u's item ids in chronological order. Pairs of unknown users/items are ignored. */
export function buildHistories(pairs: PairMap, ids: IdMaps): { histories: number[][]; infoOf: (user: number, item: number) => PairInfo | undefined } {
  const known = [...pairs.values()].filter((p) => ids.userIndex.has(p.user) && ids.itemIndex.has(p.item));
  assertOneTimeKind(known);
  const sorted = known.slice().sort((a, b) => compareTimes(a.time, b.time)); // Array.prototype.sort is stable
  const histories: number[][] = ids.users.map(() => []);
  const byPair = new Map<number, PairInfo>();
  const itemCount = ids.items.length;
  for (const p of sorted) {
    const u = ids.userIndex.get(p.user)!;
    const i = ids.itemIndex.get(p.item)!;
    histories[u].push(i);
    byPair.set(u * itemCount + i, p);
  }
  return { histories, infoOf: (user, item) => byPair.get(user * itemCount + item) };
}
