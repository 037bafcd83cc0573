/**
 * A lock file between processes on one machine: created with O_EXCL, holding the owner's pid.
 * A lock whose owner is dead is taken over, so a crashed install or start never wedges the next
 * one. (Two waiters can both see a dead owner; the take-over re-checks the file's inode right
 * before removing it, which leaves a window of microseconds, fine for a developer tool.)
 */
import { open, readFile, rm, stat, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { LockTimeoutError } from './errors.ts';
import { isAlive } from './process.ts';

export interface LockOptions {
  timeoutMs: number;
  pollMs?: number;
  /** Called once, when the lock is found held by a live process and we start waiting. */
  onWait?: (holder: string) => void;
}

interface LockRecord {
  pid: number;
  host: string;
  since: string;
}

export async function withLock<T>(file: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(file, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Resolves to a release function once this process holds the lock. */
export async function acquireLock(file: string, options: LockOptions): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  const started = Date.now();
  const pollMs = options.pollMs ?? 250;
  let announced = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      const record: LockRecord = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      await handle.writeFile(JSON.stringify(record));
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await inspect(file);
    if (holder.stale) {
      await removeIfSame(file, holder.ino);
      continue;
    }
    if (Date.now() - started >= options.timeoutMs) {
      throw new LockTimeoutError(file, holder.description, Date.now() - started);
    }
    if (!announced) {
      announced = true;
      options.onWait?.(holder.description);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function inspect(file: string): Promise<{ stale: boolean; ino?: number; description: string }> {
  let ino: number | undefined;
  let mtimeMs = Date.now();
  try {
    const s = await stat(file);
    ino = s.ino;
    mtimeMs = s.mtimeMs;
  } catch {
    return { stale: false, description: 'nobody (just released)' };
  }
  let record: LockRecord | undefined;
  try {
    record = JSON.parse(await readFile(file, 'utf8')) as LockRecord;
  } catch {
    record = undefined;
  }
  if (!record || typeof record.pid !== 'number') {
    // Created but not yet written, or written by a process that crashed in between.
    return { stale: Date.now() - mtimeMs > 10_000, ino, description: 'an unknown process' };
  }
  const description = `pid ${record.pid} since ${record.since}`;
  if (record.host !== hostname()) return { stale: false, ino, description: `${description} on ${record.host}` };
  return { stale: !isAlive(record.pid), ino, description };
}

async function removeIfSame(file: string, ino: number | undefined): Promise<void> {
  try {
    const s = await stat(file);
    if (ino === undefined || s.ino === ino) await rm(file, { force: true });
  } catch {
    // gone already
  }
}
