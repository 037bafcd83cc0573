/**
 * The real GPU build, as a user runs it: `rexsweep setup native --gpu` (tfjs-node-gpu 4.22.0
 * against tensorflow 2.15.1 and its 12 NVIDIA wheels), then `rexsweep doctor`. On a host without
 * a GPU: it builds, loads, runs the matMul with the known answer on the CPU, and says why there is
 * no GPU; on a GPU host, that TensorFlow sees one.
 *
 * Not in .ci/run's way: a cold run downloads ~2.4 GB. So it runs only when asked
 * (REXSWEEP_TEST_NATIVE_GPU=1) or when the GPU build is already in the cache (then it takes
 * seconds), and otherwise is skipped with the reason in its name.
 */
import { spawnSync } from 'node:child_process';
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findAddon } from '../../infra/native/build.ts';
import { nativePaths } from '../../infra/native/paths.ts';
import { isUnpacked } from '../../infra/native/unpack.ts';
import { explainDriver, probeDriver } from '../../recsys/backends/cuda.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'rexsweep.mjs');
const paths = nativePaths(REPO, process.env, 'gpu');
const asked = process.env.REXSWEEP_TEST_NATIVE_GPU === '1';
const cached = (await isUnpacked(paths)) && Boolean(await findAddon(paths.addonDir));
const noDriver = explainDriver(probeDriver());
const title = asked
  ? 'setup native --gpu, real build (REXSWEEP_TEST_NATIVE_GPU=1)'
  : cached
    ? 'setup native --gpu, real build (found in the cache)'
    : 'setup native --gpu, real build (skipped: downloads ~2.4 GB; set REXSWEEP_TEST_NATIVE_GPU=1, or run `rexsweep setup native --gpu` once)';

function rexsweep(args: string[], timeoutMs: number) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, REXSWEEP_BACKEND: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!asked && !cached)(title, { timeout: 3_600_000 }, () => {
  it('builds, loads, and runs a matMul with the known answer; says whether TensorFlow sees a GPU', async () => {
    const r = rexsweep(['setup', 'native', '--gpu', '--json'], 3_500_000);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(result).toMatchObject({ flavour: 'gpu', wheel: 'tensorflow==2.15.1', tfVersion: '2.15.1', matMul: [19, 22, 43, 50] });
    expect(result.beside).toHaveLength(12);
    if (noDriver) {
      expect(result.gpu).toBe(false);
      expect(result.noGpuReason).toBe(noDriver);
    } else {
      expect(result.gpu, String(result.noGpuReason)).toBe(true);
      expect((result.devices as string[]).length).toBeGreaterThan(0);
    }
    // deps/lib is a link to the site folder itself: $ORIGIN/../nvidia resolves through it (layout.ts).
    const lib = join(paths.packageDir, 'deps', 'lib');
    expect((await lstat(lib)).isSymbolicLink()).toBe(true);
    expect(await readlink(lib)).toBe(paths.libDir);
  });

  it('doctor says which CUDA device TensorFlow sees, or exactly why none', () => {
    const r = rexsweep(['doctor', '--json'], 600_000);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      nativeGpu: string;
      cuda: { devices: string[]; why?: string };
      candidates: { name: string; status: string; detail: string }[];
    };
    expect(report.nativeGpu).toMatch(/tensorflow 2\.15\.1 \+ 12 NVIDIA wheels unpacked, addon built$/);
    const gpuLine = report.candidates.find((c) => c.name === 'tensorflow-gpu')!;
    if (noDriver) {
      expect(report.cuda).toEqual({ devices: [], why: noDriver });
      expect(['skipped', 'unavailable']).toContain(gpuLine.status);
      expect(gpuLine.detail).toBe(noDriver);
    } else {
      expect(report.cuda.devices.length, report.cuda.why).toBeGreaterThan(0);
    }
  });
});
