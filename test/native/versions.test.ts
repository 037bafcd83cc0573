/**
 * The pinned table of `rexsweep setup native [--gpu]`: shape, the hashes pip is given, and that the
 * GPU build's NVIDIA wheels are exactly tensorflow 2.15.1's and-cuda extra (checked against the
 * wheel's own METADATA when the wheel is in the cache; the table alone otherwise).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allWheels, findWheel, requirementsText, wheelPrefix } from '../../infra/native/download.ts';
import { nativePaths } from '../../infra/native/paths.ts';
import { BINDING_PATCH } from '../../infra/native/patch.ts';
import { CPU_BUILD, CUDA_DSOS, GPU_BUILD, TF_WHEEL, TFJS_NODE, setupCommand } from '../../infra/native/versions.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('pinned wheels', () => {
  it('every wheel has a version and a 64-hex sha256, all distinct', () => {
    for (const spec of [CPU_BUILD, GPU_BUILD]) {
      for (const w of allWheels(spec)) {
        expect(w.version, w.package).toMatch(/^\d+(\.\d+)+$/);
        expect(w.sha256, w.package).toMatch(/^[0-9a-f]{64}$/);
        expect(w.mb, w.package).toBeGreaterThan(0);
      }
    }
    const hashes = [...allWheels(CPU_BUILD), ...allWheels(GPU_BUILD)].map((w) => w.sha256);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('the GPU build is tensorflow 2.15.1 + 12 distinct nvidia-*-cu12 wheels, built as tfjs-node-gpu 4.22.0 with the tsl headers', () => {
    expect([GPU_BUILD.tf.package, GPU_BUILD.tf.version]).toEqual(['tensorflow', '2.15.1']);
    expect(GPU_BUILD.beside).toHaveLength(12);
    expect(new Set(GPU_BUILD.beside.map((w) => w.package)).size).toBe(12);
    for (const w of GPU_BUILD.beside) expect(w.package).toMatch(/^nvidia-[a-z-]+-cu12$/);
    expect(GPU_BUILD.beside.find((w) => w.package === 'nvidia-cudnn-cu12')?.version).toBe('8.9.4.25');
    expect(GPU_BUILD.beside.find((w) => w.package === 'nvidia-cublas-cu12')?.version).toBe('12.2.5.6');
    expect(GPU_BUILD.tfjs).toEqual({ package: '@tensorflow/tfjs-node-gpu', version: '4.22.0' });
    expect(GPU_BUILD.headerPrefixes).toContain('tensorflow/include/tsl/');
  });

  it('the CPU build is unchanged', () => {
    expect([TF_WHEEL.package, TF_WHEEL.version, TF_WHEEL.sha256]).toEqual(['tensorflow-cpu', '2.12.1', '7ffb595707a8fb376deaddc768784c7a0242b16cbc6e06393b1733b2ce19f855']);
    expect(CPU_BUILD.beside).toEqual([]);
    expect(TFJS_NODE).toEqual({ package: '@tensorflow/tfjs-node', version: '4.22.0' });
  });

  it('every CUDA library TensorFlow dlopens comes from one of the pinned NVIDIA wheels', () => {
    const dirs = new Set(GPU_BUILD.beside.map((w) => w.package.replace(/^nvidia-/, '').replace(/-cu12$/, '').replace(/-/g, '_')));
    for (const d of CUDA_DSOS) expect(dirs, d.soname).toContain(d.dir);
  });

  it("pip's requirements pin every wheel with its hash (--require-hashes), one line each", () => {
    const lines = requirementsText(GPU_BUILD).trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe('tensorflow==2.15.1 --hash=sha256:bb0edd69103c154245c5f209f0507355cc68ba7e4de350084bc31edc562478e4');
    for (const l of lines) expect(l).toMatch(/^[a-z0-9-]+==[\d.]+ --hash=sha256:[0-9a-f]{64}$/);
  });

  it('wheel file names follow PEP 427 (dashes in the name become underscores)', () => {
    expect(wheelPrefix({ package: 'nvidia-cuda-runtime-cu12', version: '12.2.140', sha256: '', mb: 1 })).toBe('nvidia_cuda_runtime_cu12-12.2.140-');
  });

  it('the GPU build has a cache folder and package of its own; the setup command is named per build', () => {
    const env = { REXSWEEP_CACHE: '/c' };
    const gpu = nativePaths('/repo', env, 'gpu');
    const cpu = nativePaths('/repo', env);
    expect(gpu.root).toBe('/c/native/tensorflow-2.15.1');
    expect(gpu.libDir).toBe('/c/native/tensorflow-2.15.1/site/tensorflow');
    expect(gpu.siteDir).toBe('/c/native/tensorflow-2.15.1/site');
    expect(gpu.packageDir).toBe('/repo/node_modules/@tensorflow/tfjs-node-gpu');
    expect(gpu.addonDir).toBe(`/c/native/tensorflow-2.15.1/addon/tfjs-node-gpu-4.22.0-patch${BINDING_PATCH}`);
    expect(cpu.libDir).toBe('/c/native/tensorflow-cpu-2.12.1/lib');
    expect(cpu.addonDir).toBe(`/c/native/tensorflow-cpu-2.12.1/addon/tfjs-node-4.22.0-patch${BINDING_PATCH}`);
    expect([setupCommand('cpu'), setupCommand('gpu')]).toEqual(['rexsweep setup native', 'rexsweep setup native --gpu']);
  });
});

// The and-cuda pins, read from the wheel itself when `setup native --gpu` has downloaded it.
const wheel = await findWheel(nativePaths(REPO, process.env, 'gpu'));
describe.skipIf(!wheel)(`the pins equal tensorflow 2.15.1's and-cuda extra${wheel ? '' : ' (skipped: the wheel is not in the cache; `rexsweep setup native --gpu` downloads it)'}`, () => {
  it('METADATA Requires-Dist … extra == "and-cuda" lists exactly the pinned NVIDIA wheels', () => {
    const py = `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = [n for n in z.namelist() if n.endswith('.dist-info/METADATA')][0]
print(z.read(m).decode())`;
    const r = spawnSync(process.env.REXSWEEP_PYTHON || 'python3', ['-c', py, wheel!], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const pins = [...r.stdout.matchAll(/^Requires-Dist: (nvidia-[\w-]+) \(==([\d.]+)\) ; extra == 'and-cuda'$/gm)].map((m) => `${m[1]}==${m[2]}`);
    expect(pins.sort()).toEqual(GPU_BUILD.beside.map((w) => `${w.package}==${w.version}`).sort());
  });
});
