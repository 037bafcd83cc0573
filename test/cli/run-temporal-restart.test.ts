/**
 * Issue 11 item 1: the Temporal dev server stopped and started again under the real
 * `rexsweep run` process (its follow loop, its in-process workflow worker and its compute child).
 * The command must ride the outage out: exit 0, every cell FINISHED exactly once in MLflow, and
 * the progress line must have said, within seconds, that Temporal was unreachable, and then that
 * it was back. No-op cells keep it light.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startTemporal, stopTemporal } from '../../infra/local/index.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { MlflowClient, TAG } from '../../tracking/index.ts';
import { testServersConfig } from '../infra/helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
const servers = inject('rexsweepServers')!;
const config = testServersConfig(servers);

afterEach(async () => {
  // Whatever happened, the server is up for the next test file.
  await startTemporal({ config });
});

describe('rexsweep run across a Temporal restart', () => {
  it('reconnects, finishes every cell once and exits 0', async () => {
    const tag = randomUUID().slice(0, 8);
    const yaml = `
study: restart-${tag}
name: restart-${tag}
datasets: [{ source: synthetic, name: tiny }]
models: [cer]
lambdas: [0, 0.5]
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm]
seeds: [${Array.from({ length: 12 }, (_, i) => i).join(', ')}]
concurrency: 2
queues: { workflow: restart-cpu-${tag}, gpu: restart-gpu-${tag} }
cell: { noop: true }
retry: { record: { startToCloseTimeout: 20s }, prepare: { heartbeatTimeout: 15s }, compute: { heartbeatTimeout: 15s } }
`;
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-restart-'));
    const file = join(dir, 'sweep.yaml');
    await writeFile(file, yaml);
    const sweep = parseSweepYaml(yaml, file);

    const child = spawn(process.execPath, [BIN, 'run', file, '--json', '--backend', 'cpu'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 400_000);

    // Mid-sweep: a few cells finished (the progress line shows "finished N").
    const deadline = Date.now() + 180_000;
    while (!/finished [2-9]|finished \d\d/.test(stderr) && Date.now() < deadline) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(child.exitCode, stderr).toBeNull();
    expect((await stopTemporal({ config })).result).toBe('terminated');
    // The user is told within seconds (a TCP probe), not after the client's ~20 s of retries.
    const stoppedAt = Date.now();
    while (!/Temporal unreachable since/.test(stderr) && Date.now() - stoppedAt < 25_000) await new Promise((r) => setTimeout(r, 200));
    const toldAfterMs = Date.now() - stoppedAt;
    await new Promise((r) => setTimeout(r, Math.max(0, 25_000 - toldAfterMs)));
    await startTemporal({ config });

    const code = await exited;
    // REXSWEEP_DRILL_LOG=<file> keeps the command's stderr for a look at what it said.
    if (process.env.REXSWEEP_DRILL_LOG) await writeFile(process.env.REXSWEEP_DRILL_LOG, stderr);
    clearTimeout(killer);
    expect(code, stderr.slice(-4000)).toBe(0);
    expect(stderr).toMatch(/Temporal unreachable since \d\d:\d\d:\d\d; reconnecting/);
    expect(toldAfterMs, 'how long the outage went unsaid').toBeLessThan(8_000);
    expect(stderr).toMatch(/Temporal reachable again \(unreachable from \d\d:\d\d:\d\d for \d+(\.\d)? (s|min|h)\)/);
    const final = JSON.parse(stdout.trim().split('\n').at(-1)!) as { counts: Record<string, number> };
    const cells = expandSweep(sweep);
    expect(final.counts).toMatchObject({ finished: cells.length, failed: 0 });

    const mlflow = new MlflowClient({ trackingUri: servers.mlflowUri });
    const experiment = await mlflow.getExperimentByName(sweep.study);
    const runs = await mlflow.searchAllRuns({ experimentIds: [experiment!.experimentId] });
    const byKey = new Map<string, string[]>();
    for (const r of runs) {
      const key = r.data.tags[TAG.cellKey];
      if (key) byKey.set(key, [...(byKey.get(key) ?? []), r.info.status]);
    }
    expect([...byKey.keys()].sort()).toEqual(cells.map((c) => c.key).sort());
    for (const [key, statuses] of byKey) expect(statuses, key).toEqual(['FINISHED']);
  }, 600_000);
});
