/**
 * Retries and credentials against the real server, through a fault injector in front of it
 * (test/tracking/fault-proxy.ts): injected 503/429, lost responses, a server that comes back.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MlflowClient, CREATE_TOKEN_TAG } from '../../tracking/client.ts';
import { MlflowApiError, MlflowUnavailableError } from '../../tracking/errors.ts';
import type { RetryEvent } from '../../tracking/http.ts';
import { FaultProxy } from '../../infra/local/fault-proxy.ts';
import { requireServerForEachTest, requireTrackingUri, testClient, uniqueName } from './mlflow-env.ts';

const fast = { initialDelayMs: 20, maxDelayMs: 100, deadlineMs: 20_000 };
let experimentId: string;
let proxy: FaultProxy | undefined;

requireServerForEachTest(async () => {
  experimentId = (await testClient().getOrCreateExperiment(uniqueName('faults'))).experiment.experimentId;
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('retries against the real server', () => {
  it('retries 503 and 429 (Retry-After) until MLflow answers', async () => {
    proxy = await new FaultProxy(requireTrackingUri()).listen();
    proxy.rule = (i) =>
      i < 2 ? { kind: 'status', status: 503, errorCode: 'TEMPORARILY_UNAVAILABLE' } : i === 2 ? { kind: 'status', status: 429, errorCode: 'REQUEST_LIMIT_EXCEEDED', retryAfter: '0.05' } : undefined;
    const events: RetryEvent[] = [];
    const client = new MlflowClient({ trackingUri: proxy.url, retry: fast, onRetry: (e) => events.push(e) });
    const exp = await client.getExperiment(experimentId);
    expect(exp.experimentId).toBe(experimentId);
    expect(events.map((e) => e.cause.split(':')[0])).toEqual(['HTTP 503 TEMPORARILY_UNAVAILABLE', 'HTTP 503 TEMPORARILY_UNAVAILABLE', 'HTTP 429 REQUEST_LIMIT_EXCEEDED']);
    expect(events[2].delayMs).toBeGreaterThanOrEqual(50);
    expect(proxy.requests).toHaveLength(4);
  });

  it('does not retry 4xx; gives up on persistent 5xx with MlflowUnavailableError', async () => {
    proxy = await new FaultProxy(requireTrackingUri()).listen();
    proxy.rule = () => ({ kind: 'status', status: 500, errorCode: 'INTERNAL_ERROR' });
    const client = new MlflowClient({ trackingUri: proxy.url, retry: { ...fast, maxAttempts: 3 } });
    const err = (await client.getExperiment(experimentId).catch((e: unknown) => e)) as MlflowUnavailableError;
    expect(err).toBeInstanceOf(MlflowUnavailableError);
    expect(err.attempts).toBe(3);
    expect(err.lastCause).toMatch(/^HTTP 500 INTERNAL_ERROR/);
    proxy.rule = () => ({ kind: 'status', status: 400, errorCode: 'INVALID_PARAMETER_VALUE' });
    const before = proxy.requests.length;
    const bad = await client.getExperiment(experimentId).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(MlflowApiError);
    expect(proxy.requests.length - before).toBe(1);
  });

  it('rides out a server that is down, then comes back (ECONNREFUSED → success)', async () => {
    const port = await freePort();
    const events: RetryEvent[] = [];
    const client = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}`, retry: { ...fast, maxDelayMs: 200 }, onRetry: (e) => events.push(e) });
    const pending = client.getExperiment(experimentId);
    await new Promise((r) => setTimeout(r, 800));
    proxy = await new FaultProxy(requireTrackingUri()).listen(port);
    expect((await pending).experimentId).toBe(experimentId);
    expect(events.length).toBeGreaterThan(1);
    expect(events.every((e) => e.cause === 'ECONNREFUSED')).toBe(true);
  });

  it('a retried runs/create whose first response was lost makes one run, not two', async () => {
    proxy = await new FaultProxy(requireTrackingUri()).listen();
    let creates = 0;
    proxy.rule = (_i, req) => (req.url?.endsWith('/runs/create') && creates++ === 0 ? { kind: 'drop-response' } : undefined);
    const client = new MlflowClient({ trackingUri: proxy.url, retry: fast });
    const run = await client.createRun({ experimentId, runName: 'lost-response' });
    expect(creates).toBe(1); // the retry searched by token and found the first run
    const token = run.data.tags[CREATE_TOKEN_TAG];
    const same = await testClient().searchAllRuns({ experimentIds: [experimentId], filter: `tags.\`${CREATE_TOKEN_TAG}\` = '${token}'` });
    expect(same.map((r) => r.info.runId)).toEqual([run.info.runId]);
  });
});

describe('credentials', () => {
  it('sends Bearer and Basic headers to the server and nowhere in errors', async () => {
    proxy = await new FaultProxy(requireTrackingUri()).listen();
    const bearer = new MlflowClient({ trackingUri: proxy.url, auth: { kind: 'bearer', token: 'tok-XYZ' } });
    await bearer.getExperiment(experimentId);
    const basic = new MlflowClient({ trackingUri: proxy.url, auth: { kind: 'basic', username: 'ann', password: 'pw-SECRET' } });
    await basic.getExperiment(experimentId);
    expect(proxy.requests.map((r) => r.authorization)).toEqual(['Bearer tok-XYZ', `Basic ${Buffer.from('ann:pw-SECRET').toString('base64')}`]);
    proxy.rule = () => ({ kind: 'status', status: 403, errorCode: 'PERMISSION_DENIED' });
    const err = await basic.getExperiment(experimentId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowApiError);
    const dump = JSON.stringify(err) + String(err) + (err as Error).stack;
    expect(dump).not.toContain('pw-SECRET');
    expect(dump).not.toContain(Buffer.from('ann:pw-SECRET').toString('base64'));
  });
});
