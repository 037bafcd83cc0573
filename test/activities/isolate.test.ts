/**
 * The child process of an activity attempt (activities/isolate.ts + child-host.ts), driven with
 * a test child: relayed heartbeats, calls with bytes, typed errors, crashes, cancellation,
 * a hung child, and a child whose parent is killed with -9.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { ChildExitedError, ChildStalledError, childEnv, runIsolated, type IsolateOptions } from '../../activities/isolate.ts';
import { isAlive } from '../../infra/local/process.ts';

const ENTRY = fileURLToPath(new URL('./fixtures/test-child.ts', import.meta.url));
const BOOTSTRAP = fileURLToPath(new URL('../../activities/child-bootstrap.mjs', import.meta.url));
const ORPHAN_PARENT = fileURLToPath(new URL('./fixtures/orphan-parent.ts', import.meta.url));

/** Resolves once `pid` is gone; gives up (test fails) after `limitMs`. Not a timing assertion: a bound. */
async function gone(pid: number, limitMs = 60_000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

function run(task: unknown, extra: Partial<IsolateOptions> = {}) {
  const beats: unknown[] = [];
  const logs: string[] = [];
  let pid = 0;
  const controller = new AbortController();
  const promise = runIsolated<any>({
    entry: ENTRY,
    task,
    label: 'test',
    signal: controller.signal,
    heartbeat: (d) => beats.push(d),
    log: (l) => logs.push(l),
    onSpawn: (p) => (pid = p),
    services: { double: async (b: Buffer) => Buffer.from([...b].map((x) => x * 2)) },
    ...extra,
  });
  return { promise, beats, logs, controller, pid: () => pid };
}

describe('an attempt in a child process', () => {
  it('relays heartbeats and logs, serves calls with bytes, returns the result, and the child is gone', async () => {
    const r = run({ mode: 'echo', input: { a: 1 } });
    const value = await r.promise;
    expect(value).toEqual({ input: { a: 1 }, doubled: [2, 4, 6], isBuffer: true });
    expect(r.beats).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
    expect(r.logs).toContain('echo: calling the parent');
    expect(isAlive(r.pid())).toBe(false);
  });

  it("fails with an ApplicationFailure typed by the child's error class", async () => {
    const err = await run({ mode: 'typed-error' }).promise.catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err.type).toBe('InfeasibleError');
    expect(err.nonRetryable).toBe(false); // the workflow's nonRetryableErrorTypes decide
    expect(err.message).toBe('infeasible: only 3 users survive filtering');
  });

  it('reports a child that exits without answering, with its last output', async () => {
    const err = await run({ mode: 'crash' }).promise.catch((e) => e);
    expect(err).toBeInstanceOf(ChildExitedError);
    expect(err.code).toBe(3);
    expect(err.message).toContain('about to crash');
  });

  it('kills the child when the attempt is cancelled, and settles only once it is gone', async () => {
    const reason = new Error('CANCELLED');
    const r = run({ mode: 'forever' }, { heartbeat: () => r.controller.abort(reason), killGraceMs: 200 });
    const err = await r.promise.catch((e) => e);
    expect(err).toBe(reason);
    expect(r.pid()).toBeGreaterThan(0);
    expect(isAlive(r.pid())).toBe(false);
  });

  it('kills a child that stops reporting (hung) once the heartbeat timeout passes', async () => {
    // The watchdog counts from the spawn: a child that never reports is as stuck as one that stopped.
    const r = run({ mode: 'stall' }, { stallMs: 1_500, killGraceMs: 200 });
    const err = await r.promise.catch((e) => e);
    expect(err).toBeInstanceOf(ChildStalledError);
    expect(r.beats.length).toBeLessThanOrEqual(1);
    expect(isAlive(r.pid())).toBe(false);
  });

  it('does not start a child for an attempt already cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    let spawned = false;
    const err = (await runIsolated({ entry: ENTRY, task: { mode: 'echo' }, signal: controller.signal, heartbeat: () => {}, onSpawn: () => (spawned = true) }).catch((e: Error) => e)) as Error;
    expect(err.message).toBe('gone');
    expect(spawned).toBe(false);
  });

  it('gives the child no credentials', () => {
    const env = childEnv({ PATH: '/bin', MLFLOW_TRACKING_TOKEN: 't', MLFLOW_TRACKING_PASSWORD: 'p', TEMPORAL_API_KEY: 'k', MLFLOW_TRACKING_URI: 'http://x' });
    expect(env).toEqual({ PATH: '/bin', MLFLOW_TRACKING_URI: 'http://x' });
  });

  it('the child exits when its parent is killed with -9 (no orphan keeps working)', async () => {
    const parent = spawn(process.execPath, [BOOTSTRAP, ORPHAN_PARENT], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const lines = createInterface({ input: parent.stdout! });
      let childPid = 0;
      for await (const line of lines) {
        const m = /^child (\d+)$/.exec(line);
        if (m) {
          childPid = Number(m[1]);
          break;
        }
      }
      expect(childPid).toBeGreaterThan(0);
      expect(isAlive(childPid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await gone(childPid)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
