/** Validation of command-line options: a bad value is bad input (exit 2), like a bad config. */
import { BackendNameSchema, type BackendName } from '../recsys/config.ts';
import { InputError } from '../recsys/errors.ts';

export function parseBackendOption(value: string): BackendName {
  const parsed = BackendNameSchema.safeParse(value);
  if (!parsed.success) throw new InputError({ file: '<command line>', field: '--backend' }, BackendNameSchema.options.join(', '), value);
  return parsed.data;
}
