/**
 * Helpers for tests against the real servers that test/setup/servers.ts starts.
 */
import { inject } from 'vitest';
import { resolveConfig, type LocalServicesConfig } from '../../infra/local/index.ts';
import type { TestServers } from '../setup/servers.ts';

/** The servers of this test run. Throws (the test fails, never skips) when they are missing. */
export function testServers(): TestServers {
  const servers = inject('rexsweepServers');
  if (!servers) throw new Error('no test servers: these tests need the globalSetup test/setup/servers.ts');
  return servers;
}

/** Config that manages the test run's own servers (not external, whatever TEMPORAL_ADDRESS says). */
export function testServersConfig(servers: TestServers): LocalServicesConfig {
  return resolveConfig({
    ...process.env,
    REXSWEEP_STATE_DIR: servers.stateDir,
    REXSWEEP_TEMPORAL_PORT: String(servers.ports.temporal),
    REXSWEEP_TEMPORAL_UI_PORT: String(servers.ports.temporalUi),
    REXSWEEP_MLFLOW_PORT: String(servers.ports.mlflow),
    TEMPORAL_ADDRESS: '',
    MLFLOW_TRACKING_URI: '',
  });
}

export async function mlflowPost<T>(uri: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${uri}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function mlflowGet<T>(uri: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${uri}/api/2.0/mlflow/${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as T };
}
