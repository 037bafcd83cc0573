/**
 * Validation of command-line options and arguments: one layer, zod schemas over the raw string,
 * so a bad value is bad input (exit 2, nothing started) like a bad config, reported as
 * `<command line> (field --epochs): expected …, got …`: never a ZodError stack trace, never a
 * value silently ignored (`--epochs 0` or `--epochs abc` used to fall back to the default).
 * Commander calls these parsers while parsing; the InputError they throw passes through it to
 * cli/main.ts, which prints the message and exits 2.
 */
import { z } from 'zod';
import { BackendNameSchema, type BackendName } from '../recsys/config.ts';
import { InputError } from '../recsys/errors.ts';

const COMMAND_LINE = '<command line>';

/** A parser for commander: `schema` validates the raw string; `expected` is what the user reads. */
export function optionParser<T>(field: string, schema: z.ZodType<T, string>, expected: string): (value: string) => T {
  return (value: string) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InputError({ file: COMMAND_LINE, field }, expected, value);
    return parsed.data;
  };
}

/** A whole number written in decimal digits, min ≤ n ≤ max ("1e3", "0x10", "5.0", "" are refused). */
export function wholeNumber(min: number, max: number): z.ZodType<number, string> {
  return z
    .string()
    .regex(/^\+?[0-9]+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** A finite decimal number with 0 < n ≤ max (0 ≤ n ≤ max when `zeroAllowed`). */
export function positiveNumber(max = Number.MAX_VALUE, zeroAllowed = false): z.ZodType<number, string> {
  return z
    .string()
    .regex(/^\+?([0-9]+\.?[0-9]*|\.[0-9]+)$/)
    .transform(Number)
    .pipe(zeroAllowed ? z.number().min(0).max(max) : z.number().gt(0).max(max));
}

export const intOption = (field: string, min: number, max: number) =>
  optionParser(field, wholeNumber(min, max), `a whole number from ${min} to ${max}`);

export const numberOption = (field: string, max?: number) =>
  optionParser(field, positiveNumber(max), max === undefined ? 'a number above 0' : `a number above 0, at most ${max}`);

/** A number 0 ≤ n ≤ max, where 0 means "always" (e.g. --checkpoint-seconds 0: every epoch). */
export const nonNegativeNumberOption = (field: string, max: number) =>
  optionParser(field, positiveNumber(max, true), `a number from 0 to ${max}`);

export function choiceOption<const T extends string>(field: string, choices: readonly [T, ...T[]]): (value: string) => T {
  return optionParser(field, z.enum(choices), choices.join(' or '));
}

/** A comma-separated list of at least one of `choices`, without repeats. */
export function listOption<const T extends string>(field: string, choices: readonly [T, ...T[]]): (value: string) => T[] {
  const schema = z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(z.enum(choices)).min(1).refine((xs) => new Set(xs).size === xs.length));
  return optionParser(field, schema, `a comma-separated list of ${choices.join(', ')} (each at most once)`);
}

/** Limits of the numeric flags (generous; they refuse nonsense, not big machines). */
export const LIMITS = {
  epochs: 1_000_000,
  slots: 256,
  workers: 256,
  /** workflows/sweep-control.ts MAX_CONCURRENCY (not imported: that module loads the workflow SDK). */
  concurrency: 1000,
  checkpointSeconds: 7 * 24 * 3600,
} as const;

export function parseBackendOption(value: string): BackendName {
  return optionParser('--backend', z.string().pipe(BackendNameSchema), BackendNameSchema.options.join(', '))(value);
}
