/**
 * Shared helpers of the TF.js side of the CER benchmark (bench/run.sh): flag parsing, backend
 * selection through the project's selectBackend, and the contention probe of
 * bench/pytorch/hostload.py ported to Node (same definitions, so the JSON fields compare).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendReport } from '../../recsys/backend.ts';

export type Flags = Record<string, string | boolean>;

/**
 * `--name value` / `--name=value` / bare `--flag` (boolean). Unknown flags are an error, like argparse.
 * `booleans` are the flags that take no value.
 */
export function parseFlags(argv: string[], known: string[], booleans: string[] = []): Flags {
  const out: Flags = {};
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '-h' || a === '--help') {
      out.help = true;
      continue;
    }
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument: ${a}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!known.includes(name) && !booleans.includes(name)) throw new UsageError(`unknown flag --${name}`);
    if (booleans.includes(name)) {
      out[name] = true;
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++k];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

export class UsageError extends Error {}

export function num(flags: Flags, name: string, fallback: number, check: (v: number) => boolean = Number.isFinite): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (typeof raw !== 'string' || !check(v)) throw new UsageError(`--${name}: bad value ${String(raw)}`);
  return v;
}

export const positiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;
export const nonNegativeInt = (v: number): boolean => Number.isInteger(v) && v >= 0;

export type BenchBackend = 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';
export const BENCH_BACKENDS: readonly BenchBackend[] = ['wasm', 'cpu', 'tensorflow', 'webgpu'];

export interface BackendInfo {
  report: BackendReport;
  /** Threads the backend actually computes with (WASM in Node: always 1). */
  threads: number;
}

/**
 * Select a backend with the project's selectBackend (which smoke-tests it). `threads` is what was
 * asked for: native TensorFlow reads TF_NUM_INTRAOP_THREADS (set before it loads); the WASM
 * backend is single-threaded in Node (tfjs-backend-wasm 4.22 reports no multithread support
 * when IS_NODE, tfjs issue #3830), the plain-JS CPU backend always is. WebGPU's JS side is one
 * thread; on a software adapter lavapipe rasterises with its own pool (LP_NUM_THREADS, default:
 * every core), set here from `threads` so that the comparison is like for like.
 */
export async function initBackend(name: BenchBackend, threads: number): Promise<BackendInfo> {
  if (name === 'tensorflow') {
    process.env.TF_NUM_INTRAOP_THREADS ??= String(threads);
    process.env.TF_NUM_INTEROP_THREADS ??= '1';
  }
  if (name === 'webgpu') process.env.LP_NUM_THREADS ??= String(threads);
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setThreadsCount(threads); // a no-op in Node; kept so that a future build with threads gets them
  }
  const report = await selectBackend(name);
  let actual = 1;
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    actual = wasm.getThreadsCount();
  } else if (name === 'tensorflow') {
    actual = Number(process.env.TF_NUM_INTRAOP_THREADS) || threads;
  } else if (name === 'webgpu') {
    actual = Number(process.env.LP_NUM_THREADS) || threads;
  }
  return { report, threads: actual };
}

export function defaultThreads(): number {
  return cpus().length || 1;
}

/** Machine busy jiffies (user+nice+system+irq+softirq; no idle, iowait or steal), as hostload.py. */
function busyJiffies(): number | null {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const steal = v[7] ?? 0;
    return v.slice(0, 8).reduce((a, b) => a + b, 0) - idle - steal;
  } catch {
    return null;
  }
}

/** USER_HZ; 100 on every Linux we run on (Node has no sysconf). */
const CLK_TCK = 100;

export interface CpuReading {
  wall: number;
  selfCpu: number;
  /** CPU share other processes used during the region, % of the whole machine; null off Linux. */
  foreignPct: number | null;
}

/** Measure a region like hostload.CpuMeter: wall seconds, this process's CPU seconds, foreign %. */
export function startCpuMeter(): () => CpuReading {
  const b0 = busyJiffies();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const selfCpu = (c.user + c.system) / 1e6;
    const b1 = busyJiffies();
    const ncpu = cpus().length || 1;
    const foreignPct =
      b0 === null || b1 === null || wall <= 0 ? null : Math.max(0, ((b1 - b0) / CLK_TCK - selfCpu) / (wall * ncpu) * 100);
    return { wall, selfCpu, foreignPct };
  };
}

export const loadavg1 = (): number => Math.round(loadavg()[0] * 100) / 100;

export const round = (v: number, digits: number): number => {
  const p = 10 ** digits;
  return Math.round(v * p) / p;
};

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface TimedRepeats<T> {
  result: T;
  /** Median of the clean blocks, or of all blocks when none was clean. */
  seconds: number;
  /** The fields the PyTorch scripts print (hostload.timed_repeats), ready to spread into the JSON. */
  fields: {
    clean: boolean;
    cleanRepeats: number;
    tries: number;
    secondsMin: number;
    secondsAll: number[];
    foreignCpuPct: (number | null)[];
    selfCpuCores: (number | null)[];
    cpuSecondsAll: number[];
    maxForeignPct: number;
    cleanCriterion: 'own-cores' | 'quiet-machine';
  };
}

/**
 * bench/pytorch/hostload.py timed_repeats, ported: run block() until `repeats` clean timings
 * (foreignCpuPct <= maxForeign) are collected, or maxTries blocks in all (default 6·repeats); a
 * disturbed block is followed by a `pause`-second sleep. maxForeign < 0 keeps every block.
 * ownCores = T > 0 (--own-cores-ok) relaxes the check for a run of T threads on a machine with more
 * cores: a block also counts as clean when this process got its T cores throughout (selfCpuCores
 * >= 0.95 T) and the other processes stayed on the remaining cores (foreign <= maxForeign +
 * 100 (ncpu - T) / ncpu).
 */
export async function timedRepeats<T>(
  block: () => Promise<T>,
  repeats: number,
  maxForeign = 10,
  maxTries = 0,
  pause = 5,
  ownCores = 0,
): Promise<TimedRepeats<T>> {
  const tries = maxTries || 6 * repeats;
  const times: number[] = [];
  const readings: CpuReading[] = [];
  const clean: boolean[] = [];
  let result: T | undefined;
  while (clean.filter(Boolean).length < repeats && times.length < tries) {
    const stop = startCpuMeter();
    result = await block();
    const r = stop();
    times.push(r.wall);
    readings.push(r);
    let ok = maxForeign < 0 || r.foreignPct === null || r.foreignPct <= maxForeign;
    const ncpu = cpus().length || 1;
    if (!ok && ownCores > 0 && ownCores < ncpu && r.wall > 0 && r.foreignPct !== null) {
      ok = r.selfCpu / r.wall >= 0.95 * ownCores && r.foreignPct <= maxForeign + (100 * (ncpu - ownCores)) / ncpu;
    }
    clean.push(ok);
    if (!ok) await new Promise((resolve) => setTimeout(resolve, pause * 1000));
  }
  const good = times.filter((_, k) => clean[k]);
  return {
    result: result as T,
    seconds: median(good.length ? good : times),
    fields: {
      clean: good.length >= repeats,
      cleanRepeats: good.length,
      tries: times.length,
      secondsMin: round(Math.min(...times), 6),
      secondsAll: times.map((t) => round(t, 6)),
      foreignCpuPct: readings.map((r) => (r.foreignPct === null ? null : round(r.foreignPct, 1))),
      selfCpuCores: readings.map((r) => (r.wall ? round(r.selfCpu / r.wall, 2) : null)),
      cpuSecondsAll: readings.map((r) => round(r.selfCpu, 4)),
      maxForeignPct: maxForeign,
      cleanCriterion: ownCores ? 'own-cores' : 'quiet-machine',
    },
  };
}

export function versionFields(info: BackendInfo): Record<string, unknown> {
  return {
    backend: info.report.name,
    backendDevice: info.report.device,
    tfjs: tf.version.tfjs,
    node: process.version,
  };
}

/** Run main, mapping usage errors to exit 2 (argparse) and other errors to 1. */
export function runMain(main: () => Promise<void>, usage: string): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${usage}\nerror: ${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
