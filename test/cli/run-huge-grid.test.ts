/**
 * `rexsweep run` on a 10⁷-cell grid (issue 11 item 2) reaches "started" within seconds and a
 * bounded memory: nothing on its path expands the grid (gridHash hashes the grid's factors,
 * sweep/grid-hash.ts). --no-worker keeps the test to the CLI's own path; the sweep is terminated
 * right after it started.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));

/** Peak resident memory of a process, in bytes (Linux: VmHWM). */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

describe('rexsweep run on a 10⁷-cell grid', () => {
  it('starts within seconds and bounded memory', async () => {
    const tag = randomUUID().slice(0, 8);
    const lambdas = `[0, ${Array.from({ length: 999 }, (_, i) => ((i + 1) / 1000).toFixed(3)).join(', ')}]`;
    const seeds = `[${Array.from({ length: 10_000 }, (_, i) => i).join(', ')}]`;
    const yaml = `study: huge-${tag}\nname: huge-${tag}\ndatasets: [{ source: synthetic, name: tiny }]\nmodels: [cer]\nlambdas: ${lambdas}\nepsilonsD: [0.5]\nepsilonsA: [0.5]\nattacks: [fgsm]\nseeds: ${seeds}\nqueues: { workflow: huge-cpu-${tag}, gpu: huge-gpu-${tag} }\ncell: { noop: true }\n`;
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-huge-'));
    const file = join(dir, 'huge.yaml');
    await writeFile(file, yaml);

    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, 'run', file, '--no-worker', '--json'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let peak = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const deadline = Date.now() + 90_000;
    while (!/: started \(workflow (\S+)\)/.test(stderr) && Date.now() < deadline && child.exitCode === null) {
      peak = Math.max(peak, peakRss(child.pid!));
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (Date.now() - t0) / 1000;
    peak = Math.max(peak, child.exitCode === null ? peakRss(child.pid!) : 0);
    child.kill('SIGKILL');
    const workflowId = /: started \(workflow (\S+)\)/.exec(stderr)?.[1];
    expect(workflowId, stderr).toBeDefined();
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    try {
      await new Client({ connection }).workflow.getHandle(workflowId!).terminate('test done');
    } finally {
      await connection.close();
    }
    // The CLI's start-up (imports, servers' health checks) dominates on a busy 2-core machine.
    expect(seconds).toBeLessThan(60);
    // Expanding the grid took 1.5 GB and rising; the CLI itself needs a few hundred MB.
    expect(peak).toBeLessThan(600 * 1024 * 1024);
  }, 180_000);
});
