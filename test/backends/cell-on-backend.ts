/**
 * Runs one small cell on one forced backend and prints one JSON line: {"result": CellResult}, or
 * {"absent": reason} when the backend cannot be initialised here (selectBackend's BackendError).
 * The agreement test (agreement.test.ts) runs this once per (backend, model), each in its own
 * process, so that every backend starts from a fresh TF.js engine.
 *
 *   node --import tsx test/backends/cell-on-backend.ts <backend> <cer|efm> <dataset cache dir>
 */
import { runCell } from '../../recsys/cell/run-cell.ts';
import { CellConfigSchema } from '../../recsys/config.ts';
import { agreementCell } from '../../recsys/backends/agreement.ts';
import { forcedBackend } from './forced-backend.ts';

const [backendArg, model, cache] = process.argv.slice(2);
if (model !== 'cer' && model !== 'efm') throw new Error(`model must be cer or efm, got ${model}`);
const { backend, report } = await forcedBackend(backendArg);
const result = await runCell(CellConfigSchema.parse({ ...agreementCell(model, cache), backend }), { backend: report });
process.stdout.write(`${JSON.stringify({ result })}\n`);
// Dawn's binding can keep the event loop alive while GPU objects are referenced.
process.exit(0);
