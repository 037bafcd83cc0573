/**
 * How floor.ts measures a phase: CPU snapshots of this process and of each server's process
 * group around it (group-cpu.ts), per cell; a bounded pool of concurrent tasks; and the HTTP
 * requests this process starts, counted from Node's diagnostics channel.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupCpuSeconds } from './group-cpu.ts';
import type { BenchStack } from './stacks.ts';

/** One floor run: its stack, its shape, where it logs and what counts its requests. */
export interface FloorRun {
  stack: BenchStack;
  cells: number;
  concurrency: number;
  log: (m: string) => void;
  requests: RequestCounter;
}

export interface RequestCounter {
  /** Requests since the last take, by `METHOD /path`. */
  take(): Record<string, number>;
}

interface CpuSnapshot {
  /** This process's CPU seconds (all threads: Temporal's native core included). */
  bench: number;
  /** CPU seconds of each server's process group. */
  groups: Record<string, number>;
}

export interface PhaseReport {
  phase: string;
  error?: string;
  seconds?: number;
  wallMsPerCell?: number;
  /** Each server group, `bench` (this process) and `total`, ms per cell. */
  cpuMsPerCell?: Record<string, number>;
  [figure: string]: unknown;
}

function benchCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function groupsCpu(pgids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pgids).map(([name, pgid]) => [name, groupCpuSeconds(pgid)]));
}

/**
 * Run `body` between two CPU snapshots. The /proc scan costs this process CPU, so it is done
 * before reading our own CPU at the start and after it at the end: the scans stay outside.
 */
export async function measured(run: FloorRun, body: () => Promise<void>): Promise<{ seconds: number; cpuMsPerCell: Record<string, number> }> {
  const pgids = run.stack.pgids;
  // Object literals evaluate in source order.
  const a: CpuSnapshot = { groups: groupsCpu(pgids), bench: benchCpu() };
  const t0 = performance.now();
  await body();
  const seconds = (performance.now() - t0) / 1000;
  const b: CpuSnapshot = { bench: benchCpu(), groups: groupsCpu(pgids) };
  return { seconds: round(seconds, 2), cpuMsPerCell: cpuMsPerCell(a, b, run.cells) };
}

function cpuMsPerCell(a: CpuSnapshot, b: CpuSnapshot, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(b.groups)) out[name] = round(((b.groups[name] - a.groups[name]) * 1000) / n);
  out.bench = round(((b.bench - a.bench) * 1000) / n);
  out.total = round(Object.values(out).reduce((sum, v) => sum + v, 0));
  return out;
}

/** A phase that fails is reported with its error; the next phase still runs. */
export async function phase(run: FloorRun, name: string, body: () => Promise<Omit<PhaseReport, 'phase'>>): Promise<PhaseReport> {
  const { log } = run;
  log(`phase ${name}: ${run.cells} cells at concurrency ${run.concurrency}`);
  try {
    const report: PhaseReport = { phase: name, ...(await body()) };
    log(`phase ${name}: ${report.seconds} s`);
    return report;
  } catch (err) {
    log(`phase ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { phase: name, error: err instanceof Error ? err.message : String(err) };
  }
}

/** A part's phases, or each of them failed with the error of its set-up (connection, warm-up). */
export async function orFailed(run: FloorRun, names: string[], part: () => Promise<PhaseReport[]>): Promise<PhaseReport[]> {
  try {
    return await part();
  } catch (err) {
    run.log(`set-up of ${names.join(', ')} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return names.map((phase) => ({ phase, error: `set-up: ${err instanceof Error ? err.message : String(err)}` }));
  }
}

/** What each server burns doing nothing, so a phase's small figures can be read against it. */
export async function idleCpu(pgids: Record<string, number>, seconds: number): Promise<{ seconds: number; cpuMsPerSecond: Record<string, number> }> {
  const a = groupsCpu(pgids);
  await sleep(seconds * 1000);
  const b = groupsCpu(pgids);
  return { seconds, cpuMsPerSecond: Object.fromEntries(Object.keys(b).map((k) => [k, round(((b[k] - a[k]) * 1000) / seconds)])) };
}

/**
 * Tasks 0..n−1 with at most `limit` in flight. After the first failure no new task starts; it is
 * rethrown once those in flight settle, so nothing of a failed phase runs into the next one.
 */
export async function pool(n: number, limit: number, task: (k: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const lane = async () => {
    while (next < n && !failed) {
      const k = next++;
      try {
        await task(k);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  if (failed) throw firstError;
}

/**
 * Every HTTP request this process starts, by `METHOD /path`, from Node's own diagnostics
 * channel: retries and split log-batches included, no wrapper around the client. Only MLflow
 * speaks HTTP/1 here (Temporal's clients use gRPC over HTTP/2, which this channel does not see).
 */
export function countHttpRequests(): RequestCounter {
  let counts: Record<string, number> = {};
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    const key = `${request.method} ${request.path.replace(/\?.*$/, '')}`;
    counts[key] = (counts[key] ?? 0) + 1;
  });
  return {
    take() {
      const taken = counts;
      counts = {};
      return taken;
    },
  };
}

/** Per-cell figures of a phase that sent `cells` cells: wall ms a cell. */
export function wallMsPerCell(run: FloorRun, seconds: number): number {
  return round((seconds * 1000) / run.cells);
}

export function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}
