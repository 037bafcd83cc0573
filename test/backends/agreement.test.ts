/**
 * Backend agreement: the same small CER cell and EFM cell (agreement-cell.ts) on native
 * TensorFlow, WebGPU and tfjs-node-gpu give the same results as on WASM, within the float32
 * tolerances of tolerances.ts. WASM is the reference because it is a plain dependency, present
 * wherever rexsweep installs.
 *
 * Presence: each backend runs where it can be initialised here. One that cannot is reported by
 * name with selectBackend's reason, and then
 *   - fails the test when it is listed in REXSWEEP_REQUIRE_BACKENDS (.ci/run requires
 *     tensorflow and webgpu: CI installs lavapipe and runs `rexsweep setup native`);
 *   - otherwise is skipped with that reason as the skip note (a developer machine without
 *     `rexsweep setup native` or without a Vulkan driver).
 * tfjs-node-gpu needs an NVIDIA GPU: on a host without one it cannot exist, and its block is
 * skipped as a whole, saying so.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CellResult } from '../../recsys/cell/result.ts';
import { compareCells } from '../../recsys/backends/agreement.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '..', '..');
const CHILD = join(HERE, 'cell-on-backend.ts');
const MODELS = ['cer', 'efm'] as const;
type Model = (typeof MODELS)[number];
type Outcome = { result: CellResult } | { absent: string };

const REQUIRED = new Set((process.env.REXSWEEP_REQUIRE_BACKENDS ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const HAS_NVIDIA_GPU = existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia/version');

let cache: string;
const runs = new Map<string, Promise<Outcome>>();

/** One child process per (backend, model), each run once and shared by the tests that need it. */
function run(backend: string, model: Model): Promise<Outcome> {
  const key = `${backend}/${model}`;
  let p = runs.get(key);
  if (!p) {
    p = runChild(backend, model);
    runs.set(key, p);
  }
  return p;
}

function runChild(backend: string, model: Model): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, backend, model, cache], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REXSWEEP_BACKEND: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Outcome);
      else reject(new Error(`${backend} ${model} cell exited ${code}:\n${err}`));
    });
  });
}

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'rexsweep-agreement-'));
  // The reference runs first and prepares the dataset that the other runs reuse.
  for (const model of MODELS) {
    const ref = await run('wasm', model);
    if ('absent' in ref) throw new Error(`WASM, the reference, is unavailable: ${ref.absent}`);
  }
}, 300_000);
afterAll(() => rm(cache, { recursive: true, force: true }));

/** The one comparison (recsys/backends/agreement.ts compareCells), every mismatch named. */
function expectAgreement(got: CellResult, ref: CellResult, label: string): void {
  const agreement = compareCells(got, ref);
  expect(agreement.mismatches, label).toEqual([]);
  expect(agreement.checked).toBeGreaterThan(10 * ref.evaluations.length);
}

function agreementTests(backend: string): void {
  test.for(MODELS)(`${backend}: the %s cell agrees with WASM`, async (model, ctx) => {
    const outcome = await run(backend, model);
    if ('absent' in outcome) {
      const note = `${backend} is absent here: ${outcome.absent}`;
      if (REQUIRED.has(backend)) throw new Error(`${note} (required by REXSWEEP_REQUIRE_BACKENDS)`);
      process.stderr.write(`agreement: SKIPPED ${note}\n`);
      ctx.skip(note);
      return;
    }
    const ref = await run('wasm', model);
    if ('absent' in ref) throw new Error('unreachable: the reference was checked in beforeAll');
    expect(outcome.result.backend).toBe(backend);
    expectAgreement(outcome.result, ref.result, `${backend} vs wasm, ${model}`);
  });
}

describe('native TensorFlow (tfjs-node built by `rexsweep setup native`)', { timeout: 300_000 }, () => agreementTests('tensorflow'));
// On a software adapter (lavapipe) every new shader compiles on the CPU: minutes for the CER cell.
describe('WebGPU (Dawn; on a CPU host, Mesa lavapipe)', { timeout: 600_000 }, () => agreementTests('webgpu'));
const gpuPossible = HAS_NVIDIA_GPU || REQUIRED.has('tensorflow-gpu');
describe.skipIf(!gpuPossible)(
  'tfjs-node-gpu (CUDA; skipped where there is no NVIDIA GPU, since it cannot exist there)',
  { timeout: 300_000 },
  () => agreementTests('tensorflow-gpu'),
);
