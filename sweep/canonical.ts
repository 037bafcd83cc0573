/**
 * Canonical JSON: one text per value, so that equal configs hash equally (DESIGN "Cell identity").
 *
 * - Object keys sorted by UTF-16 code units (the order of Array.prototype.sort, and of RFC 8785);
 *   members whose value is undefined are dropped, as JSON.stringify does.
 * - Numbers in one format: ECMAScript Number::toString, the shortest text that round-trips to
 *   the same double (1, 0.5, 1e-7, 1e+21); -0 is written 0. NaN and ±Infinity are refused: a
 *   config holding them is a bug, and JSON.stringify would silently turn them into null.
 * - Strings as JSON.stringify escapes them; no whitespace.
 * - Anything that is not JSON (undefined in an array, functions, symbols, bigint, Dates, Maps,
 *   class instances) is refused with the path where it was found.
 *
 * Pure and deterministic: Temporal workflow code imports it.
 */

export class CanonicalJsonError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`canonical JSON: ${path || '(root)'}: ${reason}`);
    this.name = 'CanonicalJsonError';
  }
}

/** The canonical form of one number: shortest round-trip repr, -0 → 0, non-finite refused. */
export function canonicalNumber(n: number): string {
  if (!Number.isFinite(n)) throw new CanonicalJsonError('', `${n} is not a finite number`);
  return n === 0 ? '0' : String(n);
}

export function canonicalJson(value: unknown): string {
  try {
    return write(value);
  } catch (err) {
    if (err instanceof Refusal) throw new CanonicalJsonError(err.path.reverse().join('').replace(/^\./, ''), err.message);
    throw err;
  }
}

/** Thrown inside; collects the path on the way out (no path strings on the happy path). */
class Refusal extends Error {
  readonly path: string[] = [];
}

function member(x: unknown, segment: () => string): string {
  if (x === undefined) {
    const r = new Refusal('undefined is not JSON');
    r.path.push(segment());
    throw r;
  }
  try {
    return write(x);
  } catch (err) {
    if (err instanceof Refusal) err.path.push(segment());
    throw err;
  }
}

function write(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new Refusal(`${v} is not a finite number`);
      return v === 0 ? '0' : String(v);
    case 'string':
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      throw new Refusal(`${typeof v} is not JSON`);
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + member(v[i], () => `[${i}]`);
    return out + ']';
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new Refusal(`${(v as object).constructor?.name ?? 'object'} is not a plain object`);
  }
  const obj = v as Record<string, unknown>;
  let out = '{';
  for (const k of Object.keys(obj).sort()) {
    const x = obj[k];
    if (x === undefined) continue;
    out += (out.length > 1 ? ',' : '') + JSON.stringify(k) + ':' + member(x, () => `.${k}`);
  }
  return out + '}';
}
