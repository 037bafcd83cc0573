import { describe, expect, it } from 'vitest';
import { InputError, InfeasibleError } from '../../recsys/errors.ts';
import { pairKey, type PairMap, type ReviewRow, type Time } from '../../recsys/data/rows.ts';
import { sliceHistory, splitDataset, type SplitSettings } from '../../recsys/data/split.ts';
import { compareTimes } from '../../recsys/data/histories.ts';
import { sampleExcluding } from '../../recsys/data/negatives.ts';
import { Rng } from '../../recsys/random.ts';
import { row } from './helpers.ts';

const small: SplitSettings = { testLength: 2, valLength: 1, negLength: 3, sampleRatio: 2, maxRange: 5, splitSeed: 0 };
const item = (k: number) => `i${String(k).padStart(2, '0')}`;

/** Pair map from [user, item, time, rating?] in insertion (= raw file) order. */
function pairs(entries: [string, string, Time, number?][]): PairMap {
  const m: PairMap = new Map();
  entries.forEach(([user, it, time, rating], k) => {
    m.set(pairKey(user, it), { user, item: it, time, ...(rating === undefined ? {} : { rating }), source: { file: 'raw', line: k + 1 } });
  });
  return m;
}

/**
 * alice: items i00..i06 (ids 0..6), times 50,10,30,20,70,60,40 → H = [1,3,2,6,0,5,4]
 *        a second, later row for i01 (in X) and for i05 (test positive: its ground truth)
 * bob:   i07..i11 (ids 7..11); i07 and i08 share a time, the map lists i08 first
 * carol: 2 items → too short for a test list
 * dave:  exactly 3 items = testLength+valLength → a test list, no training pairs
 */
function corpus(time: (t: number) => Time) {
  const rows: ReviewRow[] = [];
  const alice = [50, 10, 30, 20, 70, 60, 40];
  alice.forEach((_, k) => rows.push(row('alice', item(k), [`f${k}+`])));
  rows.push(row('alice', item(1), ['f1+', 'f9-']));
  rows.push(row('alice', item(5), ['f0-', 'f5+']));
  for (let k = 7; k < 12; k++) rows.push(row('bob', item(k), ['f0+']));
  rows.push(row('carol', item(0), ['f0+']), row('carol', item(7), ['f0+']));
  rows.push(row('dave', item(1), ['f1+']), row('dave', item(2), ['f1+']), row('dave', item(3), ['f1-']));
  const p = pairs([
    ...alice.map((t, k): [string, string, Time, number?] => ['alice', item(k), time(t), k === 3 ? undefined : k % 5 + 1]),
    ['bob', item(8), time(100), 4], ['bob', item(7), time(100), 4], ['bob', item(9), time(90), 4], ['bob', item(10), time(110), 4], ['bob', item(11), time(120), 4],
    ['carol', item(0), time(5), 3], ['carol', item(7), time(6), 3],
    ['dave', item(3), time(3), 2], ['dave', item(2), time(2), 2], ['dave', item(1), time(1), 2],
  ]);
  return { rows, pairs: p };
}

/** Minutes → an ISO-like Yelp date string; code-point order = chronological order. */
const iso = (t: number) => `2015-01-01 ${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}:00`;

describe('split (brief §1.4–§1.5), small constants: testLength 2, valLength 1, negLength 3', () => {
  for (const [label, time] of [['unix numbers', (t: number) => 1_400_000_000 + t], ['ISO strings', iso]] as const) {
    it(`ids, chronological histories and the X/Y rows (${label})`, () => {
      const { rows, pairs: p } = corpus(time);
      const s = splitDataset(rows, p, small);
      expect(s.ids.users).toEqual(['alice', 'bob', 'carol', 'dave']);
      expect(s.ids.items).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(item));
      expect(s.ids.features.slice(0, 3)).toEqual(['f0', 'f1', 'f2']);
      expect(s.histories[0]).toEqual([1, 3, 2, 6, 0, 5, 4]);
      // bob: 9 (t=90), then the tie at 100 in map order (i08 before i07), then 10, 11
      expect(s.histories[1]).toEqual([9, 8, 7, 10, 11]);
      expect(s.histories[3]).toEqual([1, 2, 3]); // times 1, 2, 3 although the map lists i03 first
      // X/Y rows: alice's H[:-2] = {1,3,2,6,0}, both rows of i01, not the rows of 5 or 4
      const aliceXY = s.xyRows.filter((r) => r.user === 0).map((r) => r.item);
      expect(aliceXY).toEqual([0, 1, 2, 3, 6, 1]);
    });
  }

  it('training pairs: positives H[:-3] in order, 2 negatives per positive, distinct, outside the positives', () => {
    const { rows, pairs: p } = corpus((t) => t);
    const s = splitDataset(rows, p, small);
    const of = (u: number) => [...s.train.users.keys()].filter((k) => s.train.users[k] === u);
    const alice = of(0);
    const pos = alice.filter((k) => s.train.labels[k] === 1).map((k) => s.train.items[k]);
    const neg = alice.filter((k) => s.train.labels[k] === 0).map((k) => s.train.items[k]);
    expect(pos).toEqual([1, 3, 2, 6]);
    expect(neg).toHaveLength(8);
    expect(new Set(neg).size).toBe(8);
    for (const i of neg) expect(pos).not.toContain(i);
    // the positives come first, then the negatives
    expect(alice.map((k) => s.train.labels[k])).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // dave (|H| = 3) has no training pairs; carol (|H| = 2) neither
    expect(of(3)).toEqual([]);
    expect(of(2)).toEqual([]);
    expect(s.train.users.length).toBe(3 * 4 + 3 * 2); // alice 4+8, bob 2+4
  });

  it('test lists: H[-3:] first (label 1), then 3 negatives outside H; short users skipped and counted', () => {
    const { rows, pairs: p } = corpus((t) => t);
    const s = splitDataset(rows, p, small);
    expect(s.test.width).toBe(6);
    expect(Array.from(s.test.users)).toEqual([0, 1, 3]);
    expect(s.skippedTestUsers).toBe(1);
    const list = (t: number) => Array.from(s.test.items.subarray(t * 6, t * 6 + 6));
    expect(list(0).slice(0, 3)).toEqual([0, 5, 4]);
    expect(list(1).slice(0, 3)).toEqual([7, 10, 11]);
    expect(list(2).slice(0, 3)).toEqual([1, 2, 3]);
    expect(Array.from(s.test.labels)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    [0, 1, 3].forEach((u, t) => {
      const neg = list(t).slice(3);
      expect(new Set(neg).size).toBe(3);
      for (const i of neg) expect(s.histories[u]).not.toContain(i);
    });
  });

  it('ratings of the training positives; a missing one is maxRange and counted', () => {
    const { rows, pairs: p } = corpus((t) => t);
    const s = splitDataset(rows, p, small);
    const alice = [...s.ratings.users.keys()].filter((k) => s.ratings.users[k] === 0);
    expect(alice.map((k) => [s.ratings.items[k], s.ratings.values[k]])).toEqual([[1, 2], [3, 5], [2, 3], [6, 2]]);
    expect(s.imputedRatings).toBe(1); // alice's i03
    expect(s.ratings.users.length).toBe(4 + 2);
  });

  it('ground truth: per test positive, the features of the last row of (u, i), with sentiments', () => {
    const { rows, pairs: p } = corpus((t) => t);
    const s = splitDataset(rows, p, small);
    const f = (name: string) => s.ids.features.indexOf(name);
    expect(s.groundTruth.filter((g) => g.user === 0)).toEqual([
      { user: 0, item: 0, features: [f('f0')], sentiments: [1] },
      { user: 0, item: 5, features: [f('f0'), f('f5')], sentiments: [-1, 1] }, // the later row wins
      { user: 0, item: 4, features: [f('f4')], sentiments: [1] },
    ]);
    expect(s.groundTruth).toHaveLength(9);
  });

  it('same seed → same negatives; another splitSeed → other negatives', () => {
    const { rows, pairs: p } = corpus((t) => t);
    const a = splitDataset(rows, p, small);
    const b = splitDataset(rows, p, small);
    const c = splitDataset(rows, p, { ...small, splitSeed: 1 });
    expect(b.test.items).toEqual(a.test.items);
    expect(b.train.items).toEqual(a.train.items);
    expect(c.train.items).not.toEqual(a.train.items);
  });

  it('mixing unix numbers and date strings is an InputError pointing at the raw line', () => {
    const { rows, pairs: p } = corpus((t) => t);
    const bad = [...p.values()][4];
    bad.time = '2015-01-01';
    const err = (() => {
      try {
        splitDataset(rows, p, small);
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err!.message).toContain('raw:5 (field time)');
    expect(err!.message).toContain('unix seconds');
  });

  it('too few items for the training negatives → InfeasibleError', () => {
    const { rows, pairs: p } = corpus((t) => t);
    expect(() => splitDataset(rows, p, { ...small, sampleRatio: 3 })).toThrow(InfeasibleError);
  });

  it('no test list at all → InfeasibleError', () => {
    const { rows, pairs: p } = corpus((t) => t);
    expect(() => splitDataset(rows, p, { ...small, negLength: 50 })).toThrow(/no user has a test list/);
  });
});

describe('split with the reference constants (5, 1, 100, ratio 2)', () => {
  it('every list is 106 wide: the 6 last items first, 100 distinct unseen negatives', () => {
    const rows: ReviewRow[] = [];
    const entries: [string, string, Time, number?][] = [];
    // 13 filler users × 10 items cover 130 items; "main" reviews 20 of them in reverse order of id
    for (let u = 0; u < 13; u++) for (let k = 0; k < 10; k++) {
      rows.push(row(`f${u}`, item(u * 10 + k), ['x+']));
      entries.push([`f${u}`, item(u * 10 + k), 1000 + k, 4]);
    }
    for (let k = 0; k < 20; k++) {
      rows.push(row('main', item(119 - k * 3), ['x+']));
      entries.push(['main', item(119 - k * 3), 5000 - k, 4]); // later rows are older
    }
    const settings: SplitSettings = { testLength: 5, valLength: 1, negLength: 100, sampleRatio: 2, maxRange: 5, splitSeed: 0 };
    const s = splitDataset(rows, pairs(entries), settings);
    expect(s.test.width).toBe(106);
    expect(s.test.users.length).toBe(14);
    expect(s.test.items.length).toBe(14 * 106);
    for (let t = 0; t < 14; t++) {
      const u = s.test.users[t];
      const h = s.histories[u];
      const items = Array.from(s.test.items.subarray(t * 106, (t + 1) * 106));
      const labels = Array.from(s.test.labels.subarray(t * 106, (t + 1) * 106));
      expect(items.slice(0, 6)).toEqual(h.slice(-6));
      expect(labels).toEqual([...Array(6).fill(1), ...Array(100).fill(0)]);
      const neg = items.slice(6);
      expect(new Set(neg).size).toBe(100);
      for (const i of neg) expect(h).not.toContain(i);
    }
    const main = s.ids.userIndex.get('main')!;
    const trainOf = [...s.train.users.keys()].filter((k) => s.train.users[k] === main);
    const pos = trainOf.filter((k) => s.train.labels[k] === 1).map((k) => s.train.items[k]);
    const neg = trainOf.filter((k) => s.train.labels[k] === 0).map((k) => s.train.items[k]);
    expect(pos).toEqual(s.histories[main].slice(0, -6));
    expect(pos).toHaveLength(14);
    expect(neg).toHaveLength(28);
    expect(new Set(neg).size).toBe(28);
    // chronological: main's history is in time order, not row order
    expect(s.histories[main]).toEqual([...Array(20).keys()].reverse().map((k) => s.ids.itemIndex.get(item(119 - k * 3))!));
  });
});

describe('helpers', () => {
  it('sliceHistory follows Python slicing', () => {
    expect(sliceHistory([1, 2, 3, 4, 5, 6, 7, 8], 5, 1)).toEqual({ xy: [1, 2, 3], positives: [1, 2], testPositives: [3, 4, 5, 6, 7, 8] });
    expect(sliceHistory([1, 2, 3], 5, 1)).toEqual({ xy: [], positives: [], testPositives: null });
  });

  it('compareTimes: numbers numerically, strings by code point', () => {
    expect(compareTimes(9, 10)).toBeLessThan(0);
    expect(compareTimes('2015-09-01', '2015-10-01')).toBeLessThan(0);
    expect(compareTimes('b', 'a')).toBeGreaterThan(0);
  });

  it('sampleExcluding: distinct, outside the exclusion, both regimes, null when impossible', () => {
    const rng = new Rng(3);
    for (const [n, excl, k] of [[1000, 10, 50], [20, 10, 10]] as const) {
      const excluded = new Set([...Array(excl).keys()].map((x) => x * 2));
      const got = sampleExcluding(rng, n, excluded, k)!;
      expect(got).toHaveLength(k);
      expect(new Set(got).size).toBe(k);
      for (const i of got) {
        expect(excluded.has(i)).toBe(false);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(i).toBeLessThan(n);
      }
    }
    expect(sampleExcluding(rng, 5, new Set([0, 1]), 4)).toBeNull();
  });
});
