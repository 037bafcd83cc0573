/**
 * A PreparedDataset on disk: `<cacheRoot>/<name>-<id12>/` holding manifest.json, little-endian
 * binaries and ground_truth.json. The manifest lists the sha256 of every other file and is
 * written last, into a hidden temporary sibling folder that is then renamed into place: a reader
 * sees a complete folder or none. An existing final folder is never overwritten (same id, same
 * content; first writer wins). Reading verifies the format version and every checksum.
 */
import { mkdir, mkdtemp, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, join } from 'node:path';
import { DatasetIntegrityError } from '../errors.ts';
import { DATASET_FORMAT_VERSION, type DatasetManifest, type GroundTruthEntry, type PreparedDataset } from './dataset.ts';
import { canonicalJson, sha256 } from './hashing.ts';
import { insideRoot } from './safe-path.ts';

type Typed = Int32Array | Float32Array | Uint8Array;
type TypedCtor = Int32ArrayConstructor | Float32ArrayConstructor | Uint8ArrayConstructor;

/** Binary payloads: file name → how to get it from / put it into a PreparedDataset. */
const BINARIES: { file: string; type: TypedCtor; get: (d: PreparedDataset) => Typed }[] = [
  { file: 'X.f32', type: Float32Array, get: (d) => d.X },
  { file: 'Y.f32', type: Float32Array, get: (d) => d.Y },
  { file: 'train_users.i32', type: Int32Array, get: (d) => d.train.users },
  { file: 'train_items.i32', type: Int32Array, get: (d) => d.train.items },
  { file: 'train_labels.f32', type: Float32Array, get: (d) => d.train.labels },
  { file: 'test_users.i32', type: Int32Array, get: (d) => d.test.users },
  { file: 'test_items.i32', type: Int32Array, get: (d) => d.test.items },
  { file: 'test_labels.u8', type: Uint8Array, get: (d) => d.test.labels },
  { file: 'ratings_users.i32', type: Int32Array, get: (d) => d.ratings.users },
  { file: 'ratings_items.i32', type: Int32Array, get: (d) => d.ratings.items },
  { file: 'ratings_values.f32', type: Float32Array, get: (d) => d.ratings.values },
];
const GROUND_TRUTH = 'ground_truth.json';
const MANIFEST = 'manifest.json';

/** `<name>-<first 12 hex of id>`, with characters unsafe in file names replaced. */
export function datasetFolderName(manifest: Pick<DatasetManifest, 'name' | 'id'>): string {
  return `${manifest.name.replace(/[^A-Za-z0-9._-]/g, '_')}-${manifest.id.slice(0, 12)}`;
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** The array's bytes in little-endian order, whatever the host. */
export function toLittleEndian(a: Typed): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LITTLE_ENDIAN_HOST || a.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let k = 0; k < a.length; k++) {
    if (a instanceof Float32Array) view.setFloat32(4 * k, a[k], true);
    else view.setInt32(4 * k, a[k], true);
  }
  return out;
}

/** A typed array (own, aligned buffer) from little-endian bytes. */
export function fromLittleEndian<C extends TypedCtor>(bytes: Uint8Array, type: C): InstanceType<C> {
  const n = bytes.byteLength / type.BYTES_PER_ELEMENT;
  const out = new type(n) as InstanceType<C>;
  if (LITTLE_ENDIAN_HOST || type.BYTES_PER_ELEMENT === 1) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < n; k++) out[k] = type === Float32Array ? view.getFloat32(4 * k, true) : view.getInt32(4 * k, true);
  return out;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Write and fsync, so the rename never publishes a folder whose data is still in flight. */
async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Readable manifest text: sorted keys, two-space indent, so equal manifests are equal bytes. */
function manifestText(m: DatasetManifest): string {
  return JSON.stringify(JSON.parse(canonicalJson(m)), null, 2) + '\n';
}

export async function writePreparedDataset(
  dataset: PreparedDataset,
  cacheRoot: string,
): Promise<{ folder: string; manifest: DatasetManifest; written: boolean }> {
  await mkdir(cacheRoot, { recursive: true });
  const folder = insideRoot(cacheRoot, datasetFolderName(dataset.manifest), 'dataset.name');
  if (await exists(folder)) return { folder, manifest: dataset.manifest, written: false };
  const tmp = await mkdtemp(join(cacheRoot, `.${basename(folder)}.tmp-`));
  try {
    const files: Record<string, string> = {};
    for (const b of BINARIES) {
      const bytes = toLittleEndian(b.get(dataset));
      files[b.file] = sha256(bytes);
      await writeDurably(join(tmp, b.file), bytes);
    }
    const gt = JSON.stringify(dataset.groundTruth);
    files[GROUND_TRUTH] = sha256(gt);
    await writeDurably(join(tmp, GROUND_TRUTH), gt);
    const manifest: DatasetManifest = { ...dataset.manifest, formatVersion: DATASET_FORMAT_VERSION, files };
    await writeDurably(join(tmp, MANIFEST), manifestText(manifest));
    try {
      await rename(tmp, folder);
    } catch (err) {
      // Another process published the same id first: its folder has the same content.
      if (await exists(join(folder, MANIFEST))) return { folder, manifest, written: false };
      throw err;
    }
    return { folder, manifest, written: true };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function readPreparedDataset(folder: string): Promise<PreparedDataset> {
  const fail = (detail: string): never => {
    throw new DatasetIntegrityError(folder, detail);
  };
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(await readFile(join(folder, MANIFEST), 'utf8')) as DatasetManifest;
  } catch (err) {
    return fail(`${MANIFEST} unreadable: ${(err as Error).message}`);
  }
  if (manifest?.formatVersion !== DATASET_FORMAT_VERSION) {
    fail(`formatVersion ${JSON.stringify(manifest?.formatVersion)}, this code reads ${DATASET_FORMAT_VERSION}`);
  }
  const load = async (file: string): Promise<Uint8Array> => {
    const expected = manifest.files?.[file];
    if (typeof expected !== 'string') fail(`manifest lists no checksum for ${file}`);
    const bytes = await readFile(join(folder, file)).catch((err: Error) => fail(`${file} unreadable: ${err.message}`));
    const got = sha256(bytes);
    if (got !== expected) fail(`${file} has sha256 ${got}, manifest says ${expected}`);
    return bytes;
  };
  const arrays = new Map<string, Typed>();
  for (const b of BINARIES) {
    const bytes = await load(b.file);
    if (bytes.byteLength % b.type.BYTES_PER_ELEMENT !== 0) fail(`${b.file} is not a whole number of elements`);
    arrays.set(b.file, fromLittleEndian(bytes, b.type));
  }
  const groundTruth = JSON.parse(Buffer.from(await load(GROUND_TRUTH)).toString('utf8')) as GroundTruthEntry[];
  const get = <T extends Typed>(f: string) => arrays.get(f) as T;

  const testUsers = get<Int32Array>('test_users.i32');
  const testItems = get<Int32Array>('test_items.i32');
  const width = testUsers.length === 0 ? 0 : testItems.length / testUsers.length;
  const dataset: PreparedDataset = {
    manifest,
    X: get('X.f32'),
    Y: get('Y.f32'),
    train: { users: get('train_users.i32'), items: get('train_items.i32'), labels: get('train_labels.f32') },
    test: { users: testUsers, width, items: testItems, labels: get('test_labels.u8') },
    ratings: { users: get('ratings_users.i32'), items: get('ratings_items.i32'), values: get('ratings_values.f32') },
    groundTruth,
  };
  const shapeError = checkShapes(dataset);
  if (shapeError) fail(shapeError);
  return dataset;
}

/** Sizes that the manifest implies; a mismatch means a writer bug, not corruption on disk. */
function checkShapes(d: PreparedDataset): string | null {
  const m = d.manifest;
  if (d.X.length !== m.userCount * m.featureCount) return `X has ${d.X.length} values, expected ${m.userCount}×${m.featureCount}`;
  if (d.Y.length !== m.itemCount * m.featureCount) return `Y has ${d.Y.length} values, expected ${m.itemCount}×${m.featureCount}`;
  if (d.train.items.length !== d.train.users.length || d.train.labels.length !== d.train.users.length) return 'train arrays differ in length';
  if (!Number.isInteger(d.test.width)) return 'test_items is not a whole number of lists';
  if (d.test.labels.length !== d.test.items.length) return 'test labels and items differ in length';
  if (d.ratings.items.length !== d.ratings.users.length || d.ratings.values.length !== d.ratings.users.length) return 'rating arrays differ in length';
  if (!Array.isArray(d.groundTruth)) return `${GROUND_TRUTH} is not an array`;
  return null;
}
