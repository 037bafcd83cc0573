/**
 * `run`: the whole GPU check, part by part, each in its own capped child process, inside one time
 * budget, into one JSON report (printed on stdout; written to --out after every part, so a run cut
 * short still leaves what it measured). Parts, most important first:
 *   info → agreement with the CPU references → WebGPU train/explain → PyTorch train/explain on the
 *   same GPU → packing at k = 1, 2, 4, 8 concurrent cells.
 * A part that fails, times out or no longer fits the budget is recorded as such; the report is
 * produced regardless.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './children.ts';
import { gpuIdentity } from './gpu-smi.ts';
import { runPack, type PackResult } from './pack.ts';
import { parseSettings, type Settings } from './settings.ts';

type Json = Record<string, unknown>;
/** bench/pytorch/cer_train.py's batch (the reference code's), on both sides of the comparison. */
const TRAIN_BATCH = 128;
interface PartLog {
  name: string;
  status: 'ok' | 'failed' | 'timeout' | 'skipped';
  seconds: number;
  capSeconds: number;
  error?: string;
}

export async function deviceRun(argv: string[]): Promise<void> {
  const bundle = fileURLToPath(import.meta.url);
  const s = parseSettings(argv, bundle);
  const t0 = Date.now();
  const deadline = t0 + s.budgetSeconds * 1000;
  const left = () => (deadline - Date.now()) / 1000;
  const parts: PartLog[] = [];
  const cache = mkdtempSync(join(tmpdir(), 'rexsweep-gpu-'));
  const env = { ...process.env, REXSWEEP_BACKEND: '', PYTHONUNBUFFERED: '1' };

  const report: Json = {
    schema: 'rexsweep-gpu-bench/1',
    mode: s.small ? 'small' : 'full',
    startedAt: new Date(t0).toISOString(),
    settings: { ...s, repo: undefined, out: undefined },
    host: { cpus: cpus().length, node: process.version, nvidiaSmi: await gpuIdentity(), setup: setupInfo() },
    parts,
  };
  const save = () => {
    report.seconds = (Date.now() - t0) / 1000;
    if (s.out) writeFileSync(s.out, `${JSON.stringify(report, null, 1)}\n`);
  };

  /** Run one part as a child within min(cap, what is left); null when skipped or it gave no JSON. */
  async function part(name: string, cmd: string, args: string[], cap = s.partCapSeconds, minimum = 10): Promise<Json | null> {
    const budget = Math.min(cap, left());
    if (left() < minimum) {
      parts.push({ name, status: 'skipped', seconds: 0, capSeconds: budget, error: `budget: ${left().toFixed(0)} s left` });
      save();
      return null;
    }
    const out = await runChild(cmd, args, { capSeconds: budget, env, cwd: s.repo }).done;
    const error = out.status === 'ok' ? undefined : `${out.status} (exit ${out.code}): ${out.stderrTail}`;
    parts.push({ name, status: out.status, seconds: round(out.seconds), capSeconds: round(budget), ...(error ? { error } : {}) });
    save();
    return out.status === 'ok' ? out.json : null;
  }
  const node = (sub: string, args: string[]) => [bundle, sub, ...args];
  const py = (sub: string, args: string[]) => [join(s.repo, 'bench/gpu/torch_cuda.py'), sub, '--device', s.torchDevice, ...args];

  // 1. The adapter.
  const adapter = await part('info', process.execPath, node('info', []), 60);
  report.adapter = adapter;

  // 2. Agreement with the CPU references computed by prepare.sh.
  const want = (p: Settings['parts'][number]) => s.parts.includes(p);
  report.agreement = !want('agreement') ? null : await part('agreement', process.execPath, node('agree', ['--reference', s.reference, '--cache', cache, '--models', s.agreeModels.join(',')]));

  // 3-4. Throughput, WebGPU then PyTorch, same flags (bench/run.sh's cells).
  const torch = s.python === 'none' || !want('pytorch') ? null : await part('pytorch probe', s.python, py('probe', []), 60);
  const torchOk = Boolean(torch && !torch.unavailable);
  // status: "cuda" or "cpu" (what the PyTorch numbers ran on), else "unavailable" with the reason.
  if (torchOk) report.pytorch = { status: torch!.device, ...torch };
  else if (torch) report.pytorch = { status: 'unavailable', reason: torch.unavailable };
  else report.pytorch = { status: 'unavailable', reason: want('pytorch') && s.python !== 'none' ? 'probe failed (see parts)' : 'not asked for' };
  // Every timed block kept (--max-foreign -1): the GPU machine is ours alone for the call.
  const withWarmup = (w: number) => ['--features', String(s.features), '--warmup', String(w), '--repeats', String(s.repeats), '--max-foreign', '-1'];
  const train: Json[] = [];
  const explain: Json[] = [];
  report.throughput = { train, explain };
  for (const variant of want('train') ? s.variants : []) {
    const args = [...withWarmup(s.trainWarmup), '--batch', String(TRAIN_BATCH), '--steps', String(s.trainSteps), ...(variant === 'adversarial' ? ['--lambda', '0.5', '--eps', '0.5'] : [])];
    const w = await part(`webgpu train ${variant}`, process.execPath, node('train', [...args, '--backend', 'webgpu']));
    const p = torchOk ? await part(`pytorch train ${variant}`, s.python, py('train', args)) : null;
    train.push(row({ variant, F: s.features, batch: TRAIN_BATCH, steps: s.trainSteps }, w, p, 'samplesPerSec', ['msPerStep', 'finalLoss', 'secondsAll', 'backendDevice', 'leakedTensors'], ['msPerStep', 'finalLoss', 'secondsAll', 'peakCudaMiB', 'torch']));
  }
  if (want('explain')) {
    const args = [...withWarmup(s.explainWarmup), '--pairs', String(s.explainPairs), '--steps', String(s.explainSteps)];
    const w = await part('webgpu explain', process.execPath, node('explain', [...args, '--backend', 'webgpu']));
    const p = torchOk ? await part('pytorch explain', s.python, py('explain', args)) : null;
    explain.push(row({ F: s.features, pairs: s.explainPairs, steps: s.explainSteps, fullSteps: 1000 }, w, p, 'pairsPerSec', ['msPerStep', 'explained', 'avgExplanationSize'], ['msPerStep', 'explained', 'avgExplanationSize', 'peakCudaMiB']));
  }

  // 5. Packing: k cells at once, throughput vs k and memory per cell.
  const levels: (PackResult | { k: number; skipped: string })[] = [];
  report.packing = { bench: 'CER training steps (pack-cell)', F: s.features, batch: s.packBatch, seconds: s.packSeconds, goal: 'aggregate >= 0.8 k x single-cell rate until saturation', levels };
  const cellArgs = ['--features', String(s.features), '--batch', String(s.packBatch), '--warmup', String(s.packWarmup), '--backend', 'webgpu'];
  for (const k of want('pack') ? s.packKs : []) {
    const need = s.packSeconds + 20;
    if (left() < need) {
      levels.push({ k, skipped: `budget: ${left().toFixed(0)} s left, ${need} s needed` });
      parts.push({ name: `pack k=${k}`, status: 'skipped', seconds: 0, capSeconds: 0, error: 'budget' });
      continue;
    }
    const readySeconds = Math.min(s.partCapSeconds, left() - s.packSeconds - 10);
    const t = Date.now();
    const r = await runPack(k, { node: process.execPath, bundle, cellArgs, readySeconds, seconds: s.packSeconds, env });
    levels.push(r);
    parts.push({ name: `pack k=${k}`, status: r.ok ? 'ok' : 'failed', seconds: round((Date.now() - t) / 1000), capSeconds: round(readySeconds + s.packSeconds + 10), ...(r.ok ? {} : { error: r.cells.find((c) => c.error)?.error }) });
    save();
  }
  // Keep one raw nvidia-smi text (the largest k's) for checking the parser; drop the others.
  const packed = levels.filter((l): l is PackResult => 'ok' in l);
  packed.forEach((l, i) => i < packed.length - 1 && (l.smiRawAtPeak = null));
  report.summary = summarise(report, packed);
  rmSync(cache, { recursive: true, force: true });
  save();
  // stdout (the device tool returns its last 12 kB) without the raw nvidia-smi text; --out has it.
  const { levels: _levels, ...packing } = report.packing as Json;
  const brief = { ...report, packing: { ...packing, levels: levels.map((l) => ('ok' in l ? { ...l, smiRawAtPeak: undefined } : l)) } };
  process.stdout.write(`${JSON.stringify(brief)}\n`);
}

/** One comparison row: WebGPU and PyTorch side by side, and their ratio on `metric`. */
function row(base: Json, w: Json | null, p: Json | null, metric: string, wKeys: string[], pKeys: string[]): Json {
  const pick = (j: Json | null, keys: string[]) => (j ? Object.fromEntries([metric, ...keys].map((k) => [k, j[k] ?? null])) : null);
  const wv = w?.[metric] as number | undefined;
  const pv = p?.[metric] as number | undefined;
  return {
    ...base,
    webgpu: pick(w, wKeys),
    pytorch: p ? { ...pick(p, pKeys), device: p.device } : null,
    webgpuOverPytorch: wv && pv ? round(wv / pv, 4) : null,
  };
}

function summarise(report: Json, packed: PackResult[]): Json {
  const one = packed.find((l) => l.k === 1 && l.ok);
  const single = one?.aggregateSamplesPerSec ?? null;
  const scaling = packed.map((l) => {
    const speedup = single && l.aggregateSamplesPerSec ? l.aggregateSamplesPerSec / single : null;
    return {
      k: l.k,
      aggregateSamplesPerSec: l.aggregateSamplesPerSec === null ? null : round(l.aggregateSamplesPerSec),
      speedup: speedup === null ? null : round(speedup, 3),
      efficiency: speedup === null ? null : round(speedup / l.k, 3),
      meetsGoal: speedup === null ? null : speedup >= 0.8 * l.k,
      gpuUtilPctMax: l.gpuUtilPctMax,
      perCellPeakMiB: l.perCellPeakMiB === null ? null : round(l.perCellPeakMiB, 1),
      perCellPeakTfjsMiB: l.ok ? round(Math.max(...l.cells.map((c) => c.peakTfjsMiB ?? 0)), 1) : null,
    };
  });
  // Goal "≥ 0.8·k× until saturation": the largest k up to which every level met it.
  let holdsUpToK: number | null = null;
  for (const sc of scaling) {
    if (sc.meetsGoal !== true) break;
    holdsUpToK = sc.k;
  }
  const tp = report.throughput as { train: Json[]; explain: Json[] };
  const agreement = report.agreement as Json | null;
  const adapter = report.adapter as Json | null;
  const warnings: string[] = [];
  if ((report.host as Json).nvidiaSmi && adapter?.software) {
    warnings.push('WebGPU ran on a software adapter although nvidia-smi sees a GPU: its numbers are not the GPU\'s (see host.setup)');
  }
  return {
    warnings,
    adapter: adapter ? adapter.description || adapter.device || adapter.vendor : null,
    software: adapter?.software ?? null,
    agreementOk: agreement ? agreement.ok : null,
    pytorch: (report.pytorch as Json).status,
    train: tp.train.map((r) => ({ variant: r.variant, webgpu: (r.webgpu as Json | null)?.samplesPerSec ?? null, pytorch: (r.pytorch as Json | null)?.samplesPerSec ?? null })),
    explainPairsPerSec: tp.explain.map((r) => ({ webgpu: (r.webgpu as Json | null)?.pairsPerSec ?? null, pytorch: (r.pytorch as Json | null)?.pairsPerSec ?? null })),
    packing: scaling,
    packingGoalHoldsUpToK: holdsUpToK,
    gpuMemorySource: packed.find((l) => l.perCellPeakSource)?.perCellPeakSource ?? 'unavailable (no nvidia-smi); perCellPeakTfjsMiB is TF.js buffer pool only',
    partsNotOk: (report.parts as PartLog[]).filter((p) => p.status !== 'ok').map((p) => `${p.name}: ${p.status}`),
  };
}

/** What run-on-device.sh did before starting Node (ICD, libraries linked from the carried debs). */
function setupInfo(): unknown {
  try {
    return JSON.parse(process.env.REXSWEEP_GPU_SETUP ?? 'null');
  } catch {
    return process.env.REXSWEEP_GPU_SETUP;
  }
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
