/**
 * The stack's passwords and keys: generated once (random, 24 bytes), kept in <state>/secrets.json
 * (mode 600), read by every later `team up` on any host sharing the state, and printed only by
 * `rexsweep team env`, which a user asks for. Never logged.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../../recsys/errors.ts';

export interface TeamSecrets {
  postgresSuperuser: string;
  temporalDb: string;
  mlflowDb: string;
  s3AccessKey: string;
  s3SecretKey: string;
  /** MLflow basic-auth users: the admin, the workers' service account, one researcher. */
  mlflowAdmin: string;
  mlflowWorker: string;
  mlflowResearcher: string;
  /** Flask's session/CSRF key of MLflow's auth app. */
  mlflowFlaskKey: string;
}

const FIELDS: (keyof TeamSecrets)[] = [
  'postgresSuperuser',
  'temporalDb',
  'mlflowDb',
  's3AccessKey',
  's3SecretKey',
  'mlflowAdmin',
  'mlflowWorker',
  'mlflowResearcher',
  'mlflowFlaskKey',
];

/** URL- and shell-safe: no quoting needed in connection strings or ini files. */
const token = () => randomBytes(24).toString('base64url');

export async function loadOrCreateSecrets(file: string): Promise<TeamSecrets> {
  const existing = await readSecrets(file);
  if (existing) return existing;
  const fresh = Object.fromEntries(FIELDS.map((f) => [f, f === 's3AccessKey' ? `rx${randomBytes(9).toString('hex')}` : token()])) as unknown as TeamSecrets;
  await mkdir(dirname(file), { recursive: true, mode: 0o711 });
  try {
    // 'wx': of two hosts creating the secrets at once, the first one wins and both use its file.
    await writeFile(file, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readSecrets(file))!;
  }
}

export async function readSecrets(file: string): Promise<TeamSecrets | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError({ file, field: '(whole file)' }, 'the JSON written by `rexsweep team up`', 'unparseable JSON');
  }
  for (const f of FIELDS) {
    const v = (parsed as Record<string, unknown>)?.[f];
    if (typeof v !== 'string' || v.length < 8) throw new InputError({ file, field: f }, 'a generated secret (string, ≥ 8 characters)', typeof v);
  }
  return parsed as TeamSecrets;
}
