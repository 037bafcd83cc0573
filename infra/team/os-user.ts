/**
 * PostgreSQL will not run as root. As root, the team stack runs it as the `postgres` user (made
 * by Debian's package) and hands it its folders; as anyone else, as that user.
 */
import { chown } from 'node:fs/promises';
import { runCommand } from '../local/run-command.ts';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export async function postgresUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const r = await runCommand('id', ['-u', 'postgres'], { capture: true, timeoutMs: 5_000 });
  const g = await runCommand('id', ['-g', 'postgres'], { capture: true, timeoutMs: 5_000 });
  if (r.code !== 0 || g.code !== 0) return { name: 'nobody', uid: 65534, gid: 65534 };
  return { name: 'postgres', uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** `cmd args` as that user (runuser), or as ourselves when there is none. */
export function asUser(user: OsUser | undefined, cmd: string, args: string[]): [string, string[]] {
  return user ? ['runuser', ['-u', user.name, '--', cmd, ...args]] : [cmd, args];
}

export async function giveTo(user: OsUser | undefined, ...paths: string[]): Promise<void> {
  if (!user) return;
  for (const p of paths) await chown(p, user.uid, user.gid);
}
