/**
 * The GPU machine's check (bench/gpu/) run here end to end, on lavapipe, in --small mode: prepare.sh
 * builds the carried bundle, run-on-device.sh unpacks its Node and Dawn and produces the report.
 * What a session with a GPU then runs is this same script at full size, so this is its rehearsal:
 * the report's shape, the agreement of a WebGPU cell with the CPU references under the agreement
 * test's tolerances, throughput and packing numbers present, the bundle under the 64 MiB carry.
 *
 * Presence, as test/backends/agreement.test.ts: without a WebGPU adapter here (no lavapipe, no
 * Dawn) the end-to-end test is skipped with the reason, unless REXSWEEP_REQUIRE_BACKENDS lists
 * webgpu (CI), which makes it fail. The pure parts (nvidia-smi parsing, the comparison) always run.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareCells } from '../../recsys/backends/agreement.ts';
import { parseSmiQuery } from '../../bench/gpu/gpu-smi.ts';
import type { CellResult } from '../../recsys/cell/result.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REQUIRED = new Set((process.env.REXSWEEP_REQUIRE_BACKENDS ?? '').split(',').map((s) => s.trim()).filter(Boolean));

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-6000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A WebGPU adapter here, through the same entry the bundle has (bench/gpu/entry.ts info), or why not. */
async function webgpuAbsence(): Promise<string | null> {
  const r = await sh(process.execPath, ['--import', 'tsx', 'bench/gpu/entry.ts', 'info'], { ...process.env, REXSWEEP_BACKEND: '' });
  if (r.code === 0) return null;
  const lines = r.stderr.split('\n');
  const reason = lines.find((l) => l.startsWith('BackendError')) ?? lines.find((l) => /^\w*Error/.test(l)) ?? lines[0];
  return reason || `exit ${r.code}`;
}

describe('GPU script on lavapipe (--small)', () => {
  let work: string;
  let absent: string | null = null;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'rexsweep-gpu-test-'));
    absent = await webgpuAbsence();
  }, 60_000);
  afterAll(() => rm(work, { recursive: true, force: true }));

  test('prepare + run-on-device give a report that agrees with the CPU references', { timeout: 420_000 }, async (ctx) => {
    if (absent) {
      const note = `webgpu is absent here: ${absent}`;
      if (REQUIRED.has('webgpu')) throw new Error(`${note} (required by REXSWEEP_REQUIRE_BACKENDS)`);
      process.stderr.write(`gpu-script: SKIPPED ${note}\n`);
      ctx.skip(note);
      return;
    }
    // The CER cell on WASM is the reference the --small run compares with (the full set, wasm and
    // cpu × cer and efm, is what a device session prepares; a cached full set is reused as is).
    const prep = await sh('bash', ['bench/gpu/prepare.sh', '--reference-backends', 'wasm', '--reference-models', 'cer']);
    expect(prep.code, `prepare.sh failed:\n${prep.stderr}`).toBe(0);
    const manifest = JSON.parse(prep.stdout.trim().split('\n').pop()!) as { carriedTotalMiB: number; bytes: Record<string, number> };
    expect(manifest.carriedTotalMiB).toBeLessThan(64);
    expect(manifest.bytes['node.xz']).toBeGreaterThan(10 << 20);

    const run = await sh('bash', ['bench/gpu/run-on-device.sh', '--small'], { ...process.env, OUT: work, REXSWEEP_GPU_WORK: join(work, 'w') });
    expect(run.code, `run-on-device.sh failed:\n${run.stderr}`).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!);
    // The same report lands in $OUT for the device tool to bring back (there with nvidia-smi's raw text).
    const saved = JSON.parse(readFileSync(join(work, 'gpu-report.json'), 'utf8'));
    expect(saved.summary).toEqual(report.summary);
    expect(saved.agreement).toEqual(report.agreement);

    expect(report).toMatchObject({ schema: 'rexsweep-gpu-bench/1', mode: 'small' });
    expect(report.parts.filter((p: { status: string }) => p.status !== 'ok')).toEqual([]);
    expect(report.adapter.backendDevice).toMatch(/WebGPU via Dawn/);
    // Agreement: the WebGPU CER cell vs the WASM reference, every quantity within tolerance.
    expect(report.agreement.ok, JSON.stringify(report.agreement.models)).toBe(true);
    expect(report.agreement.models.cer.vs.wasm).toMatchObject({ ok: true, mismatches: [] });
    expect(report.agreement.models.cer.vs.wasm.checked).toBeGreaterThan(30);
    // Throughput: WebGPU always; PyTorch on what it found ("cpu" with the bench venv, else unavailable).
    expect(report.throughput.train[0].webgpu.samplesPerSec).toBeGreaterThan(0);
    expect(report.throughput.explain[0].webgpu.pairsPerSec).toBeGreaterThan(0);
    expect(['cuda', 'cpu', 'unavailable']).toContain(report.pytorch.status);
    if (report.pytorch.status !== 'unavailable') expect(report.throughput.train[0].pytorch.samplesPerSec).toBeGreaterThan(0);
    // Packing at k = 1, 2: every cell measured, speedups and memory reported.
    expect(report.summary.packing.map((p: { k: number }) => p.k)).toEqual([1, 2]);
    for (const level of report.packing.levels) {
      expect(level.ok, JSON.stringify(level.cells)).toBe(true);
      expect(level.cells).toHaveLength(level.k);
    }
    expect(report.summary.packing[0].speedup).toBe(1);
    expect(report.summary.packing[1].perCellPeakTfjsMiB).toBeGreaterThan(0);
    expect(report.summary.gpuMemorySource).toMatch(/unavailable|nvidia-smi/);
  });
});

describe('GPU script, pure parts', () => {
  test('nvidia-smi -q text: memory used, GPU load and per-process memory', () => {
    const text = [
      'GPU 00000000:00:05.0',
      '    FB Memory Usage',
      '        Total                             : 143771 MiB',
      '        Reserved                          : 539 MiB',
      '        Used                              : 1234 MiB',
      '        Free                              : 141998 MiB',
      '    BAR1 Memory Usage',
      '        Used                              : 2 MiB',
      '    Utilization',
      '        GPU                               : 35 %',
      '        Memory                            : 10 %',
      '    Processes',
      '        GPU instance ID                   : N/A',
      '        Process ID                        : 20229',
      '            Type                          : C+G',
      '            Name                          : node',
      '            Used GPU Memory               : 456 MiB',
      '        Process ID                        : 20231',
      '            Type                          : G',
      '            Used GPU Memory               : 460 MiB',
    ].join('\n');
    const s = parseSmiQuery(text);
    expect(s.fbUsedMiB).toBe(1234);
    expect(s.gpuUtilPct).toBe(35);
    expect([...s.processes]).toEqual([
      [20229, 456],
      [20231, 460],
    ]);
    expect(parseSmiQuery('    Processes                             : None\n')).toEqual({ fbUsedMiB: null, gpuUtilPct: null, processes: new Map() });
  });

  test('compareCells passes a cell against itself and names a loss outside tolerance', () => {
    const row = { attack: 'none' as const, epsilon: 0, ndcg5: 0.24, explained: 50, pairs: 50, meanExplanationSize: 7.7, meanComplexity: 14, userSidePairs: 12, precision: 0.3, recall: 0.86, f1: 0.45, pn: 0.52, ps: 0.58, fns: 0.55, stability: 1, stabilityPairs: 50, seconds: 1 };
    const cell = { train: { losses: [0.675, 0.642] }, evaluations: [row] } as unknown as CellResult;
    expect(compareCells(cell, cell)).toMatchObject({ ok: true, mismatches: [] });
    const off = { ...cell, train: { losses: [0.675, 0.643] } } as unknown as CellResult;
    const a = compareCells(off, cell);
    expect(a.ok).toBe(false);
    expect(a.mismatches).toEqual([expect.stringMatching(/^loss of epoch 2 /)]);
  });
});
