/**
 * How every rexsweep process reaches Temporal: address, namespace, TLS and API key from the
 * environment, under the Temporal CLI's names, so one set of variables serves `temporal` and
 * `rexsweep` alike. Used by the worker's NativeConnection and the CLI's client Connection.
 *
 *   TEMPORAL_ADDRESS            host:port (the caller may pass the resolved one instead)
 *   TEMPORAL_NAMESPACE          default `default`
 *   TEMPORAL_TLS                true/false; TLS is on when any TLS setting or an API key is given
 *   TEMPORAL_TLS_CA             PEM file of the server's root CA      (alias TEMPORAL_TLS_SERVER_CA_CERT_PATH)
 *   TEMPORAL_TLS_CERT           PEM file of the client certificate    (alias TEMPORAL_TLS_CLIENT_CERT_PATH)
 *   TEMPORAL_TLS_KEY            PEM file of the client's private key  (alias TEMPORAL_TLS_CLIENT_KEY_PATH)
 *   TEMPORAL_TLS_SERVER_NAME    SNI / host name to verify, when it differs from the address
 *   TEMPORAL_API_KEY            sent as `Authorization: Bearer …`; implies TLS unless TEMPORAL_TLS=false
 *
 * Errors name the variable and the file, never a file's content or the key. The secrets live in
 * the returned object only; `describe` is what may be logged.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../recsys/errors.ts';

export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** Undefined: plaintext (the local dev server). */
  tls?: TemporalTls;
  apiKey?: string;
}

/** A Temporal connection variable that is missing, contradictory, or names an unreadable file. */
export class TemporalEnvError extends InputError {
  constructor(readonly variable: string, expected: string, got?: string) {
    super({ file: '<environment>', field: variable }, expected, got);
  }
}

type Env = Record<string, string | undefined>;

/** The setting's value under its Temporal CLI name or its env-config alias (both: must agree). */
function pick(env: Env, name: string, alias?: string): { variable: string; value: string } | undefined {
  const a = nonEmpty(env[name]);
  const b = alias ? nonEmpty(env[alias]) : undefined;
  if (a !== undefined && b !== undefined && a !== b) {
    throw new TemporalEnvError(name, `${name} and ${alias} to name the same file when both are set`, `two different paths`);
  }
  if (a !== undefined) return { variable: name, value: a };
  if (b !== undefined) return { variable: alias!, value: b };
  return undefined;
}

function readPem(variable: string, path: string, kind: 'certificate' | 'private key'): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TemporalEnvError(variable, `a readable PEM ${kind} file`, `${path} (${code})`);
  }
  // Only the shape is checked, and only the path is ever quoted: a key must not reach a log.
  if (!bytes.includes('-----BEGIN ')) throw new TemporalEnvError(variable, `a PEM ${kind} file (-----BEGIN …)`, `${path} (not PEM)`);
  return bytes;
}

function parseBool(variable: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new TemporalEnvError(variable, 'true or false', v);
}

export function temporalConnectionFromEnv(given: { address?: string; namespace?: string } = {}, env: Env = process.env): TemporalConnectionSettings {
  const address = nonEmpty(given.address) ?? nonEmpty(env.TEMPORAL_ADDRESS);
  if (!address) throw new TemporalEnvError('TEMPORAL_ADDRESS', 'host:port of the Temporal frontend');
  const namespace = nonEmpty(given.namespace) ?? nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default';

  const ca = pick(env, 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH');
  const cert = pick(env, 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_CLIENT_CERT_PATH');
  const key = pick(env, 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CLIENT_KEY_PATH');
  const serverName = nonEmpty(env.TEMPORAL_TLS_SERVER_NAME);
  const apiKey = nonEmpty(env.TEMPORAL_API_KEY);
  const tlsFlag = parseBool('TEMPORAL_TLS', nonEmpty(env.TEMPORAL_TLS));

  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY';
    const present = cert === undefined ? key!.variable : cert.variable;
    throw new TemporalEnvError(missing, `to be set together with ${present} (a client certificate needs its key, and the reverse)`);
  }
  const tlsSettings = ca ?? cert ?? (serverName ? { variable: 'TEMPORAL_TLS_SERVER_NAME', value: serverName } : undefined);
  if (tlsFlag === false && tlsSettings) {
    throw new TemporalEnvError('TEMPORAL_TLS', `not false while ${tlsSettings.variable} is set`, 'false');
  }
  const useTls = tlsFlag ?? (tlsSettings !== undefined || apiKey !== undefined);

  const out: TemporalConnectionSettings = { address, namespace };
  if (apiKey !== undefined) out.apiKey = apiKey;
  if (useTls) {
    const tls: TemporalTls = {};
    if (serverName) tls.serverNameOverride = serverName;
    if (ca) tls.serverRootCACertificate = readPem(ca.variable, ca.value, 'certificate');
    if (cert && key) tls.clientCertPair = { crt: readPem(cert.variable, cert.value, 'certificate'), key: readPem(key.variable, key.value, 'private key') };
    out.tls = tls;
  }
  return out;
}

/**
 * The options for `Connection.connect` and `NativeConnection.connect`. `tls: false` is explicit:
 * the SDK turns TLS on by itself when an API key is given and `tls` is left undefined, which
 * would override TEMPORAL_TLS=false.
 */
export function connectionOptions(s: TemporalConnectionSettings): { address: string; tls: TemporalTls | false; apiKey?: string } {
  return { address: s.address, tls: s.tls ?? false, ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}) };
}

/** What may be logged about a connection: never the key or file contents. */
export function describeTemporalConnection(s: TemporalConnectionSettings): string {
  const parts = [`${s.address} namespace ${s.namespace}`];
  if (s.tls) parts.push(s.tls.clientCertPair ? 'mTLS' : 'TLS');
  if (s.apiKey) parts.push('API key');
  return parts.join(', ');
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}
