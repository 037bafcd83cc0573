import { describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetIntegrityError } from '../../recsys/errors.ts';
import { DATASET_FORMAT_VERSION, type PreparedDataset } from '../../recsys/data/dataset.ts';
import { datasetFolderName, fromLittleEndian, readPreparedDataset, toLittleEndian, writePreparedDataset } from '../../recsys/data/store.ts';
import { hashTree, rejection, tempDir } from './helpers.ts';

function tiny(): PreparedDataset {
  return {
    manifest: {
      formatVersion: DATASET_FORMAT_VERSION,
      id: 'ab'.repeat(32),
      name: 'tiny/set',
      kind: 'synthetic',
      userCount: 2,
      itemCount: 3,
      featureCount: 2,
      features: ['screen', 'battery life'],
      maxRange: 5,
      settings: { testLength: 1 },
      sources: [{ path: 'x.jsonl', sha256: '00', bytes: 3 }],
      stats: { reviews: 4, users: 2, items: 3, features: 2, trainPairs: 3, testUsers: 1, filterPasses: [{ step: 'feature', rows: 4, users: 2, items: 3, features: 2 }] },
      files: {},
    },
    X: Float32Array.from([2.8485, 0, 0, 4.0464]),
    Y: Float32Array.from([1.5, 0, 0, 3, 4.8, -0.25]),
    train: { users: Int32Array.from([0, 0, 1]), items: Int32Array.from([1, 2, 0]), labels: Float32Array.from([1, 0, 1]) },
    test: { users: Int32Array.from([1]), width: 3, items: Int32Array.from([2, 0, 1]), labels: Uint8Array.from([1, 0, 0]) },
    ratings: { users: Int32Array.from([0, 1]), items: Int32Array.from([1, 0]), values: Float32Array.from([4, 5]) },
    groundTruth: [{ user: 1, item: 2, features: [0, 0, 1], sentiments: [1, -1, 1] }],
  };
}

describe('store', () => {
  it('little-endian bytes, explicitly', () => {
    expect(Array.from(toLittleEndian(Float32Array.from([1])))).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(toLittleEndian(Int32Array.from([258, -1])))).toEqual([2, 1, 0, 0, 255, 255, 255, 255]);
    // an unaligned view (offset 1) still decodes
    const bytes = new Uint8Array([9, 2, 1, 0, 0]).subarray(1);
    expect(Array.from(fromLittleEndian(bytes, Int32Array))).toEqual([258]);
  });

  it('round trip: every array, the ground truth and the manifest come back equal; checksums recorded', async () => {
    const root = await tempDir('store');
    const d = tiny();
    const { folder, manifest, written } = await writePreparedDataset(d, root);
    expect(written).toBe(true);
    expect(folder).toBe(join(root, `tiny_set-${'ab'.repeat(6)}`));
    expect(datasetFolderName(d.manifest)).toBe(`tiny_set-abababababab`);
    expect(Object.keys(manifest.files).sort()).toEqual(
      ['X.f32', 'Y.f32', 'ground_truth.json', 'ratings_items.i32', 'ratings_users.i32', 'ratings_values.f32', 'test_items.i32', 'test_labels.u8', 'test_users.i32', 'train_items.i32', 'train_labels.f32', 'train_users.i32'],
    );
    const back = await readPreparedDataset(folder);
    expect(back.manifest).toEqual(manifest);
    expect(back.X).toEqual(d.X);
    expect(back.Y).toEqual(d.Y);
    expect(back.train).toEqual(d.train);
    expect(back.test).toEqual(d.test);
    expect(back.ratings).toEqual(d.ratings);
    expect(back.groundTruth).toEqual(d.groundTruth);
    // no temporary folder left beside it
    expect(await readdir(root)).toEqual([`tiny_set-abababababab`]);
  });

  it('an existing folder is kept, not overwritten', async () => {
    const root = await tempDir('store-keep');
    const { folder } = await writePreparedDataset(tiny(), root);
    const before = await hashTree(folder);
    const other = tiny();
    other.X[0] = 1;
    const again = await writePreparedDataset(other, root);
    expect(again.written).toBe(false);
    expect(await hashTree(folder)).toEqual(before);
    expect(await readdir(root)).toHaveLength(1);
  });

  it('a flipped byte in any payload → DatasetIntegrityError naming the file', async () => {
    const root = await tempDir('store-flip');
    const { folder } = await writePreparedDataset(tiny(), root);
    for (const file of ['Y.f32', 'test_labels.u8', 'ground_truth.json']) {
      const p = join(folder, file);
      const original = await readFile(p);
      const bad = Buffer.from(original);
      bad[1] ^= 0x01;
      await writeFile(p, bad);
      const err = await rejection(readPreparedDataset(folder));
      expect(err).toBeInstanceOf(DatasetIntegrityError);
      expect(err.message).toContain(file);
      await writeFile(p, original);
    }
    await expect(readPreparedDataset(folder)).resolves.toBeDefined();
  });

  it('another formatVersion, a missing file or a missing manifest → DatasetIntegrityError', async () => {
    const root = await tempDir('store-version');
    const { folder } = await writePreparedDataset(tiny(), root);
    const mPath = join(folder, 'manifest.json');
    const text = await readFile(mPath, 'utf8');
    await writeFile(mPath, text.replace(`"formatVersion": ${DATASET_FORMAT_VERSION}`, `"formatVersion": ${DATASET_FORMAT_VERSION + 1}`));
    expect((await rejection(readPreparedDataset(folder))).message).toMatch(/formatVersion/);
    await writeFile(mPath, text);
    await rm(join(folder, 'X.f32'));
    expect(await rejection(readPreparedDataset(folder))).toBeInstanceOf(DatasetIntegrityError);
    await rm(mPath);
    expect(await rejection(readPreparedDataset(folder))).toBeInstanceOf(DatasetIntegrityError);
  });
});
