/**
 * `rexsweep setup native` and `rexsweep doctor` as a user runs them, on the failure paths that
 * need no download, and the typed errors behind them. (The success path, which downloads a
 * 232 MB wheel, is what .ci/run exercises before the suite; agreement.test.ts then uses it.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_ORDER, requestedBackend } from '../../recsys/backend.ts';
import { explainLoadFailure } from '../../recsys/backends/native.ts';
import { NativeSetupError } from '../../infra/native/errors.ts';
import { checkToolchain } from '../../infra/native/toolchain.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
let cache: string;

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'rexsweep-native-'));
});
afterAll(() => rm(cache, { recursive: true, force: true }));

function rexsweep(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rexsweep setup native, failing', () => {
  it('exits 1 naming the step, what to do, and that WASM stays in use', () => {
    // A fresh cache, and no Python reachable: the first step that needs the outside fails.
    const r = rexsweep(['setup', 'native'], { HOME: cache, REXSWEEP_CACHE: cache, PATH: '/nonexistent', REXSWEEP_PYTHON: '/nonexistent/python3' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('setup native failed at step "python"');
    expect(r.stderr).toContain('what to do: install Python');
    expect(r.stderr).toContain('rexsweep uses the WASM backend');
  });
});

describe('typed errors', () => {
  it('NativeSetupError carries step, detail and fix', () => {
    const e = new NativeSetupError('build', 'make exited 2', 'read the log', '/x/build.log');
    expect([e.step, e.detail, e.fix, e.logFile]).toEqual(['build', 'make exited 2', 'read the log', '/x/build.log']);
    expect(e.message).toContain('log: /x/build.log');
  });

  it('the toolchain step names a missing compiler', async () => {
    const err = await checkToolchain({ ...process.env, CXX: 'no-such-compiler-rexsweep' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NativeSetupError);
    expect((err as NativeSetupError).step).toBe('toolchain');
    expect((err as NativeSetupError).detail).toBe('no-such-compiler-rexsweep not found');
  });

  it('a missing tfjs-node points at setup native; a missing tfjs-node-gpu does not', () => {
    const notFound = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node'"), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(explainLoadFailure('tensorflow', notFound)).toBe('@tensorflow/tfjs-node is not installed: run `rexsweep setup native`');
    expect(explainLoadFailure('tensorflow-gpu', notFound)).toMatch(/^@tensorflow\/tfjs-node-gpu is not installed \(npm drops it/);
    const noAddon = new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x');
    expect(explainLoadFailure('tensorflow', noAddon)).toBe('@tensorflow/tfjs-node is installed but its addon is not built: run `rexsweep setup native`');
  });

  it('REXSWEEP_BACKEND accepts webgpu and rejects unknown names', () => {
    expect(requestedBackend('auto', { REXSWEEP_BACKEND: 'webgpu' })).toBe('webgpu');
    expect(() => requestedBackend('auto', { REXSWEEP_BACKEND: 'metal' })).toThrow(/REXSWEEP_BACKEND must be one of auto, tensorflow-gpu, tensorflow, webgpu, wasm, cpu/);
  });
});

describe('rexsweep doctor', () => {
  it('lists every candidate in order: skipped ones with a reason, then the chosen one, then the rest', () => {
    const r = rexsweep(['doctor', '--json'], { ...process.env, REXSWEEP_BACKEND: '' });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      requested: string;
      chosen: { name: string; device: string };
      candidates: { name: string; status: string; detail: string }[];
    };
    expect(report.requested).toBe('auto');
    expect(report.candidates.map((c) => c.name)).toEqual([...BACKEND_ORDER]);
    const at = report.candidates.findIndex((c) => c.status === 'chosen');
    expect(report.candidates[at].name).toBe(report.chosen.name);
    for (const c of report.candidates.slice(0, at)) {
      expect(c.status).toBe('skipped');
      expect(c.detail.length).toBeGreaterThan(0);
    }
    for (const c of report.candidates.slice(at + 1)) expect(['works', 'unavailable']).toContain(c.status);
    // WASM is a plain dependency: it works wherever rexsweep installs.
    expect(report.candidates.find((c) => c.name === 'wasm')?.status).toMatch(/chosen|works/);
  });
});
