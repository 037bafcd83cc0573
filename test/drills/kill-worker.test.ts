/**
 * Kill −9 drill: the compute worker process (`rexsweep worker --roles gpu`, a real separate
 * process) is killed with SIGKILL while it trains, three times across a sweep, and started again
 * each time. The sweep must complete, every cell with exactly one FINISHED run, and every
 * metric equal to that of an undisturbed run of the same cells: training resumed from the
 * checkpoints in MLflow's artifact store reaches the same weights.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSweep } from '../../client/start-sweep.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { cellWorkflowId, type SweepProgress } from '../../workflows/sweep.ts';
import { cellRuns, computeWorker, openHarness, required, workflowWorker, type Harness } from '../orchestration/harness.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
let h: Harness;
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  h = await openHarness();
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-kill-'));
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

function drillSweep(study: string, queueTag: string): SweepConfig {
  return parseSweepYaml(
    `
study: ${study}
name: ${study}
datasets: [{ source: synthetic, name: tiny, synthetic: { users: 40, items: 300, features: 10, reviewsPerUser: 16 } }]
models: [cer]
lambdas: [0, 0.5]
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm]
seeds: [0]
# Long enough for three kills on an idle machine (~20 epochs/s here): with 120 the cells
# finished between the second and third kill.
epochs: 480
concurrency: 2
queues: { workflow: kill-cpu-${queueTag}, gpu: kill-gpu-${queueTag} }
# A dead worker is noticed after 5 s without a heartbeat, and the attempt retried at once.
retry: { compute: { heartbeatTimeout: 5s, initialInterval: 1s, maximumInterval: 2s, maximumAttempts: 10 } }
cell:
  datasetCache: ${join(dir, 'datasets')}
  cer: { hidden: [32, 16], learningRate: 0.05 }
  explainer: { steps: 10, testUsers: 4 }
`,
    'kill-drill.yaml',
  );
}

/** `rexsweep worker --roles gpu` as its own process, checkpointing after every epoch. */
function spawnComputeWorker(sweep: SweepConfig): ChildProcess {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--roles', 'gpu', '--gpu-queue', sweep.queues.gpu, '--workflow-queue', sweep.queues.workflow, '--backend', 'wasm', '--checkpoint-seconds', '0'],
    { env: { ...process.env, TEMPORAL_ADDRESS: required('TEMPORAL_ADDRESS'), MLFLOW_TRACKING_URI: required('MLFLOW_TRACKING_URI') }, stdio: 'ignore', detached: true },
  );
  return child;
}

/** Kill the process group: the worker and any training process it started. */
function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGKILL');
  });
}

/** The training epoch a cell's pending compute activity last heartbeated, if it is training. */
async function trainingEpoch(workflowId: string): Promise<{ epoch: number; attempt: number } | undefined> {
  const desc = await h.client.workflow.getHandle(workflowId).describe().catch(() => undefined);
  for (const a of desc?.raw.pendingActivities ?? []) {
    if (a.activityType?.name !== 'runCell') continue;
    const payload = a.heartbeatDetails?.payloads?.[0];
    const details = payload ? (defaultPayloadConverter.fromPayload(payload) as { epoch?: number }) : undefined;
    if (details?.epoch !== undefined) return { epoch: details.epoch, attempt: a.attempt ?? 1 };
  }
  return undefined;
}

async function metricsByCell(study: string): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const [key, runs] of await cellRuns(h, study)) {
    expect(runs.map((r) => r.info.status), key).toEqual(['FINISHED']);
    const m: Record<string, number> = {};
    for (const x of runs[0].data.metrics) if (x.key.startsWith('eval.') && !x.key.endsWith('.seconds')) m[x.key] = x.value;
    out.set(key, m);
  }
  return out;
}

describe('kill −9 of the compute worker during training', () => {
  it('the sweep completes, one FINISHED run per cell, metrics equal to an undisturbed run', async () => {
    const tag = Date.now().toString(36);
    const disturbed = drillSweep(`kill-drill-${tag}`, `a${tag}`);
    const wf = await workflowWorker(h, disturbed);
    cleanups.push(() => wf.shutdown());
    let worker = spawnComputeWorker(disturbed);
    cleanups.push(() => killHard(worker));
    const started = await startSweep(h.client, disturbed, { mlflow: h.mlflow });
    const cellIds = expandSweep(disturbed).map((c) => cellWorkflowId(started.workflowId, c.key));

    // Three kills, each while some cell trains: an attempt not killed before, past the epoch of
    // the previous kill of that cell (so it has really resumed from a checkpoint and moved on).
    const kills: { cell: string; epoch: number; attempt: number }[] = [];
    const deadline = Date.now() + 420_000;
    const allClosed = async () => (await Promise.all(cellIds.map((id) => h.client.workflow.getHandle(id).describe().catch(() => undefined)))).every((d) => d && d.status.name !== 'RUNNING');
    while (kills.length < 3 && Date.now() < deadline && !(await allClosed())) {
      for (const id of cellIds) {
        const t = await trainingEpoch(id);
        const previous = kills.filter((k) => k.cell === id);
        const lastEpoch = previous.length > 0 ? previous[previous.length - 1].epoch : 0;
        if (!t || t.epoch < 3 || t.epoch <= lastEpoch || previous.some((k) => k.attempt === t.attempt)) continue;
        await killHard(worker);
        kills.push({ cell: id, ...t });
        worker = spawnComputeWorker(disturbed);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (kills.length < 3) {
      const p = (await started.handle.query('progress')) as SweepProgress;
      throw new Error(`only ${kills.length} kills in time: ${JSON.stringify({ kills, counts: p.counts, failures: p.failures })}`);
    }

    const final: SweepProgress = await started.handle.result();
    expect(final.failures).toEqual([]);
    expect(final.counts).toMatchObject({ finished: 2, failed: 0 });
    await killHard(worker);

    // The same cells, undisturbed, in another study (separate runs), computed in this process.
    const calm = drillSweep(`kill-calm-${tag}`, `b${tag}`);
    const wf2 = await workflowWorker(h, calm);
    const compute = await computeWorker(h, calm);
    cleanups.push(() => wf2.shutdown(), () => compute.stop());
    await (await startSweep(h.client, calm, { mlflow: h.mlflow })).handle.result();

    const a = await metricsByCell(disturbed.study);
    const b = await metricsByCell(calm.study);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [key, m] of a) {
      expect(Object.keys(m).length, key).toBeGreaterThan(10);
      expect(m, key).toEqual(b.get(key));
    }
  }, 600_000);
});
