/**
 * GPU memory and load as the NVIDIA driver sees them, from `nvidia-smi -q` text (it lists every
 * process with a context, Vulkan ones included, which `--query-compute-apps` may leave out as
 * "graphics" contexts). Absent nvidia-smi (lavapipe here) every reading is null and the report
 * says so. The driver's per-process figure counts all of a process's device memory (Dawn's
 * buffers, pipelines, the context itself); TF.js's own count (pack-cell's peakTfjsBytes) counts
 * only the tensors' buffers.
 */
import { execFile } from 'node:child_process';

export interface SmiSample {
  fbUsedMiB: number | null;
  gpuUtilPct: number | null;
  /** pid → used MiB, for every process the driver lists. */
  processes: Map<number, number>;
}

export interface GpuIdentity {
  name: string;
  driver: string;
  memoryTotalMiB: number;
}

function smi(args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', args, { timeout: 10_000 }, (err, stdout) => resolve(err ? null : stdout));
  });
}

export async function gpuIdentity(): Promise<GpuIdentity | null> {
  const out = await smi(['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader,nounits']);
  if (!out) return null;
  const [name, driver, total] = out.trim().split('\n')[0].split(',').map((s) => s.trim());
  return { name, driver, memoryTotalMiB: Number(total) };
}

export function parseSmiQuery(text: string): SmiSample {
  const fb = /FB Memory Usage[\s\S]*?Used\s*:\s*(\d+)\s*MiB/.exec(text);
  // "Gpu" in older drivers, "GPU" in newer ones.
  const util = /Utilization\s*\n\s*Gpu\s*:\s*(\d+)\s*%/i.exec(text);
  const processes = new Map<number, number>();
  for (const block of text.split(/Process ID\s*:/).slice(1)) {
    const pid = /^\s*(\d+)/.exec(block);
    const used = /Used GPU Memory\s*:\s*(\d+)\s*MiB/.exec(block);
    if (pid && used) processes.set(Number(pid[1]), Number(used[1]));
  }
  return { fbUsedMiB: fb ? Number(fb[1]) : null, gpuUtilPct: util ? Number(util[1]) : null, processes };
}

export async function sampleSmi(): Promise<{ sample: SmiSample; raw: string } | null> {
  const raw = await smi(['-q', '-d', 'MEMORY,UTILIZATION,PIDS']);
  return raw === null ? null : { sample: parseSmiQuery(raw), raw };
}

export interface SmiSummary {
  samples: number;
  fbUsedMiBMax: number | null;
  gpuUtilPctMax: number | null;
  gpuUtilPctMean: number | null;
  /** pid → peak used MiB over the samples. */
  peakByPid: Map<number, number>;
  /** One raw `nvidia-smi -q` text, taken at the peak of used memory, cut to 2 kB (to fix the parser if a driver formats it otherwise). */
  rawAtPeak: string | null;
}

/** Sample every `everyMs` until stop(); samples never overlap (a slow nvidia-smi delays the next). */
export function startSampler(everyMs: number): { stop: () => Promise<SmiSummary> } {
  let running = true;
  const s: SmiSummary = { samples: 0, fbUsedMiBMax: null, gpuUtilPctMax: null, gpuUtilPctMean: null, peakByPid: new Map(), rawAtPeak: null };
  let utilSum = 0;
  let utilCount = 0;
  const loop = (async () => {
    while (running) {
      const got = await sampleSmi();
      if (!got) return; // no nvidia-smi: nothing to sample
      const { sample, raw } = got;
      s.samples++;
      if (sample.fbUsedMiB !== null && (s.fbUsedMiBMax === null || sample.fbUsedMiB > s.fbUsedMiBMax)) {
        s.fbUsedMiBMax = sample.fbUsedMiB;
        s.rawAtPeak = raw.slice(0, 2000);
      }
      if (sample.gpuUtilPct !== null) {
        s.gpuUtilPctMax = Math.max(s.gpuUtilPctMax ?? 0, sample.gpuUtilPct);
        utilSum += sample.gpuUtilPct;
        utilCount++;
      }
      for (const [pid, mib] of sample.processes) s.peakByPid.set(pid, Math.max(s.peakByPid.get(pid) ?? 0, mib));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      s.gpuUtilPctMean = utilCount ? utilSum / utilCount : null;
      return s;
    },
  };
}
