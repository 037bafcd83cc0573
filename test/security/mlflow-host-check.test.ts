/**
 * The local MLflow has no password: what keeps a web page in a browser on this machine from
 * reaching it by DNS rebinding (its own name resolved to 127.0.0.1) is MLflow's Host-header check,
 * which must hold under the server the dev stack runs (gunicorn by default; MLflow refuses the
 * options that tune the check under gunicorn, but keeps the check: checked here under both,
 * REXSWEEP_MLFLOW_SERVER=uvicorn for the other).
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { testServers } from '../infra/helpers.ts';

function getWithHost(uri: string, path: string, host: string): Promise<number> {
  const url = new URL(path, uri);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: { Host: host }, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local MLflow refuses requests for other host names', () => {
  const path = '/api/2.0/mlflow/experiments/search?max_results=1';

  it('answers its own loopback address', async () => {
    const { mlflowUri } = testServers();
    expect(await getWithHost(mlflowUri, path, new URL(mlflowUri).host)).toBe(200);
  });

  it('refuses a rebinding page\'s host name', async () => {
    const { mlflowUri } = testServers();
    const status = await getWithHost(mlflowUri, path, `attacker.example:${new URL(mlflowUri).port}`);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });
});
