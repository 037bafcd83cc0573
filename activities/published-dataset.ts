/**
 * Where a compute attempt gets its prepared dataset (README "Data"):
 *
 *   synthetic, or a store that cannot look up publications  → prepareDataset, as always
 *   file-sourced: the FINISHED publications of the dataset's name key in the cell's experiment
 *     one content id   → the local cache folder `<datasetCache>/<name>-<id12>` if present, else
 *                        fetched from the publication run, checked (manifest against the run's
 *                        tag, each file against the manifest) into a temporary folder renamed
 *                        into place; read through readPreparedDataset, which verifies it again
 *     several ids      → DatasetIntegrityError: never a silent pick
 *     none             → prepared from the local sources (single-host use); an unreadable source
 *                        is an InputError saying the dataset is not published
 *
 * A corrupt or tampered copy is a DatasetIntegrityError (fails the cell, no retry) and is never
 * used. MLflow being unreachable surfaces as the store's own error (MlflowUnavailableError), an
 * infrastructure failure Temporal retries.
 */
import { access, constants, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ResolvedCellConfig } from '../recsys/config.ts';
import type { PreparedDataset } from '../recsys/data/dataset.ts';
import { datasetKey, isFileSourced, sourceFiles } from '../recsys/data/dataset-key.ts';
import { sha256, sha256File } from '../recsys/data/hashing.ts';
import type { Log } from '../recsys/data/pipeline.ts';
import { prepareDataset } from '../recsys/data/prepare.ts';
import { insideRoot } from '../recsys/data/safe-path.ts';
import { datasetFolderName, readPreparedDataset } from '../recsys/data/store.ts';
import { DatasetIntegrityError, InputError } from '../recsys/errors.ts';
import type { PublishedDataset } from '../tracking/dataset-publication.ts';
import type { ArtifactStore } from './compute-work.ts';

/** Artifact layout of a publication run (tracking/dataset-publication.ts). */
const ARTIFACT_DIR = 'dataset';
const MANIFEST = 'manifest.json';
/** File names a manifest may list: plain names, so a published manifest cannot write outside its folder. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export async function datasetForCell(c: ResolvedCellConfig, experimentId: string, artifacts: ArtifactStore, log: Log): Promise<PreparedDataset> {
  const spec = c.dataset;
  if (!isFileSourced(spec) || !artifacts.findDatasets) return (await prepareDataset(spec, c.data, c.datasetCache, log)).dataset;
  const key = datasetKey(spec, c.data);
  const published = await artifacts.findDatasets(experimentId, key);
  const ids = [...new Set(published.map((p) => p.datasetId))];
  if (ids.length > 1) {
    const runs = published.map((p) => `run ${p.runId} → ${p.datasetId.slice(0, 12)}`).join(', ');
    throw new DatasetIntegrityError(
      `<MLflow experiment ${experimentId}, dataset ${spec.name}>`,
      `ambiguous: FINISHED publications of dataset key ${key.slice(0, 12)} hold ${ids.length} content ids (${runs}); ` +
        'delete the wrong run(s) in MLflow, or rename the dataset',
    );
  }
  if (ids.length === 1) return publishedCopy(published[0], spec.name, c.datasetCache, artifacts, log);
  await assertSourcesReadable(c, experimentId);
  return (await prepareDataset(spec, c.data, c.datasetCache, log)).dataset;
}

/** The publication's folder in the local cache, fetched first if absent; verified on read. */
async function publishedCopy(pub: PublishedDataset, name: string, cacheRoot: string, artifacts: ArtifactStore, log: Log): Promise<PreparedDataset> {
  const folder = insideRoot(cacheRoot, datasetFolderName({ name, id: pub.datasetId }), 'dataset.name');
  if (await exists(folder)) log(`dataset ${name}: cached ${folder} (published as MLflow run ${pub.runId})`);
  else await fetchInto(pub, name, cacheRoot, folder, artifacts, log);
  const dataset = await readPreparedDataset(folder);
  if (dataset.manifest.id !== pub.datasetId) throw new DatasetIntegrityError(folder, `manifest id ${dataset.manifest.id} is not the published ${pub.datasetId}`);
  return dataset;
}

/**
 * Download the publication into a hidden temporary sibling of `folder`, check every byte, then
 * rename it into place. A concurrent fetch of the same id (another slot) renames second and
 * finds the folder there: both verified the same content, so either copy is right.
 */
async function fetchInto(pub: PublishedDataset, name: string, cacheRoot: string, folder: string, artifacts: ArtifactStore, log: Log): Promise<void> {
  const where = `<MLflow run ${pub.runId}, ${ARTIFACT_DIR}/ of dataset ${name}>`;
  const fail = (detail: string): never => {
    throw new DatasetIntegrityError(where, `${detail}; the published copy is not used`);
  };
  await mkdir(cacheRoot, { recursive: true });
  const tmp = await mkdtemp(join(cacheRoot, `.${basename(folder)}.fetch-`));
  try {
    log(`dataset ${name}: fetching ${pub.datasetId.slice(0, 12)} from MLflow run ${pub.runId}`);
    await download(artifacts, pub.runId, `${ARTIFACT_DIR}/${MANIFEST}`, join(tmp, MANIFEST));
    const manifestBytes = await readFile(join(tmp, MANIFEST));
    const manifestSha = sha256(manifestBytes);
    if (manifestSha !== pub.manifestSha256) fail(`${MANIFEST} has sha256 ${manifestSha}, the run's tag says ${pub.manifestSha256}`);
    let manifest: { id?: unknown; files?: unknown };
    try {
      manifest = JSON.parse(manifestBytes.toString('utf8')) as typeof manifest;
    } catch (err) {
      return fail(`${MANIFEST} is not JSON: ${(err as Error).message}`);
    }
    if (manifest.id !== pub.datasetId) fail(`${MANIFEST} has id ${String(manifest.id)}, the run's tag says ${pub.datasetId}`);
    const files = Object.entries((manifest.files ?? {}) as Record<string, unknown>);
    if (files.length === 0) fail(`${MANIFEST} lists no files`);
    for (const [k, [file, expected]] of files.entries()) {
      if (!FILE_NAME.test(file) || file === MANIFEST) fail(`${MANIFEST} lists ${JSON.stringify(file)}, not a plain file name`);
      log(`dataset ${name}: fetching ${file} (${k + 1}/${files.length})`);
      await download(artifacts, pub.runId, `${ARTIFACT_DIR}/${file}`, join(tmp, file));
      const got = (await sha256File(join(tmp, file))).sha256;
      if (got !== expected) fail(`${file} has sha256 ${got}, the manifest says ${String(expected)}`);
    }
    try {
      await rename(tmp, folder);
    } catch (err) {
      if (!(await exists(join(folder, MANIFEST)))) throw err;
      // Another fetch of the same id got there first: its folder is verified on read like ours.
    }
    log(`dataset ${name}: fetched into ${folder}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Large files go straight to disk when the store can (the worker's MLflow client streams them). */
async function download(artifacts: ArtifactStore, runId: string, path: string, localPath: string): Promise<void> {
  if (artifacts.downloadToFile) await artifacts.downloadToFile(runId, path, localPath);
  else await writeFile(localPath, await artifacts.download(runId, path));
}

/**
 * Not published: preparing needs the raw files here. Said up front, so that a worker on a host
 * without them fails with what to do instead of a bare "file not found".
 */
async function assertSourcesReadable(c: ResolvedCellConfig, experimentId: string): Promise<void> {
  for (const { field, path } of sourceFiles(c.dataset)) {
    const problem = await stat(path).then(
      (s) => (s.isFile() ? access(path, constants.R_OK).then(() => undefined, (err: NodeJS.ErrnoException) => err.code ?? String(err)) : 'not a regular file'),
      (err: NodeJS.ErrnoException) => err.code ?? String(err),
    );
    if (problem === undefined) continue;
    throw new InputError(
      { file: path, field },
      `a source file readable on this host: dataset "${c.dataset.name}" is not published in the study (MLflow experiment ${experimentId} ` +
        `has no FINISHED dataset run for it) and ${path} is not readable on this host; run the sweep with \`rexsweep run\` from a host ` +
        'that has the files (it publishes the prepared dataset to MLflow for every worker), or give this host the files',
      problem,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
