/**
 * The child side of activities/isolate.ts: receive the one `start`, run the handler, report
 * progress and calls over IPC, answer with `result` or `error`, exit.
 *
 * The child dies with its parent: when the IPC channel closes (the worker exited, was killed
 * with -9, or dropped the attempt) it exits at once, mid-epoch or not. Its work never touches
 * MLflow or Temporal directly, so nothing it would do after that could be recorded anyway.
 */
import { asBuffer, toWireError, type ChildMessage, type ParentMessage } from './child-protocol.ts';

export interface ChildIo {
  heartbeat(details: unknown): void;
  log(message: string): void;
  /** A service of the parent (see IsolateOptions.services); bytes come back as Buffers. */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
}

/** Exit code of a child whose parent went away. */
export const EXIT_ORPHANED = 70;

export function serveChild(handler: (task: unknown, io: ChildIo) => Promise<unknown>): void {
  if (typeof process.send !== 'function') {
    process.stderr.write('this module is started by activities/isolate.ts (it needs an IPC channel)\n');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(EXIT_ORPHANED));

  const send = (m: ChildMessage, then?: () => void) => {
    if (!process.connected) process.exit(EXIT_ORPHANED);
    process.send!(m, undefined, {}, () => then?.());
  };
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const io: ChildIo = {
    heartbeat: (details) => send({ type: 'heartbeat', details }),
    log: (message) => send({ type: 'log', message }),
    call: <T>(method: string, ...args: unknown[]) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        send({ type: 'call', id, method, args });
      }),
  };
  const fail = (err: unknown) => send({ type: 'error', error: toWireError(err) }, () => process.exit(1));
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);

  let started = false;
  process.on('message', (raw) => {
    const m = raw as ParentMessage;
    if (m.type === 'reply') {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.ok) w.resolve(m.value instanceof Uint8Array ? asBuffer(m.value) : m.value);
      else w.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
      return;
    }
    if (m.type === 'start' && !started) {
      started = true;
      handler(m.task, io).then(
        (value) => send({ type: 'result', value }, () => process.exit(0)),
        fail,
      );
    }
  });
}
