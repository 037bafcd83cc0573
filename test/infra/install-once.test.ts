/**
 * Install bookkeeping without the network: the marker is written only after a verified install,
 * an interrupted install is redone, concurrent installers install once, dead lock holders are
 * taken over; and a process group that ignores SIGTERM is killed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installOnce, MARKER_FILE } from '../../infra/local/install-once.ts';
import { acquireLock } from '../../infra/local/lock.ts';
import { isAlive, stopProcessGroup } from '../../infra/local/process.ts';
import { LockTimeoutError } from '../../infra/local/errors.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'rexsweep-install-once-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(install: () => Promise<string>) {
  const dir = join(root, 'tool', '1.0');
  return {
    tool: 'tool',
    version: '1.0',
    dir,
    lockFile: join(root, 'locks', 'tool.lock'),
    requiredFiles: [join(dir, 'bin')],
    log: () => undefined,
    lockTimeoutMs: 5_000,
    install,
  };
}

const fakeInstall = (dir: string, counter: { n: number }, delayMs = 0) => async () => {
  counter.n += 1;
  await new Promise((r) => setTimeout(r, delayMs));
  await writeFile(join(dir, 'bin'), 'binary');
  return 'tool version 1.0';
};

describe('installOnce', () => {
  it('installs, writes the marker last, and reuses it on the next call', async () => {
    const counter = { n: 0 };
    const opts = options(async () => '');
    opts.install = fakeInstall(opts.dir, counter);
    const first = await installOnce(opts);
    expect(first.reused).toBe(false);
    expect(first.marker).toMatchObject({ tool: 'tool', version: '1.0', verified: 'tool version 1.0', bytes: 6 });
    const second = await installOnce(opts);
    expect(second.reused).toBe(true);
    expect(counter.n).toBe(1);
    expect(existsSync(opts.lockFile)).toBe(false);
  });

  it('an interrupted install leaves nothing trusted and is redone', async () => {
    const opts = options(async () => {
      await writeFile(join(opts.dir, 'bin'), 'half');
      throw new Error('network dropped');
    });
    await expect(installOnce(opts)).rejects.toThrow('network dropped');
    expect(existsSync(join(opts.dir, MARKER_FILE))).toBe(false);
    expect(existsSync(opts.dir)).toBe(false);

    // A folder from a crash (files, no marker) is not trusted either.
    await mkdir(opts.dir, { recursive: true });
    await writeFile(join(opts.dir, 'bin'), 'half');
    const counter = { n: 0 };
    opts.install = fakeInstall(opts.dir, counter);
    expect((await installOnce(opts)).reused).toBe(false);
    expect(counter.n).toBe(1);
    expect(await readFile(join(opts.dir, 'bin'), 'utf8')).toBe('binary');
  });

  it('a marker whose required file is gone is not trusted', async () => {
    const counter = { n: 0 };
    const opts = options(async () => '');
    opts.install = fakeInstall(opts.dir, counter);
    await installOnce(opts);
    await rm(join(opts.dir, 'bin'));
    expect((await installOnce(opts)).reused).toBe(false);
    expect(counter.n).toBe(2);
  });

  it('concurrent installers install once; the others wait and reuse', async () => {
    const counter = { n: 0 };
    const opts = options(async () => '');
    opts.install = fakeInstall(opts.dir, counter, 300);
    const results = await Promise.all([installOnce(opts), installOnce(opts), installOnce(opts)]);
    expect(counter.n).toBe(1);
    expect(results.filter((r) => !r.reused)).toHaveLength(1);
  });
});

describe('lock files', () => {
  it('takes over a lock whose holder is dead and times out on a live one', async () => {
    const file = join(root, 'x.lock');
    await writeFile(file, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: 'then' }));
    const release = await acquireLock(file, { timeoutMs: 1_000 });
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid);
    await expect(acquireLock(file, { timeoutMs: 300, pollMs: 50 })).rejects.toBeInstanceOf(LockTimeoutError);
    await release();
    expect(existsSync(file)).toBe(false);
  });
});

describe('stopProcessGroup', () => {
  it('SIGKILLs a group that ignores SIGTERM, children included', async () => {
    const child = spawn('sh', ['-c', 'trap "" TERM; sleep 60 & wait'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    child.unref();
    await new Promise((r) => setTimeout(r, 200));
    // 'killed' means no live (non-zombie) member of the group is left.
    expect(await stopProcessGroup(child.pid!, 500)).toBe('killed');
    expect(isAlive(child.pid!)).toBe(false);
  });

  it('SIGTERM suffices for a well-behaved process', async () => {
    const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    child.unref();
    expect(await stopProcessGroup(child.pid!, 5_000)).toBe('terminated');
    expect(await stopProcessGroup(child.pid!, 5_000)).toBe('not-running');
  });
});
