/**
 * prepareDataset: a dataset spec + data settings → a verified PreparedDataset in the cache.
 *
 * The content id is sha256 of the canonical JSON of {format version, pipeline version, the spec's
 * non-path fields, the resolved data settings, the streamed sha256 of every source file}: moving
 * a file does not change the id, editing one byte does. A cached folder with that id is read and
 * verified (a corrupt one is a DatasetIntegrityError: delete the folder to rebuild; it is not
 * silently replaced). Otherwise the pipeline runs and the folder is published atomically.
 * Synthetic specs are generated (deterministically) into <cacheRoot>/sources/ first and then
 * take the same route as an interchange file.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetIntegrityError } from '../errors.ts';
import { datasetIdentity, type DatasetSpec, type ResolvedDataSettings } from '../config.ts';
import { DATASET_FORMAT_VERSION, type DatasetKind, type DatasetManifest, type PreparedDataset } from './dataset.ts';
import { parseAmazonSentires } from './amazon-sentires.ts';
import { parseYelpSentires } from './yelp-sentires.ts';
import { parseInterchange } from './interchange.ts';
import { readRawReviews } from './raw-reviews.ts';
import { fillRatingsFromRows, pairsFromRows, rowPairKeys } from './pairs.ts';
import { buildDataset, type Log } from './pipeline.ts';
import { canonicalJson, sha256, sha256File } from './hashing.ts';
import { datasetFolderName, readPreparedDataset, writePreparedDataset } from './store.ts';
import { writeSyntheticInterchange } from './synthetic.ts';
import { insideRoot } from './safe-path.ts';
import type { PairMap, ReviewRow } from './rows.ts';

/**
 * Bump when a change to recsys/data/ changes what a given input produces.
 *   2  Amazon Sentires lines with a non-empty third field are refused (amazon-sentires.ts): a
 *      dataset cached from such a file must not be reused.
 */
export const PIPELINE_VERSION = 2;

export interface PreparedResult {
  dataset: PreparedDataset;
  folder: string;
  /** True when the folder already existed and was only verified. */
  cached: boolean;
}

export function datasetId(spec: DatasetSpec, settings: ResolvedDataSettings, sourceHashes: readonly string[]): string {
  return sha256(
    canonicalJson({
      formatVersion: DATASET_FORMAT_VERSION,
      pipelineVersion: PIPELINE_VERSION,
      spec: datasetIdentity(spec),
      settings,
      sources: sourceHashes,
    }),
  );
}

function sourcePaths(spec: DatasetSpec): string[] {
  if (spec.source === 'amazon' || spec.source === 'yelp') return [spec.sentires, spec.reviews];
  if (spec.source === 'interchange') return [spec.path];
  return [];
}

function kindOf(spec: DatasetSpec): DatasetKind {
  return spec.source === 'interchange' ? spec.kind : spec.source;
}

async function collect(rows: AsyncIterable<ReviewRow>): Promise<ReviewRow[]> {
  const out: ReviewRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

/** Generate the synthetic interchange file once per id (tmp + rename: never half-written). */
async function syntheticSource(spec: Extract<DatasetSpec, { source: 'synthetic' }>, cacheRoot: string, id: string): Promise<string> {
  const relative = join('sources', `${datasetFolderName({ name: spec.name, id })}.jsonl`);
  const path = insideRoot(cacheRoot, relative, 'dataset.name');
  if (!(await stat(path).then(() => true, () => false))) {
    await mkdir(join(cacheRoot, 'sources'), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      await writeSyntheticInterchange(spec.synthetic, tmp);
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return relative;
}

export async function prepareDataset(
  spec: DatasetSpec,
  settings: ResolvedDataSettings,
  cacheRoot: string,
  log: Log = () => {},
): Promise<PreparedResult> {
  const paths = sourcePaths(spec);
  const hashes: { sha256: string; bytes: number }[] = [];
  for (const p of paths) hashes.push(await sha256File(p));
  const id = datasetId(spec, settings, hashes.map((h) => h.sha256));
  const folder = insideRoot(cacheRoot, datasetFolderName({ name: spec.name, id }), 'dataset.name');

  const cached = await readIfPresent(folder, id);
  if (cached) {
    log(`dataset ${spec.name}: cached ${folder}`);
    return { dataset: cached, folder, cached: true };
  }

  log(`dataset ${spec.name}: preparing ${folder}`);
  let rows: ReviewRow[];
  let pairsFor: (filtered: readonly ReviewRow[]) => Promise<PairMap>;
  const sources: DatasetManifest['sources'] = paths.map((path, k) => ({ path, ...hashes[k] }));
  if (spec.source === 'amazon' || spec.source === 'yelp') {
    rows = await collect(spec.source === 'amazon' ? parseAmazonSentires(spec.sentires) : parseYelpSentires(spec.sentires));
    const format = spec.source;
    pairsFor = async (filtered) => {
      const wanted = rowPairKeys(filtered);
      return fillRatingsFromRows(await readRawReviews(spec.reviews, format, (k) => wanted.has(k)), rows);
    };
  } else {
    let file: string;
    if (spec.source === 'synthetic') {
      const relative = await syntheticSource(spec, cacheRoot, id);
      file = join(cacheRoot, relative);
      // Recorded relative to the cache root so that the manifest does not depend on where the cache lives.
      sources.push({ path: relative, ...(await sha256File(file)) });
    } else {
      file = spec.path;
    }
    rows = await collect(parseInterchange(file));
    pairsFor = async () => pairsFromRows(rows);
  }

  const built = await buildDataset(rows, pairsFor, settings, log);
  const manifest: DatasetManifest = {
    formatVersion: DATASET_FORMAT_VERSION,
    id,
    name: spec.name,
    kind: kindOf(spec),
    userCount: built.userCount,
    itemCount: built.itemCount,
    featureCount: built.featureCount,
    features: built.features,
    maxRange: settings.maxRange,
    settings: { ...settings, spec: datasetIdentity(spec) },
    sources,
    stats: built.stats,
    files: {},
  };
  const { X, Y, train, test, ratings, groundTruth } = built;
  const stored = await writePreparedDataset({ manifest, X, Y, train, test, ratings, groundTruth }, cacheRoot);
  if (!stored.written) {
    // Someone published the same id meanwhile: use theirs (verified), as every later call would.
    return { dataset: (await readIfPresent(stored.folder, id))!, folder: stored.folder, cached: true };
  }
  log(`dataset ${spec.name}: stored ${stored.folder}`);
  return { dataset: { manifest: stored.manifest, X, Y, train, test, ratings, groundTruth }, folder: stored.folder, cached: false };
}

async function readIfPresent(folder: string, id: string): Promise<PreparedDataset | null> {
  if (!(await stat(folder).then(() => true, () => false))) return null;
  const dataset = await readPreparedDataset(folder);
  if (dataset.manifest.id !== id) throw new DatasetIntegrityError(folder, `manifest id ${dataset.manifest.id} is not the expected ${id}`);
  return dataset;
}
