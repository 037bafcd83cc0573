/**
 * Canonical parameter strings. MLflow params are strings and searched by string equality
 * (`params.lambda = '0.5'` does not match `"0.50"`), so every value is rendered one way:
 *
 *  - numbers: ECMAScript shortest round-trip form (`String(n)`): `0.5`, `1024`, `0.0005`, `1e-7`,
 *    `1e+21`; `-0` → `0`; NaN/±Infinity are refused (a config never holds them);
 *  - booleans `true`/`false`, null `null`, strings as they are (no quotes);
 *  - arrays: compact JSON with the same number form and sorted object keys: `[1024,256]`,
 *    `["fgsm","random"]`;
 *  - nested objects flatten to dotted keys (`cer.hidden`), keys sorted; an empty object is `{}`;
 *    `undefined` members are left out.
 */
import { TrackingConfigError } from './errors.ts';
import { validateKey } from './keys.ts';

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TrackingConfigError('param', `cannot format non-finite number ${n}`);
  if (Object.is(n, -0)) return '0';
  return String(n);
}

/** Canonical compact JSON (sorted keys, canonical numbers) for values inside arrays. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const keys = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    default:
      throw new TrackingConfigError('param', `cannot render a ${typeof value} as a parameter`);
  }
}

/** One leaf value as a param string. */
export function canonicalParamValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return canonicalJson(value);
}

/**
 * A param key whose last segment names a credential (`token`, `apiKey`, `password`, …). Configs
 * have no such field (their schemas are strict); if one ever does, its value is not sent.
 */
export const SECRET_PARAM_KEY = /(token|password|passwd|secret|api[_-]?key|credentials?|private[_-]?key)$/i;
export const REDACTED = '<redacted>';

/**
 * Flatten a nested config to `{ 'a.b.c': 'value' }` with canonical values, keys sorted.
 * Every key is checked against MLflow's key rules (InvalidKeyError names the key). Values of
 * keys that name a credential (SECRET_PARAM_KEY) are replaced by `<redacted>`.
 */
export function flattenParams(config: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (value: unknown, key: string): void => {
    if (value === undefined) return;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value as object).sort();
      const defined = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
      if (defined.length === 0) {
        if (key !== '') out[key] = '{}';
        return;
      }
      for (const k of defined) visit((value as Record<string, unknown>)[k], key === '' ? k : `${key}.${k}`);
      return;
    }
    const last = key.slice(key.lastIndexOf('.') + 1);
    out[validateKey('param', key)] = SECRET_PARAM_KEY.test(last) ? REDACTED : canonicalParamValue(value);
  };
  visit(config, prefix);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
