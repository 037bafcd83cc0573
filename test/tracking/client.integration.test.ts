/** The MLflow client against a real MLflow server (MLFLOW_TRACKING_URI). */
import { describe, expect, it } from 'vitest';
import type { MlflowClient } from '../../tracking/client.ts';
import { CREATE_TOKEN_TAG } from '../../tracking/client.ts';
import { MlflowApiError } from '../../tracking/errors.ts';
import { requireServerForEachTest, testClient, uniqueName } from './mlflow-env.ts';

let client: MlflowClient;
let experimentId: string;

requireServerForEachTest(async () => {
  client = testClient();
  experimentId = (await client.getOrCreateExperiment(uniqueName('client'))).experiment.experimentId;
});

describe('experiments', () => {
  it('get-or-create creates once, then finds', async () => {
    const name = uniqueName('exp');
    expect(await client.getExperimentByName(name)).toBeNull();
    const a = await client.getOrCreateExperiment(name);
    expect(a).toMatchObject({ created: true, restored: false, experiment: { name, lifecycleStage: 'active' } });
    expect(a.experiment.artifactLocation).toMatch(/^mlflow-artifacts:\//);
    const b = await client.getOrCreateExperiment(name);
    expect(b).toMatchObject({ created: false, restored: false });
    expect(b.experiment.experimentId).toBe(a.experiment.experimentId);
  });

  it('10 concurrent get-or-create calls make one experiment', async () => {
    const name = uniqueName('race');
    const results = await Promise.all(Array.from({ length: 10 }, () => client.getOrCreateExperiment(name)));
    const ids = new Set(results.map((r) => r.experiment.experimentId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    // A plain create of the same name is refused with a typed error.
    const err = await client.createExperiment(name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowApiError);
    expect((err as MlflowApiError).errorCode).toBe('RESOURCE_ALREADY_EXISTS');
    expect((err as MlflowApiError).status).toBe(400);
  });

  it('restores a deleted experiment of the same name (also under concurrency)', async () => {
    const name = uniqueName('deleted');
    const id = (await client.getOrCreateExperiment(name)).experiment.experimentId;
    await client.deleteExperiment(id);
    expect((await client.getExperiment(id)).lifecycleStage).toBe('deleted');
    const got = await client.getOrCreateExperiment(name);
    expect(got).toMatchObject({ created: false, restored: true, experiment: { experimentId: id, lifecycleStage: 'active' } });
    await client.deleteExperiment(id);
    const many = await Promise.all(Array.from({ length: 5 }, () => client.getOrCreateExperiment(name)));
    for (const r of many) expect(r.experiment).toMatchObject({ experimentId: id, lifecycleStage: 'active' });
  });
});

describe('runs', () => {
  it('create, get, update status / end_time / run_name', async () => {
    const run = await client.createRun({ experimentId, runName: 'cer·yelp·λ0.5·ε0.5·s0', tags: { 'rexsweep.kind': 'cell' } });
    expect(run.info).toMatchObject({ experimentId, status: 'RUNNING', runName: 'cer·yelp·λ0.5·ε0.5·s0', lifecycleStage: 'active' });
    expect(run.data.tags['rexsweep.kind']).toBe('cell');
    expect(run.data.tags[CREATE_TOKEN_TAG]).toMatch(/^[0-9a-f-]{36}$/);
    const info = await client.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_800_000_000_000, runName: 'renamed' });
    expect(info).toMatchObject({ status: 'FINISHED', endTime: 1_800_000_000_000, runName: 'renamed' });
    const again = await client.getRun(run.info.runId);
    expect(again.info.status).toBe('FINISHED');
    expect(again.data.tags['mlflow.runName']).toBe('renamed');
  });

  it('typed errors for unknown runs and for changing a param', async () => {
    const missing = await client.getRun('0'.repeat(32)).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MlflowApiError);
    expect((missing as MlflowApiError).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    const run = await client.createRun({ experimentId });
    await client.logBatch(run.info.runId, { params: { lambda: '0.5' } });
    await client.logBatch(run.info.runId, { params: { lambda: '0.5' } }); // same value: idempotent
    const changed = await client.logBatch(run.info.runId, { params: { lambda: '0.50' } }).catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(MlflowApiError);
    expect((changed as MlflowApiError).errorCode).toBe('INVALID_PARAMETER_VALUE');
  });

  it('set-tag and delete-tag (a repeated delete is accepted)', async () => {
    const run = await client.createRun({ experimentId });
    await client.setTag(run.info.runId, 'rexsweep.note', 'hello');
    expect((await client.getRun(run.info.runId)).data.tags['rexsweep.note']).toBe('hello');
    await client.setTag(run.info.runId, 'rexsweep.note', 'again');
    expect((await client.getRun(run.info.runId)).data.tags['rexsweep.note']).toBe('again');
    await client.deleteTag(run.info.runId, 'rexsweep.note');
    expect((await client.getRun(run.info.runId)).data.tags['rexsweep.note']).toBeUndefined();
    await client.deleteTag(run.info.runId, 'rexsweep.note');
    await expect(client.deleteTag(run.info.runId, 'rexsweep.note', { missingOk: false })).rejects.toBeInstanceOf(MlflowApiError);
  });

  it('pages through more than one page of runs', async () => {
    const exp = (await client.getOrCreateExperiment(uniqueName('paging'))).experiment.experimentId;
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await client.createRun({ experimentId: exp, runName: `r${i}`, startTime: 1_700_000_000_000 + i, tags: { parity: String(i % 2) } });
      made.push(r.info.runId);
    }
    const first = await client.searchRuns({ experimentIds: [exp], maxResults: 3, orderBy: ['attributes.start_time ASC'] });
    expect(first.runs).toHaveLength(3);
    expect(first.nextPageToken).toBeTruthy();
    let pages = 0;
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.searchRuns({ experimentIds: [exp], maxResults: 3, orderBy: ['attributes.start_time ASC'], pageToken: token });
      pages++;
      seen.push(...page.runs.map((r) => r.info.runId));
      token = page.nextPageToken;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(made);
    const iterated: string[] = [];
    for await (const r of client.iterateRuns({ experimentIds: [exp], maxResults: 2, orderBy: ['attributes.start_time ASC'] })) iterated.push(r.info.runId);
    expect(iterated).toEqual(made);
    const odd = await client.searchAllRuns({ experimentIds: [exp], maxResults: 1, filter: "tags.parity = '1'" });
    expect(odd.map((r) => r.info.runName).sort()).toEqual(['r1', 'r3', 'r5']);
  });
});

describe('log-batch over every limit, against the server', () => {
  it('2500 metrics, 250 params, 250 tags: all present afterwards', async () => {
    const run = await client.createRun({ experimentId });
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: `m${i % 25}`, value: i * 0.5, step: Math.floor(i / 25) }));
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, `v${i}`]));
    const tags = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`t${i}`, `w${i}`]));
    const report = await client.logBatch(run.info.runId, { metrics, params, tags }, { timestamp: 1_700_000_000_000 });
    expect(report.requestsSent).toBe(3);
    const got = await client.getRun(run.info.runId);
    expect(Object.keys(got.data.params)).toHaveLength(250);
    expect(got.data.params.p249).toBe('v249');
    for (let i = 0; i < 250; i++) expect(got.data.tags[`t${i}`]).toBe(`w${i}`);
    expect(got.data.metrics).toHaveLength(25);
    let points = 0;
    for (let k = 0; k < 25; k++) {
      const h = await client.getMetricHistory(run.info.runId, `m${k}`);
      expect(h).toHaveLength(100);
      expect(h.map((m) => m.step).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, s) => s));
      points += h.length;
    }
    expect(points).toBe(2500);
  });

  it('a 1.4 MB logical batch goes in requests under 1 MB; long values truncated with a marker', async () => {
    const run = await client.createRun({ experimentId });
    const params = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, `${i}:` + 'y'.repeat(5990)]));
    const tags = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, `${i}:` + 'x'.repeat(7990)]));
    tags.long = 'z'.repeat(9000);
    const report = await client.logBatch(run.info.runId, { params, tags });
    expect(report.requestsSent).toBe(2);
    expect(report.truncated).toEqual([{ kind: 'tag', key: 'long', originalLength: 9000 }]);
    const got = await client.getRun(run.info.runId);
    expect(Object.keys(got.data.params)).toHaveLength(100);
    expect(got.data.params.p7).toBe(params.p7);
    expect(got.data.tags.t99).toBe(tags.t99);
    expect(got.data.tags.long).toHaveLength(8000);
    expect(got.data.tags.long).toMatch(/…\[truncated 9000 chars sha256:[0-9a-f]{12}\]$/);
  });

  it('resending the same batch (same timestamp) does not duplicate points', async () => {
    const run = await client.createRun({ experimentId });
    const input = { metrics: [1, 2, 3].map((s) => ({ key: 'train.loss', value: 1 / s, step: s })) };
    await client.logBatch(run.info.runId, input, { timestamp: 1_700_000_000_123 });
    await client.logBatch(run.info.runId, input, { timestamp: 1_700_000_000_123 });
    expect(await client.getMetricHistory(run.info.runId, 'train.loss')).toHaveLength(3);
    await client.logBatch(run.info.runId, input, { timestamp: 1_700_000_000_999 });
    expect(await client.getMetricHistory(run.info.runId, 'train.loss')).toHaveLength(6); // a new timestamp appends
  });

  it('NaN / Infinity never reach the server: skipped, listed in a tag', async () => {
    const run = await client.createRun({ experimentId });
    const report = await client.logBatch(run.info.runId, {
      metrics: [
        { key: 'train.loss', value: 0.5, step: 1 },
        { key: 'train.loss', value: NaN, step: 2 },
        { key: 'train.loss', value: -Infinity, step: 3 },
      ],
    });
    expect(report.skipped).toHaveLength(2);
    const h = await client.getMetricHistory(run.info.runId, 'train.loss');
    expect(h.map((m) => [m.step, m.value])).toEqual([[1, 0.5]]);
    expect((await client.getRun(run.info.runId)).data.tags['rexsweep.nonfinite.train.loss']).toBe('NaN@2,-Infinity@3');
  });
});
