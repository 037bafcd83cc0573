/**
 * Running a child script of test/backends/ on native TensorFlow and on WASM, the reference, for
 * tests that compare the two. Presence as in agreement.test.ts: native TensorFlow absent here fails
 * the test when REXSWEEP_REQUIRE_BACKENDS names it (CI), else skips it with the reason.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'vitest';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const REQUIRED = new Set((process.env.REXSWEEP_REQUIRE_BACKENDS ?? '').split(',').map((s) => s.trim()));

/** The child's last stdout line, parsed: its result, or {absent} (forced-backend.ts). */
export function runOnBackend<T>(script: string, backend: string): T | { absent: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, script), backend], {
    cwd: join(HERE, '..', '..'),
    encoding: 'utf8',
    env: { ...process.env, REXSWEEP_BACKEND: '' },
    timeout: 120_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${script} on ${backend} exited ${r.status}:\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line) as T | { absent: string };
}

/** The script's result on native TensorFlow and on WASM; undefined when the test was skipped. */
export function nativeAndWasm<T extends object>(script: string, ctx: TestContext): { native: T; wasm: T } | undefined {
  const native = runOnBackend<T>(script, 'tensorflow');
  if ('absent' in native) {
    if (REQUIRED.has('tensorflow')) throw new Error(`tensorflow is absent: ${native.absent} (required by REXSWEEP_REQUIRE_BACKENDS)`);
    ctx.skip(`native TensorFlow is absent here: ${native.absent}`);
    return undefined;
  }
  const wasm = runOnBackend<T>(script, 'wasm');
  if ('absent' in wasm) throw new Error(`WASM is absent: ${wasm.absent}`);
  return { native, wasm };
}
