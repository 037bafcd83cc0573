/**
 * A sweep across hosts, on the team stack, with one worker host killed whole mid-sweep.
 *
 * Hosts are network namespaces on a private LAN (infra/team/netns.ts): `db` runs PostgreSQL and
 * the Temporal server (mTLS), `store` the S3 store and MLflow (basic auth), `w1`–`w3` each run
 * `rexsweep worker` (workflow + gpu roles), `submit` runs `rexsweep run --no-worker` as a
 * researcher. The sweep's data is a file on the submitter that the worker hosts cannot read
 * (their view of its folder is an empty tmpfs), so every worker gets it from the published copy
 * in MLflow. Once w2 is computing a cell, every process of w2 is SIGKILLed.
 *
 * Then: the sweep completes; every cell has exactly one FINISHED run and one completed cell
 * workflow; every worker host ran cells (tag rexsweep.worker); and every metric equals that of a
 * single-host run of the same grid on the local dev servers.
 *
 * Needs root (namespaces). Without root it is skipped, with its reason, unless
 * REXSWEEP_REQUIRE_TEAM=1 (CI), where it fails instead.
 */
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSweep } from '../../client/start-sweep.ts';
import { teamEnv, teamInstall, type TeamConfig } from '../../infra/team/index.ts';
import { labTeamUp } from '../../infra/team/lab-team.ts';
import { createLab, type Lab } from '../../infra/team/netns.ts';
import { writeSyntheticInterchange } from '../../recsys/data/synthetic.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { cellRuns, inlineWorkers, openHarness, type Harness } from '../orchestration/harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'rexsweep.mjs');
const isRoot = process.getuid?.() === 0;
const required = process.env.REXSWEEP_REQUIRE_TEAM === '1';
if (required && !isRoot) throw new Error('REXSWEEP_REQUIRE_TEAM=1 but not root: the multi-host test needs network namespaces');

const tag = (process.pid % 10_000).toString(36) + Date.now().toString(36).slice(-3);
const base = `/tmp/rx-lab-${tag}`;
const submitDir = join(base, 'submitter');
const study = `team-lab-${tag}`;
const WORKERS = ['w1', 'w2', 'w3'] as const;
let lab: Lab | undefined;
let team: TeamConfig;
const children: ChildProcess[] = [];

function sweepYaml(dataPath: string): string {
  return `
study: ${study}
name: ${study}
datasets: [{ source: interchange, name: lab-data, kind: amazon, path: ${dataPath} }]
models: [cer, efm]
lambdas: [0, 0.25, 0.5]
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm]
seeds: [0]
epochs: { cer: 30, efm: 30 }
concurrency: 6
queues: { workflow: lab-cpu, gpu: lab-gpu }
# A dead host is noticed after 10 s without a heartbeat and its attempts retried elsewhere.
retry:
  compute: { heartbeatTimeout: 10s, initialInterval: 1s, maximumInterval: 2s, maximumAttempts: 20 }
  prepare: { heartbeatTimeout: 10s, initialInterval: 1s, maximumInterval: 2s, maximumAttempts: 20 }
cell:
  backend: wasm
  datasetCache: ${join(submitDir, 'cache')}
  cer: { hidden: [32, 16], learningRate: 0.01 }
  explainer: { steps: 10, testUsers: 6 }
`;
}

/** Output of a command run in a lab host, or a failure naming the command and its last lines. */
async function mustRun(host: string, argv: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const r = await lab!.run(host, argv, { env, timeoutMs });
  if (r.code !== 0) throw new Error(`${host}: ${argv.slice(0, 4).join(' ')} … exited ${r.code}\n${r.tail}`);
  return r.stdout;
}

describe.skipIf(!isRoot)('team stack across hosts (network namespaces; skipped without root, required in CI)', () => {
  let h: Harness;

  beforeAll(async () => {
    // Tools first (cached; .ci/run builds them ahead of the tests).
    await teamInstall({ log: (l) => process.stderr.write(`[team install] ${l}\n`) });
    await mkdir(submitDir, { recursive: true });
    await chmod(base, 0o711);
    lab = await createLab(tag, `10.231.${(process.pid % 200) + 20}`, ['db', 'store', 'w1', 'w2', 'w3', 'submit']);
    team = (await labTeamUp(lab, join(base, 'team-state'), BIN)).config;
    h = await openHarness();
  }, 20 * 60_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await lab?.destroy();
    await h?.close();
    await rm(base, { recursive: true, force: true });
  }, 120_000);

  it('runs a sweep on three worker hosts, survives losing one, and matches a single-host run', async () => {
    const workerEnv = { ...process.env, ...(await teamEnv('worker', team)) };
    const researcherEnv = { ...process.env, ...(await teamEnv('researcher', team)) };
    const dataPath = join(submitDir, 'lab.jsonl');
    await writeSyntheticInterchange({ users: 40, items: 200, features: 12, reviewsPerUser: 16, featuresPerReview: 3, seed: 7 }, dataPath);
    const sweepFile = join(submitDir, 'sweep.yaml');
    await writeFile(sweepFile, sweepYaml(dataPath));
    const config = parseSweepYaml(sweepYaml(dataPath), sweepFile);
    const cells = expandSweep(config);

    // Worker hosts: no view of the submitter's folder, a cache of their own.
    const logs: Record<string, string> = {};
    for (const w of WORKERS) {
      logs[w] = '';
      const child = lab!.spawnIn(
        w,
        [process.execPath, BIN, 'worker', '--name', w, '--roles', 'workflow,gpu', '--slots', '1', '--backend', 'wasm',
          '--workflow-queue', 'lab-cpu', '--gpu-queue', 'lab-gpu', '--dataset-cache', join(base, `cache-${w}`), '--checkpoint-seconds', '0'],
        { env: workerEnv, hide: [submitDir], stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout!.on('data', (b: Buffer) => (logs[w] += b.toString()));
      child.stderr!.on('data', (b: Buffer) => (logs[w] += b.toString()));
      children.push(child);
    }

    // The researcher submits from a host of their own and follows the sweep.
    const submit = lab!.spawnIn('submit', [process.execPath, BIN, 'run', sweepFile, '--no-worker', '--json'], { env: researcherEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(submit);
    let out = '';
    let err = '';
    submit.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    submit.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => submit.once('exit', (code) => resolve(code)));

    // Kill w2 whole once it is computing: its worker has logged a compute child and more than
    // one process is there. (A process count alone is not enough: while the host starts, the
    // `mount` of its hidden folder and the shell that runs it are two processes too.)
    const computeChild = /\[(prepareData|trainCell|evaluateCell|runCell) [0-9a-f]+.*\] child process/;
    const killDeadline = Date.now() + 6 * 60_000;
    let killed = 0;
    while (Date.now() < killDeadline) {
      const pids = computeChild.test(logs.w2) ? await lab!.pids('w2') : [];
      if (pids.length >= 2) {
        killed = await lab!.killHost('w2');
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(killed, `w2 never computed a cell; its log:\n${logs.w2}`).toBeGreaterThanOrEqual(2);
    expect(await lab!.pids('w2')).toEqual([]);

    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15 * 60_000))]);
    const tails = () => Object.entries(logs).map(([w, l]) => `--- ${w}\n${l.slice(-1500)}`).join('\n');
    expect(code, `rexsweep run: ${err.slice(-2500)}\n${tails()}`).toBe(0);
    const final = JSON.parse(out.trim().split('\n').pop()!);
    expect(final.counts).toMatchObject({ finished: cells.length, failed: 0 });
    // Every worker host ran compute attempts (each is a child process, logged by its worker).
    for (const w of WORKERS) expect(logs[w], `${w} ran no compute attempt\n${tails()}`).toMatch(computeChild);

    // What the team's servers hold, read from inside the LAN.
    const seen = JSON.parse(
      (await mustRun('submit', [process.execPath, '--import', 'tsx', join(ROOT, 'test/team/inspect-study.ts'), study], workerEnv, 120_000)).trim().split('\n').pop()!,
    ) as {
      experimentTags: Record<string, string>;
      cells: { cellKey: string; status: string; worker?: string; metrics: Record<string, number> }[];
      datasets: { status: string; id: string }[];
      workflows: { workflowId: string; status: string }[];
    };
    // Exactly one FINISHED run per cell, and nothing else.
    expect(seen.cells.map((c) => c.cellKey).sort()).toEqual(cells.map((c) => c.key).sort());
    expect(seen.cells.every((c) => c.status === 'FINISHED')).toBe(true);
    // One completed cell workflow per cell: no cell ran twice.
    const ids = seen.workflows.map((w) => w.workflowId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(cells.length);
    expect(seen.workflows.every((w) => w.status === 'COMPLETED')).toBe(true);
    // The data travelled: published once, fetched by hosts that could not read the file.
    expect(seen.datasets).toHaveLength(1);
    expect(seen.datasets[0].status).toBe('FINISHED');
    // Each cell's accepted training ran on a lab worker host; more than one host trained.
    const trainedOn = new Set(seen.cells.map((c) => c.worker));
    for (const w of trainedOn) expect(WORKERS as readonly (string | undefined)[]).toContain(w);
    expect(trainedOn.size, JSON.stringify(seen.cells.map((c) => c.worker))).toBeGreaterThanOrEqual(2);
    expect(logs.w1 + logs.w3).not.toMatch(/not readable on this host/);
    // Model-training experiments, not GenAI ones.
    expect(JSON.stringify(seen.experimentTags)).toContain('custom_model_development');

    // The same grid on one host (the local dev servers of the test setup), for the numbers.
    const local = await inlineWorkers(h, config);
    try {
      await (await startSweep(h.client, config, { mlflow: h.mlflow, file: sweepFile })).handle.result();
    } finally {
      await local.shutdown();
    }
    const single = await cellRuns(h, study);
    for (const c of seen.cells) {
      const runs = single.get(c.cellKey) ?? [];
      expect(runs.map((r) => r.info.status), c.cellKey).toEqual(['FINISHED']);
      const m = Object.fromEntries(runs[0].data.metrics.filter((x) => x.key.startsWith('eval.') && !x.key.endsWith('.seconds')).map((x) => [x.key, x.value]));
      expect(Object.keys(m).length, c.cellKey).toBeGreaterThan(10);
      expect(c.metrics, c.cellKey).toEqual(m);
    }
  }, 30 * 60_000);
});

if (!isRoot) {
  describe('team stack across hosts', () => {
    it.skip('needs root for network namespaces (CI runs it as root with REXSWEEP_REQUIRE_TEAM=1)', () => {});
  });
}
