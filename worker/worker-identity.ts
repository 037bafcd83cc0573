/**
 * Who and where a worker is: its name (settable, because several workers on one host, or in one
 * test, share a hostname) and the Temporal `identity` its pollers show in the Temporal UI, e.g.
 * `gpu-host-1 · pid 1234 · gpu 4 slots · backend auto`. The name is also tagged on every cell
 * run whose training it did (`rexsweep.worker`).
 */
import { hostname } from 'node:os';
import { InputError } from '../recsys/errors.ts';

/** Environment variable naming the worker when `--name` is not given. */
export const WORKER_NAME_ENV = 'REXSWEEP_WORKER_NAME';

/** Long enough for a FQDN plus a suffix; short enough to stay readable in the pollers list. */
const MAX_NAME_LENGTH = 200;

/**
 * The worker's name: `explicit` (--name), else $REXSWEEP_WORKER_NAME, else the hostname.
 * Refused (InputError): an empty name, control characters, or more than 200 characters.
 */
export function resolveWorkerName(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromFlag = explicit !== undefined;
  const given = (fromFlag ? explicit : env[WORKER_NAME_ENV])?.trim();
  const where = fromFlag ? { file: '<command line>', field: '--name' } : { file: '<environment>', field: WORKER_NAME_ENV };
  // An unset or empty variable means "not given"; an empty --name is a mistake.
  if (!given && !fromFlag) return hostname();
  if (!given || /[\u0000-\u001f\u007f]/.test(given) || given.length > MAX_NAME_LENGTH) {
    throw new InputError(where, `a worker name of 1 to ${MAX_NAME_LENGTH} printable characters`, JSON.stringify(explicit ?? env[WORKER_NAME_ENV]));
  }
  return given;
}

export interface IdentityParts {
  name: string;
  pid: number;
  role: 'workflow' | 'gpu';
  /** GPU slots (gpu role only). */
  slots?: number;
  /** TF.js backend requested (gpu role only). */
  backend?: string;
}

/** The Temporal worker identity of one role's worker in this process. */
export function workerIdentity(p: IdentityParts): string {
  const head = `${p.name} · pid ${p.pid}`;
  if (p.role === 'workflow') return `${head} · workflow`;
  return `${head} · gpu ${p.slots ?? 1} slot${p.slots === 1 ? '' : 's'} · backend ${p.backend ?? 'auto'}`;
}
