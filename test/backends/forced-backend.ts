/**
 * The start of every child script of test/backends/: select the backend named on the command
 * line, or print {"absent": reason} and exit 0 when it cannot be initialised here (selectBackend's
 * BackendError), so that the parent test can skip or fail by name (on-backend.ts).
 */
import { type BackendReport, selectBackend } from '../../recsys/backend.ts';
import { type BackendName, BackendNameSchema } from '../../recsys/config.ts';
import { BackendError } from '../../recsys/errors.ts';

export async function forcedBackend(arg: string | undefined): Promise<{ backend: BackendName; report: BackendReport }> {
  const backend = BackendNameSchema.parse(arg);
  try {
    return { backend, report: await selectBackend(backend) };
  } catch (err) {
    if (!(err instanceof BackendError)) throw err;
    process.stdout.write(`${JSON.stringify({ absent: err.reason })}\n`);
    process.exit(0);
  }
}
