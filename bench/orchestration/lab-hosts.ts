/**
 * No-op cells on the team stack with compute workers on 1 vs 3 hosts (network namespaces on one
 * machine, infra/team/netns.ts): the cost of spreading a sweep over hosts, side by side in one
 * run. Hosts: `db` (PostgreSQL + Temporal server, mTLS), `store` (S3 + MLflow, basic auth),
 * `submit` (`rexsweep run --no-worker`), `w1`…`w3` (`rexsweep worker`, workflow + compute roles,
 * compute inline). Needs root. The time is from the sweep's start (its "started" line) to the
 * end of `rexsweep run` (final aggregation included, as for a user).
 *
 *   sudo npx tsx bench/orchestration/lab-hosts.ts --cells 200 --concurrency 50 --hosts 1,3 [--timeout 900]
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { teamEnv } from '../../infra/team/index.ts';
import { labTeamUp } from '../../infra/team/lab-team.ts';
import { createLab } from '../../infra/team/netns.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '50' },
    hosts: { type: 'string', default: '1,3' },
    /** A run still going after this many seconds is stopped and reported as stalled. */
    timeout: { type: 'string', default: '900' },
  },
});
const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
const base = `/tmp/rx-bench-lab-${process.pid}`;
await mkdir(base, { recursive: true });
await chmod(base, 0o711);
const lab = await createLab(`b${process.pid % 1000}`, '10.231.251', ['db', 'store', 'submit', 'w1', 'w2', 'w3']);
try {
  const { config: team } = await labTeamUp(lab, join(base, 'team-state'), BIN);
  const workerEnv = { ...process.env, ...(await teamEnv('worker', team)) };
  const researcherEnv = { ...process.env, ...(await teamEnv('researcher', team)) };

  for (const n of values.hosts.split(',').map(Number)) {
    const study = `bench-lab-${n}h-${Date.now().toString(36)}`;
    const file = join(base, `${study}.yaml`);
    const seeds = Array.from({ length: Number(values.cells) }, (_, k) => k).join(', ');
    await writeFile(
      file,
      `study: ${study}\nname: ${study}\ndatasets: [{ source: synthetic, name: noop }]\nmodels: [cer]\nlambdas: [0]\nepsilonsD: [0.5]\n` +
        `epsilonsA: [0.5, 1.0]\nattacks: [fgsm, random]\nseeds: [${seeds}]\nepochs: 1\nconcurrency: ${values.concurrency}\n` +
        `queues: { workflow: ${study}-cpu, gpu: ${study}-gpu }\ncell: { noop: true }\n`,
    );
    const hosts = ['w1', 'w2', 'w3'].slice(0, n);
    for (const w of hosts) {
      lab.spawnIn(w, [process.execPath, BIN, 'worker', '--name', w, '--roles', 'workflow,gpu', '--slots', '100', '--backend', 'cpu', '--isolation', 'inline',
        '--workflow-queue', `${study}-cpu`, '--gpu-queue', `${study}-gpu`], { env: workerEnv, stdio: 'ignore' });
    }
    const child = lab.spawnIn('submit', [process.execPath, BIN, 'run', file, '--no-worker', '--json'], { env: researcherEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let startedAt = 0;
    // `run` prints its counts only at the end; its progress lines ("… 37/200 cells · …") say how
    // far a run got that the limit stops.
    let lastSettled: number | undefined;
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => {
      const text = b.toString();
      if (!startedAt && /: started \(workflow/.test(text)) startedAt = performance.now();
      for (const m of text.matchAll(/(\d+)\/(\d+) cells/g)) lastSettled = Number(m[1]);
    });
    let stalled = false;
    const limit = setTimeout(() => {
      stalled = true;
      child.kill('SIGKILL');
    }, Number(values.timeout) * 1000);
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    clearTimeout(limit);
    const seconds = (performance.now() - startedAt) / 1000;
    const final = JSON.parse(out.trim().split('\n').pop() || '{}');
    const settled = (final.counts?.finished ?? 0) + (final.counts?.failed ?? 0);
    process.stdout.write(
      JSON.stringify({ workerHosts: n, cells: Number(values.cells), concurrency: Number(values.concurrency), exit: stalled ? `stalled: stopped after ${values.timeout} s` : code, finished: final.counts?.finished, ...(stalled ? { settledWhenStopped: lastSettled ?? 0 } : {}), seconds: Number(seconds.toFixed(1)), cellsPerSecond: Number((settled / seconds).toFixed(2)), msPerCell: Number(((seconds * 1000) / settled).toFixed(0)) }) + '\n',
    );
    for (const w of hosts) await lab.killHost(w);
    log(`${n} host(s) done`);
  }
} finally {
  await lab.destroy();
  await rm(base, { recursive: true, force: true });
}
