/**
 * Bad local data under the real `rexsweep run` (issue 11 item 4): a missing data file, a sentiment
 * of 0 on some line, a `.env` passed as data. The datasets are prepared and published before the
 * sweep starts (client/publish-datasets.ts), so each is exit 2 with file:line and what was
 * expected, no stack trace, no secret, and no sweep workflow on the test Temporal server.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepWorkflowId } from '../../client/start-sweep.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { parseSweepYaml } from '../../sweep/load.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));

let connection: Connection;
let client: Client;
let dir: string;
beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  client = new Client({ connection });
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-bad-data-'));
});
afterAll(async () => {
  await connection?.close();
});

function rexsweep(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const cases: [what: string, sentires: string, message: RegExp][] = [
  ['a missing data file', '/nonexistent/rexsweep/sentires.txt', /sentires\.txt: expected an existing, readable file, got ENOENT|field dataset\.sentires\).*ENOENT/],
  ['a sentiment of 0 on line 3', fixture('hostile/amazon-sentiment-zero.txt'), /amazon-sentiment-zero\.txt:3 \(field triplets\[0\]\[2\]\): expected sentiment "\+1" or "-1", got 0/],
  ['a .env passed as data', fixture('hostile/dot-env'), /dot-env:1 \(field line\): expected 4 '@'-separated fields/],
];

describe('rexsweep run with bad local data', () => {
  it.each(cases)('%s: exit 2, located, nothing started', async (_what, sentires, message) => {
    const tag = randomUUID().slice(0, 8);
    const yaml = `
study: bad-data-${tag}
name: bad-data-${tag}
datasets: [{ source: amazon, name: cds, sentires: ${JSON.stringify(sentires)}, reviews: ${JSON.stringify(fixture('data/amazon-reviews.json'))} }]
models: [efm]
lambdas: [0]
epsilonsD: [0.5]
epsilonsA: [0.5]
attacks: [fgsm]
seeds: [0]
queues: { workflow: bad-data-cpu-${tag}, gpu: bad-data-gpu-${tag} }
cell: { datasetCache: ${JSON.stringify(join(dir, `cache-${tag}`))} }
`;
    const file = join(dir, `${tag}.yaml`);
    await writeFile(file, yaml);
    const r = await rexsweep(['run', file, '--json', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at |unexpected error/);
    for (const secret of ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', 'hunter2']) expect(r.stderr).not.toContain(secret);
    const id = sweepWorkflowId(sweepId(parseSweepYaml(yaml, file)));
    await expect(client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }, 300_000);
});
