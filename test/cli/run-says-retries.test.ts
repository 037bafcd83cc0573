/**
 * Issue 11 item 10: what `rexsweep run` tells the user when an attempt is lost and when MLflow
 * goes away, under the real command. Its compute child's training process is SIGKILLed once, then
 * MLflow is stopped for a while. The command must say "cell <key>: runCell attempt 2 after …",
 * "MLflow unreachable since HH:MM:SS" and "MLflow reachable again (… for N s)", and still end
 * with every cell FINISHED once and exit 0.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startMlflow, stopMlflow } from '../../infra/local/index.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { MlflowClient, TAG } from '../../tracking/index.ts';
import { testServersConfig } from '../infra/helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
const servers = inject('rexsweepServers')!;
const config = testServersConfig(servers);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await startMlflow({ config });
});

describe('rexsweep run says what is happening', () => {
  it('tells of a retried attempt and of an MLflow outage, and loses nothing', async () => {
    const tag = randomUUID().slice(0, 8);
    const yaml = `
study: says-${tag}
name: says-${tag}
datasets: [{ source: synthetic, name: tiny, synthetic: { users: 40, items: 200, features: 10 } }]
models: [cer]
lambdas: [0, 0.5]
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm]
seeds: [0]
epochs: { cer: 150, efm: 10 }
concurrency: 2
queues: { workflow: says-cpu-${tag}, gpu: says-gpu-${tag} }
retry: { compute: { initialInterval: 1s }, record: { initialInterval: 1s, maximumInterval: 3s } }
cell: { cer: { hidden: [16] }, explainer: { steps: 5, testUsers: 4 } }
`;
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-says-'));
    const file = join(dir, 'sweep.yaml');
    await writeFile(file, yaml);
    const sweep = parseSweepYaml(yaml, file);

    const child = spawn(process.execPath, [BIN, 'run', file, '--json', '--backend', 'cpu', '--slots', '1'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 400_000);
    try {
      // The first compute attempt's process (runCell: prepare, then train), as the compute worker logs it.
      const trainPid = async () => {
        const deadline = Date.now() + 180_000;
        while (Date.now() < deadline && child.exitCode === null) {
          const m = /\[runCell [0-9a-f]+\] child process (\d+)/.exec(stderr);
          if (m) return Number(m[1]);
          await sleep(200);
        }
        throw new Error(`no training started:\n${stderr.slice(-3000)}`);
      };
      const pid = await trainPid();
      await sleep(3000); // into its epochs
      process.kill(pid, 'SIGKILL');
      const until = (re: RegExp, ms: number) => (async () => {
        const deadline = Date.now() + ms;
        while (!re.test(stderr) && Date.now() < deadline && child.exitCode === null) await sleep(250);
        return re.test(stderr);
      })();
      expect(await until(/cell [0-9a-f]+: runCell attempt [2-9] after /, 60_000), stderr.slice(-3000)).toBe(true);

      expect((await stopMlflow({ config })).result).toBe('terminated');
      expect(await until(/MLflow unreachable since \d\d:\d\d:\d\d; its bookkeeping is retried/, 30_000), stderr.slice(-3000)).toBe(true);
      await startMlflow({ config });
      expect(await until(/MLflow reachable again \(unreachable from \d\d:\d\d:\d\d for \d+(\.\d)? (s|min|h)\)/, 60_000), stderr.slice(-3000)).toBe(true);

      const code = await exited;
      expect(code, stderr.slice(-4000)).toBe(0);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
    const final = JSON.parse(stdout.trim().split('\n').at(-1)!) as { counts: Record<string, number> };
    const cells = expandSweep(sweep);
    expect(final.counts).toMatchObject({ finished: cells.length, failed: 0 });
    const mlflow = new MlflowClient({ trackingUri: servers.mlflowUri });
    const experiment = await mlflow.getExperimentByName(sweep.study);
    const runs = await mlflow.searchAllRuns({ experimentIds: [experiment!.experimentId] });
    const statuses = runs.filter((r) => r.data.tags[TAG.cellKey]).map((r) => r.info.status);
    expect(statuses).toEqual(cells.map(() => 'FINISHED'));
  }, 600_000);
});
