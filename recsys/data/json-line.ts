/**
 * One JSON-lines record → a validated value, or an InputError that says file, line, field,
 * what was expected and what was found. Shared by every JSON-lines parser.
 */
import type { z } from 'zod';
import { InputError } from '../errors.ts';
import { redactedExcerpt } from './excerpt.ts';

/** JSON.parse with the position of the failure reported as an InputError. */
export function parseJsonLine(line: string, file: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    // Not the parser's message: V8 quotes the text around the error in it.
    throw new InputError({ file, line: lineNumber }, 'one JSON value per line', `not JSON: ${redactedExcerpt(line)}`);
  }
}

/** Validates with a zod schema; the first issue becomes an InputError naming the field path. */
export function validateRecord<S extends z.ZodType>(schema: S, value: unknown, file: string, lineNumber: number): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const got = valueAt(value, issue.path);
  throw new InputError(
    { file, line: lineNumber, field: formatPath(issue.path) || undefined },
    expectedText(issue),
    got === undefined ? 'nothing (field missing)' : redactedExcerpt(safeJson(got)),
  );
}

/** ["triplets", 2, 0] → "triplets[2][0]". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function expectedText(issue: z.core.$ZodIssue): string {
  // Schemas give a readable `error` where zod's default would be vague (unions); keep those.
  if (!/^(Invalid|Too (small|big))/.test(issue.message)) return issue.message;
  if (issue.code === 'invalid_type') return issue.expected;
  if (issue.code === 'invalid_value') return `one of ${issue.values.map((v) => safeJson(v)).join(', ')}`;
  return issue.message.replace(/^(Invalid input|Too small|Too big): (expected )?/, '');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
