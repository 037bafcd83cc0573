/**
 * Datasets that travel (README "Data"), against the real MLflow server of test/setup/servers.ts:
 * the submitting host publishes each file-sourced dataset of a sweep to the study's experiment
 * (client/publish-datasets.ts); a worker elsewhere (empty cache, no raw files) fetches and
 * verifies it (activities/published-dataset.ts), inline and in a child process.
 *
 * Classes of failure covered: data changed under a published name (refused, located, nothing
 * started); bad or missing data at submit time; a corrupt local copy (any file, the manifest);
 * a tampered publication (a data file, the manifest, a consistent manifest+file rewrite, an
 * ambiguous second publication); not published and not readable here; MLflow unreachable.
 */
import { mkdir, readdir, rename, rm, writeFile, appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createComputeActivities, type ComputeDeps } from '../../activities/compute.ts';
import type { CellRef, PreparedRef, TrainedRef } from '../../activities/contracts.ts';
import { mlflowArtifactStore } from '../../activities/mlflow-artifacts.ts';
import { publishSweepDatasets } from '../../client/publish-datasets.ts';
import { startSweep, sweepWorkflowId } from '../../client/start-sweep.ts';
import { resolveCellConfig } from '../../recsys/config.ts';
import { datasetKey } from '../../recsys/data/dataset-key.ts';
import type { PreparedDataset } from '../../recsys/data/dataset.ts';
import { datasetFolderName, readPreparedDataset } from '../../recsys/data/store.ts';
import { writeSyntheticInterchange } from '../../recsys/data/synthetic.ts';
import { ConfigError, DatasetIntegrityError, InputError } from '../../recsys/errors.ts';
import { cellConfigFor, gridPoints } from '../../sweep/expand.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { SweepConfigSchema, type SweepConfig } from '../../sweep/schema.ts';
import {
  DATASET_TAG,
  MlflowClient,
  MlflowUnavailableError,
  TAG,
  getOrCreateStudyExperiment,
  type Run,
} from '../../tracking/index.ts';
import { fixture, hashTree, tempDir } from './helpers.ts';

const uri = process.env.MLFLOW_TRACKING_URI;
let mlflow: MlflowClient;
let unique = 0;
const uniqueName = (label: string) => `${label}-${Date.now().toString(36)}-${++unique}`;

beforeAll(() => {
  if (!uri) throw new Error('MLFLOW_TRACKING_URI is not set: this test needs the real MLflow server of test/setup/servers.ts');
  mlflow = new MlflowClient({ trackingUri: uri });
});

const SMALL = { users: 30, items: 200, features: 8, reviewsPerUser: 16 };

/** A raw interchange file (what a user's dump would be), different content per seed. */
async function rawSource(path: string, seed = 0): Promise<string> {
  await writeSyntheticInterchange({ ...SMALL, featuresPerReview: 3, seed }, path);
  return path;
}

/** A sweep whose datasets[0] is synthetic (never published) and datasets[1] the raw file. */
function sweepOf(study: string, path: string, cache: string, name = 'cds'): SweepConfig {
  return SweepConfigSchema.parse({
    study,
    name: 'travel',
    datasets: [
      { source: 'synthetic', name: 'synth', synthetic: SMALL },
      { source: 'interchange', name, path, kind: 'amazon' },
    ],
    models: ['cer'],
    lambdas: [0],
    epsilonsD: [0.5],
    epsilonsA: [0.5],
    seeds: [0],
    epochs: 2,
    cell: { datasetCache: cache, cer: { hidden: [16, 8], learningRate: 0.05 }, explainer: { steps: 5, testUsers: 4 } },
  });
}

/** The ref of the sweep's cell on datasets[index], as the cell workflow hands it to compute. */
function refOf(sweep: SweepConfig, experimentId: string, index = 1): CellRef {
  return {
    sweep: { sweepId: 's', study: sweep.study, workflowId: 'w' },
    tracking: { experimentId, parentRunId: 'p' },
    cellKey: `travel-${index}`,
    cell: cellConfigFor(sweep, sweep.datasets[index], 'cer', gridPoints(sweep)[0], 0),
    workflowId: 'w/cell',
  };
}

function keyOf(ref: CellRef): string {
  const c = resolveCellConfig(ref.cell);
  return datasetKey(c.dataset, c.data);
}

function compute(cache: string, isolation: ComputeDeps['isolation'] = 'inline', artifacts = mlflowArtifactStore(mlflow)) {
  return createComputeActivities({ datasetCache: cache, backend: 'wasm', checkpointSeconds: 0, isolation, killGraceMs: 1_000, artifacts });
}

const prepare = (cache: string, ref: CellRef, isolation: ComputeDeps['isolation'] = 'inline') =>
  new MockActivityEnvironment().run(compute(cache, isolation).prepareData, ref) as Promise<PreparedRef>;

const failureOf = (p: Promise<unknown>) => p.then(() => new Error('expected a rejection'), (e: unknown) => e as Error);

async function datasetRuns(experimentId: string, key: string): Promise<Run[]> {
  return mlflow.searchAllRuns({ experimentIds: [experimentId], filter: `tags.\`${DATASET_TAG.key}\` = '${key}'` });
}

/** Published on a "submitting host" (its own cache and file), then the file moved away. */
async function published(label: string) {
  const dir = await tempDir(label);
  const source = await rawSource(join(dir, 'raw.jsonl'));
  const sweep = sweepOf(uniqueName(label), source, join(dir, 'submit-cache'));
  const [pub] = await publishSweepDatasets(mlflow, sweep, 'sweep.yaml');
  const experimentId = await getOrCreateStudyExperiment(mlflow, sweep.study);
  const ref = refOf(sweep, experimentId);
  const submitFolder = join(dir, 'submit-cache', datasetFolderName({ name: 'cds', id: pub.outcome.datasetId }));
  // The worker's host: it has neither the raw file nor the submitter's cache.
  await rename(source, join(dir, 'moved-away.jsonl'));
  return { dir, sweep, pub, experimentId, ref, submitFolder, workerCache: join(dir, 'worker-cache') };
}

function expectSameArrays(a: PreparedDataset, b: PreparedDataset): void {
  for (const k of ['X', 'Y'] as const) expect(Buffer.from(a[k].buffer).equals(Buffer.from(b[k].buffer)), k).toBe(true);
  for (const part of ['train', 'test', 'ratings'] as const) {
    for (const [name, arr] of Object.entries(a[part])) {
      if (typeof arr === 'number') expect(arr).toBe((b[part] as unknown as Record<string, number>)[name]);
      else expect(Buffer.from((arr as Uint8Array).buffer).equals(Buffer.from(((b[part] as unknown as Record<string, Uint8Array>)[name]).buffer)), `${part}.${name}`).toBe(true);
    }
  }
  expect(a.groundTruth).toEqual(b.groundTruth);
}

/** The cache's entries; temporary (hidden) folders must never be left behind. */
async function cacheEntries(cache: string): Promise<string[]> {
  const entries = await readdir(cache).catch(() => [] as string[]);
  expect(entries.filter((e) => e.startsWith('.'))).toEqual([]);
  return entries;
}

/** Nothing usable was written for a rejected publication: no folder for its id, no leftovers. */
async function expectNothingUsable(cache: string, id: string): Promise<void> {
  expect((await cacheEntries(cache)).filter((e) => e.endsWith(id.slice(0, 12)))).toEqual([]);
}

describe('publishing at submit time', () => {
  it('publishes each file-sourced dataset once, FINISHED, with its key, id and manifest hash; synthetic ones not at all', async () => {
    const { pub, experimentId, ref, submitFolder } = await published('publish');
    expect(pub).toMatchObject({ index: 1, name: 'cds', outcome: { status: 'published' } });
    const runs = await mlflow.searchAllRuns({ experimentIds: [experimentId], filter: `tags.\`${TAG.kind}\` = 'dataset'` });
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run.info.status).toBe('FINISHED');
    expect(run.info.runName).toBe(`dataset·cds·${pub.outcome.datasetId.slice(0, 12)}`);
    expect(run.data.tags[DATASET_TAG.name]).toBe('cds');
    expect(run.data.tags[DATASET_TAG.key]).toBe(keyOf(ref));
    expect(run.data.tags[DATASET_TAG.id]).toBe(pub.outcome.datasetId);
    const local = await hashTree(submitFolder);
    expect(run.data.tags[DATASET_TAG.manifestSha256]).toBe(local['manifest.json']);
    const artifacts = (await mlflow.listArtifacts(run.info.runId, 'dataset')).map((f) => f.path.replace(/^dataset\//, '')).sort();
    expect(artifacts).toEqual(Object.keys(local).sort());
  });

  it('publishing again creates no second run; a half-published run (publisher died) is resumed, not duplicated', async () => {
    const dir = await tempDir('twice');
    const source = await rawSource(join(dir, 'raw.jsonl'));
    const sweep = sweepOf(uniqueName('twice'), source, join(dir, 'cache'));
    const experimentId = await getOrCreateStudyExperiment(mlflow, sweep.study);
    const key = keyOf(refOf(sweep, experimentId));
    // A publisher that died after creating its run: RUNNING, no files.
    const first = await publishSweepDatasets(mlflow, sweep, 'sweep.yaml');
    const id = first[0].outcome.datasetId;
    const half = await mlflow.createRun({
      experimentId,
      runName: 'half',
      tags: { [TAG.kind]: 'dataset', [DATASET_TAG.key]: key, [DATASET_TAG.id]: id, [DATASET_TAG.name]: 'cds', [DATASET_TAG.manifestSha256]: 'x' },
    });
    await mlflow.deleteRun(first[0].outcome.runId);
    const resumed = await publishSweepDatasets(mlflow, sweep, 'sweep.yaml');
    expect(resumed[0].outcome).toMatchObject({ status: 'published', runId: half.info.runId });
    const again = await publishSweepDatasets(mlflow, sweep, 'sweep.yaml');
    expect(again[0].outcome).toMatchObject({ status: 'present', runId: half.info.runId });
    const runs = await datasetRuns(experimentId, key);
    expect(runs.map((r) => [r.info.runId, r.info.status])).toEqual([[half.info.runId, 'FINISHED']]);
  });

  it('refuses changed data under a published name (ConfigError on datasets[1], both ids, the remedy) before anything starts', async () => {
    const dir = await tempDir('changed');
    const source = await rawSource(join(dir, 'raw.jsonl'), 0);
    const sweep = sweepOf(uniqueName('changed'), source, join(dir, 'cache'));
    const [pub] = await publishSweepDatasets(mlflow, sweep, 'sweep.yaml');
    const experimentId = await getOrCreateStudyExperiment(mlflow, sweep.study);
    const key = keyOf(refOf(sweep, experimentId));

    // Any change of content counts: other reviews, or one line appended.
    const variants: [string, () => Promise<unknown>][] = [
      ['regenerated with another seed', () => rawSource(source, 1)],
      ['one review appended', async () => (await rawSource(source, 0), appendFile(source, '{"user": "u-new", "item": "i-new", "time": 1, "rating": 5, "triplets": []}\n'))],
    ];
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    try {
      const client = new Client({ connection });
      for (const [what, change] of variants) {
        await change();
        const err = await failureOf(startSweep(client, sweep, { mlflow, file: 'sweep.yaml' }));
        expect(err, what).toBeInstanceOf(ConfigError);
        expect(err.message).toContain('sweep.yaml (field datasets[1])');
        expect(err.message).toContain(pub.outcome.datasetId);
        const now = /got changed data \(content id ([0-9a-f]{64})\)$/.exec(err.message)?.[1];
        expect(now).toBeDefined();
        expect(now).not.toBe(pub.outcome.datasetId);
        expect(err.message).toContain('cds → cds-v2');
        // Nothing started, nothing published over the original.
        await expect(client.workflow.getHandle(sweepWorkflowId(sweepId(sweep))).describe().then(() => 'exists', (e) => e)).resolves.toBeInstanceOf(WorkflowNotFoundError);
        expect((await datasetRuns(experimentId, key)).map((r) => r.data.tags[DATASET_TAG.id])).toEqual([pub.outcome.datasetId]);
      }
    } finally {
      await connection.close();
    }
    // Renamed, the new data publishes beside the old.
    const renamed = await publishSweepDatasets(mlflow, sweepOf(sweep.study, source, join(dir, 'cache'), 'cds-v2'), 'sweep.yaml');
    expect(renamed[0].outcome.status).toBe('published');
  });

  it.each([
    ['a malformed line', fixture('interchange-wrong-type.jsonl'), /interchange-wrong-type\.jsonl:1/],
    ['a missing file', '/nonexistent/rexsweep/raw.jsonl', /raw\.jsonl: expected an existing, readable file, got ENOENT/],
  ])('bad data (%s) fails with the located InputError and publishes nothing', async (_what, path, message) => {
    const dir = await tempDir('bad-data');
    const sweep = sweepOf(uniqueName('bad-data'), path, join(dir, 'cache'));
    const err = await failureOf(publishSweepDatasets(mlflow, sweep, 'sweep.yaml'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(message);
    const experimentId = await getOrCreateStudyExperiment(mlflow, sweep.study);
    expect(await mlflow.searchAllRuns({ experimentIds: [experimentId] })).toEqual([]);
  });
});

describe('fetching on a worker without the files', () => {
  it('prepares and trains from the published copy: the same manifest id, the same files and arrays as local preparation', async () => {
    const { pub, ref, submitFolder, workerCache } = await published('fetch');
    const prepared = await prepare(workerCache, ref);
    expect(prepared.datasetId).toBe(pub.outcome.datasetId);
    const fetchedFolder = join(workerCache, datasetFolderName({ name: 'cds', id: prepared.datasetId }));
    expect(await hashTree(fetchedFolder)).toEqual(await hashTree(submitFolder));
    const [local, fetched] = await Promise.all([readPreparedDataset(submitFolder), readPreparedDataset(fetchedFolder)]);
    expect(fetched.manifest).toEqual(local.manifest);
    expectSameArrays(fetched, local);
    expect(await cacheEntries(workerCache)).toEqual([datasetFolderName({ name: 'cds', id: prepared.datasetId })]);

    const runId = (await mlflow.createRun({ experimentId: ref.tracking.experimentId, runName: 'train' })).info.runId;
    const trained = (await new MockActivityEnvironment().run(compute(workerCache).trainCell, ref, runId)) as TrainedRef;
    expect(trained.dataset.id).toBe(pub.outcome.datasetId);
    expect(trained.epochs).toBe(2);
  });

  it('two fetches of the same id at once (two slots) both succeed, into one folder', async () => {
    const { pub, ref, workerCache } = await published('concurrent');
    const both = await Promise.all([prepare(workerCache, ref), prepare(workerCache, ref)]);
    expect(both.map((p) => p.datasetId)).toEqual([pub.outcome.datasetId, pub.outcome.datasetId]);
    expect(await cacheEntries(workerCache)).toEqual([datasetFolderName({ name: 'cds', id: pub.outcome.datasetId })]);
  });

  it.each([
    ['a data file truncated', async (f: string) => writeFile(join(f, 'Y.f32'), (await readFile(join(f, 'Y.f32'))).subarray(0, 4))],
    ['a data file flipped in place', async (f: string) => {
      const b = await readFile(join(f, 'X.f32'));
      b[0] ^= 0xff;
      await writeFile(join(f, 'X.f32'), b);
    }],
    ['a data file deleted', (f: string) => rm(join(f, 'train_labels.f32'))],
    ['the manifest cut short', async (f: string) => writeFile(join(f, 'manifest.json'), (await readFile(join(f, 'manifest.json'), 'utf8')).slice(0, 100))],
    ['the manifest\'s counts edited', async (f: string) => {
      const m = JSON.parse(await readFile(join(f, 'manifest.json'), 'utf8'));
      await writeFile(join(f, 'manifest.json'), JSON.stringify({ ...m, userCount: m.userCount + 1 }));
    }],
  ])('a corrupt local cached copy (%s) is detected and not used (DatasetIntegrityError)', async (_what, corrupt) => {
    const { ref, workerCache } = await published('corrupt-local');
    const good = await prepare(workerCache, ref);
    const folder = join(workerCache, datasetFolderName({ name: 'cds', id: good.datasetId }));
    await corrupt(folder);
    // A fresh worker (no in-memory dataset) reads the cache again.
    const err = await failureOf(prepare(workerCache, ref));
    expect(err).toBeInstanceOf(DatasetIntegrityError);
    expect(err.message).toContain(folder);
  });

  it.each([
    ['a data file replaced', async (runId: string) => mlflow.uploadArtifact(runId, 'dataset/Y.f32', Buffer.alloc(64, 7)), /Y\.f32 has sha256 [0-9a-f]+, the manifest says/],
    ['the manifest replaced', async (runId: string) => {
      const m = JSON.parse((await mlflow.downloadArtifact(runId, 'dataset/manifest.json')).toString('utf8'));
      await mlflow.uploadArtifact(runId, 'dataset/manifest.json', JSON.stringify({ ...m, userCount: m.userCount + 1 }));
    }, /manifest\.json has sha256 [0-9a-f]+, the run's tag says/],
    ['a file and its manifest entry replaced together', async (runId: string) => {
      const bad = Buffer.alloc(64, 7);
      const m = JSON.parse((await mlflow.downloadArtifact(runId, 'dataset/manifest.json')).toString('utf8'));
      m.files['Y.f32'] = (await import('node:crypto')).createHash('sha256').update(bad).digest('hex');
      await mlflow.uploadArtifact(runId, 'dataset/Y.f32', bad);
      await mlflow.uploadArtifact(runId, 'dataset/manifest.json', JSON.stringify(m, null, 2) + '\n');
    }, /manifest\.json has sha256 [0-9a-f]+, the run's tag says/],
    ['the manifest pointing outside its folder', async (runId: string) => {
      const m = JSON.parse((await mlflow.downloadArtifact(runId, 'dataset/manifest.json')).toString('utf8'));
      m.files['../escape'] = m.files['Y.f32'];
      const text = JSON.stringify(m);
      await mlflow.uploadArtifact(runId, 'dataset/manifest.json', text);
      await mlflow.setTag(runId, DATASET_TAG.manifestSha256, (await import('node:crypto')).createHash('sha256').update(text).digest('hex'));
    }, /lists "\.\.\/escape", not a plain file name/],
  ])('a tampered publication (%s) is detected and not used (DatasetIntegrityError)', async (_what, tamper, message) => {
    const { pub, ref, workerCache } = await published('tampered');
    await tamper(pub.outcome.runId);
    const err = await failureOf(prepare(workerCache, ref));
    expect(err).toBeInstanceOf(DatasetIntegrityError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(pub.outcome.runId);
    await expectNothingUsable(workerCache, pub.outcome.datasetId);
  });

  it('two FINISHED publications with different content ids for one key are ambiguous (DatasetIntegrityError), never a silent pick', async () => {
    const { pub, ref, workerCache } = await published('ambiguous');
    const other = await mlflow.createRun({
      experimentId: ref.tracking.experimentId,
      runName: 'other',
      tags: { [TAG.kind]: 'dataset', [DATASET_TAG.key]: keyOf(ref), [DATASET_TAG.id]: 'f'.repeat(64), [DATASET_TAG.name]: 'cds', [DATASET_TAG.manifestSha256]: 'x' },
    });
    await mlflow.updateRun(other.info.runId, { status: 'FINISHED' });
    const err = await failureOf(prepare(workerCache, ref));
    expect(err).toBeInstanceOf(DatasetIntegrityError);
    expect(err.message).toMatch(/ambiguous/);
    expect(err.message).toContain(pub.outcome.runId);
    expect(err.message).toContain(other.info.runId);
  });

  it.each([
    ['the file is missing', async (dir: string) => ({ source: 'interchange', name: 'cds', path: join(dir, 'missing.jsonl'), kind: 'amazon' }), 'dataset.path', 'ENOENT'],
    ['the path is a folder', async (dir: string) => (await mkdir(join(dir, 'folder')), { source: 'interchange', name: 'cds', path: join(dir, 'folder'), kind: 'amazon' }), 'dataset.path', 'not a regular file'],
    ['an Amazon Sentires file is missing', async (dir: string) => ({ source: 'amazon', name: 'cds', sentires: join(dir, 'missing.txt'), reviews: fixture('amazon-reviews.json') }), 'dataset.sentires', 'ENOENT'],
  ])('not published and not readable here (%s): an InputError that says so and what to do', async (_what, specOf, field, got) => {
    const dir = await tempDir('unpublished');
    const sweep = SweepConfigSchema.parse({ ...sweepOf(uniqueName('unpublished'), 'x', join(dir, 'cache')), datasets: [await specOf(dir)] });
    const experimentId = await getOrCreateStudyExperiment(mlflow, sweep.study);
    const err = await failureOf(prepare(join(dir, 'cache'), refOf(sweep, experimentId, 0)));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(`(field ${field})`);
    expect(err.message).toContain('is not published in the study');
    expect(err.message).toContain('is not readable on this host');
    expect(err.message).toContain('rexsweep run');
    expect(err.message).toContain(`got ${got}`);
  });

  it('not published but readable here: prepared from the local file, as before publication existed', async () => {
    const dir = await tempDir('local');
    const source = await rawSource(join(dir, 'raw.jsonl'));
    const sweep = sweepOf(uniqueName('local'), source, join(dir, 'cache'));
    const experimentId = await getOrCreateStudyExperiment(mlflow, sweep.study);
    const prepared = await prepare(join(dir, 'cache'), refOf(sweep, experimentId));
    expect(prepared.datasetId).toMatch(/^[0-9a-f]{64}$/);
    expect(await mlflow.searchAllRuns({ experimentIds: [experimentId] })).toEqual([]);
  });

  it('MLflow unreachable is an infrastructure error (retried), not bad input', async () => {
    const { ref, workerCache } = await published('unreachable');
    const down = new MlflowClient({ trackingUri: 'http://127.0.0.1:9', retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 10, deadlineMs: 2_000, requestTimeoutMs: 1_000 } });
    const err = await failureOf(new MockActivityEnvironment().run(compute(workerCache, 'inline', mlflowArtifactStore(down)).prepareData, ref));
    expect(err).toBeInstanceOf(MlflowUnavailableError);
    expect(err).not.toBeInstanceOf(InputError);
  });
});

describe('in a child process per attempt (isolation "process")', () => {
  it('fetches through its worker: the same id and files as the submitter', async () => {
    const { pub, ref, submitFolder, workerCache } = await published('child-fetch');
    const prepared = await prepare(workerCache, ref, 'process');
    expect(prepared.datasetId).toBe(pub.outcome.datasetId);
    expect(await hashTree(join(workerCache, datasetFolderName({ name: 'cds', id: prepared.datasetId })))).toEqual(await hashTree(submitFolder));
  });

  it('a tampered publication fails as DatasetIntegrityError, not used', async () => {
    const { pub, ref, workerCache } = await published('child-tampered');
    await mlflow.uploadArtifact(pub.outcome.runId, 'dataset/X.f32', Buffer.alloc(32, 1));
    const err = await failureOf(prepare(workerCache, ref, 'process'));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('DatasetIntegrityError');
    expect(err.message).toMatch(/X\.f32 has sha256/);
    await expectNothingUsable(workerCache, pub.outcome.datasetId);
  });

  it('not published and not readable fails as InputError with the explanation', async () => {
    const dir = await tempDir('child-unpublished');
    const sweep = sweepOf(uniqueName('child-unpublished'), join(dir, 'missing.jsonl'), join(dir, 'cache'));
    const experimentId = await getOrCreateStudyExperiment(mlflow, sweep.study);
    const err = await failureOf(prepare(join(dir, 'cache'), refOf(sweep, experimentId), 'process'));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('InputError');
    expect(err.message).toContain('is not published in the study');
  });
});
