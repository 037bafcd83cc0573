/**
 * Workflow code names the errors that fail a cell at once by their class names (it cannot import
 * the classes). Each name must be the `name` of a real error of that class — a renamed class
 * would otherwise be retried for minutes — and each such error must fail the cell, not retry.
 */
import { describe, expect, it } from 'vitest';
import { BackendError, ConfigError, DatasetIntegrityError, DivergenceError, InfeasibleError, InputError } from '../../recsys/errors.ts';
import { InvalidValueError } from '../../tracking/errors.ts';
import { NON_RETRYABLE } from '../../workflows/activity-options.ts';

const FINAL_ERRORS: Error[] = [
  new DivergenceError('cer', 3, Number.NaN),
  new InfeasibleError('no user has a test list'),
  new ConfigError('x.yaml', [new InputError({ file: 'x.yaml', field: 'epochs' }, 'a positive integer', '-5')]),
  new InputError({ file: 'x.yaml', line: 3 }, 'a rating 1–5', '0'),
  new DatasetIntegrityError('/cache/d', 'X.bin sha256 differs'),
  new BackendError('webgpu', 'no adapter'),
  new InvalidValueError('metric', 'train.final_loss', 'value must be a number'),
];

describe('non-retryable error names', () => {
  it('are exactly the names of the errors that cannot be fixed by retrying', () => {
    expect(FINAL_ERRORS.map((e) => e.name).sort()).toEqual([...NON_RETRYABLE].sort());
  });

  it('are the class names, as Temporal sees them on a failure', () => {
    for (const e of FINAL_ERRORS) expect(e.name).toBe(e.constructor.name);
  });
});
