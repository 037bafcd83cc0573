/**
 * Runs one small cell on one forced backend and prints one JSON line: {"result": CellResult}, or
 * {"absent": reason} when the backend cannot be initialised here (selectBackend's BackendError).
 * The agreement test (agreement.test.ts) runs this once per (backend, model), each in its own
 * process, so that every backend starts from a fresh TF.js engine.
 *
 *   node --import tsx test/backends/cell-on-backend.ts <backend> <cer|efm> <dataset cache dir>
 */
import { selectBackend } from '../../recsys/backend.ts';
import { runCell } from '../../recsys/cell/run-cell.ts';
import { BackendNameSchema, CellConfigSchema } from '../../recsys/config.ts';
import { BackendError } from '../../recsys/errors.ts';
import { agreementCell } from '../../recsys/backends/agreement.ts';

const [backendArg, model, cache] = process.argv.slice(2);
const backend = BackendNameSchema.parse(backendArg);
if (model !== 'cer' && model !== 'efm') throw new Error(`model must be cer or efm, got ${model}`);
let report;
try {
  report = await selectBackend(backend);
} catch (err) {
  if (!(err instanceof BackendError)) throw err;
  process.stdout.write(`${JSON.stringify({ absent: err.reason })}\n`);
  process.exit(0);
}
const result = await runCell(CellConfigSchema.parse({ ...agreementCell(model, cache), backend }), { backend: report });
process.stdout.write(`${JSON.stringify({ result })}\n`);
// Dawn's binding can keep the event loop alive while GPU objects are referenced.
process.exit(0);
