/**
 * Run one activity attempt's work in a child Node process, so that cancelling or timing out the
 * attempt frees its GPU, memory and slot: TF.js holds native memory that only process exit
 * returns, and a JS loop cannot be interrupted from outside.
 *
 * - spawn: `fork` of child-bootstrap.mjs (tsx's loader, as bin/rexsweep.mjs) with the entry
 *   module; its own process group (detached), so the whole group is killed; IPC with `advanced`
 *   serialization (bytes cross as bytes); stdout/stderr forwarded line by line to `log`.
 * - heartbeats: only what the child reports is relayed. Relaying on a timer would keep a hung
 *   child's attempt alive for up to startToClose (48 h); relaying the child's own progress lets
 *   Temporal's heartbeat timeout catch it. The worker learns of a server-side timeout only
 *   through a heartbeat's response, which a silent child never triggers, so a local watchdog
 *   (`stallMs`, the attempt's heartbeat timeout) kills a child that reports nothing for that long
 *   and fails the attempt with ChildStalledError: the slot is freed when Temporal gives up.
 * - kill: on `signal` abort (cancel, timeout seen by the worker, worker shutdown), on a stall, or
 *   when the child does not exit after its answer: SIGTERM to the group, SIGKILL after
 *   `killGraceMs`. The attempt settles only after the child has exited, so a finished attempt
 *   never leaves a process behind.
 * - orphans: the child exits the moment its IPC channel closes (child-host.ts), which is what a
 *   kill -9 of the worker does; and it reaches MLflow only through calls served here, so an
 *   orphan between two epochs can neither train on for long nor upload anything.
 */
import { fork } from 'node:child_process';
import { ApplicationFailure } from '@temporalio/activity';
import { fileURLToPath } from 'node:url';
import { RexsweepError } from '../recsys/errors.ts';
import { asBuffer, type ChildMessage, type ParentMessage, type WireError } from './child-protocol.ts';

const BOOTSTRAP = fileURLToPath(new URL('./child-bootstrap.mjs', import.meta.url));

/** Environment variables the child never gets: it reaches MLflow and Temporal through its parent. */
export const CHILD_ENV_DENYLIST = [
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_TRACKING_USERNAME',
  'MLFLOW_TRACKING_PASSWORD',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
];

export type ChildService = (...args: any[]) => Promise<unknown>;

export interface IsolateOptions {
  /** Absolute path of the child's entry module (a .ts file that calls `serveChild`). */
  entry: string;
  /** Sent to the child in its `start` message (structured-clone data). */
  task: unknown;
  /** Where the child's heartbeats go (Context.current().heartbeat in an activity). */
  heartbeat(details: unknown): void;
  /** Aborts the attempt: the child is killed and the promise rejects with the signal's reason. */
  signal: AbortSignal;
  /** Kill the child when it sends nothing for this long (while no call of its is being served). */
  stallMs?: number;
  /** Between SIGTERM and SIGKILL (default 5 s). */
  killGraceMs?: number;
  /** Calls the child may make (the artifact store); bytes arrive as Buffers. */
  services?: Record<string, ChildService>;
  log?: (line: string) => void;
  /** What the attempt is, for errors and logs (e.g. `trainCell ab12…`). */
  label?: string;
  onSpawn?: (pid: number) => void;
  /** Default: this process's environment without CHILD_ENV_DENYLIST. */
  env?: NodeJS.ProcessEnv;
}

/** The child exited (crash, OOM kill, exit call) without answering. Retryable. */
export class ChildExitedError extends RexsweepError {
  constructor(readonly label: string, readonly code: number | null, readonly signal: NodeJS.Signals | null, readonly stderrTail: string) {
    super(`${label}: child process exited without a result (${signal ? `signal ${signal}` : `exit code ${code}`})${stderrTail ? `; last output:\n${stderrTail}` : ''}`);
  }
}

/** The child reported nothing for longer than the heartbeat timeout and was killed. Retryable. */
export class ChildStalledError extends RexsweepError {
  constructor(readonly label: string, readonly silentMs: number) {
    super(`${label}: child process reported no progress for ${Math.round(silentMs / 1000)} s (heartbeat timeout) and was killed`);
  }
}

/**
 * The child's error as the attempt's failure: an ApplicationFailure whose type is the child's
 * error class name, exactly what Temporal makes of that error thrown in-process, so the
 * workflow's nonRetryableErrorTypes (DivergenceError, InputError, …) apply unchanged.
 */
export function childFailure(wire: WireError): ApplicationFailure {
  const failure = ApplicationFailure.create({ message: wire.message, type: wire.name, nonRetryable: false });
  if (wire.stack) failure.stack = wire.stack;
  return failure;
}

export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of CHILD_ENV_DENYLIST) delete out[k];
  return out;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function runIsolated<T>(o: IsolateOptions): Promise<T> {
  const label = o.label ?? 'isolated work';
  const log = o.log ?? (() => {});
  const grace = o.killGraceMs ?? 5_000;
  if (o.signal.aborted) return Promise.reject(abortError(o.signal));

  const child = fork(BOOTSTRAP, [o.entry], {
    // No inherited --inspect/--import flags from the parent (vitest's, a debugger's).
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
    env: o.env ?? childEnv(),
  });

  return new Promise<T>((resolve, reject) => {
    let outcome: Outcome | undefined;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let disconnected = false;
    let lastSign = Date.now();
    let pendingCalls = 0;
    let killTimer: NodeJS.Timeout | undefined;
    let terminating = false;
    const tail: string[] = [];

    const forward = (stream: 'out' | 'err') => {
      let partial = '';
      return (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          log(`[${label}] ${line}`);
          if (stream === 'err') {
            tail.push(line);
            if (tail.length > 20) tail.shift();
          }
        }
      };
    };
    child.stdout?.on('data', forward('out'));
    child.stderr?.on('data', forward('err'));

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          /* gone */
        }
      }
    };
    const terminate = () => {
      if (terminating || exited) return;
      terminating = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), grace);
    };
    const settle = (x: Outcome) => {
      outcome ??= x;
    };

    const onAbort = () => {
      settle({ ok: false, error: abortError(o.signal) });
      terminate();
    };
    o.signal.addEventListener('abort', onAbort, { once: true });

    const watchdog =
      o.stallMs !== undefined && o.stallMs > 0
        ? setInterval(() => {
            if (pendingCalls > 0) lastSign = Date.now();
            const silent = Date.now() - lastSign;
            if (silent > o.stallMs! && !outcome) {
              settle({ ok: false, error: new ChildStalledError(label, silent) });
              terminate();
            }
          }, Math.max(50, Math.min(5_000, Math.floor(o.stallMs / 4))))
        : undefined;

    const send = (m: ParentMessage) => {
      if (!child.connected) return;
      child.send(m, (err) => {
        if (err) log(`[${label}] could not reach the child: ${err.message}`);
      });
    };

    child.on('message', (raw) => {
      const m = raw as ChildMessage;
      lastSign = Date.now();
      switch (m.type) {
        case 'heartbeat':
          if (!outcome) o.heartbeat(m.details);
          return;
        case 'log':
          log(m.message);
          return;
        case 'call': {
          const fn = o.services?.[m.method];
          if (!fn) {
            send({ type: 'reply', id: m.id, ok: false, error: { name: 'Error', message: `no service ${m.method}` } });
            return;
          }
          pendingCalls++;
          fn(...m.args.map(bytesToBuffer)).then(
            (value) => send({ type: 'reply', id: m.id, ok: true, value }),
            (err: Error) => send({ type: 'reply', id: m.id, ok: false, error: { name: err?.constructor?.name ?? 'Error', message: err?.message ?? String(err), stack: err?.stack } }),
          ).finally(() => {
            pendingCalls--;
            lastSign = Date.now();
          });
          return;
        }
        case 'result':
          settle({ ok: true, value: m.value });
          // It exits by itself after this; make sure of it.
          setTimeout(terminate, grace).unref();
          return;
        case 'error':
          settle({ ok: false, error: childFailure(m.error) });
          setTimeout(terminate, grace).unref();
          return;
      }
    });

    const finish = () => {
      // Both the exit and the end of the IPC channel: a result written just before exit is read.
      if (!exited || !disconnected) return;
      if (killTimer) clearTimeout(killTimer);
      if (watchdog) clearInterval(watchdog);
      o.signal.removeEventListener('abort', onAbort);
      // Whatever the child left in its group goes with it.
      if (terminating) killGroup('SIGKILL');
      const x: Outcome = outcome ?? { ok: false, error: new ChildExitedError(label, exited.code, exited.signal, tail.join('\n')) };
      if (x.ok) resolve(x.value as T);
      else reject(x.error);
    };
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      if (!child.connected) disconnected = true;
      finish();
    });
    child.on('disconnect', () => {
      disconnected = true;
      finish();
    });
    child.on('error', (err) => {
      // Spawn failure (no exit follows) or a failed send.
      if (child.pid === undefined) {
        exited = { code: null, signal: null };
        disconnected = true;
        settle({ ok: false, error: err });
        finish();
      } else {
        log(`[${label}] child process error: ${err.message}`);
      }
    });

    if (child.pid !== undefined) {
      log(`[${label}] child process ${child.pid}`);
      o.onSpawn?.(child.pid);
      send({ type: 'start', task: o.task });
    }
  });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('cancelled');
}

function bytesToBuffer(v: unknown): unknown {
  return v instanceof Uint8Array ? asBuffer(v) : v;
}
