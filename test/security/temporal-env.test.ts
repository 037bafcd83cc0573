/**
 * Temporal connection settings from the environment (worker/temporal-connection.ts): TLS files,
 * API key, namespace; typed errors that name the variable and the file, never a file's content.
 * No TLS server is started: the Temporal dev server does not serve TLS, so the handshake itself
 * is left to a deployment check; what is tested is what reaches Connection.connect.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../recsys/errors.ts';
import { describeTemporalConnection, TemporalEnvError, temporalConnectionFromEnv } from '../../worker/temporal-connection.ts';

let dir: string;
const CA = '-----BEGIN CERTIFICATE-----\nQ0EtQ0VSVA==\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nQ0xJRU5U\n-----END CERTIFICATE-----\n';
const KEY_SECRET = 'S3CR3T-KEY-MATERIAL';
const KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_SECRET}\n-----END PRIVATE KEY-----\n`;
let ca: string, cert: string, key: string, notPem: string, unreadable: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-tls-'));
  [ca, cert, key, notPem, unreadable] = ['ca.pem', 'client.pem', 'client.key', 'junk.txt', 'locked.key'].map((f) => join(dir, f));
  await writeFile(ca, CA);
  await writeFile(cert, CERT);
  await writeFile(key, KEY);
  await writeFile(notPem, `${KEY_SECRET} but no PEM armour`);
  await writeFile(unreadable, KEY);
  await chmod(unreadable, 0o000);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const addr = { TEMPORAL_ADDRESS: 'temporal.example:7233' };

function failure(env: Record<string, string>): TemporalEnvError {
  try {
    temporalConnectionFromEnv({}, env);
  } catch (err) {
    expect(err).toBeInstanceOf(TemporalEnvError);
    expect(err).toBeInstanceOf(InputError); // the CLI's exit code 2
    expect((err as Error).message).not.toContain(KEY_SECRET);
    return err as TemporalEnvError;
  }
  throw new Error('expected a TemporalEnvError');
}

describe('Temporal connection from the environment', () => {
  it('plaintext with the default namespace when nothing is set', () => {
    expect(temporalConnectionFromEnv({}, addr)).toEqual({ address: 'temporal.example:7233', namespace: 'default' });
  });

  it('an address and namespace given by the caller win over the environment', () => {
    const s = temporalConnectionFromEnv({ address: '127.0.0.1:17233', namespace: 'ns1' }, { ...addr, TEMPORAL_NAMESPACE: 'ns2' });
    expect(s).toEqual({ address: '127.0.0.1:17233', namespace: 'ns1' });
    expect(temporalConnectionFromEnv({}, { ...addr, TEMPORAL_NAMESPACE: 'team-a' }).namespace).toBe('team-a');
  });

  it('mTLS: CA, client certificate and key are read; server name passed on', () => {
    const s = temporalConnectionFromEnv({}, { ...addr, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_SERVER_NAME: 'frontend.internal' });
    expect(s.tls?.serverRootCACertificate?.toString()).toBe(CA);
    expect(s.tls?.clientCertPair?.crt.toString()).toBe(CERT);
    expect(s.tls?.clientCertPair?.key.toString()).toBe(KEY);
    expect(s.tls?.serverNameOverride).toBe('frontend.internal');
    expect(describeTemporalConnection(s)).toBe('temporal.example:7233 namespace default, mTLS');
  });

  it("accepts the SDK env-config names as aliases", () => {
    const s = temporalConnectionFromEnv({}, { ...addr, TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca, TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key });
    expect(s.tls?.clientCertPair?.crt.toString()).toBe(CERT);
    expect(s.tls?.serverRootCACertificate?.toString()).toBe(CA);
  });

  it('an API key implies TLS (system roots) unless TEMPORAL_TLS=false, and is never described', () => {
    const s = temporalConnectionFromEnv({}, { ...addr, TEMPORAL_API_KEY: 'key-XYZ' });
    expect(s).toEqual({ address: 'temporal.example:7233', namespace: 'default', apiKey: 'key-XYZ', tls: {} });
    expect(describeTemporalConnection(s)).not.toContain('key-XYZ');
    expect(temporalConnectionFromEnv({}, { ...addr, TEMPORAL_API_KEY: 'key-XYZ', TEMPORAL_TLS: 'false' }).tls).toBeUndefined();
    expect(temporalConnectionFromEnv({}, { ...addr, TEMPORAL_TLS: 'true' }).tls).toEqual({});
  });

  it('a certificate without its key (or the reverse) is an error naming the missing variable', () => {
    expect(failure({ ...addr, TEMPORAL_TLS_CERT: cert }).variable).toBe('TEMPORAL_TLS_KEY');
    expect(failure({ ...addr, TEMPORAL_TLS_KEY: key }).variable).toBe('TEMPORAL_TLS_CERT');
  });

  it('a missing, unreadable or non-PEM file is an error naming the variable and the file, not the content', () => {
    const missing = failure({ ...addr, TEMPORAL_TLS_CA: join(dir, 'nope.pem') });
    expect(missing.variable).toBe('TEMPORAL_TLS_CA');
    expect(missing.message).toContain(join(dir, 'nope.pem'));
    expect(missing.message).toContain('ENOENT');
    const junk = failure({ ...addr, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: notPem });
    expect(junk.variable).toBe('TEMPORAL_TLS_KEY');
    expect(junk.message).toContain(notPem);
    if (process.getuid?.() !== 0) {
      // root reads any file: the permission case only means something for other users.
      const locked = failure({ ...addr, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: unreadable });
      expect(locked.message).toContain('EACCES');
    }
  });

  it('contradictions are errors: TLS off with TLS files, two different paths for one setting, a bad flag', () => {
    expect(failure({ ...addr, TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: ca }).variable).toBe('TEMPORAL_TLS');
    expect(failure({ ...addr, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_CA_CERT_PATH: cert }).variable).toBe('TEMPORAL_TLS_CA');
    expect(failure({ ...addr, TEMPORAL_TLS: 'yes please' }).variable).toBe('TEMPORAL_TLS');
  });

  it('no address at all is an error naming TEMPORAL_ADDRESS', () => {
    expect(failure({}).variable).toBe('TEMPORAL_ADDRESS');
  });
});
