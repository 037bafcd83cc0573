/**
 * Certificates for Temporal's mutual TLS, made with the system's `openssl`: a team CA, a server
 * certificate (also used between Temporal's own services, so it is a client certificate too) and
 * a client certificate for rexsweep's workers and CLI. All P-256 keys. Clients verify the server
 * as `temporal` (TEMPORAL_TLS_SERVER_NAME), so the same certificate serves whatever address the
 * frontend has; its IP is in the SANs too.
 *
 * Made once per state folder; the server certificate is remade when the frontend's host changes.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InstallError } from '../local/errors.ts';
import { withLock } from '../local/lock.ts';
import { lastLines, runCommand } from '../local/run-command.ts';

export const TLS_SERVER_NAME = 'temporal';

export interface TlsFiles {
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function tlsFiles(dir: string): TlsFiles {
  return {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
}

const exists = (p: string) => access(p).then(() => true, () => false);

export async function ensureTls(dir: string, serverHost: string, log: (m: string) => void): Promise<TlsFiles> {
  const f = tlsFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return withLock(join(dir, '.lock'), { timeoutMs: 60_000, onWait: () => log('tls: waiting for another host making the certificates') }, async () => {
    const openssl = (args: string[]) => run(dir, args);
    if (!(await exists(f.ca)) || !(await exists(f.caKey))) {
      log('tls: making the team CA');
      await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f.caKey, '-out', f.ca,
        '-days', '3650', '-subj', '/CN=rexsweep team CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    }
    const sans = `DNS:${TLS_SERVER_NAME},DNS:localhost,IP:127.0.0.1${/^\d+\.\d+\.\d+\.\d+$/.test(serverHost) && serverHost !== '127.0.0.1' ? `,IP:${serverHost}` : ''}`;
    const sanFile = join(dir, 'server.san');
    const currentSans = await readFile(sanFile, 'utf8').catch(() => '');
    if (currentSans !== sans || !(await exists(f.serverCert))) {
      log(`tls: server certificate for ${sans}`);
      await leaf(dir, f, 'server', `/CN=${TLS_SERVER_NAME}`, `subjectAltName=${sans}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
      await writeFile(sanFile, sans);
    }
    if (!(await exists(f.clientCert))) {
      log('tls: client certificate for workers and the CLI');
      await leaf(dir, f, 'client', '/CN=rexsweep-client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
    }
    return f;
  });
}

async function leaf(dir: string, f: TlsFiles, name: 'server' | 'client', subject: string, extensions: string): Promise<void> {
  const key = name === 'server' ? f.serverKey : f.clientKey;
  const cert = name === 'server' ? f.serverCert : f.clientCert;
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await run(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
  await run(dir, ['x509', '-req', '-in', csr, '-CA', f.ca, '-CAkey', f.caKey, '-CAcreateserial', '-out', cert, '-days', '825', '-extfile', ext]);
}

async function run(dir: string, args: string[]): Promise<void> {
  const r = await runCommand('openssl', args, { timeoutMs: 60_000, cwd: dir });
  if (r.code !== 0) throw new InstallError('tls certificates', `openssl ${args[0]}`, lastLines(r.tail, 5) || `exit ${r.code}`);
}
