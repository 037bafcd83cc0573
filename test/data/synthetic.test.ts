import { describe, expect, it } from 'vitest';
import { DatasetSpecSchema, SyntheticSettingsSchema } from '../../recsys/config.ts';
import { generateSynthetic, syntheticFeatureName } from '../../recsys/data/synthetic.ts';
import { prepareDataset } from '../../recsys/data/prepare.ts';
import { ndcgAtK } from '../../recsys/metrics/index.ts';
import type { PreparedDataset } from '../../recsys/data/dataset.ts';
import { settings, tempDir } from './helpers.ts';

/** Mean NDCG@5 over the test lists of a scorer that sees only the prepared data. */
function meanNdcg(d: PreparedDataset, score: (u: number, i: number) => number): number {
  const W = d.test.width;
  let total = 0;
  for (let t = 0; t < d.test.users.length; t++) {
    const u = d.test.users[t];
    const scores = Float32Array.from({ length: W }, (_, j) => score(u, d.test.items[t * W + j]));
    total += ndcgAtK(d.test.labels.subarray(t * W, (t + 1) * W), scores, 5);
  }
  return total / d.test.users.length;
}

describe('synthetic generator', () => {
  it('defaults survive the Amazon thresholds: all users, all features, 106-wide lists', async () => {
    const spec = DatasetSpecSchema.parse({ source: 'synthetic' });
    const { dataset: d } = await prepareDataset(spec, settings(), await tempDir('syn'));
    const m = d.manifest;
    expect(m.kind).toBe('synthetic');
    expect(m.userCount).toBe(120);
    expect(m.featureCount).toBe(24);
    expect(m.itemCount).toBeGreaterThanOrEqual(140);
    expect(m.stats.reviews).toBe(120 * 22);
    expect(m.stats.testUsers).toBe(120);
    expect(m.stats.skippedTestUsers).toBe(0);
    expect(m.stats.imputedRatings).toBe(0);
    expect(d.test.width).toBe(106);
    expect(d.test.items.length).toBe(120 * 106);
    expect(m.features).toContain('battery life');
    expect(d.train.users.length).toBe(120 * 16 * 3); // 16 positives + 32 negatives per user
    expect(d.ratings.values.every((r) => r >= 1 && r <= 5 && Number.isInteger(r))).toBe(true);
    expect(d.groundTruth).toHaveLength(120 * 6);
    expect(d.groundTruth.every((g) => g.features.length === 3)).toBe(true);
  });

  it('is learnable: scorers using only the prepared data beat random order (6/106-ish) several times', async () => {
    const spec = DatasetSpecSchema.parse({ source: 'synthetic' });
    const { dataset: d } = await prepareDataset(spec, settings(), await tempDir('syn-learn'));
    const F = d.manifest.featureCount;
    const xy = meanNdcg(d, (u, i) => {
      let s = 0;
      for (let f = 0; f < F; f++) s += d.X[u * F + f] * d.Y[i * F + f];
      return s;
    });
    const popularity = new Float64Array(d.manifest.itemCount);
    d.train.items.forEach((i, k) => (popularity[i] += d.train.labels[k]));
    const pop = meanNdcg(d, (_, i) => popularity[i]);
    const constant = meanNdcg(d, () => 0); // ties: the expected value of a random order
    expect(constant).toBeLessThan(0.08);
    expect(xy).toBeGreaterThan(0.22);
    expect(pop).toBeGreaterThan(0.15);
    // personal feature matching matters more than popularity, which is what explanations need
    expect(xy).toBeGreaterThan(pop);
  });

  it('sentiments follow item quality: the same item-feature mostly gets the same sign', () => {
    const recs = generateSynthetic(SyntheticSettingsSchema.parse({}));
    const sums = new Map<string, { pos: number; n: number }>();
    for (const r of recs) for (const [f, , s] of r.triplets) {
      const k = `${r.item}/${f}`;
      const v = sums.get(k) ?? { pos: 0, n: 0 };
      v.pos += s > 0 ? 1 : 0;
      v.n++;
      sums.set(k, v);
    }
    let agree = 0;
    let total = 0;
    for (const { pos, n } of sums.values()) {
      agree += Math.max(pos, n - pos);
      total += n;
    }
    expect(agree / total).toBeGreaterThan(0.85);
  });

  it('times increase per user; sizes and seed are parameters; same seed same records', () => {
    const s = SyntheticSettingsSchema.parse({ users: 7, items: 30, features: 40, reviewsPerUser: 5, featuresPerReview: 2, seed: 3 });
    const recs = generateSynthetic(s);
    expect(recs).toHaveLength(35);
    const last = new Map<string, number>();
    for (const r of recs) {
      expect(r.time as number).toBeGreaterThan(last.get(r.user) ?? -Infinity);
      last.set(r.user, r.time as number);
      expect(r.triplets).toHaveLength(2);
    }
    expect(new Set(recs.map((r) => r.user)).size).toBe(7);
    expect(generateSynthetic(s)).toEqual(recs);
    expect(generateSynthetic({ ...s, seed: 4 })).not.toEqual(recs);
    expect(syntheticFeatureName(0)).toBe('battery life');
    expect(syntheticFeatureName(35)).toBe('feature_36');
  });
});
