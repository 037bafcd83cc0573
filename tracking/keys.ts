/**
 * Metric, param and tag keys as MLflow validates them (mlflow/utils/validation.py):
 *  - characters `^[/\w.\- ]*$` — the portable set (MLflow also allows `:` except on Windows
 *    servers; we do not). `\w` is ASCII here, stricter than Python's Unicode `\w`.
 *  - at most 250 characters (MAX_ENTITY_KEY_LENGTH);
 *  - the key must be a normalised relative path: `posixpath.normpath(key) == key`, not `.`, not
 *    starting with `..` or `/` (so no empty key, no `a//b`, no trailing `/`, no `./a`).
 */
import { createHash } from 'node:crypto';
import { InvalidKeyError } from './errors.ts';

export const MAX_KEY_LENGTH = 250;
export const KEY_PATTERN = /^[/\w.\- ]*$/;

/** The reason `key` is invalid, or undefined when MLflow will accept it. */
export function keyProblem(key: string, maxLength = MAX_KEY_LENGTH): string | undefined {
  if (typeof key !== 'string' || key === '') return 'must be a non-empty string';
  if (!KEY_PATTERN.test(key)) return 'may contain only ASCII letters, digits, _ - . / and space';
  if (key.length > maxLength) return `is ${key.length} characters long; at most ${maxLength} allowed`;
  const norm = pythonNormpath(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    return `must be a normalised relative path (MLflow would read it as ${JSON.stringify(norm)})`;
  }
  return undefined;
}

/** Throw InvalidKeyError naming the key when MLflow would reject it. */
export function validateKey(kind: 'metric' | 'param' | 'tag', key: string, maxLength = MAX_KEY_LENGTH): string {
  const problem = keyProblem(key, maxLength);
  if (problem !== undefined) throw new InvalidKeyError(kind, key, problem);
  return key;
}

/**
 * Map any string to a valid key, deterministically: disallowed characters become `_`, empty
 * path segments are dropped, `.`/`..` segments become `_`/`__`, and a key longer than `maxLength`
 * keeps its head and gets `~` plus 8 hex digits of its SHA-256, so distinct inputs stay distinct.
 */
export function sanitizeKey(raw: string, maxLength = MAX_KEY_LENGTH): string {
  const segments = raw
    .replace(/[^/\w.\- ]/g, '_')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => (s === '.' ? '_' : s === '..' ? '__' : s));
  let key = segments.join('/');
  if (key === '') key = '_';
  if (key.length > maxLength) {
    const hash = createHash('sha256').update(raw, 'utf8').digest('hex').slice(0, 8);
    key = key.slice(0, maxLength - 9).replace(/\/+$/, '') + '~' + hash;
    // The cut may have left a trailing `.`-segment; fix the result once more.
    if (keyProblem(key, maxLength) !== undefined) key = sanitizeKey(key.replace(/~/g, '_'), maxLength);
  }
  return key;
}

/** Python's `posixpath.normpath`, exactly (it differs from Node's `path.posix.normalize`). */
export function pythonNormpath(path: string): string {
  if (path === '') return '.';
  let initialSlashes = path.startsWith('/') ? 1 : 0;
  if (initialSlashes && path.startsWith('//') && !path.startsWith('///')) initialSlashes = 2;
  const out: string[] = [];
  for (const comp of path.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (!initialSlashes && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = '/'.repeat(initialSlashes) + out.join('/');
  return joined === '' ? '.' : joined;
}
