/**
 * Runs install-time commands (pip, venv, --version checks): output appended to a log file, the
 * tail kept for error messages, a deadline, and an optional heartbeat so a minute-long pip run
 * is not silent.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last few KB of stdout + stderr. */
  tail: string;
  /** Full stdout (only when capture is on). */
  stdout: string;
  ms: number;
}

export interface RunOptions {
  /** Append a header and all output here. */
  logFile?: string;
  /** Keep the whole stdout (for short commands such as `--version`). */
  capture?: boolean;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called every `heartbeatMs` while the command runs. */
  onHeartbeat?: (elapsedMs: number) => void;
  heartbeatMs?: number;
}

const TAIL_BYTES = 4000;

export async function runCommand(executable: string, args: string[], options: RunOptions): Promise<CommandResult> {
  const started = Date.now();
  let log: ReturnType<typeof createWriteStream> | undefined;
  if (options.logFile) {
    await mkdir(dirname(options.logFile), { recursive: true });
    log = createWriteStream(options.logFile, { flags: 'a' });
    log.write(`\n=== ${new Date().toISOString()} $ ${[executable, ...args].join(' ')}\n`);
  }
  let tail = '';
  let stdout = '';
  const child = spawn(executable, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  const onData = (isStdout: boolean) => (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    log?.write(chunk);
    tail = (tail + text).slice(-TAIL_BYTES);
    if (isStdout && options.capture) stdout += text;
  };
  child.stdout.on('data', onData(true));
  child.stderr.on('data', onData(false));
  const heartbeat =
    options.onHeartbeat && setInterval(() => options.onHeartbeat!(Date.now() - started), options.heartbeatMs ?? 30_000);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    const ms = Date.now() - started;
    log?.write(`=== exit ${code ?? signal} after ${(ms / 1000).toFixed(1)} s\n`);
    return { code, signal, tail, stdout, ms };
  } catch (err) {
    log?.write(`=== could not run: ${(err as Error).message}\n`);
    return { code: null, signal: null, tail: (err as Error).message, stdout, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    if (heartbeat) clearInterval(heartbeat);
    if (log) await new Promise<void>((r) => log!.end(r));
  }
}

/** The last `lines` lines of `text`, for error messages. */
export function lastLines(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
