/**
 * TEMPORAL_ADDRESS / MLFLOW_TRACKING_URI: use those servers, start nothing, fail clearly when
 * they do not answer.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalServices, localServicesStatus, resolveConfig, ServiceUnreachableError } from '../../infra/local/index.ts';
import { externalServers } from '../../infra/local/index.ts';
import { testServers } from './helpers.ts';

const servers = testServers();
const scratch: string[] = [];

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

/** A config for a fresh, empty state folder on ports nobody uses, with the given overrides. */
async function freshConfig(overrides: { TEMPORAL_ADDRESS?: string; MLFLOW_TRACKING_URI?: string }) {
  const dir = await mkdtemp(join(tmpdir(), 'rexsweep-override-'));
  scratch.push(dir);
  return resolveConfig({
    ...process.env,
    REXSWEEP_STATE_DIR: join(dir, 'state'),
    REXSWEEP_TEMPORAL_PORT: '1',
    REXSWEEP_TEMPORAL_UI_PORT: '2',
    REXSWEEP_MLFLOW_PORT: '3',
    TEMPORAL_ADDRESS: '',
    MLFLOW_TRACKING_URI: '',
    ...overrides,
  });
}

describe('external servers (real)', () => {
  it('uses TEMPORAL_ADDRESS and MLFLOW_TRACKING_URI and starts nothing', async () => {
    const config = await freshConfig({ TEMPORAL_ADDRESS: servers!.temporalAddress, MLFLOW_TRACKING_URI: servers!.mlflowUri });
    const lines: string[] = [];
    const got = await ensureLocalServices({ config, log: (l) => lines.push(l) });
    expect(got).toEqual({ temporalAddress: servers!.temporalAddress, temporalUiUrl: '', mlflowUri: servers!.mlflowUri, started: [] });
    expect(lines.filter((l) => l.includes('external'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('[install]'))).toBe(false);
    // Nothing was written to the fresh state folder: no pid file, no log.
    await expect(readdir(config.stateDir)).rejects.toThrow();
    const status = await localServicesStatus({ config });
    expect(status.services.map((s) => [s.service, s.mode, s.healthy])).toEqual([
      ['temporal', 'external', true],
      ['mlflow', 'external', true],
    ]);
  }, 60_000);
});

describe('external servers (unreachable or unusable)', () => {
  it('rejects a TEMPORAL_ADDRESS nobody answers on, quickly', async () => {
    const config = await freshConfig({ TEMPORAL_ADDRESS: '127.0.0.1:9', MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' });
    const t0 = Date.now();
    await expect(ensureLocalServices({ config, only: ['temporal'] })).rejects.toBeInstanceOf(ServiceUnreachableError);
    await expect(ensureLocalServices({ config, only: ['mlflow'] })).rejects.toThrow(/127\.0\.0\.1:9.*not reachable.*health/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 30_000);

  it('rejects a non-HTTP MLFLOW_TRACKING_URI (rexsweep speaks REST)', async () => {
    const config = await freshConfig({ MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' });
    await expect(ensureLocalServices({ config, only: ['mlflow'] })).rejects.toThrow(/must be http\(s\)/);
  });

  it('an address naming the local server itself is not external', () => {
    const base = resolveConfig({ REXSWEEP_TEMPORAL_PORT: '17233', REXSWEEP_MLFLOW_PORT: '15000' });
    const withEnv = (t: string, m: string) => ({ ...base, external: { temporalAddress: t, mlflowUri: m } });
    expect(externalServers(withEnv('127.0.0.1:17233', 'http://127.0.0.1:15000'))).toEqual({});
    expect(externalServers(withEnv('localhost:17233', 'http://localhost:15000/'))).toEqual({});
    expect(externalServers(withEnv('127.0.0.1:7233', 'http://127.0.0.1:5000'))).toEqual({
      temporal: '127.0.0.1:7233',
      mlflow: 'http://127.0.0.1:5000',
    });
    expect(externalServers(withEnv('temporal.example:7233', 'https://mlflow.example'))).toEqual({
      temporal: 'temporal.example:7233',
      mlflow: 'https://mlflow.example',
    });
  });
});
