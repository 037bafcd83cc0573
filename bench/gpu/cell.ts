/**
 * `cell <backend> <cer|efm> <dataset cache>`: the agreement cell on one forced backend, printing
 * {"result": CellResult} or {"absent": reason}, like test/backends/cell-on-backend.ts. prepare.sh
 * runs it on the CPU backends for the references (reference.ts), agree.ts on the GPU.
 */
import { selectBackend, type BackendReport } from '../../recsys/backend.ts';
import type { CellResult } from '../../recsys/cell/result.ts';
import { runCell } from '../../recsys/cell/run-cell.ts';
import { BackendNameSchema, CellConfigSchema } from '../../recsys/config.ts';
import { BackendError } from '../../recsys/errors.ts';
import { agreementCell } from '../../recsys/backends/agreement.ts';

export function runAgreementCell(report: BackendReport, model: 'cer' | 'efm', cache: string): Promise<CellResult> {
  return runCell(CellConfigSchema.parse({ ...agreementCell(model, cache), backend: report.name }), { backend: report });
}

export async function cell(argv: string[]): Promise<void> {
  const [backendArg, model, cache] = argv;
  const backend = BackendNameSchema.parse(backendArg);
  if (model !== 'cer' && model !== 'efm') throw new Error(`model must be cer or efm, got ${model}`);
  let report: BackendReport;
  try {
    report = await selectBackend(backend);
  } catch (err) {
    if (!(err instanceof BackendError)) throw err;
    process.stdout.write(`${JSON.stringify({ absent: err.reason })}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify({ result: await runAgreementCell(report, model, cache) })}\n`);
}
