/**
 * `rexsweep setup native --gpu` failing as a user sees it, with no download: the step, what to do,
 * and what rexsweep uses meanwhile (the CPU build or WASM, never a half-built GPU addon).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeSetupError } from '../../infra/native/errors.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'rexsweep-native-gpu-'));
});
afterAll(() => rm(cache, { recursive: true, force: true }));

describe('rexsweep setup native --gpu, failing', () => {
  it('exits 1 naming the step, the --gpu command to rerun, and what workers use meanwhile', () => {
    const r = spawnSync(process.execPath, [BIN, 'setup', 'native', '--gpu'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { HOME: cache, REXSWEEP_CACHE: cache, PATH: '/nonexistent', REXSWEEP_PYTHON: '/nonexistent/python3' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('setup native --gpu failed at step "python"');
    expect(r.stderr).toContain('then rerun `rexsweep setup native --gpu`');
    expect(r.stderr).toContain('until then rexsweep does not use the GPU build');
  });

  it('the typed error says which build failed', () => {
    const e = new NativeSetupError('layout', 'libcudnn.so.8 is not found', 'rerun', undefined, 'gpu');
    expect([e.step, e.flavour]).toEqual(['layout', 'gpu']);
    expect(e.message).toMatch(/^setup native --gpu failed at step "layout": libcudnn\.so\.8 is not found/);
    expect(new NativeSetupError('build', 'x', 'y').message).toMatch(/^setup native failed at step "build".*\n.*\n.*WASM backend/s);
  });
});
