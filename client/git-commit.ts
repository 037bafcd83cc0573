/** The code version recorded on every run: REXSWEEP_GIT_COMMIT, else `git rev-parse HEAD`, else "unknown". */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function gitCommit(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REXSWEEP_GIT_COMMIT) return env.REXSWEEP_GIT_COMMIT;
  try {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
