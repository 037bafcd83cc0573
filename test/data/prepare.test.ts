import { describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetSpecSchema, SyntheticSettingsSchema, type DatasetSpec } from '../../recsys/config.ts';
import { DatasetIntegrityError, InputError } from '../../recsys/errors.ts';
import { prepareDataset } from '../../recsys/data/prepare.ts';
import { generateSynthetic } from '../../recsys/data/synthetic.ts';
import { writeInterchange } from '../../recsys/data/interchange.ts';
import { fixture, hashTree, rejection, settings, tempDir } from './helpers.ts';

const synthetic = (over: object = {}): DatasetSpec => DatasetSpecSchema.parse({ source: 'synthetic', synthetic: over });

describe('prepareDataset: identity, cache, determinism', () => {
  it('same seed → byte-identical folders in different cache roots; second call is cached', async () => {
    const [rootA, rootB] = [await tempDir('prepA'), await tempDir('prepB')];
    const logs: string[] = [];
    const a = await prepareDataset(synthetic(), settings(), rootA, (m) => logs.push(m));
    const b = await prepareDataset(synthetic(), settings(), rootB);
    expect(a.cached).toBe(false);
    expect(a.folder.slice(rootA.length)).toBe(b.folder.slice(rootB.length));
    const treeA = await hashTree(rootA);
    expect(Object.keys(treeA).length).toBeGreaterThanOrEqual(14); // 13 dataset files + the generated source
    expect(await hashTree(rootB)).toEqual(treeA);
    // the reference's statistics were logged
    expect(logs.some((l) => /pass 1 \(feature\): reviews 2640, users 120, items \d+, features 24, user dense 22\.000/.test(l))).toBe(true);
    expect(logs.some((l) => /training samples: 5760; test users: 120/.test(l))).toBe(true);

    const again = await prepareDataset(synthetic(), settings(), rootA);
    expect(again.cached).toBe(true);
    expect(again.folder).toBe(a.folder);
    expect(again.dataset.manifest).toEqual(a.dataset.manifest);
    expect(again.dataset.X).toEqual(a.dataset.X);
    expect(again.dataset.test).toEqual(a.dataset.test);
  });

  it('another seed (generator or split) → another id and other data', async () => {
    const root = await tempDir('prep-seed');
    const base = await prepareDataset(synthetic(), settings(), root);
    const gen = await prepareDataset(synthetic({ seed: 1 }), settings(), root);
    const split = await prepareDataset(synthetic(), settings({ splitSeed: 1 }), root);
    expect(new Set([base.dataset.manifest.id, gen.dataset.manifest.id, split.dataset.manifest.id]).size).toBe(3);
    expect(gen.dataset.X).not.toEqual(base.dataset.X);
    expect(split.dataset.X).toEqual(base.dataset.X); // same corpus, same chronology
    expect(split.dataset.test.items).not.toEqual(base.dataset.test.items);
  });

  it('a corrupted cached folder is reported, not silently reused', async () => {
    const root = await tempDir('prep-corrupt');
    const { folder } = await prepareDataset(synthetic({ users: 40 }), settings(), root);
    const p = join(folder, 'X.f32');
    const bytes = await readFile(p);
    bytes[7] ^= 0x10;
    await writeFile(p, bytes);
    const err = await rejection(prepareDataset(synthetic({ users: 40 }), settings(), root));
    expect(err).toBeInstanceOf(DatasetIntegrityError);
    expect(err.message).toContain('X.f32');
  });

  it('a parse error leaves no dataset folder (nor a temporary one) behind', async () => {
    const root = await tempDir('prep-error');
    const spec = DatasetSpecSchema.parse({ source: 'interchange', name: 'bad', path: fixture('interchange-wrong-type.jsonl') });
    const err = await rejection(prepareDataset(spec, settings(), root));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain('interchange-wrong-type.jsonl:1');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('the same corpus in every on-disk format gives the same dataset', () => {
  it('interchange = Amazon Sentires + review JSON = Yelp Sentires + review.json', async () => {
    const dir = await tempDir('formats');
    const recs = generateSynthetic(SyntheticSettingsSchema.parse({ users: 60, seed: 5 }));
    const iso = (t: number) => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
    const sentiment = (s: number) => (s > 0 ? '+1' : '-1');
    const files = {
      interchange: join(dir, 'all.jsonl'),
      amazonSentires: join(dir, 'amazon.txt'),
      amazonReviews: join(dir, 'amazon.json'),
      yelpSentires: join(dir, 'yelp.jsonl'),
      yelpReviews: join(dir, 'yelp-review.json'),
    };
    await writeInterchange(files.interchange, recs);
    const line = (xs: unknown[]) => xs.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n') + '\n';
    await writeFile(files.amazonSentires, line(recs.map((r) => `${r.user}@${r.item}@@${r.triplets.map(([f, o, s]) => `${f}|${o}|${sentiment(s)}`).join('||')}`)));
    await writeFile(files.amazonReviews, line(recs.map((r) => ({ reviewerID: r.user, asin: r.item, unixReviewTime: r.time, overall: r.rating, reviewText: '…' }))));
    await writeFile(files.yelpSentires, line(recs.map((r) => ({ user: r.user, item: r.item, sentence: r.triplets.map(([f, o, s]) => [f, o, `${o} ${f}`, s]) }))));
    await writeFile(files.yelpReviews, line(recs.map((r) => ({ user_id: r.user, business_id: r.item, date: iso(r.time as number), stars: r.rating }))));

    const root = join(dir, 'cache');
    const s = settings();
    const specs: DatasetSpec[] = [
      DatasetSpecSchema.parse({ source: 'interchange', name: 'ix', path: files.interchange }),
      DatasetSpecSchema.parse({ source: 'amazon', name: 'amz', sentires: files.amazonSentires, reviews: files.amazonReviews }),
      DatasetSpecSchema.parse({ source: 'yelp', name: 'yelp', sentires: files.yelpSentires, reviews: files.yelpReviews }),
    ];
    const out = [];
    for (const spec of specs) out.push((await prepareDataset(spec, s, root)).dataset);
    for (const d of out.slice(1)) {
      expect(d.manifest.features).toEqual(out[0].manifest.features);
      expect(d.X).toEqual(out[0].X);
      expect(d.Y).toEqual(out[0].Y);
      expect(d.train).toEqual(out[0].train);
      expect(d.test).toEqual(out[0].test);
      expect(d.ratings).toEqual(out[0].ratings);
      expect(d.groundTruth).toEqual(out[0].groundTruth);
    }
    expect(out.map((d) => d.manifest.kind)).toEqual(['amazon', 'amazon', 'yelp']);
    expect(out[1].manifest.sources.map((x) => x.path)).toEqual([files.amazonSentires, files.amazonReviews]);
  });

  it('Amazon rows whose pair is missing from the review dump are dropped and the filter runs again', async () => {
    const dir = await tempDir('amz-missing');
    const recs = generateSynthetic(SyntheticSettingsSchema.parse({ users: 30, seed: 2 }));
    const sentires = join(dir, 's.txt');
    const reviews = join(dir, 'r.json');
    await writeFile(sentires, recs.map((r) => `${r.user}@${r.item}@@${r.triplets.map(([f, o, s]) => `${f}|${o}|${s > 0 ? '+1' : '-1'}`).join('||')}`).join('\n'));
    // u01 keeps only 9 timestamps (< userThresh 10): the second filter must remove it
    const u1 = recs.filter((r) => r.user === 'u01');
    const dropped = new Set(u1.slice(9).map((r) => r.item));
    const kept = recs.filter((r) => !(r.user === 'u01' && dropped.has(r.item)));
    await writeFile(reviews, kept.map((r) => JSON.stringify({ reviewerID: r.user, asin: r.item, unixReviewTime: r.time, overall: r.rating })).join('\n'));
    const logs: string[] = [];
    const spec = DatasetSpecSchema.parse({ source: 'amazon', name: 'amz', sentires, reviews });
    const { dataset } = await prepareDataset(spec, settings(), join(dir, 'cache'), (m) => logs.push(m));
    expect(logs).toContain(`dropped ${u1.length - 9} reviews whose (user, item) has no timestamp`);
    expect(dataset.manifest.userCount).toBe(29);
    expect(dataset.manifest.stats.filterPasses.at(-1)!.users).toBe(29);
  });
});
