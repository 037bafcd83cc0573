/**
 * The messages between an activity attempt (the parent, inside the worker) and the child process
 * that does its work (activities/isolate.ts, activities/child-host.ts). One attempt, one child,
 * one `start`; the child answers with heartbeats, logs and calls, then one `result` or `error`.
 *
 * The child reaches MLflow only through `call`s that the parent serves with its own artifact
 * store: the child holds no credentials, and a child whose parent died cannot upload anything.
 */

/** An error as it crosses the process boundary: the class name survives as `name`. */
export interface WireError {
  /** Constructor name (e.g. `DivergenceError`): becomes the ApplicationFailure type. */
  name: string;
  message: string;
  stack?: string;
}

export type ParentMessage =
  | { type: 'start'; task: unknown }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: WireError };

export type ChildMessage =
  /** Progress: relayed as the activity's heartbeat, as is. */
  | { type: 'heartbeat'; details: unknown }
  | { type: 'log'; message: string }
  /** A service call the parent answers with a `reply` of the same id. */
  | { type: 'call'; id: number; method: string; args: unknown[] }
  | { type: 'result'; value: unknown }
  | { type: 'error'; error: WireError };

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    // The constructor name, as Temporal's own Error → ApplicationFailure conversion uses; a
    // plain Error that carries another name (an error relayed from the parent) keeps that name.
    const ctor = err.constructor?.name;
    const name = ctor && ctor !== 'Error' && ctor !== 'Object' ? ctor : err.name || 'Error';
    return { name, message: err.message, stack: err.stack };
  }
  return { name: 'Error', message: String(err) };
}

/**
 * Node's `advanced` IPC serialization delivers a Buffer as a plain Uint8Array; callers of the
 * artifact store expect a Buffer.
 */
export function asBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`expected bytes over IPC, got ${typeof value}`);
}
