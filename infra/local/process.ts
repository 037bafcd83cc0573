/**
 * Detached server processes: spawn in their own process group with output to a log file, pid
 * files (JSON) that say what was started, liveness that is not fooled by zombies or by a pid
 * the kernel gave to another program, and a stop that signals the whole group (MLflow's CLI
 * runs uvicorn as a child), SIGTERM first, SIGKILL after a grace period.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface PidRecord {
  pid: number;
  executable: string;
  args: string[];
  ports: number[];
  startedAt: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procState(pid) !== 'Z';
}

/** True while any process of the group still exists (zombies of our own children included). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Is `pid` still the program the pid file describes? On Linux its command line must name the
 * executable; elsewhere (no /proc) liveness is all we can check.
 */
export function isOurProcess(record: PidRecord): boolean {
  if (!isAlive(record.pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
  } catch {
    return true;
  }
  return cmdline.split('\0').includes(record.executable);
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

export async function readPidFile(file: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as PidRecord;
    return Number.isInteger(record.pid) && record.pid > 0 ? record : undefined;
  } catch {
    return undefined;
  }
}

export async function writePidFile(file: string, record: PidRecord): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(record, null, 2) + '\n');
  await rename(tmp, file);
}

export async function removePidFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Log files grow across restarts; one previous generation is kept once a log passes this size. */
const MAX_LOG_BYTES = 20 * 1024 * 1024;

/**
 * Starts `executable args` detached from this process (own process group, stdin closed, stdout
 * and stderr appended to `logFile`), so it outlives the CLI that started it. Returns its pid.
 */
export async function spawnDetached(
  executable: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number },
): Promise<number> {
  await mkdir(dirname(options.logFile), { recursive: true });
  try {
    if ((await stat(options.logFile)).size > MAX_LOG_BYTES) await rename(options.logFile, `${options.logFile}.1`);
  } catch {
    // no log yet
  }
  const fd = openSync(options.logFile, 'a');
  try {
    writeSync(fd, `\n=== rexsweep ${new Date().toISOString()}: ${[executable, ...args].join(' ')}\n`);
    const child = spawn(executable, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
      // PostgreSQL refuses to run as root: the team stack starts it as an unprivileged user.
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    return pid;
  } finally {
    closeSync(fd);
  }
}

export type StopOutcome = 'terminated' | 'killed' | 'not-running';

/**
 * SIGTERM to the process group led by `pgid`, SIGKILL to whatever is left after `graceMs`.
 * Resolves once no process of the group remains (or throws after a further 5 s).
 */
export async function stopProcessGroup(pgid: number, graceMs: number): Promise<StopOutcome> {
  if (!groupAliveIgnoringZombies(pgid)) return 'not-running';
  signalGroup(pgid, 'SIGTERM');
  if (await waitGone(pgid, graceMs)) return 'terminated';
  signalGroup(pgid, 'SIGKILL');
  if (await waitGone(pgid, 5_000)) return 'killed';
  throw new Error(`process group ${pgid} still exists 5 s after SIGKILL`);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function waitGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!groupAliveIgnoringZombies(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A group whose only remaining member is the zombie of a child we started (this process has not
 * reaped it yet) counts as gone: it holds no port and no file.
 */
function groupAliveIgnoringZombies(pgid: number): boolean {
  if (!groupAlive(pgid)) return false;
  if (isAlive(pgid)) return true;
  // Leader is dead (or a zombie): look for other live members through /proc.
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const s = readStat(pid);
      if (s && s.pgrp === pgid && s.state !== 'Z') return true;
    }
    return false;
  } catch {
    return true;
  }
}

function readStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], pgrp: Number(rest[2]) };
  } catch {
    return undefined;
  }
}
