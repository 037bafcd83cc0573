/**
 * The CPU side of the GPU script's agreement check, computed HERE (prepare.sh) and carried in the
 * bundle: the agreement cell (agreement-spec.ts) on each CPU backend, one fresh process each
 * (entry.ts cell, as test/backends/cell-on-backend.ts does for the agreement test).
 * The GPU machine has no WASM reference of its own to trust more than this one, and computing it
 * there would spend device time on CPU work.
 *
 *   npx tsx bench/gpu/reference.ts <out.json> <source-hash> [--backends wasm,cpu] [--models cer,efm]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellResult } from '../../recsys/cell/result.ts';
import { agreementCell } from '../../recsys/backends/agreement.ts';
import { compareCells, type Agreement } from '../../recsys/backends/agreement.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(REPO, 'bench/gpu/entry.ts');

const [out, sourceHash, ...rest] = process.argv.slice(2);
if (!out || !sourceHash) throw new Error('usage: reference.ts <out.json> <source-hash> [--backends wasm,cpu] [--models cer,efm]');
const opt = (name: string, fallback: string) => {
  const k = rest.indexOf(`--${name}`);
  return (k >= 0 ? rest[k + 1] : fallback).split(',').filter(Boolean);
};
const backends = opt('backends', 'wasm,cpu');
const models = opt('models', 'cer,efm');

const cache = mkdtempSync(join(tmpdir(), 'rexsweep-gpu-ref-'));
const results: Record<string, Record<string, CellResult>> = {};
try {
  for (const backend of backends) {
    results[backend] = {};
    for (const model of models) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'cell', backend, model, cache], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, REXSWEEP_BACKEND: '' },
        maxBuffer: 64 << 20,
      });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${backend} ${model} reference cell exited ${r.status}:\n${r.stderr.slice(-3000)}`);
      const parsed = JSON.parse(line) as { result?: CellResult; absent?: string };
      if (!parsed.result) throw new Error(`${backend} is unavailable here: ${parsed.absent}`);
      results[backend][model] = parsed.result;
      process.stderr.write(`reference: ${backend} ${model} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  }
} finally {
  rmSync(cache, { recursive: true, force: true });
}

// The references must agree among themselves, or a GPU mismatch would mean nothing.
const crossCheck: Record<string, Agreement> = {};
const [first, ...others] = backends;
for (const b of others) for (const m of models) crossCheck[`${b} vs ${first}, ${m}`] = compareCells(results[b][m], results[first][m]);

const { datasetCache: _unused, ...cellTemplate } = agreementCell('cer', '<cache>');
writeFileSync(
  out,
  `${JSON.stringify({ schema: 'rexsweep-gpu-reference/1', generatedAt: new Date().toISOString(), sourceHash, node: process.version, cellTemplate, crossCheck, results }, null, 1)}\n`,
);
const bad = Object.entries(crossCheck).filter(([, a]) => !a.ok);
if (bad.length) {
  process.stderr.write(`reference: the CPU backends disagree:\n${bad.map(([k, a]) => `${k}: ${a.mismatches.join('; ')}`).join('\n')}\n`);
  process.exit(1);
}
