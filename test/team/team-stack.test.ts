/**
 * The team stack on loopback (infra/team/): real PostgreSQL, the real Temporal server with mutual
 * TLS, versitygw S3 and MLflow with basic auth, brought up by `rexsweep team up` itself. Checks
 * what a team relies on: Temporal refuses clients without a certificate and serves the `default`
 * namespace with rexsweep's search attributes; MLflow refuses anonymous and wrong credentials;
 * artifacts land in the S3 store; `up` is idempotent; `down` + `up` keeps the data.
 *
 * Runs as any user (PostgreSQL runs as `postgres` when we are root). The tools are built on first
 * use (the Temporal server: 15–25 min on 2 cores; .ci/run builds them ahead of the tests).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietTemporalRuntime } from '../../client/connect.ts';
import { resolveTeamConfig, type TeamConfig } from '../../infra/team/config.ts';
import { teamEnv, teamInstall } from '../../infra/team/index.ts';
import { tlsFiles } from '../../infra/team/tls.ts';
import { teamPaths } from '../../infra/team/paths.ts';
import { MlflowApiError, MlflowClient } from '../../tracking/index.ts';
import { REXSWEEP_SEARCH_ATTRIBUTES } from '../../sweep/search-attributes.ts';
import { readFile } from 'node:fs/promises';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
let state: string;
let vars: NodeJS.ProcessEnv;
let team: TeamConfig;

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A Temporal base port whose +0..+3 and +100..+103 are all free. */
async function temporalBase(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    // Temporal records membership ports in a smallint column: every port must be below 32768.
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = [0, 1, 2, 3, 100, 101, 102, 103].map((d) => base + d);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free Temporal port range');
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function rexsweep(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: vars, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

async function mustRexsweep(args: string[]): Promise<string> {
  const r = await rexsweep(args);
  if (r.code !== 0) throw new Error(`rexsweep ${args.join(' ')} exited ${r.code}:\n${r.out.slice(-4000)}`);
  return r.out;
}

beforeAll(async () => {
  await teamInstall({ log: (l) => process.stderr.write(`[team install] ${l}\n`) });
  state = await mkdtemp('/tmp/rexsweep-team-');
  await chmod(state, 0o711);
  vars = {
    ...process.env,
    REXSWEEP_TEAM_STATE: state,
    REXSWEEP_TEAM_POSTGRES: `127.0.0.1:${await freePort()}`,
    REXSWEEP_TEAM_TEMPORAL: `127.0.0.1:${await temporalBase()}`,
    REXSWEEP_TEAM_S3: `127.0.0.1:${await freePort()}`,
    REXSWEEP_TEAM_MLFLOW: `127.0.0.1:${await freePort()}`,
  };
  team = resolveTeamConfig(vars);
  await mustRexsweep(['team', 'up']);
  quietTemporalRuntime();
}, 40 * 60_000);

afterAll(async () => {
  if (vars) await rexsweep(['team', 'down']);
  if (state) await rm(state, { recursive: true, force: true });
}, 120_000);

describe('team stack on loopback', () => {
  it('Temporal: refuses clients without a client certificate, serves rexsweep\'s namespace and search attributes over mTLS', async () => {
    const address = `${team.temporal.host}:${team.temporal.port}`;
    const tls = tlsFiles(teamPaths(state).tlsDir);
    const ca = await readFile(tls.ca);
    const attempt = async (options: Parameters<typeof Connection.connect>[0]) => {
      const c = await Connection.connect({ ...options, connectTimeout: '5s' });
      try {
        return await c.workflowService.describeNamespace({ namespace: 'default' });
      } finally {
        await c.close();
      }
    };
    await expect(attempt({ address, tls: false })).rejects.toThrow();
    await expect(attempt({ address, tls: { serverRootCACertificate: ca, serverNameOverride: 'temporal' } })).rejects.toThrow();
    const ns = await attempt({
      address,
      tls: { serverRootCACertificate: ca, serverNameOverride: 'temporal', clientCertPair: { crt: await readFile(tls.clientCert), key: await readFile(tls.clientKey) } },
    });
    expect(ns.namespaceInfo?.name).toBe('default');
    const c = await Connection.connect({
      address,
      tls: { serverRootCACertificate: ca, serverNameOverride: 'temporal', clientCertPair: { crt: await readFile(tls.clientCert), key: await readFile(tls.clientKey) } },
    });
    try {
      const sa = await c.operatorService.listSearchAttributes({ namespace: 'default' });
      for (const name of Object.keys(REXSWEEP_SEARCH_ATTRIBUTES)) expect(Object.keys(sa.customAttributes ?? {})).toContain(name);
      // A real server: persistence and visibility on PostgreSQL, not the dev server's SQLite.
      const info = await c.workflowService.getClusterInfo({});
      expect(info.persistenceStore).toMatch(/postgres/);
      expect(info.visibilityStore).toMatch(/postgres/);
    } finally {
      await c.close();
    }
  });

  it('MLflow: anonymous and wrong credentials are refused; users of the team get in', async () => {
    const uri = `http://${team.mlflow.host}:${team.mlflow.port}`;
    const search = (auth?: string) =>
      fetch(`${uri}/api/2.0/mlflow/experiments/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ max_results: 1 }),
      }).then((r) => r.status);
    const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
    const env = await teamEnv('researcher', team);
    expect(await search()).toBe(401);
    expect(await search(basic(env.MLFLOW_TRACKING_USERNAME, 'not-the-password'))).toBe(401);
    expect(await search(basic(env.MLFLOW_TRACKING_USERNAME, env.MLFLOW_TRACKING_PASSWORD))).toBe(200);
  });

  it('artifacts written through MLflow land in the S3 store, and a worker reads what a researcher wrote', async () => {
    const researcher = await teamEnv('researcher', team);
    const worker = await teamEnv('worker', team);
    const client = (e: Record<string, string>) =>
      new MlflowClient({ trackingUri: e.MLFLOW_TRACKING_URI, auth: { kind: 'basic', username: e.MLFLOW_TRACKING_USERNAME, password: e.MLFLOW_TRACKING_PASSWORD } });
    const r = client(researcher);
    const { experiment } = await r.getOrCreateExperiment(`team-stack-${Date.now()}`);
    const run = (await r.createRun({ experimentId: experiment.experimentId, runName: 'artifact-check' })).info;
    const body = Buffer.from(`checkpoint ${Date.now()}\n`);
    await r.uploadArtifact(run.runId, 'checkpoints/epoch-1.rxm', body);
    // default_permission EDIT: the workers' service account reads and writes researchers' runs.
    const w = client(worker);
    expect((await w.downloadArtifact(run.runId, 'checkpoints/epoch-1.rxm')).equals(body)).toBe(true);
    await w.uploadArtifact(run.runId, 'model/a/state.rxm', Buffer.from('model'));
    // A file that is not there: an answer at once (MLflow says 500 for it with an S3 root), not a 15-minute retry.
    const t0 = Date.now();
    const missing = await w.downloadArtifact(run.runId, 'report/aggregates.json').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MlflowApiError);
    expect((missing as MlflowApiError).status).toBe(404);
    expect(Date.now() - t0).toBeLessThan(30_000);
    const files = await listFiles(join(state, 's3'));
    expect(files.some((f) => f.endsWith('checkpoints/epoch-1.rxm') && f.includes(team.bucket))).toBe(true);
    expect(files.some((f) => f.endsWith('model/a/state.rxm'))).toBe(true);
  });

  it('up again starts nothing; down and up keep every run', async () => {
    const again = await mustRexsweep(['team', 'up']);
    expect(again).toMatch(/postgres .*already running/);
    expect(again).toMatch(/temporal .*already running/);
    expect(again).toMatch(/mlflow .*already running/);
    const env = await teamEnv('researcher', team);
    const r = new MlflowClient({ trackingUri: env.MLFLOW_TRACKING_URI, auth: { kind: 'basic', username: env.MLFLOW_TRACKING_USERNAME, password: env.MLFLOW_TRACKING_PASSWORD } });
    const name = `team-persist-${Date.now()}`;
    const { experiment } = await r.getOrCreateExperiment(name);
    const down = await mustRexsweep(['team', 'down']);
    expect(down).toMatch(/postgres: (terminated|killed)/);
    const status = await rexsweep(['team', 'status', '--json']);
    expect(Object.values(JSON.parse(status.out.trim().split('\n').pop()!)).every((s) => (s as { state: string }).state === 'stopped')).toBe(true);
    await mustRexsweep(['team', 'up']);
    expect((await r.getExperimentByName(name))?.experimentId).toBe(experiment.experimentId);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath ?? e.path, e.name));
  return out;
}
