/** Backoff arithmetic (pure) and retries against a real closed loopback port. No server needed. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { authFromEnv } from '../../tracking/auth.ts';
import { MlflowClient } from '../../tracking/client.ts';
import { MlflowUnavailableError, TrackingConfigError } from '../../tracking/errors.ts';
import type { RetryEvent } from '../../tracking/http.ts';
import { backoffCapMs, DEFAULT_RETRY_POLICY, fullJitterDelayMs, resolveRetryPolicy, withRetry } from '../../tracking/retry.ts';

/** A loopback port with nothing listening: bind to 0, read the port, close. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('backoff policy', () => {
  it('grows exponentially to the cap, with full jitter in [0, cap]', () => {
    const p = resolveRetryPolicy({ initialDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffCapMs(p, a))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(fullJitterDelayMs(p, 3, () => 0)).toBe(0);
    expect(fullJitterDelayMs(p, 3, () => 0.5)).toBe(200);
    expect(fullJitterDelayMs(p, 3, () => 0.999999)).toBeLessThan(400);
  });

  it('defaults ride out a one-minute outage and can be raised to several minutes', () => {
    expect(DEFAULT_RETRY_POLICY.deadlineMs).toBeGreaterThanOrEqual(120_000);
    expect(resolveRetryPolicy({ deadlineMs: 10 * 60_000, maxAttempts: 100 }).deadlineMs).toBe(600_000);
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(TrackingConfigError);
    expect(() => resolveRetryPolicy({ deadlineMs: Infinity })).toThrow(TrackingConfigError);
    expect(() => resolveRetryPolicy({ initialDelayMs: 10, maxDelayMs: 5 })).toThrow(TrackingConfigError);
  });

  it('stops at the deadline before sleeping past it', async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const policy = resolveRetryPolicy({ maxAttempts: 100, initialDelayMs: 100, maxDelayMs: 100, deadlineMs: 450 });
    let attempts = 0;
    await expect(
      withRetry(
        policy,
        {
          classify: () => ({ retryable: true, cause: 'X' }),
          exhausted: (i) => new Error(`${i.reason}:${i.attempts}`),
          now: () => clock,
          random: () => 1,
          sleep: async (ms) => {
            sleeps.push(ms);
            clock += ms;
          },
        },
        async () => {
          attempts++;
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('deadline:5');
    expect(attempts).toBe(5);
    expect(sleeps).toEqual([100, 100, 100, 100]);
  });

  it('honours Retry-After (capped by maxDelayMs) and rethrows non-retryable errors as they are', async () => {
    const sleeps: number[] = [];
    let n = 0;
    const out = await withRetry(
      resolveRetryPolicy({ initialDelayMs: 1, maxDelayMs: 500 }),
      { classify: () => ({ retryable: true, cause: '429', retryAfterMs: 2000 }), exhausted: () => new Error('x'), sleep: async (ms) => void sleeps.push(ms) },
      async () => {
        if (n++ < 2) throw new Error('busy');
        return 'ok';
      },
    );
    expect(out).toBe('ok');
    expect(sleeps).toEqual([500, 500]);
    const fatal = new Error('fatal');
    await expect(
      withRetry(DEFAULT_RETRY_POLICY, { classify: () => ({ retryable: false, cause: 'f' }), exhausted: () => new Error('x') }, async () => {
        throw fatal;
      }),
    ).rejects.toBe(fatal);
  });
});

describe('client against a refused connection', () => {
  it('retries ECONNREFUSED N times with backoff, then throws MlflowUnavailableError', async () => {
    const port = await closedPort();
    const events: RetryEvent[] = [];
    const client = new MlflowClient({
      trackingUri: `http://127.0.0.1:${port}`,
      retry: { maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 80, deadlineMs: 10_000 },
      onRetry: (e) => events.push(e),
    });
    const t0 = performance.now();
    const err = await client.getExperimentByName('x').catch((e: unknown) => e);
    const elapsed = performance.now() - t0;
    expect(err).toBeInstanceOf(MlflowUnavailableError);
    const u = err as MlflowUnavailableError;
    expect(u.attempts).toBe(5);
    expect(u.reason).toBe('attempts');
    expect(u.lastCause).toBe('ECONNREFUSED');
    expect(u.endpoint).toBe('GET /api/2.0/mlflow/experiments/get-by-name');
    expect(events.map((e) => e.nextAttempt)).toEqual([2, 3, 4, 5]);
    for (const [i, e] of events.entries()) {
      expect(e.cause).toBe('ECONNREFUSED');
      expect(e.delayMs).toBeGreaterThanOrEqual(0);
      expect(e.delayMs).toBeLessThanOrEqual(Math.min(80, 20 * 2 ** i));
    }
    expect(elapsed).toBeLessThan(5_000);
  });

  it('times out a server that accepts but never answers (ETIMEDOUT is retried)', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const client = new MlflowClient({
        trackingUri: `http://127.0.0.1:${port}`,
        retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20, requestTimeoutMs: 150 },
      });
      const err = (await client.getRun('abc').catch((e: unknown) => e)) as MlflowUnavailableError;
      expect(err).toBeInstanceOf(MlflowUnavailableError);
      expect(err.attempts).toBe(3);
      expect(err.lastCause).toBe('ETIMEDOUT');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('gives up at the deadline when attempts remain', async () => {
    const port = await closedPort();
    let retries = 0;
    const client = new MlflowClient({
      trackingUri: `http://127.0.0.1:${port}`,
      retry: { maxAttempts: 10_000, initialDelayMs: 50, maxDelayMs: 100, deadlineMs: 600 },
      onRetry: () => retries++,
    });
    const t0 = performance.now();
    const err = (await client.createRun({ experimentId: '0' }).catch((e: unknown) => e)) as MlflowUnavailableError;
    expect(err).toBeInstanceOf(MlflowUnavailableError);
    expect(err.reason).toBe('deadline');
    expect(err.attempts).toBe(retries + 1);
    expect(retries).toBeGreaterThan(2);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('never puts credentials in errors or JSON', async () => {
    const port = await closedPort();
    const secret = 'tok-SECRET-123';
    const client = new MlflowClient({
      trackingUri: `http://127.0.0.1:${port}`,
      auth: authFromEnv({ MLFLOW_TRACKING_TOKEN: secret }),
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
    });
    const err = await client.getRun('abc').catch((e: unknown) => e);
    const dump = JSON.stringify(err) + String(err) + (err as Error).stack + JSON.stringify(client) + JSON.stringify(Object.entries(client));
    expect(dump).not.toContain(secret);
    expect(() => new MlflowClient({ trackingUri: `http://user:${secret}@127.0.0.1:${port}` })).toThrow(TrackingConfigError);
    try {
      new MlflowClient({ trackingUri: `http://user:${secret}@127.0.0.1:${port}` });
    } catch (e) {
      expect(String(e)).not.toContain(secret);
    }
  });

  it('reads auth from the environment only when asked: Basic wins over a token', () => {
    expect(authFromEnv({})).toBeUndefined();
    expect(authFromEnv({ MLFLOW_TRACKING_TOKEN: 't' })).toEqual({ kind: 'bearer', token: 't' });
    expect(authFromEnv({ MLFLOW_TRACKING_TOKEN: 't', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' })).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p',
    });
    expect(() => authFromEnv({ MLFLOW_TRACKING_USERNAME: 'u' })).toThrow(TrackingConfigError);
  });

  it('refuses bad tracking URIs', () => {
    expect(() => new MlflowClient({ trackingUri: '' })).toThrow(/MLFLOW_TRACKING_URI/);
    expect(() => new MlflowClient({ trackingUri: 'sqlite:///x.db' })).toThrow(TrackingConfigError);
    expect(new MlflowClient({ trackingUri: 'http://h:5000/prefix/' }).trackingUri).toBe('http://h:5000/prefix');
  });
});
