/**
 * Child processes with a hard time cap: every part of the GPU script runs in its own process
 * (a fresh TF.js engine and Dawn device each, as a worker's compute child), and a part that hangs
 * on a driver must not eat the other parts' time. Each child leads its own process group, so the
 * cap kills whatever it started too.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildOutcome {
  status: 'ok' | 'failed' | 'timeout';
  code: number | null;
  seconds: number;
  /** The last stdout line that parses as a JSON object, if any. */
  json: Record<string, unknown> | null;
  stderrTail: string;
}

export interface ChildOptions {
  capSeconds: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each stdout line as it arrives. */
  onLine?: (line: string, child: ChildProcess) => void;
  /** Keep stdin open (pack cells read "go" from it). */
  stdin?: boolean;
}

export function runChild(cmd: string, args: string[], opts: ChildOptions): { child: ChildProcess; done: Promise<ChildOutcome> } {
  const t0 = performance.now();
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  let json: Record<string, unknown> | null = null;
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const parsed = parseObject(line);
      if (parsed) json = parsed;
      opts.onLine?.(line, child);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-3000)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, opts.capSeconds * 1000);
  const done = new Promise<ChildOutcome>((resolve) => {
    const finish = (code: number | null, err?: Error) => {
      clearTimeout(timer);
      const last = parseObject(partial);
      if (last) json = last;
      resolve({
        status: timedOut ? 'timeout' : code === 0 ? 'ok' : 'failed',
        code,
        seconds: (performance.now() - t0) / 1000,
        json,
        stderrTail: (err ? `${err.message}\n` : '') + tail(stderr),
      });
    };
    child.on('error', (err) => finish(null, err));
    child.on('close', (code) => finish(code));
  });
  return { child, done };
}

export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** The last lines of stderr that say something: Dawn's two start-up warnings in every process do not, nor a stack's frames beyond the third. */
function tail(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => !/^Warning: maxDynamic\w+ artificially reduced/.test(l));
  const kept: string[] = [];
  let frames = 0;
  for (const l of lines.slice(-20)) {
    frames = /^\s+at /.test(l) ? frames + 1 : 0;
    if (frames <= 3) kept.push(l);
  }
  return kept.join('\n');
}

function parseObject(line: string): Record<string, unknown> | null {
  const t = line.trim();
  if (!t.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(t);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
