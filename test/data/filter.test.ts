import { describe, expect, it } from 'vitest';
import { featureStep, filterRows, hasCasedLetter, userStep } from '../../recsys/data/filter.ts';
import { row } from './helpers.ts';

// featureThresh 1: a feature needs ≥ 2 mentions; userThresh 2: a user needs ≥ 2 rows.
const corpus = [
  row('u1', 'i1', ['a+']), // r1
  row('u1', 'i2', ['a-', 'b+']), // r2
  row('u2', 'i1', ['c+']), // r3
  row('u2', 'i3', ['b+', '42+']), // r4: "42" has no letter
  row('u3', 'i2', ['c-']), // r5: u3 has one row
  row('u4', 'i4', ['d+']), // r6
  row('u4', 'i5', ['d-', 'e+']), // r7
  row('u4', 'i1', ['e+']), // r8
];

describe('iterative filter (brief §1.3)', () => {
  it('worked by hand: c dies after u3 goes, u2 after c goes, b after u2 goes', () => {
    const { rows, passes } = filterRows(corpus, { featureThresh: 1, userThresh: 2 });
    // 1 feature: "42" removed (count 1, no letter); r4 keeps b → 8 rows, unchanged once
    // 2 user:    u3 (1 row) removed → 7 rows
    // 3 feature: c now has 1 mention → r3 emptied and dropped → 6 rows
    // 4 user:    u2 now has 1 row (r4) → removed → 5 rows
    // 5 feature: b now has 1 mention (r2) → removed from r2, which keeps a → 5 rows, unchanged once
    // 6 user:    nothing → unchanged twice → stop
    expect(passes).toEqual([
      { step: 'feature', rows: 8, users: 4, items: 5, features: 5 },
      { step: 'user', rows: 7, users: 3, items: 5, features: 5 },
      { step: 'feature', rows: 6, users: 3, items: 5, features: 4 },
      { step: 'user', rows: 5, users: 2, items: 4, features: 4 },
      { step: 'feature', rows: 5, users: 2, items: 4, features: 3 },
      { step: 'user', rows: 5, users: 2, items: 4, features: 3 },
    ]);
    expect(rows.map((r) => [r.user, r.item, r.triplets.map((t) => t[0])])).toEqual([
      ['u1', 'i1', ['a']],
      ['u1', 'i2', ['a']],
      ['u4', 'i4', ['d']],
      ['u4', 'i5', ['d', 'e']],
      ['u4', 'i1', ['e']],
    ]);
    // the input is not modified
    expect(corpus[1].triplets).toHaveLength(2);
  });

  it('stops after two unchanged half-steps when nothing is ever removed', () => {
    const { passes } = filterRows(corpus.slice(5), { featureThresh: 0, userThresh: 1 });
    expect(passes.map((p) => p.step)).toEqual(['feature', 'user']);
  });

  it('feature counts are strictly greater than the threshold and count repeats within a review', () => {
    const rows = [row('u', 'i', ['x+', 'x-']), row('u', 'j', ['y+'])];
    expect(featureStep(rows, 1).map((r) => r.triplets.map((t) => t[0]))).toEqual([['x', 'x']]);
    expect(featureStep(rows, 2)).toEqual([]);
  });

  it('user rows count review records, duplicates included (≥ userThresh)', () => {
    const rows = [row('u', 'i', ['x+']), row('u', 'i', ['x+']), row('v', 'i', ['x+'])];
    expect(userStep(rows, 2).map((r) => r.user)).toEqual(['u', 'u']);
  });

  it('a feature needs a cased letter, as Python s.lower().islower()', () => {
    expect(hasCasedLetter('wifi2')).toBe(true);
    expect(hasCasedLetter('É')).toBe(true);
    expect(hasCasedLetter('42')).toBe(false);
    expect(hasCasedLetter('中文')).toBe(false);
    expect(hasCasedLetter('')).toBe(false);
  });
});
