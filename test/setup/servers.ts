/**
 * vitest globalSetup: one real Temporal dev server and one real MLflow server for the whole test
 * run, in a fresh state folder under the OS temp dir and on non-default ports, so a developer's
 * own `rexsweep dev up` servers (and their data) are never touched. Torn down after the run.
 *
 * Tests get the addresses two ways:
 *   inject('rexsweepServers')   { temporalAddress, temporalUiUrl, mlflowUri, stateDir, ports }
 *   process.env                 TEMPORAL_ADDRESS, MLFLOW_TRACKING_URI, and REXSWEEP_STATE_DIR +
 *                               REXSWEEP_*_PORT, so startTemporal()/stopTemporal() (fault drills)
 *                               act on these servers and ensureLocalServices() reuses them.
 *
 * Ports: 17233 (Temporal), 18233 (Temporal UI), 15000 (MLflow), or REXSWEEP_TEST_TEMPORAL_PORT /
 * REXSWEEP_TEST_TEMPORAL_UI_PORT / REXSWEEP_TEST_MLFLOW_PORT; if one is taken (another test run
 * on this machine), free ports are picked instead.
 * A run that was killed leaves its servers behind: the next run stops them (their owner pid is
 * dead) and deletes their folder.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureLocalServices, PortInUseError, resolveConfig, stopLocalServices } from '../../infra/local/index.ts';
import { isAlive } from '../../infra/local/process.ts';

export interface TestServers {
  temporalAddress: string;
  temporalUiUrl: string;
  mlflowUri: string;
  /** Isolated state folder of this run (databases, logs, pid files). */
  stateDir: string;
  ports: { temporal: number; temporalUi: number; mlflow: number };
  /** Seconds from setup start to both servers healthy (install included on a cold cache). */
  startupSeconds: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    rexsweepServers: TestServers | null;
  }
}

const PREFIX = 'rexsweep-test-';
const log = (line: string) => process.stderr.write(`[test servers] ${line}\n`);

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const started = Date.now();
  await reapOrphans();

  const root = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(root, 'owner.json'), JSON.stringify({ pid: process.pid, since: new Date().toISOString() }) + '\n');
  // Ports are chosen before a first-time install that can take minutes; if another process
  // takes one meanwhile, start again on free ports (twice at most).
  let ports = await choosePorts();
  let env: NodeJS.ProcessEnv = {};
  let config = resolveConfig(process.env);
  let services;
  for (let attempt = 1; ; attempt++) {
    env = {
      ...process.env,
      REXSWEEP_STATE_DIR: join(root, 'state'),
      REXSWEEP_TEMPORAL_PORT: String(ports.temporal),
      REXSWEEP_TEMPORAL_UI_PORT: String(ports.temporalUi),
      REXSWEEP_MLFLOW_PORT: String(ports.mlflow),
    };
    // The user's own servers are not the tests' servers.
    delete env.TEMPORAL_ADDRESS;
    delete env.MLFLOW_TRACKING_URI;
    config = resolveConfig(env);
    log(`state ${config.stateDir}; ports temporal ${ports.temporal}, ui ${ports.temporalUi}, mlflow ${ports.mlflow}`);
    try {
      services = await ensureLocalServices({ config, log });
      break;
    } catch (err) {
      await stopLocalServices({ config }).catch(() => undefined);
      if (err instanceof PortInUseError && attempt < 3) {
        log(`${err.message.split(';')[0]}: retrying on free ports`);
        ports = { temporal: await freePort(), temporalUi: await freePort(), mlflow: await freePort() };
        continue;
      }
      await rm(root, { recursive: true, force: true });
      throw err;
    }
  }
  const servers: TestServers = {
    temporalAddress: services.temporalAddress,
    temporalUiUrl: services.temporalUiUrl,
    mlflowUri: services.mlflowUri,
    stateDir: config.stateDir,
    ports,
    startupSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  log(`ready in ${servers.startupSeconds} s: TEMPORAL_ADDRESS=${servers.temporalAddress} MLFLOW_TRACKING_URI=${servers.mlflowUri}`);
  project.provide('rexsweepServers', servers);
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: servers.temporalAddress,
    MLFLOW_TRACKING_URI: servers.mlflowUri,
    REXSWEEP_STATE_DIR: env.REXSWEEP_STATE_DIR,
    REXSWEEP_TEMPORAL_PORT: env.REXSWEEP_TEMPORAL_PORT,
    REXSWEEP_TEMPORAL_UI_PORT: env.REXSWEEP_TEMPORAL_UI_PORT,
    REXSWEEP_MLFLOW_PORT: env.REXSWEEP_MLFLOW_PORT,
  });

  return async () => {
    const stopped = await stopLocalServices({ config });
    log(`stopped ${stopped.stopped.join(', ') || 'nothing'}; removing ${root}`);
    await rm(root, { recursive: true, force: true });
  };
}

/** Servers of earlier runs whose vitest process is gone: stop them and delete their folder. */
async function reapOrphans(): Promise<void> {
  let entries: string[];
  try {
    entries = (await readdir(tmpdir())).filter((e) => e.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const root = join(tmpdir(), entry);
    let owner: number | undefined;
    try {
      owner = (JSON.parse(await readFile(join(root, 'owner.json'), 'utf8')) as { pid: number }).pid;
    } catch {
      owner = undefined;
    }
    if (owner !== undefined && isAlive(owner)) continue;
    const stopped = await stopLocalServices({ config: resolveConfig({ ...process.env, REXSWEEP_STATE_DIR: join(root, 'state') }) }).catch(
      () => undefined,
    );
    log(`removed leftovers of an earlier run: ${root}${stopped?.stopped.length ? ` (stopped ${stopped.stopped.join(', ')})` : ''}`);
    await rm(root, { recursive: true, force: true });
  }
}

async function choosePorts(): Promise<TestServers['ports']> {
  const wanted = {
    temporal: Number(process.env.REXSWEEP_TEST_TEMPORAL_PORT || 17233),
    temporalUi: Number(process.env.REXSWEEP_TEST_TEMPORAL_UI_PORT || 18233),
    mlflow: Number(process.env.REXSWEEP_TEST_MLFLOW_PORT || 15000),
  };
  const out = { ...wanted };
  for (const key of Object.keys(wanted) as (keyof typeof wanted)[]) {
    if (!(await portFree(wanted[key]))) {
      out[key] = await freePort();
      log(`port ${wanted[key]} is taken; using ${out[key]} for ${key}`);
    }
  }
  return out;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port free on loopback now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
