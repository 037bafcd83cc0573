/**
 * Start, stop and inspect one detached server, whatever it is. A service is described by its
 * command, the ports it binds and a health probe; its pid file says what rexsweep started.
 *
 * Start is idempotent: a healthy server of ours is reused; a pid file whose process is gone is
 * cleaned up; a process of ours that stays unhealthy is stopped and started again; a port held
 * by someone else is an error (not silently shared). Start and stop of one service are
 * serialised across processes by a lock file in the state folder.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import type { ServiceName } from './errors.ts';
import { PortInUseError, ServiceStartError, ServiceStopError } from './errors.ts';
import { tcpOpen, waitUntil } from './health.ts';
import { withLock } from './lock.ts';
import type { StatePaths } from './paths.ts';
import {
  groupAlive,
  isAlive,
  isOurProcess,
  readPidFile,
  removePidFile,
  spawnDetached,
  stopProcessGroup,
  writePidFile,
  type PidRecord,
} from './process.ts';
import { lastLines } from './run-command.ts';

export interface ServiceHandle {
  name: ServiceName;
  paths: StatePaths;
  host: string;
  isHealthy: () => Promise<boolean>;
  /** SIGTERM grace before SIGKILL. */
  stopTimeoutMs: number;
}

export interface LaunchSpec {
  executable: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Ports the server binds; checked free before starting. */
  ports: number[];
  startTimeoutMs: number;
  /** Told to the user when a port is taken. */
  portHint: string;
  /** Run as this user (PostgreSQL will not run as root). */
  uid?: number;
  gid?: number;
  /** Working directory (default the state folder). */
  cwd?: string;
}

export interface StartOutcome {
  started: boolean;
  pid: number;
  /** Time from spawn to healthy (0 when reused). */
  ms: number;
}

export type Log = (line: string) => void;

/** How long to wait for an existing process of ours to answer before restarting it. */
const REUSE_GRACE_MS = 15_000;

export async function startService(service: ServiceHandle, launch: LaunchSpec, log: Log): Promise<StartOutcome> {
  const { paths, name } = service;
  await mkdir(paths.runDir, { recursive: true });
  await mkdir(paths.logsDir, { recursive: true });
  return withLock(
    paths.lockFile(name),
    { timeoutMs: launch.startTimeoutMs + 60_000, onWait: (holder) => log(`${name}: waiting for another start/stop (${holder})`) },
    async () => {
      const existing = await readPidFile(paths.pidFile(name));
      if (existing) {
        if (isOurProcess(existing) && !sameLaunch(existing, launch)) {
          // A changed pin (new executable path) or changed ports/flags: the old server must go.
          log(`${name}: pid ${existing.pid} runs with other settings (version, ports or flags); restarting it`);
          await stopGroup(name, existing.pid, service.stopTimeoutMs);
        } else if (isOurProcess(existing)) {
          const healthy = await waitUntil(service.isHealthy, {
            timeoutMs: REUSE_GRACE_MS,
            abort: () => (isAlive(existing.pid) ? undefined : 'exited'),
          });
          if (healthy.ok) return { started: false, pid: existing.pid, ms: 0 };
          log(`${name}: pid ${existing.pid} is running but not healthy (${healthy.reason}); restarting it`);
          await stopGroup(name, existing.pid, service.stopTimeoutMs);
        } else {
          log(`${name}: removing stale pid file (pid ${existing.pid} is not running)`);
          // Orphans of our old process group (its leader gone) may still hold the port.
          if (!isAlive(existing.pid) && groupAlive(existing.pid)) await stopGroup(name, existing.pid, service.stopTimeoutMs);
        }
        await removePidFile(paths.pidFile(name));
      }

      for (const port of launch.ports) {
        if (await tcpOpen(service.host, port, 500)) throw new PortInUseError(name, port, launch.portHint);
      }

      const logFile = paths.logFile(name);
      const spawnedAt = Date.now();
      const pid = await spawnDetached(launch.executable, launch.args, { logFile, env: launch.env, cwd: launch.cwd ?? paths.stateDir, uid: launch.uid, gid: launch.gid });
      const record: PidRecord = {
        pid,
        executable: launch.executable,
        args: launch.args,
        ports: launch.ports,
        startedAt: new Date(spawnedAt).toISOString(),
      };
      await writePidFile(paths.pidFile(name), record);

      const ready = await waitUntil(service.isHealthy, {
        timeoutMs: launch.startTimeoutMs,
        abort: () => (isAlive(pid) ? undefined : 'the process exited'),
      });
      if (!ready.ok) {
        await stopGroup(name, pid, 2_000).catch(() => undefined);
        await removePidFile(paths.pidFile(name));
        throw new ServiceStartError(name, ready.reason, logFile, lastLines(await readTail(logFile), 15));
      }
      return { started: true, pid, ms: Date.now() - spawnedAt };
    },
  );
}

export interface StopOutcome {
  /** What happened: nothing was running, SIGTERM sufficed, or SIGKILL was needed. */
  result: 'not-running' | 'terminated' | 'killed';
  pid?: number;
  ms: number;
}

export async function stopService(service: ServiceHandle, log: Log): Promise<StopOutcome> {
  const { paths, name } = service;
  await mkdir(paths.runDir, { recursive: true });
  return withLock(
    paths.lockFile(name),
    { timeoutMs: 5 * 60_000, onWait: (holder) => log(`${name}: waiting for another start/stop (${holder})`) },
    async () => {
      const started = Date.now();
      const existing = await readPidFile(paths.pidFile(name));
      if (!existing) return { result: 'not-running', ms: 0 };
      let result: StopOutcome['result'] = 'not-running';
      // Signal the group only if its leader is still our process, or is gone while members
      // remain; never a live process that merely inherited the pid number.
      if (isOurProcess(existing) || (!isAlive(existing.pid) && groupAlive(existing.pid))) {
        result = await stopGroup(name, existing.pid, service.stopTimeoutMs);
      }
      await removePidFile(paths.pidFile(name));
      return { result, pid: existing.pid, ms: Date.now() - started };
    },
  );
}

export interface ServiceStatus {
  service: ServiceName;
  /** `running` = our process is alive; `stopped` = no process of ours. */
  state: 'running' | 'stopped';
  healthy: boolean;
  pid?: number;
  startedAt?: string;
  logFile: string;
  pidFile: string;
}

export async function serviceStatus(service: ServiceHandle): Promise<ServiceStatus> {
  const { paths, name } = service;
  const existing = await readPidFile(paths.pidFile(name));
  const running = !!existing && isOurProcess(existing);
  return {
    service: name,
    state: running ? 'running' : 'stopped',
    healthy: running ? await service.isHealthy() : false,
    pid: running ? existing!.pid : undefined,
    startedAt: running ? existing!.startedAt : undefined,
    logFile: paths.logFile(name),
    pidFile: paths.pidFile(name),
  };
}

function sameLaunch(record: PidRecord, launch: LaunchSpec): boolean {
  return record.executable === launch.executable && JSON.stringify(record.args) === JSON.stringify(launch.args);
}

async function stopGroup(name: ServiceName, pid: number, graceMs: number): Promise<'not-running' | 'terminated' | 'killed'> {
  try {
    return await stopProcessGroup(pid, graceMs);
  } catch (err) {
    throw new ServiceStopError(name, pid, (err as Error).message);
  }
}

/** The last few KB of a (possibly large) log file. */
async function readTail(file: string, bytes = 6000): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}
