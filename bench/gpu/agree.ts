/**
 * `agree`: the agreement cell (agreement-spec.ts) on one backend (webgpu), each
 * model in turn in this process, compared with the CPU references that prepare.sh computed
 * (reference.ts) under the agreement test's tolerances (recsys/backends/agreement.ts). Prints one JSON line.
 *
 *   agree --reference reference.json --cache DIR [--backend webgpu] [--models cer,efm]
 */
import { readFileSync } from 'node:fs';
import { selectBackend } from '../../recsys/backend.ts';
import type { CellResult } from '../../recsys/cell/result.ts';
import { BackendNameSchema } from '../../recsys/config.ts';
import { parseFlags } from '../tfjs/common.ts';
import { runAgreementCell } from './cell.ts';
import { compareCells, TOLERANCES, type Agreement } from '../../recsys/backends/agreement.ts';

interface Reference {
  sourceHash: string;
  results: Record<string, Record<string, CellResult>>;
}

export async function agree(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, ['reference', 'cache', 'backend', 'models']);
  const ref = JSON.parse(readFileSync(String(flags.reference), 'utf8')) as Reference;
  const backend = BackendNameSchema.parse(flags.backend ?? 'webgpu');
  const models = String(flags.models ?? 'cer,efm').split(',').filter(Boolean) as ('cer' | 'efm')[];
  const report = await selectBackend(backend);
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const model of models) {
    const t0 = performance.now();
    const result = await runAgreementCell(report, model, String(flags.cache));
    const vs: Record<string, Agreement> = {};
    for (const [refBackend, byModel] of Object.entries(ref.results)) {
      if (!byModel[model]) continue;
      vs[refBackend] = compareCells(result, byModel[model]);
      ok &&= vs[refBackend].ok;
    }
    // Nothing to compare with is not agreement: prepare.sh was run with fewer --reference-models.
    const missingReference = !Object.keys(vs).length;
    if (missingReference) ok = false;
    const clean = result.evaluations.find((e) => e.attack === 'none');
    out[model] = {
      seconds: (performance.now() - t0) / 1000,
      finalLoss: result.train.finalLoss,
      cleanNdcg5: clean?.ndcg5,
      cleanF1: clean?.f1,
      vs,
      ...(missingReference ? { missingReference: 'run bench/gpu/prepare.sh (default: every model) before carrying the bundle' } : {}),
    };
  }
  process.stdout.write(`${JSON.stringify({ ok, backend: report.name, device: report.device, referenceHash: ref.sourceHash, tolerances: TOLERANCES, models: out })}\n`);
}
