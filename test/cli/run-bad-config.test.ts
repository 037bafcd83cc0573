/**
 * `rexsweep run <bad sweep.yaml>` as a user runs it, for every malformed sweep file in
 * test/fixtures/sweep/ (the schema errors at the top, the whole-file errors in whole-file/):
 * exit code 2, nothing on stdout, exactly `rexsweep: <file>:<line>:<column> …` on stderr (the
 * fixture's `# expect:` line), and nothing started: no workflow on the test Temporal server, no
 * experiment or run in the test MLflow server, nothing installed or written to the local-server
 * cache or state folders (pointed at empty folders here).
 *
 * Each process imports the whole CLI (TF.js, the Temporal worker) before it reads the file: ~4 s
 * of CPU, so the runs go two at a time and the whole file takes a few minutes on a busy 2-core
 * machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/sweep/', import.meta.url));
/** A bad config must fail before any server contact; a run this long is waiting on something. */
const PER_RUN_LIMIT_MS = 120_000;

const temporalAddress = () => required('TEMPORAL_ADDRESS');
const mlflowUri = () => required('MLFLOW_TRACKING_URI');

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: these tests need the real servers of test/setup/servers.ts`);
  return v;
}

/** Every *.yaml under test/fixtures/sweep/, sorted, as absolute paths. */
function fixtureFiles(dir = FIXTURES): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return fixtureFiles(path);
      return name.endsWith('.yaml') ? [path] : [];
    });
}

const files = fixtureFiles();

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

let dir: string;
let childEnv: NodeJS.ProcessEnv;
let connection: Connection;
let client: Client;
const outcomes = new Map<string, Outcome>();

function rexsweep(args: string[]): Promise<Outcome> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), PER_RUN_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Run `fn` over `items`, at most `n` at once. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = items.slice();
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

// ------------------------------------------------------------------ what the servers hold

interface ServerSnapshot {
  workflows: string[];
  workflowCount: number;
  experiments: string[];
  runs: string[];
}

async function mlflowPost<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${mlflowUri()}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`MLflow ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function snapshot(): Promise<ServerSnapshot> {
  const workflows: string[] = [];
  for await (const w of client.workflow.list()) workflows.push(`${w.workflowId} ${w.runId} ${w.status.name}`);
  const { count: workflowCount } = await client.workflow.count();

  const experiments: { experiment_id: string; name: string; lifecycle_stage: string }[] = [];
  let token: string | undefined;
  do {
    const page = await mlflowPost<{ experiments?: typeof experiments; next_page_token?: string }>('experiments/search', {
      max_results: 1000,
      view_type: 'ALL',
      ...(token ? { page_token: token } : {}),
    });
    experiments.push(...(page.experiments ?? []));
    token = page.next_page_token || undefined;
  } while (token);

  const runs: string[] = [];
  const ids = experiments.map((e) => e.experiment_id);
  for (let k = 0; k < ids.length; k += 100) {
    let runToken: string | undefined;
    do {
      const page = await mlflowPost<{ runs?: { info: { run_id: string; status: string } }[]; next_page_token?: string }>('runs/search', {
        experiment_ids: ids.slice(k, k + 100),
        max_results: 1000,
        run_view_type: 'ALL',
        ...(runToken ? { page_token: runToken } : {}),
      });
      runs.push(...(page.runs ?? []).map((r) => `${r.info.run_id} ${r.info.status}`));
      runToken = page.next_page_token || undefined;
    } while (runToken);
  }
  return {
    workflows: workflows.sort(),
    workflowCount: Number(workflowCount),
    experiments: experiments.map((e) => `${e.experiment_id} ${e.name} ${e.lifecycle_stage}`).sort(),
    runs: runs.sort(),
  };
}

/** Visibility is eventually consistent: wait until two readings a second apart agree. */
async function settledSnapshot(): Promise<ServerSnapshot> {
  let last = await snapshot();
  for (let k = 0; k < 10; k++) {
    await new Promise((r) => setTimeout(r, 1000));
    const next = await snapshot();
    if (JSON.stringify(next) === JSON.stringify(last)) return next;
    last = next;
  }
  return last;
}

// ------------------------------------------------------------------ YAML edge cases (inline files)

/** Inputs that once crashed or gave no position; written at run time (an alias bomb is code). */
const YAML_EDGE_CASES: { name: string; body: string; what: string }[] = [
  {
    name: 'empty.yaml',
    body: '# nothing but a comment: an empty sweep file\n',
    what: 'an empty file is one error at 1:1',
  },
  {
    name: 'unresolved-alias.yaml',
    body: 'study: *no_such_anchor\nname: broken\n',
    what: 'an alias without its anchor is a located error, exit 2',
  },
  {
    name: 'alias-bomb.yaml',
    body:
      'study: fixtures\nname: broken\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n' +
      Array.from({ length: 7 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`).join('\n') +
      '\n',
    what: 'an alias bomb is a located error, exit 2',
  },
];
const edgeCaseFile = (name: string) => join(dir, 'known-bugs', name);

let before: ServerSnapshot;
let after: ServerSnapshot;
let startedAt: Date;
let elapsedMs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-bad-run-'));
  await mkdir(join(dir, 'known-bugs'));
  for (const b of YAML_EDGE_CASES) await writeFile(edgeCaseFile(b.name), b.body);
  childEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporalAddress(),
    MLFLOW_TRACKING_URI: mlflowUri(),
    // Were the command to bring up local servers, it would install and write here.
    REXSWEEP_CACHE: join(dir, 'cache'),
    REXSWEEP_STATE_DIR: join(dir, 'state'),
    REXSWEEP_BACKEND: 'wasm',
  };
  connection = await Connection.connect({ address: temporalAddress() });
  client = new Client({ connection });

  before = await settledSnapshot();
  startedAt = new Date();
  const all = [...files, ...YAML_EDGE_CASES.map((b) => edgeCaseFile(b.name))];
  await pool(all, Math.max(2, Math.min(3, availableParallelism())), async (file) => {
    outcomes.set(file, await rexsweep(['run', file]));
  });
  elapsedMs = Date.now() - startedAt.getTime();
  after = await settledSnapshot();
  const slowest = [...outcomes.entries()].sort((a, b) => b[1].ms - a[1].ms)[0];
  process.stderr.write(
    `[run-bad-config] ${outcomes.size} runs in ${(elapsedMs / 1000).toFixed(1)} s; slowest ${relative(FIXTURES, slowest[0])} ${(slowest[1].ms / 1000).toFixed(1)} s\n`,
  );
}, 1_200_000);

afterAll(async () => {
  await connection?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The message the fixture says it must give, after "<file>:". */
function expectedOf(file: string): string | undefined {
  return /^# expect: (.*)$/m.exec(readFileSync(file, 'utf8'))?.[1];
}

describe('rexsweep run on a malformed sweep file', () => {
  it('covers at least 32 fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(32);
  });

  for (const file of files) {
    it(`${relative(FIXTURES, file)}: exit 2, file:line on stderr, nothing on stdout`, () => {
      const expected = expectedOf(file);
      expect(expected, 'the fixture says which error it must give').toBeDefined();
      const r = outcomes.get(file)!;
      expect(r.signal, `killed after ${r.ms} ms: it waited on something`).toBeNull();
      expect(r.stderr).not.toContain('unexpected error');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^rexsweep: ${escapeRegExp(file)}:\\d+:\\d+[: ]`));
      expect(r.stderr).toBe(`rexsweep: ${file}:${expected}\n`);
    });
  }

  it('starts no workflow on the Temporal server', async () => {
    expect(after.workflowCount).toBe(after.workflows.length);
    expect(after.workflows).toEqual(before.workflows);
    expect(after.workflowCount).toBe(before.workflowCount);
    const since = await client.workflow.count(`StartTime >= "${startedAt.toISOString()}"`);
    expect(Number(since.count)).toBe(0);
  });

  it('creates no MLflow experiment and no run', () => {
    expect(after.experiments).toEqual(before.experiments);
    expect(after.runs).toEqual(before.runs);
    expect(after.experiments.some((e) => / fixtures /.test(e))).toBe(false);
  });

  it('installs nothing and writes no local-server state', async () => {
    for (const sub of ['cache', 'state']) {
      const path = join(dir, sub);
      if (existsSync(path)) expect(await readdir(path, { recursive: true }), path).toEqual([]);
    }
  });

  it('fails fast: no run came near the per-run limit', () => {
    for (const [file, r] of outcomes) expect(r.ms, relative(FIXTURES, file)).toBeLessThan(PER_RUN_LIMIT_MS / 2);
  });

  // Last, after the checks above: a control that the snapshot would have seen a started sweep.
  it('(control) the snapshot sees a new workflow and a new experiment', async () => {
    const stamp = `${Date.now()}-${process.pid}`;
    const handle = await client.workflow.start('runBadConfigControl', { workflowId: `run-bad-config-control-${stamp}`, taskQueue: `run-bad-config-control-${stamp}` });
    const { experiment_id } = await mlflowPost<{ experiment_id: string }>('experiments/create', { name: `run-bad-config-control-${stamp}` });
    try {
      let seen = await snapshot();
      for (let k = 0; k < 20 && seen.workflows.length === after.workflows.length; k++) {
        await new Promise((r) => setTimeout(r, 500));
        seen = await snapshot();
      }
      expect(seen.workflows).toHaveLength(after.workflows.length + 1);
      expect(seen.experiments).toHaveLength(after.experiments.length + 1);
    } finally {
      await handle.terminate('control done');
      await mlflowPost('experiments/delete', { experiment_id });
    }
  });
});

describe('YAML edge cases: empty file, unresolved alias, alias bomb', () => {
  for (const b of YAML_EDGE_CASES) {
    it(`${b.name}: ${b.what}`, () => {
      const file = edgeCaseFile(b.name);
      const r = outcomes.get(file)!;
      // Whatever the fix, these two hold for every other bad config: exit 2, one located error.
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^rexsweep: ${escapeRegExp(file)}:\\d+:\\d+[: ][^\\n]*\\n$`));
    });
  }
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
