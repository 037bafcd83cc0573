/**
 * Sizes of datasets that were already prepared: the manifest.json of a matching folder under the
 * sweep's datasetCache (recsys/data/store.ts layout `<name>-<id12>/manifest.json`). A folder
 * matches when its manifest's settings equal the cell's resolved data settings and the dataset's
 * identity (as recsys/data/prepare.ts records them); if several match (the same name prepared
 * from different file contents), the most recently written wins. Only manifests are read, never
 * the data. Uses node:fs: CLI only.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetIdentity, resolveCellConfig, type DatasetSpec } from '../recsys/config.ts';
import { DATASET_FORMAT_VERSION, type DatasetManifest } from '../recsys/data/dataset.ts';
import { canonicalJson } from '../sweep/canonical.ts';

import { sizeOfManifest, type DatasetSize } from '../sweep/dataset-size.ts';
import { cellConfigFor, gridPoints } from '../sweep/expand.ts';
import type { SweepConfig } from '../sweep/schema.ts';

/** The prepared size of every dataset of the sweep found in its datasetCache, by dataset name. */
export async function findPreparedSizes(sweep: SweepConfig): Promise<Map<string, DatasetSize>> {
  const cache = sweep.cell.datasetCache;
  const entries = await readdir(cache).catch(() => [] as string[]);
  const found = new Map<string, DatasetSize>();
  const point = gridPoints(sweep)[0];
  for (const spec of sweep.datasets) {
    const data = resolveCellConfig(cellConfigFor(sweep, spec, sweep.models[0], point, sweep.seeds[0])).data;
    const size = await newestMatch(cache, entries, spec, canonicalJson({ ...data, spec: datasetIdentity(spec) }));
    if (size) found.set(spec.name, size);
  }
  return found;
}

async function newestMatch(cache: string, entries: string[], spec: DatasetSpec, settings: string): Promise<DatasetSize | null> {
  const prefix = `${spec.name.replace(/[^A-Za-z0-9._-]/g, '_')}-`;
  let best: { mtime: number; size: DatasetSize } | null = null;
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !/^[0-9a-f]{12}$/.test(entry.slice(prefix.length))) continue;
    const folder = join(cache, entry);
    const file = join(folder, 'manifest.json');
    let manifest: DatasetManifest;
    let mtime: number;
    try {
      manifest = JSON.parse(await readFile(file, 'utf8')) as DatasetManifest;
      mtime = (await stat(file)).mtimeMs;
    } catch {
      continue;
    }
    if (manifest.formatVersion !== DATASET_FORMAT_VERSION || manifest.name !== spec.name) continue;
    if (canonicalJson(manifest.settings) !== settings) continue;
    if (best && best.mtime >= mtime) continue;
    best = { mtime, size: sizeOfManifest(manifest, folder) };
  }
  return best?.size ?? null;
}
