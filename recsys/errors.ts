/**
 * Typed errors. Each carries where (file, line, field) and what was expected, so a
 * researcher can fix a bad input without reading a stack trace.
 */
import { escapeControl } from './printable.ts';

export class RexsweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface InputLocation {
  /** Path of the offending file, or a label such as "<cell config>" for in-memory input. */
  file: string;
  /** 1-based line number, when the input is line oriented. */
  line?: number;
  /** 1-based column, when known (YAML). */
  column?: number;
  /** Dotted field path inside the record, e.g. "triplets[2][2]". */
  field?: string;
}

/** Malformed input data or configuration. Nothing has been written when it is thrown. */
export class InputError extends RexsweepError {
  readonly location: InputLocation;
  readonly expected: string;
  readonly got?: string;

  constructor(location: InputLocation, expected: string, got?: string) {
    super(InputError.format(location, expected, got));
    this.location = location;
    this.expected = expected;
    this.got = got;
  }

  /**
   * Every part is escaped (recsys/printable.ts): a file name, a key or a value from the input can
   * hold control characters, which must not reach the terminal or MLflow raw.
   */
  static format(loc: InputLocation, expected: string, got?: string): string {
    let where = escapeControl(loc.file);
    if (loc.line !== undefined) where += `:${loc.line}`;
    if (loc.column !== undefined) where += `:${loc.column}`;
    if (loc.field) where += ` (field ${escapeControl(loc.field)})`;
    const gotText = got === undefined ? '' : `, got ${truncate(escapeControl(got), 120)}`;
    return `${where}: expected ${escapeControl(expected)}${gotText}`;
  }
}

/** A configuration that is well-formed but cannot be run (e.g. too few users survive filtering). */
export class InfeasibleError extends RexsweepError {
  constructor(readonly reason: string) {
    super(`infeasible: ${reason}`);
  }
}

/** Training produced NaN/Infinity: the cell fails without retry (see DESIGN.md "Failures have kinds"). */
export class DivergenceError extends RexsweepError {
  constructor(readonly model: string, readonly epoch: number, readonly loss: number) {
    super(`${model} training diverged at epoch ${epoch}: loss ${loss}`);
  }
}

/** The requested TF.js backend could not be loaded or did not take effect. */
export class BackendError extends RexsweepError {
  constructor(readonly requested: string, readonly reason: string) {
    super(`backend ${requested} unavailable: ${reason}`);
  }
}

/** A prepared dataset folder whose files do not match its manifest. */
export class DatasetIntegrityError extends RexsweepError {
  constructor(readonly folder: string, readonly detail: string) {
    super(`prepared dataset ${folder} failed verification: ${detail}`);
  }
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n) + '…';
}

/** A configuration file with one or more invalid fields; each issue says where and what. */
export class ConfigError extends RexsweepError {
  constructor(readonly file: string, readonly issues: InputError[]) {
    super(
      issues.length === 1
        ? issues[0].message
        : `${file}: ${issues.length} problems\n` + issues.map((i) => `  ${i.message}`).join('\n'),
    );
  }
}
