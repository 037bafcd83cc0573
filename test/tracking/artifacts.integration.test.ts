/** Artifact upload / download / list through the real server's artifact proxy. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MlflowClient } from '../../tracking/client.ts';
import { ArtifactLocationError, MlflowApiError } from '../../tracking/errors.ts';
import type { Run } from '../../tracking/types.ts';
import { requireServerForEachTest, testClient, uniqueName } from './mlflow-env.ts';

let client: MlflowClient;
let run: Run;
let dir: string;

requireServerForEachTest(async () => {
  client = testClient();
  const exp = (await client.getOrCreateExperiment(uniqueName('artifacts'))).experiment.experimentId;
  run = await client.createRun({ experimentId: exp });
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-art-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('artifacts', () => {
  it('run artifact roots are mlflow-artifacts:/<experiment>/<run>/artifacts', () => {
    expect(run.info.artifactUri).toBe(`mlflow-artifacts:/${run.info.experimentId}/${run.info.runId}/artifacts`);
  });

  it('uploads and downloads bytes (round trip), lists with run-relative paths', async () => {
    const json = JSON.stringify({ ndcg5: 0.31, note: 'λ ε ·' });
    await client.uploadArtifact(run, 'result.json', json, 'application/json');
    const blob = randomBytes(3 * 1024 * 1024 + 17);
    await client.uploadArtifact(run.info.runId, 'checkpoints/epoch 3/model.bin', blob);
    expect((await client.downloadArtifact(run, 'result.json')).toString('utf8')).toBe(json);
    expect((await client.downloadArtifact(run.info.runId, 'checkpoints/epoch 3/model.bin')).equals(blob)).toBe(true);
    const root = await client.listArtifacts(run.info.runId);
    expect(root.map((f) => [f.path, f.isDir]).sort()).toEqual([
      ['checkpoints', true],
      ['result.json', false],
    ]);
    const inner = await client.listArtifacts(run.info.runId, 'checkpoints/epoch 3');
    expect(inner).toEqual([{ path: 'checkpoints/epoch 3/model.bin', isDir: false, fileSize: blob.length }]);
  });

  it('uploads a file (streamed) and downloads to a file atomically; upload overwrites', async () => {
    const src = join(dir, 'ckpt.bin');
    const data = randomBytes(1024 * 1024);
    await writeFile(src, data);
    await client.uploadArtifactFile(run, 'ckpt/latest.bin', src);
    const dst = join(dir, 'out.bin');
    await client.downloadArtifactToFile(run, 'ckpt/latest.bin', dst);
    expect((await readFile(dst)).equals(data)).toBe(true);
    expect((await readdir(dir)).filter((f) => f.includes('.part-'))).toEqual([]);
    await client.uploadArtifact(run, 'ckpt/latest.bin', 'v2');
    expect((await client.downloadArtifact(run, 'ckpt/latest.bin')).toString()).toBe('v2');
  });

  it('a missing artifact is a typed 404; unsafe paths never leave the client', async () => {
    const err = await client.downloadArtifact(run, 'nope.txt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowApiError);
    expect((err as MlflowApiError).status).toBe(404);
    expect((err as MlflowApiError).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    const missingFile = await client.downloadArtifactToFile(run, 'nope.txt', join(dir, 'nope')).catch((e: unknown) => e);
    expect(missingFile).toBeInstanceOf(MlflowApiError);
    await expect(client.uploadArtifact(run, '../escape.txt', 'x')).rejects.toBeInstanceOf(ArtifactLocationError);
    await expect(client.uploadArtifact({ artifactUri: 's3://bucket/x' }, 'a.txt', 'x')).rejects.toBeInstanceOf(ArtifactLocationError);
  });
});
