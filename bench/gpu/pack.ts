/**
 * Packing: k pack-cell processes on one GPU at once (what a worker with --slots k does), started
 * together once all k have compiled their shaders, with nvidia-smi sampled throughout. Gives the
 * aggregate training throughput at k and each cell's peak GPU memory.
 */
import type { ChildProcess } from 'node:child_process';
import { type ChildOutcome, killGroup, runChild } from './children.ts';
import { sampleSmi, startSampler } from './gpu-smi.ts';

export interface PackOptions {
  node: string;
  bundle: string;
  /** pack-cell flags (--features, --batch, --warmup, --seconds, ...). */
  cellArgs: string[];
  /** Seconds allowed for start-up and warm-up before "go". */
  readySeconds: number;
  /** The timed window (pack-cell --seconds). */
  seconds: number;
  env: NodeJS.ProcessEnv;
}

export interface PackCellResult {
  pid: number | null;
  status: ChildOutcome['status'];
  samplesPerSec: number | null;
  steps: number | null;
  initSeconds: number | null;
  /** Steps between reads (pack-cell: ≤ ~0.25 s of queued work). */
  syncEvery: number | null;
  /** TF.js's own count of its GPU buffers (numBytesAllocatedInGPU), MiB. */
  peakTfjsMiB: number | null;
  /** The driver's count for this process (nvidia-smi), MiB; null where it lists no processes. */
  peakDriverMiB: number | null;
  error?: string;
}

export interface PackResult {
  k: number;
  ok: boolean;
  aggregateSamplesPerSec: number | null;
  cells: PackCellResult[];
  gpuUtilPctMax: number | null;
  gpuUtilPctMean: number | null;
  /** Peak driver-reported memory per cell: per process where nvidia-smi lists processes, else (peak used − baseline)/k. */
  perCellPeakMiB: number | null;
  perCellPeakSource: 'nvidia-smi per process' | 'nvidia-smi total used minus baseline, / k' | null;
  smiRawAtPeak: string | null;
}

const MiB = 1 << 20;

export async function runPack(k: number, o: PackOptions): Promise<PackResult> {
  const baseline = (await sampleSmi())?.sample.fbUsedMiB ?? null;
  const ready = new Map<ChildProcess, Record<string, unknown>>();
  let allReady: () => void = () => {};
  const readyPromise = new Promise<void>((r) => (allReady = r));
  const procs = Array.from({ length: k }, () =>
    runChild(o.node, [o.bundle, 'pack-cell', ...o.cellArgs, '--seconds', String(o.seconds)], {
      capSeconds: o.readySeconds + o.seconds + 10,
      env: o.env,
      stdin: true,
      onLine: (line, child) => {
        if (!line.includes('"ready"')) return;
        ready.set(child, JSON.parse(line) as Record<string, unknown>);
        if (ready.size === k) allReady();
      },
    }),
  );
  // A cell that dies before "ready" must not leave the others waiting for the full ready time.
  const early = Promise.race(procs.map((p) => p.done.then(() => 'exited' as const)));
  const waited = await Promise.race([
    readyPromise.then(() => 'ready' as const),
    early,
    new Promise<'late'>((r) => setTimeout(() => r('late'), o.readySeconds * 1000)),
  ]);
  let sampler: ReturnType<typeof startSampler> | null = null;
  if (waited === 'ready') {
    sampler = startSampler(500);
    for (const p of procs) p.child.stdin!.write('go\n');
  } else {
    for (const p of procs) killGroup(p.child);
  }
  const outcomes = await Promise.all(procs.map((p) => p.done));
  const smi = sampler ? await sampler.stop() : null;

  const cells: PackCellResult[] = outcomes.map((out, i) => {
    const pid = procs[i].child.pid ?? null;
    const r = out.json?.phase === 'done' ? out.json : null;
    const rd = ready.get(procs[i].child);
    return {
      pid,
      status: out.status,
      samplesPerSec: r ? (r.samplesPerSec as number) : null,
      steps: r ? (r.steps as number) : null,
      initSeconds: rd ? (rd.initSeconds as number) : null,
      syncEvery: r ? (r.syncEvery as number) : null,
      peakTfjsMiB: r ? (r.peakTfjsBytes as number) / MiB : null,
      peakDriverMiB: pid !== null ? (smi?.peakByPid.get(pid) ?? null) : null,
      ...(r ? {} : { error: waited !== 'ready' ? `not all ${k} cells were ready (${waited}); ${out.stderrTail}` : out.stderrTail }),
    };
  });
  const ok = cells.every((c) => c.samplesPerSec !== null);
  const perProcess = cells.map((c) => c.peakDriverMiB).filter((v): v is number => v !== null);
  let perCellPeakMiB: number | null = null;
  let perCellPeakSource: PackResult['perCellPeakSource'] = null;
  if (perProcess.length) {
    perCellPeakMiB = Math.max(...perProcess);
    perCellPeakSource = 'nvidia-smi per process';
  } else if (smi?.fbUsedMiBMax != null && baseline !== null) {
    perCellPeakMiB = (smi.fbUsedMiBMax - baseline) / k;
    perCellPeakSource = 'nvidia-smi total used minus baseline, / k';
  }
  return {
    k,
    ok,
    aggregateSamplesPerSec: ok ? cells.reduce((a, c) => a + c.samplesPerSec!, 0) : null,
    cells,
    gpuUtilPctMax: smi?.gpuUtilPctMax ?? null,
    gpuUtilPctMean: smi?.gpuUtilPctMean ?? null,
    perCellPeakMiB,
    perCellPeakSource,
    smiRawAtPeak: smi?.rawAtPeak ?? null,
  };
}
