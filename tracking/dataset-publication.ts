/**
 * Prepared datasets published to MLflow's artifact store, so that a worker on a host without the
 * raw source files (no shared filesystem) can fetch them (activities/published-dataset.ts).
 *
 *   experiment  the study's (the same one beginSweep gets or creates)
 *   └─ run per (dataset key, content id)   name `dataset·<name>·<id12>`, tags rexsweep.kind=dataset,
 *                                          rexsweep.dataset_name, rexsweep.dataset_key (name key:
 *                                          spec without paths + data settings, recsys/data/
 *                                          dataset-key.ts), rexsweep.dataset_id (content id),
 *                                          rexsweep.dataset_manifest_sha256;
 *                                          artifacts dataset/manifest.json + every file it lists
 *
 * A run counts as published only once FINISHED, which it is set to after every file is uploaded:
 * a publisher that died half way leaves a RUNNING run nobody reads (the next publish resumes it).
 * The manifest's sha256 is a tag, the files' sha256 are in the manifest: a reader checks the
 * chain from the tag down, so an artifact changed after publication is detected.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tracker } from './tracker.ts';
import { TrackingConfigError } from './errors.ts';
import { compareRunPreference, TAG } from './layout.ts';
import type { Run } from './types.ts';

export const DATASET_TAG = {
  name: 'rexsweep.dataset_name',
  key: 'rexsweep.dataset_key',
  id: 'rexsweep.dataset_id',
  manifestSha256: 'rexsweep.dataset_manifest_sha256',
} as const;

/** Folder of a publication run's artifacts. */
export const DATASET_ARTIFACT_DIR = 'dataset';
export const MANIFEST_FILE = 'manifest.json';

/** One FINISHED publication, as a worker needs it. Plain data: it crosses the child's IPC. */
export interface PublishedDataset {
  runId: string;
  name: string;
  /** Content id (the manifest's `id`, prepareDataset's hash of sources and settings). */
  datasetId: string;
  /** sha256 of the published manifest.json bytes. */
  manifestSha256: string;
}

export type PublishOutcome =
  | { status: 'published'; runId: string; datasetId: string }
  /** A FINISHED run with this key and this content id already exists: nothing was done. */
  | { status: 'present'; runId: string; datasetId: string }
  /** A FINISHED run with this key holds another content id: the data behind the name changed. */
  | { status: 'changed'; runId: string; datasetId: string; publishedId: string };

const HEX64 = /^[0-9a-f]{64}$/;

function checkHex(field: string, value: string): string {
  if (!HEX64.test(value)) throw new TrackingConfigError(field, `expected 64 lowercase hex digits, got ${JSON.stringify(value)}`);
  return value;
}

/** Every live (not deleted) publication run of the key, whatever its status. */
async function runsOfKey(client: Tracker, experimentId: string, key: string): Promise<Run[]> {
  const filter = `tags.\`${TAG.kind}\` = 'dataset' AND tags.\`${DATASET_TAG.key}\` = '${checkHex('datasetKey', key)}'`;
  return client.searchAllRuns({ experimentIds: [experimentId], filter, maxResults: 1000 });
}

function asPublished(run: Run): PublishedDataset {
  const tags = run.data.tags;
  return {
    runId: run.info.runId,
    name: tags[DATASET_TAG.name] ?? '',
    datasetId: tags[DATASET_TAG.id] ?? '',
    manifestSha256: tags[DATASET_TAG.manifestSha256] ?? '',
  };
}

/** The FINISHED publications of a dataset key in an experiment (preferred run first). */
export async function findPublishedDatasets(client: Tracker, experimentId: string, key: string): Promise<PublishedDataset[]> {
  const runs = await runsOfKey(client, experimentId, key);
  return runs
    .filter((r) => r.info.status === 'FINISHED')
    .sort(compareRunPreference)
    .map(asPublished);
}

export const datasetRunName = (name: string, id: string) => `dataset·${name}·${id.slice(0, 12)}`;

export interface PublishRequest {
  experimentId: string;
  /** The dataset's name key (recsys/data/dataset-key.ts). */
  key: string;
  /** A prepared dataset folder (recsys/data/store.ts): manifest.json and the files it lists. */
  folder: string;
  log?: (message: string) => void;
}

/**
 * Publish a prepared folder, idempotently: a FINISHED run of the same key and content id means
 * nothing to do; one with another content id is reported (`changed`), not overwritten. Otherwise
 * an unfinished run of this key and id (a publisher that died) is resumed, or a run is created;
 * every file is uploaded (overwriting), then the run is set FINISHED.
 */
export async function publishDataset(client: Tracker, req: PublishRequest): Promise<PublishOutcome> {
  const log = req.log ?? (() => {});
  const manifestBytes = await readFile(join(req.folder, MANIFEST_FILE));
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { id: string; name: string; files: Record<string, string> };
  const id = checkHex('datasetId', manifest.id);
  const manifestSha = createHash('sha256').update(manifestBytes).digest('hex');
  const runs = await runsOfKey(client, req.experimentId, req.key);
  const finished = runs.filter((r) => r.info.status === 'FINISHED').sort(compareRunPreference);
  const other = finished.find((r) => r.data.tags[DATASET_TAG.id] !== id);
  if (other) return { status: 'changed', runId: other.info.runId, datasetId: id, publishedId: other.data.tags[DATASET_TAG.id] ?? '<none>' };
  const same = finished.find((r) => r.data.tags[DATASET_TAG.id] === id);
  if (same) return { status: 'present', runId: same.info.runId, datasetId: id };

  const unfinished = runs.filter((r) => r.data.tags[DATASET_TAG.id] === id).sort(compareRunPreference)[0];
  const run =
    unfinished ??
    (await client.createRun({
      experimentId: req.experimentId,
      runName: datasetRunName(manifest.name, id),
      tags: {
        [TAG.kind]: 'dataset',
        [DATASET_TAG.name]: manifest.name,
        [DATASET_TAG.key]: req.key,
        [DATASET_TAG.id]: id,
        [DATASET_TAG.manifestSha256]: manifestSha,
      },
    }));
  const runId = run.info.runId;
  if (unfinished) {
    // The dead publisher's tag may describe other manifest bytes: the tag must be these bytes' hash.
    await client.setTag(runId, DATASET_TAG.manifestSha256, manifestSha);
    if (unfinished.info.status !== 'RUNNING') await client.updateRun(runId, { status: 'RUNNING' });
  }
  const files = Object.keys(manifest.files ?? {}).sort();
  for (const [k, file] of files.entries()) {
    log(`dataset ${manifest.name}: uploading ${file} (${k + 1}/${files.length}) to MLflow run ${runId}`);
    await client.uploadArtifactFile(run, `${DATASET_ARTIFACT_DIR}/${file}`, join(req.folder, file));
  }
  // The exact bytes whose sha256 is the tag: a reader verifies the files through them.
  await client.uploadArtifact(run, `${DATASET_ARTIFACT_DIR}/${MANIFEST_FILE}`, manifestBytes, 'application/json');
  await client.updateRun(runId, { status: 'FINISHED', endTime: Date.now() });
  log(`dataset ${manifest.name}: published as MLflow run ${runId}`);
  return { status: 'published', runId, datasetId: id };
}
